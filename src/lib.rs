//! putcheck: tests HTTP PUT endpoints from declarative YAML specs.
//!
//! Data flows one way: `spec` (files → model) → `plan` (which tests run) → `http`
//! (exchanges) → `check` (results) → `run` (events) → `report` (console, JUnit, JSON).

pub mod check;
pub mod demo;
pub mod diagnostic;
pub mod http;
pub mod import;
pub mod output;
pub mod plan;
pub mod report;
pub mod run;
pub mod signals;
pub mod spec;
pub mod url_memo;
pub mod values;

/// Exit status, in one place: 0 all passed, 1 a test failed, 2 a spec or the command
/// line (or a report file) is wrong; 130 / 143 interrupted by SIGINT / SIGTERM
/// (`signals::exit_code`).
pub mod exit {
    use crate::run::Summary;

    pub const OK: u8 = 0;
    pub const TEST_FAILED: u8 = 1;
    pub const USAGE: u8 = 2;

    pub fn code(summary: &Summary, report_failed: bool) -> u8 {
        if summary.invalid_files > 0 || report_failed {
            USAGE
        } else if !summary.all_passed() {
            TEST_FAILED
        } else {
            OK
        }
    }
}
