//! JUnit XML: a `<testsuite>` per spec file, a `<testcase>` per test, `<failure>` for
//! failed expectations, `<error>` for transport errors and broken specs.

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};

use super::console::{explain, Sources};
use super::{curl_command, write_output, ReportError, Reporter};
use crate::run::{Event, Outcome, TestResult};
use crate::spec::SpecError;

pub struct Junit {
    path: String,
    suites: BTreeMap<String, Vec<TestResult>>,
    invalid: Vec<(String, Vec<SpecError>)>,
    time: f64,
    written: Option<Result<(), ReportError>>,
}

impl Junit {
    pub fn new(path: impl Into<String>) -> Self {
        Junit {
            path: path.into(),
            suites: BTreeMap::new(),
            invalid: Vec::new(),
            time: 0.0,
            written: None,
        }
    }

    pub fn render(&self) -> String {
        let mut sources = Sources::default();
        let mut report = Report::new("putcheck");
        report.set_time(Duration::from_secs_f64(self.time));
        let mut order: Vec<(&String, &Vec<TestResult>)> = self.suites.iter().collect();
        order.sort_by_key(|(_, rs)| rs.iter().map(|r| r.seq).min());
        for (file, results) in order {
            let mut results = results.clone();
            results.sort_by_key(|r| r.seq);
            let name = results
                .first()
                .map(|r| r.suite.clone())
                .unwrap_or_else(|| file.clone());
            let mut suite = TestSuite::new(name);
            suite.add_property(("file", file.as_str()));
            suite.set_time(Duration::from_secs_f64(
                results.iter().map(|r| r.time).sum(),
            ));
            for r in &results {
                suite.add_test_case(test_case(r, &mut sources));
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
        report.to_string().unwrap_or_default()
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
        let label = if s.label.is_empty() {
            format!("send {}", s.n)
        } else {
            s.label.clone()
        };
        if let Some(req) = &s.request {
            out.push_str(&format!("{label}: {} {}\n", req.method, req.url));
        }
        match (s.status, &s.error) {
            (Some(code), _) => out.push_str(&format!(
                "{label}: {} {} ({} bytes, {:.3}s)\n",
                code,
                s.reason.as_deref().unwrap_or(""),
                s.body_size,
                s.time
            )),
            (None, Some(e)) => out.push_str(&format!("{label}: no response: {e}\n")),
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
            Event::TestFinished(r) => self
                .suites
                .entry(r.file.clone())
                .or_default()
                .push((**r).clone()),
            Event::RunFinished(sum) => {
                self.time = sum.time;
                self.written = Some(write_output(&self.path, "JUnit", &self.render()));
            }
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.written.take().unwrap_or(Ok(()))
    }
}
