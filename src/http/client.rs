//! The client: one ureq agent per connection profile (pooled connections), the proxy
//! each URL goes through, and one exchange on the wire.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use url::Url;

use super::body::Body;
use super::error::classify;
use super::headers::Headers;
use super::proxy::{mask_proxy, proxy_authorization, proxy_url, ureq_proxy_url, EnvProxies};
use super::redirect::{send_following, Step};
use super::request::Request;
use super::response::Response;
use super::{tls, HttpError, HttpErrorKind, USER_AGENT};
use crate::spec::{ClientCert, Proxies, Timeouts, Verify};

/// What makes two requests need different connections.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AgentKey {
    timeout: Timeouts,
    proxy: Option<String>,
    verify: Verify,
    cert: Option<ClientCert>,
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

    /// Sends the request, following redirects as requests does when allowed.
    pub fn send(&self, req: &Request) -> Result<Response, HttpError> {
        let started = Instant::now();
        let mut resp = send_following(req, |step| self.send_once(req, step))?;
        resp.elapsed = started.elapsed();
        Ok(resp)
    }

    fn send_once(&self, req: &Request, step: &Step) -> Result<Response, HttpError> {
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
        let agent = self.agent(AgentKey {
            timeout: req.timeout,
            proxy: proxy.clone(),
            verify: req.verify.clone(),
            cert: req.cert.clone(),
        })?;
        let wire = wire_headers(step, proxy.as_deref(), parsed.scheme());
        let started = Instant::now();
        let mut request = agent.request_url(method, &parsed);
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
                    req.timeout,
                    proxy.as_deref(),
                    req.cert.is_some(),
                ));
            }
        };
        Response::read(resp, self.max_body, url, req.timeout.read, started)
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
