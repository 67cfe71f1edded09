//! Model → HTTP request → recorded response, through shared ureq agents.
//!
//! One file per job: `request` builds a request from the spec, `headers` is the one
//! place header fields are merged and compared, `client` holds the agent pool and sends
//! one exchange, `redirect` follows redirects as requests does, `response` reads what
//! came back (`interim` past 1xx responses, `decode` undoing Content-Encoding); `body`,
//! `proxy`, `resolve`, `tls` and `error` serve them.
//!
//! ureq 2.12 rather than ureq 3: putcheck checks the reason phrase *as sent on the status
//! line* (`expect.reason`), and ureq 3's parser discards it (`http::Response` has no
//! field for it), while ureq 2 keeps it as `Response::status_text()`. Capturing it under
//! ureq 3 would mean wrapping its semver-exempt transport API; ureq 2 is maintained for
//! fixes and gives the wire phrase directly.

mod body;
mod client;
mod decode;
mod error;
mod headers;
mod interim;
mod proxy;
mod redirect;
mod request;
mod resolve;
mod response;
mod tls;

pub use body::{form_urlencode, quote_plus, Body};
pub use client::Client;
pub use error::{HttpError, HttpErrorKind};
pub use headers::Headers;
pub use proxy::{mask_proxy, proxy_url, EnvProxies};
pub use redirect::{Hop, MAX_REDIRECTS};
pub use request::{build_url, prepare, Request};
pub use response::{parse_json, Response};

pub const USER_AGENT: &str = concat!("putcheck/", env!("CARGO_PKG_VERSION"));
