//! Every class of spec error names file, line and column, is reported before anything is
//! sent, and leaves the other files running (exit status 2).

use crate::common::*;
use serde_json::json;

/// Runs one broken spec and returns stderr, asserting exit status 2.
fn broken(name: &str, text: &str) -> String {
    let specs = Specs::new();
    specs.write(name, text);
    let out = specs.run(&[name]);
    assert_exit(&out, 2);
    stderr(&out)
}

#[test]
fn yaml_syntax_error() {
    let err = broken(
        "syntax.yaml",
        "tests:\n  - put: http://127.0.0.1:1/x\n    json: { a: 1\n",
    );
    assert!(err.contains("syntax.yaml:3:11"), "{err}");
    assert!(err.contains("unclosed bracket"), "{err}");
}

#[test]
fn unknown_key_with_suggestion() {
    let err = broken(
        "unknown.yaml",
        "tests:\n  - put: http://127.0.0.1:1/x\n    expect:\n      statuss: 200\n",
    );
    assert!(err.contains("unknown.yaml:4:7"), "{err}");
    assert!(
        err.contains("unknown key `statuss` in `expect`; allowed here: status, reason"),
        "{err}"
    );
    assert!(err.contains("did you mean `status`?"), "{err}");
}

#[test]
fn unknown_request_option_with_suggestion() {
    let err = broken(
        "opt.yaml",
        "tests:\n  - put: http://127.0.0.1:1/x\n    header: { A: b }\n",
    );
    assert!(err.contains("opt.yaml:3:5"), "{err}");
    assert!(err.contains("did you mean `headers`?"), "{err}");
}

#[test]
fn wrong_type() {
    let err = broken(
        "type.yaml",
        "tests:\n  - put: http://127.0.0.1:1/x\n    expect:\n      status: twohundred\n",
    );
    assert!(err.contains("type.yaml:4:15"), "{err}");
    assert!(err.contains("expected a code (`200`)"), "{err}");
    let err = broken(
        "type2.yaml",
        "tests:\n  - put: http://127.0.0.1:1/x\n    allow_redirects: maybe\n",
    );
    assert!(err.contains("type2.yaml:3:22"), "{err}");
}

#[test]
fn bad_jsonpath_says_brackets_are_needed() {
    let err = broken(
        "path.yaml",
        "tests:\n  - put: http://127.0.0.1:1/x\n    expect:\n      json:\n        $.headers.Content-Type: x\n",
    );
    assert!(err.contains("path.yaml:5:9"), "{err}");
    assert!(
        err.contains("invalid JSONPath `$.headers.Content-Type`"),
        "{err}"
    );
    assert!(err.contains("$.headers['Content-Type']"), "{err}");
}

#[test]
fn bad_regex() {
    let err = broken(
        "re.yaml",
        "tests:\n  - put: http://127.0.0.1:1/x\n    expect:\n      json:\n        $.a: { matches: \"a(b\" }\n",
    );
    assert!(err.contains("re.yaml:5:25"), "{err}");
    assert!(err.contains("invalid regex `a(b`: unclosed group"), "{err}");
}

#[test]
fn undefined_variable_with_suggestion_and_capture_order_hint() {
    let err = broken(
        "vars.yaml",
        "vars:\n  item: widget\ntests:\n  - put: http://127.0.0.1:1/items/${itme}\n  - put: http://127.0.0.1:1/${id}\n  - put: http://127.0.0.1:1/\n    capture:\n      id: { json: $.id }\n",
    );
    assert!(err.contains("vars.yaml:4:35"), "{err}");
    assert!(err.contains("undefined variable `itme`"), "{err}");
    assert!(err.contains("did you mean `item`?"), "{err}");
    assert!(err.contains("vars.yaml:5:29"), "{err}");
    assert!(err.contains("runs later"), "{err}");
}

#[test]
fn matcher_typo_is_caught() {
    let err = broken(
        "m.yaml",
        "tests:\n  - put: http://127.0.0.1:1/x\n    expect:\n      json:\n        $.a: { gte: 1, lts: 3 }\n",
    );
    assert!(err.contains("m.yaml:5:24"), "{err}");
    assert!(err.contains("did you mean `lt`?"), "{err}");
}

#[test]
fn a_broken_file_does_not_stop_the_others_and_nothing_is_sent_for_it() {
    let server = TestServer::start(|_| Action::json(200, json!({"ok": true})));
    let specs = Specs::new();
    specs.write(
        "a_broken.yaml",
        &format!(
            "tests:\n  - put: {}\n    expct: {{}}\n",
            server.url("/broken")
        ),
    );
    specs.write(
        "b_good.yaml",
        &format!(
            "tests:\n  - put: {}\n    expect: {{ status: 200 }}\n",
            server.url("/good")
        ),
    );
    let out = specs.run(&["."]);
    assert_eq!(out.status.code(), Some(2));
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(paths, vec!["/good", "/good"]);
    assert!(
        stdout(&out).contains("PASS  ./b_good.yaml::PUT"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("1 passed, 0 failed; 1 invalid spec file"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn command_line_errors_exit_2() {
    let specs = Specs::new();
    let out = specs.run(&["missing-folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`missing-folder` does not exist"),
        "{}",
        stderr(&out)
    );
    let out = specs.run(&["--partition", "hash:4/3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected `hash:K/N` or `count:K/N`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn variables_in_comments_are_not_references() {
    let server = TestServer::start(|_| Action::json(200, json!({})));
    let specs = Specs::new();
    specs.write(
        "c.yaml",
        &format!(
            "# uses ${{NOPE}} one day\ntests:\n  - put: {}/a#frag  # later: ${{id}}\n    headers: {{ X-Note: \"a # ${{NOT_A_COMMENT:-x}}\" }}\n",
            server.base()
        ),
    );
    let out = specs.run(&["c.yaml"]);
    assert_exit(&out, 0);
    let err = broken(
        "d.yaml",
        "tests:\n  - put: \"http://127.0.0.1:1/# ${undefined_in_quotes}\"\n",
    );
    assert!(
        err.contains("undefined variable `undefined_in_quotes`"),
        "{err}"
    );
}
