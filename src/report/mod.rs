//! Reporters: console, JUnit XML, JSON and HTML, each a consumer of the runner's events.
//! The file reports share their bookkeeping (`file::FileReport`) and the console, JUnit
//! and HTML share their explanations (`explain`).

pub mod annotations;
pub mod console;
mod coverage_html;
pub mod curl;
pub mod explain;
pub mod file;
pub mod html;
pub mod json;
pub mod junit;
pub mod merge;
mod spill;
pub mod summary;

use std::sync::Arc;

use crate::coverage::Coverage;
use crate::run::Event;

/// Something that turns run events into output. Errors (a report file that cannot be
/// written) are kept and returned by `finish`, so one broken reporter doesn't stop others.
pub trait Reporter {
    fn report(&mut self, event: &Event);
    /// No further result for now: write out what is held back (`run::Listener::flush`).
    fn flush(&mut self) {}
    /// `--openapi`: the run's coverage, given once, just before `RunFinished`.
    fn coverage(&mut self, _coverage: &Arc<Coverage>) {}
    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write the {what} report to `{path}`: {source}")]
    Write {
        what: &'static str,
        path: String,
        source: std::io::Error,
    },
}

/// Fans each event out to every reporter.
#[derive(Default)]
pub struct Reporters(pub Vec<Box<dyn Reporter>>);

impl Reporters {
    pub fn report(&mut self, event: &Event) {
        for r in &mut self.0 {
            r.report(event);
        }
    }

    pub fn flush(&mut self) {
        for r in &mut self.0 {
            r.flush();
        }
    }

    pub fn coverage(&mut self, coverage: &Arc<Coverage>) {
        for r in &mut self.0 {
            r.coverage(coverage);
        }
    }

    pub fn finish(&mut self) -> Vec<ReportError> {
        self.0.iter_mut().filter_map(|r| r.finish().err()).collect()
    }
}
