//! `putcheck schema`: the JSON Schema editors use. It is the committed
//! `docs/putcheck.schema.json`, it accepts every spec the project ships, and it rejects
//! the mistakes the loader rejects.

use crate::common;

use std::path::{Path, PathBuf};

use putcheck::spec::schema::spec_as_json;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn printed_schema() -> String {
    let out = common::putcheck(&root(), &["schema"]);
    common::assert_exit(&out, 0);
    common::stdout(&out)
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&printed_schema()).unwrap();
    jsonschema::draft202012::new(&schema).unwrap()
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn the_printed_schema_is_the_committed_one() {
    let committed = std::fs::read_to_string(root().join("docs/putcheck.schema.json")).unwrap();
    assert!(
        printed_schema() == committed,
        "docs/putcheck.schema.json is out of date: run `cargo run -- schema > docs/putcheck.schema.json`"
    );
    let schema: Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn every_shipped_spec_is_valid() {
    let validator = validator();
    let mut files = Vec::new();
    yaml_files(&root().join("specs"), &mut files);
    yaml_files(&root().join("examples"), &mut files);
    assert!(files.len() >= 5, "{files:?}");
    for file in files {
        let doc = spec_as_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn fragments_merges_and_every_request_option_are_valid() {
    let doc = spec_as_json(
        r#"
x-common: &common
  headers: { Accept: application/json, X-Drop: null }
  timeout: { connect: 2s, read: 10 }
name: all options
base_url: http://127.0.0.1:8080
vars: { id: 1 }
secrets: [TOKEN]
defaults:
  <<: *common
  verify: false
parallel: false
tests:
  - <<: *common
    x-note: fine
    name: everything
    put: /items/${id}
    params: { a: 1, b: [x, null], c: null }
    cookies: { s: v }
    data: { f: 1 }
    files: { up: a.txt, up2: { content: hi, filename: h.txt } }
    auth: { basic: [u, p] }
    allow_redirects: true
    proxies: { http: http://127.0.0.1:3128 }
    cert: [c.pem, k.pem]
    expect:
      status: [200, 2xx]
      reason: OK
      headers: { ETag: { exists: true } }
      json: { $.id: { type: integer } }
      body: { contains: x }
      max_time: 500ms
      schema: s.json
    idempotency: { repeat: 3, ignore: [$.at], headers: [ETag], readback: true }
    capture: { etag: { header: ETag }, id: { json: $.id } }
    retry: { count: 2, interval: 1.5s }
finally:
  - delete: /items/1
    idempotency: false
"#,
    )
    .unwrap();
    let errors: Vec<String> = validator()
        .iter_errors(&doc)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = validator();
    let cases = [
        ("unknown top-level key", "test:\n  - put: /x\n"),
        ("unknown test key", "tests:\n  - put: /x\n    expct: {}\n"),
        (
            "unknown expect key",
            "tests:\n  - put: /x\n    expect: { statuss: 200 }\n",
        ),
        ("two method keys", "tests:\n  - put: /x\n    get: /y\n"),
        ("no method key", "tests:\n  - name: nothing\n"),
        (
            "malformed duration",
            "tests:\n  - put: /x\n    timeout: fast\n",
        ),
        (
            "malformed read timeout",
            "tests:\n  - put: /x\n    timeout: { read: soon }\n",
        ),
        (
            "malformed max_time",
            "tests:\n  - put: /x\n    expect: { max_time: 5 parsecs }\n",
        ),
        (
            "headers as a list",
            "tests:\n  - put: /x\n    headers: [ETag]\n",
        ),
        ("no tests", "name: x\n"),
        ("empty tests", "tests: []\n"),
        (
            "status out of range",
            "tests:\n  - put: /x\n    expect: { status: 2000 }\n",
        ),
        (
            "x- key in expect",
            "tests:\n  - put: /x\n    expect: { x-a: 1 }\n",
        ),
    ];
    for (what, text) in cases {
        let doc = spec_as_json(text).unwrap();
        assert!(!validator.is_valid(&doc), "{what} should be rejected");
    }
}
