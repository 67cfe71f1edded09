//! `generate:` → `Generate`: the JSON Schema of the request body (a file or inline),
//! compiled once, and how many valid and invalid bodies to make from it.

use std::sync::Arc;

use super::convert::Loader;
use super::raw::RawGenerate;
use super::yaml::Kind;
use super::*;

/// The most bodies one test may ask for (`count` or `invalid`).
const MOST: u32 = 10_000;

impl Loader<'_> {
    pub(super) fn generate(
        &mut self,
        raw: RawGenerate,
        pos: Pos,
        method: Method,
        request: &RequestSpec,
    ) -> Option<Generate> {
        if method != Method::Put {
            self.push_help(
                pos,
                format!(
                    "`generate` makes PUT bodies; this test is a `{}`",
                    method.as_str().to_lowercase()
                ),
                "move `generate` to a `put:` test",
            );
            return None;
        }
        if !matches!(request.body, BodySpec::None | BodySpec::Json(_)) {
            self.push_help(
                pos,
                "`generate` makes JSON bodies, but this test sends `data`, `files` or `body_file`",
                "remove the other body, or keep `json:` (it is sent first, then the generated bodies)",
            );
            return None;
        }
        // Each mistake is reported, also when another one was.
        let count = self.bound(raw.count.take(), "count", 1);
        let invalid = self.bound(raw.invalid.take(), "invalid", 0);
        let safe_integers = self.integers(raw.integers.take());
        let given = raw.schema.is_present();
        let Some(schema) = raw.schema.take() else {
            if given {
                return None; // wrong type, reported
            }
            self.push_help(
                pos,
                "`generate` needs `schema`",
                "write `generate: { schema: widget.json }` (a path relative to the spec file) or give the schema inline",
            );
            return None;
        };
        let node = schema.value.0 .0;
        let (value, source) = match &node.kind {
            Kind::Str(path) => {
                let file = self.dir.join(path);
                let text = match std::fs::read_to_string(&file) {
                    Ok(t) => t,
                    Err(e) => {
                        self.push_help(
                            node.pos,
                            format!("cannot read the schema `{}`: {e}", file.display()),
                            "paths are relative to the spec file's folder",
                        );
                        return None;
                    }
                };
                match serde_json::from_str::<Value>(&text) {
                    Ok(v) => (v, path.clone()),
                    Err(e) => {
                        self.push(
                            node.pos,
                            format!("schema `{}` is not valid JSON: {e}", file.display()),
                        );
                        return None;
                    }
                }
            }
            _ => (node.to_value(), "inline".to_string()),
        };
        let validator = match jsonschema::options()
            .should_validate_formats(true)
            .build(&value)
        {
            Ok(v) => v,
            Err(e) => {
                self.push(
                    node.pos,
                    format!("`generate.schema` ({source}) is not a valid JSON Schema: {e}"),
                );
                return None;
            }
        };
        Some(Generate {
            schema: Arc::new(value),
            validator: Arc::new(validator),
            source,
            count: count?.unwrap_or(DEFAULT_GENERATE_COUNT),
            invalid: invalid?.unwrap_or(0),
            safe_integers: safe_integers?,
            pos,
        })
    }

    /// `integers: full | safe`: whether integers stay within ±(2^53 − 1); `None` when
    /// the value is neither (reported).
    fn integers(
        &mut self,
        given: Option<super::de::Spanned<super::raw::IntegersValue>>,
    ) -> Option<bool> {
        let Some(given) = given else {
            return Some(false);
        };
        let node = given.value.0 .0;
        match node.as_str() {
            Some("full") => Some(false),
            Some("safe") => Some(true),
            _ => {
                self.push_help(
                    node.pos,
                    format!(
                        "`generate.integers` must be `full` or `safe`; found {}",
                        node.found()
                    ),
                    "`safe` keeps integers within ±(2^53 − 1), for a server that reads JSON numbers as doubles (JavaScript); leave the key out for the whole range",
                );
                None
            }
        }
    }

    /// `Some(None)`: not given; `None`: out of range (reported).
    fn bound(
        &mut self,
        given: Option<super::de::Spanned<u32>>,
        key: &str,
        min: u32,
    ) -> Option<Option<u32>> {
        match given {
            None => Some(None),
            Some(n) if (min..=MOST).contains(&n.value) => Some(Some(n.value)),
            Some(n) => {
                self.push(
                    n.pos,
                    format!(
                        "`generate.{key}` is a number of bodies, {min} to {MOST}; found {}",
                        n.value
                    ),
                );
                None
            }
        }
    }
}
