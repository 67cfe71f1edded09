//! Hostile servers: each misbehaviour is one clear verdict in plain words, and the rest
//! of the run goes on (every spec here ends with a test against a well-behaved path).

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::common::hostile::{Conn, HostileServer, Next};
use crate::common::*;
use serde_json::Value;

const OK: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";

/// A server that answers `/ok` properly and hands every other request to `behaviour`.
fn server(behaviour: impl Fn(Conn) -> Next + Send + Sync + 'static) -> HostileServer {
    HostileServer::start(move |mut c| {
        if c.target == "/ok" {
            c.send(OK);
            Next::KeepAlive(c)
        } else {
            behaviour(c)
        }
    })
}

/// Runs a spec with one test against `url` (`extra` YAML lines under it) and one against
/// the well-behaved `/ok`; returns the first test's JSON result, after checking that the
/// second passed.
fn run(s: &HostileServer, url: &str, extra: &str, args: &[&str]) -> (std::process::Output, Value) {
    let specs = Specs::new();
    let extra: String = extra.lines().map(|l| format!("    {l}\n")).collect();
    specs.write(
        "hostile.yaml",
        &format!(
            "name: hostile\ntests:\n  - name: hostile\n    put: {url}\n    json: {{ a: 1 }}\n{extra}  - name: fine\n    put: {}\n    json: {{ a: 1 }}\n",
            s.url("/ok")
        ),
    );
    let mut all = vec!["hostile.yaml"];
    all.extend_from_slice(args);
    let (out, report) = specs.run_report(&all);
    let tests = report["tests"].as_array().expect("tests").clone();
    assert_eq!(tests.len(), 2, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        tests[1]["outcome"],
        "passed",
        "the run goes on: {}",
        stdout(&out)
    );
    (out, tests[0].clone())
}

/// The first failure's message of a test result.
fn message(t: &Value) -> String {
    t["failures"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Asserts a test errored with one message containing every part, and no ureq jargon.
#[track_caller]
fn assert_verdict(t: &Value, outcome: &str, parts: &[&str]) {
    let m = message(t);
    assert_eq!(t["outcome"], outcome, "{t:#}");
    for p in parts {
        assert!(m.contains(p), "`{p}` missing from: {m}");
    }
    for jargon in [
        "Network Error",
        "Error encountered",
        "Bad Status",
        "Bad Header",
    ] {
        assert!(!m.contains(jargon), "ureq jargon in: {m}");
    }
}

fn http(status_line: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{status_line}\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn refused() {
    let s = server(|_| Next::Done);
    let port = RefusedPort::new();
    let (_, t) = run(&s, &format!("{}/x", port.url()), "", &[]);
    assert_verdict(
        &t,
        "errored",
        &["cannot connect", "refused", "is the server running"],
    );
}

#[test]
fn unresolvable_host() {
    // `.invalid` never resolves (RFC 6761): putcheck fails it without a DNS query, so no
    // traffic leaves the machine.
    let s = server(|_| Next::Done);
    let (_, t) = run(&s, "http://putcheck-test.invalid/x", "", &[]);
    assert_verdict(
        &t,
        "errored",
        &["cannot resolve the host", "putcheck-test.invalid"],
    );
}

#[test]
fn reset_before_the_response() {
    let s = server(|c| {
        c.reset();
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "", &[]);
    assert_verdict(&t, "errored", &["reset the connection", "status line"]);
}

#[test]
fn reset_during_the_body() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.1 200 OK",
            &["Content-Length: 100"],
            b"0123456789",
        ));
        // Let the client read what was sent, so that the reset cannot discard it.
        std::thread::sleep(Duration::from_millis(300));
        c.reset();
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "", &[]);
    assert_verdict(
        &t,
        "errored",
        &["reset the connection after 10 bytes of the body"],
    );
}

#[test]
fn close_after_the_headers() {
    let s = server(|mut c| {
        c.send(&http("HTTP/1.1 200 OK", &["Content-Length: 20"], b""));
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "", &[]);
    assert_verdict(
        &t,
        "errored",
        &[
            "closed the connection after 0 bytes of the body",
            "Content-Length",
        ],
    );
}

#[test]
fn content_length_larger_than_the_body() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.1 200 OK",
            &["Content-Length: 50"],
            b"{\"a\":1}",
        ));
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "", &[]);
    assert_verdict(
        &t,
        "errored",
        &[
            "closed the connection after 7 bytes of the body",
            "Content-Length",
        ],
    );
}

#[test]
fn no_response_ends_at_the_timeout() {
    let s = server(|c| {
        std::thread::sleep(Duration::from_secs(20));
        drop(c);
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "timeout: 1s", &[]);
    assert_verdict(
        &t,
        "errored",
        &[
            "timeout",
            "within 1s",
            "waiting for the status line",
            "raise it",
        ],
    );
}

/// A slow-loris server sends one byte a second: the timeout bounds the whole exchange,
/// not each read, so the test fails at the deadline, saying so.
#[test]
fn slow_loris_fails_at_the_deadline() {
    let s = server(|mut c| {
        let bytes = http("HTTP/1.1 200 OK", &["Content-Length: 2"], b"{}");
        c.trickle(&bytes, Duration::from_secs(1));
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "timeout: 2s\nidempotency: false", &[]);
    assert_verdict(
        &t,
        "errored",
        &[
            "timeout",
            "did not send a complete response within 2s",
            "whole exchange",
        ],
    );
}

#[test]
fn slow_loris_body_fails_at_the_deadline() {
    let s = server(|mut c| {
        c.send(&http("HTTP/1.1 200 OK", &["Content-Length: 40"], b""));
        c.trickle(&[b' '; 40], Duration::from_secs(1));
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "timeout: 2s\nidempotency: false", &[]);
    assert_verdict(
        &t,
        "errored",
        &["not its whole body within 2s", "whole exchange"],
    );
}

#[test]
fn bytes_that_are_not_http() {
    let s = server(|mut c| {
        c.send(b"SSH-2.0-OpenSSH_9.6\r\n");
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "", &[]);
    assert_verdict(
        &t,
        "errored",
        &["did not answer with valid HTTP", "is it an HTTP server"],
    );
}

#[test]
fn status_line_without_reason_phrase_is_valid() {
    let s = server(|mut c| {
        c.send(&http("HTTP/1.1 200", &["Content-Length: 2"], b"{}"));
        Next::KeepAlive(c)
    });
    let (_, t) = run(
        &s,
        &s.url("/x"),
        "expect:\n  status: 200\n  reason: \"\"",
        &[],
    );
    assert_eq!(t["outcome"], "passed", "{t:#}");
    assert_eq!(t["sends"][0]["reason"], "");
}

#[test]
fn body_over_max_body_stops_at_the_limit() {
    let s = server(|mut c| {
        let body = vec![b'a'; 3 * 1024 * 1024];
        c.send(&http(
            "HTTP/1.1 200 OK",
            &["Content-Length: 3145728"],
            &body,
        ));
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "", &["--max-body", "1"]);
    assert_verdict(&t, "errored", &["larger than 1 MiB", "--max-body"]);
}

#[test]
fn body_not_json_under_json_checks() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.1 200 OK",
            &["Content-Type: application/json", "Content-Length: 9"],
            b"<html/>\r\n",
        ));
        Next::KeepAlive(c)
    });
    let (_, t) = run(&s, &s.url("/x"), "expect:\n  json:\n    $.a: 1", &[]);
    assert_verdict(&t, "failed", &["not JSON"]);
}

#[test]
fn body_not_utf8_under_json_checks() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.1 200 OK",
            &["Content-Type: application/json", "Content-Length: 7"],
            b"{\"a\":\xff}",
        ));
        Next::KeepAlive(c)
    });
    let (_, t) = run(&s, &s.url("/x"), "expect:\n  json:\n    $.a: 1", &[]);
    assert_verdict(&t, "failed", &["not UTF-8 text"]);
}

fn encoded(coding: &str) -> Vec<u8> {
    let plain = br#"{"a":1,"b":"decoded"}"#;
    match coding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(plain).unwrap();
            e.finish().unwrap()
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(plain).unwrap();
            e.finish().unwrap()
        }
        _ => {
            let mut out = Vec::new();
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                w.write_all(plain).unwrap();
            }
            out
        }
    }
}

fn content_encoding_is_decoded_before_checks(coding: &'static str) {
    let s = server(move |mut c| {
        let body = encoded(coding);
        let len = format!("Content-Length: {}", body.len());
        let enc = format!("Content-Encoding: {coding}");
        c.send(&http(
            "HTTP/1.1 200 OK",
            &["Content-Type: application/json", &enc, &len],
            &body,
        ));
        Next::KeepAlive(c)
    });
    let (out, t) = run(&s, &s.url("/x"), "expect:\n  json:\n    $.b: decoded", &[]);
    assert_eq!(t["outcome"], "passed", "{}{t:#}", stdout(&out));
}

#[test]
fn gzip_is_decoded_before_checks() {
    content_encoding_is_decoded_before_checks("gzip");
}

#[test]
fn deflate_is_decoded_before_checks() {
    content_encoding_is_decoded_before_checks("deflate");
}

#[test]
fn br_is_decoded_before_checks() {
    content_encoding_is_decoded_before_checks("br");
}

#[test]
fn corrupt_content_encoding_is_reported() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.1 200 OK",
            &["Content-Encoding: gzip", "Content-Length: 12"],
            b"not gzipped!",
        ));
        Next::KeepAlive(c)
    });
    let (_, t) = run(&s, &s.url("/x"), "", &[]);
    assert_verdict(
        &t,
        "errored",
        &["Content-Encoding: gzip", "not valid gzip data"],
    );
}

#[test]
fn chunked_body() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.1 200 OK",
            &[
                "Content-Type: application/json",
                "Transfer-Encoding: chunked",
            ],
            b"4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n",
        ));
        Next::KeepAlive(c)
    });
    let (_, t) = run(&s, &s.url("/x"), "expect:\n  json:\n    $.a: 1", &[]);
    assert_eq!(t["outcome"], "passed", "{t:#}");
}

#[test]
fn http_1_0_close_delimited_body() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.0 200 OK",
            &["Content-Type: application/json"],
            b"{\"a\":1}",
        ));
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "expect:\n  json:\n    $.a: 1", &[]);
    assert_eq!(t["outcome"], "passed", "{t:#}");
    assert_eq!(t["sends"][0]["version"], "HTTP/1.0");
}

#[test]
fn redirect_loop() {
    let s = server(|mut c| {
        let to = if c.target == "/a" { "/b" } else { "/a" };
        c.send(&http(
            "HTTP/1.1 307 Temporary Redirect",
            &[&format!("Location: {to}"), "Content-Length: 0"],
            b"",
        ));
        Next::KeepAlive(c)
    });
    let (_, t) = run(&s, &s.url("/a"), "", &[]);
    assert_verdict(&t, "errored", &["redirect loop", "/a", "/b"]);
}

/// RFC 9110 §15.2: a client reads past interim responses, asked for or not.
#[test]
fn interim_100_continue_is_skipped() {
    let s = server(|mut c| {
        let mut bytes = b"HTTP/1.1 100 Continue\r\n\r\n".to_vec();
        bytes.extend(http(
            "HTTP/1.1 201 Created",
            &["Content-Type: application/json", "Content-Length: 7"],
            b"{\"a\":1}",
        ));
        c.send(&bytes);
        Next::KeepAlive(c)
    });
    let (out, t) = run(
        &s,
        &s.url("/x"),
        "expect:\n  status: 201\n  reason: Created\n  json:\n    $.a: 1",
        &[],
    );
    assert_eq!(t["outcome"], "passed", "{}{t:#}", stdout(&out));
}

/// An interim response and then nothing: the deadline still holds, and says what came.
#[test]
fn interim_response_then_silence() {
    let s = server(|mut c| {
        c.send(b"HTTP/1.1 100 Continue\r\n\r\n");
        std::thread::sleep(Duration::from_secs(20));
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/x"), "timeout: 1s", &[]);
    assert_verdict(
        &t,
        "errored",
        &[
            "timeout",
            "interim `100 Continue` response, then no final response within 1s",
        ],
    );
}

/// A server that stops reading a large upload on a connection it kept alive: the send
/// still ends at the deadline (large bodies go on fresh connections, whose writes are
/// bounded).
#[test]
fn server_that_stops_reading_a_large_body() {
    let s = server(|c| {
        if c.target.starts_with("/stall") {
            std::thread::sleep(Duration::from_secs(30));
        }
        Next::Done
    });
    let specs = Specs::new();
    std::fs::write(specs.path("big.bin"), vec![b'x'; 32 * 1024 * 1024]).unwrap();
    specs.write(
        "stall.yaml",
        &format!(
            "tests:\n  - name: warm\n    put: {ok}\n    json: {{ a: 1 }}\n    timeout: 1s\n  - name: upload\n    put: {stall}\n    body_file: big.bin\n    timeout: 1s\n  - name: fine\n    put: {ok}\n    json: {{ a: 1 }}\n",
            ok = s.url("/ok"),
            stall = s.url("/stall")
        ),
    );
    let (out, report) = specs.run_report(&["stall.yaml"]);
    let tests = report["tests"].as_array().unwrap();
    assert_eq!(tests[0]["outcome"], "passed", "{}", stdout(&out));
    assert_verdict(&tests[1], "errored", &["timeout", "within 1s"]);
    assert_eq!(tests[2]["outcome"], "passed", "{}", stdout(&out));
}

/// A 204 has no body (RFC 9110 §15.3.5): bytes after it must not be read as the next
/// response on the same connection.
#[test]
fn no_content_with_a_body() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.1 204 No Content",
            &["Content-Length: 5"],
            b"oops!",
        ));
        Next::KeepAlive(c)
    });
    let (out, t) = run(&s, &s.url("/x"), "expect:\n  status: 204", &[]);
    assert_eq!(t["outcome"], "passed", "{}{t:#}", stdout(&out));
    assert_eq!(t["sends"].as_array().map(Vec::len), Some(2));
}

/// A server that closes each connection right after answering, without saying
/// `Connection: close`: by the time the next request is due (another test runs
/// between), the close has arrived, the pooled connection is found closed before
/// anything is sent on it, and the request goes on a fresh one. Every request of every
/// method arrives once.
#[test]
fn a_pooled_connection_found_closed_is_not_used() {
    for method in ["put", "post"] {
        let (s, served) = closing_server(Duration::ZERO);
        let slow = server(|mut c| {
            std::thread::sleep(Duration::from_millis(200));
            c.send(OK);
            Next::KeepAlive(c)
        });
        let specs = Specs::new();
        specs.write(
            "reuse.yaml",
            &format!(
                "tests:\n  - name: first\n    {method}: {u}\n    json: {{ a: 1 }}\n    idempotency: false\n  - name: meanwhile\n    put: {slow}\n    json: {{ a: 1 }}\n    idempotency: false\n  - name: second\n    {method}: {u}\n    json: {{ a: 2 }}\n    idempotency: false\n",
                u = s.url("/p"),
                slow = slow.url("/slow")
            ),
        );
        let (out, report) = specs.run_report(&["reuse.yaml", "--jobs", "1"]);
        let tests = report["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 3);
        for t in tests {
            assert_eq!(t["outcome"], "passed", "{method}: {}{t:#}", stdout(&out));
        }
        assert_eq!(served.load(Ordering::SeqCst), 2, "{method}");
    }
}

/// The server reads the second PUT on a kept-alive connection, then closes without
/// answering. The PUT may have taken effect, so it is never sent a third time: the test
/// fails, saying so, and the server received exactly two PUTs (as with requests).
#[test]
fn a_request_the_server_read_and_did_not_answer_is_not_sent_again() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counted = seen.clone();
    let s = server(move |mut c| {
        // Odd requests are answered and the connection kept; even ones are read, then
        // the connection is closed without an answer.
        if counted.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
            c.send(OK);
            Next::KeepAlive(c)
        } else {
            Next::Done
        }
    });
    let (out, t) = run(&s, &s.url("/x"), "", &["--jobs", "1"]);
    assert_verdict(
        &t,
        "errored",
        &[
            "closed the connection without answering",
            "did not send it again",
        ],
    );
    assert_eq!(seen.load(Ordering::SeqCst), 2, "{}", stdout(&out));
    // Every request putcheck made is in the report: the two sends, nothing else.
    assert_eq!(t["sends"].as_array().map(Vec::len), Some(2), "{t:#}");
}

/// A server that answers every request but `/ok` properly, waits `pause`, then closes
/// the connection without having said `Connection: close`; and how many such requests
/// it served.
fn closing_server(pause: Duration) -> (HostileServer, Arc<AtomicUsize>) {
    let served = Arc::new(AtomicUsize::new(0));
    let counted = served.clone();
    let s = server(move |mut c| {
        counted.fetch_add(1, Ordering::SeqCst);
        c.send(OK);
        std::thread::sleep(pause);
        Next::Done
    });
    (s, served)
}

/// A response that says `Connection: close` ends its connection: the next request opens
/// a new one instead of failing on the closed one.
#[test]
fn connection_close_is_honoured() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.1 200 OK",
            &["Connection: close", "Content-Length: 11"],
            b"{\"ok\":true}",
        ));
        Next::Done
    });
    let (out, t) = run(&s, &s.url("/x"), "", &["--jobs", "1"]);
    assert_eq!(t["outcome"], "passed", "{}{t:#}", stdout(&out));
}

/// Sends `head` and then `endless` over and over (up to 64 MiB, or until putcheck hangs
/// up): a line, or a run of lines, that never ends.
fn endless(head: &'static [u8], endless: &'static [u8]) -> HostileServer {
    server(move |mut c| {
        c.send(head);
        let block: Vec<u8> = endless.iter().copied().cycle().take(64 * 1024).collect();
        for _ in 0..1024 {
            if c.stream.write_all(&block).is_err() {
                break;
            }
        }
        Next::Done
    })
}

/// The peak resident memory of a child process, sampled from /proc while it runs (a
/// read that grows without bound takes seconds to reach gigabytes, so the samples see it).
fn run_sampling_memory(specs: &Specs, args: &[&str]) -> (std::process::Output, u64) {
    let mut cmd = specs.command(args);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("putcheck starts");
    let status = format!("/proc/{}/status", child.id());
    let peak = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let peak = peak.clone();
        std::thread::spawn(move || {
            while let Ok(text) = std::fs::read_to_string(&status) {
                let hwm = text
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok());
                match hwm {
                    Some(kb) => peak.fetch_max(kb, Ordering::SeqCst),
                    None => break,
                };
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let out = child.wait_with_output().expect("putcheck runs");
    let _ = sampler.join();
    (out, peak.load(Ordering::SeqCst) as u64 * 1024)
}

/// Lines without an end and endless trailers fail as soon as they cross their bound,
/// with a message that says which; three of them in one file at once cost no more than
/// a normal run's memory (they took gigabytes when the bound was checked after the line).
#[test]
fn lines_without_end_fail_at_their_bound_and_memory_stays_bounded() {
    let header = endless(b"HTTP/1.1 200 OK\r\nX-Long: ", b"a");
    let chunk = endless(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"f",
    );
    let trailers = endless(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n",
        b"X-Trailer: more\r\n",
    );
    let extensions = endless(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"1;ext=1\r\na\r\n",
    );
    let specs = Specs::new();
    let test = |name: &str, url: String| {
        format!("  - name: {name}\n    put: {url}\n    json: {{ a: 1 }}\n    idempotency: false\n")
    };
    specs.write(
        "endless.yaml",
        &format!(
            "name: endless\nparallel: true\ntests:\n{}{}{}{}",
            test("header", header.url("/x")),
            test("chunk", chunk.url("/x")),
            test("trailers", trailers.url("/x")),
            test("extensions", extensions.url("/x")),
        ),
    );
    let (out, peak) = run_sampling_memory(&specs, &["endless.yaml", "--json", "r.json"]);
    let report = specs.report(&out);
    let tests = report["tests"].as_array().expect("tests");
    let expected = [
        "over 100 KiB",
        "chunk-size line of its chunked body is over 4 KiB",
        "trailer fields after its chunked body are over 16 KiB",
        "chunk extensions of its chunked body are over 16 KiB",
    ];
    for (t, part) in tests.iter().zip(expected) {
        assert_verdict(t, "errored", &[part, "putcheck's bounds"]);
    }
    assert!(
        peak < 150 * 1024 * 1024,
        "peak RSS {} MiB",
        peak / 1024 / 1024
    );
}

/// RFC 9112 §6.3: two different lengths leave the body's end unknown, an unrecoverable
/// error; `42, 42` is one length; a sign is not a digit.
#[test]
fn content_length_fields_that_disagree_are_refused() {
    let s = server(|mut c| {
        let lengths: &[&str] = match c.target.as_str() {
            "/two" => &["Content-Length: 2", "Content-Length: 9"],
            "/same" => &["Content-Length: 2, 2", "Content-Length: 2"],
            _ => &["Content-Length: +2"],
        };
        let mut headers = vec!["Content-Type: application/json"];
        headers.extend_from_slice(lengths);
        c.send(&http("HTTP/1.1 200 OK", &headers, b"{}"));
        Next::KeepAlive(c)
    });
    let (_, t) = run(&s, &s.url("/two"), "", &[]);
    assert_verdict(
        &t,
        "errored",
        &[
            "conflicting Content-Length fields",
            "`2`, `9`",
            "cannot be told",
        ],
    );
    let (_, t) = run(&s, &s.url("/same"), "", &[]);
    assert_eq!(t["outcome"], "passed", "{t:#}");
    let (_, t) = run(&s, &s.url("/plus"), "", &[]);
    assert_verdict(&t, "errored", &["`+2` is not a number of bytes"]);
}

/// Transfer-Encoding wins over Content-Length, in any version and split over fields;
/// such a response's connection is not reused (the next request opens a new one).
#[test]
fn transfer_encoding_framing_wins_and_ends_the_connection() {
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    let s = HostileServer::start(move |mut c| {
        if c.target == "/ok" {
            c.send(OK);
            return Next::KeepAlive(c);
        }
        if c.first {
            counted.fetch_add(1, Ordering::SeqCst);
        }
        let (status, headers): (&str, &[&str]) = match c.target.as_str() {
            "/both" => (
                "HTTP/1.1 200 OK",
                &["Transfer-Encoding: chunked", "Content-Length: 3"],
            ),
            "/split" => (
                "HTTP/1.1 200 OK",
                &["Transfer-Encoding: gzip", "Transfer-Encoding: chunked"],
            ),
            _ => ("HTTP/1.0 200 OK", &["Transfer-Encoding: chunked"]),
        };
        let mut all = vec!["Content-Type: application/json"];
        all.extend_from_slice(headers);
        c.send(&http(status, &all, b"7\r\n{\"a\":1}\r\n0\r\n\r\n"));
        Next::KeepAlive(c)
    });
    // `gzip, chunked` over two fields is sound framing: the body is read to its last
    // chunk (and its connection could be reused).
    let (out, t) = run(
        &s,
        &s.url("/split"),
        "expect:\n  status: 200",
        &["--jobs", "1"],
    );
    assert_eq!(t["outcome"], "passed", "{}{t:#}", stdout(&out));
    for (path, extra) in [
        ("/both", "expect:\n  json:\n    $.a: 1"),
        ("/http10", "expect:\n  json:\n    $.a: 1"),
    ] {
        let before = connections.load(Ordering::SeqCst);
        let (out, t) = run(&s, &s.url(path), extra, &["--jobs", "1"]);
        assert_eq!(t["outcome"], "passed", "{path}: {}{t:#}", stdout(&out));
        // Two sends and a read-back: each on its own connection.
        let sends = t["sends"].as_array().map_or(0, Vec::len);
        assert!(
            connections.load(Ordering::SeqCst) - before >= sends,
            "{path}: a connection was reused after doubtful framing"
        );
    }
}

/// A reason phrase with a byte above 0x7F is read as requests reads it (Latin-1), so
/// `expect.reason` can match it.
#[test]
fn a_latin1_reason_phrase_is_kept() {
    let s = server(|mut c| {
        let mut bytes = b"HTTP/1.1 200 Tr\xe8s bien\r\n".to_vec();
        bytes.extend_from_slice(b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        c.send(&bytes);
        Next::KeepAlive(c)
    });
    let (out, t) = run(&s, &s.url("/x"), "expect:\n  reason: Très bien", &[]);
    assert_eq!(t["outcome"], "passed", "{}{t:#}", stdout(&out));
}

/// No body means nothing to decode, whatever `Content-Encoding` says.
#[test]
fn an_empty_body_with_a_content_encoding_is_fine() {
    let s = server(|mut c| {
        let head: &[&str] = if c.target == "/204" {
            &["Content-Encoding: gzip"]
        } else {
            &["Content-Encoding: gzip", "Content-Length: 0"]
        };
        let status = if c.target == "/204" {
            "HTTP/1.1 204 No Content"
        } else {
            "HTTP/1.1 200 OK"
        };
        c.send(&http(status, head, b""));
        Next::KeepAlive(c)
    });
    let (out, t) = run(&s, &s.url("/204"), "expect:\n  status: 204", &[]);
    assert_eq!(t["outcome"], "passed", "{}{t:#}", stdout(&out));
    let (out, t) = run(&s, &s.url("/empty"), "expect:\n  status: 200", &[]);
    assert_eq!(t["outcome"], "passed", "{}{t:#}", stdout(&out));
}

/// An obsolete line fold (RFC 9112 §5.2) is read as one space.
#[test]
fn a_folded_header_line_is_unfolded() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.1 200 OK",
            &[
                "X-Folded: a",
                " b",
                "Content-Type: application/json",
                "Content-Length: 2",
            ],
            b"{}",
        ));
        Next::KeepAlive(c)
    });
    let (out, t) = run(
        &s,
        &s.url("/x"),
        "expect:\n  headers:\n    X-Folded: a b",
        &[],
    );
    assert_eq!(t["outcome"], "passed", "{}{t:#}", stdout(&out));
}

/// A chunked body cut short, or with broken framing, is said to be so: no word of
/// `Content-Length`, and no doubt that the server speaks HTTP.
#[test]
fn chunked_failures_blame_the_chunks() {
    let s = server(|mut c| {
        let body: &[u8] = if c.target == "/cut" {
            b"5\r\nab"
        } else {
            b"zz\r\nab\r\n"
        };
        c.send(&http(
            "HTTP/1.1 200 OK",
            &["Transfer-Encoding: chunked"],
            body,
        ));
        Next::Done
    });
    let (_, t) = run(&s, &s.url("/cut"), "", &[]);
    assert_verdict(
        &t,
        "errored",
        &["2 bytes of the chunked body", "before its last chunk"],
    );
    assert!(!message(&t).contains("Content-Length"), "{}", message(&t));
    let (_, t) = run(&s, &s.url("/bad"), "", &[]);
    assert_verdict(&t, "errored", &["chunked body is malformed", "`zz`"]);
    assert!(!message(&t).contains("HTTP server"), "{}", message(&t));
}

/// A redirect to a scheme other than http or https is refused, not followed as HTTP.
#[test]
fn a_redirect_to_another_scheme_is_refused() {
    let s = server(|mut c| {
        c.send(&http(
            "HTTP/1.1 302 Found",
            &["Location: ftp://files.example/x", "Content-Length: 0"],
            b"",
        ));
        Next::KeepAlive(c)
    });
    let (_, t) = run(&s, &s.url("/x"), "", &[]);
    assert_verdict(
        &t,
        "errored",
        &["ftp://files.example/x", "http and https URLs only"],
    );
}
