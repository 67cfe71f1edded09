//! Matchers as written in `expect` (`{ type: integer, gte: 1 }`) → `Matcher`, with the
//! mistakes people make (a misspelt matcher name, a bad regex) caught at load time.

use regex::Regex;
use serde_json::Value;

use super::error::did_you_mean;
use super::template;
use super::{JsonType, Matcher, Pattern, Predicate};

/// The names that make a map a matcher rather than a value to compare.
pub const MATCHER_NAMES: &[&str] = &[
    "eq", "ne", "matches", "contains", "type", "exists", "length", "gt", "gte", "lt", "lte",
    "one_of", "all",
];

pub(super) struct MatcherError {
    pub message: String,
    pub help: Option<String>,
}

fn merr(message: impl Into<String>) -> MatcherError {
    MatcherError {
        message: message.into(),
        help: None,
    }
}

pub(super) fn build_matcher(v: &Value) -> Result<Matcher, MatcherError> {
    let Value::Object(m) = v else {
        return Ok(Matcher::Equals(v.clone()));
    };
    let named = m
        .keys()
        .filter(|k| MATCHER_NAMES.contains(&k.as_str()))
        .count();
    if m.is_empty() || named == 0 {
        return Ok(Matcher::Equals(v.clone()));
    }
    if named != m.len() {
        let odd = m
            .keys()
            .find(|k| !MATCHER_NAMES.contains(&k.as_str()))
            .cloned()
            .unwrap_or_default();
        return Err(MatcherError {
            message: format!(
                "`{odd}` is not a matcher, but this map also has matcher keys; matchers are: {}",
                MATCHER_NAMES.join(", ")
            ),
            help: Some(match did_you_mean(&odd, MATCHER_NAMES) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "to compare with an object that has such keys, use `{ eq: {...} }`".into(),
            }),
        });
    }
    let mut preds = Vec::new();
    for (k, val) in m {
        let number = |name: &str| -> Result<Value, MatcherError> {
            match val {
                Value::Number(_) => Ok(val.clone()),
                Value::String(s) if s.contains("${") => Ok(val.clone()),
                _ => Err(merr(format!("`{name}` compares numbers; give it a number"))),
            }
        };
        preds.push(match k.as_str() {
            "eq" => Predicate::Eq(val.clone()),
            "ne" => Predicate::Ne(val.clone()),
            "matches" => {
                let Some(src) = val.as_str() else {
                    return Err(merr("`matches` takes a regular expression as a string"));
                };
                let regex = if src.contains("${") {
                    None
                } else {
                    Some(Regex::new(src).map_err(|e| {
                        merr(format!(
                            "invalid regex `{src}`: {}",
                            last_line(&e.to_string())
                        ))
                    })?)
                };
                Predicate::Matches(Pattern {
                    source: src.to_string(),
                    regex,
                })
            }
            "contains" => Predicate::Contains(val.clone()),
            "type" => {
                let t = match val {
                    Value::Null => Some(JsonType::Null),
                    Value::String(s) => JsonType::NAMES
                        .iter()
                        .position(|n| n == s)
                        .map(|i| TYPES[i]),
                    _ => None,
                };
                match t {
                    Some(t) => Predicate::Type(t),
                    None => {
                        let given = val.as_str().unwrap_or_default();
                        return Err(MatcherError {
                            message: format!(
                                "unknown type `{}`; types are: {}",
                                template::value_to_text(val),
                                JsonType::NAMES.join(", ")
                            ),
                            help: did_you_mean(given, JsonType::NAMES)
                                .map(|s| format!("did you mean `{s}`?")),
                        });
                    }
                }
            }
            "exists" => match val {
                Value::Bool(b) => Predicate::Exists(*b),
                _ => return Err(merr("`exists` takes true or false")),
            },
            "length" => match val {
                Value::Number(n) if n.as_u64().is_some() => {
                    Predicate::Length(Box::new(Matcher::Equals(val.clone())))
                }
                Value::Object(_) => Predicate::Length(Box::new(build_matcher(val)?)),
                Value::String(s) if s.contains("${") => {
                    Predicate::Length(Box::new(Matcher::Equals(val.clone())))
                }
                _ => {
                    return Err(merr(
                        "`length` takes a whole number or a matcher such as `{ gte: 1 }`",
                    ))
                }
            },
            "gt" => Predicate::Gt(number("gt")?),
            "gte" => Predicate::Gte(number("gte")?),
            "lt" => Predicate::Lt(number("lt")?),
            "lte" => Predicate::Lte(number("lte")?),
            "one_of" => match val {
                Value::Array(items) => Predicate::OneOf(items.clone()),
                _ => return Err(merr("`one_of` takes a list of values")),
            },
            "all" => Predicate::Every(Box::new(build_matcher(val)?)),
            _ => unreachable!("filtered to MATCHER_NAMES above"),
        });
    }
    Ok(Matcher::All(preds))
}

const TYPES: [JsonType; 7] = [
    JsonType::String,
    JsonType::Number,
    JsonType::Integer,
    JsonType::Boolean,
    JsonType::Array,
    JsonType::Object,
    JsonType::Null,
];

fn last_line(s: &str) -> String {
    let line = s
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}
