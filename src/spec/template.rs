//! `${name}` variables: parsing, load-time reference scanning and run-time rendering.

use serde_json::Value;

/// One `${name}` or `${name:-fallback}` occurrence in a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    pub fallback: Option<String>,
    /// Byte offset of the `$` in the scanned text.
    pub offset: usize,
    /// Byte length of the whole `${...}`.
    pub len: usize,
}

/// The variable name alphabet; anything else ends the name.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'
}

/// Finds every variable reference in `text`, skipping the `$${` escape.
pub fn references(text: &str) -> Vec<VarRef> {
    let bytes = text.as_bytes();
    let mut refs = Vec::new();
    let mut i = 0;
    // Jumps from `$` to `$` (memchr): most text has none, and every spec file is scanned.
    while let Some(next) = text[i..].find('$') {
        i += next;
        if i + 1 >= bytes.len() {
            break;
        }
        if bytes[i + 1] == b'$' && bytes.get(i + 2) == Some(&b'{') {
            i += 3;
            continue;
        }
        if bytes[i + 1] == b'{' {
            if let Some(r) = parse_ref(text, i) {
                i += r.len;
                refs.push(r);
                continue;
            }
        }
        i += 1;
    }
    refs
}

fn parse_ref(text: &str, start: usize) -> Option<VarRef> {
    let body = &text[start + 2..];
    let close = body.find('}')?;
    let inner = &body[..close];
    let (name, fallback) = match inner.find(":-") {
        Some(p) => (&inner[..p], Some(inner[p + 2..].to_string())),
        None => (inner, None),
    };
    if name.is_empty() || !name.chars().all(is_name_char) {
        return None;
    }
    Some(VarRef {
        name: name.to_string(),
        fallback,
        offset: start,
        len: close + 3,
    })
}

/// A variable that has no value when a string is rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("variable `{0}` has no value")]
pub struct Undefined(pub String);

/// Anything that can answer "what is the value of `${name}`".
pub trait Lookup {
    fn lookup(&self, name: &str) -> Option<Value>;
}

impl<F: Fn(&str) -> Option<Value>> Lookup for F {
    fn lookup(&self, name: &str) -> Option<Value> {
        self(name)
    }
}

/// Text of a value as it reads inside a larger string.
pub fn value_to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn resolve(r: &VarRef, vars: &dyn Lookup) -> Result<Value, Undefined> {
    match (vars.lookup(&r.name), &r.fallback) {
        (Some(v), _) => Ok(v),
        (None, Some(f)) => Ok(Value::String(f.clone())),
        (None, None) => Err(Undefined(r.name.clone())),
    }
}

/// Renders a string template; `$${` becomes a literal `${`.
pub fn render_str(text: &str, vars: &dyn Lookup) -> Result<String, Undefined> {
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    let refs = references(text);
    let mut next_ref = refs.iter().peekable();
    while i < bytes.len() {
        if let Some(r) = next_ref.peek() {
            if r.offset == i {
                out.push_str(&text[last..i]);
                out.push_str(&value_to_text(&resolve(r, vars)?));
                i += r.len;
                last = i;
                next_ref.next();
                continue;
            }
        }
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'$') && bytes.get(i + 2) == Some(&b'{') {
            out.push_str(&text[last..i]);
            out.push_str("${");
            i += 3;
            last = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// Renders a string that may stand for a typed value: exactly one `${name}` keeps the
/// variable's type, anything else renders to a string.
pub fn render_scalar(text: &str, vars: &dyn Lookup) -> Result<Value, Undefined> {
    let refs = references(text);
    if refs.len() == 1 && refs[0].offset == 0 && refs[0].len == text.len() {
        return resolve(&refs[0], vars);
    }
    render_str(text, vars).map(Value::String)
}

/// Renders every string (keys too) inside a JSON value.
pub fn render_value(value: &Value, vars: &dyn Lookup) -> Result<Value, Undefined> {
    Ok(match value {
        Value::String(s) => render_scalar(s, vars)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_value(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                out.insert(render_str(k, vars)?, render_value(v, vars)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// Whether rendering could change this value (saves cloning templates that have no vars).
pub fn has_vars(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('$'),
        Value::Array(items) => items.iter().any(has_vars),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('$') || has_vars(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(name: &str) -> Option<Value> {
        match name {
            "n" => Some(json!(3)),
            "s" => Some(json!("abc")),
            _ => None,
        }
    }

    #[test]
    fn renders_strings_fallbacks_and_escapes() {
        assert_eq!(render_str("/x/${s}/${n}", &vars), Ok("/x/abc/3".into()));
        assert_eq!(
            render_str("${nope:-http://h:1}", &vars),
            Ok("http://h:1".into())
        );
        assert_eq!(render_str("$${s} ${s}", &vars), Ok("${s} abc".into()));
        assert_eq!(render_str("${nope}", &vars), Err(Undefined("nope".into())));
    }

    #[test]
    fn whole_string_keeps_type() {
        assert_eq!(render_scalar("${n}", &vars), Ok(json!(3)));
        assert_eq!(render_scalar("${n}x", &vars), Ok(json!("3x")));
        let v = render_value(&json!({"a": ["${n}", "${s}"]}), &vars);
        assert_eq!(v, Ok(json!({"a": [3, "abc"]})));
    }

    #[test]
    fn escape_is_not_a_reference() {
        assert!(references("$${x}").is_empty());
        assert_eq!(references("a ${x:-1} ${y}").len(), 2);
    }
}
