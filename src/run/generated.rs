//! A `generate:` test: valid bodies made from the schema, one after another on the
//! test's URL, each through the test's whole sequence and judgement (as if written in
//! `json:`); then invalid bodies, each through a reject probe. The first body that fails
//! is shrunk to a small body that still fails, shown as a ready-to-paste YAML test.
//! Bodies come from the run's seed (`--seed`), so a run repeats exactly.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;

use super::sequence::{request_record, Sequence};
use super::SendRecord;
use crate::check::{self, Failure, FailureKind};
use crate::http;
use crate::spec::template::{self, Lookup};
use crate::spec::{
    BodySpec, Expect, Generate, Idempotency, Reject, RequestSpec, StatusPattern, TestSpec,
};
use crate::values::{invalid, shrink, Generator};

/// The most runs of the test's sequence spent shrinking one failing body.
const SHRINK_RUNS: usize = 100;
/// Seeds tried for one valid body before the generator is declared at fault.
const TRIES: u64 = 16;

/// `--generate-budget N`: the most generated bodies a whole run sends (shared by every
/// worker); unlimited by default.
#[derive(Debug, Clone, Default)]
pub struct GenerateBudget(Option<Arc<AtomicUsize>>);

impl GenerateBudget {
    pub fn new(most: Option<usize>) -> Self {
        GenerateBudget(most.map(|n| Arc::new(AtomicUsize::new(n))))
    }

    /// Takes one body from the budget; false when it is spent.
    fn take(&self) -> bool {
        match &self.0 {
            None => true,
            Some(left) => left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

/// Which generated tests are running and how far each is, for the console's progress
/// bar: workers update it, the run's thread polls it (`Event::Progress`).
#[derive(Debug, Clone, Default)]
pub struct GenerateProgress(Arc<std::sync::Mutex<ProgressState>>);

#[derive(Debug, Default)]
struct ProgressState {
    version: u64,
    seen: u64,
    /// (test id, bodies sent, bodies planned), in the order the tests started.
    running: Vec<(String, u32, u32)>,
}

impl GenerateProgress {
    fn state(&self) -> std::sync::MutexGuard<'_, ProgressState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set(&self, id: &str, done: u32, total: u32) {
        let mut s = self.state();
        s.version += 1;
        match s.running.iter_mut().find(|(i, _, _)| i == id) {
            Some(entry) => (entry.1, entry.2) = (done, total),
            None => s.running.push((id.to_string(), done, total)),
        }
    }

    fn clear(&self, id: &str) {
        let mut s = self.state();
        s.version += 1;
        s.running.retain(|(i, _, _)| i != id);
    }

    /// What changed since the last poll: `generating file::name: body 12/50` (and how
    /// many other generated tests run), or an empty text once none runs.
    pub fn poll(&self) -> Option<String> {
        let mut s = self.state();
        if s.version == s.seen {
            return None;
        }
        s.seen = s.version;
        Some(match s.running.first() {
            None => String::new(),
            Some((id, done, total)) => {
                let more = match s.running.len() - 1 {
                    0 => String::new(),
                    n => format!(" (+{n} more)"),
                };
                format!("generating {id}: body {done}/{total}{more}")
            }
        })
    }
}

/// What a generated test produced.
pub(super) struct Outcome {
    /// `Set-Cookie` values the server sent: never printed, as for any test.
    pub secrets: Vec<String>,
    pub records: Vec<SendRecord>,
    pub failures: Vec<Failure>,
    pub cut_short: bool,
    /// `--curl`: the request with the body that failed (the shrunk one).
    pub shell: Option<super::ShellRequest>,
}

pub(super) struct GeneratedTest<'a> {
    pub test: &'a TestSpec,
    /// The spec file, whose text the reproducing test is cut from.
    pub file: &'a Path,
    pub generate: &'a Generate,
    pub sequence: &'a Sequence<'a>,
    pub base: Option<&'a str>,
    /// The file's variables; each body renders the test with `${generate.n}` added.
    pub vars: &'a dyn Lookup,
    /// The run's seed and this test's, derived from it and the test's id.
    pub run_seed: u64,
    pub test_seed: u64,
    pub budget: &'a GenerateBudget,
    pub progress: &'a GenerateProgress,
    /// `file::name`, for the progress line.
    pub id: &'a str,
    /// `Set-Cookie` values met so far.
    pub cookies: std::cell::RefCell<Vec<String>>,
    pub preview_limit: usize,
}

/// The variables of body `n`: the file's, and `generate.n` (1, 2, ...; 0 for the
/// written body), so that a URL such as `/widgets/w-${generate.n}` gives each body its
/// own resource.
pub struct BodyVars<'a> {
    pub inner: &'a dyn Lookup,
    pub n: u32,
}

impl Lookup for BodyVars<'_> {
    fn lookup(&self, name: &str) -> Option<Value> {
        if name == GENERATE_N {
            return Some(Value::from(self.n));
        }
        self.inner.lookup(name)
    }
}

/// The variable `generate` fills.
pub const GENERATE_N: &str = "generate.n";

/// A body's request (and `reject:` variant) rendered with its number.
struct Rendered {
    spec: RequestSpec,
    request: http::Request,
    reject: Option<http::Request>,
}

/// One body's run: its records and failures.
struct Tried {
    records: Vec<SendRecord>,
    failures: Vec<Failure>,
    cut_short: bool,
}

/// splitmix64 of two numbers: the seed of body `n` of a test.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A test's seed: the run's, mixed with the test's id (FNV-1a), so a test's bodies do
/// not depend on which other tests run.
pub fn test_seed(run_seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(run_seed, h)
}

impl GeneratedTest<'_> {
    pub fn run(&self) -> Outcome {
        let total = self.generate.count + self.generate.invalid;
        self.progress.set(self.id, 0, total);
        let mut out = self.bodies();
        self.progress.clear(self.id);
        out.secrets = self.cookies.take();
        out
    }

    fn bodies(&self) -> Outcome {
        let mut out = Outcome {
            secrets: Vec::new(),
            records: Vec::new(),
            failures: Vec::new(),
            cut_short: false,
            shell: None,
        };
        let g = self.generate;
        // The written body first (it is the test's own; the budget does not count it).
        if let BodySpec::Json(v) = &self.test.request.body {
            let v = match template::render_value(
                v,
                &BodyVars {
                    inner: self.vars,
                    n: 0,
                },
            ) {
                Ok(v) => v,
                Err(e) => {
                    out.failures.push(Failure::new(
                        FailureKind::Variable,
                        "variables",
                        e.to_string(),
                    ));
                    return out;
                }
            };
            let tried = self.one(&v, 0, "the written body");
            out.records.extend(tried.records);
            out.cut_short = tried.cut_short;
            if tried.cut_short || !tried.failures.is_empty() {
                out.failures = tried.failures;
                return out;
            }
        }
        for n in 1..=g.count {
            if self.sequence.interrupt.is_set() {
                out.cut_short = true;
                return out;
            }
            if !self.budget.take() {
                break;
            }
            self.progress.set(self.id, n - 1, g.count + g.invalid);
            let label = format!("body {n} of {}", g.count);
            let body = match self.valid_body(n) {
                Ok(b) => b,
                Err(f) => {
                    out.failures.push(*f);
                    return out;
                }
            };
            let tried = self.one(&body, n, &label);
            out.records.extend(tried.records);
            if tried.cut_short {
                out.cut_short = true;
                return out;
            }
            if !tried.failures.is_empty() {
                self.shrunk(body, n, &label, tried.failures, &mut out);
                return out;
            }
        }
        for n in 1..=g.invalid {
            if self.sequence.interrupt.is_set() {
                out.cut_short = true;
                return out;
            }
            if !self.budget.take() {
                break;
            }
            self.progress
                .set(self.id, g.count + n - 1, g.count + g.invalid);
            if let Some((f, shell)) = self.invalid_body(n, &mut out.records) {
                out.failures.extend(f);
                out.shell = shell;
                return out;
            }
        }
        out
    }

    /// Body `n`: the first of a few seeds whose value validates. None validating is a
    /// bug of putcheck's generator (or a schema it cannot satisfy), never sent.
    fn valid_body(&self, n: u32) -> Result<Value, Box<Failure>> {
        let g = self.generate;
        let mut last = Value::Null;
        for k in 0..TRIES {
            let seed = mix(self.test_seed, u64::from(n) * TRIES + k);
            let v = varied(g, seed).value();
            if g.validator.is_valid(&v) {
                return Ok(v);
            }
            last = v;
        }
        let why = g
            .validator
            .iter_errors(&last)
            .next()
            .map(|e| format!("{e} at `{}`", e.instance_path()))
            .unwrap_or_default();
        Err(Box::new(Failure::new(
            FailureKind::Transport,
            "generate",
            format!(
                "internal error (a bug in putcheck's generator, please report it): the body it made for `{}` does not validate against the schema, so it was not sent: {why}; the body: {last}; the schema may use a keyword the generator does not know (such as `not`)",
                g.source
            ),
        )))
    }

    /// Body `n`'s request: the test rendered with `${generate.n}`, the body in `json`.
    fn render(&self, body: &Value, n: u32) -> Result<Rendered, Box<Failure>> {
        let vars = BodyVars {
            inner: self.vars,
            n,
        };
        let undefined = |e: template::Undefined| {
            Box::new(Failure::new(
                FailureKind::Variable,
                "variables",
                e.to_string(),
            ))
        };
        let url = template::render_str(&self.test.url, &vars).map_err(undefined)?;
        let mut spec = self.test.request.render(&vars).map_err(undefined)?;
        spec.body = BodySpec::Json(body.clone());
        let transport = |e: http::HttpError| {
            Box::new(Failure::new(FailureKind::Transport, "request", e.message))
        };
        let request =
            super::prepare::prepare(self.test.method, self.base, &url, &spec).map_err(transport)?;
        let reject = match self
            .test
            .idempotency
            .as_ref()
            .and_then(|i| i.reject.as_ref())
        {
            Some(r) => {
                let spec = r.request.render(&vars).map_err(undefined)?;
                Some(
                    super::prepare::prepare(self.test.method, self.base, &url, &spec)
                        .map_err(transport)?,
                )
            }
            None => None,
        };
        Ok(Rendered {
            spec,
            request,
            reject,
        })
    }

    /// One body through the test's whole sequence and judgement.
    fn one(&self, body: &Value, n: u32, label: &str) -> Tried {
        let r = match self.render(body, n) {
            Ok(r) => r,
            Err(f) => {
                return Tried {
                    records: Vec::new(),
                    failures: vec![*f],
                    cut_short: false,
                }
            }
        };
        let request = &r.request;
        let recording =
            self.sequence
                .perform(self.test, request, Some(body.clone()), r.reject.as_ref());
        for resp in recording.recorded.responses() {
            for v in resp.header_all("set-cookie") {
                self.cookies.borrow_mut().push(v.to_string());
            }
        }
        let shown = request_record(
            request,
            self.sequence.client.http_version(),
            self.preview_limit,
        );
        let mut records = recording.records;
        for rec in &mut records {
            rec.label = format!("{label}: {}", rec.label);
            if rec.kind == super::ExchangeKind::Send {
                rec.request = Some(shown.clone());
            }
        }
        let vars = BodyVars {
            inner: self.vars,
            n,
        };
        let failures = if recording.cut_short {
            Vec::new()
        } else {
            check::judge(self.test, &recording.recorded, &vars)
        };
        Tried {
            records,
            failures,
            cut_short: recording.cut_short,
        }
    }

    /// Shrinks a failing body (greedily, bigger cuts first, each candidate valid and
    /// failing the same way) and reports the smallest one's failures with a YAML test.
    fn shrunk(&self, body: Value, n: u32, label: &str, failures: Vec<Failure>, out: &mut Outcome) {
        let g = self.generate;
        let kind = failures[0].kind;
        let first_size = shrink::size(&body);
        let mut best = body;
        let mut best_failures = failures;
        let mut runs = 0;
        'outer: while runs < SHRINK_RUNS {
            for candidate in shrink::candidates(&best) {
                if runs >= SHRINK_RUNS || self.sequence.interrupt.is_set() {
                    break 'outer;
                }
                if !g.validator.is_valid(&candidate) {
                    continue;
                }
                runs += 1;
                let tried = self.one(&candidate, n, &format!("shrinking step {runs}"));
                out.records.extend(tried.records);
                if tried.failures.iter().any(|f| f.kind == kind) {
                    best = candidate;
                    best_failures = tried.failures;
                    continue 'outer;
                }
            }
            break;
        }
        let size = shrink::size(&best);
        let how = if size < first_size {
            format!("shrunk from {first_size} to {size} bytes in {runs} more run(s) of the test")
        } else {
            "no smaller body fails the same way".to_string()
        };
        let mut summary = Failure::new(
            kind,
            "generate",
            format!(
                "{label} (seed {}, `--seed {}` repeats it) failed; {how}; the smallest failing body: {}",
                self.run_seed,
                self.run_seed,
                compact(&best)
            ),
        );
        summary.pos = Some(g.pos);
        summary.reproduce = Some(reproduce(
            self.test,
            self.file,
            n,
            &format!("json: {}", compact(&best)),
        ));
        if let Ok(r) = self.render(&best, n) {
            out.shell = self.sequence.shell.map(|s| s(&r.request));
        }
        out.failures.push(summary);
        out.failures.extend(best_failures);
    }

    /// Invalid body `n`: a valid body broken one way, sent between two GETs; it must be
    /// refused (the test's `reject.expect`, default 4xx) and change nothing.
    fn invalid_body(
        &self,
        n: u32,
        records: &mut Vec<SendRecord>,
    ) -> Option<(Vec<Failure>, Option<super::ShellRequest>)> {
        let g = self.generate;
        let label = format!("invalid body {n} of {}", g.invalid);
        let seed = mix(self.test_seed ^ 0x1a7a_11d0, u64::from(n));
        let base = varied(g, seed).value();
        let m = invalid::pick(&g.schema, &base, seed, |v| !g.validator.is_valid(v))?;
        // After the valid bodies' numbers, so a URL with `${generate.n}` is a new one.
        let number = g.count + n;
        let Rendered { spec, request, .. } = match self.render(&m.body, number) {
            Ok(r) => r,
            Err(f) => return Some((vec![*f], None)),
        };
        let shell = self.sequence.shell.map(|s| s(&request));
        let (probe, mut recs) = self.sequence.probe_only(&request, "reject");
        for r in &mut recs {
            r.label = format!("{label}: {}", r.label);
        }
        records.extend(recs);
        let given = self
            .test
            .idempotency
            .as_ref()
            .and_then(|i| i.reject.as_ref());
        let expect = match given {
            Some(r) => r.expect.clone(),
            None => Arc::new(Expect {
                status: Some((vec![StatusPattern::Class(4)], g.pos)),
                ..Expect::default()
            }),
        };
        let reject = Reject {
            request: spec,
            expect,
            pos: g.pos,
        };
        let default_idem = Idempotency::default_for_put();
        let idem = self.test.idempotency.as_ref().unwrap_or(&default_idem);
        let vars = BodyVars {
            inner: self.vars,
            n: number,
        };
        let failures = check::judge_reject(&probe, &reject, idem, &vars);
        if failures.is_empty() {
            return None;
        }
        let mut summary = Failure::new(
            FailureKind::Reject,
            "generate",
            format!(
                "{label} (seed {}, `--seed {}` repeats it), {}, was not refused as it must be: {}",
                self.run_seed,
                self.run_seed,
                m.what,
                compact(&m.body)
            ),
        );
        summary.pos = Some(g.pos);
        summary.reproduce = Some(reproduce(
            self.test,
            self.file,
            number,
            &format!(
                "json: {}\nidempotency: {{ reject: {{ json: {}{} }} }}",
                compact(&base),
                compact(&m.body),
                reject_expect(idem),
            ),
        ));
        let mut out = vec![summary];
        out.extend(failures);
        Some((out, shell))
    }
}

/// `, expect: { status: [...] }` when the test's `reject` says what the refusal must be:
/// the reproducing test replaces the test's `idempotency`, and keeps that.
fn reject_expect(idem: &Idempotency) -> String {
    let Some((status, _)) = idem.reject.as_ref().and_then(|r| r.expect.status.as_ref()) else {
        return String::new();
    };
    let codes: Vec<String> = status.iter().map(|p| format!("\"{p}\"")).collect();
    format!(", expect: {{ status: [{}] }}", codes.join(", "))
}

/// JSON on one line: valid YAML (flow style), read back by putcheck with exact numbers.
fn compact(v: &Value) -> String {
    v.to_string()
}

/// The test as written in its spec file, with `generate:` (and any `json:`, and any key
/// `body` sets itself) replaced by `body` (YAML lines at the test's key level): paste it
/// into the file to keep the case.
fn reproduce(test: &TestSpec, file: &Path, n: u32, body: &str) -> String {
    let lines: Vec<String> = test_lines(test, file)
        .into_iter()
        .map(|l| l.replace(&format!("${{{GENERATE_N}}}"), &n.to_string()))
        .collect();
    let replaced: Vec<&str> = body
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split(':').next())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut skipping = false;
    let mut named = false;
    for line in &lines {
        let indent = line.len() - line.trim_start().len();
        if skipping && (line.trim().is_empty() || indent > 0) {
            continue;
        }
        skipping = false;
        let key = line.trim_start().split(':').next().unwrap_or("");
        if indent == 0 && (key == "generate" || key == "json" || replaced.contains(&key)) {
            skipping = true;
            continue;
        }
        if indent == 0 && key == "name" && !named {
            named = true;
            out.push(format!(
                "name: {}",
                serde_json::to_string(&format!("{} (a body found by generate)", test.name))
                    .unwrap_or_default()
            ));
            continue;
        }
        out.push(line.clone());
    }
    if !named {
        out.insert(
            0,
            format!(
                "name: {}",
                serde_json::to_string(&format!("{} (a body found by generate)", test.name))
                    .unwrap_or_default()
            ),
        );
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.extend(body.lines().map(str::to_string));
    let mut text = String::new();
    for (i, line) in out.iter().enumerate() {
        text.push_str(if i == 0 { "- " } else { "  " });
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The test's lines in its spec file, with the test's key indentation removed (the
/// first line starts at the test's first key). Without the source: its method and URL.
fn test_lines(test: &TestSpec, path: &Path) -> Vec<String> {
    let fallback = vec![format!(
        "{}: {}",
        test.method.as_str().to_lowercase(),
        test.url
    )];
    let col = test.pos.column.saturating_sub(1) as usize;
    let Some(first) = crate::diagnostic::source_line(path, test.pos.line) else {
        return fallback;
    };
    let first: String = first.chars().skip(col).collect();
    if first.trim_start().starts_with('{') {
        return fallback; // a test in flow style: no lines to cut keys from
    }
    let mut lines = vec![first];
    let mut n = test.pos.line + 1;
    while let Some(line) = crate::diagnostic::source_line(path, n) {
        let indent = line.len() - line.trim_start().len();
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if !blank && indent < col {
            break;
        }
        if !blank && indent == col.saturating_sub(2) && line.trim_start().starts_with("- ") {
            break;
        }
        lines.push(if blank {
            String::new()
        } else {
            line.chars().skip(col).collect()
        });
        n += 1;
    }
    lines
}

/// The generator of a test's bodies, as `generate:` asks (`integers: safe`).
fn varied(g: &Generate, seed: u64) -> Generator<'_> {
    let generator = Generator::varied(&g.schema, seed);
    if g.safe_integers {
        generator.safe_integers()
    } else {
        generator
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_says_what_changed_once() {
        let p = GenerateProgress::default();
        assert_eq!(p.poll(), None);
        p.set("a.yaml::t", 0, 50);
        p.set("b.yaml::u", 3, 20);
        p.set("a.yaml::t", 12, 50);
        assert_eq!(
            p.poll().as_deref(),
            Some("generating a.yaml::t: body 12/50 (+1 more)")
        );
        assert_eq!(p.poll(), None);
        p.clear("a.yaml::t");
        p.clear("b.yaml::u");
        assert_eq!(p.poll().as_deref(), Some(""));
    }

    #[test]
    fn the_budget_is_shared_and_runs_out() {
        let b = GenerateBudget::new(Some(2));
        let c = b.clone();
        assert!(b.take());
        assert!(c.take());
        assert!(!b.take());
        assert!(GenerateBudget::new(None).take());
    }

    #[test]
    fn a_test_seed_depends_on_the_run_seed_and_the_test() {
        assert_eq!(test_seed(1, "a::b"), test_seed(1, "a::b"));
        assert_ne!(test_seed(1, "a::b"), test_seed(2, "a::b"));
        assert_ne!(test_seed(1, "a::b"), test_seed(1, "a::c"));
    }
}
