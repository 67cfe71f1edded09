//! The JSON report: every test, send and failure, in a versioned schema
//! (docs/report-format.md). Field names are a contract: add, never rename.

use serde::Serialize;

use super::spill::Spill;
use super::{open_output, ReportError, Reporter};
use crate::run::{Event, Summary, TestResult};
use crate::spec::Pos;

use std::io::Write;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    tool: &'static str,
    version: &'static str,
    summary: &'a Summary,
    invalid_files: Vec<InvalidFile<'a>>,
    /// Always empty here: the tests are written from the spill file, after the rest.
    tests: [(); 0],
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
    /// Each finished test as it will appear in the report, on disk until the end.
    tests: Spill,
    invalid: Vec<(String, Vec<crate::spec::SpecError>)>,
    written: Option<Result<(), ReportError>>,
}

impl JsonReporter {
    pub fn new(path: impl Into<String>) -> Self {
        JsonReporter {
            path: path.into(),
            tests: Spill::new(),
            invalid: Vec::new(),
            written: None,
        }
    }

    /// Everything but the tests, ending in `"tests": []` and the closing brace.
    fn head(&self, summary: &Summary) -> String {
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
            tests: [],
        };
        serde_json::to_string_pretty(&report).unwrap_or_default()
    }

    /// The report, laid out exactly as `serde_json::to_string_pretty` of the whole would
    /// be, with the tests streamed in from the spill file.
    fn write(&mut self, summary: &Summary) -> Result<(), ReportError> {
        let head = self.head(summary);
        let path = self.path.clone();
        let err = |source| ReportError::Write {
            what: "JSON",
            path: path.clone(),
            source,
        };
        let mut out = open_output(&self.path, "JSON")?;
        if self.tests.is_empty() {
            out.write_all(head.as_bytes()).map_err(err)?;
        } else {
            let open = head.strip_suffix("[]\n}").unwrap_or(&head);
            out.write_all(open.as_bytes()).map_err(err)?;
            out.write_all(b"[\n").map_err(err)?;
            self.tests.write_sorted(&mut out, b",\n").map_err(err)?;
            out.write_all(b"\n  ]\n}").map_err(err)?;
        }
        out.write_all(b"\n").map_err(err)?;
        out.flush().map_err(err)
    }
}

/// A test as it appears inside the report's `tests` array (indented two levels).
fn test_entry(r: &TestResult) -> Vec<u8> {
    let text = serde_json::to_string_pretty(r).unwrap_or_default();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    ");
        out.push_str(line);
    }
    out.into_bytes()
}

impl Reporter for JsonReporter {
    fn report(&mut self, event: &Event) {
        match event {
            Event::RunStarted { .. } => {}
            Event::SuiteInvalid { file, errors } => {
                self.invalid.push((file.clone(), errors.clone()))
            }
            Event::TestFinished(r) => self.tests.push(r.seq, &test_entry(r)),
            Event::RunFinished(sum) => self.written = Some(self.write(sum)),
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.written.take().unwrap_or(Ok(()))
    }
}
