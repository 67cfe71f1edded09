//! Evaluating matchers against JSON values, and describing values with their types.

use regex::Regex;
use serde_json::Value;

use crate::spec::template::{self, Lookup, Undefined};
use crate::spec::{JsonType, Matcher, Pattern, Predicate};

/// Why a value did not match: what was expected and what was there, both printable.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub expected: String,
    pub actual: String,
}

/// A value and its JSON type, for failure output: `3 (integer)`, `"3" (string)`.
pub fn describe(v: &Value) -> String {
    let text = compact(v, 200);
    format!("{text} ({})", JsonType::of(v).name())
}

/// One-line JSON, cut to `limit` characters.
pub fn compact(v: &Value, limit: usize) -> String {
    let s = v.to_string();
    if s.chars().count() > limit {
        let cut: String = s.chars().take(limit).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn describe_opt(v: Option<&Value>) -> String {
    v.map(describe)
        .unwrap_or_else(|| "nothing (no node matched)".into())
}

/// Deep equality where numbers compare by value (`1` equals `1.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            super::number::compare(&x.to_string(), &y.to_string())
                == Some(std::cmp::Ordering::Equal)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// `container` holds `part`: every key of an object `part` with an equal (or, for
/// objects, contained) value.
pub fn contains_subset(container: &Value, part: &Value) -> bool {
    match (container, part) {
        (Value::Object(c), Value::Object(p)) => p
            .iter()
            .all(|(k, v)| c.get(k).is_some_and(|cv| contains_subset(cv, v))),
        _ => json_eq(container, part),
    }
}

/// Renders variables inside a matcher; the result has compiled regexes.
pub fn render(m: &Matcher, vars: &dyn Lookup) -> Result<Matcher, Undefined> {
    Ok(match m {
        Matcher::Equals(v) => Matcher::Equals(render_value(v, vars)?),
        Matcher::All(preds) => Matcher::All(
            preds
                .iter()
                .map(|p| render_pred(p, vars))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn render_value(v: &Value, vars: &dyn Lookup) -> Result<Value, Undefined> {
    if template::has_vars(v) {
        template::render_value(v, vars)
    } else {
        Ok(v.clone())
    }
}

fn render_pred(p: &Predicate, vars: &dyn Lookup) -> Result<Predicate, Undefined> {
    let r = |v: &Value| render_value(v, vars);
    Ok(match p {
        Predicate::Eq(v) => Predicate::Eq(r(v)?),
        Predicate::Ne(v) => Predicate::Ne(r(v)?),
        Predicate::Matches(pat) if pat.regex.is_none() => {
            let source = template::render_str(&pat.source, vars)?;
            let regex = Regex::new(&source).ok();
            Predicate::Matches(Pattern { source, regex })
        }
        Predicate::Contains(v) => Predicate::Contains(r(v)?),
        Predicate::Length(m) => Predicate::Length(Box::new(render(m, vars)?)),
        Predicate::Gt(v) => Predicate::Gt(r(v)?),
        Predicate::Gte(v) => Predicate::Gte(r(v)?),
        Predicate::Lt(v) => Predicate::Lt(r(v)?),
        Predicate::Lte(v) => Predicate::Lte(r(v)?),
        Predicate::OneOf(vs) => Predicate::OneOf(vs.iter().map(r).collect::<Result<_, _>>()?),
        Predicate::Every(m) => Predicate::Every(Box::new(render(m, vars)?)),
        other => other.clone(),
    })
}

/// Checks `actual` (`None`: the path matched no node) against a matcher.
pub fn eval(m: &Matcher, actual: Option<&Value>) -> Result<(), Mismatch> {
    match m {
        Matcher::Equals(expected) => match actual {
            Some(a) if json_eq(a, expected) => Ok(()),
            _ => Err(Mismatch {
                expected: describe(expected),
                actual: describe_opt(actual),
            }),
        },
        Matcher::All(preds) => {
            for p in preds {
                eval_pred(p, actual)?;
            }
            Ok(())
        }
    }
}

/// A number's exact text (a variable may have rendered it as a string).
fn number(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.trim().to_string()),
        _ => None,
    }
}

fn eval_pred(p: &Predicate, actual: Option<&Value>) -> Result<(), Mismatch> {
    let fail = |expected: String| {
        Err(Mismatch {
            expected,
            actual: describe_opt(actual),
        })
    };
    if let Predicate::Exists(want) = p {
        return if actual.is_some() == *want {
            Ok(())
        } else if *want {
            fail("a value (exists: true)".into())
        } else {
            fail("no value (exists: false)".into())
        };
    }
    let Some(a) = actual else {
        return fail(expected_text(p));
    };
    let ok = match p {
        Predicate::Eq(v) => json_eq(a, v),
        Predicate::Ne(v) => !json_eq(a, v),
        Predicate::Matches(pat) => match (&pat.regex, a) {
            (Some(re), Value::String(s)) => re.is_match(s),
            _ => false,
        },
        Predicate::Contains(v) => match (a, v) {
            (Value::String(s), Value::String(sub)) => s.contains(sub.as_str()),
            (Value::Array(items), Value::Object(_)) => items.iter().any(|i| contains_subset(i, v)),
            (Value::Array(items), _) => items.iter().any(|i| json_eq(i, v)),
            (Value::Object(_), Value::Object(_)) => contains_subset(a, v),
            _ => false,
        },
        Predicate::Type(t) => t.admits(a),
        Predicate::Exists(_) => true,
        Predicate::Length(m) => {
            let len = match a {
                Value::String(s) => Some(s.chars().count()),
                Value::Array(x) => Some(x.len()),
                Value::Object(x) => Some(x.len()),
                _ => None,
            };
            match len {
                Some(n) => {
                    return eval(m, Some(&Value::from(n))).map_err(|mm| Mismatch {
                        expected: format!("length {}", mm.expected.trim_end_matches(" (integer)")),
                        actual: format!("length {n}: {}", describe(a)),
                    })
                }
                None => false,
            }
        }
        Predicate::Gt(v) | Predicate::Gte(v) | Predicate::Lt(v) | Predicate::Lte(v) => {
            let order = match (number(a).filter(|_| a.is_number()), number(v)) {
                (Some(x), Some(y)) => super::number::compare(&x, &y),
                _ => None,
            };
            match order {
                Some(o) => match p {
                    Predicate::Gt(_) => o.is_gt(),
                    Predicate::Gte(_) => o.is_ge(),
                    Predicate::Lt(_) => o.is_lt(),
                    _ => o.is_le(),
                },
                _ => false,
            }
        }
        Predicate::OneOf(vs) => vs.iter().any(|v| json_eq(a, v)),
        Predicate::Every(m) => {
            let items: Vec<&Value> = match a {
                Value::Array(items) => items.iter().collect(),
                single => vec![single],
            };
            for (i, item) in items.iter().enumerate() {
                if let Err(mm) = eval(m, Some(item)) {
                    return Err(Mismatch {
                        expected: format!("every node: {}", mm.expected),
                        actual: format!("node {i}: {}", mm.actual),
                    });
                }
            }
            true
        }
    };
    if ok {
        Ok(())
    } else {
        fail(expected_text(p))
    }
}

fn expected_text(p: &Predicate) -> String {
    match p {
        Predicate::Eq(v) => describe(v),
        Predicate::Ne(v) => format!("anything but {}", describe(v)),
        Predicate::Matches(pat) => match pat.regex {
            Some(_) => format!("a string matching /{}/", pat.source),
            None => format!("a string matching /{}/ (invalid regex)", pat.source),
        },
        Predicate::Contains(v) => format!("something containing {}", compact(v, 200)),
        Predicate::Type(t) => format!("type {}", t.name()),
        Predicate::Exists(true) => "a value (exists: true)".into(),
        Predicate::Exists(false) => "no value (exists: false)".into(),
        Predicate::Length(m) => match m.as_ref() {
            Matcher::Equals(v) => format!("length {v}"),
            other => format!("length matching {other:?}"),
        },
        Predicate::Gt(v) => format!("a number > {v}"),
        Predicate::Gte(v) => format!("a number >= {v}"),
        Predicate::Lt(v) => format!("a number < {v}"),
        Predicate::Lte(v) => format!("a number <= {v}"),
        Predicate::OneOf(vs) => format!("one of {}", compact(&Value::Array(vs.clone()), 200)),
        Predicate::Every(_) => "every node to match".into(),
    }
}

/// Whether a matcher compares numbers, so that a header's text should be read as one.
pub fn wants_number(m: &Matcher) -> bool {
    match m {
        Matcher::Equals(v) => v.is_number(),
        Matcher::All(preds) => preds.iter().any(|p| {
            matches!(
                p,
                Predicate::Gt(_) | Predicate::Gte(_) | Predicate::Lt(_) | Predicate::Lte(_)
            ) || matches!(p, Predicate::Eq(v) | Predicate::Ne(v) if v.is_number())
                || matches!(p, Predicate::OneOf(vs) if vs.iter().any(Value::is_number))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_eq(&json!(1), &json!(1.0)));
        assert!(json_eq(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!json_eq(&json!(1), &json!("1")));
    }

    #[test]
    fn subset_containment() {
        assert!(contains_subset(
            &json!({"a": 1, "b": {"c": 2, "d": 3}}),
            &json!({"b": {"c": 2}})
        ));
        assert!(!contains_subset(&json!({"a": 1}), &json!({"a": 2})));
    }
}
