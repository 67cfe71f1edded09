//! Values as written reach the server: numbers of any size byte for byte, YAML 1.2 core
//! schema typing, `null` leaving entries out, `x-` fragments with `<<` merges, and
//! variables in path-valued keys (over real TLS for `verify`).

use crate::common::tls::Pki;
use crate::common::*;
use serde_json::{json, Value};

/// Answers with the request body as JSON (or `{}` when it has none).
fn echo(r: &Req) -> Action {
    let body = if r.body.is_empty() {
        b"{}".to_vec()
    } else {
        r.body.clone()
    };
    Action::Reply {
        status: 200,
        reason: "OK".into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body,
    }
}

fn by_path(server: &TestServer, path: &str) -> Req {
    server
        .requests()
        .into_iter()
        .find(|r| r.path() == path)
        .unwrap_or_else(|| panic!("no request to {path}"))
}

#[test]
fn big_numbers_and_decimals_go_out_and_are_compared_exactly_as_written() {
    let server = TestServer::start(echo);
    let specs = Specs::new();
    specs.write(
        "n.yaml",
        &format!(
            r#"
base_url: {base}
vars:
  big: 12345678901234567890123
tests:
  - name: sent and checked exactly
    put: /exact
    params: {{ id: 12345678901234567890123, price: 1.50, zip: 01234 }}
    json: {{ over: 18446744073709551616, dec: 0.1000000000000000000001, id: "${{big}}", neg: -99999999999999999999 }}
    expect:
      json:
        $.over: 18446744073709551616
        $.dec: 0.1000000000000000000001
        $.id: 12345678901234567890123
        $.neg: {{ lt: -99999999999999999998, gte: -99999999999999999999 }}
    capture:
      over: {{ json: $.over }}
  - name: a captured number keeps every digit, and 1 equals 1.0
    put: /captured
    json: {{ again: "${{over}}", one: 1 }}
    expect:
      json:
        $.again: 18446744073709551616.0
        $.one: 1.0
  - name: one more than the server holds is a failure
    put: /off-by-one
    json: {{ over: 18446744073709551616 }}
    idempotency: false
    expect:
      json:
        $.over: 18446744073709551617
"#,
            base = server.base()
        ),
    );
    let (out, rep) = specs.run_report(&["n.yaml"]);
    assert_exit(&out, 1);
    let exact = by_path(&server, "/exact");
    let body = exact.body_text();
    for text in [
        "18446744073709551616",
        "0.1000000000000000000001",
        "12345678901234567890123",
        "-99999999999999999999",
    ] {
        assert!(body.contains(text), "{text} in {body}");
    }
    assert!(!body.contains("e+"), "{body}");
    assert!(
        exact
            .target
            .ends_with("?id=12345678901234567890123&price=1.50&zip=01234"),
        "{}",
        exact.target
    );
    assert!(by_path(&server, "/captured")
        .body_text()
        .contains("18446744073709551616"));
    let outcomes: Vec<&str> = rep["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["passed", "passed", "failed"], "{}", stdout(&out));
    let failure = &rep["tests"][2]["failures"][0];
    assert!(
        failure["expected"]
            .as_str()
            .unwrap()
            .contains("18446744073709551617"),
        "{failure}"
    );
    assert!(
        failure["actual"]
            .as_str()
            .unwrap()
            .contains("18446744073709551616"),
        "{failure}"
    );
}

#[test]
fn yaml_1_2_core_schema_types_values() {
    let server = TestServer::start(echo);
    let specs = Specs::new();
    specs.write(
        "y.yaml",
        &format!(
            r#"
tests:
  - put: {url}
    idempotency: false
    json:
      dec: 017
      oct: 0o17
      hex: 0x1F
      float: 1.
      half: .5
      under: 1_000
      bin: 0b101
      sexagesimal: 1:20
      yes: yes
      on: on
      off: Off
      t: True
      n: ~
      quoted: "17"
"#,
            url = server.url("/y")
        ),
    );
    let out = specs.run(&["y.yaml"]);
    assert_exit(&out, 0);
    let got: Value = serde_json::from_str(&by_path(&server, "/y").body_text()).unwrap();
    let want = json!({
        "dec": 17, "oct": 15, "hex": 31, "float": 1.0, "half": 0.5,
        "under": "1_000", "bin": "0b101", "sexagesimal": "1:20",
        "yes": "yes", "on": "on", "off": "Off", "t": true, "n": null, "quoted": "17"
    });
    assert_eq!(got, want);
}

#[test]
fn null_leaves_params_and_form_fields_out() {
    let server = TestServer::start(echo);
    let specs = Specs::new();
    specs.write(
        "null.yaml",
        &format!(
            r#"
base_url: {base}
defaults:
  params: {{ page: 2, debug: 1 }}
  headers: {{ X-Debug: "1", X-Keep: yes }}
tests:
  - put: /form
    idempotency: false
    params: {{ keep: 1, drop: null, tag: [a, null, b], debug: ~ }}
    data: {{ a: 1, gone: null, l: [x, null, y], big: 12345678901234567890.10 }}
    headers: {{ x-debug: null }}
"#,
            base = server.base()
        ),
    );
    let out = specs.run(&["null.yaml"]);
    assert_exit(&out, 0);
    let r = by_path(&server, "/form");
    assert_eq!(r.target, "/form?page=2&keep=1&tag=a&tag=b", "{}", r.target);
    assert_eq!(r.body_text(), "a=1&l=x&l=y&big=12345678901234567890.10");
    assert_eq!(
        r.header("X-Debug"),
        None,
        "null leaves a defaults header out"
    );
    assert_eq!(r.header("X-Keep"), Some("yes"));
}

#[test]
fn x_keys_hold_anchors_and_merge_keys_work_in_tests_and_defaults() {
    let server = TestServer::start(echo);
    let specs = Specs::new();
    specs.write(
        "x.yaml",
        &format!(
            r#"
x-team: &team
  X-Team: blue
x-common: &common
  headers: *team
  timeout: 5s
base_url: {base}
defaults:
  <<: *common
tests:
  - x-note: ignored, like every x- key of a test
    <<: *common
    put: /merged
    idempotency: false
    headers: {{ X-Own: mine }}
  - <<: [*common]
    put: /plain
    idempotency: false
"#,
            base = server.base()
        ),
    );
    let out = specs.run(&["x.yaml"]);
    assert_exit(&out, 0);
    let merged = by_path(&server, "/merged");
    assert_eq!(merged.header("X-Own"), Some("mine"));
    assert_eq!(
        merged.header("X-Team"),
        Some("blue"),
        "from defaults: the test's own headers win over the merged ones, defaults still apply"
    );
    assert_eq!(by_path(&server, "/plain").header("X-Team"), Some("blue"));
}

#[test]
fn variables_in_path_valued_keys() {
    let server = TestServer::start(echo);
    let specs = Specs::new();
    specs.write("data/body.json", r#"{"from":"file"}"#);
    specs.write("data/a.txt", "attached");
    specs.write(
        "schemas/any.json",
        r#"{"type":"object","required":["from"]}"#,
    );
    specs.write(
        "p.yaml",
        &format!(
            r#"
base_url: {base}
vars:
  dir: data
  schemas: schemas
tests:
  - put: /body
    idempotency: false
    headers: {{ Content-Type: application/json }}
    body_file: ${{dir}}/body.json
    expect:
      schema: ${{schemas}}/any.json
  - put: /files
    idempotency: false
    files:
      one: ${{dir}}/a.txt
      two: {{ path: "${{FILES}}/a.txt", filename: b.txt }}
"#,
            base = server.base()
        ),
    );
    let files = specs.path("data");
    let out = specs.run_env(&["p.yaml"], &[("FILES", files.to_str().unwrap())]);
    assert_exit(&out, 0);
    assert_eq!(by_path(&server, "/body").body_text(), r#"{"from":"file"}"#);
    let multipart = by_path(&server, "/files").body_text();
    assert_eq!(multipart.matches("attached").count(), 2, "{multipart}");
    assert!(multipart.contains("filename=\"b.txt\""), "{multipart}");
}

#[test]
fn a_ca_bundle_and_a_client_certificate_through_variables_over_real_tls() {
    let specs = Specs::new();
    let pki_dir = specs.path("pki");
    std::fs::create_dir_all(&pki_dir).unwrap();
    let pki = Pki::generate(&pki_dir);
    let server = TestServer::start_tls(pki.mtls_server_config(), |r| {
        Action::json(200, json!({ "path": r.path() }))
    });
    specs.write(
        "tls.yaml",
        &format!(
            r#"
base_url: {base}
vars:
  pki: pki
tests:
  - name: absolute, from the environment
    get: /env
    verify: ${{CA_DIR}}/ca.pem
    cert: ${{CA_DIR}}/client-combined.pem
  - name: relative to the spec file, from vars
    get: /vars
    verify: ${{pki}}/ca.pem
    cert: ["${{pki}}/client.pem", "${{pki}}/client-key.pem"]
"#,
            base = server.https_url("")
        ),
    );
    let out = specs.run_env(
        &["tls.yaml", "--json", "r.json"],
        &[("CA_DIR", pki_dir.to_str().unwrap())],
    );
    let rep = specs.report(&out);
    assert_exit(&out, 0);
    assert_eq!(rep["tests"][0]["outcome"], "passed", "{}", stdout(&out));
    assert_eq!(rep["tests"][1]["outcome"], "passed", "{}", stdout(&out));
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(paths, ["/env", "/vars"]);
    assert!(pki.ca.exists());
}

#[test]
fn object_literals_and_eq_compare_as_values_next_to_the_typo_rule() {
    let server = TestServer::start(|_| {
        Action::json(
            200,
            json!({ "a": { "exits": true }, "b": { "id": 1, "name": "x", "one": 1 }, "c": { "gte": 5 } }),
        )
    });
    let specs = Specs::new();
    specs.write(
        "m.yaml",
        &format!(
            r#"
tests:
  - put: {url}
    idempotency: false
    expect:
      json:
        $.a: {{ eq: {{ exits: true }} }}
        $.b: {{ id: 1, name: x, one: 1.0 }}
        $.c: {{ eq: {{ gte: 5 }} }}
        $.c.gte: {{ gte: 5 }}
"#,
            url = server.url("/m")
        ),
    );
    let out = specs.run(&["m.yaml"]);
    assert_exit(&out, 0);
}
