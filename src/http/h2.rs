//! HTTP/2, on hyper's client (h2's framing, HPACK, flow control and stream limits are not
//! putcheck's job): one connection per destination, shared by every worker as HTTP/2
//! intends (streams multiplexed, at most the server's `SETTINGS_MAX_CONCURRENT_STREAMS`
//! at once), driven by a small tokio runtime that the blocking workers wait on. The TCP
//! connection, the proxy tunnel and the deadlines are the HTTP/1.1 client's own; TLS
//! offers `h2` by ALPN (and `http/1.1` too for `http_version: auto`).

use std::net::TcpStream;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use bytes::Bytes;
use fnv::FnvHashMap;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http2::{Builder, SendRequest};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls::pki_types::ServerName;
use rustls::ClientConfig;

use super::connect::OpenError;
use super::headers::Headers;
use super::pool::PoolKey;
use super::read::Parts;

/// A request in HTTP/2's terms: the URI carries scheme and authority (`:scheme`,
/// `:authority`), the fields are lower-cased.
pub(super) type H2Request = hyper::Request<Full<Bytes>>;

/// How the TLS handshake for an HTTP/2 connection goes.
pub(super) struct Tls {
    pub config: Arc<ClientConfig>,
    pub name: ServerName<'static>,
}

/// Where an HTTP/2 request goes, and how its connection is opened.
pub(super) struct Destination<'a> {
    pub key: &'a PoolKey,
    /// For https.
    pub tls: Option<&'a Tls>,
    /// `auto`: `http/1.1` was offered beside `h2`, and may be chosen.
    pub allow_http11: bool,
}

/// Why an HTTP/2 exchange gave no response.
#[derive(Debug)]
pub(super) enum H2Failure {
    Open(OpenError),
    /// The server did not agree to `h2` by ALPN; what it chose instead.
    NotAgreed(Option<String>),
    /// The connection preface and settings exchange failed.
    Handshake(hyper::Error),
    /// The request or its response failed on an open connection.
    Exchange(hyper::Error),
    Body(String),
    TooLarge,
    /// The deadline came first; `waiting` says for what.
    TimedOut(&'static str),
    /// No runtime could be started for HTTP/2.
    Runtime(String),
}

/// Offered `h2` and `http/1.1`, the server chose HTTP/1.1: the request goes on
/// putcheck's HTTP/1.1 client.
pub(super) struct ChoseHttp11;

#[derive(Default)]
pub(super) struct H2 {
    runtime: OnceLock<Result<tokio::runtime::Runtime, String>>,
    conns: Mutex<FnvHashMap<PoolKey, SendRequest<Full<Bytes>>>>,
    /// One lock per destination, held while its connection opens, so that workers
    /// arriving together share one connection instead of each opening its own.
    opening: Mutex<FnvHashMap<PoolKey, Arc<Mutex<()>>>>,
    /// Destinations that chose HTTP/1.1 when `auto` offered both.
    chose_http11: Mutex<FnvHashMap<PoolKey, ()>>,
}

impl H2 {
    fn runtime(&self) -> Result<&tokio::runtime::Runtime, H2Failure> {
        self.runtime
            .get_or_init(|| {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .thread_name("putcheck-h2")
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| H2Failure::Runtime(e.clone()))
    }

    /// Whether `auto` found this destination speaking HTTP/1.1 only.
    pub fn chose_http11(&self, key: &PoolKey) -> bool {
        lock(&self.chose_http11).contains_key(key)
    }

    /// Sends `request` on the destination's HTTP/2 connection (opened with `open` and,
    /// for https, `tls`, when there is none or it has closed), by `deadline`; the body
    /// is read up to `max_body`. A stream the server refused before processing it
    /// (`REFUSED_STREAM`, RFC 9113 §8.7) goes once more; the count of such retries
    /// comes back with the response.
    pub fn send(
        &self,
        destination: &Destination,
        open: impl Fn() -> Result<TcpStream, OpenError>,
        request: H2Request,
        deadline: Instant,
        max_body: usize,
    ) -> Result<Result<(Parts, u32), ChoseHttp11>, H2Failure> {
        let runtime = self.runtime()?;
        let key = destination.key;
        let mut refused = 0;
        loop {
            let sender = match self.sender(key) {
                Some(s) => s,
                None => {
                    let gate = Arc::clone(lock(&self.opening).entry(key.clone()).or_default());
                    let _opening = lock(&gate);
                    // Another worker may have opened it meanwhile.
                    if let Some(s) = self.sender(key) {
                        s
                    } else {
                        let tcp = open().map_err(H2Failure::Open)?;
                        let opened = runtime.block_on(within(
                            deadline,
                            "the HTTP/2 connection to open",
                            connect(tcp, destination.tls, destination.allow_http11),
                        ))?;
                        match opened {
                            Opened::H2(sender) => {
                                lock(&self.conns).insert(key.clone(), sender.clone());
                                sender
                            }
                            Opened::Http11 => {
                                lock(&self.chose_http11).insert(key.clone(), ());
                                return Ok(Err(ChoseHttp11));
                            }
                        }
                    }
                }
            };
            let attempt = clone_request(&request);
            let outcome = runtime.block_on(within(
                deadline,
                "the response",
                exchange(sender, attempt, max_body),
            ));
            match outcome {
                // The stream was refused, not the connection: the next try goes on the
                // same one unless it has closed.
                Err(H2Failure::Exchange(e)) if refused == 0 && was_refused(&e) => refused += 1,
                Err(e) => {
                    if matches!(e, H2Failure::Exchange(_) | H2Failure::TimedOut(_)) {
                        self.forget_if_closed(key);
                    }
                    return Err(e);
                }
                Ok(parts) => return Ok(Ok((parts, refused))),
            }
        }
    }

    /// The destination's connection, when it is still open.
    fn sender(&self, key: &PoolKey) -> Option<SendRequest<Full<Bytes>>> {
        let mut conns = lock(&self.conns);
        match conns.get(key) {
            Some(s) if !s.is_closed() => Some(s.clone()),
            Some(_) => {
                conns.remove(key);
                None
            }
            None => None,
        }
    }

    fn forget_if_closed(&self, key: &PoolKey) {
        let mut conns = lock(&self.conns);
        if conns.get(key).is_some_and(SendRequest::is_closed) {
            conns.remove(key);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `work` by `deadline`, or says what was still awaited.
async fn within<T>(
    deadline: Instant,
    waiting: &'static str,
    work: impl std::future::Future<Output = Result<T, H2Failure>>,
) -> Result<T, H2Failure> {
    tokio::time::timeout_at(deadline.into(), work)
        .await
        .unwrap_or(Err(H2Failure::TimedOut(waiting)))
}

enum Opened {
    H2(SendRequest<Full<Bytes>>),
    Http11,
}

/// TLS (when `tls`) and the HTTP/2 handshake over an open TCP connection; the
/// connection's task runs on the runtime until the connection ends.
async fn connect(
    tcp: TcpStream,
    tls: Option<&Tls>,
    allow_http11: bool,
) -> Result<Opened, H2Failure> {
    let io_error = |e: std::io::Error| H2Failure::Open(OpenError::Connect(e));
    tcp.set_nonblocking(true).map_err(io_error)?;
    let tcp = tokio::net::TcpStream::from_std(tcp).map_err(io_error)?;
    let builder = {
        let mut b = Builder::new(TokioExecutor::new());
        b.timer(TokioTimer::new());
        b
    };
    let Some(tls) = tls else {
        let (sender, connection) = builder
            .handshake(TokioIo::new(tcp))
            .await
            .map_err(H2Failure::Handshake)?;
        tokio::spawn(connection);
        return Ok(Opened::H2(sender));
    };
    let stream = tokio_rustls::TlsConnector::from(Arc::clone(&tls.config))
        .connect(tls.name.clone(), tcp)
        .await
        .map_err(|e| H2Failure::Open(OpenError::Tls(e)))?;
    match stream.get_ref().1.alpn_protocol() {
        Some(b"h2") => {}
        // A server that takes no part in ALPN speaks HTTP/1.1.
        Some(b"http/1.1") | None if allow_http11 => return Ok(Opened::Http11),
        other => {
            return Err(H2Failure::NotAgreed(
                other.map(|p| String::from_utf8_lossy(p).into_owned()),
            ))
        }
    }
    let (sender, connection) = builder
        .handshake(TokioIo::new(stream))
        .await
        .map_err(H2Failure::Handshake)?;
    tokio::spawn(connection);
    Ok(Opened::H2(sender))
}

/// One stream: the request out, the response head and its body (up to `max_body`) in.
async fn exchange(
    mut sender: SendRequest<Full<Bytes>>,
    request: H2Request,
    max_body: usize,
) -> Result<Parts, H2Failure> {
    sender.ready().await.map_err(H2Failure::Exchange)?;
    let response = sender
        .send_request(request)
        .await
        .map_err(H2Failure::Exchange)?;
    let (head, body) = response.into_parts();
    let body = match Limited::new(body, max_body).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Err(H2Failure::TooLarge)
        }
        Err(e) => match e.downcast::<hyper::Error>() {
            Ok(e) => return Err(H2Failure::Exchange(*e)),
            Err(e) => return Err(H2Failure::Body(e.to_string())),
        },
    };
    let headers = Headers::from_fields(
        head.headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    super::read::field_value(value.as_bytes()),
                )
            })
            .collect(),
    );
    Ok(Parts {
        status: head.status.as_u16(),
        reason: String::new(),
        version: "HTTP/2".into(),
        headers,
        body,
        reusable: true,
    })
}

fn clone_request(request: &H2Request) -> H2Request {
    let mut copy = hyper::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// The HTTP/2 error under a hyper error, if any.
pub(super) fn h2_error(e: &hyper::Error) -> Option<&h2::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(err) = cur {
        if let Some(h2) = err.downcast_ref::<h2::Error>() {
            return Some(h2);
        }
        cur = err.source();
    }
    None
}

/// The server refused the stream before processing it: `REFUSED_STREAM` (RFC 9113
/// §8.7), so the request may go again.
fn was_refused(e: &hyper::Error) -> bool {
    h2_error(e).is_some_and(|h2| h2.reason() == Some(h2::Reason::REFUSED_STREAM))
}
