//! Bodies that break a schema, made from a valid one by one change: a wrong type, a
//! missing required property, a value out of range or outside `enum`, a string too
//! long or short, an extra property where `additionalProperties: false`. The caller
//! checks that the result really is invalid (the `jsonschema` crate) and asks again.

use serde_json::{json, Map, Value};

use super::{bounds, types_of, Choices, Generator};

/// One way to break a body, with where and how, for the failure message.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub body: Value,
    /// `a wrong type at $.size (a string where the schema wants integer)`.
    pub what: String,
}

/// Every single change that should break `valid`, in a fixed order.
pub fn mutations(root: &Value, valid: &Value) -> Vec<Mutation> {
    let generator = Generator::new(root);
    let mut out = Vec::new();
    walk(&generator, root, valid, valid, &mut Vec::new(), &mut out, 0);
    out
}

/// One of the mutations, chosen by `seed`, that `is_invalid` confirms.
pub fn pick(
    root: &Value,
    valid: &Value,
    seed: u64,
    is_invalid: impl Fn(&Value) -> bool,
) -> Option<Mutation> {
    let mut all = mutations(root, valid);
    let mut choices = Choices::seeded(seed);
    while !all.is_empty() {
        let m = all.swap_remove(choices.pick(all.len()));
        if is_invalid(&m.body) {
            return Some(m);
        }
    }
    None
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn path_text(path: &[Step]) -> String {
    let mut s = String::from("$");
    for step in path {
        match step {
            Step::Key(k) if k.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                s.push('.');
                s.push_str(k);
            }
            Step::Key(k) => s.push_str(&format!("['{k}']")),
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// `body` with the value at `path` replaced (`None`: removed).
fn replaced(body: &Value, path: &[Step], new: Option<Value>) -> Value {
    let mut out = body.clone();
    let mut at = &mut out;
    for (i, step) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        match (step, at) {
            (Step::Key(k), Value::Object(m)) if last => {
                match &new {
                    Some(v) => {
                        m.insert(k.clone(), v.clone());
                    }
                    None => {
                        m.shift_remove(k);
                    }
                }
                return out;
            }
            (Step::Index(n), Value::Array(a)) if last => {
                match &new {
                    Some(v) if *n < a.len() => a[*n] = v.clone(),
                    _ if *n < a.len() => {
                        a.remove(*n);
                    }
                    _ => {}
                }
                return out;
            }
            (Step::Key(k), Value::Object(m)) => match m.get_mut(k) {
                Some(next) => at = next,
                None => return out,
            },
            (Step::Index(n), Value::Array(a)) => match a.get_mut(*n) {
                Some(next) => at = next,
                None => return out,
            },
            _ => return out,
        }
    }
    new.unwrap_or(Value::Null)
}

fn walk(
    g: &Generator,
    root: &Value,
    body: &Value,
    value: &Value,
    path: &mut Vec<Step>,
    out: &mut Vec<Mutation>,
    depth: usize,
) {
    let Some(schema) = path_schema(g, root, path) else {
        return;
    };
    let m = g.flat(&schema);
    let here = path_text(path);
    for (new, what) in changes(&m, value, &here) {
        out.push(Mutation {
            body: replaced(body, path, new),
            what,
        });
    }
    if depth >= 4 {
        return;
    }
    match value {
        Value::Object(fields) => {
            for (k, v) in fields {
                path.push(Step::Key(k.clone()));
                walk(g, root, body, v, path, out, depth + 1);
                path.pop();
            }
        }
        Value::Array(items) => {
            if let Some(v) = items.first() {
                path.push(Step::Index(0));
                walk(g, root, body, v, path, out, depth + 1);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The schema of the value at `path`, following `properties`, `items` and `prefixItems`.
fn path_schema(g: &Generator, root: &Value, path: &[Step]) -> Option<Value> {
    let mut schema = root.clone();
    for step in path {
        let m = g.flat(&schema);
        schema = match step {
            Step::Key(k) => m
                .get("properties")
                .and_then(|p| p.get(k))
                .or_else(|| m.get("additionalProperties").filter(|a| a.is_object()))
                .cloned()?,
            Step::Index(i) => match (m.get("prefixItems"), m.get("items")) {
                (Some(Value::Array(p)), _) if *i < p.len() => p[*i].clone(),
                (_, Some(items @ Value::Object(_))) => items.clone(),
                _ => return None,
            },
        };
    }
    Some(schema)
}

fn num(text: String) -> Option<Value> {
    serde_json::from_str::<Value>(&text).ok()
}

/// The replacements (`None`: remove) of the value at `here` that break its schema `m`.
fn changes(m: &Map<String, Value>, value: &Value, here: &str) -> Vec<(Option<Value>, String)> {
    let mut out: Vec<(Option<Value>, String)> = Vec::new();
    let types = types_of(m);
    if !types.is_empty() {
        let wrong: [(Value, &str); 4] = [
            (json!("not a number"), "string"),
            (json!(12345), "integer"),
            (json!(true), "boolean"),
            (json!({ "putcheck": "wrong type" }), "object"),
        ];
        let admits = |t: &str| {
            types
                .iter()
                .any(|have| have == t || (t == "integer" && have == "number"))
        };
        if let Some((v, t)) = wrong.into_iter().find(|(_, t)| !admits(t)) {
            out.push((
                Some(v),
                format!(
                    "a wrong type at {here} (a {t} where the schema wants {})",
                    types.join(" or ")
                ),
            ));
        }
    }
    if let Value::Object(fields) = value {
        if let Some(Value::Array(required)) = m.get("required") {
            for r in required.iter().filter_map(Value::as_str) {
                if fields.contains_key(r) {
                    let mut without = fields.clone();
                    without.shift_remove(r);
                    out.push((
                        Some(Value::Object(without)),
                        format!("the required property `{r}` left out of {here}"),
                    ));
                }
            }
        }
        if m.get("additionalProperties") == Some(&Value::Bool(false)) {
            let mut more = fields.clone();
            more.insert("putcheck_extra".into(), json!("not in the schema"));
            out.push((
                Some(Value::Object(more)),
                format!("an extra property `putcheck_extra` in {here}, where additionalProperties is false"),
            ));
        }
    }
    if let Some(Value::Array(allowed)) = m.get("enum") {
        let v = json!("putcheck-not-in-enum");
        if !allowed.contains(&v) {
            out.push((Some(v), format!("a value outside the enum at {here}")));
        }
    }
    if value.is_number() {
        let (lo, hi) = bounds(m);
        let integer = types.iter().any(|t| t == "integer");
        let step = if integer { 1.0 } else { 0.5 };
        if let Some((b, ex)) = hi {
            let v = if ex { b } else { b + step };
            if let Some(v) = num(format_number(v, integer)) {
                out.push((
                    Some(v),
                    format!(
                        "{} at {here}, above the maximum {b}",
                        format_number(if ex { b } else { b + step }, integer)
                    ),
                ));
            }
        }
        if let Some((b, ex)) = lo {
            let v = if ex { b } else { b - step };
            if let Some(v) = num(format_number(v, integer)) {
                out.push((
                    Some(v),
                    format!(
                        "{} at {here}, below the minimum {b}",
                        format_number(if ex { b } else { b - step }, integer)
                    ),
                ));
            }
        }
    }
    if let Value::String(s) = value {
        if let Some(max) = m.get("maxLength").and_then(Value::as_u64) {
            let long: String = s
                .chars()
                .chain(std::iter::repeat('x'))
                .take(max as usize + 1)
                .collect();
            out.push((
                Some(Value::String(long)),
                format!(
                    "a string of {} characters at {here}, longer than maxLength {max}",
                    max + 1
                ),
            ));
        }
        if let Some(min) = m
            .get("minLength")
            .and_then(Value::as_u64)
            .filter(|n| *n > 0)
        {
            let short: String = s.chars().take(min as usize - 1).collect();
            out.push((
                Some(Value::String(short)),
                format!(
                    "a string of {} characters at {here}, shorter than minLength {min}",
                    min - 1
                ),
            ));
        }
    }
    if let Value::Array(items) = value {
        if let Some(min) = m.get("minItems").and_then(Value::as_u64).filter(|n| *n > 0) {
            let fewer: Vec<Value> = items.iter().take(min as usize - 1).cloned().collect();
            out.push((
                Some(Value::Array(fewer)),
                format!("fewer than minItems {min} at {here}"),
            ));
        }
    }
    out
}

fn format_number(v: f64, integer: bool) -> String {
    if integer && v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
