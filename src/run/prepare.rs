//! The stage that turns a rendered request spec into the transport's own request
//! (`http::Request`): URL with query, headers (with cookies and auth), body bytes.

use crate::http::{self, Body, Headers, HttpError};
use crate::spec::{BodySpec, Method, RequestSpec};

/// The request a rendered spec asks for. A header that cannot be sent is an error here,
/// before anything goes out.
pub fn prepare(
    method: Method,
    base_url: Option<&str>,
    url: &str,
    spec: &RequestSpec,
) -> Result<http::Request, HttpError> {
    let parsed_url = http::parse_url(base_url, url, &spec.params)?;
    let body = body(&spec.body)?;
    let headers = Headers::for_request(
        &spec.headers,
        body.content_type(),
        &spec.cookies,
        spec.auth.as_ref(),
    )?;
    Ok(http::Request {
        method: wire_method(method),
        url: parsed_url.to_string(),
        parsed_url,
        headers,
        cookies: spec.cookies.clone(),
        body,
        timeout: spec.timeout,
        allow_redirects: spec.allow_redirects,
        proxies: spec.proxies.clone(),
        verify: spec.verify.clone(),
        cert: spec.cert.clone(),
    })
}

/// A spec's method as the transport names it.
pub fn wire_method(method: Method) -> http::Method {
    match method {
        Method::Put => http::Method::Put,
        Method::Get => http::Method::Get,
        Method::Delete => http::Method::Delete,
        Method::Post => http::Method::Post,
        Method::Patch => http::Method::Patch,
    }
}

/// The body's bytes and the Content-Type they imply, encoded as requests encodes them.
fn body(spec: &BodySpec) -> Result<Body, HttpError> {
    Ok(match spec {
        BodySpec::None => Body::Empty,
        BodySpec::Json(v) => Body::Bytes(
            serde_json::to_vec(v).unwrap_or_default(),
            Some("application/json".into()),
        ),
        BodySpec::Form(fields) => Body::Bytes(
            http::form_urlencode(fields).into_bytes(),
            Some("application/x-www-form-urlencoded".into()),
        ),
        BodySpec::Raw(s) => Body::Bytes(s.clone().into_bytes(), None),
        BodySpec::File(p) => Body::File(p.clone()),
        BodySpec::Multipart { fields, files } => http::multipart(fields, files)?,
    })
}
