//! The JSON report: every test, send and failure, in a versioned schema
//! (docs/report-format.md). Field names are a contract: add, never rename.

use serde::Serialize;

use std::io::{self, Write};

use super::file::{Collected, Format};
use super::spill::Spill;
use crate::coverage::Coverage;
use crate::run::{Summary, TestResult};
use crate::spec::Pos;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    tool: &'static str,
    version: &'static str,
    summary: &'a Summary,
    invalid_files: Vec<InvalidFile<'a>>,
    /// `--openapi`: the run held against the document (its own `version`).
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<&'a Coverage>,
    /// Always empty here: the tests are written from the spill file, after the rest.
    tests: [(); 0],
}

#[derive(Serialize)]
struct InvalidFile<'a> {
    file: &'a str,
    errors: Vec<SpecErrorRecord>,
}

#[derive(Serialize)]
struct SpecErrorRecord {
    line: u64,
    column: u64,
    message: String,
    help: Option<String>,
}

/// The JSON format, written by a `FileReport`.
pub struct Json {
    /// Each finished test as it will appear in the report, on disk until the end.
    tests: Spill,
}

impl Default for Json {
    fn default() -> Self {
        Json {
            tests: Spill::new(),
        }
    }
}

impl Json {
    /// Everything but the tests, ending in `"tests": []` and the closing brace.
    fn head(run: &Collected) -> String {
        let report = JsonReport {
            schema_version: SCHEMA_VERSION,
            tool: "putcheck",
            version: env!("CARGO_PKG_VERSION"),
            summary: &run.summary,
            invalid_files: run
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
                                message: e.message(),
                                help: e.help(),
                            }
                        })
                        .collect(),
                })
                .collect(),
            coverage: run.coverage.as_deref(),
            tests: [],
        };
        serde_json::to_string_pretty(&report).unwrap_or_default()
    }
}

impl Format for Json {
    const WHAT: &'static str = "JSON";

    fn add(&mut self, r: &TestResult) {
        self.tests.push(r.seq, &test_entry(r));
    }

    /// The report, laid out exactly as `serde_json::to_string_pretty` of the whole would
    /// be, with the tests streamed in from the spill file.
    fn write(&mut self, run: &Collected, out: &mut dyn Write) -> io::Result<()> {
        let head = Json::head(run);
        if self.tests.is_empty() {
            out.write_all(head.as_bytes())?;
        } else {
            let open = head.strip_suffix("[]\n}").unwrap_or(&head);
            out.write_all(open.as_bytes())?;
            out.write_all(b"[\n")?;
            self.tests.write_sorted(out, b",\n")?;
            out.write_all(b"\n  ]\n}")?;
        }
        out.write_all(b"\n")
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
