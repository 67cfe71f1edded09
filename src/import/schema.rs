//! OpenAPI Schema Objects, two ways: converted to a standalone JSON Schema (2020-12) for
//! `expect.schema`, and turned into an example value that validates against them (request
//! bodies, parameters). OpenAPI 3.1 schemas are already JSON Schema 2020-12; 3.0's
//! dialect differs (`nullable`, boolean `exclusiveMinimum`, `example`) and is converted.

use serde_json::{Map, Value};

use super::openapi::Document;
use super::ImportError;

/// Nesting deeper than this stops adding optional properties (cyclic schemas).
const MAX_DEPTH: usize = 8;

/// A standalone JSON Schema for `schema`: local `$ref`s become `#/$defs/...`, each
/// referenced schema converted once (so cycles are fine).
pub fn to_json_schema(doc: &Document, schema: &Value) -> Result<Value, ImportError> {
    let mut defs: Vec<(String, String, Option<Value>)> = Vec::new(); // (pointer, name, converted)
    let root = convert(doc, schema, &mut defs)?;
    let mut i = 0;
    while i < defs.len() {
        let pointer = defs[i].0.clone();
        let target = doc.pointer(&pointer)?.clone();
        let converted = convert(doc, &target, &mut defs)?;
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

fn convert(
    doc: &Document,
    schema: &Value,
    defs: &mut Vec<(String, String, Option<Value>)>,
) -> Result<Value, ImportError> {
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
        let one = ONE.contains(&k.as_str());
        let converted = if one || LIST.contains(&k.as_str()) {
            match v {
                // `items: [a, b]` (draft 4 tuples) is a list like `allOf`'s.
                Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|i| convert(doc, i, defs))
                        .collect::<Result<_, _>>()?,
                ),
                other if one => convert(doc, other, defs)?,
                other => other.clone(),
            }
        } else if MAP.contains(&k.as_str()) {
            match v {
                Value::Object(m) => Value::Object(
                    m.iter()
                        .map(|(name, s)| Ok((name.clone(), convert(doc, s, defs)?)))
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
    }
    Ok(Value::Object(out))
}

/// OpenAPI 3.0's own keywords in JSON Schema 2020-12 terms.
fn convert_30_keywords(original: &Map<String, Value>, out: &mut Map<String, Value>) {
    if original.get("nullable") == Some(&Value::Bool(true)) {
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

/// An example value that validates against `schema`: the schema's own example, default,
/// const or first enum value (coerced to its type), else one assembled from its type,
/// format and properties. In requests, `readOnly` properties are left out.
pub fn example(doc: &Document, schema: &Value) -> Result<Value, ImportError> {
    example_at(doc, schema, 0, &mut Vec::new())
}

/// `expanding`: the `$ref`s being expanded on the way here, so that an optional property
/// that refers back to one of them (a `parent: Thing` in `Thing`) is left out.
fn example_at(
    doc: &Document,
    schema: &Value,
    depth: usize,
    expanding: &mut Vec<String>,
) -> Result<Value, ImportError> {
    if let Some(Value::String(r)) = schema.get("$ref") {
        expanding.push(r.clone());
        let value = example_at(doc, doc.resolve(schema)?, depth, expanding);
        expanding.pop();
        return value;
    }
    let schema = doc.resolve(schema)?;
    let Value::Object(map) = schema else {
        return Ok(Value::String("string".into()));
    };
    let ty = schema_type(map);
    if let Some(v) = known_value(map) {
        return Ok(coerce(v, ty.as_deref()));
    }
    if let Some(Value::Array(all)) = map.get("allOf") {
        let mut merged = Map::new();
        let mut other = None;
        for sub in all {
            match example_at(doc, sub, depth + 1, expanding)? {
                Value::Object(m) => merged.extend(m),
                v => other = Some(v),
            }
        }
        if let Value::Object(own) = object_example(doc, map, depth, expanding)? {
            merged.extend(own);
        }
        return Ok(match other {
            Some(v) if merged.is_empty() => v,
            _ => Value::Object(merged),
        });
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(choices)) = map.get(key) {
            if let Some(first) = choices.first() {
                return example_at(doc, first, depth + 1, expanding);
            }
        }
    }
    Ok(match ty.as_deref() {
        Some("object") => object_example(doc, map, depth, expanding)?,
        Some("array") => {
            let item = match map.get("items") {
                Some(items) if depth < MAX_DEPTH => example_at(doc, items, depth + 1, expanding)?,
                _ => return Ok(Value::Array(Vec::new())),
            };
            let count = map
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1);
            Value::Array(vec![item; count.min(16) as usize])
        }
        Some("integer") => Value::from(number_in_range(map, 1.0).round() as i64),
        Some("number") => serde_json::Number::from_f64(number_in_range(map, 1.5))
            .map(Value::Number)
            .unwrap_or(Value::from(1)),
        Some("boolean") => Value::Bool(true),
        Some("null") => Value::Null,
        _ => string_example(map),
    })
}

/// A value the document itself gives: `example`, `examples[0]`, `default`, `const`, the
/// first `enum` value.
fn known_value(map: &Map<String, Value>) -> Option<&Value> {
    map.get("example")
        .or_else(|| match map.get("examples") {
            Some(Value::Array(list)) => list.first(),
            _ => None,
        })
        .or_else(|| map.get("default"))
        .or_else(|| map.get("const"))
        .or_else(|| match map.get("enum") {
            Some(Value::Array(list)) => list.iter().find(|v| !v.is_null()),
            _ => None,
        })
}

/// Whether a property carries anything worth sending when it is optional.
fn informative(doc: &Document, schema: &Value, depth: usize) -> bool {
    let Ok(Value::Object(map)) = doc.resolve(schema) else {
        return false;
    };
    if known_value(map).is_some() {
        return true;
    }
    if depth >= MAX_DEPTH {
        return false;
    }
    match map.get("properties") {
        Some(Value::Object(props)) => props.values().any(|p| informative(doc, p, depth + 1)),
        _ => false,
    }
}

fn object_example(
    doc: &Document,
    map: &Map<String, Value>,
    depth: usize,
    expanding: &mut Vec<String>,
) -> Result<Value, ImportError> {
    let required: Vec<&str> = match map.get("required") {
        Some(Value::Array(r)) => r.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut out = Map::new();
    if let Some(Value::Object(props)) = map.get("properties") {
        for (name, prop) in props {
            let is_required = required.contains(&name.as_str());
            let read_only = matches!(doc.resolve(prop), Ok(Value::Object(p)) if p.get("readOnly") == Some(&Value::Bool(true)));
            let cycle = matches!(prop.get("$ref"), Some(Value::String(r)) if expanding.contains(r));
            if is_required
                || (!read_only && !cycle && depth < MAX_DEPTH && informative(doc, prop, depth + 1))
            {
                out.insert(name.clone(), example_at(doc, prop, depth + 1, expanding)?);
            }
        }
    }
    Ok(Value::Object(out))
}

fn number_in_range(map: &Map<String, Value>, preferred: f64) -> f64 {
    let min = map.get("minimum").and_then(Value::as_f64).or_else(|| {
        map.get("exclusiveMinimum")
            .and_then(Value::as_f64)
            .map(|m| m + 1.0)
    });
    let max = map.get("maximum").and_then(Value::as_f64).or_else(|| {
        map.get("exclusiveMaximum")
            .and_then(Value::as_f64)
            .map(|m| m - 1.0)
    });
    match (min, max) {
        (Some(lo), _) if preferred < lo => lo,
        (_, Some(hi)) if preferred > hi => hi,
        _ => preferred,
    }
}

fn string_example(map: &Map<String, Value>) -> Value {
    let format = map.get("format").and_then(Value::as_str).unwrap_or("");
    let mut s = match format {
        "date-time" => "2024-01-01T00:00:00Z",
        "date" => "2024-01-01",
        "time" => "12:00:00Z",
        "email" => "user@example.com",
        "uuid" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "uri" | "url" | "iri" => "https://example.com/",
        "uri-reference" | "iri-reference" => "/example",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "byte" => "cHV0Y2hlY2s=",
        "password" => "password",
        "duration" => "PT1M",
        _ => "string",
    }
    .to_string();
    if let Some(min) = map.get("minLength").and_then(Value::as_u64) {
        while (s.chars().count() as u64) < min {
            s.push('x');
        }
    }
    if let Some(max) = map.get("maxLength").and_then(Value::as_u64) {
        s = s.chars().take(max as usize).collect();
    }
    Value::String(s)
}

/// A documented example in the declared type (`"12345"` for an integer → `12345`).
pub fn coerce(v: &Value, ty: Option<&str>) -> Value {
    match (ty, v) {
        (Some("integer"), Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| v.clone()),
        (Some("integer"), Value::Number(n)) if n.as_i64().is_none() && n.as_u64().is_none() => n
            .as_f64()
            .map(|f| Value::from(f.round() as i64))
            .unwrap_or_else(|| v.clone()),
        (Some("number"), Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| v.clone()),
        (Some("string"), Value::Number(n)) => Value::String(n.to_string()),
        (Some("string"), Value::Bool(b)) => Value::String(b.to_string()),
        (Some("boolean"), Value::String(s)) => match s.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => v.clone(),
        },
        _ => v.clone(),
    }
}

/// A value of the wrong type for a schema type (for the `reject` probe).
pub fn wrong_type(ty: &str) -> Value {
    match ty {
        "string" => Value::from(12345),
        "integer" | "number" => Value::String("not a number".into()),
        "boolean" => Value::String("not a boolean".into()),
        "array" => Value::String("not an array".into()),
        _ => Value::String("not an object".into()),
    }
}
