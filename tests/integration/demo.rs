//! The demo: `putcheck demo` from any folder, the README's first command, `putcheck
//! serve`, and the failing examples.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::*;

const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));

/// The arguments of the README's first command (`cargo run --locked -- ARGS`).
fn readme_first_command() -> Vec<String> {
    let block = README.split("```sh").nth(1).expect("README has a sh block");
    let line = block
        .lines()
        .find(|l| l.contains("cargo run"))
        .expect("the first command is a cargo run");
    // The second command is `cargo test`: a first command in another profile (`--release`)
    // would build every dependency a second time on a fresh clone.
    let cargo_args = line.split(" -- ").next().unwrap_or_default();
    assert!(
        !cargo_args.contains("--release") && !cargo_args.contains("--profile"),
        "the README's first command builds in the test profile: {line}"
    );
    let args = line.split(" -- ").nth(1).expect("cargo run -- ARGS");
    let args = args.split('#').next().unwrap_or_default();
    args.split_whitespace().map(str::to_string).collect()
}

#[test]
fn the_readme_first_command_runs_the_bundled_examples_from_any_folder() {
    let args = readme_first_command();
    assert_eq!(args.first().map(String::as_str), Some("demo"));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.push("--no-progress");
    let out = putcheck(dir.path(), &all);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("PASS  specs/echo.yaml::json body is echoed back"),
        "{text}"
    );
    assert!(
        text.contains("PASS  specs/items.yaml::create or replace an item"),
        "{text}"
    );
    assert!(text.contains(" passed, 0 failed"), "{text}");
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
        "the demo leaves nothing behind"
    );
}

#[test]
fn the_repository_specs_pass_against_the_demo() {
    let out = putcheck(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &["demo", "specs", "--no-progress"],
    );
    assert_exit(&out, 0);
}

#[test]
fn the_failing_examples_fail_each_in_its_own_way() {
    // Bundled in the binary: no clone needed.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = putcheck(dir.path(), &["demo", "--failing", "--no-progress"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("running the bundled failing examples"),
        "{}",
        stderr(&out)
    );
    let text = stdout(&out);
    for expected in [
        "FAIL  examples/failing/version-bump.yaml::replace a versioned document",
        "differs at $.version",
        "differs at $.request_id, $.updated_at",
        "PASS  examples/failing/timestamp.yaml::stamped with ignore",
        "$.name differs, $.tags is missing",
        "header ETag differs",
        "PASS  examples/failing/race.yaml::one at a time (passes)",
        "FAIL  examples/failing/race.yaml::all at once (fails)",
        "$.version moved with the repeat and stays the same between two GETs",
        "$.notes is left over",
        "send 2 created the resource again",
        "answered 200 OK instead of 412 Precondition Failed",
        "answered 422 Unprocessable Entity but stored it anyway: the state changed at $.size",
        "must get the first answer replayed",
        "the server accepted the request it must refuse",
        "PASS  examples/failing/generated.yaml::the written widget survives a PUT (passes)",
        "FAIL  examples/failing/generated.yaml::any valid widget survives a PUT (fails)",
        "the smallest failing body: {",
        "a test that reproduces it (paste it into the spec):",
        "5 passed, 11 failed",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

/// Starts `putcheck serve` on a free port; returns the child and its base URL.
fn serve() -> (
    std::process::Child,
    BufReader<std::process::ChildStderr>,
    String,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_putcheck"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    // Kept open until the server is stopped: it writes a second line after the first.
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut first = String::new();
    stderr.read_line(&mut first).expect("read");
    let url = first
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_string();
    (child, stderr, url)
}

#[test]
fn the_failing_examples_fail_on_every_run_against_one_server() {
    let (mut child, _stderr, url) = serve();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let runs: Vec<_> = (0..2)
        .map(|_| {
            putcheck_command(root, &["examples/failing", "--no-progress"])
                .env("BASE_URL", &url)
                .output()
                .expect("run")
        })
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    for (i, out) in runs.iter().enumerate() {
        assert!(
            stdout(out).contains("5 passed, 11 failed"),
            "run {}:\n{}",
            i + 1,
            stdout(out)
        );
    }
}

#[test]
fn demo_says_what_it_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = putcheck(dir.path(), &["demo", "--help"]);
    assert_exit(&out, 0);
    let help = stdout(&out);
    assert!(help.contains("bundled"), "{help}");
    assert!(help.contains("--failing"), "{help}");
    let out = putcheck(dir.path(), &["demo", "--no-progress", "-q"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("running the bundled example specs"),
        "{}",
        stderr(&out)
    );
    let out = putcheck(dir.path(), &["demo", "--failing", "specs"]);
    assert_exit(&out, 2);
}

/// The failure output shown in the README is what putcheck prints today.
#[test]
fn the_readme_shows_real_failure_output() {
    let shown = README
        .split("<!-- failure-output -->")
        .nth(1)
        .and_then(|s| s.split("```text").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("README has a failure-output block");
    let out = putcheck(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            "demo",
            "examples/failing/version-bump.yaml",
            "--no-progress",
        ],
    );
    let actual = stdout(&out);
    let strip = |t: &str| -> String {
        let re = regex::Regex::new(r"\d+(\.\d+)?m?s\b|127\.0\.0\.1:\d+").expect("regex");
        re.replace_all(t.trim(), "_").into_owned()
    };
    assert_eq!(strip(shown), strip(&actual));
}

#[test]
fn serve_listens_where_asked_and_answers() {
    let (mut child, _stderr, url) = serve();
    // The body is read before the server stops.
    let answer = ureq::get(&format!("{url}/"))
        .call()
        .map_err(|e| e.to_string())
        .and_then(|r| r.into_string().map_err(|e| e.to_string()));
    let _ = child.kill();
    let _ = child.wait();
    let body = answer.expect("serve answers");
    assert!(body.contains("/items/{id}"), "{body}");
}

#[test]
fn demo_reports_land_in_the_users_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = putcheck(
        dir.path(),
        &[
            "demo",
            "--no-progress",
            "--junit",
            "out/junit.xml",
            "--json",
            "report.json",
        ],
    );
    assert_exit(&out, 0);
    assert!(dir.path().join("out/junit.xml").is_file());
    assert!(dir.path().join("report.json").is_file());
}
