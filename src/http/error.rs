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

pub(super) fn io_error(
    e: &std::io::Error,
    url: &str,
    read_timeout: Duration,
    when: &str,
) -> HttpError {
    if matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    ) {
        return HttpError::new(
            HttpErrorKind::ReadTimeout,
            format!("read timeout: `{url}` sent nothing for {read_timeout:?} {when}; raise `timeout` (or `timeout.read`) if the endpoint is slow"),
        );
    }
    HttpError::new(
        HttpErrorKind::Io,
        format!("connection to `{url}` failed {when}: {e}"),
    )
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

pub(super) fn classify(
    t: &ureq::Transport,
    url: &str,
    timeout: Timeouts,
    proxy: Option<&str>,
    sent_cert: bool,
) -> HttpError {
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
    let timed_out = io.is_some_and(|e| {
        matches!(
            e.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        )
    });
    let cause = io.map(|e| e.to_string()).unwrap_or_else(|| detail.clone());
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
                Some(p) => format!("cannot resolve the host of the proxy `{}` (for `{url}`): {detail}", mask_proxy(p)),
                None => format!("cannot resolve the host of `{url}`: {detail}"),
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
            format!("read timeout: `{url}`{via} sent no response within {:?}; raise `timeout` (or `timeout.read`) if the endpoint is slow", timeout.read),
        ),
        K::Io => HttpError::new(
            HttpErrorKind::Io,
            format!("connection to `{url}`{via} broke before a full response: {}", io.map(|e| e.to_string()).unwrap_or(detail)),
        ),
        K::BadStatus | K::BadHeader => HttpError::new(
            HttpErrorKind::Protocol,
            format!("`{url}`{via} did not answer with valid HTTP: {detail}"),
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
