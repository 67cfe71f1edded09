//! `generate:` and the lifecycle probe against in-process stores on 127.0.0.1 that each
//! break one way: the written body passes, generated bodies find the break, the failing
//! body is shrunk (its size asserted) and printed as a YAML test that reproduces it;
//! the same `--seed` sends the same bodies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::common::*;
use serde_json::{json, Value};

const SCHEMA: &str = r#"{
  "type": "object",
  "required": ["name", "count"],
  "additionalProperties": false,
  "properties": {
    "name": { "type": "string", "maxLength": 300 },
    "count": { "type": "integer" },
    "price": { "type": "number" },
    "tags": { "type": "array", "items": { "type": "string" } },
    "note": { "type": ["string", "null"] }
  }
}"#;

/// What the correct store accepts: the schema above, checked by hand.
fn valid(v: &Value) -> bool {
    let Some(m) = v.as_object() else { return false };
    let keys_ok = m
        .keys()
        .all(|k| ["name", "count", "price", "tags", "note"].contains(&k.as_str()));
    let name_ok = m
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|s| s.chars().count() <= 300);
    let count_ok = m
        .get("count")
        .is_some_and(|c| c.is_number() && !c.to_string().contains(['.', 'e', 'E']));
    let price_ok = m.get("price").is_none_or(Value::is_number);
    let tags_ok = m
        .get("tags")
        .is_none_or(|t| t.as_array().is_some_and(|a| a.iter().all(Value::is_string)));
    let note_ok = m.get("note").is_none_or(|n| n.is_null() || n.is_string());
    keys_ok && name_ok && count_ok && price_ok && tags_ok && note_ok
}

fn reply(status: u16, body: &str) -> Action {
    Action::Reply {
        status,
        reason: canonical(status).to_string(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

/// `/<kind>/<id>`: a widget store; `good` is correct, each other kind breaks one way.
fn store() -> TestServer {
    let docs: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    TestServer::start(move |r| {
        let mut docs = docs.lock().unwrap();
        let path = r.path().to_string();
        let kind = path.split('/').nth(1).unwrap_or("").to_string();
        match r.method.as_str() {
            "GET" => match docs.get(&path) {
                Some(text) => reply(200, text),
                None => reply(404, r#"{"error":"not found"}"#),
            },
            "DELETE" => {
                let existed = docs.contains_key(&path);
                match kind.as_str() {
                    "undeletable" => return reply(204, ""),
                    "delete500" if !existed => return reply(500, r#"{"error":"boom"}"#),
                    _ => {}
                }
                docs.remove(&path);
                reply(if existed { 204 } else { 404 }, "")
            }
            "PUT" => {
                let Ok(mut body) = serde_json::from_slice::<Value>(&r.body) else {
                    return reply(400, r#"{"error":"not JSON"}"#);
                };
                if !valid(&body) {
                    if kind == "lenient" {
                        docs.insert(path, body.to_string());
                    }
                    return reply(422, r#"{"error":"invalid widget"}"#);
                }
                match kind.as_str() {
                    "rounding" => {
                        let f = body["count"].as_f64().unwrap();
                        body["count"] = json!(f);
                    }
                    "truncating" => {
                        let s: String = body["name"].as_str().unwrap().chars().take(64).collect();
                        body["name"] = json!(s);
                    }
                    "dropping" if body.get("tags") == Some(&json!([])) => {
                        body.as_object_mut().unwrap().remove("tags");
                    }
                    "merging" => {
                        if let Some(old) = docs.get(&path) {
                            let mut merged: Value = serde_json::from_str(old).unwrap();
                            for (k, v) in body.as_object().unwrap() {
                                merged[k] = v.clone();
                            }
                            body = merged;
                        }
                    }
                    _ => {}
                }
                let created = docs.insert(path, body.to_string()).is_none();
                reply(if created { 201 } else { 200 }, &body.to_string())
            }
            _ => reply(405, "{}"),
        }
    })
}

fn spec(base: &str, kind: &str, count: u32, invalid: u32, extra: &str) -> String {
    format!(
        r#"base_url: "{base}"
tests:
  - name: the written widget
    put: /{kind}/w-1
    json: {{ name: widget, count: 3, tags: [a] }}
    idempotency: {{ readback: exact }}
  - name: any valid widget survives a PUT exactly
    put: /{kind}/w-2
    generate:
      schema: widget.json
      count: {count}
      invalid: {invalid}
    idempotency: {{ readback: exact{extra} }}
"#
    )
}

fn setup(kind: &str, count: u32, invalid: u32, extra: &str) -> (TestServer, Specs) {
    let server = store();
    let specs = Specs::new();
    specs.write("widget.json", SCHEMA);
    specs.write(
        "widgets.yaml",
        &spec(&server.base(), kind, count, invalid, extra),
    );
    (server, specs)
}

fn test_named<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no test {name} in {report:#}"))
}

/// The shrunk body of the generated test's failure, from its reproducing YAML.
fn shrunk_body(report: &Value) -> (String, Value) {
    let t = test_named(report, "any valid widget survives a PUT exactly");
    assert_eq!(t["outcome"], "failed", "{t:#}");
    let f = t["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["reproduce"].is_string())
        .unwrap_or_else(|| panic!("no reproduce in {t:#}"));
    let yaml = f["reproduce"].as_str().unwrap().to_string();
    let line = yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("json: "))
        .unwrap_or_else(|| panic!("no json: line in\n{yaml}"));
    (yaml.clone(), serde_json::from_str(line).unwrap())
}

#[test]
fn a_correct_store_passes_fifty_valid_and_twenty_invalid_bodies() {
    let (server, specs) = setup("good", 50, 20, ", delete: true");
    let (out, report) = specs.run_report(&["widgets.yaml", "--seed", "1"]);
    assert_exit(&out, 0);
    assert_follows_report_schema(&report);
    assert!(
        stdout(&out).contains("generated bodies from seed 1 (`--seed 1` repeats them)"),
        "{}",
        stdout(&out)
    );
    let t = test_named(&report, "any valid widget survives a PUT exactly");
    let sends = t["sends"].as_array().unwrap();
    // Every request is in the report, each generated send with its own request.
    let puts = server
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .count();
    let reported_puts = sends
        .iter()
        .filter(|s| s["kind"] == "send" || s["request"]["method"] == "PUT")
        .count();
    assert_eq!(puts - 2, reported_puts, "the written test sent 2 PUTs");
    assert_eq!(puts, 2 + 50 * 2 + 20);
    assert!(sends
        .iter()
        .filter(|s| s["kind"] == "send")
        .all(|s| s["request"]["body_preview"].is_string()));
    let labels: Vec<&str> = sends.iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert!(
        labels.contains(&"body 50 of 50: lifecycle: second DELETE"),
        "{labels:?}"
    );
    assert!(
        labels.contains(&"invalid body 20 of 20: reject probe"),
        "{labels:?}"
    );
    // A fresh seed passes too.
    let out = specs.run(&["widgets.yaml"]);
    assert_exit(&out, 0);
}

fn assert_found(kind: &str, max_size: usize, shows: &str) -> Value {
    let (server, specs) = setup(kind, 50, 0, "");
    let (out, report) = specs.run_report(&["widgets.yaml", "--seed", "3"]);
    assert_exit(&out, 1);
    assert_eq!(
        test_named(&report, "the written widget")["outcome"],
        "passed"
    );
    let (yaml, body) = shrunk_body(&report);
    let size = body.to_string().len();
    assert!(size <= max_size, "{kind}: shrunk to {size} bytes: {body}");
    let text = stdout(&out);
    assert!(
        text.contains("a test that reproduces it (paste it into the spec):"),
        "{text}"
    );
    assert!(text.contains(shows), "{kind}: {shows}\n{text}");
    // The YAML is a test: pasted into a spec, it fails against the same store.
    let pasted = format!("base_url: \"{}\"\ntests:\n{}", server.base(), indent(&yaml));
    specs.write("pasted.yaml", &pasted);
    let again = specs.run(&["pasted.yaml"]);
    assert_exit(&again, 1);
    body
}

fn indent(yaml: &str) -> String {
    yaml.lines().map(|l| format!("  {l}\n")).collect()
}

#[test]
fn big_integers_rounded_to_floats_are_found_and_shrunk() {
    let body = assert_found("rounding", 60, "the smallest failing body");
    let count = body["count"].to_string();
    assert!(count.len() >= 16, "{body}");
}

#[test]
fn strings_truncated_past_a_length_are_found_and_shrunk() {
    let body = assert_found("truncating", 100, "the smallest failing body");
    let name = body["name"].as_str().unwrap();
    assert_eq!(name.chars().count(), 65, "{body}");
}

#[test]
fn dropped_empty_arrays_are_found_and_shrunk() {
    let body = assert_found("dropping", 40, "the smallest failing body");
    assert_eq!(body["tags"], json!([]), "{body}");
}

#[test]
fn a_merge_instead_of_a_replace_is_found() {
    assert_found("merging", 40, "the smallest failing body");
}

#[test]
fn invalid_bodies_stored_anyway_are_found() {
    let (server, specs) = setup("lenient", 5, 10, "");
    let (out, report) = specs.run_report(&["widgets.yaml", "--seed", "5"]);
    assert_exit(&out, 1);
    let t = test_named(&report, "any valid widget survives a PUT exactly");
    let f = &t["failures"][0];
    assert_eq!(f["kind"], "reject", "{t:#}");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.starts_with("invalid body "), "{msg}");
    let reproduce = f["reproduce"].as_str().unwrap();
    assert!(reproduce.contains("reject: { json: "), "{f:#}");
    // Pasted into a spec, it loads (one `idempotency:`, the test's replaced) and fails
    // the same way.
    let indented: String = reproduce.lines().map(|l| format!("  {l}\n")).collect();
    specs.write(
        "reproduce.yaml",
        &format!("base_url: \"{}\"\ntests:\n{indented}", server.base()),
    );
    let again = specs.run(&["reproduce.yaml"]);
    assert_exit(&again, 1);
    assert!(
        stdout(&again).contains("but stored it anyway"),
        "{}",
        stdout(&again)
    );
    specs.write(
        "good.yaml",
        &std::fs::read_to_string(specs.path("widgets.yaml"))
            .unwrap()
            .replace("/lenient/", "/good/"),
    );
    assert_exit(&specs.run(&["good.yaml", "--seed", "5"]), 0);
}

#[test]
fn the_same_seed_sends_the_same_bodies() {
    let bodies = |seed: &str| -> Vec<String> {
        let (server, specs) = setup("good", 20, 5, "");
        assert_exit(&specs.run(&["widgets.yaml", "--seed", seed]), 0);
        server
            .requests()
            .iter()
            .filter(|r| r.method == "PUT")
            .map(|r| r.body_text())
            .collect()
    };
    let a = bodies("42");
    assert_eq!(a.len(), 2 + 20 * 2 + 5);
    assert_eq!(a, bodies("42"));
    assert_ne!(a, bodies("43"));
}

#[test]
fn the_budget_bounds_the_bodies_of_a_run() {
    let (server, specs) = setup("good", 50, 20, "");
    assert_exit(&specs.run(&["widgets.yaml", "--generate-budget", "5"]), 0);
    let puts = server
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(puts, 2 + 5 * 2);
}

#[test]
fn a_generated_body_that_fails_validation_is_putchecks_bug_and_not_sent() {
    let server = store();
    let specs = Specs::new();
    specs.write(
        "widgets.yaml",
        &format!(
            r#"base_url: "{}"
tests:
  - put: /good/w-1
    generate:
      schema: {{ type: object, required: [a], properties: {{ a: {{ type: integer }} }}, not: {{ required: [a] }} }}
"#,
            server.base()
        ),
    );
    let (out, report) = specs.run_report(&["widgets.yaml"]);
    assert_exit(&out, 1);
    assert_eq!(report["tests"][0]["outcome"], "errored");
    let msg = report["tests"][0]["failures"][0]["message"]
        .as_str()
        .unwrap();
    assert!(msg.contains("a bug in putcheck's generator"), "{msg}");
    assert!(server.requests().is_empty());
}

#[test]
fn the_lifecycle_probe_catches_a_delete_that_leaves_the_resource_and_a_500() {
    let run = |kind: &str| {
        let server = store();
        let specs = Specs::new();
        specs.write(
            "d.yaml",
            &format!(
                "base_url: \"{}\"\ntests:\n  - put: /{kind}/w-1\n    json: {{ name: a, count: 1 }}\n    idempotency: {{ delete: true }}\n",
                server.base()
            ),
        );
        specs.run_report(&["d.yaml"])
    };
    let (out, _) = run("good");
    assert_exit(&out, 0);
    let (out, report) = run("undeletable");
    assert_exit(&out, 1);
    let f = &report["tests"][0]["failures"][0];
    assert_eq!(f["kind"], "lifecycle");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("the DELETE answered 204 No Content but the resource is still there"),
        "{f:#}"
    );
    let (out, report) = run("delete500");
    assert_exit(&out, 1);
    let f = &report["tests"][0]["failures"][0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("the second DELETE answered 500"),
        "{f:#}"
    );
}

#[test]
fn a_written_body_is_sent_first_and_fails_as_an_ordinary_test() {
    let server = store();
    let specs = Specs::new();
    specs.write("widget.json", SCHEMA);
    specs.write(
        "w.yaml",
        &format!(
            "base_url: \"{}\"\ntests:\n  - put: /rounding/w-1\n    json: {{ name: a, count: 9007199254740993 }}\n    generate: {{ schema: widget.json, count: 5 }}\n    idempotency: {{ readback: exact }}\n",
            server.base()
        ),
    );
    let (out, report) = specs.run_report(&["w.yaml", "--generate-budget", "0"]);
    assert_exit(&out, 1);
    let t = &report["tests"][0];
    assert_eq!(t["failures"][0]["kind"], "readback", "{t:#}");
    assert!(t["failures"][0].get("reproduce").is_none(), "{t:#}");
    assert!(t["sends"][0]["label"]
        .as_str()
        .unwrap()
        .starts_with("the written body: "));
    let puts = server
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(puts, 2, "the written body's two sends, nothing generated");
}

#[test]
fn a_url_with_generate_n_gives_each_body_its_own_resource() {
    let server = store();
    let specs = Specs::new();
    specs.write("widget.json", SCHEMA);
    specs.write(
        "w.yaml",
        &format!(
            "base_url: \"{}\"\ntests:\n  - put: /merging/w-${{generate.n}}\n    generate: {{ schema: widget.json, count: 6, invalid: 2 }}\n    idempotency: {{ readback: exact }}\n",
            server.base()
        ),
    );
    // A merging store cannot show it when each body has a fresh resource.
    assert_exit(&specs.run(&["w.yaml", "--seed", "9"]), 0);
    let mut paths: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.path().to_string())
        .collect();
    paths.dedup();
    let wanted: Vec<String> = (1..=8).map(|n| format!("/merging/w-{n}")).collect();
    assert_eq!(paths, wanted);
    // Elsewhere in a file the variable is undefined.
    specs.write(
        "bad.yaml",
        "base_url: http://127.0.0.1:1\ntests:\n  - put: /x/${generate.n}\n    json: {}\n",
    );
    let out = specs.run(&["bad.yaml"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("generate.n"), "{}", stderr(&out));
}

/// The whole console story of a generated failure (the seed, the shrunk body, the test
/// to paste, the diff), pinned: the same seed gives the same text.
#[test]
fn a_generated_failure_reads_like_this() {
    let (server, specs) = setup("rounding", 50, 0, "");
    let out = specs.run(&["widgets.yaml", "--seed", "3"]);
    assert_exit(&out, 1);
    insta::assert_snapshot!("rounding_failure", normalize(&stdout(&out), &server.base()));
}

/// `integers: safe` keeps integers within ±(2^53 − 1): a store that reads numbers as
/// doubles (as JavaScript does) rounds none of them, so it passes whatever the seed,
/// where the full range fails it (the test above).
#[test]
fn safe_integers_pass_a_store_that_reads_numbers_as_doubles() {
    let (server, specs) = setup("rounding", 30, 0, "");
    let text = spec(&server.base(), "rounding", 30, 0, "").replace(
        "      invalid: 0\n",
        "      invalid: 0\n      integers: safe\n",
    );
    specs.write("widgets.yaml", &text);
    for seed in ["1", "2", "3", "4"] {
        let out = specs.run(&["widgets.yaml", "--seed", seed]);
        assert_exit(&out, 0);
    }
}

/// `integers` takes `full` or `safe`, and says so.
#[test]
fn integers_other_than_full_or_safe_is_a_spec_error() {
    let (server, specs) = setup("good", 1, 0, "");
    let text = spec(&server.base(), "good", 1, 0, "").replace(
        "      invalid: 0\n",
        "      invalid: 0\n      integers: small\n",
    );
    specs.write("widgets.yaml", &text);
    let out = specs.run(&["widgets.yaml"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("`generate.integers` must be `full` or `safe`; found the string `small`")
            && err.contains("widgets.yaml:13:17"),
        "{err}"
    );
    assert!(server.requests().is_empty());
}
