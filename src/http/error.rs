//! Why a request produced no usable response, in words that say what to do next.

use std::time::Duration;

use super::proxy::mask_proxy;
use crate::spec::Timeouts;

/// Why no usable response came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HttpErrorKind {
    InvalidUrl,
    Dns,
    Connect,
    ConnectTimeout,
    ReadTimeout,
    Tls,
    Proxy,
    Io,
    Protocol,
    BodyTooLarge,
    /// A `Content-Encoding` the body does not match.
    Encoding,
    RedirectLoop,
    TooManyRedirects,
    BodyFile,
    /// A header the spec asks for cannot be put on the wire; nothing was sent.
    InvalidHeader,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct HttpError {
    pub kind: HttpErrorKind,
    pub message: String,
}

impl HttpError {
    pub fn new(kind: HttpErrorKind, message: impl Into<String>) -> Self {
        HttpError {
            kind,
            message: message.into(),
        }
    }
}

/// The exchange's deadline came before a response did: `timeout` bounds the whole
/// exchange, redirects included.
pub(super) fn deadline_passed(url: &str, limit: Duration) -> HttpError {
    HttpError::new(
        HttpErrorKind::ReadTimeout,
        format!(
            "timeout: the exchange with `{url}` did not finish within {limit:?} (redirects included); {RAISE_TIMEOUT}"
        ),
    )
}

const RAISE_TIMEOUT: &str =
    "`timeout` (or `timeout.read`) bounds the whole exchange; raise it if the endpoint is slow";

/// A failed read of the response body, after the status line and headers arrived.
pub(super) fn body_error(e: &std::io::Error, url: &str, budget: Budget, got: usize) -> HttpError {
    use std::io::ErrorKind as K;
    if budget.expired || matches!(e.kind(), K::TimedOut | K::WouldBlock) {
        return HttpError::new(
            HttpErrorKind::ReadTimeout,
            format!(
                "timeout: `{url}` sent its status line and headers but not its whole body within {:?} ({got} bytes of body arrived); {RAISE_TIMEOUT}",
                budget.limit
            ),
        );
    }
    let what = match e.kind() {
        K::UnexpectedEof => format!(
            "the server closed the connection after {got} bytes of the body, before the length its `Content-Length` announced"
        ),
        K::ConnectionReset | K::ConnectionAborted => format!(
            "the server reset the connection after {got} bytes of the body"
        ),
        K::InvalidInput | K::InvalidData => format!(
            "the chunked body is malformed or cut short after {got} bytes (`Transfer-Encoding: chunked`)"
        ),
        _ => format!("reading the body failed after {got} bytes: {}", innermost_io(e)),
    };
    HttpError::new(
        HttpErrorKind::Io,
        format!("`{url}` sent an incomplete response: {what}"),
    )
}

/// The body is over `--max-body`.
pub(super) fn too_large(url: &str, limit: usize) -> HttpError {
    HttpError::new(
        HttpErrorKind::BodyTooLarge,
        format!(
            "the response body from `{url}` is larger than {} MiB; raise the limit with --max-body if that is expected",
            limit / (1024 * 1024)
        ),
    )
}

/// No final response came after an interim (1xx) one.
pub(super) fn no_final_response(
    e: &std::io::Error,
    url: &str,
    budget: Budget,
    interim: &str,
) -> HttpError {
    use std::io::ErrorKind as K;
    if budget.expired || matches!(e.kind(), K::TimedOut | K::WouldBlock) {
        return HttpError::new(
            HttpErrorKind::ReadTimeout,
            format!(
                "timeout: `{url}` sent an interim `{interim}` response, then no final response within {:?}; {RAISE_TIMEOUT}",
                budget.limit
            ),
        );
    }
    HttpError::new(
        HttpErrorKind::Io,
        format!(
            "`{url}` sent an interim `{interim}` response, then no complete final response: {}",
            innermost_io(e)
        ),
    )
}

/// The deepest `std::io::Error` in a chain, said without ureq's wrapping
/// ("Network Error: Error encountered in …").
fn innermost_io(e: &(dyn std::error::Error + 'static)) -> String {
    let mut found: Option<&std::io::Error> = None;
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            found = Some(io);
            cur = io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static));
            continue;
        }
        cur = err.source();
    }
    match found {
        Some(io) => match io.kind() {
            std::io::ErrorKind::ConnectionReset => "the server reset the connection".into(),
            std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::UnexpectedEof => {
                "the server closed the connection".into()
            }
            std::io::ErrorKind::BrokenPipe => {
                "the server closed the connection while the request was being sent".into()
            }
            _ => io.to_string(),
        },
        None => e.to_string(),
    }
}

/// What putcheck was waiting for when a read failed, from the context ureq adds.
fn waiting_for(detail: &str) -> &'static str {
    if detail.contains("status line") {
        "the status line"
    } else if detail.contains("header") {
        "the rest of the headers"
    } else {
        "the server to take the request and answer"
    }
}

fn find_source<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<T>() {
            return Some(t);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(t) = inner.downcast_ref::<T>() {
                    return Some(t);
                }
            }
        }
        cur = err.source();
    }
    None
}

/// What to do about a failed TLS handshake, in words a user can act on.
fn tls_hint(e: &rustls::Error, sent_cert: bool) -> &'static str {
    use rustls::AlertDescription as A;
    match e {
        rustls::Error::InvalidCertificate(c) => {
            // By name, so that the `…Context` variants of newer rustls match too.
            let name = format!("{c:?}");
            if name.starts_with("NotValidForName") {
                "the server's certificate is not valid for this host name: use a URL with a name the certificate lists, or skip the check with `verify: false`"
            } else if name.starts_with("Expired") || name.starts_with("NotValidYet") {
                "the server's certificate is outside its validity period (check the dates, and this machine's clock), or skip the check with `verify: false`"
            } else {
                "the server's certificate is not trusted (not signed by a CA putcheck knows): give its CA with `verify: ca.pem`, or skip the check with `verify: false`"
            }
        }
        rustls::Error::NoCertificatesPresented => "the server presented no certificate",
        rustls::Error::AlertReceived(A::CertificateRequired) if !sent_cert => {
            "the server requires a client certificate: give one with `cert: client.pem` (certificate and key in one PEM) or `cert: [cert.pem, key.pem]`"
        }
        rustls::Error::AlertReceived(A::HandshakeFailure) if !sent_cert => {
            "the server may require a client certificate: give one with `cert: client.pem` or `cert: [cert.pem, key.pem]`"
        }
        rustls::Error::AlertReceived(
            A::CertificateRequired
            | A::BadCertificate
            | A::UnknownCA
            | A::CertificateUnknown
            | A::CertificateExpired
            | A::AccessDenied
            | A::DecryptError
            | A::HandshakeFailure,
        ) => "the server rejected the client certificate (`cert`): is it signed by a CA the server trusts, and still valid?",
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "is the server really speaking HTTPS on this port? (an `http://` URL may be meant)"
        }
        _ => "",
    }
}

/// How long an exchange had, and whether that time ran out.
#[derive(Debug, Clone, Copy)]
pub(super) struct Budget {
    pub timeout: Timeouts,
    /// The whole exchange's limit: `timeout.read`, or less when the run is interrupted.
    pub limit: Duration,
    pub expired: bool,
}

pub(super) fn classify(
    t: &ureq::Transport,
    url: &str,
    budget: Budget,
    proxy: Option<&str>,
    sent_cert: bool,
) -> HttpError {
    let timeout = budget.timeout;
    use ureq::ErrorKind as K;
    let detail = t
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| t.to_string());
    let via = proxy
        .map(|p| format!(" through the proxy `{}`", mask_proxy(p)))
        .unwrap_or_default();
    if let Some(tls) = find_source::<rustls::Error>(t) {
        let hint = match tls_hint(tls, sent_cert) {
            "" => String::new(),
            h => format!("; {h}"),
        };
        return HttpError::new(
            HttpErrorKind::Tls,
            format!("TLS handshake with `{url}`{via} failed: {tls}{hint}"),
        );
    }
    let io = find_source::<std::io::Error>(t);
    let timed_out = budget.expired
        || io.is_some_and(|e| {
            matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            )
        });
    let cause = innermost_io(t);
    // ureq does the TLS handshake while connecting: a server that hangs up then most
    // likely does not speak TLS on that port.
    let hung_up = io.is_some_and(|e| {
        matches!(
            e.kind(),
            std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
        )
    });
    if t.kind() == K::ConnectionFailed && hung_up && url.starts_with("https://") {
        return HttpError::new(
            HttpErrorKind::Tls,
            format!("TLS handshake with `{url}`{via} failed: the server closed the connection ({cause}); is the server really speaking HTTPS on this port? (an `http://` URL may be meant)"),
        );
    }
    match t.kind() {
        K::Dns => HttpError::new(
            HttpErrorKind::Dns,
            match proxy {
                // With a proxy, putcheck resolves only the proxy's host.
                Some(p) => format!("cannot resolve the host of the proxy `{}` (for `{url}`): {cause}; is the proxy's host name right?", mask_proxy(p)),
                None => format!("cannot resolve the host of `{url}`: {cause}; is the host name right, and does this machine's DNS know it?"),
            },
        ),
        K::ConnectionFailed if timed_out => HttpError::new(
            HttpErrorKind::ConnectTimeout,
            match proxy {
                Some(p) => format!("connect timeout: no connection to the proxy `{}` (for `{url}`) within {:?}; is the proxy up? (`timeout.connect` sets the limit)", mask_proxy(p), timeout.connect),
                None => format!("connect timeout: no connection to `{url}` within {:?}; is the server up? (`timeout.connect` sets the limit)", timeout.connect),
            },
        ),
        K::ConnectionFailed => HttpError::new(
            HttpErrorKind::Connect,
            match proxy {
                Some(_) => format!("cannot connect to `{url}`{via}: {cause}; is the proxy running and reachable? (it comes from `proxies:` or HTTP_PROXY/HTTPS_PROXY; NO_PROXY lists the hosts reached direct)"),
                None => format!("cannot connect to `{url}`: {cause}; is the server running and the URL right?"),
            },
        ),
        K::Io if timed_out => HttpError::new(
            HttpErrorKind::ReadTimeout,
            format!("timeout: `{url}`{via} did not send a complete response within {:?} (putcheck was still waiting for {}); {RAISE_TIMEOUT}", budget.limit, waiting_for(&detail)),
        ),
        K::Io => HttpError::new(
            HttpErrorKind::Io,
            format!("`{url}`{via} sent no complete response: {cause} while putcheck was waiting for {}", waiting_for(&detail)),
        ),
        K::BadStatus | K::BadHeader => HttpError::new(
            HttpErrorKind::Protocol,
            format!("`{url}`{via} did not answer with valid HTTP ({}); is it an HTTP server, and the port right?", detail.trim_end_matches('.').to_lowercase()),
        ),
        K::ProxyConnect => HttpError::new(
            HttpErrorKind::Proxy,
            format!("proxy `{}` did not open a tunnel (CONNECT) for `{url}`; does the proxy allow CONNECT to this host and port? (its log says why)", proxy.map(mask_proxy).unwrap_or_default()),
        ),
        K::ProxyUnauthorized => HttpError::new(
            HttpErrorKind::Proxy,
            format!("proxy `{}` wants credentials (407) for `{url}`: put them in the proxy URL, as `http://user:password@host:port`", proxy.map(mask_proxy).unwrap_or_default()),
        ),
        K::InvalidProxyUrl => HttpError::new(
            HttpErrorKind::Proxy,
            format!("invalid proxy URL `{}` for `{url}`: {detail}", proxy.map(mask_proxy).unwrap_or_default()),
        ),
        K::InvalidUrl | K::UnknownScheme => HttpError::new(HttpErrorKind::InvalidUrl, format!("invalid URL `{url}`: {detail}")),
        _ => HttpError::new(HttpErrorKind::Io, format!("request to `{url}`{via} failed: {detail}")),
    }
}
