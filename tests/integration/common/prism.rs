//! Prism (`@stoplight/prism-cli`), the OpenAPI mock some tests run specs against: an
//! independent judge of the requests, serving what the document promises.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `prism` on PATH, or where `.ci/run` installs it.
pub fn prism() -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/npm/node_modules/.bin/prism");
    if local.is_file() {
        return Some(local);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("prism"))
            .find(|p| p.is_file())
    })
}

/// `prism mock` of a document on a free loopback port, stopped on drop.
pub struct Prism {
    child: Child,
    pub base: String,
}

impl Prism {
    pub fn start(document: &Path) -> Prism {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(prism().expect("prism"))
            .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg(document)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prism");
        let mut prism = Prism {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        // Readiness, not a timed assertion: node takes a while to load Prism.
        let deadline = Instant::now() + Duration::from_secs(120);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = prism.child.try_wait() {
                panic!("prism mock exited before listening: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "prism mock did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        prism
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn have_prism(test: &str) -> bool {
    if prism().is_some() {
        return true;
    }
    super::missing_component(
        test,
        "Prism (the `prism` command of @stoplight/prism-cli)",
        "npm install --prefix .ci/npm @stoplight/prism-cli@5, as .ci/run does",
    );
    false
}

/// An imported spec's text made fit for Prism's mock, which judges every request against
/// the document but stores nothing and is written in JavaScript, in two edits (both keys
/// documented in docs/spec-format.md, neither written by the import, which tests a real
/// server by the document's word):
/// - `generate: { integers: safe }`: Prism reads JSON numbers as doubles and refuses an
///   `int64` past 2^53 (`9223372036854775807`) with 422, which a server in another
///   language takes;
/// - `readback: false` (and no `server_fields`): its GET answers the document's example,
///   whatever was PUT, so the read-back of a generated body cannot hold it. (The written
///   example body, which is that example, passed the read-back against Prism before
///   `generate:`.)
pub fn fit_for_mock(text: &str) -> String {
    let mut out = String::new();
    for line in without_key(text, "    server_fields:").lines() {
        match line {
            "  generate:" => out.push_str("  generate:\n    integers: safe\n"),
            "    readback: exact" => out.push_str("    readback: false\n"),
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// An imported spec's text without the key written as the line `key_line` (with its
/// indentation) and what belongs to it: the lines indented deeper, and the items of a
/// list written at the key's own indentation (`- $.id`).
pub fn without_key(text: &str, key_line: &str) -> String {
    let indent = &key_line[..key_line.len() - key_line.trim_start().len()];
    let item = format!("{indent}- ");
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        let deeper = line.len() - line.trim_start().len() > indent.len();
        if inside && (deeper || line.starts_with(&item)) {
            continue;
        }
        inside = line == key_line;
        if !inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Every spec (`.yaml`) in a folder, fit for Prism's mock (`fit_for_mock`).
pub fn fit_folder_for_mock(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("read the specs' folder") {
        let path = entry.expect("a folder entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).expect("read a spec");
            std::fs::write(&path, fit_for_mock(&text)).expect("write a spec");
        }
    }
}
