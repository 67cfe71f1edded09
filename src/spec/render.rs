//! Rendering a request spec's templates with the variables in scope.

use std::path::{Path, PathBuf};

use super::template::{render_str, render_value, Lookup, Undefined};
use super::{Auth, BodySpec, ClientCert, FilePart, FileSource, Proxies, RequestSpec, Verify};

fn pairs(p: &[(String, String)], vars: &dyn Lookup) -> Result<Vec<(String, String)>, Undefined> {
    p.iter()
        .map(|(k, v)| Ok((render_str(k, vars)?, render_str(v, vars)?)))
        .collect()
}

/// A path written with variables, filled in and (when relative) joined to the spec
/// file's folder; a literal path was joined when the spec loaded.
fn path(p: &Path, base: &Path, vars: &dyn Lookup) -> Result<PathBuf, Undefined> {
    let written = p.to_string_lossy();
    if !written.contains("${") {
        return Ok(p.to_path_buf());
    }
    let rendered = PathBuf::from(render_str(&written, vars)?);
    Ok(if rendered.is_relative() {
        base.join(rendered)
    } else {
        rendered
    })
}

fn opt(s: &Option<String>, vars: &dyn Lookup) -> Result<Option<String>, Undefined> {
    s.as_deref().map(|s| render_str(s, vars)).transpose()
}

impl RequestSpec {
    /// A copy with every `${name}` replaced; `json` keeps variable types.
    pub fn render(&self, vars: &dyn Lookup) -> Result<RequestSpec, Undefined> {
        let base = self.base_dir.as_path();
        let body = match &self.body {
            BodySpec::None => BodySpec::None,
            BodySpec::Json(v) => BodySpec::Json(render_value(v, vars)?),
            BodySpec::Form(f) => BodySpec::Form(pairs(f, vars)?),
            BodySpec::Raw(s) => BodySpec::Raw(render_str(s, vars)?),
            BodySpec::File(p) => BodySpec::File(path(p, base, vars)?),
            BodySpec::Multipart { fields, files } => BodySpec::Multipart {
                fields: pairs(fields, vars)?,
                files: files
                    .iter()
                    .map(|f| {
                        Ok(FilePart {
                            field: render_str(&f.field, vars)?,
                            source: match &f.source {
                                FileSource::Path(p) => FileSource::Path(path(p, base, vars)?),
                                FileSource::Content(c) => FileSource::Content(render_str(c, vars)?),
                            },
                            filename: opt(&f.filename, vars)?,
                            content_type: opt(&f.content_type, vars)?,
                        })
                    })
                    .collect::<Result<_, Undefined>>()?,
            },
        };
        let auth = match &self.auth {
            None => None,
            Some(Auth::Basic { user, password }) => Some(Auth::Basic {
                user: render_str(user, vars)?,
                password: render_str(password, vars)?,
            }),
            Some(Auth::Bearer(t)) => Some(Auth::Bearer(render_str(t, vars)?)),
        };
        let proxies = match &self.proxies {
            None => None,
            Some(p) => Some(Proxies {
                http: opt(&p.http, vars)?,
                https: opt(&p.https, vars)?,
            }),
        };
        Ok(RequestSpec {
            params: pairs(&self.params, vars)?,
            headers: pairs(&self.headers, vars)?,
            cookies: pairs(&self.cookies, vars)?,
            body,
            auth,
            timeout: self.timeout,
            allow_redirects: self.allow_redirects,
            http_version: self.http_version,
            proxies,
            verify: match &self.verify {
                Verify::CaBundle(p) => Verify::CaBundle(path(p, base, vars)?),
                other => other.clone(),
            },
            cert: match &self.cert {
                None => None,
                Some(c) => Some(ClientCert {
                    cert: path(&c.cert, base, vars)?,
                    key: c.key.as_deref().map(|k| path(k, base, vars)).transpose()?,
                }),
            },
            base_dir: self.base_dir.clone(),
        })
    }
}
