//! The runner: exit codes, variables and captures, order within a file while files run
//! concurrently, defaults, and servers that misbehave.

use std::time::Duration;

use crate::common::*;
use serde_json::{json, Value};

fn echo_server() -> TestServer {
    TestServer::start(|r| {
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        let headers: serde_json::Map<String, Value> = r
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), Value::String(v.clone())))
            .collect();
        match r.path() {
            "/items" => Action::json(201, json!({"id": 42, "name": body["name"]}))
                .with_header("ETag", "\"e42\""),
            p if p.starts_with("/slow") => {
                std::thread::sleep(Duration::from_millis(300));
                Action::json(200, json!({"path": p}))
            }
            _ => Action::json(
                200,
                json!({"method": r.method, "target": r.target, "json": body, "data": r.body_text(), "headers": headers}),
            ),
        }
    })
}

#[test]
fn exit_status_is_0_when_all_pass_and_1_when_one_fails() {
    let server = echo_server();
    let specs = Specs::new();
    specs.write(
        "ok.yaml",
        &format!(
            "tests:\n  - put: {}\n    expect: {{ status: 200 }}\n",
            server.url("/a")
        ),
    );
    specs.write(
        "bad.yaml",
        &format!(
            "tests:\n  - put: {}\n    expect: {{ status: 404 }}\n",
            server.url("/a")
        ),
    );
    assert_eq!(specs.run(&["ok.yaml"]).status.code(), Some(0));
    assert_eq!(specs.run(&["ok.yaml", "bad.yaml"]).status.code(), Some(1));
}

#[test]
fn captures_flow_to_later_tests_and_keep_their_type() {
    let server = echo_server();
    let specs = Specs::new();
    specs.write(
        "cap.yaml",
        &format!(
            r#"
base_url: {}
tests:
  - name: create
    post: /items
    json: {{ name: widget }}
    expect: {{ status: 201 }}
    capture:
      id: {{ json: $.id }}
      etag: {{ header: ETag }}
  - name: use them
    put: /things/${{id}}
    headers: {{ If-Match: "${{etag}}" }}
    json: {{ id: "${{id}}", label: "item ${{id}}" }}
    expect:
      json:
        $.target: /things/42
        $.json.id: {{ type: integer, eq: 42 }}
        $.json.label: item 42
        $.headers['if-match']: '"e42"'
"#,
            server.base()
        ),
    );
    let out = specs.run(&["cap.yaml"]);
    assert_exit(&out, 0);
}

#[test]
fn variables_come_from_cli_vars_environment_and_fallbacks() {
    let server = echo_server();
    let specs = Specs::new();
    specs.write(
        "vars.yaml",
        r#"
base_url: ${BASE}
vars:
  who: from-vars
  count: 5
tests:
  - put: /v
    params: { who: "${who}", env: "${PUTCHECK_TEST_ENV}", fb: "${NOPE:-dflt}", lit: "$${x}", n: ["${count}", 6] }
    json: { count: "${count}" }
    expect:
      json:
        $.target: "/v?who=from-cli&env=from+env&fb=dflt&lit=%24%7Bx%7D&n=5&n=6"
        $.json.count: { type: integer }
"#,
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_putcheck"))
        .args([
            "--color",
            "never",
            "--no-progress",
            "vars.yaml",
            "--var",
            "who=from-cli",
            "--var",
        ])
        .arg(format!("BASE={}", server.base()))
        .current_dir(specs.dir.path())
        .env("PUTCHECK_TEST_ENV", "from env")
        .output()
        .expect("run");
    assert_exit(&out, 0);
}

#[test]
fn tests_of_a_file_run_in_order_while_files_run_concurrently() {
    let server = echo_server();
    let specs = Specs::new();
    for f in ["a", "b"] {
        let tests: String = (1..=3)
            .map(|i| {
                format!(
                    "  - name: {f}{i}\n    get: {}\n",
                    server.url(&format!("/slow/{f}{i}"))
                )
            })
            .collect();
        specs.write(&format!("{f}.yaml"), &format!("tests:\n{tests}"));
    }
    let out = specs.run(&["a.yaml", "b.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let order: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    for f in ["a", "b"] {
        let mine: Vec<&String> = order
            .iter()
            .filter(|p| p.starts_with(&format!("/slow/{f}")))
            .collect();
        assert_eq!(
            mine,
            vec![
                &format!("/slow/{f}1"),
                &format!("/slow/{f}2"),
                &format!("/slow/{f}3")
            ]
        );
    }
    assert!(
        server
            .in_flight_max
            .load(std::sync::atomic::Ordering::SeqCst)
            >= 2,
        "files did not overlap: {order:?}"
    );
}

#[test]
fn parallel_true_runs_the_tests_of_a_file_concurrently() {
    let server = echo_server();
    let specs = Specs::new();
    let tests: String = (1..=4)
        .map(|i| format!("  - get: {}\n", server.url(&format!("/slow/{i}"))))
        .collect();
    specs.write("p.yaml", &format!("parallel: true\ntests:\n{tests}"));
    let out = specs.run(&["p.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        server
            .in_flight_max
            .load(std::sync::atomic::Ordering::SeqCst)
            >= 2
    );
}

#[test]
fn defaults_merge_into_tests_and_bodies_go_out_as_written() {
    let server = echo_server();
    let specs = Specs::new();
    specs.write(
        "d.yaml",
        &format!(
            r#"
base_url: {}/api/
defaults:
  headers: {{ Accept: application/json, X-Team: core }}
  params: {{ v: 1 }}
  timeout: 5s
tests:
  - name: json is compact and byte-exact
    put: /j
    headers: {{ x-team: edge }}
    json: {{ b: 1, a: [1, 2.5, "x"], c: {{ d: null }} }}
    expect:
      json:
        $.data: '{{"b":1,"a":[1,2.5,"x"],"c":{{"d":null}}}}'
        $.headers.accept: application/json
        $.headers['x-team']: edge
        $.headers['content-type']: application/json
        $.target: /api/j?v=1
  - name: form data
    put: /f
    data: {{ name: a b, tag: [x, y] }}
    expect:
      json:
        $.data: name=a+b&tag=x&tag=y
        $.headers['content-type']: application/x-www-form-urlencoded
  - name: raw data
    put: /r
    data: "plain text"
    expect:
      json:
        $.data: plain text
        $.headers['content-type']: {{ exists: false }}
"#,
            server.base()
        ),
    );
    let out = specs.run(&["d.yaml"]);
    assert_exit(&out, 0);
}

/// A server that misbehaves fails its test with a message; the others still run.
#[test]
fn misbehaving_servers_fail_their_test_with_a_message() {
    let server = TestServer::start(|r| match r.path() {
        "/garbage" => Action::Raw(b"this is not http\r\n\r\n".to_vec()),
        "/close" => Action::Close,
        "/hang" => Action::Hang(Duration::from_secs(5)),
        "/huge" => Action::text(200, "OK", &"x".repeat(3 * 1024 * 1024)),
        "/loop" => Action::text(302, "Found", "").with_header("Location", "/loop2"),
        "/loop2" => Action::text(302, "Found", "").with_header("Location", "/loop"),
        _ => Action::json(200, json!({})),
    });
    let refused = RefusedPort::new();
    let specs = Specs::new();
    specs.write(
        "bad.yaml",
        &format!(
            r#"
base_url: {base}
defaults:
  timeout: {{ connect: 2s, read: 1s }}
tests:
  - {{ name: garbage, get: /garbage }}
  - {{ name: reset, get: /close }}
  - {{ name: hangs, get: /hang }}
  - {{ name: huge, get: /huge }}
  - {{ name: loop, get: /loop }}
  - {{ name: refused, get: "http://127.0.0.1:{refused}/" }}
  - {{ name: fine, get: /ok }}
"#,
            base = server.base(),
            refused = refused.port
        ),
    );
    let out = specs.run(&["bad.yaml", "--max-body", "1", "--json", "r.json"]);
    assert_exit(&out, 1);
    let rep = specs.report(&out);
    let msg = |i: usize| {
        rep["tests"][i]["failures"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        msg(0).contains("did not answer with valid HTTP"),
        "{}",
        msg(0)
    );
    assert!(
        msg(1).contains("sent no complete response")
            || msg(1).contains("did not answer with valid HTTP"),
        "{}",
        msg(1)
    );
    assert!(
        msg(2).contains("timeout: ") && msg(2).contains("did not send a complete response"),
        "{}",
        msg(2)
    );
    assert!(msg(3).contains("larger than 1 MiB"), "{}", msg(3));
    assert!(msg(4).contains("redirect loop"), "{}", msg(4));
    assert!(msg(5).contains("cannot connect"), "{}", msg(5));
    assert_eq!(rep["tests"][6]["outcome"], "passed");
    for i in 0..6 {
        assert_eq!(rep["tests"][i]["outcome"], "errored", "{i}");
    }
}
