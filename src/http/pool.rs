//! Idle connections kept for reuse, per destination and connection profile.

use std::sync::Mutex;

use fnv::FnvHashMap;

use super::connect::{Conn, Origin};
use super::proxy::Proxy;
use crate::spec::{ClientCert, Verify};

/// What makes two requests need different connections.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct PoolKey {
    pub origin: Origin,
    pub proxy: Option<Proxy>,
    /// The TLS profile, for https.
    pub tls: Option<(Verify, Option<ClientCert>)>,
}

/// Idle connections, at most `per_key` for each key (the most recently used is taken
/// first: it is the likeliest to be still open).
pub(super) struct Pool {
    /// FNV: a key is short and hashed twice per request under the lock, and a run has a
    /// handful of keys (SipHash guards against key floods this map cannot see).
    idle: Mutex<FnvHashMap<PoolKey, Vec<Conn>>>,
    per_key: usize,
}

impl Pool {
    pub fn new(per_key: usize) -> Pool {
        Pool {
            idle: Mutex::new(FnvHashMap::default()),
            per_key,
        }
    }

    pub fn take(&self, key: &PoolKey) -> Option<Conn> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        idle.get_mut(key).and_then(Vec::pop)
    }

    /// Keeps `conn` for the next request to `key`, unless enough are kept already.
    pub fn put(&self, key: &PoolKey, conn: Conn) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        match idle.get_mut(key) {
            Some(conns) if conns.len() < self.per_key => conns.push(conn),
            Some(_) => {}
            None => {
                idle.insert(key.clone(), vec![conn]);
            }
        }
    }
}
