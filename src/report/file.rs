//! "Collect, then write a file at the end", once for every file report. Each finished
//! test goes to the `Format` as it arrives, which keeps it in the form it will write (the
//! JSON report spills its entries to disk, JUnit keeps test cases, HTML the results), so
//! a large suite is not held in memory twice. When the run finishes the format writes
//! the whole report through one buffered writer; a write error is kept for `finish`.

use std::io::{self, Write};

use std::sync::Arc;

use super::{ReportError, Reporter};
use crate::coverage::Coverage;
use crate::run::{Event, Summary, TestResult};
use crate::spec::SpecError;

/// What every file report gets at the end besides its tests.
#[derive(Debug, Default)]
pub struct Collected {
    /// Spec files that could not be loaded, with their errors.
    pub invalid: Vec<(String, Vec<SpecError>)>,
    pub summary: Summary,
    /// `--openapi`: the run's coverage.
    pub coverage: Option<Arc<Coverage>>,
}

/// A report format: what it is called in messages, how it keeps a finished test, and
/// how it writes the report.
pub trait Format {
    /// `JSON`, `JUnit`, `HTML`: in "cannot write the JSON report to ...".
    const WHAT: &'static str;
    /// A test finished (in completion order; `write` puts them in file order).
    fn add(&mut self, r: &TestResult);
    fn write(&mut self, run: &Collected, out: &mut dyn Write) -> io::Result<()>;
}

pub struct FileReport<F> {
    path: String,
    format: F,
    invalid: Vec<(String, Vec<SpecError>)>,
    coverage: Option<Arc<Coverage>>,
    written: Option<Result<(), ReportError>>,
}

impl<F: Format> FileReport<F> {
    pub fn new(path: impl Into<String>, format: F) -> Self {
        FileReport {
            path: path.into(),
            format,
            invalid: Vec::new(),
            coverage: None,
            written: None,
        }
    }

    fn write(&mut self, run: &Collected) -> Result<(), ReportError> {
        let err = |source| ReportError::Write {
            what: F::WHAT,
            path: self.path.clone(),
            source,
        };
        let mut out = open_output(&self.path, F::WHAT)?;
        self.format.write(run, &mut out).map_err(err)?;
        out.flush().map_err(err)
    }
}

impl<F: Format> Reporter for FileReport<F> {
    fn coverage(&mut self, coverage: &Arc<Coverage>) {
        self.coverage = Some(coverage.clone());
    }

    fn report(&mut self, event: &Event) {
        match event {
            Event::RunStarted { .. } | Event::Progress(_) => {}
            Event::SuiteInvalid { file, errors } => {
                self.invalid.push((file.clone(), errors.clone()))
            }
            Event::TestFinished(r) => self.format.add(r),
            Event::RunFinished(summary) => {
                let run = Collected {
                    invalid: std::mem::take(&mut self.invalid),
                    summary: summary.clone(),
                    coverage: self.coverage.take(),
                };
                self.written = Some(self.write(&run));
            }
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.written.take().unwrap_or(Ok(()))
    }
}

/// A buffered writer on a report's file (its folder created), or on stdout for `-`.
pub(crate) fn open_output(path: &str, what: &'static str) -> Result<Box<dyn Write>, ReportError> {
    let err = |source| ReportError::Write {
        what,
        path: path.to_string(),
        source,
    };
    if path == "-" {
        return Ok(Box::new(io::BufWriter::new(crate::output::stdout())));
    }
    if let Some(dir) = std::path::Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let file = std::fs::File::create(path).map_err(err)?;
    Ok(Box::new(io::BufWriter::new(file)))
}
