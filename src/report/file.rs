//! "Collect, then write a file at the end", once for every file report: the events are
//! gathered into a `Collected` run, sorted into file order, and handed to a `Format`
//! when the run finishes; a write error is kept for `finish`.

use super::{ReportError, Reporter};
use crate::run::{Event, Summary, TestResult};
use crate::spec::SpecError;

/// Everything a file report is built from.
#[derive(Debug, Default)]
pub struct Collected {
    /// In file order, then step order.
    pub tests: Vec<TestResult>,
    /// Spec files that could not be loaded, with their errors.
    pub invalid: Vec<(String, Vec<SpecError>)>,
    pub summary: Summary,
}

/// A report format: what it is called in messages, and its text.
pub trait Format {
    /// `JSON`, `JUnit`, `HTML`: in "cannot write the JSON report to ...".
    const WHAT: &'static str;
    fn render(&self, run: &Collected) -> String;
}

pub struct FileReport<F> {
    path: String,
    format: F,
    run: Collected,
    written: Option<Result<(), ReportError>>,
}

impl<F: Format> FileReport<F> {
    pub fn new(path: impl Into<String>, format: F) -> Self {
        FileReport {
            path: path.into(),
            format,
            run: Collected::default(),
            written: None,
        }
    }
}

impl<F: Format> Reporter for FileReport<F> {
    fn report(&mut self, event: &Event) {
        match event {
            Event::RunStarted { .. } => {}
            Event::SuiteInvalid { file, errors } => {
                self.run.invalid.push((file.clone(), errors.clone()))
            }
            Event::TestFinished(r) => self.run.tests.push((**r).clone()),
            Event::RunFinished(summary) => {
                self.run.tests.sort_by_key(|t| t.seq);
                self.run.summary = summary.clone();
                let text = self.format.render(&self.run);
                self.written = Some(write_output(&self.path, F::WHAT, &text));
            }
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.written.take().unwrap_or(Ok(()))
    }
}

/// Writes a report to a file, or to stdout for `-`.
fn write_output(path: &str, what: &'static str, content: &str) -> Result<(), ReportError> {
    use std::io::Write;
    let err = |source| ReportError::Write {
        what,
        path: path.to_string(),
        source,
    };
    if path == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(content.as_bytes()).map_err(err)?;
        out.flush().map_err(err)
    } else {
        if let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        std::fs::write(path, content).map_err(err)
    }
}
