//! HTTP/2: the same checks over h2c (the demo, a raw h2 server) and over TLS with ALPN
//! (hypercorn, a server of another make, offering `h2` only); misbehaving streams fail
//! their own test in plain words while the others pass.

use crate::common;

use crate::common::h2::H2Server;
use crate::common::*;
use serde_json::Value;

fn tests_of(report: &Value) -> Vec<Value> {
    report["tests"].as_array().cloned().unwrap_or_default()
}

fn by_name<'a>(tests: &'a [Value], name: &str) -> &'a Value {
    tests
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no test {name}"))
}

fn message(t: &Value) -> String {
    t["failures"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Over h2c the demo answers on HTTP/2 (its `/version` says so), `expect.version`
/// holds, the repeat and the read-back run as over HTTP/1.1, and `expect.reason` says
/// why it cannot pass.
#[test]
fn the_demo_speaks_h2c_and_every_check_runs_over_it() {
    let demo = putcheck::demo::DemoServer::start("127.0.0.1:0").unwrap();
    let specs = Specs::new();
    specs.write(
        "h2.yaml",
        &format!(
            r#"base_url: {}
defaults:
  http_version: "2"
tests:
  - name: version
    put: /version
    json: {{ a: 1 }}
    expect:
      version: "2"
      json:
        $.version: "2"
  - name: store
    put: /items/h2-store
    json: {{ name: widget, size: 3 }}
    idempotency: {{ readback: exact, server_fields: [$.id], conditional: true }}
    expect:
      status: [200, 201]
  - name: reason
    put: /version
    json: {{ a: 1 }}
    idempotency: false
    expect:
      reason: OK
  - name: one point one
    put: /version
    http_version: "1.1"
    json: {{ a: 1 }}
    idempotency: false
    expect:
      version: "1.1"
      reason: OK
      json:
        $.version: "1.1"
"#,
            demo.base_url()
        ),
    );
    let (out, report) = specs.run_report(&["h2.yaml", "-v"]);
    let tests = tests_of(&report);
    for name in ["version", "store", "one point one"] {
        assert_eq!(
            by_name(&tests, name)["outcome"],
            "passed",
            "{name}: {}",
            stdout(&out)
        );
    }
    let reason = by_name(&tests, "reason");
    assert_eq!(reason["outcome"], "failed");
    assert!(
        message(reason).contains("HTTP/2 has no reason phrase"),
        "{}",
        message(reason)
    );
    // Every send went over HTTP/2, and `-v` says so.
    for send in by_name(&tests, "store")["sends"].as_array().unwrap() {
        assert_eq!(send["version"], "HTTP/2", "{send:#}");
    }
    assert!(stdout(&out).contains("HTTP/2 200"), "{}", stdout(&out));
    // The request record shows the field names as HTTP/2 sent them.
    let headers = by_name(&tests, "version")["request"]["headers"].to_string();
    assert!(
        headers.contains("content-type") && !headers.contains("Content-Type"),
        "{headers}"
    );
}

/// `--http2` sets the version of the tests that do not say; `--curl` shows curl's flag.
#[test]
fn the_http2_flag_sets_the_default_and_curl_says_so() {
    let demo = putcheck::demo::DemoServer::start("127.0.0.1:0").unwrap();
    let specs = Specs::new();
    specs.write(
        "flag.yaml",
        &format!(
            "base_url: {}\ntests:\n  - name: version\n    put: /version\n    json: {{ a: 1 }}\n    idempotency: false\n    expect:\n      json:\n        $.version: \"1.1\"\n",
            demo.base_url()
        ),
    );
    let (out, report) = specs.run_report(&["flag.yaml", "--http2", "--curl"]);
    let t = &tests_of(&report)[0];
    assert_eq!(t["outcome"], "failed", "{}", stdout(&out));
    assert!(t.to_string().contains("HTTP/2"), "{t:#}");
    assert!(
        stdout(&out).contains("curl --http2-prior-knowledge"),
        "{}",
        stdout(&out)
    );
    let (out, report) = specs.run_report(&["flag.yaml", "--http1.1"]);
    assert_eq!(
        tests_of(&report)[0]["outcome"],
        "passed",
        "{}",
        stdout(&out)
    );
}

/// A reset stream, a refused one, a stalled one: each fails its own test in plain
/// words within its `timeout`, on the connection the others share and pass on. A
/// stream refused once goes again (HTTP/2 says it was not processed), and the report
/// counts it.
#[test]
fn misbehaving_streams_fail_their_own_test_only() {
    let server = H2Server::start();
    let specs = Specs::new();
    let test = |name: &str, path: &str| {
        format!("  - name: {name}\n    put: {path}\n    json: {{ a: 1 }}\n    idempotency: false\n    timeout: 2s\n")
    };
    specs.write(
        "streams.yaml",
        &format!(
            "base_url: http://{}\nparallel: true\ndefaults:\n  http_version: \"2\"\ntests:\n{}{}{}{}{}{}",
            server.addr,
            test("ok", "/ok"),
            test("reset", "/reset"),
            test("refused once", "/refuse-once"),
            test("refused always", "/refuse-always"),
            test("stalled", "/stall"),
            test("ok too", "/ok-too"),
        ),
    );
    let (out, report) = specs.run_report(&["streams.yaml", "--jobs", "8"]);
    let tests = tests_of(&report);
    for name in ["ok", "ok too", "refused once"] {
        assert_eq!(
            by_name(&tests, name)["outcome"],
            "passed",
            "{name}: {}",
            stdout(&out)
        );
    }
    assert_eq!(
        by_name(&tests, "refused once")["sends"][0]["refused_streams"],
        1
    );
    assert_eq!(server.seen("/refuse-once"), 2);
    assert_eq!(
        server.seen("/refuse-always"),
        2,
        "refused twice, sent no third time"
    );
    for (name, words) in [
        (
            "reset",
            "reset the HTTP/2 stream (RST_STREAM, INTERNAL_ERROR)",
        ),
        ("refused always", "refused the HTTP/2 stream twice"),
        ("stalled", "did not answer over HTTP/2 within 2s"),
    ] {
        let t = by_name(&tests, name);
        assert_eq!(t["outcome"], "errored", "{name}: {t:#}");
        assert!(message(t).contains(words), "{name}: {}", message(t));
    }
    // All on one connection, as HTTP/2 intends.
    assert_eq!(*server.connections.lock().unwrap(), 1);
    assert_follows_report_schema(&report);
}

/// GOAWAY in the middle of a run fails the stream it cut off, and the next test opens a
/// new connection.
#[test]
fn goaway_fails_the_cut_stream_and_the_run_goes_on() {
    let server = H2Server::start();
    let specs = Specs::new();
    specs.write(
        "goaway.yaml",
        &format!(
            "base_url: http://{}\ndefaults:\n  http_version: \"2\"\n  timeout: 3s\ntests:\n  - {{ name: before, put: /before, json: {{ a: 1 }}, idempotency: false }}\n  - {{ name: goaway, put: /goaway, json: {{ a: 1 }}, idempotency: false }}\n  - {{ name: after, put: /after, json: {{ a: 1 }}, idempotency: false }}\n",
            server.addr
        ),
    );
    let (out, report) = specs.run_report(&["goaway.yaml", "--jobs", "1"]);
    let tests = tests_of(&report);
    assert_eq!(
        by_name(&tests, "before")["outcome"],
        "passed",
        "{}",
        stdout(&out)
    );
    assert_eq!(
        by_name(&tests, "after")["outcome"],
        "passed",
        "{}",
        stdout(&out)
    );
    let cut = by_name(&tests, "goaway");
    assert_eq!(cut["outcome"], "errored");
    assert!(
        message(cut).contains("closed the HTTP/2 connection before it answered"),
        "{}",
        message(cut)
    );
    assert_eq!(*server.connections.lock().unwrap(), 2);
}

/// `http_version: "2"` against a TLS server that does not agree to `h2` fails clearly,
/// naming what it chose; `auto` takes HTTP/1.1 from it and passes.
#[test]
fn a_server_without_h2_is_named_and_auto_falls_back() {
    let specs = Specs::new();
    let pki = common::tls::Pki::generate(specs.dir.path());
    let server = TestServer::start_tls(pki.server_config(), |_| {
        Action::json(200, serde_json::json!({"ok": true}))
    });
    specs.write(
        "alpn.yaml",
        &format!(
            "base_url: {}\ndefaults:\n  verify: ca.pem\ntests:\n  - {{ name: two, put: /x, json: {{ a: 1 }}, idempotency: false, http_version: \"2\" }}\n  - {{ name: auto, put: /x, json: {{ a: 1 }}, idempotency: false, http_version: auto, expect: {{ version: \"1.1\" }} }}\n",
            server.https_url("")
        ),
    );
    let (out, report) = specs.run_report(&["alpn.yaml"]);
    let tests = tests_of(&report);
    let two = by_name(&tests, "two");
    assert_eq!(two["outcome"], "errored", "{}", stdout(&out));
    assert!(
        message(two).contains("did not agree to HTTP/2"),
        "{}",
        message(two)
    );
    assert_eq!(
        by_name(&tests, "auto")["outcome"],
        "passed",
        "{}",
        stdout(&out)
    );
}

/// hypercorn (a server of another make, PyPI) with an ASGI app that forwards to a demo
/// server and says which version it was spoken to on; `None` when hypercorn is missing.
struct Hypercorn {
    child: std::process::Child,
    port: u16,
}

impl Drop for Hypercorn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hypercorn(
    test: &str,
    demo: &str,
    tls: Option<&std::path::Path>,
    dir: &std::path::Path,
) -> Option<Hypercorn> {
    let has = std::process::Command::new("python3")
        .args(["-c", "import hypercorn"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        missing_component(
            test,
            "hypercorn",
            "python3 -m pip install hypercorn, as .ci/run does",
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = format!("bind = [\"127.0.0.1:{port}\"]\n");
    if let Some(certs) = tls {
        // HTTP/2 only: ALPN offers `h2` and nothing else.
        config.push_str(&format!(
            "alpn_protocols = [\"h2\"]\ncertfile = \"{}\"\nkeyfile = \"{}\"\n",
            certs.join("server.pem").display(),
            certs.join("server-key.pem").display()
        ));
    }
    let config_path = dir.join(format!("hypercorn-{port}.toml"));
    std::fs::write(&config_path, config).unwrap();
    let child = std::process::Command::new("python3")
        .args(["-m", "hypercorn", "-c"])
        .arg(&config_path)
        .arg("proxy_app:app")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/h2"))
        .env("PUTCHECK_DEMO", demo)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = Hypercorn { child, port };
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "hypercorn did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Some(server)
}

/// Every check of specs/widgets.yaml (the repeat, exact read-back, created once,
/// conditional requests, refused input, a POST with an Idempotency-Key) over HTTP/2 to a
/// server that speaks only HTTP/2: TLS with ALPN `h2` alone, and h2c with prior
/// knowledge. The server confirms every request came on HTTP/2.
#[test]
fn the_widget_checks_pass_over_http2_against_hypercorn() {
    let test = "the_widget_checks_pass_over_http2_against_hypercorn";
    let specs = Specs::new();
    // The test CA and the server certificate hypercorn serves, as files in the folder.
    common::tls::Pki::generate(specs.dir.path());
    let widgets =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/widgets.yaml"))
            .unwrap();
    // The same file, told to trust the test CA.
    specs.write(
        "widgets.yaml",
        &widgets.replacen("\ntests:", "\ndefaults:\n  verify: ca.pem\ntests:", 1),
    );
    specs.write(
        "served.yaml",
        "base_url: ${BASE_URL}\ndefaults:\n  verify: ca.pem\ntests:\n  - name: served over\n    get: /served-over\n    expect:\n      version: \"2\"\n      json:\n        $.version: \"2\"\n",
    );
    for tls in [true, false] {
        // A demo of its own for each, so that the widgets start absent.
        let demo = putcheck::demo::DemoServer::start("127.0.0.1:0").unwrap();
        let demo_addr = demo.base_url().trim_start_matches("http://").to_string();
        let Some(server) = hypercorn(
            test,
            &demo_addr,
            tls.then(|| specs.dir.path()),
            specs.dir.path(),
        ) else {
            return;
        };
        let scheme = if tls { "https" } else { "http" };
        let base = format!("{scheme}://127.0.0.1:{}", server.port);
        let out = specs.run_env(
            &["widgets.yaml", "served.yaml", "--http2", "--json", "r.json"],
            &[("BASE_URL", base.as_str())],
        );
        let report = specs.report(&out);
        let tests = tests_of(&report);
        assert!(tests.len() >= 4, "{}", stdout(&out));
        for t in &tests {
            assert_eq!(
                t["outcome"],
                "passed",
                "{scheme}: {}{}",
                stdout(&out),
                stderr(&out)
            );
            for send in t["sends"].as_array().unwrap() {
                assert_eq!(send["version"], "HTTP/2", "{scheme}: {send:#}");
                let served = send["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|h| h[0] == "x-served-over")
                    .map(|h| h[1].clone());
                assert_eq!(served, Some(Value::from("2")), "{scheme}: {send:#}");
            }
        }
    }
}

/// Over HTTP/2 as over HTTP/1.1: a redirect is followed, `Content-Encoding` is undone
/// before the checks, and a body over `--max-body` fails its test at the limit.
#[test]
fn redirects_encodings_and_the_body_limit_hold_over_http2() {
    let server = H2Server::start();
    let specs = Specs::new();
    specs.write(
        "more.yaml",
        &format!(
            "base_url: http://{}\ndefaults:\n  http_version: \"2\"\ntests:\n  - {{ name: redirect, put: /redirect, json: {{ a: 1 }}, idempotency: false, expect: {{ status: 200, json: {{ $.path: /landed }} }} }}\n  - {{ name: gzip, put: /gzip, json: {{ a: 1 }}, idempotency: false, expect: {{ json: {{ $.path: /gzip }} }} }}\n  - {{ name: big, put: /big, json: {{ a: 1 }}, idempotency: false }}\n",
            server.addr
        ),
    );
    let (out, report) = specs.run_report(&["more.yaml", "--max-body", "1"]);
    let tests = tests_of(&report);
    for name in ["redirect", "gzip"] {
        assert_eq!(
            by_name(&tests, name)["outcome"],
            "passed",
            "{name}: {}",
            stdout(&out)
        );
    }
    assert_eq!(server.seen("/landed"), 1);
    let big = by_name(&tests, "big");
    assert_eq!(big["outcome"], "errored", "{}", stdout(&out));
    assert!(
        message(big).contains("larger than 1 MiB"),
        "{}",
        message(big)
    );
}
