//! The request body of an imported PUT: which media type is sent, which value (the
//! document's example when it validates against the operation's request schema, else
//! one made by `crate::values` that does), and the `reject:` probe's body (the same with
//! one sent property of the wrong type, checked to be invalid).

use serde_json::{Map, Value};

use super::model::{DataOut, ExpectOut, FilePartOut, FilesOut, HeadersAt, RejectOut, StepOut};
use super::openapi::Document;
use super::schema::{self, View};
use super::spec_file::{literal, literal_value};
use super::ImportError;
use crate::values::{self, Generator};

/// Seeds tried after the canonical value, when that one does not validate.
const SEEDS: u64 = 32;

/// What the body part of a test came to.
#[derive(Debug, Default)]
pub struct Body {
    /// The JSON sent, for the read-back decision.
    pub json: Option<Value>,
    pub reject: Option<RejectOut>,
    /// The request's JSON Schema (standalone, `$ref`s resolved), when the body is JSON:
    /// what `generate:` makes bodies from.
    pub schema: Option<Value>,
    /// What the reader of the spec should know (lines of its top comment).
    pub notes: Vec<String>,
}

/// How a media type of the document is sent.
#[derive(Debug, PartialEq)]
enum Kind {
    /// JSON; `true` when the Content-Type is the media type itself (not a range and not
    /// plain `application/json`, which `json:` sends).
    Json(bool),
    Form,
    Multipart,
    Other,
}

/// How well a media type (or range) admits JSON: `application/json` best, then `+json`
/// types, then the ranges that include JSON (`application/*`, `*/*`).
fn json_rank(media: &str) -> Option<u8> {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match m.as_str() {
        "application/json" => Some(0),
        "text/json" | "*/json" => Some(1),
        _ if m.ends_with("+json") => Some(1),
        "application/*" => Some(2),
        "*/*" | "*" => Some(3),
        _ => None,
    }
}

/// Whether a media type (or range) is JSON or admits it.
pub fn is_json_media(media: &str) -> bool {
    json_rank(media).is_some()
}

fn kind(media: &str) -> Kind {
    let m = media.to_ascii_lowercase();
    if let Some(rank) = json_rank(media) {
        Kind::Json(rank == 1 || (rank == 0 && m.contains(';')))
    } else if m.starts_with("application/x-www-form-urlencoded") {
        Kind::Form
    } else if m.starts_with("multipart/") {
        Kind::Multipart
    } else {
        Kind::Other
    }
}

/// The request body from a 3.x `requestBody` (Swagger 2.0's are upgraded to one): JSON
/// preferred, then a form, multipart, and anything else as text with its Content-Type.
pub fn add(doc: &Document, put: &Value, test: &mut StepOut) -> Result<Body, ImportError> {
    let mut out = Body::default();
    let Some((media_type, media)) = chosen_media(doc, put)? else {
        return Ok(out);
    };
    let media = doc.resolve(media)?;
    let raw_schema = media.get("schema");
    let schema = match raw_schema {
        Some(s) => Some(schema::to_json_schema(doc, s, View::Request)?),
        None => None,
    };
    let validator = schema.as_ref().and_then(|s| validator(s).ok());
    let example = media_example(doc, media)?;
    let value = choose(example, schema.as_ref(), validator.as_ref(), &mut out.notes);
    match kind(media_type) {
        Kind::Json(own_type) => {
            if own_type {
                test.set_header(HeadersAt::AfterAuth, "Content-Type", &literal(media_type));
            }
            if let Some(v) = &validator {
                out.reject = reject_probe(doc, raw_schema, v, &value)?;
            }
            test.json = Some(literal_value(&value));
            out.json = Some(value);
            out.schema = schema;
        }
        k @ (Kind::Form | Kind::Multipart) => {
            let mut value = value;
            if let (Some(s), Value::Object(fields)) = (&schema, &mut value) {
                if fields.is_empty() {
                    // An empty form sends nothing to test: send one optional field.
                    if let Some((name, v)) = first_field(s) {
                        fields.insert(name, v);
                    }
                }
            }
            form_body(doc, k == Kind::Multipart, raw_schema, &value, test);
        }
        Kind::Other => {
            test.set_header(HeadersAt::AfterAuth, "Content-Type", &literal(media_type));
            test.data = Some(DataOut::Text(literal(&text_of(&value))));
        }
    }
    Ok(out)
}

/// The media type of the body the import sends for an operation and its Media Type
/// Object: JSON preferred (the most specific type first), then a form, multipart, else
/// the first listed.
pub fn chosen_media<'a>(
    doc: &'a Document,
    op: &'a Value,
) -> Result<Option<(&'a String, &'a Value)>, ImportError> {
    let Some(body) = op.get("requestBody") else {
        return Ok(None);
    };
    let body = doc.resolve(body)?;
    let Some(Value::Object(content)) = body.get("content") else {
        return Ok(None);
    };
    let chosen = content
        .iter()
        .filter_map(|(m, v)| json_rank(m).map(|r| (r, m, v)))
        .min_by_key(|(r, _, _)| *r)
        .map(|(_, m, v)| (m, v))
        .or_else(|| content.iter().find(|(m, _)| kind(m) == Kind::Form))
        .or_else(|| content.iter().find(|(m, _)| kind(m) == Kind::Multipart))
        .or_else(|| content.iter().next());
    match chosen {
        Some((m, media)) => Ok(Some((m, doc.resolve(media)?))),
        None => Ok(None),
    }
}

/// The JSON Schema validator of the import: formats are asserted, as servers (and Prism)
/// check them.
pub fn validator(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}

/// A note's quote of a validation error is cut here (the error quotes the value).
const MAX_WHY: usize = 160;

/// Why a value does not validate: the first error, where it is, on one line and short.
pub fn why_invalid(validator: &jsonschema::Validator, value: &Value) -> Option<String> {
    validator.validate(value).err().map(|e| {
        let at = e.instance_path().as_str().to_string();
        // Masked: "value is not of type ..." rather than the whole value quoted.
        let mut message: String = e
            .masked()
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if message.chars().count() > MAX_WHY {
            message = message.chars().take(MAX_WHY).collect::<String>() + "...";
        }
        if at.is_empty() {
            message
        } else {
            format!("at `{at}`: {message}")
        }
    })
}

/// The body: the document's example when it validates, else the schema's canonical value,
/// else the first seeded one that validates. Says in `notes` when the example was not
/// used, and when nothing valid was found.
pub fn choose(
    example: Option<Value>,
    schema: Option<&Value>,
    validator: Option<&jsonschema::Validator>,
    notes: &mut Vec<String>,
) -> Value {
    let (Some(schema), Some(validator)) = (schema, validator) else {
        if schema.is_some() {
            notes.push("the request schema could not be compiled, so the body below is not checked against it".into());
        }
        return example
            .or_else(|| schema.map(|s| Generator::new(s).value()))
            .unwrap_or_else(|| Value::Object(Map::new()));
    };
    // An example written as JSON text (`example: "{\"users\": ...}"`) means the JSON.
    let example = match example {
        Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) if validator.is_valid(&v) => Some(v),
            _ => Some(Value::String(text)),
        },
        other => other,
    };
    if let Some(e) = example {
        match why_invalid(validator, &e) {
            None => return e,
            Some(why) => notes.push(format!(
                "the document's example of the request body does not validate against the operation's schema ({why}); the body below was made from the schema instead"
            )),
        }
    }
    let first = Generator::new(schema).value();
    if validator.is_valid(&first) {
        return first;
    }
    let plain = Generator::new(schema).without_examples().value();
    if validator.is_valid(&plain) {
        return plain;
    }
    for seed in 1..=SEEDS {
        let v = Generator::seeded(schema, seed).without_examples().value();
        if validator.is_valid(&v) {
            return v;
        }
    }
    let why = why_invalid(validator, &first).unwrap_or_default();
    notes.push(format!(
        "no body that validates against the request schema was found ({why}); edit the body below before running"
    ));
    first
}

/// The first property a request may send, with a value (for a form that would be empty).
fn first_field(schema: &Value) -> Option<(String, Value)> {
    let mut generator = Generator::new(schema);
    let flat = generator.flat(schema);
    let props = flat.get("properties").and_then(Value::as_object)?;
    props
        .iter()
        .find(|(_, p)| generator.flat(p).get("readOnly") != Some(&Value::Bool(true)))
        .map(|(name, p)| (name.clone(), generator.value_of(p, 1)))
}

/// `reject:` for a JSON object body: the same body with one sent property (a required one
/// first) of the wrong type, kept only when the schema refuses it — so a server that
/// validates must refuse it too.
pub(super) fn reject_probe(
    doc: &Document,
    raw_schema: Option<&Value>,
    validator: &jsonschema::Validator,
    body: &Value,
) -> Result<Option<RejectOut>, ImportError> {
    let Value::Object(body_map) = body else {
        return Ok(None);
    };
    if !validator.is_valid(body) {
        return Ok(None);
    }
    let mut required: Vec<String> = Vec::new();
    if let Some(raw) = raw_schema {
        let resolved = doc.resolve(raw)?;
        let mut parts = vec![resolved];
        if let Some(Value::Array(all)) = resolved.get("allOf") {
            for p in all {
                parts.push(doc.resolve(p)?);
            }
        }
        for p in parts {
            for r in p
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(r) = r.as_str() {
                    required.push(r.to_string());
                }
            }
        }
    }
    let variants = values::with_a_wrong_type(body_map);
    let required_first = variants
        .iter()
        .filter(|(name, _)| required.contains(name))
        .chain(variants.iter().filter(|(name, _)| !required.contains(name)));
    for (_, changed) in required_first {
        if !validator.is_valid(changed) {
            return Ok(Some(RejectOut {
                json: literal_value(changed),
                expect: ExpectOut::status(Value::String("4xx".into())),
            }));
        }
    }
    Ok(None)
}

/// A form (`data:`) or multipart (`data:` and `files:`) body from an object; `format:
/// binary` properties of a multipart body become file parts.
fn form_body(
    doc: &Document,
    multipart: bool,
    schema_value: Option<&Value>,
    value: &Value,
    test: &mut StepOut,
) {
    let mut fields = Map::new();
    let mut files = Vec::new();
    let props = schema_value
        .and_then(|s| doc.resolve(s).ok())
        .and_then(|s| s.get("properties"));
    for (k, v) in value.as_object().into_iter().flatten() {
        let prop = props
            .and_then(|p| p.get(k))
            .and_then(|p| doc.resolve(p).ok());
        let binary = format(prop) == Some("binary")
            || prop.and_then(|p| p.get("type")).and_then(Value::as_str) == Some("file")
            || format(prop.and_then(|p| p.get("items"))) == Some("binary");
        if multipart && binary {
            let part = FilePartOut {
                content: Some("putcheck".into()),
                filename: Some(format!("{k}.bin")),
                content_type: Some("application/octet-stream".into()),
                ..FilePartOut::default()
            };
            files.push((literal(k), part));
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
    test.data = Some(DataOut::Fields(fields));
    // `files:` makes the body multipart, even when empty (`files: {}`).
    if multipart {
        test.files = Some(FilesOut(files));
    }
}

/// A schema's `format`.
fn format(p: Option<&Value>) -> Option<&str> {
    p.and_then(|p| p.get("format")).and_then(Value::as_str)
}

/// A form field's text: objects as JSON, the rest as in a URL.
fn form_text(v: &Value) -> String {
    match v {
        Value::Object(_) => v.to_string(),
        other => text_of(other),
    }
}

/// A value as it goes into a URL, header or form field.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_ranges_that_admit_json_are_json() {
        for m in [
            "*/*",
            "application/*",
            "*/json",
            "application/merge-patch+json",
            "application/json; charset=utf-8",
        ] {
            assert!(is_json_media(m), "{m}");
        }
        for m in [
            "text/plain",
            "application/xml",
            "multipart/form-data",
            "text/*",
        ] {
            assert!(!is_json_media(m), "{m}");
        }
        assert_eq!(kind("*/*"), Kind::Json(false));
        assert_eq!(kind("application/json"), Kind::Json(false));
        assert_eq!(kind("application/vnd.api+json"), Kind::Json(true));
    }
}
