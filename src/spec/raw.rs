//! The spec file exactly as written: serde types that mirror the YAML keys. The loader
//! reads them (`de.rs`) and `putcheck schema` describes them (schemars), so the two
//! cannot drift. The request settings are their model types already (`timeout:
//! Field<Timeouts>`): each is read, described and merged by its module in `settings/`.
//! Other values whose shape varies (`status: 200` or `[200, 201]`) stay YAML nodes
//! here, each with a hand-written schema next to it, and are checked by the conversion
//! files, so each part of a wrong value can be pointed at.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::Deserializer;
use serde::Deserialize;

use super::de::{from_node, Entries, Field, Label, List, Spanned, Yaml};
use super::settings::body::{BodyFile, Data, Json};
use super::settings::duration::{DurationOf, MaxTime, RetryInterval};
use super::settings::files::Files;
use super::settings::pairs::{Cookies, Headers, Params};
use super::yaml::Kind;
use super::{Auth, ClientCert, HttpVersion, Proxies, Readback, Timeouts, Verify};

/// A YAML value whose shape the conversion checks; `$schema` is what editors are told.
macro_rules! yaml_value {
    ($(#[$meta:meta])* $name:ident, $schema:tt) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize)]
        pub struct $name(pub Yaml);

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

yaml_value!(
    /// Any value: `vars`.
    AnyValue, {}
);
yaml_value!(
    /// `status`: a code, a class (`2xx`) or a list of them.
    StatusValue,
    {
        "anyOf": [
            { "type": "integer", "minimum": 100, "maximum": 999 },
            { "type": "string", "pattern": "^([1-9][0-9][0-9]|[1-9]xx|[1-9]XX)$" },
            {
                "type": "array",
                "minItems": 1,
                "items": {
                    "anyOf": [
                        { "type": "integer", "minimum": 100, "maximum": 999 },
                        { "type": "string", "pattern": "^([1-9][0-9][0-9]|[1-9]xx|[1-9]XX)$" }
                    ]
                }
            }
        ]
    }
);
yaml_value!(
    /// `version`: `"1.0"`, `"1.1"` or `"2"` (a number is read as its text).
    VersionValue,
    { "anyOf": [ { "enum": ["1.0", "1.1", "2"] }, { "enum": [1.0, 1.1, 2] } ] }
);
yaml_value!(
    /// `reason`: the exact reason phrase.
    ReasonValue, { "type": "string" }
);
yaml_value!(
    /// A plain value (deep equality) or a map of matchers (`{ gte: 1 }`).
    MatcherValue, {}
);
yaml_value!(
    /// `created`: `once`.
    CreatedValue, { "const": "once" }
);

/// Labels for maps of user-chosen names ("expected a map of header names to values").
macro_rules! label {
    ($name:ident, $text:literal) => {
        #[derive(Debug, Clone)]
        pub struct $name;
        impl Label for $name {
            const EXPECTING: &'static str = $text;
        }
    };
}

label!(VarMap, "a map of variable names to values");
label!(HeaderExpectMap, "a map of header names to expected values");
label!(JsonExpectMap, "a map of JSONPaths to expected values");
label!(CaptureMap, "a map of variable names to captures");
label!(TestList, "a list of tests");
label!(NameList, "a list of names");
label!(PathList, "a list of JSONPaths");

impl<V: JsonSchema, L> JsonSchema for Entries<V, L> {
    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let value = generator.subschema_for::<V>();
        json_schema!({ "type": "object", "additionalProperties": value })
    }
}

impl<T: JsonSchema, L> JsonSchema for List<T, L> {
    fn schema_name() -> Cow<'static, str> {
        format!("List_of_{}", T::schema_name()).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let item = generator.subschema_for::<T>();
        json_schema!({ "type": "array", "items": item })
    }
}

/// Wrappers that carry positions: their schema is the wrapped type's.
macro_rules! schema_of_wrapped {
    ($($wrapper:ident),*) => {$(
        impl<T: JsonSchema> JsonSchema for $wrapper<T> {
            fn schema_name() -> Cow<'static, str> {
                T::schema_name()
            }
            fn schema_id() -> Cow<'static, str> {
                T::schema_id()
            }
            fn inline_schema() -> bool {
                T::inline_schema()
            }
            fn json_schema(generator: &mut SchemaGenerator) -> Schema {
                T::json_schema(generator)
            }
        }
    )*};
}
schema_of_wrapped!(Field, Spanned);

/// Declares a struct holding the request options (the keyword arguments of
/// `requests.put`) plus `extra` fields, so `defaults` and a test share one list of keys.
macro_rules! with_request_options {
    ($(#[$meta:meta])* pub struct $name:ident { $($extra:tt)* }) => {
        #[derive(Debug, Default, Deserialize, JsonSchema)]
        #[serde(default, deny_unknown_fields)]
        $(#[$meta])*
        pub struct $name {
            $($extra)*
            /// Query parameters; a list repeats the key, `null` leaves the entry out.
            pub params: Field<Params>,
            /// Request headers (names are case-insensitive).
            pub headers: Field<Headers>,
            /// Cookies, sent as one `Cookie` header.
            pub cookies: Field<Cookies>,
            /// Any value, sent as JSON.
            pub json: Field<Json>,
            /// A map: form fields; a string: the raw body.
            pub data: Field<Data>,
            /// Path (relative to the spec file) of the raw body.
            pub body_file: Field<BodyFile>,
            /// Multipart files: field → path, or `{ path | content, filename, content_type }`.
            pub files: Field<Files>,
            /// `{ basic: [user, password] }` or `{ bearer: token }`.
            pub auth: Field<Auth>,
            /// `5s`, `250ms`, seconds, or `{ connect: 2s, read: 10s }`; default 30s.
            pub timeout: Field<Timeouts>,
            /// Follow redirects (default true, up to 30).
            pub allow_redirects: Field<bool>,
            /// `"1.1"` (default), `"2"` (HTTP/2 only: ALPN `h2` over https, h2c with prior
            /// knowledge over http) or `auto` (over https, what the server picks).
            pub http_version: Field<HttpVersion>,
            /// `{ http: URL, https: URL }`; without it the proxy environment variables apply.
            pub proxies: Field<Proxies>,
            /// true (default), false, or a path to a CA bundle (PEM).
            pub verify: Field<Verify>,
            /// A client certificate: one PEM with certificate and key, or `[cert.pem, key.pem]`.
            pub cert: Field<ClientCert>,
        }

    };
}

/// `take_options` for the structs that hold request options beside keys of their own.
macro_rules! impl_take_options {
    ($name:ident) => {
        impl $name {
            /// Moves the request options out, leaving the other keys.
            pub fn take_options(&mut self) -> RawOptions {
                RawOptions {
                    params: std::mem::take(&mut self.params),
                    headers: std::mem::take(&mut self.headers),
                    cookies: std::mem::take(&mut self.cookies),
                    json: std::mem::take(&mut self.json),
                    data: std::mem::take(&mut self.data),
                    body_file: std::mem::take(&mut self.body_file),
                    files: std::mem::take(&mut self.files),
                    auth: std::mem::take(&mut self.auth),
                    timeout: std::mem::take(&mut self.timeout),
                    allow_redirects: std::mem::take(&mut self.allow_redirects),
                    http_version: std::mem::take(&mut self.http_version),
                    proxies: std::mem::take(&mut self.proxies),
                    verify: std::mem::take(&mut self.verify),
                    cert: std::mem::take(&mut self.cert),
                }
            }
        }
    };
}

with_request_options!(
    /// `defaults:`: request options merged into every test of the file.
    #[serde(expecting = "a map of request options")]
    #[serde(rename(deserialize = "defaults"))] // its place, for `de.rs`
    #[schemars(rename = "RawOptions")] // the schema keeps its names
    #[schemars(transform = allow_merge_keys)]
    pub struct RawOptions {}
);

with_request_options!(
    /// One entry of `tests:` or `finally:`: exactly one method key names the request.
    #[serde(expecting = "a test: a map with a method key such as `put: URL`")]
    #[serde(rename(deserialize = "test"))] // its place, for `de.rs`
    #[schemars(rename = "RawTest")] // the schema keeps its names
    #[schemars(transform = test_transform)]
    pub struct RawTest {
        /// Default: the method and URL.
        pub name: Field<String>,
        /// PUT this URL (absolute, or a path joined to `base_url`); sent more than once.
        pub put: Field<String>,
        /// GET this URL: a setup or read-back step.
        pub get: Field<String>,
        /// DELETE this URL: a setup or clean-up step.
        pub delete: Field<String>,
        /// POST to this URL: a setup step.
        pub post: Field<String>,
        /// PATCH this URL: a setup step.
        pub patch: Field<String>,
        /// What every send must answer.
        pub expect: Field<RawExpect>,
        /// `false`, `true`, or a map of settings; on by default for `put`.
        pub idempotency: Field<RawIdempotency>,
        /// Values from the response, as variables for the tests after this one.
        pub capture: Field<Entries<RawCapture, CaptureMap>>,
        /// Run the whole test again if it fails: `{ count: 3, interval: 500ms }`.
        pub retry: Field<RawRetry>,
        /// Bodies generated from a JSON Schema, each checked as if written in `json:`.
        pub generate: Field<RawGenerate>,
    }
);

impl_take_options!(RawTest);
impl_take_options!(RawReject);

pub const METHOD_KEYS: &[&str] = &["put", "get", "delete", "post", "patch"];

fn allow_merge_keys(schema: &mut Schema) {
    schema.insert(
        "patternProperties".into(),
        serde_json::json!({ "^<<$": {} }),
    );
}

/// `x-` keys are allowed, and exactly one method key.
fn test_transform(schema: &mut Schema) {
    schema.insert(
        "patternProperties".into(),
        serde_json::json!({ "^x-": {}, "^<<$": {} }),
    );
    let one_of: Vec<serde_json::Value> = METHOD_KEYS
        .iter()
        .map(|m| serde_json::json!({ "required": [m] }))
        .collect();
    schema.insert("oneOf".into(), serde_json::Value::Array(one_of));
}

fn suite_transform(schema: &mut Schema) {
    schema.insert("patternProperties".into(), serde_json::json!({ "^x-": {} }));
    schema.insert("required".into(), serde_json::json!(["tests"]));
}

/// A spec file.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[serde(expecting = "a spec file: a map with a `tests:` list")]
#[serde(rename(deserialize = "spec"))] // its place, for `de.rs`
#[schemars(rename = "RawSuite")] // the schema keeps its names
#[schemars(title = "putcheck spec file", transform = suite_transform)]
pub struct RawSuite {
    /// Default: the file's path.
    pub name: Field<String>,
    /// Joined to the paths of `put:` and the other method keys.
    pub base_url: Field<String>,
    /// Variables, usable as `${name}`.
    pub vars: Field<Entries<AnyValue, VarMap>>,
    /// Names whose values never print.
    pub secrets: Field<List<Spanned<String>, NameList>>,
    pub defaults: Field<RawOptions>,
    /// Let this file's tests run concurrently.
    pub parallel: Field<bool>,
    #[schemars(length(min = 1))]
    pub tests: Field<List<Field<RawTest>, TestList>>,
    /// Steps that always run last.
    pub finally: Field<List<Field<RawTest>, TestList>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[serde(
    expecting = "a map of expectations (status, reason, version, headers, json, body, max_time, schema)"
)]
#[serde(rename(deserialize = "expect"))] // its place, for `de.rs`
#[schemars(rename = "RawExpect")] // the schema keeps its names
pub struct RawExpect {
    /// `200`, `[200, 204]` or `"2xx"`.
    pub status: Field<StatusValue>,
    /// The reason phrase on the status line, exactly (HTTP/1.x only: HTTP/2 has none).
    pub reason: Field<ReasonValue>,
    /// The HTTP version the response came in on: `"1.1"`, `"2"` (or `"1.0"`).
    pub version: Field<VersionValue>,
    /// Header name → value or matcher.
    pub headers: Field<Entries<MatcherValue, HeaderExpectMap>>,
    /// JSONPath (RFC 9535) → value or matcher (`{ type: integer, gte: 1 }`).
    pub json: Field<Entries<MatcherValue, JsonExpectMap>>,
    /// The raw body: equal, or `{ contains: ... }` / `{ matches: ... }`.
    pub body: Field<MatcherValue>,
    /// Each send must be at least this fast.
    pub max_time: Field<DurationOf<MaxTime>>,
    /// Path (relative to the spec file) of a JSON Schema the body must meet.
    pub schema: Field<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[serde(expecting = "a map: `{ count: 3, interval: 500ms }`")]
#[serde(rename(deserialize = "retry"))] // its place, for `de.rs`
#[schemars(rename = "RawRetry")] // the schema keeps its names
pub struct RawRetry {
    #[schemars(required)]
    pub count: Field<u32>,
    pub interval: Field<DurationOf<RetryInterval>>,
}

yaml_value!(
    /// `generate.schema`: a path (relative to the spec file) of a JSON Schema, or the
    /// schema itself.
    SchemaValue, { "type": ["string", "object", "boolean"] }
);

/// `generate:`: request bodies made from a JSON Schema.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[serde(expecting = "a map: `{ schema: widget.json, count: 20, invalid: 5 }`")]
#[serde(rename(deserialize = "generate"))] // its place, for `de.rs`
#[schemars(rename = "RawGenerate")] // the schema keeps its names
pub struct RawGenerate {
    /// The JSON Schema of the request body: a path relative to the spec file, or inline.
    #[schemars(required)]
    pub schema: Field<SchemaValue>,
    /// Valid bodies to send, each through the test's whole check (default 20).
    #[schemars(range(min = 1, max = 10000))]
    pub count: Field<u32>,
    /// Bodies that break the schema, each sent as a `reject` probe (default 0).
    #[schemars(range(max = 10000))]
    pub invalid: Field<u32>,
    /// `full` (default): integers anywhere in the schema's range, up to 2^63 and past;
    /// `safe`: within ±(2^53 − 1), for a server that reads JSON numbers as doubles.
    pub integers: Field<IntegersValue>,
}

yaml_value!(
    /// `generate.integers`: `full` or `safe`.
    IntegersValue, { "enum": ["full", "safe"] }
);

/// A capture: `{ header: NAME }` or `{ json: JSONPATH }`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[serde(expecting = "a capture: `{ header: NAME }` or `{ json: JSONPATH }`")]
#[serde(rename(deserialize = "capture"))] // its place, for `de.rs`
#[schemars(rename = "RawCapture")] // the schema keeps its names
#[schemars(transform = one_capture_source)]
pub struct RawCapture {
    pub header: Field<String>,
    pub json: Field<String>,
}

fn one_capture_source(schema: &mut Schema) {
    schema.insert(
        "oneOf".into(),
        serde_json::json!([{ "required": ["header"] }, { "required": ["json"] }]),
    );
}

/// `idempotency:` as a map.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[serde(expecting = "`false`, `true`, or a map of idempotency settings")]
#[serde(rename(deserialize = "idempotency"))] // its place, for `de.rs`
#[schemars(rename = "RawIdempotencyBlock")] // the schema keeps its names
pub struct RawIdempotencyBlock {
    /// Total sends.
    #[schemars(range(min = 1, max = 1000))]
    pub repeat: Field<u32>,
    /// JSONPaths left out of the comparison.
    pub ignore: Field<List<Spanned<String>, PathList>>,
    /// Response headers that must be equal across sends.
    pub headers: Field<List<Spanned<String>, NameList>>,
    /// `true`: GET the URL afterwards, it must hold what was sent; `exact`: equal it.
    pub readback: Field<Readback>,
    /// Fields the server adds, left out of `readback: exact`.
    pub server_fields: Field<List<Spanned<String>, PathList>>,
    /// `once`: only the first send may answer 201 Created.
    pub created: Field<CreatedValue>,
    /// Send once more with a stale `If-Match`: it must answer 412.
    pub conditional: Field<bool>,
    /// A variant of the request that must be refused and change nothing.
    pub reject: Field<RawReject>,
    pub concurrent: Field<bool>,
    /// End with the lifecycle: DELETE (2xx), GET (404/410), DELETE again (2xx/404), GET.
    pub delete: Field<bool>,
}

with_request_options!(
    /// `idempotency.reject`: request options overriding the test's, and what the refusal
    /// must look like (default `status: 4xx`).
    #[serde(expecting = "a map of request options and `expect`")]
    #[serde(rename(deserialize = "idempotency.reject"))] // its place, for `de.rs`
    #[schemars(rename = "RawReject")] // the schema keeps its names
    pub struct RawReject {
        pub expect: Field<RawExpect>,
    }
);

/// `idempotency: false`, `true`, or a block of settings.
#[derive(Debug)]
pub enum RawIdempotency {
    Switch(bool),
    Block(Box<RawIdempotencyBlock>),
}

impl<'de> Deserialize<'de> for RawIdempotency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Yaml(node) = Yaml::deserialize(d)?;
        match &node.kind {
            Kind::Bool(b) => Ok(RawIdempotency::Switch(*b)),
            _ => from_node::<RawIdempotencyBlock>(&node)
                .map(|b| RawIdempotency::Block(Box::new(b)))
                .ok_or_else(|| serde::de::Error::custom(super::de::REPORTED)),
        }
    }
}

impl JsonSchema for RawIdempotency {
    fn schema_name() -> Cow<'static, str> {
        "Idempotency".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let block = generator.subschema_for::<RawIdempotencyBlock>();
        json_schema!({ "anyOf": [{ "type": "boolean" }, block] })
    }
}
