//! Why a request produced no usable response, in words that say what to do next.

use std::time::Duration;

use super::connect::OpenError;
use super::options::Timeouts;
use super::proxy::{mask_proxy, Proxy};
use super::read::{Framing, ReadError};

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
pub(super) fn body_error(
    e: &std::io::Error,
    url: &str,
    budget: Budget,
    got: usize,
    framing: Framing,
) -> HttpError {
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
        K::UnexpectedEof => match framing {
            Framing::Length(n) => format!(
                "the server closed the connection after {got} bytes of the body, before the {n} bytes its `Content-Length` announced"
            ),
            Framing::Chunked | Framing::Close => format!(
                "the server closed the connection after {got} bytes of the chunked body, before its last chunk (`Transfer-Encoding: chunked`)"
            ),
        },
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

/// The deepest `std::io::Error` in a chain, in plain words.
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

/// Why an exchange failed, before it is put in words.
#[derive(Debug)]
pub(super) enum Failure {
    Open(OpenError),
    /// Writing the request failed, and no response came.
    Write(std::io::Error),
    Read(ReadError),
}

/// What a failed exchange's description needs to know besides the failure.
pub(super) struct Context<'a> {
    pub url: &'a str,
    pub budget: Budget,
    pub proxy: Option<&'a Proxy>,
    pub sent_cert: bool,
    /// The request went on a kept-alive connection of an earlier exchange.
    pub reused: bool,
}

/// A failed exchange in words that say what happened and what to do next.
pub(super) fn describe(failure: Failure, context: &Context) -> HttpError {
    use std::io::ErrorKind as K;
    let Context {
        url,
        budget,
        proxy,
        sent_cert,
        reused,
    } = *context;
    let timeout = budget.timeout;
    let shown = proxy.map(|p| mask_proxy(&p.url));
    let via = shown
        .as_ref()
        .map(|p| format!(" through the proxy `{p}`"))
        .unwrap_or_default();
    let timed_out =
        |e: &std::io::Error| budget.expired || matches!(e.kind(), K::TimedOut | K::WouldBlock);
    // TLS can fail after the handshake too: under TLS 1.3 a server checks the client's
    // certificate after the client has finished, and says no at the first read, which
    // is still the handshake's verdict; later, a TLS error breaks an established
    // connection.
    let (io, handshake) = match &failure {
        Failure::Open(OpenError::Tls(e)) => (Some(e), true),
        Failure::Write(e) => (Some(e), !reused),
        Failure::Read(ReadError::Head { error, got: 0, .. }) => (Some(error), !reused),
        Failure::Read(ReadError::Head { error, .. }) => (Some(error), false),
        Failure::Read(ReadError::Body { error, .. }) => (Some(error), false),
        _ => (None, false),
    };
    if let Some(tls) = io.and_then(|e| find_source::<rustls::Error>(e)) {
        if !handshake {
            return HttpError::new(
                HttpErrorKind::Tls,
                format!("the TLS connection with `{url}`{via} broke while the response was being read: {tls}; the server (or something between) sent data TLS could not accept"),
            );
        }
        let hint = match tls_hint(tls, sent_cert) {
            "" => String::new(),
            h => format!("; {h}"),
        };
        return HttpError::new(
            HttpErrorKind::Tls,
            format!("TLS handshake with `{url}`{via} failed: {tls}{hint}"),
        );
    }
    let closed = |e: &std::io::Error| {
        matches!(
            e.kind(),
            K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe
        )
    };
    match failure {
        Failure::Open(OpenError::Dns(e)) => HttpError::new(
            HttpErrorKind::Dns,
            match &shown {
                // With a proxy that resolves names, putcheck resolves only the proxy's host.
                Some(p) => format!("cannot resolve the host of the proxy `{p}` (or of `{url}`): {}; is the host name right?", innermost_io(&e)),
                None => format!("cannot resolve the host of `{url}`: {}; is the host name right, and does this machine's DNS know it?", innermost_io(&e)),
            },
        ),
        Failure::Open(OpenError::ConnectTimeout) => HttpError::new(
            HttpErrorKind::ConnectTimeout,
            match &shown {
                Some(p) => format!("connect timeout: no connection to the proxy `{p}` (for `{url}`) within {:?}; is the proxy up? (`timeout.connect` sets the limit)", timeout.connect.min(budget.limit)),
                None => format!("connect timeout: no connection to `{url}` within {:?}; is the server up? (`timeout.connect` sets the limit)", timeout.connect.min(budget.limit)),
            },
        ),
        Failure::Open(OpenError::Connect(e)) => HttpError::new(
            HttpErrorKind::Connect,
            match &shown {
                Some(_) => format!("cannot connect to `{url}`{via}: {}; is the proxy running and reachable? (it comes from `proxies:` or HTTP_PROXY/HTTPS_PROXY; NO_PROXY lists the hosts reached direct)", innermost_io(&e)),
                None => format!("cannot connect to `{url}`: {}; is the server running and the URL right?", innermost_io(&e)),
            },
        ),
        Failure::Open(OpenError::Tunnel(407, _)) => HttpError::new(
            HttpErrorKind::Proxy,
            format!("proxy `{}` wants credentials (407) for `{url}`: put them in the proxy URL, as `http://user:password@host:port`", shown.unwrap_or_default()),
        ),
        Failure::Open(OpenError::Tunnel(status, reason)) => HttpError::new(
            HttpErrorKind::Proxy,
            format!("proxy `{}` did not open a tunnel (CONNECT) for `{url}`: it answered `{status} {reason}`; does the proxy allow CONNECT to this host and port? (its log says why)", shown.unwrap_or_default()),
        ),
        Failure::Open(OpenError::Socks(why)) => HttpError::new(
            HttpErrorKind::Proxy,
            format!("proxy `{}` did not connect to `{url}`: {why}", shown.unwrap_or_default()),
        ),
        Failure::Open(OpenError::ProxyIo(e)) if timed_out(&e) => HttpError::new(
            HttpErrorKind::ReadTimeout,
            format!("timeout: the proxy `{}` did not open the way to `{url}` within {:?}; {RAISE_TIMEOUT}", shown.unwrap_or_default(), budget.limit),
        ),
        Failure::Open(OpenError::ProxyIo(e)) => HttpError::new(
            HttpErrorKind::Proxy,
            format!("the proxy `{}` broke off while opening the way to `{url}`: {}; is it an HTTP or SOCKS proxy, as its URL says?", shown.unwrap_or_default(), innermost_io(&e)),
        ),
        Failure::Open(OpenError::Tls(e)) => {
            if timed_out(&e) {
                return HttpError::new(
                    HttpErrorKind::ConnectTimeout,
                    format!("connect timeout: the TLS handshake with `{url}`{via} did not finish within {:?}; is the server really speaking HTTPS on this port?", budget.limit),
                );
            }
            HttpError::new(
                HttpErrorKind::Tls,
                format!("TLS handshake with `{url}`{via} failed: {}; is the server really speaking HTTPS on this port? (an `http://` URL may be meant)", innermost_io(&e)),
            )
        }
        Failure::Write(e) if timed_out(&e) => HttpError::new(
            HttpErrorKind::ReadTimeout,
            format!("timeout: `{url}`{via} did not take the whole request within {:?} (putcheck was still sending it); {RAISE_TIMEOUT}", budget.limit),
        ),
        Failure::Write(e) if reused && closed(&e) => no_answer_on_reuse(url, &via),
        Failure::Write(e) => HttpError::new(
            HttpErrorKind::Io,
            format!("`{url}`{via} sent no complete response: {} while putcheck was sending the request", innermost_io(&e)),
        ),
        Failure::Read(ReadError::Head { error, interim: Some(interim), .. }) => {
            if timed_out(&error) {
                HttpError::new(
                    HttpErrorKind::ReadTimeout,
                    format!("timeout: `{url}` sent an interim `{interim}` response, then no final response within {:?}; {RAISE_TIMEOUT}", budget.limit),
                )
            } else {
                HttpError::new(
                    HttpErrorKind::Io,
                    format!("`{url}` sent an interim `{interim}` response, then no complete final response: {}", innermost_io(&error)),
                )
            }
        }
        Failure::Read(ReadError::Head { error, got: 0, interim: None })
            if reused && closed(&error) && !budget.expired =>
        {
            no_answer_on_reuse(url, &via)
        }
        Failure::Read(ReadError::Head { error, got, interim: None }) => {
            let waiting = if got == 0 { "the status line" } else { "the rest of the headers" };
            if timed_out(&error) {
                HttpError::new(
                    HttpErrorKind::ReadTimeout,
                    format!("timeout: `{url}`{via} did not send a complete response within {:?} (putcheck was still waiting for {waiting}); {RAISE_TIMEOUT}", budget.limit),
                )
            } else {
                HttpError::new(
                    HttpErrorKind::Io,
                    format!("`{url}`{via} sent no complete response: {} while putcheck was waiting for {waiting}", innermost_io(&error)),
                )
            }
        }
        Failure::Read(ReadError::Invalid(m, Some(interim))) => HttpError::new(
            HttpErrorKind::Protocol,
            format!("`{url}` did not answer with valid HTTP after an interim `{interim}` response ({m})"),
        ),
        Failure::Read(ReadError::Invalid(m, None)) => HttpError::new(
            HttpErrorKind::Protocol,
            format!("`{url}`{via} did not answer with valid HTTP ({m}); is it an HTTP server, and the port right?"),
        ),
        Failure::Read(ReadError::Limit(m)) => HttpError::new(
            HttpErrorKind::Protocol,
            format!("`{url}`{via} sent a response over putcheck's bounds: {m}; putcheck stopped reading it there"),
        ),
        Failure::Read(ReadError::Framing(m)) => HttpError::new(
            HttpErrorKind::Protocol,
            format!("`{url}`{via} sent a response whose length cannot be told: {m} (RFC 9112 §6.3); putcheck does not guess, and closes the connection"),
        ),
        Failure::Read(ReadError::BadChunk(m)) => HttpError::new(
            HttpErrorKind::Protocol,
            format!("`{url}`{via} sent an incomplete response: its chunked body is malformed ({m})"),
        ),
        Failure::Read(ReadError::Body { error, got, framing }) => {
            body_error(&error, url, budget, got, framing)
        }
    }
}

/// A request sent on a kept-alive connection that the server closed without answering.
/// The request may have reached it (a server may read a request and then close), so it
/// is not sent again.
fn no_answer_on_reuse(url: &str, via: &str) -> HttpError {
    HttpError::new(
        HttpErrorKind::Io,
        format!(
            "`{url}`{via} closed the connection without answering: the request went on a kept-alive connection of an earlier exchange, which the server closed before it answered; the request may have reached the server, so putcheck did not send it again (a server that closes idle connections should say `Connection: close` or keep them open longer)"
        ),
    )
}
