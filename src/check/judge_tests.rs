//! `check::judge` on hand-built recorded sequences: pure data in, verdict out, with no
//! server. Each case is a spec (YAML, loaded as a spec file is) and the answers the
//! runner would have recorded; a failing verdict is pinned as `report::explain` renders
//! it, so what the user reads is reviewed with the judgement.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};

use super::{judge, Answer, Failure, FailureKind, Lifecycle, Probe, Recorded};
use crate::http::{Headers, HttpError, HttpErrorKind, Response};
use crate::report::explain::{self, Explanation, Sources};
use crate::run::{ExchangeKind, Outcome, SendRecord, TestResult};
use crate::spec::{BodySpec, LoadContext, TestSpec};

/// A loaded spec file: its name and its text, for the lines under failures.
struct SpecFile {
    name: String,
    sources: Sources,
}

/// A one-test spec file under a name of its own. `test` is the test's YAML, indented as
/// a list item.
fn spec(name: &str, test: &str) -> (SpecFile, TestSpec) {
    let file = format!("judge/{name}.yaml");
    let source = format!("name: judge\nbase_url: http://127.0.0.1:9\ntests:\n{test}");
    let env = |_: &str| None;
    let ctx = LoadContext {
        cli_vars: &Default::default(),
        env: &env,
        listing: false,
    };
    let suite = crate::spec::load_str(Path::new(&file), &source, &ctx)
        .unwrap_or_else(|e| panic!("the spec of {name} does not load: {e:?}"));
    let sources = Sources::new([(file.clone(), suite.source.clone())]);
    let test = suite.tests.into_iter().next().expect("one test");
    (
        SpecFile {
            name: file,
            sources,
        },
        test,
    )
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        404 => "Not Found",
        412 => "Precondition Failed",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        _ => "",
    }
}

/// An answer: status, response headers, body as it came over the wire.
fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Answer {
    Ok(response(status, headers, body))
}

/// A response as the transport hands it over, for the judging code's unit tests.
pub(super) fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
    Response {
        status,
        reason: reason(status).to_string(),
        version: "HTTP/1.1".into(),
        headers: Headers::from_fields(
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        body: body.as_bytes().to_vec(),
        parsed_json: OnceLock::new(),
        url: "http://127.0.0.1:9/items/1".into(),
        elapsed: Duration::ZERO,
        redirects: Vec::new(),
        refused_streams: 0,
    }
}

/// An answer with a JSON body.
fn json(status: u16, body: Value) -> Answer {
    answer(
        status,
        &[("Content-Type", "application/json")],
        &body.to_string(),
    )
}

/// An answer with a JSON body and one more header.
fn json_with(status: u16, header: (&str, &str), body: Value) -> Answer {
    answer(
        status,
        &[("Content-Type", "application/json"), header],
        &body.to_string(),
    )
}

fn empty(status: u16) -> Answer {
    answer(status, &[], "")
}

fn no_answer(message: &str) -> Answer {
    Err(HttpError::new(HttpErrorKind::Io, message))
}

/// The test's sends as the runner records them: the request's headers and JSON body
/// from the spec, one planned send per answer.
fn sends(test: &TestSpec, answers: Vec<Answer>) -> Recorded {
    Recorded {
        request_headers: test.request.headers.clone(),
        sent_json: match &test.request.body {
            BodySpec::Json(v) => Some(v.clone()),
            _ => None,
        },
        planned_sends: answers.len(),
        sends: answers,
        ..Recorded::default()
    }
}

fn probe(before: Answer, answer: Answer, after: Answer) -> Option<Probe> {
    Some(Probe {
        before: Some(before),
        answer,
        after: Some(after),
    })
}

fn verdict(test: &TestSpec, rec: &Recorded) -> Vec<Failure> {
    judge(test, rec, &|_: &str| None)
}

fn kinds(failures: &[Failure]) -> Vec<(FailureKind, &str)> {
    failures
        .iter()
        .map(|f| (f.kind, f.subject.as_str()))
        .collect()
}

/// The verdict as the console and JUnit explain it (plain text).
fn explained(file: &SpecFile, test: &TestSpec, rec: &Recorded, failures: Vec<Failure>) -> String {
    let result = TestResult {
        seq: (0, 0),
        file: file.name.clone(),
        suite: "judge".into(),
        name: test.name.clone(),
        id: format!("judge::{}", test.name),
        line: test.pos.line,
        column: test.pos.column,
        method: test.method.as_str().to_string(),
        url: test.url.clone(),
        finally: false,
        outcome: if failures.iter().all(|f| f.kind.is_error()) {
            Outcome::Errored
        } else {
            Outcome::Failed
        },
        attempts: 1,
        time: 0.0,
        request: None,
        sends: (1..=rec.sends.len()).map(send_record).collect(),
        failures,
        flaky_failures: Vec::new(),
        checks: Vec::new(),
        shell: None,
    };
    explain::plain(&Explanation::of(&result, &file.sources))
}

fn send_record(n: usize) -> SendRecord {
    SendRecord {
        n,
        kind: ExchangeKind::Send,
        label: format!("send {n}"),
        request: None,
        status: None,
        reason: None,
        version: None,
        time: 0.0,
        headers: Vec::new(),
        body_size: 0,
        body_preview: String::new(),
        redirects: Vec::new(),
        refused_streams: 0,
        error: None,
        shell: None,
    }
}

#[test]
fn a_repeat_with_the_same_answer_passes() {
    let (_, test) = spec(
        "passing_repeat",
        "  - put: /items/1\n    json: { name: widget }\n    idempotency: { repeat: 3, readback: true }\n",
    );
    let body = json!({"id": "1", "name": "widget"});
    let rec = Recorded {
        readback: Some(json(200, body.clone())),
        ..sends(
            &test,
            vec![
                json(201, body.clone()),
                json(200, body.clone()),
                json(200, body),
            ],
        )
    };
    let failures = verdict(&test, &rec);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_counter_that_moves_with_each_send_changed_the_state() {
    let (file, test) = spec(
        "counter",
        "  - name: versioned\n    put: /versioned/doc-1\n    json: { title: Report }\n    expect:\n      status: [200, 201]\n",
    );
    let rec = Recorded {
        // The two GETs after the sends agree: the counter is state, not noise.
        noise: vec![
            json(200, json!({"title": "Report", "version": 2})),
            json(200, json!({"title": "Report", "version": 2})),
        ],
        ..sends(
            &test,
            vec![
                json(200, json!({"title": "Report", "version": 1})),
                json(200, json!({"title": "Report", "version": 2})),
            ],
        )
    };
    let failures = verdict(&test, &rec);
    assert_eq!(kinds(&failures), [(FailureKind::Idempotency, "body")]);
    assert_eq!(failures[0].paths, ["$.version"]);
    assert!(
        failures[0].message.contains("changed the resource's state"),
        "{}",
        failures[0].message
    );
    insta::assert_snapshot!("counter", explained(&file, &test, &rec, failures));
}

#[test]
fn a_counter_without_the_noise_gets_keeps_the_ignore_advice() {
    // The GETs that tell noise from state failed: the message cannot say which it is.
    let (file, test) = spec(
        "counter_no_gets",
        "  - name: versioned\n    put: /versioned/doc-1\n    json: { title: Report }\n",
    );
    let rec = Recorded {
        noise: vec![no_answer("connection reset"), no_answer("connection reset")],
        ..sends(
            &test,
            vec![
                json(200, json!({"title": "Report", "version": 1})),
                json(200, json!({"title": "Report", "version": 2})),
            ],
        )
    };
    let failures = verdict(&test, &rec);
    assert_eq!(kinds(&failures), [(FailureKind::Idempotency, "body")]);
    insta::assert_snapshot!("counter_no_gets", explained(&file, &test, &rec, failures));
}

#[test]
fn a_timestamp_that_moves_forward_is_told_apart() {
    let (file, test) = spec(
        "timestamp",
        "  - name: stamped\n    put: /stamped/note-1\n    json: { text: hello }\n",
    );
    let stamped = |at: &str, rid: &str| {
        json(
            200,
            json!({"text": "hello", "updated_at": at, "request_id": rid}),
        )
    };
    let rec = Recorded {
        noise: vec![
            json(
                200,
                json!({"text": "hello", "updated_at": "2026-01-01T00:00:01Z"}),
            ),
            json(
                200,
                json!({"text": "hello", "updated_at": "2026-01-01T00:00:01Z"}),
            ),
        ],
        ..sends(
            &test,
            vec![
                stamped("2026-01-01T00:00:00Z", "r-1"),
                stamped("2026-01-01T00:00:01Z", "r-2"),
            ],
        )
    };
    let failures = verdict(&test, &rec);
    assert_eq!(kinds(&failures), [(FailureKind::Idempotency, "body")]);
    assert_eq!(failures[0].paths, ["$.request_id", "$.updated_at"]);
    let message = &failures[0].message;
    assert!(message.contains("a write timestamp"), "{message}");
    assert!(message.contains("not part of the resource"), "{message}");
    insta::assert_snapshot!("timestamp", explained(&file, &test, &rec, failures));
}

#[test]
fn ignored_fields_are_not_compared() {
    let (_, test) = spec(
        "timestamp_ignored",
        "  - put: /stamped/note-2\n    json: { text: hello }\n    idempotency:\n      ignore: [$.updated_at, $.request_id]\n",
    );
    let rec = sends(
        &test,
        vec![
            json(
                200,
                json!({"text": "hello", "updated_at": "2026-01-01T00:00:00Z", "request_id": "r-1"}),
            ),
            json(
                200,
                json!({"text": "hello", "updated_at": "2026-01-01T00:00:01Z", "request_id": "r-2"}),
            ),
        ],
    );
    let failures = verdict(&test, &rec);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_merge_is_caught_by_an_exact_readback() {
    let (file, test) = spec(
        "merge",
        "  - name: replace, not merge\n    put: /merging/doc-1\n    json: { title: Final }\n    idempotency:\n      readback: exact\n      server_fields: [$.id]\n",
    );
    let stored = json!({"id": "doc-1", "title": "Final"});
    let rec = Recorded {
        // `notes` was not in the PUT: it is left over from the document before.
        readback: Some(json(
            200,
            json!({"id": "doc-1", "title": "Final", "notes": "remove me"}),
        )),
        ..sends(&test, vec![json(200, stored.clone()), json(200, stored)])
    };
    let failures = verdict(&test, &rec);
    assert_eq!(kinds(&failures), [(FailureKind::Readback, "readback")]);
    assert_eq!(failures[0].paths, ["$.notes"]);
    assert!(failures[0].message.contains("$.notes is left over"));
    insta::assert_snapshot!("merge", explained(&file, &test, &rec, failures));
}

#[test]
fn a_merge_passes_a_readback_that_is_not_exact() {
    // `readback: true` asks only that what was sent is there.
    let (_, test) = spec(
        "merge_not_exact",
        "  - put: /merging/doc-1\n    json: { title: Final }\n    idempotency: { readback: true }\n",
    );
    let stored = json!({"title": "Final"});
    let rec = Recorded {
        readback: Some(json(200, json!({"title": "Final", "notes": "remove me"}))),
        ..sends(&test, vec![json(200, stored.clone()), json(200, stored)])
    };
    let failures = verdict(&test, &rec);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_lossy_readback_names_what_is_missing() {
    let (file, test) = spec(
        "lossy",
        "  - name: stored as sent\n    put: /lossy/user-1\n    json: { name: Ada, tags: [admin], active: true }\n    idempotency: { readback: true }\n",
    );
    let answered = json!({"name": "Ada", "tags": ["admin"], "active": true});
    let rec = Recorded {
        readback: Some(json(200, json!({"name": "Ada", "tags": []}))),
        ..sends(
            &test,
            vec![json(200, answered.clone()), json(200, answered)],
        )
    };
    let failures = verdict(&test, &rec);
    assert_eq!(kinds(&failures), [(FailureKind::Readback, "readback")]);
    assert_eq!(failures[0].paths, ["$.tags", "$.active"]);
    insta::assert_snapshot!("lossy", explained(&file, &test, &rec, failures));
}

#[test]
fn a_conditional_repeat_may_answer_412() {
    // RFC 9110 §13.1.1: send 1 changed the ETag the request's If-Match names.
    let (_, test) = spec(
        "conditional_repeat",
        "  - put: /items/1\n    headers: { If-Match: '\"v1\"' }\n    json: { name: widget }\n    expect: { status: 200 }\n    idempotency: { repeat: 3, readback: true }\n",
    );
    let body = json!({"name": "widget"});
    let rec = Recorded {
        after_first: Some(json(200, body.clone())),
        readback: Some(json(200, body.clone())),
        ..sends(&test, vec![json(200, body), empty(412), empty(412)])
    };
    let failures = verdict(&test, &rec);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_412_to_an_unconditional_repeat_fails() {
    let (file, test) = spec(
        "unconditional_412",
        "  - name: plain repeat\n    put: /items/1\n    json: { name: widget }\n    expect: { status: 200 }\n",
    );
    let rec = sends(
        &test,
        vec![json(200, json!({"name": "widget"})), empty(412)],
    );
    let failures = verdict(&test, &rec);
    assert_eq!(
        kinds(&failures),
        [
            (FailureKind::Status, "status"),
            (FailureKind::Idempotency, "status")
        ]
    );
    assert_eq!(failures[0].sends, [2]);
    insta::assert_snapshot!("unconditional_412", explained(&file, &test, &rec, failures));
}

#[test]
fn a_refused_conditional_repeat_must_change_nothing() {
    let (file, test) = spec(
        "conditional_repeat_changed",
        "  - name: guarded\n    put: /items/1\n    headers: { If-Match: '\"v1\"' }\n    json: { name: widget }\n    idempotency: { repeat: 2, readback: true }\n",
    );
    let rec = Recorded {
        after_first: Some(json(200, json!({"name": "widget", "edits": 1}))),
        readback: Some(json(200, json!({"name": "widget", "edits": 2}))),
        ..sends(
            &test,
            vec![json(200, json!({"name": "widget"})), empty(412)],
        )
    };
    let failures = verdict(&test, &rec);
    assert_eq!(kinds(&failures), [(FailureKind::Idempotency, "state")]);
    assert_eq!(failures[0].paths, ["$.edits"]);
    insta::assert_snapshot!(
        "conditional_repeat_changed",
        explained(&file, &test, &rec, failures)
    );
}

#[test]
fn a_conditional_probe_answered_412_passes() {
    let (_, test) = spec(
        "conditional_probe_412",
        "  - put: /widgets/w-1\n    json: { name: widget }\n    idempotency: { conditional: true }\n",
    );
    let body = json!({"name": "widget"});
    let rec = Recorded {
        conditional: probe(json(200, body.clone()), empty(412), json(200, body.clone())),
        ..sends(&test, vec![json(200, body.clone()), json(200, body)])
    };
    let failures = verdict(&test, &rec);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_conditional_probe_that_was_obeyed_fails() {
    let (file, test) = spec(
        "conditional_probe_ignored",
        "  - name: stale If-Match\n    put: /ignores-if-match/doc-1\n    json: { title: Final }\n    idempotency:\n      conditional: true\n",
    );
    let body = json!({"title": "Final"});
    let rec = Recorded {
        conditional: probe(
            json(200, json!({"title": "Final", "revision": 2})),
            json(200, body.clone()),
            json(200, json!({"title": "Final", "revision": 3})),
        ),
        ..sends(&test, vec![json(200, body.clone()), json(200, body)])
    };
    let failures = verdict(&test, &rec);
    assert_eq!(
        kinds(&failures),
        [(FailureKind::Conditional, "conditional probe")]
    );
    assert_eq!(failures[0].paths, ["$.revision"]);
    insta::assert_snapshot!(
        "conditional_probe_ignored",
        explained(&file, &test, &rec, failures)
    );
}

#[test]
fn a_conditional_probe_refused_yet_stored_fails() {
    let (file, test) = spec(
        "conditional_probe_stored",
        "  - name: stale If-Match\n    put: /items/1\n    json: { title: Final }\n    idempotency: { conditional: true }\n",
    );
    let body = json!({"title": "Final"});
    let rec = Recorded {
        conditional: probe(
            json(200, json!({"title": "Final", "revision": 2})),
            empty(412),
            json(200, json!({"title": "Final", "revision": 3})),
        ),
        ..sends(&test, vec![json(200, body.clone()), json(200, body)])
    };
    let failures = verdict(&test, &rec);
    assert_eq!(
        kinds(&failures),
        [(FailureKind::Conditional, "conditional probe")]
    );
    insta::assert_snapshot!(
        "conditional_probe_stored",
        explained(&file, &test, &rec, failures)
    );
}

#[test]
fn concurrent_sends_that_disagree_fail() {
    // Three sends at once each saw "not stored yet": two of them created the resource.
    let (file, test) = spec(
        "race",
        "  - name: all at once\n    put: /racy/conc-1\n    json: { name: widget }\n    idempotency: { repeat: 3, concurrent: true }\n",
    );
    let rec = Recorded {
        concurrent: true,
        readback: Some(json(200, json!({"name": "widget", "writes": 3}))),
        one_more: Some((
            json(200, json!({"name": "widget"})),
            Some(json(200, json!({"name": "widget", "writes": 4}))),
        )),
        // Arrival order: the judgement lets a 201 lead.
        ..sends(
            &test,
            vec![
                json(200, json!({"name": "widget"})),
                json(201, json!({"name": "widget"})),
                json(201, json!({"name": "widget"})),
            ],
        )
    };
    let failures = verdict(&test, &rec);
    assert_eq!(
        kinds(&failures),
        [
            (FailureKind::Idempotency, "status"),
            (FailureKind::Idempotency, "state")
        ]
    );
    insta::assert_snapshot!("race", explained(&file, &test, &rec, failures));
}

#[test]
fn concurrent_sends_that_agree_pass_in_any_order() {
    let (_, test) = spec(
        "race_passing",
        "  - put: /widgets/w-1\n    json: { name: widget }\n    idempotency: { repeat: 3, concurrent: true }\n",
    );
    let body = json!({"name": "widget"});
    let rec = Recorded {
        concurrent: true,
        readback: Some(json(200, body.clone())),
        one_more: Some((json(200, body.clone()), Some(json(200, body.clone())))),
        ..sends(
            &test,
            vec![
                json(200, body.clone()),
                json(200, body.clone()),
                json(201, body),
            ],
        )
    };
    let failures = verdict(&test, &rec);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn created_twice_fails_created_once() {
    let (file, test) = spec(
        "created_twice",
        "  - name: created once\n    put: /recreating/doc-1\n    json: { title: Final }\n    idempotency:\n      created: once\n",
    );
    let body = json!({"title": "Final"});
    let rec = sends(&test, vec![json(201, body.clone()), json(201, body)]);
    let failures = verdict(&test, &rec);
    assert_eq!(kinds(&failures), [(FailureKind::Idempotency, "created")]);
    assert_eq!(failures[0].sends, [2]);
    insta::assert_snapshot!("created_twice", explained(&file, &test, &rec, failures));
}

#[test]
fn created_then_ok_passes_created_once() {
    let (_, test) = spec(
        "created_then_ok",
        "  - put: /widgets/w-1\n    json: { title: Final }\n    idempotency: { created: once, repeat: 3 }\n",
    );
    let body = json!({"title": "Final"});
    let rec = sends(
        &test,
        vec![
            json(201, body.clone()),
            json(200, body.clone()),
            json(200, body),
        ],
    );
    let failures = verdict(&test, &rec);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_reject_probe_that_changed_the_resource_fails() {
    let (file, test) = spec(
        "reject_stored",
        "  - name: refused input changes nothing\n    put: /lenient/doc-1\n    json: { title: Final, size: 3 }\n    idempotency:\n      reject:\n        json: { title: Final, size: three }\n        expect: { status: 422 }\n",
    );
    let body = json!({"title": "Final", "size": 3});
    let rec = Recorded {
        reject: probe(
            json(200, body.clone()),
            json(422, json!({"error": "size must be a number"})),
            json(200, json!({"title": "Final", "size": "three"})),
        ),
        ..sends(&test, vec![json(200, body.clone()), json(200, body)])
    };
    let failures = verdict(&test, &rec);
    assert_eq!(kinds(&failures), [(FailureKind::Reject, "reject probe")]);
    assert_eq!(failures[0].paths, ["$.size"]);
    insta::assert_snapshot!("reject_stored", explained(&file, &test, &rec, failures));
}

#[test]
fn a_reject_probe_that_was_accepted_fails() {
    let (file, test) = spec(
        "reject_accepted",
        "  - name: refused input\n    put: /lenient/doc-1\n    json: { title: Final, size: 3 }\n    idempotency:\n      reject:\n        json: { title: Final, size: three }\n",
    );
    let body = json!({"title": "Final", "size": 3});
    let rec = Recorded {
        reject: probe(
            json(200, body.clone()),
            json(200, json!({"title": "Final", "size": "three"})),
            json(200, json!({"title": "Final", "size": "three"})),
        ),
        ..sends(&test, vec![json(200, body.clone()), json(200, body)])
    };
    let failures = verdict(&test, &rec);
    assert_eq!(
        kinds(&failures),
        [
            (FailureKind::Status, "reject probe: status"),
            (FailureKind::Reject, "reject probe")
        ]
    );
    insta::assert_snapshot!("reject_accepted", explained(&file, &test, &rec, failures));
}

#[test]
fn a_reject_probe_refused_and_unchanged_passes() {
    let (_, test) = spec(
        "reject_refused",
        "  - put: /widgets/w-1\n    json: { title: Final, size: 3 }\n    idempotency:\n      reject:\n        json: { title: Final, size: three }\n        expect: { status: 422 }\n",
    );
    let body = json!({"title": "Final", "size": 3});
    let rec = Recorded {
        reject: probe(
            json(200, body.clone()),
            json(422, json!({"error": "size must be a number"})),
            json(200, body.clone()),
        ),
        ..sends(&test, vec![json(200, body.clone()), json(200, body)])
    };
    let failures = verdict(&test, &rec);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_header_that_changes_between_sends_fails_when_listed() {
    let (file, test) = spec(
        "etag",
        "  - name: stable ETag\n    put: /unstable-etag/doc-1\n    json: { title: Final }\n    idempotency: { headers: [ETag] }\n",
    );
    let body = json!({"title": "Final"});
    let rec = sends(
        &test,
        vec![
            json_with(200, ("ETag", "\"a\""), body.clone()),
            json_with(200, ("ETag", "\"b\""), body),
        ],
    );
    let failures = verdict(&test, &rec);
    assert_eq!(
        kinds(&failures),
        [(FailureKind::Idempotency, "header ETag")]
    );
    insta::assert_snapshot!("etag", explained(&file, &test, &rec, failures));
}

#[test]
fn a_keyed_post_must_replay_the_first_answer() {
    let (file, test) = spec(
        "keyed_post",
        "  - name: keyed order\n    post: /orders-unkeyed\n    headers: { Idempotency-Key: order-1 }\n    json: { widget: gadget, quantity: 2 }\n    idempotency: { repeat: 2 }\n",
    );
    let rec = sends(
        &test,
        vec![
            json(201, json!({"id": 1, "widget": "gadget"})),
            json(201, json!({"id": 2, "widget": "gadget"})),
        ],
    );
    let failures = verdict(&test, &rec);
    assert_eq!(kinds(&failures), [(FailureKind::Idempotency, "body")]);
    insta::assert_snapshot!("keyed_post", explained(&file, &test, &rec, failures));
}

#[test]
fn a_failure_on_every_send_is_reported_once() {
    let (file, test) = spec(
        "every_send",
        "  - name: wrong status\n    put: /items/1\n    json: { name: widget }\n    expect:\n      status: 200\n      json:\n        $.name: widget\n    idempotency: { repeat: 3 }\n",
    );
    let body = json!({"name": "gadget"});
    let rec = sends(
        &test,
        vec![
            json(201, body.clone()),
            json(201, body.clone()),
            json(201, body),
        ],
    );
    let failures = verdict(&test, &rec);
    assert_eq!(
        kinds(&failures),
        [
            (FailureKind::Status, "status"),
            (FailureKind::Json, "$.name")
        ]
    );
    assert_eq!(failures[0].sends, [1, 2, 3]);
    insta::assert_snapshot!("every_send", explained(&file, &test, &rec, failures));
}

#[test]
fn a_send_without_an_answer_is_an_error_and_stops_the_comparison() {
    let (file, test) = spec(
        "transport",
        "  - name: unreachable\n    put: /items/1\n    json: { name: widget }\n    idempotency: { repeat: 3, readback: true }\n",
    );
    let rec = Recorded {
        planned_sends: 3,
        ..sends(
            &test,
            vec![
                json(200, json!({"name": "widget"})),
                no_answer("connection refused (127.0.0.1:9)"),
            ],
        )
    };
    let failures = verdict(&test, &rec);
    assert_eq!(kinds(&failures), [(FailureKind::Transport, "request")]);
    assert!(failures.iter().all(|f| f.kind.is_error()));
    insta::assert_snapshot!("transport", explained(&file, &test, &rec, failures));
}

#[test]
fn a_resource_still_there_after_delete_breaks_the_lifecycle() {
    let (file, test) = spec(
        "lifecycle",
        "  - name: deletable\n    put: /items/1\n    json: { name: widget }\n    idempotency: { delete: true }\n",
    );
    let body = json!({"name": "widget"});
    let rec = Recorded {
        lifecycle: Some(Lifecycle {
            delete: Some(empty(204)),
            get: Some(json(200, body.clone())),
            delete_again: Some(empty(500)),
            get_again: Some(empty(404)),
        }),
        ..sends(&test, vec![json(200, body.clone()), json(200, body)])
    };
    let failures = verdict(&test, &rec);
    assert_eq!(
        kinds(&failures),
        [
            (FailureKind::Lifecycle, "lifecycle probe"),
            (FailureKind::Lifecycle, "lifecycle probe")
        ]
    );
    insta::assert_snapshot!("lifecycle", explained(&file, &test, &rec, failures));
}
