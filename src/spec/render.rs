//! Rendering a request spec's templates with the variables in scope.

use std::path::PathBuf;

use super::template::{render_str, render_value, Lookup, Undefined};
use super::{Auth, BodySpec, FilePart, FileSource, Proxies, RequestSpec};

fn pairs(p: &[(String, String)], vars: &dyn Lookup) -> Result<Vec<(String, String)>, Undefined> {
    p.iter()
        .map(|(k, v)| Ok((render_str(k, vars)?, render_str(v, vars)?)))
        .collect()
}

fn path(p: &std::path::Path, vars: &dyn Lookup) -> Result<PathBuf, Undefined> {
    Ok(PathBuf::from(render_str(&p.to_string_lossy(), vars)?))
}

fn opt(s: &Option<String>, vars: &dyn Lookup) -> Result<Option<String>, Undefined> {
    s.as_deref().map(|s| render_str(s, vars)).transpose()
}

impl RequestSpec {
    /// A copy with every `${name}` replaced; `json` keeps variable types.
    pub fn render(&self, vars: &dyn Lookup) -> Result<RequestSpec, Undefined> {
        let body = match &self.body {
            BodySpec::None => BodySpec::None,
            BodySpec::Json(v) => BodySpec::Json(render_value(v, vars)?),
            BodySpec::Form(f) => BodySpec::Form(pairs(f, vars)?),
            BodySpec::Raw(s) => BodySpec::Raw(render_str(s, vars)?),
            BodySpec::File(p) => BodySpec::File(path(p, vars)?),
            BodySpec::Multipart { fields, files } => BodySpec::Multipart {
                fields: pairs(fields, vars)?,
                files: files
                    .iter()
                    .map(|f| {
                        Ok(FilePart {
                            field: render_str(&f.field, vars)?,
                            source: match &f.source {
                                FileSource::Path(p) => FileSource::Path(path(p, vars)?),
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
            proxies,
            verify: self.verify.clone(),
            cert: self.cert.clone(),
        })
    }
}
