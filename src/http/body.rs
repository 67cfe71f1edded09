//! Request bodies: JSON, form, raw, multipart (built in memory) and files (streamed).

use std::path::PathBuf;

use crate::spec::{BodySpec, FilePart, FileSource};

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
    pub fn from_spec(spec: &BodySpec) -> Result<Body, HttpError> {
        Ok(match spec {
            BodySpec::None => Body::Empty,
            BodySpec::Json(v) => Body::Bytes(
                serde_json::to_vec(v).unwrap_or_default(),
                Some("application/json".into()),
            ),
            BodySpec::Form(fields) => Body::Bytes(
                form_urlencode(fields).into_bytes(),
                Some("application/x-www-form-urlencoded".into()),
            ),
            BodySpec::Raw(s) => Body::Bytes(s.clone().into_bytes(), None),
            BodySpec::File(p) => Body::File(p.clone()),
            BodySpec::Multipart { fields, files } => multipart(fields, files)?,
        })
    }

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

/// application/x-www-form-urlencoded, as requests encodes `data=` (spaces as `+`).
pub fn form_urlencode(fields: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// multipart/form-data: fields first, then files, as requests orders them.
fn multipart(fields: &[(String, String)], files: &[FilePart]) -> Result<Body, HttpError> {
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
