//! The client: one ureq agent per connection profile (pooled connections), the proxy
//! each URL goes through, and one exchange on the wire.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use url::Url;

use super::body::Body;
use super::error::{self, classify, Budget};
use super::headers::Headers;
use super::proxy::{mask_proxy, proxy_authorization, proxy_url, ureq_proxy_url, EnvProxies};
use super::redirect::{send_following, Step};
use super::request::Request;
use super::response::Response;
use super::{resolve, tls, HttpError, HttpErrorKind, USER_AGENT};
use crate::spec::{ClientCert, Proxies, Timeouts, Verify};

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
            let proxy = ureq::Proxy::new(ureq_proxy_url(p)).map_err(|e| {
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
            method, url, body, ..
        } = *step;
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
        let wire = wire_headers(step, proxy.as_deref(), parsed.scheme());
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
        for (k, v) in &wire {
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
                if let Ok(len) = file.metadata().map(|m| m.len()) {
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
        Response::read(resp, method, self.max_body, url, budget, started)
    }
}

/// The headers one exchange puts on the wire: the request's, plus the framing and
/// proxy fields requests adds.
fn wire_headers(step: &Step, proxy: Option<&str>, scheme: &str) -> Headers {
    let mut wire = step.headers.clone();
    // A method that may carry a body but has none is sent with `Content-Length: 0`
    // (some servers answer 411 Length Required without it). requests sets it for every
    // method but GET and HEAD; on a redirect it drops the field and urllib3 adds it back
    // for the methods that expect a body (PUT, POST, PATCH, OPTIONS).
    let wants_length = if step.follow_up {
        matches!(step.method, "PUT" | "POST" | "PATCH" | "OPTIONS")
    } else {
        !matches!(step.method, "GET" | "HEAD")
    };
    if matches!(step.body, Body::Empty) && wants_length {
        wire.set_default("Content-Length", "0".into());
    }
    // Through an HTTP proxy, a plain-http request carries the proxy's credentials itself
    // (an https one gets them on the CONNECT, which ureq sends).
    if scheme == "http" {
        if let Some(auth) = proxy
            .filter(|p| p.starts_with("http://"))
            .and_then(proxy_authorization)
        {
            wire.set_default("Proxy-Authorization", auth);
        }
    }
    wire
}
