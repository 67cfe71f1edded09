//! Differential test against the real thing: each case is one intent (the spec's own keys),
//! sent once through Python's `requests` (tests/parity/driver.py) and once through a
//! putcheck spec, to the same raw-socket server, which records what arrives. Method,
//! target, headers and body must agree.
//!
//! Normalised, as each client's own business: User-Agent, the default `Accept: */*`,
//! `Accept-Encoding` and `Connection` fields, the multipart boundary, and (so that the
//! rest can be compared) `Content-Length`, after checking that each side's matches its
//! body. Every other accepted difference is a rule in `DOCUMENTED`, which must be listed
//! in docs/coming-from-requests.md ("What differs, and why").
//!
//! Without a Python that can `import requests` (`apt-get install python3-requests`), the
//! test prints `SKIPPED: …` (and fails under `CI=true`).

use std::path::Path;
use std::process::Command;

use crate::common::*;
use base64::Engine;
use serde_json::{json, Map, Value};

/// Differences the comparison accepts, each with the words that list it in
/// docs/coming-from-requests.md.
const DOCUMENTED: &[(&str, &str)] = &[
    (
        "json bodies: requests writes json.dumps' `, ` and `: ` separators and \\u escapes",
        "compact, keys in the order written",
    ),
    (
        "CONNECT: each client's own tunnel fields (Host, Accept, Proxy-Connection)",
        "The CONNECT request's other fields",
    ),
    ("header order is not compared", "the order of header fields"),
    (
        "booleans in params and data: requests writes True/False",
        "`params={\"a\": True}`",
    ),
    (
        "a `data` string under urllib3 1.x is sent Latin-1 encoded (urllib3 2: UTF-8)",
        "with urllib3 1.x",
    ),
    (
        "Basic credentials: requests encodes them as Latin-1, putcheck as UTF-8",
        "`auth=` credentials are encoded as Latin-1",
    ),
];

const DOC: &str = "docs/coming-from-requests.md";

/// A small deterministic generator for the random combinations (seeded, so a failure
/// is repeatable: the seed is in the case's id).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The cases: an intent each, in the spec's key names; `path` is where on the recording
/// server it goes (`/case-N` is put in front), or a `url` is given whole.
fn intents() -> Vec<Value> {
    let mut c: Vec<Value> = vec![
        // params
        json!({"params": {"q": "a b"}}),
        json!({"params": {"tag": ["a", "b", "c"]}}),
        json!({"params": {"name": "Zoë", "city": "東京"}}),
        json!({"params": {"sym": "-_.~+&=?#%*!'()/:;@,[]"}}),
        json!({"params": {"empty": "", "k": "v"}}),
        json!({"params": {"a b": "c d", "x/y": "1"}}),
        json!({"params": {"n": 3, "f": 1.5}}),
        json!({"path": "/put?x=1", "params": {"y": "2"}}),
        json!({"params": {"tag": ["", "x"], "z": "é"}}),
        json!({"params": {"emoji": "👍", "plus": "1+1"}}),
        json!({"path": "/pä th/ü?q=ä b&r=%20x", "params": {"s": "ß"}}),
        json!({"path": "/put?keep=a%2Fb&flag", "params": {"n": ["1", "2"]}}),
        json!({"path": "/put#fragment", "params": {"f": "1"}}),
        json!({"params": {"yes": true, "no": false}, "data": {"b": true}}),
        // data
        json!({"data": {"name": "a b", "tag": ["x", "y"]}}),
        json!({"data": {"k": "v&w=z", "u": "ü"}}),
        json!({"data": {"a": ["1", "2"], "b": "3", "e": ""}}),
        json!({"data": "raw text body"}),
        json!({"data": "{\"already\": \"json\"}", "headers": {"Content-Type": "application/json"}}),
        json!({"data": "üñí line\nnext"}),
        json!({"data": {"x": "1"}, "headers": {"content-type": "text/plain"}}),
        // json
        json!({"json": {"name": "widget", "size": 3}}),
        json!({"json": {"text": "Zoë — 東京 👍", "esc": "quote \" backslash \\ tab \t"}}),
        json!({"json": {"f": 1.5, "g": -0.25, "h": 0.1, "i": 1234.5678, "j": 100.0}}),
        json!({"json": {"a": {"b": {"c": [1, [2, [3, {"d": null}]]]}}, "t": true, "f": false}}),
        json!({"json": [1, "two", {"three": 3}]}),
        json!({"json": "just a string"}),
        json!({"json": {"z": 1, "a": 2, "m": 3}}),
        json!({"json": {"big": 9007199254740993_u64, "max": u64::MAX, "min": i64::MIN}}),
        // integers past 64 bits, exact on both sides (Python's int, the spec's text)
        serde_json::from_str(
            r#"{"json": {"huge": 123456789012345678901234567890, "neg": -98765432109876543210987}}"#,
        )
        .unwrap(),
        json!({"json": {}, "headers": {"Content-Type": "application/merge-patch+json"}}),
        // headers and cookies
        json!({"headers": {"If-Match": "\"e42\"", "X-Request-Id": "abc-123"}}),
        json!({"headers": {"X-Dup": "first", "x-dup": "second"}}),
        json!({"headers": {"accept": "application/json", "X-Empty": ""}}),
        json!({"headers": {"User-Agent": "custom-agent/1.0"}}),
        json!({"headers": {"Accept-Encoding": "identity", "Connection": "close"}}),
        json!({"cookies": {"session": "abc", "theme": "dark"}}),
        json!({"cookies": {"a": "1"}, "headers": {"X-Other": "y"}}),
        json!({"headers": {"X-Spaces": "a  b\tc"}}),
        // Latin-1 values go out as Latin-1 bytes (`é` → E9), as http.client encodes them.
        json!({"headers": {"X-Name": "café", "Content-Disposition": "attachment; filename=\"résumé.txt\""}}),
        json!({"headers": {"X-Symbols": "£ ± ÿ ¡"}}),
        // files
        json!({"files": [{"field": "upload", "path": "fixture.txt"}]}),
        json!({"files": [{"field": "note", "content": "hi there"}]}),
        json!({"files": [{"field": "note", "content": "hi", "filename": "n.txt"}]}),
        json!({"files": [{"field": "doc", "content": "{\"a\":1}", "filename": "d.json", "content_type": "application/json"}]}),
        json!({"files": [{"field": "a", "path": "fixture.txt", "content_type": "text/plain"}, {"field": "b", "content": "second", "filename": "b.bin"}]}),
        json!({"files": [{"field": "f", "content": "x", "filename": "ünï \"q\".txt"}], "data": {"title": "T", "tags": ["p", "q"]}}),
        json!({"files": [{"field": "bin", "path": "fixture.bin"}]}),
        json!({"files": [{"field": "u", "content": "Zoë 東京"}], "data": {"k": "ü"}}),
        // auth
        json!({"auth": {"basic": ["user", "pass"]}}),
        json!({"auth": {"basic": ["user", "p:a@ss w"]}, "json": {"a": 1}}),
        json!({"auth": {"bearer": "tok.en-123"}}),
        json!({"auth": {"basic": ["u", "p"]}, "headers": {"Authorization": "Other x"}}),
        // redirects, with bodies
        json!({"path": "/redirect/301", "json": {"a": 1}}),
        json!({"path": "/redirect/302", "json": {"a": 1}}),
        json!({"path": "/redirect/303", "data": {"a": "1"}}),
        json!({"path": "/redirect/307", "json": {"a": 1}}),
        json!({"path": "/redirect/308", "data": "raw"}),
        json!({"path": "/redirect/301"}),
        json!({"path": "/redirect/307", "files": [{"field": "f", "content": "x"}]}),
        json!({"path": "/redirect/302", "allow_redirects": false, "json": {"a": 1}}),
        json!({"path": "/redirect/303", "auth": {"basic": ["u", "p"]}, "cookies": {"c": "1"}}),
        json!({"method": "POST", "path": "/redirect/301", "data": {"a": "1"}}),
        json!({"method": "PATCH", "path": "/redirect/308", "json": {"a": 1}}),
        // other methods
        json!({"method": "DELETE"}),
        json!({"method": "POST", "json": {"a": 1}}),
        json!({"method": "PATCH", "data": {"a": "1"}}),
        json!({"method": "GET", "params": {"a": "1"}}),
        // defaults merging (a requests.Session's settings)
        json!({"defaults": {"headers": {"X-Dup": "default", "X-Keep": "k"}}, "headers": {"x-dup": "test"}}),
        json!({"defaults": {"params": {"a": "1", "b": "2", "c": "3"}}, "params": {"b": "two", "d": "4"}}),
        json!({"defaults": {"params": {"tag": ["x", "y"], "z": "1"}}, "params": {"tag": "only"}}),
        json!({"defaults": {"cookies": {"s": "1", "t": "2"}}, "cookies": {"s": "override"}}),
        json!({"defaults": {"headers": {"Accept": "text/plain"}, "auth": {"bearer": "d"}}, "headers": {"X-T": "1"}}),
    ];
    // seeded random combinations
    let params: &[Value] = &[
        json!({"q": "a b"}),
        json!({"t": ["1", "2"]}),
        json!({"u": "ü€"}),
        json!({"e": ""}),
        json!({"r": "&=?"}),
    ];
    let headers: &[Value] = &[
        json!({"X-A": "1"}),
        json!({"If-Match": "\"v1\""}),
        json!({"x-b": "two words"}),
    ];
    let bodies: &[Value] = &[
        json!({}),
        json!({"json": {"k": "v", "n": [1, 2.5]}}),
        json!({"data": {"f": "a b", "g": ["1", "2"]}}),
        json!({"data": "plain"}),
        json!({"files": [{"field": "f", "content": "c"}], "data": {"d": "1"}}),
    ];
    for seed in 1..=12u64 {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0xBF58_476D_1CE4_E5B9));
        let mut intent = Map::new();
        if rng.chance(70) {
            intent.insert("params".into(), rng.pick(params).clone());
        }
        if rng.chance(60) {
            intent.insert("headers".into(), rng.pick(headers).clone());
        }
        if rng.chance(40) {
            intent.insert("cookies".into(), json!({"c": "v w"}));
        }
        if let Value::Object(body) = rng.pick(bodies) {
            intent.extend(body.clone());
        }
        match rng.next() % 3 {
            0 => {}
            1 => {
                intent.insert("auth".into(), json!({"basic": ["ü-user", "pw"]}));
            }
            _ => {
                intent.insert("auth".into(), json!({"bearer": "t0k"}));
            }
        }
        if rng.chance(25) {
            let status = *rng.pick(&[301, 302, 303, 307, 308]);
            intent.insert("path".into(), json!(format!("/redirect/{status}")));
        }
        intent.insert("seed".into(), json!(seed));
        c.push(Value::Object(intent));
    }
    c
}

/// What one request looked like on the wire, normalised for comparison.
#[derive(Debug, PartialEq)]
struct Wire {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Requests as text, one field per line, for a readable failure.
fn show(wires: &[Result<Wire, String>]) -> String {
    wires
        .iter()
        .map(|w| match w {
            Ok(w) => {
                let mut out = format!("    {} {}\n", w.method, w.target);
                for (k, v) in &w.headers {
                    out.push_str(&format!("    {k}: {v}\n"));
                }
                out.push_str(&format!("    {:?}\n", String::from_utf8_lossy(&w.body)));
                out
            }
            Err(e) => format!("    (badly framed: {e})\n"),
        })
        .collect()
}

fn case_id(target: &str) -> Option<String> {
    let at = target.find("case-")?;
    let digits: String = target[at + 5..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(format!("case-{digits}"))
}

/// The recording server: redirects on `/redirect/N`, refuses every CONNECT (after it has
/// been recorded: the tunnel request is what is compared), 200 with `{}` otherwise.
fn handler(req: &Req) -> Action {
    if req.method == "CONNECT" {
        return Action::Raw(
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        );
    }
    let path = req.path();
    if let (Some(id), Some(at)) = (case_id(path), path.find("/redirect/")) {
        let status: u16 = path[at + 10..].parse().unwrap_or(302);
        return Action::Reply {
            status,
            reason: canonical(status).into(),
            headers: vec![("Location".into(), format!("/{id}/final"))],
            body: b"moved".to_vec(),
        };
    }
    Action::json(200, json!({}))
}

/// `body` with every `from` replaced by `to`, byte for byte (`from` is not empty).
fn replace_bytes(body: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

/// Whether the case's `params` or `data` hold a boolean.
fn has_booleans(intent: &Value) -> bool {
    ["params", "data"].iter().any(|k| {
        intent[*k]
            .as_object()
            .is_some_and(|m| m.values().any(Value::is_boolean))
    })
}

/// Everything the case sets (its own keys and its defaults') that names a header.
fn set_headers(intent: &Value) -> Vec<String> {
    let mut names = Vec::new();
    for h in [&intent["headers"], &intent["defaults"]["headers"]] {
        if let Some(m) = h.as_object() {
            names.extend(m.keys().map(|k| k.to_ascii_lowercase()));
        }
    }
    names
}

fn normalise(
    req: &Req,
    intent: &Value,
    json_forms: Option<(&str, &str)>,
    putcheck: bool,
    urllib3_1: bool,
) -> Result<Wire, String> {
    let given = set_headers(intent);
    let mine = |name: &str| given.iter().any(|g| g == name);
    let mut body = req.body.clone();
    let mut headers: Vec<(String, String)> = Vec::new();
    for (k, v) in &req.headers {
        let lower = k.to_ascii_lowercase();
        let client_default = match lower.as_str() {
            "user-agent" => true,
            "accept" => v == "*/*",
            "accept-encoding" | "connection" => true,
            _ => false,
        };
        if client_default && !mine(&lower) {
            continue;
        }
        headers.push((k.clone(), v.clone()));
    }
    if req.method == "CONNECT" {
        // DOCUMENTED: the tunnel's own fields.
        headers.retain(|(k, _)| k.eq_ignore_ascii_case("proxy-authorization"));
    }
    // DOCUMENTED: requests' Latin-1 Basic credentials, as the UTF-8 putcheck sends.
    if !putcheck {
        for (k, v) in &mut headers {
            if let (true, Some(token)) = (
                k.eq_ignore_ascii_case("authorization"),
                v.strip_prefix("Basic "),
            ) {
                let b64 = base64::engine::general_purpose::STANDARD;
                if let Ok(bytes) = b64.decode(token) {
                    let text: String = bytes.iter().map(|b| char::from(*b)).collect();
                    *v = format!("Basic {}", b64.encode(text));
                }
            }
        }
    }
    // Content-Length must frame the body on each side; then it follows the normalised body.
    if let Some((_, len)) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        if len.parse::<usize>().ok() != Some(body.len()) {
            return Err(format!(
                "Content-Length {len} does not match the {} body bytes",
                body.len()
            ));
        }
    }
    // DOCUMENTED: booleans as YAML writes them, where requests writes Python's.
    let mut target = req.target.clone();
    if !putcheck && has_booleans(intent) {
        for (python, yaml) in [("=True", "=true"), ("=False", "=false")] {
            target = target.replace(python, yaml);
            body = replace_bytes(&body, python.as_bytes(), yaml.as_bytes());
        }
    }
    // DOCUMENTED: urllib3 1.x (http.client) sends a `data` string Latin-1 encoded.
    if let (false, true, Some(text)) = (putcheck, urllib3_1, intent["data"].as_str()) {
        let latin1: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(c).ok()).collect();
        if latin1.is_some_and(|l| l == body) {
            body = text.as_bytes().to_vec();
        }
    }
    // DOCUMENTED: requests' json.dumps form → the compact UTF-8 form putcheck sends.
    if let (false, Some((default, compact))) = (putcheck, json_forms) {
        if body == default.as_bytes() {
            body = compact.as_bytes().to_vec();
        }
    }
    let boundary = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .and_then(|(_, v)| v.split_once("boundary="))
        .map(|(_, b)| b.to_string());
    if let Some(b) = boundary.filter(|b| !b.is_empty()) {
        body = replace_bytes(&body, b.as_bytes(), b"BOUNDARY");
        for (_, v) in &mut headers {
            *v = v.replace(&b, "BOUNDARY");
        }
    }
    for (k, v) in &mut headers {
        if k.eq_ignore_ascii_case("content-length") {
            *v = body.len().to_string();
        }
    }
    // DOCUMENTED: the order of header fields is not compared.
    headers.sort_by_key(|(k, _)| k.to_ascii_lowercase());
    Ok(Wire {
        method: req.method.clone(),
        target,
        headers,
        body,
    })
}

/// The spec for one case: `defaults` as the file's, the rest as its one test.
fn spec_for(id: &str, method: &str, url: &str, intent: &Value) -> Value {
    let mut test = Map::new();
    test.insert("name".into(), json!(id));
    test.insert(method.to_ascii_lowercase(), json!(url));
    test.insert("idempotency".into(), json!(false));
    for (k, v) in intent.as_object().unwrap() {
        match k.as_str() {
            "path" | "method" | "url" | "defaults" | "seed" => {}
            "files" => {
                let mut files = Map::new();
                for part in v.as_array().unwrap() {
                    let mut part = part.as_object().unwrap().clone();
                    let field = part.remove("field").unwrap();
                    files.insert(field.as_str().unwrap().into(), Value::Object(part));
                }
                test.insert("files".into(), Value::Object(files));
            }
            _ => {
                test.insert(k.clone(), v.clone());
            }
        }
    }
    let mut spec = Map::new();
    if let Some(d) = intent.get("defaults") {
        spec.insert("defaults".into(), d.clone());
    }
    spec.insert("tests".into(), json!([test]));
    Value::Object(spec)
}

#[test]
fn putcheck_sends_what_requests_sends() {
    let test = "putcheck_sends_what_requests_sends";
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(DOC)).unwrap();
    for (rule, words) in DOCUMENTED {
        assert!(
            doc.contains(words),
            "{DOC} must list the accepted difference `{rule}` (looked for `{words}`)"
        );
    }
    let Some(python) = python_with_requests() else {
        missing_component(
            test,
            "Python's requests library",
            "apt-get install python3-requests",
        );
        return;
    };

    let server = TestServer::start(handler);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fixture.txt"), "file contents\nline 2\n").unwrap();
    std::fs::write(
        dir.path().join("fixture.bin"),
        [0u8, 1, 2, 255, 254, 13, 10],
    )
    .unwrap();

    let mut cases: Vec<(String, Value, Value)> = Vec::new(); // id, intent for Python, intent
    let mut add = |intent: Value, url: String| {
        let id = format!("case-{}", cases.len() + 1);
        let url = url
            .replace("/ID/", &format!("/{id}/"))
            .replace("ID.", &format!("{id}."));
        let method = intent["method"].as_str().unwrap_or("PUT").to_string();
        let mut py = intent.clone();
        py["id"] = json!(id);
        py["method"] = json!(method);
        py["url"] = json!(url);
        if let Some(d) = py.get_mut("defaults") {
            if let Some(auth) = d.as_object_mut().unwrap().remove("auth") {
                // A session's `auth` applies when the request names none.
                if py.get("auth").is_none() {
                    py["auth"] = auth;
                }
            }
        }
        cases.push((id, py, intent));
    };
    for intent in intents() {
        let path = intent["path"].as_str().unwrap_or("/put").to_string();
        add(intent, server.url(&format!("/ID{path}")));
    }
    // proxies with credentials: plain http through the proxy, and CONNECT for https
    let proxy =
        |scheme: &str, creds: &str| json!({ scheme: format!("http://{creds}@{}", server.addr) });
    for creds in ["user:pass", "user:p%40ss", "us%20er:p%3Aw%2Fd"] {
        add(
            json!({"proxies": proxy("http", creds), "json": {"a": 1}}),
            "http://ID.parity.invalid/put?x=1".into(),
        );
        add(
            json!({"proxies": proxy("https", creds), "json": {"a": 1}}),
            "https://ID.parity.invalid/put".into(),
        );
    }
    add(
        json!({"proxies": {"http": format!("http://{}", server.addr)}, "data": "x"}),
        "http://ID.parity.invalid/plain".into(),
    );
    assert!(cases.len() >= 60, "only {} cases", cases.len());

    // Python first
    let input = json!({"cases": cases.iter().map(|(_, py, _)| py.clone()).collect::<Vec<_>>()});
    let input_path = dir.path().join("cases.json");
    std::fs::write(&input_path, serde_json::to_vec_pretty(&input).unwrap()).unwrap();
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/driver.py");
    let out = without_proxy_env(Command::new(&python).arg(&driver).arg(&input_path))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the requests driver failed: {}",
        stderr(&out)
    );
    let py_out: Value = serde_json::from_slice(&out.stdout).unwrap();
    let from_python = server.requests().len();

    // then putcheck: one spec file per case (a case may have its own `defaults`)
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    for (id, py, intent) in &cases {
        let spec = spec_for(
            id,
            py["method"].as_str().unwrap(),
            py["url"].as_str().unwrap(),
            intent,
        );
        // JSON is YAML; the fixture paths are relative to the spec's folder.
        let text = serde_json::to_string_pretty(&spec)
            .unwrap()
            .replace("\"fixture.", "\"../fixture.");
        std::fs::write(specs.join(format!("{id}.yaml")), text).unwrap();
    }
    let o = putcheck(dir.path(), &["--no-progress", "specs"]);
    assert_ne!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));

    let all = server.requests();
    let (py_reqs, pc_reqs) = all.split_at(from_python);
    let urllib3_1 = py_out["urllib3"]
        .as_str()
        .is_some_and(|v| v.starts_with("1."));
    let mut failures = Vec::new();
    for (id, py, intent) in &cases {
        let result = &py_out["results"][id];
        let forms = match (
            result["json_default"].as_str(),
            result["json_compact"].as_str(),
        ) {
            (Some(d), Some(c)) => Some((d, c)),
            _ => None,
        };
        let pick = |reqs: &[Req], putcheck: bool| -> Vec<Result<Wire, String>> {
            reqs.iter()
                .filter(|r| case_id(&r.target).as_deref() == Some(id.as_str()))
                .map(|r| normalise(r, intent, forms, putcheck, urllib3_1))
                .collect()
        };
        let (want, got) = (pick(py_reqs, false), pick(pc_reqs, true));
        if want.is_empty() {
            failures.push(format!("{id}: requests sent nothing ({})", result["error"]));
        } else if want != got {
            failures.push(format!(
                "{id} {py}\n  requests:\n{}  putcheck:\n{}",
                show(&want),
                show(&got)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ (requests {}, urllib3 {}):\n{}\nputcheck output:\n{}",
        failures.len(),
        cases.len(),
        py_out["requests"],
        py_out["urllib3"],
        failures.join("\n"),
        stdout(&o)
    );
}

// ---------------------------------------------------------------------------------------
// The mismatches the differential test found, each pinned on its own (these run without
// Python).
// ---------------------------------------------------------------------------------------

fn recorder() -> TestServer {
    TestServer::start(|r| {
        if r.method == "CONNECT" {
            return Action::Raw(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".to_vec());
        }
        match r.path().strip_prefix("/from/") {
            Some(code) => {
                let code: u16 = code.parse().unwrap_or(302);
                Action::text(code, canonical(code), "moved").with_header("Location", "/to")
            }
            None => Action::json(200, json!({})),
        }
    })
}

fn fields<'a>(r: &'a Req, name: &str) -> Vec<(&'a str, &'a str)> {
    r.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// requests (urllib3) frames a repeated bodyless PUT with `Content-Length: 0`; a server
/// that requires a length would answer 411 without it.
#[test]
fn a_put_repeated_after_a_301_sends_content_length_0() {
    let server = recorder();
    let specs = Specs::new();
    specs.write(
        "r.yaml",
        &format!(
            "base_url: {}\ntests:\n  - {{ name: r, put: /from/301, json: {{ a: 1 }}, idempotency: false }}\n  - {{ name: g, put: /from/303, json: {{ a: 1 }}, idempotency: false }}\n",
            server.base()
        ),
    );
    let o = specs.run(&["r.yaml"]);
    assert_exit(&o, 0);
    let reqs = server.requests();
    let after = |from: &str| {
        let i = reqs.iter().position(|r| r.path() == from).unwrap();
        reqs[i + 1].clone()
    };
    let put = after("/from/301");
    assert_eq!((put.method.as_str(), put.body_len), ("PUT", 0));
    assert_eq!(
        fields(&put, "content-length"),
        vec![("Content-Length", "0")]
    );
    assert!(fields(&put, "content-type").is_empty());
    // A GET after a 303 carries no framing at all, as with requests.
    let get = after("/from/303");
    assert_eq!(get.method, "GET");
    assert!(fields(&get, "content-length").is_empty());
}

/// Names are case-insensitive: the later spelling replaces the earlier, in the test's own
/// map and over `defaults`, in the earlier one's place (requests' CaseInsensitiveDict).
#[test]
fn a_header_named_twice_in_any_spelling_is_sent_once_with_the_later_value() {
    let server = recorder();
    let specs = Specs::new();
    specs.write(
        "h.yaml",
        &format!(
            "base_url: {}\ndefaults:\n  headers: {{ X-Dup: default, X-Keep: k }}\ntests:\n  - name: over defaults\n    put: /a\n    headers: {{ x-dup: test }}\n    idempotency: false\n  - name: in one map\n    put: /b\n    headers: {{ X-Twice: first, x-twice: second }}\n    idempotency: false\n",
            server.base()
        ),
    );
    assert_exit(&specs.run(&["h.yaml"]), 0);
    let reqs = server.requests();
    let a = reqs.iter().find(|r| r.path() == "/a").unwrap();
    assert_eq!(fields(a, "x-dup"), vec![("x-dup", "test")]);
    assert_eq!(fields(a, "x-keep"), vec![("X-Keep", "k")]);
    let b = reqs.iter().find(|r| r.path() == "/b").unwrap();
    assert_eq!(fields(b, "x-twice"), vec![("x-twice", "second")]);
}

/// A header value that only becomes non-ASCII at run time (here through `--var`) stops
/// the test before anything is sent, with a message naming the header, not the server.
#[test]
fn a_header_value_beyond_latin1_fails_naming_the_header_and_sends_nothing() {
    let (o, server) = run_with_name("雪", "");
    assert_exit(&o, 1);
    let out = stdout(&o);
    assert!(out.contains("header `X-Name`"), "{out}");
    assert!(out.contains("Latin-1"), "{out}");
    assert!(out.contains("not sent"), "{out}");
    assert!(!out.contains("did not answer"), "{out}");
    assert!(server.requests().is_empty());
}

/// Runs one test whose `X-Name` header a `--var who=…` fills in (`more`: other header
/// fields, as YAML flow-map entries); returns the run and the recording server.
fn run_with_name(who: &str, more: &str) -> (std::process::Output, TestServer) {
    let server = recorder();
    let specs = Specs::new();
    specs.write(
        "u.yaml",
        &format!(
            "base_url: {}\ntests:\n  - name: accented\n    put: /u\n    headers: {{ X-Name: \"${{who}}\"{more} }}\n    idempotency: false\n",
            server.base()
        ),
    );
    let o = specs.run(&["--var", &format!("who={who}"), "u.yaml"]);
    (o, server)
}

/// requests (http.client) sends a header value that fits Latin-1 as Latin-1 bytes, also
/// when a variable fills it in.
#[test]
fn a_latin1_header_value_is_sent_as_latin1_bytes() {
    let (o, server) = run_with_name("Zoë", ", X-Literal: café");
    assert_exit(&o, 0);
    let reqs = server.requests();
    // The recorder reads header bytes as Latin-1: UTF-8 `ë` would arrive as `Ã«`.
    assert_eq!(reqs[0].header("x-name"), Some("Zoë"), "{reqs:?}");
    assert_eq!(reqs[0].header("x-literal"), Some("café"), "{reqs:?}");
}

/// requests turns credentials in the URL into Basic auth (percent-decoded), and sends
/// neither in the request target; the password is a secret in every output.
#[test]
fn credentials_in_the_url_become_basic_auth() {
    let server = recorder();
    let specs = Specs::new();
    let url = server.base().replacen("http://", "http://user:p%40ss@", 1);
    specs.write(
        "c.yaml",
        &format!("tests:\n  - name: creds\n    put: {url}/c\n    idempotency: false\n"),
    );
    let (o, report) = specs.run_report(&["c.yaml", "--curl"]);
    assert_exit(&o, 0);
    let reqs = server.requests();
    // base64("user:p@ss")
    assert_eq!(reqs[0].header("authorization"), Some("Basic dXNlcjpwQHNz"));
    assert_eq!(reqs[0].target, "/c");
    // The password never prints, written or decoded.
    let all = format!("{}{}{report}", stdout(&o), stderr(&o));
    assert!(!all.contains("p%40ss") && !all.contains("p@ss"), "{all}");
    assert!(all.contains("user:***@"), "{all}");
}

/// requests reads a proxy's credentials percent-decoded, and sends them with a plain-http
/// request (`Proxy-Authorization` on the request itself) and on the CONNECT for https.
#[test]
fn proxy_credentials_are_decoded_and_sent_for_http_and_connect() {
    let proxy = recorder();
    let specs = Specs::new();
    let proxy_url = format!("http://user:p%40ss@{}", proxy.addr);
    specs.write(
        "p.yaml",
        &format!(
            "defaults:\n  proxies: {{ http: \"{proxy_url}\", https: \"{proxy_url}\" }}\ntests:\n  - {{ name: plain, put: \"http://target.invalid/x\", idempotency: false }}\n  - {{ name: tunnel, put: \"https://target.invalid/y\", idempotency: false }}\n"
        ),
    );
    let o = specs.run(&["p.yaml"]);
    let reqs = proxy.requests();
    // base64("user:p@ss")
    let want = "dXNlcjpwQHNz";
    let plain = reqs
        .iter()
        .find(|r| r.target == "http://target.invalid/x")
        .unwrap_or_else(|| panic!("{reqs:?}\n{}", stdout(&o)));
    assert_eq!(
        plain.header("proxy-authorization"),
        Some(&*format!("Basic {want}"))
    );
    let connect = reqs.iter().find(|r| r.method == "CONNECT").unwrap();
    assert_eq!(connect.target, "target.invalid:443");
    let auth = connect.header("proxy-authorization").unwrap();
    assert!(
        auth.eq_ignore_ascii_case(&format!("basic {want}")),
        "{auth}"
    );
    assert!(!stdout(&o).contains("p%40ss") && !stdout(&o).contains("p@ss"));
}
