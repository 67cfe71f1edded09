//! The console: colour on with --color always (changed words emphasised in diffs), off
//! when piped or with NO_COLOR. The plain text itself (counts and words that agree,
//! --quiet, --ordered, --fail-fast's skips) is pinned by golden cases in tests/cases/run/.

use std::process::Command;

use crate::common::*;
use serde_json::json;

fn run(dir: &std::path::Path, args: &[&str], no_color: bool) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_putcheck"));
    cmd.args(args).arg("--no-progress").current_dir(dir);
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.output().expect("run");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colour_follows_the_flag_the_terminal_and_no_color() {
    let n = std::sync::atomic::AtomicU64::new(0);
    let server = TestServer::start(move |_| {
        let v = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Action::json(200, json!({"name": "widget", "version": v}))
    });
    let specs = Specs::new();
    specs.write(
        "a.yaml",
        &format!("tests:\n  - put: {}\n", server.url("/v")),
    );
    let dir = specs.dir.path();

    let always = run(dir, &["a.yaml", "--color", "always"], false);
    assert!(
        always.contains("\u{1b}[31m"),
        "red for the failure: {always:?}"
    );
    // The changed word of a diff line is emphasised (bold + underline) inside the line's colour.
    assert!(
        always.contains("\u{1b}[1m\u{1b}[4m") || always.contains("\u{1b}[1;4m"),
        "{always:?}"
    );

    let piped = run(dir, &["a.yaml"], false);
    assert!(!piped.contains('\u{1b}'), "no colour when piped: {piped:?}");

    let never = run(dir, &["a.yaml", "--color", "never"], false);
    assert!(!never.contains('\u{1b}'));

    let no_color = run(dir, &["a.yaml", "--color", "auto"], true);
    assert!(!no_color.contains('\u{1b}'));
}
