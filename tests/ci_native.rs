//! Native in CI: GitHub Actions annotations, the Markdown job summary, and one report
//! merged from the shards of `--partition`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failing test

mod common;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;

const TOKEN: &str = "tok-S3cret-annot";

/// `/ok` answers 200, `/fail` 500, `/echo` the request's Authorization as JSON, and
/// `/flaky` 500 on its first two requests (one test's two sends), then 200.
fn server() -> TestServer {
    let flaky = Arc::new(AtomicUsize::new(0));
    TestServer::start(move |r| match r.path() {
        "/fail" => Action::json(500, serde_json::json!({"error": "boom"})),
        "/echo" => Action::json(
            200,
            serde_json::json!({"auth": r.header("authorization").unwrap_or("")}),
        ),
        "/flaky" if flaky.fetch_add(1, Ordering::SeqCst) < 2 => {
            Action::json(500, serde_json::json!({}))
        }
        _ => Action::json(200, serde_json::json!({"ok": true})),
    })
}

/// One workflow command, parsed by the grammar the Actions runner reads: `::NAME`, then
/// optionally a space and `key=value` properties separated by commas, then `::` and the
/// message; properties escape `%`, CR, LF, `:` and `,`, the message `%`, CR and LF.
#[derive(Debug)]
struct Command {
    name: String,
    props: BTreeMap<String, String>,
    message: String,
}

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn parse_command(line: &str) -> Option<Command> {
    let re = regex::Regex::new(r"^::([a-z-]+)(?: ([^:]*))?::(.*)$").unwrap();
    let c = re.captures(line)?;
    let mut props = BTreeMap::new();
    if let Some(p) = c.get(2) {
        for pair in p.as_str().split(',') {
            let (k, v) = pair.split_once('=').expect("key=value");
            assert!(
                !v.contains(':') && !v.contains('\n'),
                "unescaped property: {line}"
            );
            props.insert(k.to_string(), unescape(v));
        }
    }
    let message = c.get(3)?.as_str();
    assert!(!message.contains('\r'), "unescaped message: {line}");
    Some(Command {
        name: c[1].to_string(),
        props,
        message: unescape(message),
    })
}

fn commands(out: &str) -> Vec<Command> {
    out.lines()
        .filter(|l| l.starts_with("::"))
        .map(|l| parse_command(l).unwrap_or_else(|| panic!("not a workflow command: {l}")))
        .collect()
}

/// The suite; the refused port is held until the caller drops it.
fn suite(specs: &Specs, s: &TestServer) -> RefusedPort {
    let refused = RefusedPort::new();
    specs.write(
        "api/a.yaml",
        &format!(
            r#"base_url: {base}
secrets: [TOKEN]
tests:
  - name: ok
    put: /ok
  - name: wrong status
    put: /fail
    expect:
      status: 200
  - name: leaks, maybe
    put: /echo
    auth: {{ bearer: "${{TOKEN}}" }}
    expect:
      json:
        $.auth: "Bearer nope"
  - name: flaky one
    put: /flaky
    retry: {{ count: 1, interval: 1ms }}
    expect: {{ status: 200 }}
"#,
            base = s.base()
        ),
    );
    specs.write(
        "api/b.yaml",
        &format!(
            "tests:\n  - name: refused\n    put: {}\n    timeout: 2s\n",
            refused.url()
        ),
    );
    specs.write("api/broken.yaml", "tests:\n  - put: /x\n    expct: 1\n");
    refused
}

#[test]
fn under_github_actions_each_failure_is_annotated_on_its_spec_line_without_secrets() {
    let s = server();
    let specs = Specs::new();
    let _refused = suite(&specs, &s);
    let out = specs
        .command(&["api", "--retries", "0"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", specs.dir.path())
        .env("TOKEN", TOKEN)
        .current_dir(specs.dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 2); // a broken spec file
    let text = stdout(&out);
    assert!(!text.contains(TOKEN), "{text}");
    // The console says what it always said.
    assert!(text.contains("FAIL  api/a.yaml::wrong status"), "{text}");
    let cmds = commands(&text);
    let found: Vec<(String, String, String, String)> = cmds
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.props["file"].clone(),
                format!(
                    "{}:{}",
                    c.props.get("line").map_or("-", String::as_str),
                    c.props.get("col").map_or("-", String::as_str)
                ),
                c.props["title"].clone(),
            )
        })
        .collect();
    let want = |n: &str, f: &str, at: &str, t: &str| (n.into(), f.into(), at.into(), t.into());
    assert_eq!(
        found,
        vec![
            // On the line of the failed expectation.
            want(
                "error",
                "api/a.yaml",
                "9:15",
                "FAIL api/a.yaml::wrong status"
            ),
            want(
                "error",
                "api/a.yaml",
                "15:9",
                "FAIL api/a.yaml::leaks, maybe"
            ),
            // A transport error has no expectation: the test's own line.
            want("error", "api/b.yaml", "2:5", "ERROR api/b.yaml::refused"),
            want("error", "api/broken.yaml", "3:5", "spec error"),
            want(
                "warning",
                "api/a.yaml",
                "19:23",
                "FLAKY api/a.yaml::flaky one"
            ),
        ],
        "{text}"
    );
    assert!(
        cmds[0].message.starts_with("status: "),
        "{}",
        cmds[0].message
    );
    assert!(
        cmds[0].message.contains("\nexpected: 200\nactual: 500"),
        "{}",
        cmds[0].message
    );
    assert!(
        cmds[1].message.contains("actual: \"***\""),
        "{}",
        cmds[1].message
    );
    assert!(
        cmds[3].message.contains("unknown key `expct`")
            && cmds[3].message.contains("\nhelp: did you mean `expect`?"),
        "{}",
        cmds[3].message
    );
    assert!(
        cmds[4].message.starts_with("passed on attempt 2"),
        "{}",
        cmds[4].message
    );

    // Off by flag; on by flag without the variable; paths then relative to the
    // working directory.
    let out = specs
        .command(&["api", "--annotations", "none"])
        .env("GITHUB_ACTIONS", "true")
        .env("TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(commands(&stdout(&out)).is_empty(), "{}", stdout(&out));
    let out = specs
        .command(&["a.yaml", "--annotations", "github"])
        .env("TOKEN", TOKEN)
        .current_dir(specs.path("api"))
        .output()
        .unwrap();
    let cmds = commands(&stdout(&out));
    assert_eq!(cmds[0].props["file"], "a.yaml");
}

#[test]
fn past_ten_failures_nine_are_annotated_and_the_tenth_says_how_many_more() {
    let s = server();
    let specs = Specs::new();
    for i in 1..=12 {
        specs.write(
            &format!("f{i:02}.yaml"),
            &format!(
                "tests:\n  - name: t\n    put: {}\n    expect: {{ status: 200 }}\n",
                s.url("/fail")
            ),
        );
    }
    let out = specs
        .command(&[".", "--annotations", "github", "--summary", "sum.md"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let cmds = commands(&stdout(&out));
    assert_eq!(cmds.len(), 10);
    let files: Vec<&str> = cmds[..9].iter().map(|c| c.props["file"].as_str()).collect();
    assert_eq!(
        files,
        (1..=9).map(|i| format!("f{i:02}.yaml")).collect::<Vec<_>>()
    );
    assert!(!cmds[9].props.contains_key("file"));
    assert_eq!(
        cmds[9].message,
        "3 more failures and spec errors are not annotated (GitHub shows 10 per step), in f10.yaml, f11.yaml, f12.yaml: see this step's log or the job summary"
    );
}

/// Spec lines of the suite, for the positions above.
#[test]
fn the_positions_above_are_the_suites_lines() {
    let s = server();
    let specs = Specs::new();
    let _refused = suite(&specs, &s);
    let a = std::fs::read_to_string(specs.path("api/a.yaml")).unwrap();
    let line = |n: usize| a.lines().nth(n - 1).unwrap().to_string();
    assert_eq!(&line(9)[14..], "200");
    assert_eq!(&line(15)[8..], "$.auth: \"Bearer nope\"");
    assert!(line(16).contains("name: flaky one"));
    assert!(Path::new(&specs.path("api/b.yaml")).exists());
}
