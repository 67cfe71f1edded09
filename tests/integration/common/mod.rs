//! Test support: a small HTTP/1.1 server on 127.0.0.1 written on raw sockets, so tests
//! control the exact bytes (custom reason phrases, garbage, hangs, resets), and a
//! helper that runs the real `putcheck` binary.

pub mod h2;
pub mod hostile;
pub mod multipart;
pub mod prism;
pub mod tls;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    /// Path with query string.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// The body; empty when it was larger than `MAX_STORED_BODY` (see `body_len`).
    pub body: Vec<u8>,
    /// How many body bytes arrived (stored or only counted).
    pub body_len: u64,
}

/// Bodies larger than this are counted, not stored, so tests can send huge files.
pub const MAX_STORED_BODY: u64 = 1024 * 1024;

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What the server does with a request.
pub enum Action {
    Reply {
        status: u16,
        reason: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Write these bytes, then close the connection.
    Raw(Vec<u8>),
    /// Say nothing for this long, then close.
    Hang(Duration),
    /// Close without a response.
    Close,
}

impl Action {
    pub fn json(status: u16, body: serde_json::Value) -> Action {
        Action::Reply {
            status,
            reason: canonical(status).into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn text(status: u16, reason: &str, body: &str) -> Action {
        Action::Reply {
            status,
            reason: reason.into(),
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Action {
        if let Action::Reply { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

pub fn canonical(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        412 => "Precondition Failed",
        500 => "Internal Server Error",
        _ => "Unknown",
    }
}

type Handler = dyn Fn(&Req) -> Action + Send + Sync;

pub struct TestServer {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Req>>>,
    stop: Arc<AtomicBool>,
    pub in_flight_max: Arc<AtomicUsize>,
}

impl TestServer {
    pub fn start(handler: impl Fn(&Req) -> Action + Send + Sync + 'static) -> TestServer {
        Self::start_with(None, handler)
    }

    /// The same server speaking HTTPS with `config` (see `tls::Pki`).
    pub fn start_tls(
        config: Arc<rustls::ServerConfig>,
        handler: impl Fn(&Req) -> Action + Send + Sync + 'static,
    ) -> TestServer {
        Self::start_with(Some(config), handler)
    }

    fn start_with(
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: impl Fn(&Req) -> Action + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let in_flight_max = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        {
            let (log, stop, in_flight, in_flight_max) = (
                log.clone(),
                stop.clone(),
                in_flight.clone(),
                in_flight_max.clone(),
            );
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (log, handler, in_flight, in_flight_max) = (
                        log.clone(),
                        handler.clone(),
                        in_flight.clone(),
                        in_flight_max.clone(),
                    );
                    let tls = tls.clone();
                    std::thread::spawn(move || {
                        let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
                        match tls {
                            None => serve(conn, &*handler, &log, &in_flight, &in_flight_max),
                            Some(config) => {
                                let Ok(session) = rustls::ServerConnection::new(config) else {
                                    return;
                                };
                                let stream = rustls::StreamOwned::new(session, conn);
                                serve(stream, &*handler, &log, &in_flight, &in_flight_max)
                            }
                        }
                    });
                }
            });
        }
        TestServer {
            addr,
            log,
            stop,
            in_flight_max,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `https://` URL of a server started with `start_tls`.
    pub fn https_url(&self, path: &str) -> String {
        format!("https://{}{}", self.addr, path)
    }

    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().expect("log lock").clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve<S: Read + Write>(
    conn: S,
    handler: &Handler,
    log: &Mutex<Vec<Req>>,
    in_flight: &AtomicUsize,
    max: &AtomicUsize,
) {
    let mut reader = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default().to_string();
        let mut headers = Vec::new();
        loop {
            // Latin-1, as HTTP/1.1 (and Python's http.server) reads header bytes: a value
            // sent as Latin-1 arrives as the same text, one sent as UTF-8 does not.
            let mut raw = Vec::new();
            if reader.read_until(b'\n', &mut raw).unwrap_or(0) == 0 {
                return;
            }
            let h: String = raw.iter().map(|&b| char::from(b)).collect();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let find = |name: &str| {
            headers
                .iter()
                .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let mut body = Vec::new();
        let mut body_len = 0u64;
        if let Some(len) = find("content-length").and_then(|l| l.parse::<u64>().ok()) {
            body_len = len;
            if len > MAX_STORED_BODY {
                let copied = std::io::copy(&mut (&mut reader).take(len), &mut std::io::sink());
                if copied.ok() != Some(len) {
                    return;
                }
            } else {
                body.resize(len as usize, 0);
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
            }
        } else if find("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
            loop {
                let mut size = String::new();
                if reader.read_line(&mut size).unwrap_or(0) == 0 {
                    return;
                }
                let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0; n + 2];
                if reader.read_exact(&mut chunk).is_err() {
                    return;
                }
                if n == 0 {
                    break;
                }
                body_len += n as u64;
                if body_len <= MAX_STORED_BODY {
                    body.extend_from_slice(&chunk[..n]);
                } else {
                    body.clear();
                }
            }
        }
        let req = Req {
            method,
            target,
            headers,
            body,
            body_len,
        };
        log.lock().expect("log lock").push(req.clone());
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        max.fetch_max(now, Ordering::SeqCst);
        let action = handler(&req);
        in_flight.fetch_sub(1, Ordering::SeqCst);
        match action {
            Action::Reply {
                status,
                reason,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
                for (k, v) in &headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                let writer = reader.get_mut();
                if writer
                    .write_all(&bytes)
                    .and_then(|_| writer.flush())
                    .is_err()
                {
                    return;
                }
            }
            Action::Raw(bytes) => {
                let writer = reader.get_mut();
                let _ = writer.write_all(&bytes).and_then(|_| writer.flush());
                return;
            }
            Action::Hang(d) => {
                std::thread::sleep(d);
                return;
            }
            Action::Close => return,
        }
    }
}

/// Runs the putcheck binary in `dir` with stable output (no colour, no progress bar).
pub fn putcheck(dir: &Path, args: &[&str]) -> Output {
    putcheck_command(dir, args).output().expect("run putcheck")
}

/// The command `putcheck` runs: no proxy variables from the environment, no colour.
pub fn putcheck_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_putcheck"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    without_proxy_env(&mut cmd);
    // Run under GitHub Actions, the suite's own runs would annotate and write the job's
    // summary; tests that want that set these themselves.
    for name in ["GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE"] {
        cmd.env_remove(name);
    }
    cmd
}

/// Asserts the exit status, showing both output streams when it differs.
#[track_caller]
pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "{}{}", stdout(o), stderr(o));
}

/// A loopback port that refuses connections: bound but never listening, so connects
/// get a reset, and reserved while this lives, so no other test's server is given it.
pub struct RefusedPort {
    _socket: socket2::Socket,
    pub port: u16,
}

impl RefusedPort {
    pub fn new() -> RefusedPort {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        socket
            .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
            .expect("bind 127.0.0.1:0");
        let port = socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .map(|a| a.port())
            .expect("a bound port");
        RefusedPort {
            _socket: socket,
            port,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temporary folder holding spec files.
pub struct Specs {
    pub dir: tempfile::TempDir,
}

impl Specs {
    pub fn new() -> Specs {
        Specs {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write spec");
        path
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run putcheck")
    }

    /// The command `run` runs, to add environment variables or spawn it.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut all = vec!["--color", "never", "--no-progress"];
        all.extend_from_slice(args);
        putcheck_command(self.dir.path(), &all)
    }

    /// Runs with these environment variables set (proxy variables are cleared first).
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run putcheck")
    }

    /// The JSON report (`--json r.json`) of the run that gave `out`; a missing or broken
    /// report fails the test, showing that run's output.
    pub fn report(&self, out: &Output) -> serde_json::Value {
        let text = std::fs::read_to_string(self.path("r.json")).unwrap_or_else(|e| {
            panic!(
                "no report ({e}); stdout:\n{}\nstderr:\n{}",
                stdout(out),
                stderr(out)
            )
        });
        serde_json::from_str(&text).expect("report is JSON")
    }

    /// Runs with `--json r.json` added; returns the output and the parsed report.
    pub fn run_report(&self, args: &[&str]) -> (Output, serde_json::Value) {
        let mut all = args.to_vec();
        all.extend(["--json", "r.json"]);
        let out = self.run(&all);
        let report = self.report(&out);
        (out, report)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Replaces durations (`12ms`, `1.03s`) so console snapshots are stable.
pub fn normalize(text: &str, base: &str) -> String {
    let re = regex::Regex::new(r"\b\d+(\.\d+)?m?s\b").expect("regex");
    re.replace_all(&text.replace(base, "http://SERVER"), "<T>")
        .into_owned()
}

/// A real component a test needs (a system tool, a Python module, an npm package) is
/// missing. Locally the test is skipped with a line a person sees: it is written straight
/// to stderr, past the test harness's output capture, which would hide an `eprintln!` of a
/// passing test. Under CI (`CI=true`) a missing component fails the test instead: a silent
/// skip would be a green lie, and `.ci/run` is supposed to install it.
pub fn missing_component(test: &str, what: &str, install: &str) {
    let line = format!("SKIPPED: {test}: {what} is not available ({install})");
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{line}; under CI a missing component is a failure: .ci/run must install it");
    }
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Validates a JUnit file against the XSD in `tests/junit.xsd` (Jenkins' reading of the
/// format) with `xmllint`; `test` names the caller in the line shown when it is missing.
pub fn assert_valid_junit(test: &str, path: &Path) {
    let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/junit.xsd");
    match Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(path)
        .output()
    {
        Ok(v) => assert!(
            v.status.success(),
            "XSD validation failed: {}",
            String::from_utf8_lossy(&v.stderr)
        ),
        Err(_) => missing_component(test, "xmllint", "apt-get install libxml2-utils"),
    }
}

/// Checks a JSON report against its documented schema (`docs/report-schema.json`).
pub fn assert_follows_report_schema(report: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/report-schema.json"
    )))
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Takes the proxy variables out of a command's environment, so that a test's requests
/// go where the test sends them, whatever the machine's settings.
pub fn without_proxy_env(cmd: &mut Command) -> &mut Command {
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(name);
    }
    cmd
}

/// A Python that can `import requests`: `PUTCHECK_PARITY_PYTHON` when set (to compare
/// with another requests version), else `python3` on the PATH (a pyenv or venv one may
/// have it), then Debian's `/usr/bin/python3` (where `.ci/run` installs python3-requests).
pub fn python_with_requests() -> Option<String> {
    let chosen = std::env::var("PUTCHECK_PARITY_PYTHON").ok();
    let candidates: Vec<&str> = match &chosen {
        Some(p) => vec![p.as_str()],
        None => vec!["python3", "/usr/bin/python3"],
    };
    candidates
        .into_iter()
        .find(|py| {
            Command::new(py)
                .args(["-c", "import requests"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(str::to_string)
}

pub fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// The DOM after the page's script ran, as headless Chromium has it.
pub fn rendered_dom(browser: &str, file: &Path, fragment: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}{fragment}", file.display()))
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium: {}", stderr(&out));
    stdout(&out)
}
