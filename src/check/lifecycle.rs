//! `idempotency: { delete: true }`: the end of a resource's life, as RFC 9110 §9.3.5
//! and §9.2.2 describe it. A DELETE answers 2xx; a GET afterwards answers 404 or 410; a
//! second DELETE is idempotent (2xx or 404, never 5xx); the next GET still answers
//! 404/410. Each failure names the step that broke.

use super::sequence::Answer;
use super::{Failure, FailureKind};

/// The four exchanges, in order; a step is absent when an earlier one got no answer.
#[derive(Debug, Default)]
pub struct Lifecycle {
    pub delete: Option<Answer>,
    pub get: Option<Answer>,
    pub delete_again: Option<Answer>,
    pub get_again: Option<Answer>,
}

fn gone(status: u16) -> bool {
    status == 404 || status == 410
}

fn fail(message: String) -> Failure {
    Failure::new(FailureKind::Lifecycle, "lifecycle probe", message)
}

pub fn judge(l: &Lifecycle) -> Vec<Failure> {
    let mut out = Vec::new();
    let step = |a: &Option<Answer>, what: &str, out: &mut Vec<Failure>| match a {
        Some(Ok(r)) => Some((r.status, r.reason.clone())),
        Some(Err(e)) => {
            out.push(fail(format!("the {what} got no answer: {}", e.message)));
            None
        }
        None => None,
    };
    let Some((status, reason)) = step(&l.delete, "DELETE", &mut out) else {
        return out;
    };
    if status / 100 != 2 {
        out.push(
            fail(format!(
                "the DELETE answered {status} {reason}: a resource just PUT must be deletable (2xx)"
            ))
            .values("2xx", format!("{status} {reason}")),
        );
        return out;
    }
    if let Some((s, r)) = step(&l.get, "GET after the DELETE", &mut out) {
        if !gone(s) {
            out.push(
                fail(format!(
                    "the DELETE answered {status} {reason} but the resource is still there: the GET after it answered {s} {r}"
                ))
                .values("404 or 410", format!("{s} {r}")),
            );
        }
    }
    if let Some((s, r)) = step(&l.delete_again, "second DELETE", &mut out) {
        if s / 100 == 5 {
            out.push(
                fail(format!(
                    "the second DELETE answered {s} {r}: DELETE is idempotent (RFC 9110 §9.2.2), a repeat answers 2xx or 404, never a server error"
                ))
                .values("2xx or 404", format!("{s} {r}")),
            );
        } else if s / 100 != 2 && s != 404 && s != 410 {
            out.push(
                fail(format!(
                    "the second DELETE answered {s} {r}; a repeated DELETE answers 2xx or 404 (RFC 9110 §9.2.2)"
                ))
                .values("2xx or 404", format!("{s} {r}")),
            );
        }
    }
    if let Some((s, r)) = step(&l.get_again, "GET after the second DELETE", &mut out) {
        if !gone(s) {
            out.push(
                fail(format!(
                    "after the second DELETE the resource is there again: the GET answered {s} {r}"
                ))
                .values("404 or 410", format!("{s} {r}")),
            );
        }
    }
    out
}
