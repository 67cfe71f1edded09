//! `putcheck import openapi` on a corpus of real public documents
//! (`tests/fixtures/openapi/corpus/`, README there: sources, licences, checksums), Swagger
//! 2.0 and OpenAPI 3.0 of several styles and sizes. For every test written: its body
//! validates against the document's request schema, its reject body does not, its URLs
//! carry no template, its clean-up addresses the resource it wrote, no media range is sent
//! as a Content-Type, and read-back is on only where the GET's answer can hold what was
//! sent. Three documents are also run against Prism's mock of themselves.

use crate::common;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::prism::{fit_folder_for_mock, have_prism, Prism};
use crate::common::{assert_exit, stdout, Specs};
use putcheck::import::openapi::Document;
use serde_json::Value;

/// The corpus: file name, number of PUT operations it documents.
const CORPUS: &[(&str, usize)] = &[
    ("kubernetes-1.13.json.gz", 127),
    ("petstore-swagger2.json", 2),
    ("powerdns.json", 8),
    ("openpolicy.json", 2),
    ("apicurio-registry.json", 12),
    ("microcks.json", 6),
    ("google-tasks.json", 2),
    ("traccar.json", 12),
    ("aws-mediastore-data.json", 1),
    ("rbaskets.json", 4),
];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi/corpus")
}

/// The document in the test folder (gunzipped when it is shipped gzipped).
fn place(specs: &Specs, name: &str) -> String {
    let bytes = std::fs::read(corpus_dir().join(name)).unwrap();
    let (name, text) = match name.strip_suffix(".gz") {
        Some(plain) => {
            let mut text = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut text)
                .unwrap();
            (plain, text)
        }
        None => (name, String::from_utf8(bytes).unwrap()),
    };
    specs.write(name, &text);
    name.to_string()
}

fn stem(name: &str) -> &str {
    name.trim_end_matches(".gz").trim_end_matches(".json")
}

fn import(specs: &Specs, name: &str) -> (String, std::process::Output) {
    let doc = place(specs, name);
    let out_dir = format!("out/{}", stem(name));
    let out = common::putcheck(
        specs.dir.path(),
        &["import", "openapi", &doc, "--out", &out_dir],
    );
    assert_exit(&out, 0);
    (out_dir, out)
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("the generated spec is YAML")
}

/// The spec files an import wrote, by name, parsed, with their text.
fn spec_files(specs: &Specs, dir: &str) -> Vec<(String, String, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(specs.path(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let parsed = yaml(&text);
            (name, text, parsed)
        })
        .collect()
}

/// `/pets/{id}` from the comment line `# operation PUT /pets/{id} (updatePet).`
fn operation_path(text: &str) -> String {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("# operation PUT "))
        .expect("the comment names the operation");
    let path = line.split(" (").next().unwrap();
    path.trim_end_matches('.').to_string()
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("{e}: {schema}"))
}

/// The environment a run of imported specs needs: every secret the import named, and
/// BASE_URL.
fn env_for<'a>(import: &'a std::process::Output, base: &'a str) -> Vec<(String, String)> {
    let text = stdout(import);
    let names = text
        .lines()
        .find_map(|l| {
            l.strip_prefix(
                "set before running (secrets, read from the environment, never printed): ",
            )
        })
        .unwrap_or("")
        .to_string();
    names
        .split(", ")
        .filter(|n| !n.is_empty())
        .map(|n| (n.to_string(), "token-for-the-test".to_string()))
        .chain([("BASE_URL".to_string(), base.to_string())])
        .collect()
}

fn run_with(specs: &Specs, args: &[&str], env: &[(String, String)]) -> std::process::Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    specs.run_env(args, &env)
}

fn has_template(url: &str) -> bool {
    url.replace("$${", "").contains(['{', '}'])
}

#[test]
fn every_imported_test_of_the_corpus_is_safe_to_run() {
    let specs = Specs::new();
    let mut problems: Vec<String> = Vec::new();
    let mut tests = 0;
    let mut swagger2 = 0;
    for (name, puts) in CORPUS {
        let (dir, out) = import(&specs, name);
        let text = std::fs::read_to_string(specs.path(name.trim_end_matches(".gz"))).unwrap();
        let doc = Document::parse(Path::new(name.trim_end_matches(".gz")), &text).unwrap();
        if doc.is_swagger2() {
            swagger2 += 1;
        }
        let files = spec_files(&specs, &dir);
        assert_eq!(files.len(), *puts, "{name}: one spec file per PUT path");
        // Every spec written loads (`--list` checks each file as a run would).
        let env = env_for(&out, "http://127.0.0.1:9");
        assert_exit(&run_with(&specs, &["--list", &dir], &env), 0);
        if name.starts_with("kubernetes") {
            // `consumes: [*/*]` is JSON, not a raw string with `Content-Type: */*`.
            let deployment = std::fs::read_to_string(specs.path(&format!(
                "{dir}/apis-apps-v1-namespaces-namespace-deployments-name.yaml"
            )))
            .unwrap();
            let spec = yaml(&deployment);
            assert!(spec["tests"][0]["json"].is_object(), "{deployment}");
            assert!(!deployment.contains("*/*"), "{deployment}");
            assert!(deployment.contains("(Swagger 2.0)"), "{deployment}");
        }
        for (file, text, spec) in &files {
            let at = format!("{name}: {file}");
            let path = operation_path(text);
            let schemas = doc.schemas_of_put(&path).unwrap();
            let test = &spec["tests"][0];
            tests += 1;
            let url = test["put"].as_str().unwrap();
            if has_template(url) {
                problems.push(format!("{at}: the URL `{url}` has a template"));
            }
            // No media range goes out as a Content-Type.
            for (k, v) in test["headers"].as_object().into_iter().flatten() {
                if k.eq_ignore_ascii_case("content-type") && v.as_str().unwrap().contains('*') {
                    problems.push(format!("{at}: Content-Type `{v}` is a media range"));
                }
            }
            let body = test.get("json");
            match (&schemas.request, body) {
                (Some(schema), Some(body)) => {
                    let v = validator(schema);
                    if let Err(e) = v.validate(body) {
                        problems.push(format!("{at}: the body does not validate: {e}"));
                    }
                    if let Some(reject) = test["idempotency"].get("reject") {
                        // The probe goes to the test's own URL, with its own credentials.
                        let keys: Vec<&String> = reject.as_object().unwrap().keys().collect();
                        if keys != ["json", "expect"] {
                            problems.push(format!("{at}: the reject probe sets {keys:?}"));
                        }
                        if v.is_valid(&reject["json"]) {
                            problems.push(format!("{at}: the reject body validates"));
                        }
                    }
                }
                (Some(_), None) if test.get("data").is_none() => {
                    problems.push(format!("{at}: the request schema has no body sent"));
                }
                _ => {}
            }
            // Read-back only where the GET's answer can hold the body; else a comment.
            let readback = matches!(&test["idempotency"]["readback"], Value::Bool(true))
                || test["idempotency"]["readback"] == "exact";
            if readback {
                match (&schemas.read_back, body) {
                    (Some(s), Some(body)) => {
                        if let Err(e) = validator(s).validate(body) {
                            problems.push(format!(
                                "{at}: read-back on, but the GET cannot hold the body: {e}"
                            ));
                        }
                    }
                    _ => problems.push(format!(
                        "{at}: read-back on without a GET schema and a JSON body"
                    )),
                }
            }
            if !readback
                && body.is_some()
                && schemas.read_back.is_some()
                && !text.contains("# Note: read-back is off")
            {
                problems.push(format!("{at}: read-back off without a note saying why"));
            }
            // The clean-up addresses the resource the test wrote.
            for step in spec["finally"].as_array().into_iter().flatten() {
                if step["delete"] != test["put"] {
                    problems.push(format!(
                        "{at}: cleans up {} after writing {}",
                        step["delete"], test["put"]
                    ));
                }
                for (k, v) in step["params"].as_object().into_iter().flatten() {
                    if let Some(sent) = test["params"].get(k) {
                        if sent != v {
                            problems.push(format!(
                                "{at}: the clean-up's `{k}` is {v}, the PUT's {sent}"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(tests > 170, "{tests} tests");
    assert_eq!(swagger2, 2, "the Swagger 2.0 documents are read natively");
}

#[test]
fn what_the_issue_found_is_fixed() {
    let specs = Specs::new();
    // A relative server URL keeps its path.
    let (dir, out) = import(&specs, "powerdns.json");
    let zone = yaml(
        &std::fs::read_to_string(
            specs.path(&format!("{dir}/servers-server_id-zones-zone_id.yaml")),
        )
        .unwrap(),
    );
    assert_eq!(zone["base_url"], "${BASE_URL}/api/v1");
    assert!(
        stdout(&out).contains("relative (`/api/v1`); set BASE_URL to the server's origin"),
        "{}",
        stdout(&out)
    );

    // Swagger 2.0: host, basePath and schemes; XML listed before JSON → Accept: JSON.
    let (dir, _) = import(&specs, "petstore-swagger2.json");
    let user =
        yaml(&std::fs::read_to_string(specs.path(&format!("{dir}/user-username.yaml"))).unwrap());
    assert_eq!(
        user["base_url"],
        "${BASE_URL:-http://petstore.swagger.io/v2}"
    );
    assert_eq!(user["tests"][0]["headers"]["Accept"], "application/json");
    assert_eq!(user["finally"][0]["delete"], user["tests"][0]["put"]);

    // An example written as JSON text is sent as the JSON it is.
    let (dir, _) = import(&specs, "openpolicy.json");
    let data =
        yaml(&std::fs::read_to_string(specs.path(&format!("{dir}/v1-data-path.yaml"))).unwrap());
    assert!(data["tests"][0]["json"]["users"].is_object(), "{data}");
}

/// Prism validates every request against the document: the specs of three corpus
/// documents pass against its mock of them.
#[test]
fn corpus_specs_pass_against_prism() {
    if !have_prism("corpus_specs_pass_against_prism") {
        return;
    }
    for name in ["google-tasks.json", "rbaskets.json", "traccar.json"] {
        let specs = Specs::new();
        let (dir, out) = import(&specs, name);
        fit_folder_for_mock(&specs.path(&dir));
        let prism = Prism::start(&corpus_dir().join(name));
        let env = env_for(&out, &prism.base);
        let run = run_with(&specs, &[&dir], &env);
        assert!(
            run.status.code() == Some(0),
            "{name} against Prism:\n{}",
            stdout(&run)
        );
    }
}
