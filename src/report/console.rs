//! The console: a line per test as it finishes (or all in file order with `--ordered`),
//! then every failure explained (in file order), then the summary. Colour only where
//! the terminal takes it.

use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::curl::{self, curl_command};
use super::explain::{
    self, count, fmt_time, Explanation, Sources, BOLD, CYAN, DIM, GREEN, RED, YELLOW,
};
use super::Reporter;
use crate::run::{Event, ExchangeKind, Outcome, SendRecord, Summary, TestResult};

#[derive(Debug, Clone, Copy, Default)]
pub struct ConsoleOptions {
    /// 0: failures explained; 1 (`-v`): plus request and response of failing tests;
    /// 2 (`-vv`): request and response of every test.
    pub verbosity: u8,
    pub curl: bool,
    pub progress: bool,
    /// Results go to stderr (stdout carries `--json -`).
    pub to_stderr: bool,
    /// `--quiet`: only failures and the summary.
    pub quiet: bool,
    /// `--ordered`: test lines held back and printed in file order at the end, so that
    /// logs of two runs diff cleanly.
    pub ordered: bool,
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
    /// Test lines of the current burst, written at the next `flush`: one write per
    /// burst instead of one per test.
    pending: String,
    /// `--openapi`: printed after the summary.
    coverage: Option<std::sync::Arc<crate::coverage::Coverage>>,
    /// `generating file::name: body 12/50`, while a generated test runs.
    generating: String,
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
            pending: String::new(),
            coverage: None,
            generating: String::new(),
        }
    }

    /// The progress bar's message: failures so far, and a generated test's progress.
    fn progress_message(&self) {
        let Some(pb) = &self.progress else {
            return;
        };
        let mut msg = String::new();
        if self.failed > 0 {
            msg = format!("{} failed", self.failed);
        }
        if !self.generating.is_empty() {
            if !msg.is_empty() {
                msg.push_str("  ");
            }
            msg.push_str(&self.generating);
        }
        pb.set_message(msg);
    }

    /// Writes results to stdout (stderr with `--json -`), the progress bar out of the way.
    fn print(&mut self, text: &str) {
        self.write(self.options.to_stderr, text);
    }

    /// Writes the held-back test lines.
    fn write_pending(&mut self) {
        if !self.pending.is_empty() {
            let text = std::mem::take(&mut self.pending);
            self.print(&text);
        }
    }

    fn write(&mut self, to_stderr: bool, text: &str) {
        let (out, err) = (&mut self.out, &mut self.err);
        let mut write = || {
            if to_stderr {
                write_whole(err, text);
            } else {
                write_whole(out, text);
            }
        };
        match &self.progress {
            Some(pb) => pb.suspend(write),
            None => write(),
        }
    }

    /// The line (and with `-v`, the exchange) printed for a finished test; empty when
    /// `--quiet` hides it.
    pub fn test_text(&self, r: &TestResult) -> String {
        if self.options.quiet && !r.outcome.is_failure() {
            return String::new();
        }
        // Tests an interrupt kept from starting are counted in the summary, not listed:
        // after a Ctrl-C on a large suite they would bury what did run.
        if r.outcome == Outcome::Interrupted && r.attempts == 0 {
            return String::new();
        }
        let mut text = Self::test_line(r);
        if self.options.verbosity >= 2 || (self.options.verbosity == 1 && r.outcome.is_failure()) {
            Self::exchange(&mut text, r);
        }
        text
    }

    fn test_line(r: &TestResult) -> String {
        let (style, label) = match r.outcome {
            Outcome::Passed => (GREEN, "PASS "),
            Outcome::Flaky => (YELLOW, "FLAKY"),
            Outcome::Failed => (RED, "FAIL "),
            Outcome::Errored => (RED, "ERROR"),
            Outcome::Skipped => (DIM, "SKIP "),
            Outcome::Interrupted => (YELLOW, "INTR "),
        };
        // One string, written in place: this runs for every passing test.
        let kind = if r.finally { " (finally)" } else { "" };
        let mut line = String::with_capacity(96);
        let _ = write!(line, "{style}{label}{style:#} {}{kind} {DIM}[", r.id);
        let mut sep = "";
        let mut info = |line: &mut String, part: std::fmt::Arguments| {
            let _ = write!(line, "{sep}{part}");
            sep = ", ";
        };
        if r.send_count() > 1 {
            info(&mut line, format_args!("{} sends", r.send_count()));
        }
        if r.attempts > 1 {
            info(&mut line, format_args!("attempt {}", r.attempts));
        }
        if let Some(f) = r.flaky_failures.first() {
            info(
                &mut line,
                format_args!("earlier: {}: {}", f.subject, f.message),
            );
        }
        if r.outcome == Outcome::Interrupted {
            if r.attempts == 0 {
                info(&mut line, format_args!("not run: interrupted"));
            } else {
                info(
                    &mut line,
                    format_args!("interrupted after {}", fmt_time(r.time)),
                );
            }
        } else if r.outcome != Outcome::Skipped {
            info(&mut line, format_args!("{}", fmt_time(r.time)));
        }
        if r.outcome == Outcome::Skipped {
            info(
                &mut line,
                format_args!("not started after a failure (--fail-fast)"),
            );
        }
        let _ = writeln!(line, "]{DIM:#}");
        line
    }

    fn exchange(s: &mut String, r: &TestResult) {
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

/// `--curl`: the test's request, then each other request the test made (read-backs,
/// probes), labelled, each distinct command once.
fn reproduce(s: &mut String, r: &TestResult) {
    let mut shown: Vec<String> = Vec::new();
    if let Some(command) = curl_command(r) {
        let _ = writeln!(s, "   {DIM}reproduce:{DIM:#} {command}");
        shown.push(command);
    }
    for send in &r.sends {
        if let Some(shell) = &send.shell {
            let command = curl::command(shell);
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
    if send.refused_streams > 0 {
        let _ = writeln!(
            s,
            "   {DIM}<{label} the server refused the HTTP/2 stream before processing it (REFUSED_STREAM); the request went once more{DIM:#}"
        );
    }
    match (&send.status, &send.error) {
        (Some(status), _) => {
            // HTTP/2 has no reason phrase: the status code alone.
            let status_line = format!("{status} {}", send.reason.as_deref().unwrap_or(""));
            let _ = writeln!(
                s,
                "   {DIM}<{label} {} {} ({}){DIM:#}",
                send.version.as_deref().unwrap_or("HTTP/1.1"),
                status_line.trim_end(),
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

/// `Running 12 tests and 2 finally steps from 5 files on 64 workers`: the same counts,
/// with the same words, as the summary line.
pub fn header_line(files: usize, tests: usize, finally_steps: usize, jobs: usize) -> String {
    let mut what = count(tests, "test");
    if finally_steps > 0 {
        let _ = write!(what, " and {}", count(finally_steps, "finally step"));
    }
    format!(
        "Running {what} from {} on {}",
        count(files, "file"),
        count(jobs, "worker")
    )
}

/// `12 passed, 1 failed` (then flaky, errors, skipped when there are any) and the time;
/// with `finally` steps, what the counts add up to first: `12 tests and 2 finally
/// steps: 14 passed, 0 failed`. `passed` counts first-attempt passes, as the JSON
/// report's `summary.passed` does; a pass on a retry is counted as flaky.
pub fn summary_line(sum: &Summary) -> String {
    let mut parts = vec![format!("{} passed", sum.passed)];
    if sum.flaky > 0 {
        parts.push(format!("{} flaky", sum.flaky));
    }
    parts.push(format!("{} failed", sum.failed));
    if sum.errored > 0 {
        parts.push(count(sum.errored, "error"));
    }
    if sum.skipped > 0 {
        parts.push(format!("{} skipped", sum.skipped));
    }
    if sum.interrupted > 0 {
        parts.push(format!("{} interrupted", sum.interrupted));
    }
    let mut line = String::new();
    if sum.finally_steps > 0 {
        let tests = sum.total().saturating_sub(sum.finally_steps);
        let _ = write!(
            line,
            "{} and {}: ",
            count(tests, "test"),
            count(sum.finally_steps, "finally step")
        );
    }
    line.push_str(&parts.join(", "));
    if sum.invalid_files > 0 {
        let _ = write!(line, "; {}", count(sum.invalid_files, "invalid spec file"));
    }
    let _ = write!(line, " in {}", fmt_time(sum.time));
    line
}

impl Reporter for Console {
    fn coverage(&mut self, coverage: &std::sync::Arc<crate::coverage::Coverage>) {
        self.coverage = Some(coverage.clone());
    }

    fn flush(&mut self) {
        self.write_pending();
    }

    fn report(&mut self, event: &Event) {
        match event {
            Event::RunStarted {
                files,
                tests,
                finally_steps,
                jobs,
                seed,
            } => {
                let total = tests + finally_steps;
                // A single generated test is long enough to want a progress line.
                if self.options.progress && (total > 1 || seed.is_some()) {
                    let pb = ProgressBar::with_draw_target(
                        Some(total as u64),
                        ProgressDrawTarget::stderr(),
                    );
                    pb.set_style(
                        ProgressStyle::with_template(
                            "{spinner} {pos}/{len} steps  {msg}  [{elapsed}]",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    pb.enable_steady_tick(Duration::from_millis(120));
                    self.progress = Some(pb);
                }
                if !self.options.quiet {
                    let mut line = header_line(*files, *tests, *finally_steps, *jobs);
                    if let Some(seed) = seed {
                        line.push_str(&format!(
                            "; generated bodies from seed {seed} (`--seed {seed}` repeats them)"
                        ));
                    }
                    self.print(&format!("{DIM}{line}{DIM:#}\n"));
                }
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
                if !self.options.ordered {
                    let text = self.test_text(r);
                    self.pending.push_str(&text);
                }
                if let Some(pb) = &self.progress {
                    pb.inc(1);
                    if r.outcome.is_failure() {
                        self.failed += 1;
                    }
                }
                self.progress_message();
                // Only what `RunFinished` prints is kept: memory stays flat on a large,
                // passing suite (unless `--ordered` holds every line back).
                if self.options.ordered || explain::needs_explaining(r) {
                    self.results.push((**r).clone());
                }
            }
            Event::Progress(text) => {
                self.generating = text.clone();
                self.progress_message();
            }
            Event::RunFinished(sum) => {
                self.write_pending();
                if let Some(pb) = self.progress.take() {
                    pb.finish_and_clear();
                }
                let mut results = std::mem::take(&mut self.results);
                results.sort_by_key(|r| r.seq);
                let mut text = String::new();
                if self.options.ordered {
                    for r in &results {
                        text.push_str(&self.test_text(r));
                    }
                }
                let explained = results.iter().filter(|r| {
                    // --quiet explains failures, not flaky passes.
                    explain::needs_explaining(r) && (r.outcome.is_failure() || !self.options.quiet)
                });
                for r in explained {
                    text.push_str(&explain::text(&Explanation::of(r, &mut self.sources)));
                    if self.options.curl && r.outcome.is_failure() {
                        reproduce(&mut text, r);
                    }
                }
                let style = if sum.all_passed() && sum.invalid_files == 0 {
                    GREEN
                } else {
                    RED
                };
                if let Some(signal) = &sum.signal {
                    let _ = writeln!(
                        text,
                        "\n{YELLOW}interrupted by {signal}: the run stopped early; {} test(s) did not run or did not finish{YELLOW:#}",
                        sum.interrupted
                    );
                }
                let _ = writeln!(
                    text,
                    "\n{style}{BOLD}{}{BOLD:#}{style:#}",
                    summary_line(sum)
                );
                if let Some(c) = self.coverage.take() {
                    text.push('\n');
                    text.push_str(&crate::coverage::table::text(&c));
                }
                self.print(&text);
            }
        }
    }
}

/// Writes `text` with one system call where it can. The stripping stream (no colour)
/// writes each run of plain text on its own, which line-buffered stdout turned into one
/// call per line; stripping the whole text first makes a burst of test lines one write.
fn write_whole<S>(stream: &mut anstream::AutoStream<S>, text: &str)
where
    S: anstream::stream::RawStream + anstream::stream::AsLockedWrite,
    for<'a> &'a S: Write,
{
    let _ = if stream.current_choice() == anstream::ColorChoice::Never {
        let plain = anstream::adapter::strip_str(text).to_string();
        let mut raw = stream.as_inner();
        raw.write_all(plain.as_bytes())
    } else {
        stream.write_all(text.as_bytes())
    };
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_in_the_singular_for_one() {
        assert_eq!(
            header_line(1, 1, 0, 1),
            "Running 1 test from 1 file on 1 worker"
        );
        assert_eq!(
            header_line(5, 12, 2, 64),
            "Running 12 tests and 2 finally steps from 5 files on 64 workers"
        );
        let sum = Summary {
            passed: 11,
            flaky: 1,
            failed: 0,
            errored: 1,
            skipped: 0,
            finally_steps: 2,
            invalid_files: 1,
            files: 5,
            time: 0.02,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&sum),
            "11 tests and 2 finally steps: 11 passed, 1 flaky, 0 failed, 1 error; 1 invalid spec file in 20ms"
        );
    }
}
