//! JUnit XML: a `<testsuite>` per spec file, a `<testcase>` per test, `<failure>` for
//! failed expectations, `<error>` for transport errors and broken specs.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};

use super::curl::curl_command;
use super::explain::{self, Explanation, Sources};
use super::file::{Collected, Format};
use crate::run::{Outcome, TestResult};

/// The JUnit format, written by a `FileReport`. Each test becomes its test case as it
/// finishes: the results themselves are not kept, so memory per test stays small on a
/// large suite.
#[derive(Default)]
pub struct JunitXml {
    suites: BTreeMap<String, FileCases>,
    sources: Sources,
}

struct FileCases {
    /// The suite's name, from its first test in file order.
    suite: String,
    first: (usize, usize),
    cases: Vec<((usize, usize), f64, TestCase)>,
}

impl JunitXml {
    /// The report; the cases move into it, so this is called once.
    fn build(&mut self, run: &Collected) -> Report {
        let mut report = Report::new("putcheck");
        report.set_time(Duration::from_secs_f64(run.summary.time));
        let mut order: Vec<(&String, &mut FileCases)> = self.suites.iter_mut().collect();
        report
            .test_suites
            .reserve_exact(order.len() + run.invalid.len());
        order.sort_by_key(|(_, f)| f.first);
        for (file, cases) in order {
            cases.cases.sort_by_key(|(seq, _, _)| *seq);
            let mut suite = TestSuite::new(cases.suite.as_str());
            suite.add_property(("file", file.as_str()));
            if let Some(c) = &run.coverage {
                suite.add_property(("openapi.coverage", coverage_property(c).as_str()));
            }
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
        for (file, errors) in &run.invalid {
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
            case.set_classname(classname(file));
            suite.add_test_case(case);
            report.add_test_suite(suite);
        }
        report
    }
}

impl Format for JunitXml {
    const WHAT: &'static str = "JUnit";

    fn start(&mut self, sources: &Sources) {
        self.sources = sources.clone();
    }

    fn add(&mut self, r: &TestResult) {
        let case = test_case(r, &self.sources);
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

    /// Streams the report out, with no copy of its text in memory.
    fn write(&mut self, run: &Collected, out: &mut dyn Write) -> io::Result<()> {
        self.build(run).serialize(out).map_err(io::Error::other)
    }
}

/// `2/19 operations (10.5%), PUT 2/2 (100%)`: the `openapi.coverage` property of every
/// `<testsuite>` of an `--openapi` run.
fn coverage_property(c: &crate::coverage::Coverage) -> String {
    let t = &c.totals;
    format!(
        "{}/{} operations ({:.1}%), PUT {}/{} ({:.1}%), {} undocumented request(s), {} conformance problem(s)",
        t.exercised,
        t.operations,
        t.percent,
        t.put_exercised,
        t.put_operations,
        t.put_percent,
        t.undocumented_requests,
        c.conformance.len()
    )
}

/// A spec file as a JUnit class name: `specs/items.yaml` → `specs.items`. Jenkins
/// splits a class name at its last dot into package and class, so the extension must
/// go (it would show as class `yaml`) and folders become packages; a dot inside a
/// file or folder name becomes `_` so that it does not split there.
pub fn classname(file: &str) -> String {
    let path = std::path::Path::new(file);
    let stem = match path.extension() {
        Some(ext) if ext == "yaml" || ext == "yml" => path.with_extension(""),
        _ => path.to_path_buf(),
    };
    stem.components()
        .filter_map(|c| match c {
            std::path::Component::Normal(part) => Some(part.to_string_lossy().replace('.', "_")),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn test_case(r: &TestResult, sources: &Sources) -> TestCase {
    let explained =
        |r: &TestResult, sources: &Sources| explain::plain(&Explanation::of(r, sources));
    let first = r.failures.first();
    let message = first
        .map(|f| format!("{}: {}", f.subject, f.message))
        .unwrap_or_default();
    let status = match r.outcome {
        Outcome::Passed => TestCaseStatus::success(),
        Outcome::Flaky => {
            // The failed attempts come first, each with the whole explanation of the
            // last failed attempt (earlier ones are not kept).
            let mut status = TestCaseStatus::success();
            let first = r.flaky_failures.first();
            let why = first
                .map(|f| format!("{}: {}", f.subject, f.message))
                .unwrap_or_else(|| "failed before passing on a retry".into());
            let description = explained(r, sources);
            let all_errors = r.flaky_failures.iter().all(|f| f.kind.is_error());
            for _ in 1..r.attempts {
                let mut rerun = TestRerun::new(if all_errors && first.is_some() {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                });
                rerun.set_message(why.as_str());
                if let Some(f) = first {
                    rerun.set_type(kind_name(f));
                }
                // Surefire's schema (which Jenkins reads) keeps a rerun's text in <stackTrace>.
                rerun.set_stack_trace(description.as_str());
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
                s.set_type(kind_name(f));
            }
            s.set_description(explained(r, sources));
            s
        }
    };
    let mut case = TestCase::new(r.name.as_str(), status);
    case.set_classname(classname(&r.file));
    case.set_time(Duration::from_secs_f64(r.time));
    case.set_system_out(exchange_summary(r));
    case
}

/// The failure kind as the JSON report spells it: `status`, `idempotency`, ...
fn kind_name(f: &crate::check::Failure) -> String {
    serde_json::to_value(f.kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The request and each response's status line, for `<system-out>`.
fn exchange_summary(r: &TestResult) -> String {
    let mut out = String::new();
    if let Some(req) = &r.request {
        out.push_str(&format!("{} {}\n", req.method, req.url));
        if let Some(curl) = curl_command(r) {
            out.push_str(&format!("curl: {curl}\n"));
        }
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

#[cfg(test)]
mod tests {
    use super::classname;

    #[test]
    fn class_names_split_where_jenkins_expects() {
        assert_eq!(classname("specs/items.yaml"), "specs.items");
        assert_eq!(classname("./api/v1.2/put.yml"), "api.v1_2.put");
        assert_eq!(classname("items.yaml"), "items");
    }
}
