//! `params`, `headers` and `cookies`: names → values, sent as pairs in file order.
//!
//! - `params`: a scalar, a list of scalars (the name repeats) or `null` (left out, also
//!   when `defaults` has it). Form fields of `data` take the same values.
//! - `headers`: a scalar or `null` (left out, also when `defaults` has it); names
//!   compare case-insensitively; a value must be Latin-1.
//! - `cookies`: a scalar.
//!
//! Merge ([`merge_pairs`]), as requests merges a session's mapping with a request's
//! (`dict.update`): a name the test gives replaces the defaults' values of that name in
//! the defaults' place, a new name goes last, a `null` drops the name. The rule also
//! applies when `defaults` has none (a test's repeated name is gathered in one place).

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

use super::{report, Merge};
use crate::spec::de::{Entries, Label, Yaml};
use crate::spec::error_kind::ErrorKind;
use crate::spec::yaml::{Kind, Node};

/// Pairs as written in one place, and the names given `null` there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pairs {
    pub entries: Vec<(String, String)>,
    pub removed: Vec<String>,
}

macro_rules! pairs_setting {
    ($(#[$meta:meta])* $name:ident, $label:ident, $expecting:literal, case_insensitive: $ci:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name(pub Pairs);

        impl $name {
            pub fn into_pairs(self) -> Vec<(String, String)> {
                self.0.entries
            }
        }

        /// A finished request's pairs, as the general side of a merge.
        impl From<Vec<(String, String)>> for $name {
            fn from(entries: Vec<(String, String)>) -> Self {
                $name(Pairs { entries, removed: Vec::new() })
            }
        }

        impl Merge for $name {
            fn merge(general: Option<Self>, specific: Option<Self>) -> Option<Self> {
                let specific = specific.map(|s| s.0).unwrap_or_default();
                Some($name(Pairs {
                    entries: merge_pairs(general.map(|g| g.0.entries), specific, $ci),
                    removed: Vec::new(),
                }))
            }
        }

        pub struct $label;
        impl Label for $label {
            const EXPECTING: &'static str = $expecting;
        }
    };
}

pairs_setting!(
    /// `params`: query parameters.
    Params, ParamMap, "a map of parameter names to values", case_insensitive: false
);
pairs_setting!(
    /// `headers`: request headers.
    Headers, HeaderMap, "a map of header names to values", case_insensitive: true
);
pairs_setting!(
    /// `cookies`: sent as one `Cookie` header.
    Cookies, CookieMap, "a map of cookie names to values", case_insensitive: false
);

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let written = Entries::<Yaml, ParamMap>::deserialize(d)?;
        let mut out = Pairs::default();
        for (k, v) in written.into_valid() {
            let node = v.value.0;
            if node.is_null() {
                out.removed.push(k.value.clone());
            }
            param_values(&k.value, &node, "params", &mut out.entries);
        }
        Ok(Params(out))
    }
}

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let written = Entries::<Yaml, HeaderMap>::deserialize(d)?;
        let mut out = Pairs::default();
        for (k, v) in written.into_valid() {
            let node = v.value.0;
            if node.is_null() {
                out.removed.push(k.value);
                continue;
            }
            let Some(value) = scalar(&node, "headers", &k.value) else {
                continue;
            };
            // Checked again at run time, after variables are filled in.
            let beyond_latin1 = value.chars().find(|c| u32::from(*c) > 0xFF);
            if let (false, Some(c)) = (value.contains("${"), beyond_latin1) {
                report(
                    node.pos,
                    ErrorKind::HeaderNotLatin1 {
                        header: k.value.clone(),
                        character: c,
                    },
                );
                continue;
            }
            out.entries.push((k.value, value));
        }
        Ok(Headers(out))
    }
}

impl<'de> Deserialize<'de> for Cookies {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let written = Entries::<Yaml, CookieMap>::deserialize(d)?;
        let mut out = Pairs::default();
        for (k, v) in written.into_valid() {
            if let Some(value) = scalar(&v.value.0, "cookies", &k.value) {
                out.entries.push((k.value, value));
            }
        }
        Ok(Cookies(out))
    }
}

/// A header's or cookie's value: one scalar.
fn scalar(node: &Node, what: &str, name: &str) -> Option<String> {
    let text = node.scalar_text();
    if text.is_none() {
        report(
            node.pos,
            ErrorKind::WrongShape {
                expected: "a string, number or boolean".into(),
                key: Some(format!("{what}.{name}")),
                found: node.found(),
            },
        );
    }
    text
}

/// A query parameter's or form field's values (`what`: `params`, `data`) into `out`.
pub(super) fn param_values(key: &str, node: &Node, what: &str, out: &mut Vec<(String, String)>) {
    match &node.kind {
        Kind::Null => {}
        Kind::Seq(items) => {
            for item in items {
                match item.scalar_text() {
                    Some(s) => out.push((key.to_string(), s)),
                    None if item.is_null() => {}
                    None => report(
                        item.pos,
                        ErrorKind::WrongItem {
                            expected: "a string, number, boolean or null",
                            list: format!("{what}.{key}"),
                            found: item.found(),
                        },
                    ),
                }
            }
        }
        _ => match node.scalar_text() {
            Some(s) => out.push((key.to_string(), s)),
            None => report(
                node.pos,
                ErrorKind::WrongShape {
                    expected: "a string, number, boolean, null or a list of them".into(),
                    key: Some(format!("{what}.{key}")),
                    found: node.found(),
                },
            ),
        },
    }
}

/// Names in `specific` replace names of `general` (`ci`: compared case-insensitively),
/// names in `specific.removed` leave; see the module's comment.
pub(super) fn merge_pairs(
    general: Option<Vec<(String, String)>>,
    specific: Pairs,
    ci: bool,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = general.unwrap_or_default();
    let same = |a: &str, b: &str| {
        if ci {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    out.retain(|(k, _)| !specific.removed.iter().any(|n| same(n, k)));
    let over = specific.entries;
    let mut done: Vec<&str> = Vec::new();
    for (name, _) in &over {
        if done.iter().any(|d| same(d, name)) {
            continue;
        }
        done.push(name);
        let values: Vec<(String, String)> = over
            .iter()
            .filter(|(k, _)| same(k, name))
            .cloned()
            .collect();
        match out.iter().position(|(k, _)| same(k, name)) {
            Some(at) => {
                out.retain(|(k, _)| !same(k, name));
                let at = at.min(out.len());
                out.splice(at..at, values);
            }
            None => out.extend(values),
        }
    }
    out
}

/// The schema of a query parameter's or form field's value.
pub(super) fn param_value_schema() -> Schema {
    json_schema!({
        "anyOf": [
            { "type": ["string", "number", "boolean", "null"] },
            { "type": "array", "items": { "type": ["string", "number", "boolean", "null"] } }
        ]
    })
}

impl JsonSchema for Params {
    fn schema_name() -> Cow<'static, str> {
        "Params".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object", "additionalProperties": param_value_schema() })
    }
}

fn header_value_schema() -> Schema {
    json_schema!({ "type": ["string", "number", "boolean", "null"] })
}

impl JsonSchema for Headers {
    fn schema_name() -> Cow<'static, str> {
        "Headers".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object", "additionalProperties": header_value_schema() })
    }
}

impl JsonSchema for Cookies {
    fn schema_name() -> Cow<'static, str> {
        "Cookies".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object", "additionalProperties": header_value_schema() })
    }
}

#[cfg(test)]
mod tests {
    use super::{merge_pairs, Pairs};
    use crate::spec::settings::testing::{errors, pairs, request, suite};

    fn over(p: &[(&str, &str)], removed: &[&str]) -> Pairs {
        Pairs {
            entries: pairs(p),
            removed: removed.iter().map(|r| r.to_string()).collect(),
        }
    }

    /// requests: `merged = dict(session.params); merged.update(params)`.
    #[test]
    fn an_overridden_name_keeps_its_place_as_in_requests() {
        let base = pairs(&[("a", "1"), ("t", "x"), ("t", "y"), ("b", "2")]);
        let merged = merge_pairs(
            Some(base),
            over(&[("new", "n"), ("t", "z"), ("a", "9")], &[]),
            false,
        );
        assert_eq!(
            merged,
            pairs(&[("a", "9"), ("t", "z"), ("b", "2"), ("new", "n")])
        );
        let headers = merge_pairs(
            Some(pairs(&[("X-Dup", "1"), ("Accept", "a")])),
            over(&[("x-dup", "2")], &[]),
            true,
        );
        assert_eq!(headers, pairs(&[("x-dup", "2"), ("Accept", "a")]));
    }

    /// requests drops a name whose request value is `None`.
    #[test]
    fn null_drops_a_name_from_the_defaults() {
        let base = pairs(&[("Accept", "a"), ("X-Debug", "1")]);
        let merged = merge_pairs(Some(base), over(&[], &["x-debug"]), true);
        assert_eq!(merged, pairs(&[("Accept", "a")]));
    }

    #[test]
    fn defaults_and_a_test_through_the_loader() {
        let suite = suite(
            "defaults:\n  params: { a: 1, b: [x, y] }\n  headers: { Accept: text/plain, X-Debug: on }\n  cookies: { s: 1 }\ntests:\n  - get: http://h/x\n    params: { b: z, c: null, a: null }\n    headers: { accept: application/json, x-debug: null }\n    cookies: { t: 2 }\n",
        );
        let r = &suite.tests[0].request;
        assert_eq!(r.params, pairs(&[("b", "z")]));
        assert_eq!(r.headers, pairs(&[("accept", "application/json")]));
        assert_eq!(r.cookies, pairs(&[("s", "1"), ("t", "2")]));
    }

    #[test]
    fn lists_repeat_a_parameter() {
        let r = request(
            "tests:\n  - get: http://h/x\n    params: { t: [1, null, true], zip: 01234 }\n",
        );
        assert_eq!(
            r.params,
            pairs(&[("t", "1"), ("t", "true"), ("zip", "01234")])
        );
    }

    #[test]
    fn wrong_values_are_each_pointed_at() {
        assert_eq!(
            errors("tests:\n  - get: http://h/x\n    params: { a: [1, [2]], b: { c: 1 } }\n    headers: { X: [1] }\n    cookies: { s: null }\n"),
            [
                "3:22: expected a string, number, boolean or null in `params.a`, found a list",
                "3:31: expected a string, number, boolean, null or a list of them for `params.b`, found a map",
                "4:19: expected a string, number or boolean for `headers.X`, found a list",
                "5:19: expected a string, number or boolean for `cookies.s`, found null",
            ]
        );
        assert_eq!(
            errors("tests:\n  - get: http://h/x\n    headers: [a]\n"),
            ["3:14: expected a map of header names to values, found a list"]
        );
    }

    #[test]
    fn a_header_beyond_latin1() {
        let e = errors("tests:\n  - get: http://h/x\n    headers: { X-Name: \"名\" }\n");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("3:24: the value of header `X-Name` has `名`"),
            "{e:?}"
        );
    }
}
