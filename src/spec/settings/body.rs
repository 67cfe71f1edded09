//! The body: `json` (any value, sent as JSON), `data` (a map: form fields; a string: the
//! raw body), `body_file` (a file's bytes) and `files` (multipart, with `data`'s map as
//! its fields) → [`BodySpec`].
//!
//! Merge: the body keys of a test, if it has any, replace `defaults`' body keys all
//! together (`files` in a test does not pick up `data` from `defaults`); likewise a
//! `reject`'s replace the test's body. Keys that cannot go together (`json` and
//! `body_file`) are an error of the request that uses them, reported at the test (or
//! `reject`) once the merge has chosen them, so a `defaults` body that every test
//! replaces is no error.

use std::borrow::Cow;
use std::path::PathBuf;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;

use super::files::Files;
use super::pairs::{param_value_schema, param_values};
use super::{deserialize_with_from_node, path, report, FromNode, Merge};
use crate::spec::convert::Loader;
use crate::spec::de::Field;
use crate::spec::error_kind::ErrorKind;
use crate::spec::yaml::{Kind, Node};
use crate::spec::{BodySpec, Pos};

/// `json`: the value as JSON, numbers with every digit they were written with.
#[derive(Debug, Clone)]
pub struct Json(pub Value);

impl FromNode for Json {
    fn from_node(node: &Node) -> Option<Self> {
        Some(Json(node.to_value()))
    }
}

/// `data`.
#[derive(Debug, Clone)]
pub enum Data {
    Form(Vec<(String, String)>),
    Raw(String),
}

impl FromNode for Data {
    fn from_node(node: &Node) -> Option<Self> {
        match &node.kind {
            Kind::Str(s) => Some(Data::Raw(s.clone())),
            Kind::Map(entries) => {
                let mut fields = Vec::new();
                for (k, v) in entries {
                    param_values(&k.name, v, "data", &mut fields);
                }
                Some(Data::Form(fields))
            }
            _ => {
                report(
                    node.pos,
                    ErrorKind::WrongShape {
                        expected: "a map of form fields or a string (the raw body)".into(),
                        key: Some("data".into()),
                        found: node.found(),
                    },
                );
                None
            }
        }
    }
}

/// `body_file`: joined to the spec's folder, and there.
#[derive(Debug, Clone)]
pub struct BodyFile(pub PathBuf);

impl FromNode for BodyFile {
    fn from_node(node: &Node) -> Option<Self> {
        match node.scalar_text() {
            Some(p) => Some(BodyFile(path::existing(&p, node.pos, "body_file"))),
            None => {
                report(
                    node.pos,
                    ErrorKind::WrongShape {
                        expected: "a string".into(),
                        key: None,
                        found: node.found(),
                    },
                );
                None
            }
        }
    }
}

deserialize_with_from_node!(Json, Data, BodyFile);

/// The body one place's keys give, or why they cannot go together.
#[derive(Debug, Clone)]
pub struct Body(Result<BodySpec, ErrorKind>);

impl Merge for Body {}

/// A finished request's body, as the general side of a `reject`'s merge.
impl From<BodySpec> for Body {
    fn from(body: BodySpec) -> Self {
        Body(Ok(body))
    }
}

impl Body {
    /// The body, or `BodySpec::None` after reporting the conflict at `pos`.
    pub(in crate::spec) fn build(self, loader: &mut Loader, pos: Pos) -> BodySpec {
        self.0.unwrap_or_else(|conflict| {
            loader.report(pos, conflict);
            BodySpec::None
        })
    }
}

/// The body of one place's keys; `None` when it has none.
pub(super) fn from_keys(
    loader: &mut Loader,
    json: Field<Json>,
    data: Field<Data>,
    body_file: Field<BodyFile>,
    files: Field<Files>,
) -> Option<Body> {
    let json_pos = json.pos();
    let (json, data, body_file) = (json.value(), data.value(), body_file.value());
    let files_given = files.get().is_some();
    if let (Some(j), Some(Data::Form(_)), false) = (json_pos, &data, files_given) {
        loader.report(j, ErrorKind::JsonAndForm);
    }
    let files = files.value();
    if json.is_none() && data.is_none() && body_file.is_none() && files.is_none() {
        return None;
    }
    Some(Body(body(json, data, body_file, files)))
}

fn body(
    json: Option<Json>,
    data: Option<Data>,
    body_file: Option<BodyFile>,
    files: Option<Files>,
) -> Result<BodySpec, ErrorKind> {
    let raw_data = matches!(data, Some(Data::Raw(_)));
    let given = [json.is_some(), raw_data, body_file.is_some()];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(ErrorKind::TwoBodies);
    }
    if let Some(files) = files {
        if given.contains(&true) {
            return Err(ErrorKind::FilesWithOtherBody);
        }
        let fields = match data {
            Some(Data::Form(f)) => f,
            _ => Vec::new(),
        };
        return Ok(BodySpec::Multipart {
            fields,
            files: files.0,
        });
    }
    if let Some(j) = json {
        return Ok(BodySpec::Json(j.0));
    }
    Ok(match (data, body_file) {
        (Some(Data::Form(f)), _) => BodySpec::Form(f),
        (Some(Data::Raw(s)), _) => BodySpec::Raw(s),
        (None, Some(p)) => BodySpec::File(p.0),
        (None, None) => BodySpec::None,
    })
}

impl JsonSchema for Json {
    fn schema_name() -> Cow<'static, str> {
        "Json".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({})
    }
}

impl JsonSchema for Data {
    fn schema_name() -> Cow<'static, str> {
        "Data".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [
                { "type": "string" },
                { "type": "object", "additionalProperties": param_value_schema() }
            ]
        })
    }
}

impl JsonSchema for BodyFile {
    fn schema_name() -> Cow<'static, str> {
        "String".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string" })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::spec::settings::testing::{errors, pairs, request, suite};
    use crate::spec::BodySpec;

    #[test]
    fn each_key_gives_its_body() {
        let body = |keys: &str| request(&format!("tests:\n  - put: http://h/x\n    {keys}\n")).body;
        assert_eq!(
            body("json: { n: 1, s: x }"),
            BodySpec::Json(json!({ "n": 1, "s": "x" }))
        );
        assert_eq!(
            body("data: { a: 1, b: [x, y] }"),
            BodySpec::Form(pairs(&[("a", "1"), ("b", "x"), ("b", "y")]))
        );
        assert_eq!(body("data: raw text"), BodySpec::Raw("raw text".into()));
        assert!(
            matches!(body("body_file: Cargo.toml"), BodySpec::File(p) if p.ends_with("Cargo.toml"))
        );
        assert!(matches!(
            body("data: { a: 1 }\n    files: { f: { content: x } }"),
            BodySpec::Multipart { fields, files } if fields == pairs(&[("a", "1")]) && files.len() == 1
        ));
        assert_eq!(
            request("tests:\n  - put: http://h/x\n").body,
            BodySpec::None
        );
    }

    #[test]
    fn a_tests_body_keys_replace_the_defaults_together() {
        let suite = suite(
            "defaults: { data: { a: 1 } }\ntests:\n  - put: http://h/a\n  - put: http://h/b\n    files: { f: { content: x } }\n  - put: http://h/c\n    json: 1\n",
        );
        assert_eq!(
            suite.tests[0].request.body,
            BodySpec::Form(pairs(&[("a", "1")]))
        );
        assert!(
            matches!(&suite.tests[1].request.body, BodySpec::Multipart { fields, .. } if fields.is_empty())
        );
        assert_eq!(suite.tests[2].request.body, BodySpec::Json(json!(1)));
    }

    #[test]
    fn conflicting_keys_are_an_error_of_the_test_that_uses_them() {
        assert_eq!(
            errors("defaults: { json: 1, body_file: Cargo.toml }\ntests:\n  - put: http://h/a\n    json: 2\n  - put: http://h/b\n"),
            ["5:5: use at most one of `json`, `data` (a string) and `body_file`"]
        );
        assert_eq!(
            errors("tests:\n  - put: http://h/a\n    data: raw\n    files: { f: Cargo.toml }\n"),
            ["2:5: `files` makes a multipart body, which goes with `data` as a map only, not with `json`, raw `data` or `body_file`"]
        );
        assert_eq!(
            errors("tests:\n  - put: http://h/a\n    json: 1\n    data: { a: 1 }\n"),
            ["3:11: `json` and `data` both give the body; use one of them"]
        );
        assert_eq!(
            errors("tests:\n  - put: http://h/a\n    data: [1]\n"),
            ["3:11: expected a map of form fields or a string (the raw body) for `data`, found a list"]
        );
    }
}
