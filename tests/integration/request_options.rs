//! Request options with the meaning of `requests.put(url, **kwargs)`: params, data, files,
//! cookies, body_file, auth, timeout, allow_redirects, and defaults. Each is checked on
//! the server side, where the request arrives.

use std::time::{Duration, Instant};

use crate::common::multipart::{parse_multipart, Part};
use crate::common::*;
use serde_json::{json, Value};

/// Answers every request with what it received.
fn echo_server() -> TestServer {
    TestServer::start(|r| {
        let headers: serde_json::Map<String, Value> = r
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), Value::String(v.clone())))
            .collect();
        Action::json(
            200,
            json!({
                "method": r.method,
                "target": r.target,
                "headers": headers,
                "body": r.body_text(),
                "body_len": r.body_len,
            }),
        )
    })
}

fn run_ok(specs: &Specs, args: &[&str]) -> std::process::Output {
    let out = specs.run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

// ---------------------------------------------------------------------------------------
// params and data (form): encoded byte for byte as requests encodes them
// ---------------------------------------------------------------------------------------

/// The expected strings were produced by requests 2.34 itself:
/// `requests.Request('PUT', 'http://h/p?pre=1', params={...}).prepare().url` and
/// `requests.Request('PUT', url, data={...}).prepare().body`.
#[test]
fn params_and_form_data_are_encoded_exactly_as_requests_encodes_them() {
    let server = echo_server();
    let specs = Specs::new();
    specs.write(
        "p.yaml",
        &format!(
            r#"
base_url: {base}
tests:
  - name: params
    put: /p?pre=1
    params:
      q: a b
      sym: "*~!'()/?&=+%#:@;,$[]"
      list: [x, y z]
      uni: "ü€"
      empty: ""
      k e/y: v
  - name: form data
    put: /f
    data:
      name: a b
      sym: "*~!'()/?&=+%#"
      tag: [x, y]
      uni: "ü€"
"#,
            base = server.base()
        ),
    );
    run_ok(&specs, &["p.yaml"]);
    let reqs = server.requests();
    let params = reqs
        .iter()
        .find(|r| r.path() == "/p")
        .expect("params request");
    assert_eq!(
        params.target,
        "/p?pre=1&q=a+b&sym=%2A~%21%27%28%29%2F%3F%26%3D%2B%25%23%3A%40%3B%2C%24%5B%5D\
         &list=x&list=y+z&uni=%C3%BC%E2%82%AC&empty=&k+e%2Fy=v"
    );
    let form = reqs
        .iter()
        .find(|r| r.path() == "/f")
        .expect("form request");
    assert_eq!(
        form.body_text(),
        "name=a+b&sym=%2A~%21%27%28%29%2F%3F%26%3D%2B%25%23&tag=x&tag=y&uni=%C3%BC%E2%82%AC"
    );
    assert_eq!(
        form.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
}

#[test]
fn raw_data_is_sent_as_is_and_a_bodyless_put_sends_content_length_0() {
    let server = echo_server();
    let specs = Specs::new();
    specs.write(
        "r.yaml",
        &format!(
            r#"
base_url: {base}
tests:
  - {{ name: raw, put: /raw, data: "a=b&c d+e", idempotency: false }}
  - {{ name: empty put, put: /empty, idempotency: false }}
  - {{ name: get, get: /get }}
"#,
            base = server.base()
        ),
    );
    run_ok(&specs, &["r.yaml"]);
    let reqs = server.requests();
    let raw = &reqs[0];
    assert_eq!(raw.body_text(), "a=b&c d+e");
    assert_eq!(
        raw.header("content-type"),
        None,
        "requests sets no Content-Type for raw data"
    );
    // requests: "Set Content-Length to 0 for methods that can have a body but don't provide one."
    assert_eq!(reqs[1].header("content-length"), Some("0"));
    assert_eq!(reqs[2].header("content-length"), None);
}

// ---------------------------------------------------------------------------------------
// cookies
// ---------------------------------------------------------------------------------------

#[test]
fn cookies_go_out_as_one_cookie_header_merged_with_a_cookie_header() {
    let server = echo_server();
    let specs = Specs::new();
    specs.write(
        "c.yaml",
        &format!(
            r#"
base_url: {base}
defaults:
  cookies: {{ session: s1, theme: dark }}
tests:
  - name: cookies only
    get: /a
    cookies: {{ theme: light, b: x y }}
  - name: merged with a Cookie header
    get: /b
    headers: {{ cookie: "pre=0" }}
    cookies: {{ a: 1 }}
"#,
            base = server.base()
        ),
    );
    run_ok(&specs, &["c.yaml"]);
    let reqs = server.requests();
    let cookie_headers = |i: usize| -> Vec<&str> {
        reqs[i]
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    };
    // A test's cookie replaces the default of the same name; the others stay.
    assert_eq!(cookie_headers(0), vec!["session=s1; theme=light; b=x y"]);
    assert_eq!(
        cookie_headers(1),
        vec!["pre=0; session=s1; theme=dark; a=1"]
    );
}

// ---------------------------------------------------------------------------------------
// files: multipart/form-data checked with a real parser (multer)
// ---------------------------------------------------------------------------------------

/// What requests 2.34 (urllib3 2) sends for
/// `requests.put(url, data={'f1': 'v1', 'f2': ['a', 'b']}, files={'up': open('upload.bin',
/// 'rb'), 'c': 'inline text', 'named': ('my "file".txt', 'data', 'text/plain'),
/// 'uni': ('ü.txt', 'x')})`, captured from `PreparedRequest.body`.
const REQUESTS_BOUNDARY: &str = "f162b638362df5dea91d1c0d6d6a4d89";
const REQUESTS_MULTIPART: &[u8] = b"--f162b638362df5dea91d1c0d6d6a4d89\r\nContent-Disposition: form-data; name=\"f1\"\r\n\r\nv1\r\n--f162b638362df5dea91d1c0d6d6a4d89\r\nContent-Disposition: form-data; name=\"f2\"\r\n\r\na\r\n--f162b638362df5dea91d1c0d6d6a4d89\r\nContent-Disposition: form-data; name=\"f2\"\r\n\r\nb\r\n--f162b638362df5dea91d1c0d6d6a4d89\r\nContent-Disposition: form-data; name=\"up\"; filename=\"upload.bin\"\r\n\r\nbin\x00\xff\r\n--x\r\nend\r\n--f162b638362df5dea91d1c0d6d6a4d89\r\nContent-Disposition: form-data; name=\"c\"; filename=\"c\"\r\n\r\ninline text\r\n--f162b638362df5dea91d1c0d6d6a4d89\r\nContent-Disposition: form-data; name=\"named\"; filename=\"my %22file%22.txt\"\r\nContent-Type: text/plain\r\n\r\ndata\r\n--f162b638362df5dea91d1c0d6d6a4d89\r\nContent-Disposition: form-data; name=\"uni\"; filename=\"\xc3\xbc.txt\"\r\n\r\nx\r\n--f162b638362df5dea91d1c0d6d6a4d89--\r\n";

#[test]
fn files_make_the_multipart_body_requests_makes() {
    let server = echo_server();
    let specs = Specs::new();
    std::fs::write(specs.path("upload.bin"), b"bin\x00\xff\r\n--x\r\nend").expect("write upload");
    specs.write(
        "m.yaml",
        &format!(
            r#"
tests:
  - name: multipart
    put: {url}
    idempotency: false
    data: {{ f1: v1, f2: [a, b] }}
    files:
      up: upload.bin
      c: {{ content: inline text }}
      named: {{ content: data, filename: 'my "file".txt', content_type: text/plain }}
      uni: {{ content: x, filename: "ü.txt" }}
"#,
            url = server.url("/upload")
        ),
    );
    run_ok(&specs, &["m.yaml"]);
    let req = &server.requests()[0];
    let content_type = req
        .header("content-type")
        .expect("a Content-Type")
        .to_string();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );

    let ours = parse_multipart(&content_type, req.body.clone());
    let theirs = parse_multipart(
        &format!("multipart/form-data; boundary={REQUESTS_BOUNDARY}"),
        REQUESTS_MULTIPART.to_vec(),
    );
    let expected = |name: &str, filename: Option<&str>, ct: Option<&str>, data: &[u8]| Part {
        name: Some(name.into()),
        filename: filename.map(String::from),
        content_type: ct.map(String::from),
        data: data.to_vec(),
    };
    assert_eq!(
        ours,
        vec![
            expected("f1", None, None, b"v1"),
            expected("f2", None, None, b"a"),
            expected("f2", None, None, b"b"),
            expected("up", Some("upload.bin"), None, b"bin\x00\xff\r\n--x\r\nend"),
            expected("c", Some("c"), None, b"inline text"),
            expected(
                "named",
                Some("my %22file%22.txt"),
                Some("text/plain"),
                b"data"
            ),
            expected("uni", Some("ü.txt"), None, b"x"),
        ]
    );
    assert_eq!(
        ours, theirs,
        "field by field, as a parser sees requests' body"
    );

    // Byte for byte too, once the random boundaries are set aside.
    let boundary = multer::parse_boundary(&content_type).expect("boundary");
    let ours_bytes = String::from_utf8_lossy(&req.body).replace(&boundary, "BOUNDARY");
    let theirs_bytes =
        String::from_utf8_lossy(REQUESTS_MULTIPART).replace(REQUESTS_BOUNDARY, "BOUNDARY");
    assert_eq!(ours_bytes, theirs_bytes);
}

// ---------------------------------------------------------------------------------------
// body_file: streamed from disk
// ---------------------------------------------------------------------------------------

/// Peak and current resident memory of a process, in KiB, from /proc (Linux).
fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

#[test]
fn body_file_is_streamed_from_disk_not_read_into_memory() {
    const SIZE: u64 = 512 * 1024 * 1024;
    let server = echo_server();
    let specs = Specs::new();
    std::fs::create_dir_all(specs.path("suite/data")).expect("mkdir");
    // Sparse: 512 MiB that take no disk space and read as zeros.
    let file = std::fs::File::create(specs.path("suite/data/big.bin")).expect("create");
    file.set_len(SIZE).expect("set_len");
    drop(file);
    specs.write(
        "suite/big.yaml",
        &format!(
            r#"
tests:
  - name: big upload
    put: {url}
    body_file: data/big.bin   # relative to this spec file, not to the working folder
    idempotency: false
    timeout: 120s
    expect:
      status: 200
      json:
        $.body_len: {SIZE}
"#,
            url = server.url("/big")
        ),
    );
    let mut child = specs
        .command(&["suite/big.yaml"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn putcheck");
    let pid = child.id();
    let (mut peak_kib, mut samples) = (0u64, 0usize);
    let started = Instant::now();
    let status = loop {
        if let Some((hwm, rss)) = memory_kib(pid) {
            peak_kib = peak_kib.max(hwm).max(rss);
            samples += 1;
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "putcheck did not finish"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().expect("output");
    assert!(
        status.success(),
        "stdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    let req = &server.requests()[0];
    assert_eq!(req.body_len, SIZE);
    assert_eq!(
        req.header("content-length"),
        Some(SIZE.to_string().as_str())
    );
    assert!(samples > 0, "no memory sample of the child was taken");
    let peak_mib = peak_kib / 1024;
    eprintln!(
        "putcheck sent {} MiB with a peak RSS of {peak_mib} MiB ({samples} samples)",
        SIZE >> 20
    );
    assert!(
        peak_mib < 100,
        "peak resident memory {peak_mib} MiB for a {} MiB body_file: it was not streamed",
        SIZE >> 20
    );
}

// ---------------------------------------------------------------------------------------
// auth: sent, and masked everywhere it could print
// ---------------------------------------------------------------------------------------

#[test]
fn auth_reaches_the_server_and_prints_as_stars_or_variables_in_verbose_curl_and_json() {
    let server = echo_server();
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!(
            r#"
base_url: {base}
tests:
  - name: basic
    put: /basic
    auth: {{ basic: [alice, "s3cret-pass"] }}
    json: {{ a: 1 }}
    expect: {{ status: 201 }}    # fails, so that -v prints the exchange
  - name: bearer
    put: /bearer
    auth: {{ bearer: tok-abc123xyz }}
    expect: {{ status: 201 }}
"#,
            base = server.base()
        ),
    );
    let out = specs.run(&["a.yaml", "-v", "--curl", "--json", "r.json"]);
    assert_exit(&out, 1);

    // The server saw the real credentials.
    let reqs = server.requests();
    let basic = reqs
        .iter()
        .find(|r| r.path() == "/basic")
        .expect("basic request");
    // base64("alice:s3cret-pass")
    assert_eq!(
        basic.header("authorization"),
        Some("Basic YWxpY2U6czNjcmV0LXBhc3M=")
    );
    let bearer = reqs
        .iter()
        .find(|r| r.path() == "/bearer")
        .expect("bearer request");
    assert_eq!(bearer.header("authorization"), Some("Bearer tok-abc123xyz"));

    // Nothing printed or reported shows them, though the server echoed them back.
    let console = format!("{}{}", stdout(&out), stderr(&out));
    let json_report = std::fs::read_to_string(specs.path("r.json")).expect("report");
    for secret in ["s3cret-pass", "YWxpY2U6czNjcmV0LXBhc3M=", "tok-abc123xyz"] {
        assert!(
            !console.contains(secret),
            "console shows {secret}:\n{console}"
        );
        assert!(
            !json_report.contains(secret),
            "report shows {secret}:\n{json_report}"
        );
    }
    assert!(
        console.contains("> Authorization: ***"),
        "verbose request:\n{console}"
    );
    let curl_lines: Vec<&str> = console
        .lines()
        .filter(|l| l.contains("curl -X PUT"))
        .collect();
    assert_eq!(curl_lines.len(), 2, "{console}");
    // --curl names the credentials as shell variables, to export before pasting.
    assert!(
        curl_lines[0].contains(r#"-u "alice:$AUTH_PASSWORD""#),
        "{}",
        curl_lines[0]
    );
    assert!(
        curl_lines[1].contains(r#"-H "Authorization: Bearer $AUTH_TOKEN""#),
        "{}",
        curl_lines[1]
    );
    let rep = specs.report(&out);
    for t in rep["tests"].as_array().expect("tests") {
        let headers = t["request"]["headers"].as_array().expect("request headers");
        assert!(
            headers
                .iter()
                .any(|h| h == &json!(["Authorization", "***"])),
            "{headers:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// timeout
// ---------------------------------------------------------------------------------------

/// A loopback listener whose accept queue is full: Linux then drops further SYNs, so a
/// connect to it hangs until the client gives up, as with an unreachable host.
fn unreachable_listener() -> (
    socket2::Socket,
    Vec<std::net::TcpStream>,
    std::net::SocketAddr,
) {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    let addr: std::net::SocketAddr = "127.0.0.1:0".parse().expect("addr");
    socket.bind(&addr.into()).expect("bind");
    socket.listen(0).expect("listen");
    let addr = socket
        .local_addr()
        .expect("local addr")
        .as_socket()
        .expect("inet addr");
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(s) => fillers.push(s),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                return (socket, fillers, addr);
            }
            Err(e) => panic!("unexpected connect error while filling the queue: {e}"),
        }
    }
    panic!("the accept queue never filled: this kernel does not drop SYNs on overflow");
}

#[test]
fn a_connect_timeout_fails_the_test_and_names_the_phase() {
    let (_listener, _fillers, addr) = unreachable_listener();
    let specs = Specs::new();
    specs.write(
        "t.yaml",
        &format!(
            r#"
tests:
  - name: no connection
    get: http://{addr}/
    timeout: {{ connect: 400ms, read: 10s }}
"#
        ),
    );
    let started = Instant::now();
    let out = specs.run(&["t.yaml", "--json", "r.json"]);
    let took = started.elapsed();
    assert_exit(&out, 1);
    let rep = specs.report(&out);
    let message = rep["tests"][0]["failures"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("connect timeout"), "{message}");
    assert!(message.contains("400ms"), "{message}");
    assert!(message.contains("timeout.connect"), "{message}");
    assert!(stdout(&out).contains("connect timeout"), "{}", stdout(&out));
    assert!(
        took < Duration::from_secs(8),
        "took {took:?}: the read timeout was used"
    );
}

#[test]
fn a_single_timeout_value_bounds_the_read_too() {
    let server = TestServer::start(|_| Action::Hang(Duration::from_secs(5)));
    let specs = Specs::new();
    specs.write(
        "t.yaml",
        &format!(
            "tests:\n  - {{ name: slow, get: {}, timeout: 300ms }}\n",
            server.url("/slow")
        ),
    );
    let started = Instant::now();
    let out = specs.run(&["t.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("did not send a complete response within 300ms"),
        "{}",
        stdout(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(4));
}

// ---------------------------------------------------------------------------------------
// allow_redirects
// ---------------------------------------------------------------------------------------

/// `/from/<code>` answers `<code>` to `/to`; `/to` records what arrived.
fn redirect_server() -> TestServer {
    TestServer::start(|r| {
        let path = r.path().to_string();
        if let Some(code) = path.strip_prefix("/from/") {
            let code: u16 = code.parse().unwrap_or(302);
            return Action::text(code, canonical(code), "").with_header("Location", "/to");
        }
        if let Some(n) = path.strip_prefix("/chain/") {
            let n: u32 = n.parse().unwrap_or(0);
            return Action::text(302, "Found", "")
                .with_header("Location", &format!("/chain/{}", n + 1));
        }
        Action::json(
            200,
            json!({"method": r.method, "body": r.body_text(), "ct": r.header("content-type")}),
        )
    })
}

#[test]
fn redirects_follow_requests_rules_for_each_status_code() {
    let server = redirect_server();
    let specs = Specs::new();
    let tests: String = [301, 302, 303, 307, 308]
        .iter()
        .map(|code| {
            format!(
                "  - {{ name: '{code}', put: /from/{code}, json: {{ n: {code} }}, idempotency: false }}\n"
            )
        })
        .collect();
    specs.write(
        "r.yaml",
        &format!("base_url: {}\ntests:\n{tests}", server.base()),
    );
    run_ok(&specs, &["r.yaml"]);
    let reqs = server.requests();
    let hop = |code: u16| {
        let i = reqs
            .iter()
            .position(|r| r.path() == format!("/from/{code}"))
            .expect("first hop");
        let first = &reqs[i];
        let second = &reqs[i + 1];
        assert_eq!(first.method, "PUT");
        assert_eq!(first.body_text(), format!("{{\"n\":{code}}}"));
        assert_eq!(second.path(), "/to");
        (
            second.method.clone(),
            second.body_text(),
            second.header("content-type").map(String::from),
        )
    };
    // 301 keeps the method (requests turns only POST into GET) but drops the body.
    assert_eq!(hop(301), ("PUT".into(), String::new(), None));
    // 302 and 303 become GET without a body.
    assert_eq!(hop(302), ("GET".into(), String::new(), None));
    assert_eq!(hop(303), ("GET".into(), String::new(), None));
    // 307 and 308 repeat the request, body and all.
    let json_ct = Some("application/json".to_string());
    assert_eq!(
        hop(307),
        ("PUT".into(), "{\"n\":307}".into(), json_ct.clone())
    );
    assert_eq!(hop(308), ("PUT".into(), "{\"n\":308}".into(), json_ct));
}

#[test]
fn verbose_output_shows_the_redirect_chain() {
    let server = redirect_server();
    let specs = Specs::new();
    specs.write(
        "v.yaml",
        &format!(
            "tests:\n  - {{ name: hop, put: {}, idempotency: false, expect: {{ status: 201 }} }}\n",
            server.url("/from/302")
        ),
    );
    let out = specs.run(&["v.yaml", "-v"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let hop_line = format!("< 302 {} → {}", server.url("/from/302"), server.url("/to"));
    assert!(text.contains(&hop_line), "no `{hop_line}` in:\n{text}");
}

#[test]
fn more_than_30_redirects_fail_like_requests_too_many_redirects() {
    let server = redirect_server();
    let specs = Specs::new();
    specs.write(
        "r.yaml",
        &format!(
            "tests:\n  - {{ name: endless, get: {} }}\n",
            server.url("/chain/0")
        ),
    );
    let out = specs.run(&["r.yaml", "--json", "r.json"]);
    assert_eq!(out.status.code(), Some(1));
    let rep = specs.report(&out);
    let message = rep["tests"][0]["failures"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("more than 30 redirects"), "{message}");
    assert_eq!(rep["tests"][0]["outcome"], "errored");
    // As requests: 30 redirects are followed, the 31st is the error; 31 requests in all.
    assert_eq!(server.requests().len(), 31);
}

#[test]
fn with_allow_redirects_false_expect_sees_the_3xx_itself() {
    let server = redirect_server();
    let specs = Specs::new();
    specs.write(
        "r.yaml",
        &format!(
            r#"
base_url: {base}
defaults:
  allow_redirects: false
tests:
  - name: not followed
    put: /from/302
    idempotency: false
    expect:
      status: 302
      reason: Found
      headers: {{ Location: /to }}
  - name: a test turns it back on
    put: /from/307
    idempotency: false
    allow_redirects: true
    expect: {{ status: 200 }}
"#,
            base = server.base()
        ),
    );
    run_ok(&specs, &["r.yaml"]);
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(paths, vec!["/from/302", "/from/307", "/to"]);
}

// ---------------------------------------------------------------------------------------
// defaults and their override
// ---------------------------------------------------------------------------------------

#[test]
fn every_option_works_in_defaults_and_a_test_overrides_it() {
    let slow = TestServer::start(|r| {
        if r.path() == "/slow" {
            // Well past the default timeout, well inside the test's own: the margins keep
            // the verdicts the same on a loaded machine.
            std::thread::sleep(Duration::from_millis(2500));
        }
        Action::json(200, json!({}))
    });
    let server = echo_server();
    let specs = Specs::new();
    specs.write(
        "d.yaml",
        &format!(
            r#"
base_url: {base}
defaults:
  headers: {{ X-Team: core, Accept: application/json }}
  params: {{ v: 1, lang: en }}
  cookies: {{ c: 1 }}
  auth: {{ bearer: default-token }}
  timeout: 1s
  data: {{ from: defaults }}
tests:
  - name: defaults apply
    put: /a
    idempotency: false
  - name: the test wins
    put: /b
    idempotency: false
    headers: {{ x-team: edge }}
    params: {{ v: 2 }}
    auth: {{ basic: [bob, pw] }}
    json: {{ from: test }}
  - name: default timeout applies
    get: {slow}/slow
  - name: a test's timeout wins
    get: {slow}/slow
    timeout: 20s
"#,
            base = server.base(),
            slow = slow.base()
        ),
    );
    let out = specs.run(&["d.yaml", "--json", "r.json"]);
    assert_exit(&out, 1);
    let reqs = server.requests();
    let (a, b) = (&reqs[0], &reqs[1]);
    assert_eq!(a.target, "/a?v=1&lang=en");
    assert_eq!(a.header("x-team"), Some("core"));
    assert_eq!(a.header("authorization"), Some("Bearer default-token"));
    assert_eq!(a.header("cookie"), Some("c=1"));
    assert_eq!(a.body_text(), "from=defaults");
    // params merge by name (an overridden one keeps its place, as in requests' dict
    // merge); headers case-insensitively; auth and body are replaced whole.
    assert_eq!(b.target, "/b?v=2&lang=en");
    assert_eq!(b.header("x-team"), Some("edge"));
    assert_eq!(b.header("accept"), Some("application/json"));
    assert_eq!(b.header("authorization"), Some("Basic Ym9iOnB3"));
    assert_eq!(b.body_text(), "{\"from\":\"test\"}");
    let rep = specs.report(&out);
    let outcome = |i: usize| {
        rep["tests"][i]["outcome"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(outcome(0), "passed");
    assert_eq!(outcome(1), "passed");
    assert_eq!(
        outcome(2),
        "errored",
        "the 1s default timeout did not apply"
    );
    let message = rep["tests"][2]["failures"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("within 1s"), "{message}");
    assert_eq!(outcome(3), "passed", "the test's 20s timeout did not win");
}

/// Credentials never cross an origin (requests' `rebuild_auth`, `rebuild_proxies` and
/// cookie handling): a 307 to another host and port carries no `Authorization` (from a
/// header or `auth`), no `Cookie` header and no `Proxy-Authorization`; only the
/// `cookies` jar entries follow. Within the origin `Authorization` stays.
#[test]
fn credentials_do_not_follow_a_redirect_to_another_origin() {
    let other = TestServer::start(|r| {
        Action::json(
            200,
            json!({
                "authorization": r.header("authorization"),
                "cookie": r.header("cookie"),
                "proxy": r.header("proxy-authorization"),
            }),
        )
    });
    let elsewhere = other.url("/landed");
    let origin = TestServer::start(move |r| match r.path() {
        "/away" => Action::text(307, "Temporary Redirect", "").with_header("Location", &elsewhere),
        "/here" => Action::text(307, "Temporary Redirect", "").with_header("Location", "/landed"),
        _ => Action::json(
            200,
            json!({"authorization": r.header("authorization"), "cookie": r.header("cookie")}),
        ),
    });
    let specs = Specs::new();
    let common = "    json: { a: 1 }\n    idempotency: false\n    cookies: { jar: kept }\n    headers:\n      Cookie: sid=secret\n      Proxy-Authorization: Basic cHJveHk6cHc=\n";
    specs.write(
        "r.yaml",
        &format!(
            "base_url: {}\ntests:\n  - name: header\n    put: /away\n{common}      Authorization: Bearer tok\n    expect:\n      json:\n        $.authorization: null\n        $.cookie: jar=kept\n        $.proxy: null\n  - name: auth\n    put: /away\n    auth: {{ basic: [alice, pw] }}\n{common}    expect:\n      json:\n        $.authorization: null\n  - name: same origin\n    put: /here\n    auth: {{ bearer: tok }}\n{common}    expect:\n      json:\n        $.authorization: Bearer tok\n        $.cookie: jar=kept\n",
            origin.base()
        ),
    );
    run_ok(&specs, &["r.yaml"]);
    for r in other.requests() {
        for name in ["authorization", "proxy-authorization"] {
            assert_eq!(r.header(name), None, "{name} reached the other origin");
        }
        assert_eq!(r.header("cookie"), Some("jar=kept"));
    }
}
