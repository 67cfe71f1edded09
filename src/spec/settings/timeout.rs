//! `timeout`: one duration for both phases, or `{ connect: 2s, read: 10s }` (requests'
//! `(connect, read)` tuple); default 30s each. The model is the transport's
//! [`Timeouts`], which `run::prepare` hands to `http::Request` as it is.
//!
//! Merge: a test's `timeout` replaces `defaults`' whole; a map that gives only
//! `connect` keeps the 30s default for `read`, not `defaults`' `read`.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use super::duration;
use super::{deserialize_with_from_node, unknown_key, FromNode};
use crate::spec::yaml::{Kind, Node};
use crate::spec::Timeouts;

impl FromNode for Timeouts {
    fn from_node(node: &Node) -> Option<Self> {
        let Kind::Map(entries) = &node.kind else {
            return match duration::parse(node) {
                Some(d) => Some(Timeouts {
                    connect: d,
                    read: d,
                }),
                None => {
                    duration::report_not_a_duration(node, "timeout", true);
                    None
                }
            };
        };
        let mut timeouts = Timeouts::default();
        let mut ok = true;
        for (key, value) in entries {
            let phase = match key.name.as_str() {
                "connect" => &mut timeouts.connect,
                "read" => &mut timeouts.read,
                _ => {
                    unknown_key(key, &["connect", "read"], "timeout");
                    ok = false;
                    continue;
                }
            };
            match duration::read(value, &format!("timeout.{}", key.name)) {
                Some(d) => *phase = d,
                None => ok = false,
            }
        }
        ok.then_some(timeouts)
    }
}

deserialize_with_from_node!(Timeouts);

impl JsonSchema for Timeouts {
    fn schema_name() -> Cow<'static, str> {
        "Timeouts".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let duration = duration::subschema(generator);
        json_schema!({
            "anyOf": [
                duration,
                {
                    "type": "object",
                    "properties": { "connect": duration, "read": duration },
                    "additionalProperties": false
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::spec::settings::testing::{errors, request, suite};
    use crate::spec::{Timeouts, DEFAULT_TIMEOUT};

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn one_duration_sets_both_phases_and_a_map_each() {
        let t = request("tests:\n  - get: http://h/x\n    timeout: 5s\n").timeout;
        assert_eq!(
            t,
            Timeouts {
                connect: secs(5),
                read: secs(5)
            }
        );
        let t = request("tests:\n  - get: http://h/x\n    timeout: { connect: 2, read: 10s }\n")
            .timeout;
        assert_eq!(
            t,
            Timeouts {
                connect: secs(2),
                read: secs(10)
            }
        );
        let t = request("tests:\n  - get: http://h/x\n    timeout: { read: 250ms }\n").timeout;
        assert_eq!(
            t,
            Timeouts {
                connect: DEFAULT_TIMEOUT,
                read: Duration::from_millis(250)
            }
        );
        assert_eq!(
            request("tests:\n  - get: http://h/x\n").timeout,
            Timeouts::default()
        );
    }

    #[test]
    fn a_tests_timeout_replaces_the_defaults_whole() {
        let suite = suite(
            "defaults: { timeout: { connect: 1s, read: 2s } }\ntests:\n  - get: http://h/a\n  - get: http://h/b\n    timeout: { connect: 3s }\n",
        );
        assert_eq!(
            suite.tests[0].request.timeout,
            Timeouts {
                connect: secs(1),
                read: secs(2)
            }
        );
        assert_eq!(
            suite.tests[1].request.timeout,
            Timeouts {
                connect: secs(3),
                read: DEFAULT_TIMEOUT
            }
        );
    }

    #[test]
    fn a_wrong_timeout_is_worded_as_every_wrong_duration() {
        assert_eq!(
            errors("tests:\n  - get: http://h/x\n    timeout: fast\n"),
            ["3:14: `timeout` must be a duration such as `5s`, `250ms` or a number of seconds, or `{ connect: 2s, read: 10s }`, found the string `fast`"]
        );
        assert_eq!(
            errors("tests:\n  - get: http://h/x\n    timeout: { connect: soon, raed: 1s }\n"),
            [
                "3:25: `timeout.connect` must be a duration such as `5s`, `250ms` or a number of seconds, found the string `soon`",
                "3:31: unknown key `raed` in `timeout`; allowed here: connect, read",
            ]
        );
    }
}
