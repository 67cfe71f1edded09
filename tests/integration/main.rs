//! The integration tests: one test binary, one module per area. Each area used to be its
//! own binary, and each of those compiled `common` again and linked rustls, hyper, tokio
//! and jsonschema again; as modules they share one compile and one link.
//!
//! The tests of this binary run as threads of one process, so a test must not change
//! process-wide state (environment variables, the current directory, signal handlers):
//! what a test needs goes on the `putcheck` command it runs (`common::Specs::run_env`,
//! `Command::env`, `Command::current_dir`). Signals in `interrupt` are sent to the child
//! process, never to this one.
//!
//! A new area is a new module here, not a file `tests/NAME.rs`: that would be a test binary
//! of its own, compiling and linking everything again (and it cannot reach `common`).
//! Nothing needs a process of its own so far; a test that must (one that sets an environment
//! variable or a signal handler of the test process) would be the one reason for another
//! binary, with that reason in its first comment.
//!
//! `cargo test --test integration NAME` runs the tests whose path contains `NAME`
//! (`hostile::`, `cases::`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failing test

mod common;

mod cases;
mod ci_native;
mod ci_reports;
mod completions;
mod console;
mod coverage;
mod demo;
mod demo_server;
mod expectations;
mod generate;
mod hostile;
mod html_report;
mod http2;
mod idempotency;
mod import_corpus;
mod import_curl;
mod import_har;
mod import_openapi;
mod interrupt;
mod probes;
mod properties;
mod proxy;
mod request_options;
mod requests_parity;
mod response_parity;
mod runner;
mod schema;
mod spec_errors;
mod spec_values;
mod tls;
