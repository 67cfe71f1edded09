//! Idempotency: every rule of the spec's `idempotency` section, passing and failing. The
//! console output of the common failures is pinned by the golden cases
//! `tests/cases/run/idempotency-*`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use serde_json::{json, Value};

/// A server with the behaviours the tests need, each under its own path.
fn server() -> TestServer {
    let counters: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    let store: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
    TestServer::start(move |r| {
        // Each path counts its own calls, so tests don't depend on each other.
        let n = {
            let mut c = counters.lock().expect("lock");
            let n = c.entry(r.path().to_string()).or_insert(0);
            *n += 1;
            *n
        };
        // PUTs alone move /version and /stamp: a GET reads what the last PUT left.
        let puts = {
            let mut c = counters.lock().expect("lock");
            let n = c.entry(format!("PUTs to {}", r.path())).or_insert(0);
            if r.method == "PUT" {
                *n += 1;
            }
            *n
        };
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        let path = r.path().to_string();
        match (r.method.as_str(), path.as_str()) {
            (_, "/same") => Action::json(200, json!({"b": 1, "a": [1, 2]})),
            (_, "/reordered") => {
                // Same JSON, different key order, spacing and number spelling.
                let text = if n % 2 == 0 {
                    r#"{"a": [1, 2], "b": 1}"#
                } else {
                    r#"{"b":1.0,"a":[1,2]}"#
                };
                Action::Reply {
                    status: 200,
                    reason: "OK".into(),
                    headers: vec![],
                    body: text.as_bytes().to_vec(),
                }
            }
            (_, "/version") => Action::json(
                200,
                json!({"id": "w1", "name": "widget", "version": puts, "size": 3}),
            ),
            (_, "/stamp") => Action::json(
                200,
                json!({"id": "w1", "name": "widget", "updated_at": format!("2026-11-25T10:00:{:02}Z", puts % 60)}),
            ),
            // Changes on every answer, GETs included: noise, not state.
            (_, "/clock") => Action::json(200, json!({"id": "w1", "served": n})),
            (_, "/created") => {
                let status = if n == 1 { 201 } else { 200 };
                Action::json(status, json!({"id": 1}))
            }
            (_, "/created-then-bumped") => Action::json(
                if n == 1 { 201 } else { 200 },
                json!({"id": 1, "version": n}),
            ),
            (_, "/ok-then-created") => {
                Action::json(if n % 2 == 1 { 200 } else { 201 }, json!({"id": 1}))
            }
            (_, "/etag") => {
                Action::json(200, json!({"id": 1})).with_header("ETag", &format!("\"{n}\""))
            }
            (_, "/text") => {
                Action::text(200, "OK", &format!("line one\nrequest {n}\nline three\n"))
            }
            ("PUT", p) if p.starts_with("/store/") => {
                let mut s = store.lock().expect("lock");
                let created = s.insert(p.to_string(), body.clone()).is_none();
                Action::json(if created { 201 } else { 200 }, body)
            }
            ("GET", p) if p.starts_with("/store/") => match store.lock().expect("lock").get(p) {
                Some(v) => Action::json(200, v.clone()),
                None => Action::json(404, json!({"error": "not found"})),
            },
            ("PUT", p) if p.starts_with("/lossy/") => {
                let mut stored = body.clone();
                if let Some(m) = stored.as_object_mut() {
                    m.remove("tags");
                    m.insert("name".into(), json!("WIDGET"));
                }
                store.lock().expect("lock").insert(p.to_string(), stored);
                Action::json(200, body)
            }
            ("GET", p) if p.starts_with("/lossy/") => match store.lock().expect("lock").get(p) {
                Some(v) => Action::json(200, v.clone()),
                None => Action::json(404, json!({})),
            },
            ("PUT", p) if p.starts_with("/racy/") => {
                // check-then-act: identical PUTs are no-ops only when they arrive one at a time.
                let existing = store.lock().expect("lock").get(p).cloned();
                let unchanged = existing.as_ref().is_some_and(|e| e["name"] == body["name"]);
                if unchanged {
                    return Action::json(200, existing.unwrap_or_default());
                }
                std::thread::sleep(Duration::from_millis(150));
                let mut s = store.lock().expect("lock");
                let revision = s.get(p).and_then(|e| e["revision"].as_u64()).unwrap_or(0) + 1;
                let mut stored = body.clone();
                stored["revision"] = json!(revision);
                s.insert(p.to_string(), stored.clone());
                Action::json(if existing.is_none() { 201 } else { 200 }, stored)
            }
            ("GET", p) if p.starts_with("/racy/") => match store.lock().expect("lock").get(p) {
                Some(v) => Action::json(200, v.clone()),
                None => Action::json(404, json!({})),
            },
            _ => Action::json(404, json!({"error": "no route"})),
        }
    })
}

fn run(server: &TestServer, spec: &str, args: &[&str]) -> (std::process::Output, Value) {
    let specs = Specs::new();
    specs.write("idem.yaml", &format!("base_url: {}\n{spec}", server.base()));
    let mut all = vec!["idem.yaml"];
    all.extend_from_slice(args);
    specs.run_report(&all)
}

fn sends(server: &TestServer, path: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path() == path)
        .count()
}

#[test]
fn every_put_is_sent_twice_by_default_and_other_methods_once() {
    let s = server();
    let (out, _) = run(&s, "tests:\n  - put: /same\n  - get: /reordered\n  - delete: /created\n    idempotency: { repeat: 3 }\n", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(sends(&s, "/same"), 2);
    assert_eq!(sends(&s, "/reordered"), 1);
    assert_eq!(sends(&s, "/created"), 3);
}

#[test]
fn repeat_flag_and_opt_out() {
    let s = server();
    let (out, _) = run(
        &s,
        "tests:\n  - put: /same\n  - put: /version\n    idempotency: false\n",
        &["--repeat", "4"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(sends(&s, "/same"), 4);
    assert_eq!(sends(&s, "/version"), 1);
}

#[test]
fn json_bodies_compare_as_json() {
    let s = server();
    let (out, _) = run(
        &s,
        "tests:\n  - put: /reordered\n    idempotency: { repeat: 4 }\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn created_twice_is_equal_so_fine() {
    let s = server();
    let (out, _) = run(
        &s,
        "tests:\n  - put: /store/a\n    json: {a: 1}\n    idempotency: { repeat: 2 }\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Created, then replaced: 201 → 200.
    let (out, _) = run(&s, "tests:\n  - put: /created\n", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn readback_passes_when_the_state_holds_what_was_sent() {
    let s = server();
    let (out, _) = run(
        &s,
        "tests:\n  - put: /store/r1\n    json: { name: widget, tags: [a], dims: { w: 1 } }\n    idempotency: { readback: true }\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(s
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path() == "/store/r1"));
}

#[test]
fn readback_reports_each_missing_or_different_field() {
    let s = server();
    let (out, rep) = run(
        &s,
        "tests:\n  - name: lossy\n    put: /lossy/1\n    json: { name: widget, tags: [a, b], size: 3 }\n    idempotency: { readback: true }\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(rep["tests"][0]["failures"][0]["kind"], "readback");
    assert_eq!(
        rep["tests"][0]["failures"][0]["paths"],
        json!(["$.name", "$.tags"])
    );
    insta::assert_snapshot!("readback", normalize(&stdout(&out), &s.base()));
}

#[test]
fn concurrent_sends_expose_a_check_then_act_race() {
    let s = server();
    // One at a time the endpoint is idempotent...
    let (out, _) = run(&s, "tests:\n  - put: /racy/seq\n    json: { name: w }\n    idempotency: { repeat: 3, readback: true }\n", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // ...but not when the sends arrive together.
    let (out, rep) = run(&s, "tests:\n  - put: /racy/conc\n    json: { name: w }\n    idempotency: { repeat: 3, concurrent: true }\n", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = rep["tests"][0]["failures"].to_string();
    assert!(text.contains("revision"), "{text}");
}

#[test]
fn concurrent_sends_pass_on_a_truly_idempotent_endpoint() {
    let s = server();
    let (out, _) = run(&s, "tests:\n  - put: /store/c\n    json: { name: w }\n    idempotency: { repeat: 4, concurrent: true }\n", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}
