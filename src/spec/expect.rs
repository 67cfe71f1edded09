//! `expect:` → `Expect`: status, reason, header and JSONPath matchers, body, max_time,
//! JSON Schema (compiled here, once).

use std::sync::Arc;

use super::convert::Loader;
use super::error_kind::{ErrorKind, SchemaSource};
use super::raw::RawExpect;
use super::template::{self, Lookup};
use super::yaml::{Kind, Node};
use super::*;

impl Loader<'_> {
    pub(super) fn expectations(&mut self, e: RawExpect) -> Expect {
        let mut out = Expect::default();
        if let Some(s) = e.status.value() {
            let node = s.0 .0;
            out.status = self.status(&node).map(|p| (p, node.pos));
        }
        if let Some(r) = e.reason.value() {
            let node = r.0 .0;
            match &node.kind {
                Kind::Str(s) => out.reason = Some((s.clone(), node.pos)),
                _ => self.report(
                    node.span(),
                    ErrorKind::ReasonNotAString {
                        found: node.found(),
                    },
                ),
            }
        }
        if let Some(v) = e.version.value() {
            let node = v.0 .0;
            let text = match &node.kind {
                Kind::Str(s) => s.trim().to_string(),
                Kind::Number(n) => n.written.clone(),
                _ => String::new(),
            };
            match text.as_str() {
                "1.0" | "1.1" | "2" => out.version = Some((text, node.pos)),
                "2.0" => out.version = Some(("2".into(), node.pos)),
                _ => self.report(
                    node.span(),
                    ErrorKind::UnknownHttpVersion {
                        found: node.found(),
                    },
                ),
            }
        }
        for (name, v) in e
            .headers
            .value()
            .map(|h| h.into_valid().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if let Some(matcher) = self.matcher(&v.value.0 .0) {
                out.headers.push(HeaderExpect {
                    name: name.value,
                    matcher,
                    pos: name.pos,
                });
            }
        }
        for (path, v) in e
            .json
            .value()
            .map(|h| h.into_valid().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            let compiled = JsonPath::parse(&path.value);
            let matcher = self.matcher(&v.value.0 .0);
            match compiled {
                Ok(compiled) => {
                    if let Some(matcher) = matcher {
                        out.json.push(JsonExpect {
                            path: compiled,
                            matcher,
                            pos: path.pos,
                        });
                    }
                }
                Err(reason) => self.report(path.span(), ErrorKind::InvalidJsonPath { reason }),
            }
        }
        if let Some(b) = e.body.value() {
            let node = b.0 .0;
            out.body = self.matcher(&node).map(|m| (m, node.pos));
        }
        if let Some(t) = e.max_time.take() {
            out.max_time = Some((t.value.0, t.pos));
        }
        if let Some(s) = e.schema.take() {
            out.schema = self.schema(&s.value, s.span());
        }
        out
    }

    /// The schema file is read now; a path with variables takes them from `--var`,
    /// `vars:` and the environment (captures come too late for it).
    fn schema(&mut self, written: &str, span: Span) -> Option<SchemaExpect> {
        let rendered = if written.contains("${") {
            let vars = self.vars.clone();
            let cli = self.load.cli_vars;
            let env = self.load.env;
            let lookup = move |name: &str| -> Option<serde_json::Value> {
                cli.get(name)
                    .map(|v| serde_json::Value::String(v.clone()))
                    .or_else(|| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
                    .or_else(|| env(name).map(serde_json::Value::String))
            };
            // An undefined name is reported by the variable check.
            template::render_str(written, &lookup as &dyn Lookup).ok()?
        } else {
            written.to_string()
        };
        let path = self.dir.join(&rendered);
        let source = || SchemaSource::File(path.clone());
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                let kind = ErrorKind::CannotReadSchema {
                    schema: source(),
                    reason: e.to_string(),
                };
                self.report(span, kind);
                return None;
            }
        };
        let schema: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                let kind = ErrorKind::SchemaNotJson {
                    schema: source(),
                    reason: e.to_string(),
                };
                self.report(span, kind);
                return None;
            }
        };
        match jsonschema::validator_for(&schema) {
            Ok(v) => Some(SchemaExpect {
                path,
                validator: Arc::new(v),
                pos: span.start,
            }),
            Err(e) => {
                let kind = ErrorKind::InvalidSchema {
                    schema: source(),
                    reason: e.to_string(),
                };
                self.report(span, kind);
                None
            }
        }
    }

    fn status(&mut self, node: &Node) -> Option<Vec<StatusPattern>> {
        let one = |v: &Node| -> Option<StatusPattern> {
            match &v.kind {
                Kind::Number(n) => n
                    .json
                    .parse::<u16>()
                    .ok()
                    .filter(|c| (100..=999).contains(c))
                    .map(StatusPattern::Code),
                Kind::Str(s) => {
                    let s = s.trim();
                    if let Some(d) = s.strip_suffix("xx").or_else(|| s.strip_suffix("XX")) {
                        d.parse::<u16>()
                            .ok()
                            .filter(|d| (1..=9).contains(d))
                            .map(StatusPattern::Class)
                    } else {
                        s.parse::<u16>()
                            .ok()
                            .filter(|c| (100..=999).contains(c))
                            .map(StatusPattern::Code)
                    }
                }
                _ => None,
            }
        };
        let shape = |expected: &str, node: &Node| ErrorKind::WrongShape {
            expected: expected.into(),
            found: node.found(),
            key: Some("status".into()),
        };
        match &node.kind {
            Kind::Seq(items) if !items.is_empty() => {
                let mut out = Vec::new();
                for item in items {
                    match one(item) {
                        Some(p) => out.push(p),
                        None => self.report(
                            item.span(),
                            shape(
                                "a status code (100 to 999) or a class such as `\"2xx\"`",
                                item,
                            ),
                        ),
                    }
                }
                (out.len() == items.len()).then_some(out)
            }
            _ => match one(node) {
                Some(p) => Some(vec![p]),
                None => {
                    self.report(
                        node.span(),
                        shape(
                            "a code (`200`), a list of codes (`[200, 204]`) or a class (`\"2xx\"`)",
                            node,
                        ),
                    );
                    None
                }
            },
        }
    }
}
