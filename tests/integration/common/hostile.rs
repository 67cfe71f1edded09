//! A hostile HTTP server on raw sockets: it reads each request's head and body, then
//! hands the bare connection to a behaviour that misbehaves at will (resets, trickles,
//! lies about lengths, speaks something else than HTTP).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What a behaviour gets: the request's target and the connection to answer on.
pub struct Conn {
    pub target: String,
    /// Whether this is the first request on its connection.
    pub first: bool,
    pub stream: TcpStream,
}

impl Conn {
    pub fn send(&mut self, bytes: &[u8]) {
        let _ = self
            .stream
            .write_all(bytes)
            .and_then(|_| self.stream.flush());
    }

    /// Writes the bytes one at a time, `every` apart (a slow-loris server).
    pub fn trickle(&mut self, bytes: &[u8], every: Duration) {
        for b in bytes {
            if self.stream.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(every);
        }
    }

    /// Resets the connection (RST, not FIN): linger 0, then close.
    pub fn reset(self) {
        let socket = socket2::Socket::from(self.stream);
        let _ = socket.set_linger(Some(Duration::ZERO));
        drop(socket);
    }
}

/// What the behaviour wants next: read another request on this connection, or stop.
pub enum Next {
    KeepAlive(Conn),
    Done,
}

pub struct HostileServer {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl HostileServer {
    pub fn start(behaviour: impl Fn(Conn) -> Next + Send + Sync + 'static) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let behaviour = Arc::new(behaviour);
        {
            let stop = stop.clone();
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else { continue };
                    let behaviour = behaviour.clone();
                    std::thread::spawn(move || {
                        let mut stream = stream;
                        let mut first = true;
                        loop {
                            let Some(target) = read_request(&stream) else {
                                return;
                            };
                            match behaviour(Conn {
                                target,
                                first,
                                stream,
                            }) {
                                Next::KeepAlive(c) => stream = c.stream,
                                Next::Done => return,
                            }
                            first = false;
                        }
                    });
                }
            });
        }
        HostileServer { addr, stop }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Reads one request (head, and a `Content-Length` body) byte by byte, so nothing of a
/// following request is swallowed; returns its target.
fn read_request(stream: &TcpStream) -> Option<String> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::with_capacity(1, stream);
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let target = line.split_whitespace().nth(1)?.to_string();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    // `/stall…` requests leave their body unread: a server that stops reading.
    if !target.starts_with("/stall") {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
    }
    Some(target)
}
