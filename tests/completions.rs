//! `putcheck completions SHELL` and `putcheck man`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failing test

mod common;
use std::process::Command;

use common::*;

#[test]
fn completions_for_every_shell_know_the_options() {
    let dir = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = putcheck(dir.path(), &["completions", shell]);
        assert_exit(&out, 0);
        let script = stdout(&out);
        assert!(script.contains("putcheck"), "{shell}: {script}");
        assert!(
            script.contains("html"),
            "{shell} completes --html: {script}"
        );
    }
    let out = putcheck(dir.path(), &["completions", "tcsh"]);
    assert_exit(&out, 2);
}

#[test]
fn bash_loads_the_completion_script() {
    if Command::new("bash").arg("--version").output().is_err() {
        missing_component(
            "bash_loads_the_completion_script",
            "bash",
            "apt-get install bash",
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("putcheck.bash");
    std::fs::write(
        &script,
        stdout(&putcheck(dir.path(), &["completions", "bash"])),
    )
    .expect("write");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p putcheck",
            script.display()
        ))
        .output()
        .expect("run bash");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("putcheck"), "{}", stdout(&out));
}

#[test]
fn man_prints_a_roff_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = putcheck(dir.path(), &["man"]);
    assert_exit(&out, 0);
    let page = stdout(&out);
    assert!(page.contains(".TH putcheck"), "{page}");
    for option in ["quiet", "ordered", "html", "junit"] {
        assert!(page.contains(option), "the page names --{option}");
    }
}
