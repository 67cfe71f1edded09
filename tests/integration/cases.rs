//! Golden cases: each folder under `tests/cases/` is one run of the real binary, with the
//! exact output it must print (tests/cases/README.md shows how to add one).
//!
//! `tests/cases/spec-errors/NAME/` holds a broken `spec.yaml` and the exact `stderr`
//! putcheck prints for it (run in that folder, so paths read `spec.yaml:LINE:COLUMN`).
//! Every such case must exit with status 2 and send nothing.
//!
//! `tests/cases/run/NAME/` holds a run that reaches a server, in these files:
//! - the spec files (and what they name, such as schemas);
//! - `args` (optional): the command line after `putcheck --color never --no-progress`, one
//!   argument per line; without it, `spec.yaml`;
//! - `server.json` (optional): what the raw test server (`common::TestServer`) answers,
//!   by path: `{"/path": ANSWER or [ANSWER, …], "*": ANSWER}`, where ANSWER is
//!   `{"status": 200, "reason": "OK", "headers": {…}, "json": … or "text": "…"}` (all
//!   optional but `status`). The Nth request to a path gets its Nth answer, the last one
//!   repeating; `*` answers the paths not listed, and any other path gets a 404. Without
//!   `server.json` the run goes to the embedded demo server (`putcheck::demo`);
//! - the golden output: `stdout`, `exit` (the exit status) and `stderr` (absent when the
//!   run prints nothing there).
//!
//! A run case's spec reaches its server as `${BASE}` (given with `--var BASE=…`) and a
//! loopback port that refuses connections as `${REFUSED}`. What differs from run to run is
//! replaced before comparing, in the golden files too: the base URL by `{base}`, the
//! refusing port's URL by `{refused}`, and durations (`12ms`, `1.03s`, `250µs`) by `{time}`.
//!
//! Both kinds run in their folder with no environment but `NO_COLOR=1`, so that nothing of
//! the machine's (proxy variables, a variable a case leaves undefined) leaks in.
//! `PUTCHECK_BLESS=1 cargo test --test integration cases::` rewrites the golden files from
//! the current output; review the diff before committing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use crate::common::{self, Action, RefusedPort, TestServer};
use putcheck::demo::DemoServer;
use serde_json::Value;

fn cases(kind: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(kind);
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn name(case: &Path) -> String {
    case.file_name().unwrap().to_string_lossy().to_string()
}

fn bless() -> bool {
    std::env::var_os("PUTCHECK_BLESS").is_some()
}

/// Runs putcheck in `case` with `args` after the flags that make its output stable.
fn run_in(case: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--color", "never", "--no-progress"];
    all.extend_from_slice(args);
    let mut cmd = common::putcheck_command(case, &all);
    cmd.env_clear().env("NO_COLOR", "1");
    cmd.output().unwrap()
}

#[test]
fn every_spec_error_case_prints_its_golden_stderr_and_exits_2() {
    let cases: Vec<_> = cases("spec-errors")
        .into_iter()
        .filter(|p| p.join("spec.yaml").exists())
        .collect();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut failed = Vec::new();
    for case in &cases {
        let name = name(case);
        let out = run_in(case, &["spec.yaml"]);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let golden = case.join("stderr");
        if bless() {
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

/// One answer of `server.json`.
fn answer(spec: &Value) -> Action {
    let status = spec["status"].as_u64().expect("an answer has a status") as u16;
    let reason = spec["reason"]
        .as_str()
        .unwrap_or(common::canonical(status))
        .to_string();
    let mut headers: Vec<(String, String)> = Vec::new();
    let body = if let Some(text) = spec["text"].as_str() {
        headers.push(("Content-Type".into(), "text/plain".into()));
        text.as_bytes().to_vec()
    } else if let Some(json) = spec.get("json") {
        headers.push(("Content-Type".into(), "application/json".into()));
        json.to_string().into_bytes()
    } else {
        Vec::new()
    };
    if let Some(more) = spec["headers"].as_object() {
        for (k, v) in more {
            headers.push((
                k.clone(),
                v.as_str().expect("header values are strings").into(),
            ));
        }
    }
    Action::Reply {
        status,
        reason,
        headers,
        body,
    }
}

/// The raw test server answering as `server.json` says.
fn scripted_server(routes: Value) -> TestServer {
    let routes = routes.as_object().expect("server.json is a map").clone();
    let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    TestServer::start(move |r| {
        let path = r.path().to_string();
        let n = {
            let mut seen = seen.lock().unwrap();
            let n = seen.entry(path.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let Some(route) = routes.get(&path).or_else(|| routes.get("*")) else {
            return Action::json(404, serde_json::json!({"error": "no route"}));
        };
        match route.as_array() {
            Some(answers) => answer(&answers[(n - 1).min(answers.len() - 1)]),
            None => answer(route),
        }
    })
}

/// The server a run case goes to: kept alive while the case runs.
enum Target {
    Raw(TestServer),
    Demo(DemoServer),
}

impl Target {
    fn for_case(case: &Path) -> Target {
        match std::fs::read_to_string(case.join("server.json")) {
            Ok(text) => Target::Raw(scripted_server(serde_json::from_str(&text).unwrap())),
            Err(_) => Target::Demo(DemoServer::start("127.0.0.1:0").unwrap()),
        }
    }

    fn base(&self) -> String {
        match self {
            Target::Raw(server) => server.base(),
            Target::Demo(demo) => demo.base_url(),
        }
    }
}

/// What varies from run to run, replaced (see the module's comment).
fn normalise(text: &str, base: &str, refused: &str) -> String {
    let text = text.replace(base, "{base}").replace(refused, "{refused}");
    let durations = regex::Regex::new(r"\b\d+(\.\d+)?(ms|µs|s)\b").unwrap();
    durations.replace_all(&text, "{time}").into_owned()
}

#[test]
fn every_run_case_prints_its_golden_output_and_exit_status() {
    let cases = cases("run");
    assert!(cases.len() >= 12, "only {} cases", cases.len());
    let mut failed = Vec::new();
    for case in &cases {
        let name = name(case);
        let target = Target::for_case(case);
        let refused = RefusedPort::new();
        let base = target.base();
        let vars = [format!("BASE={base}"), format!("REFUSED={}", refused.url())];
        let args =
            std::fs::read_to_string(case.join("args")).unwrap_or_else(|_| "spec.yaml\n".into());
        let mut all = vec!["--var", &vars[0], "--var", &vars[1]];
        all.extend(args.lines().filter(|l| !l.is_empty()));
        let out = run_in(case, &all);
        let stdout = normalise(&String::from_utf8_lossy(&out.stdout), &base, &refused.url());
        let stderr = normalise(&String::from_utf8_lossy(&out.stderr), &base, &refused.url());
        let exit = format!("{}\n", out.status.code().unwrap_or(-1));
        if bless() {
            std::fs::write(case.join("stdout"), &stdout).unwrap();
            std::fs::write(case.join("exit"), &exit).unwrap();
            if stderr.is_empty() {
                let _ = std::fs::remove_file(case.join("stderr"));
            } else {
                std::fs::write(case.join("stderr"), &stderr).unwrap();
            }
        }
        let golden = |file: &str| std::fs::read_to_string(case.join(file)).unwrap_or_default();
        for (file, actual) in [("exit", &exit), ("stdout", &stdout), ("stderr", &stderr)] {
            let expected = golden(file);
            if *actual != expected {
                failed.push(format!(
                    "{name}: {file} differs\n--- expected\n{expected}--- actual\n{actual}"
                ));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
