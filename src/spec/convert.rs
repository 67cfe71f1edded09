//! Loading one spec file: YAML text → node tree (`yaml.rs`) → raw structs (`de.rs`,
//! `raw.rs`) → the model, through one conversion file per concern (request options,
//! expectations, idempotency, captures, variables). Every problem of the file is
//! collected, in one pass, and reported sorted by position.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::de::{self, Field, ShapeError};
use super::error::SpecError;
use super::error_kind::ErrorKind;
use super::raw::{self, RawSuite, RawTest, METHOD_KEYS};
use super::settings::{path as spec_path, RequestOptions};
use super::template;
use super::yaml::{self, Node};
use super::*;

/// What a spec may refer to besides its own contents.
pub struct LoadContext<'a> {
    /// `--var NAME=VALUE`, which wins over `vars:`.
    pub cli_vars: &'a HashMap<String, String>,
    /// The environment; a function so that tests can pass their own.
    pub env: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// `--list`: nothing is sent, so a variable that no one sets yet (the environment
    /// will, at run time) is no error; every other mistake still is.
    pub listing: bool,
}

/// Reads and validates one spec file.
pub fn load_file(path: &Path, ctx: &LoadContext) -> Result<Suite, Vec<SpecError>> {
    let source = read_spec(path).map_err(|e| {
        vec![SpecError::new(
            path,
            Pos::default(),
            ErrorKind::CannotReadSpec {
                reason: e.to_string(),
            },
        )]
    })?;
    load_str(path, &source, ctx)
}

/// The file's text. A spec file is small: read into a buffer that usually holds it
/// whole, without asking its size first (`fs::read_to_string` does, a system call per
/// file of a 10,000-file suite).
fn read_spec(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut source = String::with_capacity(8 * 1024);
    // `Take` hides the file from `read_to_string`'s size lookup.
    file.take(u64::MAX).read_to_string(&mut source)?;
    Ok(source)
}

/// Validates spec text that was read from `path` (used for positions and relative paths).
pub fn load_str(path: &Path, source: &str, ctx: &LoadContext) -> Result<Suite, Vec<SpecError>> {
    let mut c = Loader {
        file: path,
        dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        source,
        text: Arc::from(source),
        errors: Vec::new(),
        load: ctx,
        vars: Vec::new(),
    };
    let root = match yaml::parse(source) {
        Ok((root, duplicates)) => {
            for e in duplicates {
                c.syntax(e);
            }
            root
        }
        Err(e) => {
            c.syntax(e);
            return Err(c.finish());
        }
    };
    if root.is_null() {
        c.report(root.pos, ErrorKind::EmptyFile);
        return Err(c.finish());
    }
    let (raw, shape_errors) = spec_path::reading_from(&c.dir, || {
        de::collecting(|| de::from_node::<RawSuite>(&root))
    });
    for e in shape_errors {
        c.shape(e);
    }
    let suite = raw.map(|raw| c.suite(raw, &root));
    match suite {
        Some(suite) if c.errors.is_empty() => Ok(suite),
        _ => Err(c.finish()),
    }
}

/// The conversion's state: the file, and every error found so far.
pub(super) struct Loader<'a> {
    pub file: &'a Path,
    /// The spec file's folder: relative paths in the spec start here.
    pub dir: PathBuf,
    pub source: &'a str,
    /// The same text, shared with the suite and with every error.
    pub text: Arc<str>,
    pub errors: Vec<SpecError>,
    pub load: &'a LoadContext<'a>,
    /// `vars:` as written, for paths that are needed at load time (`schema`).
    pub vars: Vec<(String, Value)>,
}

impl Loader<'_> {
    /// The error `kind` at `span` of this file.
    pub fn diagnose(&self, span: impl Into<Span>, kind: ErrorKind) -> SpecError {
        SpecError::new(self.file, span, kind).with_source(self.text.clone())
    }

    /// Records the error `kind` at `span`.
    pub fn report(&mut self, span: impl Into<Span>, kind: ErrorKind) {
        let e = self.diagnose(span, kind);
        self.errors.push(e);
    }

    /// Whether an error was found between `from` and `to` (the extent of one value).
    pub fn has_error_within(&self, from: Pos, to: Pos) -> bool {
        self.errors.iter().any(|e| e.pos >= from && e.pos < to)
    }

    fn syntax(&mut self, e: yaml::SyntaxError) {
        self.report(e.span, e.kind);
    }

    fn shape(&mut self, e: ShapeError) {
        let span = e.span.unwrap_or(Span::from(Pos { line: 1, column: 1 }));
        self.report(span, e.kind);
    }

    fn finish(mut self) -> Vec<SpecError> {
        self.errors.sort_by_key(|e| e.pos);
        self.errors
            .dedup_by(|a, b| a.pos == b.pos && a.kind == b.kind);
        self.errors
    }

    fn suite(&mut self, raw: RawSuite, root: &Node) -> Suite {
        let name = raw
            .name
            .value()
            .unwrap_or_else(|| self.file.display().to_string());
        let vars: Vec<(String, Value)> = raw
            .vars
            .value()
            .map(|v| {
                v.into_valid()
                    .map(|(k, v)| (k.value, v.value.0 .0.to_value()))
                    .collect()
            })
            .unwrap_or_default();
        self.vars = vars.clone();
        let defaults = match raw.defaults.value() {
            Some(d) => self.options(d),
            None => Default::default(),
        };
        let secrets: Vec<String> = raw
            .secrets
            .value()
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|s| s.value)
            .collect();
        // `${PASSWORD:-hunter22}`: when PASSWORD is a secret, so is its fallback.
        let mut secret_fallbacks: Vec<(String, String)> = Vec::new();
        for r in template::references(self.source) {
            if let Some(fallback) = r.fallback.filter(|_| secrets.contains(&r.name)) {
                if !secret_fallbacks.contains(&(r.name.clone(), fallback.clone())) {
                    secret_fallbacks.push((r.name, fallback));
                }
            }
        }
        let raw_tests = match raw.tests {
            Field::Valid(t) if t.value.0.is_empty() => {
                self.report(t.span(), ErrorKind::EmptyTests);
                Vec::new()
            }
            Field::Valid(t) => t.value.0,
            Field::Invalid(_) => Vec::new(),
            // A misspelt `tests:` was reported as an unknown key, with the suggestion.
            Field::Absent if misspelt_tests(root) => Vec::new(),
            Field::Absent => {
                self.report(root.pos, ErrorKind::MissingTests);
                Vec::new()
            }
        };
        let raw_finally = raw.finally.value().unwrap_or_default().0;
        let mut tests: Vec<TestSpec> = raw_tests
            .into_iter()
            .filter_map(|t| self.test(t, &defaults))
            .collect();
        let mut finally: Vec<TestSpec> = raw_finally
            .into_iter()
            .filter_map(|t| self.test(t, &defaults))
            .collect();
        // The collects above reuse the raw tests' allocation, sized for the (much larger)
        // raw structs; a suite lives for the whole run, so give the excess back (about
        // 2.5 KB per spec file, measured with heaptrack on 10,000 files).
        tests.shrink_to_fit();
        finally.shrink_to_fit();
        let parallel = raw.parallel.value().unwrap_or(false);
        if parallel {
            if let Some(t) = tests.iter().find(|t| !t.capture.is_empty()) {
                let kind = ErrorKind::CaptureInParallel {
                    test: t.name.clone(),
                };
                self.report(t.pos, kind);
            }
        }
        let base_url = raw.base_url.take().map(|b| {
            self.check_url(&b.value, b.span(), "base_url");
            b.value
        });
        self.check_variables(root, &vars, &mut tests, &mut finally);
        Suite {
            path: self.file.to_path_buf(),
            source: self.text.clone(),
            name,
            base_url,
            vars,
            secrets,
            secret_fallbacks,
            parallel,
            tests,
            finally,
        }
    }

    /// A literal URL must be http or https (with variables, it is checked when sent).
    pub fn check_url(&mut self, url: &str, span: Span, key: &str) {
        if url.contains("${") {
            return;
        }
        if let Some((scheme, _)) = url.split_once("://") {
            if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
                let kind = ErrorKind::UrlScheme {
                    key: key.to_string(),
                    scheme: scheme.to_string(),
                };
                self.report(span, kind);
                return;
            }
            if let Err(e) = crate::url_memo::with_parsed(url, |_| ()) {
                let kind = ErrorKind::InvalidUrl {
                    key: key.to_string(),
                    reason: e.to_string(),
                };
                self.report(span, kind);
            }
        }
    }

    fn test(&mut self, raw: Field<RawTest>, defaults: &RequestOptions) -> Option<TestSpec> {
        let raw = raw.take()?;
        let pos = raw.pos;
        let mut raw = raw.value;
        let options = raw.take_options();
        let options = self.options(options);
        let methods = [
            (Method::Put, std::mem::take(&mut raw.put)),
            (Method::Get, std::mem::take(&mut raw.get)),
            (Method::Delete, std::mem::take(&mut raw.delete)),
            (Method::Post, std::mem::take(&mut raw.post)),
            (Method::Patch, std::mem::take(&mut raw.patch)),
        ];
        let given: Vec<(Method, Field<String>)> = methods
            .into_iter()
            .filter(|(_, u)| u.is_present())
            .collect();
        for (m, extra) in given.iter().skip(1) {
            let kind = ErrorKind::TwoMethodKeys {
                first: given[0].0.key(),
                second: m.key(),
            };
            self.report(extra.pos().unwrap_or(pos), kind);
        }
        let Some((method, url)) = given.into_iter().next() else {
            self.report(pos, ErrorKind::NoMethodKey { keys: METHOD_KEYS });
            return None;
        };
        let url = url.take()?;
        self.check_url(&url.value, url.span(), method.key());
        let named = raw.name.is_present();
        let name = raw
            .name
            .value()
            .unwrap_or_else(|| format!("{} {}", method.as_str(), url.value));
        let request = self.request(defaults.clone().merged(options), pos);
        let expect = raw
            .expect
            .value()
            .map(|e| self.expectations(e))
            .unwrap_or_default();
        let idempotency = match raw.idempotency {
            Field::Valid(v) => self.idempotency(v.value, &request),
            Field::Invalid(_) => None,
            Field::Absent if method == Method::Put => Some(Idempotency::default_for_put()),
            Field::Absent => None,
        };
        let capture = raw
            .capture
            .value()
            .map(|c| self.captures(c))
            .unwrap_or_default();
        let retry = raw.retry.take().and_then(|r| self.retry(r.value, r.pos));
        let generate = raw
            .generate
            .take()
            .and_then(|g| self.generate(g.value, g.pos, method, &request))
            .map(Box::new);
        Some(TestSpec {
            name,
            named,
            pos,
            method,
            url: url.value,
            request,
            expect,
            idempotency,
            capture,
            retry,
            generate,
            uses: Vec::new(),
        })
    }

    fn retry(&mut self, r: raw::RawRetry, pos: Pos) -> Option<Retry> {
        let interval = match r.interval {
            Field::Valid(i) => i.value.0,
            Field::Invalid(_) => return None,
            Field::Absent => Duration::from_secs(1),
        };
        match r.count {
            Field::Valid(c) => Some(Retry {
                count: c.value,
                interval,
            }),
            Field::Invalid(_) => None,
            Field::Absent => {
                let kind = ErrorKind::MissingKey {
                    key: "count",
                    within: "in `retry`",
                    example: Some("retry: { count: 3, interval: 500ms }"),
                };
                self.report(pos, kind);
                None
            }
        }
    }
}

/// Whether the file has a key that is a misspelling of `tests`.
fn misspelt_tests(root: &Node) -> bool {
    match &root.kind {
        yaml::Kind::Map(entries) => entries
            .iter()
            .any(|(k, _)| super::error::did_you_mean(&k.name, &["tests"]).is_some()),
        _ => false,
    }
}
