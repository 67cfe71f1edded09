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

/// The spec files as they were loaded, handed to the reporters with `RunStarted`, so a
/// failure shows the text that ran even if the file changed since.
pub use crate::diagnostic::Sources;
use crate::diagnostic::{Gutter, Styling};

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
    /// rendering (`diagnostic::snippet`) as a spec error's, without colour.
    pub fn snippet(&self) -> String {
        self.snippet_styled(Styling::Plain)
    }

    /// The snippet in the caller's styling. A failure knows where its expectation
    /// starts, not where it ends: one caret.
    pub fn snippet_styled(&self, styling: Styling) -> String {
        let gutter = Gutter::for_line(self.pos.line);
        crate::diagnostic::snippet(self.pos.into(), &self.text, gutter, styling)
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
    pub fn of(r: &'a TestResult, sources: &Sources) -> Explanation<'a> {
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
fn excerpt(r: &TestResult, f: &Failure, sources: &Sources) -> Option<Excerpt> {
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
        for line in ex.snippet_styled(Styling::Ansi).lines() {
            let _ = writeln!(s, "     {line}");
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
