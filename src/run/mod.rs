//! Scheduling on a rayon pool and turning exchanges into results. The runner never
//! prints: it emits events, which the caller hands to the reporters.

mod redact;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::{self, Failure, FailureKind};
use crate::http::{self, Client, Hop, Response};
use crate::plan::{test_id, Plan, PlannedSuite};
use crate::spec::template::{self, Lookup};
use crate::spec::{Auth, BodySpec, CaptureSource, Method, SpecError, Suite, TestSpec};
pub use redact::{mask_headers, Redactor, MASK, SENSITIVE_HEADERS};

/// Settings of one run, from the command line.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Worker threads: tests waiting on the network at once.
    pub jobs: usize,
    /// Sends per PUT when a spec does not say (`--repeat`).
    pub repeat: u32,
    /// Extra attempts for a failing test when its spec has no `retry` (`--retries`).
    pub retries: u32,
    pub retry_interval: Duration,
    pub fail_fast: bool,
    pub cli_vars: HashMap<String, String>,
    /// Values given with `--secret NAME=VALUE`.
    pub cli_secrets: Vec<String>,
    /// How much of each body a result keeps for verbose output.
    pub preview_limit: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            jobs: DEFAULT_JOBS,
            repeat: 2,
            retries: 0,
            retry_interval: Duration::from_secs(1),
            fail_fast: false,
            cli_vars: HashMap::new(),
            cli_secrets: Vec::new(),
            preview_limit: 4096,
        }
    }
}

/// Default worker count. Tests spend their time waiting on the network, so the pool is
/// sized for waiting, not for cores: on a 2-core machine, 64 workers run a 500-test suite
/// with 20 ms latency 1.9x faster than 32 (README "Performance", bench/run.sh), while
/// staying polite to a staging server.
pub const DEFAULT_JOBS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// Passed, but only on a retry.
    Flaky,
    Failed,
    /// No verdict: the request could not be made or answered (transport, variables).
    Errored,
    /// Not started because of `--fail-fast`.
    Skipped,
}

impl Outcome {
    pub fn is_success(self) -> bool {
        matches!(self, Outcome::Passed | Outcome::Flaky)
    }
}

/// The request as sent (credentials masked), for verbose output and `--curl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestRecord {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The start of the body (see `preview_limit`).
    pub body_preview: String,
    /// The whole body's size in bytes (0 for a file, which is streamed).
    pub body_size: usize,
    /// Set when the body came from a file (`body_file`), which `--curl` sends with `@`.
    pub body_file: Option<String>,
}

/// One send of a request and what came back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendRecord {
    pub n: usize,
    pub status: Option<u16>,
    pub reason: Option<String>,
    pub version: Option<String>,
    /// Seconds.
    pub time: f64,
    pub headers: Vec<(String, String)>,
    pub body_size: usize,
    /// The start of the body, for verbose output.
    pub body_preview: String,
    pub redirects: Vec<HopRecord>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HopRecord {
    pub status: u16,
    pub method: String,
    pub url: String,
    pub location: String,
}

impl From<&Hop> for HopRecord {
    fn from(h: &Hop) -> Self {
        HopRecord {
            status: h.status,
            method: h.method.clone(),
            url: h.url.clone(),
            location: h.location.clone(),
        }
    }
}

/// Everything known about one finished test; what every reporter consumes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestResult {
    /// (file order, step order): sorting by it gives the same report on every run.
    pub seq: (usize, usize),
    pub file: String,
    pub suite: String,
    pub name: String,
    pub id: String,
    pub line: u64,
    pub column: u64,
    pub method: String,
    pub url: String,
    /// A `finally:` step rather than a test.
    pub finally: bool,
    pub outcome: Outcome,
    pub attempts: u32,
    /// Seconds, all attempts included.
    pub time: f64,
    pub request: Option<RequestRecord>,
    pub sends: Vec<SendRecord>,
    pub failures: Vec<Failure>,
    /// For a flaky test: what went wrong on the last attempt that failed.
    pub flaky_failures: Vec<Failure>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub flaky: usize,
    pub errored: usize,
    pub skipped: usize,
    /// Spec files that could not be loaded.
    pub invalid_files: usize,
    pub files: usize,
    /// Seconds of wall time.
    pub time: f64,
}

impl Summary {
    fn add(&mut self, r: &TestResult) {
        match r.outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Flaky => self.flaky += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Errored => self.errored += 1,
            Outcome::Skipped => self.skipped += 1,
        }
    }

    pub fn all_passed(&self) -> bool {
        self.failed == 0 && self.errored == 0
    }
}

/// What the runner tells reporters, in order: started, invalid files, each test as it
/// finishes, finished.
#[derive(Debug, Clone)]
pub enum Event {
    RunStarted {
        files: usize,
        tests: usize,
        jobs: usize,
    },
    SuiteInvalid {
        file: String,
        errors: Vec<SpecError>,
    },
    TestFinished(Box<TestResult>),
    RunFinished(Summary),
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start {jobs} worker threads: {source}")]
    Pool {
        jobs: usize,
        source: rayon::ThreadPoolBuildError,
    },
}

/// Runs the plan: files in parallel on a dedicated pool (blocking I/O never runs on
/// rayon's global pool), tests of a file in order. Events reach `on_event` on the
/// calling thread, as tests finish.
pub fn execute(
    plan: &Plan,
    config: &RunConfig,
    client: &Client,
    mut on_event: impl FnMut(&Event),
) -> Result<Summary, RunError> {
    let started = Instant::now();
    let jobs = config.jobs.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("putcheck-{i}"))
        .build()
        .map_err(|source| RunError::Pool { jobs, source })?;
    let mut summary = Summary {
        files: plan.suites.len() + plan.invalid.len(),
        invalid_files: plan.invalid.len(),
        ..Summary::default()
    };
    on_event(&Event::RunStarted {
        files: summary.files,
        tests: plan.test_count(),
        jobs,
    });
    for (file, errors) in &plan.invalid {
        on_event(&Event::SuiteInvalid {
            file: file.display().to_string(),
            errors: errors.clone(),
        });
    }
    let cancel = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<TestResult>();
    std::thread::scope(|scope| {
        let cancel = &cancel;
        scope.spawn(move || {
            pool.install(|| {
                plan.suites
                    .par_iter()
                    .enumerate()
                    .with_max_len(1)
                    .for_each_with(tx, |tx, (i, ps)| {
                        SuiteRun::new(i, ps, config, client, cancel).run(tx);
                    })
            })
        });
        for result in rx {
            summary.add(&result);
            on_event(&Event::TestFinished(Box::new(result)));
        }
    });
    summary.time = started.elapsed().as_secs_f64();
    on_event(&Event::RunFinished(summary.clone()));
    Ok(summary)
}

/// Variables in scope for a file: `--var` wins, then captures, then `vars`, then the
/// environment.
struct Scope<'a> {
    cli: &'a HashMap<String, String>,
    vars: HashMap<String, Value>,
    captures: Mutex<HashMap<String, Value>>,
}

impl Lookup for Scope<'_> {
    fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.cli.get(name) {
            return Some(Value::String(v.clone()));
        }
        if let Some(v) = self
            .captures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
        {
            return Some(v.clone());
        }
        if let Some(v) = self.vars.get(name) {
            return Some(v.clone());
        }
        std::env::var(name).ok().map(Value::String)
    }
}

struct SuiteRun<'a> {
    index: usize,
    planned: &'a PlannedSuite,
    suite: &'a Suite,
    config: &'a RunConfig,
    client: &'a Client,
    cancel: &'a AtomicBool,
    scope: Scope<'a>,
    redactor: Redactor,
}

impl<'a> SuiteRun<'a> {
    fn new(
        index: usize,
        planned: &'a PlannedSuite,
        config: &'a RunConfig,
        client: &'a Client,
        cancel: &'a AtomicBool,
    ) -> Self {
        let suite = &planned.suite;
        let mut scope = Scope {
            cli: &config.cli_vars,
            vars: HashMap::new(),
            captures: Mutex::new(HashMap::new()),
        };
        // vars may refer to earlier vars and to the environment.
        for (name, value) in &suite.vars {
            let rendered = template::render_value(value, &scope).unwrap_or_else(|_| value.clone());
            scope.vars.insert(name.clone(), rendered);
        }
        let mut redactor = Redactor::default();
        for s in &config.cli_secrets {
            redactor.add(s);
        }
        for name in &suite.secrets {
            if let Some(v) = scope.lookup(name) {
                redactor.add(&template::value_to_text(&v));
            }
        }
        SuiteRun {
            index,
            planned,
            suite,
            config,
            client,
            cancel,
            scope,
            redactor,
        }
    }

    fn run(&self, tx: &mpsc::Sender<TestResult>) {
        let emit = |r: TestResult| {
            let _ = tx.send(r);
        };
        if self.suite.parallel {
            self.planned
                .selected
                .par_iter()
                .with_max_len(1)
                .for_each(|&i| emit(self.guarded(i, &self.suite.tests[i], false)));
        } else {
            for &i in &self.planned.selected {
                emit(self.guarded(i, &self.suite.tests[i], false));
            }
        }
        let offset = self.suite.tests.len();
        for (i, step) in self.suite.finally.iter().enumerate() {
            emit(self.guarded(offset + i, step, true));
        }
    }

    /// Runs a test; a panic becomes an errored result instead of taking the run down.
    fn guarded(&self, index: usize, test: &TestSpec, finally: bool) -> TestResult {
        let skip = !finally && self.config.fail_fast && self.cancel.load(Ordering::SeqCst);
        let result = if skip {
            self.result(
                index,
                test,
                finally,
                Outcome::Skipped,
                0,
                Duration::ZERO,
                Attempt::default(),
            )
        } else {
            match std::panic::catch_unwind(AssertUnwindSafe(|| self.run_test(index, test, finally)))
            {
                Ok(r) => r,
                Err(panic) => {
                    let what = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    let attempt = Attempt {
                        failures: vec![Failure::new(
                            FailureKind::Transport,
                            "putcheck",
                            format!("internal error (a bug in putcheck, please report it): {what}"),
                        )],
                        ..Attempt::default()
                    };
                    self.result(
                        index,
                        test,
                        finally,
                        Outcome::Errored,
                        1,
                        Duration::ZERO,
                        attempt,
                    )
                }
            }
        };
        if !result.outcome.is_success() && result.outcome != Outcome::Skipped && !finally {
            self.cancel.store(true, Ordering::SeqCst);
        }
        result
    }

    fn run_test(&self, index: usize, test: &TestSpec, finally: bool) -> TestResult {
        let started = Instant::now();
        let (max_attempts, interval) = match test.retry {
            Some(r) => (1 + r.count, r.interval),
            None => (1 + self.config.retries, self.config.retry_interval),
        };
        let mut attempt_no = 0;
        let mut last_failures = Vec::new();
        loop {
            attempt_no += 1;
            let mut attempt = self.attempt(test);
            let passed = attempt.failures.is_empty();
            if passed && attempt_no > 1 {
                attempt.flaky_failures = std::mem::take(&mut last_failures);
            }
            if passed || attempt_no >= max_attempts {
                let outcome = if passed && attempt_no > 1 {
                    Outcome::Flaky
                } else if passed {
                    Outcome::Passed
                } else if attempt.failures.iter().all(|f| f.kind.is_error()) {
                    Outcome::Errored
                } else {
                    Outcome::Failed
                };
                return self.result(
                    index,
                    test,
                    finally,
                    outcome,
                    attempt_no,
                    started.elapsed(),
                    attempt,
                );
            }
            last_failures = attempt.failures;
            std::thread::sleep(interval);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn result(
        &self,
        index: usize,
        test: &TestSpec,
        finally: bool,
        outcome: Outcome,
        attempts: u32,
        time: Duration,
        attempt: Attempt,
    ) -> TestResult {
        let result = TestResult {
            seq: (self.index, index),
            file: self.suite.path.display().to_string(),
            suite: self.suite.name.clone(),
            name: test.name.clone(),
            id: test_id(self.suite, &test.name),
            line: test.pos.line,
            column: test.pos.column,
            method: test.method.as_str().to_string(),
            url: attempt.url.unwrap_or_else(|| test.url.clone()),
            finally,
            outcome,
            attempts,
            time: time.as_secs_f64(),
            request: attempt.request,
            sends: attempt.sends,
            failures: attempt.failures,
            flaky_failures: attempt.flaky_failures,
        };
        let mut redactor = self.redactor.clone();
        for s in &attempt.secrets {
            redactor.add(s);
        }
        redactor.value(result)
    }

    /// One attempt at a test: build, send (repeatedly for idempotency), check, capture.
    fn attempt(&self, test: &TestSpec) -> Attempt {
        let mut out = Attempt::default();
        let vars = &self.scope;
        let rendered = (|| -> Result<_, template::Undefined> {
            let base = self
                .suite
                .base_url
                .as_deref()
                .map(|b| template::render_str(b, vars))
                .transpose()?;
            Ok((
                base,
                template::render_str(&test.url, vars)?,
                test.request.render(vars)?,
            ))
        })();
        let (base, url, spec) = match rendered {
            Ok(r) => r,
            Err(e) => {
                out.failures.push(Failure::new(
                    FailureKind::Variable,
                    "variables",
                    format!("{e}; a capture it depends on may have failed in an earlier test"),
                ));
                return out;
            }
        };
        match &spec.auth {
            Some(Auth::Basic { user, password }) => {
                out.secrets.push(user.clone());
                out.secrets.push(password.clone());
            }
            Some(Auth::Bearer(t)) => out.secrets.push(t.clone()),
            None => {}
        }
        let request = match http::prepare(test.method, base.as_deref(), &url, &spec) {
            Ok(r) => r,
            Err(e) => {
                out.failures
                    .push(Failure::new(FailureKind::Transport, "request", e.message));
                return out;
            }
        };
        for (k, v) in &request.headers {
            if SENSITIVE_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
                out.secrets.push(v.clone());
                if let Some((_, token)) = v.split_once(' ') {
                    out.secrets.push(token.to_string());
                }
            }
        }
        out.url = Some(request.url.clone());
        out.request = Some(RequestRecord {
            method: request.method.clone(),
            url: request.url.clone(),
            headers: mask_headers(&request.headers),
            body_preview: request.body.preview(self.config.preview_limit),
            body_size: match &request.body {
                http::Body::Bytes(b, _) => b.len(),
                _ => 0,
            },
            body_file: match &request.body {
                http::Body::File(p) => Some(p.display().to_string()),
                _ => None,
            },
        });
        let idem = test.idempotency.as_ref();
        let sends = idem
            .map(|i| i.repeat.unwrap_or(self.config.repeat).max(1))
            .unwrap_or(1) as usize;
        let concurrent = idem.is_some_and(|i| i.concurrent) && sends > 1;
        let results: Vec<Result<Response, http::HttpError>> = if concurrent {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..sends)
                    .map(|_| s.spawn(|| self.client.send(&request)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(http::HttpError::new(
                                http::HttpErrorKind::Io,
                                "a concurrent send panicked",
                            ))
                        })
                    })
                    .collect()
            })
        } else {
            let mut results = Vec::with_capacity(sends);
            for _ in 0..sends {
                let r = self.client.send(&request);
                let failed = r.is_err();
                results.push(r);
                if failed {
                    break;
                }
            }
            results
        };
        let mut responses: Vec<Response> = Vec::new();
        for (i, r) in results.into_iter().enumerate() {
            let n = i + 1;
            match r {
                Ok(resp) => {
                    for mut f in check::check_response(&test.expect, &resp, vars) {
                        // The same failure on several sends is reported once, naming them.
                        match out.failures.iter_mut().find(|g| g.same_as(&f)) {
                            Some(g) => g.sends.push(n),
                            None => {
                                if sends > 1 {
                                    f.sends = vec![n];
                                }
                                out.failures.push(f);
                            }
                        }
                    }
                    out.sends.push(self.send_record(n, &resp));
                    responses.push(resp);
                }
                Err(e) => {
                    let mut f = Failure::new(FailureKind::Transport, "request", e.message.clone());
                    if sends > 1 {
                        f.sends = vec![n];
                    }
                    out.failures.push(f);
                    out.sends.push(SendRecord {
                        n,
                        status: None,
                        reason: None,
                        version: None,
                        time: 0.0,
                        headers: Vec::new(),
                        body_size: 0,
                        body_preview: String::new(),
                        redirects: Vec::new(),
                        error: Some(e.message),
                    });
                }
            }
        }
        for resp in &responses {
            for v in resp.header_all("set-cookie") {
                out.secrets.push(v.to_string());
            }
        }
        if let Some(idem) = idem {
            if responses.len() == sends && sends > 1 {
                let mut order: Vec<&Response> = responses.iter().collect();
                if concurrent {
                    // Arrival order is arbitrary: let the one 201 Created lead.
                    order.sort_by_key(|r| r.status != 201);
                }
                out.failures.extend(check::compare_sends(&order, idem));
            }
            if (idem.readback || idem.concurrent)
                && !responses.is_empty()
                && out.failures.iter().all(|f| !f.kind.is_error())
            {
                self.readback(&request, &spec.body, idem, &responses, &mut out);
            }
        }
        if out.failures.is_empty() {
            if let Some(last) = responses.last() {
                self.capture(test, last, &mut out);
            }
        }
        out
    }

    /// GET the same URL with the same headers: the state must hold what was sent; with
    /// `concurrent`, one more send must leave that state unchanged.
    fn readback(
        &self,
        request: &http::Request,
        body: &BodySpec,
        idem: &crate::spec::Idempotency,
        responses: &[Response],
        out: &mut Attempt,
    ) {
        let mut get = request.clone();
        get.method = Method::Get.as_str().to_string();
        get.body = http::Body::Empty;
        get.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        let first = match self.client.send(&get) {
            Ok(r) => r,
            Err(e) => {
                out.failures.push(Failure::new(
                    FailureKind::Readback,
                    "readback",
                    format!("the read-back GET failed: {}", e.message),
                ));
                return;
            }
        };
        if let BodySpec::Json(sent) = body {
            out.failures
                .extend(check::check_readback(sent, &first, &idem.ignore));
        } else if first.status / 100 != 2 {
            out.failures
                .extend(check::check_readback(&Value::Null, &first, &idem.ignore));
        }
        if !idem.concurrent || responses.is_empty() {
            return;
        }
        let again = self
            .client
            .send(request)
            .and_then(|_| self.client.send(&get));
        match again {
            Ok(after) => {
                if let (Some(a), Some(b)) = (&first.json, &after.json) {
                    let (a, b) = (
                        check::without_ignored(a, &idem.ignore),
                        check::without_ignored(b, &idem.ignore),
                    );
                    let paths = check::diff::differing_paths(&a, &b);
                    if !paths.is_empty() {
                        let mut f = Failure::new(
                            FailureKind::Idempotency,
                            "state",
                            format!(
                                "after {} concurrent sends the state differs from what one more send leaves, at {}: the endpoint is not idempotent under concurrency (a read-modify-write race?)",
                                responses.len(),
                                paths.join(", ")
                            ),
                        );
                        f.diff = Some(check::diff::diff_json(
                            &a,
                            &b,
                            "after concurrent sends",
                            "after one more send",
                        ));
                        f.paths = paths;
                        out.failures.push(f);
                    }
                }
            }
            Err(e) => out.failures.push(Failure::new(
                FailureKind::Readback,
                "readback",
                format!("the follow-up send failed: {}", e.message),
            )),
        }
    }

    fn capture(&self, test: &TestSpec, resp: &Response, out: &mut Attempt) {
        let mut captures = self
            .scope
            .captures
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for c in &test.capture {
            let value = match &c.source {
                CaptureSource::Header(h) => resp.header(h).map(|v| Value::String(v.to_string())),
                CaptureSource::Json(p) => resp.json.as_ref().and_then(|j| check::select(p, j)),
            };
            match value {
                Some(v) => {
                    captures.insert(c.name.clone(), v);
                }
                None => {
                    let from = match &c.source {
                        CaptureSource::Header(h) => format!("header `{h}`"),
                        CaptureSource::Json(p) => format!("JSONPath `{}`", p.source),
                    };
                    let mut f = Failure::new(
                        FailureKind::Capture,
                        format!("capture {}", c.name),
                        format!("cannot capture `{}`: the response has no {from}", c.name),
                    );
                    f.pos = Some(c.pos);
                    out.failures.push(f);
                }
            }
        }
    }

    fn send_record(&self, n: usize, resp: &Response) -> SendRecord {
        let limit = self.config.preview_limit;
        let mut body =
            String::from_utf8_lossy(&resp.body[..resp.body.len().min(limit)]).into_owned();
        if resp.body.len() > limit {
            body.push_str(&format!("… ({} bytes in all)", resp.body.len()));
        }
        SendRecord {
            n,
            status: Some(resp.status),
            reason: Some(resp.reason.clone()),
            version: Some(resp.version.clone()),
            time: resp.elapsed.as_secs_f64(),
            headers: mask_headers(&resp.headers),
            body_size: resp.body.len(),
            body_preview: body,
            redirects: resp.redirects.iter().map(HopRecord::from).collect(),
            error: None,
        }
    }
}

#[derive(Default)]
struct Attempt {
    url: Option<String>,
    request: Option<RequestRecord>,
    sends: Vec<SendRecord>,
    failures: Vec<Failure>,
    flaky_failures: Vec<Failure>,
    /// Values met while building the request that must never print.
    secrets: Vec<String>,
}
