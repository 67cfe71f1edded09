//! An embedded HTTP server to try putcheck against without a real API (`putcheck serve`),
//! also used by the tests. Besides an httpbin-style echo and a well-behaved resource
//! store, it has stores that break idempotency on purpose, one way each, so that every
//! kind of failure putcheck reports can be shown on something real.

pub mod bundle;
mod multipart;
mod orders;

use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::Hasher;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use percent_encoding::percent_decode_str;
use serde_json::{json, Map, Value};
use url::form_urlencoded;

/// Runtime threads for connections; handlers run on tokio's blocking pool, so a sleeping
/// `/racy` handler never stalls the rest of a test run.
const WORKERS: usize = 2;
const MAX_BODY: usize = 1 << 20;
/// Long enough that two PUTs sent "at the same time" reliably overlap on a busy machine.
const RACE_WINDOW: Duration = Duration::from_millis(100);

/// A running demo server; dropping it stops the server.
pub struct DemoServer {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot listen on `{addr}`: {cause}; is another process using the port?")]
    Listen { addr: String, cause: std::io::Error },
    #[error("cannot start the demo server: {0}")]
    Spawn(std::io::Error),
}

impl DemoServer {
    /// Binds `addr` (e.g. "127.0.0.1:8080" or "127.0.0.1:0" for an ephemeral port) and
    /// serves in a background thread.
    pub fn start(addr: &str) -> Result<DemoServer, DemoError> {
        let listen_error = |cause| DemoError::Listen {
            addr: addr.to_string(),
            cause,
        };
        // Bound here, not in the runtime thread, so a busy port is reported to the caller.
        let listener = std::net::TcpListener::bind(addr).map_err(listen_error)?;
        let bound = listener.local_addr().map_err(listen_error)?;
        listener.set_nonblocking(true).map_err(listen_error)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .thread_name("putcheck-demo")
            .enable_io()
            .enable_time()
            .build()
            .map_err(DemoError::Spawn)?;
        let state = Arc::new(State::new(bound));
        let (shutdown, stop) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("putcheck-demo".into())
            .spawn(move || runtime.block_on(accept_loop(listener, state, stop)))
            .map_err(DemoError::Spawn)?;
        Ok(DemoServer {
            addr: bound,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The bound address, e.g. 127.0.0.1:43117.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// "http://127.0.0.1:43117"
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Blocks forever serving (for `putcheck serve`).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panicked server thread has nothing left to clean up.
            let _ = thread.join();
        }
    }
}

async fn accept_loop(
    listener: std::net::TcpListener,
    state: Arc<State>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                // Out of file descriptors and the like: try again rather than stop serving.
                Err(_) => continue,
            },
        };
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |request| serve(Arc::clone(&state), peer, request));
            // A client that hangs up mid-request is no error of the server's.
            // HTTP/1.1, and HTTP/2 with prior knowledge (h2c), on the same port.
            let _ =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
        });
    }
}

/// Which resource store a path prefix names; each behaves differently on PUT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Items,
    Versioned,
    Stamped,
    Lossy,
    UnstableEtag,
    Racy,
    /// Well-behaved, and passes every HTTP-semantics probe.
    Widgets,
    /// PUT merges into what is stored instead of replacing it.
    Merging,
    /// PUT answers 201 Created every time.
    Recreating,
    /// PUT ignores `If-Match`.
    IgnoresIfMatch,
    /// PUT refuses an invalid body with 422, but stores it anyway.
    Lenient,
    /// A widget store that keeps numbers as doubles, as a JavaScript back end would.
    WidgetStore,
}

impl Kind {
    fn from_prefix(prefix: &str) -> Option<Kind> {
        Some(match prefix {
            "items" => Kind::Items,
            "versioned" => Kind::Versioned,
            "stamped" => Kind::Stamped,
            "lossy" => Kind::Lossy,
            "unstable-etag" => Kind::UnstableEtag,
            "racy" => Kind::Racy,
            "widgets" => Kind::Widgets,
            "merging" => Kind::Merging,
            "recreating" => Kind::Recreating,
            "ignores-if-match" => Kind::IgnoresIfMatch,
            "lenient" => Kind::Lenient,
            "widget-store" => Kind::WidgetStore,
            _ => return None,
        })
    }
}

type Object = Map<String, Value>;

struct State {
    addr: SocketAddr,
    store: Mutex<HashMap<(Kind, String), Object>>,
    counter: AtomicU64,
    /// The last `updated_at` given out, in milliseconds since the epoch.
    last_stamp: AtomicU64,
    orders: orders::Orders,
}

impl State {
    fn new(addr: SocketAddr) -> State {
        State {
            addr,
            store: Mutex::new(HashMap::new()),
            counter: AtomicU64::new(0),
            last_stamp: AtomicU64::new(0),
            orders: orders::Orders::default(),
        }
    }

    fn store(&self) -> MutexGuard<'_, HashMap<(Kind, String), Object>> {
        // A handler that panicked mid-request must not take the whole server down with it.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Now, but always later than the last stamp: two PUTs within one millisecond must
    /// still get different `updated_at` values, or `/stamped` would look idempotent.
    fn stamp(&self) -> SystemTime {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let prev = self
            .last_stamp
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
                Some(now.max(last + 1))
            })
            .unwrap_or(now); // ok: the closure always returns Some
        UNIX_EPOCH + Duration::from_millis(now.max(prev + 1))
    }
}

/// A request with its body read, so handlers need not deal with hyper or I/O.
struct Req {
    method: String,
    /// Path and query exactly as sent, still percent-encoded.
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    origin: String,
    /// The protocol the request came in on: `1.1`, `1.0` or `2`.
    version: &'static str,
    /// When the request's head had arrived.
    received: Instant,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        values.next().map(|(_, v)| v.as_str())
    }

    fn path(&self) -> &str {
        self.url.split_once('?').map_or(&self.url, |(path, _)| path)
    }

    fn query(&self) -> &str {
        self.url.split_once('?').map_or("", |(_, query)| query)
    }
}

struct Reply {
    status: u16,
    body: Option<Value>,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            body: Some(body),
            ..Reply::empty(status)
        }
    }

    fn empty(status: u16) -> Reply {
        Reply {
            status,
            body: None,
            headers: Vec::new(),
        }
    }

    fn error(status: u16, message: impl std::fmt::Display) -> Reply {
        Reply::json(status, json!({ "error": message.to_string() }))
    }

    fn not_found() -> Reply {
        Reply::error(404, "not found")
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    fn into_response(self) -> hyper::Response<Full<Bytes>> {
        let mut headers = self.headers;
        headers.push(("Server", "putcheck-demo".into()));
        let data = match self.body {
            Some(body) => {
                headers.push(("Content-Type", "application/json".into()));
                format!("{body:#}\n").into_bytes()
            }
            None => Vec::new(),
        };
        let mut response = hyper::Response::new(Full::new(Bytes::from(data)));
        *response.status_mut() = hyper::StatusCode::from_u16(self.status)
            .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in headers {
            // Only a client-supplied id could make a value invalid; dropping that header beats failing.
            if let Ok(value) = hyper::header::HeaderValue::from_str(&value) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

async fn serve(
    state: Arc<State>,
    peer: SocketAddr,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let received = Instant::now();
    let (parts, body) = request.into_parts();
    let reply = match read_body(body).await {
        Ok(body) => {
            let req = Req {
                method: parts.method.as_str().to_string(),
                url: parts
                    .uri
                    .path_and_query()
                    .map_or_else(|| parts.uri.to_string(), |p| p.as_str().to_string()),
                headers: parts
                    .headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
                body,
                origin: peer.ip().to_string(),
                version: match parts.version {
                    hyper::Version::HTTP_2 => "2",
                    hyper::Version::HTTP_10 => "1.0",
                    _ => "1.1",
                },
                received,
            };
            // Handlers take locks and may sleep (`/racy`): keep them off the async workers.
            tokio::task::spawn_blocking(move || route(&state, &req).unwrap_or_else(|reply| reply))
                .await
                .unwrap_or_else(|_| Reply::error(500, "the handler failed"))
        }
        Err(reply) => reply,
    };
    Ok(reply.into_response())
}

async fn read_body(body: Incoming) -> Result<Vec<u8>, Reply> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(Reply::error(413, format!("body exceeds {MAX_BODY} bytes")))
        }
        Err(e) => Err(Reply::error(400, format!("cannot read body: {e}"))),
    }
}

/// `Err` is only a shortcut for early replies; both sides are sent as they are.
fn route(state: &State, req: &Req) -> Result<Reply, Reply> {
    let method = req.method.as_str();
    let segments: Vec<&str> = req.path().split('/').skip(1).collect();
    match segments.as_slice() {
        [""] => {
            allow(method, &["GET"])?;
            Ok(index())
        }
        ["anything", ..] => echo(state, req),
        ["version"] => Ok(Reply::json(200, json!({ "version": req.version }))),
        [name @ ("get" | "put" | "post" | "patch" | "delete")] => {
            allow(method, &[name.to_ascii_uppercase().as_str()])?;
            echo(state, req)
        }
        ["status", code] => status(code),
        ["delay", ms] => delay(state, req, ms),
        [name @ ("orders" | "orders-unkeyed")] => {
            allow(method, &["POST"])?;
            orders::post(&state.orders, req, *name == "orders")
        }
        [prefix, id] if !id.is_empty() => match Kind::from_prefix(prefix) {
            Some(kind) => {
                allow(method, &["GET", "PUT", "DELETE"])?;
                resource(state, kind, req, id)
            }
            None => Err(Reply::not_found()),
        },
        _ => Err(Reply::not_found()),
    }
}

/// HEAD comes for free wherever GET is allowed: hyper drops the body.
fn allow(method: &str, allowed: &[&str]) -> Result<(), Reply> {
    let get = allowed.contains(&"GET");
    if allowed.contains(&method) || (get && method == "HEAD") {
        return Ok(());
    }
    let mut list = allowed.join(", ");
    if get {
        list.push_str(", HEAD");
    }
    Err(Reply::error(405, format!("method {method} not allowed")).header("Allow", list))
}

fn index() -> Reply {
    Reply::json(
        200,
        json!({
            "name": "putcheck demo server",
            "endpoints": {
                "/put /post /patch /delete /get": "httpbin-style echo; the method must match the path",
                "/anything[/...]": "httpbin-style echo for any method",
                "/status/{code}": "responds with that status code (200-599)",
                "/version": "any method: the HTTP version the request came in on (`1.1` or `2`; the port speaks HTTP/1.1 and h2c)",
                "/delay/{ms}": "echoes, that many milliseconds (at most 10000) after the request arrived; for latency in benchmarks",
                "/items/{id}": "GET/PUT/DELETE JSON objects; ETag and If-Match; well-behaved",
                "/versioned/{id}": "PUT increments `version` every time, even for identical bodies",
                "/stamped/{id}": "PUT adds a fresh `updated_at` and `request_id` every time",
                "/lossy/{id}": "PUT echoes the body but stores it without `tags` and with `name` lowercased",
                "/unstable-etag/{id}": "like /items, but the ETag changes on every response",
                "/racy/{id}": "check-then-act race: concurrent identical PUTs bump `revision` twice",
                "/widgets/{id}": "well-behaved and strict: replaces, adds `created_at`, ETag, If-Match and If-None-Match, refuses a non-integer `size` with 422",
                "/merging/{id}": "PUT merges into the stored object instead of replacing it",
                "/recreating/{id}": "PUT answers 201 Created every time",
                "/ignores-if-match/{id}": "like /items, but If-Match is ignored",
                "/lenient/{id}": "refuses a non-integer `size` with 422, then stores the body anyway",
                "/widget-store/{id}": "like /items, but numbers are stored as doubles: an integer beyond 2^53 or a decimal with many digits reads back rounded",
                "/orders": "POST with an Idempotency-Key: a repeat replays the first answer; the same key with another body is refused with 422",
                "/orders-unkeyed": "POST that ignores Idempotency-Key: every send creates a new order",
            }
        }),
    )
}

/// An echo that takes its time, so benchmarks can show a real API's latency.
fn delay(state: &State, req: &Req, ms: &str) -> Result<Reply, Reply> {
    let ms = ms
        .parse::<u64>()
        .ok()
        .filter(|ms| *ms <= 10_000)
        .ok_or_else(|| {
            Reply::error(400, "delay must be a number of milliseconds, at most 10000")
        })?;
    let reply = echo(state, req);
    // Counted from the request's arrival, with the echo built inside it: the answer
    // comes `ms` after the request, not `ms` plus the handler's own work.
    let due = req.received + Duration::from_millis(ms);
    if let Some(left) = due.checked_duration_since(Instant::now()) {
        std::thread::sleep(left);
    }
    reply
}

fn status(code: &str) -> Result<Reply, Reply> {
    let code = code
        .parse::<u16>()
        .ok()
        .filter(|c| (200..=599).contains(c))
        .ok_or_else(|| {
            Reply::error(
                400,
                "status must be a number from 200 to 599 (a 1xx is never a final response)",
            )
        })?;
    // These statuses must not carry a body (RFC 9110).
    Ok(if matches!(code, 204 | 304) {
        Reply::empty(code)
    } else {
        Reply::json(code, json!({ "status": code }))
    })
}

fn echo(state: &State, req: &Req) -> Result<Reply, Reply> {
    let (mut form, mut files) = (Map::new(), Map::new());
    let (media_type, params) = multipart::split_params(req.header("Content-Type").unwrap_or(""));
    match media_type.as_str() {
        "application/x-www-form-urlencoded" => form = url_encoded(&req.body),
        "multipart/form-data" => {
            let boundary = params
                .iter()
                .find(|(key, _)| key == "boundary")
                .ok_or_else(|| Reply::error(400, "multipart Content-Type without a boundary"))?;
            let parts =
                multipart::parse(&req.body, &boundary.1).map_err(|e| Reply::error(400, e))?;
            for part in parts {
                let target = if part.filename.is_some() {
                    &mut files
                } else {
                    &mut form
                };
                push(target, part.name, text(&part.data));
            }
        }
        _ => {}
    }
    let mut headers = Map::new();
    for (name, value) in &req.headers {
        let name = canonical_header(name);
        // httpbin folds repeated headers into one comma-separated value.
        match headers.get_mut(&name) {
            Some(Value::String(existing)) => *existing = format!("{existing},{value}"),
            _ => {
                headers.insert(name, value.clone().into());
            }
        }
    }
    let host = req
        .header("Host")
        .map_or_else(|| state.addr.to_string(), str::to_string);
    Ok(Reply::json(
        200,
        json!({
            "args": url_encoded(req.query().as_bytes()),
            "data": text(&req.body),
            "files": files,
            "form": form,
            "headers": headers,
            "json": serde_json::from_slice::<Value>(&req.body).unwrap_or(Value::Null),
            "origin": req.origin,
            "url": format!("http://{host}{}", req.url),
        }),
    ))
}

fn url_encoded(bytes: &[u8]) -> Object {
    let mut map = Map::new();
    for (key, value) in form_urlencoded::parse(bytes) {
        push(&mut map, key.into_owned(), value.into_owned().into());
    }
    map
}

/// Repeated keys become a list, as httpbin does for query strings and forms.
fn push(map: &mut Object, key: String, value: Value) {
    match map.get_mut(&key) {
        Some(Value::Array(list)) => list.push(value),
        Some(existing) => *existing = Value::Array(vec![existing.take(), value]),
        None => {
            map.insert(key, value);
        }
    }
}

/// Binary content is shown as a data URL, as httpbin does, rather than mangled into UTF-8.
fn text(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(_) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
            format!("data:application/octet-stream;base64,{encoded}").into()
        }
    }
}

/// `content-TYPE` → `Content-Type`: header names are case-insensitive, so echo one spelling.
fn canonical_header(name: &str) -> String {
    let words = name.split('-').map(|word| {
        let mut chars = word.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
        })
    });
    words.collect::<Vec<_>>().join("-")
}

fn resource(state: &State, kind: Kind, req: &Req, raw_id: &str) -> Result<Reply, Reply> {
    let id = percent_decode_str(raw_id)
        .decode_utf8()
        .map_err(|_| Reply::error(400, "resource id is not UTF-8"))?
        .into_owned();
    let key = (kind, id.clone());
    match req.method.as_str() {
        "PUT" => put(state, req, key),
        "DELETE" => {
            let mut store = state.store();
            let current = store.get(&key).ok_or_else(Reply::not_found)?;
            if kind == Kind::Items {
                check_if_match(req, Some(current))?;
            }
            store.remove(&key);
            Ok(Reply::empty(204))
        }
        _ => {
            let current = state.store().get(&key).cloned();
            let current = current.ok_or_else(Reply::not_found)?;
            let reply = Reply::json(200, with_id(&id, &current));
            Ok(with_etag(state, kind, &current, reply))
        }
    }
}

fn put(state: &State, req: &Req, key: (Kind, String)) -> Result<Reply, Reply> {
    let body = match serde_json::from_slice(&req.body) {
        Ok(Value::Object(body)) => body,
        Ok(_) => return Err(Reply::error(400, "body must be a JSON object")),
        Err(e) => return Err(Reply::error(400, format!("body is not valid JSON: {e}"))),
    };
    let (kind, id) = (key.0, key.1.as_str());
    if kind == Kind::Racy {
        // The check: is this body already stored? Its answer goes stale during the sleep,
        // which is the bug: two concurrent PUTs both decide to write, and both bump `revision`.
        let stored = state.store().get(&key).cloned();
        match stored {
            Some(stored) if without(&stored, "revision") == without(&body, "revision") => {
                return Ok(Reply::json(200, with_id(id, &stored)));
            }
            _ => std::thread::sleep(RACE_WINDOW),
        }
    }
    let invalid = match kind {
        Kind::Widgets | Kind::Lenient => invalid_widget(&body),
        _ => None,
    };
    let mut store = state.store();
    let previous = store.get(&key);
    if matches!(kind, Kind::Items | Kind::Widgets) {
        check_if_match(req, previous)?;
    }
    if kind == Kind::Widgets {
        check_if_none_match(req, previous)?;
        if let Some(why) = &invalid {
            return Err(Reply::error(422, why));
        }
    }
    let created = previous.is_none() || kind == Kind::Recreating;
    let (stored, response) = match kind {
        Kind::Items | Kind::UnstableEtag | Kind::Recreating | Kind::IgnoresIfMatch => {
            (body.clone(), body)
        }
        Kind::Widgets => {
            // The server's own field: set when the widget is created, kept by replacements.
            let created_at = previous
                .and_then(|p| p.get("created_at"))
                .cloned()
                .unwrap_or_else(|| rfc3339(state.stamp()).into());
            let mut stored = body;
            stored.insert("created_at".into(), created_at);
            (stored.clone(), stored)
        }
        Kind::Merging => {
            let mut stored = previous.cloned().unwrap_or_default();
            stored.extend(body);
            (stored.clone(), stored)
        }
        Kind::Lenient => {
            if let Some(why) = invalid {
                // The bug on show: the refusal is only words, the body is stored.
                store.insert(key.clone(), body);
                return Err(Reply::error(422, why));
            }
            (body.clone(), body)
        }
        Kind::Versioned | Kind::Racy => {
            let field = if kind == Kind::Racy {
                "revision"
            } else {
                "version"
            };
            let old = previous.and_then(|p| p.get(field)).and_then(Value::as_u64);
            let mut stored = body;
            stored.insert(field.into(), (old.unwrap_or(0) + 1).into());
            (stored.clone(), stored)
        }
        Kind::Stamped => {
            let mut stored = body;
            stored.insert("updated_at".into(), rfc3339(state.stamp()).into());
            let mut response = stored.clone();
            response.insert("request_id".into(), format!("{:016x}", state.next()).into());
            (stored, response)
        }
        Kind::WidgetStore => {
            // The bug on show: every number goes through an f64, as JSON.parse does.
            let stored: Object = body.into_iter().map(|(k, v)| (k, as_doubles(v))).collect();
            (stored.clone(), stored)
        }
        Kind::Lossy => {
            let mut stored = body.clone();
            stored.remove("tags");
            if let Some(Value::String(name)) = stored.get_mut("name") {
                *name = name.to_lowercase();
            }
            (stored, body)
        }
    };
    store.insert(key.clone(), stored.clone());
    drop(store);
    let reply = Reply::json(if created { 201 } else { 200 }, with_id(id, &response));
    let reply = with_etag(state, kind, &stored, reply);
    Ok(if created {
        reply.header("Location", req.path())
    } else {
        reply
    })
}

/// Every number as the nearest double (`9007199254740993` → `9007199254740992.0`).
fn as_doubles(v: Value) -> Value {
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Value::Array(items) => Value::Array(items.into_iter().map(as_doubles).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, as_doubles(v))).collect()),
        other => other,
    }
}

fn without(object: &Object, field: &str) -> Object {
    let mut copy = object.clone();
    copy.remove(field);
    copy
}

/// The stored object with the id from the path first; the path wins over any `id` in the body.
fn with_id(id: &str, stored: &Object) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), id.into());
    let rest = stored.iter().filter(|(k, _)| *k != "id");
    out.extend(rest.map(|(k, v)| (k.clone(), v.clone())));
    Value::Object(out)
}

fn with_etag(state: &State, kind: Kind, stored: &Object, reply: Reply) -> Reply {
    match kind {
        Kind::Items | Kind::Widgets | Kind::IgnoresIfMatch => reply.header("ETag", etag(stored)),
        Kind::UnstableEtag => {
            let tag = etag(stored);
            let tag = format!("{}-{}\"", tag.trim_end_matches('"'), state.next());
            reply.header("ETag", tag)
        }
        _ => reply,
    }
}

/// FNV rather than `DefaultHasher` so ETags survive a rebuild, and keys are sorted so
/// that `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same representation.
fn etag(stored: &Object) -> String {
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(
        canonical(&Value::Object(stored.clone()))
            .to_string()
            .as_bytes(),
    );
    format!("\"{:016x}\"", hasher.finish())
}

fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Why a widget body is refused: `size`, when given, must be a whole number.
fn invalid_widget(body: &Object) -> Option<String> {
    match body.get("size") {
        None => None,
        Some(v) if v.is_u64() || v.is_i64() => None,
        Some(v) => Some(format!("`size` must be a whole number, not {v}")),
    }
}

/// RFC 9110 §13.1.2: `If-None-Match: *` creates only; a matching ETag refuses the PUT.
fn check_if_none_match(req: &Req, current: Option<&Object>) -> Result<(), Reply> {
    let (Some(wanted), Some(current)) = (req.header("If-None-Match"), current) else {
        return Ok(());
    };
    let tag = etag(current);
    let matches = wanted
        .split(',')
        .map(str::trim)
        .any(|w| w == "*" || w == tag);
    if matches {
        return Err(Reply::error(412, "If-None-Match: the resource exists").header("ETag", tag));
    }
    Ok(())
}

/// RFC 9110: a PUT that would create the resource fails any If-Match, even `*`.
fn check_if_match(req: &Req, current: Option<&Object>) -> Result<(), Reply> {
    let Some(wanted) = req.header("If-Match") else {
        return Ok(());
    };
    let current_tag = current.map(etag);
    let matches = current_tag.as_deref().is_some_and(|tag| {
        wanted
            .split(',')
            .map(str::trim)
            .any(|w| w == "*" || w == tag)
    });
    if matches {
        return Ok(());
    }
    let reply = Reply::error(412, "If-Match does not match the current ETag");
    Err(match current_tag {
        Some(tag) => reply.header("ETag", tag),
        None => reply,
    })
}

/// RFC 3339 in UTC with milliseconds, e.g. `2026-11-25T16:45:01.123Z`.
fn rfc3339(time: SystemTime) -> String {
    // Only a clock set before 1970 fails here; the epoch is as good an answer as any.
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since_epoch.as_secs();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let (h, m, s) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    let millis = since_epoch.subsec_millis();
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{millis:03}Z")
}

/// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_always_move_forward() {
        let state = State::new(SocketAddr::from(([127, 0, 0, 1], 1)));
        let stamps: Vec<SystemTime> = (0..1000).map(|_| state.stamp()).collect();
        assert!(stamps.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn formats_rfc3339() {
        let at = |secs: u64, millis: u64| {
            rfc3339(UNIX_EPOCH + Duration::from_millis(secs * 1000 + millis))
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.007Z");
        assert_eq!(at(1_795_625_101, 123), "2026-11-25T16:45:01.123Z");
        assert_eq!(at(4_107_542_399, 999), "2100-02-28T23:59:59.999Z");
    }

    #[test]
    fn etag_ignores_key_order_but_not_content() {
        let object = |v: Value| v.as_object().cloned().unwrap_or_default();
        let a = object(json!({"a": 1, "b": {"x": 1, "y": 2}}));
        let b = object(json!({"b": {"y": 2, "x": 1}, "a": 1}));
        assert_eq!(etag(&a), etag(&b));
        assert_ne!(
            etag(&a),
            etag(&object(json!({"a": 2, "b": {"x": 1, "y": 2}})))
        );
    }

    #[test]
    fn canonicalises_header_names() {
        assert_eq!(canonical_header("content-TYPE"), "Content-Type");
        assert_eq!(canonical_header("x-a--b"), "X-A--B");
    }

    #[test]
    fn repeated_keys_become_lists() {
        let mut map = Map::new();
        for v in ["1", "2", "3"] {
            push(&mut map, "k".into(), v.into());
        }
        push(&mut map, "j".into(), "x".into());
        assert_eq!(Value::Object(map), json!({"k": ["1", "2", "3"], "j": "x"}));
    }
}
