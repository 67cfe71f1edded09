//! Following redirects as requests does: which method and body the next request
//! carries, which credentials it may carry where (never to another origin), and when
//! to give up.

use std::collections::HashSet;

use url::Url;

use super::body::Body;
use super::headers::Headers;
use super::options::Method;
use super::request::Request;
use super::response::Response;
use super::{HttpError, HttpErrorKind};

/// requests' limit, which users moving from it expect.
pub const MAX_REDIRECTS: usize = 30;

/// One redirect that was followed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hop {
    pub status: u16,
    pub method: Method,
    pub url: String,
    pub location: String,
}

/// One request of the chain: the original, or a follow-up to a redirect.
pub(super) struct Step<'a> {
    pub method: Method,
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
    let mut method = req.method;
    let mut url = req.parsed_url.clone();
    let mut body = req.body.clone();
    let mut headers = req.headers.clone();
    let mut hops: Vec<Hop> = Vec::new();
    let mut seen: HashSet<(Method, String)> = HashSet::new();
    seen.insert((method, url.to_string()));
    loop {
        let mut resp = send_once(&Step {
            method,
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
        if !matches!(next.scheme(), "http" | "https") {
            return Err(HttpError::new(
                HttpErrorKind::InvalidUrl,
                format!(
                    "`{url}` answered {} with a redirect to `{next}`: putcheck follows redirects to http and https URLs only; to check the redirect itself, set `allow_redirects: false`",
                    resp.status
                ),
            ));
        }
        hops.push(Hop {
            status: resp.status,
            method,
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
            302 | 303 => method != Method::Head,
            301 => method == Method::Post,
            _ => false,
        };
        if to_get {
            method = Method::Get;
        }
        if resp.status != 307 && resp.status != 308 {
            body = Body::Empty;
            headers.remove("Content-Type");
            headers.remove("Content-Length");
            headers.remove("Transfer-Encoding");
        }
        carry_credentials(&mut headers, &req.cookies, current, &next);
        url = next;
        if !seen.insert((method, url.to_string())) {
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

/// The credentials a follow-up to a redirect carries, as requests decides them
/// (`rebuild_auth`, `rebuild_proxies`, the cookie handling of `resolve_redirects`):
/// `Authorization` (from `auth` or a header) only within the origin, or from http to
/// https on the default ports; a `Proxy-Authorization` header never (the proxy's own
/// credentials are added again for each request); a `Cookie` header never, the
/// `cookies` jar entries instead, except from https to http, where nothing secret goes
/// out in clear.
fn carry_credentials(headers: &mut Headers, jar: &[(String, String)], from: &Url, to: &Url) {
    if leaves_origin(from, to) {
        headers.remove("Authorization");
    }
    headers.remove("Proxy-Authorization");
    headers.remove("Cookie");
    let downgrade = from.scheme() == "https" && to.scheme() == "http";
    if !jar.is_empty() && !downgrade {
        headers.set("Cookie", super::headers::cookie_value(jar));
    }
}

/// Whether a redirect leaves the origin as requests' `should_strip_auth` tells: another
/// host, scheme or port, except http to https with both on their default ports.
fn leaves_origin(from: &Url, to: &Url) -> bool {
    if from.host_str() != to.host_str() {
        return true;
    }
    let (from_port, to_port) = (from.port_or_known_default(), to.port_or_known_default());
    let upgrade = from.scheme() == "http"
        && from_port == Some(80)
        && to.scheme() == "https"
        && to_port == Some(443);
    !upgrade && (from.scheme() != to.scheme() || from_port != to_port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_left_as_requests_tells() {
        let left = |a: &str, b: &str| match (Url::parse(a), Url::parse(b)) {
            (Ok(a), Ok(b)) => leaves_origin(&a, &b),
            _ => panic!("bad URL"),
        };
        assert!(!left("http://h/a", "http://h/b"));
        assert!(!left("http://h:80/a", "http://h/b"));
        assert!(!left("http://h/a", "https://h/b"));
        assert!(left("https://h/a", "http://h/b"));
        assert!(left("http://h/a", "https://h:8443/b"));
        assert!(left("http://h:8080/a", "http://h:8081/b"));
        assert!(left("http://h/a", "http://other/b"));
        assert!(left("http://h:8080/a", "https://h/b"));
    }

    #[test]
    fn credentials_stay_with_their_origin() {
        let mut headers = Headers::from_fields(vec![
            ("Authorization".into(), "Bearer t".into()),
            ("Cookie".into(), "sid=1".into()),
            ("Proxy-Authorization".into(), "Basic x".into()),
            ("X-Other".into(), "kept".into()),
        ]);
        let jar = vec![("jar".to_string(), "j".to_string())];
        let (Ok(from), Ok(to)) = (Url::parse("https://a/"), Url::parse("http://a/")) else {
            panic!("bad URL")
        };
        carry_credentials(&mut headers, &jar, &from, &to);
        assert_eq!(
            headers,
            Headers::from_fields(vec![("X-Other".into(), "kept".into())])
        );
    }
}
