//! The JSON report: every test, send and failure, in a versioned schema
//! (docs/report-format.md). Field names are a contract: add, never rename.

use serde::Serialize;

use super::file::{Collected, Format};
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

/// The JSON format, written by a `FileReport`.
pub struct Json;

impl Format for Json {
    const WHAT: &'static str = "JSON";

    fn render(&self, run: &Collected) -> String {
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
                                message: &e.message,
                                help: e.help.as_deref(),
                            }
                        })
                        .collect(),
                })
                .collect(),
            tests: run.tests.iter().collect(),
        };
        let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
        text.push('\n');
        text
    }
}
