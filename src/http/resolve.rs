//! Host names to addresses, within the exchange's deadline.

use std::net::SocketAddr;
use std::time::Instant;

/// Host names to addresses, as the system resolves them, by `deadline`: an address
/// literal needs no lookup; a name is looked up on a helper thread (the system's
/// resolver cannot be told how long to try), and a lookup still running at the deadline
/// is left to finish on its own. `.invalid` names fail at once without a query: RFC 6761
/// §6.4 reserves them to never resolve.
pub(super) fn resolve_by(netloc: &str, deadline: Instant) -> std::io::Result<Vec<SocketAddr>> {
    if let Ok(addr) = netloc.parse::<SocketAddr>() {
        return Ok(vec![addr]);
    }
    let left = deadline.saturating_duration_since(Instant::now());
    let (tx, rx) = std::sync::mpsc::channel();
    let name = netloc.to_string();
    std::thread::Builder::new()
        .name("putcheck-resolve".into())
        .spawn(move || {
            let _ = tx.send(resolve(&name));
        })?;
    rx.recv_timeout(left).unwrap_or_else(|_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the name lookup did not finish in time",
        ))
    })
}

fn resolve(netloc: &str) -> std::io::Result<Vec<SocketAddr>> {
    use std::net::ToSocketAddrs;
    let host = netloc.rsplit_once(':').map_or(netloc, |(h, _)| h);
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "invalid" || host.ends_with(".invalid") {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "`.invalid` names never resolve (RFC 6761)",
        ));
    }
    netloc.to_socket_addrs().map(Iterator::collect)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_names_fail_without_a_query() {
        for netloc in ["x.invalid:80", "a.b.INVALID.:443", "invalid:1"] {
            let e = resolve_by(netloc, Instant::now() + std::time::Duration::from_secs(5))
                .map_err(|e| e.kind());
            assert_eq!(e, Err(std::io::ErrorKind::NotFound), "{netloc}");
        }
        assert!(resolve_by("127.0.0.1:80", Instant::now()).is_ok_and(|a| !a.is_empty()));
        assert!(resolve_by("[::1]:80", Instant::now()).is_ok_and(|a| !a.is_empty()));
    }
}
