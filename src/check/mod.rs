//! Expectations, JSONPath, idempotency comparison: responses in, failures out.

pub mod diff;
pub mod matcher;

use jsonpath_rust::query::queryable::Queryable;
use serde_json::Value;

use crate::http::Response;
use crate::spec::template::Lookup;
use crate::spec::{Expect, Idempotency, JsonPath, Pos};
pub use diff::{Diff, DiffLine, LineKind};
use matcher::{eval, Mismatch};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    Status,
    Reason,
    Header,
    Json,
    Body,
    Time,
    Schema,
    /// Two sends of the same request disagreed.
    Idempotency,
    /// The read-back GET disagreed with what was sent.
    Readback,
    Capture,
    /// No usable response: connection, timeout, TLS, protocol.
    Transport,
    /// A variable had no value when the request was built.
    Variable,
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
        }
    }

    fn at(mut self, pos: Pos) -> Self {
        self.pos = Some(pos);
        self
    }

    fn values(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Self {
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

/// Checks one response against `expect`; every failure is listed, not only the first.
pub fn check_response(expect: &Expect, resp: &Response, vars: &dyn Lookup) -> Vec<Failure> {
    let mut out = Vec::new();
    if let Some((patterns, pos)) = &expect.status {
        if !patterns.iter().any(|p| p.matches(resp.status)) {
            let want: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
            out.push(
                Failure::new(FailureKind::Status, "status", "unexpected status")
                    .at(*pos)
                    .values(
                        want.join(" or "),
                        format!("{} {}", resp.status, resp.reason),
                    ),
            );
        }
    }
    if let Some((reason, pos)) = &expect.reason {
        if *reason != resp.reason {
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
        match &resp.json {
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
        match &resp.json {
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

/// Removes every node an `ignore` path selects.
fn without_ignored(v: &Value, ignore: &[JsonPath]) -> Value {
    let mut v = v.clone();
    for p in ignore {
        let _ = v.delete_by_path(&p.source);
    }
    v
}

fn paste_hint(paths: &[String]) -> String {
    match paths {
        [] => String::new(),
        [one] => format!("differs at {one} — if that is expected, add it to idempotency.ignore"),
        many => format!(
            "differs at {} — if those are expected, add them to idempotency.ignore",
            many.join(", ")
        ),
    }
}

/// Compares the sends of one request, pairwise in order, reporting the first difference
/// of each kind (status, each listed header, body).
pub fn compare_sends(sends: &[&Response], idem: &Idempotency) -> Vec<Failure> {
    let mut out = Vec::new();
    let mut status_done = false;
    let mut body_done = false;
    let mut headers_done: Vec<bool> = vec![false; idem.headers.len()];
    for i in 1..sends.len() {
        let (a, b) = (sends[i - 1], sends[i]);
        let (na, nb) = (i, i + 1);
        let created_then_ok = a.status == 201 && (b.status == 200 || b.status == 204) && i == 1;
        if a.status != b.status && !created_then_ok && !status_done {
            status_done = true;
            out.push(
                Failure::new(
                    FailureKind::Idempotency,
                    "status",
                    format!("send {na} vs send {nb}: the status changed (only a first 201 Created may be followed by 200 or 204)"),
                )
                .values(format!("{} {} (send {na})", a.status, a.reason), format!("{} {} (send {nb})", b.status, b.reason))
                .send(nb),
            );
        }
        for (h, done) in idem.headers.iter().zip(headers_done.iter_mut()) {
            let (va, vb) = (a.header_all(h).join(", "), b.header_all(h).join(", "));
            if va != vb && !*done {
                *done = true;
                let show = |v: &str| {
                    if v.is_empty() {
                        "(absent)".to_string()
                    } else {
                        v.to_string()
                    }
                };
                out.push(
                    Failure::new(
                        FailureKind::Idempotency,
                        format!("header {h}"),
                        format!("send {na} vs send {nb}: header {h} differs"),
                    )
                    .values(
                        format!("{} (send {na})", show(&va)),
                        format!("{} (send {nb})", show(&vb)),
                    )
                    .send(nb),
                );
            }
        }
        // 201 → 200 changes only the status: the representations must still agree.
        // A 204 carries no body, so there is nothing to compare against it.
        let comparable = a.status == b.status || (created_then_ok && b.status != 204);
        if comparable && !body_done {
            if let Some(f) = compare_bodies(a, b, &idem.ignore, na, nb) {
                body_done = true;
                out.push(f);
            }
        }
    }
    out
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

/// Where two JSON values differ once the `ignore` paths are removed: the differing
/// JSONPaths and a diff, or `None` when they agree.
fn json_difference(
    a: &Value,
    b: &Value,
    ignore: &[JsonPath],
    a_label: &str,
    b_label: &str,
) -> Option<(Vec<String>, Diff)> {
    let (a, b) = (without_ignored(a, ignore), without_ignored(b, ignore));
    let paths = diff::differing_paths(&a, &b);
    if paths.is_empty() {
        return None;
    }
    Some((paths, diff::diff_json(&a, &b, a_label, b_label)))
}

/// `concurrent: true`: the state read back after the concurrent sends must equal the
/// state after one more send.
pub fn compare_states(
    after_concurrent: &Response,
    after_one_more: &Response,
    concurrent_sends: usize,
    ignore: &[JsonPath],
) -> Option<Failure> {
    let (a, b) = (
        after_concurrent.json.as_ref()?,
        after_one_more.json.as_ref()?,
    );
    let (paths, d) = json_difference(
        a,
        b,
        ignore,
        "after concurrent sends",
        "after one more send",
    )?;
    let mut f = Failure::new(
        FailureKind::Idempotency,
        "state",
        format!(
            "after {concurrent_sends} concurrent sends the state differs from what one more send leaves, at {}: the endpoint is not idempotent under concurrency (a read-modify-write race?)",
            paths.join(", ")
        ),
    );
    f.paths = paths;
    f.diff = Some(d);
    Some(f)
}

/// Bodies compared as JSON when both parse, else byte for byte.
fn compare_bodies(
    a: &Response,
    b: &Response,
    ignore: &[JsonPath],
    na: usize,
    nb: usize,
) -> Option<Failure> {
    let (la, lb) = (format!("send {na}"), format!("send {nb}"));
    match (&a.json, &b.json) {
        (Some(ja), Some(jb)) => {
            let (paths, d) = json_difference(ja, jb, ignore, &la, &lb)?;
            let mut f = Failure::new(
                FailureKind::Idempotency,
                "body",
                format!(
                    "send {na} vs send {nb}: the JSON body {}",
                    paste_hint(&paths)
                ),
            )
            .send(nb);
            f.paths = paths;
            f.diff = Some(d);
            Some(f)
        }
        _ if a.body == b.body => None,
        _ => {
            let mut f = Failure::new(
                FailureKind::Idempotency,
                "body",
                format!(
                    "send {na} vs send {nb}: the body differs ({} vs {} bytes)",
                    a.body.len(),
                    b.body.len()
                ),
            )
            .send(nb);
            if let (Ok(ta), Ok(tb)) = (std::str::from_utf8(&a.body), std::str::from_utf8(&b.body)) {
                f.diff = Some(diff::diff_text(ta, tb, &la, &lb));
            }
            Some(f)
        }
    }
}

/// Read-back: the GET must answer 2xx with JSON that contains every field that was sent.
pub fn check_readback(sent: &Value, readback: &Response, ignore: &[JsonPath]) -> Vec<Failure> {
    if readback.status / 100 != 2 {
        return vec![Failure::new(
            FailureKind::Readback,
            "readback",
            "the read-back GET did not answer 2xx",
        )
        .values("2xx", format!("{} {}", readback.status, readback.reason))];
    }
    let Some(got) = &readback.json else {
        return vec![Failure::new(
            FailureKind::Readback,
            "readback",
            "the read-back GET did not return JSON",
        )
        .values(
            "a JSON body",
            matcher::compact(&Value::String(readback.body_text()), 120),
        )];
    };
    let sent = without_ignored(sent, ignore);
    let got = without_ignored(got, ignore);
    let mut paths = Vec::new();
    missing_or_different(&sent, &got, "$".into(), &mut paths);
    if paths.is_empty() {
        return Vec::new();
    }
    let projected = project(&got, &sent);
    let mut f = Failure::new(
        FailureKind::Readback,
        "readback",
        format!(
            "the read-back GET does not hold what was sent: {}",
            paths
                .iter()
                .map(|(p, why)| format!("{p} {why}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    f.paths = paths.into_iter().map(|(p, _)| p).collect();
    f.diff = Some(diff::diff_json(&sent, &projected, "sent", "read back"));
    vec![f]
}

fn missing_or_different(
    sent: &Value,
    got: &Value,
    path: String,
    out: &mut Vec<(String, &'static str)>,
) {
    match (sent, got) {
        (Value::Object(s), Value::Object(g)) => {
            for (k, v) in s {
                let p = diff::member(&path, k);
                match g.get(k) {
                    Some(w) => missing_or_different(v, w, p, out),
                    None => out.push((p, "is missing")),
                }
            }
        }
        _ if matcher::json_eq(sent, got) => {}
        _ => out.push((path, "differs")),
    }
}

/// `got` cut down to the keys of `shape`, so a read-back diff shows only sent fields.
fn project(got: &Value, shape: &Value) -> Value {
    match (got, shape) {
        (Value::Object(g), Value::Object(s)) => Value::Object(
            s.keys()
                .filter_map(|k| g.get(k).map(|v| (k.clone(), project(v, &s[k]))))
                .collect(),
        ),
        _ => got.clone(),
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
