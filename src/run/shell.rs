//! The request as a shell can repeat it (`--curl`): the same bytes as were sent, except
//! that each secret stands as a reference to the variable holding it (`$API_TOKEN`), so
//! the command works once that variable is exported, and no secret value is printed.

use super::redact::{Redactor, ShellPiece};
use crate::http::{self, Body};
use crate::spec::Auth;

/// Largest body written inline (a screenful); a larger one is saved to a file by the user.
const MAX_INLINE_BODY: usize = 4096;

/// Built by the runner from the request before masking; holds no secret value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShellRequest {
    pub method: String,
    pub url: Vec<ShellPiece>,
    pub headers: Vec<(String, Vec<ShellPiece>)>,
    /// `user:password` of basic auth, for `curl -u`.
    pub user: Option<Vec<ShellPiece>>,
    pub body: ShellBody,
    /// curl's flag for the HTTP version the request goes on (`--http2`,
    /// `--http2-prior-knowledge`, `--http1.1` over https, where curl would offer h2).
    #[serde(default)]
    pub version_flag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShellBody {
    None,
    Text(Vec<ShellPiece>),
    File(String),
    /// Too long to write inline: this many bytes.
    Large(usize),
    /// Not UTF-8 text: this many bytes.
    Binary(usize),
}

/// The variable a secret without a name of its own is said to be in: after its header
/// (`Authorization` → `AUTHORIZATION`), else `SECRET`.
fn unnamed(header: Option<&str>) -> String {
    match header {
        Some(h) => h
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect(),
        None => "SECRET".into(),
    }
}

impl ShellRequest {
    pub fn new(
        req: &http::Request,
        version: http::HttpVersion,
        auth: Option<&Auth>,
        redactor: &Redactor,
    ) -> ShellRequest {
        let mut user = None;
        let mut headers = Vec::new();
        for (name, value) in &req.headers {
            // Basic auth goes to `-u user:password`, where variables can stand for each half.
            if let Some(Auth::Basic { user: u, password }) = auth {
                if name.eq_ignore_ascii_case("authorization") && value.starts_with("Basic ") {
                    user = Some(redactor.shell_pieces(&format!("{u}:{password}"), "AUTH_USER"));
                    continue;
                }
            }
            let pieces = if super::is_sensitive(name) && redactor.text(value) == *value {
                // A credential header always counts as a secret, named after the header.
                vec![ShellPiece::Var(unnamed(Some(name)))]
            } else {
                redactor.shell_pieces(value, &unnamed(Some(name)))
            };
            headers.push((name.clone(), pieces));
        }
        let body = match &req.body {
            Body::Empty => ShellBody::None,
            Body::File(p) => ShellBody::File(p.display().to_string()),
            Body::Bytes(b, _) if b.len() > MAX_INLINE_BODY => ShellBody::Large(b.len()),
            Body::Bytes(b, _) => match std::str::from_utf8(b) {
                Ok(text) => ShellBody::Text(redactor.shell_pieces(text, &unnamed(None))),
                Err(_) => ShellBody::Binary(b.len()),
            },
        };
        let https = req.parsed_url.scheme() == "https";
        let version_flag = match (version, https) {
            (http::HttpVersion::Http2, false) => Some("--http2-prior-knowledge"),
            (http::HttpVersion::Http2 | http::HttpVersion::Auto, true) => Some("--http2"),
            (http::HttpVersion::Http11, true) => Some("--http1.1"),
            _ => None,
        };
        ShellRequest {
            version_flag: version_flag.map(String::from),
            method: req.method.to_string(),
            url: redactor.shell_pieces(&req.url, &unnamed(None)),
            headers,
            user,
            body,
        }
    }
}
