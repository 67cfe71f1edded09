//! Model → HTTP request → recorded response, over putcheck's own HTTP/1.1 client.
//!
//! One file per job: `request` builds a request from the spec, `headers` is the one
//! place header fields are merged and compared, `redirect` follows redirects as requests
//! does, `client` runs one exchange over a connection from `pool` or `connect` (which
//! reaches the server direct, through an HTTP proxy's tunnel or `socks`, and does the
//! TLS handshake), `wire` writes the request, `read` reads the response (past 1xx ones),
//! `decode` undoes Content-Encoding and `response` is what comes back; `socket` keeps
//! every read and write within the exchange's deadline; `body`, `proxy`, `resolve`,
//! `tls` and `error` serve them.
//!
//! Its own client rather than ureq, because putcheck's job is the exact exchange: the
//! reason phrase *as sent on the status line* (`expect.reason`; ureq 3 drops it), header
//! values as requests encodes them (Latin-1; ureq 2 takes ASCII only), one deadline
//! over the whole exchange without a system call per read (ureq 2 resets the socket
//! timeouts on every read), and the failures told apart in plain words. rustls does
//! TLS and httparse parses response heads.

mod body;
mod client;
mod connect;
mod decode;
mod error;
mod headers;
mod limited;
mod options;
mod pool;
mod proxy;
mod read;
mod redirect;
mod request;
mod resolve;
mod response;
mod socket;
mod socks;
mod tls;
mod wire;

pub use body::{form_urlencode, multipart, quote_plus, Body};
pub use client::Client;
pub use error::{HttpError, HttpErrorKind};
pub use headers::Headers;
pub use options::{
    Auth, ClientCert, FilePart, FileSource, Method, Proxies, Timeouts, Verify, DEFAULT_TIMEOUT,
};
pub use proxy::{mask_proxy, EnvProxies};
pub use redirect::{Hop, MAX_REDIRECTS};
pub use request::{build_url, parse_url, url_credentials, Request};
pub use response::Response;

pub const USER_AGENT: &str = concat!("putcheck/", env!("CARGO_PKG_VERSION"));
