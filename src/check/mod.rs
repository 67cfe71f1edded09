//! Expectations, JSONPath, idempotency comparison, captures: responses in, failures out.

mod capture;
pub mod diff;
mod idempotency;
#[cfg(test)]
mod judge_tests;
mod lifecycle;
pub mod matcher;
mod noise;
pub mod number;
mod probes;
mod prune;
mod sequence;

use serde_json::Value;

use crate::http::Response;
use crate::spec::template::Lookup;
use crate::spec::{Expect, JsonPath, Pos};
pub use capture::capture;
pub use diff::{Diff, DiffLine, LineKind};
pub use idempotency::bodies_differ;
pub use lifecycle::Lifecycle;
use matcher::{eval, Mismatch};
pub use probes::{judge_reject, STALE_ETAG};
pub use sequence::{
    has_idempotency_key, is_conditional, is_conditional_header, judge, Answer, Probe, Recorded,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    Status,
    Reason,
    /// The response came in on another HTTP version than `expect.version`.
    Version,
    Header,
    Json,
    Body,
    Time,
    Schema,
    /// Two sends of the same request disagreed.
    Idempotency,
    /// The read-back GET disagreed with what was sent.
    Readback,
    /// `conditional: true`: a stale `If-Match` was not refused with 412, or changed the state.
    Conditional,
    /// `reject:` (or a `generate.invalid` body): the variant was not refused, or changed the state.
    Reject,
    /// `delete: true`: a DELETE, or what followed it, broke RFC 9110's lifecycle.
    Lifecycle,
    Capture,
    /// No usable response: connection, timeout, TLS, protocol.
    Transport,
    /// A variable had no value when the request was built.
    Variable,
    /// `--openapi-strict`: the response breaks the OpenAPI document's promise.
    Conformance,
}

impl FailureKind {
    /// Errors (the request never produced a verdict) versus failed expectations.
    pub fn is_error(self) -> bool {
        matches!(self, FailureKind::Transport | FailureKind::Variable)
    }
}

/// One thing that went wrong in a test, with everything needed to explain it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    /// Where in the spec the failed expectation is written.
    pub pos: Option<Pos>,
    /// What was checked: `status`, `header ETag`, `$.name`, `body`.
    pub subject: String,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    /// The JSONPaths that differ (idempotency and read-back).
    pub paths: Vec<String>,
    pub diff: Option<Diff>,
    /// The 1-based sends this failure was seen on, when a request was sent several times.
    pub sends: Vec<usize>,
    /// A generated body failed: a ready-to-paste YAML test that sends the (shrunk) body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproduce: Option<String>,
}

impl Failure {
    pub fn new(kind: FailureKind, subject: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            kind,
            pos: None,
            subject: subject.into(),
            message: message.into(),
            expected: None,
            actual: None,
            paths: Vec::new(),
            diff: None,
            sends: Vec::new(),
            reproduce: None,
        }
    }

    fn at(mut self, pos: Pos) -> Self {
        self.pos = Some(pos);
        self
    }

    pub(crate) fn values(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    fn mismatch(kind: FailureKind, subject: &str, pos: Pos, m: Mismatch) -> Self {
        Failure::new(kind, subject, "did not match")
            .at(pos)
            .values(m.expected, m.actual)
    }
}

/// `HTTP/1.1` → `1.1`, `HTTP/2` → `2`: the spelling of `expect.version`.
pub(crate) fn version_of(wire: &str) -> &str {
    let v = wire.strip_prefix("HTTP/").unwrap_or(wire);
    if v == "2.0" {
        "2"
    } else {
        v
    }
}

/// Checks one response against `expect`; every failure is listed, not only the first.
pub(crate) fn check_response(expect: &Expect, resp: &Response, vars: &dyn Lookup) -> Vec<Failure> {
    let mut out = Vec::new();
    if let Some((patterns, pos)) = &expect.status {
        if !patterns.iter().any(|p| p.matches(resp.status)) {
            let want: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
            out.push(
                Failure::new(FailureKind::Status, "status", "unexpected status")
                    .at(*pos)
                    .values(
                        want.join(" or "),
                        format!("{} {}", resp.status, resp.reason)
                            .trim_end()
                            .to_string(),
                    ),
            );
        }
    }
    let version = version_of(&resp.version);
    if let Some((want, pos)) = &expect.version {
        if want != version {
            out.push(
                Failure::new(
                    FailureKind::Version,
                    "version",
                    "the response came in on another HTTP version",
                )
                .at(*pos)
                .values(format!("HTTP/{want}"), resp.version.clone()),
            );
        }
    }
    if let Some((reason, pos)) = &expect.reason {
        if version == "2" {
            out.push(
                Failure::new(
                    FailureKind::Reason,
                    "reason",
                    "HTTP/2 has no reason phrase: the response came in on HTTP/2, so `expect.reason` cannot be checked; leave `reason` out, or set `http_version: \"1.1\"` to test the status line",
                )
                .at(*pos)
                .values(format!("{reason:?}"), format!("HTTP/2 {} (no reason phrase)", resp.status)),
            );
        } else if *reason != resp.reason {
            out.push(
                Failure::new(
                    FailureKind::Reason,
                    "reason",
                    "the reason phrase on the status line differs",
                )
                .at(*pos)
                .values(
                    format!("{reason:?}"),
                    format!(
                        "{:?} (status line: {} {})",
                        resp.reason, resp.status, resp.reason
                    ),
                ),
            );
        }
    }
    for h in &expect.headers {
        let subject = format!("header {}", h.name);
        let values = resp.header_all(&h.name);
        let matcher = match matcher::render(&h.matcher, vars) {
            Ok(m) => m,
            Err(e) => {
                out.push(Failure::new(FailureKind::Variable, subject, e.to_string()).at(h.pos));
                continue;
            }
        };
        let actual = (!values.is_empty()).then(|| {
            let text = values.join(", ");
            if matcher::wants_number(&matcher) {
                text.trim()
                    .parse::<serde_json::Number>()
                    .map(Value::Number)
                    .unwrap_or(Value::String(text))
            } else {
                Value::String(text)
            }
        });
        if let Err(m) = eval(&matcher, actual.as_ref()) {
            out.push(Failure::mismatch(FailureKind::Header, &subject, h.pos, m));
        }
    }
    if !expect.json.is_empty() {
        match resp.json() {
            None => out.push(
                Failure::new(FailureKind::Json, "body", not_json(&resp.body))
                    .at(expect.json[0].pos)
                    .values(
                        "JSON",
                        format!(
                            "{} ({})",
                            matcher::compact(&Value::String(resp.body_text()), 120),
                            resp.header("content-type").unwrap_or("no Content-Type")
                        ),
                    ),
            ),
            Some(body) => {
                for j in &expect.json {
                    let matcher = match matcher::render(&j.matcher, vars) {
                        Ok(m) => m,
                        Err(e) => {
                            out.push(
                                Failure::new(FailureKind::Variable, &j.path.source, e.to_string())
                                    .at(j.pos),
                            );
                            continue;
                        }
                    };
                    let actual = select(&j.path, body);
                    if let Err(m) = eval(&matcher, actual.as_ref()) {
                        out.push(Failure::mismatch(
                            FailureKind::Json,
                            &j.path.source,
                            j.pos,
                            m,
                        ));
                    }
                }
            }
        }
    }
    if let Some((m, pos)) = &expect.body {
        match matcher::render(m, vars) {
            Ok(m) => {
                if let Err(mm) = eval(&m, Some(&Value::String(resp.body_text()))) {
                    out.push(Failure::mismatch(FailureKind::Body, "body", *pos, mm));
                }
            }
            Err(e) => out.push(Failure::new(FailureKind::Variable, "body", e.to_string()).at(*pos)),
        }
    }
    if let Some((max, pos)) = &expect.max_time {
        if resp.elapsed > *max {
            out.push(
                Failure::new(FailureKind::Time, "max_time", "the response was too slow")
                    .at(*pos)
                    .values(format!("at most {max:?}"), format!("{:?}", resp.elapsed)),
            );
        }
    }
    if let Some(schema) = &expect.schema {
        match resp.json() {
            None => out.push(
                Failure::new(
                    FailureKind::Schema,
                    "schema",
                    "the body is not JSON, so it cannot match the schema",
                )
                .at(schema.pos),
            ),
            Some(body) => {
                let errors: Vec<String> = schema
                    .validator
                    .iter_errors(body)
                    .take(10)
                    .map(|e| {
                        let at = e.instance_path().to_string();
                        format!("at `{}`: {e}", if at.is_empty() { "/".into() } else { at })
                    })
                    .collect();
                if !errors.is_empty() {
                    out.push(
                        Failure::new(
                            FailureKind::Schema,
                            "schema",
                            format!(
                                "the body does not match the schema {}",
                                schema.path.display()
                            ),
                        )
                        .at(schema.pos)
                        .values("valid against the schema", errors.join("; ")),
                    );
                }
            }
        }
    }
    out
}

/// The value a JSONPath names: one node as itself, several as an array, none as `None`.
pub fn select(path: &JsonPath, body: &Value) -> Option<Value> {
    let nodes = path.select(body);
    match nodes.len() {
        0 => None,
        1 => Some(nodes[0].1.clone()),
        _ => Some(Value::Array(
            nodes.into_iter().map(|(_, v)| v.clone()).collect(),
        )),
    }
}

impl Failure {
    fn send(mut self, n: usize) -> Self {
        self.sends = vec![n];
        self
    }

    /// Whether two failures say the same thing (on different sends, say).
    pub fn same_as(&self, other: &Failure) -> bool {
        self.kind == other.kind
            && self.subject == other.subject
            && self.message == other.message
            && self.expected == other.expected
            && self.actual == other.actual
    }
}

/// Why a body that `json:` checks need is not JSON, in plain words.
fn not_json(body: &[u8]) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        return "expected a JSON body, but the body is empty".into();
    }
    if let Err(e) = std::str::from_utf8(body) {
        return format!(
            "expected a JSON body, but the body is not UTF-8 text (byte {} is invalid; JSON must be UTF-8)",
            e.valid_up_to()
        );
    }
    match serde_json::from_slice::<Value>(body) {
        Err(e) => format!("expected a JSON body, but the body is not JSON ({e})"),
        Ok(_) => "expected a JSON body".into(),
    }
}
