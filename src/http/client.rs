//! The client: the connection pool, the proxy each URL goes through, and one exchange
//! on the wire (open or reuse a connection, write the request, read the response).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use url::Url;

use super::body::Body;
use super::connect::{self, Conn, Origin};
use super::error::{self, Budget, Failure};
use super::headers::{basic_authorization, Headers};
use super::options::{Method, Proxies, Timeouts};
use super::pool::{Pool, PoolKey};
use super::proxy::{proxy_url, EnvProxies, Proxy, ProxyKind};
use super::read;
use super::read::Parts;
use super::redirect::{send_following, Step};
use super::request::{url_credentials, Request};
use super::response::Response;
use super::tls::TlsProfile;
use super::wire::{self, Payload};
use super::{tls, HttpError, HttpErrorKind};

/// When an exchange must be over, and how long it had from its start.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    limit: Duration,
}

/// Sends requests over pooled connections, reused across tests (one pool per
/// destination and connection profile). Clones share the pool.
#[derive(Clone)]
pub struct Client {
    pool: Arc<Pool>,
    tls_configs: Arc<Mutex<HashMap<TlsProfile, Arc<ClientConfig>>>>,
    max_body: usize,
    env_proxies: EnvProxies,
    /// A moment no exchange may outlast, whatever its `timeout` (set on an interrupt, so
    /// that `finally` steps end soon).
    cutoff: Arc<Mutex<Option<Instant>>>,
}

impl Client {
    /// `pool_size` is the number of workers: each destination keeps at most that many
    /// idle connections, and all destinations together at most twice as many.
    pub fn new(pool_size: usize, max_body: usize, env_proxies: EnvProxies) -> Self {
        Client {
            pool: Arc::new(Pool::new(pool_size, pool_size.saturating_mul(2))),
            tls_configs: Arc::new(Mutex::new(HashMap::new())),
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
    fn proxy_for(&self, url: &Url, proxies: Option<&Proxies>) -> Result<Option<Proxy>, HttpError> {
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

    fn tls_config(&self, profile: &TlsProfile) -> Result<Arc<ClientConfig>, HttpError> {
        let mut configs = self.tls_configs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = configs.get(profile) {
            return Ok(Arc::clone(c));
        }
        let config = tls::client_config(&profile.0, profile.1.as_ref())
            .map_err(|m| HttpError::new(HttpErrorKind::Tls, m))?;
        configs.insert(profile.clone(), Arc::clone(&config));
        Ok(config)
    }

    /// Sends the request, following redirects as requests does when allowed.
    pub fn send(&self, req: &Request) -> Result<Response, HttpError> {
        let started = Instant::now();
        let deadline = self.deadline(started, req.timeout);
        let mut resp = send_following(req, |step| self.send_once(req, step, deadline))?;
        resp.elapsed = started.elapsed();
        Ok(resp)
    }

    fn send_once(
        &self,
        req: &Request,
        step: &Step,
        deadline: Deadline,
    ) -> Result<Response, HttpError> {
        let Step {
            method,
            url: parsed,
            body,
            ..
        } = *step;
        let url = parsed.as_str();
        let proxy = self.proxy_for(parsed, req.proxies.as_ref())?;
        let https = parsed.scheme() == "https";
        let origin = Origin {
            https,
            host: parsed.host_str().unwrap_or_default().to_string(),
            port: parsed.port_or_known_default().unwrap_or(80),
        };
        let tls_profile = https.then(|| (req.verify.clone(), req.cert.clone()));
        let tls = tls_profile
            .as_ref()
            .map(|p| self.tls_config(p))
            .transpose()?;
        let key = PoolKey {
            origin,
            proxy,
            tls: tls_profile,
        };
        // A file body goes out with its length, as requests sends it (never chunked).
        let (file, file_len) = match body {
            Body::File(path) => {
                let (f, len) = open_body_file(path)?;
                (Some(f), len)
            }
            _ => (None, 0),
        };
        let wire_headers = wire_headers(step, parsed, key.proxy.as_ref(), file_len);
        let absolute = !https
            && key
                .proxy
                .as_ref()
                .is_some_and(|p| p.kind == ProxyKind::Http);
        let head = wire::head(
            method.as_str(),
            &wire::target(parsed, absolute),
            &wire::host_field(parsed),
            &wire_headers,
        )?;
        let started = Instant::now();
        if started >= deadline.at {
            return Err(error::deadline_passed(url, deadline.limit));
        }
        let budget = || Budget {
            timeout: req.timeout,
            limit: deadline.limit,
            expired: Instant::now() >= deadline.at,
        };
        let fail = |f: Failure, reused: bool| {
            let context = error::Context {
                url,
                budget: budget(),
                proxy: key.proxy.as_ref(),
                sent_cert: req.cert.is_some(),
                reused,
            };
            error::describe(f, &context)
        };
        // A request that says `Connection: close` ends its connection (RFC 9112 §9.6).
        let asked_to_close = wire_headers.has_token("connection", "close");
        // Every request goes once. A pooled connection is checked open before it is
        // reused (`Pool::take`); if the server closes it anyway before answering, the
        // request may have reached it, so it is not sent again (urllib3 under requests
        // does not retry either): the test fails, saying so.
        let pooled = self.pool.take(&key);
        let reused = pooled.is_some();
        let mut conn = match pooled {
            Some(c) => c,
            None => connect::open(
                &key.origin,
                key.proxy.as_ref(),
                tls.as_ref(),
                req.timeout.connect,
                deadline.at,
            )
            .map_err(|e| fail(Failure::Open(e), false))?,
        };
        conn.set_deadline(deadline.at);
        let payload = match (body, file) {
            (Body::Empty, _) => Payload::Empty,
            (Body::Bytes(b, _), _) => Payload::Bytes(b),
            (Body::File(_), Some(f)) => Payload::File(f),
            (Body::File(path), None) => Payload::File(open_body_file(path)?.0),
        };
        let written = wire::send(conn.stream(), &head, payload);
        let parts =
            exchange(&mut conn, written, method, self.max_body).map_err(|f| fail(f, reused))?;
        if reusable(&parts, asked_to_close, &conn, self.max_body) {
            self.pool.put(&key, conn);
        }
        if parts.body.len() > self.max_body {
            return Err(error::too_large(url, self.max_body));
        }
        Response::from_parts(parts, url, self.max_body, started)
    }
}

/// The one place that decides whether a connection carries another request: the
/// response ended where its framing said, that framing was unambiguous and the server
/// keeps the connection (`Parts::reusable`, RFC 9112 §9.3), the body was within the
/// limit, the request did not ask to close, and no byte nobody asked for waits on it.
fn reusable(parts: &Parts, asked_to_close: bool, conn: &Conn, max_body: usize) -> bool {
    parts.reusable && !asked_to_close && parts.body.len() <= max_body && !conn.has_unread()
}

/// Reads the response to a request just written. A server may answer and close before
/// taking the whole body (a 413, say): when writing failed, the answer is still read.
fn exchange(
    conn: &mut Conn,
    written: std::io::Result<()>,
    method: Method,
    max_body: usize,
) -> Result<read::Parts, Failure> {
    match written {
        Ok(()) => {
            read::read_response(&mut conn.reader, method.as_str(), max_body).map_err(Failure::Read)
        }
        // Out of time: there is none left to read an answer in.
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Err(Failure::Write(e)),
        Err(e) => match read::read_response(&mut conn.reader, method.as_str(), max_body) {
            Ok(parts) => Ok(read::Parts {
                reusable: false,
                ..parts
            }),
            Err(_) => Err(Failure::Write(e)),
        },
    }
}

/// A `body_file`, opened, and its length.
fn open_body_file(path: &std::path::Path) -> Result<(std::fs::File, u64), HttpError> {
    let cannot = |e: std::io::Error| {
        HttpError::new(
            HttpErrorKind::BodyFile,
            format!("cannot read body_file `{}`: {e}", path.display()),
        )
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    Ok((file, len))
}

/// The headers one exchange puts on the wire: the request's, plus the framing and
/// credential fields requests adds.
fn wire_headers(step: &Step, url: &Url, proxy: Option<&Proxy>, file_len: u64) -> Headers {
    let mut wire = step.headers.clone();
    // A method that may carry a body but has none is sent with `Content-Length: 0`
    // (some servers answer 411 Length Required without it). requests sets it for every
    // method but GET and HEAD; on a redirect it drops the field and urllib3 adds it back
    // for the methods that expect a body (PUT, POST, PATCH, OPTIONS).
    let wants_length = if step.follow_up {
        matches!(
            step.method,
            Method::Put | Method::Post | Method::Patch | Method::Options
        )
    } else {
        !matches!(step.method, Method::Get | Method::Head)
    };
    match step.body {
        Body::Empty if wants_length => wire.set_default("Content-Length", "0".into()),
        Body::Empty => {}
        // requests sets the body's real length, whatever a header said.
        Body::Bytes(b, _) => wire.set("Content-Length", b.len().to_string()),
        Body::File(_) => wire.set("Content-Length", file_len.to_string()),
    }
    // Credentials in the URL (`http://user:pass@host/`) become Basic auth, as requests
    // does, unless the request has its own Authorization.
    if let Some((user, password)) = url_credentials(url) {
        wire.set_default("Authorization", basic_authorization(&user, &password));
    }
    // Through an HTTP proxy, a plain-http request carries the proxy's credentials itself
    // (an https one gets them on the CONNECT).
    if url.scheme() == "http" {
        if let Some(auth) = proxy
            .filter(|p| p.kind == ProxyKind::Http)
            .and_then(Proxy::authorization)
        {
            wire.set_default("Proxy-Authorization", auth);
        }
    }
    wire
}
