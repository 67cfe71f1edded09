//! What a request asks of the transport besides its bytes: the method, deadlines, TLS,
//! proxies, credentials. Plain data, built by the stage that turns a spec into a request
//! (`run::prepare`); the spec model uses these types as they are.

use std::path::PathBuf;
use std::time::Duration;

/// The request methods putcheck sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Put,
    Get,
    Delete,
    Post,
    Patch,
    Head,
    Options,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Put => "PUT",
            Method::Get => "GET",
            Method::Delete => "DELETE",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    /// Whether a request of this method may be repeated with the same effect (RFC 9110
    /// §9.2.2); POST and PATCH may not.
    pub fn idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FilePart {
    pub field: String,
    pub source: FileSource,
    pub filename: Option<String>,
    pub content_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileSource {
    Path(PathBuf),
    Content(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    Basic { user: String, password: String },
    Bearer(String),
}

/// `timeout`: requests' single value or `(connect, read)` tuple.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timeouts {
    pub connect: Duration,
    pub read: Duration,
}

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: DEFAULT_TIMEOUT,
            read: DEFAULT_TIMEOUT,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Proxies {
    pub http: Option<String>,
    pub https: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Verify {
    #[default]
    System,
    Off,
    CaBundle(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientCert {
    pub cert: PathBuf,
    /// `None`: the key is in the same PEM as the certificate.
    pub key: Option<PathBuf>,
}
