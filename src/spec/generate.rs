//! `generate:` → `Generate`: the JSON Schema of the request body (a file or inline),
//! compiled once, and how many valid and invalid bodies to make from it.

use std::sync::Arc;

use super::convert::Loader;
use super::error_kind::{ErrorKind, SchemaSource};
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
            let kind = ErrorKind::GenerateNotPut {
                method: method.key().to_string(),
            };
            self.report(pos, kind);
            return None;
        }
        if !matches!(request.body, BodySpec::None | BodySpec::Json(_)) {
            self.report(pos, ErrorKind::GenerateWithOtherBody);
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
            let kind = ErrorKind::MissingKey {
                key: "schema",
                within: "in `generate`",
                example: Some("generate: { schema: widget.json }"),
            };
            self.report(pos, kind);
            return None;
        };
        let node = schema.value.0 .0;
        let (value, source) = match &node.kind {
            Kind::Str(path) => {
                let file = self.dir.join(path);
                let text = match std::fs::read_to_string(&file) {
                    Ok(t) => t,
                    Err(e) => {
                        let kind = ErrorKind::CannotReadSchema {
                            schema: SchemaSource::File(file),
                            reason: e.to_string(),
                        };
                        self.report(node.span(), kind);
                        return None;
                    }
                };
                match serde_json::from_str::<Value>(&text) {
                    Ok(v) => (v, SchemaSource::File(file)),
                    Err(e) => {
                        let kind = ErrorKind::SchemaNotJson {
                            schema: SchemaSource::File(file),
                            reason: e.to_string(),
                        };
                        self.report(node.span(), kind);
                        return None;
                    }
                }
            }
            _ => (node.to_value(), SchemaSource::Inline),
        };
        let validator = match jsonschema::options()
            .should_validate_formats(true)
            .build(&value)
        {
            Ok(v) => v,
            Err(e) => {
                let kind = ErrorKind::InvalidSchema {
                    schema: source,
                    reason: e.to_string(),
                };
                self.report(node.span(), kind);
                return None;
            }
        };
        let source = match (&node.kind, source) {
            (Kind::Str(path), _) => path.clone(),
            _ => "inline".to_string(),
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
                let kind = ErrorKind::GenerateIntegers {
                    found: node.found(),
                };
                self.report(node.span(), kind);
                None
            }
        }
    }

    /// `Some(None)`: not given; `None`: out of range (reported).
    fn bound(
        &mut self,
        given: Option<super::de::Spanned<u32>>,
        key: &'static str,
        min: u32,
    ) -> Option<Option<u32>> {
        match given {
            None => Some(None),
            Some(n) if (min..=MOST).contains(&n.value) => Some(Some(n.value)),
            Some(n) => {
                let kind = ErrorKind::GenerateCount {
                    key,
                    min,
                    max: MOST,
                    found: n.value,
                };
                self.report(n.span(), kind);
                None
            }
        }
    }
}
