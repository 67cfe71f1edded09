//! An HTTP/2 server (h2c, prior knowledge) on the h2 crate's server side, for what a
//! well-behaved server never shows: a reset stream, a refused one, a stalled one, and
//! GOAWAY in the middle of a run. Every other path answers 200 with the path and the
//! protocol version as JSON.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

pub struct H2Server {
    pub addr: SocketAddr,
    /// Requests received, by path.
    pub seen: Arc<Mutex<HashMap<String, usize>>>,
    /// Connections accepted.
    pub connections: Arc<Mutex<usize>>,
    _runtime: tokio::runtime::Runtime,
}

impl H2Server {
    pub fn start() -> H2Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let connections: Arc<Mutex<usize>> = Arc::default();
        {
            let seen = seen.clone();
            let connections = connections.clone();
            runtime.spawn(async move {
                while let Ok((socket, _)) = listener.accept().await {
                    *connections.lock().unwrap() += 1;
                    tokio::spawn(serve(socket, seen.clone()));
                }
            });
        }
        H2Server {
            addr,
            seen,
            connections,
            _runtime: runtime,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn seen(&self, path: &str) -> usize {
        self.seen.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

async fn serve(socket: tokio::net::TcpStream, seen: Arc<Mutex<HashMap<String, usize>>>) {
    let Ok(mut conn) = h2::server::handshake(socket).await else {
        return;
    };
    // Streams left unanswered on purpose, kept so they stay open.
    let mut stalled = Vec::new();
    while let Some(next) = conn.accept().await {
        let Ok((request, mut respond)) = next else {
            return;
        };
        let path = request.uri().path().to_string();
        let n = {
            let mut seen = seen.lock().unwrap();
            let n = seen.entry(path.clone()).or_insert(0);
            *n += 1;
            *n
        };
        match path.as_str() {
            "/reset" => respond.send_reset(h2::Reason::INTERNAL_ERROR),
            "/refuse-once" if n == 1 => respond.send_reset(h2::Reason::REFUSED_STREAM),
            "/refuse-always" => respond.send_reset(h2::Reason::REFUSED_STREAM),
            "/stall" => stalled.push(respond),
            "/goaway" => {
                // This stream is the last the server took: it goes unanswered.
                conn.abrupt_shutdown(h2::Reason::NO_ERROR);
                stalled.push(respond);
            }
            "/redirect" => {
                let head = hyper::Response::builder()
                    .status(307)
                    .header("location", "/landed")
                    .body(())
                    .expect("response");
                let _ = respond.send_response(head, true);
            }
            _ => {
                let json = format!(r#"{{"path":"{path}","version":"2"}}"#).into_bytes();
                let (body, encoding) = match path.as_str() {
                    "/gzip" => {
                        use std::io::Write;
                        let mut e = flate2::write::GzEncoder::new(
                            Vec::new(),
                            flate2::Compression::default(),
                        );
                        let _ = e.write_all(&json);
                        (e.finish().unwrap_or_default(), Some("gzip"))
                    }
                    "/big" => (vec![b'a'; 2 * 1024 * 1024], None),
                    _ => (json, None),
                };
                let mut head = hyper::Response::builder()
                    .status(200)
                    .header("content-type", "application/json")
                    .header("content-length", body.len().to_string());
                if let Some(e) = encoding {
                    head = head.header("content-encoding", e);
                }
                if let Ok(mut send) = respond.send_response(head.body(()).expect("response"), false)
                {
                    let _ = send.send_data(Bytes::from(body), true);
                }
            }
        }
    }
}
