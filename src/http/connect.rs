//! Opening a connection: the host resolved, TCP connected within `timeout.connect`,
//! through a proxy when one applies (an HTTP proxy's CONNECT tunnel, or SOCKS), and the
//! TLS handshake done, so that its failures are told apart from the server's answer.

use std::io::{self, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::proxy::{Proxy, ProxyKind};
use super::socket::Socket;
use super::socks::{self, Destination, SocksError};
use super::{read, resolve};

/// Where requests go: scheme, host (as the URL writes it: an IPv6 address in brackets)
/// and port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Origin {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

impl Origin {
    pub fn netloc(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The host without an IPv6 address's brackets.
    fn bare_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }
}

/// The byte stream of one connection: plain TCP, or TLS over it.
pub(super) enum Stream {
    Plain(Socket),
    Tls(Box<StreamOwned<ClientConnection, Socket>>),
}

impl Stream {
    pub fn socket(&self) -> &Socket {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(t) => &t.sock,
        }
    }

    pub fn socket_mut(&mut self) -> &mut Socket {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(t) => &mut t.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(t) => t.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(t) => t.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(t) => t.flush(),
        }
    }
}

/// One open connection: reads are buffered (the response reader needs lines), writes go
/// straight to the stream.
pub(super) struct Conn {
    pub reader: BufReader<Stream>,
}

impl Conn {
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.reader.get_mut().socket_mut().set_deadline(deadline);
    }

    /// Whether the server still keeps this connection open (checked before a request
    /// that must not be sent twice goes on a pooled connection).
    pub fn is_open(&self) -> bool {
        !self.has_unread() && self.reader.get_ref().socket().is_open()
    }

    /// Whether bytes wait unread: a response nobody asked for, so the connection is out
    /// of step and must not carry another request.
    pub fn has_unread(&self) -> bool {
        !self.reader.buffer().is_empty()
    }

    pub fn stream(&mut self) -> &mut Stream {
        self.reader.get_mut()
    }
}

/// Why no connection was opened.
#[derive(Debug)]
pub(super) enum OpenError {
    /// The host (of the URL, or of the proxy) did not resolve.
    Dns(io::Error),
    Connect(io::Error),
    ConnectTimeout,
    /// The HTTP proxy answered the CONNECT with this status line.
    Tunnel(u16, String),
    /// The SOCKS proxy refused, saying why.
    Socks(String),
    /// Talking to the proxy failed.
    ProxyIo(io::Error),
    Tls(io::Error),
}

/// Opens a connection to `origin`, through `proxy` when given; `tls` is set for https.
pub(super) fn open(
    origin: &Origin,
    proxy: Option<&Proxy>,
    tls: Option<&Arc<ClientConfig>>,
    connect_timeout: Duration,
    deadline: Instant,
) -> Result<Conn, OpenError> {
    // `timeout.connect` bounds name resolution and connecting together, and neither
    // outlasts the exchange.
    let connect_by = deadline.min(Instant::now() + connect_timeout);
    let tcp = match proxy {
        Some(p) => tcp_connect(&p.netloc(), connect_by)?,
        None => tcp_connect(&origin.netloc(), connect_by)?,
    };
    let mut socket = Socket::new(tcp, deadline);
    match proxy {
        Some(p) if p.kind == ProxyKind::Http && origin.https => tunnel(&mut socket, origin, p)?,
        // A plain-http request goes to the proxy as is, its target in absolute form.
        Some(p) if p.kind == ProxyKind::Http => {}
        Some(p) => {
            let resolved;
            let to = match p.kind {
                ProxyKind::Socks4a | ProxyKind::Socks5h => {
                    Destination::Name(origin.bare_host(), origin.port)
                }
                _ => {
                    let addrs =
                        resolve::resolve_by(&origin.netloc(), connect_by).map_err(dns_error)?;
                    // An IPv4 address first, as requests (PySocks' gethostbyname) picks one.
                    resolved = addrs
                        .iter()
                        .find(|a| a.is_ipv4())
                        .or(addrs.first())
                        .copied()
                        .ok_or_else(|| OpenError::Dns(io::ErrorKind::NotFound.into()))?;
                    Destination::Address(resolved)
                }
            };
            socks::handshake(&mut socket, p, &to).map_err(|e| match e {
                SocksError::Io(e) => OpenError::ProxyIo(e),
                SocksError::Refused(m) => OpenError::Socks(m),
            })?;
        }
        None => {}
    }
    let stream = match tls {
        Some(config) => Stream::Tls(Box::new(handshake(socket, origin, config)?)),
        None => Stream::Plain(socket),
    };
    Ok(Conn {
        reader: BufReader::with_capacity(16 * 1024, stream),
    })
}

/// A failed lookup; one that ran out of time is a connect timeout.
fn dns_error(e: io::Error) -> OpenError {
    if e.kind() == io::ErrorKind::TimedOut {
        OpenError::ConnectTimeout
    } else {
        OpenError::Dns(e)
    }
}

/// Connects to the first address of `netloc` that answers, by `connect_by`. The time
/// left is shared among the addresses not yet tried (as ureq 3 and hyper-util do), so
/// that unreachable addresses cannot take the limit each.
fn tcp_connect(netloc: &str, connect_by: Instant) -> Result<TcpStream, OpenError> {
    if Instant::now() >= connect_by {
        return Err(OpenError::ConnectTimeout);
    }
    let addrs: Vec<SocketAddr> = resolve::resolve_by(netloc, connect_by).map_err(dns_error)?;
    let mut last = OpenError::Dns(io::Error::new(
        io::ErrorKind::NotFound,
        "the name has no address",
    ));
    for (i, addr) in addrs.iter().enumerate() {
        let left = connect_by.saturating_duration_since(Instant::now());
        let share = left / u32::try_from(addrs.len() - i).unwrap_or(u32::MAX);
        if share.is_zero() {
            return Err(OpenError::ConnectTimeout);
        }
        match TcpStream::connect_timeout(addr, share) {
            Ok(tcp) => {
                // Requests go out in one write; waiting to fill a segment only delays them.
                tcp.set_nodelay(true).map_err(OpenError::Connect)?;
                return Ok(tcp);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                last = OpenError::ConnectTimeout;
            }
            Err(e) => last = OpenError::Connect(e),
        }
    }
    Err(last)
}

/// Opens a tunnel through an HTTP proxy for an https origin (RFC 9110 §9.3.6), with the
/// proxy's credentials as requests sends them.
fn tunnel(socket: &mut Socket, origin: &Origin, proxy: &Proxy) -> Result<(), OpenError> {
    let netloc = origin.netloc();
    let mut request = format!("CONNECT {netloc} HTTP/1.1\r\nHost: {netloc}\r\n");
    if let Some(auth) = proxy.authorization() {
        request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    request.push_str("\r\n");
    socket
        .write_all(request.as_bytes())
        .map_err(OpenError::ProxyIo)?;
    // Byte by byte up to the blank line: what follows it belongs to the TLS handshake.
    let mut reader = BufReader::with_capacity(1, &mut *socket);
    let parts = read::read_response(&mut reader, "CONNECT", 0).map_err(|e| match e {
        read::ReadError::Head { error, .. } | read::ReadError::Body { error, .. } => {
            OpenError::ProxyIo(error)
        }
        read::ReadError::Invalid(m, _)
        | read::ReadError::Limit(m)
        | read::ReadError::Framing(m)
        | read::ReadError::BadChunk(m) => OpenError::Tunnel(0, m),
    })?;
    if (200..300).contains(&parts.status) {
        Ok(())
    } else {
        Err(OpenError::Tunnel(parts.status, parts.reason))
    }
}

/// The TLS handshake, done now so that its failure is reported as one.
fn handshake(
    mut socket: Socket,
    origin: &Origin,
    config: &Arc<ClientConfig>,
) -> Result<StreamOwned<ClientConnection, Socket>, OpenError> {
    let name = ServerName::try_from(origin.bare_host().to_string())
        .map_err(|e| OpenError::Tls(io::Error::new(io::ErrorKind::InvalidInput, e)))?;
    let mut tls = ClientConnection::new(Arc::clone(config), name)
        .map_err(|e| OpenError::Tls(io::Error::new(io::ErrorKind::InvalidData, e)))?;
    while tls.is_handshaking() {
        tls.complete_io(&mut socket).map_err(OpenError::Tls)?;
    }
    Ok(StreamOwned::new(tls, socket))
}
