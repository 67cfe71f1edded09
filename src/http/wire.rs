//! The bytes of a request on the wire: the request line, the header fields (values
//! encoded as Latin-1, as requests' http.client encodes them), and the body.

use std::borrow::Cow;
use std::io::{self, Write};

use url::{Position, Url};

use super::headers::{latin1, not_latin1, Headers};
use super::{HttpError, USER_AGENT};

/// The request target (RFC 9112 §3.2): the path and query, or the whole URL (without
/// the fragment) for a plain-http request through an HTTP proxy.
pub(super) fn target(url: &Url, absolute: bool) -> Cow<'_, str> {
    if !absolute {
        return Cow::Borrowed(&url[Position::BeforePath..Position::AfterQuery]);
    }
    if url.username().is_empty() && url.password().is_none() {
        return Cow::Borrowed(&url[..Position::AfterQuery]);
    }
    // Credentials in the URL are sent as Authorization, never in the target (where a
    // proxy would log them).
    Cow::Owned(format!(
        "{}://{}{}",
        url.scheme(),
        &url[Position::BeforeHost..Position::AfterPort],
        &url[Position::BeforePath..Position::AfterQuery]
    ))
}

/// The `Host` field: the host, and the port unless it is the scheme's default.
pub(super) fn host_field(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// The request head: the request line, then `Host`, `User-Agent` and `Accept: */*`
/// unless the request has its own, then the request's fields in order.
pub(super) fn head(
    method: &str,
    target: &str,
    host: &str,
    headers: &Headers,
) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::with_capacity(256 + headers.len() * 48);
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let mut field = |name: &str, value: &str| -> Result<(), HttpError> {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        // Checked already for the spec's fields (`Headers::for_request`); the fields
        // added here are ASCII.
        latin1(value, &mut out).map_err(|c| not_latin1(name, c))?;
        out.extend_from_slice(b"\r\n");
        Ok(())
    };
    if !headers.contains("Host") {
        field("Host", host)?;
    }
    if !headers.contains("User-Agent") {
        field("User-Agent", USER_AGENT)?;
    }
    if !headers.contains("Accept") {
        field("Accept", "*/*")?;
    }
    for (name, value) in headers {
        field(name, value)?;
    }
    out.extend_from_slice(b"\r\n");
    Ok(out)
}

/// Bodies up to this size go out with the head in one write.
const ONE_WRITE: usize = 64 * 1024;

/// Writes the head and the body.
pub(super) fn send(stream: &mut impl Write, head: &[u8], body: Payload) -> io::Result<()> {
    match body {
        Payload::Empty => stream.write_all(head)?,
        Payload::Bytes(b) if b.len() <= ONE_WRITE => {
            let mut all = Vec::with_capacity(head.len() + b.len());
            all.extend_from_slice(head);
            all.extend_from_slice(b);
            stream.write_all(&all)?;
        }
        Payload::Bytes(b) => {
            stream.write_all(head)?;
            stream.write_all(b)?;
        }
        Payload::File(mut file) => {
            stream.write_all(head)?;
            io::copy(&mut file, stream)?;
        }
    }
    stream.flush()
}

/// A body as it is sent: a file is streamed, never read into memory.
pub(super) enum Payload<'a> {
    Empty,
    Bytes(&'a [u8]),
    File(std::fs::File),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_latin1_on_the_wire() {
        let headers = Headers::from_map(&[("X-Name".to_string(), "café".to_string())]);
        let Ok(bytes) = head("PUT", "/a?b=1", "h:8080", &headers) else {
            panic!("not sendable")
        };
        assert_eq!(
            bytes,
            b"PUT /a?b=1 HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: putcheck/"
                .iter()
                .chain(env!("CARGO_PKG_VERSION").as_bytes())
                .chain(b"\r\nAccept: */*\r\nX-Name: caf\xe9\r\n\r\n")
                .copied()
                .collect::<Vec<u8>>()
        );
        let beyond = Headers::from_map(&[("X-Name".to_string(), "✓".to_string())]);
        let e = head("PUT", "/", "h", &beyond).expect_err("beyond Latin-1");
        assert!(e.message.contains("`X-Name`"), "{}", e.message);
    }

    #[test]
    fn targets_are_origin_form_or_absolute_form_for_a_proxy() {
        let url = Url::parse("http://h:81/a%20b?q=1#frag").expect("url");
        assert_eq!(target(&url, false), "/a%20b?q=1");
        assert_eq!(target(&url, true), "http://h:81/a%20b?q=1");
        let url = Url::parse("http://u:p@h/").expect("url");
        assert_eq!(target(&url, true), "http://h/");
        let url = Url::parse("http://h/").expect("url");
        assert_eq!(target(&url, true), "http://h/");
        assert_eq!(host_field(&url), "h");
        let url = Url::parse("https://[::1]:8443/x").expect("url");
        assert_eq!(host_field(&url), "[::1]:8443");
    }
}
