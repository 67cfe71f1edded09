//! Does a response keep the document's promise? Its status must be documented (exactly,
//! by range such as `2XX`, or by `default`), and a JSON body must validate against the
//! schema documented for that status and content type. Schemas are converted (the
//! importer's OpenAPI → JSON Schema conversion) and compiled once, when first needed.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::document::{ApiDoc, Operation};
use crate::check::{Failure, FailureKind};

/// How many schema errors of one body are reported.
const MAX_SCHEMA_ERRORS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The status matches no documented response and there is no `default`.
    UndocumentedStatus,
    /// The response's content type is not among the documented ones for its status.
    UndocumentedContentType,
    /// The JSON body does not validate against the documented schema (or is not JSON).
    Schema,
}

/// One broken promise, found in one exchange of one test.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    /// The test's id (`file::name`).
    pub test: String,
    /// `PUT /pet/{petId}`.
    pub operation: String,
    /// `send 1`, `read-back`, `reject probe`...
    pub exchange: String,
    pub status: u16,
    pub problem: Problem,
    /// The documented response key the status fell under (`200`, `2XX`, `default`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The JSONPath in the body where the schema failed (`$.tags[0].name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
    /// The schema keyword that failed (`type`, `required`, `enum`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    pub message: String,
}

impl Issue {
    /// The one-line form used by the console and the HTML report.
    pub fn line(&self) -> String {
        match (&self.json_path, &self.keyword) {
            (Some(path), Some(keyword)) => format!(
                "{}: {} answered {}: at {path} (`{keyword}`): {}",
                self.exchange, self.operation, self.status, self.message
            ),
            _ => format!(
                "{}: {} answered {}: {}",
                self.exchange, self.operation, self.status, self.message
            ),
        }
    }

    /// The issue as a test failure, for `--openapi-strict`: the operation is the subject.
    pub fn failure(&self) -> Failure {
        let at = match (&self.json_path, &self.keyword) {
            (Some(path), Some(keyword)) => format!("at {path} (`{keyword}`): "),
            _ => String::new(),
        };
        let mut f = Failure::new(
            FailureKind::Conformance,
            format!("openapi {}", self.operation),
            format!(
                "{} answered {}: {at}{} (--openapi-strict)",
                self.exchange, self.status, self.message
            ),
        );
        f.paths = self.json_path.iter().cloned().collect();
        f
    }
}

/// What one exchange's response is, as far as conformance cares.
pub struct Answer<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    /// The whole body, when the record holds all of it.
    pub body: Option<&'a str>,
    pub body_size: usize,
}

/// The outcome of checking one response: the problems, and whether a JSON body could
/// not be validated because the report holds only its start.
#[derive(Default)]
pub struct Verdict {
    /// The documented response key the status matched.
    pub response: Option<String>,
    pub problems: Vec<(Problem, Option<String>, Option<String>, String)>,
    pub unvalidated: bool,
}

/// Compiled response schemas, by (operation, response key, media type).
#[derive(Default)]
pub struct Validators {
    compiled: HashMap<(usize, String, String), Option<Arc<jsonschema::Validator>>>,
    /// Schemas that could not be converted or compiled, said once each.
    pub notes: Vec<String>,
}

/// The documented response key a status falls under: exact, then range, then `default`.
pub fn response_key(op: &Operation, status: u16) -> Option<&str> {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    op.responses
        .iter()
        .find(|k| **k == exact)
        .or_else(|| op.responses.iter().find(|k| k.eq_ignore_ascii_case(&range)))
        .or_else(|| op.responses.iter().find(|k| *k == "default"))
        .map(String::as_str)
}

impl Validators {
    pub fn check(&mut self, doc: &ApiDoc, index: usize, answer: &Answer) -> Verdict {
        let op = &doc.operations[index];
        let mut verdict = Verdict::default();
        if op.responses.is_empty() {
            return verdict;
        }
        let Some(key) = response_key(op, answer.status) else {
            verdict.problems.push((
                Problem::UndocumentedStatus,
                None,
                None,
                format!(
                    "status {} is not documented (documented: {})",
                    answer.status,
                    op.responses.join(", ")
                ),
            ));
            return verdict;
        };
        verdict.response = Some(key.to_string());
        let content = doc
            .response(op, key)
            .and_then(|r| r.get("content"))
            .and_then(Value::as_object);
        let Some(content) = content.filter(|c| !c.is_empty()) else {
            return verdict;
        };
        if answer.body_size == 0 {
            return verdict;
        }
        let media_type = answer
            .content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let top = media_type.split('/').next().unwrap_or("");
        let found = content
            .keys()
            .find(|k| k.eq_ignore_ascii_case(&media_type))
            .or_else(|| {
                content
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case(&format!("{top}/*")))
            })
            .or_else(|| content.keys().find(|k| *k == "*/*"));
        let Some(media) = found else {
            let documented: Vec<&str> = content.keys().map(String::as_str).collect();
            verdict.problems.push((
                Problem::UndocumentedContentType,
                None,
                None,
                format!(
                    "content type `{}` is not documented for {key} (documented: {})",
                    if media_type.is_empty() {
                        "(none)"
                    } else {
                        &media_type
                    },
                    documented.join(", ")
                ),
            ));
            return verdict;
        };
        let is_json = |m: &str| m == "application/json" || m.ends_with("+json");
        if !is_json(&media_type) && !is_json(&media.to_ascii_lowercase()) {
            return verdict;
        }
        let Some(validator) = self.validator(doc, index, key, media) else {
            return verdict;
        };
        let Some(text) = answer.body else {
            verdict.unvalidated = true;
            return verdict;
        };
        let body: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                verdict.problems.push((
                    Problem::Schema,
                    Some("$".into()),
                    Some("type".into()),
                    format!("the body is not JSON ({e})"),
                ));
                return verdict;
            }
        };
        for e in validator.iter_errors(&body).take(MAX_SCHEMA_ERRORS) {
            verdict.problems.push((
                Problem::Schema,
                Some(json_path(&e.instance_path().to_string())),
                Some(e.kind().keyword().to_string()),
                e.to_string(),
            ));
        }
        verdict
    }

    fn validator(
        &mut self,
        doc: &ApiDoc,
        index: usize,
        key: &str,
        media: &str,
    ) -> Option<Arc<jsonschema::Validator>> {
        let id = (index, key.to_string(), media.to_string());
        if let Some(v) = self.compiled.get(&id) {
            return v.clone();
        }
        let op = &doc.operations[index];
        let schema = doc
            .response(op, key)
            .and_then(|r| r.get("content"))
            .and_then(|c| c.get(media))
            .and_then(|m| m.get("schema"));
        let compiled = schema.and_then(|schema| {
            let converted = crate::import::schema::to_json_schema(
                &doc.doc,
                schema,
                crate::import::schema::View::Response,
            )
                .map_err(|e| e.to_string())
                .and_then(|s| jsonschema::validator_for(&s).map_err(|e| e.to_string()));
            match converted {
                Ok(v) => Some(Arc::new(v)),
                Err(e) => {
                    self.notes.push(format!(
                        "the {key} {media} schema of {} {} cannot be used ({e}); its bodies were not validated",
                        op.method, op.path
                    ));
                    None
                }
            }
        });
        self.compiled.insert(id, compiled.clone());
        compiled
    }
}

/// A JSON Pointer into a body (`/tags/0/name`) as a JSONPath (`$.tags[0].name`).
pub fn json_path(pointer: &str) -> String {
    let mut out = String::from("$");
    if pointer.is_empty() {
        return out;
    }
    for token in pointer.trim_start_matches('/').split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else if !token.is_empty()
            && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !token.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('.');
            out.push_str(&token);
        } else {
            out.push_str(&format!("['{}']", token.replace('\'', "\\'")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const DOC: &str = r##"
openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /items/{id}:
    put:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Item" }
        4XX: { description: refused }
components:
  schemas:
    Item:
      type: object
      required: [name]
      properties:
        name: { type: string }
        size: { type: integer, nullable: true }
        tags: { type: array, items: { type: object, properties: { label: { type: string } } } }
"##;

    fn check(status: u16, content_type: &str, body: &str) -> Verdict {
        let doc = ApiDoc::parse(Path::new("a.yaml"), DOC, None).unwrap();
        Validators::default().check(
            &doc,
            0,
            &Answer {
                status,
                content_type: Some(content_type),
                body: Some(body),
                body_size: body.len(),
            },
        )
    }

    fn problems(v: &Verdict) -> Vec<String> {
        v.problems
            .iter()
            .map(|(p, path, keyword, _)| format!("{p:?} {path:?} {keyword:?}"))
            .collect()
    }

    #[test]
    fn a_body_that_breaks_the_schema_names_the_path_and_keyword() {
        let ok = check(
            200,
            "application/json; charset=utf-8",
            r#"{"name":"a","size":null}"#,
        );
        assert!(ok.problems.is_empty() && ok.response.as_deref() == Some("200"));
        let bad = check(
            200,
            "application/json",
            r#"{"size":"three","tags":[{"label":1}]}"#,
        );
        let mut got = problems(&bad);
        got.sort();
        assert_eq!(
            got,
            [
                r#"Schema Some("$") Some("required")"#,
                r#"Schema Some("$.size") Some("type")"#,
                r#"Schema Some("$.tags[0].label") Some("type")"#,
            ]
        );
    }

    #[test]
    fn statuses_fall_under_exact_keys_ranges_and_nothing_else() {
        assert!(check(404, "text/plain", "no").problems.is_empty());
        assert_eq!(
            problems(&check(500, "text/plain", "boom")),
            ["UndocumentedStatus None None"]
        );
        assert_eq!(
            problems(&check(200, "text/html", "<p>")),
            ["UndocumentedContentType None None"]
        );
        assert_eq!(
            problems(&check(200, "application/json", "{")),
            [r#"Schema Some("$") Some("type")"#]
        );
    }

    #[test]
    fn pointers_read_as_jsonpaths() {
        assert_eq!(json_path(""), "$");
        assert_eq!(json_path("/a/0/b"), "$.a[0].b");
        assert_eq!(json_path("/a b/x~1y"), "$['a b']['x/y']");
    }
}
