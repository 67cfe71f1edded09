//! `verify`: `true` (default: the system's roots), `false`, or a path to a CA bundle
//! (PEM); the model is the transport's [`Verify`].
//!
//! Merge: a test's `verify` replaces `defaults`'.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use super::{deserialize_with_from_node, path, report, FromNode};
use crate::spec::error_kind::ErrorKind;
use crate::spec::yaml::{Kind, Node};
use crate::spec::Verify;

impl FromNode for Verify {
    fn from_node(node: &Node) -> Option<Self> {
        match &node.kind {
            Kind::Bool(true) => Some(Verify::System),
            Kind::Bool(false) => Some(Verify::Off),
            Kind::Str(p) => Some(Verify::CaBundle(path::existing(p, node.pos, "CA bundle"))),
            _ => {
                report(
                    node.pos,
                    ErrorKind::WrongShape {
                        expected: "true, false or a path to a CA bundle (PEM)".into(),
                        key: Some("verify".into()),
                        found: node.found(),
                    },
                );
                None
            }
        }
    }
}

deserialize_with_from_node!(Verify);

impl JsonSchema for Verify {
    fn schema_name() -> Cow<'static, str> {
        "Verify".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["boolean", "string"] })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::spec::settings::testing::{errors, request};
    use crate::spec::Verify;

    #[test]
    fn a_switch_or_a_bundle_beside_the_spec() {
        let r = request("tests:\n  - get: http://h/x\n");
        assert_eq!(r.verify, Verify::System);
        let r = request("tests:\n  - get: http://h/x\n    verify: false\n");
        assert_eq!(r.verify, Verify::Off);
        let r = request("tests:\n  - get: http://h/x\n    verify: Cargo.toml\n");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(r.verify, Verify::CaBundle(root.join("Cargo.toml")));
        let r = request("vars: { CA: ca.pem }\ntests:\n  - get: http://h/x\n    verify: ${CA}\n");
        assert_eq!(r.verify, Verify::CaBundle("${CA}".into()));
    }

    #[test]
    fn a_missing_bundle_or_a_wrong_type() {
        let e = errors("tests:\n  - get: http://h/x\n    verify: no-such-ca.pem\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("3:13: CA bundle `"), "{e:?}");
        assert!(e[0].ends_with("no-such-ca.pem` does not exist"), "{e:?}");
        assert_eq!(
            errors("tests:\n  - get: http://h/x\n    verify: 1\n"),
            ["3:13: expected true, false or a path to a CA bundle (PEM) for `verify`, found the number `1`"]
        );
    }
}
