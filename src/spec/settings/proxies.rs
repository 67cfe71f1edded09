//! `proxies`: `{ http: URL, https: URL }`; without it the proxy environment variables
//! apply. The model is the transport's [`Proxies`].
//!
//! Merge: a test's `proxies` replaces `defaults`' whole (a test that names only `https`
//! sends plain http directly, not through `defaults`' `http`).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

use crate::spec::de::Field;
use crate::spec::Proxies;

/// `proxies` as written; `de.rs` words its unknown keys ("in `proxies`") by this name.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[serde(expecting = "a map: `{ http: URL, https: URL }`")]
#[serde(rename(deserialize = "proxies"))] // its place, for `de.rs`
#[schemars(rename = "RawProxies")] // the schema keeps its names
pub struct RawProxies {
    pub http: Field<String>,
    pub https: Field<String>,
}

impl<'de> Deserialize<'de> for Proxies {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawProxies::deserialize(d)?;
        Ok(Proxies {
            http: raw.http.value(),
            https: raw.https.value(),
        })
    }
}

impl JsonSchema for Proxies {
    fn schema_name() -> Cow<'static, str> {
        RawProxies::schema_name()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        RawProxies::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::settings::testing::{errors, suite};
    use crate::spec::Proxies;

    #[test]
    fn a_tests_proxies_replace_the_defaults_whole() {
        let suite = suite(
            "defaults: { proxies: { http: 'http://p:1', https: 'http://p:2' } }\ntests:\n  - get: http://h/a\n  - get: http://h/b\n    proxies: { https: 'http://q:3' }\n",
        );
        assert_eq!(
            suite.tests[0].request.proxies,
            Some(Proxies {
                http: Some("http://p:1".into()),
                https: Some("http://p:2".into())
            })
        );
        assert_eq!(
            suite.tests[1].request.proxies,
            Some(Proxies {
                http: None,
                https: Some("http://q:3".into())
            })
        );
    }

    #[test]
    fn an_unknown_scheme_key() {
        let e = errors("tests:\n  - get: http://h/x\n    proxies: { htps: 'http://p:1' }\n");
        assert_eq!(
            e,
            ["3:16: unknown key `htps` in `proxies`; allowed here: http, https"]
        );
    }
}
