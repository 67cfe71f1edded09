//! Response reading: a ureq response → status, wire reason phrase, headers, the body
//! (up to the limit) and its JSON, parsed once.

use std::io::Read;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::error::{body_error, too_large, Budget};
use super::headers::Headers;
use super::redirect::Hop;
use super::{decode, interim, HttpError};

/// A response as received, body read (up to the limit) and JSON parsed once.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The reason phrase as the server sent it on the status line.
    pub reason: String,
    pub version: String,
    pub headers: Headers,
    pub body: Vec<u8>,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<Value>,
    /// The URL that answered (after redirects).
    pub url: String,
    pub elapsed: Duration,
    pub redirects: Vec<Hop>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers.get_all(name)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Reads a ureq response: the final one behind any interim (1xx) answers, headers
    /// as sent (repeats kept), the body up to `max_body` within the exchange's deadline,
    /// decoded from its `Content-Encoding`.
    pub(super) fn read(
        resp: ureq::Response,
        method: &str,
        max_body: usize,
        url: &str,
        budget: impl Fn() -> Budget,
        started: Instant,
    ) -> Result<Response, HttpError> {
        let final_url = resp.get_url().to_string();
        let (status, reason, version, headers, body) = if interim::is_interim(resp.status()) {
            let interim = format!("{} {}", resp.status(), resp.status_text());
            interim::final_response(resp, method, url, &interim, max_body, budget)?
        } else {
            // ureq lists a name once per field; `all` already returns every field of a
            // name, so each name is taken once (two Set-Cookie fields stay two).
            let mut names = resp.headers_names();
            let mut seen = std::collections::HashSet::new();
            names.retain(|name| seen.insert(name.clone()));
            let headers = Headers::from_fields(
                names
                    .into_iter()
                    .flat_map(|name| {
                        resp.all(&name)
                            .into_iter()
                            .map(|v| (name.clone(), v.to_string()))
                            .collect::<Vec<_>>()
                    })
                    .collect(),
            );
            let (status, reason, version) = (
                resp.status(),
                resp.status_text().to_string(),
                resp.http_version().to_string(),
            );
            let body = read_limited(resp.into_reader(), max_body, url, budget)?;
            (status, reason, version, headers, body)
        };
        let body = decode::decode(body, headers.get("content-encoding"), max_body, url)?;
        let json = parse_json(&body);
        Ok(Response {
            status,
            reason,
            version,
            headers,
            body,
            json,
            url: final_url,
            elapsed: started.elapsed(),
            redirects: Vec::new(),
        })
    }
}

/// JSON bodies are parsed once, here; anything else stays bytes.
pub fn parse_json(body: &[u8]) -> Option<Value> {
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

fn read_limited(
    reader: impl Read,
    limit: usize,
    url: &str,
    budget: impl Fn() -> Budget,
) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    let mut limited = reader.take(limit as u64 + 1);
    if let Err(e) = limited.read_to_end(&mut body) {
        return Err(body_error(&e, url, budget(), body.len()));
    }
    if body.len() > limit {
        return Err(too_large(url, limit));
    }
    Ok(body)
}
