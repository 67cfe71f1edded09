//! `putcheck completions SHELL` and `putcheck man`.

use std::process::Command;

use crate::common::*;

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

/// Runs putcheck with a stdout whose reader has already gone away, as in
/// `putcheck … | head -c1` once `head` has exited: every write meets a closed pipe.
fn with_closed_stdout(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    putcheck_command(dir, args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run putcheck")
}

#[test]
fn every_command_ends_quietly_when_its_reader_goes_away() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("a.yaml"),
        "base_url: http://127.0.0.1:9\ntests:\n  - put: /a\n",
    )
    .expect("write");
    let commands: &[&[&str]] = &[
        &["completions", "bash"],
        &["completions", "zsh"],
        &["man"],
        &["schema"],
        &["--list", "a.yaml"],
        &["import", "curl", "curl -X PUT http://127.0.0.1:9/a -d x=1"],
        &["demo", "--json", "-"],
    ];
    for args in commands {
        let out = with_closed_stdout(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            !err.contains("panicked") && !err.contains("error:") && !err.contains("Broken pipe"),
            "{args:?} says nothing about the closed pipe: {err}"
        );
    }
    // A run goes on without its console: the report files are still written.
    let out = with_closed_stdout(dir.path(), &["demo", "--junit", "out/junit.xml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let junit = std::fs::read_to_string(dir.path().join("out/junit.xml")).expect("junit");
    assert!(junit.contains("<testsuites"), "{junit}");
}

#[test]
fn a_closed_stderr_is_no_panic_either() {
    // `putcheck … 2>&1 | head -c1`: both streams are the pipe `head` closed.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bad.yaml"),
        "tests:\n  - put: /a\n    expct: 1\n",
    )
    .expect("write");
    for (args, code) in [
        (&["--list", "bad.yaml"][..], 2),
        (&["bad.yaml"][..], 2),
        (&["nothing-here.yaml"][..], 2),
        (&["demo", "-v"][..], 0),
        (
            &["merge-reports", "missing.json", "--json", "m.json"][..],
            2,
        ),
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = putcheck_command(dir.path(), args)
            .stdout(writer.try_clone().expect("clone"))
            .stderr(writer)
            .status()
            .expect("run putcheck");
        assert_eq!(out.code(), Some(code), "{args:?}");
    }
}
