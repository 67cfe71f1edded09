//! The console: a line per test as it finishes, then every failure explained (in file
//! order), then the summary. Colour only where the terminal takes it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{curl_command, Reporter};
use crate::check::{Diff, Failure, FailureKind, LineKind};
use crate::run::{Event, ExchangeKind, Outcome, SendRecord, Summary, TestResult};

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

#[derive(Debug, Clone, Copy, Default)]
pub struct ConsoleOptions {
    /// 0: failures explained; 1 (`-v`): plus request and response of failing tests;
    /// 2 (`-vv`): request and response of every test.
    pub verbosity: u8,
    pub curl: bool,
    pub progress: bool,
    /// Results go to stderr (stdout carries `--json -`).
    pub to_stderr: bool,
}

pub struct Console {
    out: anstream::AutoStream<std::io::Stdout>,
    err: anstream::AutoStream<std::io::Stderr>,
    options: ConsoleOptions,
    results: Vec<TestResult>,
    /// Failed or errored so far, for the progress bar.
    failed: usize,
    progress: Option<ProgressBar>,
    sources: Sources,
}

/// Spec files read back for failure output (each once).
#[derive(Default)]
pub struct Sources(HashMap<String, Option<Vec<String>>>);

impl Sources {
    pub fn line(&mut self, file: &str, line: u64) -> Option<String> {
        let lines = self.0.entry(file.to_string()).or_insert_with(|| {
            std::fs::read_to_string(file)
                .ok()
                .map(|s| s.lines().map(str::to_string).collect())
        });
        lines.as_ref()?.get(line.checked_sub(1)? as usize).cloned()
    }
}

impl Console {
    pub fn new(choice: anstream::ColorChoice, options: ConsoleOptions) -> Self {
        Console {
            out: anstream::AutoStream::new(std::io::stdout(), choice),
            err: anstream::AutoStream::new(std::io::stderr(), choice),
            options,
            results: Vec::new(),
            failed: 0,
            progress: None,
            sources: Sources::default(),
        }
    }

    /// Writes results to stdout (stderr with `--json -`), the progress bar out of the way.
    fn print(&mut self, text: &str) {
        self.write(self.options.to_stderr, text);
    }

    fn write(&mut self, to_stderr: bool, text: &str) {
        let (out, err) = (&mut self.out, &mut self.err);
        let mut write = || {
            let sink: &mut dyn Write = if to_stderr { err } else { out };
            let _ = sink.write_all(text.as_bytes());
            let _ = sink.flush();
        };
        match &self.progress {
            Some(pb) => pb.suspend(write),
            None => write(),
        }
    }

    fn test_line(r: &TestResult) -> String {
        let (style, label) = match r.outcome {
            Outcome::Passed => (GREEN, "PASS "),
            Outcome::Flaky => (YELLOW, "FLAKY"),
            Outcome::Failed => (RED, "FAIL "),
            Outcome::Errored => (RED, "ERROR"),
            Outcome::Skipped => (DIM, "SKIP "),
        };
        let mut info = Vec::new();
        if r.send_count() > 1 {
            info.push(format!("{} sends", r.send_count()));
        }
        if r.attempts > 1 {
            info.push(format!("attempt {}", r.attempts));
        }
        if let Some(f) = r.flaky_failures.first() {
            info.push(format!("earlier: {}: {}", f.subject, f.message));
        }
        if r.outcome != Outcome::Skipped {
            info.push(fmt_time(r.time));
        }
        let kind = if r.finally { " (finally)" } else { "" };
        format!(
            "{style}{label}{style:#} {}{kind} {DIM}[{}]{DIM:#}\n",
            r.id,
            info.join(", ")
        )
    }

    fn exchange(&self, s: &mut String, r: &TestResult) {
        if let Some(req) = &r.request {
            let _ = writeln!(s, "   {DIM}> {} {}{DIM:#}", req.method, req.url);
            dump(s, ">", &req.headers, &req.body_preview);
        }
        let numbered = r.send_count() > 1;
        for send in &r.sends {
            if let Some(req) = &send.request {
                let _ = writeln!(
                    s,
                    "   {DIM}> {}: {} {}{DIM:#}",
                    send.label, req.method, req.url
                );
                dump(s, ">", &req.headers, &req.body_preview);
            }
            response(s, send, numbered);
        }
    }
}

/// A failed (or flaky) test explained: where, what, expected against actual, diffs.
/// Styled; `anstream::adapter::strip_str` gives the plain text.
pub fn explain(r: &TestResult, sources: &mut Sources) -> String {
    let mut s = String::new();
    let (style, label) = match r.outcome {
        Outcome::Errored => (RED, "ERROR"),
        Outcome::Flaky => (YELLOW, "FLAKY"),
        _ => (RED, "FAIL"),
    };
    let _ = writeln!(s, "\n{style}{BOLD}── {label} {}{BOLD:#}{style:#}", r.id);
    let _ = writeln!(s, "   {CYAN}-->{CYAN:#} {}:{}:{}", r.file, r.line, r.column);
    let _ = writeln!(s, "   {} {}", r.method, r.url);
    if r.outcome == Outcome::Flaky {
        let _ = writeln!(
            s,
            "   {YELLOW}passed on attempt {} of a retried test{YELLOW:#}",
            r.attempts
        );
    }
    for f in &r.failures {
        failure(&mut s, r, f, sources);
    }
    s
}

fn failure(s: &mut String, r: &TestResult, f: &Failure, sources: &mut Sources) {
    let sends = match f.sends.as_slice() {
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
    };
    let _ = writeln!(
        s,
        "   {RED}✗{RED:#} {BOLD}{}{BOLD:#}: {}{sends}",
        f.subject, f.message
    );
    if let Some(pos) = f.pos {
        if pos.line != r.line || f.expected.is_some() {
            if let Some(text) = sources.line(&r.file, pos.line) {
                let gutter = pos.line.to_string();
                let _ = writeln!(s, "     {CYAN}{gutter} |{CYAN:#} {}", text.trim_end());
            }
        }
    }
    if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
        let _ = writeln!(s, "       {GREEN}expected:{GREEN:#} {e}");
        let _ = writeln!(s, "         {RED}actual:{RED:#} {a}");
    }
    if let Some(d) = &f.diff {
        render_diff(s, d);
    }
}

/// `--curl`: the test's request, then each other request the test made (read-backs,
/// probes), labelled, each distinct command once.
fn reproduce(s: &mut String, r: &TestResult) {
    let mut shown: Vec<String> = Vec::new();
    if let Some(req) = &r.request {
        let command = curl_command(req);
        let _ = writeln!(s, "   {DIM}reproduce:{DIM:#} {command}");
        shown.push(command);
    }
    for send in &r.sends {
        if let Some(req) = &send.request {
            let command = curl_command(req);
            if !shown.contains(&command) {
                // Every GET of the state is the same request, whatever it was made for.
                let label = match send.kind {
                    ExchangeKind::ReadBack => "read-back",
                    _ => send.label.as_str(),
                };
                let _ = writeln!(s, "   {DIM}reproduce ({label}):{DIM:#} {command}");
                shown.push(command);
            }
        }
    }
}

/// Headers, then a blank marker line and the body, each line behind `mark` (`>` or `<`).
fn dump(s: &mut String, mark: &str, headers: &[(String, String)], body: &str) {
    for (k, v) in headers {
        let _ = writeln!(s, "   {DIM}{mark} {k}: {v}{DIM:#}");
    }
    if !body.is_empty() {
        let _ = writeln!(s, "   {DIM}{mark}{DIM:#}");
        for line in body.lines() {
            let _ = writeln!(s, "   {DIM}{mark} {line}{DIM:#}");
        }
    }
}

fn response(s: &mut String, send: &SendRecord, numbered: bool) {
    let label = match send.kind {
        ExchangeKind::Send if !numbered => String::new(),
        ExchangeKind::Send if send.label.is_empty() => format!(" send {}", send.n),
        _ => format!(" {}", send.label),
    };
    for hop in &send.redirects {
        let _ = writeln!(
            s,
            "   {DIM}<{label} {} {} → {}{DIM:#}",
            hop.status, hop.url, hop.location
        );
    }
    match (&send.status, &send.error) {
        (Some(status), _) => {
            let _ = writeln!(
                s,
                "   {DIM}<{label} {} {} {} ({}){DIM:#}",
                send.version.as_deref().unwrap_or("HTTP/1.1"),
                status,
                send.reason.as_deref().unwrap_or(""),
                fmt_time(send.time)
            );
            dump(s, "<", &send.headers, &send.body_preview);
        }
        (None, Some(e)) => {
            let _ = writeln!(s, "   {DIM}<{label} no response: {e}{DIM:#}");
        }
        (None, None) => {}
    }
}

fn render_diff(s: &mut String, d: &Diff) {
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

/// `12 passed, 1 failed` (then flaky, errors, skipped when there are any) and the time.
pub fn summary_line(sum: &Summary) -> String {
    let mut parts = vec![
        format!("{} passed", sum.passed + sum.flaky),
        format!("{} failed", sum.failed),
    ];
    if sum.flaky > 0 {
        parts.push(format!("{} flaky", sum.flaky));
    }
    if sum.errored > 0 {
        parts.push(format!("{} errors", sum.errored));
    }
    if sum.skipped > 0 {
        parts.push(format!("{} skipped", sum.skipped));
    }
    let mut line = parts.join(", ");
    if sum.invalid_files > 0 {
        let _ = write!(
            line,
            "; {} invalid spec file{}",
            sum.invalid_files,
            if sum.invalid_files == 1 { "" } else { "s" }
        );
    }
    let _ = write!(line, " in {}", fmt_time(sum.time));
    line
}

impl Reporter for Console {
    fn report(&mut self, event: &Event) {
        match event {
            Event::RunStarted { files, tests, jobs } => {
                if self.options.progress && *tests > 1 {
                    let pb = ProgressBar::with_draw_target(
                        Some(*tests as u64),
                        ProgressDrawTarget::stderr(),
                    );
                    pb.set_style(
                        ProgressStyle::with_template(
                            "{spinner} {pos}/{len} tests  {msg}  [{elapsed}]",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    pb.enable_steady_tick(Duration::from_millis(120));
                    self.progress = Some(pb);
                }
                let s = |n: usize| if n == 1 { "" } else { "s" };
                let text = format!(
                    "{DIM}Running {tests} test{} from {files} file{} on {jobs} workers{DIM:#}\n",
                    s(*tests),
                    s(*files)
                );
                self.print(&text);
            }
            Event::SuiteInvalid { errors, .. } => {
                let mut text = String::new();
                for e in errors {
                    let rendered = e.render();
                    let mut lines = rendered.lines();
                    if let Some(first) = lines.next() {
                        let msg = first.strip_prefix("error: ").unwrap_or(first);
                        let _ =
                            writeln!(text, "{RED}{BOLD}error{BOLD:#}{RED:#}{BOLD}: {msg}{BOLD:#}");
                    }
                    for l in lines {
                        let _ = writeln!(text, "{CYAN}{l}{CYAN:#}");
                    }
                }
                self.write(true, &text);
            }
            Event::TestFinished(r) => {
                let mut text = Self::test_line(r);
                if self.options.verbosity >= 2
                    || (self.options.verbosity == 1 && r.outcome.is_failure())
                {
                    self.exchange(&mut text, r);
                }
                self.print(&text);
                if let Some(pb) = &self.progress {
                    pb.inc(1);
                    if r.outcome.is_failure() {
                        self.failed += 1;
                        pb.set_message(format!("{} failed", self.failed));
                    }
                }
                self.results.push((**r).clone());
            }
            Event::RunFinished(sum) => {
                if let Some(pb) = self.progress.take() {
                    pb.finish_and_clear();
                }
                let mut results = std::mem::take(&mut self.results);
                results.sort_by_key(|r| r.seq);
                let mut text = String::new();
                for r in results
                    .iter()
                    .filter(|r| !r.failures.is_empty() && r.outcome != Outcome::Skipped)
                {
                    text.push_str(&explain(r, &mut self.sources));
                    if self.options.curl {
                        reproduce(&mut text, r);
                    }
                }
                let style = if sum.all_passed() && sum.invalid_files == 0 {
                    GREEN
                } else {
                    RED
                };
                let _ = writeln!(
                    text,
                    "\n{style}{BOLD}{}{BOLD:#}{style:#}",
                    summary_line(sum)
                );
                self.print(&text);
            }
        }
    }
}
