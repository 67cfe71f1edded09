//! The HTTP-semantics probes (`readback: exact`, `created: once`, `conditional`,
//! `reject`, conditional repeats, POST with an Idempotency-Key) and the noise-or-bug
//! classification, each passing and failing against a raw test server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::common::*;
use serde_json::{json, Value};

#[derive(Default)]
struct Store {
    docs: HashMap<String, Value>,
    /// Writes per path: the ETag is `"<writes>"`.
    writes: HashMap<String, u64>,
    calls: u64,
    keys: HashMap<String, (String, Value)>,
}

/// Each path prefix behaves in one way; every resource is a JSON object.
fn server() -> TestServer {
    let store: Arc<Mutex<Store>> = Arc::default();
    TestServer::start(move |r| {
        let mut s = store.lock().expect("lock");
        s.calls += 1;
        let path = r.path().to_string();
        let kind = path.split('/').nth(1).unwrap_or("").to_string();
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        let etag = |s: &Store| format!("\"{}\"", s.writes.get(&path).copied().unwrap_or(0));
        let write = |s: &mut Store, v: Value| {
            let created = s.docs.insert(path.clone(), v).is_none();
            *s.writes.entry(path.clone()).or_insert(0) += 1;
            created
        };
        match (r.method.as_str(), kind.as_str()) {
            ("POST", "keyed") => {
                let key = r.header("Idempotency-Key").unwrap_or("").to_string();
                match s.keys.get(&key).cloned() {
                    Some((b, answer)) if b == r.body_text() => Action::json(201, answer),
                    Some(_) => Action::json(422, json!({"error": "key reused"})),
                    None => {
                        let answer = json!({"id": s.calls, "order": body});
                        s.keys.insert(key, (r.body_text(), answer.clone()));
                        Action::json(201, answer)
                    }
                }
            }
            ("POST", "unkeyed") => Action::json(201, json!({"id": s.calls, "order": body})),
            ("GET", "clock") => Action::json(200, json!({"id": 1, "served": s.calls})),
            ("PUT", "clock") => Action::json(200, json!({"id": 1, "served": s.calls})),
            ("GET", _) => match s.docs.get(&path).cloned() {
                Some(v) => Action::json(200, v).with_header("ETag", &etag(&s)),
                None => Action::json(404, json!({"error": "not found"})),
            },
            ("PUT", _) => {
                let mut doc = body.clone();
                doc["id"] = json!("x");
                let valid = body.get("size").is_none_or(Value::is_u64);
                let stale = r.header("If-Match").is_some_and(|m| m != etag(&s));
                match kind.as_str() {
                    "replace" if stale => {
                        Action::json(412, json!({"error": "stale"})).with_header("ETag", &etag(&s))
                    }
                    "replace" if !valid => Action::json(422, json!({"error": "bad size"})),
                    // Refuses a stale If-Match, but writes anyway.
                    "refused-but-changed" if stale => {
                        if let Some(d) = s.docs.get_mut(&path) {
                            d["refused"] = json!(true);
                        }
                        Action::json(412, json!({"error": "stale"}))
                    }
                    "lenient" if !valid => {
                        write(&mut s, doc);
                        Action::json(400, json!({"error": "bad size"}))
                    }
                    "noifmatch" if r.header("If-Match").is_some() => {
                        doc["touched"] = json!(true);
                        write(&mut s, doc);
                        Action::json(200, json!({"ok": true}))
                    }
                    "merge" => {
                        let mut merged = s.docs.get(&path).cloned().unwrap_or(json!({}));
                        for (k, v) in doc.as_object().cloned().unwrap_or_default() {
                            merged[k] = v;
                        }
                        let created = write(&mut s, merged.clone());
                        Action::json(if created { 201 } else { 200 }, merged)
                    }
                    "always201" => {
                        write(&mut s, doc.clone());
                        Action::json(201, doc)
                    }
                    _ => {
                        let created = write(&mut s, doc.clone());
                        Action::json(if created { 201 } else { 200 }, doc)
                            .with_header("ETag", &etag(&s))
                    }
                }
            }
            _ => Action::json(405, json!({"error": "method"})),
        }
    })
}

fn run(server: &TestServer, tests: &str, args: &[&str]) -> (std::process::Output, Value) {
    let specs = Specs::new();
    specs.write(
        "p.yaml",
        &format!("base_url: {}\ntests:\n{tests}", server.base()),
    );
    let mut all = vec!["p.yaml"];
    all.extend_from_slice(args);
    specs.run_report(&all)
}

/// `run` without extra arguments, asserting the exit code; the JSON report.
fn run_exiting(server: &TestServer, tests: &str, code: i32) -> Value {
    let (out, report) = run(server, tests, &[]);
    assert_exit(&out, code);
    report
}

fn failures(report: &Value) -> Vec<Value> {
    report["tests"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| t["failures"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn messages(report: &Value) -> String {
    failures(report)
        .iter()
        .map(|f| format!("{}: {}", f["subject"], f["message"]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that the failure's message contains `text`.
fn assert_message(failure: &Value, text: &str) {
    let message = failure["message"].as_str().unwrap_or_default();
    assert!(message.contains(text), "`{text}` is not in {failure}");
}

fn requests(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path()))
        .collect()
}

#[test]
fn readback_exact_passes_a_replacement_and_fails_a_merge_naming_the_leftover() {
    let s = server();
    let rep = run_exiting(
        &s,
        "  - put: /replace/a\n    json: { title: t }\n    idempotency: { readback: exact, server_fields: [$.id] }\n",
        0,
    );
    assert_eq!(failures(&rep).len(), 0);

    // Without server_fields, the id the server adds is a leftover too.
    let rep = run_exiting(
        &s,
        "  - put: /replace/b\n    json: { title: t }\n    idempotency: { readback: exact }\n",
        1,
    );
    assert_eq!(failures(&rep)[0]["paths"], json!(["$.id"]));

    let rep = run_exiting(
        &s,
        "  - put: /merge/c\n    json: { title: t, notes: old }\n    idempotency: false\n  - put: /merge/c\n    json: { title: u }\n    idempotency: { readback: exact, server_fields: [$.id] }\n",
        1,
    );
    let f = &failures(&rep)[0];
    assert_eq!(f["kind"], "readback");
    assert_eq!(f["paths"], json!(["$.notes"]));
    assert_message(f, "$.notes is left over");
    // `readback: true` keeps the "contains" rule: the merge passes it.
    run_exiting(
        &s,
        "  - put: /merge/c\n    json: { title: v }\n    idempotency: { readback: true }\n",
        0,
    );
}

#[test]
fn created_once_fails_a_server_that_always_answers_201() {
    let s = server();
    run_exiting(
        &s,
        "  - put: /replace/a\n    json: { a: 1 }\n    idempotency: { created: once, repeat: 3 }\n",
        0,
    );
    let rep = run_exiting(
        &s,
        "  - put: /always201/a\n    json: { a: 1 }\n    idempotency: { created: once }\n",
        1,
    );
    let f = failures(&rep);
    assert_eq!(f.len(), 1, "{}", messages(&rep));
    assert_eq!(
        f[0]["message"],
        "send 2 created the resource again: the first send did not stick, or the server always answers 201"
    );
    // Without the key, 201 → 201 is equal and so fine.
    run_exiting(&s, "  - put: /always201/b\n    json: { a: 1 }\n", 0);
}

#[test]
fn conditional_probe_wants_412_and_no_change() {
    let s = server();
    let rep = run_exiting(
        &s,
        "  - put: /replace/a\n    json: { a: 1 }\n    idempotency: { conditional: true }\n",
        0,
    );
    let probe = &s.requests()[3];
    assert_eq!(probe.method, "PUT");
    assert_eq!(probe.header("If-Match"), Some("\"putcheck-stale\""));
    let labels: Vec<&str> = rep["tests"][0]["sends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "send 1",
            "send 2",
            "read-back before the conditional probe",
            "conditional probe",
            "read-back after the conditional probe"
        ]
    );

    let rep = run_exiting(
        &s,
        "  - put: /noifmatch/a\n    json: { a: 1 }\n    idempotency: { conditional: true }\n",
        1,
    );
    let f = &failures(&rep)[0];
    assert_eq!(f["kind"], "conditional");
    assert_eq!(f["actual"], "200 OK");
    assert_eq!(f["paths"], json!(["$.touched"]));
    assert_message(
        f,
        "instead of 412 Precondition Failed, and the state changed at $.touched",
    );
}

#[test]
fn reject_probe_must_be_refused_and_change_nothing() {
    let s = server();
    let rep = run_exiting(
        &s,
        "  - put: /replace/a\n    json: { size: 1 }\n    idempotency:\n      reject: { json: { size: x }, expect: { status: 422 } }\n",
        0,
    );
    assert_eq!(failures(&rep).len(), 0);
    assert_eq!(
        requests(&s)[2..],
        ["GET /replace/a", "PUT /replace/a", "GET /replace/a"]
    );
    assert_eq!(s.requests()[3].body_text(), r#"{"size":"x"}"#);

    // A 400 with the bad body stored anyway.
    let rep = run_exiting(
        &s,
        "  - put: /lenient/a\n    json: { size: 1 }\n    idempotency:\n      reject: { json: { size: x } }\n",
        1,
    );
    let f = failures(&rep);
    assert_eq!(f.len(), 1, "{}", messages(&rep));
    assert_eq!(f[0]["kind"], "reject");
    assert_eq!(f[0]["paths"], json!(["$.size"]));
    assert_message(&f[0], "answered 400 Bad Request but stored it anyway");

    // Accepted: the default expectation is 4xx.
    let rep = run_exiting(
        &s,
        "  - put: /lenient/b\n    json: { size: 1 }\n    idempotency:\n      reject: { json: { size: 2 } }\n",
        1,
    );
    let text = messages(&rep);
    assert!(
        text.contains("the server accepted the request it must refuse"),
        "{text}"
    );
    assert!(text.contains("the state changed at $.size"), "{text}");
}

#[test]
fn reject_overrides_any_request_option_and_keeps_the_rest() {
    let s = server();
    run_exiting(
        &s,
        "  - put: /replace/h\n    headers: { X-Test: one, X-Keep: kept }\n    params: { q: 1 }\n    json: { size: 1 }\n    idempotency:\n      repeat: 1\n      reject:\n        headers: { X-Test: two }\n        params: { q: 2 }\n        json: { size: x }\n",
        0,
    );
    let probe = &s.requests()[2];
    assert_eq!(probe.target, "/replace/h?q=2");
    assert_eq!(probe.header("X-Test"), Some("two"));
    assert_eq!(probe.header("X-Keep"), Some("kept"));
}

#[test]
fn a_conditional_repeat_answering_412_is_accepted_when_the_state_holds() {
    let s = server();
    let setup = "  - name: setup\n    put: PATH\n    json: { v: 0 }\n    idempotency: false\n    capture: { etag: { header: ETag } }\n";
    let test = "  - name: update\n    put: PATH\n    headers: { If-Match: \"${etag}\" }\n    json: { v: 1 }\n    idempotency: { readback: true }\n    expect: { status: 200 }\n";
    let both = |path: &str| format!("{}{}", setup, test).replace("PATH", path);
    let (out, rep) = run(&s, &both("/replace/c"), &[]);
    assert_exit(&out, 0);
    let labels: Vec<&str> = rep["tests"][1]["sends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["send 1", "read-back after send 1", "send 2", "read-back"]
    );
    assert_eq!(rep["tests"][1]["sends"][2]["status"], 412);
    // The GETs carry no precondition.
    assert!(s
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .all(|r| r.header("If-Match").is_none()));

    // 412, yet the refused repeat changed the state.
    let (out, rep) = run(&s, &both("/refused-but-changed/c"), &[]);
    assert_exit(&out, 1);
    let f = failures(&rep);
    assert_eq!(f.len(), 1, "{}", messages(&rep));
    assert_eq!(f[0]["paths"], json!(["$.refused"]));
    assert_message(
        &f[0],
        "the repeats answered 412 Precondition Failed, yet the state changed",
    );
}

#[test]
fn a_post_with_an_idempotency_key_must_replay_its_answer() {
    let s = server();
    let test = "  - post: PATH\n    headers: { Idempotency-Key: k-1 }\n    json: { q: 1 }\n    idempotency:\n      repeat: 3\n      reject: { json: { q: 2 }, expect: { status: 422 } }\n    expect: { status: 201 }\n";
    let (out, rep) = run(&s, &test.replace("PATH", "/keyed"), &[]);
    assert_exit(&out, 0);
    assert_eq!(failures(&rep).len(), 0);
    // For a POST only the answer is checked: no GETs of a collection URL.
    assert_eq!(requests(&s), ["POST /keyed"; 4]);

    let (out, rep) = run(&s, &test.replace("PATH", "/unkeyed"), &[]);
    assert_exit(&out, 1);
    let text = messages(&rep);
    assert!(
        text.contains("must get the first answer replayed"),
        "{text}"
    );
    assert!(
        text.contains("the server accepted the request it must refuse"),
        "{text}"
    );
    // A POST without an idempotency block is sent once.
    run_exiting(&s, "  - post: /unkeyed\n    json: { q: 1 }\n", 0);
}

#[test]
fn differing_sends_are_told_apart_as_noise_or_a_changed_state() {
    let s = server();
    let rep = run_exiting(&s, "  - put: /clock/a\n    json: { a: 1 }\n", 1);
    let text = messages(&rep);
    assert!(
        text.contains("$.served also changes between two GETs: server noise; if that is expected, add it to idempotency.ignore"),
        "{text}"
    );
    assert_eq!(
        requests(&s),
        [
            "PUT /clock/a",
            "PUT /clock/a",
            "GET /clock/a",
            "GET /clock/a"
        ]
    );
}

#[test]
fn probes_show_labelled_in_verbose_output_and_curl() {
    let s = server();
    let (out, _) = run(
        &s,
        "  - put: /noifmatch/v\n    json: { a: 1 }\n    idempotency: { conditional: true, readback: true }\n",
        &["-v", "--curl"],
    );
    assert_exit(&out, 1);
    let text = stdout(&out);
    for expected in [
        "< send 1 HTTP/1.1 201 Created",
        "> read-back: GET ",
        "> conditional probe: PUT ",
        "< conditional probe HTTP/1.1 200 OK",
        "reproduce (conditional probe): curl -X PUT",
        "-H 'If-Match: \"putcheck-stale\"'",
        "reproduce (read-back): curl -X GET",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn probe_keys_are_checked_at_load() {
    let specs = Specs::new();
    specs.write(
        "bad.yaml",
        "tests:\n  - put: http://127.0.0.1:1/x\n    idempotency:\n      created: twice\n      server_fields: [$.id]\n      readback: sometimes\n",
    );
    let out = specs.run(&["bad.yaml"]);
    assert_exit(&out, 2);
    let text = stderr(&out) + &stdout(&out);
    for expected in [
        "`idempotency.created` must be `once`",
        "`idempotency.server_fields` only applies to `readback: exact`",
        "`idempotency.readback` must be `true`, `false` or `exact`",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    specs.write(
        "bad2.yaml",
        "tests:\n  - put: http://127.0.0.1:1/x\n    idempotency:\n      reject: { jsn: {} }\n",
    );
    let out = specs.run(&["bad2.yaml"]);
    assert_exit(&out, 2);
    let text = stderr(&out) + &stdout(&out);
    assert!(text.contains("unknown key `jsn`"), "{text}");
    assert!(text.contains("did you mean `json`?"), "{text}");
}

#[test]
fn probe_failures_read_well_on_the_console() {
    let s = server();
    let (out, _) = run(
        &s,
        "  - name: stored anyway\n    put: /lenient/s\n    json: { size: 1 }\n    idempotency:\n      reject: { json: { size: x } }\n  - name: ignores If-Match\n    put: /noifmatch/s\n    json: { a: 1 }\n    idempotency: { conditional: true }\n  - name: merges\n    put: /merge/s\n    json: { a: 1 }\n    idempotency: { readback: exact }\n",
        &["--jobs", "1"],
    );
    assert_exit(&out, 1);
    insta::assert_snapshot!("probe_failures", normalize(&stdout(&out), &s.base()));
}
