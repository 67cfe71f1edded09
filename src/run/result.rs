//! What a run produces: per-test results and the events that carry them to reporters.
//! Plain data, serializable: the JSON report is these types as they are.

use serde::{Deserialize, Serialize};

use crate::check::Failure;
use crate::http::Hop;
use crate::spec::SpecError;

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
    /// Not run, or not run to the end, because the run was interrupted (SIGINT, SIGTERM).
    Interrupted,
}

impl Outcome {
    pub fn is_success(self) -> bool {
        matches!(self, Outcome::Passed | Outcome::Flaky)
    }

    /// Failed or errored: ran and did not pass.
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::Errored)
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

/// What an exchange was for: one of the test's own sends, a GET reading the resource's
/// state, or a probe of the HTTP semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeKind {
    #[default]
    Send,
    ReadBack,
    Probe,
}

/// One request putcheck made for a test (a send, a read-back, a probe) and what came back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendRecord {
    /// The 1-based send number; for a read-back or probe, the number of sends before it.
    pub n: usize,
    #[serde(default)]
    pub kind: ExchangeKind,
    /// `send 1`, `read-back`, `conditional probe`, `reject probe`, ...
    #[serde(default)]
    pub label: String,
    /// The request, when it is not the test's own (a read-back GET, a probe).
    #[serde(default)]
    pub request: Option<RequestRecord>,
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
    /// HTTP/2 streams the server refused before processing them (`REFUSED_STREAM`), each
    /// followed by the same request once more: every request that went out is counted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refused_streams: u32,
    pub error: Option<String>,
    /// The request for `--curl`, when it is not the test's own (secrets as variable
    /// references). Not in the JSON report.
    #[serde(skip)]
    pub shell: Option<super::ShellRequest>,
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
            method: h.method.to_string(),
            url: h.url.clone(),
            location: h.location.clone(),
        }
    }
}

/// One of putcheck's checks of a PUT's semantics (RFC 9110 §9.2.2 and the probes), as
/// run for a test: `--openapi` coverage reports which ran against each PUT operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SemanticCheck {
    /// The request was sent more than once and the sends compared.
    Repeat,
    /// The resource was read back after the sends.
    Readback,
    /// `readback: exact`.
    ReadbackExact,
    /// `created: once`.
    CreatedOnce,
    /// `conditional: true`: the stale `If-Match` probe.
    Conditional,
    /// `reject:`: the probe the server must refuse.
    Reject,
    /// `concurrent: true`.
    Concurrent,
}

impl SemanticCheck {
    pub const ALL: [SemanticCheck; 7] = [
        SemanticCheck::Repeat,
        SemanticCheck::Readback,
        SemanticCheck::ReadbackExact,
        SemanticCheck::CreatedOnce,
        SemanticCheck::Conditional,
        SemanticCheck::Reject,
        SemanticCheck::Concurrent,
    ];

    /// `read-back`, `exact read-back`, `created once`...: as the reports print it.
    pub fn name(self) -> &'static str {
        match self {
            SemanticCheck::Repeat => "repeat",
            SemanticCheck::Readback => "read-back",
            SemanticCheck::ReadbackExact => "exact read-back",
            SemanticCheck::CreatedOnce => "created once",
            SemanticCheck::Conditional => "conditional",
            SemanticCheck::Reject => "reject",
            SemanticCheck::Concurrent => "concurrent",
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
    /// The PUT-semantics checks whose requests were made (the last attempt's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<SemanticCheck>,
    /// The request for `--curl` (and JUnit's `curl:` line), secrets as variable
    /// references. In the JSON report when a report shows it (`--curl`, `--junit`), so
    /// that `merge-reports` can write the same JUnit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<super::ShellRequest>,
}

impl TestResult {
    /// How many times the test's own request was sent (read-backs and probes not counted).
    pub fn send_count(&self) -> usize {
        self.sends
            .iter()
            .filter(|s| s.kind == ExchangeKind::Send)
            .count()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub flaky: usize,
    pub errored: usize,
    pub skipped: usize,
    /// How many of the results above are `finally` steps rather than tests.
    #[serde(default)]
    pub finally_steps: usize,
    /// Tests not run to the end because the run was interrupted.
    #[serde(default)]
    pub interrupted: usize,
    /// The signal that interrupted the run (`SIGINT`, `SIGTERM`); absent when it ran to the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// Spec files that could not be loaded.
    pub invalid_files: usize,
    pub files: usize,
    /// Seconds of wall time.
    pub time: f64,
}

impl Summary {
    pub(super) fn add(&mut self, r: &TestResult) {
        match r.outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Flaky => self.flaky += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Errored => self.errored += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Interrupted => self.interrupted += 1,
        }
        if r.finally {
            self.finally_steps += 1;
        }
    }

    /// Every result counted: tests and `finally` steps.
    pub fn total(&self) -> usize {
        self.passed + self.flaky + self.failed + self.errored + self.skipped + self.interrupted
    }

    pub fn all_passed(&self) -> bool {
        self.failed == 0 && self.errored == 0
    }
}

/// What the run tells as it goes: the events, and a hint that no further result has
/// arrived for now. The hint is not an event (nothing happened): a listener that holds
/// output back (the console gathers the lines of a burst of tests into one write)
/// writes it out then.
pub trait Listener {
    fn event(&mut self, event: &Event);
    fn flush(&mut self) {}
}

/// A closure listens to the events alone.
impl<F: FnMut(&Event)> Listener for F {
    fn event(&mut self, event: &Event) {
        self(event)
    }
}

/// What the runner tells reporters, in order: started, invalid files, each test as it
/// finishes, finished.
#[derive(Debug, Clone)]
pub enum Event {
    RunStarted {
        files: usize,
        /// Selected tests, not counting `finally` steps.
        tests: usize,
        /// `finally` steps of the files that run.
        finally_steps: usize,
        jobs: usize,
        /// The seed of the generated bodies, when a selected test has `generate:`.
        seed: Option<u64>,
    },
    SuiteInvalid {
        file: String,
        errors: Vec<SpecError>,
    },
    /// Shared: every reporter that keeps a result keeps the same one.
    TestFinished(std::sync::Arc<TestResult>),
    /// How far the running `generate:` tests are (`generating file::name: body 12/50`);
    /// empty once none runs. For a progress display only.
    Progress(String),
    RunFinished(Summary),
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
