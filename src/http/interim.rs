//! Interim (1xx) responses. RFC 9110 §15.2: a client must read past 1xx responses it did
//! not ask for. ureq 2 takes the first status line for the final one and the rest of the
//! connection for its body, so putcheck reads the final response out of that "body"
//! itself (the head with httparse, the body by its framing), within the same deadline.

use std::io::{BufRead, BufReader, Read};

use super::error::{body_error, no_final_response, too_large, Budget};
use super::headers::Headers;
use super::{HttpError, HttpErrorKind};

/// A 1xx response other than `101 Switching Protocols`: more follows.
pub(super) fn is_interim(status: u16) -> bool {
    (100..200).contains(&status) && status != 101
}

/// Status, reason, version, headers and body of the final response.
pub(super) type Parts = (u16, String, String, Headers, Vec<u8>);

/// The final response behind interim (1xx) ones, read from what ureq took for the
/// interim response's body.
pub(super) fn final_response(
    resp: ureq::Response,
    method: &str,
    url: &str,
    interim: &str,
    max_body: usize,
    budget: impl Fn() -> Budget,
) -> Result<Parts, HttpError> {
    let fin = read_final(resp.into_reader(), method, max_body).map_err(|e| match e {
        FinalError::Io(e, got) => body_error(&e, url, budget(), got),
        FinalError::Head(e) => no_final_response(&e, url, budget(), interim),
        FinalError::Invalid(m) => HttpError::new(
            HttpErrorKind::Protocol,
            format!("`{url}` did not answer with valid HTTP after an interim `{interim}` response ({m})"),
        ),
    })?;
    if fin.body.len() > max_body {
        return Err(too_large(url, max_body));
    }
    Ok((fin.status, fin.reason, fin.version, fin.headers, fin.body))
}

/// The response after the interim ones.
struct Final {
    pub status: u16,
    pub reason: String,
    pub version: String,
    pub headers: Headers,
    pub body: Vec<u8>,
}

enum FinalError {
    /// Reading the final response's head failed (reset, timeout, closed early).
    Head(std::io::Error),
    /// Reading failed (reset, timeout, closed early) after `got` body bytes.
    Io(std::io::Error, usize),
    /// Not a valid HTTP response head, or bad chunk framing.
    Invalid(String),
}

const MAX_HEAD: usize = 100 * 1024;

/// Reads responses from `rest` until a final (non-1xx) one, whose body is read up to one
/// byte past `limit` (the caller reports a body over it).
fn read_final(rest: impl Read, method: &str, limit: usize) -> Result<Final, FinalError> {
    let mut reader = BufReader::new(rest);
    loop {
        let head = read_head(&mut reader)?;
        let mut slots = [httparse::EMPTY_HEADER; 100];
        let mut parsed = httparse::Response::new(&mut slots);
        match parsed.parse(&head) {
            Ok(httparse::Status::Complete(_)) => {}
            Ok(httparse::Status::Partial) => {
                return Err(FinalError::Invalid("the response head is cut short".into()))
            }
            Err(e) => return Err(FinalError::Invalid(format!("{e}"))),
        }
        let status = parsed.code.unwrap_or(0);
        if (100..200).contains(&status) && status != 101 {
            continue;
        }
        let version = format!("HTTP/1.{}", parsed.version.unwrap_or(1));
        let reason = parsed.reason.unwrap_or("").to_string();
        let headers = Headers::from_fields(
            parsed
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_string(),
                        String::from_utf8_lossy(h.value).trim().to_string(),
                    )
                })
                .collect(),
        );
        let header = |name: &str| headers.get(name);
        let mut body = Vec::new();
        if method.eq_ignore_ascii_case("HEAD") || matches!(status, 204 | 304) {
        } else if header("transfer-encoding").is_some() && version == "HTTP/1.1" {
            read_chunked(&mut reader, &mut body, limit)?;
        } else if let Some(len) = header("content-length").and_then(|l| l.parse::<u64>().ok()) {
            let want = len.min(limit as u64 + 1);
            read_upto(&mut reader, &mut body, want)?;
            if (body.len() as u64) < want {
                return Err(FinalError::Io(
                    std::io::ErrorKind::UnexpectedEof.into(),
                    body.len(),
                ));
            }
        } else {
            read_upto(&mut reader, &mut body, limit as u64 + 1)?;
        }
        return Ok(Final {
            status,
            reason,
            version,
            headers,
            body,
        });
    }
}

/// The bytes of one response head, up to and including the blank line.
fn read_head(reader: &mut impl BufRead) -> Result<Vec<u8>, FinalError> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader
            .read_until(b'\n', &mut head)
            .map_err(FinalError::Head)?;
        if n == 0 {
            return Err(FinalError::Head(std::io::ErrorKind::UnexpectedEof.into()));
        }
        if head.len() > MAX_HEAD {
            return Err(FinalError::Invalid(
                "the response head is over 100 KiB".into(),
            ));
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            return Ok(head);
        }
    }
}

fn read_upto(reader: &mut impl Read, body: &mut Vec<u8>, n: u64) -> Result<(), FinalError> {
    reader
        .take(n)
        .read_to_end(body)
        .map(|_| ())
        .map_err(|e| FinalError::Io(e, body.len()))
}

/// `Transfer-Encoding: chunked` (RFC 9112 §7.1): sizes in hex, extensions and trailers
/// ignored.
fn read_chunked(
    reader: &mut impl BufRead,
    body: &mut Vec<u8>,
    limit: usize,
) -> Result<(), FinalError> {
    let bad = |what: &str| FinalError::Invalid(format!("bad chunked body: {what}"));
    loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| FinalError::Io(e, body.len()))?;
        if n == 0 {
            return Err(FinalError::Io(
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
                    .map_err(|e| FinalError::Io(e, body.len()))?;
                if n == 0 || t.trim().is_empty() {
                    return Ok(());
                }
            }
        }
        let room = (limit as u64 + 1).saturating_sub(body.len() as u64);
        let before = body.len();
        read_upto(reader, body, size.min(room))?;
        if ((body.len() - before) as u64) < size.min(room) {
            return Err(FinalError::Io(
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
            .map_err(|e| FinalError::Io(e, body.len()))?;
        if !crlf.trim().is_empty() {
            return Err(bad("a chunk is longer than its size"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn final_of(bytes: &[u8]) -> Result<(u16, String, Vec<u8>), String> {
        match read_final(bytes, "PUT", 1024) {
            Ok(f) => Ok((f.status, f.reason, f.body)),
            Err(FinalError::Io(e, got)) => Err(format!("io {e} after {got}")),
            Err(FinalError::Head(e)) => Err(format!("io {e} in the head")),
            Err(FinalError::Invalid(m)) => Err(m),
        }
    }

    #[test]
    fn interim_responses_are_skipped() {
        let r = final_of(
            b"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}",
        );
        assert_eq!(r, Ok((201, "Created".into(), b"{}".to_vec())));
    }

    #[test]
    fn chunked_and_close_delimited_bodies() {
        let r = final_of(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\n{}\r\n0\r\nT: 1\r\n\r\n",
        );
        assert_eq!(r, Ok((200, "OK".into(), b"{}".to_vec())));
        let r = final_of(b"HTTP/1.0 200 OK\r\n\r\nuntil close");
        assert_eq!(r, Ok((200, "OK".into(), b"until close".to_vec())));
    }

    #[test]
    fn short_bodies_and_garbage_are_errors() {
        assert!(final_of(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}").is_err());
        assert!(final_of(b"garbage\r\n\r\n").is_err());
        assert!(final_of(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err());
    }
}
