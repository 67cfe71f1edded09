//! The response side of requests parity: the same raw responses (tests/fixtures/
//! responses.json, made by tests/parity/make_responses.py: every framing, interim
//! responses, folds, odd reasons, encodings, truncations, hostile lengths) are read by
//! Python's requests and by putcheck's client, and status, reason, headers and body, or
//! the class of the error, are compared. Where putcheck departs from requests on purpose,
//! the case says so and docs/coming-from-requests.md must say why.
//!
//! Without a Python that can `import requests` the test says `SKIPPED` (under CI it fails).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use crate::common::hostile::{HostileServer, Next};
use crate::common::{missing_component, python_with_requests};
use putcheck::http::{Body, Client, EnvProxies, Headers, Method, Request, Timeouts, Verify};
use serde_json::Value;

const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/responses.json");
const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/coming-from-requests.md");

/// A response as both sides are compared: the error class, or what came.
#[derive(Debug, PartialEq)]
enum Read {
    Error(String),
    Response {
        status: u64,
        reason: String,
        headers: BTreeMap<String, String>,
        body: String,
    },
}

/// Runs of whitespace as one space: an obsolete fold is one space to putcheck (RFC 9112
/// §5.2) and kept as sent by http.client.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn read_by_requests(result: &Value) -> Read {
    if let Some(e) = result["error"].as_str() {
        return Read::Error(e.to_string());
    }
    let headers = result["headers"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), squeeze(v.as_str().unwrap_or_default())))
                .collect()
        })
        .unwrap_or_default();
    Read::Response {
        status: result["status"].as_u64().unwrap_or_default(),
        reason: result["reason"].as_str().unwrap_or_default().to_string(),
        headers,
        body: result["body"].as_str().unwrap_or_default().to_string(),
    }
}

fn read_by_putcheck(client: &Client, url: &str) -> Read {
    let parsed_url = url::Url::parse(url).unwrap();
    let request = Request {
        method: Method::Put,
        url: url.to_string(),
        parsed_url,
        headers: Headers::from_fields(vec![
            ("Content-Type".into(), "application/json".into()),
            ("Connection".into(), "close".into()),
        ]),
        cookies: Vec::new(),
        body: Body::Bytes(b"{}".to_vec(), None),
        timeout: Timeouts {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(10),
        },
        allow_redirects: false,
        http_version: None,
        proxies: None,
        verify: Verify::System,
        cert: None,
    };
    match client.send(&request) {
        Err(e) => Read::Error(
            serde_json::to_value(e.kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string(),
        ),
        Ok(r) => {
            let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (k, v) in r.headers.iter() {
                headers
                    .entry(k.to_ascii_lowercase())
                    .or_default()
                    .push(v.clone());
            }
            Read::Response {
                status: u64::from(r.status),
                reason: r.reason.clone(),
                headers: headers
                    .into_iter()
                    .map(|(k, v)| (k, squeeze(&v.join(", "))))
                    .collect(),
                body: hex(&r.body),
            }
        }
    }
}

#[test]
fn putcheck_reads_raw_responses_as_requests_does() {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(MANIFEST).unwrap()).unwrap();
    let cases = manifest["cases"].as_array().unwrap().clone();
    assert!(cases.len() >= 40, "the corpus has {} cases", cases.len());
    let doc = std::fs::read_to_string(DOC).unwrap();
    let Some(python) = python_with_requests() else {
        return missing_component(
            "putcheck_reads_raw_responses_as_requests_does",
            "Python's requests library",
            "apt-get install python3-requests",
        );
    };
    let raw: Arc<BTreeMap<String, Vec<u8>>> = Arc::new(
        cases
            .iter()
            .map(|c| {
                let bytes = c["raw"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .map(|ch| ch as u8)
                    .collect();
                (format!("/{}", c["name"].as_str().unwrap()), bytes)
            })
            .collect(),
    );
    let served = raw.clone();
    let server = HostileServer::start(move |mut c| {
        if let Some(bytes) = served.get(&c.target) {
            c.send(bytes);
        }
        Next::Done
    });
    let base = format!("http://{}", server.addr);
    let out = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/responses.py"))
        .args([MANIFEST, base.as_str()])
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("NO_PROXY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_requests: Value = serde_json::from_slice(&out.stdout).unwrap();
    let client = Client::new(1, 10 * 1024 * 1024, EnvProxies::from_lookup(|_| None));
    let mut problems = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let theirs = read_by_requests(&by_requests["results"][name]);
        let ours = read_by_putcheck(&client, &format!("{base}/{name}"));
        if let Some(words) = case["differs"].as_str() {
            if !doc.contains(words) {
                problems.push(format!(
                    "{name}: docs/coming-from-requests.md must explain `{words}`"
                ));
            }
            if theirs == ours {
                problems.push(format!("{name}: said to differ, but both read {ours:?}"));
            }
        } else if let Some(error) = case["error"].as_object() {
            let expected = (
                Read::Error(error["requests"].as_str().unwrap().to_string()),
                Read::Error(error["putcheck"].as_str().unwrap().to_string()),
            );
            if (&theirs, &ours) != (&expected.0, &expected.1) {
                problems.push(format!(
                    "{name}: expected {expected:?}, requests read {theirs:?}, putcheck {ours:?}"
                ));
            }
        } else if theirs != ours {
            problems.push(format!(
                "{name}: requests read {theirs:?}\n  putcheck read {ours:?}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "requests {} (urllib3 {}):\n{}",
        by_requests["requests"],
        by_requests["urllib3"],
        problems.join("\n")
    );
}
