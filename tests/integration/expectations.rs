//! Every expectation and matcher, passing and failing, against a real server. The failure
//! text of `reason`, `schema` and a `json` expectation on a text body is pinned by golden
//! cases in tests/cases/run/.

use crate::common::*;
use serde_json::json;

fn document_server() -> TestServer {
    TestServer::start(|r| match r.path() {
        "/fine" => Action::text(200, "Everything Fine", "ok"),
        "/doc" => Action::json(
            200,
            json!({
                "name": "widget",
                "size": 3,
                "ratio": 1.0,
                "tags": ["a", "b"],
                "owner": {"id": 7, "email": "x@example.com"},
                "items": [{"id": 1, "price": 10}, {"id": 2, "price": 99.5}],
                "gone": null,
                "on": true,
                "headers": {"Content-Type": "application/json"}
            }),
        )
        .with_header("ETag", "\"v1\"")
        .with_header("X-Count", "42"),
        _ => Action::json(404, json!({"error": "not found"})),
    })
}

#[test]
fn every_matcher_passes_on_a_matching_document() {
    let server = document_server();
    let specs = Specs::new();
    specs.write(
        "pass.yaml",
        &format!(
            r#"
base_url: {}
tests:
  - name: all matchers
    get: /doc
    expect:
      status: [200, 201]
      reason: OK
      headers:
        ETag: '"v1"'
        X-Count: {{ gte: 40, lt: 50 }}
        content-type: {{ matches: "^application/json" }}
        X-Missing: {{ exists: false }}
      json:
        $.name: widget
        $.size: 3.0
        $.ratio: 1
        $.owner: {{ id: 7, email: x@example.com }}
        $['owner']['id']: {{ type: integer, eq: 7, ne: 8, one_of: [6, 7] }}
        $['ratio']: {{ type: number }}
        $['name']: {{ type: string, length: 6, contains: idg, matches: "^w.*t$" }}
        $.tags: {{ type: array, length: {{ gte: 2 }}, contains: b }}
        $.items: {{ contains: {{ id: 2 }} }}
        $['owner']: {{ type: object, contains: {{ id: 7 }}, length: 2 }}
        $.gone: {{ type: null }}
        $.on: {{ type: boolean, eq: true }}
        $..price: {{ all: {{ lt: 100 }} }}
        $.items[*].id: [1, 2]
        $.nothing: {{ exists: false }}
        $['size']: {{ gt: 2, gte: 3, lt: 4, lte: 3 }}
        $.headers['Content-Type']: application/json
      body: {{ contains: widget }}
      max_time: 10s
  - name: status class
    get: /doc
    expect:
      status: "2xx"
"#,
            server.base()
        ),
    );
    let (out, rep) = specs.run_report(&["pass.yaml"]);
    assert_exit(&out, 0);
    assert_eq!(rep["summary"]["passed"], 2);
}

#[test]
fn every_matcher_fails_on_a_mismatching_document_and_all_failures_are_listed() {
    let server = document_server();
    let specs = Specs::new();
    specs.write(
        "fail.yaml",
        &format!(
            r#"
base_url: {}
tests:
  - name: all wrong
    get: /doc
    expect:
      status: 201
      reason: Created
      headers:
        ETag: '"v2"'
        X-Count: {{ gt: 42 }}
        X-Missing: {{ exists: true }}
      json:
        $.name: gadget
        $.size: {{ type: string }}
        $.owner.id: {{ ne: 7 }}
        $.tags: {{ length: 3 }}
        $['name']: {{ matches: "^x" }}
        $["name"]: {{ contains: zz }}
        $.items: {{ contains: {{ id: 3 }} }}
        $['size']: {{ one_of: [1, 2] }}
        $..price: {{ all: {{ lt: 50 }} }}
        $["size"]: {{ lte: 2 }}
        $.owner['id']: {{ gte: 8 }}
        $['owner']['id']: {{ lt: 7 }}
        $.nothing: 1
        $.gone: {{ exists: false }}
        $['owner'].id: {{ eq: "7" }}
      body: {{ matches: "^nope" }}
"#,
            server.base()
        ),
    );
    let (out, rep) = specs.run_report(&["fail.yaml"]);
    assert_exit(&out, 1);
    let failures = rep["tests"][0]["failures"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let subjects: Vec<&str> = failures
        .iter()
        .filter_map(|f| f["subject"].as_str())
        .collect();
    assert_eq!(failures.len(), 21, "{subjects:?}");
    for f in &failures {
        assert!(f["line"].is_null());
        assert!(f["pos"]["line"].as_u64().is_some(), "{f}");
    }
    let text = stdout(&out);
    assert!(text.contains("expected: \"7\" (string)"), "{text}");
    assert!(text.contains("actual: 7 (integer)"), "{text}");
    assert!(text.contains("expected: a number > 42"), "{text}");
}
