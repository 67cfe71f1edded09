//! `--openapi DOC`: a run held against an OpenAPI document. A hand-written spec against
//! an in-process server that answers an undocumented status, a body that breaks the
//! documented schema, and a path the document lacks; `--openapi-strict`,
//! `--min-coverage`, `putcheck coverage DOC REPORT.json`, the JSON, JUnit and HTML
//! reports; the Petstore's imported specs against Prism; GitHub's REST API document.

use crate::common;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::prism::{have_prism, without_key, Prism};
use crate::common::{assert_exit, stderr, stdout, Action, Specs, TestServer};
use serde_json::{json, Value};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/openapi")
        .join(name)
}

const ITEMS_SPEC: &str = r#"
name: items
base_url: "${BASE_URL}"
tests:
  - name: good
    put: /v1/items/good
    json: { name: w, size: 3 }
    idempotency: { readback: true }
    expect: { status: 200 }
  - name: teapot
    put: /v1/items/teapot
    json: { name: w, size: 3 }
    expect: { status: 418 }
  - name: broken
    put: /v1/items/broken
    json: { name: w, size: 3 }
    expect: { status: 200 }
  - name: nowhere
    get: /v1/nowhere
    expect: { status: 200 }
finally:
  - delete: /v1/items/good
"#;

/// The items server: `/v1/items/good` keeps its promises, `teapot` answers a status the
/// document lacks, `broken` a body with a string size, `/v1/nowhere` is not documented.
fn items_server() -> TestServer {
    TestServer::start(|req| match (req.method.as_str(), req.path()) {
        ("PUT" | "GET", "/v1/items/good") => Action::json(200, json!({"name": "w", "size": 3})),
        ("DELETE", "/v1/items/good") => Action::Reply {
            status: 204,
            reason: "No Content".into(),
            headers: Vec::new(),
            body: Vec::new(),
        },
        ("PUT", "/v1/items/teapot") => Action::text(418, "I'm a teapot", "short and stout"),
        ("PUT", "/v1/items/broken") => Action::json(200, json!({"name": "w", "size": "three"})),
        ("GET", "/v1/nowhere") => Action::text(200, "OK", "here"),
        _ => Action::text(404, "Not Found", "no"),
    })
}

fn items(specs: &Specs, server: &TestServer, extra: &[&str]) -> (std::process::Output, Value) {
    specs.write("items.yaml", ITEMS_SPEC);
    let doc = fixture("items-coverage.yaml");
    let mut args = vec![
        "items.yaml",
        "--var",
        "BASE_URL=",
        "--openapi",
        doc.to_str().unwrap(),
    ];
    let base = format!("BASE_URL={}", server.base());
    args[2] = &base;
    args.extend_from_slice(extra);
    specs.run_report(&args)
}

fn operation<'a>(coverage: &'a Value, method: &str, path: &str) -> &'a Value {
    coverage["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["method"] == method && o["path"] == path)
        .unwrap_or_else(|| panic!("no {method} {path} in {coverage:#}"))
}

#[test]
fn conformance_problems_are_warnings_with_operation_status_path_and_keyword() {
    let server = items_server();
    let specs = Specs::new();
    let (out, report) = items(&specs, &server, &["--junit", "j.xml", "--html", "r.html"]);
    assert_exit(&out, 0);
    common::assert_follows_report_schema(&report);
    assert_eq!(
        report["schema_version"], 1,
        "the report's own version stays"
    );
    let c = &report["coverage"];
    assert_eq!(c["version"], 1);
    assert_eq!(c["base_paths"], json!(["/v1"]));
    let issues = c["conformance"].as_array().unwrap();
    let teapot: Vec<&Value> = issues
        .iter()
        .filter(|i| i["test"] == "items.yaml::teapot")
        .collect();
    assert_eq!(teapot.len(), 2, "both sends: {issues:#?}");
    assert_eq!(teapot[0]["problem"], "undocumented_status");
    assert_eq!(teapot[0]["operation"], "PUT /items/{id}");
    assert_eq!(teapot[0]["status"], 418);
    assert!(teapot[0]["message"]
        .as_str()
        .unwrap()
        .contains("documented: 200, 404"));
    let broken: Vec<&Value> = issues
        .iter()
        .filter(|i| i["test"] == "items.yaml::broken")
        .collect();
    assert_eq!(broken.len(), 2, "{issues:#?}");
    assert_eq!(broken[0]["problem"], "schema");
    assert_eq!(broken[0]["json_path"], "$.size");
    assert_eq!(broken[0]["keyword"], "type");
    assert_eq!(broken[0]["response"], "200");
    assert_eq!(
        issues.len(),
        4,
        "the good item and the read-back keep the promise: {issues:#?}"
    );
    // Warnings: every test passed.
    assert_eq!(report["summary"]["failed"], 0);

    let console = stdout(&out);
    assert!(console.contains("conformance: 4 warning(s)"), "{console}");
    assert!(
        console.contains(
            "items.yaml::broken: send 1: PUT /items/{id} answered 200: at $.size (`type`): "
        ),
        "{console}"
    );
    assert!(
        console.contains("items.yaml::teapot: send 1: PUT /items/{id} answered 418: status 418 is not documented (documented: 200, 404)"),
        "{console}"
    );
    // The table comes after the summary.
    let summary = console.find("5 passed, 0 failed").unwrap();
    assert!(
        console.find("OpenAPI coverage of").unwrap() > summary,
        "{console}"
    );

    // JUnit: a property on each suite, and the file stays valid.
    let junit = std::fs::read_to_string(specs.path("j.xml")).unwrap();
    assert!(
        junit.contains(r#"<property name="openapi.coverage" value="3/5 operations (60.0%), PUT 1/1 (100.0%), 1 undocumented request(s), 4 conformance problem(s)"/>"#),
        "{junit}"
    );
    common::assert_valid_junit("conformance_problems_are_warnings", &specs.path("j.xml"));
    // HTML: the section, unexercised operations first.
    let html = std::fs::read_to_string(specs.path("r.html")).unwrap();
    let section = &html[html
        .find(r#"<section id="coverage">"#)
        .expect("a coverage section")..];
    let search = section.find("GET /items/search").unwrap();
    assert!(
        search < section.find("PUT /items/{id}").unwrap(),
        "unexercised first"
    );
    assert!(section.contains("Conformance warnings") && section.contains("$.size"));
}

#[test]
fn every_request_counts_and_undocumented_ones_are_listed() {
    let server = items_server();
    let specs = Specs::new();
    let (out, report) = items(&specs, &server, &[]);
    assert_exit(&out, 0);
    let c = &report["coverage"];
    let t = &c["totals"];
    assert_eq!(
        (t["operations"].as_u64(), t["exercised"].as_u64()),
        (Some(5), Some(3))
    );
    assert_eq!(
        (t["put_operations"].as_u64(), t["put_exercised"].as_u64()),
        (Some(1), Some(1))
    );
    // 2 sends each of three PUTs, the read-back, the GET and the finally DELETE.
    assert_eq!(t["requests"], 9);
    let put = operation(c, "PUT", "/items/{id}");
    assert_eq!(put["requests"], 6);
    assert_eq!(put["statuses_seen"], json!([200, 418]));
    assert_eq!(put["statuses_not_seen"], json!(["404"]));
    assert_eq!(put["undocumented_statuses"], json!([418]));
    assert_eq!(put["checks"], json!(["repeat", "readback"]));
    // The read-back and the `finally` step exercise their operations too.
    assert_eq!(
        operation(c, "GET", "/items/{id}")["tests"],
        json!(["items.yaml::good"])
    );
    assert_eq!(operation(c, "DELETE", "/items/{id}")["exercised"], true);
    assert_eq!(operation(c, "GET", "/items/search")["exercised"], false);
    assert_eq!(operation(c, "GET", "/health")["exercised"], false);
    assert_eq!(
        c["undocumented"],
        json!([{
            "method": "GET",
            "path": "/v1/nowhere",
            "reason": "no_path",
            "message": "no such path in the document",
            "requests": 1,
            "tests": ["items.yaml::nowhere"]
        }])
    );
    let console = stdout(&out);
    assert!(
        console.contains("undocumented: 1 request(s) match no operation\n  GET /v1/nowhere (no such path in the document) x1, from items.yaml::nowhere"),
        "{console}"
    );
}

#[test]
fn the_console_table() {
    let server = items_server();
    let specs = Specs::new();
    let (out, _) = items(&specs, &server, &[]);
    let console = stdout(&out);
    let table = &console[console.find("OpenAPI coverage of").unwrap()..];
    let doc = fixture("items-coverage.yaml");
    insta::assert_snapshot!(
        "coverage_table",
        table.replace(doc.to_str().unwrap(), "items-coverage.yaml")
    );
}

#[test]
fn strict_makes_conformance_problems_test_failures() {
    let server = items_server();
    let specs = Specs::new();
    let (out, report) = items(&specs, &server, &["--openapi-strict"]);
    assert_exit(&out, 1);
    let outcome = |name: &str| {
        report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["outcome"].clone())
            .unwrap()
    };
    assert_eq!(outcome("good"), "passed");
    assert_eq!(outcome("teapot"), "failed");
    assert_eq!(outcome("broken"), "failed");
    assert_eq!(report["summary"]["failed"], 2);
    assert_eq!(report["summary"]["passed"], 3);
    assert_eq!(report["coverage"]["strict"], true);
    let broken = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "broken")
        .unwrap();
    let failure = &broken["failures"][0];
    assert_eq!(failure["kind"], "conformance");
    assert_eq!(failure["paths"], json!(["$.size"]));
    common::assert_follows_report_schema(&report);
    let console = stdout(&out);
    assert!(console.contains("FAIL  items.yaml::broken"), "{console}");
    assert!(console.contains("3 passed, 2 failed"), "{console}");
    assert!(console.contains("conformance: 4 failure(s)"), "{console}");
}

#[test]
fn min_coverage_fails_below_and_passes_at_the_threshold() {
    let server = items_server();
    let specs = Specs::new();
    let (at, _) = items(
        &specs,
        &server,
        &["--min-coverage", "60", "--min-coverage", "put:100"],
    );
    assert_exit(&at, 0);
    assert!(
        stdout(&at).contains("--min-coverage 60 met: 3 of 5 operations exercised (60.0%)"),
        "{}",
        stdout(&at)
    );
    let (below, report) = items(&specs, &server, &["--min-coverage", "61"]);
    assert_exit(&below, 1);
    assert!(
        stdout(&below).contains("OpenAPI coverage is below --min-coverage 61: 3 of 5 operations exercised (60.0%, 61% required); not exercised: GET /items/search, GET /health"),
        "{}",
        stdout(&below)
    );
    assert_eq!(report["coverage"]["min_coverage"][0]["met"], false);
    assert_eq!(
        report["summary"]["failed"], 0,
        "the tests themselves passed"
    );

    let bad = specs.run(&["items.yaml", "--min-coverage", "80"]);
    assert_exit(&bad, 2);
    assert!(
        stderr(&bad).contains("give it with --openapi DOC"),
        "{}",
        stderr(&bad)
    );
    let bad = specs.run(&[
        "items.yaml",
        "--openapi",
        "x.yaml",
        "--min-coverage",
        "most",
    ]);
    assert_exit(&bad, 2);
    assert!(stderr(&bad).contains("`put:80`"), "{}", stderr(&bad));
    let missing = specs.run(&["items.yaml", "--openapi", "missing.yaml"]);
    assert_exit(&missing, 2);
    assert!(
        stderr(&missing).contains("cannot read the OpenAPI document `missing.yaml`"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn the_coverage_command_measures_a_finished_report_the_same() {
    let server = items_server();
    let specs = Specs::new();
    let (out, report) = items(&specs, &server, &[]);
    assert_exit(&out, 0);
    let doc = fixture("items-coverage.yaml");
    let doc = doc.to_str().unwrap();
    let again = common::putcheck(
        specs.dir.path(),
        &["coverage", doc, "r.json", "--json", "-"],
    );
    assert_exit(&again, 0);
    let from_report: Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(from_report, report["coverage"]);
    assert!(
        stderr(&again).contains("OpenAPI coverage of"),
        "the table goes to stderr with --json -"
    );
    let strict = common::putcheck(
        specs.dir.path(),
        &[
            "coverage",
            doc,
            "r.json",
            "--openapi-strict",
            "--min-coverage",
            "put:100",
        ],
    );
    assert_exit(&strict, 1);
    assert!(stdout(&strict).contains("conformance: 4 failure(s)"));
    specs.write("not-a-report.json", "[1, 2]");
    let bad = common::putcheck(specs.dir.path(), &["coverage", doc, "not-a-report.json"]);
    assert_exit(&bad, 2);
    assert!(
        stderr(&bad).contains("is it a report written by `putcheck --json`?"),
        "{}",
        stderr(&bad)
    );
}

/// Issue 23's first promise: the imported Petstore specs against Prism, with the
/// document. Prism serves the paths at its root, so `--openapi-prefix /` replaces the
/// document's `/api/v3`.
#[test]
fn petstore_imported_specs_against_prism_cover_what_the_document_says() {
    let specs = Specs::new();
    let doc = fixture("petstore.yaml");
    assert_exit(
        &common::putcheck(
            specs.dir.path(),
            &["import", "openapi", doc.to_str().unwrap()],
        ),
        0,
    );
    if !have_prism("petstore_imported_specs_against_prism_cover_what_the_document_says") {
        return;
    }
    // Prism stores nothing: the read-back of a generated body cannot hold it, so the
    // specs run as written without `generate:` (tests/import_openapi.rs runs them with
    // it against Prism, read-back off).
    for spec in ["specs/pet.yaml", "specs/user-username.yaml"] {
        let text = std::fs::read_to_string(specs.path(spec)).unwrap();
        let text = without_key(&text, "  generate:");
        assert!(!text.contains("generate"), "{text}");
        specs.write(spec, &text);
    }
    let prism = Prism::start(&doc);
    let env = [
        ("PETSTORE_AUTH", "token-for-prism"),
        ("BASE_URL", prism.base.as_str()),
    ];
    let out = specs.run_env(
        &[
            "specs",
            "--openapi",
            doc.to_str().unwrap(),
            "--openapi-prefix",
            "/",
            "--json",
            "r.json",
        ],
        &env,
    );
    assert_exit(&out, 0);
    let report = specs.report(&out);
    common::assert_follows_report_schema(&report);
    let c = &report["coverage"];

    // The document's own counts, read independently of putcheck.
    let document: Value = serde_saphyr::from_str(&std::fs::read_to_string(&doc).unwrap()).unwrap();
    let methods = [
        "get", "put", "post", "delete", "patch", "head", "options", "trace",
    ];
    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for m in methods {
            if item.get(m).is_some() {
                documented.push(format!("{} {path}", m.to_uppercase()));
            }
        }
    }
    let puts: Vec<&String> = documented
        .iter()
        .filter(|o| o.starts_with("PUT "))
        .collect();
    assert_eq!(c["totals"]["operations"], documented.len());
    assert_eq!(c["totals"]["put_operations"], puts.len());
    assert_eq!(c["operations"].as_array().unwrap().len(), documented.len());

    // Every PUT exercised, with the probes the import turned on.
    for (path, spec, probes) in [
        ("/pet", "specs/pet.yaml", vec!["repeat", "reject"]),
        (
            "/user/{username}",
            "specs/user-username.yaml",
            vec!["repeat", "readback", "readback_exact", "reject"],
        ),
    ] {
        let text = std::fs::read_to_string(specs.path(spec)).unwrap();
        let generated: Value = serde_saphyr::from_str(&text).unwrap();
        let idem = &generated["tests"][0]["idempotency"];
        assert_eq!(
            idem.get("reject").is_some(),
            probes.contains(&"reject"),
            "{spec}: {idem}"
        );
        assert_eq!(
            idem.get("readback") == Some(&json!("exact")),
            probes.contains(&"readback"),
            "{spec}: {idem}"
        );
        let op = operation(c, "PUT", path);
        assert_eq!(op["exercised"], true, "{op:#}");
        assert_eq!(op["checks"], json!(probes), "{op:#}");
    }
    // Besides the PUTs, only what their own requests reach: the user spec's read-back
    // and its clean-up step. Every other operation is not exercised.
    let exercised: Vec<String> = c["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["exercised"] == true)
        .map(|o| {
            format!(
                "{} {}",
                o["method"].as_str().unwrap(),
                o["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        exercised,
        [
            "PUT /pet",
            "GET /user/{username}",
            "PUT /user/{username}",
            "DELETE /user/{username}"
        ]
    );
    assert_eq!(c["totals"]["exercised"], 4);
    assert_eq!(c["totals"]["put_exercised"], puts.len());
    // The pet spec's reject probe reads `/pet` back, which the document has no GET for.
    let undocumented = c["undocumented"].as_array().unwrap();
    assert_eq!(undocumented.len(), 1, "{undocumented:#?}");
    assert_eq!(undocumented[0]["method"], "GET");
    assert_eq!(undocumented[0]["path"], "/pet");
    assert_eq!(undocumented[0]["reason"], "no_method");
    // Prism answers from the document: nothing breaks its promises.
    assert_eq!(c["conformance"], json!([]), "{:#}", c["conformance"]);
}

/// A real public document of some size: GitHub's REST API (1,223 operations, 13 MB of
/// JSON; tests/fixtures/openapi/README.md says where it comes from). It loads, and
/// requests land on the right operations. How fast: BENCHMARKS.md.
#[test]
fn githubs_rest_api_document_loads_and_matches() {
    let specs = Specs::new();
    let mut json = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(fixture("api.github.com.json.gz")).unwrap())
        .read_to_string(&mut json)
        .unwrap();
    specs.write("api.github.com.json", &json);
    let document: Value = serde_json::from_str(&json).unwrap();
    let methods = [
        "get", "put", "post", "delete", "patch", "head", "options", "trace",
    ];
    let count = |only: Option<&str>| -> usize {
        document["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| {
                methods
                    .iter()
                    .filter(|m| only.is_none_or(|o| o == **m) && item.get(**m).is_some())
                    .count()
            })
            .sum()
    };
    let server = TestServer::start(|req| match (req.method.as_str(), req.path()) {
        ("GET", "/repos/octocat/hello-world") => Action::json(200, json!({"id": 1})),
        ("PUT", "/repos/octocat/hello-world/topics") => Action::json(200, json!({"names": ["a"]})),
        _ => Action::text(404, "Not Found", "no"),
    });
    specs.write(
        "gh.yaml",
        r#"
base_url: "${BASE_URL}"
tests:
  - get: /repos/octocat/hello-world
  - put: /repos/octocat/hello-world/topics
    json: { names: [a] }
  - get: /repos/octocat/hello-world/no-such-thing
    expect: { status: 404 }
"#,
    );
    let base = format!("BASE_URL={}", server.base());
    let (out, report) = specs.run_report(&[
        "gh.yaml",
        "--var",
        &base,
        "--openapi",
        "api.github.com.json",
    ]);
    assert_exit(&out, 0);
    let c = &report["coverage"];
    assert_eq!(c["document"]["openapi"], "3.0.3");
    assert_eq!(c["totals"]["operations"], count(None));
    assert_eq!(c["totals"]["put_operations"], count(Some("put")));
    assert!(count(None) > 1000, "a document of some size");
    assert_eq!(c["totals"]["exercised"], 2);
    assert_eq!(
        operation(c, "GET", "/repos/{owner}/{repo}")["exercised"],
        true
    );
    let topics = operation(c, "PUT", "/repos/{owner}/{repo}/topics");
    assert_eq!(topics["checks"], json!(["repeat"]));
    assert_eq!(
        c["undocumented"][0]["path"],
        "/repos/octocat/hello-world/no-such-thing"
    );
    // Above 40 operations the console lists the exercised ones.
    assert!(stdout(&out).contains("operations not exercised (listed in the JSON and HTML reports)"));
}

/// A secret in a request path stays `***` in the coverage, as everywhere.
#[test]
fn secrets_stay_masked_in_the_coverage() {
    let server = TestServer::start(|_| Action::text(200, "OK", "fine"));
    let specs = Specs::new();
    specs.write(
        "secret.yaml",
        "base_url: \"${BASE_URL}\"\ntests:\n  - get: /v1/vault/${KEY}/open\n",
    );
    let base = format!("BASE_URL={}", server.base());
    let doc = fixture("items-coverage.yaml");
    let (out, report) = specs.run_report(&[
        "secret.yaml",
        "--var",
        &base,
        "--secret",
        "KEY=hunter22-key",
        "--openapi",
        doc.to_str().unwrap(),
        "--html",
        "r.html",
    ]);
    assert_exit(&out, 0);
    assert_eq!(
        report["coverage"]["undocumented"][0]["path"],
        "/v1/vault/***/open"
    );
    let html = std::fs::read_to_string(specs.path("r.html")).unwrap();
    for text in [stdout(&out), report.to_string(), html] {
        assert!(!text.contains("hunter22"), "{text}");
    }
}

/// Shards each write their own coverage; the merged report leaves it out, and
/// `putcheck coverage` measures the merged report as one run.
#[test]
fn merged_shard_reports_are_measured_by_the_coverage_command() {
    let server = items_server();
    let specs = Specs::new();
    specs.write("items.yaml", ITEMS_SPEC);
    let doc = fixture("items-coverage.yaml");
    let base = format!("BASE_URL={}", server.base());
    for (filter, report) in [("good", "s1.json"), ("nowhere", "s2.json")] {
        let out = specs.run(&[
            "items.yaml",
            "--var",
            &base,
            "--openapi",
            doc.to_str().unwrap(),
            "--filter",
            filter,
            "--json",
            report,
        ]);
        assert_exit(&out, 0);
    }
    let merged = common::putcheck(
        specs.dir.path(),
        &[
            "merge-reports",
            "s1.json",
            "s2.json",
            "--json",
            "merged.json",
        ],
    );
    assert_exit(&merged, 0);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(specs.path("merged.json")).unwrap()).unwrap();
    assert!(
        report.get("coverage").is_none(),
        "the shards' sections differ"
    );
    let out = common::putcheck(
        specs.dir.path(),
        &[
            "coverage",
            doc.to_str().unwrap(),
            "merged.json",
            "--json",
            "c.json",
        ],
    );
    assert_exit(&out, 0);
    let c: Value =
        serde_json::from_str(&std::fs::read_to_string(specs.path("c.json")).unwrap()).unwrap();
    // good's PUT and read-back, the finally DELETE (in both shards), nowhere's GET.
    assert_eq!(c["totals"]["exercised"], 3);
    assert_eq!(c["undocumented"][0]["path"], "/v1/nowhere");
    assert_eq!(
        operation(&c, "PUT", "/items/{id}")["checks"],
        json!(["repeat", "readback"])
    );
}
