//! `putcheck import curl 'curl ...'`: a curl command line → a spec whose request is what
//! curl sends (method, target, headers, body). The words are split as a POSIX shell
//! splits them (the `shell-words` crate); every option is either understood or an error
//! naming it, never dropped.

use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::{Map, Value};
use url::{Position, Url};

use super::model::{AuthOut, DataOut, ExpectOut, FilePartOut, FilesOut, Method, StepOut};
use super::spec_file::{base_url_template, is_credential_name, literal};
use super::{ImportError, Secrets, SpecFile};

/// Options that take a value, by short and long name.
const WITH_VALUE: &[(Option<char>, &str)] = &[
    (Some('X'), "request"),
    (Some('H'), "header"),
    (Some('d'), "data"),
    (None, "data-ascii"),
    (None, "data-raw"),
    (None, "data-binary"),
    (None, "data-urlencode"),
    (None, "json"),
    (Some('F'), "form"),
    (None, "form-string"),
    (Some('u'), "user"),
    (Some('b'), "cookie"),
    (Some('T'), "upload-file"),
    (None, "url"),
    (Some('A'), "user-agent"),
    (Some('e'), "referer"),
    (Some('o'), "output"),
];

/// Options without a value. `-s`, `-S`, `-v`, `-i` and `-f` (like `-o FILE` above)
/// change what curl prints, not what it sends, so they are accepted and have no effect.
const FLAGS: &[(Option<char>, &str)] = &[
    (Some('G'), "get"),
    (Some('k'), "insecure"),
    (Some('L'), "location"),
    (Some('s'), "silent"),
    (Some('S'), "show-error"),
    (Some('v'), "verbose"),
    (Some('i'), "include"),
    (Some('f'), "fail"),
];

/// The command line, option by option (long names, values attached).
#[derive(Debug, Default)]
struct Parsed {
    options: Vec<(&'static str, String)>,
    urls: Vec<String>,
}

fn parse_words(words: &[String]) -> Result<Parsed, ImportError> {
    let mut words = words.iter().peekable();
    if words
        .peek()
        .is_some_and(|w| *w == "curl" || w.ends_with("/curl"))
    {
        words.next();
    }
    let mut out = Parsed::default();
    let value_for =
        |name: &'static str,
         inline: Option<String>,
         words: &mut std::iter::Peekable<std::slice::Iter<String>>| {
            match inline
                .filter(|s| !s.is_empty())
                .or_else(|| words.next().cloned())
            {
                Some(v) => Ok((name, v)),
                None => Err(ImportError::Curl(format!(
                    "option `--{name}` needs a value"
                ))),
            }
        };
    while let Some(word) = words.next() {
        if let Some(long) = word.strip_prefix("--") {
            if long.is_empty() {
                out.urls.extend(words.by_ref().cloned());
                break;
            }
            if let Some((_, name)) = WITH_VALUE.iter().find(|(_, l)| *l == long) {
                out.options.push(value_for(name, None, &mut words)?);
            } else if let Some((_, name)) = FLAGS.iter().find(|(_, l)| *l == long) {
                out.options.push((name, String::new()));
            } else {
                return Err(unknown(word));
            }
        } else if word.len() > 1 && word.starts_with('-') {
            for (i, c) in word[1..].char_indices() {
                if let Some((_, name)) = WITH_VALUE.iter().find(|(s, _)| *s == Some(c)) {
                    let rest = word[1 + i + c.len_utf8()..].to_string();
                    out.options.push(value_for(name, Some(rest), &mut words)?);
                    break;
                } else if let Some((_, name)) = FLAGS.iter().find(|(s, _)| *s == Some(c)) {
                    out.options.push((name, String::new()));
                } else {
                    return Err(unknown(&format!("-{c}")));
                }
            }
        } else {
            out.urls.push(word.clone());
        }
    }
    Ok(out)
}

fn unknown(option: &str) -> ImportError {
    ImportError::Curl(format!(
        "option `{option}` is not understood by the importer; remove it or write that part of the spec by hand (understood: -X, -H, -d, --data, --data-raw, --data-binary, --data-urlencode, --json, -F, --form-string, -u, -b, -T, -G, -k, -L, --url, -A, -e, and -s -S -v -i -f -o, which change only what curl prints)"
    ))
}

/// A `-F` part: a text field or a file.
#[derive(Debug)]
enum FormPart {
    Field(String, String),
    File {
        name: String,
        path: PathBuf,
        filename: Option<String>,
        content_type: Option<String>,
    },
}

/// The Content-Type curl gives a file part, by extension (curl's `mime.c` table).
fn curl_content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "txt" => "text/plain",
        "htm" | "html" => "text/html",
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

/// Encodes as `--data-urlencode` does: `curl_easy_escape` (all but `A-Za-z0-9-._~`
/// percent-encoded), a space as `+`.
fn curl_escape(s: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    // The curl tool then writes a space as `+` (as forms do), not `%20`.
    percent_encoding::utf8_percent_encode(s, KEEP)
        .to_string()
        .replace("%20", "+")
}

fn read_text(path: &str, option: &str) -> Result<String, ImportError> {
    if path == "-" {
        return Err(ImportError::Curl(format!(
            "`{option} @-` reads standard input; put the data in the command or a file"
        )));
    }
    std::fs::read_to_string(path)
        .map_err(|e| ImportError::Curl(format!("cannot read `{path}` (from `{option}`): {e}")))
}

fn absolute(path: &str) -> PathBuf {
    let p = PathBuf::from(path);
    if p.is_absolute() {
        p
    } else {
        std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p)
    }
}

/// Builds the spec for a curl command line. One word is split as a shell would;
/// several are taken as already split.
pub fn import(args: &[String], keep_secrets: bool) -> Result<SpecFile, ImportError> {
    // `putcheck import curl 'curl ...' --keep-secrets`: after a quoted command, the
    // words are putcheck's options, not curl's.
    let mut keep_secrets = keep_secrets;
    let mut args = args;
    if let [quoted, rest @ ..] = args {
        if !rest.is_empty() && quoted.contains(char::is_whitespace) {
            for option in rest {
                match option.as_str() {
                    "--keep-secrets" => keep_secrets = true,
                    other => {
                        return Err(ImportError::Curl(format!(
                            "`{other}` after the quoted command: give the whole curl command as one quoted argument (putcheck's own option is --keep-secrets)"
                        )))
                    }
                }
            }
            args = std::slice::from_ref(quoted);
        }
    }
    let words = match args {
        [one] => shell_words::split(one).map_err(|e| {
            ImportError::Curl(format!(
                "cannot split the command line as a shell would: {e}"
            ))
        })?,
        many => many.to_vec(),
    };
    let request = CurlRequest::from_words(&words)?;
    spec_for(request, Secrets::new(keep_secrets))
}

/// What curl would send for a command line: its options applied as curl applies them.
#[derive(Debug)]
struct CurlRequest {
    /// Upper case.
    method: String,
    /// The spec step's method (its key: `put`, `get`, ...).
    key: Method,
    /// Without user info (that is in `user`).
    url: Url,
    /// In order, with the ones curl adds on its own (`Accept`, `Content-Type`).
    headers: Vec<(String, String)>,
    cookies: Vec<(String, String)>,
    /// `user:password`.
    user: Option<String>,
    /// The body when it is data sent in the body (not with `-G`).
    body_text: Option<String>,
    /// `--data-binary @file` alone, or `-T file`: the body streamed from this file.
    body_file: Option<PathBuf>,
    form: Vec<FormPart>,
    insecure: bool,
    follow: bool,
}

impl CurlRequest {
    fn from_words(words: &[String]) -> Result<CurlRequest, ImportError> {
        let parsed = parse_words(words)?;
        let mut method: Option<String> = None;
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut data: Vec<String> = Vec::new();
        let mut json_data = false;
        let mut binary_file: Option<String> = None;
        let mut form: Vec<FormPart> = Vec::new();
        let mut user: Option<String> = None;
        let mut cookies: Vec<(String, String)> = Vec::new();
        let mut upload: Option<String> = None;
        let (mut get, mut insecure, mut follow) = (false, false, false);
        let mut urls = parsed.urls.clone();
        for (name, value) in &parsed.options {
            match *name {
                "request" => method = Some(value.clone()),
                "header" => {
                    if let Some((k, v)) = value.split_once(':') {
                        let v = v.trim_start();
                        // `-H 'Name:'` removes a header curl would add; nothing to send.
                        if !v.is_empty() {
                            headers.push((k.trim().to_string(), v.to_string()));
                        }
                    } else if let Some(k) = value.strip_suffix(';') {
                        headers.push((k.trim().to_string(), String::new()));
                    } else {
                        return Err(ImportError::Curl(format!(
                            "`-H {value}` is not `Name: value`"
                        )));
                    }
                }
                "data" | "data-ascii" => match value.strip_prefix('@') {
                    // curl drops CR and LF from a file read by `-d @file`.
                    Some(path) => data.push(read_text(path, "-d")?.replace(['\r', '\n'], "")),
                    None => data.push(value.clone()),
                },
                "data-raw" => data.push(value.clone()),
                "data-binary" | "json" => {
                    if *name == "json" {
                        json_data = true;
                    }
                    match value.strip_prefix('@') {
                        Some(path)
                            if parsed
                                .options
                                .iter()
                                .filter(|(n, _)| n.starts_with("data") || *n == "json")
                                .count()
                                == 1 =>
                        {
                            read_text(path, name)?;
                            binary_file = Some(path.to_string());
                        }
                        Some(path) => data.push(read_text(path, name)?),
                        None => data.push(value.clone()),
                    }
                }
                "data-urlencode" => {
                    let encoded = match value.find(['=', '@']) {
                        Some(0) if value.starts_with('=') => curl_escape(&value[1..]),
                        Some(i) if value.as_bytes()[i] == b'@' => {
                            let content = read_text(&value[i + 1..], "--data-urlencode")?;
                            if i == 0 {
                                curl_escape(&content)
                            } else {
                                format!("{}={}", &value[..i], curl_escape(&content))
                            }
                        }
                        Some(i) => format!("{}={}", &value[..i], curl_escape(&value[i + 1..])),
                        None => curl_escape(value),
                    };
                    data.push(encoded);
                }
                "form" | "form-string" => {
                    let (field, v) = value.split_once('=').ok_or_else(|| {
                        ImportError::Curl(format!("`-F {value}` is not `name=value`"))
                    })?;
                    let field = field.to_string();
                    if *name == "form-string" {
                        form.push(FormPart::Field(field, v.to_string()));
                    } else if let Some(spec) = v.strip_prefix('@') {
                        let mut parts = spec.split(';');
                        let path = parts.next().unwrap_or_default();
                        let (mut filename, mut content_type) = (None, None);
                        for p in parts {
                            match p.trim().split_once('=') {
                            Some(("type", t)) => content_type = Some(t.to_string()),
                            Some(("filename", f)) => filename = Some(f.trim_matches('"').to_string()),
                            _ => return Err(ImportError::Curl(format!("`-F {value}`: the part option `{p}` is not understood (type= and filename= are)"))),
                        }
                        }
                        let path_buf = absolute(path);
                        if !path_buf.is_file() {
                            return Err(ImportError::Curl(format!(
                                "`-F {value}`: no file `{path}`"
                            )));
                        }
                        let content_type = content_type
                            .unwrap_or_else(|| curl_content_type(&path_buf).to_string());
                        form.push(FormPart::File {
                            name: field,
                            path: path_buf,
                            filename,
                            content_type: Some(content_type),
                        });
                    } else if let Some(path) = v.strip_prefix('<') {
                        form.push(FormPart::Field(field, read_text(path, "-F")?));
                    } else if v.contains(";type=") {
                        return Err(ImportError::Curl(format!("`-F {value}`: a text part with its own type is not supported; use a file part (`name=@file;type=...`)")));
                    } else {
                        form.push(FormPart::Field(field, v.to_string()));
                    }
                }
                "user" => user = Some(value.clone()),
                "cookie" => {
                    if !value.contains('=') {
                        return Err(ImportError::Curl(format!("`-b {value}` reads cookies from a file, which the importer does not do; give them as `-b 'name=value; other=value'`")));
                    }
                    for pair in value.split(';') {
                        let pair = pair.trim();
                        if let Some((k, v)) = pair.split_once('=') {
                            cookies.push((k.to_string(), v.to_string()));
                        }
                    }
                }
                "upload-file" => upload = Some(value.clone()),
                "url" => urls.push(value.clone()),
                "user-agent" => headers.push(("User-Agent".into(), value.clone())),
                "referer" => headers.push(("Referer".into(), value.clone())),
                "get" => get = true,
                "insecure" => insecure = true,
                "location" => follow = true,
                _ => {} // silent, show-error, verbose, include, fail, output: print only
            }
        }
        let url_text = match urls.as_slice() {
            [one] => one.clone(),
            [] => return Err(ImportError::Curl("no URL in the command".into())),
            _ => {
                return Err(ImportError::Curl(format!(
                    "one URL per command, found {}: {}",
                    urls.len(),
                    urls.join(", ")
                )))
            }
        };
        let with_scheme = if url_text.contains("://") {
            url_text.clone()
        } else {
            format!("http://{url_text}")
        };
        let mut url = Url::parse(&with_scheme)
            .map_err(|e| ImportError::Curl(format!("`{url_text}` is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ImportError::Curl(format!(
                "`{url_text}`: only http and https URLs can be tested"
            )));
        }
        if !url.username().is_empty() && user.is_none() {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            user = Some(format!(
                "{}:{}",
                decode(url.username()),
                decode(url.password().unwrap_or(""))
            ));
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
        if let Some(file) = &upload {
            if url.path().ends_with('/') {
                let name = Path::new(file)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                url.set_path(&format!("{}{}", url.path(), curl_escape(&name)));
            }
        }
        let has_body = !data.is_empty() || binary_file.is_some();
        let body_text = if json_data {
            data.concat()
        } else {
            data.join("&")
        };
        if get && has_body {
            if binary_file.is_some() {
                return Err(ImportError::Curl(
                    "-G with a data file: put the query in the URL".into(),
                ));
            }
            let query = match url.query() {
                Some(q) if !q.is_empty() => format!("{q}&{body_text}"),
                _ => body_text.clone(),
            };
            url.set_query(Some(&query));
        }
        let method = method.unwrap_or_else(|| {
            let implied = if upload.is_some() {
                "PUT"
            } else if get {
                "GET"
            } else if has_body || !form.is_empty() {
                "POST"
            } else {
                "GET"
            };
            implied.to_string()
        });
        let key = match Method::from_name(&method) {
            Some(m) => m,
            None => {
                return Err(ImportError::Curl(format!(
                    "method `{}`: a spec step is a PUT, GET, DELETE, POST or PATCH",
                    method.to_ascii_uppercase()
                )))
            }
        };

        let has_header = |headers: &[(String, String)], name: &str| {
            headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        // What curl adds on its own, so the spec sends it too.
        if !has_header(&headers, "accept") {
            let accept = if json_data { "application/json" } else { "*/*" };
            headers.insert(0, ("Accept".into(), accept.into()));
        }
        if (has_body && !get) && !has_header(&headers, "content-type") {
            let ct = if json_data {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            headers.push(("Content-Type".into(), ct.into()));
        }

        if let Some(file) = &upload {
            if has_body || !form.is_empty() {
                return Err(ImportError::Curl(
                    "-T with -d or -F: one body per request".into(),
                ));
            }
            let path = absolute(file);
            if !path.is_file() {
                return Err(ImportError::Curl(format!("-T: no file `{file}`")));
            }
        }
        if !form.is_empty() && has_body {
            return Err(ImportError::Curl(
                "-F with -d: curl sends one body, not both".into(),
            ));
        }
        Ok(CurlRequest {
            method: method.to_ascii_uppercase(),
            key,
            url,
            headers,
            cookies,
            user,
            body_text: (has_body && !get && binary_file.is_none()).then_some(body_text),
            body_file: binary_file.or(upload).map(|f| absolute(&f)),
            form,
            insecure,
            follow,
        })
    }
}

/// The spec that sends `request`; credentials become variables in `secrets`.
fn spec_for(request: CurlRequest, mut secrets: Secrets) -> Result<SpecFile, ImportError> {
    let CurlRequest {
        method,
        key,
        url,
        headers,
        mut cookies,
        user,
        body_text,
        body_file,
        form,
        insecure,
        follow,
    } = request;
    let mut test = StepOut::new(
        literal(&format!("{method} {}", url.path())),
        key,
        target(&url, &mut secrets),
    );

    // Credentials become variables.
    let mut auth = None;
    let mut out_headers = Vec::new();
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("authorization") {
            if let Some(token) = v.strip_prefix("Bearer ") {
                auth = Some(AuthOut::Bearer(
                    secrets.add("BEARER_TOKEN", Some(token.trim())),
                ));
                continue;
            }
            if let Some(b64) = v.strip_prefix("Basic ") {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok());
                if let Some((u, p)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
                    auth = Some(AuthOut::Basic([
                        secrets.add("BASIC_USER", Some(u)),
                        secrets.add("BASIC_PASSWORD", Some(p)),
                    ]));
                    continue;
                }
            }
            out_headers.push((k, secrets.add("AUTHORIZATION", Some(&v))));
        } else if k.eq_ignore_ascii_case("cookie") {
            for pair in v.split(';') {
                if let Some((ck, cv)) = pair.trim().split_once('=') {
                    cookies.push((ck.to_string(), cv.to_string()));
                }
            }
        } else if is_credential_name(&k) {
            let var = secrets.add(&k, Some(&v));
            out_headers.push((k, var));
        } else {
            out_headers.push((literal(&k), literal(&v)));
        }
    }
    if let Some(u) = user {
        let (name, password) = u.split_once(':').ok_or_else(|| {
            ImportError::Curl(format!(
                "`-u {u}` has no password (curl would ask for it); give `-u user:password`"
            ))
        })?;
        auth = Some(AuthOut::Basic([
            secrets.add("BASIC_USER", Some(name)),
            secrets.add("BASIC_PASSWORD", Some(password)),
        ]));
    }

    // Body: JSON when putcheck would send the same bytes, else the raw text.
    if let Some(path) = &body_file {
        test.body_file = Some(literal(&path.to_string_lossy()));
    } else if let Some(text) = &body_text {
        let is_json_type = out_headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v == "application/json");
        match serde_json::from_str::<Value>(text) {
            Ok(v)
                if is_json_type
                    && serde_json::to_string(&v).ok().as_deref() == Some(text.as_str()) =>
            {
                out_headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
                test.json = Some(super::spec_file::literal_value(&v));
            }
            _ => test.data = Some(DataOut::Text(literal(text))),
        }
    }

    test.headers = out_headers.into();
    test.cookies = cookies
        .iter()
        .map(|(k, v)| (literal(k), secrets.add(&format!("COOKIE_{k}"), Some(v))))
        .collect::<Vec<_>>()
        .into();
    test.auth = auth;
    let mut multipart_note = None;
    if !form.is_empty() {
        let mut fields = Map::new();
        let mut files = Vec::new();
        for part in form {
            match part {
                FormPart::Field(k, v) => {
                    // A repeated name is sent once per value, in order: a list, as
                    // `data:` writes it (curl `-F tag=a -F tag=b`, requests' list values).
                    let v = Value::String(literal(&v));
                    match fields.get_mut(&literal(&k)) {
                        Some(Value::Array(values)) => values.push(v),
                        Some(first) => *first = Value::Array(vec![first.take(), v]),
                        None => {
                            fields.insert(literal(&k), v);
                        }
                    }
                }
                FormPart::File {
                    name,
                    path,
                    filename,
                    content_type,
                } => {
                    let part = FilePartOut {
                        path: Some(literal(&path.to_string_lossy())),
                        filename: filename.map(|n| literal(&n)),
                        content_type: content_type.map(|t| literal(&t)),
                        ..FilePartOut::default()
                    };
                    if files.iter().any(|(n, _)| *n == literal(&name)) {
                        return Err(ImportError::Curl(format!(
                            "`-F {name}=@...` is given twice; a spec's `files:` sends one file per field name: keep one, or write the request by hand"
                        )));
                    }
                    files.push((literal(&name), part));
                }
            }
        }
        if files.is_empty() {
            multipart_note = Some(
                "curl sends `-F` fields as multipart/form-data; this spec sends them as a urlencoded form (`data:`), since a spec's multipart body needs a file under `files:`; add one, or check that the server takes both".to_string(),
            );
        }
        if !fields.is_empty() {
            test.data = Some(DataOut::Fields(fields));
        }
        if !files.is_empty() {
            test.files = Some(FilesOut(files));
        }
    }
    if !follow {
        // curl follows redirects only with -L; putcheck (like requests) by default.
        test.allow_redirects = Some(false);
    }
    if insecure {
        test.verify = Some(false);
    }
    test.expect = Some(ExpectOut::status(Value::String("2xx".into())));

    let mut comment = vec![format!(
        "Imported by `putcheck import curl` from a curl command: {} {}",
        method,
        &url[..Position::AfterPath]
    )];
    if let Some(note) = multipart_note {
        comment.extend([String::new(), format!("Note: {note}.")]);
    }
    Ok(SpecFile {
        comment,
        base_url: Some(base_url_template(&url[..Position::BeforePath])),
        secrets,
        tests: vec![test],
        ..SpecFile::default()
    })
}

/// The request target with credential-named query values replaced by variables.
fn target(url: &Url, secrets: &mut Secrets) -> String {
    let path = literal(&url[Position::BeforePath..Position::AfterPath]);
    let Some(query) = url.query() else {
        return path;
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v))
                if is_credential_name(
                    &percent_encoding::percent_decode_str(k).decode_utf8_lossy(),
                ) =>
            {
                format!("{}={}", literal(k), secrets.add(k, Some(v)))
            }
            _ => literal(pair),
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        vec![s.to_string()]
    }

    #[test]
    fn a_repeated_form_field_is_a_list_and_a_repeated_file_is_refused() {
        let spec = import(
            &words("curl -X PUT -F tag=a -F tag=b -F tag=c -F name=w http://x/f"),
            false,
        )
        .unwrap();
        let data = serde_json::to_value(&spec.tests[0].data).unwrap();
        assert_eq!(
            data,
            serde_json::json!({ "tag": ["a", "b", "c"], "name": "w" })
        );
        let err = import(
            &words("curl -X PUT -F doc=@Cargo.toml -F doc=@README.md http://x/f"),
            false,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("`-F doc=@...` is given twice"),
            "{err}"
        );
        // Fields alone: curl's multipart cannot be written without a file; the spec says so.
        assert!(
            spec.comment
                .iter()
                .any(|l| l.contains("as a urlencoded form")),
            "{:?}",
            spec.comment
        );
    }

    #[test]
    fn an_unknown_option_is_named() {
        let err = import(&words("curl --compressed http://x/"), false).unwrap_err();
        assert!(err.to_string().contains("`--compressed`"), "{err}");
        let err = import(&words("curl -sZ http://x/"), false).unwrap_err();
        assert!(err.to_string().contains("`-Z`"), "{err}");
    }

    #[test]
    fn keep_secrets_may_follow_the_quoted_command() {
        let args = [
            "curl -u a:b http://x/".to_string(),
            "--keep-secrets".to_string(),
        ];
        let spec = import(&args, false).unwrap();
        assert_eq!(spec.secrets.kept.len(), 2);
        let args = ["curl http://x/".to_string(), "-v".to_string()];
        assert!(import(&args, false)
            .unwrap_err()
            .to_string()
            .contains("`-v` after the quoted command"));
    }

    #[test]
    fn urlencode_forms_follow_curl() {
        let spec = import(&words("curl -G http://x/q --data-urlencode 'a b' --data-urlencode '=c&d' --data-urlencode 'n=ü v'"), false).unwrap();
        assert_eq!(spec.tests[0].target, "/q?a+b&c%26d&n=%C3%BC+v");
        assert_eq!(spec.tests[0].method, super::super::model::Method::Get);
    }

    #[test]
    fn credentials_become_secret_variables() {
        let spec = import(
            &words(
                "curl -X PUT -u me:pw -H 'X-Api-Key: k1' -b 'sid=s1' 'http://x/a?token=t1&page=2'",
            ),
            false,
        )
        .unwrap();
        let text = spec.render().unwrap();
        for value in ["pw", "k1", "s1", "t1"] {
            assert!(
                !text.contains(&format!(": {value}")) && !text.contains(&format!("={value}")),
                "{value} leaked:\n{text}"
            );
        }
        let mut names = spec.secrets.names.clone();
        names.sort();
        assert_eq!(
            names,
            [
                "BASIC_PASSWORD",
                "BASIC_USER",
                "COOKIE_SID",
                "TOKEN",
                "X_API_KEY"
            ]
        );
    }
}
