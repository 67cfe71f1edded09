//! JUnit XML: a `<testsuite>` per spec file, a `<testcase>` per test, `<failure>` for
//! failed expectations, `<error>` for transport errors and broken specs.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};

use super::console::{explain, Sources};
use super::{curl_command, open_output, ReportError, Reporter};
use crate::run::{Event, Outcome, TestResult};
use crate::spec::SpecError;

pub struct Junit {
    path: String,
    /// Each file's test cases, built as tests finish: the results themselves are not
    /// kept, so memory per test stays small on a large suite.
    suites: BTreeMap<String, FileCases>,
    invalid: Vec<(String, Vec<SpecError>)>,
    sources: Sources,
    time: f64,
    written: Option<Result<(), ReportError>>,
}

struct FileCases {
    /// The suite's name, from its first test in file order.
    suite: String,
    first: (usize, usize),
    cases: Vec<((usize, usize), f64, TestCase)>,
}

impl Junit {
    pub fn new(path: impl Into<String>) -> Self {
        Junit {
            path: path.into(),
            suites: BTreeMap::new(),
            invalid: Vec::new(),
            sources: Sources::default(),
            time: 0.0,
            written: None,
        }
    }

    fn add(&mut self, r: &TestResult) {
        let case = test_case(r, &mut self.sources);
        let file = self
            .suites
            .entry(r.file.clone())
            .or_insert_with(|| FileCases {
                suite: r.suite.clone(),
                first: r.seq,
                // Most files hold a test or two; a Vec grown from empty would hold four.
                cases: Vec::with_capacity(1),
            });
        if r.seq < file.first {
            file.first = r.seq;
            file.suite = r.suite.clone();
        }
        file.cases.push((r.seq, r.time, case));
    }

    /// The report; the cases move into it, so this is called once.
    fn build(&mut self) -> Report {
        let mut report = Report::new("putcheck");
        report.set_time(Duration::from_secs_f64(self.time));
        let mut order: Vec<(&String, &mut FileCases)> = self.suites.iter_mut().collect();
        report
            .test_suites
            .reserve_exact(order.len() + self.invalid.len());
        order.sort_by_key(|(_, f)| f.first);
        for (file, cases) in order {
            cases.cases.sort_by_key(|(seq, _, _)| *seq);
            let mut suite = TestSuite::new(cases.suite.as_str());
            suite.add_property(("file", file.as_str()));
            suite.set_time(Duration::from_secs_f64(
                cases.cases.iter().map(|(_, time, _)| time).sum(),
            ));
            // Moved, not copied: the report is rendered once, at the end of the run. Exact
            // room: most files have a test or two, and a grown Vec would hold four.
            suite.test_cases.reserve_exact(cases.cases.len());
            for (_, _, case) in std::mem::take(&mut cases.cases) {
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        for (file, errors) in &self.invalid {
            let mut suite = TestSuite::new(file.as_str());
            suite.add_property(("file", file.as_str()));
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_type("spec");
            status.set_message(errors.first().map(|e| e.to_string()).unwrap_or_default());
            status.set_description(
                errors
                    .iter()
                    .map(|e| e.render())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            let mut case = TestCase::new("spec file", status);
            case.set_classname(file.as_str());
            suite.add_test_case(case);
            report.add_test_suite(suite);
        }
        report
    }

    /// Streams the report to its file (or stdout), with no copy of it in memory.
    fn write(&mut self) -> Result<(), ReportError> {
        let report = self.build();
        let err = |source| ReportError::Write {
            what: "JUnit",
            path: self.path.clone(),
            source,
        };
        let mut out = open_output(&self.path, "JUnit")?;
        report
            .serialize(&mut out)
            .map_err(|e| err(std::io::Error::other(e)))?;
        out.flush().map_err(err)
    }
}

fn test_case(r: &TestResult, sources: &mut Sources) -> TestCase {
    let plain = |r: &TestResult, sources: &mut Sources| {
        anstream::adapter::strip_str(&explain(r, sources)).to_string()
    };
    let first = r.failures.first();
    let message = first
        .map(|f| format!("{}: {}", f.subject, f.message))
        .unwrap_or_default();
    let status = match r.outcome {
        Outcome::Passed => TestCaseStatus::success(),
        Outcome::Flaky => {
            let mut status = TestCaseStatus::success();
            let why = r
                .flaky_failures
                .first()
                .map(|f| format!("{}: {}", f.subject, f.message))
                .unwrap_or_else(|| "failed before passing on a retry".into());
            for _ in 1..r.attempts {
                let mut rerun = TestRerun::new(NonSuccessKind::Failure);
                rerun.set_message(why.as_str());
                status.add_rerun(rerun);
            }
            status
        }
        Outcome::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message("not started: --fail-fast stopped the run");
            s
        }
        Outcome::Interrupted => {
            let mut s = TestCaseStatus::skipped();
            s.set_type("interrupted");
            s.set_message(if r.attempts == 0 {
                "interrupted: the run was stopped (SIGINT/SIGTERM) before this test ran"
            } else {
                "interrupted: the run was stopped (SIGINT/SIGTERM) before this test finished"
            });
            s
        }
        Outcome::Failed | Outcome::Errored => {
            let kind = if r.outcome == Outcome::Errored {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(message);
            if let Some(f) = first {
                s.set_type(
                    serde_json::to_value(f.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                );
            }
            s.set_description(plain(r, sources));
            s
        }
    };
    let mut case = TestCase::new(r.name.as_str(), status);
    case.set_classname(r.file.as_str());
    case.set_time(Duration::from_secs_f64(r.time));
    case.set_system_out(exchange_summary(r));
    case
}

/// The request and each response's status line, for `<system-out>`.
fn exchange_summary(r: &TestResult) -> String {
    let mut out = String::new();
    if let Some(req) = &r.request {
        out.push_str(&format!("{} {}\n", req.method, req.url));
        out.push_str(&format!("curl: {}\n", curl_command(req)));
    }
    for s in &r.sends {
        match (s.status, &s.error) {
            (Some(code), _) => out.push_str(&format!(
                "send {}: {} {} ({} bytes, {:.3}s)\n",
                s.n,
                code,
                s.reason.as_deref().unwrap_or(""),
                s.body_size,
                s.time
            )),
            (None, Some(e)) => out.push_str(&format!("send {}: no response: {e}\n", s.n)),
            _ => {}
        }
    }
    out
}

impl Reporter for Junit {
    fn report(&mut self, event: &Event) {
        match event {
            Event::RunStarted { .. } => {}
            Event::SuiteInvalid { file, errors } => {
                self.invalid.push((file.clone(), errors.clone()))
            }
            Event::TestFinished(r) => self.add(r),
            Event::RunFinished(sum) => {
                self.time = sum.time;
                self.written = Some(self.write());
            }
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.written.take().unwrap_or(Ok(()))
    }
}
