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
