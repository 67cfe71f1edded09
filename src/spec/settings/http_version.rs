//! `http_version`: `"1.1"`, `"2"` or `auto` (`1.1` and `2` written as numbers too); the
//! model is the transport's [`HttpVersion`]. Unset, the run's default applies
//! (`--http2`, `--http1.1`, else HTTP/1.1).
//!
//! Merge: a test's `http_version` replaces `defaults`'.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use super::{deserialize_with_from_node, report, FromNode};
use crate::spec::error_kind::ErrorKind;
use crate::spec::yaml::{Kind, Node};
use crate::spec::HttpVersion;

impl FromNode for HttpVersion {
    fn from_node(node: &Node) -> Option<Self> {
        let text = match &node.kind {
            Kind::Str(s) => s.trim().to_string(),
            Kind::Number(n) => n.written.clone(),
            _ => String::new(),
        };
        match text.as_str() {
            "1.1" => Some(HttpVersion::Http11),
            "2" | "2.0" => Some(HttpVersion::Http2),
            "auto" => Some(HttpVersion::Auto),
            _ => {
                report(
                    node.pos,
                    ErrorKind::RequestHttpVersion {
                        found: node.found(),
                    },
                );
                None
            }
        }
    }
}

deserialize_with_from_node!(HttpVersion);

impl JsonSchema for HttpVersion {
    fn schema_name() -> Cow<'static, str> {
        "HttpVersion".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [ { "enum": ["1.1", "2", "auto"] }, { "enum": [1.1, 2] } ] })
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::settings::testing::{errors, request};
    use crate::spec::HttpVersion;

    #[test]
    fn strings_and_numbers() {
        let version = |v: &str| {
            request(&format!(
                "tests:\n  - get: http://h/x\n    http_version: {v}\n"
            ))
            .http_version
        };
        assert_eq!(version("\"1.1\""), Some(HttpVersion::Http11));
        assert_eq!(version("1.1"), Some(HttpVersion::Http11));
        assert_eq!(version("2"), Some(HttpVersion::Http2));
        assert_eq!(version("auto"), Some(HttpVersion::Auto));
        assert_eq!(request("tests:\n  - get: http://h/x\n").http_version, None);
    }

    #[test]
    fn another_version() {
        assert_eq!(
            errors("tests:\n  - get: http://h/x\n    http_version: 3\n"),
            ["3:19: expected \"1.1\", \"2\" or auto for `http_version`, found the number `3`"]
        );
    }
}
