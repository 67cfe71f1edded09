//! Smaller neighbours of a failing body, for shrinking: the caller keeps the first one
//! that is still valid and still fails, and asks again, until none does (the idea of
//! QuickCheck's and proptest's shrinking, on JSON values). Bigger cuts come first.

use serde_json::{Map, Value};

/// Every one-step simplification of `v`: a property removed, an item removed, an array
/// emptied, a string cut, a number made small, at any depth.
pub fn candidates(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    match v {
        Value::Object(fields) => {
            if fields.len() > 1 {
                out.push(Value::Object(Map::new()));
            }
            for k in fields.keys() {
                let mut fewer = fields.clone();
                fewer.shift_remove(k);
                out.push(Value::Object(fewer));
            }
            for (k, child) in fields {
                for smaller in candidates(child) {
                    let mut m = fields.clone();
                    m.insert(k.clone(), smaller);
                    out.push(Value::Object(m));
                }
            }
        }
        Value::Array(items) => {
            if !items.is_empty() {
                out.push(Value::Array(Vec::new()));
            }
            if items.len() > 2 {
                out.push(Value::Array(items[..items.len() / 2].to_vec()));
            }
            for i in 0..items.len() {
                let mut fewer = items.clone();
                fewer.remove(i);
                out.push(Value::Array(fewer));
            }
            for (i, child) in items.iter().enumerate() {
                for smaller in candidates(child) {
                    let mut a = items.clone();
                    a[i] = smaller;
                    out.push(Value::Array(a));
                }
            }
        }
        Value::String(s) => {
            let n = s.chars().count();
            for keep in [0, n / 2, n * 3 / 4, n.saturating_sub(1)] {
                if keep < n {
                    out.push(Value::String(s.chars().take(keep).collect()));
                }
            }
            let ascii: String = s
                .chars()
                .map(|c| if c.is_ascii() { c } else { 'a' })
                .collect();
            if ascii != *s {
                out.push(Value::String(ascii));
            }
        }
        Value::Number(n) => {
            let text = n.to_string();
            for small in ["0", "1"] {
                if text != small {
                    out.extend(serde_json::from_str::<Value>(small));
                }
            }
            // Fewer digits: a number that fails only when long stays long.
            let digits = text.trim_start_matches('-');
            if digits.len() > 2 && !text.contains(['e', 'E']) {
                out.extend(serde_json::from_str::<Value>(&text[..text.len() - 1]));
            }
        }
        Value::Bool(true) => out.push(Value::Bool(false)),
        Value::Bool(false) | Value::Null => {}
    }
    out.dedup();
    out
}

/// The size a shrunk body is measured by: its compact JSON text in bytes.
pub fn size(v: &Value) -> usize {
    v.to_string().len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Shrinks by the rule "fails while it has a key `n` above 9999 and a string
    /// longer than 3": the greedy loop the runner uses, over values only.
    #[test]
    fn shrinks_to_what_matters() {
        let fails = |v: &Value| {
            v["n"].as_u64().is_some_and(|n| n > 9999)
                && v["s"].as_str().is_some_and(|s| s.chars().count() > 3)
        };
        let mut v = json!({ "n": 123456789, "s": "a long string 😀", "tags": ["a", "b", "c"],
                            "nested": { "x": [1, 2, 3], "y": "why" } });
        assert!(fails(&v));
        'outer: loop {
            for c in candidates(&v) {
                if fails(&c) {
                    v = c;
                    continue 'outer;
                }
            }
            break;
        }
        assert_eq!(v["n"], json!(12345));
        assert_eq!(v["s"].as_str().unwrap().chars().count(), 4);
        assert_eq!(v.as_object().unwrap().len(), 2);
        assert!(size(&v) <= 22, "{v}");
    }
}
