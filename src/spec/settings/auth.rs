//! `auth`: `{ basic: [user, password] }` or `{ bearer: token }`; the model is the
//! transport's [`Auth`].
//!
//! Merge: a test's `auth` replaces `defaults`'.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use super::{deserialize_with_from_node, report, unknown_key, FromNode};
use crate::spec::error_kind::ErrorKind;
use crate::spec::yaml::{Kind, Node};
use crate::spec::Auth;

impl FromNode for Auth {
    fn from_node(node: &Node) -> Option<Self> {
        let shape = |found: String| ErrorKind::WrongShape {
            expected: "`{ basic: [user, password] }` or `{ bearer: token }`".into(),
            key: Some("auth".into()),
            found,
        };
        let Kind::Map(entries) = &node.kind else {
            report(node.pos, shape(node.found()));
            return None;
        };
        let [(k, v)] = entries.as_slice() else {
            report(
                node.pos,
                shape(format!("a map with {} keys", entries.len())),
            );
            return None;
        };
        match (k.name.as_str(), &v.kind) {
            ("basic", Kind::Seq(a)) if a.len() == 2 => {
                match (a[0].scalar_text(), a[1].scalar_text()) {
                    (Some(user), Some(password)) => Some(Auth::Basic { user, password }),
                    _ => {
                        let odd = a.iter().find(|x| x.scalar_text().is_none()).unwrap_or(v);
                        report(
                            odd.pos,
                            ErrorKind::WrongShape {
                                expected: "`[user, password]`, two strings,".into(),
                                key: Some("auth.basic".into()),
                                found: odd.found(),
                            },
                        );
                        None
                    }
                }
            }
            ("basic", _) => {
                report(
                    v.pos,
                    ErrorKind::WrongShape {
                        expected: "`[user, password]`".into(),
                        key: Some("auth.basic".into()),
                        found: v.found(),
                    },
                );
                None
            }
            ("bearer", _) => match v.scalar_text() {
                Some(t) => Some(Auth::Bearer(t)),
                None => {
                    report(
                        v.pos,
                        ErrorKind::WrongShape {
                            expected: "a token (a string)".into(),
                            key: Some("auth.bearer".into()),
                            found: v.found(),
                        },
                    );
                    None
                }
            },
            _ => {
                unknown_key(k, &["basic", "bearer"], "auth");
                None
            }
        }
    }
}

deserialize_with_from_node!(Auth);

impl JsonSchema for Auth {
    fn schema_name() -> Cow<'static, str> {
        "Auth".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "basic": {
                            "type": "array",
                            "items": { "type": ["string", "number"] },
                            "minItems": 2,
                            "maxItems": 2
                        }
                    },
                    "required": ["basic"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": { "bearer": { "type": "string" } },
                    "required": ["bearer"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::settings::testing::{errors, request, suite};
    use crate::spec::Auth;

    #[test]
    fn basic_and_bearer() {
        let r = request("tests:\n  - get: http://h/x\n    auth: { basic: [ann, 1234] }\n");
        assert_eq!(
            r.auth,
            Some(Auth::Basic {
                user: "ann".into(),
                password: "1234".into()
            })
        );
        let r = request("tests:\n  - get: http://h/x\n    auth: { bearer: t0k }\n");
        assert_eq!(r.auth, Some(Auth::Bearer("t0k".into())));
    }

    #[test]
    fn a_tests_auth_replaces_the_defaults() {
        let suite = suite(
            "defaults: { auth: { bearer: d } }\ntests:\n  - get: http://h/a\n  - get: http://h/b\n    auth: { basic: [u, p] }\n",
        );
        assert_eq!(suite.tests[0].request.auth, Some(Auth::Bearer("d".into())));
        assert!(matches!(
            suite.tests[1].request.auth,
            Some(Auth::Basic { .. })
        ));
    }

    #[test]
    fn wrong_shapes_say_what_auth_takes() {
        assert_eq!(
            errors("tests:\n  - get: http://h/x\n    auth: token\n"),
            ["3:11: expected `{ basic: [user, password] }` or `{ bearer: token }` for `auth`, found the string `token`"]
        );
        assert_eq!(
            errors("tests:\n  - get: http://h/x\n    auth: { basic: [u] }\n"),
            ["3:20: expected `[user, password]` for `auth.basic`, found a list"]
        );
        assert_eq!(
            errors("tests:\n  - get: http://h/x\n    auth: { baerer: t }\n"),
            ["3:13: unknown key `baerer` in `auth`; allowed here: basic, bearer"]
        );
    }
}
