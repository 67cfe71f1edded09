//! `putcheck import openapi`: the Swagger Petstore (3.0) imported, listed and run against
//! Prism's mock of the same document (an independent judge of the requests), and an
//! OpenAPI 3.1 document written for these tests run against a real in-process store —
//! one that refuses bad bodies (passes) and one that keeps them (fails on `reject`).

use crate::common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::common::prism::{fit_for_mock, have_prism, Prism};
use crate::common::{assert_exit, stderr, stdout, Action, Req, Specs, TestServer};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/openapi")
        .join(name)
}

fn import(specs: &Specs, args: &[&str]) -> std::process::Output {
    let mut all = vec!["import", "openapi"];
    all.extend_from_slice(args);
    common::putcheck(specs.dir.path(), &all)
}

fn read(specs: &Specs, name: &str) -> String {
    std::fs::read_to_string(specs.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("the generated spec is YAML")
}

// ---------------------------------------------------------------------------------------
// Petstore 3.0 and Prism
// ---------------------------------------------------------------------------------------

#[test]
fn petstore_import_writes_one_spec_per_put_path() {
    let specs = Specs::new();
    let out = import(&specs, &[fixture("petstore.yaml").to_str().unwrap()]);
    assert_exit(&out, 0);
    insta::assert_snapshot!("petstore_import_output", stdout(&out));
    insta::assert_snapshot!("petstore_pet_spec", read(&specs, "specs/pet.yaml"));
    insta::assert_snapshot!(
        "petstore_user_spec",
        read(&specs, "specs/user-username.yaml")
    );
    insta::assert_snapshot!(
        "petstore_pet_response_schema",
        read(&specs, "specs/pet.response.schema.json")
    );

    // The body validates against the document's schema (converted to JSON Schema); the
    // reject probe's body does not.
    let spec = yaml(&read(&specs, "specs/pet.yaml"));
    let schema: Value =
        serde_json::from_str(&read(&specs, "specs/pet.response.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let test = &spec["tests"][0];
    assert!(validator.is_valid(&test["json"]), "{}", test["json"]);
    assert!(!validator.is_valid(&test["idempotency"]["reject"]["json"]));
}

#[test]
fn a_json_document_gives_the_same_specs() {
    let specs = Specs::new();
    assert_exit(
        &import(
            &specs,
            &[
                fixture("petstore.yaml").to_str().unwrap(),
                "--out",
                "from-yaml",
            ],
        ),
        0,
    );
    let document: Value = yaml(&std::fs::read_to_string(fixture("petstore.yaml")).unwrap());
    specs.write(
        "petstore.json",
        &serde_json::to_string_pretty(&document).unwrap(),
    );
    assert_exit(&import(&specs, &["petstore.json", "--out", "from-json"]), 0);
    for name in ["pet.yaml", "user-username.yaml", "pet.response.schema.json"] {
        let from_yaml =
            read(&specs, &format!("from-yaml/{name}")).replace("petstore.yaml:", "petstore.json:");
        assert_eq!(
            from_yaml,
            read(&specs, &format!("from-json/{name}")),
            "{name}"
        );
    }
}

#[test]
fn a_document_without_put_imports_nothing_and_names_no_server() {
    let specs = Specs::new();
    specs.write(
        "swagger.yaml",
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\nhost: api.example.com\npaths:\n  /x:\n    get: {responses: {'200': {description: ok}}}\n",
    );
    let out = import(&specs, &["swagger.yaml"]);
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "`swagger.yaml` documents no PUT operation; nothing to import\n"
    );
}

#[test]
fn import_never_overwrites_without_force() {
    let specs = Specs::new();
    let doc = fixture("petstore.yaml");
    assert_exit(&import(&specs, &[doc.to_str().unwrap()]), 0);
    std::fs::write(specs.path("specs/pet.yaml"), "# mine\n").unwrap();
    let again = import(&specs, &[doc.to_str().unwrap()]);
    assert_exit(&again, 2);
    assert!(
        stderr(&again).contains("pet.yaml") && stderr(&again).contains("--force"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        read(&specs, "specs/pet.yaml"),
        "# mine\n",
        "nothing is written without --force"
    );
    assert_exit(&import(&specs, &[doc.to_str().unwrap(), "--force"]), 0);
    assert!(read(&specs, "specs/pet.yaml").contains("updatePet"));
}

#[test]
fn a_bad_document_is_a_clear_error() {
    let specs = Specs::new();
    specs.write(
        "swagger.yaml",
        "swagger: '1.2'\ninfo: {title: x, version: '1'}\npaths: {}\n",
    );
    let out = import(&specs, &["swagger.yaml"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("Swagger version \"1.2\" is not supported (2.0 is"),
        "{}",
        stderr(&out)
    );
    specs.write(
        "dangling.yaml",
        "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /x:\n    put:\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/Gone'}\n      responses: {'204': {description: ok}}\n",
    );
    let out = import(&specs, &["dangling.yaml"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("`$ref: #/components/schemas/Gone` (at `#/paths/~1x/put/requestBody/content/application~1json/schema`) points at nothing"),
        "{}",
        stderr(&out)
    );
    specs.write("broken.yaml", "openapi: 3.0.0\npaths:\n  /x:\n    put:\n      requestBody:\n        $ref: other.yaml#/Body\n");
    let out = import(&specs, &["broken.yaml"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("only local references"),
        "{}",
        stderr(&out)
    );
    let out = import(&specs, &["missing.yaml"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("cannot read `missing.yaml`"),
        "{}",
        stderr(&out)
    );
}

/// An imported spec made fit for Prism's mock (`fit_for_mock` says how and why).
fn for_a_mock(specs: &Specs, spec: &str) {
    let text = read(specs, spec);
    assert!(text.contains("  generate:\n"), "{text}");
    specs.write(spec, &fit_for_mock(&text));
}

/// The specs made from the petstore list, and pass against Prism's mock (which validates
/// every request against the document). Needs `reject:` (issue 14) in the loader.
#[test]
fn petstore_specs_list_and_pass_against_prism() {
    let specs = Specs::new();
    assert_exit(
        &import(&specs, &[fixture("petstore.yaml").to_str().unwrap()]),
        0,
    );
    let env = [("PETSTORE_AUTH", "token-for-prism")];
    let listed = specs.run_env(&["--list", "specs"], &env);
    assert_exit(&listed, 0);
    assert_eq!(
        stdout(&listed),
        "specs/pet.yaml::Update an existing pet.\nspecs/user-username.yaml::Update user resource.\nspecs/user-username.yaml::clean up: DELETE /user/{username} (finally)\n"
    );
    if !have_prism("petstore_specs_list_and_pass_against_prism") {
        return;
    }
    for spec in ["specs/pet.yaml", "specs/user-username.yaml"] {
        for_a_mock(&specs, spec);
    }
    let prism = Prism::start(&fixture("petstore.yaml"));
    let mut env = env.to_vec();
    env.push(("BASE_URL", &prism.base));
    let run = specs.run_env(&["specs"], &env);
    assert_exit(&run, 0);
}

/// The spec of the petstore's `/user/{username}` (no `reject:` there) against Prism.
#[test]
fn petstore_user_spec_passes_against_prism() {
    if !have_prism("petstore_user_spec_passes_against_prism") {
        return;
    }
    let specs = Specs::new();
    assert_exit(
        &import(&specs, &[fixture("petstore.yaml").to_str().unwrap()]),
        0,
    );
    for_a_mock(&specs, "specs/user-username.yaml");
    let prism = Prism::start(&fixture("petstore.yaml"));
    let run = specs.run_env(&["specs/user-username.yaml"], &[("BASE_URL", &prism.base)]);
    assert_exit(&run, 0);
}

// ---------------------------------------------------------------------------------------
// OpenAPI 3.1, against a real store
// ---------------------------------------------------------------------------------------

/// A thing store as the 3.1 document describes it. It checks credentials and refuses a
/// body that breaks the schema with 422; `keeps_refused` stores such a body anyway.
fn thing_store(keeps_refused: bool) -> TestServer {
    let things: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
    TestServer::start(move |req: &Req| {
        let path = req.path().to_string();
        if req.header("authorization") != Some("Bearer tok-1") && !path.starts_with("/v1/labels/") {
            return Action::json(401, serde_json::json!({ "error": "who are you?" }));
        }
        let mut things = things.lock().unwrap();
        match (req.method.as_str(), path.strip_prefix("/v1/things/")) {
            ("PUT", Some(id)) => {
                if req.header("x-api-key") != Some("key-2")
                    || req.header("x-request-source") != Some("putcheck")
                {
                    return Action::json(401, serde_json::json!({ "error": "no key" }));
                }
                let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let valid = is_thing(&body);
                let mut stored = body.clone();
                if let Value::Object(m) = &mut stored {
                    m.insert("id".into(), Value::String(id.to_string()));
                }
                if !valid {
                    if keeps_refused {
                        things.insert(id.to_string(), stored);
                    }
                    return Action::json(
                        422,
                        serde_json::json!({ "error": "does not match Thing" }),
                    );
                }
                let existed = things.insert(id.to_string(), stored.clone()).is_some();
                Action::json(if existed { 200 } else { 201 }, stored)
            }
            ("GET", Some(id)) => match things.get(id) {
                Some(t) => Action::json(200, t.clone()),
                None => Action::json(404, serde_json::json!({ "error": "no such thing" })),
            },
            ("DELETE", Some(id)) => {
                things.remove(id);
                Action::text(204, "No Content", "")
            }
            ("PUT", None) if path.starts_with("/v1/labels/") => {
                if req.header("authorization") != Some("Basic bGFiZWxsZXI6cHctMw==") {
                    return Action::json(401, serde_json::json!({ "error": "who are you?" }));
                }
                Action::text(200, "OK", &req.body_text())
            }
            _ => Action::json(404, serde_json::json!({ "error": "no route" })),
        }
    })
}

/// The document's `Thing`, checked by hand: `name` and `size` required, `color` red,
/// green or null, `tags` strings, `parent` a `Thing`; `id` is the server's.
fn is_thing(v: &Value) -> bool {
    let Some(m) = v.as_object() else { return false };
    let color_ok = match m.get("color") {
        None | Some(Value::Null) => true,
        Some(c) => c.as_str().is_some_and(|c| c == "red" || c == "green"),
    };
    let tags_ok = m
        .get("tags")
        .is_none_or(|t| t.as_array().is_some_and(|a| a.iter().all(Value::is_string)));
    m.get("name").is_some_and(Value::is_string)
        && m.get("size").is_some_and(whole_number_at_least_one)
        && color_ok
        && tags_ok
        && m.get("parent").is_none_or(is_thing)
}

/// `type: integer, minimum: 1`, for any size of integer (the numbers are kept exactly:
/// serde_json's `arbitrary_precision`), as generated bodies send them.
fn whole_number_at_least_one(v: &Value) -> bool {
    let Value::Number(n) = v else { return false };
    let text = n.to_string();
    text.bytes().all(|b| b.is_ascii_digit()) && text.bytes().any(|b| b != b'0')
}

fn import_things(specs: &Specs) -> std::process::Output {
    let out = import(
        specs,
        &[fixture("things-3.1.yaml").to_str().unwrap(), "--out", "api"],
    );
    assert_exit(&out, 0);
    out
}

#[test]
fn openapi_31_import_writes_specs_and_says_what_to_set() {
    let specs = Specs::new();
    let out = import_things(&specs);
    insta::assert_snapshot!("things_import_output", stdout(&out));
    insta::assert_snapshot!("things_thing_spec", read(&specs, "api/things-thingid.yaml"));
    insta::assert_snapshot!("things_label_spec", read(&specs, "api/labels-labelid.yaml"));
    insta::assert_snapshot!(
        "things_response_schema",
        read(&specs, "api/things-thingid.response.schema.json")
    );
}

fn things_env(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("BASE_URL", format!("{base}/v1")),
        ("BEARER_AUTH", "tok-1".into()),
        ("API_KEY", "key-2".into()),
        ("BASIC_AUTH_USER", "labeller".into()),
        ("BASIC_AUTH_PASSWORD", "pw-3".into()),
    ]
}

/// Needs `reject:` (issue 14) in the loader and runner.
#[test]
fn openapi_31_specs_pass_against_a_store_that_refuses_bad_bodies() {
    let specs = Specs::new();
    import_things(&specs);
    let server = thing_store(false);
    let env = things_env(&server.base());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = specs.run_env(&["api"], &env);
    assert_exit(&run, 0);
    let out = stdout(&run);
    assert!(!out.contains("tok-1") && !out.contains("key-2"), "{out}");
}

/// Needs `reject:` (issue 14) in the loader and runner.
#[test]
fn openapi_31_specs_fail_on_reject_against_a_store_that_keeps_refused_bodies() {
    let specs = Specs::new();
    import_things(&specs);
    let server = thing_store(true);
    let env = things_env(&server.base());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = specs.run_env(&["api"], &env);
    assert_exit(&run, 1);
    let out = stdout(&run);
    assert!(
        out.contains("FAIL  api/things-thingid.yaml::Create or replace a thing"),
        "{out}"
    );
    assert!(
        out.contains("reject"),
        "the failure names the reject probe:\n{out}"
    );
    assert!(
        out.contains("PASS  api/labels-labelid.yaml::putLabel"),
        "{out}"
    );
}

/// The label spec has no `reject:`, so this runs on any loader: Basic credentials from
/// the environment, a text body, an integer path parameter at its minimum.
#[test]
fn openapi_31_label_spec_passes() {
    let specs = Specs::new();
    import_things(&specs);
    let server = thing_store(false);
    let env = things_env(&server.base());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = specs.run_env(&["api/labels-labelid.yaml"], &env);
    assert_exit(&run, 0);
    let put = server
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .expect("a PUT");
    assert_eq!(put.target, "/v1/labels/5");
    assert_eq!(put.body_text(), "blue");
    assert_eq!(put.header("content-type"), Some("text/plain"));
}
