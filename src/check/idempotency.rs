//! The sends of one request compared with each other (RFC 9110 §9.2.2: repeating an
//! idempotent request leaves the server as one request would), and the state read back
//! compared with what was sent (§9.3.4: a PUT replaces the whole resource).

use serde_json::Value;

use super::{diff, matcher, noise, prune, Diff, Failure, FailureKind};
use crate::http::Response;
use crate::spec::{Idempotency, JsonPath};

/// How the sends are compared, besides the `idempotency` block.
pub struct SendRules<'a> {
    pub idem: &'a Idempotency,
    /// The request carries `If-Match`, `If-None-Match` or `If-Unmodified-Since`: a repeat
    /// may answer 412, because the first send changed the validator.
    pub conditional_request: bool,
    /// A POST with `Idempotency-Key`: every send must give the same answer, status included.
    pub replay: bool,
    /// The bodies of two GETs made after the sends differed (PUT only).
    pub gets: Option<(&'a Value, &'a Value)>,
}

fn ignored(idem: &Idempotency) -> Vec<&JsonPath> {
    idem.ignore.iter().collect()
}

/// Compares the sends of one request, pairwise in order, reporting the first difference
/// of each kind (status, each listed header, body).
pub fn compare_sends(sends: &[&Response], rules: &SendRules) -> Vec<Failure> {
    let idem = rules.idem;
    let mut out = Vec::new();
    let (mut status_done, mut body_done, mut created_done) = (false, false, false);
    let mut headers_done: Vec<bool> = vec![false; idem.headers.len()];
    let accepted_412 =
        |r: &Response, n: usize| rules.conditional_request && n > 1 && r.status == 412;
    for i in 1..sends.len() {
        let (a, b) = (sends[i - 1], sends[i]);
        let (na, nb) = (i, i + 1);
        if idem.created_once && b.status == 201 && !created_done {
            created_done = true;
            out.push(
                Failure::new(
                    FailureKind::Idempotency,
                    "created",
                    format!("send {nb} created the resource again: the first send did not stick, or the server always answers 201"),
                )
                .values(
                    "200 or 204 on a repeat (created: once)",
                    format!("{} {} (send {nb})", b.status, b.reason),
                )
                .send(nb),
            );
        }
        if accepted_412(a, na) || accepted_412(b, nb) {
            // RFC 9110 §13.1.1: the first send changed the validator the request carries.
            continue;
        }
        let created_then_ok =
            !rules.replay && a.status == 201 && (b.status == 200 || b.status == 204) && i == 1;
        if a.status != b.status && !created_then_ok && !status_done {
            status_done = true;
            let why = if rules.replay {
                "a replay of the same Idempotency-Key must give the same answer"
            } else {
                "only a first 201 Created may be followed by 200 or 204"
            };
            out.push(
                Failure::new(
                    FailureKind::Idempotency,
                    "status",
                    format!("send {na} vs send {nb}: the status changed ({why})"),
                )
                .values(
                    format!("{} {} (send {na})", a.status, a.reason),
                    format!("{} {} (send {nb})", b.status, b.reason),
                )
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
            if let Some(f) = compare_bodies(a, b, rules, na, nb) {
                body_done = true;
                out.push(f);
            }
        }
    }
    out
}

/// Whether the bodies of sends that are compared differ once `ignore` is applied: the
/// runner then reads the resource twice more, so that the difference can be explained.
pub fn bodies_differ(sends: &[&Response], idem: &Idempotency, conditional_request: bool) -> bool {
    let ignore = ignored(idem);
    (1..sends.len()).any(|i| {
        let (a, b) = (sends[i - 1], sends[i]);
        let refused_repeat = conditional_request && (a.status == 412 && i > 1 || b.status == 412);
        let comparable = a.status == b.status || (i == 1 && a.status == 201);
        // The same bytes are the same JSON: nothing to parse or walk.
        comparable
            && !refused_repeat
            && a.body != b.body
            && match (a.json(), b.json()) {
                (Some(x), Some(y)) => {
                    !diff::differing_paths(&prune::without(x, &ignore), &prune::without(y, &ignore))
                        .is_empty()
                }
                _ => false,
            }
    })
}

/// Where two JSON values differ once `leave_out` is removed from both: the differing
/// JSONPaths and a diff, or `None` when they agree.
pub fn json_difference(
    a: &Value,
    b: &Value,
    leave_out: &[&JsonPath],
    a_label: &str,
    b_label: &str,
) -> Option<(Vec<String>, Diff)> {
    let (a, b) = (prune::without(a, leave_out), prune::without(b, leave_out));
    let paths = diff::differing_paths(&a, &b);
    if paths.is_empty() {
        return None;
    }
    Some((paths, diff::diff_json(&a, &b, a_label, b_label)))
}

/// Bodies compared as JSON when both parse, else byte for byte.
fn compare_bodies(
    a: &Response,
    b: &Response,
    rules: &SendRules,
    na: usize,
    nb: usize,
) -> Option<Failure> {
    // The same bytes agree as JSON and as bytes alike; this is every passing repeat, so
    // it skips the walk of two JSON trees.
    if a.body == b.body {
        return None;
    }
    let (la, lb) = (format!("send {na}"), format!("send {nb}"));
    match (a.json(), b.json()) {
        (Some(ja), Some(jb)) => {
            let (paths, d) = json_difference(ja, jb, &ignored(rules.idem), &la, &lb)?;
            let why = if rules.replay {
                format!(
                    "{}: a request repeated with the same Idempotency-Key must get the first answer replayed (IETF Idempotency-Key draft), so the server processed it again",
                    paths.join(", ")
                )
            } else {
                noise::explain(&paths, ja, jb, rules.gets)
            };
            let mut f = Failure::new(
                FailureKind::Idempotency,
                "body",
                format!("send {na} vs send {nb}: the JSON body differs at {why}"),
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

/// Two states read back with GET, compared as JSON without the `ignore` paths:
/// `Some((paths, diff))` when they differ. Bodies that are not JSON compare byte for byte.
pub fn state_difference(
    before: &Response,
    after: &Response,
    idem: &Idempotency,
    labels: (&str, &str),
) -> Option<(Vec<String>, Diff)> {
    // The same answer twice: no difference, and no JSON to parse.
    if before.body == after.body && before.status == after.status {
        return None;
    }
    match (before.json(), after.json()) {
        (Some(a), Some(b)) => json_difference(a, b, &ignored(idem), labels.0, labels.1),
        _ if before.body == after.body && before.status == after.status => None,
        _ => Some((
            vec!["$".to_string()],
            diff::diff_text(&before.body_text(), &after.body_text(), labels.0, labels.1),
        )),
    }
}

/// `concurrent: true`: the state read back after the concurrent sends must equal the
/// state after one more send.
pub fn compare_states(
    after_concurrent: &Response,
    after_one_more: &Response,
    concurrent_sends: usize,
    idem: &Idempotency,
) -> Option<Failure> {
    let (paths, d) = state_difference(
        after_concurrent,
        after_one_more,
        idem,
        ("after concurrent sends", "after one more send"),
    )?;
    let message = format!(
        "after {concurrent_sends} concurrent sends the state differs from what one more send leaves, at {}: the endpoint is not idempotent under concurrency (a read-modify-write race?)",
        paths.join(", ")
    );
    Some(state_changed(message, paths, d))
}

/// A conditional request whose repeats answered 412: the state read back after them must
/// be the state the first send left.
pub fn compare_after_first(
    after_first: &Response,
    after_repeats: &Response,
    idem: &Idempotency,
) -> Option<Failure> {
    let (paths, d) = state_difference(
        after_first,
        after_repeats,
        idem,
        ("after send 1", "after the repeats"),
    )?;
    let message = format!(
        "the repeats answered 412 Precondition Failed, yet the state changed after send 1, at {}: a refused conditional request must change nothing",
        paths.join(", ")
    );
    Some(state_changed(message, paths, d))
}

/// A state that should have held, and the JSONPaths where it changed.
fn state_changed(message: String, paths: Vec<String>, diff: Diff) -> Failure {
    let mut f = Failure::new(FailureKind::Idempotency, "state", message);
    f.paths = paths;
    f.diff = Some(diff);
    f
}

fn readback_usable(readback: &Response) -> Result<&Value, Box<Failure>> {
    if readback.status / 100 != 2 {
        return Err(Box::new(
            Failure::new(
                FailureKind::Readback,
                "readback",
                "the read-back GET did not answer 2xx",
            )
            .values("2xx", format!("{} {}", readback.status, readback.reason)),
        ));
    }
    readback.json().ok_or_else(|| {
        Box::new(
            Failure::new(
                FailureKind::Readback,
                "readback",
                "the read-back GET did not return JSON",
            )
            .values(
                "a JSON body",
                matcher::compact(&Value::String(readback.body_text()), 120),
            ),
        )
    })
}

/// A read-back that cannot be compared with a body (none was sent as JSON): it must
/// still answer 2xx.
pub fn check_readback_status(readback: &Response) -> Vec<Failure> {
    if readback.status / 100 == 2 {
        return Vec::new();
    }
    readback_usable(readback)
        .err()
        .into_iter()
        .map(|f| *f)
        .collect()
}

/// `readback: true`: the GET must answer 2xx with JSON that contains every field sent.
pub fn check_readback(sent: &Value, readback: &Response, idem: &Idempotency) -> Vec<Failure> {
    let got = match readback_usable(readback) {
        Ok(got) => got,
        Err(f) => return vec![*f],
    };
    let ignore = ignored(idem);
    let sent = prune::without(sent, &ignore);
    let got = prune::without(got, &ignore);
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

/// `readback: exact`: the GET must equal what was sent, minus `ignore` and
/// `server_fields` (RFC 9110 §9.3.4: a PUT replaces the whole resource).
pub fn check_readback_exact(sent: &Value, readback: &Response, idem: &Idempotency) -> Vec<Failure> {
    let got = match readback_usable(readback) {
        Ok(got) => got,
        Err(f) => return vec![*f],
    };
    let leave_out: Vec<&JsonPath> = idem.ignore.iter().chain(&idem.server_fields).collect();
    let sent = prune::without(sent, &leave_out);
    let got = prune::without(got, &leave_out);
    let paths = diff::differing_paths(&sent, &got);
    if paths.is_empty() {
        return Vec::new();
    }
    let why = |p: &str| -> &'static str {
        let at = |v: &Value| JsonPath::parse(p).ok().and_then(|q| super::select(&q, v));
        match (at(&sent), at(&got)) {
            (None, Some(_)) => "is left over",
            (Some(_), None) => "is missing",
            _ => "differs",
        }
    };
    let described: Vec<String> = paths.iter().map(|p| format!("{p} {}", why(p))).collect();
    let leftover = described.iter().any(|d| d.ends_with("is left over"));
    let mut message = format!(
        "the read-back GET is not exactly what was sent: {}",
        described.join(", ")
    );
    if leftover {
        message.push_str(
            "; a PUT replaces the whole resource (RFC 9110 §9.3.4), so a field left over from \
             before means the server merged instead of replacing; if the server adds the field \
             itself, list it under idempotency.server_fields",
        );
    }
    let mut f = Failure::new(FailureKind::Readback, "readback", message);
    f.paths = paths;
    f.diff = Some(diff::diff_json(&sent, &got, "sent", "read back"));
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
