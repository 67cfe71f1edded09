//! `cert`: a client certificate, one PEM with certificate and key or
//! `[cert.pem, key.pem]`; the model is the transport's [`ClientCert`].
//!
//! Merge: a test's `cert` replaces `defaults`'.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use super::{deserialize_with_from_node, path, report, FromNode};
use crate::spec::error_kind::ErrorKind;
use crate::spec::yaml::{Kind, Node};
use crate::spec::ClientCert;

impl FromNode for ClientCert {
    fn from_node(node: &Node) -> Option<Self> {
        let pos = node.pos;
        match &node.kind {
            Kind::Str(p) => Some(ClientCert {
                cert: path::existing(p, pos, "certificate"),
                key: None,
            }),
            Kind::Seq(a) if a.len() == 2 => match (a[0].as_str(), a[1].as_str()) {
                (Some(c), Some(k)) => Some(ClientCert {
                    cert: path::existing(c, a[0].pos, "certificate"),
                    key: Some(path::existing(k, a[1].pos, "key")),
                }),
                _ => {
                    report(
                        pos,
                        ErrorKind::WrongShape {
                            expected: "two paths, `[cert.pem, key.pem]`,".into(),
                            key: Some("cert".into()),
                            found: node.found(),
                        },
                    );
                    None
                }
            },
            _ => {
                report(
                    pos,
                    ErrorKind::WrongShape {
                        expected:
                            "a path to a PEM with certificate and key, or `[cert.pem, key.pem]`,"
                                .into(),
                        key: Some("cert".into()),
                        found: node.found(),
                    },
                );
                None
            }
        }
    }
}

deserialize_with_from_node!(ClientCert);

impl JsonSchema for ClientCert {
    fn schema_name() -> Cow<'static, str> {
        "ClientCert".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" }, "minItems": 2, "maxItems": 2 }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::spec::settings::testing::{errors, request};
    use crate::spec::ClientCert;

    #[test]
    fn one_pem_or_a_pair() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let r = request("tests:\n  - get: http://h/x\n    cert: Cargo.toml\n");
        assert_eq!(
            r.cert,
            Some(ClientCert {
                cert: root.join("Cargo.toml"),
                key: None
            })
        );
        let r = request("tests:\n  - get: http://h/x\n    cert: [Cargo.toml, README.md]\n");
        assert_eq!(
            r.cert,
            Some(ClientCert {
                cert: root.join("Cargo.toml"),
                key: Some(root.join("README.md"))
            })
        );
    }

    #[test]
    fn each_missing_file_is_pointed_at() {
        let e = errors("tests:\n  - get: http://h/x\n    cert: [Cargo.toml, no-key.pem]\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("3:24: key `"), "{e:?}");
        assert_eq!(
            errors("tests:\n  - get: http://h/x\n    cert: [a, b, c]\n"),
            ["3:11: expected a path to a PEM with certificate and key, or `[cert.pem, key.pem]`, for `cert`, found a list"]
        );
    }
}
