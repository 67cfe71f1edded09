//! GitHub Actions annotations: each failed or errored test, and each spec error, as a
//! workflow command (`::error file=…,line=…,col=…,title=…::message`) that GitHub shows
//! on the spec line of the pull request and the run page; a flaky test as `::warning`.
//! Written at the end of the run, after the console's own output, which stays as it is.
//!
//! GitHub shows at most 10 annotations of each kind per step: past that, the first 9 in
//! file order are written and the 10th says how many more there are and where to look.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use super::Reporter;
use crate::check::Failure;
use crate::run::{Event, Outcome, TestResult};
use crate::spec::SpecError;

/// Annotations of one kind GitHub shows per step.
pub const LIMIT: usize = 10;

/// Where annotations go and what their paths are relative to.
pub struct Annotations {
    /// The repository's root (`GITHUB_WORKSPACE`, else the working directory): paths in
    /// annotations are relative to it, as GitHub matches them against the checkout.
    root: PathBuf,
    cwd: PathBuf,
    /// Stderr instead of stdout, when a report is written to stdout (`--json -`).
    to_stderr: bool,
    /// Also named in the overflow annotation, when a job summary is written.
    summary: bool,
    errors: Vec<Annotation>,
    warnings: Vec<Annotation>,
}

/// One annotation, with the order it is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The spec file as the run named it, for the file order.
    pub order: (PathBuf, u64, u64),
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub title: String,
    pub message: String,
}

impl Annotations {
    /// `workspace`: `GITHUB_WORKSPACE`, when set.
    pub fn new(workspace: Option<PathBuf>, to_stderr: bool, summary: bool) -> Self {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = workspace
            .filter(|w| !w.as_os_str().is_empty())
            .map(|w| absolute(&cwd, &w))
            .unwrap_or_else(|| cwd.clone());
        Annotations {
            root,
            cwd,
            to_stderr,
            summary,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// `file` as GitHub wants it: relative to the workspace, with `/`.
    fn path(&self, file: &Path) -> String {
        let abs = absolute(&self.cwd, file);
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let rel = abs
            .strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .or_else(|_| {
                canonical(&abs)
                    .strip_prefix(canonical(&self.root))
                    .map(Path::to_path_buf)
            })
            .unwrap_or(abs);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    }

    fn test(&mut self, r: &TestResult) {
        let (failures, title) = match r.outcome {
            Outcome::Failed => (&r.failures, format!("FAIL {}", r.id)),
            Outcome::Errored => (&r.failures, format!("ERROR {}", r.id)),
            Outcome::Flaky => (&r.flaky_failures, format!("FLAKY {}", r.id)),
            Outcome::Passed | Outcome::Skipped | Outcome::Interrupted => return,
        };
        // On the line of the first failed expectation, else on the test's own.
        let pos = failures
            .first()
            .and_then(|f| f.pos)
            .filter(|p| p.line > 0)
            .map(|p| (p.line, p.column))
            .unwrap_or((r.line, r.column));
        let mut message = String::new();
        if r.outcome == Outcome::Flaky {
            message.push_str(&format!(
                "passed on attempt {} of a retried test; an earlier attempt failed: ",
                r.attempts
            ));
        }
        message.push_str(&summary_of(failures));
        let annotation = Annotation {
            order: (PathBuf::from(&r.file), r.line, r.column),
            file: self.path(Path::new(&r.file)),
            line: pos.0,
            column: pos.1,
            title,
            message,
        };
        if r.outcome == Outcome::Flaky {
            self.warnings.push(annotation);
        } else {
            self.errors.push(annotation);
        }
    }

    fn spec_error(&mut self, e: &SpecError) {
        let mut message = one_line(&e.message);
        if let Some(help) = &e.help {
            message.push_str(&format!("\nhelp: {}", one_line(help)));
        }
        self.errors.push(Annotation {
            order: (e.file.clone(), e.pos.line, e.pos.column),
            file: self.path(&e.file),
            line: e.pos.line,
            column: e.pos.column,
            title: "spec error".into(),
            message,
        });
    }

    fn write(&mut self) {
        let look = if self.summary {
            "see this step's log or the job summary"
        } else {
            "see this step's log"
        };
        let mut text = String::new();
        for (kind, list, what) in [
            ("error", &mut self.errors, "failures and spec errors"),
            ("warning", &mut self.warnings, "flaky tests"),
        ] {
            list.sort_by(|a, b| a.order.cmp(&b.order));
            text.push_str(&commands(kind, list, what, look));
        }
        let _ = if self.to_stderr {
            std::io::stderr().write_all(text.as_bytes())
        } else {
            let mut out = crate::output::stdout();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        };
    }
}

/// The workflow commands for `list`, at most `LIMIT` of them.
pub fn commands(kind: &str, list: &[Annotation], what: &str, look: &str) -> String {
    let shown = if list.len() > LIMIT {
        LIMIT - 1
    } else {
        list.len()
    };
    let mut text = String::new();
    for a in &list[..shown] {
        let mut props = format!("file={}", property(&a.file));
        if a.line > 0 {
            props.push_str(&format!(",line={}", a.line));
            if a.column > 0 {
                props.push_str(&format!(",col={}", a.column));
            }
        }
        props.push_str(&format!(",title={}", property(&a.title)));
        text.push_str(&format!("::{kind} {props}::{}\n", data(&a.message)));
    }
    if list.len() > shown {
        let rest = &list[shown..];
        let mut files: Vec<&str> = rest.iter().map(|a| a.file.as_str()).collect();
        files.dedup();
        let named: Vec<&str> = files.iter().take(5).copied().collect();
        let more = if files.len() > named.len() {
            format!(" and {} more", files.len() - named.len())
        } else {
            String::new()
        };
        let message = format!(
            "{} more {what} are not annotated (GitHub shows {LIMIT} per step), in {}{more}: {look}",
            rest.len(),
            named.join(", ")
        );
        let title = format!("putcheck: {} more", rest.len());
        text.push_str(&format!(
            "::{kind} title={}::{}\n",
            property(&title),
            data(&message)
        ));
    }
    text
}

/// The first failure in one line, its first expected/actual pair, and how many more.
fn summary_of(failures: &[Failure]) -> String {
    let Some(first) = failures.first() else {
        return "no detail was recorded".into();
    };
    let mut s = one_line(&format!("{}: {}", first.subject, first.message));
    if let Some(f) = failures
        .iter()
        .find(|f| f.expected.is_some() && f.actual.is_some())
    {
        if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
            s.push_str(&format!(
                "\nexpected: {}\nactual: {}",
                one_line(e),
                one_line(a)
            ));
        }
    }
    if failures.len() > 1 {
        let n = failures.len() - 1;
        let s_ = if n == 1 { "" } else { "s" };
        s.push_str(&format!("\n(and {n} more failure{s_}; see the step's log)"));
    }
    s
}

fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A workflow command's message, escaped as the runner unescapes it.
pub fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: the message's escapes, and `:` and `,`.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `path` from `cwd`, with `.` and `..` resolved as written (no file system access).
fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl Reporter for Annotations {
    fn report(&mut self, event: &Event) {
        match event {
            Event::RunStarted { .. } | Event::Progress(_) => {}
            Event::SuiteInvalid { errors, .. } => {
                for e in errors {
                    self.spec_error(e);
                }
            }
            Event::TestFinished(r) => self.test(r),
            Event::RunFinished(_) => self.write(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped_as_the_runner_unescapes_them() {
        assert_eq!(data("50% off\r\nnext: a,b"), "50%25 off%0D%0Anext: a,b");
        assert_eq!(property("a::b, 5%"), "a%3A%3Ab%2C 5%25");
    }

    #[test]
    fn paths_are_relative_to_the_workspace_with_slashes() {
        let a = Annotations::new(Some(PathBuf::from("/repo")), false, false);
        assert_eq!(a.path(Path::new("/repo/specs/./a.yaml")), "specs/a.yaml");
        let a = Annotations {
            cwd: PathBuf::from("/repo/api"),
            ..a
        };
        assert_eq!(a.path(Path::new("../specs/a.yaml")), "specs/a.yaml");
        assert_eq!(a.path(Path::new("b.yaml")), "api/b.yaml");
    }

    #[test]
    fn past_the_limit_nine_are_written_and_the_tenth_counts_the_rest() {
        let list: Vec<Annotation> = (1..=12)
            .map(|i| Annotation {
                order: (PathBuf::from(format!("f{i:02}.yaml")), 1, 1),
                file: format!("f{i:02}.yaml"),
                line: 3,
                column: 5,
                title: format!("FAIL f{i:02}.yaml::t"),
                message: "status: expected 200".into(),
            })
            .collect();
        let text = commands("error", &list, "failures", "see the log");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), LIMIT);
        assert_eq!(
            lines[0],
            "::error file=f01.yaml,line=3,col=5,title=FAIL f01.yaml%3A%3At::status: expected 200"
        );
        assert_eq!(
            lines[9],
            "::error title=putcheck%3A 3 more::3 more failures are not annotated (GitHub shows 10 per step), in f10.yaml, f11.yaml, f12.yaml: see the log"
        );
        assert_eq!(
            commands("error", &list[..10], "failures", "x")
                .lines()
                .count(),
            10
        );
    }
}
