//! The HTTP-semantics probes: `conditional` (a stale `If-Match` must be refused with 412,
//! RFC 9110 §13.1.1 and §15.5.13) and `reject` (a request the server must refuse, which
//! must then change nothing).

use super::idempotency::state_difference;
use super::sequence::{Answer, Probe};
use super::{check_response, Diff, Failure, FailureKind};
use crate::http::Response;
use crate::spec::template::Lookup;
use crate::spec::{Idempotency, Reject};

/// The `If-Match` value the conditional probe sends: no server has it as an ETag.
pub const STALE_ETAG: &str = "\"putcheck-stale\"";

/// The state before and after a probe, compared; failures for GETs that went wrong.
fn state_change(
    p: &Probe,
    idem: &Idempotency,
    probe: &str,
    out: &mut Vec<Failure>,
) -> Option<(Vec<String>, Diff)> {
    let get = |a: &Option<Answer>, when: &str, out: &mut Vec<Failure>| -> Option<Response> {
        match a {
            Some(Ok(r)) => Some(r.clone()),
            Some(Err(e)) => {
                out.push(Failure::new(
                    FailureKind::Readback,
                    format!("{probe} probe"),
                    format!("the GET {when} the {probe} probe failed: {}", e.message),
                ));
                None
            }
            None => None,
        }
    };
    let before = get(&p.before, "before", out)?;
    let after = get(&p.after, "after", out)?;
    state_difference(
        &before,
        &after,
        idem,
        (
            &format!("before the {probe} probe"),
            &format!("after the {probe} probe"),
        ),
    )
}

fn no_answer(probe: &str, e: &crate::http::HttpError) -> Failure {
    Failure::new(
        FailureKind::Transport,
        format!("{probe} probe"),
        format!("the {probe} probe got no answer: {}", e.message),
    )
}

/// `conditional: true`: the stale `If-Match` must answer 412 and change nothing.
pub fn judge_conditional(p: &Probe, idem: &Idempotency) -> Vec<Failure> {
    let mut out = Vec::new();
    let answer = match &p.answer {
        Ok(r) => r,
        Err(e) => return vec![no_answer("conditional", e)],
    };
    let changed = state_change(p, idem, "conditional", &mut out);
    let changed_text = changed
        .as_ref()
        .map(|(paths, _)| format!(", and the state changed at {}", paths.join(", ")))
        .unwrap_or_default();
    let mut f = if answer.status != 412 {
        Failure::new(
            FailureKind::Conditional,
            "conditional probe",
            format!(
                "the same request with `If-Match: {STALE_ETAG}` answered {} {} instead of 412 Precondition Failed{changed_text}: the server ignores If-Match (RFC 9110 §13.1.1, §15.5.13), so a client cannot guard against lost updates",
                answer.status, answer.reason
            ),
        )
        .values(
            "412 Precondition Failed",
            format!("{} {}", answer.status, answer.reason),
        )
    } else if changed.is_some() {
        Failure::new(
            FailureKind::Conditional,
            "conditional probe",
            format!(
                "the request with `If-Match: {STALE_ETAG}` answered 412 Precondition Failed{changed_text}: a refused request must change nothing"
            ),
        )
    } else {
        return out;
    };
    if let Some((paths, d)) = changed {
        f.paths = paths;
        f.diff = Some(d);
    }
    out.push(f);
    out
}

/// `reject:`: the variant must be refused as `expect` says (default 4xx) and, for a PUT,
/// the state read back before and after it must be equal.
pub fn judge_reject(
    p: &Probe,
    reject: &Reject,
    idem: &Idempotency,
    vars: &dyn Lookup,
) -> Vec<Failure> {
    let mut out = Vec::new();
    let answer = match &p.answer {
        Ok(r) => r,
        Err(e) => return vec![no_answer("reject", e)],
    };
    let accepted = answer.status / 100 == 2;
    for mut f in check_response(&reject.expect, answer, vars) {
        f.subject = format!("reject probe: {}", f.subject);
        if f.kind == FailureKind::Status {
            f.message = if accepted {
                "the server accepted the request it must refuse (idempotency.reject)".to_string()
            } else {
                "the server refused the request, but not with the expected status".to_string()
            };
        }
        out.push(f);
    }
    if let Some((paths, d)) = state_change(p, idem, "reject", &mut out) {
        let how = if accepted {
            format!("accepted it ({} {})", answer.status, answer.reason)
        } else {
            format!(
                "answered {} {} but stored it anyway",
                answer.status, answer.reason
            )
        };
        let mut f = Failure::new(
            FailureKind::Reject,
            "reject probe",
            format!(
                "the server {how}: the state changed at {}; a refused request must change nothing",
                paths.join(", ")
            ),
        );
        f.pos = Some(reject.pos);
        f.paths = paths;
        f.diff = Some(d);
        out.push(f);
    }
    out
}
