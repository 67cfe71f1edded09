//! `idempotency:` → `Idempotency`: how often a step is sent, what is compared, and the
//! HTTP-semantics probes (read-back, `created: once`, `conditional`, `reject`).

use std::sync::Arc;

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

use super::convert::Loader;
use super::de::{self, ShapeError, Spanned, Yaml};
use super::raw::{RawIdempotency, RawIdempotencyBlock, RawReject};
use super::settings::RequestOptions;
use super::yaml::Kind;
use super::*;

/// `readback: true`, `false` or `exact`.
impl<'de> Deserialize<'de> for Readback {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Yaml(node) = Yaml::deserialize(d)?;
        match &node.kind {
            Kind::Bool(false) => Ok(Readback::Off),
            Kind::Bool(true) => Ok(Readback::Contains),
            Kind::Str(s) if s == "exact" => Ok(Readback::Exact),
            _ => {
                de::record(ShapeError::new(
                    node.pos.into(),
                    ErrorKind::ReadbackValue {
                        found: node.found(),
                    },
                ));
                Err(serde::de::Error::custom(de::REPORTED))
            }
        }
    }
}

impl JsonSchema for Readback {
    fn schema_name() -> Cow<'static, str> {
        "Readback".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [{ "type": "boolean" }, { "const": "exact" }] })
    }
}

impl Idempotency {
    pub fn default_for_put() -> Self {
        Idempotency {
            repeat: None,
            ignore: Vec::new(),
            headers: Vec::new(),
            readback: Readback::Off,
            server_fields: Vec::new(),
            created_once: false,
            conditional: false,
            reject: None,
            concurrent: false,
            delete: false,
        }
    }
}

impl Loader<'_> {
    pub(super) fn idempotency(
        &mut self,
        raw: RawIdempotency,
        request: &RequestSpec,
    ) -> Option<Idempotency> {
        let block = match raw {
            RawIdempotency::Switch(false) => return None,
            RawIdempotency::Switch(true) => return Some(Idempotency::default_for_put()),
            RawIdempotency::Block(b) => *b,
        };
        let RawIdempotencyBlock {
            repeat,
            ignore,
            headers,
            readback,
            server_fields,
            created,
            conditional,
            reject,
            concurrent,
            delete,
        } = block;
        let mut out = Idempotency::default_for_put();
        if let Some(r) = repeat.take() {
            if (1..=1000).contains(&r.value) {
                out.repeat = Some(r.value);
            } else {
                self.report(r.pos, ErrorKind::RepeatCount { found: r.value });
            }
        }
        out.ignore = self.paths(ignore.value().map(|l| l.0), "ignore");
        let server_fields_pos = server_fields.pos();
        out.server_fields = self.paths(server_fields.value().map(|l| l.0), "server_fields");
        out.headers = headers
            .value()
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|h| h.value)
            .collect();
        out.readback = readback.value().unwrap_or_default();
        if let Some(c) = created.take() {
            let node = c.value.0 .0;
            match node.as_str() {
                Some("once") => out.created_once = true,
                _ => self.report(
                    node.pos,
                    ErrorKind::CreatedValue {
                        found: node.found(),
                    },
                ),
            }
        }
        if let (Some(pos), false) = (server_fields_pos, out.readback == Readback::Exact) {
            self.report(pos, ErrorKind::ServerFieldsWithoutExact);
        }
        out.conditional = conditional.value().unwrap_or(false);
        out.concurrent = concurrent.value().unwrap_or(false);
        out.delete = delete.value().unwrap_or(false);
        if let Some(r) = reject.take() {
            out.reject = Some(self.reject(r.value, r.pos, request));
        }
        Some(out)
    }

    fn paths(&mut self, written: Option<Vec<Spanned<String>>>, key: &'static str) -> Vec<JsonPath> {
        let mut out = Vec::new();
        for path in written.unwrap_or_default() {
            match JsonPath::parse(&path.value) {
                Ok(p) => out.push(p),
                Err(reason) => self.report(
                    path.pos,
                    ErrorKind::InvalidIdempotencyPath {
                        key,
                        reason: reason.to_string(),
                    },
                ),
            }
        }
        out
    }

    /// `idempotency.reject`: the test's request with the given options overridden.
    fn reject(&mut self, mut raw: RawReject, pos: Pos, base: &RequestSpec) -> Reject {
        let options = raw.take_options();
        let options = RequestOptions::of(base).merged(self.options(options));
        let request = self.request(options, pos);
        let mut expect = raw
            .expect
            .value()
            .map(|e| self.expectations(e))
            .unwrap_or_default();
        if expect.status.is_none() {
            expect.status = Some((vec![StatusPattern::Class(4)], pos));
        }
        Reject {
            request,
            expect: Arc::new(expect),
            pos,
        }
    }
}
