//! `putcheck import har FILE`: the PUT entries (with `--all`, every entry) of a HAR 1.2
//! export become tests in one spec file. Headers the browser adds on its own are left
//! out; credentials become secret variables.

use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};
use url::{Position, Url};

use super::model::{AuthOut, DataOut, ExpectOut, HeadersAt, Method, StepOut};
use super::spec_file::{base_url_template, is_credential_name, literal, literal_value};
use super::{ImportError, Imported, Secrets, SpecFile};

/// The parts of HAR 1.2 the import reads (unknown fields are ignored, as the format
/// allows custom `_fields`).
#[derive(Debug, Deserialize)]
struct Har {
    log: Log,
}

#[derive(Debug, Deserialize)]
struct Log {
    entries: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    request: Request,
    response: Option<Response>,
}

#[derive(Debug, Deserialize)]
struct Request {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    cookies: Vec<NameValue>,
    #[serde(rename = "postData")]
    post_data: Option<PostData>,
}

#[derive(Debug, Deserialize)]
struct Response {
    status: i64,
}

#[derive(Debug, Deserialize)]
struct NameValue {
    name: String,
    value: String,
}

#[derive(Debug, Deserialize)]
struct PostData {
    #[serde(rename = "mimeType", default)]
    mime_type: String,
    text: Option<String>,
    #[serde(default)]
    params: Vec<Param>,
}

#[derive(Debug, Deserialize)]
struct Param {
    name: String,
    value: Option<String>,
    #[serde(rename = "fileName")]
    file_name: Option<String>,
}

pub struct HarOptions {
    /// Every entry, not only PUTs.
    pub all: bool,
    /// Keep the browser's cookies (as secret variables).
    pub cookies: bool,
    pub keep_secrets: bool,
}

/// Headers a browser (or HTTP/2) adds on its own, which a test should not pin. `Origin`
/// and `Referer` name the recorded site, not the server a test points BASE_URL at.
fn browser_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with(':')
        || n.starts_with("sec-")
        || matches!(
            n.as_str(),
            "accept-language"
                | "accept-encoding"
                | "user-agent"
                | "host"
                | "connection"
                | "content-length"
                | "dnt"
                | "upgrade-insecure-requests"
                | "priority"
                | "pragma"
                | "cache-control"
                | "te"
                | "origin"
                | "referer"
        )
}

pub fn import(path: &Path, options: &HarOptions) -> Result<Imported, ImportError> {
    let text = super::read(path)?;
    let har: Har = serde_json::from_str(&text).map_err(|e| ImportError::Parse {
        path: path.to_path_buf(),
        what: "HAR file",
        message: e.to_string(),
    })?;
    let entries: Vec<&Entry> = har
        .log
        .entries
        .iter()
        .filter(|e| options.all || e.request.method.eq_ignore_ascii_case("PUT"))
        .collect();
    if entries.is_empty() {
        return Err(ImportError::Invalid(format!(
            "`{}` has no {}entry; {}",
            path.display(),
            if options.all { "" } else { "PUT " },
            if options.all {
                "is it a HAR export?"
            } else {
                "pass --all to import every entry"
            }
        )));
    }
    let first = Url::parse(&entries[0].request.url).map_err(|e| {
        ImportError::Invalid(format!(
            "entry 1: `{}` is not a URL: {e}",
            entries[0].request.url
        ))
    })?;
    let origin = first[..Position::BeforePath].to_string();
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut spec = SpecFile {
        comment: vec![format!(
            "Imported by `putcheck import har` from {source} ({} of {} entries).",
            entries.len(),
            har.log.entries.len()
        )],
        base_url: Some(base_url_template(&origin)),
        secrets: Secrets::new(options.keep_secrets),
        ..SpecFile::default()
    };
    let mut skipped = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match test_for(entry, &origin, options, &mut spec.secrets) {
            Ok(Some(test)) => spec.tests.push(test),
            Ok(None) => skipped.push(format!(
                "entry {} ({} {}): a spec step is a PUT, GET, DELETE, POST or PATCH",
                i + 1,
                entry.request.method,
                entry.request.url
            )),
            Err(e) => {
                return Err(ImportError::Invalid(format!(
                    "entry {} ({} {}): {e}",
                    i + 1,
                    entry.request.method,
                    entry.request.url
                )))
            }
        }
    }
    let mut imported = Imported::default();
    let stem = super::file_stem(
        &path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    imported.push_spec(format!("{stem}.yaml"), &spec)?;
    imported.notes.push(format!(
        "BASE_URL (the server to test) defaults to {origin}"
    ));
    imported
        .notes
        .extend(skipped.into_iter().map(|s| format!("left out {s}")));
    Ok(imported)
}

fn test_for(
    entry: &Entry,
    origin: &str,
    options: &HarOptions,
    secrets: &mut Secrets,
) -> Result<Option<StepOut>, ImportError> {
    let req = &entry.request;
    let method = req.method.to_ascii_uppercase();
    let Some(key) = Method::from_name(&method) else {
        return Ok(None);
    };
    let url = Url::parse(&req.url).map_err(|e| ImportError::Invalid(format!("not a URL: {e}")))?;
    let same_origin = &url[..Position::BeforePath] == origin;
    let target = if same_origin {
        &url[Position::BeforePath..Position::AfterQuery]
    } else {
        &url[..Position::AfterQuery]
    };
    let mut test = StepOut::new(
        literal(&format!("{method} {}", url.path())),
        key,
        literal(target),
    );

    let mut headers = Vec::new();
    let mut auth = None;
    let mut content_type = None;
    for h in &req.headers {
        let lower = h.name.to_ascii_lowercase();
        if browser_header(&lower) || lower == "cookie" {
            continue;
        }
        if lower == "content-type" {
            content_type = Some(h.value.clone());
        }
        if lower == "authorization" {
            if let Some(token) = h.value.strip_prefix("Bearer ") {
                auth = Some(AuthOut::Bearer(
                    secrets.add("BEARER_TOKEN", Some(token.trim())),
                ));
                continue;
            }
            headers.push((
                literal(&h.name),
                secrets.add("AUTHORIZATION", Some(&h.value)),
            ));
        } else if is_credential_name(&lower) {
            headers.push((literal(&h.name), secrets.add(&h.name, Some(&h.value))));
        } else {
            headers.push((literal(&h.name), literal(&h.value)));
        }
    }
    if options.cookies && !req.cookies.is_empty() {
        let cookies: Vec<(String, String)> = req
            .cookies
            .iter()
            .map(|c| {
                (
                    literal(&c.name),
                    secrets.add(&format!("COOKIE_{}", c.name), Some(&c.value)),
                )
            })
            .collect();
        test.cookies = cookies.into();
    }
    // The body: JSON as `json:` (putcheck sets the Content-Type), else the text as sent.
    if let Some(post) = &req.post_data {
        let mime = if post.mime_type.is_empty() {
            content_type.clone().unwrap_or_default()
        } else {
            post.mime_type.clone()
        };
        let essence = mime
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match &post.text {
            Some(text) if essence == "application/json" => {
                match serde_json::from_str::<Value>(text) {
                    Ok(v) => {
                        headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
                        test.json = Some(literal_value(&v));
                    }
                    Err(_) => test.data = Some(DataOut::Text(literal(text))),
                }
            }
            Some(text) => test.data = Some(DataOut::Text(literal(text))),
            None if post.params.iter().any(|p| p.file_name.is_some()) => {
                return Err(ImportError::Invalid("a multipart body with files, whose contents a HAR file does not hold; write its `files:` by hand".into()));
            }
            None => {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
                let fields: Map<String, Value> = post
                    .params
                    .iter()
                    .map(|p| {
                        (
                            literal(&p.name),
                            Value::String(literal(p.value.as_deref().unwrap_or(""))),
                        )
                    })
                    .collect();
                test.data = Some(DataOut::Fields(fields));
            }
        }
    }
    test.headers = headers.into();
    test.headers_at = HeadersAt::AfterCookies;
    test.auth = auth;
    // The recorded answer, when it was a success; a repeat of a create may answer 200.
    let status = match entry.response.as_ref().map(|r| r.status) {
        Some(s) if (200..300).contains(&s) && s != 201 => Value::from(s),
        Some(s) if (300..600).contains(&s) => Value::from(s),
        _ => Value::String("2xx".into()),
    };
    test.expect = Some(ExpectOut::status(status));
    Ok(Some(test))
}
