//! Reading a response off the connection: the head (with httparse), past any interim
//! (1xx) responses (RFC 9110 §15.2), then the body by its framing (RFC 9112 §6.3), up to
//! the size limit. Also whether the connection can carry another request.

use std::io::{BufRead, Read};

use super::headers::Headers;

/// A final response as read off the wire, its body still encoded.
pub(super) struct Parts {
    pub status: u16,
    /// The reason phrase exactly as sent on the status line.
    pub reason: String,
    pub version: String,
    pub headers: Headers,
    pub body: Vec<u8>,
    /// The response ended where its framing said, and the server keeps the connection
    /// open: another request may follow on it.
    pub reusable: bool,
}

/// Why no complete response was read.
#[derive(Debug)]
pub(super) enum ReadError {
    /// Reading a head failed (reset, timeout, closed); `got` bytes of it had arrived.
    Head {
        error: std::io::Error,
        got: usize,
        /// The interim response that came before, as `100 Continue`.
        interim: Option<String>,
    },
    /// Not a valid HTTP response head, or bad chunk framing.
    Invalid(String, Option<String>),
    /// Reading the body failed after `got` bytes of it.
    Body(std::io::Error, usize),
}

/// A 1xx response other than `101 Switching Protocols`: more follows.
fn is_interim(status: u16) -> bool {
    (100..200).contains(&status) && status != 101
}

const MAX_HEAD: usize = 100 * 1024;

/// Reads responses until a final (non-1xx) one, whose body is read up to one byte past
/// `limit` (the caller reports a body over it).
pub(super) fn read_response(
    reader: &mut impl BufRead,
    method: &str,
    limit: usize,
) -> Result<Parts, ReadError> {
    let mut interim: Option<String> = None;
    loop {
        let head = read_head(reader).map_err(|e| match e {
            HeadError::Io(error, got) => ReadError::Head {
                error,
                got,
                interim: interim.clone(),
            },
            HeadError::Invalid(m) => ReadError::Invalid(m, interim.clone()),
        })?;
        let mut slots = [httparse::EMPTY_HEADER; 128];
        let mut parsed = httparse::Response::new(&mut slots);
        let invalid = |m: String| ReadError::Invalid(m, interim.clone());
        match parsed.parse(&head) {
            Ok(httparse::Status::Complete(_)) => {}
            Ok(httparse::Status::Partial) => {
                return Err(invalid("the response head is cut short".into()))
            }
            Err(e) => return Err(invalid(e.to_string())),
        }
        let status = parsed.code.unwrap_or(0);
        let reason = parsed.reason.unwrap_or("").to_string();
        if is_interim(status) {
            interim = Some(format!("{status} {reason}").trim_end().to_string());
            continue;
        }
        let minor = parsed.version.unwrap_or(1);
        // httparse reads HTTP/1.0 and HTTP/1.1 only.
        let version = String::from(if minor == 0 { "HTTP/1.0" } else { "HTTP/1.1" });
        let headers = Headers::from_fields(
            parsed
                .headers
                .iter()
                .map(|h| (h.name.to_string(), header_text(h.value)))
                .collect(),
        );
        let mut reusable = if minor == 0 {
            headers.has_token("connection", "keep-alive")
        } else {
            !headers.has_token("connection", "close")
        };
        let mut body = Vec::new();
        let header = |name: &str| headers.get(name);
        let io = |e: std::io::Error, body: &Vec<u8>| ReadError::Body(e, body.len());
        let tunnel = method == "CONNECT" && (200..300).contains(&status);
        if method.eq_ignore_ascii_case("HEAD")
            || matches!(status, 204 | 304)
            || status < 200
            || tunnel
        {
            // No body (RFC 9110 §9.3.6, §15.3.5, §15.4.5). Bytes a server sends after a 204 or
            // 304 that announces one would be read as the next response, so such a
            // connection is not reused (nor one switching protocols).
            let announced = !method.eq_ignore_ascii_case("HEAD")
                && (header("content-length").is_some_and(|l| l.trim() != "0")
                    || header("transfer-encoding").is_some());
            if announced || status < 200 {
                reusable = false;
            }
        } else if header("transfer-encoding").is_some() && minor == 1 {
            let chunked = header("transfer-encoding")
                .and_then(|te| te.rsplit(',').next())
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
            if chunked {
                read_chunked(reader, &mut body, limit)?;
            } else {
                // Another coding last: the body runs to the close (RFC 9112 §6.3).
                read_to_close(reader, &mut body, limit)?;
                reusable = false;
            }
        } else if let Some(len) = header("content-length") {
            let len = len
                .trim()
                .parse::<u64>()
                .map_err(|_| invalid(format!("the Content-Length `{len}` is not a number")))?;
            let want = len.min(limit as u64 + 1);
            read_upto(reader, &mut body, want).map_err(|e| io(e, &body))?;
            if (body.len() as u64) < want {
                return Err(ReadError::Body(
                    std::io::ErrorKind::UnexpectedEof.into(),
                    body.len(),
                ));
            }
        } else {
            read_to_close(reader, &mut body, limit)?;
            reusable = false;
        }
        if body.len() > limit {
            reusable = false;
        }
        return Ok(Parts {
            status,
            reason,
            version,
            headers,
            body,
            reusable,
        });
    }
}

/// A header value as text: UTF-8 when it is (what servers send in practice), else
/// Latin-1 (what HTTP/1.1 historically allowed, and what requests reads).
fn header_text(value: &[u8]) -> String {
    match std::str::from_utf8(value) {
        Ok(s) => s.trim().to_string(),
        Err(_) => {
            let text: String = value.iter().map(|&b| char::from(b)).collect();
            text.trim().to_string()
        }
    }
}

enum HeadError {
    Io(std::io::Error, usize),
    Invalid(String),
}

/// The bytes of one response head, up to and including the blank line. The first line
/// must start a status line, so that a server speaking another protocol is told apart
/// from one that is slow.
fn read_head(reader: &mut impl BufRead) -> Result<Vec<u8>, HeadError> {
    // Most heads arrive whole in one read: take them out of the buffer in one piece.
    match reader.fill_buf() {
        Ok(buffered) if buffered.starts_with(b"HTTP/") => {
            if let Some(end) = head_end(buffered) {
                let head = buffered[..end].to_vec();
                reader.consume(end);
                return Ok(head);
            }
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
        Err(e) => return Err(HeadError::Io(e, 0)),
    }
    // Otherwise line by line, as the head comes.
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader
            .read_until(b'\n', &mut head)
            .map_err(|e| HeadError::Io(e, head.len()))?;
        if n == 0 {
            return Err(HeadError::Io(
                std::io::ErrorKind::UnexpectedEof.into(),
                head.len(),
            ));
        }
        if before == 0 && !head.starts_with(b"HTTP/") {
            let line = String::from_utf8_lossy(&head);
            let line: String = line.trim_end().chars().take(40).collect();
            return Err(HeadError::Invalid(format!(
                "the first line is `{}`, not an HTTP status line",
                line.escape_debug()
            )));
        }
        if head.len() > MAX_HEAD {
            return Err(HeadError::Invalid(
                "the response head is over 100 KiB".into(),
            ));
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            return Ok(head);
        }
    }
}

/// Where the head in `buffered` ends: after the first empty line (`\r\n` or a bare `\n`),
/// as `read_head` reads it line by line.
fn head_end(buffered: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(newline) = buffered[from..].iter().position(|&b| b == b'\n') {
        let next = from + newline + 1;
        match &buffered[next..] {
            [b'\n', ..] => return Some(next + 1),
            [b'\r', b'\n', ..] => return Some(next + 2),
            _ => from = next,
        }
    }
    None
}

/// A body that runs until the server closes the connection. Over TLS, a close without
/// `close_notify` is how such bodies often end, so it ends the body too.
fn read_to_close(
    reader: &mut impl Read,
    body: &mut Vec<u8>,
    limit: usize,
) -> Result<(), ReadError> {
    match read_upto(reader, body, limit as u64 + 1) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(()),
        Err(e) => Err(ReadError::Body(e, body.len())),
        Ok(()) => Ok(()),
    }
}

fn read_upto(reader: &mut impl Read, body: &mut Vec<u8>, n: u64) -> std::io::Result<()> {
    reader.take(n).read_to_end(body).map(|_| ())
}

/// `Transfer-Encoding: chunked` (RFC 9112 §7.1): sizes in hex, extensions and trailers
/// ignored.
fn read_chunked(
    reader: &mut impl BufRead,
    body: &mut Vec<u8>,
    limit: usize,
) -> Result<(), ReadError> {
    let bad = |what: &str| ReadError::Invalid(format!("bad chunked body: {what}"), None);
    loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| ReadError::Body(e, body.len()))?;
        if n == 0 {
            return Err(ReadError::Body(
                std::io::ErrorKind::UnexpectedEof.into(),
                body.len(),
            ));
        }
        let size = line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size, 16).map_err(|_| bad("a chunk size is not hex"))?;
        if size == 0 {
            // Trailers, up to the blank line.
            loop {
                let mut t = String::new();
                let n = reader
                    .read_line(&mut t)
                    .map_err(|e| ReadError::Body(e, body.len()))?;
                if n == 0 || t.trim().is_empty() {
                    return Ok(());
                }
            }
        }
        let room = (limit as u64 + 1).saturating_sub(body.len() as u64);
        let before = body.len();
        read_upto(reader, body, size.min(room)).map_err(|e| ReadError::Body(e, body.len()))?;
        if ((body.len() - before) as u64) < size.min(room) {
            return Err(ReadError::Body(
                std::io::ErrorKind::UnexpectedEof.into(),
                body.len(),
            ));
        }
        if body.len() > limit {
            return Ok(());
        }
        let mut crlf = String::new();
        reader
            .read_line(&mut crlf)
            .map_err(|e| ReadError::Body(e, body.len()))?;
        if !crlf.trim().is_empty() {
            return Err(bad("a chunk is longer than its size"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn final_of(bytes: &[u8]) -> Result<(u16, String, Vec<u8>, bool), String> {
        match read_response(&mut &bytes[..], "PUT", 1024) {
            Ok(f) => Ok((f.status, f.reason, f.body, f.reusable)),
            Err(ReadError::Body(e, got)) => Err(format!("io {e} after {got}")),
            Err(ReadError::Head { error, got, .. }) => {
                Err(format!("io {error} in the head after {got}"))
            }
            Err(ReadError::Invalid(m, _)) => Err(m),
        }
    }

    #[test]
    fn a_head_read_whole_from_the_buffer_equals_one_read_line_by_line() {
        let responses: [&[u8]; 5] = [
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
            b"HTTP/1.1 204 No Content\n\n",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nX: \n\r\nContent-Length: 1\r\n\r\nz",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r",
        ];
        for bytes in responses {
            let whole = read_response(&mut &bytes[..], "PUT", 1024);
            // A buffer of 4 bytes never holds a whole head: line by line, as it comes.
            let mut trickle = std::io::BufReader::with_capacity(4, bytes);
            let pieces = read_response(&mut trickle, "PUT", 1024);
            let summary = |r: Result<Parts, ReadError>| match r {
                Ok(p) => format!("{} {} {:?} {:?}", p.status, p.reason, p.headers, p.body),
                Err(ReadError::Invalid(m, _)) => m,
                Err(_) => "io".into(),
            };
            assert_eq!(summary(whole), summary(pieces), "{}", bytes.escape_ascii());
        }
    }

    #[test]
    fn interim_responses_are_skipped() {
        let r = final_of(
            b"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}",
        );
        assert_eq!(r, Ok((201, "Created".into(), b"{}".to_vec(), true)));
    }

    #[test]
    fn chunked_and_close_delimited_bodies() {
        let r = final_of(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\n{}\r\n0\r\nT: 1\r\n\r\n",
        );
        assert_eq!(r, Ok((200, "OK".into(), b"{}".to_vec(), true)));
        let r = final_of(b"HTTP/1.0 200 OK\r\n\r\nuntil close");
        assert_eq!(r, Ok((200, "OK".into(), b"until close".to_vec(), false)));
    }

    #[test]
    fn connections_are_reusable_only_when_the_server_keeps_them() {
        let reusable = |head: &str| final_of(format!("{head}\r\n\r\n").as_bytes()).map(|r| r.3);
        assert_eq!(reusable("HTTP/1.1 200 OK\r\nContent-Length: 0"), Ok(true));
        assert_eq!(
            reusable("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0"),
            Ok(false)
        );
        assert_eq!(reusable("HTTP/1.0 200 OK\r\nContent-Length: 0"), Ok(false));
        assert_eq!(
            reusable("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0"),
            Ok(true)
        );
        assert_eq!(
            reusable("HTTP/1.1 204 No Content\r\nContent-Length: 5"),
            Ok(false)
        );
        assert_eq!(reusable("HTTP/1.1 204 No Content"), Ok(true));
    }

    #[test]
    fn reason_phrases_and_header_values_keep_their_bytes() {
        let r = read_response(
            &mut &b"HTTP/1.1 200 Fine By Me\r\nX-A: caf\xc3\xa9\r\nX-B: caf\xe9\r\nContent-Length: 0\r\n\r\n"[..],
            "PUT",
            10,
        );
        let Ok(r) = r else { panic!("not read") };
        assert_eq!(r.reason, "Fine By Me");
        assert_eq!(r.headers.get("x-a"), Some("café"));
        assert_eq!(r.headers.get("x-b"), Some("café"));
    }

    #[test]
    fn short_bodies_and_garbage_are_errors() {
        assert!(final_of(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}").is_err());
        let garbage = final_of(b"SSH-2.0-OpenSSH_9.6\r\n");
        assert!(
            garbage.as_ref().is_err_and(|m| m.contains("SSH-2.0")),
            "{garbage:?}"
        );
        assert!(final_of(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err());
        assert!(final_of(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n").is_err());
    }
}
