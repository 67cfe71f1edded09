//! Host names to addresses.

/// Host names to addresses, as the system resolves them, except that `.invalid` names
/// fail at once without a query: RFC 6761 §6.4 reserves them to never resolve.
pub(super) fn resolve(netloc: &str) -> std::io::Result<Vec<std::net::SocketAddr>> {
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
            let e = resolve(netloc).map_err(|e| e.kind());
            assert_eq!(e, Err(std::io::ErrorKind::NotFound), "{netloc}");
        }
        assert!(resolve("127.0.0.1:80").is_ok_and(|a| !a.is_empty()));
    }
}
