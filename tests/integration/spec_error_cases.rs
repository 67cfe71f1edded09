//! Golden spec-error cases: each folder in `tests/cases/spec-errors/` holds a broken
//! `spec.yaml` and the exact `stderr` putcheck prints for it (run in that folder, so
//! paths read `spec.yaml:LINE:COLUMN`). Every case must exit with status 2 and send
//! nothing. `PUTCHECK_BLESS=1 cargo test --test integration spec_error_cases` rewrites
//! the `stderr` files from the current output (review the diff before committing).

use crate::common;

use std::path::Path;

#[test]
fn every_case_prints_its_golden_stderr_and_exits_2() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/spec-errors");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("spec.yaml").exists())
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let bless = std::env::var_os("PUTCHECK_BLESS").is_some();
    let mut failed = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let mut cmd =
            common::putcheck_command(case, &["--color", "never", "--no-progress", "spec.yaml"]);
        // Only the variables a case sets itself: undefined-variable cases must not find
        // a value in the environment of whoever runs the tests.
        cmd.env_clear().env("NO_COLOR", "1");
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let golden = case.join("stderr");
        if bless {
            std::fs::write(&golden, &stderr).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if out.status.code() != Some(2) {
            failed.push(format!(
                "{name}: exit status {:?}, expected 2\n{stderr}",
                out.status.code()
            ));
        } else if stderr != expected {
            failed.push(format!(
                "{name}: stderr differs\n--- expected\n{expected}--- actual\n{stderr}"
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
