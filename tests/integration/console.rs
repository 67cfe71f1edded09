//! The console: colour on with --color always (changed words emphasised in diffs), off
//! when piped or with NO_COLOR; counts and words that agree; --quiet and --ordered.

use std::process::Command;

use crate::common::*;
use serde_json::json;

fn run(dir: &std::path::Path, args: &[&str], no_color: bool) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_putcheck"));
    cmd.args(args).arg("--no-progress").current_dir(dir);
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.output().expect("run");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colour_follows_the_flag_the_terminal_and_no_color() {
    let n = std::sync::atomic::AtomicU64::new(0);
    let server = TestServer::start(move |_| {
        let v = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Action::json(200, json!({"name": "widget", "version": v}))
    });
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!("tests:\n  - put: {}\n", server.url("/v")),
    );
    let dir = specs.dir.path();

    let always = run(dir, &["a.yaml", "--color", "always"], false);
    assert!(
        always.contains("\u{1b}[31m"),
        "red for the failure: {always:?}"
    );
    // The changed word of a diff line is emphasised (bold + underline) inside the line's colour.
    assert!(
        always.contains("\u{1b}[1m\u{1b}[4m") || always.contains("\u{1b}[1;4m"),
        "{always:?}"
    );

    let piped = run(dir, &["a.yaml"], false);
    assert!(!piped.contains('\u{1b}'), "no colour when piped: {piped:?}");

    let never = run(dir, &["a.yaml", "--color", "never"], false);
    assert!(!never.contains('\u{1b}'));

    let no_color = run(dir, &["a.yaml", "--color", "auto"], true);
    assert!(!no_color.contains('\u{1b}'));
}

/// A file with a pass, a failure, a transport error, a test after them, and an unnamed
/// `finally` step whose URL uses a variable.
fn counted_suite() -> (TestServer, RefusedPort, Specs) {
    let server = TestServer::start(|_| Action::json(200, json!({"name": "a"})));
    let refused = RefusedPort::new();
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!(
            r#"base_url: {base}
vars:
  item: w-1
tests:
  - name: one
    put: /items/${{item}}
  - name: two
    put: /items/${{item}}
    idempotency: false
    expect: {{ status: 404 }}
  - name: three
    put: {refused}/x
  - name: four
    put: /items/x
finally:
  - delete: /items/${{item}}
"#,
            base = server.base(),
            refused = refused.url(),
        ),
    );
    (server, refused, specs)
}

#[test]
fn header_and_summary_count_the_same_steps_in_the_same_words() {
    let (server, refused, specs) = counted_suite();
    let out = specs.run(&["a.yaml", "--jobs", "1", "--ordered"]);
    assert_exit(&out, 1);
    let text = normalize(&stdout(&out), &server.base()).replace(&refused.url(), "http://REFUSED");
    let expected = "\
Running 4 tests and 1 finally step from 1 file on 1 worker
PASS  a.yaml::one [2 sends, <T>]
FAIL  a.yaml::two [<T>]
ERROR a.yaml::three [<T>]
PASS  a.yaml::four [2 sends, <T>]
PASS  a.yaml::DELETE /items/w-1 (finally) [<T>]

── FAIL a.yaml::two
   --> a.yaml:7:5
   PUT http://SERVER/items/w-1
   ✗ status: unexpected status
        |
     10 |     expect: { status: 404 }
        |                       ^
       expected: 404
         actual: 200 OK

── ERROR a.yaml::three
   --> a.yaml:11:5
   PUT http://REFUSED/x
   ✗ request: cannot connect to `http://REFUSED/x`: Connection refused (os error 111); is the server running and the URL right?

4 tests and 1 finally step: 3 passed, 1 failed, 1 error in <T>
";
    assert_eq!(text, expected);
}

#[test]
fn quiet_prints_only_failures_and_the_summary_and_skips_say_why() {
    let (server, _refused, specs) = counted_suite();
    let out = specs.run(&["a.yaml", "-q", "--fail-fast"]);
    assert_exit(&out, 1);
    let text = normalize(&stdout(&out), &server.base());
    assert!(!text.contains("Running"), "{text}");
    assert!(!text.contains("PASS"), "{text}");
    assert!(!text.contains("SKIP"), "{text}");
    assert!(text.starts_with("FAIL  a.yaml::two [<T>]\n"), "{text}");
    assert!(text.contains("── FAIL a.yaml::two"), "{text}");
    assert!(
        text.ends_with("4 tests and 1 finally step: 2 passed, 1 failed, 2 skipped in <T>\n"),
        "{text}"
    );

    let out = specs.run(&["a.yaml", "--fail-fast", "--ordered"]);
    let text = stdout(&out);
    assert!(
        text.contains("SKIP  a.yaml::three [not started after a failure (--fail-fast)]"),
        "{text}"
    );
    assert!(!text.contains("[]"), "{text}");
}
