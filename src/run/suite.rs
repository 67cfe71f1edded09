//! Running one spec file: its variables, its tests in order (or all at once with
//! `parallel: true`), retries, captures, idempotency sends and `finally` steps.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value;

use super::prepare;
use super::sequence::{request_record, Sequence};
use super::shell::ShellRequest;
use super::{
    is_sensitive, ExchangeKind, Outcome, Redactor, RequestRecord, RunConfig, SemanticCheck,
    SendRecord, TestResult,
};
use crate::check::{self, Failure, FailureKind};
use crate::http::{self, Client, Response};
use crate::plan::{test_id, PlannedSuite};
use crate::spec::template::{self, Lookup};
use crate::spec::{Auth, BodySpec, Readback, Reject, Suite, TestSpec};

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
        for (name, value) in &config.cli_secrets {
            redactor.add_named(value, Some(name));
        }
        for name in &suite.secrets {
            if let Some(v) = scope.lookup(name) {
                redactor.add_named(&template::value_to_text(&v), Some(name));
            }
        }
        for (name, fallback) in &suite.secret_fallbacks {
            redactor.add_named(fallback, Some(name));
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
        let name = self.label(test);
        let result = TestResult {
            seq: (self.index, index),
            file: self.suite.path.display().to_string(),
            suite: self.suite.name.clone(),
            id: test_id(self.suite, &name),
            name,
            line: test.pos.line,
            column: test.pos.column,
            method: test.method.as_str().to_string(),
            url: attempt.url.unwrap_or_else(|| test.url.clone()),
            finally,
            outcome,
            attempts,
            time: time.as_secs_f64(),
            request: attempt.request,
            checks: semantic_checks(test, &attempt.sends),
            sends: attempt.sends,
            failures: attempt.failures,
            flaky_failures: attempt.flaky_failures,
            shell: None,
        };
        let mut redactor = self.redactor.clone();
        for (secret, name) in &attempt.secrets {
            redactor.add_named(secret, *name);
        }
        // Masking goes through serde, which drops the `--curl` requests: they hold
        // variable names, never secrets, so they are put back afterwards.
        let shells: Vec<_> = result.sends.iter().map(|s| s.shell.clone()).collect();
        let mut result = redactor.value(result);
        result.shell = attempt.shell;
        for (send, shell) in result.sends.iter_mut().zip(shells) {
            send.shell = shell;
        }
        result
    }

    /// The test's name, or for an unnamed step `DELETE /items/widget-1`: its method and
    /// URL (as written, without `base_url`) with the variables it can fill in.
    fn label(&self, test: &TestSpec) -> String {
        if test.named {
            return test.name.clone();
        }
        match template::render_str(&test.url, &self.scope) {
            Ok(url) => format!("{} {url}", test.method.as_str()),
            Err(_) => test.name.clone(),
        }
    }

    /// One attempt at a test: build, send (repeatedly for idempotency), check, capture.
    fn attempt(&self, test: &TestSpec) -> Attempt {
        let mut out = Attempt::default();
        // A generated test's `${generate.n}` is its body's number (1 for the request
        // shown as the test's own).
        let first = super::generated::BodyVars {
            inner: &self.scope,
            n: 1,
        };
        let vars: &dyn Lookup = if test.generate.is_some() {
            &first
        } else {
            &self.scope
        };
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
        out.secrets.extend(auth_secrets(&spec.auth));
        let request = match prepare::prepare(test.method, base.as_deref(), &url, &spec) {
            Ok(r) => r,
            Err(e) => {
                out.failures
                    .push(Failure::new(FailureKind::Transport, "request", e.message));
                return out;
            }
        };
        out.secrets.extend(header_secrets(&request.headers));
        out.secrets.extend(url_secrets(&request.parsed_url));
        out.url = Some(request.url.clone());
        out.request = Some(request_record(
            &request,
            self.client.http_version(),
            self.config.preview_limit,
        ));
        let reject = match test.idempotency.as_ref().and_then(|i| i.reject.as_ref()) {
            Some(reject) => {
                match self.reject_request(test, base.as_deref(), &url, reject, vars, &mut out) {
                    Some(r) => Some(r),
                    None => return out,
                }
            }
            None => None,
        };
        let sent_json = match &spec.body {
            BodySpec::Json(v) => Some(v.clone()),
            _ => None,
        };
        let mut redactor = self.redactor.clone();
        for (secret, name) in &out.secrets {
            redactor.add_named(secret, *name);
        }
        let shell = |r: &http::Request| {
            let version = r.http_version.unwrap_or(self.client.http_version());
            ShellRequest::new(r, version, spec.auth.as_ref(), &redactor)
        };
        let shell: Option<&dyn Fn(&http::Request) -> ShellRequest> =
            self.config.shell_commands.then_some(&shell);
        out.shell = shell.map(|shell| shell(&request));
        let sequence = Sequence {
            client: self.client,
            preview_limit: self.config.preview_limit,
            default_repeat: self.config.repeat,
            shell,
            interrupt: &self.config.interrupt,
        };
        if let Some(generate) = &test.generate {
            let id = test_id(self.suite, &test.name);
            let generated = super::generated::GeneratedTest {
                test,
                source: &self.suite.source,
                generate,
                sequence: &sequence,
                base: base.as_deref(),
                vars: &self.scope,
                run_seed: self.config.seed,
                test_seed: super::generated::test_seed(self.config.seed, &id),
                budget: &self.config.generate_budget,
                progress: &self.config.generate_progress,
                id: &id,
                cookies: Default::default(),
                preview_limit: self.config.preview_limit,
            }
            .run();
            let cookies = generated.secrets.into_iter().map(|c| (c, None));
            out.secrets.extend(cookies);
            out.sends = generated.records;
            out.cut_short = generated.cut_short;
            out.failures = generated.failures;
            out.shell = generated.shell;
            return out;
        }
        let recording = sequence.perform(test, &request, sent_json, reject.as_ref());
        for resp in recording.recorded.responses() {
            for v in resp.header_all("set-cookie") {
                out.secrets.push((v.to_string(), None));
            }
        }
        out.sends = recording.records;
        if recording.cut_short {
            out.cut_short = true;
            return out;
        }
        out.failures = check::judge(test, &recording.recorded, vars);
        if out.failures.is_empty() {
            if let Some(Ok(last)) = recording.recorded.sends.last() {
                self.capture(test, last, &mut out);
            }
        }
        out
    }

    /// The `reject:` variant of the test's request, rendered and prepared.
    fn reject_request(
        &self,
        test: &TestSpec,
        base: Option<&str>,
        url: &str,
        reject: &Reject,
        vars: &dyn Lookup,
        out: &mut Attempt,
    ) -> Option<http::Request> {
        let spec = match reject.request.render(vars) {
            Ok(s) => s,
            Err(e) => {
                out.failures.push(Failure::new(
                    FailureKind::Variable,
                    "reject probe",
                    format!("{e}; a capture it depends on may have failed in an earlier test"),
                ));
                return None;
            }
        };
        out.secrets.extend(auth_secrets(&spec.auth));
        match prepare::prepare(test.method, base, url, &spec) {
            Ok(r) => {
                out.secrets.extend(header_secrets(&r.headers));
                out.secrets.extend(url_secrets(&r.parsed_url));
                Some(r)
            }
            Err(e) => {
                out.failures.push(Failure::new(
                    FailureKind::Transport,
                    "reject probe",
                    e.message,
                ));
                None
            }
        }
    }

    /// Stores what the captures take from the last response (`check::capture` decides
    /// each one) and records the captures that found nothing.
    fn capture(&self, test: &TestSpec, resp: &Response, out: &mut Attempt) {
        let mut captures = self
            .scope
            .captures
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for c in &test.capture {
            match check::capture(c, resp) {
                Ok(v) => {
                    captures.insert(c.name.clone(), v);
                }
                Err(f) => out.failures.push(*f),
            }
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
    /// Values met while building the request that must never print, with the variable
    /// `--curl` names for each.
    secrets: Vec<(String, Option<&'static str>)>,
    shell: Option<ShellRequest>,
    /// The interrupt stopped it between sends.
    cut_short: bool,
}

/// The PUT-semantics checks whose requests a test's sequence made.
fn semantic_checks(test: &TestSpec, sends: &[SendRecord]) -> Vec<SemanticCheck> {
    let Some(idem) = test.idempotency.as_ref() else {
        return Vec::new();
    };
    let own = sends
        .iter()
        .filter(|s| s.kind == ExchangeKind::Send)
        .count();
    let made = |label: &str| sends.iter().any(|s| s.label == label);
    let readback = made("read-back");
    [
        (SemanticCheck::Repeat, own > 1),
        (SemanticCheck::Readback, readback),
        (
            SemanticCheck::ReadbackExact,
            readback && idem.readback == Readback::Exact,
        ),
        (SemanticCheck::CreatedOnce, own > 1 && idem.created_once),
        (SemanticCheck::Conditional, made("conditional probe")),
        (SemanticCheck::Reject, made("reject probe")),
        (SemanticCheck::Concurrent, own > 1 && idem.concurrent),
    ]
    .into_iter()
    .filter_map(|(check, ran)| ran.then_some(check))
    .collect()
}

/// Credentials in `auth`, which must never print, with the variable `--curl` names each.
/// A basic-auth user name is not one: it is masked inside the credentials it is part of
/// (the `Authorization` header, always masked) and shows everywhere else, as requests
/// and curl show it; masked everywhere, a user `cal` would print `DELETE /***/ev.ics`.
/// A user name held by a declared secret (`${BASIC_AUTH_USER}` under `secrets:`) stays
/// masked with that secret.
fn auth_secrets(auth: &Option<Auth>) -> Vec<(String, Option<&'static str>)> {
    match auth {
        Some(Auth::Basic { password, .. }) => vec![(password.clone(), Some("AUTH_PASSWORD"))],
        Some(Auth::Bearer(t)) => vec![(t.clone(), Some("AUTH_TOKEN"))],
        None => Vec::new(),
    }
}

/// A password in the URL (`http://user:password@host/`), as written and decoded.
fn url_secrets(url: &url::Url) -> Vec<(String, Option<&'static str>)> {
    let (Some(raw), Some((_, decoded))) = (url.password(), http::url_credentials(url)) else {
        return Vec::new();
    };
    vec![
        (raw.to_string(), Some("URL_PASSWORD")),
        (decoded, Some("URL_PASSWORD")),
    ]
}

/// Values of credential headers (and their tokens after the scheme), which must never print.
fn header_secrets(headers: &[(String, String)]) -> Vec<(String, Option<&'static str>)> {
    let mut out = Vec::new();
    for (k, v) in headers {
        if is_sensitive(k) {
            out.push((v.clone(), None));
            if let Some((_, token)) = v.split_once(' ') {
                out.push((token.to_string(), None));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use crate::check::FailureKind;
    use crate::demo::DemoServer;
    use crate::http::{Client, EnvProxies};
    use crate::plan::{Plan, PlannedSuite};
    use crate::run::{execute, Event, Outcome, RunConfig, TestResult};
    use crate::spec::{load_str, LoadContext};

    /// A spec file run against the embedded demo; the results in file order.
    fn run(source: &str) -> Vec<TestResult> {
        let demo = DemoServer::start("127.0.0.1:0").expect("the demo starts");
        let source = source.replace("BASE", &demo.base_url());
        let env = |_: &str| None;
        let ctx = LoadContext {
            cli_vars: &Default::default(),
            env: &env,
            listing: false,
        };
        let suite =
            load_str(Path::new("run-captures.yaml"), &source, &ctx).expect("the spec loads");
        let plan = Plan {
            suites: vec![PlannedSuite {
                selected: (0..suite.tests.len()).collect(),
                suite: Arc::new(suite),
            }],
            invalid: Vec::new(),
        };
        let config = RunConfig {
            jobs: 1,
            ..RunConfig::default()
        };
        let client = Client::new(1, 1 << 20, EnvProxies::from_lookup(|_| None));
        let mut results = Vec::new();
        execute(&plan, &config, &client, &mut |e: &Event| {
            if let Event::TestFinished(r) = e {
                results.push((**r).clone());
            }
        })
        .expect("the run starts");
        results.sort_by_key(|r| r.seq);
        results
    }

    #[test]
    fn captures_flow_on_and_a_capture_that_finds_nothing_fails_its_test() {
        let results = run(r#"name: captures
base_url: BASE
tests:
  - name: create
    put: /items/cap-1
    json: { name: widget }
    capture:
      etag: { header: ETag }
      name: { json: $.name }
  - name: capture what is not there
    put: /items/cap-2
    json: { name: gadget }
    capture:
      token: { header: X-Token }
      missing: { json: $.missing }
  - name: use what was captured
    put: /items/${name}-${etag}
    json: { name: widget }
  - name: use what was not
    put: /items/${token}
    json: { name: gadget }
"#);
        let outcomes: Vec<Outcome> = results.iter().map(|r| r.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Passed,
                Outcome::Failed,
                Outcome::Passed,
                Outcome::Errored
            ]
        );
        let captured = &results[2].url;
        assert!(captured.contains("/items/widget-"), "{captured}");
        assert!(!captured.contains("${"), "{captured}");
        let failed: Vec<(FailureKind, &str, &str, u64)> = results[1]
            .failures
            .iter()
            .map(|f| {
                (
                    f.kind,
                    f.subject.as_str(),
                    f.message.as_str(),
                    f.pos.map_or(0, |p| p.line),
                )
            })
            .collect();
        assert_eq!(
            failed,
            [
                (
                    FailureKind::Capture,
                    "capture token",
                    "cannot capture `token`: the response has no header `X-Token`",
                    14
                ),
                (
                    FailureKind::Capture,
                    "capture missing",
                    "cannot capture `missing`: the response has no JSONPath `$.missing`",
                    15
                ),
            ]
        );
        let errored = &results[3].failures;
        assert_eq!(errored.len(), 1, "{errored:#?}");
        assert_eq!(errored[0].kind, FailureKind::Variable);
        assert!(
            errored[0]
                .message
                .ends_with("; a capture it depends on may have failed in an earlier test"),
            "{}",
            errored[0].message
        );
    }
}
