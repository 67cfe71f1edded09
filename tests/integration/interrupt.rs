//! SIGINT and SIGTERM sent to a real running putcheck against a slow server: the run
//! stops starting tests, lets `finally` run, prints the summary, writes well-formed
//! reports with the unfinished tests marked interrupted, and exits 130 / 143.
#![cfg(unix)] // signals

use std::process::{Child, Stdio};
use std::time::Duration;

use crate::common::*;

/// `/slow` answers after 1.5 s; everything else at once.
fn slow_server() -> TestServer {
    TestServer::start(|req| {
        if req.path() == "/slow" {
            std::thread::sleep(Duration::from_millis(1500));
        }
        Action::json(200, serde_json::json!({ "ok": true }))
    })
}

fn suite(server: &TestServer) -> Specs {
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!(
            r#"name: a
base_url: {}
tests:
  - name: quick
    put: /quick
    json: {{ a: 1 }}
  - name: slow
    put: /slow
    json: {{ a: 1 }}
  - name: after
    put: /after
    json: {{ a: 1 }}
finally:
  - name: cleanup
    put: /cleanup
    json: {{ done: true }}
"#,
            server.base()
        ),
    );
    specs
}

fn start(specs: &Specs) -> Child {
    specs
        .command(&[
            "--jobs", "1", "--json", "r.json", "--junit", "r.xml", "a.yaml",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start putcheck")
}

/// Waits until the server has seen a request for `path` (the run is in the middle).
fn wait_for(server: &TestServer, path: &str) {
    for _ in 0..600 {
        if server.requests().iter().any(|r| r.path() == path) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no request for {path} arrived");
}

/// Sends `signal` (`-INT`, `-TERM`) with the shell's built-in `kill`, which every
/// system has (the `kill` program may not be installed).
fn kill(child: &Child, signal: &str) {
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill {signal} {}", child.id())])
        .status()
        .expect("run sh");
    assert!(status.success());
}

fn interrupted_run(signal: &str, code: i32, name: &str) {
    let server = slow_server();
    let specs = suite(&server);
    let child = start(&specs);
    wait_for(&server, "/slow");
    kill(&child, signal);
    let out = child.wait_with_output().expect("wait for putcheck");
    assert_exit(&out, code);
    let text = stdout(&out);
    assert!(text.contains("PASS  a.yaml::quick"), "{text}");
    assert!(text.contains(&format!("interrupted by {name}")), "{text}");
    assert!(
        text.contains("1 passed") || text.contains("2 passed"),
        "{text}"
    );
    assert!(text.contains("interrupted in"), "the summary: {text}");
    assert!(stderr(&out).contains(name), "{}", stderr(&out));

    // `finally` ran; the test after the slow one never started.
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert!(paths.iter().any(|p| p == "/cleanup"), "{paths:?}");
    assert!(!paths.iter().any(|p| p == "/after"), "{paths:?}");

    let report = specs.report(&out);
    assert_follows_report_schema(&report);
    assert_eq!(report["summary"]["signal"], name);
    assert_eq!(report["summary"]["interrupted"], 2, "{report:#}");
    let outcome = |n: &str| {
        report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == n)
            .map(|t| t["outcome"].clone())
            .unwrap()
    };
    assert_eq!(outcome("quick"), "passed");
    // Its first send finished in the grace; its second was never started.
    assert_eq!(outcome("slow"), "interrupted");
    assert_eq!(outcome("after"), "interrupted");
    assert_eq!(outcome("cleanup"), "passed");

    let xml = std::fs::read_to_string(specs.path("r.xml")).expect("JUnit report");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 4, "{xml}");
    let after = cases
        .iter()
        .find(|c| c.attribute("name") == Some("after"))
        .unwrap();
    let skipped = after
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .expect("an interrupted test is <skipped>");
    assert!(
        skipped
            .attribute("message")
            .unwrap_or("")
            .contains("interrupted"),
        "{xml}"
    );
    assert_valid_junit("interrupted_run", &specs.path("r.xml"));
}

#[test]
fn sigint_finishes_up_and_exits_130() {
    interrupted_run("-INT", 130, "SIGINT");
}

#[test]
fn sigterm_finishes_up_and_exits_143() {
    interrupted_run("-TERM", 143, "SIGTERM");
}

/// A second signal does not wait for anything: no report is written.
#[test]
fn a_second_signal_quits_at_once() {
    let server = TestServer::start(|req| {
        if req.path() == "/slow" {
            std::thread::sleep(Duration::from_secs(20));
        }
        Action::json(200, serde_json::json!({}))
    });
    let specs = suite(&server);
    let child = start(&specs);
    wait_for(&server, "/slow");
    kill(&child, "-INT");
    std::thread::sleep(Duration::from_millis(300));
    kill(&child, "-INT");
    let out = child.wait_with_output().expect("wait for putcheck");
    assert_exit(&out, 130);
    assert!(
        stderr(&out).contains("quitting at once"),
        "{}",
        stderr(&out)
    );
    assert!(!specs.path("r.json").exists());
}

/// A send stuck past the grace and the `finally` deadline is left behind: the run still
/// ends, with its reports, and the stuck test is reported as interrupted.
#[test]
fn a_stuck_send_does_not_hold_the_reports() {
    let server = TestServer::start(|req| {
        if req.path() == "/slow" {
            std::thread::sleep(Duration::from_secs(30));
        }
        Action::json(200, serde_json::json!({}))
    });
    let specs = suite(&server);
    let child = start(&specs);
    wait_for(&server, "/slow");
    kill(&child, "-INT");
    let out = child.wait_with_output().expect("wait for putcheck");
    assert_exit(&out, 130);
    let report = specs.report(&out);
    assert_eq!(report["summary"]["interrupted"], 3, "{report:#}");
    assert!(stdout(&out).contains("3 interrupted"), "{}", stdout(&out));
}

/// A test waiting to retry is not retried after an interrupt: its verdict so far stands.
#[test]
fn no_retry_after_an_interrupt() {
    let server = TestServer::start(|_| Action::json(500, serde_json::json!({})));
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!(
            "tests:\n  - name: failing\n    put: {}\n    json: {{ a: 1 }}\n    idempotency: false\n    expect: {{ status: 200 }}\n    retry: {{ count: 5, interval: 30s }}\n",
            server.url("/fail")
        ),
    );
    let child = start(&specs);
    wait_for(&server, "/fail");
    kill(&child, "-INT");
    let out = child.wait_with_output().expect("wait for putcheck");
    assert_exit(&out, 130);
    assert_eq!(
        server.requests().len(),
        1,
        "a retry was sent after the interrupt"
    );
    let report = specs.report(&out);
    assert_eq!(report["tests"][0]["outcome"], "failed", "{report:#}");
    assert_eq!(report["tests"][0]["attempts"], 1);
}
