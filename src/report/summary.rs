//! The Markdown job summary (GitHub's `GITHUB_STEP_SUMMARY`, or `--summary FILE`): the
//! totals line, a table of the failed, errored and flaky tests with their file:line,
//! and each one's explanation (the console's, plain) in a collapsed `<details>` block.
//! A passing run gets one line. Appended, as GitHub expects of each step.
//!
//! GitHub refuses a step summary over 1 MiB; this one stops well below that
//! (`BUDGET`), saying what it left out and where to find it.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::console::summary_line;
use super::explain::{self, Explanation, Sources};
use super::{ReportError, Reporter};
use crate::run::{Event, Outcome, Summary, TestResult};
use crate::spec::SpecError;

/// The summary's largest size: half of GitHub's limit, leaving room for other steps.
pub const BUDGET: usize = 512 * 1024;
/// Lines of one test's explanation; a long diff is cut there.
const EXPLANATION_LINES: usize = 60;
/// Characters of one line of an explanation.
const LINE_CHARS: usize = 500;
/// JSONPaths listed for one test.
const PATHS: usize = 20;

#[derive(Default)]
pub struct JobSummary {
    path: PathBuf,
    /// Failed, errored and flaky tests.
    problems: Vec<Arc<TestResult>>,
    invalid: Vec<(String, Vec<SpecError>)>,
    sources: Sources,
    written: Option<Result<(), ReportError>>,
}

impl JobSummary {
    pub fn new(path: PathBuf) -> Self {
        JobSummary {
            path,
            ..JobSummary::default()
        }
    }

    fn append(&mut self, summary: &Summary) -> Result<(), ReportError> {
        let text = self.markdown(summary, BUDGET);
        let err = |source| ReportError::Write {
            what: "job summary",
            path: self.path.display().to_string(),
            source,
        };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(err)?;
        file.write_all(text.as_bytes()).map_err(err)
    }

    /// The summary, at most about `budget` bytes.
    pub fn markdown(&mut self, summary: &Summary, budget: usize) -> String {
        self.problems.sort_by_key(|r| r.seq);
        let totals = summary_line(summary);
        if self.problems.is_empty() && self.invalid.is_empty() {
            let mark = if summary.all_passed() && summary.interrupted == 0 {
                "✅"
            } else {
                "⚠️"
            };
            return format!("{mark} **putcheck**: {}\n\n", text(&totals));
        }
        let mut s = String::new();
        let _ = writeln!(s, "### putcheck\n\n❌ {}\n", text(&totals));
        // What did not fit: (rows of the table, explanations).
        let mut cut = (0, 0);
        if !self.problems.is_empty() {
            s.push_str("| result | test | where |\n| --- | --- | --- |\n");
            for r in &self.problems {
                let row = format!(
                    "| {} | {} | {} |\n",
                    label(r.outcome),
                    cell(&r.name),
                    cell(&format!("{}:{}", r.file, r.line))
                );
                if s.len() + row.len() > budget / 4 {
                    cut.0 += 1;
                } else {
                    s.push_str(&row);
                }
            }
            if cut.0 > 0 {
                let _ = writeln!(s, "\n… and {} more, left out of this table.", cut.0);
            }
            s.push('\n');
        }
        if !self.invalid.is_empty() {
            s.push_str("#### Spec errors\n\n");
            for (file, errors) in &self.invalid {
                for e in errors {
                    let item = format!(
                        "- {}:{}:{}: {}{}\n",
                        text(file),
                        e.pos.line,
                        e.pos.column,
                        text(&e.message),
                        e.help
                            .as_deref()
                            .map(|h| format!(" (help: {})", text(h)))
                            .unwrap_or_default()
                    );
                    if s.len() + item.len() > budget / 2 {
                        cut.1 += 1;
                    } else {
                        s.push_str(&item);
                    }
                }
            }
            s.push('\n');
        }
        for r in &self.problems {
            let block = details(r, &mut self.sources);
            if s.len() + block.len() > budget {
                cut.1 += 1;
            } else {
                s.push_str(&block);
            }
        }
        if cut != (0, 0) {
            let _ = writeln!(
                s,
                "_Cut to stay under GitHub's 1 MiB limit for a summary: {} table row(s) and {} explanation(s) or spec error(s) are left out; the step's log, the JUnit and the HTML report have them all._\n",
                cut.0, cut.1
            );
        }
        s
    }
}

fn label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Failed => "❌ FAIL",
        Outcome::Errored => "💥 ERROR",
        Outcome::Flaky => "⚠️ FLAKY",
        Outcome::Passed | Outcome::Skipped | Outcome::Interrupted => "",
    }
}

/// One test's explanation, collapsed: what the console explains (expected and actual,
/// the JSONPaths that differ, the diff), plain, its first lines.
fn details(r: &TestResult, sources: &mut Sources) -> String {
    let e = Explanation::of(r, sources);
    let mut body = explain::plain(&e);
    let paths: Vec<&str> = e
        .failures
        .iter()
        .flat_map(|x| &x.failure.paths)
        .map(String::as_str)
        .collect();
    if !paths.is_empty() {
        let more = match paths.len().saturating_sub(PATHS) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        let shown = &paths[..paths.len().min(PATHS)];
        let _ = writeln!(body, "   JSONPaths that differ: {}{more}", shown.join(", "));
    }
    let lines: Vec<String> = body
        .trim_matches('\n')
        .lines()
        .map(|l| match l.char_indices().nth(LINE_CHARS) {
            Some((at, _)) => format!("{} …", &l[..at]),
            None => l.to_string(),
        })
        .collect();
    let mut shown = lines[..lines.len().min(EXPLANATION_LINES)].join("\n");
    if lines.len() > EXPLANATION_LINES {
        let _ = write!(
            shown,
            "\n… {} more lines in the step's log",
            lines.len() - EXPLANATION_LINES
        );
    }
    let fence = fence_for(&shown);
    format!(
        "<details><summary>{} {}</summary>\n\n{fence}text\n{shown}\n{fence}\n\n</details>\n\n",
        html(label(r.outcome)),
        html(&r.id)
    )
}

/// A code fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text that Markdown shows as written: its punctuation escaped, HTML made harmless,
/// on one line.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A table cell: `text`, whose `|` is escaped already.
fn cell(s: &str) -> String {
    text(s)
}

impl Reporter for JobSummary {
    fn report(&mut self, event: &Event) {
        match event {
            Event::RunStarted { .. } | Event::Progress(_) => {}
            Event::SuiteInvalid { file, errors } => {
                self.invalid.push((file.clone(), errors.clone()))
            }
            Event::TestFinished(r) => {
                if matches!(
                    r.outcome,
                    Outcome::Failed | Outcome::Errored | Outcome::Flaky
                ) {
                    self.problems.push(r.clone());
                }
            }
            Event::RunFinished(summary) => self.written = Some(self.append(summary)),
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.written.take().unwrap_or(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_shown_as_written() {
        assert_eq!(text("a|b *c* <x>"), "a\\|b \\*c\\* &lt;x&gt;");
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}
