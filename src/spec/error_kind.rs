//! Every mistake a spec file can hold, as data, and the one place that words them: the
//! message (`Display`) and the help line ([`ErrorKind::help`]). The loader says *which*
//! mistake it found and where; how it reads is decided here, so one mistake is phrased
//! one way whichever path found it.

use std::fmt;
use std::path::PathBuf;

/// What "add a test" looks like, for the errors about a missing or empty `tests:`.
const ADD_A_TEST: &str = "add `tests:` with at least one test, such as `- put: /items/1`";
/// Help for a path that could not be read.
const RELATIVE_PATHS: &str = "paths are relative to the spec file's folder";

/// Which schema a schema error is about.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaSource {
    /// `expect.schema` or `generate.schema` naming a file.
    File(PathBuf),
    /// `generate.schema` written inline.
    Inline,
}

impl fmt::Display for SchemaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaSource::File(path) => write!(f, "the schema `{}`", path.display()),
            SchemaSource::Inline => f.write_str("the inline schema of `generate`"),
        }
    }
}

/// One mistake in a spec file.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    // The file as a whole.
    /// The spec file itself cannot be read.
    CannotReadSpec {
        reason: String,
    },
    /// Nothing but white space and comments.
    EmptyFile,
    /// `tests: []`.
    EmptyTests,
    /// No `tests:` key at all.
    MissingTests,

    // YAML syntax.
    /// The parser stopped; `quote_variables` when the line has a `${...}` inside a flow
    /// collection (the usual cause).
    InvalidYaml {
        reason: String,
        quote_variables: bool,
    },
    TabInIndentation,
    AliasBomb {
        limit: usize,
    },
    DuplicateKey {
        key: String,
        first_line: u64,
    },

    // Shapes and keys.
    /// A key that has no meaning where it is written.
    UnknownKey {
        key: String,
        allowed: Vec<&'static str>,
        /// `in a test`, `in \`expect\``: where the key was written.
        within: Box<str>,
        suggestion: Option<&'static str>,
        /// Whether `x-` keys are ignored in this place (said when nothing is close).
        x_keys_allowed: bool,
    },
    /// A value of the wrong type or form. `key` names the setting when the message is
    /// clearer with it (`for \`status\``).
    WrongShape {
        expected: String,
        found: String,
        key: Option<String>,
    },
    /// An item of a list of the wrong type or form (`params: { tag: [a, {}] }`).
    WrongItem {
        expected: &'static str,
        list: String,
        found: String,
    },
    /// `yes`/`no`/`on`/`off` where a boolean goes: a string in YAML 1.2.
    Yaml11Boolean {
        expected: String,
        found: String,
    },
    /// A required key is not there.
    MissingKey {
        key: &'static str,
        /// `in \`retry\``: the map that needs it.
        within: &'static str,
        /// A complete example of the map, for the help line.
        example: Option<&'static str>,
    },
    /// `reason:` is not a string.
    ReasonNotAString {
        found: String,
    },
    /// `version:` is not one of the HTTP versions.
    UnknownHttpVersion {
        found: String,
    },

    // Tests.
    TwoMethodKeys {
        first: &'static str,
        second: &'static str,
    },
    NoMethodKey {
        keys: &'static [&'static str],
    },
    CaptureInParallel {
        test: String,
    },
    CaptureBothSources {
        name: String,
    },
    CaptureNoSource {
        name: String,
    },

    // URLs, paths and files.
    UrlScheme {
        key: String,
        scheme: String,
    },
    InvalidUrl {
        key: String,
        reason: String,
    },
    PathNotFound {
        what: String,
        path: PathBuf,
    },
    CannotReadSchema {
        schema: SchemaSource,
        reason: String,
    },
    SchemaNotJson {
        schema: SchemaSource,
        reason: String,
    },
    InvalidSchema {
        schema: SchemaSource,
        reason: String,
    },
    InvalidJsonPath {
        reason: String,
    },

    // Matchers.
    /// A literal map key that looks like a misspelt matcher (`{ lenght: 3 }`).
    MisspeltMatcher {
        key: String,
        matcher: &'static str,
    },
    /// A non-matcher key beside matcher keys (`{ type: string, lenght: 3 }`).
    NotAMatcher {
        key: String,
        suggestion: Option<&'static str>,
        matchers: &'static [&'static str],
    },
    UnknownType {
        given: String,
        types: &'static [&'static str],
        suggestion: Option<&'static str>,
    },
    InvalidRegex {
        pattern: String,
        reason: String,
    },

    // Generated bodies.
    GenerateNotPut {
        method: String,
    },
    GenerateWithOtherBody,
    GenerateCount {
        key: &'static str,
        min: u32,
        max: u32,
        found: u32,
    },
    /// `generate.integers` is neither `full` nor `safe`.
    GenerateIntegers {
        found: String,
    },

    // Variables.
    UndefinedVariable {
        name: String,
        /// A defined name close to it (a typo).
        suggestion: Option<String>,
        /// The test that captures it, when one does but runs later.
        captured_later_by: Option<String>,
    },

    /// A message read back from a JSON report (`merge-reports`): worded when it was
    /// written, by this same code.
    Recorded {
        message: String,
        help: Option<String>,
    },

    // Request settings (`settings/`).
    /// A duration setting (`timeout`, `max_time`, `retry.interval`) that is not one;
    /// `or_map`: `timeout`, which may also be a map.
    NotADuration {
        key: String,
        or_map: bool,
        found: String,
    },
    /// An `http_version` that is not one of the three.
    RequestHttpVersion {
        found: String,
    },
    /// A header value with a character outside Latin-1.
    HeaderNotLatin1 {
        header: String,
        character: char,
    },
    /// `files.NAME` with both or neither of `path` and `content`.
    FilePartSource {
        field: String,
    },
    /// `json`, raw `data` and `body_file` together.
    TwoBodies,
    /// `json` beside `data` as a map (form fields).
    JsonAndForm,
    /// `files` beside a body other than form fields.
    FilesWithOtherBody,

    // `idempotency`.
    RepeatCount {
        found: u32,
    },
    ReadbackValue {
        found: String,
    },
    CreatedValue {
        found: String,
    },
    ServerFieldsWithoutExact,
    /// A JSONPath of `idempotency.ignore` or `idempotency.server_fields`.
    InvalidIdempotencyPath {
        key: &'static str,
        reason: String,
    },

    /// A message worded by serde's own derived code (`invalid length 3, expected …`),
    /// which putcheck's deserializer receives as text.
    Serde {
        message: String,
    },
}

/// `expected X for `key`, found Y`: every wrong-shape message reads like this.
fn expected_found(
    f: &mut fmt::Formatter<'_>,
    expected: &str,
    key: Option<&str>,
    found: &str,
) -> fmt::Result {
    match key {
        Some(key) => write!(f, "expected {expected} for `{key}`, found {found}"),
        None => write!(f, "expected {expected}, found {found}"),
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorKind as K;
        match self {
            K::CannotReadSpec { reason } => write!(f, "cannot read the file: {reason}"),
            K::EmptyFile => {
                f.write_str("the file is empty; a spec file needs a non-empty `tests:` list")
            }
            K::EmptyTests => f.write_str("`tests:` is empty; a spec file needs at least one test"),
            K::MissingTests => f.write_str("a spec file needs a non-empty `tests:` list"),
            K::InvalidYaml { reason, .. } => write!(f, "invalid YAML: {reason}"),
            K::TabInIndentation => {
                f.write_str("a tab in indentation; YAML indents with spaces only")
            }
            K::AliasBomb { limit } => {
                write!(f, "aliases here expand to more than {limit} values")
            }
            K::DuplicateKey { key, first_line } => write!(
                f,
                "duplicate key `{key}`: a key may appear once in a map (first at line {first_line})"
            ),
            K::UnknownKey {
                key,
                allowed,
                within,
                ..
            } => write!(
                f,
                "unknown key `{key}` {within}; allowed here: {}",
                allowed.join(", ")
            ),
            K::WrongShape {
                expected,
                found,
                key,
            } => expected_found(f, expected, key.as_deref(), found),
            K::WrongItem {
                expected,
                list,
                found,
            } => write!(f, "expected {expected} in `{list}`, found {found}"),
            K::Yaml11Boolean { expected, found } => expected_found(f, expected, None, found),
            K::MissingKey { key, within, .. } => write!(f, "`{key}` is required {within}"),
            K::ReasonNotAString { found } => expected_found(
                f,
                "the exact phrase from the status line, a string such as `OK`,",
                Some("reason"),
                found,
            ),
            K::UnknownHttpVersion { found } => {
                expected_found(f, "\"1.1\", \"2\" or \"1.0\"", Some("version"), found)
            }
            K::TwoMethodKeys { first, second } => write!(
                f,
                "a test has exactly one method key; this one has `{first}` and `{second}`"
            ),
            K::NoMethodKey { keys } => {
                write!(f, "this test has no method key ({})", keys.join(", "))
            }
            K::CaptureInParallel { test } => write!(
                f,
                "test `{test}` captures values, but the file has `parallel: true`"
            ),
            K::CaptureBothSources { name } => write!(
                f,
                "capture `{name}` has both `header` and `json`; a capture takes one value"
            ),
            K::CaptureNoSource { name } => {
                write!(f, "capture `{name}` says neither where nor what to capture")
            }
            K::UrlScheme { key, scheme } => {
                write!(f, "`{key}` has the scheme `{scheme}`; putcheck sends HTTP")
            }
            K::InvalidUrl { key, reason } => write!(f, "`{key}` is not a valid URL: {reason}"),
            K::PathNotFound { what, path } => {
                write!(f, "{what} `{}` does not exist", path.display())
            }
            K::CannotReadSchema { schema, reason } => write!(f, "cannot read {schema}: {reason}"),
            K::SchemaNotJson { schema, reason } => {
                write!(f, "{schema} is not valid JSON: {reason}")
            }
            K::InvalidSchema { schema, reason } => {
                write!(f, "{schema} is not a valid JSON Schema: {reason}")
            }
            K::InvalidJsonPath { reason } => f.write_str(reason),
            K::MisspeltMatcher { key, matcher } => {
                write!(f, "`{key}` is not a matcher; did you mean `{matcher}`?")
            }
            K::NotAMatcher { key, matchers, .. } => write!(
                f,
                "`{key}` is not a matcher, but this map also has matcher keys; matchers are: {}",
                matchers.join(", ")
            ),
            K::UnknownType { given, types, .. } => {
                write!(f, "unknown type `{given}`; types are: {}", types.join(", "))
            }
            K::InvalidRegex { pattern, reason } => write!(f, "invalid regex `{pattern}`: {reason}"),
            K::GenerateNotPut { method } => {
                write!(f, "`generate` makes PUT bodies; this test is a `{method}`")
            }
            K::GenerateWithOtherBody => f.write_str(
                "`generate` makes JSON bodies, but this test sends `data`, `files` or `body_file`",
            ),
            K::GenerateCount {
                key,
                min,
                max,
                found,
            } => write!(
                f,
                "`generate.{key}` is a number of bodies, {min} to {max}; found {found}"
            ),
            K::GenerateIntegers { found } => {
                expected_found(f, "`full` or `safe`", Some("generate.integers"), found)
            }
            K::UndefinedVariable { name, .. } => write!(f, "undefined variable `{name}`"),
            K::NotADuration { key, or_map, found } => write!(
                f,
                "`{key}` must be a duration such as `5s`, `250ms` or a number of seconds{}, found {found}",
                if *or_map { ", or `{ connect: 2s, read: 10s }`" } else { "" }
            ),
            K::RequestHttpVersion { found } => {
                expected_found(f, "\"1.1\", \"2\" or auto", Some("http_version"), found)
            }
            K::HeaderNotLatin1 { header, character } => write!(
                f,
                "the value of header `{header}` has `{character}`, which Latin-1 cannot encode; header values are sent as Latin-1, as requests sends them (RFC 9110, section 5.5)"
            ),
            K::FilePartSource { field } => {
                write!(f, "`files.{field}` needs exactly one of `path` and `content`")
            }
            K::JsonAndForm => f.write_str("`json` and `data` both give the body; use one of them"),
            K::TwoBodies => {
                f.write_str("use at most one of `json`, `data` (a string) and `body_file`")
            }
            K::FilesWithOtherBody => f.write_str(
                "`files` makes a multipart body, which goes with `data` as a map only, not with `json`, raw `data` or `body_file`",
            ),
            K::RepeatCount { found } => write!(
                f,
                "`idempotency.repeat` is the number of sends, 1 to 1000; found {found}"
            ),
            K::ReadbackValue { found } => write!(
                f,
                "`idempotency.readback` must be `true`, `false` or `exact`; found {found}"
            ),
            K::CreatedValue { found } => {
                write!(f, "`idempotency.created` must be `once`; found {found}")
            }
            K::ServerFieldsWithoutExact => {
                f.write_str("`idempotency.server_fields` only applies to `readback: exact`")
            }
            K::InvalidIdempotencyPath { key, reason } => {
                write!(f, "in `idempotency.{key}`: {reason}")
            }
            K::Recorded { message, .. } => f.write_str(message),
            K::Serde { message } => f.write_str(message),
        }
    }
}

impl ErrorKind {
    /// The line under the snippet: "did you mean", or what to do next.
    pub fn help(&self) -> Option<String> {
        use ErrorKind as K;
        let text = |s: &str| Some(s.to_string());
        match self {
            K::CannotReadSpec { .. } => text("check the path and that the file is UTF-8 text"),
            K::EmptyFile | K::EmptyTests | K::MissingTests => text(ADD_A_TEST),
            K::InvalidYaml {
                quote_variables: true,
                ..
            } => text("inside `[...]` or `{...}`, quote a value that holds `${...}`: [\"${dir}/a.pem\"]"),
            K::InvalidYaml { .. } => None,
            K::TabInIndentation => text("replace the tab with spaces"),
            K::AliasBomb { .. } => text(
                "a spec file this size is a mistake (or an alias bomb); share smaller fragments",
            ),
            K::DuplicateKey { key, .. } if key.starts_with('$') => text(
                "to apply several matchers to one path, put them in one map: `$.size: { type: integer, gte: 1 }`",
            ),
            K::DuplicateKey { .. } => None,
            K::UnknownKey {
                suggestion: Some(s),
                ..
            } => Some(format!("did you mean `{s}`?")),
            K::UnknownKey {
                x_keys_allowed: true,
                ..
            } => text("keys that start with `x-` are ignored here (a home for YAML anchors)"),
            K::UnknownKey { .. } => None,
            K::WrongShape { .. } | K::WrongItem { .. } => None,
            K::Yaml11Boolean { .. } => text(
                "YAML 1.2 booleans are `true` and `false`; `yes`, `no`, `on` and `off` are strings",
            ),
            K::MissingKey { example, .. } => example.map(|e| format!("write `{e}`")),
            K::ReasonNotAString { .. } => text(
                "to accept several statuses, list them in `status: [200, 201]` and leave `reason` out",
            ),
            K::UnknownHttpVersion { .. } => text(
                "`version` is the HTTP version the response came in on; choose the request's with `http_version`",
            ),
            K::TwoMethodKeys { .. } => text("split it into two tests, one per request"),
            K::NoMethodKey { .. } => text(
                "add `put: URL` (or get/delete/post/patch for setup and read-back steps)",
            ),
            K::CaptureInParallel { .. } => text(
                "captures flow from one test to the next, which needs order: remove `parallel: true` or the capture",
            ),
            K::CaptureBothSources { .. } | K::CaptureNoSource { .. } => {
                text("a capture is `{ header: NAME }` or `{ json: JSONPATH }`")
            }
            K::UrlScheme { .. } => text("use an `http://` or `https://` URL"),
            K::InvalidUrl { .. } => None,
            K::PathNotFound { .. } => text(RELATIVE_PATHS),
            K::CannotReadSchema { .. } => text(RELATIVE_PATHS),
            K::SchemaNotJson { .. } | K::InvalidSchema { .. } => None,
            K::InvalidJsonPath { .. } => None,
            K::MisspeltMatcher { key, .. } => Some(format!(
                "to compare with an object that has the key `{key}`, write `{{ eq: {{ {key}: ... }} }}`"
            )),
            K::NotAMatcher {
                suggestion: Some(s),
                ..
            } => Some(format!("did you mean `{s}`?")),
            K::NotAMatcher { .. } => {
                text("to compare with an object that has such keys, use `{ eq: {...} }`")
            }
            K::UnknownType { suggestion, .. } => suggestion.map(|s| format!("did you mean `{s}`?")),
            K::InvalidRegex { .. } => None,
            K::GenerateNotPut { .. } => text("move `generate` to a `put:` test"),
            K::GenerateWithOtherBody => text(
                "remove the other body, or keep `json:` (it is sent first, then the generated bodies)",
            ),
            K::GenerateCount { .. } => None,
            K::GenerateIntegers { .. } => text(
                "`safe` keeps integers within ±(2^53 − 1), for a server that reads JSON numbers as doubles (JavaScript); leave the key out for the whole range",
            ),
            K::UndefinedVariable {
                name,
                captured_later_by: Some(test),
                ..
            } => Some(format!(
                "`{name}` is captured by test `{test}`, which runs later; tests run in file order"
            )),
            K::UndefinedVariable {
                name, suggestion, ..
            } => {
                let hint = suggestion
                    .as_ref()
                    .map(|s| format!("did you mean `{s}`? Otherwise "))
                    .unwrap_or_default();
                Some(format!(
                    "{hint}define it under `vars:`, pass `--var {name}=VALUE`, set the environment variable `{name}`, or give a fallback: `${{{name}:-value}}`"
                ))
            }
            K::RequestHttpVersion { .. } => text(
                "\"2\" speaks HTTP/2 only (ALPN h2 over https, h2c over http); auto takes what an https server picks",
            ),
            K::HeaderNotLatin1 { .. } => text(
                "percent-encode the value, use RFC 8187's `filename*=UTF-8''...` form where the header allows it, or send it in the body",
            ),
            K::CreatedValue { .. } => text(
                "`created: once` fails a repeat that answers 201 Created again; leave the key out to allow it",
            ),
            K::ServerFieldsWithoutExact => {
                text("add `readback: exact`, or list the fields under `ignore`")
            }
            K::JsonAndForm => text("`json` sends JSON, a `data` map sends a form"),
            K::NotADuration { .. }
            | K::FilePartSource { .. }
            | K::TwoBodies
            | K::FilesWithOtherBody
            | K::RepeatCount { .. }
            | K::ReadbackValue { .. }
            | K::InvalidIdempotencyPath { .. }
            | K::Serde { .. } => None,
            K::Recorded { help, .. } => help.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_shape_reads_the_same_with_and_without_its_key() {
        let shape = |key: Option<&str>| ErrorKind::WrongShape {
            expected: "a number".into(),
            found: "a list".into(),
            key: key.map(str::to_string),
        };
        assert_eq!(shape(None).to_string(), "expected a number, found a list");
        assert_eq!(
            shape(Some("gt")).to_string(),
            "expected a number for `gt`, found a list"
        );
    }

    #[test]
    fn an_unknown_key_suggests_the_closest_or_tells_of_x_keys() {
        let key = |suggestion, x_keys_allowed| ErrorKind::UnknownKey {
            key: "tmeout".into(),
            allowed: vec!["timeout", "verify"],
            within: "in a test".into(),
            suggestion,
            x_keys_allowed,
        };
        assert_eq!(
            key(Some("timeout"), true).to_string(),
            "unknown key `tmeout` in a test; allowed here: timeout, verify"
        );
        assert_eq!(
            key(Some("timeout"), true).help().as_deref(),
            Some("did you mean `timeout`?")
        );
        assert!(key(None, true).help().is_some_and(|h| h.contains("`x-`")));
        assert_eq!(key(None, false).help(), None);
    }
}
