//! Swagger 2.0, read natively: on reading, the document is reshaped into the OpenAPI 3.0
//! layout, in memory, so that the one walk of `openapi` serves both (and every rule of
//! the import holds for 2.0 as for 3.x). What moves:
//!
//! - `host`, `basePath`, `schemes` → `servers: [{url}]` (https when offered);
//! - a `body` parameter → `requestBody`, one media type per `consumes` entry (the
//!   operation's, else the document's, else `application/json`);
//! - `formData` parameters → a `requestBody` object schema, multipart when `consumes`
//!   says so or a parameter is a `type: file`, else a urlencoded form;
//! - other parameters → their type keywords under `schema`, `x-example` as `example`;
//! - a response's `schema` and `examples` → `content`, per `produces` entry;
//! - `securityDefinitions` → `components.securitySchemes` (`basic` → HTTP basic).
//!
//! `definitions` stay where they are: `$ref: '#/definitions/Pet'` is a JSON Pointer into
//! the same document. Schema keywords differ little from 3.0's and are converted with
//! them (`schema`): `x-nullable`, `type: file`; 2.0's `discriminator` (a property name
//! for inheritance, not a `oneOf`) is left out.

use serde_json::{json, Map, Value};

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// Keywords of a non-body parameter (or an `items` of one) that are schema keywords.
const SCHEMA_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
];

/// The document in OpenAPI 3.0's layout.
pub fn upgrade(original: Value) -> Value {
    let mut root = original.clone();
    let Value::Object(out) = &mut root else {
        return root;
    };
    if let Some(url) = server_url(&original) {
        out.insert("servers".into(), json!([{ "url": url }]));
    }
    if let Some(Value::Object(defs)) = original.get("securityDefinitions") {
        let schemes: Map<String, Value> = defs
            .iter()
            .map(|(name, d)| (name.clone(), security_scheme(d)))
            .collect();
        let components = out
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(c) = components {
            c.insert("securitySchemes".into(), Value::Object(schemes));
        }
    }
    let consumes = media_list(original.get("consumes"));
    let produces = media_list(original.get("produces"));
    if let Some(Value::Object(paths)) = original.get("paths") {
        let mut new_paths = Map::new();
        for (path, item) in paths {
            let item = resolve(&original, item);
            let Value::Object(item_map) = &item else {
                new_paths.insert(path.clone(), item.clone());
                continue;
            };
            let shared = item_map.get("parameters");
            let mut new_item = Map::new();
            for (k, v) in item_map {
                if k == "parameters" {
                    continue; // merged into each operation below
                }
                if METHODS.contains(&k.as_str()) {
                    new_item.insert(
                        k.clone(),
                        operation(&original, v, shared, &consumes, &produces),
                    );
                } else {
                    new_item.insert(k.clone(), v.clone());
                }
            }
            new_paths.insert(path.clone(), Value::Object(new_item));
        }
        out.insert("paths".into(), Value::Object(new_paths));
    }
    root
}

/// `https://host/basePath` (the first scheme when https is not offered); a `basePath`
/// alone when there is no host (a relative URL, as in 3.x).
fn server_url(doc: &Value) -> Option<String> {
    let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
    let base = base.trim_end_matches('/');
    match doc.get("host").and_then(Value::as_str) {
        Some(host) => {
            let schemes: Vec<&str> = doc
                .get("schemes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let scheme = if schemes.is_empty() || schemes.contains(&"https") {
                "https"
            } else {
                schemes[0]
            };
            Some(format!("{scheme}://{host}{base}"))
        }
        None if !base.is_empty() => Some(base.to_string()),
        None => None,
    }
}

fn security_scheme(d: &Value) -> Value {
    match d.get("type").and_then(Value::as_str) {
        Some("basic") => json!({ "type": "http", "scheme": "basic" }),
        Some("apiKey") => json!({ "type": "apiKey", "name": d.get("name"), "in": d.get("in") }),
        Some("oauth2") => json!({ "type": "oauth2" }),
        _ => d.clone(),
    }
}

fn media_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// A local `$ref` followed once (parameters, responses and path items of 2.0 refer to
/// the document's `parameters`, `responses`); anything else as it is.
fn resolve(doc: &Value, v: &Value) -> Value {
    let mut v = v.clone();
    for _ in 0..16 {
        let Some(pointer) = v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        else {
            break;
        };
        let decoded = percent_encoding::percent_decode_str(pointer).decode_utf8_lossy();
        match doc.pointer(&decoded) {
            Some(target) => v = target.clone(),
            None => break, // left for the walk, which says where it is
        }
    }
    v
}

fn operation(
    doc: &Value,
    op: &Value,
    shared: Option<&Value>,
    doc_consumes: &[String],
    doc_produces: &[String],
) -> Value {
    let Value::Object(op_map) = op else {
        return op.clone();
    };
    let mut params: Vec<Value> = Vec::new();
    for list in [shared, op_map.get("parameters")].into_iter().flatten() {
        for p in list.as_array().into_iter().flatten() {
            let p = resolve(doc, p);
            let key = |v: &Value| (v.get("name").cloned(), v.get("in").cloned());
            params.retain(|existing| key(existing) != key(&p));
            params.push(p);
        }
    }
    let consumes = {
        let own = media_list(op_map.get("consumes"));
        if !own.is_empty() {
            own
        } else if !doc_consumes.is_empty() {
            doc_consumes.to_vec()
        } else {
            vec!["application/json".to_string()]
        }
    };
    let produces = {
        let own = media_list(op_map.get("produces"));
        if !own.is_empty() {
            own
        } else if !doc_produces.is_empty() {
            doc_produces.to_vec()
        } else {
            vec!["application/json".to_string()]
        }
    };
    let mut out = op_map.clone();
    out.remove("consumes");
    out.remove("produces");
    let place = |p: &Value| {
        p.get("in")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut plain = Vec::new();
    let mut form = Vec::new();
    let mut body = None;
    for p in params {
        match place(&p).as_str() {
            "body" => body = Some(p),
            "formData" => form.push(p),
            _ => plain.push(parameter(&p)),
        }
    }
    out.insert("parameters".into(), Value::Array(plain));
    if let Some(b) = body {
        let is_form = |m: &String| {
            m.starts_with("application/x-www-form-urlencoded") || m.starts_with("multipart/")
        };
        let mut types: Vec<&String> = consumes.iter().filter(|m| !is_form(m)).collect();
        let fallback = "application/json".to_string();
        if types.is_empty() {
            types.push(&fallback);
        }
        let schema = b.get("schema").cloned().unwrap_or(json!({}));
        let content: Map<String, Value> = types
            .into_iter()
            .map(|m| {
                let mut media = Map::new();
                media.insert("schema".into(), schema.clone());
                if let Some(e) = b.get("x-example") {
                    media.insert("example".into(), e.clone());
                }
                (m.clone(), Value::Object(media))
            })
            .collect();
        out.insert(
            "requestBody".into(),
            json!({ "required": b.get("required").cloned().unwrap_or(Value::Bool(false)),
                    "content": content }),
        );
    } else if !form.is_empty() {
        let has_file = form
            .iter()
            .any(|p| p.get("type").and_then(Value::as_str) == Some("file"));
        let media = if has_file || consumes.iter().any(|m| m.starts_with("multipart/")) {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let mut properties = Map::new();
        let mut required = Vec::new();
        for p in &form {
            let Some(name) = p.get("name").and_then(Value::as_str) else {
                continue;
            };
            let mut schema = parameter_schema(p);
            if let (Some(e), Value::Object(s)) = (p.get("x-example"), &mut schema) {
                s.insert("example".into(), e.clone());
            }
            properties.insert(name.to_string(), schema);
            if p.get("required") == Some(&Value::Bool(true)) {
                required.push(Value::String(name.to_string()));
            }
        }
        let mut schema = json!({ "type": "object", "properties": properties });
        if !required.is_empty() {
            schema["required"] = Value::Array(required);
        }
        out.insert(
            "requestBody".into(),
            json!({ "content": { media: { "schema": schema } } }),
        );
    }
    if let Some(Value::Object(responses)) = op_map.get("responses") {
        let converted: Map<String, Value> = responses
            .iter()
            .map(|(code, r)| (code.clone(), response(&resolve(doc, r), &produces)))
            .collect();
        out.insert("responses".into(), Value::Object(converted));
    }
    Value::Object(out)
}

/// A non-body parameter: its type keywords under `schema`.
fn parameter(p: &Value) -> Value {
    let mut out = Map::new();
    for k in ["name", "in", "required", "description"] {
        if let Some(v) = p.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    out.insert("schema".into(), parameter_schema(p));
    if let Some(e) = p.get("x-example") {
        out.insert("example".into(), e.clone());
    }
    Value::Object(out)
}

/// The schema of a non-body parameter, or of its `items`.
fn parameter_schema(p: &Value) -> Value {
    let mut s = Map::new();
    for k in SCHEMA_KEYWORDS {
        if let Some(v) = p.get(*k) {
            s.insert((*k).into(), v.clone());
        }
    }
    if let Some(items) = p.get("items") {
        s.insert("items".into(), parameter_schema(items));
    }
    if s.get("type").and_then(Value::as_str) == Some("file") {
        s.insert("type".into(), json!("string"));
        s.insert("format".into(), json!("binary"));
    }
    Value::Object(s)
}

fn response(r: &Value, produces: &[String]) -> Value {
    let mut out = Map::new();
    out.insert(
        "description".into(),
        r.get("description").cloned().unwrap_or(json!("")),
    );
    if let Some(schema) = r.get("schema") {
        let examples = r.get("examples").and_then(Value::as_object);
        let content: Map<String, Value> = produces
            .iter()
            .map(|m| {
                let mut media = Map::new();
                media.insert("schema".into(), schema.clone());
                if let Some(e) = examples.and_then(|e| e.get(m)) {
                    media.insert("example".into(), e.clone());
                }
                (m.clone(), Value::Object(media))
            })
            .collect();
        out.insert("content".into(), Value::Object(content));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swagger_document_in_the_30_layout() {
        let doc = json!({
            "swagger": "2.0",
            "host": "api.example.com",
            "basePath": "/v2/",
            "schemes": ["http", "https"],
            "consumes": ["application/json"],
            "securityDefinitions": { "basic": { "type": "basic" },
                                     "key": { "type": "apiKey", "name": "X-Key", "in": "header" } },
            "parameters": { "Id": { "name": "id", "in": "path", "required": true, "type": "integer", "minimum": 1 } },
            "responses": { "Ok": { "description": "ok", "schema": { "$ref": "#/definitions/Pet" } } },
            "paths": {
                "/pets/{id}": {
                    "parameters": [{ "$ref": "#/parameters/Id" }],
                    "put": {
                        "consumes": ["*/*"],
                        "parameters": [
                            { "name": "body", "in": "body", "required": true, "schema": { "$ref": "#/definitions/Pet" } },
                            { "name": "tags", "in": "query", "type": "array", "items": { "type": "string" }, "x-example": ["a"] }
                        ],
                        "responses": { "200": { "$ref": "#/responses/Ok" } }
                    }
                },
                "/pets/{id}/photo": {
                    "put": {
                        "parameters": [
                            { "name": "id", "in": "path", "required": true, "type": "string" },
                            { "name": "file", "in": "formData", "type": "file", "required": true },
                            { "name": "note", "in": "formData", "type": "string" }
                        ],
                        "responses": { "204": { "description": "stored" } }
                    }
                }
            },
            "definitions": { "Pet": { "type": "object", "properties": { "name": { "type": "string" } } } }
        });
        let up = upgrade(doc);
        assert_eq!(
            up["servers"],
            json!([{ "url": "https://api.example.com/v2" }])
        );
        assert_eq!(
            up["components"]["securitySchemes"]["basic"],
            json!({ "type": "http", "scheme": "basic" })
        );
        let put = &up["paths"]["/pets/{id}"]["put"];
        assert_eq!(
            put["parameters"][0],
            json!({ "name": "id", "in": "path", "required": true,
                                                 "schema": { "type": "integer", "minimum": 1 } })
        );
        assert_eq!(put["parameters"][1]["example"], json!(["a"]));
        assert_eq!(
            put["requestBody"]["content"]["*/*"]["schema"],
            json!({ "$ref": "#/definitions/Pet" })
        );
        assert_eq!(
            put["responses"]["200"]["content"]["application/json"]["schema"],
            json!({ "$ref": "#/definitions/Pet" })
        );
        let photo = &up["paths"]["/pets/{id}/photo"]["put"];
        let schema = &photo["requestBody"]["content"]["multipart/form-data"]["schema"];
        assert_eq!(
            schema["properties"]["file"],
            json!({ "type": "string", "format": "binary" })
        );
        assert_eq!(schema["required"], json!(["file"]));
        assert_eq!(
            photo["responses"]["204"],
            json!({ "description": "stored" })
        );
    }

    #[test]
    fn no_host_keeps_the_base_path() {
        assert_eq!(
            server_url(&json!({ "basePath": "/api/v1" })).as_deref(),
            Some("/api/v1")
        );
        assert_eq!(
            server_url(&json!({ "host": "h", "schemes": ["http"] })).as_deref(),
            Some("http://h")
        );
        assert_eq!(server_url(&json!({})), None);
    }
}
