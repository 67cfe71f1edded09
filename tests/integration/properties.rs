//! No panic is reachable from input: random and mutated spec files go through the loader,
//! random response bodies and headers through every check. Each property runs with a
//! fixed seed (the same cases on every run, so a failure reproduces) and again with a
//! random one (new cases each run); a few hundred cases each.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use putcheck::check;
use putcheck::http::Response;
use putcheck::spec::{load_file, load_str, LoadContext, SpecError, Suite, TestSpec};
use serde_json::Value;

const CASES: u32 = 300;

fn fixed() -> Config {
    Config {
        cases: CASES,
        rng_seed: RngSeed::Fixed(0x7075_7463_6865_636b),
        failure_persistence: None,
        ..Config::default()
    }
}

fn random() -> Config {
    Config {
        cases: CASES,
        ..Config::default()
    }
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn load(path: &Path, source: &str) -> Result<Suite, Vec<SpecError>> {
    let vars = HashMap::new();
    let ctx = LoadContext {
        cli_vars: &vars,
        env: &no_env,
        listing: false,
    };
    load_str(path, source, &ctx)
}

/// The project's own spec files: seeds for mutation, and the expectations to check.
fn seeds() -> &'static Vec<(PathBuf, String)> {
    static SEEDS: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for dir in ["specs", "examples/failing"] {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect();
            entries.sort();
            for p in entries {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p, text));
            }
        }
        assert!(out.len() >= 5);
        out
    })
}

/// Every test of the seed specs: their expectations, idempotency blocks and probes.
fn seed_tests() -> Vec<&'static TestSpec> {
    static SUITES: OnceLock<Vec<Suite>> = OnceLock::new();
    let suites = SUITES.get_or_init(|| {
        let vars = HashMap::new();
        let env = |name: &str| (name == "BASE_URL").then(|| "http://127.0.0.1:1".to_string());
        let ctx = LoadContext {
            cli_vars: &vars,
            env: &env,
            listing: false,
        };
        let suites: Vec<Suite> = seeds()
            .iter()
            .filter_map(|(p, _)| load_file(p, &ctx).ok())
            .collect();
        assert!(suites.len() >= 5, "the seed specs load");
        suites
    });
    suites.iter().flat_map(|s| s.tests.iter()).collect()
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (
            any::<usize>(),
            r#"[\x00-\x7f]{0,6}|[:\-\[\]{}$"' \n\t#&*!|>%@`]{1,4}|\PC{0,4}"#
        )
            .prop_map(|(at, s)| Edit::Insert(at, s)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

/// Applies edits at character boundaries (positions taken modulo the length).
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let len = chars.len().max(1);
        match e {
            Edit::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(chars.len());
                if at < end {
                    chars.drain(at..end);
                }
            }
            Edit::Insert(at, s) => {
                let at = at % (chars.len() + 1);
                chars.splice(at..at, s.chars());
            }
            Edit::DuplicateLine(i) | Edit::SwapLines(i, _) => {
                let text: String = chars.iter().collect();
                let mut lines: Vec<&str> = text.lines().collect();
                if lines.is_empty() {
                    continue;
                }
                let a = i % lines.len();
                match e {
                    Edit::SwapLines(_, j) => {
                        let b = j % lines.len();
                        lines.swap(a, b);
                    }
                    _ => lines.insert(a, lines[a]),
                }
                chars = lines.join("\n").chars().collect();
            }
        }
    }
    chars.into_iter().collect()
}

fn check_loaded(path: &Path, source: &str) {
    if let Err(errors) = load(path, source) {
        assert!(!errors.is_empty(), "an Err carries at least one error");
        let lines = source.lines().count() as u64 + 1;
        for e in &errors {
            assert!(
                e.pos.line <= lines.max(1),
                "{e:?} is past the end of\n{source}"
            );
            // Rendering an error (with its source line) must not panic either.
            let _ = e.render();
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,6}", inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        // JSON cut short or with a byte flipped.
        (json_value(), any::<usize>(), any::<u8>()).prop_map(|(v, at, b)| {
            let mut bytes = v.to_string().into_bytes();
            let at = at % (bytes.len() + 1);
            if at < bytes.len() && b % 2 == 0 {
                bytes[at] = b;
            } else {
                bytes.truncate(at);
            }
            bytes
        }),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            prop_oneof![
                Just("Content-Type".to_string()),
                Just("ETag".to_string()),
                Just("Location".to_string()),
                Just("Set-Cookie".to_string()),
                "[A-Za-z-]{1,12}"
            ],
            "\\PC{0,16}",
        ),
        0..5,
    )
}

fn response() -> impl Strategy<Value = Response> {
    (100u16..600, "\\PC{0,12}", headers(), body()).prop_map(|(status, reason, headers, body)| {
        Response {
            status,
            reason,
            version: "HTTP/1.1".into(),
            headers: headers.into(),
            parsed_json: Default::default(),
            body,
            url: "http://127.0.0.1:1/x".into(),
            elapsed: Duration::from_millis(1),
            redirects: Vec::new(),
            refused_streams: 0,
        }
    })
}

fn no_vars(_: &str) -> Option<Value> {
    None
}

/// Judges a sequence in which the random responses play every role: sends, read-backs,
/// noise GETs, the one more send of `concurrent`, and both probes.
fn check_all(a: &Response, b: &Response, sent: &Value) {
    let probe = || check::Probe {
        before: Some(Ok(a.clone())),
        answer: Ok(b.clone()),
        after: Some(Ok(b.clone())),
    };
    for test in seed_tests() {
        let recorded = check::Recorded {
            request_headers: vec![("If-Match".into(), "\"v1\"".into())],
            sent_json: Some(sent.clone()),
            planned_sends: 2,
            sends: vec![Ok(a.clone()), Ok(b.clone())],
            concurrent: test.idempotency.as_ref().is_some_and(|i| i.concurrent),
            after_first: Some(Ok(a.clone())),
            noise: vec![Ok(a.clone()), Ok(b.clone())],
            readback: Some(Ok(b.clone())),
            one_more: Some((Ok(a.clone()), Some(Ok(b.clone())))),
            conditional: Some(probe()),
            reject: Some(probe()),
            lifecycle: Some(check::Lifecycle {
                delete: Some(Ok(a.clone())),
                get: Some(Ok(b.clone())),
                delete_again: Some(Ok(b.clone())),
                get_again: Some(Ok(a.clone())),
            }),
        };
        let _ = check::judge(test, &recorded, &no_vars);
    }
}

proptest! {
    #![proptest_config(fixed())]

    #[test]
    fn random_text_never_panics_the_loader_fixed(text in "\\PC{0,200}") {
        check_loaded(Path::new("random.yaml"), &text);
    }

    #[test]
    fn mutated_specs_never_panic_the_loader_fixed(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let (path, text) = seed.get(seeds());
        check_loaded(path, &mutate(text, &edits));
    }

    #[test]
    fn random_responses_never_panic_the_checks_fixed(
        a in response(), b in response(), sent in json_value(),
    ) {
        check_all(&a, &b, &sent);
    }
}

proptest! {
    #![proptest_config(random())]

    #[test]
    fn random_text_never_panics_the_loader(text in "\\PC{0,200}") {
        check_loaded(Path::new("random.yaml"), &text);
    }

    #[test]
    fn mutated_specs_never_panic_the_loader(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let (path, text) = seed.get(seeds());
        check_loaded(path, &mutate(text, &edits));
    }

    #[test]
    fn random_responses_never_panic_the_checks(
        a in response(), b in response(), sent in json_value(),
    ) {
        check_all(&a, &b, &sent);
    }
}
