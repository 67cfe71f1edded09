//! The transport's own request: what to send and how (built by `run::prepare` from a
//! rendered spec), and the URL rules requests follows.

use url::Url;

use super::body::{form_urlencode, Body};
use super::headers::Headers;
use super::options::{ClientCert, Method, Proxies, Timeouts, Verify};
use super::{HttpError, HttpErrorKind};

/// A request ready to send: URL with query, final headers, body.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    /// `url`, parsed once for the client.
    pub parsed_url: Url,
    pub headers: Headers,
    /// The `cookies` jar entries (already in `headers`' `Cookie` field): what a
    /// follow-up to a redirect carries instead of that field.
    pub cookies: Vec<(String, String)>,
    pub body: Body,
    pub timeout: Timeouts,
    pub allow_redirects: bool,
    pub proxies: Option<Proxies>,
    pub verify: Verify,
    pub cert: Option<ClientCert>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }
}

/// Builds the request URL: `url` as is when absolute, else joined to `base_url`, then
/// `params` appended form-encoded (as requests does).
pub fn build_url(
    base_url: Option<&str>,
    url: &str,
    params: &[(String, String)],
) -> Result<String, HttpError> {
    parse_url(base_url, url, params).map(String::from)
}

/// `build_url`, parsed.
pub fn parse_url(
    base_url: Option<&str>,
    url: &str,
    params: &[(String, String)],
) -> Result<Url, HttpError> {
    let parse = |text: &str| {
        Url::parse(text).map_err(|e| {
            HttpError::new(
                HttpErrorKind::InvalidUrl,
                format!("invalid URL `{text}`: {e}"),
            )
        })
    };
    let mut parsed = if url.starts_with("http://") || url.starts_with("https://") {
        parse(url)?
    } else {
        let Some(base) = base_url.filter(|b| !b.is_empty()) else {
            return Err(HttpError::new(
                HttpErrorKind::InvalidUrl,
                format!("`{url}` is not an absolute URL and the spec has no `base_url`; add `base_url:` or write the full URL"),
            ));
        };
        let base = format!("{}/", base.trim_end_matches('/'));
        let path = url.trim_start_matches('/');
        match resolve_under(&base, path) {
            Some(resolved) => resolved,
            None => parse(&format!("{base}{path}"))?,
        }
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(HttpError::new(
            HttpErrorKind::InvalidUrl,
            format!("`{parsed}`: only http and https URLs are supported"),
        ));
    }
    // As requests: the encoded params go after the URL's own query, joined with `&`.
    let encoded = form_urlencode(params);
    if !encoded.is_empty() {
        let query = match parsed.query() {
            Some(q) if !q.is_empty() => format!("{q}&{encoded}"),
            _ => encoded,
        };
        parsed.set_query(Some(&query));
    }
    Ok(parsed)
}

/// `base` (ending in `/`) followed by `path`, parsed as the joined text would be, but
/// with the base parsed once per thread (`url_memo`): a suite's tests share their
/// `base_url`, and parsing its host again for every test was most of building a
/// request. `None` where resolving `path` against the base could differ from parsing
/// the joined text (a base with a query or fragment, a path that starts with anything
/// but a plain character or whose first segment has a `:`); the caller parses the
/// joined text then.
fn resolve_under(base: &str, path: &str) -> Option<Url> {
    let plain_start = path
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b));
    let first_segment = path.split(['/', '?', '#']).next().unwrap_or_default();
    if !plain_start || first_segment.contains(':') || base.contains(['?', '#']) {
        return None;
    }
    crate::url_memo::with_parsed(base, |base| base.join(path).ok())
        .ok()
        .flatten()
}

/// The credentials a URL carries (`http://user:p%40ss@host/`), percent-decoded as
/// requests reads them (`get_auth_from_url`): `user` / `p@ss`.
pub fn url_credentials(url: &Url) -> Option<(String, String)> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((
        decode(url.username()),
        decode(url.password().unwrap_or_default()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolving_under_a_parsed_base_gives_what_parsing_the_joined_text_gives() {
        let bases = [
            "http://127.0.0.1:8080",
            "http://h/api/",
            "http://h/a b/v1",
            "https://user:p%40ss@h.example:8443/x/../y",
            "http://H.Example/Straße/",
            "http://h/api?key=1",
            "http://h/api#frag",
            "http://[::1]:9/",
        ];
        let paths = [
            "items/1",
            "/items/1?x=1&y=%20",
            "a b/c?q=é#f",
            "../up",
            "./here/.",
            "%2e%2e/x",
            "\\evil.example/x",
            " lead",
            "?only=query",
            "#frag",
            "",
            "a:b/c",
            "c/a:b",
            "~user/x",
            "x\ty\nz",
            "items/ü/😀",
            "a\\b/c",
            "a//b",
            "..",
        ];
        let mut compared = 0;
        for base in bases {
            for path in paths {
                let base = format!("{}/", base.trim_end_matches('/'));
                let path = path.trim_start_matches('/');
                let joined = Url::parse(&format!("{base}{path}")).ok();
                if let Some(resolved) = resolve_under(&base, path) {
                    assert_eq!(Some(&resolved), joined.as_ref(), "{base} + {path}");
                    compared += 1;
                }
            }
        }
        // The quick way is the usual one: most pairs above went through it.
        assert!(
            compared >= 60,
            "only {compared} pairs were resolved under a base"
        );
    }

    #[test]
    fn params_join_the_urls_own_query_as_requests_does() -> Result<(), HttpError> {
        let params = vec![("a b".to_string(), "*~".to_string())];
        let url = build_url(None, "http://h/p?x=1", &params)?;
        assert_eq!(url, "http://h/p?x=1&a+b=%2A~");
        let url = build_url(None, "http://h/p", &params)?;
        assert_eq!(url, "http://h/p?a+b=%2A~");
        let url = build_url(None, "http://h/p?x=1", &[])?;
        assert_eq!(url, "http://h/p?x=1");
        Ok(())
    }
}
