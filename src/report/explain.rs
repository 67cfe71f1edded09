//! What a failed (or flaky) test means, in one place: the console, JUnit and HTML all
//! explain a test from the same `Explanation`, so they never tell different stories.
//! `Explanation` is data; `text` renders it for a terminal (styled, or plain for JUnit).

use std::fmt::Write as _;
use std::time::Duration;

use anstyle::{AnsiColor, Style};

use crate::check::{Diff, Failure, FailureKind, LineKind};
use crate::run::{Outcome, TestResult};

pub(crate) const GREEN: Style = AnsiColor::Green.on_default();
pub(crate) const RED: Style = AnsiColor::Red.on_default();
pub(crate) const YELLOW: Style = AnsiColor::Yellow.on_default();
pub(crate) const CYAN: Style = AnsiColor::Cyan.on_default();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const BOLD: Style = Style::new().bold();

/// Lines of the spec files as they were loaded (kept in memory by `diagnostic`, so a
/// failure shows the text that ran even if the file changed since).
#[derive(Default)]
pub struct Sources {}

impl Sources {
    pub fn line(&mut self, file: &str, line: u64) -> Option<String> {
        crate::diagnostic::source_line(std::path::Path::new(file), line)
    }
}

/// A test's explanation, as data.
pub struct Explanation<'a> {
    pub result: &'a TestResult,
    /// `FAIL`, `ERROR` or `FLAKY`.
    pub label: &'static str,
    /// "passed on attempt 2 of a retried test", for a flaky test.
    pub note: Option<String>,
    pub failures: Vec<Explained<'a>>,
}

/// One failure with what the reader needs beside it.
pub struct Explained<'a> {
    pub failure: &'a Failure,
    /// Which sends it was seen on: ` (send 1 of 2)`, ` (all 3 sends)`, or empty.
    pub sends: String,
    /// The spec line the failed expectation is written on, when it adds something.
    pub excerpt: Option<Excerpt>,
}

pub struct Excerpt {
    pub pos: crate::spec::Pos,
    pub text: String,
}

impl Excerpt {
    /// The line behind its gutter with a caret under the expectation: the same
    /// rendering (`diagnostic::snippet`) as a spec error's.
    pub fn snippet(&self) -> String {
        crate::diagnostic::snippet(self.pos, &self.text)
    }
}

/// Whether a finished test has anything to explain.
pub fn needs_explaining(r: &TestResult) -> bool {
    match r.outcome {
        Outcome::Failed | Outcome::Errored => !r.failures.is_empty(),
        Outcome::Flaky => !r.flaky_failures.is_empty(),
        Outcome::Passed | Outcome::Skipped | Outcome::Interrupted => false,
    }
}

impl<'a> Explanation<'a> {
    /// A flaky test is explained by the failures of its last failed attempt.
    pub fn of(r: &'a TestResult, sources: &mut Sources) -> Explanation<'a> {
        let (label, failures, note) = match r.outcome {
            Outcome::Errored => ("ERROR", &r.failures, None),
            Outcome::Flaky => (
                "FLAKY",
                &r.flaky_failures,
                Some(format!(
                    "passed on attempt {} of a retried test; an earlier attempt failed:",
                    r.attempts
                )),
            ),
            Outcome::Passed | Outcome::Failed | Outcome::Skipped | Outcome::Interrupted => {
                ("FAIL", &r.failures, None)
            }
        };
        Explanation {
            result: r,
            label,
            note,
            failures: failures
                .iter()
                .map(|f| Explained {
                    failure: f,
                    sends: sends_note(r, f),
                    excerpt: excerpt(r, f, sources),
                })
                .collect(),
        }
    }
}

fn sends_note(r: &TestResult, f: &Failure) -> String {
    match f.sends.as_slice() {
        _ if f.kind == FailureKind::Idempotency => String::new(),
        [] => String::new(),
        [n] if r.send_count() > 1 => format!(" (send {n} of {})", r.send_count()),
        [_] => String::new(),
        all if all.len() == r.send_count() => format!(" (all {} sends)", all.len()),
        some => format!(
            " (sends {})",
            some.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The spec line of the expectation, unless it is the test's own first line and there
/// is no expected value to read it against.
fn excerpt(r: &TestResult, f: &Failure, sources: &mut Sources) -> Option<Excerpt> {
    let pos = f.pos?;
    if pos.line == r.line && f.expected.is_none() {
        return None;
    }
    let text = sources.line(&r.file, pos.line)?;
    Some(Excerpt {
        pos,
        text: text.trim_end().to_string(),
    })
}

/// The explanation as terminal text, styled (`anstream::adapter::strip_str` gives the
/// plain text, as JUnit wants it).
pub fn text(e: &Explanation) -> String {
    let r = e.result;
    let mut s = String::new();
    let style = if r.outcome == Outcome::Flaky {
        YELLOW
    } else {
        RED
    };
    let _ = writeln!(s, "\n{style}{BOLD}── {} {}{BOLD:#}{style:#}", e.label, r.id);
    let _ = writeln!(s, "   {CYAN}-->{CYAN:#} {}:{}:{}", r.file, r.line, r.column);
    let _ = writeln!(s, "   {} {}", r.method, r.url);
    if let Some(note) = &e.note {
        let _ = writeln!(s, "   {YELLOW}{note}{YELLOW:#}");
    }
    for x in &e.failures {
        failure(&mut s, x);
    }
    s
}

/// The explanation without styling.
pub fn plain(e: &Explanation) -> String {
    anstream::adapter::strip_str(&text(e)).to_string()
}

fn failure(s: &mut String, x: &Explained) {
    let f = x.failure;
    let _ = writeln!(
        s,
        "   {RED}✗{RED:#} {BOLD}{}{BOLD:#}: {}{}",
        f.subject, f.message, x.sends
    );
    if let Some(ex) = &x.excerpt {
        for line in ex.snippet().lines() {
            let _ = writeln!(s, "     {CYAN}{line}{CYAN:#}");
        }
    }
    if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
        let _ = writeln!(s, "       {GREEN}expected:{GREEN:#} {e}");
        let _ = writeln!(s, "         {RED}actual:{RED:#} {a}");
    }
    if let Some(d) = &f.diff {
        diff(s, d);
    }
    if let Some(test) = &f.reproduce {
        let _ = writeln!(
            s,
            "       {CYAN}a test that reproduces it (paste it into the spec):{CYAN:#}"
        );
        for line in test.lines() {
            let _ = writeln!(s, "         {line}");
        }
    }
}

fn diff(s: &mut String, d: &Diff) {
    let _ = writeln!(s, "       {RED}--- {}{RED:#}", d.old_label);
    let _ = writeln!(s, "       {GREEN}+++ {}{GREEN:#}", d.new_label);
    for line in &d.lines {
        let (style, sign) = match line.kind {
            LineKind::Context => (Style::new(), " "),
            LineKind::Removed => (RED, "-"),
            LineKind::Added => (GREEN, "+"),
            LineKind::Header => (CYAN, ""),
        };
        let _ = write!(s, "       {style}{sign}");
        for (emph, text) in &line.spans {
            if *emph && line.kind != LineKind::Context {
                let strong = style.bold().underline();
                let _ = write!(s, "{style:#}{strong}{text}{strong:#}{style}");
            } else {
                s.push_str(text);
            }
        }
        let _ = writeln!(s, "{style:#}");
    }
}

pub fn fmt_time(secs: f64) -> String {
    let d = Duration::from_secs_f64(secs.max(0.0));
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
}

/// `3 tests`, `1 test`: a count with its noun, singular for one.
pub fn count(n: usize, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {noun}{s}")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::run::{ExchangeKind, SendRecord};
    use crate::spec::Pos;

    const FILE: &str = "explain/result.yaml";
    const SPEC: &str =
        "tests:\n  - name: item\n    put: /items/1\n    expect:\n      status: 200\n";

    fn send(n: usize) -> SendRecord {
        SendRecord {
            n,
            kind: ExchangeKind::Send,
            label: format!("send {n}"),
            request: None,
            status: Some(200),
            reason: Some("OK".into()),
            version: Some("HTTP/1.1".into()),
            time: 0.0,
            headers: Vec::new(),
            body_size: 0,
            body_preview: String::new(),
            redirects: Vec::new(),
            refused_streams: 0,
            error: None,
            shell: None,
        }
    }

    /// A test of `SPEC` (at line 2) sent `sends` times, with these failures.
    fn result(outcome: Outcome, sends: usize, failures: Vec<Failure>) -> TestResult {
        crate::diagnostic::remember_source(Path::new(FILE), SPEC);
        let mut sends: Vec<SendRecord> = (1..=sends).map(send).collect();
        // A read-back is no send: it is not counted in "send 1 of 2".
        sends.push(SendRecord {
            kind: ExchangeKind::ReadBack,
            label: "read-back".into(),
            ..send(sends.len())
        });
        TestResult {
            seq: (0, 0),
            file: FILE.into(),
            suite: "explain".into(),
            name: "item".into(),
            id: format!("{FILE}::item"),
            line: 2,
            column: 5,
            method: "PUT".into(),
            url: "http://127.0.0.1:9/items/1".into(),
            finally: false,
            outcome,
            attempts: 1,
            time: 0.0,
            request: None,
            sends,
            failures,
            flaky_failures: Vec::new(),
            checks: Vec::new(),
            shell: None,
        }
    }

    fn on(kind: FailureKind, sends: &[usize]) -> Failure {
        let mut f = Failure::new(kind, "status", "unexpected status");
        f.sends = sends.to_vec();
        f
    }

    fn notes(r: &TestResult) -> Vec<String> {
        Explanation::of(r, &mut Sources::default())
            .failures
            .into_iter()
            .map(|x| x.sends)
            .collect()
    }

    #[test]
    fn the_sends_a_failure_was_seen_on_are_named_against_the_sends_made() {
        let r = result(
            Outcome::Failed,
            3,
            vec![
                on(FailureKind::Status, &[2]),
                on(FailureKind::Status, &[1, 2, 3]),
                on(FailureKind::Status, &[1, 3]),
                on(FailureKind::Status, &[]),
                // An idempotency failure names its sends in its own message.
                on(FailureKind::Idempotency, &[2]),
            ],
        );
        assert_eq!(
            notes(&r),
            [" (send 2 of 3)", " (all 3 sends)", " (sends 1, 3)", "", ""]
        );
        let once = result(Outcome::Failed, 1, vec![on(FailureKind::Status, &[1])]);
        assert_eq!(notes(&once), [""]);
    }

    #[test]
    fn the_spec_line_is_shown_unless_it_is_the_test_s_own_with_nothing_to_compare() {
        let at = |line: u64, expected: bool| {
            let mut f = Failure::new(FailureKind::Status, "status", "unexpected status");
            f.pos = Some(Pos { line, column: 15 });
            if expected {
                f = f.values("200", "500 Internal Server Error");
            }
            f
        };
        let r = result(
            Outcome::Failed,
            1,
            vec![at(5, true), at(2, false), at(2, true)],
        );
        let e = Explanation::of(&r, &mut Sources::default());
        let shown: Vec<Option<&str>> = e
            .failures
            .iter()
            .map(|x| x.excerpt.as_ref().map(|ex| ex.text.as_str()))
            .collect();
        assert_eq!(
            shown,
            [Some("      status: 200"), None, Some("  - name: item")]
        );
    }

    #[test]
    fn a_flaky_test_is_explained_by_its_failed_attempt() {
        let mut r = result(Outcome::Flaky, 1, Vec::new());
        r.attempts = 2;
        let mut f = Failure::new(FailureKind::Status, "status", "unexpected status")
            .values("200", "503 Service Unavailable");
        f.pos = Some(Pos {
            line: 5,
            column: 15,
        });
        r.flaky_failures = vec![f];
        assert!(needs_explaining(&r));
        insta::assert_snapshot!(
            "flaky",
            plain(&Explanation::of(&r, &mut Sources::default()))
        );
    }

    #[test]
    fn only_a_failure_with_something_to_say_is_explained() {
        assert!(!needs_explaining(&result(Outcome::Passed, 1, Vec::new())));
        assert!(!needs_explaining(&result(Outcome::Flaky, 1, Vec::new())));
        assert!(!needs_explaining(&result(Outcome::Failed, 1, Vec::new())));
        let failed = vec![on(FailureKind::Transport, &[])];
        assert!(needs_explaining(&result(Outcome::Errored, 1, failed)));
    }

    #[test]
    fn counts_and_times_read_as_words() {
        assert_eq!(count(1, "test"), "1 test");
        assert_eq!(count(0, "test"), "0 tests");
        assert_eq!(fmt_time(0.25), "250ms");
        assert_eq!(fmt_time(1.5), "1.50s");
        assert_eq!(fmt_time(-1.0), "0ms");
    }
}
