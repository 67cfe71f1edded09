//! CI features: JUnit and JSON reports, partitions, filters, fail-fast, retries, verbose
//! output, curl commands, and secrets that never print.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::common::*;
use serde_json::{json, Value};

/// Counts calls per path; `/flaky/N` fails its first N calls.
fn server() -> TestServer {
    let calls: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    TestServer::start(move |r| {
        let n = {
            let mut c = calls.lock().expect("lock");
            let n = c.entry(r.path().to_string()).or_insert(0);
            *n += 1;
            *n
        };
        let echo = json!({
            "target": r.target,
            "headers": r.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>(),
            "body": r.body_text(),
        });
        match r.path() {
            p if p.starts_with("/flaky/") => {
                let fails: u32 = p.trim_start_matches("/flaky/").parse().unwrap_or(0);
                Action::json(if n > fails { 200 } else { 503 }, json!({"call": n}))
            }
            "/bump" => Action::json(200, json!({"version": n})),
            _ => Action::json(200, echo),
        }
    })
}

fn suite_files(specs: &Specs, s: &TestServer) {
    specs.write(
        "a_pass.yaml",
        &format!("name: passing\nbase_url: {}\ntests:\n  - name: ok one\n    put: /one\n  - name: ok two\n    put: /two\n", s.base()),
    );
    specs.write(
        "b_mixed.yaml",
        &format!(
            r#"base_url: {}
tests:
  - name: bumps
    put: /bump
  - name: flaky
    put: /flaky/1
    idempotency: false
    expect: {{ status: 200 }}
    retry: {{ count: 2, interval: 10ms }}
  - name: refused
    put: http://127.0.0.1:1/
finally:
  - name: cleanup
    delete: /cleanup
"#,
            s.base()
        ),
    );
    specs.write("c_broken.yaml", "tests:\n  - put: /x\n    expct: {}\n");
}

fn attr<'a>(n: &roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    n.attribute(name).unwrap_or("")
}

#[test]
fn junit_has_a_testcase_per_test_and_validates_against_the_xsd() {
    let s = server();
    let specs = Specs::new();
    suite_files(&specs, &s);
    let out = specs.run(&[".", "--junit", "reports/junit.xml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let path = specs.dir.path().join("reports/junit.xml");
    let xml = std::fs::read_to_string(&path).expect("junit written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites: Vec<_> = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<&str> = suites.iter().map(|n| attr(n, "name")).collect();
    assert_eq!(names, vec!["passing", "./b_mixed.yaml", "./c_broken.yaml"]);
    let cases = |i: usize| -> Vec<roxmltree::Node> {
        suites[i]
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect()
    };
    assert_eq!(cases(0).len(), 2);
    let mixed = cases(1);
    let case_names: Vec<&str> = mixed.iter().map(|n| attr(n, "name")).collect();
    assert_eq!(case_names, vec!["bumps", "flaky", "refused", "cleanup"]);
    fn child<'a, 'i>(n: &roxmltree::Node<'a, 'i>, tag: &str) -> Option<roxmltree::Node<'a, 'i>> {
        n.children().find(|c| c.has_tag_name(tag))
    }
    let failure = child(&mixed[0], "failure").expect("bumps fails");
    assert_eq!(attr(&failure, "type"), "idempotency");
    assert!(
        failure.text().unwrap_or("").contains("+  \"version\": 2"),
        "diff in the failure text"
    );
    let flaky = child(&mixed[1], "flakyFailure").expect("flaky recorded");
    assert!(
        flaky
            .children()
            .any(|c| c.has_tag_name("stackTrace")
                && c.text().unwrap_or("").contains("expected: 200")),
        "a flaky attempt keeps its failure text: {xml}"
    );
    // Jenkins splits a class name at its last dot: no `.yaml` class, folders as packages.
    assert_eq!(attr(&mixed[0], "classname"), "b_mixed");
    assert!(child(&mixed[1], "failure").is_none());
    assert_eq!(
        attr(&child(&mixed[2], "error").expect("transport error"), "type"),
        "transport"
    );
    assert!(child(&mixed[0], "system-out")
        .and_then(|n| n.text())
        .unwrap_or("")
        .contains("send 2: 200 OK"));
    assert!(attr(&mixed[0], "time").parse::<f64>().is_ok());
    let broken = cases(2);
    assert_eq!(
        attr(&child(&broken[0], "error").expect("spec error"), "type"),
        "spec"
    );
    assert_eq!(attr(&doc.root_element(), "failures"), "1");
    assert_eq!(attr(&doc.root_element(), "errors"), "2");

    assert_valid_junit(
        "junit_has_a_testcase_per_test_and_validates_against_the_xsd",
        &path,
    );
}

#[test]
fn json_report_follows_its_documented_schema() {
    let s = server();
    let specs = Specs::new();
    suite_files(&specs, &s);
    let out = specs.run(&[".", "--json", "r.json"]);
    assert_eq!(out.status.code(), Some(2));
    let report = specs.report(&out);
    assert_follows_report_schema(&report);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["summary"]["flaky"], 1);
    assert_eq!(report["invalid_files"][0]["errors"][0]["line"], 3);
    let bumps = &report["tests"][2];
    assert_eq!(bumps["name"], "bumps");
    let labels: Vec<&str> = bumps["sends"]
        .as_array()
        .expect("sends")
        .iter()
        .filter_map(|s| s["label"].as_str())
        .collect();
    assert_eq!(
        labels,
        ["send 1", "send 2", "noise check 1", "noise check 2"]
    );
    assert_eq!(bumps["sends"][2]["kind"], "read_back");
    assert_eq!(bumps["sends"][2]["request"]["method"], "GET");
    assert_eq!(bumps["failures"][0]["paths"], json!(["$.version"]));
}

#[test]
fn json_report_to_stdout_keeps_the_console_on_stderr() {
    let s = server();
    let specs = Specs::new();
    specs.write("a.yaml", &format!("tests:\n  - put: {}\n", s.url("/x")));
    let out = specs.run(&["a.yaml", "--json", "-"]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value =
        serde_json::from_slice(&out.stdout).expect("stdout is the JSON report alone");
    assert_eq!(report["summary"]["passed"], 1);
    assert!(stderr(&out).contains("1 passed, 0 failed"));
}

fn listed(specs: &Specs, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--list"];
    all.extend_from_slice(args);
    let out = specs.run(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out).lines().map(str::to_string).collect()
}

#[test]
fn partitions_are_disjoint_and_cover_the_suite() {
    let specs = Specs::new();
    for i in 0..11 {
        specs.write(&format!("s{i:02}.yaml"), &format!("tests:\n  - name: t{i}\n    put: http://127.0.0.1:1/{i}\n  - name: u{i}\n    put: http://127.0.0.1:1/u\n"));
    }
    let all: BTreeSet<String> = listed(&specs, &["."]).into_iter().collect();
    assert_eq!(all.len(), 22);
    for kind in ["hash", "count"] {
        for n in 1..=5 {
            let mut union = BTreeSet::new();
            let mut total = 0;
            for k in 1..=n {
                let shard = listed(&specs, &[".", "--partition", &format!("{kind}:{k}/{n}")]);
                total += shard.len();
                union.extend(shard);
            }
            assert_eq!(total, all.len(), "{kind} {n}: shards overlap");
            assert_eq!(union, all, "{kind} {n}: shards miss tests");
        }
    }
}

#[test]
fn hash_shards_do_not_move_when_files_are_added() {
    let specs = Specs::new();
    for i in 0..8 {
        specs.write(
            &format!("f{i}.yaml"),
            &format!("tests:\n  - name: t{i}\n    put: http://127.0.0.1:1/\n"),
        );
    }
    let before: Vec<Vec<String>> = (1..=3)
        .map(|k| listed(&specs, &[".", "--partition", &format!("hash:{k}/3")]))
        .collect();
    for i in 0..5 {
        specs.write(
            &format!("new{i}.yaml"),
            "tests:\n  - put: http://127.0.0.1:1/\n",
        );
    }
    for (k, old) in before.iter().enumerate() {
        let now = listed(&specs, &[".", "--partition", &format!("hash:{}/3", k + 1)]);
        for t in old {
            assert!(now.contains(t), "{t} left shard {}", k + 1);
        }
    }
}

#[test]
fn filters_select_tests_and_keep_the_captures_they_need() {
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        "tests:\n  - name: login\n    post: http://127.0.0.1:1/l\n    capture: { token: { json: $.t } }\n  - name: put widget\n    put: http://127.0.0.1:1/w/${token}\n  - name: put gadget\n    put: http://127.0.0.1:1/g\n",
    );
    specs.write(
        "b.yaml",
        "tests:\n  - name: other widget\n    put: http://127.0.0.1:1/o\n",
    );
    assert_eq!(
        listed(&specs, &[".", "--filter", "gadget"]),
        vec!["./a.yaml::put gadget"]
    );
    assert_eq!(
        listed(&specs, &[".", "--filter", "put widget"]),
        vec!["./a.yaml::login", "./a.yaml::put widget"]
    );
    assert_eq!(
        listed(&specs, &[".", "--filter-regex", "^./b"]),
        vec!["./b.yaml::other widget"]
    );
    assert_eq!(
        listed(&specs, &[".", "--filter", "gadget", "--filter", "other"]).len(),
        2
    );
    let out = specs.run(&[".", "--filter", "nothing-matches"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn list_sends_nothing_and_reports_broken_specs() {
    let s = server();
    let specs = Specs::new();
    specs.write("a.yaml", &format!("tests:\n  - put: {}\n", s.url("/x")));
    specs.write("b.yaml", "tests:\n  - put: /x\n    expct: 1\n");
    let out = specs.run(&[".", "--list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("b.yaml:3:5"));
    assert!(s.requests().is_empty());
}

#[test]
fn list_is_not_stopped_by_a_variable_the_environment_will_set_but_real_errors_stop_it() {
    let specs = Specs::new();
    // As `putcheck import openapi` writes a spec with a security scheme.
    specs.write(
        "pet.yaml",
        "base_url: ${BASE_URL}\nsecrets: [PETSTORE_AUTH]\ntests:\n  - name: update\n    put: /pet/${PET_ID}\n    auth: { bearer: \"${PETSTORE_AUTH}\" }\n",
    );
    let out = specs.run(&["pet.yaml", "--list"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "pet.yaml::update\n");
    assert_eq!(stderr(&out), "");
    // A run needs them: the same file is refused.
    let out = specs.run(&["pet.yaml"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("undefined variable `PETSTORE_AUTH`"),
        "{}",
        stderr(&out)
    );
    // Mistakes no environment can fix still stop the list: a typo of a known
    // variable, a capture used before the test that captures it, an unknown key.
    specs.write(
        "typo.yaml",
        "vars: { item_id: 1 }\ntests:\n  - put: http://127.0.0.1:9/a/${item_idd}\n",
    );
    specs.write(
        "early.yaml",
        "tests:\n  - put: http://127.0.0.1:9/a/${etag}\n  - put: http://127.0.0.1:9/b\n    capture: { etag: { header: ETag } }\n",
    );
    specs.write(
        "key.yaml",
        "tests:\n  - put: http://127.0.0.1:9/a\n    expct: 1\n",
    );
    for (file, says) in [
        ("typo.yaml", "did you mean `item_id`?"),
        ("early.yaml", "is captured by test"),
        ("key.yaml", "unknown key `expct`"),
    ] {
        let out = specs.run(&[file, "--list"]);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(says), "{file}: {}", stderr(&out));
    }
}

#[test]
fn fail_fast_starts_nothing_new_but_finally_runs() {
    let s = server();
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!("base_url: {}\ntests:\n  - name: first fails\n    put: /bump\n  - name: second\n    put: /second\nfinally:\n  - name: cleanup\n    delete: /cleanup\n", s.base()),
    );
    let out = specs.run(&["a.yaml", "--fail-fast", "--jobs", "1", "--json", "r.json"]);
    assert_eq!(out.status.code(), Some(1));
    let paths: Vec<String> = s
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path()))
        .collect();
    // Two sends, then two GETs that tell noise from a changed state, then `finally`.
    assert_eq!(
        paths,
        vec![
            "PUT /bump",
            "PUT /bump",
            "GET /bump",
            "GET /bump",
            "DELETE /cleanup"
        ]
    );
    let r = specs.report(&out);
    assert_eq!(r["tests"][1]["outcome"], "skipped");
    assert_eq!(r["tests"][2]["outcome"], "passed");
    assert!(stdout(&out).contains("1 skipped"), "{}", stdout(&out));
}

#[test]
fn retries_flag_makes_a_passing_retry_flaky() {
    let s = server();
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!(
            "tests:\n  - name: eventually\n    get: {}\n    expect: {{ status: 200 }}\n",
            s.url("/flaky/2")
        ),
    );
    let out = specs.run(&["a.yaml", "--retries", "1"]);
    assert_eq!(out.status.code(), Some(1), "one retry is not enough");
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!(
            "tests:\n  - name: eventually\n    get: {}\n    expect: {{ status: 200 }}\n",
            s.url("/flaky/3")
        ),
    );
    let (out, report) = specs.run_report(&["a.yaml", "--retries", "5"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("FLAKY ./a.yaml::eventually") || text.contains("FLAKY a.yaml::eventually"),
        "{text}"
    );
    assert!(
        text.contains("earlier: status: unexpected status"),
        "{text}"
    );
    // Console and JSON count alike: `passed` is a first-attempt pass, a pass on a retry is flaky.
    assert!(text.contains("0 passed, 1 flaky, 0 failed"), "{text}");
    assert_eq!(report["summary"]["passed"], 0);
    assert_eq!(report["summary"]["flaky"], 1);
}

#[test]
fn verbose_shows_exchanges_and_curl_reproduces_the_request() {
    let s = server();
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!("tests:\n  - name: ok\n    put: {}\n  - name: bad\n    put: {}\n    headers: {{ X-Trace: abc }}\n    json: {{ it's: \"quoted\" }}\n", s.url("/ok"), s.url("/bump")),
    );
    let out = specs.run(&["a.yaml", "-v", "--curl"]);
    let text = stdout(&out);
    assert!(text.contains("> PUT http://"), "{text}");
    assert!(text.contains("> X-Trace: abc"), "{text}");
    assert!(text.contains("< send 2 HTTP/1.1 200 OK"), "{text}");
    assert!(
        !text.contains("/ok\n   < "),
        "passing tests are quiet with -v: {text}"
    );
    assert!(
        text.contains(&format!(r#"curl -X PUT '{}' -H 'X-Trace: abc' -H 'Content-Type: application/json' --data-binary '{{"it'\''s":"quoted"}}'"#, s.url("/bump"))),
        "{text}"
    );
    let out = specs.run(&["a.yaml", "-vv"]);
    assert!(stdout(&out).contains(&format!("> PUT {}", s.url("/ok"))));
}

/// The runner builds curl commands only for the reports that show them; `--junit` alone
/// (no `--curl`) is one of them: every test case's `<system-out>` carries its curl line.
#[test]
fn junit_without_curl_flag_still_carries_each_tests_curl_command() {
    let s = server();
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!(
            "tests:\n  - name: ok\n    put: {}\n    headers: {{ X-Trace: abc }}\n",
            s.url("/ok")
        ),
    );
    let out = specs.run(&["a.yaml", "--junit", "j.xml"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let junit = std::fs::read_to_string(specs.path("j.xml")).expect("junit");
    assert!(
        junit.contains(&format!(
            "curl: curl -X PUT &apos;{}&apos; -H &apos;X-Trace: abc&apos;",
            s.url("/ok")
        )) || junit.contains(&format!(
            "curl: curl -X PUT '{}' -H 'X-Trace: abc'",
            s.url("/ok")
        )),
        "{junit}"
    );
    assert!(
        !stdout(&out).contains("curl -X"),
        "no --curl, no curl on the console"
    );
}

/// A response field that comes twice is shown twice, once per field, spelt as sent (a
/// bug once printed two fields four times).
#[test]
fn a_repeated_response_field_is_recorded_once_per_field() {
    let s = TestServer::start(|_| {
        Action::json(200, json!({}))
            .with_header("X-Multi", "first")
            .with_header("X-Multi", "second")
    });
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!(
            "tests:\n  - name: ok\n    put: {}\n    idempotency: false\n",
            s.url("/m")
        ),
    );
    let out = specs.run(&["a.yaml", "-vv"]);
    let text = stdout(&out);
    assert_eq!(text.matches("< X-Multi: first").count(), 1, "{text}");
    assert_eq!(text.matches("< X-Multi: second").count(), 1, "{text}");
}

#[test]
fn secrets_never_print_in_any_output() {
    let s = server();
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!(
            r#"
base_url: {}
secrets: [API_TOKEN]
tests:
  - name: leaks everywhere
    put: /echo?token=${{API_TOKEN}}
    auth: {{ bearer: "${{API_TOKEN}}" }}
    cookies: {{ session: cookie-s3cret-value }}
    headers: {{ X-Api-Key: "${{API_TOKEN}}" }}
    json: {{ token: "${{API_TOKEN}}", pass: "${{DB_PASS}}" }}
    expect:
      status: 201
      json:
        $.body: "${{API_TOKEN}}"
  - name: basic auth
    put: /alice-user/cal/ev.ics
    auth: {{ basic: [alice-user, basic-pa55word] }}
    expect: {{ status: 418 }}
"#,
            s.base()
        ),
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_putcheck"))
        .args([
            "--color",
            "never",
            "--no-progress",
            "a.yaml",
            "-vv",
            "--curl",
            "--junit",
            "j.xml",
            "--json",
            "r.json",
        ])
        .args(["--secret", "DB_PASS=db-pa55/w+rd"])
        .current_dir(specs.dir.path())
        .env("API_TOKEN", "tok-ABC123-s3cret")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(!s.requests().is_empty());
    assert!(
        s.requests()[0].target.contains("tok-ABC123-s3cret"),
        "the secret is really sent"
    );
    let files = ["j.xml", "r.json"]
        .map(|f| std::fs::read_to_string(specs.dir.path().join(f)).expect("report"));
    let outputs = [
        stdout(&out),
        stderr(&out),
        files[0].clone(),
        files[1].clone(),
    ];
    let secrets = [
        "tok-ABC123-s3cret",
        "cookie-s3cret-value",
        "db-pa55/w+rd",
        "db-pa55%2Fw%2Brd",
        "basic-pa55word",
        "YWxpY2UtdXNlcjpiYXNpYy1wYTU1d29yZA",
    ];
    for (i, text) in outputs.iter().enumerate() {
        for secret in secrets {
            assert!(!text.contains(secret), "output {i} leaks {secret}:\n{text}");
        }
    }
    assert!(outputs[0].contains("Authorization: ***"), "{}", outputs[0]);
    assert!(outputs[0].contains("token=***"), "{}", outputs[0]);
    // A basic-auth user name is masked inside the credentials only: the URL that holds
    // it reads as written, and `--curl` writes it out.
    assert!(
        outputs[0].contains("/alice-user/cal/ev.ics") && !outputs[0].contains("/***/cal"),
        "{}",
        outputs[0]
    );
    assert!(
        outputs[0].contains(r#"-u "alice-user:$AUTH_PASSWORD""#),
        "{}",
        outputs[0]
    );
}

#[test]
fn curl_never_sends_a_cut_preview_for_a_long_body() {
    let s = server();
    let specs = Specs::new();
    let long = "x".repeat(10_000);
    specs.write(
        "a.yaml",
        &format!("tests:\n  - put: {}\n    data: {long}\n", s.url("/bump")),
    );
    let out = specs.run(&["a.yaml", "--curl"]);
    let text = stdout(&out);
    assert!(
        text.contains("--data-binary @body  # the 10000-byte body is too long to show here"),
        "{text}"
    );
    assert!(
        !text.contains(&"x".repeat(4096)),
        "the preview is not pasted into curl"
    );
}

#[test]
fn curl_names_secrets_as_shell_variables_and_the_line_runs() {
    let s = server();
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!(
            r#"base_url: {}
secrets: [API_TOKEN, PASSWORD]
tests:
  - name: login
    put: /login?who=bob
    headers: {{ Authorization: "Bearer ${{API_TOKEN}}", X-Note: "it's here" }}
    json: {{ user: bob, password: "${{PASSWORD:-hunter22}}" }}
    idempotency: false
    expect: {{ status: 418 }}
"#,
            s.base()
        ),
    );
    let out = specs.run_env(
        &[
            "a.yaml", "--curl", "-v", "--junit", "j.xml", "--json", "r.json",
        ],
        &[("API_TOKEN", "tok-XYZ-789")],
    );
    assert_exit(&out, 1);
    let text = stdout(&out);
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("reproduce: "))
        .expect("a curl line")
        .to_string();
    assert!(
        line.contains(r#"-H "Authorization: Bearer $API_TOKEN""#),
        "{line}"
    );
    assert!(
        line.contains(r#"--data-binary '{"user":"bob","password":"'"$PASSWORD"'"}'"#),
        "the body is written, the secret as a variable: {line}"
    );
    // The fallback of a secret is a secret too, in every output.
    let junit = std::fs::read_to_string(specs.path("j.xml")).expect("junit");
    let json = std::fs::read_to_string(specs.path("r.json")).expect("json");
    for (name, output) in [("console", &text), ("junit", &junit), ("json", &json)] {
        for secret in ["hunter22", "tok-XYZ-789"] {
            assert!(!output.contains(secret), "{name} shows {secret}:\n{output}");
        }
    }

    // Pasted into a shell after `export`, the line sends the same request.
    if Command::new("curl").arg("--version").output().is_err() {
        missing_component(
            "curl_names_secrets_as_shell_variables_and_the_line_runs",
            "curl",
            "apt-get install curl; .ci/run installs it",
        );
        return;
    }
    let before = s.requests().len();
    let ran = Command::new("sh")
        .arg("-c")
        .arg(format!("{line} -s -o /dev/null"))
        .env("API_TOKEN", "tok-XYZ-789")
        .env("PASSWORD", "hunter22")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .expect("run sh");
    assert!(ran.status.success(), "{}", stderr(&ran));
    let reqs = s.requests();
    assert_eq!(reqs.len(), before + 1);
    let (putcheck_sent, curl_sent) = (&reqs[0], &reqs[before]);
    assert_eq!(curl_sent.method, "PUT");
    assert_eq!(curl_sent.target, putcheck_sent.target);
    assert_eq!(
        curl_sent.header("authorization"),
        Some("Bearer tok-XYZ-789")
    );
    assert_eq!(curl_sent.header("x-note"), Some("it's here"));
    assert_eq!(curl_sent.body_text(), putcheck_sent.body_text());
    assert_eq!(
        curl_sent.body_text(),
        r#"{"user":"bob","password":"hunter22"}"#
    );
}
