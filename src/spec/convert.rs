//! Raw YAML structs → the validated model. Each problem becomes a `SpecError` at the
//! position of the value that caused it; a file's errors are all collected, not just
//! the first.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use regex::Regex;
use serde_json::{Map, Value};
use serde_saphyr::{Location, Spanned};

use super::error::{did_you_mean, SpecError};
use super::matcher::{build_matcher, MatcherError};
use super::raw::{self, Entries, RawExpect, RawOptions, RawSuite, RawTest, SValue};
use super::template;
use super::*;

/// What a spec may refer to besides its own contents.
pub struct LoadContext<'a> {
    /// `--var NAME=VALUE`, which wins over `vars:`.
    pub cli_vars: &'a HashMap<String, String>,
    /// The environment; a function so that tests can pass their own.
    pub env: &'a (dyn Fn(&str) -> Option<String> + Sync),
}

/// Reads and validates one spec file.
pub fn load_file(path: &Path, ctx: &LoadContext) -> Result<Suite, Vec<SpecError>> {
    let source = std::fs::read_to_string(path).map_err(|e| {
        vec![
            SpecError::new(path, Pos::default(), format!("cannot read the file: {e}"))
                .with_help("check the path and that the file is UTF-8 text"),
        ]
    })?;
    load_str(path, &source, ctx)
}

/// Validates spec text that was read from `path` (used for positions and relative paths).
pub fn load_str(path: &Path, source: &str, ctx: &LoadContext) -> Result<Suite, Vec<SpecError>> {
    // YAML 1.2 booleans only: `y`, `no`, `on` in a payload stay strings (the Norway problem).
    let options = serde_saphyr::options! { strict_booleans: true };
    let raw: RawSuite = match serde_saphyr::from_str_with_options(source, options) {
        Ok(raw) => raw,
        Err(e) => return Err(vec![yaml_error(path, source, &e)]),
    };
    let mut c = Converter {
        file: path,
        dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        source,
        errors: Vec::new(),
    };
    let suite = c.suite(raw, ctx);
    if c.errors.is_empty() {
        Ok(suite)
    } else {
        let mut errors = c.errors;
        errors.sort_by_key(|e| e.pos);
        Err(errors)
    }
}

#[allow(clippy::expect_used)] // a constant pattern: it compiles or no test passes
static LOCATION_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:error: )?line \d+ column \d+: ").expect("static regex")); // ok: a constant pattern
#[allow(clippy::expect_used)] // a constant pattern
static LOCATION_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r" at line \d+, column \d+$").expect("static regex")); // ok: a constant pattern
#[allow(clippy::expect_used)] // a constant pattern
static UNKNOWN_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = r"unknown field `([^`]*)`, expected (?:one of )?(.*)";
    Regex::new(pattern).expect("static regex") // ok: a constant pattern
});

fn yaml_error(file: &Path, source: &str, e: &serde_saphyr::Error) -> SpecError {
    let pos = e.location().map(|l| to_pos(&l)).unwrap_or_default();
    let text = e.without_snippet().to_string();
    let text = text.lines().next().unwrap_or_default();
    let text = LOCATION_PREFIX.replace(text, "").to_string();
    let text = LOCATION_SUFFIX.replace(&text, "").to_string();
    let err = if let Some(m) = UNKNOWN_FIELD.captures(&text) {
        let key = &m[1];
        let allowed: Vec<&str> = m[2]
            .split(", ")
            .map(|s| s.trim_matches('`').trim())
            .filter(|s| !s.is_empty())
            .collect();
        let list = allowed.join(", ");
        let err = SpecError::new(
            file,
            pos,
            format!("unknown key `{key}`; allowed here: {list}"),
        );
        match did_you_mean(key, &allowed) {
            Some(s) => err.with_help(format!("did you mean `{s}`?")),
            None => err,
        }
    } else if let Some(rest) = text.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        SpecError::new(file, pos, format!("duplicate key `{key}`: a key may appear once in a map"))
            .with_help("to apply several matchers to one path, put them in one map: `$.size: { type: integer, gte: 1 }`")
    } else if text.contains("missing field `tests`") || source.trim().is_empty() {
        SpecError::new(file, pos, "a spec file needs a non-empty `tests:` list")
    } else {
        SpecError::new(file, pos, format!("invalid YAML: {text}"))
    };
    err.with_source(source)
}

/// The line without its YAML comment: a `#` at the start or after white space, outside
/// quotes, starts one (a URL fragment `/a#b` does not).
fn without_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') if prev.is_whitespace() => return &line[..i],
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        prev = c;
    }
    line
}

fn to_pos(l: &Location) -> Pos {
    Pos {
        line: l.line(),
        column: l.column(),
    }
}

fn spos<T>(s: &Spanned<T>) -> Pos {
    to_pos(&s.referenced)
}

/// Request options of `defaults` or of a test, each present only when written.
#[derive(Default)]
struct PartialOptions {
    params: Option<Vec<(String, String)>>,
    headers: Option<Vec<(String, String)>>,
    cookies: Option<Vec<(String, String)>>,
    json: Option<Value>,
    data: Option<Data>,
    body_file: Option<PathBuf>,
    files: Option<Vec<FilePart>>,
    auth: Option<Auth>,
    timeout: Option<Timeouts>,
    allow_redirects: Option<bool>,
    proxies: Option<Proxies>,
    verify: Option<Verify>,
    cert: Option<ClientCert>,
}

enum Data {
    Form(Vec<(String, String)>),
    Raw(String),
}

impl PartialOptions {
    fn has_body(&self) -> bool {
        self.json.is_some()
            || self.data.is_some()
            || self.body_file.is_some()
            || self.files.is_some()
    }
}

/// Keys in `over` replace keys of the same name in `base` (`ci`: case-insensitively).
fn merge_pairs(
    base: Option<&Vec<(String, String)>>,
    over: Option<Vec<(String, String)>>,
    ci: bool,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = base.cloned().unwrap_or_default();
    let Some(over) = over else {
        return out;
    };
    let same = |a: &str, b: &str| {
        if ci {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    // As requests merges a session's mapping with a request's (`dict.update`): an
    // overridden name keeps its place, with the test's value(s); a new one goes last.
    let mut done: Vec<&str> = Vec::new();
    for (name, _) in &over {
        if done.iter().any(|d| same(d, name)) {
            continue;
        }
        done.push(name);
        let values: Vec<(String, String)> = over
            .iter()
            .filter(|(k, _)| same(k, name))
            .cloned()
            .collect();
        match out.iter().position(|(k, _)| same(k, name)) {
            Some(at) => {
                out.retain(|(k, _)| !same(k, name));
                let at = at.min(out.len());
                out.splice(at..at, values);
            }
            None => out.extend(values),
        }
    }
    out
}

struct Converter<'a> {
    file: &'a Path,
    dir: PathBuf,
    source: &'a str,
    errors: Vec<SpecError>,
}

impl Converter<'_> {
    fn error(&mut self, pos: Pos, message: impl Into<String>) -> SpecError {
        SpecError::new(self.file, pos, message).with_source(self.source)
    }

    fn push(&mut self, pos: Pos, message: impl Into<String>) {
        let e = self.error(pos, message);
        self.errors.push(e);
    }

    fn push_help(&mut self, pos: Pos, message: impl Into<String>, help: impl Into<String>) {
        let e = self.error(pos, message).with_help(help);
        self.errors.push(e);
    }

    fn suite(&mut self, raw: RawSuite, ctx: &LoadContext) -> Suite {
        let name = raw.name.unwrap_or_else(|| self.file.display().to_string());
        let defaults = match raw.defaults {
            Some(d) => self.options(d),
            None => PartialOptions::default(),
        };
        let vars: Vec<(String, Value)> = raw
            .vars
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|(k, v)| (k.value, v.value))
            .collect();
        let secrets: Vec<String> = raw
            .secrets
            .unwrap_or_default()
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
            Some(t) if !t.value.is_empty() => t.value,
            Some(t) => {
                self.push(
                    spos(&t),
                    "`tests:` is empty; a spec file needs at least one test",
                );
                Vec::new()
            }
            None => {
                self.push(
                    Pos { line: 1, column: 1 },
                    "a spec file needs a non-empty `tests:` list",
                );
                Vec::new()
            }
        };
        let raw_finally = raw.finally.unwrap_or_default();
        let starts: Vec<u64> = raw_tests
            .iter()
            .chain(raw_finally.iter())
            .map(|t| t.referenced.line())
            .collect();
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
        let parallel = raw.parallel.unwrap_or(false);
        if parallel {
            if let Some(t) = tests.iter().find(|t| !t.capture.is_empty()) {
                self.push_help(
                    t.pos,
                    format!("test `{}` captures values, but the file has `parallel: true`", t.name),
                    "captures flow from one test to the next, which needs order: remove `parallel: true` or the capture",
                );
            }
        }
        let base_url = raw.base_url.map(|b| b.value);
        if self.errors.is_empty() {
            self.check_variables(&vars, &mut tests, &mut finally, &starts, ctx);
        }
        Suite {
            path: self.file.to_path_buf(),
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

    /// Every `${name}` in the file must have a value before anything is sent.
    fn check_variables(
        &mut self,
        vars: &[(String, Value)],
        tests: &mut [TestSpec],
        finally: &mut [TestSpec],
        starts: &[u64],
        ctx: &LoadContext,
    ) {
        let mut uses: Vec<Vec<String>> = vec![Vec::new(); starts.len()];
        let base: HashSet<&str> = vars
            .iter()
            .map(|(k, _)| k.as_str())
            .chain(ctx.cli_vars.keys().map(String::as_str))
            .collect();
        // known[i]: captures made by the steps before step i (`finally` sees them all).
        let mut known: Vec<HashSet<String>> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for t in tests.iter() {
            known.push(seen.clone());
            seen.extend(t.capture.iter().map(|c| c.name.clone()));
        }
        for _ in finally.iter() {
            known.push(seen.clone());
        }
        let captured_by: Vec<(String, String)> = tests
            .iter()
            .chain(finally.iter())
            .flat_map(|t| t.capture.iter().map(|c| (c.name.clone(), t.name.clone())))
            .collect();
        for (idx, line) in self.source.split_inclusive('\n').enumerate() {
            let line_no = idx as u64 + 1;
            let line = without_comment(line);
            let step = starts.iter().rposition(|s| *s <= line_no);
            for r in template::references(line) {
                if let Some(u) = step.and_then(|s| uses.get_mut(s)) {
                    if !u.contains(&r.name) {
                        u.push(r.name.clone());
                    }
                }
                if r.fallback.is_some()
                    || base.contains(r.name.as_str())
                    || step
                        .is_some_and(|s| known.get(s).is_some_and(|k| k.contains(r.name.as_str())))
                    || (ctx.env)(&r.name).is_some()
                {
                    continue;
                }
                let column = line[..r.offset].chars().count() as u64 + 1;
                let pos = Pos {
                    line: line_no,
                    column,
                };
                let later = captured_by.iter().find(|(name, _)| *name == r.name);
                let help = match later {
                    Some((_, test)) => format!(
                        "`{}` is captured by test `{test}`, which runs later; tests run in file order",
                        r.name
                    ),
                    None => {
                        let names: Vec<&str> =
                            base.iter().copied().chain(seen.iter().map(String::as_str)).collect();
                        let hint = did_you_mean(&r.name, &names)
                            .map(|s| format!("did you mean `{s}`? Otherwise "))
                            .unwrap_or_default();
                        format!(
                            "{hint}define it under `vars:`, pass `--var {n}=VALUE`, set the environment variable `{n}`, or give a fallback: `${{{n}:-value}}`",
                            n = r.name
                        )
                    }
                };
                self.push_help(pos, format!("undefined variable `{}`", r.name), help);
            }
        }
        for (t, u) in tests.iter_mut().chain(finally.iter_mut()).zip(uses) {
            t.uses = u;
        }
    }

    fn test(&mut self, raw: Spanned<RawTest>, defaults: &PartialOptions) -> Option<TestSpec> {
        let pos = spos(&raw);
        let mut raw = raw.value;
        let options = raw.take_options();
        let options = self.options(options);
        let methods = [
            (Method::Put, raw.put.take()),
            (Method::Get, raw.get.take()),
            (Method::Delete, raw.delete.take()),
            (Method::Post, raw.post.take()),
            (Method::Patch, raw.patch.take()),
        ];
        let mut given = methods.into_iter().filter_map(|(m, u)| u.map(|u| (m, u)));
        let first = given.next();
        if let Some((_, extra)) = given.next() {
            self.push(
                spos(&extra),
                "a test has exactly one method key (put, get, delete, post or patch); this one has several",
            );
        }
        let Some((method, url)) = first else {
            self.push_help(
                pos,
                "this test has no method key",
                "add `put: URL` (or get/delete/post/patch for setup and read-back steps)",
            );
            return None;
        };
        let named = raw.name.is_some();
        let name = raw
            .name
            .map(|n| n.value)
            .unwrap_or_else(|| format!("{} {}", method.as_str(), url.value));
        let request = self.merge(defaults, options, pos);
        let expect = raw.expect.map(|e| self.expectations(e)).unwrap_or_default();
        let idempotency = match raw.idempotency {
            Some(v) => self.idempotency(v, &request),
            None if method == Method::Put => Some(Idempotency::default_for_put()),
            None => None,
        };
        let capture = raw.capture.map(|c| self.captures(c)).unwrap_or_default();
        let retry = raw.retry.map(|r| {
            let interval = r
                .value
                .interval
                .as_ref()
                .and_then(|i| self.duration(i, "retry.interval"))
                .unwrap_or(Duration::from_secs(1));
            Retry {
                count: r.value.count,
                interval,
            }
        });
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
            uses: Vec::new(),
        })
    }

    fn merge(&mut self, d: &PartialOptions, t: PartialOptions, pos: Pos) -> RequestSpec {
        let body_from = if t.has_body() { &t } else { d };
        let body = self.body(body_from, pos);
        RequestSpec {
            params: merge_pairs(d.params.as_ref(), t.params, false),
            headers: merge_pairs(d.headers.as_ref(), t.headers, true),
            cookies: merge_pairs(d.cookies.as_ref(), t.cookies, false),
            body,
            auth: t.auth.or_else(|| d.auth.clone()),
            timeout: t.timeout.or(d.timeout).unwrap_or_default(),
            allow_redirects: t.allow_redirects.or(d.allow_redirects).unwrap_or(true),
            proxies: t.proxies.or_else(|| d.proxies.clone()),
            verify: t.verify.or_else(|| d.verify.clone()).unwrap_or_default(),
            cert: t.cert.or_else(|| d.cert.clone()),
        }
    }

    fn body(&mut self, o: &PartialOptions, pos: Pos) -> BodySpec {
        let raw_data = matches!(o.data, Some(Data::Raw(_)));
        let count = [o.json.is_some(), raw_data, o.body_file.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        if count > 1 {
            self.push(
                pos,
                "use at most one of `json`, `data` (a string) and `body_file`",
            );
            return BodySpec::None;
        }
        if o.files.is_some() && (o.json.is_some() || raw_data || o.body_file.is_some()) {
            self.push(
                pos,
                "`files` makes a multipart body, which goes with `data` as a map only, not with `json`, raw `data` or `body_file`",
            );
            return BodySpec::None;
        }
        if let Some(files) = &o.files {
            let fields = match &o.data {
                Some(Data::Form(f)) => f.clone(),
                _ => Vec::new(),
            };
            return BodySpec::Multipart {
                fields,
                files: files.clone(),
            };
        }
        if let Some(j) = &o.json {
            return BodySpec::Json(j.clone());
        }
        match &o.data {
            Some(Data::Form(f)) => return BodySpec::Form(f.clone()),
            Some(Data::Raw(s)) => return BodySpec::Raw(s.clone()),
            None => {}
        }
        if let Some(p) = &o.body_file {
            return BodySpec::File(p.clone());
        }
        BodySpec::None
    }

    /// A path in the spec, relative to the spec file's folder.
    fn path(&mut self, p: &str, pos: Pos, what: &str, must_exist: bool) -> PathBuf {
        let path = self.dir.join(p);
        if must_exist && !p.contains("${") && !path.exists() {
            self.push_help(
                pos,
                format!("{what} `{}` does not exist", path.display()),
                "paths are relative to the spec file's folder",
            );
        }
        path
    }

    fn options(&mut self, o: RawOptions) -> PartialOptions {
        let data = o.data.and_then(|d| {
            let pos = spos(&d);
            match d.value {
                Value::String(s) => Some(Data::Raw(s)),
                Value::Object(m) => Some(Data::Form(self.form_fields(m, pos))),
                _ => {
                    self.push(
                        pos,
                        "`data` must be a map (form fields) or a string (raw body)",
                    );
                    None
                }
            }
        });
        let verify = o.verify.and_then(|v| match &v.value {
            Value::Bool(true) => Some(Verify::System),
            Value::Bool(false) => Some(Verify::Off),
            Value::String(p) => Some(Verify::CaBundle(self.path(p, spos(&v), "CA bundle", true))),
            _ => {
                self.push(
                    spos(&v),
                    "`verify` must be true, false, or a path to a CA bundle (PEM)",
                );
                None
            }
        });
        PartialOptions {
            params: o.params.map(|p| self.pairs(p, "params", true)),
            headers: o.headers.map(|p| self.pairs(p, "headers", false)),
            cookies: o.cookies.map(|p| self.pairs(p, "cookies", false)),
            json: o.json.map(|j| j.value),
            data,
            body_file: o
                .body_file
                .map(|b| self.path(&b.value, spos(&b), "body_file", true)),
            files: o.files.map(|f| self.files(f)),
            auth: o.auth.and_then(|a| self.auth(&a)),
            timeout: o.timeout.and_then(|t| self.timeout(&t)),
            allow_redirects: o.allow_redirects.map(|b| b.value),
            proxies: o.proxies.and_then(|p| self.proxies(&p)),
            verify,
            cert: o.cert.and_then(|c| self.cert(&c)),
        }
    }

    fn scalar_text(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A map of names to scalars (`allow_lists`: a list repeats the name).
    fn pairs(
        &mut self,
        entries: Entries<SValue>,
        what: &str,
        allow_lists: bool,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in entries.0 {
            match &v.value {
                Value::Array(items) if allow_lists => {
                    for item in items {
                        match Self::scalar_text(item) {
                            Some(s) => out.push((k.value.clone(), s)),
                            None => self.push(
                                spos(&v),
                                format!(
                                    "`{what}.{}`: list items must be strings, numbers or booleans",
                                    k.value
                                ),
                            ),
                        }
                    }
                }
                other => match Self::scalar_text(other) {
                    Some(s) => out.push((k.value, s)),
                    None => {
                        let lists = if allow_lists {
                            " or a list of them"
                        } else {
                            ""
                        };
                        self.push(
                            spos(&v),
                            format!(
                                "`{what}.{}` must be a string, number or boolean{lists}",
                                k.value
                            ),
                        )
                    }
                },
            }
        }
        out
    }

    fn form_fields(&mut self, map: Map<String, Value>, pos: Pos) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in map {
            match &v {
                Value::Array(items) => {
                    for item in items {
                        match Self::scalar_text(item) {
                            Some(s) => out.push((k.clone(), s)),
                            None => {
                                self.push(pos, format!("`data.{k}`: list items must be scalars"))
                            }
                        }
                    }
                }
                other => match Self::scalar_text(other) {
                    Some(s) => out.push((k, s)),
                    None => self.push(
                        pos,
                        format!("`data.{k}` must be a scalar or a list of scalars"),
                    ),
                },
            }
        }
        out
    }

    fn files(&mut self, entries: Entries<SValue>) -> Vec<FilePart> {
        let mut out = Vec::new();
        for (field, v) in entries.0 {
            let pos = spos(&v);
            match &v.value {
                Value::String(p) => out.push(FilePart {
                    field: field.value,
                    source: FileSource::Path(self.path(p, pos, "file", true)),
                    filename: None,
                    content_type: None,
                }),
                Value::Object(m) => {
                    let allowed = ["path", "content", "filename", "content_type"];
                    if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
                        self.unknown_key(pos, k, &allowed, &format!("files.{}", field.value));
                        continue;
                    }
                    let text = |k: &str| m.get(k).and_then(Self::scalar_text);
                    let source = match (text("path"), text("content")) {
                        (Some(p), None) => FileSource::Path(self.path(&p, pos, "file", true)),
                        (None, Some(c)) => FileSource::Content(c),
                        _ => {
                            self.push(
                                pos,
                                format!(
                                    "`files.{}` needs exactly one of `path` and `content`",
                                    field.value
                                ),
                            );
                            continue;
                        }
                    };
                    out.push(FilePart {
                        field: field.value,
                        source,
                        filename: text("filename"),
                        content_type: text("content_type"),
                    });
                }
                _ => self.push(
                    pos,
                    format!(
                        "`files.{}` must be a path or a map with `path` or `content`",
                        field.value
                    ),
                ),
            }
        }
        out
    }

    fn unknown_key(&mut self, pos: Pos, key: &str, allowed: &[&str], within: &str) {
        let list = allowed.join(", ");
        let e = self.error(
            pos,
            format!("unknown key `{key}` in `{within}`; allowed here: {list}"),
        );
        let e = match did_you_mean(key, allowed) {
            Some(s) => e.with_help(format!("did you mean `{s}`?")),
            None => e,
        };
        self.errors.push(e);
    }

    fn auth(&mut self, v: &SValue) -> Option<Auth> {
        let pos = spos(v);
        let shape = "`auth` must be `{ basic: [user, password] }` or `{ bearer: token }`";
        let Value::Object(m) = &v.value else {
            self.push(pos, shape);
            return None;
        };
        if m.len() != 1 {
            self.push(pos, shape);
            return None;
        }
        match m.iter().next() {
            Some((k, Value::Array(a))) if k == "basic" && a.len() == 2 => {
                match (Self::scalar_text(&a[0]), Self::scalar_text(&a[1])) {
                    (Some(user), Some(password)) => Some(Auth::Basic { user, password }),
                    _ => {
                        self.push(pos, shape);
                        None
                    }
                }
            }
            Some((k, t)) if k == "bearer" => match Self::scalar_text(t) {
                Some(t) => Some(Auth::Bearer(t)),
                None => {
                    self.push(pos, shape);
                    None
                }
            },
            Some((k, _)) if k != "basic" => {
                self.unknown_key(pos, k, &["basic", "bearer"], "auth");
                None
            }
            _ => {
                self.push(pos, shape);
                None
            }
        }
    }

    fn duration(&mut self, v: &SValue, what: &str) -> Option<Duration> {
        let d = parse_duration(&v.value);
        if d.is_none() {
            self.push(
                spos(v),
                format!("`{what}` must be a duration such as `5s`, `250ms` or a number of seconds"),
            );
        }
        d
    }

    fn timeout(&mut self, v: &SValue) -> Option<Timeouts> {
        if let Value::Object(m) = &v.value {
            let mut t = Timeouts::default();
            for (k, val) in m {
                let d = parse_duration(val);
                match (k.as_str(), d) {
                    ("connect", Some(d)) => t.connect = d,
                    ("read", Some(d)) => t.read = d,
                    ("connect" | "read", None) => {
                        self.push(
                            spos(v),
                            format!("`timeout.{k}` must be a duration such as `5s` or `250ms`"),
                        );
                        return None;
                    }
                    _ => {
                        self.unknown_key(spos(v), k, &["connect", "read"], "timeout");
                        return None;
                    }
                }
            }
            return Some(t);
        }
        match parse_duration(&v.value) {
            Some(d) => Some(Timeouts {
                connect: d,
                read: d,
            }),
            None => {
                self.push(
                    spos(v),
                    "`timeout` must be a duration (`5s`, `250ms`, a number of seconds) or `{ connect: 2s, read: 10s }`",
                );
                None
            }
        }
    }

    fn proxies(&mut self, v: &SValue) -> Option<Proxies> {
        let Value::Object(m) = &v.value else {
            self.push(
                spos(v),
                "`proxies` must be a map: `{ http: URL, https: URL }`",
            );
            return None;
        };
        let mut p = Proxies::default();
        for (k, val) in m {
            let Some(url) = Self::scalar_text(val) else {
                self.push(spos(v), format!("`proxies.{k}` must be a URL"));
                continue;
            };
            match k.as_str() {
                "http" => p.http = Some(url),
                "https" => p.https = Some(url),
                _ => self.unknown_key(spos(v), k, &["http", "https"], "proxies"),
            }
        }
        Some(p)
    }

    fn cert(&mut self, v: &SValue) -> Option<ClientCert> {
        let pos = spos(v);
        match &v.value {
            Value::String(p) => Some(ClientCert {
                cert: self.path(p, pos, "certificate", true),
                key: None,
            }),
            Value::Array(a) if a.len() == 2 => match (&a[0], &a[1]) {
                (Value::String(c), Value::String(k)) => Some(ClientCert {
                    cert: self.path(c, pos, "certificate", true),
                    key: Some(self.path(k, pos, "key", true)),
                }),
                _ => {
                    self.push(pos, "`cert` must be a path, or `[cert.pem, key.pem]`");
                    None
                }
            },
            _ => {
                self.push(pos, "`cert` must be a path to a PEM with certificate and key, or `[cert.pem, key.pem]`");
                None
            }
        }
    }

    fn expectations(&mut self, e: RawExpect) -> Expect {
        let mut out = Expect::default();
        if let Some(s) = e.status {
            out.status = self.status(&s).map(|p| (p, spos(&s)));
        }
        out.reason = e.reason.and_then(|r| match &r.value {
            Value::String(s) => Some((s.clone(), spos(&r))),
            _ => {
                self.push_help(
                    spos(&r),
                    "`reason` is the exact phrase from the status line, a string such as `OK`",
                    "to accept several statuses, list them in `status: [200, 201]` and leave `reason` out",
                );
                None
            }
        });
        for (name, v) in e.headers.unwrap_or_default().0 {
            let pos = spos(&name);
            if let Some(matcher) = self.matcher(&v.value, spos(&v)) {
                out.headers.push(HeaderExpect {
                    name: name.value,
                    matcher,
                    pos,
                });
            }
        }
        for (path, v) in e.json.unwrap_or_default().0 {
            let pos = spos(&path);
            let compiled = match JsonPath::parse(&path.value) {
                Ok(p) => p,
                Err(msg) => {
                    self.push(pos, msg);
                    continue;
                }
            };
            if let Some(matcher) = self.matcher(&v.value, spos(&v)) {
                out.json.push(JsonExpect {
                    path: compiled,
                    matcher,
                    pos,
                });
            }
        }
        if let Some(b) = e.body {
            out.body = self.matcher(&b.value, spos(&b)).map(|m| (m, spos(&b)));
        }
        if let Some(t) = e.max_time {
            out.max_time = self.duration(&t, "max_time").map(|d| (d, spos(&t)));
        }
        if let Some(s) = e.schema {
            out.schema = self.schema(&s);
        }
        out
    }

    fn schema(&mut self, s: &Spanned<String>) -> Option<SchemaExpect> {
        let pos = spos(s);
        let path = self.path(&s.value, pos, "schema", true);
        let text = std::fs::read_to_string(&path).ok()?;
        let schema: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                self.push(
                    pos,
                    format!("schema `{}` is not valid JSON: {e}", path.display()),
                );
                return None;
            }
        };
        match jsonschema::validator_for(&schema) {
            Ok(v) => Some(SchemaExpect {
                path,
                validator: Arc::new(v),
                pos,
            }),
            Err(e) => {
                self.push(
                    pos,
                    format!(
                        "schema `{}` is not a valid JSON Schema: {e}",
                        path.display()
                    ),
                );
                None
            }
        }
    }

    fn status(&mut self, v: &SValue) -> Option<Vec<StatusPattern>> {
        let one = |v: &Value| -> Option<StatusPattern> {
            match v {
                Value::Number(n) => n
                    .as_u64()
                    .filter(|c| (100..=999).contains(c))
                    .map(|c| StatusPattern::Code(c as u16)),
                Value::String(s) => {
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
        let patterns: Option<Vec<StatusPattern>> = match &v.value {
            Value::Array(items) if !items.is_empty() => items.iter().map(one).collect(),
            other => one(other).map(|p| vec![p]),
        };
        if patterns.is_none() {
            self.push(
                spos(v),
                "`status` must be a code (`200`), a list of codes (`[200, 204]`) or a class (`\"2xx\"`)",
            );
        }
        patterns
    }

    fn matcher(&mut self, v: &Value, pos: Pos) -> Option<Matcher> {
        match build_matcher(v) {
            Ok(m) => Some(m),
            Err(MatcherError { message, help }) => {
                let e = self.error(pos, message);
                let e = match help {
                    Some(h) => e.with_help(h),
                    None => e,
                };
                self.errors.push(e);
                None
            }
        }
    }

    fn idempotency(
        &mut self,
        v: Spanned<raw::RawIdempotency>,
        request: &RequestSpec,
    ) -> Option<Idempotency> {
        let block_pos = spos(&v);
        let entries = match v.value {
            raw::RawIdempotency::Flag(false) => return None,
            raw::RawIdempotency::Flag(true) => return Some(Idempotency::default_for_put()),
            raw::RawIdempotency::Map(entries) => entries,
        };
        let mut out = Idempotency::default_for_put();
        for (key, entry) in entries {
            let k = key.value.as_str();
            let val = match entry {
                raw::RawIdempotencyValue::Reject(r) => {
                    out.reject = Some(self.reject(*r, request));
                    continue;
                }
                raw::RawIdempotencyValue::Value(val) => val,
            };
            let pos = spos(&val);
            match (k, &val.value) {
                ("repeat", Value::Number(n))
                    if n.as_u64().is_some_and(|n| (1..=1000).contains(&n)) =>
                {
                    out.repeat = n.as_u64().map(|n| n as u32)
                }
                ("repeat", _) => self.push(
                    pos,
                    "`idempotency.repeat` must be a whole number of sends, 1 to 1000",
                ),
                ("ignore" | "server_fields", Value::Array(items)) => {
                    for item in items {
                        match item.as_str().map(JsonPath::parse) {
                            Some(Ok(p)) if k == "ignore" => out.ignore.push(p),
                            Some(Ok(p)) => out.server_fields.push(p),
                            Some(Err(msg)) => {
                                self.push(pos, format!("in `idempotency.{k}`: {msg}"))
                            }
                            None => self.push(pos, format!("`idempotency.{k}` holds JSONPath strings")),
                        }
                    }
                }
                ("headers", Value::Array(items)) if items.iter().all(Value::is_string) => {
                    out.headers = items
                        .iter()
                        .filter_map(|i| i.as_str().map(String::from))
                        .collect()
                }
                ("readback", Value::Bool(b)) => out.readback = *b,
                ("readback", Value::String(s)) if s == "exact" => {
                    out.readback = true;
                    out.readback_exact = true;
                }
                ("created", Value::String(s)) if s == "once" => out.created_once = true,
                ("conditional", Value::Bool(b)) => out.conditional = *b,
                ("concurrent", Value::Bool(b)) => out.concurrent = *b,
                ("ignore" | "headers" | "server_fields", _) => {
                    self.push(pos, format!("`idempotency.{k}` must be a list of strings"))
                }
                ("readback", _) => self.push(
                    pos,
                    "`idempotency.readback` must be `true`, `false` or `exact`",
                ),
                ("created", _) => self.push_help(
                    pos,
                    "`idempotency.created` must be `once`",
                    "`created: once` fails a repeat that answers 201 Created again; leave the key out to allow it",
                ),
                ("conditional" | "concurrent", _) => {
                    self.push(pos, format!("`idempotency.{k}` must be true or false"))
                }
                _ => self.unknown_key(spos(&key), k, raw::IDEMPOTENCY_KEYS, "idempotency"),
            }
        }
        if !out.server_fields.is_empty() && !out.readback_exact {
            self.push_help(
                block_pos,
                "`idempotency.server_fields` only applies to `readback: exact`",
                "add `readback: exact`, or list the fields under `ignore`",
            );
        }
        Some(out)
    }

    /// `idempotency.reject`: the test's request with the given options overridden.
    fn reject(&mut self, r: Spanned<raw::RawReject>, base: &RequestSpec) -> Reject {
        let pos = spos(&r);
        let mut raw = r.value;
        let options = raw.take_options();
        let o = self.options(options);
        let body = if o.has_body() {
            self.body(&o, pos)
        } else {
            base.body.clone()
        };
        let request = RequestSpec {
            params: merge_pairs(Some(&base.params), o.params, false),
            headers: merge_pairs(Some(&base.headers), o.headers, true),
            cookies: merge_pairs(Some(&base.cookies), o.cookies, false),
            body,
            auth: o.auth.or_else(|| base.auth.clone()),
            timeout: o.timeout.unwrap_or(base.timeout),
            allow_redirects: o.allow_redirects.unwrap_or(base.allow_redirects),
            proxies: o.proxies.or_else(|| base.proxies.clone()),
            verify: o.verify.unwrap_or_else(|| base.verify.clone()),
            cert: o.cert.or_else(|| base.cert.clone()),
        };
        let mut expect = raw.expect.map(|e| self.expectations(e)).unwrap_or_default();
        if expect.status.is_none() {
            expect.status = Some((vec![StatusPattern::Class(4)], pos));
        }
        Reject {
            request,
            expect: Arc::new(expect),
            pos,
        }
    }

    fn captures(&mut self, c: Entries<SValue>) -> Vec<Capture> {
        let mut out = Vec::new();
        for (name, v) in c.0 {
            let pos = spos(&name);
            let shape = "a capture is `{ header: NAME }` or `{ json: JSONPATH }`";
            let source = match &v.value {
                Value::Object(m) if m.len() == 1 => match m.iter().next() {
                    Some((k, Value::String(h))) if k == "header" => {
                        Some(CaptureSource::Header(h.clone()))
                    }
                    Some((k, Value::String(p))) if k == "json" => match JsonPath::parse(p) {
                        Ok(p) => Some(CaptureSource::Json(p)),
                        Err(msg) => {
                            self.push(spos(&v), msg);
                            continue;
                        }
                    },
                    Some((k, _)) if k != "header" && k != "json" => {
                        self.unknown_key(spos(&v), k, &["header", "json"], "capture");
                        continue;
                    }
                    _ => None,
                },
                _ => None,
            };
            match source {
                Some(source) => out.push(Capture {
                    name: name.value,
                    source,
                    pos,
                }),
                None => self.push(spos(&v), shape),
            }
        }
        out
    }
}

impl Idempotency {
    pub fn default_for_put() -> Self {
        Idempotency {
            repeat: None,
            ignore: Vec::new(),
            headers: Vec::new(),
            readback: false,
            readback_exact: false,
            server_fields: Vec::new(),
            created_once: false,
            conditional: false,
            reject: None,
            concurrent: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::merge_pairs;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// requests: `merged = dict(session.params); merged.update(params)`.
    #[test]
    fn an_overridden_name_keeps_its_place_as_in_requests() {
        let base = pairs(&[("a", "1"), ("t", "x"), ("t", "y"), ("b", "2")]);
        let merged = merge_pairs(
            Some(&base),
            Some(pairs(&[("new", "n"), ("t", "z"), ("a", "9")])),
            false,
        );
        assert_eq!(
            merged,
            pairs(&[("a", "9"), ("t", "z"), ("b", "2"), ("new", "n")])
        );
        let headers = merge_pairs(
            Some(&pairs(&[("X-Dup", "1"), ("Accept", "a")])),
            Some(pairs(&[("x-dup", "2")])),
            true,
        );
        assert_eq!(headers, pairs(&[("x-dup", "2"), ("Accept", "a")]));
    }
}
