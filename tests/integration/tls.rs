//! `verify` and `cert` against a local HTTPS server whose CA and certificates are made at
//! test time (rcgen), with rustls on the server side.

use crate::common::tls::Pki;
use crate::common::*;
use serde_json::{json, Value};

fn ok_handler(r: &Req) -> Action {
    Action::json(200, json!({"path": r.path(), "method": r.method}))
}

/// Runs the specs with a JSON report and returns (output, report).
fn outcome(rep: &Value, i: usize) -> String {
    rep["tests"][i]["outcome"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn message(rep: &Value, i: usize) -> String {
    rep["tests"][i]["failures"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn verify_checks_the_server_certificate_against_the_given_ca() {
    let specs = Specs::new();
    let pki = Pki::generate(specs.dir.path());
    let server = TestServer::start_tls(pki.server_config(), ok_handler);
    specs.write(
        "v.yaml",
        &format!(
            r#"
base_url: {base}
tests:
  - name: default verify (bundled web roots) does not know the test CA
    get: /default
  - name: verify with the CA bundle
    get: /ca
    verify: ca.pem
  - name: verify true is the default
    get: /true
    verify: true
"#,
            base = server.https_url("")
        ),
    );
    let (out, rep) = specs.run_report(&["v.yaml"]);
    assert_exit(&out, 1);
    for i in [0, 2] {
        assert_eq!(outcome(&rep, i), "errored", "test {i}");
        let m = message(&rep, i);
        assert!(m.contains("certificate is not trusted"), "{m}");
        assert!(
            m.contains("verify: ca.pem") && m.contains("verify: false"),
            "says what to do: {m}"
        );
    }
    assert_eq!(outcome(&rep, 1), "passed", "{}", message(&rep, 1));
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(
        paths,
        vec!["/ca"],
        "only the verified handshake got to send a request"
    );
    assert!(!stderr(&out).contains("verification is off"));
}

#[test]
fn verify_in_defaults_applies_and_a_test_overrides_it() {
    let specs = Specs::new();
    let pki = Pki::generate(specs.dir.path());
    let server = TestServer::start_tls(pki.server_config(), ok_handler);
    specs.write(
        "d.yaml",
        &format!(
            r#"
base_url: {base}
defaults:
  verify: ca.pem
tests:
  - {{ name: from defaults, get: /a }}
  - {{ name: overridden, get: /b, verify: true }}
"#,
            base = server.https_url("")
        ),
    );
    let (_, rep) = specs.run_report(&["d.yaml"]);
    assert_eq!(outcome(&rep, 0), "passed", "{}", message(&rep, 0));
    assert_eq!(outcome(&rep, 1), "errored");
    assert!(
        message(&rep, 1).contains("not trusted"),
        "{}",
        message(&rep, 1)
    );
}

#[test]
fn verify_false_skips_the_check_and_warns_once_per_run() {
    let specs = Specs::new();
    let pki = Pki::generate(specs.dir.path());
    let server = TestServer::start_tls(pki.server_config(), ok_handler);
    specs.write(
        "off.yaml",
        &format!(
            r#"
base_url: {base}
defaults:
  verify: false
tests:
  - {{ name: one, get: /1 }}
  - {{ name: two, put: /2, json: {{ a: 1 }} }}
"#,
            base = server.https_url("")
        ),
    );
    specs.write(
        "off2.yaml",
        &format!(
            "tests:\n  - {{ name: three, get: {}, verify: false }}\n",
            server.https_url("/3")
        ),
    );
    let out = specs.run(&["off.yaml", "off2.yaml"]);
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert_eq!(
        err.matches("warning: TLS certificate verification is off")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("for 3 test(s)"), "{err}");
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn mutual_tls_passes_with_cert_in_either_form_and_fails_clearly_without() {
    let specs = Specs::new();
    let pki = Pki::generate(specs.dir.path());
    let server = TestServer::start_tls(pki.mtls_server_config(), ok_handler);
    specs.write(
        "m.yaml",
        &format!(
            r#"
base_url: {base}
defaults:
  verify: ca.pem
tests:
  - name: one PEM with certificate and key
    get: /combined
    cert: client-combined.pem
  - name: certificate and key apart
    get: /pair
    cert: [client.pem, client-key.pem]
  - name: no client certificate
    get: /none
  - name: a certificate the server does not trust
    get: /rogue
    cert: rogue-combined.pem
"#,
            base = server.https_url("")
        ),
    );
    let (out, rep) = specs.run_report(&["m.yaml"]);
    assert_exit(&out, 1);
    assert_eq!(outcome(&rep, 0), "passed", "{}", message(&rep, 0));
    assert_eq!(outcome(&rep, 1), "passed", "{}", message(&rep, 1));
    assert_eq!(outcome(&rep, 2), "errored");
    let m = message(&rep, 2);
    assert!(m.contains("requires a client certificate"), "{m}");
    assert!(m.contains("cert:"), "says how to give one: {m}");
    assert_eq!(outcome(&rep, 3), "errored");
    let m = message(&rep, 3);
    assert!(m.contains("rejected the client certificate"), "{m}");
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(paths, vec!["/combined", "/pair"]);
}

#[test]
fn unusable_tls_files_and_a_plain_http_port_fail_with_what_to_do() {
    let specs = Specs::new();
    let pki = Pki::generate(specs.dir.path());
    let plain = TestServer::start(ok_handler);
    // Like nginx on a plain port: answers a TLS ClientHello with a plaintext 400.
    let talker = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let talker_addr = talker.local_addr().expect("addr");
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for conn in talker.incoming().take(2) {
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 512];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    std::fs::write(specs.path("not-a-ca.pem"), "hello\n").expect("write");
    specs.write(
        "bad.yaml",
        &format!(
            r#"
tests:
  - name: https to a plain HTTP port that hangs up
    get: https://{plain}/
  - name: https to a plain HTTP port that answers in plaintext
    get: https://{talker_addr}/
  - name: a CA bundle with no certificate
    get: https://{plain}/
    verify: not-a-ca.pem
  - name: a certificate without its key
    get: https://{plain}/
    cert: client.pem
"#,
            plain = plain.addr
        ),
    );
    let _ = &pki;
    let (out, rep) = specs.run_report(&["bad.yaml"]);
    assert_exit(&out, 1);
    for i in [0, 1] {
        let m = message(&rep, i);
        assert!(
            m.contains("TLS handshake") && m.contains("really speaking HTTPS"),
            "{m}"
        );
    }
    let m = message(&rep, 2);
    assert!(
        m.contains("CA bundle (`verify`)") && m.contains("holds no certificate"),
        "{m}"
    );
    let m = message(&rep, 3);
    assert!(
        m.contains("no PEM private key") && m.contains("[cert.pem, key.pem]"),
        "{m}"
    );
}

/// Runs `openssl` with `words` (split at spaces) and then `-subj subject` in `dir`;
/// false (after saying so) when it is missing.
fn openssl(dir: &std::path::Path, words: &str, subject: Option<&str>) -> bool {
    let mut args: Vec<&str> = words.split(' ').collect();
    if let Some(s) = subject {
        args.extend(["-subj", s]);
    }
    match std::process::Command::new("openssl")
        .args(&args)
        .current_dir(dir)
        .output()
    {
        Ok(o) => {
            assert!(o.status.success(), "openssl {args:?}: {}", stderr(&o));
            true
        }
        Err(_) => {
            missing_component(
                "a_v1_client_certificate_is_presented",
                "openssl",
                "apt-get install openssl",
            );
            false
        }
    }
}

/// A client certificate made by the common openssl recipe (`openssl x509 -req` without
/// extensions gives an X.509 v1 certificate) is presented as curl and requests present
/// it, to a server of another make (Python's ssl module, on OpenSSL) that requires one.
#[test]
fn a_v1_client_certificate_is_presented() {
    let specs = Specs::new();
    let dir = specs.dir.path();
    let self_signed = |name: &str, subject: &str| {
        openssl(
            dir,
            &format!(
                "req -x509 -newkey rsa:2048 -nodes -keyout {name}-key.pem -out {name}.pem -days 2"
            ),
            Some(subject),
        )
    };
    let made = self_signed("ca", "/CN=putcheck test CA")
        && openssl(
            dir,
            "req -newkey rsa:2048 -nodes -keyout client-key.pem -out client.csr",
            Some("/CN=v1 client"),
        )
        && openssl(
            dir,
            "x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out client.pem -days 2",
            None,
        )
        && self_signed("server", "/CN=127.0.0.1");
    if !made {
        return;
    }
    let text = std::process::Command::new("openssl")
        .args(["x509", "-in", "client.pem", "-noout", "-text"])
        .current_dir(dir)
        .output()
        .map(|o| stdout(&o))
        .unwrap_or_default();
    assert!(
        text.contains("Version: 1 (0x0)"),
        "not a v1 certificate: {text}"
    );
    let server = r#"
import http.server, json, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        subject = dict(x[0] for x in self.connection.getpeercert()["subject"])
        body = json.dumps({"client": subject.get("commonName")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_PUT
    def log_message(self, *a): pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("server.pem", "server-key.pem")
ctx.load_verify_locations("ca.pem")
ctx.verify_mode = ssl.CERT_REQUIRED
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"#;
    let mut child = match std::process::Command::new("python3")
        .args(["-c", server])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(_) => {
            return missing_component(
                "a_v1_client_certificate_is_presented",
                "python3",
                "apt-get install python3",
            )
        }
    };
    let mut port = String::new();
    if let Some(out) = child.stdout.as_mut() {
        use std::io::BufRead;
        let _ = std::io::BufReader::new(out).read_line(&mut port);
    }
    let port = port.trim().to_string();
    specs.write(
        "v1.yaml",
        &format!(
            "tests:\n  - name: v1 client certificate\n    put: https://127.0.0.1:{port}/x\n    json: {{ a: 1 }}\n    verify: false\n    cert: [client.pem, client-key.pem]\n    idempotency: false\n    expect:\n      status: 200\n      json:\n        $.client: v1 client\n"
        ),
    );
    let (out, report) = specs.run_report(&["v1.yaml"]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(outcome(&report, 0), "passed", "{}{report:#}", stdout(&out));
}
