//! Native in CI: GitHub Actions annotations, the Markdown job summary, and one report
//! merged from the shards of `--partition`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::common::*;

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

/// What a Markdown renderer (CommonMark with GitHub's tables) makes of `md`: the table's
/// body rows as cell texts, the code blocks' texts, and the HTML.
fn render(md: &str) -> (Vec<Vec<String>>, Vec<String>, String) {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let parser = Parser::new_ext(md, Options::ENABLE_TABLES);
    let events: Vec<Event> = parser.collect();
    let (mut rows, mut code) = (Vec::new(), Vec::new());
    let (mut in_head, mut cell, mut block): (bool, Option<String>, Option<String>) =
        (false, None, None);
    for e in &events {
        match e {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) if !in_head => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                let c = cell.take().unwrap();
                if !in_head {
                    rows.last_mut().unwrap().push(c);
                }
            }
            Event::Start(Tag::CodeBlock(_)) => block = Some(String::new()),
            Event::End(TagEnd::CodeBlock) => code.push(block.take().unwrap()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(t);
                } else if let Some(b) = block.as_mut() {
                    b.push_str(t);
                }
            }
            _ => {}
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    (rows, code, html)
}

#[test]
fn the_job_summary_is_markdown_that_lists_every_failure_with_its_explanation() {
    let s = server();
    let specs = Specs::new();
    let _refused = suite(&specs, &s);
    std::fs::write(specs.path("summary.md"), "earlier step\n\n").unwrap();
    let out = specs
        .command(&["api"])
        .env("GITHUB_STEP_SUMMARY", specs.path("summary.md"))
        .env("TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let md = std::fs::read_to_string(specs.path("summary.md")).unwrap();
    assert!(
        md.starts_with("earlier step\n\n### putcheck\n"),
        "appended:\n{md}"
    );
    assert!(!md.contains(TOKEN), "{md}");
    let (rows, code, html) = render(&md);
    assert_eq!(
        rows,
        [
            ["❌ FAIL", "wrong status", "api/a.yaml:6"],
            ["❌ FAIL", "leaks, maybe", "api/a.yaml:10"],
            ["⚠️ FLAKY", "flaky one", "api/a.yaml:16"],
            ["💥 ERROR", "refused", "api/b.yaml:2"],
        ]
        .map(|r| r.map(String::from).to_vec()),
        "{md}"
    );
    assert!(
        html.contains("❌ 1 passed, 1 flaky, 2 failed, 1 error; 1 invalid spec file in"),
        "{html}"
    );
    assert!(
        html.contains("api/broken.yaml:3:5: unknown key `expct`"),
        "{html}"
    );
    // One collapsed explanation per test in the table, in the same order.
    assert_eq!(html.matches("<details><summary>").count(), 4, "{html}");
    assert_eq!(code.len(), 4, "{md}");
    assert!(
        code[0].starts_with("── FAIL api/a.yaml::wrong status\n"),
        "{}",
        code[0]
    );
    assert!(
        code[0].contains("expected: 200") && code[0].contains("actual: 500"),
        "{}",
        code[0]
    );
    assert!(code[1].contains("actual: \"***\""), "{}", code[1]);
    assert!(code[2].contains("passed on attempt 2"), "{}", code[2]);
    assert!(code[3].contains("Connection refused"), "{}", code[3]);

    // A passing run: one line.
    let out = specs
        .command(&["api/a.yaml", "--filter", "ok", "--summary", "ok.md"])
        .env("TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let md = std::fs::read_to_string(specs.path("ok.md")).unwrap();
    assert_eq!(md.trim_end().lines().count(), 1, "{md}");
    assert!(
        md.starts_with("✅ **putcheck**: 1 passed, 0 failed in "),
        "{md}"
    );
}

#[test]
fn a_long_summary_is_cut_below_githubs_limit_and_says_so() {
    // Bodies that differ in every line: each explanation carries a long diff.
    let n = Arc::new(AtomicUsize::new(0));
    let s = TestServer::start(move |_| {
        let i = n.fetch_add(1, Ordering::SeqCst);
        let pad = "x".repeat(450);
        let lines: Vec<String> = (0..400)
            .map(|l| format!("line {l} of send {i} {pad}"))
            .collect();
        Action::json(200, serde_json::json!({ "lines": lines }))
    });
    let specs = Specs::new();
    for f in 0..60 {
        specs.write(
            &format!("f{f:02}.yaml"),
            &format!(
                "tests:\n  - name: \"a | pipe *and* <b>{f}</b>\"\n    put: {}\n",
                s.url("/x")
            ),
        );
    }
    let out = specs.run(&[".", "--summary", "sum.md"]);
    assert_exit(&out, 1);
    let md = std::fs::read_to_string(specs.path("sum.md")).unwrap();
    assert!(md.len() < 1024 * 1024, "{} bytes", md.len());
    let (rows, code, html) = render(&md);
    assert_eq!(rows.len(), 60, "{md}");
    assert_eq!(rows[0][1], "a | pipe *and* <b>0</b>", "escaped as written");
    assert!(!html.contains("<b>0</b>"), "no raw HTML from a test name");
    // Explanations stop at the budget, and the summary says how many are left out.
    assert!(code.len() > 10 && code.len() < 60, "{}", code.len());
    assert!(
        md.contains(&format!(
            "_Cut to stay under GitHub's 1 MiB limit for a summary: 0 table row(s) and {} explanation(s) or spec error(s) are left out;",
            60 - code.len()
        )),
        "{}",
        &md[md.len() - 400..]
    );
    // Each explanation keeps its first lines and says how many more there are.
    assert!(
        code[0].contains("more lines in the step's log"),
        "{}",
        code[0]
    );
}

/// A suite spread over several files: passes, failures, a `finally` step, a broken file.
fn sharded_suite(specs: &Specs, s: &TestServer) {
    for f in 0..9 {
        let fail = if f % 3 == 0 {
            "\n  - name: fails\n    put: /fail\n    expect: { status: 200 }"
        } else {
            ""
        };
        specs.write(
            &format!("specs/group{}/file{f}.yaml", f % 2),
            &format!(
                "base_url: {}\ntests:\n  - name: first\n    put: /ok\n  - name: second\n    put: /ok/{f}{fail}\nfinally:\n  - delete: /ok\n",
                s.base()
            ),
        );
    }
    specs.write("specs/broken.yaml", "tests:\n  - put: /x\n    expct: 1\n");
}

fn json_file(specs: &Specs, name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(specs.path(name)).unwrap()).unwrap()
}

/// `(id, outcome, finally, seq)` of each test of a JSON report, in its order.
fn test_list(report: &serde_json::Value) -> Vec<(String, String, bool, serde_json::Value)> {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["outcome"].as_str().unwrap().to_string(),
                t["finally"].as_bool().unwrap(),
                t["seq"].clone(),
            )
        })
        .collect()
}

fn counts(report: &serde_json::Value) -> serde_json::Value {
    let mut s = report["summary"].clone();
    s.as_object_mut().unwrap().remove("time");
    s
}

#[test]
fn three_shards_merged_are_the_unsharded_run() {
    let s = server();
    let specs = Specs::new();
    sharded_suite(&specs, &s);
    let out = specs.run(&["specs", "--json", "all.json", "--junit", "all.xml"]);
    assert_exit(&out, 2);
    let mut shard_files = Vec::new();
    for k in 1..=3 {
        let name = format!("shard-{k}.json");
        let part = format!("hash:{k}/3");
        // With `--junit`, as the unsharded run: the JSON then holds the curl requests.
        let xml = format!("shard-{k}.xml");
        let out = specs.run(&[
            "specs",
            "--partition",
            &part,
            "--json",
            &name,
            "--junit",
            &xml,
        ]);
        assert!(matches!(out.status.code(), Some(0..=2)), "{}", stderr(&out));
        let report = json_file(&specs, &name);
        assert!(
            !report["tests"].as_array().unwrap().is_empty(),
            "every shard holds some of the suite: {part}"
        );
        shard_files.push(name);
    }
    let mut args = vec!["merge-reports"];
    args.extend(shard_files.iter().map(String::as_str));
    args.extend([
        "--json",
        "merged/m.json",
        "--junit",
        "merged/m.xml",
        "--html",
        "merged/m.html",
    ]);
    let out = putcheck(specs.dir.path(), &args);
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "no warning for shards that fit together");
    assert!(
        stdout(&out).starts_with("merged 3 report(s): 21 tests and 9 finally steps: 27 passed, 3 failed; 1 invalid spec file in "),
        "{}",
        stdout(&out)
    );

    let all = json_file(&specs, "all.json");
    let merged = json_file(&specs, "merged/m.json");
    assert_follows_report_schema(&merged);
    assert_eq!(counts(&merged), counts(&all));
    assert_eq!(test_list(&merged), test_list(&all));
    assert_eq!(merged["invalid_files"], all["invalid_files"]);
    // Everything else of each test is the same too, but what was measured.
    let strip = |mut t: serde_json::Value| {
        t["time"] = 0.into();
        for s in t["sends"].as_array_mut().unwrap() {
            s["time"] = 0.into();
            s["headers"] = serde_json::json!([]);
        }
        t
    };
    for (m, a) in merged["tests"]
        .as_array()
        .unwrap()
        .iter()
        .zip(all["tests"].as_array().unwrap())
    {
        assert_eq!(strip(m.clone()), strip(a.clone()));
    }

    // The JUnit report: valid, with the same test cases as the unsharded run's.
    assert_valid_junit(
        "three_shards_merged_are_the_unsharded_run",
        &specs.path("merged/m.xml"),
    );
    let cases = |name: &str| -> Vec<(String, String, bool)> {
        let text = std::fs::read_to_string(specs.path(name)).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .map(|n| {
                (
                    n.attribute("classname").unwrap_or("").to_string(),
                    n.attribute("name").unwrap().to_string(),
                    n.children()
                        .any(|c| c.has_tag_name("failure") || c.has_tag_name("error")),
                )
            })
            .collect()
    };
    assert_eq!(cases("merged/m.xml"), cases("all.xml"));
    // The same `curl:` lines too (the JSON report carries each test's request).
    let curls = |name: &str| -> Vec<String> {
        let text = std::fs::read_to_string(specs.path(name)).unwrap();
        let mut lines: Vec<String> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("curl: "))
            .map(|l| {
                regex::Regex::new(r"127\.0\.0\.1:\d+")
                    .unwrap()
                    .replace_all(l, "HOST")
                    .into_owned()
            })
            .collect();
        lines.sort();
        lines
    };
    assert!(!curls("all.xml").is_empty());
    assert_eq!(curls("merged/m.xml"), curls("all.xml"));

    // The HTML report opens in a real browser, every test in its table.
    let Some(browser) = chromium() else {
        missing_component(
            "three_shards_merged_are_the_unsharded_run",
            "chromium",
            "apt-get install chromium; .ci/run installs it",
        );
        return;
    };
    let dom = rendered_dom(browser, &specs.path("merged/m.html"), "");
    assert!(
        dom.contains(r#"data-script="ready""#),
        "the script ran: {dom}"
    );
    let rows = regex::Regex::new(r#"<tr class="test"[^>]*>"#).unwrap();
    assert_eq!(rows.find_iter(&dom).count(), 30, "{dom}");
    assert!(
        dom.contains(r#"data-count="failed"><b>3</b> failed"#),
        "{dom}"
    );
    assert!(dom.contains("group1/file3.yaml::fails"), "{dom}");
}

#[test]
fn merge_reports_refuses_other_versions_and_names_tests_that_ran_twice() {
    let s = server();
    let specs = Specs::new();
    sharded_suite(&specs, &s);
    for k in 1..=2 {
        let part = format!("count:{k}/2");
        specs.run(&[
            "specs",
            "--partition",
            &part,
            "--json",
            &format!("s{k}.json"),
        ]);
    }
    // A section this putcheck does not know: carried when every report has the same.
    for (k, coverage) in [(1, r#"{"operations": 3}"#), (2, r#"{"operations": 3}"#)] {
        let name = format!("s{k}.json");
        let mut r = json_file(&specs, &name);
        r["coverage"] = serde_json::from_str(coverage).unwrap();
        std::fs::write(specs.path(&name), r.to_string()).unwrap();
    }
    let out = putcheck(
        specs.dir.path(),
        &["merge-reports", "s1.json", "s2.json", "--json", "m.json"],
    );
    assert_exit(&out, 0);
    let merged = json_file(&specs, "m.json");
    assert_eq!(merged["coverage"], serde_json::json!({"operations": 3}));
    let keys: Vec<&String> = merged.as_object().unwrap().keys().collect();
    assert_eq!(keys.last().unwrap().as_str(), "tests", "{keys:?}");
    // ... and dropped, with a note, when they differ.
    let mut r = json_file(&specs, "s2.json");
    r["coverage"] = serde_json::json!({"operations": 4});
    std::fs::write(specs.path("s2.json"), r.to_string()).unwrap();
    let out = putcheck(
        specs.dir.path(),
        &["merge-reports", "s1.json", "s2.json", "--json", "m.json"],
    );
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("note: the reports' `coverage` sections are not all the same"),
        "{}",
        stderr(&out)
    );
    assert!(json_file(&specs, "m.json").get("coverage").is_none());

    // The same shard twice: every run kept and counted, and named.
    let out = putcheck(
        specs.dir.path(),
        &[
            "merge-reports",
            "s1.json",
            "s1.json",
            "--json",
            "twice.json",
        ],
    );
    assert_exit(&out, 0);
    let once = json_file(&specs, "s1.json");
    let twice = json_file(&specs, "twice.json");
    assert_eq!(
        twice["tests"].as_array().unwrap().len(),
        2 * once["tests"].as_array().unwrap().len()
    );
    assert!(
        stderr(&out).contains("ran in 2 shards (s1.json, s1.json): `first`, `second`"),
        "{}",
        stderr(&out)
    );

    // Another format version, or not a report at all: refused, saying why.
    let mut r = json_file(&specs, "s1.json");
    r["schema_version"] = 2.into();
    std::fs::write(specs.path("v2.json"), r.to_string()).unwrap();
    std::fs::write(specs.path("junit.xml"), "<testsuites/>").unwrap();
    for (file, says) in [
        (
            "v2.json",
            "`v2.json` is a putcheck report of format version 2, and this putcheck reads version 1",
        ),
        (
            "junit.xml",
            "`junit.xml` is not a putcheck JSON report: not JSON",
        ),
        ("missing.json", "cannot read the report `missing.json`"),
    ] {
        let out = putcheck(
            specs.dir.path(),
            &["merge-reports", "s1.json", file, "--html", "m.html"],
        );
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(says), "{file}: {}", stderr(&out));
    }
    let out = putcheck(specs.dir.path(), &["merge-reports", "s1.json"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("nothing to write"),
        "{}",
        stderr(&out)
    );
}

const CI_MD: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ci.md"));

/// The ```yaml blocks of docs/ci.md.
fn yaml_blocks() -> Vec<&'static str> {
    CI_MD
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// `putcheck serve` on a free port, and its base URL.
fn demo_api() -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_putcheck"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    // The server writes a second line; keep its stderr drained.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let url = first.split_whitespace().last().unwrap().to_string();
    (child, url)
}

/// Runs a command line of the docs in a POSIX shell, as the CI runs it, with the
/// binary under test first on PATH.
fn shell(dir: &Path, line: &str, env: &[(&str, String)]) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_putcheck")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(line).current_dir(dir).env("PATH", path);
    without_proxy_env(&mut cmd);
    for name in [
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_WORKSPACE",
        "CI",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn the_commands_of_docs_ci_md_work() {
    let (mut server, url) = demo_api();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let blocks = yaml_blocks();
    assert_eq!(
        blocks.len(),
        3,
        "two GitHub workflows and a GitLab pipeline"
    );
    let run_line = regex::Regex::new(r"(?m)^\s*- run: (.+)$").unwrap();
    let script_line = regex::Regex::new(r"(?m)^\s*- ((?:putcheck|cargo) .+)$").unwrap();
    let shards = regex::Regex::new(r"shard: \[([0-9, ]+)\]").unwrap();
    let mut ran = 0;
    let mut not_run = Vec::new();
    for (b, block) in blocks.iter().enumerate() {
        // Valid YAML, first of all.
        serde_saphyr::from_str::<serde_json::Value>(block)
            .unwrap_or_else(|e| panic!("block {b} is not YAML: {e}\n{block}"));
        let work = tempfile::tempdir().unwrap();
        copy_dir(&root.join("specs"), &work.path().join("specs"));
        let gitlab = block.contains("CI_NODE_INDEX");
        let lines: Vec<String> = if gitlab {
            script_line
                .captures_iter(block)
                .map(|c| c[1].to_string())
                .collect()
        } else {
            run_line
                .captures_iter(block)
                .map(|c| c[1].to_string())
                .collect()
        };
        let matrix: Vec<String> = shards
            .captures(block)
            .map(|c| c[1].split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_else(|| vec![String::new()]);
        let nodes = if gitlab {
            vec!["1", "2", "3"]
        } else {
            vec![""]
        };
        for line in &lines {
            if line.starts_with("cargo install") {
                not_run.push(line.clone());
                continue;
            }
            assert!(line.starts_with("putcheck "), "block {b}: {line}");
            let sharded = line.contains("${{ matrix.shard }}") || line.contains("CI_NODE_INDEX");
            let instances: Vec<String> = if !sharded {
                vec![String::new()]
            } else if gitlab {
                nodes.iter().map(|s| s.to_string()).collect()
            } else {
                matrix.clone()
            };
            for k in instances {
                let line = line.replace("${{ matrix.shard }}", &k);
                assert!(
                    !line.contains("${{"),
                    "an expression the test does not set: {line}"
                );
                let summary = work.path().join(format!("summary-{k}.md"));
                let env: Vec<(&str, String)> = if gitlab {
                    vec![
                        ("BASE_URL", url.clone()),
                        ("GITLAB_CI", "true".into()),
                        ("CI_NODE_INDEX", k.clone()),
                        ("CI_NODE_TOTAL", "3".into()),
                    ]
                } else {
                    vec![
                        ("BASE_URL", url.clone()),
                        ("GITHUB_ACTIONS", "true".into()),
                        ("GITHUB_WORKSPACE", work.path().display().to_string()),
                        ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
                    ]
                };
                let out = shell(work.path(), &line, &env);
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "block {b}: {line}\n{}{}",
                    stdout(&out),
                    stderr(&out)
                );
                ran += 1;
                if !gitlab && line.starts_with("putcheck specs/") {
                    let md = std::fs::read_to_string(&summary).unwrap();
                    assert!(md.starts_with("✅ **putcheck**: "), "{md}");
                }
            }
        }
        let reports = work.path().join("reports");
        let exists = |name: &str| {
            assert!(reports.join(name).is_file(), "block {b} wrote {name}");
        };
        match b {
            0 => ["junit.xml", "report.html"].map(exists).len(),
            1 => [
                "shard-1.json",
                "shard-3.json",
                "junit.xml",
                "report.html",
                "report.json",
            ]
            .map(exists)
            .len(),
            _ => ["junit-1.xml", "junit-3.xml", "junit.xml", "report.html"]
                .map(exists)
                .len(),
        };
        if b == 1 {
            // The merged report holds the whole suite.
            let merged: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(reports.join("report.json")).unwrap(),
            )
            .unwrap();
            let listed = putcheck(work.path(), &["--list", "specs/"]);
            assert_eq!(
                merged["tests"].as_array().unwrap().len(),
                stdout(&listed).lines().count()
            );
            assert_eq!(merged["summary"]["failed"], 0);
        }
    }
    assert_eq!(ran, 1 + 3 + 1 + 3 + 1, "every putcheck line ran");
    assert_eq!(
        not_run.len(),
        5,
        "only the install lines are not run: {not_run:?}"
    );
    assert!(not_run
        .iter()
        .all(|l| l.starts_with("cargo install --locked putcheck")));
    let _ = server.kill();
    let _ = server.wait();

    // The annotation shown is what `putcheck demo --failing` prints.
    let shown = CI_MD
        .split("<!-- annotation-output -->")
        .nth(1)
        .and_then(|s| s.split("```text\n").nth(1))
        .and_then(|s| s.split("```").next())
        .unwrap()
        .trim();
    let out = putcheck(
        root,
        &["demo", "--failing", "--annotations", "github", "-q"],
    );
    assert_exit(&out, 1);
    assert!(
        stdout(&out).lines().any(|l| l == shown),
        "{shown}\nnot in:\n{}",
        stdout(&out)
    );
}

#[test]
fn a_shard_with_no_spec_file_runs_nothing_and_still_writes_its_reports() {
    let s = server();
    let specs = Specs::new();
    specs.write("only.yaml", &format!("tests:\n  - put: {}\n", s.url("/ok")));
    let mut tests = 0;
    for k in 1..=3 {
        let json = format!("s{k}.json");
        let part = format!("hash:{k}/3");
        let out = specs.run(&[
            "only.yaml",
            "--partition",
            &part,
            "--json",
            &json,
            "--junit",
            "j.xml",
        ]);
        assert_exit(&out, 0);
        let report = json_file(&specs, &json);
        let n = report["tests"].as_array().unwrap().len();
        if n == 0 {
            assert_eq!(
                stderr(&out),
                "note: this shard holds none of the 1 spec file(s); its reports are empty\n"
            );
            assert!(specs.path("j.xml").is_file());
        }
        tests += n;
    }
    assert_eq!(tests, 1);
    // A filter that matches nothing is still a mistake.
    let out = specs.run(&[
        "only.yaml",
        "--partition",
        "hash:1/3",
        "--filter",
        "nothing",
    ]);
    assert_exit(&out, 2);
}
