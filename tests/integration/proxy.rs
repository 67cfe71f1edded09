//! `proxies` and HTTP_PROXY / HTTPS_PROXY / NO_PROXY, through a real forward proxy
//! (tinyproxy, started by each test on a free loopback port) and a small SOCKS5 server.
//!
//! Without tinyproxy installed (`apt-get install tinyproxy`), the tinyproxy tests print
//! `SKIPPED: …` and return.

use crate::common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::tls::Pki;
use crate::common::*;
use serde_json::json;

/// A tinyproxy process of this test; killed when dropped.
struct Tinyproxy {
    child: Child,
    port: u16,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Tinyproxy {
    /// Starts tinyproxy on a free loopback port, allowing CONNECT to `connect_ports`.
    /// `None` (after printing why) when tinyproxy is not installed.
    fn start(test: &str, connect_ports: &[u16]) -> Option<Tinyproxy> {
        let installed = Command::new("tinyproxy")
            .arg("-v")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if !installed {
            missing_component(test, "tinyproxy", "apt-get install tinyproxy");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("tinyproxy.log");
        for _attempt in 0..5 {
            let port = free_port();
            let mut conf = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nMaxClients 50\nLogLevel Info\nLogFile \"{}\"\n",
                log.display()
            );
            for p in connect_ports {
                conf.push_str(&format!("ConnectPort {p}\n"));
            }
            let conf_path = dir.path().join("tinyproxy.conf");
            std::fs::write(&conf_path, conf).expect("write tinyproxy.conf");
            let mut child = Command::new("tinyproxy")
                .arg("-d")
                .arg("-c")
                .arg(&conf_path)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start tinyproxy");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(5) {
                if child.try_wait().ok().flatten().is_some() {
                    break; // exited: the port was taken meanwhile; try another
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(Tinyproxy {
                        child,
                        port,
                        log,
                        _dir: dir,
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "tinyproxy did not start; its log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Answers with what arrived; `via` is the header a proxy adds.
fn echo(r: &Req) -> Action {
    Action::json(
        200,
        json!({"path": r.path(), "via": r.header("via"), "method": r.method}),
    )
}

fn via_of(server: &TestServer, path: &str) -> Option<String> {
    server
        .requests()
        .iter()
        .find(|r| r.path() == path)
        .unwrap_or_else(|| panic!("{path} never reached the server"))
        .header("via")
        .map(String::from)
}

fn assert_ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

#[test]
fn http_goes_through_the_proxy_named_by_http_proxy_either_case() {
    let Some(proxy) = Tinyproxy::start("http_goes_through_the_proxy…", &[]) else {
        return;
    };
    let server = TestServer::start(echo);
    let specs = Specs::new();
    specs.write(
        "p.yaml",
        &format!(
            "tests:\n  - {{ name: upper, get: {} }}\n",
            server.url("/upper")
        ),
    );
    specs.write(
        "q.yaml",
        &format!(
            "tests:\n  - {{ name: lower, get: {} }}\n",
            server.url("/lower")
        ),
    );
    assert_ok(&specs.run_env(&["p.yaml"], &[("HTTP_PROXY", &proxy.url())]));
    assert_ok(&specs.run_env(&["q.yaml"], &[("http_proxy", &proxy.url())]));
    for path in ["/upper", "/lower"] {
        let via = via_of(&server, path);
        assert!(
            via.as_deref().is_some_and(|v| v.contains("tinyproxy")),
            "{path} did not come through tinyproxy: Via = {via:?}"
        );
    }
}

#[test]
fn https_goes_through_the_proxy_with_connect() {
    let specs = Specs::new();
    let pki = Pki::generate(specs.dir.path());
    let server = TestServer::start_tls(pki.server_config(), echo);
    let Some(proxy) = Tinyproxy::start(
        "https_goes_through_the_proxy_with_connect",
        &[server.addr.port()],
    ) else {
        return;
    };
    specs.write(
        "s.yaml",
        &format!(
            "tests:\n  - {{ name: tunnel, put: {}, json: {{ a: 1 }}, verify: ca.pem }}\n",
            server.https_url("/secure")
        ),
    );
    assert_ok(&specs.run_env(&["s.yaml"], &[("HTTPS_PROXY", &proxy.url())]));
    let log = proxy.log();
    let connect = format!("CONNECT 127.0.0.1:{}", server.addr.port());
    assert!(
        log.contains(&connect),
        "no `{connect}` in tinyproxy's log:\n{log}"
    );
    // Inside the tunnel the proxy sees nothing: no Via, and the PUT arrives intact.
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "two sends for idempotency");
    assert!(reqs
        .iter()
        .all(|r| r.method == "PUT" && r.header("via").is_none()));
    assert_eq!(reqs[0].body_text(), "{\"a\":1}");

    // CONNECT to a port the proxy does not allow: the proxy's refusal is the message.
    let other = TestServer::start_tls(pki.server_config(), echo);
    specs.write(
        "refused.yaml",
        &format!(
            "tests:\n  - {{ name: refused, get: {}, verify: ca.pem }}\n",
            other.https_url("/x")
        ),
    );
    let out = specs.run_env(&["refused.yaml"], &[("https_proxy", &proxy.url())]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "proxy `{}` did not open a tunnel (CONNECT)",
            proxy.url()
        )),
        "{text}"
    );
    assert!(other.requests().is_empty());
}

#[test]
fn no_proxy_sends_listed_hosts_direct() {
    let Some(proxy) = Tinyproxy::start("no_proxy_sends_listed_hosts_direct", &[]) else {
        return;
    };
    let server = TestServer::start(echo);
    let specs = Specs::new();
    let cases: &[(&str, &str, bool)] = &[
        ("NO_PROXY", "127.0.0.1", false),
        ("no_proxy", "example.com, 127.0.0.1", false),
        ("NO_PROXY", "127.0.0.0/8", false),
        ("NO_PROXY", "*", false),
        (
            "NO_PROXY",
            &format!("127.0.0.1:{}", server.addr.port()),
            false,
        ),
        ("NO_PROXY", "127.0.0.1:1", true),
        ("NO_PROXY", "example.com,10.0.0.0/8", true),
    ];
    for (i, (var, value, proxied)) in cases.iter().enumerate() {
        let path = format!("/case{i}");
        specs.write(
            &format!("n{i}.yaml"),
            &format!("tests:\n  - {{ name: c{i}, get: {} }}\n", server.url(&path)),
        );
        let out = specs.run_env(
            &[&format!("n{i}.yaml")],
            &[("HTTP_PROXY", &proxy.url()), (var, value)],
        );
        assert_ok(&out);
        let via = via_of(&server, &path);
        assert_eq!(
            via.is_some(),
            *proxied,
            "{var}={value}: expected {}, Via = {via:?}",
            if *proxied { "the proxy" } else { "direct" }
        );
    }
}

#[test]
fn proxies_in_a_spec_override_the_environment_and_defaults() {
    let Some(proxy) = Tinyproxy::start("proxies_in_a_spec_override…", &[]) else {
        return;
    };
    let refused = RefusedPort::new();
    let dead = refused.url();
    let server = TestServer::start(echo);
    let specs = Specs::new();
    specs.write(
        "o.yaml",
        &format!(
            r#"
base_url: {base}
defaults:
  proxies: {{ http: "{dead}" }}
tests:
  - name: the test's proxies win over defaults and the environment
    get: /test
    proxies: {{ http: "{proxy}" }}
  - name: defaults win over the environment
    get: /defaults
    timeout: 3s
"#,
            base = server.base(),
            proxy = proxy.url(),
        ),
    );
    specs.write(
        "env.yaml",
        &format!(
            "tests:\n  - {{ name: spec wins, get: {}, proxies: {{ http: \"{}\" }} }}\n",
            server.url("/spec"),
            proxy.url()
        ),
    );
    // The environment names a dead proxy, and NO_PROXY would exclude the host: a spec's
    // `proxies` is used all the same, as requests does with `proxies=`.
    let out = specs.run_env(
        &["env.yaml"],
        &[("HTTP_PROXY", dead.as_str()), ("NO_PROXY", "127.0.0.1")],
    );
    assert_ok(&out);
    assert!(via_of(&server, "/spec").is_some_and(|v| v.contains("tinyproxy")));

    let out = specs.run_env(
        &["o.yaml", "--json", "r.json"],
        &[("HTTP_PROXY", &proxy.url())],
    );
    assert_exit(&out, 1);
    assert!(via_of(&server, "/test").is_some_and(|v| v.contains("tinyproxy")));
    let rep = specs.report(&out);
    assert_eq!(rep["tests"][0]["outcome"], "passed");
    assert_eq!(rep["tests"][1]["outcome"], "errored");
    let message = rep["tests"][1]["failures"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("through the proxy") && message.contains(&dead),
        "{message}"
    );
    assert!(message.contains("is the proxy running"), "{message}");
}

// ---------------------------------------------------------------------------------------
// SOCKS5
// ---------------------------------------------------------------------------------------

/// A minimal SOCKS server (SOCKS5 without authentication or with a user name and
/// password, SOCKS4 and 4a; CONNECT only) that records the target as the client sent it
/// (`host:port` for a name, `ip:port` for an address), prefixed with the credentials
/// when some were given (`user:password@`, or `user@` for SOCKS4).
struct Socks5 {
    addr: SocketAddr,
    targets: Arc<Mutex<Vec<String>>>,
}

impl Socks5 {
    fn start() -> Socks5 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let targets = Arc::new(Mutex::new(Vec::new()));
        let log = targets.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let log = log.clone();
                std::thread::spawn(move || {
                    let _ = socks5_session(conn, &log);
                });
            }
        });
        Socks5 { addr, targets }
    }
}

/// A NUL-terminated string (SOCKS4).
fn read_cstr(c: &mut TcpStream) -> std::io::Result<String> {
    let mut out = Vec::new();
    let mut b = [0u8; 1];
    loop {
        c.read_exact(&mut b)?;
        if b[0] == 0 {
            return Ok(String::from_utf8_lossy(&out).into_owned());
        }
        out.push(b[0]);
    }
}

fn socks5_session(mut c: TcpStream, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    c.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = [0u8; 2];
    c.read_exact(&mut head)?;
    if head[0] == 4 {
        // SOCKS4: command, port, IPv4, user id; 4a: IP 0.0.0.x, then the name.
        let mut rest = [0u8; 6];
        c.read_exact(&mut rest)?;
        let port = u16::from_be_bytes([rest[0], rest[1]]);
        let ip = std::net::Ipv4Addr::new(rest[2], rest[3], rest[4], rest[5]);
        let user = read_cstr(&mut c)?;
        let host = if rest[2..5] == [0, 0, 0] && rest[5] != 0 {
            read_cstr(&mut c)?
        } else {
            ip.to_string()
        };
        let user = if user.is_empty() {
            user
        } else {
            format!("{user}@")
        };
        log.lock()
            .expect("log")
            .push(format!("{user}{host}:{port}"));
        let upstream = connect_upstream(&host, port)?;
        c.write_all(&[0, 0x5a, 0, 0, 0, 0, 0, 0])?;
        return relay(c, upstream);
    }
    let mut methods = vec![0u8; head[1] as usize];
    c.read_exact(&mut methods)?;
    let mut credentials = String::new();
    if methods.contains(&2) {
        c.write_all(&[5, 2])?;
        let mut ver_len = [0u8; 2];
        c.read_exact(&mut ver_len)?;
        let mut user = vec![0u8; ver_len[1] as usize];
        c.read_exact(&mut user)?;
        let mut plen = [0u8; 1];
        c.read_exact(&mut plen)?;
        let mut password = vec![0u8; plen[0] as usize];
        c.read_exact(&mut password)?;
        credentials = format!(
            "{}:{}@",
            String::from_utf8_lossy(&user),
            String::from_utf8_lossy(&password)
        );
        c.write_all(&[1, 0])?;
    } else {
        c.write_all(&[5, 0])?;
    }
    let mut req = [0u8; 4];
    c.read_exact(&mut req)?;
    let host = match req[3] {
        1 => {
            let mut ip = [0u8; 4];
            c.read_exact(&mut ip)?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            c.read_exact(&mut len)?;
            let mut name = vec![0u8; len[0] as usize];
            c.read_exact(&mut name)?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => {
            let mut ip = [0u8; 16];
            c.read_exact(&mut ip)?;
            format!("[{}]", std::net::Ipv6Addr::from(ip))
        }
    };
    let mut port = [0u8; 2];
    c.read_exact(&mut port)?;
    let port = u16::from_be_bytes(port);
    log.lock()
        .expect("log")
        .push(format!("{credentials}{host}:{port}"));
    let upstream = connect_upstream(&host, port)?;
    c.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0])?;
    relay(c, upstream)
}

/// Resolves here, as a socks5h proxy does; the test servers listen on 127.0.0.1.
fn connect_upstream(host: &str, port: u16) -> std::io::Result<TcpStream> {
    std::net::ToSocketAddrs::to_socket_addrs(&(host.trim_matches(['[', ']']), port))?
        .filter(|a| a.is_ipv4())
        .find_map(|a| TcpStream::connect(a).ok())
        .ok_or_else(|| std::io::Error::other("cannot reach the target"))
}

/// Copies bytes both ways until each side is done.
fn relay(c: TcpStream, upstream: TcpStream) -> std::io::Result<()> {
    c.set_read_timeout(None)?;
    let (mut c2, mut u2) = (c.try_clone()?, upstream.try_clone()?);
    let (mut c1, mut u1) = (c, upstream);
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c1, &mut u1);
        let _ = u1.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut u2, &mut c2);
    let _ = c2.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
    Ok(())
}

/// Runs `tests` (spec YAML, with `{port}` for the echo server's port and `{socks}` for
/// the SOCKS server's address) and returns the paths the echo server saw, the targets
/// the SOCKS server was asked for, and the port.
fn through_socks(tests: &str) -> (Vec<String>, Vec<String>, u16) {
    let socks = Socks5::start();
    let server = TestServer::start(echo);
    let port = server.addr.port();
    let specs = Specs::new();
    specs.write(
        "s.yaml",
        &format!(
            "tests:\n{}",
            tests
                .replace("{port}", &port.to_string())
                .replace("{socks}", &socks.addr.to_string())
        ),
    );
    assert_ok(&specs.run(&["s.yaml"]));
    let paths = server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    let targets = socks.targets.lock().expect("targets").clone();
    (paths, targets, port)
}

#[test]
fn socks5h_hands_the_host_name_to_the_proxy_and_socks5_works_with_addresses() {
    let (paths, targets, port) = through_socks(
        r#"
  - name: socks5h with a host name
    get: http://localhost:{port}/by-name
    proxies: { http: "socks5h://{socks}" }
  - name: socks5 with an address
    get: http://127.0.0.1:{port}/by-address
    proxies: { http: "socks5://{socks}" }
"#,
    );
    assert_eq!(paths, vec!["/by-name", "/by-address"]);
    assert_eq!(
        targets,
        vec![format!("localhost:{port}"), format!("127.0.0.1:{port}")],
        "socks5h must send the name for the proxy to resolve"
    );
}

/// requests' SOCKS flavours: socks5 resolves the host name here (an IPv4 address, as
/// PySocks picks one), socks5h and socks4a hand it to the proxy, socks4 sends an address;
/// credentials in the proxy URL are decoded and sent (SOCKS5: user and password, RFC
/// 1929; SOCKS4: the user id).
#[test]
fn socks_flavours_resolve_where_requests_does_and_send_credentials() {
    let (paths, targets, port) = through_socks(
        r#"
  - name: socks5 resolves here
    get: http://localhost:{port}/socks5
    proxies: { http: "socks5://{socks}" }
  - name: socks5h with credentials
    get: http://localhost:{port}/creds
    proxies: { http: "socks5h://user:p%40ss@{socks}" }
  - name: socks4a hands the name over
    get: http://localhost:{port}/socks4a
    proxies: { http: "socks4a://id@{socks}" }
  - name: socks4 sends an address
    get: http://localhost:{port}/socks4
    proxies: { http: "socks4://{socks}" }
"#,
    );
    assert_eq!(paths, vec!["/socks5", "/creds", "/socks4a", "/socks4"]);
    assert_eq!(
        targets,
        vec![
            format!("127.0.0.1:{port}"),
            format!("user:p@ss@localhost:{port}"),
            format!("id@localhost:{port}"),
            format!("127.0.0.1:{port}"),
        ]
    );
}

#[test]
fn unsupported_proxy_urls_fail_with_what_to_use_instead() {
    let server = TestServer::start(echo);
    let specs = Specs::new();
    specs.write(
        "u.yaml",
        &format!(
            r#"
base_url: {base}
tests:
  - {{ name: tls proxy, get: /a, proxies: {{ http: "https://user:hunter22@proxy.invalid:443" }} }}
  - {{ name: odd scheme, get: /b, proxies: {{ http: "ftp://proxy.invalid" }} }}
"#,
            base = server.base()
        ),
    );
    let out = specs.run(&["u.yaml", "--json", "r.json"]);
    assert_eq!(out.status.code(), Some(1));
    let rep = specs.report(&out);
    let message = |i: usize| {
        rep["tests"][i]["failures"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        message(0).contains("use the proxy's plain `http://` address"),
        "{}",
        message(0)
    );
    assert!(
        !message(0).contains("hunter22"),
        "the proxy password printed: {}",
        message(0)
    );
    assert!(
        message(1).contains("unsupported scheme `ftp://`"),
        "{}",
        message(1)
    );
    assert!(server.requests().is_empty());
}

/// HTTP/2 through an HTTP proxy goes inside a CONNECT tunnel (h2c here, to the h2 test
/// server): the proxy opens the tunnel, and the server sees HTTP/2.
#[test]
fn http2_goes_through_the_proxy_in_a_connect_tunnel() {
    let server = common::h2::H2Server::start();
    let Some(proxy) = Tinyproxy::start(
        "http2_goes_through_the_proxy_in_a_connect_tunnel",
        &[server.addr.port()],
    ) else {
        return;
    };
    let specs = Specs::new();
    specs.write(
        "h2.yaml",
        &format!(
            "tests:\n  - {{ name: tunnel, put: {}, http_version: \"2\", json: {{ a: 1 }}, idempotency: false, expect: {{ version: \"2\", json: {{ $.version: \"2\" }} }} }}\n",
            server.url("/tunnelled")
        ),
    );
    assert_ok(&specs.run_env(&["h2.yaml"], &[("HTTP_PROXY", &proxy.url())]));
    let log = proxy.log();
    let connect = format!("CONNECT 127.0.0.1:{}", server.addr.port());
    assert!(
        log.contains(&connect),
        "no `{connect}` in tinyproxy's log:\n{log}"
    );
    assert_eq!(server.seen("/tunnelled"), 1);
}
