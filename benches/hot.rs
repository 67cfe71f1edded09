//! The in-process hot parts of a passing run, timed with criterion (`cargo bench`):
//! loading a spec file, checking one response, comparing two sends, rendering the line
//! printed for a passing test. The network is measured by bench/compare.sh instead.
//! Benchmarks are never run as tests.
#![allow(clippy::unwrap_used, clippy::expect_used)] // benches: a panic is a broken bench

use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use putcheck::check::{judge, Recorded};
use putcheck::http::{Headers, Response};
use putcheck::report::console::{Console, ConsoleOptions};
use putcheck::run::{Outcome, TestResult};
use putcheck::spec::{load_str, LoadContext, Suite};
use serde_json::{json, Value};

const SPEC: &str = "base_url: http://127.0.0.1:8080
tests:
  - name: replace widget 7
    put: /widgets/7
    headers: { Accept: application/json }
    json: { name: widget, size: 3, tags: [a, b] }
    expect:
      status: [200, 201, 204]
      headers: { Content-Type: application/json }
      json:
        $.name: widget
        $.size: 3
        $.tags[0]: a
";

fn load(source: &str) -> Suite {
    let vars = HashMap::new();
    let env = |_: &str| None;
    let ctx = LoadContext {
        cli_vars: &vars,
        env: &env,
        listing: false,
    };
    load_str(Path::new("specs/widgets.yaml"), source, &ctx).expect("the bench spec loads")
}

fn response(body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap();
    Response {
        status: 200,
        reason: "OK".into(),
        version: "HTTP/1.1".into(),
        headers: Headers::from_fields(vec![
            ("Content-Type".into(), "application/json".into()),
            ("Content-Length".into(), bytes.len().to_string()),
        ]),
        parsed_json: Default::default(),
        body: bytes,
        url: "http://127.0.0.1:8080/widgets/7".into(),
        elapsed: Duration::from_millis(1),
        redirects: Vec::new(),
    }
}

fn recorded(sends: usize, body: &Value) -> Recorded {
    Recorded {
        request_headers: vec![("Accept".into(), "application/json".into())],
        sent_json: Some(json!({"name": "widget", "size": 3, "tags": ["a", "b"]})),
        planned_sends: sends,
        sends: (0..sends).map(|_| Ok(response(body))).collect(),
        ..Recorded::default()
    }
}

fn passing_result() -> TestResult {
    TestResult {
        seq: (0, 0),
        file: "specs/widgets.yaml".into(),
        suite: "widgets".into(),
        name: "replace widget 7".into(),
        id: "specs/widgets.yaml::replace widget 7".into(),
        line: 3,
        column: 5,
        method: "PUT".into(),
        url: "http://127.0.0.1:8080/widgets/7".into(),
        finally: false,
        outcome: Outcome::Passed,
        attempts: 1,
        time: 0.002,
        request: None,
        sends: Vec::new(),
        failures: Vec::new(),
        flaky_failures: Vec::new(),
        shell: None,
    }
}

fn hot_parts(c: &mut Criterion) {
    c.bench_function("load a spec file (1 test)", |b| {
        b.iter(|| load(black_box(SPEC)))
    });

    let body = json!({"id": 7, "name": "widget", "size": 3, "tags": ["a", "b"]});
    let once = load(&SPEC.replace("    expect:", "    idempotency: false\n    expect:"));
    let once = &once.tests[0];
    let one_send = recorded(1, &body);
    let none = |_: &str| None;
    c.bench_function("check one response", |b| {
        b.iter(|| {
            let failures = judge(once, black_box(&one_send), &none);
            assert!(failures.is_empty(), "{failures:?}");
        })
    });

    let twice = load(SPEC);
    let twice = &twice.tests[0];
    let two_sends = recorded(2, &body);
    c.bench_function("check and compare two sends", |b| {
        b.iter(|| {
            let failures = judge(twice, black_box(&two_sends), &none);
            assert!(failures.is_empty(), "{failures:?}");
        })
    });

    let console = Console::new(
        anstream::ColorChoice::Never,
        ConsoleOptions {
            verbosity: 0,
            curl: false,
            progress: false,
            to_stderr: false,
            quiet: false,
            ordered: false,
        },
    );
    let result = passing_result();
    c.bench_function("render a passing line", |b| {
        b.iter(|| console.test_text(black_box(&result)))
    });
}

criterion_group!(benches, hot_parts);
criterion_main!(benches);
