//! `--openapi DOC`: the run held against the API's own document. Every request a run
//! made (sends, read-backs, probes, setup and `finally` steps, redirect hops) is matched
//! to an operation (`route`); what each operation saw is tallied into a `Coverage`
//! (which operations ran, which statuses, which of putcheck's PUT checks), and each
//! response is checked against what the document promises (`conformance`).
//!
//! It reads only the results the runner hands reporters, so `putcheck coverage DOC
//! REPORT.json` computes the same from a finished run's JSON report. Between the runner
//! and the reporters, `Observer` turns conformance problems into test failures under
//! `--openapi-strict` and hands the finished `Coverage` to the reporters.

pub mod conformance;
pub mod document;
pub mod route;
pub mod table;
pub mod template;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::import::ImportError;
use crate::report::Reporters;
use crate::run::{Event, Outcome, SemanticCheck, Summary, TestResult};
use conformance::{Answer, Issue, Validators};
pub use document::ApiDoc;
use route::{route, url_path, Route, Why};

/// The version of the JSON report's `coverage` section (the report's own
/// `schema_version` is unchanged by it).
pub const COVERAGE_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    #[error("cannot read the OpenAPI document `{path}`: {message}")]
    Read { path: String, message: String },
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("{0}")]
    Document(String),
    #[error("cannot read the JSON report `{path}`: {message}")]
    Report { path: String, message: String },
}

/// `--min-coverage PCT` (of all operations) or `put:PCT` (of PUT operations).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinCoverage {
    pub put_only: bool,
    pub percent: f64,
}

impl std::str::FromStr for MinCoverage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (put_only, number) = match s.strip_prefix("put:") {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let number = number.trim_end_matches('%');
        match number.parse::<f64>() {
            Ok(p) if (0.0..=100.0).contains(&p) => Ok(MinCoverage {
                put_only,
                percent: p,
            }),
            _ => Err(format!(
                "expected a percentage from 0 to 100, of all operations (`80`) or of PUT operations (`put:80`); got `{s}`"
            )),
        }
    }
}

impl std::fmt::Display for MinCoverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scope = if self.put_only { "put:" } else { "" };
        write!(f, "{scope}{}", self.percent)
    }
}

/// The `coverage` section of the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub version: u32,
    pub document: DocumentInfo,
    /// The path prefixes taken off request paths before matching (from `servers`, or
    /// `--openapi-prefix`).
    pub base_paths: Vec<String>,
    /// `--openapi-strict`: conformance problems failed their tests.
    pub strict: bool,
    pub totals: Totals,
    /// Every operation of the document: the unexercised first, then document order.
    pub operations: Vec<OperationCoverage>,
    /// Requests that match no operation.
    pub undocumented: Vec<Undocumented>,
    /// Responses that break the document's promises.
    pub conformance: Vec<Issue>,
    /// JSON bodies not validated because the report keeps only their first 4 KiB.
    pub unvalidated_bodies: usize,
    pub min_coverage: Vec<Threshold>,
    /// Anything else to know (a schema that could not be compiled).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentInfo {
    pub path: String,
    pub title: String,
    pub version: String,
    pub openapi: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub operations: usize,
    pub exercised: usize,
    pub percent: f64,
    pub put_operations: usize,
    pub put_exercised: usize,
    pub put_percent: f64,
    /// Requests matched (to an operation or to none).
    pub requests: usize,
    pub undocumented_requests: usize,
    pub by_method: Vec<MethodTotal>,
    /// For each PUT check, how many PUT operations it ran against.
    pub put_checks: Vec<CheckTotal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodTotal {
    pub method: String,
    pub operations: usize,
    pub exercised: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckTotal {
    pub check: SemanticCheck,
    pub put_operations: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OperationCoverage {
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    pub exercised: bool,
    pub requests: usize,
    /// The documented response keys (`200`, `4XX`, `default`).
    pub documented_statuses: Vec<String>,
    /// Statuses answered, each under a documented key or not.
    pub statuses_seen: Vec<u16>,
    /// Documented response keys no answer fell under.
    pub statuses_not_seen: Vec<String>,
    /// Statuses answered that the operation does not document.
    pub undocumented_statuses: Vec<u16>,
    /// The PUT checks that ran against the operation (tests whose own request it is).
    pub checks: Vec<SemanticCheck>,
    /// The tests that made requests to it.
    pub tests: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Undocumented {
    pub method: String,
    pub path: String,
    /// `no_path`, `no_method`, `outside_base_path`.
    pub reason: &'static str,
    pub message: String,
    pub requests: usize,
    pub tests: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Threshold {
    /// `80` or `put:80`, as given.
    pub required: String,
    pub actual: f64,
    pub met: bool,
    pub message: String,
}

impl Coverage {
    /// The sentences of the `--min-coverage` thresholds that were not met.
    pub fn unmet(&self) -> impl Iterator<Item = &str> {
        self.min_coverage
            .iter()
            .filter(|t| !t.met)
            .map(|t| t.message.as_str())
    }
}

/// What one operation has seen so far.
#[derive(Default)]
struct Seen {
    requests: usize,
    statuses: BTreeSet<u16>,
    keys: BTreeSet<String>,
    undocumented_statuses: BTreeSet<u16>,
    checks: BTreeSet<SemanticCheck>,
    tests: BTreeSet<String>,
}

/// Coverage being gathered, test by test.
pub struct Tally<'a> {
    doc: &'a ApiDoc,
    validators: Validators,
    seen: Vec<Seen>,
    undocumented: BTreeMap<(String, String, Why), (usize, BTreeSet<String>)>,
    issues: Vec<Issue>,
    unvalidated: usize,
    requests: usize,
}

/// One request of a test, with what came back.
struct Exchange<'a> {
    method: String,
    url: String,
    label: &'a str,
    status: Option<u16>,
    content_type: Option<&'a str>,
    body: Option<&'a str>,
    body_size: usize,
    /// The test's own request (not a read-back or a probe).
    own: bool,
}

impl<'a> Tally<'a> {
    pub fn new(doc: &'a ApiDoc) -> Self {
        Tally {
            doc,
            validators: Validators::default(),
            seen: doc.operations.iter().map(|_| Seen::default()).collect(),
            undocumented: BTreeMap::new(),
            issues: Vec::new(),
            unvalidated: 0,
            requests: 0,
        }
    }

    /// Adds a finished test's requests; returns the conformance problems it had.
    pub fn add(&mut self, r: &TestResult) -> Vec<Issue> {
        let mut found = Vec::new();
        for x in exchanges(r) {
            self.requests += 1;
            let path = url_path(&x.url);
            let index = match route(self.doc, &x.method, &path) {
                Route::Operation(i) => i,
                Route::Undocumented(why) => {
                    let entry = self
                        .undocumented
                        .entry((x.method.clone(), path, why))
                        .or_default();
                    entry.0 += 1;
                    entry.1.insert(r.id.clone());
                    continue;
                }
            };
            let seen = &mut self.seen[index];
            seen.requests += 1;
            seen.tests.insert(r.id.clone());
            if x.own {
                seen.checks.extend(r.checks.iter().copied());
            }
            let Some(status) = x.status else { continue };
            seen.statuses.insert(status);
            let verdict = self.validators.check(
                self.doc,
                index,
                &Answer {
                    status,
                    content_type: x.content_type,
                    body: x.body,
                    body_size: x.body_size,
                },
            );
            let seen = &mut self.seen[index];
            match &verdict.response {
                Some(key) => {
                    seen.keys.insert(key.clone());
                }
                None if !self.doc.operations[index].responses.is_empty() => {
                    seen.undocumented_statuses.insert(status);
                }
                None => {}
            }
            if verdict.unvalidated {
                self.unvalidated += 1;
            }
            let op = &self.doc.operations[index];
            for (problem, json_path, keyword, message) in verdict.problems {
                found.push(Issue {
                    test: r.id.clone(),
                    operation: format!("{} {}", op.method, op.path),
                    exchange: x.label.to_string(),
                    status,
                    problem,
                    response: verdict.response.clone(),
                    json_path,
                    keyword,
                    message,
                });
            }
        }
        self.issues.extend(found.iter().cloned());
        found
    }

    pub fn finish(mut self, strict: bool, thresholds: &[MinCoverage]) -> Coverage {
        let doc = self.doc;
        let mut operations: Vec<OperationCoverage> = doc
            .operations
            .iter()
            .zip(std::mem::take(&mut self.seen))
            .map(|(op, seen)| OperationCoverage {
                method: op.method.clone(),
                path: op.path.clone(),
                operation_id: op.operation_id.clone(),
                exercised: seen.requests > 0,
                requests: seen.requests,
                documented_statuses: op.responses.clone(),
                statuses_seen: seen.statuses.into_iter().collect(),
                statuses_not_seen: op
                    .responses
                    .iter()
                    .filter(|k| !seen.keys.contains(*k))
                    .cloned()
                    .collect(),
                undocumented_statuses: seen.undocumented_statuses.into_iter().collect(),
                checks: seen.checks.into_iter().collect(),
                tests: seen.tests.into_iter().collect(),
            })
            .collect();
        // Stable: document order within each group.
        operations.sort_by_key(|o| o.exercised);
        let mut totals = Totals {
            operations: operations.len(),
            exercised: operations.iter().filter(|o| o.exercised).count(),
            requests: self.requests,
            ..Totals::default()
        };
        totals.percent = percent(totals.exercised, totals.operations);
        let puts: Vec<&OperationCoverage> =
            operations.iter().filter(|o| o.method == "PUT").collect();
        totals.put_operations = puts.len();
        totals.put_exercised = puts.iter().filter(|o| o.exercised).count();
        totals.put_percent = percent(totals.put_exercised, totals.put_operations);
        for method in document::METHODS {
            let method = method.to_ascii_uppercase();
            let of: Vec<_> = operations.iter().filter(|o| o.method == method).collect();
            if !of.is_empty() {
                totals.by_method.push(MethodTotal {
                    exercised: of.iter().filter(|o| o.exercised).count(),
                    operations: of.len(),
                    method,
                });
            }
        }
        totals.put_checks = SemanticCheck::ALL
            .iter()
            .map(|&check| CheckTotal {
                check,
                put_operations: puts.iter().filter(|o| o.checks.contains(&check)).count(),
            })
            .collect();
        let undocumented: Vec<Undocumented> = std::mem::take(&mut self.undocumented)
            .into_iter()
            .map(|((method, path, why), (requests, tests))| Undocumented {
                message: why.describe(doc),
                reason: why.code(),
                method,
                path,
                requests,
                tests: tests.into_iter().collect(),
            })
            .collect();
        totals.undocumented_requests = undocumented.iter().map(|u| u.requests).sum();
        let min_coverage = thresholds
            .iter()
            .map(|t| threshold(t, &totals, &operations))
            .collect();
        let mut notes = std::mem::take(&mut self.validators.notes);
        let outside = undocumented
            .iter()
            .filter(|u| u.reason == "outside_base_path")
            .count();
        if outside > 0 && !doc.prefix_given {
            notes.push(format!(
                "{outside} request path(s) are outside the document's base path ({}); if the server under test serves the document's paths under another prefix, give it with --openapi-prefix (`--openapi-prefix /` for none)",
                doc.base_paths.join(", ")
            ));
        }
        self.issues.sort_by(|a, b| a.test.cmp(&b.test));
        Coverage {
            version: COVERAGE_VERSION,
            document: DocumentInfo {
                path: doc.source.clone(),
                title: doc.title.clone(),
                version: doc.api_version.clone(),
                openapi: doc.openapi.clone(),
            },
            base_paths: doc.base_paths.clone(),
            strict,
            totals,
            operations,
            undocumented,
            conformance: self.issues,
            unvalidated_bodies: self.unvalidated,
            min_coverage,
            notes,
        }
    }
}

/// Percent with one decimal; 100 when there is nothing to cover.
fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        (part as f64 * 1000.0 / whole as f64).floor() / 10.0
    }
}

fn threshold(t: &MinCoverage, totals: &Totals, operations: &[OperationCoverage]) -> Threshold {
    let (actual, part, whole, what) = if t.put_only {
        (
            totals.put_percent,
            totals.put_exercised,
            totals.put_operations,
            "PUT operations",
        )
    } else {
        (
            totals.percent,
            totals.exercised,
            totals.operations,
            "operations",
        )
    };
    let met = actual >= t.percent;
    let missing: Vec<String> = operations
        .iter()
        .filter(|o| !o.exercised && (!t.put_only || o.method == "PUT"))
        .map(|o| format!("{} {}", o.method, o.path))
        .collect();
    let message = if met {
        format!("--min-coverage {t} met: {part} of {whole} {what} exercised ({actual:.1}%)")
    } else {
        let shown = missing
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let more = if missing.len() > 5 {
            format!(" and {} more", missing.len() - 5)
        } else {
            String::new()
        };
        format!(
            "OpenAPI coverage is below --min-coverage {t}: {part} of {whole} {what} exercised ({actual:.1}%, {}% required); not exercised: {shown}{more}",
            t.percent
        )
    };
    Threshold {
        required: t.to_string(),
        actual,
        met,
        message,
    }
}

/// Every request a test made, in order: each send, read-back and probe, and the hops of
/// the redirects they followed.
fn exchanges(r: &TestResult) -> Vec<Exchange<'_>> {
    let mut out = Vec::new();
    for s in &r.sends {
        let Some(req) = s.request.as_ref().or(r.request.as_ref()) else {
            continue;
        };
        let mut method = req.method.clone();
        let mut url = req.url.clone();
        for hop in &s.redirects {
            out.push(Exchange {
                method: hop.method.clone(),
                url: hop.url.clone(),
                label: &s.label,
                status: Some(hop.status),
                content_type: None,
                body: None,
                body_size: 0,
                own: false,
            });
            url = url::Url::parse(&hop.url)
                .and_then(|base| base.join(&hop.location))
                .map(|u| u.to_string())
                .unwrap_or_else(|_| hop.location.clone());
            // requests' rules: a 303 (and a 301/302 after a POST) becomes a GET.
            if hop.status == 303 && hop.method != "HEAD"
                || matches!(hop.status, 301 | 302) && hop.method == "POST"
            {
                method = "GET".into();
            } else {
                method = hop.method.clone();
            }
        }
        let complete = s.body_preview.len() == s.body_size;
        out.push(Exchange {
            method,
            url,
            label: &s.label,
            status: s.status,
            content_type: s
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.as_str()),
            body: complete.then_some(s.body_preview.as_str()),
            body_size: s.body_size,
            own: s.request.is_none(),
        });
    }
    out
}

/// Sits between the runner and the reporters: tallies each finished test, makes its
/// conformance problems failures under `--openapi-strict`, and at the end hands the
/// coverage to the reporters before the run's summary.
pub struct Observer<'a> {
    tally: Option<Tally<'a>>,
    strict: bool,
    thresholds: Vec<MinCoverage>,
    /// Tests strict mode turned from a pass into a failure, by their former outcome.
    turned: Vec<Outcome>,
    coverage: Option<Arc<Coverage>>,
}

impl<'a> Observer<'a> {
    pub fn new(doc: &'a ApiDoc, strict: bool, thresholds: Vec<MinCoverage>) -> Self {
        Observer {
            tally: Some(Tally::new(doc)),
            strict,
            thresholds,
            turned: Vec::new(),
            coverage: None,
        }
    }

    pub fn pass(&mut self, event: &Event, reporters: &mut Reporters) {
        match event {
            Event::TestFinished(r) => {
                let issues = match &mut self.tally {
                    Some(t) => t.add(r),
                    None => Vec::new(),
                };
                if !self.strict || issues.is_empty() {
                    return reporters.report(event);
                }
                let mut failed = (**r).clone();
                failed.failures.extend(issues.iter().map(Issue::failure));
                if failed.outcome.is_success() {
                    self.turned.push(failed.outcome);
                    failed.outcome = Outcome::Failed;
                }
                reporters.report(&Event::TestFinished(Arc::new(failed)));
            }
            Event::RunFinished(summary) => {
                if let Some(tally) = self.tally.take() {
                    let coverage = Arc::new(tally.finish(self.strict, &self.thresholds));
                    reporters.coverage(&coverage);
                    self.coverage = Some(coverage);
                }
                let mut summary = summary.clone();
                self.adjust(&mut summary);
                reporters.report(&Event::RunFinished(summary));
            }
            _ => reporters.report(event),
        }
    }

    /// The run's summary with the tests strict mode failed counted as failures.
    pub fn adjust(&self, summary: &mut Summary) {
        for outcome in &self.turned {
            match outcome {
                Outcome::Passed => summary.passed = summary.passed.saturating_sub(1),
                Outcome::Flaky => summary.flaky = summary.flaky.saturating_sub(1),
                _ => continue,
            }
            summary.failed += 1;
        }
    }

    pub fn coverage(&self) -> Option<&Arc<Coverage>> {
        self.coverage.as_ref()
    }
}

/// `putcheck coverage DOC REPORT.json`: the coverage of a finished run, from its report.
pub fn from_report(
    doc: &ApiDoc,
    report: &str,
    report_path: &str,
    strict: bool,
    thresholds: &[MinCoverage],
) -> Result<Coverage, CoverageError> {
    #[derive(serde::Deserialize)]
    struct Report {
        tests: Vec<TestResult>,
    }
    let parsed: Report = serde_json::from_str(report).map_err(|e| CoverageError::Report {
        path: report_path.to_string(),
        message: format!("{e}; is it a report written by `putcheck --json`?"),
    })?;
    let mut tally = Tally::new(doc);
    for r in &parsed.tests {
        tally.add(r);
    }
    Ok(tally.finish(strict, thresholds))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    #[test]
    fn redirect_hops_are_requests_too_and_a_303_turns_into_a_get() {
        let send = |label: &str, status: u16, redirects: Value| {
            json!({"n": 1, "kind": "send", "label": label, "request": null, "status": status,
                "reason": "", "version": "HTTP/1.1", "time": 0.0, "headers": [], "body_size": 0,
                "body_preview": "", "redirects": redirects, "error": null})
        };
        let result: TestResult = serde_json::from_value(json!({
            "seq": [0, 0], "file": "a.yaml", "suite": "a", "name": "t", "id": "a.yaml::t",
            "line": 1, "column": 1, "method": "PUT", "url": "http://h/old", "finally": false,
            "outcome": "passed", "attempts": 1, "time": 0.0,
            "request": {"method": "PUT", "url": "http://h/old", "headers": [],
                "body_preview": "", "body_size": 0, "body_file": null},
            "sends": [
                send("send 1", 200, json!([{"status": 307, "method": "PUT", "url": "http://h/old", "location": "/items/1"}])),
                send("send 2", 200, json!([{"status": 303, "method": "PUT", "url": "http://h/old", "location": "http://h/items/1?x=1"}])),
            ],
            "failures": [], "flaky_failures": []
        }))
        .unwrap();
        let seen: Vec<String> = exchanges(&result)
            .iter()
            .map(|x| format!("{} {} {:?} {}", x.method, x.url, x.status, x.own))
            .collect();
        assert_eq!(
            seen,
            [
                "PUT http://h/old Some(307) false",
                "PUT http://h/items/1 Some(200) true",
                "PUT http://h/old Some(303) false",
                "GET http://h/items/1?x=1 Some(200) true",
            ]
        );
    }

    #[test]
    fn thresholds_parse_and_say_their_form() {
        assert_eq!(
            "put:80".parse::<MinCoverage>(),
            Ok(MinCoverage {
                put_only: true,
                percent: 80.0
            })
        );
        assert_eq!(
            "12.5%".parse::<MinCoverage>(),
            Ok(MinCoverage {
                put_only: false,
                percent: 12.5
            })
        );
        let e = "post:80".parse::<MinCoverage>().unwrap_err();
        assert!(e.contains("`put:80`"), "{e}");
        assert!("101".parse::<MinCoverage>().is_err());
        assert_eq!(percent(1, 3), 33.3);
        assert_eq!(percent(0, 0), 100.0);
    }
}
