//! The requests of one test, in order: its sends, the read-back GETs, the probes. This
//! file only sends and records, each exchange labelled; `check::judge` decides what the
//! recorded sequence means.

use serde_json::Value;

use super::{
    mask_headers, ExchangeKind, HopRecord, Interrupt, RequestRecord, SendRecord, ShellRequest,
};
use crate::check::{self, Answer, Probe, Recorded};
use crate::http::{self, Client, Response};
use crate::spec::{Method, TestSpec};

/// The request record shown in verbose output, `--curl` and the JSON report.
pub(super) fn request_record(
    request: &http::Request,
    default_version: http::HttpVersion,
    preview_limit: usize,
) -> RequestRecord {
    let mut headers = mask_headers(&request.headers);
    // HTTP/2 sends every field name lower-cased (RFC 9113 §8.2.1): show what was sent.
    if request.http_version.unwrap_or(default_version) == http::HttpVersion::Http2 {
        for (name, _) in &mut headers {
            name.make_ascii_lowercase();
        }
    }
    RequestRecord {
        method: request.method.to_string(),
        url: request.url.clone(),
        headers,
        body_preview: request.body.preview(preview_limit),
        body_size: match &request.body {
            http::Body::Bytes(b, _) => b.len(),
            _ => 0,
        },
        body_file: match &request.body {
            http::Body::File(p) => Some(p.display().to_string()),
            _ => None,
        },
    }
}

/// What a test's sequence produced: the exchanges by role, for judging, and the same
/// exchanges as labelled records, in the order they were made, for reporters.
pub(super) struct Recording {
    pub recorded: Recorded,
    pub records: Vec<SendRecord>,
    /// An interrupt stopped the sequence before its end: there is no verdict to give.
    pub cut_short: bool,
}

pub(super) struct Sequence<'a> {
    pub client: &'a Client,
    pub preview_limit: usize,
    /// `--repeat`, for tests that do not say how many sends.
    pub default_repeat: u32,
    /// The `--curl` form of a request (secrets as variable references), when a report
    /// shows it.
    pub shell: Option<&'a dyn Fn(&http::Request) -> ShellRequest>,
    /// After a signal no further send, read-back or probe starts.
    pub interrupt: &'a Interrupt,
}

struct Recorder<'a> {
    seq: &'a Sequence<'a>,
    records: Vec<SendRecord>,
    sends: usize,
}

impl Recorder<'_> {
    /// Sends `request` and records it under `label`. A record of one of the test's own
    /// sends (`ExchangeKind::Send`) leaves the request out: it is the test's `request`.
    fn exchange(&mut self, request: &http::Request, kind: ExchangeKind, label: String) -> Answer {
        let answer = self.seq.client.send(request);
        if kind == ExchangeKind::Send {
            self.sends += 1;
        }
        let shown = (kind != ExchangeKind::Send).then(|| {
            request_record(
                request,
                self.seq.client.http_version(),
                self.seq.preview_limit,
            )
        });
        let mut sent = record(
            self.sends,
            kind,
            label,
            shown,
            &answer,
            self.seq.preview_limit,
        );
        if kind != ExchangeKind::Send {
            sent.shell = self.seq.shell.map(|shell| shell(request));
        }
        self.records.push(sent);
        answer
    }
}

impl Sequence<'_> {
    /// Sends the test's request (repeatedly for idempotency), reads the resource back and
    /// runs the probes the test asks for.
    pub fn perform(
        &self,
        test: &TestSpec,
        request: &http::Request,
        sent_json: Option<Value>,
        reject: Option<&http::Request>,
    ) -> Recording {
        let idem = test.idempotency.as_ref();
        let planned = idem
            .map(|i| i.repeat.unwrap_or(self.default_repeat).max(1))
            .unwrap_or(1) as usize;
        let concurrent = idem.is_some_and(|i| i.concurrent) && planned > 1;
        let conditional = check::is_conditional(&request.headers);
        let is_put = test.method == Method::Put;
        let state = state_get(request);
        let mut rec = Recorded {
            request_headers: request.headers.to_vec(),
            sent_json,
            planned_sends: planned,
            concurrent,
            ..Recorded::default()
        };
        let mut r = Recorder {
            seq: self,
            records: Vec::new(),
            sends: 0,
        };
        if concurrent {
            let answers: Vec<Answer> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..planned)
                    .map(|_| s.spawn(|| self.client.send(request)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(http::HttpError::new(
                                http::HttpErrorKind::Io,
                                "a concurrent send panicked",
                            ))
                        })
                    })
                    .collect()
            });
            for (i, answer) in answers.iter().enumerate() {
                r.sends += 1;
                r.records.push(record(
                    i + 1,
                    ExchangeKind::Send,
                    format!("send {}", i + 1),
                    None,
                    answer,
                    self.preview_limit,
                ));
            }
            rec.sends = answers;
        } else {
            for n in 1..=planned {
                if n > 1 && self.interrupt.is_set() {
                    return Recording {
                        recorded: rec,
                        records: r.records,
                        cut_short: true,
                    };
                }
                let answer = r.exchange(request, ExchangeKind::Send, format!("send {n}"));
                let failed = answer.is_err();
                rec.sends.push(answer);
                if failed {
                    break;
                }
                // A conditional request's repeats may be refused with 412; the state
                // after send 1 is then what the read-back must still show.
                if n == 1 && planned > 1 && conditional && idem.is_some_and(|i| i.readback.is_on())
                {
                    rec.after_first = Some(r.exchange(
                        &state,
                        ExchangeKind::ReadBack,
                        "read-back after send 1".into(),
                    ));
                }
            }
        }
        let Some(idem) = idem else {
            return Recording {
                recorded: rec,
                records: r.records,
                cut_short: false,
            };
        };
        let mut responses: Vec<&Response> =
            rec.sends.iter().filter_map(|a| a.as_ref().ok()).collect();
        if concurrent {
            // As the judgement does: arrival order is arbitrary, the one 201 leads.
            responses.sort_by_key(|r| r.status != 201);
        }
        if responses.len() < planned {
            // A send got no answer: there is nothing to compare or probe.
            return Recording {
                recorded: rec,
                records: r.records,
                cut_short: false,
            };
        }
        if self.interrupt.is_set() {
            return Recording {
                recorded: rec,
                records: r.records,
                cut_short: true,
            };
        }
        if planned > 1 && is_put && check::bodies_differ(&responses, idem, conditional) {
            for i in 1..=2 {
                let get = r.exchange(&state, ExchangeKind::ReadBack, format!("noise check {i}"));
                rec.noise.push(get);
            }
        }
        if idem.readback.is_on() || idem.concurrent {
            rec.readback = Some(r.exchange(&state, ExchangeKind::ReadBack, "read-back".into()));
        }
        if concurrent && matches!(rec.readback, Some(Ok(_))) {
            let send = r.exchange(request, ExchangeKind::Probe, "one more send".into());
            let after = send.is_ok().then(|| {
                r.exchange(
                    &state,
                    ExchangeKind::ReadBack,
                    "read-back after one more send".into(),
                )
            });
            rec.one_more = Some((send, after));
        }
        if idem.conditional {
            let mut stale = request.clone();
            stale
                .headers
                .retain(|(k, _)| !check::is_conditional_header(k));
            stale.headers.set("If-Match", check::STALE_ETAG.into());
            rec.conditional = Some(self.probe(&mut r, is_put, &state, &stale, "conditional"));
        }
        if let Some(reject) = reject {
            rec.reject = Some(self.probe(&mut r, is_put, &state, reject, "reject"));
        }
        if idem.delete && !self.interrupt.is_set() {
            rec.lifecycle = Some(lifecycle(&mut r, &state));
        }
        Recording {
            recorded: rec,
            records: r.records,
            cut_short: false,
        }
    }

    /// Only a reject probe, between two GETs of its URL (a `generate.invalid` body).
    pub fn probe_only(&self, probe: &http::Request, name: &str) -> (Probe, Vec<SendRecord>) {
        let state = state_get(probe);
        let mut r = Recorder {
            seq: self,
            records: Vec::new(),
            sends: 0,
        };
        let p = self.probe(&mut r, true, &state, probe, name);
        (p, r.records)
    }

    /// A probe between two GETs of the resource (a PUT's URL names it; a POST's does not,
    /// so a POST probe gets no GETs).
    fn probe(
        &self,
        r: &mut Recorder,
        is_put: bool,
        state: &http::Request,
        probe: &http::Request,
        name: &str,
    ) -> Probe {
        let get = |when: &str, r: &mut Recorder| {
            is_put.then(|| {
                r.exchange(
                    state,
                    ExchangeKind::ReadBack,
                    format!("read-back {when} the {name} probe"),
                )
            })
        };
        let before = get("before", r);
        let answer = r.exchange(probe, ExchangeKind::Probe, format!("{name} probe"));
        let after = get("after", r);
        Probe {
            before,
            answer,
            after,
        }
    }
}

/// `delete: true`: DELETE, GET, DELETE, GET of the resource; the sequence stops at a
/// step that got no answer.
fn lifecycle(r: &mut Recorder, state: &http::Request) -> check::Lifecycle {
    let mut delete = state.clone();
    delete.method = http::Method::Delete;
    let mut l = check::Lifecycle::default();
    let steps: [(&http::Request, &str); 4] = [
        (&delete, "lifecycle: DELETE"),
        (state, "lifecycle: GET after the DELETE"),
        (&delete, "lifecycle: second DELETE"),
        (state, "lifecycle: GET after the second DELETE"),
    ];
    for (i, (request, label)) in steps.into_iter().enumerate() {
        let answer = r.exchange(request, ExchangeKind::Probe, label.to_string());
        let ok = answer.is_ok();
        let slot = match i {
            0 => &mut l.delete,
            1 => &mut l.get,
            2 => &mut l.delete_again,
            _ => &mut l.get_again,
        };
        *slot = Some(answer);
        if !ok {
            break;
        }
    }
    l
}

/// A GET of the test's URL with its headers and auth, minus the body and the
/// preconditions (a GET carrying the PUT's `If-Match` could be refused).
fn state_get(request: &http::Request) -> http::Request {
    let mut get = request.clone();
    get.method = http::Method::Get;
    get.body = http::Body::Empty;
    get.headers.retain(|(k, _)| {
        !k.eq_ignore_ascii_case("content-type")
            && !k.eq_ignore_ascii_case("idempotency-key")
            && !check::is_conditional_header(k)
    });
    get
}

fn record(
    n: usize,
    kind: ExchangeKind,
    label: String,
    request: Option<RequestRecord>,
    answer: &Answer,
    limit: usize,
) -> SendRecord {
    match answer {
        Ok(resp) => {
            let mut body =
                String::from_utf8_lossy(&resp.body[..resp.body.len().min(limit)]).into_owned();
            if resp.body.len() > limit {
                body.push_str(&format!("… ({} bytes in all)", resp.body.len()));
            }
            SendRecord {
                n,
                kind,
                label,
                request,
                status: Some(resp.status),
                reason: Some(resp.reason.clone()),
                version: Some(resp.version.clone()),
                time: resp.elapsed.as_secs_f64(),
                headers: mask_headers(&resp.headers),
                body_size: resp.body.len(),
                body_preview: body,
                redirects: resp.redirects.iter().map(HopRecord::from).collect(),
                refused_streams: resp.refused_streams,
                error: None,
                shell: None,
            }
        }
        Err(e) => SendRecord {
            n,
            kind,
            label,
            request,
            status: None,
            reason: None,
            version: None,
            time: 0.0,
            headers: Vec::new(),
            body_size: 0,
            body_preview: String::new(),
            redirects: Vec::new(),
            refused_streams: 0,
            error: Some(e.message.clone()),
            shell: None,
        },
    }
}
