//! `generate:` for an imported PUT with a JSON body: the operation's request schema (its
//! `$ref`s resolved into one file) for bodies nobody wrote, and the JSONPaths the exact
//! read-back leaves out: what the server owns (`readOnly`, and what only the GET's
//! answer has) and what it never shows (`writeOnly`).

use serde_json::{Map, Value};

use super::model::GenerateOut;

/// Valid bodies an imported test sends: enough to reach the edges, few enough for CI.
pub const COUNT: u32 = 10;
/// Invalid bodies, each a `reject` probe.
pub const INVALID: u32 = 5;

/// How deep the walk for marked properties goes (schemas may be recursive).
const MOST_DEPTH: usize = 8;

/// The `generate:` block: the schema's file (relative to the spec) and the counts.
pub fn block(schema_file: &str, invalid: u32) -> GenerateOut {
    GenerateOut {
        schema: schema_file.to_string(),
        count: COUNT,
        invalid: (invalid > 0).then_some(invalid),
    }
}

/// JSONPaths of the properties marked `keyword: true` (`readOnly`, `writeOnly`) in a
/// standalone JSON Schema (local `$ref`s into `#/$defs`), through `allOf`, nested
/// objects and array items (`[*]`). A marked property's children are not listed.
pub fn marked(schema: &Value, keyword: &str) -> Vec<String> {
    let mut out = Vec::new();
    walk(schema, schema, keyword, "$", &mut Vec::new(), &mut out);
    out.sort();
    out.dedup();
    out
}

/// The top-level properties `response` documents and `request` does not: what the
/// server adds (an `id`, a `created_at`), as JSONPaths.
pub fn response_only(request: &Value, response: &Value) -> Vec<String> {
    let sent = properties(request, request, 0);
    let mut out: Vec<String> = properties(response, response, 0)
        .into_iter()
        .filter(|(name, _)| !sent.iter().any(|(s, _)| s == name))
        .map(|(name, _)| child("$", &name))
        .collect();
    out.sort();
    out
}

/// `within`: the `$ref`s being walked, so a recursive schema (a `parent: Thing` of a
/// `Thing`) is listed once, at its first level.
fn walk(
    root: &Value,
    schema: &Value,
    keyword: &str,
    at: &str,
    within: &mut Vec<String>,
    out: &mut Vec<String>,
) {
    if within.len() > MOST_DEPTH {
        return;
    }
    let reference = schema
        .get("$ref")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(r) = &reference {
        if within.contains(r) {
            return;
        }
        within.push(r.clone());
    }
    for (name, prop) in properties(root, schema, 0) {
        let path = child(at, &name);
        if is_marked(root, &prop, keyword, 0) {
            out.push(path);
        } else {
            walk(root, &prop, keyword, &path, within, out);
        }
    }
    if let Some(items) = resolved(root, schema, 0).and_then(|m| m.get("items")) {
        walk(root, items, keyword, &format!("{at}[*]"), within, out);
    }
    if reference.is_some() {
        within.pop();
    }
}

/// `(name, schema)` of each property of an object schema, `allOf` branches included.
fn properties(root: &Value, schema: &Value, hops: usize) -> Vec<(String, Value)> {
    let Some(m) = resolved(root, schema, hops) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Value)> = match m.get("properties") {
        Some(Value::Object(p)) => p.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    };
    if let Some(Value::Array(all)) = m.get("allOf") {
        for branch in all {
            out.extend(properties(root, branch, hops + 1));
        }
    }
    out
}

fn is_marked(root: &Value, schema: &Value, keyword: &str, hops: usize) -> bool {
    let Some(m) = resolved(root, schema, hops) else {
        return false;
    };
    m.get(keyword) == Some(&Value::Bool(true))
        || matches!(m.get("allOf"), Some(Value::Array(all))
            if all.iter().any(|b| is_marked(root, b, keyword, hops + 1)))
}

/// The schema's map with a local `$ref` followed (siblings of the `$ref` kept only when
/// there is no `$ref`: enough for marks and properties).
fn resolved<'a>(root: &'a Value, schema: &'a Value, hops: usize) -> Option<&'a Map<String, Value>> {
    if hops > MOST_DEPTH {
        return None;
    }
    let m = schema.as_object()?;
    match m.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let target = root.pointer(r.strip_prefix('#')?)?;
            resolved(root, target, hops + 1)
        }
        None => Some(m),
    }
}

/// `$.name`, or `$['odd name']` for a name that is not an identifier.
fn child(at: &str, name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{at}.{name}")
    } else {
        format!(
            "{at}['{}']",
            name.replace('\\', "\\\\").replace('\'', "\\'")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn marked_properties_are_found_through_refs_all_of_and_items() {
        let schema = json!({
            "type": "object",
            "properties": {
                "id": { "type": "integer", "readOnly": true },
                "owner": { "$ref": "#/$defs/Owner" },
                "tags": { "type": "array", "items": { "$ref": "#/$defs/Tag" } },
                "odd key": { "readOnly": true }
            },
            "allOf": [{ "properties": { "created": { "allOf": [{ "readOnly": true }] } } }],
            "$defs": {
                "Owner": { "properties": { "id": { "readOnly": true }, "secret": { "writeOnly": true } } },
                "Tag": { "properties": { "slug": { "readOnly": true }, "name": {} } }
            }
        });
        assert_eq!(
            marked(&schema, "readOnly"),
            [
                "$.created",
                "$.id",
                "$.owner.id",
                "$.tags[*].slug",
                "$['odd key']"
            ]
        );
        assert_eq!(marked(&schema, "writeOnly"), ["$.owner.secret"]);
    }

    #[test]
    fn a_recursive_schema_ends() {
        let schema = json!({ "$ref": "#/$defs/Node", "$defs": { "Node": {
            "properties": { "child": { "$ref": "#/$defs/Node" }, "v": { "readOnly": true } } } } });
        assert_eq!(marked(&schema, "readOnly"), ["$.v"]);
    }

    #[test]
    fn what_only_the_answer_has_is_the_servers() {
        let request = json!({ "properties": { "name": {}, "count": {} } });
        let response =
            json!({ "properties": { "name": {}, "count": {}, "id": {}, "created_at": {} } });
        assert_eq!(response_only(&request, &response), ["$.created_at", "$.id"]);
    }
}
