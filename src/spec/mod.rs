//! Spec files → validated model. Everything that can be checked without sending a request
//! is checked here, and every error carries its file, line and column.

mod capture;
mod convert;
mod de;
mod error;
mod error_kind;
mod expect;
mod generate;
mod idempotency;
mod matcher;
mod raw;
mod render;
pub mod schema;
mod settings;
pub mod template;
mod variables;
mod yaml;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

pub use convert::{load_file, load_str, LoadContext};
pub use error::{did_you_mean, SpecError};
pub use error_kind::{ErrorKind, SchemaSource};
// The transport's vocabulary, which the model uses as it is: http does not import spec.
pub use crate::http::{
    Auth, ClientCert, FilePart, FileSource, HttpVersion, Proxies, Timeouts, Verify, DEFAULT_TIMEOUT,
};

/// A 1-based line and column in a spec file.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

/// The stretch of a spec file a diagnostic underlines: `start` up to `end` (exclusive).
/// An `end` at or before `start` (a place without a width) is shown as one caret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl From<Pos> for Span {
    fn from(pos: Pos) -> Span {
        Span {
            start: pos,
            end: pos,
        }
    }
}

/// One spec file: a suite of tests run in order.
#[derive(Debug)]
pub struct Suite {
    /// The path as the user named it (relative paths stay relative in reports).
    pub path: PathBuf,
    /// The file's text as it was loaded: the snippets of run-time failures and the
    /// test a `generate:` failure reproduces are cut from it, so what is shown is what
    /// ran, even if the file changed on disk since.
    pub source: Arc<str>,
    pub name: String,
    pub base_url: Option<String>,
    /// `vars:` in file order; values are templates, rendered when the suite starts.
    pub vars: Vec<(String, Value)>,
    /// Names whose values never print.
    pub secrets: Vec<String>,
    /// `(name, fallback)` of each `${NAME:-fallback}` whose NAME is a secret: a
    /// fallback of a secret is a secret too.
    pub secret_fallbacks: Vec<(String, String)>,
    pub parallel: bool,
    pub tests: Vec<TestSpec>,
    pub finally: Vec<TestSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Put,
    Get,
    Delete,
    Post,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        crate::http::Method::from(self).as_str()
    }

    /// The method named (any case: `PUT`, `put`), if a spec step can send it.
    pub fn from_name(name: &str) -> Option<Method> {
        match name.to_ascii_uppercase().as_str() {
            "PUT" => Some(Method::Put),
            "GET" => Some(Method::Get),
            "DELETE" => Some(Method::Delete),
            "POST" => Some(Method::Post),
            "PATCH" => Some(Method::Patch),
            _ => None,
        }
    }

    /// The key a test names it with: `put`, `get`, ...
    pub fn key(self) -> &'static str {
        match self {
            Method::Put => "put",
            Method::Get => "get",
            Method::Delete => "delete",
            Method::Post => "post",
            Method::Patch => "patch",
        }
    }
}

/// A spec's method as the transport names it.
impl From<Method> for crate::http::Method {
    fn from(method: Method) -> Self {
        match method {
            Method::Put => crate::http::Method::Put,
            Method::Get => crate::http::Method::Get,
            Method::Delete => crate::http::Method::Delete,
            Method::Post => crate::http::Method::Post,
            Method::Patch => crate::http::Method::Patch,
        }
    }
}

/// One test (or `finally` step), with `defaults` already merged in.
#[derive(Debug)]
pub struct TestSpec {
    /// As written, or `METHOD URL` (the URL as written) for a step without a name.
    pub name: String,
    /// Whether the spec gave a name; reports label an unnamed step by its method and
    /// its URL with variables filled in.
    pub named: bool,
    pub pos: Pos,
    pub method: Method,
    /// URL template: absolute, or a path joined to `base_url`.
    pub url: String,
    pub request: RequestSpec,
    pub expect: Expect,
    /// `None`: sent once. `Some`: sent `repeat` times and compared.
    pub idempotency: Option<Idempotency>,
    pub capture: Vec<Capture>,
    pub retry: Option<Retry>,
    /// `generate:`: bodies made from a JSON Schema instead of (after) the written one.
    pub generate: Option<Box<Generate>>,
    /// The variables the test refers to (so a filter can keep the captures it needs).
    pub uses: Vec<String>,
}

/// Request options; strings are templates until the runner renders them.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    pub params: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub cookies: Vec<(String, String)>,
    pub body: BodySpec,
    pub auth: Option<Auth>,
    pub timeout: Timeouts,
    pub allow_redirects: bool,
    /// `None`: the run's default (`--http2`, `--http1.1`, else HTTP/1.1).
    pub http_version: Option<HttpVersion>,
    pub proxies: Option<Proxies>,
    pub verify: Verify,
    pub cert: Option<ClientCert>,
    /// The spec file's folder: a path written with variables is resolved against it
    /// once the variables are filled in.
    pub base_dir: PathBuf,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BodySpec {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
    Raw(String),
    File(PathBuf),
    Multipart {
        fields: Vec<(String, String)>,
        files: Vec<FilePart>,
    },
}

/// `expect:`; every part is optional.
#[derive(Debug, Default)]
pub struct Expect {
    pub status: Option<(Vec<StatusPattern>, Pos)>,
    pub reason: Option<(String, Pos)>,
    /// `1.0`, `1.1` or `2`.
    pub version: Option<(String, Pos)>,
    pub headers: Vec<HeaderExpect>,
    pub json: Vec<JsonExpect>,
    pub body: Option<(Matcher, Pos)>,
    pub max_time: Option<(Duration, Pos)>,
    pub schema: Option<SchemaExpect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusPattern {
    Code(u16),
    /// `"2xx"`: the hundreds digit.
    Class(u16),
}

impl StatusPattern {
    pub fn matches(self, status: u16) -> bool {
        match self {
            StatusPattern::Code(c) => c == status,
            StatusPattern::Class(c) => status / 100 == c,
        }
    }
}

impl std::fmt::Display for StatusPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusPattern::Code(c) => write!(f, "{c}"),
            StatusPattern::Class(c) => write!(f, "{c}xx"),
        }
    }
}

#[derive(Debug)]
pub struct HeaderExpect {
    pub name: String,
    pub matcher: Matcher,
    pub pos: Pos,
}

#[derive(Debug)]
pub struct JsonExpect {
    pub path: JsonPath,
    pub matcher: Matcher,
    pub pos: Pos,
}

#[derive(Debug)]
pub struct SchemaExpect {
    pub path: PathBuf,
    pub validator: Arc<jsonschema::Validator>,
    pub pos: Pos,
}

/// A JSONPath (RFC 9535) compiled once when the spec loads.
#[derive(Clone)]
pub struct JsonPath {
    pub source: String,
    pub query: Arc<jsonpath_rust::parser::model::JpQuery>,
}

impl std::fmt::Debug for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

impl JsonPath {
    pub fn parse(source: &str) -> Result<Self, String> {
        jsonpath_rust::parser::parse_json_path(source)
            .map(|q| JsonPath {
                source: source.to_string(),
                query: Arc::new(q),
            })
            .map_err(|e| {
                let mut msg = format!(
                    "invalid JSONPath `{source}`: {}",
                    path_error(&e.to_string())
                );
                if !source.starts_with('$') {
                    msg.push_str("; a path starts with `$`");
                } else if source.contains('-') || source.contains(' ') {
                    msg.push_str(
                        "; a member name with a hyphen or space needs brackets, \
                         as in $.headers['Content-Type']",
                    );
                }
                msg
            })
    }

    /// Every node the path selects, with its normalized path.
    pub fn select<'a>(&self, value: &'a Value) -> Vec<(String, &'a Value)> {
        jsonpath_rust::query::js_path_process(&self.query, value)
            .map(|refs| refs.into_iter().map(|r| (r.path, r.val)).collect())
            .unwrap_or_default()
    }
}

/// pest's multi-line error, cut to "expected … at character N".
fn path_error(s: &str) -> String {
    let at = s
        .split("--> 1:")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .filter(|n| !n.is_empty());
    let what = s
        .lines()
        .filter_map(|l| l.trim().strip_prefix("= "))
        .next_back()
        .map(str::to_string)
        .unwrap_or_else(|| s.lines().next().unwrap_or_default().trim().to_string());
    match at {
        Some(n) => format!("{what} at character {n}"),
        None => what,
    }
}

/// What a value must be: a plain value (deep equality) or a set of predicates.
#[derive(Debug, Clone)]
pub enum Matcher {
    Equals(Value),
    All(Vec<Predicate>),
}

#[derive(Debug, Clone)]
pub enum Predicate {
    Eq(Value),
    Ne(Value),
    Matches(Pattern),
    Contains(Value),
    Type(JsonType),
    Exists(bool),
    Length(Box<Matcher>),
    Gt(Value),
    Gte(Value),
    Lt(Value),
    Lte(Value),
    OneOf(Vec<Value>),
    Every(Box<Matcher>),
}

/// A regex from the spec; compiled at load time unless it contains variables.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    pub regex: Option<regex::Regex>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Null,
}

impl JsonType {
    pub const NAMES: &'static [&'static str] = &[
        "string", "number", "integer", "boolean", "array", "object", "null",
    ];

    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Array => "array",
            JsonType::Object => "object",
            JsonType::Null => "null",
        }
    }

    /// The most specific type of a value (`integer` before `number`).
    pub fn of(v: &Value) -> JsonType {
        match v {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }

    pub fn admits(self, v: &Value) -> bool {
        let actual = JsonType::of(v);
        actual == self || (self == JsonType::Number && actual == JsonType::Integer)
    }
}

#[derive(Debug, Clone)]
pub struct Idempotency {
    /// Total sends; `None` takes the run's `--repeat`.
    pub repeat: Option<u32>,
    pub ignore: Vec<JsonPath>,
    pub headers: Vec<String>,
    /// `readback`: whether to GET the URL after the sends, and what it must hold.
    pub readback: Readback,
    /// Fields the server adds, left out of `readback: exact`.
    pub server_fields: Vec<JsonPath>,
    /// `created: once`: only the first send may answer 201 Created.
    pub created_once: bool,
    /// `conditional: true`: one more send with a stale `If-Match` must answer 412.
    pub conditional: bool,
    /// `reject:`: a variant of the request that must be refused and change nothing.
    pub reject: Option<Reject>,
    pub concurrent: bool,
    /// `delete: true`: the lifecycle probe ends the check (DELETE, GET, DELETE, GET).
    pub delete: bool,
}

/// `idempotency.readback`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Readback {
    /// `false` (or left out): no read-back.
    #[default]
    Off,
    /// `true`: the GET must hold every field that was sent.
    Contains,
    /// `exact`: the GET must equal what was sent (minus `ignore` and `server_fields`).
    Exact,
}

impl Readback {
    /// Whether the URL is read back at all.
    pub fn is_on(self) -> bool {
        self != Readback::Off
    }
}

/// `generate:`: the schema of the request body and how many bodies to make from it.
#[derive(Debug, Clone)]
pub struct Generate {
    pub schema: Arc<Value>,
    /// The same schema compiled (formats checked): every generated body is validated
    /// before it is sent.
    pub validator: Arc<jsonschema::Validator>,
    /// The schema's file as written, or `inline`.
    pub source: String,
    /// Valid bodies (default 20).
    pub count: u32,
    /// Invalid bodies, each sent as a `reject` probe.
    pub invalid: u32,
    /// `integers: safe`: valid bodies keep integers within ±(2^53 − 1).
    pub safe_integers: bool,
    pub pos: Pos,
}

pub const DEFAULT_GENERATE_COUNT: u32 = 20;

/// `idempotency.reject`: the test's request with some options overridden.
#[derive(Debug, Clone)]
pub struct Reject {
    pub request: RequestSpec,
    /// Defaults to `status: 4xx` when the spec gives none.
    pub expect: Arc<Expect>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Capture {
    pub name: String,
    pub source: CaptureSource,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub enum CaptureSource {
    Header(String),
    Json(JsonPath),
}

#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub count: u32,
    pub interval: Duration,
}
