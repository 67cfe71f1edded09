//! Request bodies: JSON, form, raw, multipart (built in memory, as requests does) and
//! files (streamed from disk).

use std::path::PathBuf;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::options::{FilePart, FileSource};
use super::{HttpError, HttpErrorKind};

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Empty,
    /// Bytes and the Content-Type they imply (if any).
    Bytes(Vec<u8>, Option<String>),
    /// Streamed from disk at send time, never read into memory.
    File(PathBuf),
}

impl Body {
    pub fn content_type(&self) -> Option<String> {
        match self {
            Body::Bytes(_, ct) => ct.clone(),
            _ => None,
        }
    }

    /// A short, printable form of the body for reports.
    pub fn preview(&self, limit: usize) -> String {
        match self {
            Body::Empty => String::new(),
            Body::File(p) => format!("<contents of {}>", p.display()),
            Body::Bytes(b, _) => {
                let text = String::from_utf8_lossy(&b[..b.len().min(limit)]).into_owned();
                if b.len() > limit {
                    format!("{text}… ({} bytes in all)", b.len())
                } else {
                    text
                }
            }
        }
    }
}

/// Bytes that Python's `urllib.parse.quote_plus` (and so requests) percent-encodes: all
/// but `A-Za-z0-9_.-~`. The space is left out here because it becomes `+`, not `%20`.
/// (The url crate's form encoder differs: it keeps `*` and encodes `~`.)
const QUOTE_PLUS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b' ');

/// One name or value encoded as requests encodes `params=` and `data=`:
/// `urlencode(doseq=True)` → `quote_plus`, UTF-8, space as `+`.
pub fn quote_plus(s: &str) -> String {
    utf8_percent_encode(s, QUOTE_PLUS)
        .to_string()
        .replace(' ', "+")
}

/// `application/x-www-form-urlencoded` exactly as requests encodes `data=` (and the query
/// of `params=`): pairs in order, a repeated name once per value.
pub fn form_urlencode(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A `name="value"` parameter of a part's `Content-Disposition`, escaped as urllib3 2 (and
/// browsers, per the WHATWG HTML standard) do: `"`, CR and LF percent-encoded, the rest
/// (UTF-8 included) as is.
fn quote(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A multipart/form-data body: fields first, then files, as requests orders them.
pub fn multipart(fields: &[(String, String)], files: &[FilePart]) -> Result<Body, HttpError> {
    let boundary = format!("putcheck-{:016x}{:08x}", nonce(), std::process::id());
    let mut out: Vec<u8> = Vec::new();
    for (name, value) in fields {
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
                quote(name)
            )
            .as_bytes(),
        );
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    for part in files {
        let (content, default_name) = match &part.source {
            FileSource::Path(p) => (
                std::fs::read(p).map_err(|e| {
                    HttpError::new(
                        HttpErrorKind::BodyFile,
                        format!(
                            "cannot read file `{}` for `files.{}`: {e}",
                            p.display(),
                            part.field
                        ),
                    )
                })?,
                p.file_name().map(|n| n.to_string_lossy().into_owned()),
            ),
            FileSource::Content(c) => (c.clone().into_bytes(), None),
        };
        let filename = part
            .filename
            .clone()
            .or(default_name)
            .unwrap_or_else(|| part.field.clone());
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n",
                quote(&part.field),
                quote(&filename)
            )
            .as_bytes(),
        );
        if let Some(ct) = &part.content_type {
            out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&content);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(Body::Bytes(
        out,
        Some(format!("multipart/form-data; boundary={boundary}")),
    ))
}

fn nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values from Python: `urllib.parse.urlencode(pairs, doseq=True)`.
    #[test]
    fn form_encoding_is_pythons_quote_plus() {
        let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
            p.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            form_urlencode(&pairs(&[
                ("a b", "x y*~!'()/ü"),
                ("k", "1"),
                ("k", "2"),
                ("e", "")
            ])),
            "a+b=x+y%2A~%21%27%28%29%2F%C3%BC&k=1&k=2&e="
        );
        assert_eq!(
            form_urlencode(&pairs(&[("sym", "-_.~+&=?#%")])),
            "sym=-_.~%2B%26%3D%3F%23%25"
        );
        assert_eq!(form_urlencode(&[]), "");
    }

    #[test]
    fn disposition_parameters_are_escaped_as_urllib3_does() {
        assert_eq!(quote("my \"file\".txt"), "my %22file%22.txt");
        assert_eq!(quote("a\r\nb\\c"), "a%0D%0Ab\\c");
        assert_eq!(quote("ü.txt"), "ü.txt");
    }
}
