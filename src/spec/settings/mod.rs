//! The request settings of `defaults`, of a test and of `idempotency.reject` (`params`,
//! `headers`, `json`, `data`, `files`, `auth`, `timeout`, `proxies`, `verify`, `cert`,
//! ...), one module per setting. Each module holds the setting's model type (or
//! re-exports the transport's), reads it from the YAML node tree while serde reads the
//! raw structs (`raw.rs` names the model type directly: `timeout: Field<Timeouts>`),
//! writes its JSON Schema, and says how a test's value combines with `defaults`' (its
//! [`Merge`] rule). Problems are recorded where they are found (`de::record`), not
//! thrown, so one bad value does not hide the next.

mod auth;
pub(super) mod body;
mod cert;
pub(super) mod duration;
pub(super) mod files;
mod http_version;
pub(super) mod pairs;
pub(super) mod path;
mod proxies;
mod timeout;
mod verify;

use self::body::Body;
use self::pairs::{Cookies, Headers, Params};
use super::convert::Loader;
use super::de::{self, ShapeError};
use super::error::did_you_mean;
use super::error_kind::ErrorKind;
use super::raw::RawOptions;
use super::yaml::{Key, Node};
use super::{Auth, ClientCert, HttpVersion, Pos, Proxies, RequestSpec, Timeouts, Verify};

/// A setting read from its YAML node; `None` once every problem has been recorded.
trait FromNode: Sized {
    fn from_node(node: &Node) -> Option<Self>;
}

/// `Deserialize` for settings that read their node with [`FromNode`]: a value that
/// cannot be read leaves its `Field` invalid, its problems already recorded.
macro_rules! deserialize_with_from_node {
    ($($setting:ty),* $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $setting {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let $crate::spec::de::Yaml(node) = $crate::spec::de::Yaml::deserialize(d)?;
                <$setting as $crate::spec::settings::FromNode>::from_node(&node)
                    .ok_or_else($crate::spec::settings::already_reported)
            }
        }
    )*};
}
use deserialize_with_from_node;

/// The error a setting returns after recording what was wrong.
fn already_reported<E: serde::de::Error>() -> E {
    E::custom(de::REPORTED)
}

/// Records the mistake `kind` at `pos` (worded in `error_kind.rs`).
fn report(pos: Pos, kind: ErrorKind) {
    de::record(ShapeError::new(pos.into(), kind));
}

/// A key a setting's map does not have (`timeout: { conect: 2s }`); `within` names the
/// setting (`timeout`, `files.upload`).
fn unknown_key(key: &Key, allowed: &[&'static str], within: &str) {
    report(
        key.pos,
        ErrorKind::UnknownKey {
            key: key.name.clone(),
            allowed: allowed.to_vec(),
            within: format!("in `{within}`").into(),
            suggestion: did_you_mean(&key.name, allowed),
            x_keys_allowed: false,
        },
    );
}

/// How a setting written in a more specific place (a test; an `idempotency.reject`)
/// combines with the same setting of a more general one (`defaults`; the test). Unless
/// a setting says otherwise, the more specific value replaces the other whole.
pub(super) trait Merge: Sized {
    fn merge(general: Option<Self>, specific: Option<Self>) -> Option<Self> {
        specific.or(general)
    }
}

impl Merge for Timeouts {}
impl Merge for bool {}
impl Merge for HttpVersion {}
impl Merge for Proxies {}
impl Merge for Verify {}
impl Merge for ClientCert {}
impl Merge for Auth {}

/// The request settings of `defaults`, a test or a `reject`, each present only when
/// written (or, for a test's request, when merged in).
#[derive(Debug, Clone, Default)]
pub(super) struct RequestOptions {
    params: Option<Params>,
    headers: Option<Headers>,
    cookies: Option<Cookies>,
    body: Option<Body>,
    auth: Option<Auth>,
    timeout: Option<Timeouts>,
    allow_redirects: Option<bool>,
    http_version: Option<HttpVersion>,
    proxies: Option<Proxies>,
    verify: Option<Verify>,
    cert: Option<ClientCert>,
}

impl RequestOptions {
    /// `self` (the more general settings) with `specific`'s put over it, each setting by
    /// its own rule: `defaults` → a test, and a test → its `idempotency.reject`.
    pub(super) fn merged(self, specific: RequestOptions) -> RequestOptions {
        RequestOptions {
            params: Merge::merge(self.params, specific.params),
            headers: Merge::merge(self.headers, specific.headers),
            cookies: Merge::merge(self.cookies, specific.cookies),
            body: Merge::merge(self.body, specific.body),
            auth: Merge::merge(self.auth, specific.auth),
            timeout: Merge::merge(self.timeout, specific.timeout),
            allow_redirects: Merge::merge(self.allow_redirects, specific.allow_redirects),
            http_version: Merge::merge(self.http_version, specific.http_version),
            proxies: Merge::merge(self.proxies, specific.proxies),
            verify: Merge::merge(self.verify, specific.verify),
            cert: Merge::merge(self.cert, specific.cert),
        }
    }

    /// A test's finished request as the general settings of its `reject`. Its body is
    /// kept as built: a conflict of the test's body keys was reported at the test, and
    /// is not reported again at the `reject`.
    pub(super) fn of(request: &RequestSpec) -> RequestOptions {
        RequestOptions {
            params: Some(Params::from(request.params.clone())),
            headers: Some(Headers::from(request.headers.clone())),
            cookies: Some(Cookies::from(request.cookies.clone())),
            body: Some(Body::from(request.body.clone())),
            auth: request.auth.clone(),
            timeout: Some(request.timeout),
            allow_redirects: Some(request.allow_redirects),
            http_version: request.http_version,
            proxies: request.proxies.clone(),
            verify: Some(request.verify.clone()),
            cert: request.cert.clone(),
        }
    }
}

impl Loader<'_> {
    /// The settings a `defaults`, test or `reject` block wrote; the cross-key checks of
    /// the body are made here, the rest was checked when serde read each key.
    pub(super) fn options(&mut self, o: RawOptions) -> RequestOptions {
        RequestOptions {
            body: body::from_keys(self, o.json, o.data, o.body_file, o.files),
            params: o.params.value(),
            headers: o.headers.value(),
            cookies: o.cookies.value(),
            auth: o.auth.value(),
            timeout: o.timeout.value(),
            allow_redirects: o.allow_redirects.value(),
            http_version: o.http_version.value(),
            proxies: o.proxies.value(),
            verify: o.verify.value(),
            cert: o.cert.value(),
        }
    }

    /// The request merged settings ask for, with the defaults of what no one wrote; `pos`
    /// is where a conflict of the body keys is reported (the test, or its `reject`).
    pub(super) fn request(&mut self, o: RequestOptions, pos: Pos) -> RequestSpec {
        RequestSpec {
            params: o.params.map(Params::into_pairs).unwrap_or_default(),
            headers: o.headers.map(Headers::into_pairs).unwrap_or_default(),
            cookies: o.cookies.map(Cookies::into_pairs).unwrap_or_default(),
            body: o
                .body
                .map(|b| b.build(self, pos))
                .unwrap_or(super::BodySpec::None),
            auth: o.auth,
            timeout: o.timeout.unwrap_or_default(),
            allow_redirects: o.allow_redirects.unwrap_or(true),
            http_version: o.http_version,
            proxies: o.proxies,
            verify: o.verify.unwrap_or_default(),
            cert: o.cert,
            base_dir: self.dir.clone(),
        }
    }
}

/// The settings' unit tests load small specs through the real loader.
#[cfg(test)]
pub(super) mod testing {
    use std::collections::HashMap;
    use std::path::Path;

    use crate::spec::{load_str, LoadContext, RequestSpec, SpecError, Suite};

    pub fn load_in(dir: &Path, yaml: &str) -> Result<Suite, Vec<SpecError>> {
        let vars = HashMap::new();
        let env = |_: &str| None;
        let ctx = LoadContext {
            cli_vars: &vars,
            env: &env,
            listing: false,
        };
        load_str(&dir.join("spec.yaml"), yaml, &ctx)
    }

    /// Loads `yaml` as if it were a file in the repository's root, so that a setting's
    /// relative path can name a file that exists (`Cargo.toml`).
    pub fn load(yaml: &str) -> Result<Suite, Vec<SpecError>> {
        load_in(Path::new(env!("CARGO_MANIFEST_DIR")), yaml)
    }

    /// Owned name–value pairs, as the model holds headers, params and cookies.
    pub fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A spec that must load.
    #[track_caller]
    pub fn suite(yaml: &str) -> Suite {
        match load(yaml) {
            Ok(suite) => suite,
            Err(e) => panic!("{}", messages(&e).join("\n")),
        }
    }

    /// The first test's request.
    #[track_caller]
    pub fn request(yaml: &str) -> RequestSpec {
        suite(yaml).tests.remove(0).request
    }

    /// The messages of a spec that must not load.
    #[track_caller]
    pub fn errors(yaml: &str) -> Vec<String> {
        match load(yaml) {
            Ok(_) => panic!("the spec loaded"),
            Err(e) => messages(&e),
        }
    }

    pub fn messages(errors: &[SpecError]) -> Vec<String> {
        errors
            .iter()
            .map(|e| format!("{}:{}: {}", e.pos.line, e.pos.column, e.message()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use std::time::Duration;

    use super::testing::{errors, pairs, suite};
    use crate::spec::{BodySpec, Timeouts};

    /// `reject` goes over the test's request by the rules `defaults` → test follows.
    #[test]
    fn a_reject_is_merged_over_its_test_as_a_test_over_defaults() {
        let suite = suite(
            "defaults: { headers: { Accept: a } }\ntests:\n  - put: http://h/x\n    headers: { X-A: 1 }\n    json: { a: 1 }\n    timeout: 5s\n    idempotency:\n      reject:\n        headers: { x-a: null, X-B: 2 }\n        timeout: 1s\n",
        );
        let test = &suite.tests[0];
        assert_eq!(
            test.request.headers,
            pairs(&[("Accept", "a"), ("X-A", "1")])
        );
        let reject = test
            .idempotency
            .as_ref()
            .and_then(|i| i.reject.as_ref())
            .map(|r| &r.request);
        let Some(reject) = reject else {
            panic!("no reject");
        };
        assert_eq!(reject.headers, pairs(&[("Accept", "a"), ("X-B", "2")]));
        assert_eq!(reject.body, BodySpec::Json(json!({ "a": 1 })));
        let second = Duration::from_secs(1);
        assert_eq!(
            reject.timeout,
            Timeouts {
                connect: second,
                read: second
            }
        );
    }

    #[test]
    fn a_tests_body_conflict_is_reported_once_not_again_at_its_reject() {
        assert_eq!(
            errors("tests:\n  - put: http://h/x\n    json: 1\n    body_file: Cargo.toml\n    idempotency: { reject: { headers: { A: 1 } } }\n"),
            ["2:5: use at most one of `json`, `data` (a string) and `body_file`"]
        );
    }
}
