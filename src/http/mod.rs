//! Model → HTTP request → recorded response, through shared ureq agents.
//!
//! ureq 2.12 rather than ureq 3: putcheck checks the reason phrase *as sent on the status
//! line* (`expect.reason`), and ureq 3's parser discards it (`http::Response` has no
//! field for it), while ureq 2 keeps it as `Response::status_text()`. Capturing it under
//! ureq 3 would mean wrapping its semver-exempt transport API; ureq 2 is maintained for
//! fixes and gives the wire phrase directly.

mod body;
mod tls;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use url::Url;

use crate::spec::{ClientCert, Method, Proxies, RequestSpec, Timeouts, Verify};
pub use body::{form_urlencode, Body};

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

/// Why no usable response came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HttpErrorKind {
    InvalidUrl,
    Dns,
    Connect,
    ConnectTimeout,
    ReadTimeout,
    Tls,
    Proxy,
    Io,
    Protocol,
    BodyTooLarge,
    RedirectLoop,
    TooManyRedirects,
    BodyFile,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct HttpError {
    pub kind: HttpErrorKind,
    pub message: String,
}

impl HttpError {
    pub fn new(kind: HttpErrorKind, message: impl Into<String>) -> Self {
        HttpError {
            kind,
            message: message.into(),
        }
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
    if !params.is_empty() {
        let mut q = parsed.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
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

/// What makes two requests need different connections.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AgentKey {
    timeout: Timeouts,
    proxy: Option<String>,
    verify: Verify,
    cert: Option<ClientCert>,
}

/// Proxy settings read from the environment once per run.
#[derive(Debug, Default, Clone)]
pub struct EnvProxies {
    pub http: Option<String>,
    pub https: Option<String>,
    pub no_proxy: Vec<String>,
}

impl EnvProxies {
    pub fn from_env() -> Self {
        let get = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
        };
        EnvProxies {
            http: get(&["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]),
            https: get(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]),
            no_proxy: get(&["no_proxy", "NO_PROXY"])
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().trim_start_matches('.').to_ascii_lowercase())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn bypass(&self, host: &str) -> bool {
        let host = host
            .trim_matches(|c| c == '[' || c == ']')
            .to_ascii_lowercase();
        self.no_proxy
            .iter()
            .any(|n| n == "*" || host == *n || host.ends_with(&format!(".{n}")))
    }
}

/// Sends requests through one ureq Agent per connection profile (timeouts, proxy, TLS),
/// so connections are pooled and reused across tests.
pub struct Client {
    agents: Mutex<HashMap<AgentKey, ureq::Agent>>,
    pool_size: usize,
    max_body: usize,
    env_proxies: EnvProxies,
}

impl Client {
    pub fn new(pool_size: usize, max_body: usize, env_proxies: EnvProxies) -> Self {
        Client {
            agents: Mutex::new(HashMap::new()),
            pool_size: pool_size.max(1),
            max_body,
            env_proxies,
        }
    }

    fn proxy_for(&self, url: &Url, proxies: Option<&Proxies>) -> Option<String> {
        let https = url.scheme() == "https";
        if let Some(p) = proxies {
            return if https {
                p.https.clone()
            } else {
                p.http.clone()
            };
        }
        if url.host_str().is_some_and(|h| self.env_proxies.bypass(h)) {
            return None;
        }
        if https {
            self.env_proxies.https.clone()
        } else {
            self.env_proxies.http.clone()
        }
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
            .max_idle_connections(self.pool_size * 2)
            .max_idle_connections_per_host(self.pool_size)
            .user_agent(USER_AGENT)
            .tls_config(tls);
        if let Some(p) = &key.proxy {
            let proxy = ureq::Proxy::new(p).map_err(|e| {
                HttpError::new(
                    HttpErrorKind::Proxy,
                    format!("invalid proxy URL `{p}`: {e}"),
                )
            })?;
            builder = builder.proxy(proxy);
        }
        let agent = builder.build();
        agents.insert(key, agent.clone());
        Ok(agent)
    }

    /// Sends the request, following redirects as requests does when allowed.
    pub fn send(&self, req: &Request) -> Result<Response, HttpError> {
        let started = Instant::now();
        let mut method = req.method.clone();
        let mut url = req.url.clone();
        let mut body = req.body.clone();
        let mut headers = req.headers.clone();
        let mut hops: Vec<Hop> = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        seen.insert((method.clone(), url.clone()));
        loop {
            let mut resp = self.send_once(req, &method, &url, &headers, &body)?;
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
                        "more than {MAX_REDIRECTS} redirects, starting at `{}`",
                        req.url
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
    ) -> Result<Response, HttpError> {
        let parsed = Url::parse(url).map_err(|e| {
            HttpError::new(
                HttpErrorKind::InvalidUrl,
                format!("invalid URL `{url}`: {e}"),
            )
        })?;
        let proxy = self.proxy_for(&parsed, req.proxies.as_ref());
        let agent = self.agent(AgentKey {
            timeout: req.timeout,
            proxy: proxy.clone(),
            verify: req.verify.clone(),
            cert: req.cert.clone(),
        })?;
        let started = Instant::now();
        let mut request = agent.request_url(method, &parsed);
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
                return Err(classify(&t, url, req.timeout, proxy.as_deref()));
            }
        };
        let status = resp.status();
        let reason = resp.status_text().to_string();
        let version = resp.http_version().to_string();
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
        let final_url = resp.get_url().to_string();
        let body = read_limited(resp.into_reader(), self.max_body, url, req.timeout.read)?;
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
    read_timeout: Duration,
) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    let mut limited = reader.take(limit as u64 + 1);
    if let Err(e) = limited.read_to_end(&mut body) {
        return Err(io_error(
            &e,
            url,
            read_timeout,
            "while reading the response body",
        ));
    }
    if body.len() > limit {
        return Err(HttpError::new(
            HttpErrorKind::BodyTooLarge,
            format!(
                "the response body from `{url}` is larger than {} MiB; raise the limit with --max-body if that is expected",
                limit / (1024 * 1024)
            ),
        ));
    }
    Ok(body)
}

fn io_error(e: &std::io::Error, url: &str, read_timeout: Duration, when: &str) -> HttpError {
    if matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    ) {
        return HttpError::new(
            HttpErrorKind::ReadTimeout,
            format!("read timeout: `{url}` sent nothing for {read_timeout:?} {when}; raise `timeout` (or `timeout.read`) if the endpoint is slow"),
        );
    }
    HttpError::new(
        HttpErrorKind::Io,
        format!("connection to `{url}` failed {when}: {e}"),
    )
}

fn find_source<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<T>() {
            return Some(t);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(t) = inner.downcast_ref::<T>() {
                    return Some(t);
                }
            }
        }
        cur = err.source();
    }
    None
}

fn classify(t: &ureq::Transport, url: &str, timeout: Timeouts, proxy: Option<&str>) -> HttpError {
    use ureq::ErrorKind as K;
    let detail = t
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| t.to_string());
    if let Some(tls) = find_source::<rustls::Error>(t) {
        let hint = match tls {
            rustls::Error::InvalidCertificate(_) => {
                "; the server's certificate is not trusted: give its CA with `verify: ca.pem`, or skip the check with `verify: false`"
            }
            _ => "",
        };
        return HttpError::new(
            HttpErrorKind::Tls,
            format!("TLS handshake with `{url}` failed: {tls}{hint}"),
        );
    }
    let io = find_source::<std::io::Error>(t);
    let timed_out = io.is_some_and(|e| {
        matches!(
            e.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        )
    });
    match t.kind() {
        K::Dns => HttpError::new(HttpErrorKind::Dns, format!("cannot resolve the host of `{url}`: {detail}")),
        K::ConnectionFailed if timed_out => HttpError::new(
            HttpErrorKind::ConnectTimeout,
            format!("connect timeout: no connection to `{url}` within {:?}; is the server up? (`timeout.connect` sets the limit)", timeout.connect),
        ),
        K::ConnectionFailed => HttpError::new(
            HttpErrorKind::Connect,
            format!("cannot connect to `{url}`: {detail}; is the server running and the URL right?"),
        ),
        K::Io if timed_out => HttpError::new(
            HttpErrorKind::ReadTimeout,
            format!("read timeout: `{url}` sent no response within {:?}; raise `timeout` (or `timeout.read`) if the endpoint is slow", timeout.read),
        ),
        K::Io => HttpError::new(
            HttpErrorKind::Io,
            format!("connection to `{url}` broke before a full response: {}", io.map(|e| e.to_string()).unwrap_or(detail)),
        ),
        K::BadStatus | K::BadHeader => HttpError::new(
            HttpErrorKind::Protocol,
            format!("`{url}` did not answer with valid HTTP: {detail}"),
        ),
        K::InvalidProxyUrl | K::ProxyConnect | K::ProxyUnauthorized => HttpError::new(
            HttpErrorKind::Proxy,
            format!("proxy `{}` failed for `{url}`: {detail}", proxy.unwrap_or("?")),
        ),
        K::InvalidUrl | K::UnknownScheme => HttpError::new(HttpErrorKind::InvalidUrl, format!("invalid URL `{url}`: {detail}")),
        _ => HttpError::new(HttpErrorKind::Io, format!("request to `{url}` failed: {detail}")),
    }
}
