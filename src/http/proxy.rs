//! Which proxy a request goes through: the spec's `proxies`, else the environment
//! (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`), as requests decides.

use std::net::IpAddr;

use percent_encoding::percent_decode_str;
use url::Url;

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
        let Some(host) = url.host_str() else {
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

/// A proxy URL as ureq 2 takes it. requests' forms map onto it: no scheme means
/// `http://`; `socks5h://` (the proxy resolves host names) is ureq's `socks5://`, which
/// hands host names to the proxy unresolved. A proxy reached over TLS is not supported.
pub fn proxy_url(p: &str) -> Result<String, HttpError> {
    let p = p.trim();
    let (scheme, rest) = match p.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_string(), p),
    };
    let scheme = match scheme.as_str() {
        "http" | "socks4" | "socks4a" | "socks5" => scheme,
        "socks5h" | "socks" => "socks5".to_string(),
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
    if rest.trim_end_matches('/').is_empty() {
        return Err(HttpError::new(
            HttpErrorKind::Proxy,
            format!("proxy `{p}` has no host; write it as `http://host:port`"),
        ));
    }
    Ok(format!("{scheme}://{rest}"))
}

/// A proxy's credentials as requests reads them (`get_auth_from_url`): percent-decoded,
/// so `http://user:p%40ss@proxy:3128` authenticates as `user` / `p@ss`.
pub fn proxy_credentials(proxy: &str) -> Option<(String, String)> {
    let parsed = Url::parse(proxy).ok()?;
    if parsed.username().is_empty() && parsed.password().is_none() {
        return None;
    }
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    Some((
        decode(parsed.username()),
        decode(parsed.password().unwrap_or_default()),
    ))
}

/// The `Proxy-Authorization` value for a proxy with credentials, as requests sends it
/// with a plain-http request through the proxy: `Basic` and the decoded `user:password`.
pub fn proxy_authorization(proxy: &str) -> Option<String> {
    use base64::Engine;
    let (user, password) = proxy_credentials(proxy)?;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    Some(format!("Basic {token}"))
}

/// The proxy URL given to ureq, with its credentials decoded: ureq splits the userinfo at
/// the first `:` and the last `@` and sends it unchanged in the CONNECT request (and to a
/// SOCKS proxy), so it must hold the decoded text. (A `:` in a decoded user name moves
/// into the password, which leaves the `user:password` ureq encodes the same.)
pub fn ureq_proxy_url(proxy: &str) -> String {
    let Some((user, password)) = proxy_credentials(proxy) else {
        return proxy.to_string();
    };
    let Some((scheme, rest)) = proxy.split_once("://") else {
        return proxy.to_string();
    };
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    format!("{scheme}://{user}:{password}@{host}")
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
    fn proxy_urls_map_onto_what_ureq_takes() {
        assert_eq!(
            proxy_url("proxy:3128").ok().as_deref(),
            Some("http://proxy:3128")
        );
        assert_eq!(
            proxy_url("socks5h://p:1").ok().as_deref(),
            Some("socks5://p:1")
        );
        assert_eq!(
            proxy_url("SOCKS5://p:1").ok().as_deref(),
            Some("socks5://p:1")
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
        assert_eq!(
            proxy_credentials("http://us%20er:p%40ss%3Aw@proxy:3128"),
            Some(("us er".to_string(), "p@ss:w".to_string()))
        );
        assert_eq!(proxy_credentials("http://proxy:3128"), None);
        // base64("user:p@ss")
        assert_eq!(
            proxy_authorization("http://user:p%40ss@proxy:3128").as_deref(),
            Some("Basic dXNlcjpwQHNz")
        );
        assert_eq!(
            ureq_proxy_url("http://user:p%40ss@proxy:3128"),
            "http://user:p@ss@proxy:3128"
        );
        assert_eq!(ureq_proxy_url("http://proxy:3128"), "http://proxy:3128");
    }
}
