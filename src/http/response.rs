//! A response as putcheck judges it: status, wire reason phrase, headers, the decoded
//! body and its JSON, parsed once, when first needed.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::headers::Headers;
use super::redirect::Hop;
use super::{decode, read, HttpError};

/// A response as received, body read (up to the limit); its JSON parsed on first use.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The reason phrase as the server sent it on the status line.
    pub reason: String,
    pub version: String,
    pub headers: Headers,
    pub body: Vec<u8>,
    /// `body` parsed as JSON on first use (`json()`): a passing test whose checks need no
    /// JSON (the same bytes twice, no `json:` expectation) never parses it.
    pub parsed_json: OnceLock<Option<Value>>,
    /// The URL that answered (after redirects).
    pub url: String,
    pub elapsed: Duration,
    pub redirects: Vec<Hop>,
    /// HTTP/2 streams the server refused before processing them (`REFUSED_STREAM`), each
    /// followed by the request once more.
    pub refused_streams: u32,
}

impl Response {
    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<&Value> {
        self.parsed_json
            .get_or_init(|| parse_json(&self.body))
            .as_ref()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers.get_all(name)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The response from what was read off the wire: the body decoded from its
    /// `Content-Encoding` (within the same size limit).
    pub(super) fn from_parts(
        parts: read::Parts,
        url: &str,
        max_body: usize,
        started: Instant,
    ) -> Result<Response, HttpError> {
        let body = decode::decode(
            parts.body,
            parts.headers.get("content-encoding"),
            max_body,
            url,
        )?;
        Ok(Response {
            status: parts.status,
            reason: parts.reason,
            version: parts.version,
            headers: parts.headers,
            body,
            parsed_json: OnceLock::new(),
            url: url.to_string(),
            elapsed: started.elapsed(),
            redirects: Vec::new(),
            refused_streams: 0,
        })
    }
}

/// A JSON body as a value (parsed once, by `Response::json`); anything else stays bytes.
fn parse_json(body: &[u8]) -> Option<Value> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if matches!(
        first,
        b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9'
    ) {
        serde_json::from_slice(body).ok()
    } else {
        None
    }
}
