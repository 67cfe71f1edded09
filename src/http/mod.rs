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
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use url::Url;

use crate::spec::{ClientCert, Method, Proxies, RequestSpec, Timeouts, Verify};
pub use body::{form_urlencode, quote_plus, Body};

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

/// What makes two requests need different connections.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AgentKey {
    timeout: Timeouts,
    proxy: Option<String>,
    verify: Verify,
    cert: Option<ClientCert>,
}

/// Proxy settings read from the environment once per run, as requests reads them:
/// lower-case names first, then upper-case; `all_proxy` for both schemes.
#[derive(Debug, Default, Clone)]
pub struct EnvProxies {
    pub http: Option<String>,
    pub https: Option<String>,
    pub no_proxy: Vec<String>,
}

impl EnvProxies {
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The same as `from_env`, reading variables through `var` (for tests).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Self {
        let get = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| var(n).filter(|v| !v.trim().is_empty()))
        };
        EnvProxies {
            http: get(&["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]),
            https: get(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]),
            no_proxy: get(&["no_proxy", "NO_PROXY"])
                .map(|v| {
                    v.split(',')
                        .map(|s| {
                            let s = s.trim().to_ascii_lowercase();
                            let s = s.strip_prefix("*.").unwrap_or(&s);
                            s.trim_start_matches('.').to_string()
                        })
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Whether `NO_PROXY` sends this URL direct: `*` matches every host; a name matches
    /// itself and its subdomains (`example.com`, `.example.com`); `name:port` only that
    /// port; an IP address itself; a CIDR range (`10.0.0.0/8`) the addresses in it.
    pub fn bypass(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host
            .trim_matches(|c| c == '[' || c == ']')
            .to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        let port = url.port_or_known_default();
        self.no_proxy
            .iter()
            .any(|entry| no_proxy_matches(entry, &host, ip, port))
    }
}

fn no_proxy_matches(entry: &str, host: &str, ip: Option<IpAddr>, port: Option<u16>) -> bool {
    if entry == "*" {
        return true;
    }
    if let Some((net, bits)) = entry.split_once('/') {
        return match (ip, net.parse::<IpAddr>(), bits.parse::<u32>()) {
            (Some(ip), Ok(net), Ok(bits)) => in_network(ip, net, bits),
            _ => false,
        };
    }
    // `name:port`; a bare IPv6 address has colons too, but no brackets.
    let (name, want_port) = match entry.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.starts_with('[') => match p.parse::<u16>() {
            Ok(p) => (h, Some(p)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    };
    if want_port.is_some_and(|p| Some(p) != port) {
        return false;
    }
    let name = name.trim_matches(|c| c == '[' || c == ']');
    if let (Some(ip), Ok(entry_ip)) = (ip, name.parse::<IpAddr>()) {
        return ip == entry_ip;
    }
    host == name
        || host
            .strip_suffix(name)
            .is_some_and(|rest| rest.ends_with('.'))
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// A proxy URL as ureq 2 takes it. requests' forms map onto it: no scheme means
/// `http://`; `socks5h://` (the proxy resolves host names) is ureq's `socks5://`, which
/// hands host names to the proxy unresolved. A proxy reached over TLS is not supported.
pub fn proxy_url(p: &str) -> Result<String, HttpError> {
    let p = p.trim();
    let (scheme, rest) = match p.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_string(), p),
    };
    let scheme = match scheme.as_str() {
        "http" | "socks4" | "socks4a" | "socks5" => scheme,
        "socks5h" | "socks" => "socks5".to_string(),
        "https" => {
            return Err(HttpError::new(
                HttpErrorKind::Proxy,
                format!(
                    "proxy `{}`: a proxy reached over TLS (`https://`) is not supported; use the proxy's plain `http://` address (https requests through it stay encrypted end to end, via CONNECT)",
                    mask_proxy(p)
                ),
            ))
        }
        other => {
            return Err(HttpError::new(
                HttpErrorKind::Proxy,
                format!(
                    "proxy `{}`: unsupported scheme `{other}://`; use http://, socks5://, socks5h://, socks4:// or socks4a://",
                    mask_proxy(p)
                ),
            ))
        }
    };
    if rest.trim_end_matches('/').is_empty() {
        return Err(HttpError::new(
            HttpErrorKind::Proxy,
            format!("proxy `{p}` has no host; write it as `http://host:port`"),
        ));
    }
    Ok(format!("{scheme}://{rest}"))
}

/// A proxy URL for messages: its credentials replaced with `***`.
pub fn mask_proxy(p: &str) -> String {
    let (scheme, rest) = match p.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), p),
    };
    match rest.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}***@{host}"),
        None => p.to_string(),
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
            .max_idle_connections(self.pool_size * 2)
            .max_idle_connections_per_host(self.pool_size)
            .user_agent(USER_AGENT)
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

    /// Sends the request, following redirects as requests does when allowed.
    pub fn send(&self, req: &Request) -> Result<Response, HttpError> {
        let started = Instant::now();
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
    ) -> Result<Response, HttpError> {
        let parsed = Url::parse(url).map_err(|e| {
            HttpError::new(
                HttpErrorKind::InvalidUrl,
                format!("invalid URL `{url}`: {e}"),
            )
        })?;
        let proxy = self.proxy_for(&parsed, req.proxies.as_ref())?;
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
                return Err(classify(
                    &t,
                    url,
                    req.timeout,
                    proxy.as_deref(),
                    req.cert.is_some(),
                ));
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

/// What to do about a failed TLS handshake, in words a user can act on.
fn tls_hint(e: &rustls::Error, sent_cert: bool) -> &'static str {
    use rustls::AlertDescription as A;
    match e {
        rustls::Error::InvalidCertificate(c) => {
            // By name, so that the `…Context` variants of newer rustls match too.
            let name = format!("{c:?}");
            if name.starts_with("NotValidForName") {
                "the server's certificate is not valid for this host name: use a URL with a name the certificate lists, or skip the check with `verify: false`"
            } else if name.starts_with("Expired") || name.starts_with("NotValidYet") {
                "the server's certificate is outside its validity period (check the dates, and this machine's clock), or skip the check with `verify: false`"
            } else {
                "the server's certificate is not trusted (not signed by a CA putcheck knows): give its CA with `verify: ca.pem`, or skip the check with `verify: false`"
            }
        }
        rustls::Error::NoCertificatesPresented => "the server presented no certificate",
        rustls::Error::AlertReceived(A::CertificateRequired) if !sent_cert => {
            "the server requires a client certificate: give one with `cert: client.pem` (certificate and key in one PEM) or `cert: [cert.pem, key.pem]`"
        }
        rustls::Error::AlertReceived(A::HandshakeFailure) if !sent_cert => {
            "the server may require a client certificate: give one with `cert: client.pem` or `cert: [cert.pem, key.pem]`"
        }
        rustls::Error::AlertReceived(
            A::CertificateRequired
            | A::BadCertificate
            | A::UnknownCA
            | A::CertificateUnknown
            | A::CertificateExpired
            | A::AccessDenied
            | A::DecryptError
            | A::HandshakeFailure,
        ) => "the server rejected the client certificate (`cert`): is it signed by a CA the server trusts, and still valid?",
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "is the server really speaking HTTPS on this port? (an `http://` URL may be meant)"
        }
        _ => "",
    }
}

fn classify(
    t: &ureq::Transport,
    url: &str,
    timeout: Timeouts,
    proxy: Option<&str>,
    sent_cert: bool,
) -> HttpError {
    use ureq::ErrorKind as K;
    let detail = t
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| t.to_string());
    let via = proxy
        .map(|p| format!(" through the proxy `{}`", mask_proxy(p)))
        .unwrap_or_default();
    if let Some(tls) = find_source::<rustls::Error>(t) {
        let hint = match tls_hint(tls, sent_cert) {
            "" => String::new(),
            h => format!("; {h}"),
        };
        return HttpError::new(
            HttpErrorKind::Tls,
            format!("TLS handshake with `{url}`{via} failed: {tls}{hint}"),
        );
    }
    let io = find_source::<std::io::Error>(t);
    let timed_out = io.is_some_and(|e| {
        matches!(
            e.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        )
    });
    let cause = io.map(|e| e.to_string()).unwrap_or_else(|| detail.clone());
    // ureq does the TLS handshake while connecting: a server that hangs up then most
    // likely does not speak TLS on that port.
    let hung_up = io.is_some_and(|e| {
        matches!(
            e.kind(),
            std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
        )
    });
    if t.kind() == K::ConnectionFailed && hung_up && url.starts_with("https://") {
        return HttpError::new(
            HttpErrorKind::Tls,
            format!("TLS handshake with `{url}`{via} failed: the server closed the connection ({cause}); is the server really speaking HTTPS on this port? (an `http://` URL may be meant)"),
        );
    }
    match t.kind() {
        K::Dns => HttpError::new(
            HttpErrorKind::Dns,
            match proxy {
                // With a proxy, putcheck resolves only the proxy's host.
                Some(p) => format!("cannot resolve the host of the proxy `{}` (for `{url}`): {detail}", mask_proxy(p)),
                None => format!("cannot resolve the host of `{url}`: {detail}"),
            },
        ),
        K::ConnectionFailed if timed_out => HttpError::new(
            HttpErrorKind::ConnectTimeout,
            match proxy {
                Some(p) => format!("connect timeout: no connection to the proxy `{}` (for `{url}`) within {:?}; is the proxy up? (`timeout.connect` sets the limit)", mask_proxy(p), timeout.connect),
                None => format!("connect timeout: no connection to `{url}` within {:?}; is the server up? (`timeout.connect` sets the limit)", timeout.connect),
            },
        ),
        K::ConnectionFailed => HttpError::new(
            HttpErrorKind::Connect,
            match proxy {
                Some(_) => format!("cannot connect to `{url}`{via}: {cause}; is the proxy running and reachable? (it comes from `proxies:` or HTTP_PROXY/HTTPS_PROXY; NO_PROXY lists the hosts reached direct)"),
                None => format!("cannot connect to `{url}`: {cause}; is the server running and the URL right?"),
            },
        ),
        K::Io if timed_out => HttpError::new(
            HttpErrorKind::ReadTimeout,
            format!("read timeout: `{url}`{via} sent no response within {:?}; raise `timeout` (or `timeout.read`) if the endpoint is slow", timeout.read),
        ),
        K::Io => HttpError::new(
            HttpErrorKind::Io,
            format!("connection to `{url}`{via} broke before a full response: {}", io.map(|e| e.to_string()).unwrap_or(detail)),
        ),
        K::BadStatus | K::BadHeader => HttpError::new(
            HttpErrorKind::Protocol,
            format!("`{url}`{via} did not answer with valid HTTP: {detail}"),
        ),
        K::ProxyConnect => HttpError::new(
            HttpErrorKind::Proxy,
            format!("proxy `{}` did not open a tunnel (CONNECT) for `{url}`; does the proxy allow CONNECT to this host and port? (its log says why)", proxy.map(mask_proxy).unwrap_or_default()),
        ),
        K::ProxyUnauthorized => HttpError::new(
            HttpErrorKind::Proxy,
            format!("proxy `{}` wants credentials (407) for `{url}`: put them in the proxy URL, as `http://user:password@host:port`", proxy.map(mask_proxy).unwrap_or_default()),
        ),
        K::InvalidProxyUrl => HttpError::new(
            HttpErrorKind::Proxy,
            format!("invalid proxy URL `{}` for `{url}`: {detail}", proxy.map(mask_proxy).unwrap_or_default()),
        ),
        K::InvalidUrl | K::UnknownScheme => HttpError::new(HttpErrorKind::InvalidUrl, format!("invalid URL `{url}`: {detail}")),
        _ => HttpError::new(HttpErrorKind::Io, format!("request to `{url}`{via} failed: {detail}")),
    }
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
        env(&[("NO_PROXY", no_proxy)]).bypass(&Url::parse(url).expect("url"))
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
    fn params_join_the_urls_own_query_as_requests_does() {
        let params = vec![("a b".to_string(), "*~".to_string())];
        let url = build_url(None, "http://h/p?x=1", &params).expect("url");
        assert_eq!(url, "http://h/p?x=1&a+b=%2A~");
        let url = build_url(None, "http://h/p", &params).expect("url");
        assert_eq!(url, "http://h/p?a+b=%2A~");
        let url = build_url(None, "http://h/p?x=1", &[]).expect("url");
        assert_eq!(url, "http://h/p?x=1");
    }
}
