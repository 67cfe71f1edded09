//! Which proxy a request goes through: the spec's `proxies`, else the environment
//! (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`), as requests decides.

use std::net::IpAddr;

use url::Url;

use super::headers::basic_authorization;
use super::request::url_credentials;
use super::{HttpError, HttpErrorKind};

/// Proxy settings read from the environment once per run, as requests reads them:
/// lower-case names first, then upper-case; `all_proxy` for both schemes.
#[derive(Debug, Default, Clone)]
pub struct EnvProxies {
    pub http: Option<String>,
    pub https: Option<String>,
    pub no_proxy: Vec<String>,
}

impl EnvProxies {
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The same as `from_env`, reading variables through `var` (for tests).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Self {
        let get = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| var(n).filter(|v| !v.trim().is_empty()))
        };
        EnvProxies {
            http: get(&["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]),
            https: get(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]),
            no_proxy: get(&["no_proxy", "NO_PROXY"])
                .map(|v| {
                    v.split(',')
                        .map(|s| {
                            let s = s.trim().to_ascii_lowercase();
                            let s = s.strip_prefix("*.").unwrap_or(&s);
                            s.trim_start_matches('.').to_string()
                        })
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Whether `NO_PROXY` sends this URL direct: `*` matches every host; a name matches
    /// itself and its subdomains (`example.com`, `.example.com`); `name:port` only that
    /// port; an IP address itself; a CIDR range (`10.0.0.0/8`) the addresses in it.
    pub fn bypass(&self, url: &Url) -> bool {
        let Some(host) = url.host_str().filter(|_| !self.no_proxy.is_empty()) else {
            return false;
        };
        let host = host
            .trim_matches(|c| c == '[' || c == ']')
            .to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        let port = url.port_or_known_default();
        self.no_proxy
            .iter()
            .any(|entry| no_proxy_matches(entry, &host, ip, port))
    }
}

fn no_proxy_matches(entry: &str, host: &str, ip: Option<IpAddr>, port: Option<u16>) -> bool {
    if entry == "*" {
        return true;
    }
    if let Some((net, bits)) = entry.split_once('/') {
        return match (ip, net.parse::<IpAddr>(), bits.parse::<u32>()) {
            (Some(ip), Ok(net), Ok(bits)) => in_network(ip, net, bits),
            _ => false,
        };
    }
    // `name:port`; a bare IPv6 address has colons too, but no brackets.
    let (name, want_port) = match entry.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.starts_with('[') => match p.parse::<u16>() {
            Ok(p) => (h, Some(p)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    };
    if want_port.is_some_and(|p| Some(p) != port) {
        return false;
    }
    let name = name.trim_matches(|c| c == '[' || c == ']');
    if let (Some(ip), Ok(entry_ip)) = (ip, name.parse::<IpAddr>()) {
        return ip == entry_ip;
    }
    host == name
        || host
            .strip_suffix(name)
            .is_some_and(|rest| rest.ends_with('.'))
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// How putcheck talks to a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyKind {
    /// An HTTP proxy: plain-http requests go to it in absolute form, https ones through a
    /// CONNECT tunnel.
    Http,
    /// SOCKS4, with the host name resolved here (SOCKS4 carries IPv4 addresses only).
    Socks4,
    /// SOCKS4a: the proxy resolves the host name.
    Socks4a,
    /// SOCKS5, with the host name resolved here.
    Socks5,
    /// SOCKS5 with the host name resolved by the proxy (`socks5h://`, and `socks://`).
    Socks5h,
}

/// A proxy as putcheck reaches it: how, where, and with which credentials (decoded).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Proxy {
    pub kind: ProxyKind,
    /// The host as the URL writes it (an IPv6 address in brackets).
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
    /// The proxy URL as written, for messages (always shown through `mask_proxy`).
    pub url: String,
}

/// A proxy URL, read as requests reads it: no scheme means `http://`; `socks5://` and
/// `socks4://` resolve host names here, `socks5h://` and `socks4a://` let the proxy
/// resolve them; an HTTP proxy without a port listens on 80, a SOCKS one on 1080. A
/// proxy reached over TLS is not supported.
pub fn proxy_url(p: &str) -> Result<Proxy, HttpError> {
    let p = p.trim();
    let (scheme, rest) = match p.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_string(), p),
    };
    let kind = match scheme.as_str() {
        "http" => ProxyKind::Http,
        "socks4" => ProxyKind::Socks4,
        "socks4a" => ProxyKind::Socks4a,
        "socks5" => ProxyKind::Socks5,
        "socks5h" | "socks" => ProxyKind::Socks5h,
        "https" => {
            return Err(HttpError::new(
                HttpErrorKind::Proxy,
                format!(
                    "proxy `{}`: a proxy reached over TLS (`https://`) is not supported; use the proxy's plain `http://` address (https requests through it stay encrypted end to end, via CONNECT)",
                    mask_proxy(p)
                ),
            ))
        }
        other => {
            return Err(HttpError::new(
                HttpErrorKind::Proxy,
                format!(
                    "proxy `{}`: unsupported scheme `{other}://`; use http://, socks5://, socks5h://, socks4:// or socks4a://",
                    mask_proxy(p)
                ),
            ))
        }
    };
    let no_host = || {
        HttpError::new(
            HttpErrorKind::Proxy,
            format!(
                "proxy `{}` has no host; write it as `http://host:port`",
                mask_proxy(p)
            ),
        )
    };
    if rest.trim_end_matches('/').is_empty() {
        return Err(no_host());
    }
    // Parsed as an http URL whatever the scheme, so that `url` knows the syntax.
    let parsed = Url::parse(&format!("http://{rest}")).map_err(|e| {
        HttpError::new(
            HttpErrorKind::Proxy,
            format!("invalid proxy URL `{}`: {e}", mask_proxy(p)),
        )
    })?;
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(no_host)?;
    let default_port = if kind == ProxyKind::Http { 80 } else { 1080 };
    Ok(Proxy {
        kind,
        host: host.to_string(),
        port: parsed.port().unwrap_or(default_port),
        credentials: url_credentials(&parsed),
        url: p.to_string(),
    })
}

impl Proxy {
    /// The `Proxy-Authorization` value, as requests sends it with a plain-http request
    /// through the proxy and on a CONNECT: `Basic` and the decoded `user:password`.
    pub fn authorization(&self) -> Option<String> {
        let (user, password) = self.credentials.as_ref()?;
        Some(basic_authorization(user, password))
    }

    /// `host:port` of the proxy, for connecting.
    pub fn netloc(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// A proxy URL for messages: its credentials replaced with `***`.
pub fn mask_proxy(p: &str) -> String {
    let (scheme, rest) = match p.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), p),
    };
    match rest.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}***@{host}"),
        None => p.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> EnvProxies {
        EnvProxies::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    fn bypass(no_proxy: &str, url: &str) -> bool {
        Url::parse(url).is_ok_and(|u| env(&[("NO_PROXY", no_proxy)]).bypass(&u))
    }

    #[test]
    fn lower_case_variables_win_and_all_proxy_fills_in() {
        let e = env(&[
            ("http_proxy", "http://lower:1"),
            ("HTTP_PROXY", "http://upper:1"),
            ("ALL_PROXY", "socks5h://all:1"),
        ]);
        assert_eq!(e.http.as_deref(), Some("http://lower:1"));
        assert_eq!(e.https.as_deref(), Some("socks5h://all:1"));
    }

    #[test]
    fn no_proxy_matches_hosts_subdomains_ports_and_ranges() {
        assert!(bypass("example.com", "http://example.com/"));
        assert!(bypass("example.com", "http://api.example.com/"));
        assert!(bypass(".example.com", "http://api.example.com/"));
        assert!(bypass("*.example.com", "http://api.example.com/"));
        assert!(!bypass("example.com", "http://badexample.com/"));
        assert!(bypass("*", "http://anything/"));
        assert!(bypass("Example.COM", "http://EXAMPLE.com/"));
        assert!(bypass("example.com:8080", "http://example.com:8080/"));
        assert!(!bypass("example.com:8080", "http://example.com/"));
        assert!(bypass("example.com:443", "https://example.com/"));
        assert!(bypass("10.0.0.0/8", "http://10.1.2.3/"));
        assert!(!bypass("10.0.0.0/8", "http://11.1.2.3/"));
        assert!(bypass("127.0.0.1", "http://127.0.0.1:9/"));
        assert!(bypass("::1", "http://[::1]:9/"));
        assert!(bypass("[::1]:9", "http://[::1]:9/"));
        assert!(bypass("fd00::/8", "http://[fd12::1]/"));
        assert!(!bypass("a.com, b.com", "http://c.com/"));
        assert!(bypass("a.com, b.com", "http://x.b.com/"));
        assert!(!bypass("", "http://a.com/"));
    }

    #[test]
    fn proxy_urls_are_read_as_requests_reads_them() {
        let read = |p: &str| proxy_url(p).map(|p| (p.kind, p.host, p.port)).ok();
        assert_eq!(
            read("proxy:3128"),
            Some((ProxyKind::Http, "proxy".into(), 3128))
        );
        assert_eq!(
            read("http://proxy"),
            Some((ProxyKind::Http, "proxy".into(), 80))
        );
        assert_eq!(
            read("socks5h://p:1"),
            Some((ProxyKind::Socks5h, "p".into(), 1))
        );
        assert_eq!(
            read("SOCKS5://p"),
            Some((ProxyKind::Socks5, "p".into(), 1080))
        );
        assert_eq!(
            read("socks4a://[::1]:9"),
            Some((ProxyKind::Socks4a, "[::1]".into(), 9))
        );
        let https = proxy_url("https://u:secret@p:1").expect_err("https proxy");
        assert!(
            https.message.contains("plain `http://`"),
            "{}",
            https.message
        );
        assert!(!https.message.contains("secret"), "{}", https.message);
        assert!(proxy_url("ftp://p").is_err());
        assert!(proxy_url("http://").is_err());
    }

    #[test]
    fn proxy_credentials_are_percent_decoded_as_requests_does() {
        let credentials = |p: &str| proxy_url(p).ok().and_then(|p| p.credentials);
        assert_eq!(
            credentials("http://us%20er:p%40ss%3Aw@proxy:3128"),
            Some(("us er".to_string(), "p@ss:w".to_string()))
        );
        assert_eq!(credentials("http://proxy:3128"), None);
        // base64("user:p@ss")
        assert_eq!(
            proxy_url("http://user:p%40ss@proxy:3128")
                .ok()
                .and_then(|p| p.authorization())
                .as_deref(),
            Some("Basic dXNlcjpwQHNz")
        );
    }
}
