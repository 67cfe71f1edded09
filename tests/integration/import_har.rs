//! `putcheck import har`: the PUT entries of a HAR 1.2 export (written for these tests)
//! become tests that send what the browser sent, minus the headers it adds on its own.

use crate::common;

use std::path::{Path, PathBuf};

use crate::common::{assert_exit, stderr, stdout, Action, Req, Specs, TestServer};

fn har() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/har/session.har")
}

fn import(specs: &Specs, extra: &[&str]) -> std::process::Output {
    let har = har();
    let mut args = vec!["import", "har", har.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = common::putcheck(specs.dir.path(), &args);
    assert_exit(&out, 0);
    out
}

fn server() -> TestServer {
    TestServer::start(|req: &Req| match req.path() {
        "/app/settings" => Action::text(204, "No Content", ""),
        "/app/events" => Action::json(201, serde_json::json!({})),
        _ => Action::json(200, serde_json::json!({ "name": "widget" })),
    })
}

#[test]
fn put_entries_become_tests_without_browser_headers() {
    let specs = Specs::new();
    let out = import(&specs, &[]);
    assert_eq!(
        stdout(&out),
        "wrote specs/session.yaml (2 tests)\nBASE_URL (the server to test) defaults to http://127.0.0.1:9\nset before running (secrets, read from the environment, never printed): BEARER_TOKEN, X_CSRF_TOKEN\n"
    );
    let spec = std::fs::read_to_string(specs.path("specs/session.yaml")).unwrap();
    insta::assert_snapshot!("har_puts", spec);
    for leaked in ["eyJ.token.sig", "csrf-123", "s3ss10n"] {
        assert!(
            !spec.contains(leaked),
            "`{leaked}` written into the spec:\n{spec}"
        );
    }

    let server = server();
    let run = specs.run_env(
        &["specs"],
        &[
            ("BASE_URL", &server.base()),
            ("BEARER_TOKEN", "eyJ.token.sig"),
            ("X_CSRF_TOKEN", "csrf-123"),
        ],
    );
    assert_exit(&run, 0);
    let requests = server.requests();
    let item = requests
        .iter()
        .find(|r| r.path() == "/app/items/7")
        .expect("the item PUT");
    assert_eq!(item.method, "PUT");
    assert_eq!(item.target, "/app/items/7?notify=false");
    assert_eq!(item.header("authorization"), Some("Bearer eyJ.token.sig"));
    assert_eq!(item.header("x-csrf-token"), Some("csrf-123"));
    assert_eq!(
        item.header("x-client"),
        Some("web ${build}"),
        "a `${{` in the input is sent as written"
    );
    assert_eq!(item.header("content-type"), Some("application/json"));
    assert_eq!(
        item.body_text(),
        r#"{"name":"widget","size":3,"tags":["a"]}"#
    );
    for dropped in [
        "cookie",
        "accept-language",
        "sec-ch-ua",
        "sec-fetch-site",
        "origin",
        ":authority",
    ] {
        assert_eq!(item.header(dropped), None, "{dropped} is left out");
    }
    let settings = requests
        .iter()
        .find(|r| r.path() == "/app/settings")
        .expect("the settings PUT");
    assert_eq!(settings.body_text(), "theme=light&lang=en+GB");
    assert_eq!(
        settings.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(settings.header("sec-fetch-dest"), None);
    assert!(
        requests.iter().all(|r| r.method == "PUT"),
        "only the PUT entries"
    );
}

#[test]
fn all_entries_with_cookies_and_kept_secrets() {
    let specs = Specs::new();
    let out = import(
        &specs,
        &["--all", "--cookies", "--keep-secrets", "--out", "from-har"],
    );
    assert!(
        stdout(&out).contains("wrote from-har/session.yaml (4 tests)"),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("set before running"),
        "kept secrets need no environment"
    );
    let spec = std::fs::read_to_string(specs.path("from-har/session.yaml")).unwrap();
    assert!(
        spec.contains("vars:") && spec.contains("- COOKIE_SESSION\n"),
        "{spec}"
    );

    let server = server();
    let run = specs.run_env(&["from-har", "-vv"], &[("BASE_URL", &server.base())]);
    assert_exit(&run, 0);
    assert!(
        !stdout(&run).contains("s3ss10n"),
        "a kept secret still never prints:\n{}",
        stdout(&run)
    );
    let requests = server.requests();
    let methods: Vec<&str> = requests.iter().map(|r| r.method.as_str()).collect();
    assert!(
        methods.contains(&"GET") && methods.contains(&"POST"),
        "{methods:?}"
    );
    let item = requests.iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(item.header("cookie"), Some("session=s3ss10n; theme=dark"));
}

#[test]
fn a_file_without_puts_or_not_har_is_a_clear_error() {
    let specs = Specs::new();
    specs.write("none.har", r#"{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"http://127.0.0.1:9/"},"response":{"status":200}}]}}"#);
    let out = common::putcheck(specs.dir.path(), &["import", "har", "none.har"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("no PUT entry") && stderr(&out).contains("--all"),
        "{}",
        stderr(&out)
    );
    specs.write("bad.har", "{\"log\": 1}");
    let out = common::putcheck(specs.dir.path(), &["import", "har", "bad.har"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("is not a valid HAR file"),
        "{}",
        stderr(&out)
    );
}
