//! Model → HTTP request → recorded response, through shared ureq agents.
//!
//! ureq 2.12 rather than ureq 3: putcheck checks the reason phrase *as sent on the status
//! line* (`expect.reason`), and ureq 3's parser discards it (`http::Response` has no
//! field for it), while ureq 2 keeps it as `Response::status_text()`. Capturing it under
//! ureq 3 would mean wrapping its semver-exempt transport API; ureq 2 is maintained for
//! fixes and gives the wire phrase directly.

mod body;
mod decode;
mod error;
mod interim;
mod proxy;
mod resolve;
mod tls;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use url::Url;

use crate::spec::{ClientCert, Method, Proxies, RequestSpec, Timeouts, Verify};
pub use body::{form_urlencode, quote_plus, Body};
use error::{body_error, classify, too_large, Budget};
pub use error::{HttpError, HttpErrorKind};
pub use proxy::{mask_proxy, proxy_url, EnvProxies};

pub const USER_AGENT: &str = concat!("putcheck/", env!("CARGO_PKG_VERSION"));
/// requests' limit, which users moving from it expect.
pub const MAX_REDIRECTS: usize = 30;

/// A request ready to send: URL with query, final headers, body.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub timeout: Timeouts,
    pub allow_redirects: bool,
    pub proxies: Option<Proxies>,
    pub verify: Verify,
    pub cert: Option<ClientCert>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One redirect that was followed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hop {
    pub status: u16,
    pub method: String,
    pub url: String,
    pub location: String,
}

/// A response as received, body read (up to the limit) and JSON parsed once.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The reason phrase as the server sent it on the status line.
    pub reason: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
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
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Builds the request URL: `url` as is when absolute, else joined to `base_url`, then
/// `params` appended form-encoded (as requests does).
pub fn build_url(
    base_url: Option<&str>,
    url: &str,
    params: &[(String, String)],
) -> Result<String, HttpError> {
    let joined = if url.starts_with("http://") || url.starts_with("https://") {
        url.to_string()
    } else {
        let Some(base) = base_url.filter(|b| !b.is_empty()) else {
            return Err(HttpError::new(
                HttpErrorKind::InvalidUrl,
                format!("`{url}` is not an absolute URL and the spec has no `base_url`; add `base_url:` or write the full URL"),
            ));
        };
        format!(
            "{}/{}",
            base.trim_end_matches('/'),
            url.trim_start_matches('/')
        )
    };
    let mut parsed = Url::parse(&joined).map_err(|e| {
        HttpError::new(
            HttpErrorKind::InvalidUrl,
            format!("invalid URL `{joined}`: {e}"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(HttpError::new(
            HttpErrorKind::InvalidUrl,
            format!("`{joined}`: only http and https URLs are supported"),
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
    Ok(parsed.to_string())
}

/// Turns a rendered request spec into a request: headers, auth, cookies, body.
pub fn prepare(
    method: Method,
    base_url: Option<&str>,
    url: &str,
    spec: &RequestSpec,
) -> Result<Request, HttpError> {
    let url = build_url(base_url, url, &spec.params)?;
    let mut headers = spec.headers.clone();
    let body = Body::from_spec(&spec.body)?;
    if let Some(ct) = body.content_type() {
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("Content-Type".into(), ct));
        }
    }
    match &spec.auth {
        Some(crate::spec::Auth::Basic { user, password }) => {
            use base64::Engine;
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            set_header(&mut headers, "Authorization", format!("Basic {token}"));
        }
        Some(crate::spec::Auth::Bearer(t)) => {
            set_header(&mut headers, "Authorization", format!("Bearer {t}"))
        }
        None => {}
    }
    if !spec.cookies.is_empty() {
        let jar = spec
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        match headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case("cookie"))
        {
            Some((_, existing)) => *existing = format!("{existing}; {jar}"),
            None => headers.push(("Cookie".into(), jar)),
        }
    }
    Ok(Request {
        method: method.as_str().to_string(),
        url,
        headers,
        body,
        timeout: spec.timeout,
        allow_redirects: spec.allow_redirects,
        proxies: spec.proxies.clone(),
        verify: spec.verify.clone(),
        cert: spec.cert.clone(),
    })
}

fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: String) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value));
}

/// When an exchange must be over, and how long it had from its start.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    limit: Duration,
}

/// What makes two requests need different connections.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AgentKey {
    timeout: Timeouts,
    proxy: Option<String>,
    verify: Verify,
    cert: Option<ClientCert>,
    /// Reuses connections. Large bodies go on fresh ones: ureq 2 clears a pooled
    /// connection's write timeout, so a server that stops reading a large body on a
    /// reused connection would hold the send past its deadline.
    pooled: bool,
}

/// Bodies larger than this may not fit a socket's send buffer, so writing them can block.
const LARGE_BODY: usize = 64 * 1024;

/// Sends requests through one ureq Agent per connection profile (timeouts, proxy, TLS),
/// so connections are pooled and reused across tests. Clones share the agents.
#[derive(Clone)]
pub struct Client {
    agents: Arc<Mutex<HashMap<AgentKey, ureq::Agent>>>,
    pool_size: usize,
    max_body: usize,
    env_proxies: EnvProxies,
    /// A moment no exchange may outlast, whatever its `timeout` (set on an interrupt, so
    /// that `finally` steps end soon).
    cutoff: Arc<Mutex<Option<Instant>>>,
}

impl Client {
    pub fn new(pool_size: usize, max_body: usize, env_proxies: EnvProxies) -> Self {
        Client {
            agents: Arc::new(Mutex::new(HashMap::new())),
            pool_size: pool_size.max(1),
            max_body,
            env_proxies,
            cutoff: Arc::new(Mutex::new(None)),
        }
    }

    /// From now on, every exchange ends by `cutoff` at the latest.
    pub fn set_cutoff(&self, cutoff: Instant) {
        *self.cutoff.lock().unwrap_or_else(|p| p.into_inner()) = Some(cutoff);
    }

    /// When an exchange that starts now must be over: `timeout` (its read part) bounds the
    /// whole exchange, redirects included, not each read.
    fn deadline(&self, started: Instant, timeout: Timeouts) -> Deadline {
        let own = started + timeout.read;
        let at = match *self.cutoff.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(cutoff) => own.min(cutoff),
            None => own,
        };
        Deadline {
            at,
            limit: at.saturating_duration_since(started),
        }
    }

    /// The proxy for a URL, as requests picks it: the spec's `proxies` entry for the
    /// URL's scheme; else (when `NO_PROXY` does not exclude the host) the environment's.
    fn proxy_for(&self, url: &Url, proxies: Option<&Proxies>) -> Result<Option<String>, HttpError> {
        let https = url.scheme() == "https";
        let from_spec = proxies.and_then(|p| {
            if https {
                p.https.as_ref()
            } else {
                p.http.as_ref()
            }
        });
        let chosen = match from_spec {
            Some(p) => Some(p),
            None if self.env_proxies.bypass(url) => None,
            None if https => self.env_proxies.https.as_ref(),
            None => self.env_proxies.http.as_ref(),
        };
        chosen.map(|p| proxy_url(p)).transpose()
    }

    fn agent(&self, key: AgentKey) -> Result<ureq::Agent, HttpError> {
        let mut agents = self.agents.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(a) = agents.get(&key) {
            return Ok(a.clone());
        }
        let tls = tls::client_config(&key.verify, key.cert.as_ref())
            .map_err(|m| HttpError::new(HttpErrorKind::Tls, m))?;
        let mut builder = ureq::AgentBuilder::new()
            .timeout_connect(key.timeout.connect)
            .timeout_read(key.timeout.read)
            .timeout_write(key.timeout.read)
            .redirects(0)
            .max_idle_connections(if key.pooled { self.pool_size * 2 } else { 0 })
            .max_idle_connections_per_host(if key.pooled { self.pool_size } else { 0 })
            .user_agent(USER_AGENT)
            .resolver(resolve::resolve)
            .tls_config(tls);
        if let Some(p) = &key.proxy {
            let proxy = ureq::Proxy::new(p).map_err(|e| {
                HttpError::new(
                    HttpErrorKind::Proxy,
                    format!("invalid proxy URL `{}`: {e}", mask_proxy(p)),
                )
            })?;
            builder = builder.proxy(proxy);
        }
        let agent = builder.build();
        agents.insert(key, agent.clone());
        Ok(agent)
    }

    fn forget_agent(&self, key: &AgentKey) {
        self.agents
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }

    /// Sends the request, following redirects as requests does when allowed.
    pub fn send(&self, req: &Request) -> Result<Response, HttpError> {
        let started = Instant::now();
        let deadline = self.deadline(started, req.timeout);
        let mut method = req.method.clone();
        let mut url = req.url.clone();
        let mut body = req.body.clone();
        let mut headers = req.headers.clone();
        // requests sends `Content-Length: 0` when a method that may carry a body has none
        // (some servers answer 411 Length Required without it).
        if matches!(body, Body::Empty)
            && !matches!(method.as_str(), "GET" | "HEAD")
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        {
            headers.push(("Content-Length".into(), "0".into()));
        }
        let mut hops: Vec<Hop> = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        seen.insert((method.clone(), url.clone()));
        loop {
            let mut resp = self.send_once(req, &method, &url, &headers, &body, deadline)?;
            let location = resp.header("location").map(str::to_string);
            let redirect = matches!(resp.status, 301 | 302 | 303 | 307 | 308);
            let (true, true, Some(location)) = (req.allow_redirects, redirect, location) else {
                resp.elapsed = started.elapsed();
                resp.redirects = hops;
                return Ok(resp);
            };
            let current = Url::parse(&url).map_err(|e| {
                HttpError::new(
                    HttpErrorKind::InvalidUrl,
                    format!("invalid URL `{url}`: {e}"),
                )
            })?;
            let next = current.join(&location).map_err(|e| {
                HttpError::new(
                    HttpErrorKind::InvalidUrl,
                    format!("redirect from `{url}` to an invalid Location `{location}`: {e}"),
                )
            })?;
            hops.push(Hop {
                status: resp.status,
                method: method.clone(),
                url: url.clone(),
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
            // requests' rules: 303 and 302 turn into GET; every status but 307/308 drops the body.
            if (resp.status == 303 || resp.status == 302) && method != "HEAD" {
                method = "GET".into();
            }
            if resp.status != 307 && resp.status != 308 {
                body = Body::Empty;
                headers.retain(|(k, _)| {
                    !k.eq_ignore_ascii_case("content-type")
                        && !k.eq_ignore_ascii_case("content-length")
                        && !k.eq_ignore_ascii_case("transfer-encoding")
                });
            }
            if next.origin() != current.origin() {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
            }
            url = next.to_string();
            if !seen.insert((method.clone(), url.clone())) {
                let chain: Vec<String> = hops
                    .iter()
                    .map(|h| format!("{} {}", h.status, h.url))
                    .chain(std::iter::once(url.clone()))
                    .collect();
                return Err(HttpError::new(
                    HttpErrorKind::RedirectLoop,
                    format!("redirect loop: {}", chain.join(" → ")),
                ));
            }
        }
    }

    fn send_once(
        &self,
        req: &Request,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: &Body,
        deadline: Deadline,
    ) -> Result<Response, HttpError> {
        let parsed = Url::parse(url).map_err(|e| {
            HttpError::new(
                HttpErrorKind::InvalidUrl,
                format!("invalid URL `{url}`: {e}"),
            )
        })?;
        let proxy = self.proxy_for(&parsed, req.proxies.as_ref())?;
        let key = AgentKey {
            timeout: req.timeout,
            proxy: proxy.clone(),
            verify: req.verify.clone(),
            cert: req.cert.clone(),
            pooled: match body {
                Body::Empty => true,
                Body::Bytes(b, _) => b.len() <= LARGE_BODY,
                Body::File(_) => false,
            },
        };
        let agent = self.agent(key.clone())?;
        let started = Instant::now();
        let Some(left) = deadline
            .at
            .checked_duration_since(started)
            .filter(|d| !d.is_zero())
        else {
            return Err(error::deadline_passed(url, deadline.limit));
        };
        let budget = || Budget {
            timeout: req.timeout,
            limit: deadline.limit,
            expired: Instant::now() >= deadline.at,
        };
        let mut request = agent.request_url(method, &parsed).timeout(left);
        for (k, v) in headers {
            request = request.set(k, v);
        }
        let result = match body {
            Body::Empty => request.call(),
            Body::Bytes(bytes, _) => request.send_bytes(bytes),
            Body::File(path) => {
                let file = std::fs::File::open(path).map_err(|e| {
                    HttpError::new(
                        HttpErrorKind::BodyFile,
                        format!("cannot open body_file `{}`: {e}", path.display()),
                    )
                })?;
                let len = file.metadata().map(|m| m.len()).ok();
                if let Some(len) = len {
                    request = request.set("Content-Length", &len.to_string());
                }
                request.send(file)
            }
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => {
                return Err(classify(
                    &t,
                    url,
                    budget(),
                    proxy.as_deref(),
                    req.cert.is_some(),
                ));
            }
        };
        let no_body_announced = matches!(resp.status(), 204 | 304)
            && (resp
                .header("content-length")
                .is_some_and(|l| l.trim() != "0")
                || resp.header("transfer-encoding").is_some());
        if no_body_announced {
            // A 204 or 304 has no body (RFC 9110 §15.3.5, §15.4.5); bytes a server sends
            // after one anyway would be read as the next response on this connection, so
            // its pool is dropped: the next send opens a fresh connection.
            self.forget_agent(&key);
        }
        let final_url = resp.get_url().to_string();
        let (status, reason, version, headers, body) = if interim::is_interim(resp.status()) {
            let interim = format!("{} {}", resp.status(), resp.status_text());
            interim::final_response(resp, method, url, &interim, self.max_body, budget)?
        } else {
            let headers: Vec<(String, String)> = resp
                .headers_names()
                .into_iter()
                .flat_map(|name| {
                    resp.all(&name)
                        .into_iter()
                        .map(|v| (name.clone(), v.to_string()))
                        .collect::<Vec<_>>()
                })
                .collect();
            let (status, reason, version) = (
                resp.status(),
                resp.status_text().to_string(),
                resp.http_version().to_string(),
            );
            let body = read_limited(resp.into_reader(), self.max_body, url, budget)?;
            (status, reason, version, headers, body)
        };
        let encoding = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-encoding"))
            .map(|(_, v)| v.as_str());
        let body = decode::decode(body, encoding, self.max_body, url)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> EnvProxies {
        EnvProxies::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    fn bypass(no_proxy: &str, url: &str) -> bool {
        Url::parse(url).is_ok_and(|u| env(&[("NO_PROXY", no_proxy)]).bypass(&u))
    }

    #[test]
    fn lower_case_variables_win_and_all_proxy_fills_in() {
        let e = env(&[
            ("http_proxy", "http://lower:1"),
            ("HTTP_PROXY", "http://upper:1"),
            ("ALL_PROXY", "socks5h://all:1"),
        ]);
        assert_eq!(e.http.as_deref(), Some("http://lower:1"));
        assert_eq!(e.https.as_deref(), Some("socks5h://all:1"));
    }

    #[test]
    fn no_proxy_matches_hosts_subdomains_ports_and_ranges() {
        assert!(bypass("example.com", "http://example.com/"));
        assert!(bypass("example.com", "http://api.example.com/"));
        assert!(bypass(".example.com", "http://api.example.com/"));
        assert!(bypass("*.example.com", "http://api.example.com/"));
        assert!(!bypass("example.com", "http://badexample.com/"));
        assert!(bypass("*", "http://anything/"));
        assert!(bypass("Example.COM", "http://EXAMPLE.com/"));
        assert!(bypass("example.com:8080", "http://example.com:8080/"));
        assert!(!bypass("example.com:8080", "http://example.com/"));
        assert!(bypass("example.com:443", "https://example.com/"));
        assert!(bypass("10.0.0.0/8", "http://10.1.2.3/"));
        assert!(!bypass("10.0.0.0/8", "http://11.1.2.3/"));
        assert!(bypass("127.0.0.1", "http://127.0.0.1:9/"));
        assert!(bypass("::1", "http://[::1]:9/"));
        assert!(bypass("[::1]:9", "http://[::1]:9/"));
        assert!(bypass("fd00::/8", "http://[fd12::1]/"));
        assert!(!bypass("a.com, b.com", "http://c.com/"));
        assert!(bypass("a.com, b.com", "http://x.b.com/"));
        assert!(!bypass("", "http://a.com/"));
    }

    #[test]
    fn proxy_urls_map_onto_what_ureq_takes() {
        assert_eq!(
            proxy_url("proxy:3128").ok().as_deref(),
            Some("http://proxy:3128")
        );
        assert_eq!(
            proxy_url("socks5h://p:1").ok().as_deref(),
            Some("socks5://p:1")
        );
        assert_eq!(
            proxy_url("SOCKS5://p:1").ok().as_deref(),
            Some("socks5://p:1")
        );
        let https = proxy_url("https://u:secret@p:1").expect_err("https proxy");
        assert!(
            https.message.contains("plain `http://`"),
            "{}",
            https.message
        );
        assert!(!https.message.contains("secret"), "{}", https.message);
        assert!(proxy_url("ftp://p").is_err());
        assert!(proxy_url("http://").is_err());
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
