//! Reading a response off the connection: the head (with httparse), past any interim
//! (1xx) responses (RFC 9110 §15.2), then the body by its framing (RFC 9112 §6.3), up to
//! the size limit. Every line and every count is bounded while it arrives (`limited`):
//! the head, chunk-size lines and their extensions, trailers, interim responses. The
//! response also says whether its connection could carry another request; the client
//! makes the decision (`client::reusable`).

use std::io::{self, BufRead};

use super::headers::Headers;
use super::limited::{self, Line};

/// A final response as read off the wire, its body still encoded.
pub(super) struct Parts {
    pub status: u16,
    /// The reason phrase as sent on the status line (UTF-8 when it is, else Latin-1).
    pub reason: String,
    pub version: String,
    pub headers: Headers,
    pub body: Vec<u8>,
    /// The response ended where its framing said, that framing was unambiguous, and the
    /// server keeps the connection open.
    pub reusable: bool,
}

/// How the body's end is known (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Framing {
    Length(u64),
    Chunked,
    Close,
}

/// Why no complete response was read.
#[derive(Debug)]
pub(super) enum ReadError {
    /// Reading a head failed (reset, timeout, closed); `got` bytes of it had arrived.
    Head {
        error: io::Error,
        got: usize,
        /// The interim response that came before, as `100 Continue`.
        interim: Option<String>,
    },
    /// Not a valid HTTP response head.
    Invalid(String, Option<String>),
    /// Over one of the reader's bounds (the head's size, chunk lines, trailers).
    Limit(String),
    /// The head does not say where the body ends (RFC 9112 §6.3: unrecoverable).
    Framing(String),
    /// Reading the body failed after `got` bytes of it.
    Body {
        error: io::Error,
        got: usize,
        framing: Framing,
    },
    /// The chunked framing of the body is broken.
    BadChunk(String),
}

/// A 1xx response other than `101 Switching Protocols`: more follows.
fn is_interim(status: u16) -> bool {
    (100..200).contains(&status) && status != 101
}

/// The whole response head, status line included.
pub(super) const MAX_HEAD: usize = 100 * 1024;
/// Header fields in one head.
const MAX_FIELDS: usize = 128;
/// Interim (1xx) responses before the final one.
const MAX_INTERIM: usize = 16;
/// One chunk-size line, its extensions included.
const MAX_CHUNK_LINE: usize = 4 * 1024;
/// All chunk extensions of one body together, and all trailer fields (hyper's bounds).
const MAX_CHUNK_EXTENSIONS: usize = 16 * 1024;
const MAX_TRAILERS: usize = 16 * 1024;
const MAX_TRAILER_FIELDS: usize = 100;

/// Reads responses until a final (non-1xx) one, whose body is read up to one byte past
/// `limit` (the caller reports a body over it).
pub(super) fn read_response(
    reader: &mut impl BufRead,
    method: &str,
    limit: usize,
) -> Result<Parts, ReadError> {
    let mut interim: Option<String> = None;
    for _ in 0..=MAX_INTERIM {
        let head = read_head(reader).map_err(|e| match e {
            HeadError::Io(error, got) => ReadError::Head {
                error,
                got,
                interim: interim.clone(),
            },
            HeadError::Invalid(m) => ReadError::Invalid(m, interim.clone()),
            HeadError::Limit(m) => ReadError::Limit(m),
        })?;
        let parsed = parse_head(&head).map_err(|m| ReadError::Invalid(m, interim.clone()))?;
        if is_interim(parsed.status) {
            interim = Some(
                format!("{} {}", parsed.status, parsed.reason)
                    .trim_end()
                    .to_string(),
            );
            continue;
        }
        return read_body(reader, parsed, method, limit);
    }
    Err(ReadError::Limit(format!(
        "more than {MAX_INTERIM} interim (1xx) responses came before a final one"
    )))
}

/// A response head, parsed.
struct Head {
    status: u16,
    reason: String,
    minor: u8,
    headers: Headers,
}

fn parse_head(head: &[u8]) -> Result<Head, String> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_FIELDS];
    let mut parsed = httparse::Response::new(&mut slots);
    // What requests (http.client) reads too: folded lines (RFC 9112 §5.2), a space
    // before a field's colon, several spaces between the status line's parts.
    let outcome = httparse::ParserConfig::default()
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_spaces_after_header_name_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .parse_response(&mut parsed, head);
    match outcome {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err("the response head is cut short".into()),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(format!(
                "the response has more than {MAX_FIELDS} header fields"
            ))
        }
        Err(e) => return Err(e.to_string()),
    }
    let status = parsed.code.unwrap_or(0);
    Ok(Head {
        status,
        reason: reason_phrase(head),
        minor: parsed.version.unwrap_or(1),
        headers: Headers::from_fields(
            parsed
                .headers
                .iter()
                .map(|h| (h.name.to_string(), field_value(h.value)))
                .collect(),
        ),
    })
}

/// The reason phrase from the status line's own bytes (httparse gives none for a byte
/// above 0x7F): what follows the status code, read as `field_value` reads values.
fn reason_phrase(head: &[u8]) -> String {
    let line_end = head
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(head.len());
    let line = &head[..line_end];
    // `HTTP/1.1`, spaces, three digits, then the reason after spaces.
    let after_version = line
        .iter()
        .position(|&b| b == b' ')
        .map_or(line.len(), |i| i);
    let rest = &line[after_version..];
    let code_start = rest.iter().position(|&b| b != b' ').unwrap_or(rest.len());
    let rest = &rest[code_start..];
    let after_code = rest.len().min(3);
    field_value(&rest[after_code..])
}

/// A header value as text: UTF-8 when it is (what servers send in practice), else
/// Latin-1 (what HTTP/1.1 historically allowed, and what requests reads); an obsolete
/// line fold (CRLF then spaces) becomes one space (RFC 9112 §5.2).
fn field_value(value: &[u8]) -> String {
    let unfolded: std::borrow::Cow<[u8]> = if value.contains(&b'\n') {
        let mut out = Vec::with_capacity(value.len());
        let mut i = 0;
        while i < value.len() {
            match value[i] {
                b'\r' | b'\n' => {
                    while i < value.len() && matches!(value[i], b'\r' | b'\n' | b' ' | b'\t') {
                        i += 1;
                    }
                    out.push(b' ');
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        out.into()
    } else {
        value.into()
    };
    match std::str::from_utf8(&unfolded) {
        Ok(s) => s.trim().to_string(),
        Err(_) => {
            let text: String = unfolded.iter().map(|&b| char::from(b)).collect();
            text.trim().to_string()
        }
    }
}

/// The final response's body, by its framing.
fn read_body(
    reader: &mut impl BufRead,
    head: Head,
    method: &str,
    limit: usize,
) -> Result<Parts, ReadError> {
    let Head {
        status,
        reason,
        minor,
        headers,
    } = head;
    let version = String::from(if minor == 0 { "HTTP/1.0" } else { "HTTP/1.1" });
    let mut reusable = if minor == 0 {
        headers.has_token("connection", "keep-alive")
    } else {
        !headers.has_token("connection", "close")
    };
    let transfer_codings: Vec<&str> = headers
        .get_all("transfer-encoding")
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let has_length = headers.contains("content-length");
    let mut body = Vec::new();
    let tunnel = method == "CONNECT" && (200..300).contains(&status);
    let no_body = method.eq_ignore_ascii_case("HEAD")
        || matches!(status, 204 | 304)
        || status < 200
        || tunnel;
    if no_body {
        // No body (RFC 9110 §9.3.6, §15.3.5, §15.4.5). Bytes a server sends after a 204 or
        // 304 that announces one would be read as the next response, so such a
        // connection is not reused (nor one switching protocols).
        let announced = !method.eq_ignore_ascii_case("HEAD")
            && (headers
                .get("content-length")
                .is_some_and(|l| l.trim() != "0")
                || !transfer_codings.is_empty());
        if announced || status < 200 {
            reusable = false;
        }
    } else if !transfer_codings.is_empty() {
        // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3), but a response with
        // both, or with Transfer-Encoding in HTTP/1.0 (§6.1), has doubtful framing: its
        // connection carries nothing more.
        if has_length || minor == 0 {
            reusable = false;
        }
        let chunked_last = transfer_codings
            .last()
            .is_some_and(|c| c.eq_ignore_ascii_case("chunked"));
        if chunked_last {
            if read_chunked(reader, &mut body, limit)? == Trailers::CutShort {
                reusable = false;
            }
        } else {
            // Another coding last: the body runs to the close (RFC 9112 §6.3).
            read_to_close(reader, &mut body, limit)?;
            reusable = false;
        }
    } else if has_length {
        let len = content_length(&headers).map_err(ReadError::Framing)?;
        let want = len.min(limit as u64 + 1);
        body.reserve_exact(usize::try_from(want).unwrap_or(0));
        let got = limited::read_upto(reader, &mut body, want, limit + 1).map_err(|error| {
            ReadError::Body {
                error,
                got: body.len(),
                framing: Framing::Length(len),
            }
        })?;
        if got < want {
            return Err(ReadError::Body {
                error: io::ErrorKind::UnexpectedEof.into(),
                got: body.len(),
                framing: Framing::Length(len),
            });
        }
    } else {
        read_to_close(reader, &mut body, limit)?;
        reusable = false;
    }
    if body.len() > limit {
        reusable = false;
    }
    Ok(Parts {
        status,
        reason,
        version,
        headers,
        body,
        reusable,
    })
}

/// The body's length from its Content-Length fields (RFC 9112 §6.3): digits only, and
/// every field and list member the same (`42, 42` is one length; `2` and `9` are none).
fn content_length(headers: &Headers) -> Result<u64, String> {
    let mut length: Option<u64> = None;
    for member in headers
        .get_all("content-length")
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
    {
        let valid = !member.is_empty() && member.bytes().all(|b| b.is_ascii_digit());
        let parsed = member
            .parse::<u64>()
            .ok()
            .filter(|_| valid)
            .ok_or_else(|| {
                format!("the Content-Length `{member}` is not a number of bytes (digits only)")
            })?;
        match length {
            Some(l) if l != parsed => {
                let all = headers.get_all("content-length").join("`, `");
                return Err(format!(
                    "the response has conflicting Content-Length fields (`{all}`), so where its body ends cannot be told"
                ));
            }
            _ => length = Some(parsed),
        }
    }
    length.ok_or_else(|| "the Content-Length field is empty".to_string())
}

enum HeadError {
    Io(io::Error, usize),
    Invalid(String),
    Limit(String),
}

/// The bytes of one response head, up to and including the blank line, never more than
/// `MAX_HEAD`. The first line must start a status line, so that a server speaking
/// another protocol is told apart from one that is slow.
fn read_head(reader: &mut impl BufRead) -> Result<Vec<u8>, HeadError> {
    // Most heads arrive whole in one read: take them out of the buffer in one piece.
    match reader.fill_buf() {
        Ok(buffered) if buffered.starts_with(b"HTTP/") => {
            if let Some(end) = head_end(buffered).filter(|&end| end <= MAX_HEAD) {
                let head = buffered[..end].to_vec();
                reader.consume(end);
                return Ok(head);
            }
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
        Err(e) => return Err(HeadError::Io(e, 0)),
    }
    // Otherwise line by line, as the head comes.
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let ended = limited::read_line(reader, &mut head, MAX_HEAD - before)
            .map_err(|e| HeadError::Io(e, head.len()))?;
        if before == 0 && !head.is_empty() && !b"HTTP/".starts_with(&head[..head.len().min(5)]) {
            let line = String::from_utf8_lossy(&head);
            let line: String = line.trim_end().chars().take(40).collect();
            return Err(HeadError::Invalid(format!(
                "the first line is `{}`, not an HTTP status line",
                line.escape_debug()
            )));
        }
        match ended {
            Line::Complete => {
                let line = &head[before..];
                if before > 0 && (line == b"\r\n" || line == b"\n") {
                    return Ok(head);
                }
                if head.len() >= MAX_HEAD {
                    return Err(head_too_long());
                }
            }
            Line::TooLong => return Err(head_too_long()),
            Line::Eof => {
                return Err(HeadError::Io(
                    io::ErrorKind::UnexpectedEof.into(),
                    head.len(),
                ))
            }
        }
    }
}

fn head_too_long() -> HeadError {
    HeadError::Limit(format!(
        "its status line and header fields are over {} KiB (a header line that never ends?)",
        MAX_HEAD / 1024
    ))
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
    reader: &mut impl BufRead,
    body: &mut Vec<u8>,
    limit: usize,
) -> Result<(), ReadError> {
    match limited::read_upto(reader, body, limit as u64 + 1, limit + 1) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(()),
        Err(error) => Err(ReadError::Body {
            error,
            got: body.len(),
            framing: Framing::Close,
        }),
        Ok(_) => Ok(()),
    }
}

/// How a chunked body's trailer section ended.
#[derive(Debug, PartialEq, Eq)]
enum Trailers {
    Ended,
    /// The server closed the connection instead of ending the trailer section: the
    /// body is whole (requests reads it so too), the connection done.
    CutShort,
}

/// `Transfer-Encoding: chunked` (RFC 9112 §7.1): sizes in hex, extensions and trailers
/// read within their bounds and ignored.
fn read_chunked(
    reader: &mut impl BufRead,
    body: &mut Vec<u8>,
    limit: usize,
) -> Result<Trailers, ReadError> {
    let cut = |error: io::Error, body: &Vec<u8>| ReadError::Body {
        error,
        got: body.len(),
        framing: Framing::Chunked,
    };
    let eof = || io::Error::from(io::ErrorKind::UnexpectedEof);
    let mut extensions = 0usize;
    let mut line = Vec::new();
    loop {
        line.clear();
        match limited::read_line(reader, &mut line, MAX_CHUNK_LINE).map_err(|e| cut(e, body))? {
            Line::Complete => {}
            Line::Eof => return Err(cut(eof(), body)),
            Line::TooLong => {
                return Err(ReadError::Limit(format!(
                    "a chunk-size line of its chunked body is over {} KiB",
                    MAX_CHUNK_LINE / 1024
                )))
            }
        }
        let text = String::from_utf8_lossy(&line);
        let (size, _) = text.split_once(';').unwrap_or((&text, ""));
        // Everything on the line but the size's digits and the line end (extensions,
        // spaces) counts against the extensions' bound.
        extensions += text.trim_end_matches(['\r', '\n']).len() - size.trim().len();
        if extensions > MAX_CHUNK_EXTENSIONS {
            return Err(ReadError::Limit(format!(
                "the chunk extensions of its chunked body are over {} KiB",
                MAX_CHUNK_EXTENSIONS / 1024
            )));
        }
        let size = size.trim();
        let hex =
            !size.is_empty() && size.len() <= 16 && size.bytes().all(|b| b.is_ascii_hexdigit());
        let size = u64::from_str_radix(size, 16)
            .ok()
            .filter(|_| hex)
            .ok_or_else(|| {
                ReadError::BadChunk(format!(
                    "a chunk size is `{}`, not a hexadecimal number",
                    size.chars().take(40).collect::<String>().escape_debug()
                ))
            })?;
        if size == 0 {
            return read_trailers(reader);
        }
        let room = (limit as u64 + 1).saturating_sub(body.len() as u64);
        let want = size.min(room);
        let got = limited::read_upto(reader, body, want, limit + 1).map_err(|e| cut(e, body))?;
        if got < want {
            return Err(cut(eof(), body));
        }
        if body.len() > limit {
            return Ok(Trailers::Ended);
        }
        line.clear();
        match limited::read_line(reader, &mut line, 2).map_err(|e| cut(e, body))? {
            Line::Complete if line == b"\r\n" || line == b"\n" => {}
            Line::Eof if line.is_empty() => return Err(cut(eof(), body)),
            _ => {
                return Err(ReadError::BadChunk(
                    "a chunk is longer than its size says".into(),
                ))
            }
        }
    }
}

/// The trailer section after the last chunk, up to its blank line, within bounds.
fn read_trailers(reader: &mut impl BufRead) -> Result<Trailers, ReadError> {
    let mut read = 0usize;
    let mut line = Vec::new();
    for _ in 0..=MAX_TRAILER_FIELDS {
        line.clear();
        let room = MAX_TRAILERS.saturating_sub(read).max(2);
        let ended =
            limited::read_line(reader, &mut line, room).map_err(|error| ReadError::Body {
                error,
                got: 0,
                framing: Framing::Chunked,
            })?;
        read += line.len();
        match ended {
            Line::Complete if line == b"\r\n" || line == b"\n" => return Ok(Trailers::Ended),
            Line::Complete if read <= MAX_TRAILERS => {}
            Line::Eof => return Ok(Trailers::CutShort),
            _ => break,
        }
    }
    Err(ReadError::Limit(format!(
        "the trailer fields after its chunked body are over {} KiB or {MAX_TRAILER_FIELDS} fields",
        MAX_TRAILERS / 1024
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(e: &ReadError) -> String {
        match e {
            ReadError::Body { error, got, .. } => format!("io {error} after {got}"),
            ReadError::Head { error, got, .. } => format!("io {error} in the head after {got}"),
            ReadError::Invalid(m, _)
            | ReadError::Limit(m)
            | ReadError::Framing(m)
            | ReadError::BadChunk(m) => m.clone(),
        }
    }

    fn final_of(bytes: &[u8]) -> Result<(u16, String, Vec<u8>, bool), String> {
        match read_response(&mut &bytes[..], "PUT", 1024) {
            Ok(f) => Ok((f.status, f.reason, f.body, f.reusable)),
            Err(e) => Err(text(&e)),
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
                Err(e) => text(&e),
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

    /// A reader that gives `seed` and then, when `endless`, the same bytes again and
    /// again, counting what was taken.
    struct Stream {
        seed: Vec<u8>,
        at: usize,
        endless: bool,
        taken: usize,
    }

    impl std::io::Read for Stream {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.seed.is_empty() || (!self.endless && self.at >= self.seed.len()) {
                return Ok(0);
            }
            let start = self.at % self.seed.len();
            let n = buf.len().min(self.seed.len() - start);
            buf[..n].copy_from_slice(&self.seed[start..start + n]);
            self.at += n;
            self.taken += n;
            Ok(n)
        }
    }

    /// The raw responses of the parity corpus (tests/fixtures/responses.json), as bytes.
    fn seeds() -> Vec<Vec<u8>> {
        let manifest: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/responses.json"))
                .unwrap_or_default();
        manifest["cases"]
            .as_array()
            .map(|cases| {
                cases
                    .iter()
                    .filter_map(|c| c["raw"].as_str())
                    .map(|raw| raw.chars().map(|ch| ch as u8).collect())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[derive(Debug, Clone)]
    enum Mutation {
        Flip(usize, u8),
        Insert(usize, Vec<u8>),
        Delete(usize, usize),
        Truncate(usize),
        Repeat(usize, usize),
    }

    fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
        for m in mutations {
            let len = bytes.len().max(1);
            match m {
                Mutation::Flip(at, bit) => {
                    if let Some(b) = bytes.get_mut(at % len) {
                        *b ^= 1 << (bit % 8);
                    }
                }
                Mutation::Insert(at, more) => {
                    let at = (at % len).min(bytes.len());
                    bytes.splice(at..at, more.iter().copied());
                }
                Mutation::Delete(at, n) => {
                    let at = (at % len).min(bytes.len());
                    let end = (at + n % 16).min(bytes.len());
                    bytes.drain(at..end);
                }
                Mutation::Truncate(at) => bytes.truncate(at % len),
                Mutation::Repeat(at, n) => {
                    let at = (at % len).min(bytes.len());
                    let end = (at + n % 32).min(bytes.len());
                    let piece = bytes[at..end].to_vec();
                    for _ in 0..(n % 5) {
                        bytes.splice(at..at, piece.iter().copied());
                    }
                }
            }
        }
        bytes
    }

    fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
        use proptest::prelude::*;
        // Bytes that matter to the reader, and any byte.
        let interesting =
            prop::sample::select(b"\r\n :;,0123456789abcdefHTPchunked\t\x00\xe8\xff".to_vec());
        let piece = prop::collection::vec(prop_oneof![interesting, any::<u8>()], 1..12);
        prop_oneof![
            (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
            (any::<usize>(), piece).prop_map(|(a, p)| Mutation::Insert(a, p)),
            (any::<usize>(), any::<usize>()).prop_map(|(a, n)| Mutation::Delete(a, n)),
            any::<usize>().prop_map(Mutation::Truncate),
            (any::<usize>(), any::<usize>()).prop_map(|(a, n)| Mutation::Repeat(a, n)),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 2000,
            rng_seed: proptest::test_runner::RngSeed::Fixed(19),
            failure_persistence: None,
            ..Default::default()
        })]

        /// Mutated corpus responses, given once or repeated without end through buffers
        /// of any size, always end in a response or an error, never panic, never keep more
        /// than the limits allow and never read far past them.
        #[test]
        fn the_reader_ends_within_its_bounds_on_any_stream(
            seed in proptest::sample::select(seeds()),
            mutations in proptest::collection::vec(mutation(), 0..6),
            endless in proptest::bool::ANY,
            buffer in 1usize..64,
            method in proptest::sample::select(vec!["PUT", "HEAD", "GET"]),
        ) {
            let limit = 4096;
            let bytes = mutate(seed, &mutations);
            let mut stream = Stream { seed: bytes, at: 0, endless, taken: 0 };
            let result = {
                let mut reader = std::io::BufReader::with_capacity(buffer, &mut stream);
                read_response(&mut reader, method, limit)
            };
            if let Ok(parts) = &result {
                proptest::prop_assert!(parts.body.len() <= limit + 1);
                proptest::prop_assert!(parts.headers.len() <= MAX_FIELDS);
            }
            // Heads, bodies, chunk lines and trailers each bounded: a few MiB at most.
            let bound = (MAX_INTERIM + 1) * MAX_HEAD
                + (limit + 1) * (MAX_CHUNK_LINE.min(20) + 3)
                + MAX_CHUNK_EXTENSIONS
                + MAX_TRAILERS * 2
                + 64;
            proptest::prop_assert!(stream.taken <= bound, "read {} bytes", stream.taken);
        }
    }
}
