//! The JSON report: every test, send and failure, in a versioned schema
//! (docs/report-format.md). Field names are a contract: add, never rename.

use std::sync::Arc;

use serde::Serialize;

use super::{write_output, ReportError, Reporter};
use crate::run::{Event, Summary, TestResult};
use crate::spec::Pos;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    tool: &'static str,
    version: &'static str,
    summary: &'a Summary,
    invalid_files: Vec<InvalidFile<'a>>,
    tests: Vec<&'a TestResult>,
}

#[derive(Serialize)]
struct InvalidFile<'a> {
    file: &'a str,
    errors: Vec<SpecErrorRecord<'a>>,
}

#[derive(Serialize)]
struct SpecErrorRecord<'a> {
    line: u64,
    column: u64,
    message: &'a str,
    help: Option<&'a str>,
}

pub struct JsonReporter {
    path: String,
    tests: Vec<Arc<TestResult>>,
    invalid: Vec<(String, Vec<crate::spec::SpecError>)>,
    written: Option<Result<(), ReportError>>,
}

impl JsonReporter {
    pub fn new(path: impl Into<String>) -> Self {
        JsonReporter {
            path: path.into(),
            tests: Vec::new(),
            invalid: Vec::new(),
            written: None,
        }
    }

    fn render(&mut self, summary: &Summary) -> String {
        self.tests.sort_by_key(|t| t.seq);
        let report = JsonReport {
            schema_version: SCHEMA_VERSION,
            tool: "putcheck",
            version: env!("CARGO_PKG_VERSION"),
            summary,
            invalid_files: self
                .invalid
                .iter()
                .map(|(file, errors)| InvalidFile {
                    file,
                    errors: errors
                        .iter()
                        .map(|e| {
                            let Pos { line, column } = e.pos;
                            SpecErrorRecord {
                                line,
                                column,
                                message: &e.message,
                                help: e.help.as_deref(),
                            }
                        })
                        .collect(),
                })
                .collect(),
            tests: self.tests.iter().map(|t| &**t).collect(),
        };
        let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
        text.push('\n');
        text
    }
}

impl Reporter for JsonReporter {
    fn report(&mut self, event: &Event) {
        match event {
            Event::RunStarted { .. } => {}
            Event::SuiteInvalid { file, errors } => {
                self.invalid.push((file.clone(), errors.clone()))
            }
            Event::TestFinished(r) => self.tests.push(r.clone()),
            Event::RunFinished(sum) => {
                let text = self.render(sum);
                self.written = Some(write_output(&self.path, "JSON", &text));
            }
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.written.take().unwrap_or(Ok(()))
    }
}
