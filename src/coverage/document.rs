//! An OpenAPI document as coverage needs it: its operations (method, path template,
//! documented responses) and the base paths its `servers` put before every path. The
//! document is read, and its `$ref`s followed, by the importer's `Document`; response
//! schemas are converted to JSON Schema only when a response needs validating.

use std::path::Path;

use serde_json::Value;

use super::template::Template;
use super::CoverageError;
use crate::import::openapi::Document;

pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// One operation of the document.
#[derive(Debug)]
pub struct Operation {
    /// Upper case: `PUT`.
    pub method: String,
    /// As written in `paths`: `/pet/{petId}`.
    pub path: String,
    pub operation_id: Option<String>,
    /// Response keys as written (`200`, `2XX`, `default`), in document order.
    pub responses: Vec<String>,
    /// The JSON Pointer of the operation object, for its response schemas.
    pub pointer: String,
    /// Its path's index in `ApiDoc::templates`.
    pub template: usize,
}

/// A loaded document.
pub struct ApiDoc {
    pub doc: Document,
    /// The file as given on the command line.
    pub source: String,
    pub title: String,
    pub api_version: String,
    pub openapi: String,
    pub operations: Vec<Operation>,
    /// Path templates, in document order; `Operation`s point into it by path.
    pub templates: Vec<Template>,
    /// Base paths from `servers` (`/api/v3`), longest first; empty when the paths sit at
    /// the root.
    pub base_paths: Vec<String>,
    /// `--openapi-prefix` replaced the servers' base paths.
    pub prefix_given: bool,
}

impl ApiDoc {
    pub fn load(path: &Path, prefix: Option<&str>) -> Result<ApiDoc, CoverageError> {
        let text = std::fs::read_to_string(path).map_err(|e| CoverageError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        ApiDoc::parse(path, &text, prefix)
    }

    pub fn parse(path: &Path, text: &str, prefix: Option<&str>) -> Result<ApiDoc, CoverageError> {
        let doc = Document::parse(path, text)?;
        let root = doc.root();
        let str_at = |p: &str| root.pointer(p).and_then(Value::as_str).map(str::to_string);
        let Some(Value::Object(paths)) = root.get("paths") else {
            return Err(CoverageError::Document(format!(
                "`{}` has no `paths`, so there is nothing to cover",
                path.display()
            )));
        };
        let mut operations = Vec::new();
        let mut templates = Vec::new();
        for url_path in paths.keys() {
            // The path item's own pointer, past any `$ref`, so that its operations'
            // responses can be found again.
            let item_pointer =
                pointer_past_refs(&doc, format!("/paths/{}", escape_pointer(url_path)))?;
            let item = doc.pointer(&item_pointer)?;
            let template = Template::parse(url_path).map_err(|why| {
                CoverageError::Document(format!("path `{url_path}` in `paths`: {why}"))
            })?;
            templates.push(template);
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let responses = match doc.resolve(op)?.get("responses") {
                    Some(Value::Object(r)) => r.keys().cloned().collect(),
                    _ => Vec::new(),
                };
                operations.push(Operation {
                    method: method.to_ascii_uppercase(),
                    path: url_path.clone(),
                    operation_id: op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    responses,
                    pointer: format!("{item_pointer}/{method}"),
                    template: templates.len() - 1,
                });
            }
        }
        let base_paths = match prefix {
            Some(p) => normalize_base(p).into_iter().collect(),
            None => server_base_paths(root),
        };
        Ok(ApiDoc {
            source: path.display().to_string(),
            title: str_at("/info/title").unwrap_or_else(|| "untitled".into()),
            api_version: str_at("/info/version").unwrap_or_default(),
            openapi: str_at("/openapi").unwrap_or_default(),
            operations,
            templates,
            base_paths,
            prefix_given: prefix.is_some(),
            doc,
        })
    }

    /// The response object of an operation for a response key, `$ref`s followed.
    pub fn response(&self, op: &Operation, key: &str) -> Option<&Value> {
        let root = self.doc.root();
        let pointer = format!("{}/responses/{}", op.pointer, escape_pointer(key));
        let value = root.pointer(&pointer)?;
        self.doc.resolve(value).ok()
    }
}

/// The path part of each server URL, its variables at their defaults (`/api/v3`).
fn server_base_paths(root: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for server in root
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(mut url) = server
            .get("url")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        if let Some(Value::Object(vars)) = server.get("variables") {
            for (name, var) in vars {
                let default = var.get("default").and_then(Value::as_str).unwrap_or("");
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
        let path = match url.find("://") {
            Some(i) => match url[i + 3..].find('/') {
                Some(j) => url[i + 3 + j..].to_string(),
                None => String::new(),
            },
            None => url,
        };
        if let Some(base) = normalize_base(&path) {
            if !out.contains(&base) {
                out.push(base);
            }
        }
    }
    // The longest first: `/api/v3` is tried before `/api`.
    out.sort_by_key(|b| std::cmp::Reverse(b.len()));
    out
}

/// `/api/v3/` → `/api/v3`; the root (`/`, ``) → none.
fn normalize_base(path: &str) -> Option<String> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        None
    } else if trimmed.starts_with('/') {
        Some(trimmed.to_string())
    } else {
        Some(format!("/{trimmed}"))
    }
}

/// Follows the `$ref`s from `pointer` to the pointer of a value that is not one.
fn pointer_past_refs(doc: &Document, mut pointer: String) -> Result<String, CoverageError> {
    for _ in 0..64 {
        match doc.pointer(&pointer)?.get("$ref") {
            Some(Value::String(r)) => pointer = doc.local_pointer(r)?,
            _ => return Ok(pointer),
        }
    }
    Err(CoverageError::Document(
        "a `$ref` chain loops (more than 64 hops)".into(),
    ))
}

/// A JSON Pointer token (RFC 6901): `~` → `~0`, `/` → `~1`.
fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> ApiDoc {
        ApiDoc::parse(Path::new("api.yaml"), text, None).unwrap()
    }

    #[test]
    fn operations_and_base_paths_come_from_the_document() {
        let d = doc(r##"
openapi: 3.1.0
info: { title: Things, version: "2" }
servers:
  - url: https://example.com/api/v3/
  - url: "{scheme}://example.com/{base}"
    variables: { scheme: { default: https }, base: { default: api } }
  - url: /
paths:
  /things/{id}:
    $ref: "#/components/pathItems/thing"
components:
  pathItems:
    thing:
      put: { operationId: putThing, responses: { "200": { description: ok }, default: { description: no } } }
      get: { responses: { "200": { description: ok } } }
"##);
        assert_eq!(d.base_paths, ["/api/v3", "/api"]);
        let ops: Vec<_> = d
            .operations
            .iter()
            .map(|o| {
                format!(
                    "{} {} {:?} {:?}",
                    o.method, o.path, o.operation_id, o.responses
                )
            })
            .collect();
        assert_eq!(
            ops,
            [
                r#"GET /things/{id} None ["200"]"#,
                r#"PUT /things/{id} Some("putThing") ["200", "default"]"#
            ]
        );
        assert_eq!((d.title.as_str(), d.openapi.as_str()), ("Things", "3.1.0"));
    }

    #[test]
    fn a_prefix_replaces_the_servers_base_paths() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: /api/v3}]\npaths: {}\n";
        let d = ApiDoc::parse(Path::new("a.yaml"), text, Some("/")).unwrap();
        assert!(d.base_paths.is_empty() && d.prefix_given);
        let d = ApiDoc::parse(Path::new("a.yaml"), text, Some("v2/")).unwrap();
        assert_eq!(d.base_paths, ["/v2"]);
    }
}
