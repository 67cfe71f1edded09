//! Request options (`params`, `headers`, `json`, `data`, `files`, `auth`, `timeout`,
//! `proxies`, `verify`, `cert`, ...) of `defaults` and of a test → `RequestSpec`.

use std::path::PathBuf;

use serde_json::Value;

use super::convert::Loader;
use super::de::{Entries, Spanned};
use super::raw::{ParamValue, RawOptions};
use super::yaml::{Kind, Node};
use super::*;

/// Request options of `defaults` or of a test, each present only when written.
#[derive(Default)]
pub(super) struct PartialOptions {
    params: Option<Vec<(String, String)>>,
    headers: Option<Vec<(String, String)>>,
    /// Names given `null`: left out, also when `defaults` has them (as requests does
    /// with a `None` over a session's value).
    params_removed: Vec<String>,
    headers_removed: Vec<String>,
    cookies: Option<Vec<(String, String)>>,
    json: Option<Value>,
    data: Option<Data>,
    body_file: Option<PathBuf>,
    files: Option<Vec<FilePart>>,
    auth: Option<Auth>,
    timeout: Option<Timeouts>,
    allow_redirects: Option<bool>,
    http_version: Option<HttpVersion>,
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

/// Keys in `over` replace keys of the same name in `base`, keys in `removed` leave
/// (`ci`: names compare case-insensitively). As requests merges a session's mapping
/// with a request's (`dict.update`): an overridden name keeps its place, with the
/// test's value(s); a new one goes last; a `None` (here `null`) drops the name.
fn merge_pairs(
    base: Option<&Vec<(String, String)>>,
    over: Option<Vec<(String, String)>>,
    removed: &[String],
    ci: bool,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = base.cloned().unwrap_or_default();
    let same = |a: &str, b: &str| {
        if ci {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    out.retain(|(k, _)| !removed.iter().any(|n| same(n, k)));
    let Some(over) = over else {
        return out;
    };
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

impl Loader<'_> {
    pub(super) fn options(&mut self, o: RawOptions) -> PartialOptions {
        let data = o.data.take().and_then(|d| {
            let node = d.value.0 .0;
            match &node.kind {
                Kind::Str(s) => Some(Data::Raw(s.clone())),
                Kind::Map(entries) => Some(Data::Form(self.form_fields(entries))),
                _ => {
                    self.push(
                        node.pos,
                        format!(
                            "expected a map of form fields or a string (the raw body) for `data`, found {}",
                            node.found()
                        ),
                    );
                    None
                }
            }
        });
        if let (Some(j), Some(Data::Form(_))) = (o.json.pos(), &data) {
            if o.files.get().is_none() {
                self.push_help(
                    j,
                    "`json` and `data` both give the body; use one of them",
                    "`json` sends JSON, a `data` map sends a form",
                );
            }
        }
        let verify = o.verify.take().and_then(|v| {
            let node = v.value.0 .0;
            match &node.kind {
                Kind::Bool(true) => Some(Verify::System),
                Kind::Bool(false) => Some(Verify::Off),
                Kind::Str(p) => Some(Verify::CaBundle(self.path(p, node.pos, "CA bundle", true))),
                _ => {
                    self.push(
                        node.pos,
                        format!(
                            "expected true, false or a path to a CA bundle (PEM) for `verify`, found {}",
                            node.found()
                        ),
                    );
                    None
                }
            }
        });
        let proxies = o.proxies.value().map(|p| Proxies {
            http: p.http.value(),
            https: p.https.value(),
        });
        let mut params_removed = Vec::new();
        let mut headers_removed = Vec::new();
        let mut no_removals = Vec::new();
        PartialOptions {
            params: o
                .params
                .value()
                .map(|p| self.params(p, &mut params_removed)),
            headers: o
                .headers
                .value()
                .map(|p| self.pairs(p, "headers", true, &mut headers_removed)),
            cookies: o
                .cookies
                .value()
                .map(|p| self.pairs(p, "cookies", false, &mut no_removals)),
            params_removed,
            headers_removed,
            json: o.json.value().map(|j| j.0 .0.to_value()),
            data,
            body_file: o
                .body_file
                .take()
                .map(|b| self.path(&b.value, b.pos, "body_file", true)),
            files: o.files.value().map(|f| self.files(f)),
            auth: o.auth.value().and_then(|a| self.auth(&a.0 .0)),
            timeout: o.timeout.value().and_then(|t| self.timeout(&t.0 .0)),
            allow_redirects: o.allow_redirects.value(),
            http_version: o
                .http_version
                .value()
                .and_then(|v| self.http_version(&v.0 .0)),
            proxies,
            verify,
            cert: o.cert.value().and_then(|c| self.cert(&c.0 .0)),
        }
    }

    pub(super) fn merge(&mut self, d: &PartialOptions, t: PartialOptions, pos: Pos) -> RequestSpec {
        let body_from = if t.has_body() { &t } else { d };
        let body = self.body(body_from, pos);
        RequestSpec {
            params: merge_pairs(d.params.as_ref(), t.params, &t.params_removed, false),
            headers: merge_pairs(d.headers.as_ref(), t.headers, &t.headers_removed, true),
            cookies: merge_pairs(d.cookies.as_ref(), t.cookies, &[], false),
            body,
            auth: t.auth.or_else(|| d.auth.clone()),
            timeout: t.timeout.or(d.timeout).unwrap_or_default(),
            allow_redirects: t.allow_redirects.or(d.allow_redirects).unwrap_or(true),
            http_version: t.http_version.or(d.http_version),
            proxies: t.proxies.or_else(|| d.proxies.clone()),
            verify: t.verify.or_else(|| d.verify.clone()).unwrap_or_default(),
            cert: t.cert.or_else(|| d.cert.clone()),
            base_dir: self.dir.clone(),
        }
    }

    /// `base` with the options of `o` put over it (`idempotency.reject`).
    pub(super) fn override_request(
        &mut self,
        base: &RequestSpec,
        o: PartialOptions,
        pos: Pos,
    ) -> RequestSpec {
        let body = if o.has_body() {
            self.body(&o, pos)
        } else {
            base.body.clone()
        };
        RequestSpec {
            params: merge_pairs(Some(&base.params), o.params, &o.params_removed, false),
            headers: merge_pairs(Some(&base.headers), o.headers, &o.headers_removed, true),
            cookies: merge_pairs(Some(&base.cookies), o.cookies, &[], false),
            body,
            auth: o.auth.or_else(|| base.auth.clone()),
            timeout: o.timeout.unwrap_or(base.timeout),
            allow_redirects: o.allow_redirects.unwrap_or(base.allow_redirects),
            http_version: o.http_version.or(base.http_version),
            proxies: o.proxies.or_else(|| base.proxies.clone()),
            verify: o.verify.unwrap_or_else(|| base.verify.clone()),
            cert: o.cert.or_else(|| base.cert.clone()),
            base_dir: base.base_dir.clone(),
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

    /// `params`: scalars, lists of scalars (the key repeats), `null` (left out).
    fn params<L>(
        &mut self,
        entries: Entries<ParamValue, L>,
        removed: &mut Vec<String>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in entries.into_valid() {
            let node = v.value.0 .0;
            if node.is_null() {
                removed.push(k.value.clone());
            }
            self.param_values(&k.value, &node, "params", &mut out);
        }
        out
    }

    fn param_values(
        &mut self,
        key: &str,
        node: &Node,
        what: &str,
        out: &mut Vec<(String, String)>,
    ) {
        match &node.kind {
            Kind::Null => {}
            Kind::Seq(items) => {
                for item in items {
                    match item.scalar_text() {
                        Some(s) => out.push((key.to_string(), s)),
                        None if item.is_null() => {}
                        None => self.push(
                            item.pos,
                            format!(
                                "expected a string, number, boolean or null in `{what}.{key}`, found {}",
                                item.found()
                            ),
                        ),
                    }
                }
            }
            _ => match node.scalar_text() {
                Some(s) => out.push((key.to_string(), s)),
                None => self.push(
                    node.pos,
                    format!(
                        "expected a string, number, boolean, null or a list of them for `{what}.{key}`, found {}",
                        node.found()
                    ),
                ),
            },
        }
    }

    /// Headers and cookies: a name → one scalar; `null` for a header leaves it out.
    fn pairs<V, L>(
        &mut self,
        entries: Entries<V, L>,
        what: &str,
        is_header: bool,
        removed: &mut Vec<String>,
    ) -> Vec<(String, String)>
    where
        V: AsNode,
    {
        let mut out = Vec::new();
        for (k, v) in entries.into_valid() {
            let node = v.value.node();
            if is_header && node.is_null() {
                removed.push(k.value);
                continue;
            }
            match node.scalar_text() {
                Some(s) => {
                    // Checked again at run time, after variables are filled in.
                    let beyond_latin1 = s.chars().find(|c| u32::from(*c) > 0xFF);
                    if let (true, false, Some(c)) = (is_header, s.contains("${"), beyond_latin1) {
                        self.push_help(
                            node.pos,
                            format!(
                                "the value of header `{}` has `{c}`, which Latin-1 cannot encode; header values are sent as Latin-1, as requests sends them (RFC 9110, section 5.5)",
                                k.value
                            ),
                            "percent-encode the value, use RFC 8187's `filename*=UTF-8''...` form where the header allows it, or send it in the body",
                        );
                        continue;
                    }
                    out.push((k.value, s));
                }
                None => self.push(
                    node.pos,
                    format!(
                        "expected a string, number or boolean for `{what}.{}`, found {}",
                        k.value,
                        node.found()
                    ),
                ),
            }
        }
        out
    }

    fn form_fields(&mut self, entries: &[(yaml::Key, Node)]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in entries {
            self.param_values(&k.name, v, "data", &mut out);
        }
        out
    }

    fn files<L>(&mut self, entries: Entries<raw::FileValue, L>) -> Vec<FilePart> {
        let mut out = Vec::new();
        for (field, v) in entries.into_valid() {
            let node = v.value.0 .0;
            if let Some(part) = self.file_part(field, &node) {
                out.push(part);
            }
        }
        out
    }

    fn file_part(&mut self, field: Spanned<String>, node: &Node) -> Option<FilePart> {
        let pos = node.pos;
        match &node.kind {
            Kind::Str(p) => Some(FilePart {
                field: field.value,
                source: FileSource::Path(self.path(p, pos, "file", true)),
                filename: None,
                content_type: None,
            }),
            Kind::Map(entries) => {
                let allowed = ["path", "content", "filename", "content_type"];
                for (k, _) in entries {
                    if !allowed.contains(&k.name.as_str()) {
                        self.unknown_key(
                            k.pos,
                            &k.name,
                            &allowed,
                            &format!("files.{}", field.value),
                        );
                    }
                }
                let text = |k: &str| node.get(k).and_then(Node::scalar_text);
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
                        return None;
                    }
                };
                Some(FilePart {
                    field: field.value,
                    source,
                    filename: text("filename"),
                    content_type: text("content_type"),
                })
            }
            _ => {
                self.push(
                    pos,
                    format!(
                        "expected a path or a map with `path` or `content` for `files.{}`, found {}",
                        field.value,
                        node.found()
                    ),
                );
                None
            }
        }
    }

    pub(super) fn unknown_key(&mut self, pos: Pos, key: &str, allowed: &[&str], within: &str) {
        let e = self.error(
            pos,
            format!(
                "unknown key `{key}` in `{within}`; allowed here: {}",
                allowed.join(", ")
            ),
        );
        let e = match did_you_mean(key, allowed) {
            Some(s) => e.with_help(format!("did you mean `{s}`?")),
            None => e,
        };
        self.errors.push(e);
    }

    fn auth(&mut self, node: &Node) -> Option<Auth> {
        let shape = |found: String| {
            format!("expected `{{ basic: [user, password] }}` or `{{ bearer: token }}` for `auth`, found {found}")
        };
        let Kind::Map(entries) = &node.kind else {
            self.push(node.pos, shape(node.found()));
            return None;
        };
        let [(k, v)] = entries.as_slice() else {
            self.push(
                node.pos,
                shape(format!("a map with {} keys", entries.len())),
            );
            return None;
        };
        match (k.name.as_str(), &v.kind) {
            ("basic", Kind::Seq(a)) if a.len() == 2 => {
                match (a[0].scalar_text(), a[1].scalar_text()) {
                    (Some(user), Some(password)) => Some(Auth::Basic { user, password }),
                    _ => {
                        self.push(
                            v.pos,
                            "expected `[user, password]`, two strings, for `auth.basic`",
                        );
                        None
                    }
                }
            }
            ("basic", _) => {
                self.push(
                    v.pos,
                    format!(
                        "expected `[user, password]` for `auth.basic`, found {}",
                        v.found()
                    ),
                );
                None
            }
            ("bearer", _) => match v.scalar_text() {
                Some(t) => Some(Auth::Bearer(t)),
                None => {
                    self.push(
                        v.pos,
                        format!(
                            "expected a token (a string) for `auth.bearer`, found {}",
                            v.found()
                        ),
                    );
                    None
                }
            },
            (other, _) => {
                self.unknown_key(k.pos, other, &["basic", "bearer"], "auth");
                None
            }
        }
    }

    /// `http_version`: `"1.1"`, `"2"` or `auto`; `1.1` and `2` written as numbers too.
    fn http_version(&mut self, node: &Node) -> Option<HttpVersion> {
        let text = match &node.kind {
            Kind::Str(s) => s.trim().to_string(),
            Kind::Number(n) => n.written.clone(),
            _ => String::new(),
        };
        match text.as_str() {
            "1.1" => Some(HttpVersion::Http11),
            "2" | "2.0" => Some(HttpVersion::Http2),
            "auto" => Some(HttpVersion::Auto),
            _ => {
                self.push_help(
                    node.pos,
                    format!("expected \"1.1\", \"2\" or auto for `http_version`, found {}", node.found()),
                    "\"2\" speaks HTTP/2 only (ALPN h2 over https, h2c over http); auto takes what an https server picks",
                );
                None
            }
        }
    }

    fn timeout(&mut self, node: &Node) -> Option<Timeouts> {
        if let Kind::Map(entries) = &node.kind {
            let mut t = Timeouts::default();
            let mut ok = true;
            for (k, val) in entries {
                match k.name.as_str() {
                    "connect" => match self.duration(val, "timeout.connect") {
                        Some(d) => t.connect = d,
                        None => ok = false,
                    },
                    "read" => match self.duration(val, "timeout.read") {
                        Some(d) => t.read = d,
                        None => ok = false,
                    },
                    other => {
                        self.unknown_key(k.pos, other, &["connect", "read"], "timeout");
                        ok = false;
                    }
                }
            }
            return ok.then_some(t);
        }
        match parse_duration(&node.to_value()) {
            Some(d) => Some(Timeouts {
                connect: d,
                read: d,
            }),
            None => {
                self.push(
                    node.pos,
                    format!(
                        "expected a duration (`5s`, `250ms`, a number of seconds) or `{{ connect: 2s, read: 10s }}` for `timeout`, found {}",
                        node.found()
                    ),
                );
                None
            }
        }
    }

    fn cert(&mut self, node: &Node) -> Option<ClientCert> {
        let pos = node.pos;
        match &node.kind {
            Kind::Str(p) => Some(ClientCert {
                cert: self.path(p, pos, "certificate", true),
                key: None,
            }),
            Kind::Seq(a) if a.len() == 2 => match (a[0].as_str(), a[1].as_str()) {
                (Some(c), Some(k)) => Some(ClientCert {
                    cert: self.path(c, a[0].pos, "certificate", true),
                    key: Some(self.path(k, a[1].pos, "key", true)),
                }),
                _ => {
                    self.push(pos, "expected two paths, `[cert.pem, key.pem]`, for `cert`");
                    None
                }
            },
            _ => {
                self.push(
                    pos,
                    format!(
                        "expected a path to a PEM with certificate and key, or `[cert.pem, key.pem]`, for `cert`, found {}",
                        node.found()
                    ),
                );
                None
            }
        }
    }
}

/// Raw value types that are a YAML node.
pub(super) trait AsNode {
    fn node(self) -> Node;
}

impl AsNode for raw::HeaderValue {
    fn node(self) -> Node {
        self.0 .0
    }
}

use super::raw;
use super::yaml;

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
            &[],
            false,
        );
        assert_eq!(
            merged,
            pairs(&[("a", "9"), ("t", "z"), ("b", "2"), ("new", "n")])
        );
        let headers = merge_pairs(
            Some(&pairs(&[("X-Dup", "1"), ("Accept", "a")])),
            Some(pairs(&[("x-dup", "2")])),
            &[],
            true,
        );
        assert_eq!(headers, pairs(&[("x-dup", "2"), ("Accept", "a")]));
    }

    /// requests drops a name whose request value is `None`.
    #[test]
    fn null_drops_a_name_from_the_defaults() {
        let base = pairs(&[("Accept", "a"), ("X-Debug", "1")]);
        let merged = merge_pairs(Some(&base), None, &["x-debug".to_string()], true);
        assert_eq!(merged, pairs(&[("Accept", "a")]));
    }
}
