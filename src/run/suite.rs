//! Running one spec file: its variables, its tests in order (or all at once with
//! `parallel: true`), retries, captures, idempotency sends and `finally` steps.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value;

use super::{
    is_sensitive, mask_headers, HopRecord, Outcome, Redactor, RequestRecord, RunConfig, SendRecord,
    TestResult,
};
use crate::check::{self, Failure, FailureKind};
use crate::http::{self, Client, Response};
use crate::plan::{test_id, PlannedSuite};
use crate::spec::template::{self, Lookup};
use crate::spec::{Auth, BodySpec, CaptureSource, Method, Suite, TestSpec};

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

pub(super) struct SuiteRun<'a> {
    index: usize,
    planned: &'a PlannedSuite,
    suite: &'a Suite,
    config: &'a RunConfig,
    client: &'a Client,
    cancel: &'a AtomicBool,
    /// Set once a test of this file has started: after an interrupt, a file's `finally`
    /// steps run only if something may need cleaning up.
    started: AtomicBool,
    scope: Scope<'a>,
    redactor: Redactor,
}

impl<'a> SuiteRun<'a> {
    pub(super) fn new(
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
            started: AtomicBool::new(false),
            scope,
            redactor,
        }
    }

    pub(super) fn run(&self, tx: &mpsc::Sender<TestResult>) {
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
        let interrupted =
            self.config.interrupt.is_set() && (!finally || !self.started.load(Ordering::SeqCst));
        if !finally && !interrupted && !skip {
            self.started.store(true, Ordering::SeqCst);
        }
        let result = if interrupted {
            let result =
                super::interrupt::interrupted(self.suite, (self.index, index), test, finally);
            self.redactor.value(result)
        } else if skip {
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
        if result.outcome.is_failure() && !finally {
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
            if attempt.cut_short && !finally {
                return self.result(
                    index,
                    test,
                    finally,
                    Outcome::Interrupted,
                    attempt_no,
                    started.elapsed(),
                    attempt,
                );
            }
            let passed = attempt.failures.is_empty();
            if passed && attempt_no > 1 {
                attempt.flaky_failures = std::mem::take(&mut last_failures);
            }
            // An interrupt (before or during the pause) means no retry: the verdict so far
            // stands.
            if passed || attempt_no >= max_attempts || !self.pause(interval) {
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
        }
    }

    /// Waits `interval` before a retry; false when the run is interrupted meanwhile.
    fn pause(&self, interval: Duration) -> bool {
        let until = Instant::now() + interval;
        while !self.config.interrupt.is_set() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
        false
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
            if is_sensitive(k) {
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
                if !results.is_empty() && self.config.interrupt.is_set() {
                    out.cut_short = true;
                    break;
                }
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
                if self.config.interrupt.is_set() {
                    out.cut_short = true;
                } else {
                    self.readback(&request, &spec.body, idem, &responses, &mut out);
                }
            }
            if out.cut_short {
                return out;
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
            Ok(after) => out.failures.extend(check::compare_states(
                &first,
                &after,
                responses.len(),
                &idem.ignore,
            )),
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
    /// The interrupt stopped it between sends.
    cut_short: bool,
}
