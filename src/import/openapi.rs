//! `putcheck import openapi FILE`: one spec file per path that has a PUT.
//!
//! The document is read as plain JSON data (YAML through serde-saphyr, JSON through
//! serde_json) and walked directly, for 3.0 and 3.1 alike: what differs between the two
//! versions is the Schema Object, and schemas are written out as JSON Schema files anyway
//! (`schema`), so a typed model per version would only add a second walk.

use std::path::Path;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{Map, Value};

use super::schema::{self, schema_type};
use super::spec_file::{literal, literal_value, string_map, upper_snake};
use super::{file_stem, GeneratedFile, ImportError, Imported, Secrets, SpecFile};

/// How many `$ref` hops are followed before a chain is called a loop.
const MAX_REF_HOPS: usize = 64;

/// A parsed OpenAPI document.
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
        let version = match (root.get("openapi"), root.get("swagger")) {
            (Some(Value::String(v)), _) if v.starts_with("3.") => v.clone(),
            (_, Some(_)) => {
                return Err(ImportError::Invalid(format!(
                    "`{}` is a Swagger 2.0 document; convert it to OpenAPI 3 first (for example with `npx swagger2openapi`)",
                    path.display()
                )))
            }
            (Some(v), _) => {
                return Err(ImportError::Invalid(format!(
                    "`{}`: OpenAPI version {v} is not supported (3.0 and 3.1 are)",
                    path.display()
                )))
            }
            (None, None) => {
                return Err(ImportError::Invalid(format!(
                    "`{}` has no `openapi:` version; is it an OpenAPI document?",
                    path.display()
                )))
            }
        };
        Ok(Document { root, version })
    }

    /// The document as JSON data.
    pub fn root(&self) -> &Value {
        &self.root
    }

    pub fn is_v30(&self) -> bool {
        self.version.starts_with("3.0")
    }

    /// The JSON Pointer of a local `$ref` (`#/components/schemas/Pet`).
    pub fn local_pointer(&self, reference: &str) -> Result<String, ImportError> {
        match reference.strip_prefix('#') {
            Some(p) => Ok(percent_decode_str(p).decode_utf8_lossy().into_owned()),
            None => Err(ImportError::Invalid(format!(
                "`$ref: {reference}` points outside the document; only local references (`#/...`) are resolved — bundle the document first (for example with `npx @redocly/cli bundle`)"
            ))),
        }
    }

    pub fn pointer(&self, pointer: &str) -> Result<&Value, ImportError> {
        self.root.pointer(pointer).ok_or_else(|| {
            ImportError::Invalid(format!(
                "`$ref: #{pointer}` points at nothing in the document"
            ))
        })
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
    let base_url = base_url(&doc, &mut imported);
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
                format!("Imported by `putcheck import openapi` from {source}: \"{title}\" version {api_version} (OpenAPI {}),", doc.version),
                format!("operation PUT {url_path}{}.", put.get("operationId").and_then(Value::as_str).map(|id| format!(" ({id})")).unwrap_or_default()),
            ],
            base_url: Some(base_url.clone()),
            secrets: Secrets::new(false),
            ..SpecFile::default()
        };
        let op = Operation::new(&doc, url_path, item, put)?;
        let (test, response_schema) = put_test(&doc, &op, item, &mut spec.secrets, &stem)?;
        spec.tests.push(test);
        if let Some(delete) = item.get("delete") {
            let del = Operation::new(&doc, url_path, item, delete)?;
            let mut step = Map::new();
            step.insert(
                "name".into(),
                Value::String(format!("clean up: DELETE {url_path}")),
            );
            step.insert("delete".into(), Value::String(del.target.clone()));
            del.add_request_options(&doc, &mut step, &mut spec.secrets)?;
            spec.finally.push(step);
        }
        imported.push_spec(format!("{stem}.yaml"), &spec)?;
        if let Some((name, schema)) = response_schema {
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
    }
    Ok(imported)
}

/// `${BASE_URL:-<first server URL>}`, with the server's variables at their defaults.
fn base_url(doc: &Document, imported: &mut Imported) -> String {
    let server = doc.root.pointer("/servers/0");
    let mut url = server
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(Value::Object(vars)) = server.and_then(|s| s.get("variables")) {
        for (name, var) in vars {
            let default = var.get("default").and_then(Value::as_str).unwrap_or("");
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    if url.starts_with("http://") || url.starts_with("https://") {
        imported.notes.push(format!(
            "BASE_URL (the server to test) defaults to {}",
            url.trim_end_matches('/')
        ));
        super::spec_file::base_url_template(&url)
    } else {
        imported.notes.push(format!(
            "the document names no absolute server URL{}; set BASE_URL to the server to test",
            if url.is_empty() {
                String::new()
            } else {
                format!(" (only `{url}`)")
            }
        ));
        "${BASE_URL}".into()
    }
}

/// One operation with its parameters (path-level ones merged in) and its target.
struct Operation<'a> {
    op: &'a Value,
    params: Vec<&'a Value>,
    /// The path with path parameters filled in, escaped for the spec.
    target: String,
}

impl<'a> Operation<'a> {
    fn new(
        doc: &'a Document,
        url_path: &str,
        item: &'a Value,
        op: &'a Value,
    ) -> Result<Operation<'a>, ImportError> {
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
        let mut target = literal(url_path);
        for p in params
            .iter()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
        {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let value = text_of(&parameter_value(doc, p)?);
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
        Ok(Operation { op, params, target })
    }

    /// Required query, header and cookie parameters, and the credentials the security
    /// requirement asks for.
    fn add_request_options(
        &self,
        doc: &Document,
        test: &mut Map<String, Value>,
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
            let value = literal(&text_of(&parameter_value(doc, p)?));
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
                        auth = Some(
                            serde_json::json!({ "basic": [secrets.add(&format!("{var}_USER"), None), secrets.add(&format!("{var}_PASSWORD"), None)] }),
                        );
                    }
                    ("http", "bearer") | ("oauth2", _) | ("openIdConnect", _) => {
                        auth = Some(serde_json::json!({ "bearer": secrets.add(&var, None) }));
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
        if !query.is_empty() {
            test.insert("params".into(), string_map(&query));
        }
        if !headers.is_empty() {
            test.insert("headers".into(), string_map(&headers));
        }
        if !cookies.is_empty() {
            test.insert("cookies".into(), string_map(&cookies));
        }
        if let Some(a) = auth {
            test.insert("auth".into(), a);
        }
        Ok(())
    }
}

/// A parameter's `example`, else its first `examples` value, else one from its schema.
fn parameter_value(doc: &Document, p: &Value) -> Result<Value, ImportError> {
    let ty = p
        .get("schema")
        .and_then(|s| doc.resolve(s).ok())
        .and_then(Value::as_object)
        .and_then(schema_type);
    if let Some(v) = p.get("example") {
        return Ok(schema::coerce(v, ty.as_deref()));
    }
    if let Some(Value::Object(examples)) = p.get("examples") {
        if let Some(first) = examples.values().next() {
            if let Some(v) = doc.resolve(first)?.get("value") {
                return Ok(schema::coerce(v, ty.as_deref()));
            }
        }
    }
    match p.get("schema") {
        Some(s) => schema::example(doc, s),
        None => Ok(Value::String("string".into())),
    }
}

/// A value as it goes into a URL, header or form field.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn is_json_media(media: &str) -> bool {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    m == "application/json" || m.ends_with("+json")
}

type ResponseSchema = Option<(String, Value)>;

/// The PUT test, and the response's JSON Schema file when there is one.
fn put_test(
    doc: &Document,
    op: &Operation,
    item: &Value,
    secrets: &mut Secrets,
    stem: &str,
) -> Result<(Map<String, Value>, ResponseSchema), ImportError> {
    let put = op.op;
    let name = put
        .get("summary")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| put.get("operationId").and_then(Value::as_str))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| format!("PUT {}", op.target));
    let mut test = Map::new();
    test.insert("name".into(), Value::String(literal(&name)));
    test.insert("put".into(), Value::String(op.target.clone()));
    op.add_request_options(doc, &mut test, secrets)?;

    let reject = add_body(doc, put, &mut test)?;

    // What the answer must be.
    let mut expect = Map::new();
    let mut response_schema = None;
    if let Some(Value::Object(responses)) = put.get("responses") {
        let success: Vec<&String> = responses.keys().filter(|k| k.starts_with('2')).collect();
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
        expect.insert("status".into(), status);
        // A schema only when every documented success answers with JSON described by it.
        let mut schemas = Vec::new();
        for code in &success {
            let response = doc.resolve(&responses[code.as_str()])?;
            let json_schema = response
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.iter().find(|(m, _)| is_json_media(m)))
                .and_then(|(_, media)| doc.resolve(media).ok())
                .and_then(|m| m.get("schema"));
            schemas.push(json_schema);
        }
        if let Some(Some(first)) = schemas.first() {
            if schemas.iter().all(|s| *s == Some(*first)) {
                let file = format!("{stem}.response.schema.json");
                expect.insert("schema".into(), Value::String(literal(&file)));
                response_schema = Some((file, schema::to_json_schema(doc, first)?));
            }
        }
    } else {
        expect.insert("status".into(), Value::String("2xx".into()));
    }
    test.insert("expect".into(), Value::Object(expect));

    let mut idempotency = Map::new();
    if item.get("get").is_some() && test.contains_key("json") {
        idempotency.insert("readback".into(), Value::Bool(true));
    }
    if let Some(r) = reject {
        idempotency.insert("reject".into(), r);
    }
    if !idempotency.is_empty() {
        test.insert("idempotency".into(), Value::Object(idempotency));
    }
    Ok((test, response_schema))
}

/// The request body from the `requestBody` (JSON preferred, then a form, multipart, and
/// anything else as text with its Content-Type). Returns the `reject` probe for a JSON
/// body whose schema has a typed required property.
fn add_body(
    doc: &Document,
    put: &Value,
    test: &mut Map<String, Value>,
) -> Result<Option<Value>, ImportError> {
    let mut reject = None;
    if let Some(body) = put.get("requestBody") {
        let body = doc.resolve(body)?;
        if let Some(Value::Object(content)) = body.get("content") {
            let chosen = content
                .iter()
                .find(|(m, _)| is_json_media(m))
                .or_else(|| {
                    content
                        .iter()
                        .find(|(m, _)| m.starts_with("application/x-www-form-urlencoded"))
                })
                .or_else(|| {
                    content
                        .iter()
                        .find(|(m, _)| m.starts_with("multipart/form-data"))
                })
                .or_else(|| content.iter().next());
            if let Some((media_type, media)) = chosen {
                let media = doc.resolve(media)?;
                let schema_value = media.get("schema");
                let value = media_example(doc, media)?;
                let value = match (value, schema_value) {
                    (Some(v), _) => v,
                    (None, Some(s)) => schema::example(doc, s)?,
                    (None, None) => Value::Object(Map::new()),
                };
                let media_lower = media_type.to_ascii_lowercase();
                if is_json_media(media_type) {
                    if media_lower != "application/json" {
                        add_header(test, "Content-Type", &literal(media_type));
                    }
                    if let Some(s) = schema_value {
                        reject = reject_probe(doc, s, &value)?;
                    }
                    test.insert("json".into(), literal_value(&value));
                } else if media_lower.starts_with("application/x-www-form-urlencoded")
                    || media_lower.starts_with("multipart/form-data")
                {
                    form_body(doc, &media_lower, schema_value, &value, test);
                } else {
                    add_header(test, "Content-Type", &literal(media_type));
                    test.insert("data".into(), Value::String(literal(&text_of(&value))));
                }
            }
        }
    }
    Ok(reject)
}

/// A form (`data:`) or multipart (`data:` and `files:`) body from an example object;
/// `format: binary` properties of a multipart body become file parts.
fn form_body(
    doc: &Document,
    media_lower: &str,
    schema_value: Option<&Value>,
    value: &Value,
    test: &mut Map<String, Value>,
) {
    let multipart = media_lower.starts_with("multipart/");
    let mut fields = Map::new();
    let mut files = Map::new();
    let props = schema_value
        .and_then(|s| doc.resolve(s).ok())
        .and_then(|s| s.get("properties"));
    for (k, v) in value.as_object().into_iter().flatten() {
        let binary = props
            .and_then(|p| p.get(k))
            .and_then(|p| doc.resolve(p).ok())
            .and_then(|p| p.get("format"))
            .and_then(Value::as_str)
            == Some("binary");
        if multipart && binary {
            let part = serde_json::json!({
                "content": "putcheck",
                "filename": format!("{k}.bin"),
                "content_type": "application/octet-stream",
            });
            files.insert(literal(k), part);
        } else {
            let field = match v {
                // A list repeats the field, as a form does.
                Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|i| Value::String(literal(&form_text(i))))
                        .collect(),
                ),
                other => Value::String(literal(&form_text(other))),
            };
            fields.insert(literal(k), field);
        }
    }
    test.insert("data".into(), Value::Object(fields));
    // `files:` makes the body multipart, even when empty (`files: {}`).
    if multipart {
        test.insert("files".into(), Value::Object(files));
    }
}

/// A form field's text: objects as JSON, the rest as in a URL.
fn form_text(v: &Value) -> String {
    match v {
        Value::Object(_) => v.to_string(),
        other => text_of(other),
    }
}

/// The media type's `example`, else its first `examples` value.
fn media_example(doc: &Document, media: &Value) -> Result<Option<Value>, ImportError> {
    if let Some(v) = media.get("example") {
        return Ok(Some(v.clone()));
    }
    if let Some(Value::Object(examples)) = media.get("examples") {
        for e in examples.values() {
            if let Some(v) = doc.resolve(e)?.get("value") {
                return Ok(Some(v.clone()));
            }
        }
    }
    Ok(None)
}

/// `reject:` for a body whose schema has a typed required property: the same body with
/// that property of the wrong type, which the server must refuse with a 4xx.
fn reject_probe(
    doc: &Document,
    schema_value: &Value,
    body: &Value,
) -> Result<Option<Value>, ImportError> {
    let Value::Object(schema_map) = doc.resolve(schema_value)? else {
        return Ok(None);
    };
    let Value::Object(body_map) = body else {
        return Ok(None);
    };
    let required: Vec<&str> = schema_map
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let props = schema_map.get("properties").and_then(Value::as_object);
    for name in required {
        let ty = props
            .and_then(|p| p.get(name))
            .and_then(|p| doc.resolve(p).ok())
            .and_then(Value::as_object)
            .and_then(|p| match p.get("type") {
                // A property that may be of several types has no single wrong one.
                Some(Value::Array(ts))
                    if ts.iter().filter(|t| t.as_str() != Some("null")).count() != 1 =>
                {
                    None
                }
                _ => schema_type(p),
            });
        if let Some(ty) = ty {
            let mut wrong = body_map.clone();
            wrong.insert(name.to_string(), schema::wrong_type(&ty));
            return Ok(Some(serde_json::json!({
                "json": literal_value(&Value::Object(wrong)),
                "expect": { "status": "4xx" },
            })));
        }
    }
    Ok(None)
}

fn add_header(test: &mut Map<String, Value>, name: &str, value: &str) {
    let headers = test
        .entry("headers")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(h) = headers {
        h.insert(name.to_string(), Value::String(value.to_string()));
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
        let s = schema::to_json_schema(&d, &json!({ "$ref": "#/components/schemas/N" })).unwrap();
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
        let body = schema::example(&d, &reference).unwrap();
        assert_eq!(
            body,
            json!({ "a": "x", "c": "p", "when": "2024-01-01T00:00:00Z", "count": 10,
                    "mail": "user@example.com", "kind": "first", "ratio": 0.5 })
        );
        let validator =
            jsonschema::validator_for(&schema::to_json_schema(&d, &reference).unwrap()).unwrap();
        assert!(validator.is_valid(&body));
        let probe = reject_probe(&d, &reference, &body).unwrap().unwrap();
        assert_eq!(probe["json"]["when"], 12345);
        assert!(!validator.is_valid(&probe["json"]));
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
            let op = Operation::new(&d, path, item, &item["put"]).unwrap();
            put_test(&d, &op, item, &mut Secrets::new(false), "x")
                .unwrap()
                .0
        };
        let form = Value::Object(test_for("/form/{id}"));
        assert_eq!(form["put"], "/form/string");
        assert_eq!(
            form["data"],
            json!({ "name": "a $${b}", "tags": ["x", "y"], "meta": "{\"k\":1}" })
        );
        assert!(form.get("files").is_none());
        assert_eq!(form["expect"]["status"], 204);
        let upload = Value::Object(test_for("/upload"));
        assert_eq!(upload["data"], json!({ "title": "string" }));
        assert_eq!(upload["files"]["file"]["filename"], "file.bin");
        assert_eq!(upload["expect"]["status"], "2xx");
        let plain = Value::Object(test_for("/plain"));
        assert_eq!(plain["data"], json!({ "note": "n" }));
        assert_eq!(
            plain["files"],
            json!({}),
            "an empty `files:` keeps the body multipart"
        );
        assert_eq!(plain["expect"]["status"], "2xx");
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
