//! Following redirects as requests does: which method and body the next request
//! carries, which headers it drops, and when to give up.

use std::collections::HashSet;

use url::Url;

use super::body::Body;
use super::headers::Headers;
use super::request::Request;
use super::response::Response;
use super::{HttpError, HttpErrorKind};

/// requests' limit, which users moving from it expect.
pub const MAX_REDIRECTS: usize = 30;

/// One redirect that was followed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hop {
    pub status: u16,
    pub method: String,
    pub url: String,
    pub location: String,
}

/// One request of the chain: the original, or a follow-up to a redirect.
pub(super) struct Step<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    pub headers: &'a Headers,
    pub body: &'a Body,
    /// Whether this repeats a request after a redirect (framing differs; see `client`).
    pub follow_up: bool,
}

/// Sends `req` with `send_once`, following redirects when `allow_redirects` is set.
pub(super) fn send_following(
    req: &Request,
    mut send_once: impl FnMut(&Step) -> Result<Response, HttpError>,
) -> Result<Response, HttpError> {
    let mut method = req.method.clone();
    let mut url = req.parsed_url.clone();
    let mut body = req.body.clone();
    let mut headers = req.headers.clone();
    let mut hops: Vec<Hop> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    seen.insert((method.clone(), url.to_string()));
    loop {
        let mut resp = send_once(&Step {
            method: &method,
            url: &url,
            headers: &headers,
            body: &body,
            follow_up: !hops.is_empty(),
        })?;
        let location = resp.header("location").map(str::to_string);
        let redirect = matches!(resp.status, 301 | 302 | 303 | 307 | 308);
        let (true, true, Some(location)) = (req.allow_redirects, redirect, location) else {
            resp.redirects = hops;
            return Ok(resp);
        };
        let current = &url;
        let next = current.join(&location).map_err(|e| {
            HttpError::new(
                HttpErrorKind::InvalidUrl,
                format!("redirect from `{url}` to an invalid Location `{location}`: {e}"),
            )
        })?;
        hops.push(Hop {
            status: resp.status,
            method: method.clone(),
            url: url.to_string(),
            location: next.to_string(),
        });
        if hops.len() > MAX_REDIRECTS {
            return Err(HttpError::new(
                HttpErrorKind::TooManyRedirects,
                format!(
                    "more than {MAX_REDIRECTS} redirects (the limit requests has too), from `{}`; the last went to `{}`; to check the redirect itself, set `allow_redirects: false`",
                    req.url,
                    next
                ),
            ));
        }
        // requests' rules (`rebuild_method`): 303 and 302 turn into GET, and so does a
        // 301 answering a POST; every status but 307/308 drops the body and its framing.
        let to_get = match resp.status {
            302 | 303 => method != "HEAD",
            301 => method == "POST",
            _ => false,
        };
        if to_get {
            method = "GET".into();
        }
        if resp.status != 307 && resp.status != 308 {
            body = Body::Empty;
            headers.remove("Content-Type");
            headers.remove("Content-Length");
            headers.remove("Transfer-Encoding");
        }
        let same_origin = next.origin() == current.origin();
        url = next;
        if !same_origin {
            headers.remove("Authorization");
        }
        if !seen.insert((method.clone(), url.to_string())) {
            let chain: Vec<String> = hops
                .iter()
                .map(|h| format!("{} {}", h.status, h.url))
                .chain(std::iter::once(url.to_string()))
                .collect();
            return Err(HttpError::new(
                HttpErrorKind::RedirectLoop,
                format!("redirect loop: {}", chain.join(" → ")),
            ));
        }
    }
}
