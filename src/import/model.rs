//! What an import writes, as types: a spec file's suite, its steps and their blocks,
//! each key of the spec format spelt once, here. Field order is the YAML key order;
//! empty parts are left out. Values copied from the input (bodies, header values) stay
//! `serde_json::Value`s and strings, escaped by the importers (`spec_file::literal`).

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// The suite of one spec file (its top comment is `SpecFile::comment`).
#[derive(Debug, Serialize)]
pub struct SuiteOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub vars: Pairs,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub secrets: &'a [String],
    pub tests: &'a [StepOut],
    #[serde(skip_serializing_if = "<[StepOut]>::is_empty")]
    pub finally: &'a [StepOut],
}

/// The method of a step, which is its key (`put: /items/1`): the spec's own.
pub use crate::spec::Method;

/// Where `headers:` goes among a step's keys: where the importer first set one. The
/// written files keep the order they always had (a header added by the body or by the
/// `Accept` negotiation comes after the keys written before it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HeadersAt {
    /// After the target and `params:` (curl, OpenAPI's required parameters).
    #[default]
    BeforeCookies,
    /// After `cookies:` (HAR).
    AfterCookies,
    /// After `auth:` (the Content-Type of an OpenAPI body).
    AfterAuth,
    /// After `generate:` (the `Accept` of an OpenAPI answer).
    AfterGenerate,
}

/// One step of `tests:` or `finally:`.
#[derive(Debug)]
pub struct StepOut {
    pub name: String,
    pub method: Method,
    /// The URL or path the method key holds.
    pub target: String,
    pub params: Pairs,
    pub headers: Pairs,
    pub headers_at: HeadersAt,
    pub cookies: Pairs,
    pub auth: Option<AuthOut>,
    pub body_file: Option<String>,
    pub json: Option<Value>,
    pub data: Option<DataOut>,
    /// `Some` even when empty: `files: {}` makes a body multipart.
    pub files: Option<FilesOut>,
    pub generate: Option<GenerateOut>,
    /// `Some(false)` only: putcheck follows redirects by default.
    pub allow_redirects: Option<bool>,
    pub verify: Option<bool>,
    pub expect: Option<ExpectOut>,
    pub idempotency: Option<IdempotencyOut>,
}

impl StepOut {
    pub fn new(name: String, method: Method, target: String) -> StepOut {
        StepOut {
            name,
            method,
            target,
            params: Pairs::default(),
            headers: Pairs::default(),
            headers_at: HeadersAt::default(),
            cookies: Pairs::default(),
            auth: None,
            body_file: None,
            json: None,
            data: None,
            files: None,
            generate: None,
            allow_redirects: None,
            verify: None,
            expect: None,
            idempotency: None,
        }
    }

    /// Sets a header; the first one decides where `headers:` goes (`at`).
    pub fn set_header(&mut self, at: HeadersAt, name: &str, value: &str) {
        if self.headers.is_empty() {
            self.headers_at = at;
        }
        self.headers.set(name, value);
    }
}

/// The step as written: `headers:` in the slot `headers_at` says.
impl Serialize for StepOut {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let headers_at = |at: HeadersAt| {
            (self.headers_at == at && !self.headers.is_empty()).then_some(&self.headers)
        };
        let target = |m: Method| (self.method == m).then_some(self.target.as_str());
        StepView {
            name: &self.name,
            put: target(Method::Put),
            get: target(Method::Get),
            delete: target(Method::Delete),
            post: target(Method::Post),
            patch: target(Method::Patch),
            params: &self.params,
            headers_before_cookies: headers_at(HeadersAt::BeforeCookies),
            cookies: &self.cookies,
            headers_after_cookies: headers_at(HeadersAt::AfterCookies),
            auth: self.auth.as_ref(),
            headers_after_auth: headers_at(HeadersAt::AfterAuth),
            body_file: self.body_file.as_deref(),
            json: self.json.as_ref(),
            data: self.data.as_ref(),
            files: self.files.as_ref(),
            generate: self.generate.as_ref(),
            headers_after_generate: headers_at(HeadersAt::AfterGenerate),
            allow_redirects: self.allow_redirects,
            verify: self.verify,
            expect: self.expect.as_ref(),
            idempotency: self.idempotency.as_ref(),
        }
        .serialize(s)
    }
}

/// A step's keys in the order they are written.
#[derive(Serialize)]
struct StepView<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    put: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    get: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    patch: Option<&'a str>,
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    params: &'a Pairs,
    #[serde(rename = "headers", skip_serializing_if = "Option::is_none")]
    headers_before_cookies: Option<&'a Pairs>,
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    cookies: &'a Pairs,
    #[serde(rename = "headers", skip_serializing_if = "Option::is_none")]
    headers_after_cookies: Option<&'a Pairs>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth: Option<&'a AuthOut>,
    #[serde(rename = "headers", skip_serializing_if = "Option::is_none")]
    headers_after_auth: Option<&'a Pairs>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    json: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a DataOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<&'a FilesOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generate: Option<&'a GenerateOut>,
    #[serde(rename = "headers", skip_serializing_if = "Option::is_none")]
    headers_after_generate: Option<&'a Pairs>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_redirects: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verify: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expect: Option<&'a ExpectOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idempotency: Option<&'a IdempotencyOut>,
}

/// Names and values in order (`params:`, `headers:`, `cookies:`, `vars:`), written as a
/// map; a name set again keeps its place and takes the new value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn set(&mut self, name: &str, value: &str) {
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value.to_string(),
            None => self.0.push((name.to_string(), value.to_string())),
        }
    }
}

impl From<Vec<(String, String)>> for Pairs {
    fn from(pairs: Vec<(String, String)>) -> Pairs {
        let mut out = Pairs::default();
        for (k, v) in &pairs {
            out.set(k, v);
        }
        out
    }
}

impl Serialize for Pairs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// `auth:`: a bearer token or a user and password, each a `${VAR}` template.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthOut {
    Bearer(String),
    Basic([String; 2]),
}

/// `data:`: text sent as it is, or form fields (a list repeats a field).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DataOut {
    Text(String),
    Fields(Map<String, Value>),
}

/// `files:`: parts by field name, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilesOut(pub Vec<(String, FilePartOut)>);

impl Serialize for FilesOut {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// A part of `files:`: its content from a file (`path`) or inline (`content`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FilePartOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// `generate:`: bodies made from a JSON Schema file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenerateOut {
    pub schema: String,
    pub count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<u32>,
}

/// `expect:`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectOut {
    /// A code, a list of codes, or a class (`"2xx"`).
    pub status: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
}

impl ExpectOut {
    pub fn status(status: Value) -> ExpectOut {
        ExpectOut {
            status,
            schema: None,
        }
    }
}

/// `idempotency:`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IdempotencyOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readback: Option<ReadbackOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub server_fields: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reject: Option<RejectOut>,
}

impl IdempotencyOut {
    pub fn is_empty(&self) -> bool {
        self == &IdempotencyOut::default()
    }
}

/// `readback:`: `true` (the GET contains what was sent) or `exact`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadbackOut {
    Contains,
    Exact,
}

impl Serialize for ReadbackOut {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ReadbackOut::Contains => s.serialize_bool(true),
            ReadbackOut::Exact => s.serialize_str("exact"),
        }
    }
}

/// `reject:`: a body the server must refuse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectOut {
    pub json: Value,
    pub expect: ExpectOut,
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;

    use super::super::spec_file::{Secrets, SpecFile};
    use super::*;
    use crate::spec::{load_str, LoadContext};

    /// A step with every field set (a struct literal, so a field added to the model
    /// must be added here too).
    fn full_step(dir: &std::path::Path, method: Method, headers_at: HeadersAt) -> StepOut {
        let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
        StepOut {
            name: format!("{method:?} {headers_at:?}"),
            method,
            target: "/items/1".into(),
            params: vec![("q".into(), "1".into())].into(),
            headers: vec![("X-Key".into(), "${KEY}".into())].into(),
            headers_at,
            cookies: vec![("session".into(), "${SESSION}".into())].into(),
            auth: Some(AuthOut::Bearer("${TOKEN}".into())),
            body_file: None,
            json: Some(json!({ "name": "a", "n": 18446744073709551616u128 })),
            data: None,
            files: None,
            generate: Some(GenerateOut {
                schema: "request.schema.json".into(),
                count: 10,
                invalid: Some(5),
            }),
            allow_redirects: Some(false),
            verify: Some(false),
            expect: Some(ExpectOut {
                status: json!([200, 204]),
                schema: Some(file("response.schema.json")),
            }),
            idempotency: Some(IdempotencyOut {
                readback: Some(ReadbackOut::Exact),
                ignore: vec!["$.password".into()],
                server_fields: vec!["$.id".into()],
                reject: Some(RejectOut {
                    json: json!({ "name": 1 }),
                    expect: ExpectOut::status(json!("4xx")),
                }),
            }),
        }
    }

    /// Every key the model writes is one the spec loader accepts: a suite using each
    /// field (and each variant) loads without errors.
    #[test]
    fn every_key_the_model_writes_loads_as_a_spec() {
        let dir = tempfile::tempdir().unwrap();
        let schema = r#"{"type": "object", "properties": {"name": {"type": "string"}}}"#;
        for name in ["request.schema.json", "response.schema.json", "body.bin"] {
            std::fs::write(dir.path().join(name), schema).unwrap();
        }
        let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        let mut form = StepOut::new("form".into(), Method::Put, "/form".into());
        form.auth = Some(AuthOut::Basic(["${USER}".into(), "${PASSWORD}".into()]));
        form.data = Some(DataOut::Fields(
            json!({ "title": "t", "tags": ["a", "b"] })
                .as_object()
                .cloned()
                .unwrap(),
        ));
        form.files = Some(FilesOut(vec![
            (
                "inline".into(),
                FilePartOut {
                    content: Some("putcheck".into()),
                    path: None,
                    filename: Some("inline.bin".into()),
                    content_type: Some("application/octet-stream".into()),
                },
            ),
            (
                "from_disk".into(),
                FilePartOut {
                    path: Some(path("body.bin")),
                    ..FilePartOut::default()
                },
            ),
        ]));
        form.set_header(HeadersAt::AfterAuth, "Accept", "application/json");
        form.expect = Some(ExpectOut::status(json!(200)));
        form.idempotency = Some(IdempotencyOut {
            readback: Some(ReadbackOut::Contains),
            ..IdempotencyOut::default()
        });
        let mut raw_file = StepOut::new("raw".into(), Method::Put, "/raw".into());
        raw_file.body_file = Some(path("body.bin"));
        let mut text = StepOut::new("text".into(), Method::Put, "/text".into());
        text.data = Some(DataOut::Text("a=1".into()));

        let mut secrets = Secrets::new(true);
        for name in ["KEY", "SESSION", "TOKEN", "USER", "PASSWORD"] {
            secrets.add(name, Some("value"));
        }
        let spec = SpecFile {
            comment: vec!["every key".into()],
            name: Some("model".into()),
            base_url: Some("${BASE_URL:-http://127.0.0.1:9}".into()),
            secrets,
            tests: vec![
                full_step(dir.path(), Method::Put, HeadersAt::BeforeCookies),
                full_step(dir.path(), Method::Put, HeadersAt::AfterCookies),
                full_step(dir.path(), Method::Put, HeadersAt::AfterAuth),
                full_step(dir.path(), Method::Put, HeadersAt::AfterGenerate),
                form,
                raw_file,
                text,
            ],
            finally: [Method::Get, Method::Post, Method::Patch, Method::Delete]
                .into_iter()
                .map(|m| StepOut::new(format!("{m:?}"), m, "/items/1".into()))
                .collect(),
        };
        let text = spec.render().unwrap();
        let env = |_: &str| None;
        let ctx = LoadContext {
            cli_vars: &HashMap::new(),
            env: &env,
            listing: false,
        };
        let spec_path = dir.path().join("model.yaml");
        if let Err(errors) = load_str(&spec_path, &text, &ctx) {
            let errors: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            panic!("{}\n\n{text}", errors.join("\n"));
        }
        // The loader does refuse a key it does not know, so the check above means
        // something.
        let misspelt = text.replace("server_fields:", "server_field:");
        assert!(load_str(&spec_path, &misspelt, &ctx).is_err());
    }
}
