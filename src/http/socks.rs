//! The SOCKS handshakes (SOCKS4 and 4a; SOCKS5 with RFC 1929 credentials, RFC 1928) on a
//! connection already open to the proxy. Hand-written rather than through the `socks`
//! crate because that crate opens the proxy connection itself, with no timeout: here it
//! runs on putcheck's socket, so the exchange's deadline holds through the handshake.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr};

use super::proxy::{Proxy, ProxyKind};

/// Why a SOCKS proxy did not open the connection.
#[derive(Debug)]
pub(super) enum SocksError {
    Io(io::Error),
    /// The proxy answered, and said no (or said something that is not SOCKS).
    Refused(String),
}

impl From<io::Error> for SocksError {
    fn from(e: io::Error) -> Self {
        SocksError::Io(e)
    }
}

/// Where the proxy should connect: a name it resolves, or an address resolved here.
pub(super) enum Destination<'a> {
    Name(&'a str, u16),
    Address(SocketAddr),
}

/// Asks the proxy on `stream` to connect to `to`.
pub(super) fn handshake(
    stream: &mut (impl Read + Write),
    proxy: &Proxy,
    to: &Destination,
) -> Result<(), SocksError> {
    match proxy.kind {
        ProxyKind::Socks4 | ProxyKind::Socks4a => socks4(stream, proxy, to),
        _ => socks5(stream, proxy, to),
    }
}

fn socks4(
    stream: &mut (impl Read + Write),
    proxy: &Proxy,
    to: &Destination,
) -> Result<(), SocksError> {
    let user = proxy
        .credentials
        .as_ref()
        .map(|(u, _)| u.as_bytes())
        .unwrap_or_default();
    let mut msg = vec![4, 1];
    match to {
        Destination::Address(SocketAddr::V4(a)) => {
            msg.extend_from_slice(&a.port().to_be_bytes());
            msg.extend_from_slice(&a.ip().octets());
            msg.extend_from_slice(user);
            msg.push(0);
        }
        Destination::Address(SocketAddr::V6(_)) => {
            return Err(SocksError::Refused(
                "SOCKS4 carries IPv4 addresses only; use socks5:// for an IPv6 host".into(),
            ))
        }
        Destination::Name(host, port) => {
            // SOCKS4a: the address 0.0.0.1 says "the name follows".
            msg.extend_from_slice(&port.to_be_bytes());
            msg.extend_from_slice(&[0, 0, 0, 1]);
            msg.extend_from_slice(user);
            msg.push(0);
            msg.extend_from_slice(host.as_bytes());
            msg.push(0);
        }
    }
    stream.write_all(&msg)?;
    let mut reply = [0u8; 8];
    stream.read_exact(&mut reply)?;
    match reply[1] {
        0x5a => Ok(()),
        code => Err(SocksError::Refused(format!(
            "the SOCKS4 proxy refused the connection (code {code:#04x})"
        ))),
    }
}

fn socks5(
    stream: &mut (impl Read + Write),
    proxy: &Proxy,
    to: &Destination,
) -> Result<(), SocksError> {
    // Greeting: the methods offered — no authentication, and user/password when given.
    let greeting: &[u8] = if proxy.credentials.is_some() {
        &[5, 2, 0, 2]
    } else {
        &[5, 1, 0]
    };
    stream.write_all(greeting)?;
    let mut chosen = [0u8; 2];
    stream.read_exact(&mut chosen)?;
    if chosen[0] != 5 {
        return Err(SocksError::Refused(
            "the proxy did not answer as a SOCKS5 proxy".into(),
        ));
    }
    match (chosen[1], &proxy.credentials) {
        (0, _) => {}
        (2, Some((user, password))) => {
            let (user, password) = (user.as_bytes(), password.as_bytes());
            if user.len() > 255 || password.len() > 255 {
                return Err(SocksError::Refused(
                    "SOCKS5 user names and passwords are limited to 255 bytes".into(),
                ));
            }
            let mut msg = vec![1, user.len() as u8];
            msg.extend_from_slice(user);
            msg.push(password.len() as u8);
            msg.extend_from_slice(password);
            stream.write_all(&msg)?;
            let mut status = [0u8; 2];
            stream.read_exact(&mut status)?;
            if status[1] != 0 {
                return Err(SocksError::Refused(
                    "the SOCKS5 proxy rejected the user name and password in the proxy URL"
                        .into(),
                ));
            }
        }
        _ => {
            return Err(SocksError::Refused(
                "the SOCKS5 proxy accepts none of the offered ways to authenticate; put credentials in the proxy URL (`socks5://user:password@host:port`)".into(),
            ))
        }
    }
    let mut msg = vec![5, 1, 0];
    let port = match to {
        Destination::Address(a) => {
            match a.ip() {
                IpAddr::V4(ip) => {
                    msg.push(1);
                    msg.extend_from_slice(&ip.octets());
                }
                IpAddr::V6(ip) => {
                    msg.push(4);
                    msg.extend_from_slice(&ip.octets());
                }
            }
            a.port()
        }
        Destination::Name(host, port) => {
            let name = host.as_bytes();
            if name.len() > 255 {
                return Err(SocksError::Refused(
                    "the host name is longer than SOCKS5 allows (255 bytes)".into(),
                ));
            }
            msg.push(3);
            msg.push(name.len() as u8);
            msg.extend_from_slice(name);
            *port
        }
    };
    msg.extend_from_slice(&port.to_be_bytes());
    stream.write_all(&msg)?;
    let mut head = [0u8; 4];
    stream.read_exact(&mut head)?;
    if head[1] != 0 {
        let why = match head[1] {
            1 => "general failure",
            2 => "not allowed by its rules",
            3 => "network unreachable",
            4 => "host unreachable",
            5 => "connection refused",
            6 => "TTL expired",
            7 => "command not supported",
            8 => "address type not supported",
            _ => "unknown reply",
        };
        return Err(SocksError::Refused(format!(
            "the SOCKS5 proxy could not connect: {why} (reply {})",
            head[1]
        )));
    }
    // The address the proxy bound, which putcheck does not need.
    let rest = match head[3] {
        1 => 4 + 2,
        4 => 16 + 2,
        3 => {
            let mut len = [0u8; 1];
            stream.read_exact(&mut len)?;
            usize::from(len[0]) + 2
        }
        _ => {
            return Err(SocksError::Refused(
                "the SOCKS5 proxy's reply has an unknown address type".into(),
            ))
        }
    };
    let mut bound = vec![0u8; rest];
    stream.read_exact(&mut bound)?;
    Ok(())
}
