//! Idle connections kept for reuse, per destination and connection profile: checked
//! open before they are handed out, aged out, and bounded in number.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use fnv::FnvHashMap;

use super::connect::{Conn, Origin};
use super::proxy::Proxy;
use super::tls::TlsProfile;

/// What makes two requests need different connections.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct PoolKey {
    pub origin: Origin,
    pub proxy: Option<Proxy>,
    /// The TLS profile, for https.
    pub tls: Option<TlsProfile>,
}

/// How long a connection may sit idle before it is closed rather than reused: shorter
/// than most servers' keep-alive timeouts are long (nginx 75 s, Apache 5 s and
/// hyper-util 90 s on the client side), so that a reuse rarely meets a connection the
/// server is closing; ureq keeps them 15 s.
pub(super) const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// Idle connections, at most `per_key` for each key and `total` in all (the most
/// recently used is taken first: it is the likeliest to be still open).
pub(super) struct Pool {
    /// FNV: a key is short and hashed twice per request under the lock, and a run has a
    /// handful of keys (SipHash guards against key floods this map cannot see).
    idle: Mutex<Idle>,
    per_key: usize,
    total: usize,
}

#[derive(Default)]
struct Idle {
    by_key: FnvHashMap<PoolKey, Vec<(Conn, Instant)>>,
    count: usize,
}

impl Pool {
    /// `per_key` is the number of workers (each holds one connection at a time); `total`
    /// bounds the descriptors a run keeps open across destinations.
    pub fn new(per_key: usize, total: usize) -> Pool {
        Pool {
            idle: Mutex::new(Idle::default()),
            per_key: per_key.max(1),
            total: total.max(1),
        }
    }

    /// The most recently used idle connection to `key` that is still young and still
    /// open (the server has not closed it, nothing unasked waits on it); the others
    /// found on the way are closed.
    pub fn take(&self, key: &PoolKey) -> Option<Conn> {
        let now = Instant::now();
        loop {
            let (conn, since) = {
                let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
                let taken = idle.by_key.get_mut(key).and_then(Vec::pop)?;
                idle.count -= 1;
                taken
            };
            // Checked outside the lock: it is a system call.
            if now.duration_since(since) < IDLE_TIMEOUT && conn.is_open() {
                return Some(conn);
            }
        }
    }

    /// Keeps `conn` for the next request to `key`, unless enough are kept already for
    /// it; past the total, the oldest idle connection of any key is closed first.
    pub fn put(&self, key: &PoolKey, conn: Conn) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let kept = idle.by_key.get(key).map_or(0, Vec::len);
        if kept >= self.per_key {
            return;
        }
        if idle.count >= self.total && !idle.evict_oldest() {
            return;
        }
        idle.by_key
            .entry(key.clone())
            .or_default()
            .push((conn, now));
        idle.count += 1;
    }
}

impl Idle {
    /// Closes the connection that has been idle longest; false when there is none.
    fn evict_oldest(&mut self) -> bool {
        let oldest = self
            .by_key
            .iter()
            .filter_map(|(k, conns)| conns.first().map(|(_, since)| (k.clone(), *since)))
            .min_by_key(|(_, since)| *since);
        let Some((key, _)) = oldest else {
            return false;
        };
        if let Some(conns) = self.by_key.get_mut(&key) {
            conns.remove(0);
            if conns.is_empty() {
                self.by_key.remove(&key);
            }
        }
        self.count -= 1;
        true
    }
}
