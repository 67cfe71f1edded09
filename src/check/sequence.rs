//! A test's request sequence as the runner recorded it (sends, read-backs, probes), and
//! the one judgement of it: `judge` turns a recorded sequence into failures.

use serde_json::Value;

use super::idempotency::{self as idem_check, SendRules};
use super::{check_response, probes, Failure, FailureKind};
use crate::http::{HttpError, Response};
use crate::spec::template::Lookup;
use crate::spec::{Method, Readback, TestSpec};

/// What came of one request: a response, or why there was none.
pub type Answer = Result<Response, HttpError>;

/// Request headers that make a request conditional (RFC 9110 §13.1).
const CONDITIONAL_HEADERS: &[&str] = &["if-match", "if-none-match", "if-unmodified-since"];

/// Whether a header is a precondition (`If-Match`, `If-None-Match`, `If-Unmodified-Since`).
pub fn is_conditional_header(name: &str) -> bool {
    CONDITIONAL_HEADERS
        .iter()
        .any(|c| name.eq_ignore_ascii_case(c))
}

/// Whether a request carries a precondition, so that a repeat may answer 412.
pub fn is_conditional(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(k, _)| is_conditional_header(k))
}

/// Whether a request carries an `Idempotency-Key` (IETF httpapi-idempotency-key-header).
pub fn has_idempotency_key(headers: &[(String, String)]) -> bool {
    headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("idempotency-key"))
}

/// Everything the runner sent for one test, in the roles the judgement needs.
#[derive(Debug, Default)]
pub struct Recorded {
    /// The headers of the test's own request, as sent.
    pub request_headers: Vec<(String, String)>,
    /// The JSON body the test sent, if it sent JSON.
    pub sent_json: Option<Value>,
    /// How many sends were planned; a transport error stops sequential sends early.
    pub planned_sends: usize,
    /// The test's own sends, in order (arrival order when `concurrent`).
    pub sends: Vec<Answer>,
    pub concurrent: bool,
    /// A conditional request with `readback`: the state right after send 1.
    pub after_first: Option<Answer>,
    /// The sends' bodies differed: two more GETs, to tell noise from a changed state.
    pub noise: Vec<Answer>,
    /// The read-back GET after the sends.
    pub readback: Option<Answer>,
    /// `concurrent`: one more send, then the state it leaves.
    pub one_more: Option<(Answer, Option<Answer>)>,
    pub conditional: Option<Probe>,
    pub reject: Option<Probe>,
    /// `delete: true`: DELETE, GET, DELETE, GET.
    pub lifecycle: Option<super::Lifecycle>,
}

impl Recorded {
    /// Every response in the sequence, whatever its role.
    pub fn responses(&self) -> impl Iterator<Item = &Response> {
        let probes = [&self.conditional, &self.reject]
            .into_iter()
            .flatten()
            .flat_map(|p| [p.before.as_ref(), Some(&p.answer), p.after.as_ref()]);
        let one_more = self
            .one_more
            .iter()
            .flat_map(|(send, after)| [Some(send), after.as_ref()]);
        let lifecycle = self
            .lifecycle
            .iter()
            .flat_map(|l| [&l.delete, &l.get, &l.delete_again, &l.get_again])
            .flatten();
        self.sends
            .iter()
            .chain(lifecycle)
            .chain(self.after_first.as_ref())
            .chain(&self.noise)
            .chain(self.readback.as_ref())
            .chain(one_more.flatten())
            .chain(probes.flatten())
            .filter_map(|a| a.as_ref().ok())
    }
}

/// A probe: the state before (a GET), the probe's own answer, the state after.
/// The GETs are left out for a POST, whose URL names a collection, not the resource.
#[derive(Debug)]
pub struct Probe {
    pub before: Option<Answer>,
    pub answer: Answer,
    pub after: Option<Answer>,
}

/// Judges a recorded sequence: each send against `expect`, the sends against each other,
/// the read-back against what was sent, and each probe.
pub fn judge(test: &TestSpec, rec: &Recorded, vars: &dyn Lookup) -> Vec<Failure> {
    let mut out: Vec<Failure> = Vec::new();
    let conditional_request = is_conditional(&rec.request_headers);
    let numbered = rec.planned_sends > 1;
    for (i, answer) in rec.sends.iter().enumerate() {
        let n = i + 1;
        let found = match answer {
            // A conditional repeat answering 412 is what RFC 9110 asks for (§13.1.1).
            Ok(r) if conditional_request && n > 1 && r.status == 412 => Vec::new(),
            Ok(r) => check_response(&test.expect, r, vars),
            Err(e) => vec![Failure::new(
                FailureKind::Transport,
                "request",
                e.message.clone(),
            )],
        };
        for mut f in found {
            // The same failure on several sends is reported once, naming them.
            match out.iter_mut().find(|g| g.same_as(&f)) {
                Some(g) => g.sends.push(n),
                None => {
                    if numbered {
                        f.sends = vec![n];
                    }
                    out.push(f);
                }
            }
        }
    }
    let Some(idem) = &test.idempotency else {
        return out;
    };
    let responses: Vec<&Response> = rec.sends.iter().filter_map(|a| a.as_ref().ok()).collect();
    if responses.len() == rec.planned_sends && rec.planned_sends > 1 {
        let mut order = responses.clone();
        if rec.concurrent {
            // Arrival order is arbitrary: let the one 201 Created lead.
            order.sort_by_key(|r| r.status != 201);
        }
        let gets: Vec<&Value> = rec
            .noise
            .iter()
            .filter_map(|a| a.as_ref().ok())
            .filter(|r| r.status / 100 == 2)
            .filter_map(|r| r.json())
            .collect();
        let rules = SendRules {
            idem,
            conditional_request,
            replay: test.method == Method::Post && has_idempotency_key(&rec.request_headers),
            gets: match gets.as_slice() {
                [a, b] => Some((*a, *b)),
                _ => None,
            },
        };
        out.extend(idem_check::compare_sends(&order, &rules));
    }
    if let Some(readback) = &rec.readback {
        match readback {
            Err(e) => out.push(Failure::new(
                FailureKind::Readback,
                "readback",
                format!("the read-back GET failed: {}", e.message),
            )),
            Ok(got) => {
                match (&rec.sent_json, idem.readback) {
                    (Some(sent), Readback::Exact) => {
                        out.extend(idem_check::check_readback_exact(sent, got, idem))
                    }
                    (Some(sent), _) => out.extend(idem_check::check_readback(sent, got, idem)),
                    (None, _) => out.extend(idem_check::check_readback_status(got)),
                }
                let repeats_refused = responses
                    .iter()
                    .skip(1)
                    .any(|r| conditional_request && r.status == 412);
                if let (true, Some(Ok(first))) = (repeats_refused, &rec.after_first) {
                    out.extend(idem_check::compare_after_first(first, got, idem));
                }
                if let Some((send, state)) = &rec.one_more {
                    match (send, state) {
                        (Ok(_), Some(Ok(after))) => out.extend(idem_check::compare_states(
                            got,
                            after,
                            rec.sends.len(),
                            idem,
                        )),
                        (Err(e), _) | (_, Some(Err(e))) => out.push(Failure::new(
                            FailureKind::Readback,
                            "readback",
                            format!("the follow-up send failed: {}", e.message),
                        )),
                        (Ok(_), None) => {}
                    }
                }
            }
        }
    }
    if let Some(p) = &rec.conditional {
        out.extend(probes::judge_conditional(p, idem));
    }
    if let (Some(p), Some(reject)) = (&rec.reject, &idem.reject) {
        out.extend(probes::judge_reject(p, reject, idem, vars));
    }
    if let Some(l) = &rec.lifecycle {
        out.extend(super::lifecycle::judge(l));
    }
    out
}
