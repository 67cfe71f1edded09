//! OpenAPI Schema Objects converted to a standalone JSON Schema (2020-12): for
//! `expect.schema`, to validate the bodies the import writes, and as the input of the
//! value generator (`crate::values`). OpenAPI 3.1 schemas are already JSON Schema
//! 2020-12; the dialect of 3.0 and Swagger 2.0 differs (`nullable`/`x-nullable`, boolean
//! `exclusiveMinimum`, `example`, `type: file`) and is converted.
//!
//! A schema is seen from one side (`View`): in a request, a `readOnly` property is not
//! required (OpenAPI: "required takes effect on the response only"); in a response, a
//! `writeOnly` one is not. A `discriminator` of a `oneOf`/`anyOf` becomes what it means
//! in JSON Schema terms: each branch requires its mapping key in the property.

use serde_json::{Map, Value};

use super::openapi::Document;
use super::ImportError;

/// Which side of the exchange a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Request,
    Response,
}

/// `(pointer, name, converted)` of each referenced schema.
type Defs = Vec<(String, String, Option<Value>)>;

/// A standalone JSON Schema for `schema`: local `$ref`s become `#/$defs/...`, each
/// referenced schema converted once (so cycles are fine).
pub fn to_json_schema(doc: &Document, schema: &Value, view: View) -> Result<Value, ImportError> {
    let mut defs: Defs = Vec::new();
    let cx = Cx { doc, view };
    let root = cx.convert(schema, &mut defs)?;
    let mut i = 0;
    while i < defs.len() {
        let pointer = defs[i].0.clone();
        let target = doc.pointer(&pointer)?.clone();
        let converted = cx.convert(&target, &mut defs)?;
        defs[i].2 = Some(converted);
        i += 1;
    }
    let mut out = Map::new();
    out.insert(
        "$schema".into(),
        Value::String("https://json-schema.org/draft/2020-12/schema".into()),
    );
    match root {
        Value::Object(m) => out.extend(m),
        Value::Bool(false) => {
            out.insert("not".into(), Value::Object(Map::new()));
        }
        _ => {}
    }
    if !defs.is_empty() {
        let map: Map<String, Value> = defs
            .into_iter()
            .map(|(_, name, v)| (name, v.unwrap_or(Value::Bool(true))))
            .collect();
        out.insert("$defs".into(), Value::Object(map));
    }
    Ok(Value::Object(out))
}

/// Keywords whose value is a schema, a list of schemas, or a map of schemas.
const ONE: &[&str] = &[
    "additionalProperties",
    "items",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
];
const LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
const MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

struct Cx<'a> {
    doc: &'a Document,
    view: View,
}

impl Cx<'_> {
    fn convert(&self, schema: &Value, defs: &mut Defs) -> Result<Value, ImportError> {
        let doc = self.doc;
        let Value::Object(map) = schema else {
            return Ok(schema.clone());
        };
        let mut out = Map::new();
        if let Some(Value::String(r)) = map.get("$ref") {
            let pointer = doc.local_pointer(r)?;
            let name = match defs.iter().find(|(p, _, _)| *p == pointer) {
                Some((_, n, _)) => n.clone(),
                None => {
                    let base: String = pointer
                        .rsplit('/')
                        .next()
                        .unwrap_or("schema")
                        .chars()
                        .map(|c| {
                            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                                c
                            } else {
                                '_'
                            }
                        })
                        .collect();
                    let mut name = base.clone();
                    let mut n = 2;
                    while defs.iter().any(|(_, existing, _)| *existing == name) {
                        name = format!("{base}_{n}");
                        n += 1;
                    }
                    defs.push((pointer, name.clone(), None));
                    name
                }
            };
            out.insert("$ref".into(), Value::String(format!("#/$defs/{name}")));
            if doc.is_v30() {
                // In 3.0 a `$ref`'s siblings are ignored.
                return Ok(Value::Object(out));
            }
        }
        for (k, v) in map {
            if k == "$ref" || k.starts_with("x-") {
                continue;
            }
            if doc.is_v30()
                && matches!(
                    k.as_str(),
                    "nullable" | "example" | "xml" | "discriminator" | "externalDocs"
                )
            {
                continue;
            }
            if k == "example" {
                continue; // 3.1 still allows it; `examples` is JSON Schema's word
            }
            let one = ONE.contains(&k.as_str());
            let converted = if one || LIST.contains(&k.as_str()) {
                match v {
                    // `items: [a, b]` (draft 4 tuples) is a list like `allOf`'s.
                    Value::Array(items) => Value::Array(
                        items
                            .iter()
                            .map(|i| self.convert(i, defs))
                            .collect::<Result<_, _>>()?,
                    ),
                    other if one => self.convert(other, defs)?,
                    other => other.clone(),
                }
            } else if MAP.contains(&k.as_str()) {
                match v {
                    Value::Object(m) => Value::Object(
                        m.iter()
                            .map(|(name, s)| Ok((name.clone(), self.convert(s, defs)?)))
                            .collect::<Result<_, ImportError>>()?,
                    ),
                    other => other.clone(),
                }
            } else {
                v.clone()
            };
            out.insert(k.clone(), converted);
        }
        if doc.is_v30() {
            convert_30_keywords(map, &mut out);
        } else if let Some(example) = map.get("example") {
            out.entry("examples")
                .or_insert_with(|| Value::Array(vec![example.clone()]));
        }
        self.one_side(map, &mut out)?;
        discriminate(map, &mut out);
        Ok(Value::Object(out))
    }

    /// Drops from `required` what the other side alone sends (`readOnly` in a request,
    /// `writeOnly` in a response).
    fn one_side(
        &self,
        original: &Map<String, Value>,
        out: &mut Map<String, Value>,
    ) -> Result<(), ImportError> {
        let (Some(Value::Array(required)), Some(Value::Object(props))) =
            (out.get("required"), original.get("properties"))
        else {
            return Ok(());
        };
        let flag = match self.view {
            View::Request => "readOnly",
            View::Response => "writeOnly",
        };
        let mut kept = Vec::new();
        for r in required {
            let one_sided = match r.as_str().and_then(|name| props.get(name)) {
                Some(p) => self.doc.resolve(p)?.get(flag) == Some(&Value::Bool(true)),
                None => false,
            };
            if !one_sided {
                kept.push(r.clone());
            }
        }
        out.insert("required".into(), Value::Array(kept));
        Ok(())
    }
}

/// `discriminator: {propertyName, mapping}` over a `oneOf`/`anyOf` of `$ref`s: each branch
/// gets `{"properties": {NAME: {"const": KEY}}, "required": [NAME]}` beside it, its key
/// from `mapping` or else the referenced schema's name (OpenAPI's implicit mapping).
fn discriminate(original: &Map<String, Value>, out: &mut Map<String, Value>) {
    let Some(Value::Object(d)) = original.get("discriminator") else {
        return;
    };
    let Some(Value::String(property)) = d.get("propertyName") else {
        return;
    };
    let mapping: Vec<(String, String)> = d
        .get("mapping")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect();
    for key in ["oneOf", "anyOf"] {
        let (Some(Value::Array(originals)), Some(Value::Array(branches))) =
            (original.get(key), out.get_mut(key))
        else {
            continue;
        };
        for (branch, orig) in branches.iter_mut().zip(originals) {
            let Some(Value::String(r)) = orig.get("$ref") else {
                continue;
            };
            let name = r.rsplit('/').next().unwrap_or(r).to_string();
            let mapped = mapping
                .iter()
                .find(|(_, target)| target == r || *target == name)
                .map(|(k, _)| k.clone());
            // Without a mapping entry the key is the schema's name (implicit mapping).
            let value = mapped.unwrap_or(name);
            *branch = serde_json::json!({ "allOf": [
                branch.clone(),
                { "properties": { property.clone(): { "const": value } }, "required": [property] },
            ] });
        }
    }
}

/// OpenAPI 3.0's own keywords in JSON Schema 2020-12 terms.
fn convert_30_keywords(original: &Map<String, Value>, out: &mut Map<String, Value>) {
    // Swagger 2.0: a file upload, and the extension it used for null.
    if original.get("type").and_then(Value::as_str) == Some("file") {
        out.insert("type".into(), Value::String("string".into()));
        out.insert("format".into(), Value::String("binary".into()));
    }
    out.remove("x-nullable");
    if original.get("nullable") == Some(&Value::Bool(true))
        || original.get("x-nullable") == Some(&Value::Bool(true))
    {
        match out.get("type").cloned() {
            Some(Value::String(t)) => {
                out.insert("type".into(), serde_json::json!([t, "null"]));
            }
            Some(_) => {}
            None if out.contains_key("$ref") || out.keys().any(|k| LIST.contains(&k.as_str())) => {
                let inner = std::mem::take(out);
                out.insert(
                    "anyOf".into(),
                    serde_json::json!([Value::Object(inner), { "type": "null" }]),
                );
            }
            None => {}
        }
        if let Some(Value::Array(values)) = out.get_mut("enum") {
            if !values.contains(&Value::Null) {
                values.push(Value::Null);
            }
        }
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match original.get(flag) {
            Some(Value::Bool(true)) => {
                if let Some(b) = out.remove(bound) {
                    out.insert(flag.into(), b);
                } else {
                    out.remove(flag);
                }
            }
            Some(Value::Bool(false)) => {
                out.remove(flag);
            }
            _ => {}
        }
    }
    if let Some(example) = original.get("example") {
        out.insert("examples".into(), Value::Array(vec![example.clone()]));
    }
}

/// The first type a schema names (3.1 allows a list; `null` comes last).
pub fn schema_type(schema: &Map<String, Value>) -> Option<String> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.clone()),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .or_else(|| ts.iter().filter_map(Value::as_str).next())
            .map(str::to_string),
        _ if schema.contains_key("properties") => Some("object".into()),
        _ if schema.contains_key("items") => Some("array".into()),
        _ => None,
    }
}
