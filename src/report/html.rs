//! The HTML report (`--html PATH`): one self-contained file for a CI artifact page. No
//! external scripts, styles or fonts, so it opens with no network. It reads without
//! JavaScript; a small script adds filtering by status and sorting by time.
//!
//! Built with maud: every `(value)` in a template is HTML-escaped unless wrapped in
//! `PreEscaped`, which only the constant stylesheet and script are. Names, URLs, bodies
//! and messages come from servers and specs, so escaping must not be opt-in.

use std::io::{self, Write};

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::console::summary_line;
use super::explain::{self, fmt_time, Explained, Explanation};
use super::file::{Collected, Format};
use crate::check::LineKind;
use crate::run::{Outcome, SendRecord, TestResult};

/// The HTML format, written by a `FileReport`. It keeps the results: a page shows each
/// test's sends, and is read by people, not written for suites of many thousands.
#[derive(Default)]
pub struct Html {
    tests: Vec<TestResult>,
}

impl Format for Html {
    const WHAT: &'static str = "HTML";

    fn add(&mut self, r: &TestResult) {
        self.tests.push(r.clone());
    }

    fn write(&mut self, run: &Collected, out: &mut dyn Write) -> io::Result<()> {
        self.tests.sort_by_key(|t| t.seq);
        out.write_all(page(run, &self.tests).into_string().as_bytes())
    }
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "passed",
        Outcome::Flaky => "flaky",
        Outcome::Failed => "failed",
        Outcome::Errored => "errored",
        Outcome::Skipped => "skipped",
        Outcome::Interrupted => "interrupted",
    }
}

fn badge(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "PASS",
        Outcome::Flaky => "FLAKY",
        Outcome::Failed => "FAIL",
        Outcome::Errored => "ERROR",
        Outcome::Skipped => "SKIP",
        Outcome::Interrupted => "INTR",
    }
}

/// `t-3-1`: the anchor of a test's details, from its place in the run.
fn anchor(r: &TestResult) -> String {
    format!("t-{}-{}", r.seq.0, r.seq.1)
}

fn page(run: &Collected, tests: &[TestResult]) -> Markup {
    let sum = &run.summary;
    let verdict = if sum.all_passed() && sum.invalid_files == 0 {
        "passed"
    } else {
        "failed"
    };
    let explained: Vec<Explanation> = tests
        .iter()
        .filter(|r| explain::needs_explaining(r))
        .map(|r| Explanation::of(r, &run.sources))
        .collect();
    // The console's words, so that the tab and the log say the same.
    let title = format!("putcheck: {}", summary_line(sum));
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("putcheck ", env!("CARGO_PKG_VERSION")));
                title { (title) }
                style { (PreEscaped(CSS)) }
                @if run.coverage.is_some() { style { (PreEscaped(super::coverage_html::CSS)) } }
            }
            body data-verdict=(verdict) {
                header {
                    h1 { "putcheck report" }
                    p.meta { (explain::count(sum.files, "spec file")) " · putcheck " (env!("CARGO_PKG_VERSION")) }
                }
                section #summary .(verdict) aria-label="summary" {
                    (count_box("passed", sum.passed, "passed"))
                    (count_box("failed", sum.failed, "failed"))
                    (count_box("errored", sum.errored, if sum.errored == 1 { "error" } else { "errors" }))
                    (count_box("flaky", sum.flaky, "flaky"))
                    @if sum.skipped > 0 {
                        (count_box("skipped", sum.skipped, "skipped"))
                    }
                    @if sum.invalid_files > 0 {
                        (count_box("invalid", sum.invalid_files, if sum.invalid_files == 1 { "invalid spec file" } else { "invalid spec files" }))
                    }
                    div.count.time data-count="time" { b { (fmt_time(sum.time)) } " time" }
                }
                @if !run.invalid.is_empty() {
                    section #invalid {
                        h2 { "Spec files that could not be loaded" }
                        @for (file, errors) in &run.invalid {
                            article.invalid-file {
                                h3 { code { (file) } }
                                @for e in errors {
                                    pre.spec-error { (e.render()) }
                                }
                            }
                        }
                    }
                }
                section #tests {
                    h2 { "Tests" }
                    div #filters hidden {
                        span { "Show: " }
                        @for (value, label) in FILTERS {
                            button type="button" data-filter=(value) aria-pressed=(if *value == "all" { "true" } else { "false" }) { (label) }
                        }
                    }
                    table #results {
                        thead {
                            tr {
                                th scope="col" { "status" }
                                th scope="col" { "test" }
                                th scope="col" { "where" }
                                th scope="col" .num aria-sort="none" {
                                    button #sort-time type="button" title="sort by time" { "time" }
                                }
                            }
                        }
                        tbody {
                            @for r in tests {
                                tr.test data-outcome=(outcome_name(r.outcome)) data-time=(format!("{:.6}", r.time)) {
                                    td { span.badge.(outcome_name(r.outcome)) { (badge(r.outcome)) } }
                                    td.name {
                                        @if explain::needs_explaining(r) {
                                            a href=(format!("#{}", anchor(r))) { (r.name) }
                                        } @else {
                                            (r.name)
                                        }
                                        @if r.finally { " " span.tag { "finally" } }
                                        @if r.attempts > 1 { " " span.tag { "attempt " (r.attempts) } }
                                    }
                                    td.where { code { (r.file) ":" (r.line) } }
                                    td.num { @if r.outcome != Outcome::Skipped { (fmt_time(r.time)) } }
                                }
                            }
                        }
                    }
                }
                @if let Some(c) = &run.coverage {
                    (super::coverage_html::section(c))
                }
                @if !explained.is_empty() {
                    section #details {
                        h2 { "Failures" }
                        @for e in &explained {
                            (details(e))
                        }
                    }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

const FILTERS: &[(&str, &str)] = &[
    ("all", "all"),
    ("problems", "failed and errors"),
    ("failed", "failed"),
    ("errored", "errors"),
    ("flaky", "flaky"),
    ("passed", "passed"),
    ("skipped", "skipped"),
];

fn count_box(class: &str, n: usize, label: &str) -> Markup {
    html! {
        div.count.(class) data-count=(class) { b { (n) } " " (label) }
    }
}

/// A failed or flaky test: everything the console says, then the exchange.
fn details(e: &Explanation) -> Markup {
    let r = e.result;
    html! {
        article.failure.(outcome_name(r.outcome)) id=(anchor(r)) data-outcome=(outcome_name(r.outcome)) {
            h3 { span.badge.(outcome_name(r.outcome)) { (e.label) } " " (r.id) }
            p.where { "--> " code { (r.file) ":" (r.line) ":" (r.column) } }
            p.request-line { code { (r.method) " " (r.url) } }
            @if let Some(note) = &e.note { p.note { (note) } }
            ul.failures {
                @for x in &e.failures { (failure(x)) }
            }
            details.exchange {
                summary {
                    @if r.outcome == Outcome::Flaky { "the passing attempt's " }
                    "request and " (explain::count(r.sends.len(), "response"))
                }
                (exchange(r))
            }
        }
    }
}

fn failure(x: &Explained) -> Markup {
    let f = x.failure;
    html! {
        li.check data-kind=(format!("{:?}", f.kind).to_lowercase()) {
            p.message { span.cross { "✗" } " " strong.subject { (f.subject) } ": " (f.message) (x.sends) }
            @if let Some(ex) = &x.excerpt {
                pre.excerpt { (ex.snippet()) }
            }
            @if let (Some(expected), Some(actual)) = (&f.expected, &f.actual) {
                dl.values {
                    dt.expected { "expected" } dd.expected { code { (expected) } }
                    dt.actual { "actual" } dd.actual { code { (actual) } }
                }
            }
            @if !f.paths.is_empty() {
                p.paths { "JSONPaths: "
                    @for (i, p) in f.paths.iter().enumerate() {
                        @if i > 0 { ", " }
                        code.path { (p) }
                    }
                }
            }
            @if let Some(test) = &f.reproduce {
                p.paths { "a test that reproduces it (paste it into the spec):" }
                pre.excerpt { (test) }
            }
            @if let Some(d) = &f.diff {
                pre.diff {
                    span.line.removed { "--- " (d.old_label) } "\n"
                    span.line.added { "+++ " (d.new_label) } "\n"
                    @for line in &d.lines {
                        @let (class, sign) = match line.kind {
                            LineKind::Context => ("context", " "),
                            LineKind::Removed => ("removed", "-"),
                            LineKind::Added => ("added", "+"),
                            LineKind::Header => ("hunk", ""),
                        };
                        span.line.(class) {
                            (sign)
                            @for (emph, text) in &line.spans {
                                @if *emph && line.kind != LineKind::Context {
                                    mark { (text) }
                                } @else {
                                    (text)
                                }
                            }
                        }
                        "\n"
                    }
                }
            }
        }
    }
}

fn exchange(r: &TestResult) -> Markup {
    html! {
        @if let Some(req) = &r.request {
            h4 { "request" }
            pre.http.request {
                (req.method) " " (req.url) "\n"
                @for (k, v) in &req.headers { (k) ": " (v) "\n" }
                @if !req.body_preview.is_empty() { "\n" (req.body_preview) }
            }
        } @else {
            p { "No request was sent." }
        }
        @for s in &r.sends {
            h4 { "response to send " (s.n) }
            (response(s))
        }
    }
}

fn response(s: &SendRecord) -> Markup {
    html! {
        pre.http.response {
            @for hop in &s.redirects {
                (hop.status) " " (hop.method) " " (hop.url) " → " (hop.location) "\n"
            }
            @match (&s.status, &s.error) {
                (Some(status), _) => {
                    @if s.refused_streams > 0 {
                        "(the server refused the HTTP/2 stream before processing it; the request went once more)\n"
                    }
                    (s.version.as_deref().unwrap_or("HTTP/1.1")) " " (status)
                    @if let Some(reason) = s.reason.as_deref().filter(|r| !r.is_empty()) { " " (reason) }
                    " (" (fmt_time(s.time)) ")\n"
                    @for (k, v) in &s.headers { (k) ": " (v) "\n" }
                    @if !s.body_preview.is_empty() { "\n" (s.body_preview) }
                }
                (None, Some(e)) => { "no response: " (e) }
                (None, None) => { "no response" }
            }
        }
    }
}

const CSS: &str = r#"
:root { color-scheme: light dark; --pass: #1a7f37; --fail: #cf222e; --flaky: #9a6700;
  --muted: #656d76; --line: #d0d7de; --bg2: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --pass: #3fb950; --fail: #f85149;
  --flaky: #d29922; --muted: #8d96a0; --line: #30363d; --bg2: #161b22; } }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
  max-width: 1100px; padding: 1rem 1.5rem 3rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
h1 { font-size: 1.4rem; margin: .2rem 0; } h2 { font-size: 1.15rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 0 0 .4rem; word-break: break-all; } h4 { margin: .8rem 0 .2rem; font-size: .9rem; }
.meta { color: var(--muted); margin: 0; }
#summary { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0; padding: .8rem;
  border-radius: 6px; border-left: 6px solid var(--pass); background: var(--bg2); }
#summary.failed { border-left-color: var(--fail); }
.count { padding: .2rem .7rem; border: 1px solid var(--line); border-radius: 4px; }
.count b { font-size: 1.2rem; }
.count.passed b { color: var(--pass); } .count.failed b, .count.errored b, .count.invalid b { color: var(--fail); }
.count.flaky b { color: var(--flaky); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th.num, td.num { text-align: right; white-space: nowrap; }
th button { font: inherit; font-weight: bold; background: none; border: 0; cursor: pointer; padding: 0; color: inherit; }
th[aria-sort="descending"] button::after { content: " ▼"; } th[aria-sort="ascending"] button::after { content: " ▲"; }
td.name { word-break: break-word; } td.where { color: var(--muted); }
.badge { display: inline-block; min-width: 3.6em; text-align: center; font-weight: bold;
  font-size: 12px; border-radius: 3px; padding: 0 .3em; color: #fff; background: var(--muted); }
.badge.passed { background: var(--pass); } .badge.failed, .badge.errored { background: var(--fail); }
.badge.flaky { background: var(--flaky); }
.tag { font-size: 12px; color: var(--muted); border: 1px solid var(--line); border-radius: 3px; padding: 0 .3em; }
#filters { margin: .5rem 0; } #filters button { margin: 0 .2rem .3rem 0; padding: .15rem .6rem;
  border: 1px solid var(--line); border-radius: 4px; background: none; color: inherit; cursor: pointer; }
#filters button[aria-pressed="true"] { background: var(--bg2); font-weight: bold; border-color: var(--muted); }
tr[hidden] { display: none; }
article.failure { border: 1px solid var(--line); border-left: 5px solid var(--fail); border-radius: 6px;
  padding: .8rem 1rem; margin: 1rem 0; }
article.failure.flaky { border-left-color: var(--flaky); }
.where, .request-line { margin: .15rem 0; } .note { color: var(--flaky); }
ul.failures { list-style: none; padding: 0; } li.check { margin: .6rem 0; }
.message { margin: .2rem 0; } .cross { color: var(--fail); font-weight: bold; }
pre { background: var(--bg2); padding: .5rem .7rem; border-radius: 4px; overflow-x: auto; margin: .3rem 0; }
dl.values { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .3rem 0 .3rem 1rem; }
dl.values dd { margin: 0; } dt.expected { color: var(--pass); } dt.actual { color: var(--fail); }
.diff .removed { color: var(--fail); } .diff .added { color: var(--pass); } .diff .hunk { color: var(--muted); }
.diff mark { color: inherit; background: rgba(207, 34, 46, .25); font-weight: bold; text-decoration: underline; }
.diff .added mark { background: rgba(26, 127, 55, .25); }
details.exchange summary { cursor: pointer; color: var(--muted); }
"#;

/// Filtering by status and sorting by time; `#filter=failed&sort=time` in the address
/// does the same on load, so a link can point at the failures.
const SCRIPT: &str = r#"
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('#results tbody tr'));
  var body = document.querySelector('#results tbody');
  var filters = document.getElementById('filters');
  var sortButton = document.getElementById('sort-time');
  var header = sortButton.parentNode;
  var problems = { failed: 1, errored: 1 };
  function filter(value) {
    rows.forEach(function (row) {
      var o = row.getAttribute('data-outcome');
      row.hidden = !(value === 'all' || o === value || (value === 'problems' && problems[o]));
    });
    filters.querySelectorAll('button').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-filter') === value));
    });
    document.body.setAttribute('data-filter', value);
  }
  function sort(direction) {
    var sorted = rows.slice();
    if (direction !== 'none') {
      sorted.sort(function (a, b) {
        var d = parseFloat(a.getAttribute('data-time')) - parseFloat(b.getAttribute('data-time'));
        return direction === 'ascending' ? d : -d;
      });
    }
    sorted.forEach(function (row) { body.appendChild(row); });
    header.setAttribute('aria-sort', direction);
  }
  filters.addEventListener('click', function (e) {
    var value = e.target.getAttribute && e.target.getAttribute('data-filter');
    if (value) { filter(value); }
  });
  sortButton.addEventListener('click', function () {
    var next = { none: 'descending', descending: 'ascending', ascending: 'none' };
    sort(next[header.getAttribute('aria-sort')] || 'descending');
  });
  var params = {};
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var p = kv.split('='); if (p[0]) { params[p[0]] = decodeURIComponent(p[1] || ''); }
  });
  filters.hidden = false;
  if (params.filter) { filter(params.filter); }
  if (params.sort === 'time') { sort('descending'); }
  document.body.setAttribute('data-script', 'ready');
})();
"#;
