//! Matchers as written in `expect` (`{ type: integer, gte: 1 }`) → `Matcher`, with the
//! mistakes people make (a misspelt matcher name, a bad regex) caught at load time.
//!
//! The rule for telling a matcher from an object literal:
//! - a map whose keys are all matcher names is a matcher;
//! - a map that mixes matcher names with other keys is an error;
//! - a map with no matcher name is an object literal, unless one of its keys looks like
//!   a misspelt matcher name ([`looks_like_matcher`]): then it is an error with a
//!   suggestion; `{ eq: {...} }` compares any object literally.

use regex::Regex;

use super::convert::Loader;
use super::error::did_you_mean;
use super::error_kind::ErrorKind;
use super::yaml::{Kind, Node};
use super::{JsonType, Matcher, Pattern, Predicate};

/// The names that make a map a matcher rather than a value to compare.
pub const MATCHER_NAMES: &[&str] = &[
    "eq", "ne", "matches", "contains", "type", "exists", "length", "gt", "gte", "lt", "lte",
    "one_of", "all",
];

/// A key that is probably a misspelt matcher name: one edit (insertion, deletion,
/// substitution or swap of neighbours) from one, or two edits when both are at least
/// five characters long; for the two-letter names (`eq`, `ne`, `gt`, `lt`), only the
/// name with a character added at the end (`lts`). Keys shorter than three characters
/// never count, so literals such as `{ id: 1 }`, `{ at: 2 }` or `{ one: 1 }` stay literals.
pub fn looks_like_matcher(key: &str) -> Option<&'static str> {
    let key_lower = key.to_lowercase();
    if key.chars().count() < 3 || MATCHER_NAMES.contains(&key) {
        return None;
    }
    MATCHER_NAMES
        .iter()
        .map(|m| (strsim::damerau_levenshtein(&key_lower, m), *m))
        .filter(|(d, m)| match m.len() {
            // `eq`, `ne`, `gt`, `lt`: only the name with one character more (`lts`), so
            // that words such as `one` stay literal keys.
            2 => *d == 1 && key_lower.starts_with(m),
            _ => *d == 1 || (*d == 2 && m.len() >= 5 && key.chars().count() >= 5),
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, m)| m)
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

impl Loader<'_> {
    /// The matcher a node stands for; every mistake in it is reported.
    pub(super) fn matcher(&mut self, node: &Node) -> Option<Matcher> {
        let Kind::Map(entries) = &node.kind else {
            return Some(Matcher::Equals(node.to_value()));
        };
        let named = entries
            .iter()
            .filter(|(k, _)| MATCHER_NAMES.contains(&k.name.as_str()))
            .count();
        if entries.is_empty() {
            return Some(Matcher::Equals(node.to_value()));
        }
        if named == 0 {
            let mut literal = true;
            for (k, _) in entries {
                if let Some(matcher) = looks_like_matcher(&k.name) {
                    literal = false;
                    let kind = ErrorKind::MisspeltMatcher {
                        key: k.name.clone(),
                        matcher,
                    };
                    self.report(k.span(), kind);
                }
            }
            return literal.then(|| Matcher::Equals(node.to_value()));
        }
        let mut ok = true;
        if named != entries.len() {
            for (k, _) in entries {
                if MATCHER_NAMES.contains(&k.name.as_str()) {
                    continue;
                }
                ok = false;
                let kind = ErrorKind::NotAMatcher {
                    key: k.name.clone(),
                    suggestion: did_you_mean(&k.name, MATCHER_NAMES),
                    matchers: MATCHER_NAMES,
                };
                self.report(k.span(), kind);
            }
        }
        let mut preds = Vec::new();
        for (k, val) in entries {
            if !MATCHER_NAMES.contains(&k.name.as_str()) {
                continue;
            }
            match self.predicate(&k.name, val) {
                Some(p) => preds.push(p),
                None => ok = false,
            }
        }
        ok.then_some(Matcher::All(preds))
    }

    fn predicate(&mut self, name: &str, val: &Node) -> Option<Predicate> {
        let value = val.to_value();
        // A matcher's argument of the wrong shape: `expected X for \`gte\`, found Y`.
        let wrong = |ctx: &mut Self, expected: &str| {
            let kind = ErrorKind::WrongShape {
                expected: expected.to_string(),
                found: val.found(),
                key: Some(name.to_string()),
            };
            ctx.report(val.span(), kind);
        };
        let number = |ctx: &mut Self| -> Option<serde_json::Value> {
            match &val.kind {
                Kind::Number(_) => Some(value.clone()),
                Kind::Str(s) if s.contains("${") => Some(value.clone()),
                _ => {
                    wrong(ctx, "a number");
                    None
                }
            }
        };
        Some(match name {
            "eq" => Predicate::Eq(value),
            "ne" => Predicate::Ne(value),
            "matches" => {
                let Some(src) = val.as_str() else {
                    wrong(self, "a regular expression (a string)");
                    return None;
                };
                let regex = if src.contains("${") {
                    None
                } else {
                    match Regex::new(src) {
                        Ok(r) => Some(r),
                        Err(e) => {
                            let kind = ErrorKind::InvalidRegex {
                                pattern: src.to_string(),
                                reason: regex_reason(&e),
                            };
                            self.report(val.span(), kind);
                            return None;
                        }
                    }
                };
                Predicate::Matches(Pattern {
                    source: src.to_string(),
                    regex,
                })
            }
            "contains" => Predicate::Contains(value),
            "type" => {
                let t = match &val.kind {
                    Kind::Null => Some(JsonType::Null),
                    Kind::Str(s) => JsonType::NAMES
                        .iter()
                        .position(|n| n == s)
                        .map(|i| TYPES[i]),
                    _ => None,
                };
                match t {
                    Some(t) => Predicate::Type(t),
                    None => {
                        let given = val.as_str().unwrap_or_default();
                        let kind = ErrorKind::UnknownType {
                            given: val.scalar_text().unwrap_or_else(|| val.found()),
                            types: JsonType::NAMES,
                            suggestion: did_you_mean(given, JsonType::NAMES),
                        };
                        self.report(val.span(), kind);
                        return None;
                    }
                }
            }
            "exists" => match val.kind {
                Kind::Bool(b) => Predicate::Exists(b),
                _ => {
                    wrong(self, "`true` or `false`");
                    return None;
                }
            },
            "length" => match &val.kind {
                Kind::Number(n) if n.json.parse::<u64>().is_ok() => {
                    Predicate::Length(Box::new(Matcher::Equals(value)))
                }
                Kind::Map(_) => Predicate::Length(Box::new(self.matcher(val)?)),
                Kind::Str(s) if s.contains("${") => {
                    Predicate::Length(Box::new(Matcher::Equals(value)))
                }
                _ => {
                    wrong(self, "a whole number or a matcher such as `{ gte: 1 }`");
                    return None;
                }
            },
            "gt" => Predicate::Gt(number(self)?),
            "gte" => Predicate::Gte(number(self)?),
            "lt" => Predicate::Lt(number(self)?),
            "lte" => Predicate::Lte(number(self)?),
            "one_of" => match value {
                serde_json::Value::Array(items) => Predicate::OneOf(items),
                _ => {
                    wrong(self, "a list of values");
                    return None;
                }
            },
            "all" => Predicate::Every(Box::new(self.matcher(val)?)),
            _ => return None,
        })
    }
}

/// What is wrong with a pattern, in one line: the regex crate's own words, without its
/// copy of the pattern and the caret it draws under it (the snippet shows where).
fn regex_reason(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(text) => {
            let line = text
                .lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty())
                .unwrap_or_default();
            line.strip_prefix("error: ").unwrap_or(line).to_string()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_matcher;

    #[test]
    fn typo_rule() {
        assert_eq!(looks_like_matcher("exits"), Some("exists"));
        assert_eq!(looks_like_matcher("lenght"), Some("length"));
        assert_eq!(looks_like_matcher("mathces"), Some("matches"));
        assert_eq!(looks_like_matcher("one-of"), Some("one_of"));
        assert_eq!(looks_like_matcher("contain"), Some("contains"));
        assert_eq!(looks_like_matcher("gtee"), Some("gte"));
        assert_eq!(looks_like_matcher("lts"), Some("lt"));
        for literal in [
            "one", "id", "at", "name", "size", "value", "count", "price", "tags", "items",
        ] {
            assert_eq!(looks_like_matcher(literal), None, "{literal}");
        }
    }
}
