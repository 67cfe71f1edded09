//! `putcheck import openapi FILE`: one spec file per path that has a PUT.
//!
//! The document is read as plain JSON data (YAML through serde-saphyr, JSON through
//! serde_json) and walked directly, for 3.0 and 3.1 alike: what differs between the two
//! versions is the Schema Object, and schemas are written out as JSON Schema files anyway
//! (`schema`), so a typed model per version would only add a second walk.

use std::path::Path;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::Value;

use super::body::{self, text_of};
use super::generate;
use super::model::{AuthOut, ExpectOut, HeadersAt, IdempotencyOut, Method, ReadbackOut, StepOut};
use super::schema::{self, schema_type, View};
use super::spec_file::{literal, upper_snake};
use super::swagger2;
use super::{file_stem, GeneratedFile, ImportError, Imported, Secrets, SpecFile};
use crate::values;

/// How many `$ref` hops are followed before a chain is called a loop.
const MAX_REF_HOPS: usize = 64;

/// A parsed OpenAPI document (a Swagger 2.0 one is upgraded to the 3.0 shape on reading:
/// `swagger2`).
pub struct Document {
    root: Value,
    version: String,
}

impl Document {
    pub fn parse(path: &Path, text: &str) -> Result<Document, ImportError> {
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            || text.trim_start().starts_with('{');
        let parsed: Result<Value, String> = if is_json {
            serde_json::from_str(text).map_err(|e| e.to_string())
        } else {
            // YAML 1.2, as OpenAPI asks: `y`, `yes` and `on` are strings.
            let options = serde_saphyr::options! { strict_booleans: true };
            serde_saphyr::from_str_with_options(text, options).map_err(|e| e.to_string())
        };
        let root = parsed.map_err(|message| ImportError::Parse {
            path: path.to_path_buf(),
            what: if is_json {
                "JSON document"
            } else {
                "YAML document"
            },
            message,
        })?;
        match (root.get("openapi"), root.get("swagger")) {
            (Some(Value::String(v)), _) if v.starts_with("3.") => Ok(Document {
                version: v.clone(),
                root,
            }),
            (_, Some(v)) if v.as_str() == Some("2.0") => Ok(Document {
                root: swagger2::upgrade(root),
                version: "2.0".into(),
            }),
            (_, Some(v)) => Err(ImportError::Invalid(format!(
                "`{}`: Swagger version {v} is not supported (2.0 is, and OpenAPI 3.0 and 3.1)",
                path.display()
            ))),
            (Some(v), _) => Err(ImportError::Invalid(format!(
                "`{}`: OpenAPI version {v} is not supported (3.0 and 3.1 are, and Swagger 2.0)",
                path.display()
            ))),
            (None, None) => Err(ImportError::Invalid(format!(
                "`{}` has no `openapi:` version; is it an OpenAPI document?",
                path.display()
            ))),
        }
    }

    /// The schema dialect of OpenAPI 3.0 (Swagger 2.0's is the same, less `nullable`).
    pub fn is_v30(&self) -> bool {
        self.version.starts_with("3.0") || self.is_swagger2()
    }

    pub fn is_swagger2(&self) -> bool {
        self.version == "2.0"
    }

    /// `OpenAPI 3.0.4`, `Swagger 2.0`.
    pub fn label(&self) -> String {
        if self.is_swagger2() {
            "Swagger 2.0".into()
        } else {
            format!("OpenAPI {}", self.version)
        }
    }

    pub fn root(&self) -> &Value {
        &self.root
    }

    /// The JSON Pointer of a local `$ref` (`#/components/schemas/Pet`).
    pub fn local_pointer(&self, reference: &str) -> Result<String, ImportError> {
        match reference.strip_prefix('#') {
            Some(p) => Ok(percent_decode_str(p).decode_utf8_lossy().into_owned()),
            None => Err(ImportError::Invalid(format!(
                "`$ref: {reference}`{} points outside the document; only local references (`#/...`) are resolved — bundle the document first (for example with `npx @redocly/cli bundle`)",
                self.ref_location(|r| r == reference)
            ))),
        }
    }

    pub fn pointer(&self, pointer: &str) -> Result<&Value, ImportError> {
        self.root.pointer(pointer).ok_or_else(|| {
            ImportError::Invalid(format!(
                "`$ref: #{pointer}`{} points at nothing in the document; define it, or correct the reference",
                self.ref_location(|r| {
                    r.strip_prefix('#')
                        .is_some_and(|p| percent_decode_str(p).decode_utf8_lossy() == pointer)
                })
            ))
        })
    }

    /// ` at #/paths/~1pets/put/requestBody`: where the first `$ref` that `is_it` is, for
    /// an error about it (the document is searched only then).
    fn ref_location(&self, is_it: impl Fn(&str) -> bool) -> String {
        fn find(v: &Value, at: &mut Vec<String>, is_it: &dyn Fn(&str) -> bool) -> bool {
            match v {
                Value::Object(m) => {
                    if m.get("$ref").and_then(Value::as_str).is_some_and(is_it) {
                        return true;
                    }
                    for (k, child) in m {
                        at.push(k.replace('~', "~0").replace('/', "~1"));
                        if find(child, at, is_it) {
                            return true;
                        }
                        at.pop();
                    }
                    false
                }
                Value::Array(items) => {
                    for (i, child) in items.iter().enumerate() {
                        at.push(i.to_string());
                        if find(child, at, is_it) {
                            return true;
                        }
                        at.pop();
                    }
                    false
                }
                _ => false,
            }
        }
        let mut at = Vec::new();
        if find(&self.root, &mut at, &is_it) {
            format!(" (at `#/{}`)", at.join("/"))
        } else {
            String::new()
        }
    }

    /// Follows `$ref`s until a value that is not one.
    pub fn resolve<'a>(&'a self, mut value: &'a Value) -> Result<&'a Value, ImportError> {
        for _ in 0..MAX_REF_HOPS {
            match value.get("$ref") {
                Some(Value::String(r)) => value = self.pointer(&self.local_pointer(r)?)?,
                _ => return Ok(value),
            }
        }
        Err(ImportError::Invalid(
            "a `$ref` chain loops (more than 64 hops)".into(),
        ))
    }

    fn str_at(&self, pointer: &str) -> Option<&str> {
        self.root.pointer(pointer).and_then(Value::as_str)
    }
}

/// Bytes encoded in a path parameter's value (RFC 3986 `pchar` keeps the rest).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

pub fn import(path: &Path) -> Result<Imported, ImportError> {
    let text = super::read(path)?;
    let doc = Document::parse(path, &text)?;
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let title = doc.str_at("/info/title").unwrap_or("untitled").to_string();
    let api_version = doc.str_at("/info/version").unwrap_or("?").to_string();
    let mut imported = Imported::default();
    let (base_url, base_note) = base_url(&doc);
    let Some(Value::Object(paths)) = doc.root.get("paths") else {
        return Err(ImportError::Invalid(format!(
            "`{}` has no `paths`",
            path.display()
        )));
    };
    let mut stems: Vec<String> = Vec::new();
    for (url_path, item) in paths {
        let item = doc.resolve(item)?;
        let Some(put) = item.get("put") else {
            continue;
        };
        let mut stem = file_stem(url_path);
        let mut n = 2;
        while stems.contains(&stem) {
            stem = format!("{}-{n}", file_stem(url_path));
            n += 1;
        }
        stems.push(stem.clone());
        let mut spec = SpecFile {
            comment: vec![
                format!("Imported by `putcheck import openapi` from {source}: \"{title}\" version {api_version} ({}),", doc.label()),
                format!("operation PUT {url_path}{}.", put.get("operationId").and_then(Value::as_str).map(|id| format!(" ({id})")).unwrap_or_default()),
            ],
            base_url: Some(base_url.clone()),
            secrets: Secrets::new(false),
            ..SpecFile::default()
        };
        // One set of parameter values for the path: the PUT, its read-back GET and the
        // clean-up DELETE address the same resource.
        let values = Values::choose(&doc, item, put)?;
        let op = Operation::new(&doc, url_path, item, put, &values)?;
        let mut notes = Vec::new();
        let (test, schema_files) = put_test(
            &doc,
            &op,
            item,
            url_path,
            &mut spec.secrets,
            &stem,
            &mut notes,
        )?;
        spec.tests.push(test);
        if let Some(delete) = item.get("delete") {
            let del = Operation::new(&doc, url_path, item, delete, &values)?;
            let mut step = StepOut::new(
                format!("clean up: DELETE {url_path}"),
                Method::Delete,
                op.target.clone(),
            );
            del.add_request_options(&doc, &mut step, &mut spec.secrets)?;
            spec.finally.push(step);
        }
        if !notes.is_empty() {
            spec.comment.push(String::new());
            spec.comment
                .extend(notes.into_iter().map(|n| format!("Note: {n}.")));
        }
        imported.push_spec(format!("{stem}.yaml"), &spec)?;
        for (name, schema) in schema_files.into_iter().flatten() {
            let text = serde_json::to_string_pretty(&schema)
                .map_err(|e| ImportError::Write(format!("cannot print a JSON Schema: {e}")))?;
            imported.files.push(GeneratedFile {
                name,
                text: text + "\n",
                tests: None,
            });
        }
    }
    if stems.is_empty() {
        imported.notes.push(format!(
            "`{}` documents no PUT operation; nothing to import",
            path.display()
        ));
    } else {
        imported.notes.push(base_note);
    }
    Ok(imported)
}

/// `${BASE_URL:-<first server URL>}`, with the server's variables at their defaults, and
/// the sentence that tells the user about it. A relative server URL (`/api/v1`) keeps its
/// path: `${BASE_URL}/api/v1`, BASE_URL being the server's origin.
fn base_url(doc: &Document) -> (String, String) {
    let server = doc.root.pointer("/servers/0");
    let mut url = server
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if let Some(Value::Object(vars)) = server.and_then(|s| s.get("variables")) {
        for (name, var) in vars {
            let default = var.get("default").and_then(Value::as_str).unwrap_or("");
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    if let Some(rest) = url.strip_prefix("//") {
        url = format!("https://{rest}"); // scheme-relative: the API's own scheme
    }
    if url.starts_with("http://") || url.starts_with("https://") {
        let note = format!(
            "BASE_URL (the server to test) defaults to {}",
            url.trim_end_matches('/')
        );
        (super::spec_file::base_url_template(&url), note)
    } else {
        let path = url
            .trim_start_matches("./")
            .trim_start_matches('.')
            .trim_matches('/')
            .to_string();
        if path.is_empty() {
            (
                "${BASE_URL}".into(),
                "the document names no absolute server URL; set BASE_URL to the server to test"
                    .into(),
            )
        } else {
            let path = literal(&format!("/{path}"));
            (
                format!("${{BASE_URL}}{path}"),
                format!(
                    "the document's server URL is relative (`{url}`); set BASE_URL to the server's origin (`http://host:port`): requests go to ${{BASE_URL}}{path}/..."
                ),
            )
        }
    }
}

/// The values of a path's parameters, chosen once from the PUT's declarations, so that
/// every request of the test (PUT, read-back GET, probes, clean-up DELETE) addresses the
/// same resource. A path parameter's value is one that every operation of the path that
/// declares it accepts, when there is one (Discourse's `id` is a string for the PUT and
/// an integer for the DELETE: `1` serves both).
struct Values {
    by_param: Vec<((String, String), Value)>,
}

impl Values {
    fn choose(doc: &Document, item: &Value, put: &Value) -> Result<Values, ImportError> {
        let mut by_param = Vec::new();
        let others: Vec<&Value> = ["get", "delete"]
            .iter()
            .filter_map(|m| item.get(*m))
            .collect();
        for p in merged_params(doc, item, put)? {
            let (Some(name), Some(place)) = (
                p.get("name").and_then(Value::as_str),
                p.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            let key = (place.to_string(), name.to_string());
            let mut declared = vec![p];
            for other in &others {
                if let Some(q) = merged_params(doc, item, other)?
                    .into_iter()
                    .find(|q| q.get("name") == p.get("name") && q.get("in") == p.get("in"))
                {
                    declared.push(q);
                }
            }
            let mut candidates = Vec::new();
            for d in &declared {
                candidates.extend(documented_value(doc, d)?);
            }
            for d in &declared {
                candidates.push(parameter_value(doc, d)?);
            }
            // Each declaration's schema with its type: the value travels as text, which
            // an integer parameter reads as an integer.
            let mut schemas = Vec::new();
            for d in &declared {
                if let Some(s) = d.get("schema") {
                    let json = schema::to_json_schema(doc, s, View::Request)?;
                    let ty = doc.resolve(s)?.as_object().and_then(schema_type);
                    if let Ok(v) = body::validator(&json) {
                        schemas.push((v, ty));
                    }
                }
            }
            let accepted = |c: &Value| {
                let text = Value::String(text_of(c));
                schemas
                    .iter()
                    .all(|(v, ty)| v.is_valid(&values::coerce(&text, ty.as_deref())))
            };
            let chosen = candidates
                .iter()
                .find(|c| accepted(c))
                .or(candidates.first())
                .cloned()
                .unwrap_or(Value::String("string".into()));
            by_param.push((key, chosen));
        }
        Ok(Values { by_param })
    }

    fn get(&self, place: &str, name: &str) -> Option<&Value> {
        self.by_param
            .iter()
            .find(|((p, n), _)| p == place && n == name)
            .map(|(_, v)| v)
    }
}

/// An operation's parameters with the path-level ones merged in (the operation's win).
fn merged_params<'a>(
    doc: &'a Document,
    item: &'a Value,
    op: &'a Value,
) -> Result<Vec<&'a Value>, ImportError> {
    let mut params: Vec<&Value> = Vec::new();
    for list in [item.get("parameters"), op.get("parameters")]
        .into_iter()
        .flatten()
    {
        for p in list.as_array().into_iter().flatten() {
            let p = doc.resolve(p)?;
            let key = |v: &Value| (v.get("name").cloned(), v.get("in").cloned());
            params.retain(|existing| key(existing) != key(p));
            params.push(p);
        }
    }
    Ok(params)
}

/// One operation with its parameters (path-level ones merged in) and its target.
struct Operation<'a> {
    op: &'a Value,
    params: Vec<&'a Value>,
    /// The path with path parameters filled in, escaped for the spec.
    target: String,
    values: &'a Values,
}

impl<'a> Operation<'a> {
    fn new(
        doc: &'a Document,
        url_path: &str,
        item: &'a Value,
        op: &'a Value,
        values: &'a Values,
    ) -> Result<Operation<'a>, ImportError> {
        let params = merged_params(doc, item, op)?;
        let mut target = literal(url_path);
        for p in params
            .iter()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
        {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let value = match values.get("path", name) {
                Some(v) => text_of(v),
                None => text_of(&parameter_value(doc, p)?),
            };
            let encoded = literal(&utf8_percent_encode(&value, PATH_SEGMENT).to_string());
            target = target.replace(&format!("{{{name}}}"), &encoded);
        }
        // A `{name}` the operation does not declare still needs a value of some type.
        while let (Some(open), Some(close)) = (target.find('{'), target.find('}')) {
            if close < open || target[..open].ends_with('$') {
                break;
            }
            target.replace_range(open..=close, "string");
        }
        Ok(Operation {
            op,
            params,
            target,
            values,
        })
    }

    /// Required query, header and cookie parameters, and the credentials the security
    /// requirement asks for.
    fn add_request_options(
        &self,
        doc: &Document,
        test: &mut StepOut,
        secrets: &mut Secrets,
    ) -> Result<(), ImportError> {
        let mut query = Vec::new();
        let mut headers = Vec::new();
        let mut cookies = Vec::new();
        for p in &self.params {
            let required = p.get("required") == Some(&Value::Bool(true));
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let place = p.get("in").and_then(Value::as_str).unwrap_or_default();
            if !required || place == "path" {
                continue;
            }
            // These three are set by the request options; OpenAPI says to ignore them.
            if place == "header"
                && ["accept", "content-type", "authorization"]
                    .contains(&name.to_ascii_lowercase().as_str())
            {
                continue;
            }
            let value = match self.values.get(place, name) {
                Some(v) => literal(&text_of(v)),
                None => literal(&text_of(&parameter_value(doc, p)?)),
            };
            match place {
                "query" => query.push((literal(name), value)),
                "header" => headers.push((literal(name), value)),
                "cookie" => cookies.push((literal(name), value)),
                _ => {}
            }
        }
        let mut auth = None;
        let requirement = self.op.get("security").or_else(|| doc.root.get("security"));
        if let Some(first) = requirement
            .and_then(Value::as_array)
            .and_then(|alternatives| alternatives.first())
        {
            for scheme_name in first.as_object().into_iter().flat_map(|m| m.keys()) {
                let scheme = doc.resolve(doc.root.pointer(&format!("/components/securitySchemes/{}", scheme_name.replace('~', "~0").replace('/', "~1"))).ok_or_else(|| {
                    ImportError::Invalid(format!("the security scheme `{scheme_name}` is not defined under components.securitySchemes"))
                })?)?;
                let var = upper_snake(scheme_name);
                let kind = scheme
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let http_scheme = scheme
                    .get("scheme")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                match (kind, http_scheme.as_str()) {
                    ("http", "basic") => {
                        auth = Some(AuthOut::Basic([
                            secrets.add(&format!("{var}_USER"), None),
                            secrets.add(&format!("{var}_PASSWORD"), None),
                        ]));
                    }
                    ("http", "bearer") | ("oauth2", _) | ("openIdConnect", _) => {
                        auth = Some(AuthOut::Bearer(secrets.add(&var, None)));
                    }
                    ("http", other) => {
                        let scheme_word = scheme
                            .get("scheme")
                            .and_then(Value::as_str)
                            .unwrap_or(other);
                        headers.push((
                            "Authorization".into(),
                            format!("{} {}", literal(scheme_word), secrets.add(&var, None)),
                        ));
                    }
                    ("apiKey", _) => {
                        let name = literal(
                            scheme
                                .get("name")
                                .and_then(Value::as_str)
                                .unwrap_or(scheme_name),
                        );
                        let value = secrets.add(&var, None);
                        match scheme.get("in").and_then(Value::as_str) {
                            Some("query") => query.push((name, value)),
                            Some("cookie") => cookies.push((name, value)),
                            _ => headers.push((name, value)),
                        }
                    }
                    _ => {} // mutualTLS: a client certificate (`cert:`) is set by hand.
                }
            }
        }
        test.params = query.into();
        for (name, value) in &headers {
            test.set_header(HeadersAt::BeforeCookies, name, value);
        }
        test.cookies = cookies.into();
        test.auth = auth;
        Ok(())
    }
}

/// What an imported spec of a path's PUT can be checked against (the corpus tests do):
/// the JSON Schema (request side) of the body the import sends, and that of the GET's
/// answer with nothing required (what "can hold the body sent" means for read-back).
pub struct Schemas {
    pub request: Option<Value>,
    pub read_back: Option<Value>,
}

impl Document {
    pub fn schemas_of_put(&self, url_path: &str) -> Result<Schemas, ImportError> {
        let pointer = format!("/paths/{}", url_path.replace('~', "~0").replace('/', "~1"));
        let item = match self.root.pointer(&pointer) {
            Some(item) => self.resolve(item)?,
            None => return Err(ImportError::Invalid(format!("no path `{url_path}`"))),
        };
        let request = match item.get("put") {
            Some(put) => match body::chosen_media(self, put)?.and_then(|(_, m)| m.get("schema")) {
                Some(s) => Some(schema::to_json_schema(self, s, View::Request)?),
                None => None,
            },
            None => None,
        };
        let read_back = match item.get("get") {
            Some(get) => match success_schema(self, get)?.1 {
                Some(s) => {
                    let mut relaxed = schema::to_json_schema(self, s, View::Response)?;
                    drop_required(&mut relaxed);
                    Some(relaxed)
                }
                None => None,
            },
            None => None,
        };
        Ok(Schemas { request, read_back })
    }
}

/// A parameter's `example`, else its first `examples` value, in its schema's type.
fn documented_value(doc: &Document, p: &Value) -> Result<Option<Value>, ImportError> {
    let ty = p
        .get("schema")
        .and_then(|s| doc.resolve(s).ok())
        .and_then(Value::as_object)
        .and_then(schema_type);
    if let Some(v) = p.get("example") {
        return Ok(Some(values::coerce(v, ty.as_deref())));
    }
    if let Some(Value::Object(examples)) = p.get("examples") {
        if let Some(first) = examples.values().next() {
            if let Some(v) = doc.resolve(first)?.get("value") {
                return Ok(Some(values::coerce(v, ty.as_deref())));
            }
        }
    }
    Ok(None)
}

/// A parameter's documented value when it fits its schema, else one made from the schema.
fn parameter_value(doc: &Document, p: &Value) -> Result<Value, ImportError> {
    let documented = documented_value(doc, p)?;
    let Some(s) = p.get("schema") else {
        return Ok(documented.unwrap_or(Value::String("string".into())));
    };
    let json = schema::to_json_schema(doc, s, View::Request)?;
    let validator = body::validator(&json).ok();
    Ok(body::choose(
        documented,
        Some(&json),
        validator.as_ref(),
        &mut Vec::new(),
    ))
}

/// A JSON Schema file written beside the spec: its name and content.
type SchemaFile = Option<(String, Value)>;

/// The JSON schema of an operation's answer: the same for every documented 2xx answer
/// (`None` when one differs or has none), and the success codes.
fn success_schema<'a>(
    doc: &'a Document,
    op: &'a Value,
) -> Result<(Vec<&'a String>, Option<&'a Value>), ImportError> {
    let Some(Value::Object(responses)) = op.get("responses") else {
        return Ok((Vec::new(), None));
    };
    let success: Vec<&String> = responses.keys().filter(|k| k.starts_with('2')).collect();
    let mut schemas = Vec::new();
    for code in &success {
        let response = doc.resolve(&responses[code.as_str()])?;
        let json_schema = response
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.iter().find(|(m, _)| body::is_json_media(m)))
            .and_then(|(_, media)| doc.resolve(media).ok())
            .and_then(|m| m.get("schema"));
        schemas.push(json_schema);
    }
    let schema = match schemas.first() {
        Some(Some(first)) if schemas.iter().all(|s| *s == Some(*first)) => Some(*first),
        _ => None,
    };
    Ok((success, schema))
}

/// The JSON media type of an operation's success answers when another type is listed
/// before it (so a server would answer in that one by default).
fn accept_json(doc: &Document, op: &Value) -> Result<Option<String>, ImportError> {
    let Some(Value::Object(responses)) = op.get("responses") else {
        return Ok(None);
    };
    for (code, response) in responses {
        if !code.starts_with('2') {
            continue;
        }
        let types: Vec<&String> = doc
            .resolve(response)?
            .get("content")
            .and_then(Value::as_object)
            .map(|c| c.keys().collect())
            .unwrap_or_default();
        let first_json = types.iter().position(|m| body::is_json_media(m));
        if let Some(i) = first_json.filter(|i| *i > 0) {
            return Ok(Some(types[i].clone()));
        }
    }
    Ok(None)
}

/// The PUT test, and the response's JSON Schema file when there is one. `notes` gets what
/// the reader of the spec should know (why read-back is off, a document example that
/// was not used).
fn put_test(
    doc: &Document,
    op: &Operation,
    item: &Value,
    url_path: &str,
    secrets: &mut Secrets,
    stem: &str,
    notes: &mut Vec<String>,
) -> Result<(StepOut, [SchemaFile; 2]), ImportError> {
    let put = op.op;
    let name = put
        .get("summary")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| put.get("operationId").and_then(Value::as_str))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| format!("PUT {}", op.target));
    let mut test = StepOut::new(literal(&name), Method::Put, op.target.clone());
    op.add_request_options(doc, &mut test, secrets)?;

    let sent = body::add(doc, put, &mut test)?;
    notes.extend(sent.notes);
    // Bodies nobody wrote, from the same schema, each through the whole check.
    let mut request_schema = None;
    if let (Some(schema), Some(_)) = (&sent.schema, &sent.json) {
        let file = format!("{stem}.request.schema.json");
        let invalid = if sent.reject.is_some() {
            generate::INVALID
        } else {
            0
        };
        test.generate = Some(generate::block(&literal(&file), invalid));
        request_schema = Some((file, schema.clone()));
    }
    // An answer offered in JSON, but not first (Swagger's Petstore: XML, then JSON), is
    // asked for in JSON, which the schema checks and the read-back compare.
    let mut offered = accept_json(doc, put)?;
    if let Some(get) = item.get("get") {
        offered = offered.or(accept_json(doc, get)?);
    }
    if let Some(json_type) = offered {
        test.set_header(HeadersAt::AfterGenerate, "Accept", &literal(&json_type));
    }

    // What the answer must be.
    let mut expect = ExpectOut::status(Value::String("2xx".into()));
    let mut response_schema = None;
    if put.get("responses").is_some() {
        let (success, schema) = success_schema(doc, put)?;
        let statuses: Vec<Value> = success
            .iter()
            .filter_map(|k| k.parse::<u16>().ok())
            .map(Value::from)
            .collect();
        let status = if statuses.len() == success.len() && !statuses.is_empty() {
            if statuses.len() == 1 {
                statuses[0].clone()
            } else {
                Value::Array(statuses)
            }
        } else {
            Value::String("2xx".into())
        };
        expect.status = status;
        if let Some(s) = schema {
            let file = format!("{stem}.response.schema.json");
            expect.schema = Some(literal(&file));
            response_schema = Some((file, schema::to_json_schema(doc, s, View::Response)?));
        }
    }
    test.expect = Some(expect);

    let mut idempotency = IdempotencyOut::default();
    if let (Some(get), Some(json)) = (item.get("get"), &sent.json) {
        match can_hold(doc, get, json)? {
            Ok(answer) => readback(&mut idempotency, sent.schema.as_ref(), &answer),
            Err(why) => notes.push(format!("read-back is off: {why} (GET {url_path})")),
        }
    }
    idempotency.reject = sent.reject;
    if !idempotency.is_empty() {
        test.idempotency = Some(idempotency);
    }
    Ok((test, [response_schema, request_schema]))
}

/// `readback`: `exact` when the request's schema is known (a PUT replaces the whole
/// resource), leaving out what the server owns (`readOnly`, and the properties only the
/// GET's answer documents) as `server_fields` and what it never shows (`writeOnly`) as
/// `ignore`; else `true` (the GET contains what was sent).
fn readback(idempotency: &mut IdempotencyOut, request: Option<&Value>, answer: &Value) {
    let Some(request) = request else {
        idempotency.readback = Some(ReadbackOut::Contains);
        return;
    };
    idempotency.readback = Some(ReadbackOut::Exact);
    let mut servers = generate::marked(request, "readOnly");
    servers.extend(generate::response_only(request, answer));
    servers.sort();
    servers.dedup();
    let paths = |p: Vec<String>| p.iter().map(|s| literal(s)).collect();
    idempotency.ignore = paths(generate::marked(request, "writeOnly"));
    idempotency.server_fields = paths(servers);
}

/// Whether what the GET answers can hold the body sent: the body validates against the
/// GET's response schema with nothing required (the server adds what it owns). `Ok` holds
/// that schema (as a standalone JSON Schema).
fn can_hold(
    doc: &Document,
    get: &Value,
    sent: &Value,
) -> Result<Result<Value, String>, ImportError> {
    let (_, schema) = success_schema(doc, get)?;
    let Some(schema) = schema else {
        return Ok(Err(
            "the GET documents no JSON answer to compare the body with".into(),
        ));
    };
    let answer = schema::to_json_schema(doc, schema, View::Response)?;
    let mut relaxed = answer.clone();
    drop_required(&mut relaxed);
    let Ok(validator) = body::validator(&relaxed) else {
        return Ok(Err("the GET's response schema could not be compiled".into()));
    };
    Ok(match body::why_invalid(&validator, sent) {
        None => Ok(answer),
        Some(why) => Err(format!(
            "what the GET answers cannot hold the body sent ({why})"
        )),
    })
}

/// Removes `required` and `minProperties` everywhere in a schema.
fn drop_required(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("required");
            m.remove("minProperties");
            for child in m.values_mut() {
                drop_required(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_required),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(text: &str) -> Document {
        Document::parse(Path::new("t.yaml"), text).unwrap()
    }

    const DOC_30: &str = r##"
openapi: 3.0.3
info: { title: t, version: "1" }
paths: {}
components:
  schemas:
    N:
      type: object
      required: [when, count, mail, kind, ratio]
      properties:
        a: { type: string, nullable: true, example: x }
        b: { type: integer, minimum: 1, exclusiveMinimum: true, maximum: 9, exclusiveMaximum: false }
        c: { type: string, enum: [p, q], nullable: true }
        d: { $ref: "#/components/schemas/N", description: ignored in 3.0 }
        when: { type: string, format: date-time }
        count: { type: integer, minimum: 10 }
        mail: { type: string, format: email }
        kind: { type: string, enum: [first, second] }
        ratio: { type: number, example: "0.5" }
        secret: { type: string, readOnly: true, example: s }
      x-extension: 1
      xml: { name: n }
"##;

    #[test]
    fn openapi_30_keywords_become_json_schema() {
        let d = doc(DOC_30);
        let s = schema::to_json_schema(
            &d,
            &json!({ "$ref": "#/components/schemas/N" }),
            View::Response,
        )
        .unwrap();
        assert_eq!(s["$ref"], "#/$defs/N");
        let props = &s["$defs"]["N"]["properties"];
        assert_eq!(
            props["a"],
            json!({ "type": ["string", "null"], "examples": ["x"] })
        );
        assert_eq!(
            props["b"],
            json!({ "type": "integer", "exclusiveMinimum": 1, "maximum": 9 })
        );
        assert_eq!(
            props["c"],
            json!({ "type": ["string", "null"], "enum": ["p", "q", null] })
        );
        assert_eq!(props["d"], json!({ "$ref": "#/$defs/N" }));
        assert!(s["$defs"]["N"].get("xml").is_none());
        assert!(s["$defs"]["N"].get("x-extension").is_none());
        assert!(jsonschema::validator_for(&s).is_ok());
    }

    #[test]
    fn an_assembled_body_validates_against_its_schema() {
        let d = doc(DOC_30);
        let reference = json!({ "$ref": "#/components/schemas/N" });
        let request = schema::to_json_schema(&d, &reference, View::Request).unwrap();
        let body = values::Generator::new(&request).value();
        assert_eq!(
            body,
            json!({ "a": "x", "c": "p", "when": "2024-01-01T00:00:00Z", "count": 10,
                    "mail": "user@example.com", "kind": "first", "ratio": 0.5 })
        );
        let validator = body::validator(&request).unwrap();
        assert!(validator.is_valid(&body));
        let probe = body::reject_probe(&d, Some(&reference), &validator, &body)
            .unwrap()
            .unwrap();
        assert_eq!(probe.json["when"], 12345);
        assert!(!validator.is_valid(&probe.json));
    }

    #[test]
    fn form_and_multipart_bodies() {
        let d = doc(r#"
openapi: 3.1.0
info: { title: t, version: "1" }
paths:
  /form/{id}:
    put:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [name, tags, meta]
              properties:
                name: { type: string, example: "a ${b}" }
                tags: { type: array, items: { type: string }, example: [x, y] }
                meta: { type: object, properties: { k: { type: integer, example: 1 } } }
      responses: { "204": { description: ok } }
  /upload:
    put:
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [title, file]
              properties:
                title: { type: string }
                file: { type: string, format: binary }
      responses: { default: { description: ok } }
  /plain:
    put:
      requestBody:
        content:
          multipart/form-data:
            schema: { type: object, properties: { note: { type: string, example: n } } }
"#);
        let test_for = |path: &str| {
            let item = d
                .root
                .pointer(&format!("/paths/{}", path.replace('/', "~1")))
                .unwrap();
            let values = Values::choose(&d, item, &item["put"]).unwrap();
            let op = Operation::new(&d, path, item, &item["put"], &values).unwrap();
            put_test(
                &d,
                &op,
                item,
                path,
                &mut Secrets::new(false),
                "x",
                &mut Vec::new(),
            )
            .unwrap()
            .0
        };
        let form = serde_json::to_value(test_for("/form/{id}")).unwrap();
        assert_eq!(form["put"], "/form/string");
        assert_eq!(
            form["data"],
            json!({ "name": "a $${b}", "tags": ["x", "y"], "meta": "{\"k\":1}" })
        );
        assert!(form.get("files").is_none());
        assert_eq!(form["expect"]["status"], 204);
        let upload = serde_json::to_value(test_for("/upload")).unwrap();
        assert_eq!(upload["data"], json!({ "title": "string" }));
        assert_eq!(upload["files"]["file"]["filename"], "file.bin");
        assert_eq!(upload["expect"]["status"], "2xx");
        let plain = serde_json::to_value(test_for("/plain")).unwrap();
        assert_eq!(plain["data"], json!({ "note": "n" }));
        assert_eq!(
            plain["files"],
            json!({}),
            "an empty `files:` keeps the body multipart"
        );
        assert_eq!(plain["expect"]["status"], "2xx");
    }

    fn test_of(d: &Document, path: &str) -> (Value, Vec<String>, Option<Value>) {
        let item = d
            .root
            .pointer(&format!("/paths/{}", path.replace('/', "~1")))
            .unwrap();
        let values = Values::choose(d, item, &item["put"]).unwrap();
        let op = Operation::new(d, path, item, &item["put"], &values).unwrap();
        let mut notes = Vec::new();
        let test = put_test(
            d,
            &op,
            item,
            path,
            &mut Secrets::new(false),
            "x",
            &mut notes,
        )
        .unwrap()
        .0;
        let delete = item.get("delete").map(|del| {
            let del = Operation::new(d, path, item, del, &values).unwrap();
            let mut step = StepOut::new("clean up".into(), Method::Delete, del.target.clone());
            del.add_request_options(d, &mut step, &mut Secrets::new(false))
                .unwrap();
            serde_json::to_value(&step).unwrap()
        });
        (serde_json::to_value(&test).unwrap(), notes, delete)
    }

    const ISSUE_25: &str = r##"
openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /posts/{id}.json:
    put:
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      requestBody:
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Post" }
            example: { raw: 5 }
      responses: { "200": { description: ok } }
    delete:
      parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
      responses: { "200": { description: ok } }
    get:
      parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
      responses:
        "200":
          description: ok
          content: { application/json: { schema: { $ref: "#/components/schemas/Post" } } }
  /me/episodes:
    put:
      parameters: [{ name: ids, in: query, required: true, schema: { type: string }, example: "a,b" }]
      requestBody:
        content: { "*/*": { schema: { type: object, required: [ids], properties: { ids: { type: array, items: { type: string } } } } } }
      responses: { "200": { description: ok } }
    delete:
      parameters: [{ name: ids, in: query, required: true, schema: { type: string }, example: "x,y" }]
      responses: { "200": { description: ok } }
    get:
      responses:
        "200":
          description: a page of saved episodes
          content: { application/json: { schema: { type: object, properties: { items: { type: array } }, additionalProperties: false } } }
  /pets/{petId}:
    put:
      parameters: [{ name: petId, in: path, required: true, schema: { type: integer, minimum: 0, exclusiveMinimum: true } }]
      requestBody:
        content:
          application/json:
            schema:
              oneOf: [{ $ref: "#/components/schemas/Cat" }, { $ref: "#/components/schemas/Dog" }]
              discriminator: { propertyName: petType, mapping: { cat: "#/components/schemas/Cat", dog: "#/components/schemas/Dog" } }
      responses: { "204": { description: ok } }
  /media/{id}:
    put:
      requestBody:
        content:
          multipart/form-data:
            schema: { type: object, properties: { file: { type: string, format: binary }, description: { type: string } } }
      responses: { "200": { description: ok } }
components:
  schemas:
    Post:
      type: object
      required: [id, raw, tags]
      properties:
        id: { type: integer, readOnly: true }
        raw: { type: string, pattern: "^[a-z]{3,}$" }
        tags: { type: array, minItems: 3, uniqueItems: true, items: { type: string } }
        score: { type: number, exclusiveMaximum: true, maximum: 1, minimum: 0, exclusiveMinimum: true, example: 0.5 }
    Cat:
      type: object
      required: [petType, lives]
      properties: { petType: { type: string }, lives: { type: integer } }
    Dog:
      type: object
      required: [petType]
      properties: { petType: { type: string }, bark: { type: boolean } }
"##;

    #[test]
    fn one_resource_per_test() {
        let d = doc(ISSUE_25);
        let (test, _, delete) = test_of(&d, "/posts/{id}.json");
        let delete = delete.unwrap();
        assert_eq!(
            test["put"], "/posts/1.json",
            "a value both the string and the integer accept"
        );
        assert_eq!(delete["delete"], test["put"]);
        let (test, _, delete) = test_of(&d, "/me/episodes");
        assert_eq!(test["params"]["ids"], "a,b");
        assert_eq!(
            delete.unwrap()["params"]["ids"],
            "a,b",
            "the DELETE removes what the PUT wrote"
        );
    }

    #[test]
    fn bodies_validate_and_say_when_the_example_did_not() {
        let d = doc(ISSUE_25);
        let (test, notes, _) = test_of(&d, "/posts/{id}.json");
        let body = &test["json"];
        assert!(
            body.get("id").is_none(),
            "readOnly and required: not sent: {body}"
        );
        assert_eq!(body["raw"], "aaa", "{body}");
        assert_eq!(body["tags"], json!(["string", "string1", "string2"]));
        assert_eq!(body["score"], json!(0.5));
        assert!(
            notes[0].contains("example of the request body does not validate"),
            "{notes:?}"
        );
        let reject = &test["idempotency"]["reject"]["json"];
        assert!(reject.get("id").is_none(), "{reject}");
        assert_eq!(
            reject["raw"], 12345,
            "a required, sent property is mutated: {reject}"
        );
        // A PUT replaces the resource: with a request schema, the read-back is exact.
        assert_eq!(test["idempotency"]["readback"], "exact");
        assert_eq!(test["generate"]["count"], generate::COUNT);
        assert_eq!(test["generate"]["invalid"], generate::INVALID);
    }

    #[test]
    fn read_only_fields_are_the_servers_and_write_only_ones_are_not_read_back() {
        let d = doc(r##"
openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /users/{id}:
    parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
    put:
      requestBody:
        content:
          application/json:
            schema: { $ref: "#/components/schemas/User" }
      responses: { "200": { description: ok } }
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                allOf:
                  - $ref: "#/components/schemas/User"
                  - properties: { updated_at: { type: string } }
components:
  schemas:
    User:
      type: object
      required: [name, password]
      properties:
        id: { type: integer, readOnly: true }
        name: { type: string }
        password: { type: string, writeOnly: true }
        owner:
          type: object
          properties: { id: { type: integer, readOnly: true }, note: { type: string } }
"##);
        let (test, _, _) = test_of(&d, "/users/{id}");
        let idempotency = &test["idempotency"];
        assert_eq!(idempotency["readback"], "exact", "{test}");
        assert_eq!(idempotency["ignore"], json!(["$.password"]), "{test}");
        // `updated_at`: only the GET's answer documents it.
        assert_eq!(
            idempotency["server_fields"],
            json!(["$.id", "$.owner.id", "$.updated_at"]),
            "{test}"
        );
        assert_eq!(
            test["generate"],
            json!({ "schema": "x.request.schema.json", "count": 10, "invalid": 5 })
        );
    }

    #[test]
    fn media_ranges_discriminators_and_read_back_notes() {
        let d = doc(ISSUE_25);
        let (test, notes, _) = test_of(&d, "/me/episodes");
        assert_eq!(test["json"], json!({ "ids": ["string"] }));
        assert!(
            test.get("headers").is_none(),
            "no `Content-Type: */*`: {test}"
        );
        assert!(test["idempotency"].get("readback").is_none());
        assert!(
            notes.iter().any(|n| n
                .starts_with("read-back is off: what the GET answers cannot hold the body sent")),
            "{notes:?}"
        );
        let (test, _, _) = test_of(&d, "/pets/{petId}");
        assert_eq!(test["put"], "/pets/1", "an exclusive minimum of 0");
        assert_eq!(test["json"], json!({ "petType": "cat", "lives": 1 }));
        let (test, _, _) = test_of(&d, "/media/{id}");
        assert_eq!(test["data"], json!({}), "{test}");
        assert_eq!(
            test["files"]["file"]["filename"], "file.bin",
            "an empty multipart body gets a part"
        );
    }

    #[test]
    fn swagger_20_bodies_forms_and_security() {
        let d = doc(r##"
swagger: "2.0"
info: { title: t, version: "1" }
host: api.example.com
basePath: /v1
securityDefinitions:
  key: { type: apiKey, name: X-Key, in: header }
  basic: { type: basic }
security: [{ key: [] }]
paths:
  /pets/{id}:
    parameters: [{ name: id, in: path, required: true, type: integer, minimum: 1, exclusiveMinimum: true }]
    put:
      parameters:
        - { name: body, in: body, required: true, schema: { $ref: "#/definitions/Pet" } }
      responses: { "200": { description: ok, schema: { $ref: "#/definitions/Pet" } } }
    get:
      responses: { "200": { description: ok, schema: { $ref: "#/definitions/Pet" } } }
  /pets/{id}/photo:
    put:
      security: [{ basic: [] }]
      consumes: [multipart/form-data]
      parameters:
        - { name: id, in: path, required: true, type: string, pattern: "^[a-z]{4}$" }
        - { name: photo, in: formData, type: file, required: true }
        - { name: caption, in: formData, type: string, x-example: hello }
      responses: { "204": { description: stored } }
definitions:
  Pet:
    type: object
    required: [name]
    properties:
      id: { type: integer, readOnly: true }
      name: { type: string, minLength: 2 }
      tag: { type: string, x-nullable: true, example: t }
"##);
        assert!(d.is_swagger2() && d.is_v30());
        let (test, notes, _) = test_of(&d, "/pets/{id}");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(test["put"], "/pets/2");
        assert_eq!(test["json"], json!({ "name": "string", "tag": "t" }));
        assert_eq!(test["headers"], json!({ "X-Key": "${KEY}" }));
        // `readOnly` id: the server's, left out of the exact read-back; generated bodies
        // from the schema written beside the spec.
        assert_eq!(test["idempotency"]["readback"], "exact");
        assert_eq!(test["idempotency"]["server_fields"], json!(["$.id"]));
        assert_eq!(test["generate"]["schema"], "x.request.schema.json");
        assert_eq!(test["idempotency"]["reject"]["json"]["name"], 12345);
        assert_eq!(test["expect"]["schema"], "x.response.schema.json");
        let (photo, _, _) = test_of(&d, "/pets/{id}/photo");
        assert_eq!(photo["put"], "/pets/aaaa/photo");
        assert_eq!(photo["data"], json!({ "caption": "hello" }));
        assert_eq!(photo["files"]["photo"]["filename"], "photo.bin");
        assert_eq!(
            photo["auth"]["basic"],
            json!(["${BASIC_USER}", "${BASIC_PASSWORD}"])
        );
        assert_eq!(base_url(&d).0, "${BASE_URL:-https://api.example.com/v1}");
    }

    #[test]
    fn json_documents_and_bad_references() {
        let d = doc(r#"{"openapi": "3.1.0", "paths": {}}"#);
        assert!(!d.is_v30());
        let err = d
            .resolve(&json!({ "$ref": "#/components/schemas/Missing" }))
            .unwrap_err();
        assert!(err.to_string().contains("points at nothing"), "{err}");
        let err = d.resolve(&json!({ "$ref": "other.yaml#/X" })).unwrap_err();
        assert!(err.to_string().contains("only local references"), "{err}");
    }
}
