//! `putcheck import curl`: the spec made from a curl command sends what curl sends.
//! Each command is run by the real curl against a recording server, then imported and
//! run by putcheck against the same server; the two requests are compared on the wire
//! (method, target, headers, body; multipart bodies part by part).

use crate::common;

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::common::multipart::{parse_multipart, Part};
use crate::common::{assert_exit, stderr, stdout, Action, Req, Specs, TestServer};

/// `curl` on PATH (as `.ci/run` looks for it).
fn curl() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("curl"))
            .find(|p| p.is_file())
    })
}

fn have_curl(test: &str) -> bool {
    if curl().is_some() {
        return true;
    }
    common::missing_component(test, "curl", "apt-get install curl, as .ci/run does");
    false
}

fn server() -> TestServer {
    TestServer::start(|req: &Req| match req.path() {
        "/moved" => {
            Action::text(307, "Temporary Redirect", "").with_header("Location", "/items/moved")
        }
        _ => Action::json(200, serde_json::json!({ "ok": true })),
    })
}

/// What matters on the wire. Left out: the User-Agent (curl's and putcheck's own),
/// connection management (Host, Connection, Expect) and Content-Length (the body is
/// compared instead); a multipart boundary is random, so its parts are compared.
#[derive(Debug, PartialEq)]
struct Sent {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    parts: Vec<Part>,
}

fn sent(req: &Req) -> Sent {
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "user-agent" | "host" | "connection" | "expect" | "content-length"
            )
        })
        .collect();
    let mut body = req.body.clone();
    let mut parts = Vec::new();
    for (k, v) in headers.iter_mut() {
        if k == "content-type" && v.starts_with("multipart/form-data") {
            parts = parse_multipart(v, std::mem::take(&mut body));
            *v = "multipart/form-data".into();
        }
    }
    headers.sort();
    Sent {
        method: req.method.clone(),
        target: req.target.clone(),
        headers,
        body,
        parts,
    }
}

/// Runs `command` (with `{URL}` replaced) with curl, then imports it and runs the spec;
/// returns what each sent, the spec and the import's output. The run must pass, except
/// for an unfollowed redirect (`/moved` without `-L`), whose 307 fails `status: 2xx`.
fn compare(
    specs: &Specs,
    command: &str,
    env: &[(&str, &str)],
    extra: &[&str],
) -> (Sent, Sent, String, Output) {
    let server = server();
    let command = command.replace("{URL}", &server.base());
    let words = shell_words::split(&command).unwrap();
    assert_eq!(words[0], "curl");
    let out = Command::new(curl().expect("curl"))
        .args(&words[1..])
        .args(["-s", "-o", "/dev/null"])
        .current_dir(specs.dir.path())
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_curl = server.requests();
    assert!(!by_curl.is_empty(), "curl sent nothing");

    let mut args = vec!["import", "curl"];
    args.extend_from_slice(extra);
    args.push(command.as_str());
    let imported = common::putcheck(specs.dir.path(), &args);
    assert_exit(&imported, 0);
    let spec = stdout(&imported);
    specs.write("curl.yaml", &spec);
    let run = specs.run_env(&["curl.yaml"], env);
    let by_putcheck: Vec<Req> = server.requests().split_off(by_curl.len());
    assert!(
        !by_putcheck.is_empty(),
        "putcheck sent nothing:\n{spec}\n{}{}",
        stdout(&run),
        stderr(&run)
    );
    if !command.contains("/moved") || command.contains(" -L") {
        assert_exit(&run, 0);
    }
    (sent(&by_curl[0]), sent(&by_putcheck[0]), spec, imported)
}

#[track_caller]
fn same_on_the_wire(command: &str) -> String {
    let specs = Specs::new();
    let (curl, putcheck, spec, _) = compare(&specs, command, &[], &[]);
    assert_eq!(curl, putcheck, "spec:\n{spec}");
    spec
}

#[test]
fn json_body_and_headers() {
    if !have_curl("json_body_and_headers") {
        return;
    }
    let spec = same_on_the_wire(
        r#"curl -X PUT '{URL}/items/1?x=1&y=a%20b' -H 'X-Trace: a b' -H "Content-Type: application/json" -d '{"name":"widget","size":3}'"#,
    );
    assert!(
        spec.contains("json:"),
        "compact JSON becomes `json:`\n{spec}"
    );
}

#[test]
fn json_option_keeps_the_bytes_as_written() {
    if !have_curl("json_option_keeps_the_bytes_as_written") {
        return;
    }
    let spec = same_on_the_wire(
        r#"curl --request PUT --url {URL}/items/2 --json '{"b": [1, 2], "t": "${x}"}'"#,
    );
    assert!(spec.contains("data:"), "{spec}");
}

#[test]
fn form_data_joined_and_urlencoded() {
    if !have_curl("form_data_joined_and_urlencoded") {
        return;
    }
    same_on_the_wire("curl -XPUT {URL}/form -d a=1 --data 'b=x y' --data-urlencode 'c=ü &' --data-raw '@not-a-file'");
}

#[test]
fn get_with_data_in_the_query() {
    if !have_curl("get_with_data_in_the_query") {
        return;
    }
    let spec = same_on_the_wire("curl -G {URL}/search -d q=put --data-urlencode 'n=a b'");
    assert!(spec.contains("get: /search?q=put&n=a+b"), "{spec}");
}

#[test]
fn upload_file_and_data_binary() {
    if !have_curl("upload_file_and_data_binary") {
        return;
    }
    let specs = Specs::new();
    specs.write("doc.txt", "line one\r\nline two\n");
    let (curl, putcheck, spec, _) = compare(&specs, "curl -T doc.txt {URL}/upload/", &[], &[]);
    assert_eq!(curl, putcheck, "spec:\n{spec}");
    assert_eq!(putcheck.target, "/upload/doc.txt");
    assert_eq!(putcheck.method, "PUT");
    let (curl, putcheck, spec, _) = compare(
        &specs,
        "curl -X PUT --data-binary @doc.txt {URL}/raw",
        &[],
        &[],
    );
    assert_eq!(curl, putcheck, "spec:\n{spec}");
    assert_eq!(putcheck.body, b"line one\r\nline two\n");
    let (curl, putcheck, spec, _) =
        compare(&specs, "curl -X PUT -d @doc.txt {URL}/stripped", &[], &[]);
    assert_eq!(curl, putcheck, "spec:\n{spec}");
    assert_eq!(putcheck.body, b"line oneline two");
}

#[test]
fn multipart_by_parts() {
    if !have_curl("multipart_by_parts") {
        return;
    }
    let specs = Specs::new();
    specs.write("notes.txt", "some notes\n");
    specs.write("blob.bin", "\u{1}\u{2}binary");
    specs.write("field.txt", "from a file");
    let (curl, putcheck, spec, _) = compare(
        &specs,
        "curl -X PUT -F name=widget -F 'desc=<field.txt' --form-string 'raw=@kept' -F doc=@notes.txt -F 'blob=@blob.bin;type=application/x-thing;filename=b.dat' {URL}/multi",
        &[],
        &[],
    );
    assert_eq!(curl.parts.len(), 5, "{curl:?}");
    assert_eq!(curl, putcheck, "spec:\n{spec}");
}

/// `-F tag=a -F tag=b`: both parts, in order, as curl sends them.
#[test]
fn a_repeated_form_field_sends_every_value() {
    if !have_curl("a_repeated_form_field_sends_every_value") {
        return;
    }
    let specs = Specs::new();
    specs.write("notes.txt", "some notes\n");
    let (curl, putcheck, spec, _) = compare(
        &specs,
        "curl -X PUT -F tag=a -F tag=b -F doc=@notes.txt {URL}/multi",
        &[],
        &[],
    );
    assert_eq!(curl.parts.len(), 3, "{curl:?}");
    assert_eq!(curl, putcheck, "spec:\n{spec}");
}

#[test]
fn credentials_become_secrets_read_from_the_environment() {
    if !have_curl("credentials_become_secrets_read_from_the_environment") {
        return;
    }
    let specs = Specs::new();
    let command = "curl -X PUT -u me:s3cret -b 'sid=abc123; theme=dark' -H 'X-Api-Key: key-42' '{URL}/auth?api_key=q-77&page=2'";
    let env = [
        ("BASIC_USER", "me"),
        ("BASIC_PASSWORD", "s3cret"),
        ("COOKIE_SID", "abc123"),
        ("COOKIE_THEME", "dark"),
        ("X_API_KEY", "key-42"),
        ("API_KEY", "q-77"),
    ];
    let (curl, putcheck, spec, imported) = compare(&specs, command, &env, &[]);
    assert_eq!(curl, putcheck, "spec:\n{spec}");
    for value in ["s3cret", "abc123", "key-42", "q-77"] {
        assert!(
            !spec.contains(value),
            "`{value}` written into the spec:\n{spec}"
        );
    }
    let hint = stderr(&imported);
    for name in [
        "BASIC_USER",
        "BASIC_PASSWORD",
        "COOKIE_SID",
        "COOKIE_THEME",
        "X_API_KEY",
        "API_KEY",
    ] {
        assert!(
            hint.contains(name),
            "the import names {name} to set: {hint}"
        );
        assert!(
            spec.contains(&format!("- {name}\n")),
            "{name} under secrets:\n{spec}"
        );
    }

    // --keep-secrets: the values go under `vars:`, still secrets; no environment needed.
    let (curl, putcheck, spec, imported) = compare(&specs, command, &[], &["--keep-secrets"]);
    assert_eq!(curl, putcheck, "spec:\n{spec}");
    assert!(spec.contains("vars:") && spec.contains("s3cret"), "{spec}");
    assert!(spec.contains("- BASIC_PASSWORD\n"), "{spec}");
    assert!(
        !stderr(&imported).contains("set before running"),
        "{}",
        stderr(&imported)
    );
}

#[test]
fn bearer_token_and_redirects() {
    if !have_curl("bearer_token_and_redirects") {
        return;
    }
    let specs = Specs::new();
    // Without -L neither follows the redirect; with it both do.
    let (curl, putcheck, spec, _) = compare(
        &specs,
        "curl -X PUT -H 'Authorization: Bearer tok-1' {URL}/moved -d x=1",
        &[("BEARER_TOKEN", "tok-1")],
        &[],
    );
    assert_eq!(curl, putcheck, "spec:\n{spec}");
    assert!(spec.contains("allow_redirects: false"), "{spec}");
    let server_spec = same_on_the_wire("curl -L -k -X PUT {URL}/moved -d x=1");
    assert!(!server_spec.contains("allow_redirects"), "{server_spec}");
    assert!(server_spec.contains("verify: false"), "{server_spec}");
}

#[test]
fn an_unknown_option_is_an_error_naming_it() {
    let specs = Specs::new();
    let out = common::putcheck(
        specs.dir.path(),
        &[
            "import",
            "curl",
            "curl --compressed -X PUT http://127.0.0.1:9/x",
        ],
    );
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("`--compressed`"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let out = common::putcheck(
        specs.dir.path(),
        &["import", "curl", "curl -X PUT 'http://127.0.0.1:9/x"],
    );
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("shell"), "{}", stderr(&out));
}
