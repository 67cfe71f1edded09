//! Durations: `5s`, `250ms`, `1.5s`, `2m`, or a number of seconds. Shared by `timeout`
//! (and its `connect` and `read`), `expect.max_time` and `retry.interval`, which read,
//! describe (JSON Schema) and word a wrong value the same way, here.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::time::Duration;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;

use super::{deserialize_with_from_node, report, FromNode};
use crate::spec::error_kind::ErrorKind;
use crate::spec::yaml::{Kind, Node};

/// Parses `5s`, `250ms`, `1.5s`, `2m`, or a bare number of seconds.
pub fn parse_duration(v: &Value) -> Option<Duration> {
    match v {
        Value::Number(n) => n.as_f64().and_then(secs),
        Value::String(s) => {
            let s = s.trim();
            let (num, unit) = s
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .map(|i| s.split_at(i))
                .unwrap_or((s, "s"));
            let n: f64 = num.parse().ok()?;
            let factor = match unit.trim() {
                "ms" => 0.001,
                "s" | "" => 1.0,
                "m" | "min" => 60.0,
                _ => return None,
            };
            secs(n * factor)
        }
        _ => None,
    }
}

fn secs(f: f64) -> Option<Duration> {
    (f.is_finite() && f >= 0.0).then(|| Duration::from_secs_f64(f))
}

/// A number or a string of a duration, without recording anything.
pub(super) fn parse(node: &Node) -> Option<Duration> {
    match &node.kind {
        Kind::Number(_) | Kind::Str(_) => parse_duration(&node.to_value()),
        _ => None,
    }
}

/// The one wording of a value that is not a duration; `or` names what else `key` takes
/// (`timeout` also takes a map).
pub(super) fn report_not_a_duration(node: &Node, key: &str, or_map: bool) {
    report(
        node.pos,
        ErrorKind::NotADuration {
            key: key.to_string(),
            or_map,
            found: node.found(),
        },
    );
}

/// The duration of `node`, or its error recorded against `key`.
pub(super) fn read(node: &Node, key: &str) -> Option<Duration> {
    let d = parse(node);
    if d.is_none() {
        report_not_a_duration(node, key, false);
    }
    d
}

/// The schema of a duration, the only place its pattern is written.
pub(super) fn schema() -> Schema {
    json_schema!({
        "anyOf": [
            { "type": "number", "minimum": 0 },
            { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*(ms|s|m|min)?\\s*$" }
        ]
    })
}

/// A reference to the one duration definition, for a schema that holds durations.
pub(super) fn subschema(generator: &mut SchemaGenerator) -> Schema {
    // Every `DurationOf<K>` has the same schema id: which key is named does not matter.
    generator.subschema_for::<DurationOf<MaxTime>>()
}

/// The key a duration is written under, for its error message.
pub trait DurationKey {
    const KEY: &'static str;
}

/// A duration written under the key `K` names (`max_time`, `retry.interval`).
#[derive(Debug, Clone, Copy)]
pub struct DurationOf<K>(pub Duration, PhantomData<K>);

impl<K: DurationKey> FromNode for DurationOf<K> {
    fn from_node(node: &Node) -> Option<Self> {
        read(node, K::KEY).map(|d| DurationOf(d, PhantomData))
    }
}

/// The JSON Schema of every duration: one definition, whichever key holds it.
impl<K> JsonSchema for DurationOf<K> {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn schema_id() -> Cow<'static, str> {
        "putcheck::Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schema()
    }
}

/// `expect.max_time`.
#[derive(Debug, Clone, Copy)]
pub struct MaxTime;
impl DurationKey for MaxTime {
    const KEY: &'static str = "max_time";
}

/// `retry.interval`.
#[derive(Debug, Clone, Copy)]
pub struct RetryInterval;
impl DurationKey for RetryInterval {
    const KEY: &'static str = "retry.interval";
}

deserialize_with_from_node!(DurationOf<MaxTime>, DurationOf<RetryInterval>);

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::parse_duration;
    use crate::spec::settings::testing::{errors, suite};

    #[test]
    fn units_and_bare_seconds() {
        assert_eq!(
            parse_duration(&json!("250ms")),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse_duration(&json!(" 1.5s ")),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_duration(&json!("2m")), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_duration(&json!("2min")),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_duration(&json!(3)), Some(Duration::from_secs(3)));
        assert_eq!(parse_duration(&json!("5 parsecs")), None);
        assert_eq!(parse_duration(&json!(-1)), None);
    }

    #[test]
    fn max_time_and_retry_interval_read_a_duration() {
        let suite = suite(
            "tests:\n  - put: http://h/x\n    expect: { max_time: 250ms }\n    retry: { count: 2, interval: 2 }\n",
        );
        let test = &suite.tests[0];
        assert_eq!(
            test.expect.max_time.map(|(d, _)| d),
            Some(Duration::from_millis(250))
        );
        assert_eq!(test.retry.map(|r| r.interval), Some(Duration::from_secs(2)));
    }

    #[test]
    fn a_wrong_duration_is_worded_one_way_under_every_key() {
        let errors = errors(
            "tests:\n  - put: http://h/x\n    expect: { max_time: soon }\n    retry: { count: 2, interval: [1] }\n",
        );
        assert_eq!(
            errors,
            [
                "3:25: `max_time` must be a duration such as `5s`, `250ms` or a number of seconds, found the string `soon`",
                "4:34: `retry.interval` must be a duration such as `5s`, `250ms` or a number of seconds, found a list",
            ]
        );
    }
}
