//! Command-line types (clap). No behaviour here: `main` turns these into a run.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use putcheck::plan::Partition;
use regex::Regex;

#[derive(Debug, Parser)]
#[command(
    name = "putcheck",
    version,
    about = "Test HTTP PUT endpoints from YAML specs: status, reason, headers, JSON, and idempotency.",
    args_conflicts_with_subcommands = true,
    after_help = "Exit status: 0 all tests passed, 1 a test failed, 2 a spec or the command line is wrong,\n130 / 143 interrupted by SIGINT / SIGTERM (reports are still written; a second signal quits at once).\nSpec format: docs/spec-format.md"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the embedded demo API (httpbin-style /put, /items/{id}, /status/{code}, ...).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Start the demo API on a free loopback port and run specs against it, with
    /// BASE_URL set to its address. Without PATHS it runs the example specs bundled in
    /// the binary (from any folder); with --failing, the bundled failing examples.
    Demo {
        /// Run the bundled failing examples (each breaks idempotency in its own way)
        /// instead of the passing ones.
        #[arg(long, conflicts_with = "paths")]
        failing: bool,
        // Boxed: the run options are large beside the other subcommands.
        #[command(flatten)]
        run: Box<RunArgs>,
    },
    /// Print the JSON Schema (2020-12) of the spec format, for editors
    /// (`# yaml-language-server: $schema=...`; see the README).
    Schema,
    /// Write specs from an OpenAPI document, a curl command or a HAR file (docs/import.md).
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Print a shell completion script (install: see the README).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `putcheck man > ~/.local/share/man/man1/putcheck.1`.
    Man,
    /// Merge the JSON reports of a suite's shards (`--partition`) into one JSON, JUnit
    /// or HTML report (docs/ci.md).
    MergeReports {
        /// JSON reports written by `putcheck --json PATH`.
        #[arg(required = true, value_name = "FILES")]
        files: Vec<PathBuf>,
        /// Write the merged JSON report; `-` for stdout.
        #[arg(long, value_name = "PATH")]
        json: Option<String>,
        /// Write the merged JUnit XML report.
        #[arg(long, value_name = "PATH")]
        junit: Option<String>,
        /// Write the merged HTML report.
        #[arg(long, value_name = "PATH")]
        html: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// One spec file per path with a PUT (OpenAPI 3.0 or 3.1, or Swagger 2.0; YAML or JSON).
    Openapi {
        /// The OpenAPI document.
        file: PathBuf,
        /// Folder for the spec files (and the response JSON Schemas).
        #[arg(long, value_name = "DIR", default_value = "specs")]
        out: PathBuf,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Print a spec for a curl command line: `putcheck import curl 'curl -X PUT ...'`.
    Curl {
        /// The command, quoted as one argument (split as a POSIX shell would), or its words.
        #[arg(required = true, num_args = 1.., allow_hyphen_values = true, trailing_var_arg = true, value_name = "COMMAND")]
        command: Vec<String>,
        /// Write credentials into the spec under `vars:` instead of reading them from
        /// the environment (still listed under `secrets:`, so never printed).
        #[arg(long)]
        keep_secrets: bool,
    },
    /// The PUT entries (or, with --all, every entry) of a HAR 1.2 file as one spec file.
    Har {
        /// The HAR file (browser devtools: "Save all as HAR").
        file: PathBuf,
        /// Folder for the spec file.
        #[arg(long, value_name = "DIR", default_value = "specs")]
        out: PathBuf,
        /// Overwrite a file that already exists.
        #[arg(long)]
        force: bool,
        /// Import every entry, not only PUTs.
        #[arg(long)]
        all: bool,
        /// Keep the browser's cookies (as secret variables).
        #[arg(long)]
        cookies: bool,
        /// Write credentials into the spec under `vars:` (still listed under `secrets:`).
        #[arg(long)]
        keep_secrets: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// `--annotations`: GitHub Actions workflow commands, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnnotationsMode {
    Github,
    None,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Spec files or folders (searched recursively for *.yaml and *.yml). [default: specs]
    pub paths: Vec<PathBuf>,

    /// Tests in flight at once [default: 64]. Requests wait on the network, so this is
    /// sized for waiting rather than for CPU cores.
    #[arg(short, long, value_name = "N", env = "PUTCHECK_JOBS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,

    /// Sends per PUT (and per step with an `idempotency:` block) unless a spec says `repeat:`.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,

    /// Set a variable, overriding the spec's `vars:`. Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_key_val)]
    pub vars: Vec<(String, String)>,

    /// Set a variable whose value is never printed (shown as ***). Repeatable.
    #[arg(long = "secret", value_name = "NAME=VALUE", value_parser = parse_key_val)]
    pub secrets: Vec<(String, String)>,

    /// When to colour the output. `auto` honours NO_COLOR and CLICOLOR_FORCE.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorWhen,

    /// Write a JUnit XML report (one testcase per test).
    #[arg(long, value_name = "PATH")]
    pub junit: Option<String>,

    /// Write the JSON report (docs/report-format.md); `-` for stdout.
    #[arg(long, value_name = "PATH")]
    pub json: Option<String>,

    /// Write an HTML report: one self-contained file (for a CI artifact page).
    #[arg(long, value_name = "PATH")]
    pub html: Option<String>,

    /// Run one shard of the suite: `hash:K/N` (stable per file) or `count:K/N`.
    #[arg(long, value_name = "KIND:K/N")]
    pub partition: Option<Partition>,

    /// Run only tests whose `file::name` contains TEXT. Repeatable.
    #[arg(long, value_name = "TEXT")]
    pub filter: Vec<String>,

    /// Run only tests whose `file::name` matches REGEX. Repeatable.
    #[arg(long = "filter-regex", value_name = "REGEX", value_parser = parse_regex)]
    pub filter_regex: Vec<Regex>,

    /// Start no new test after the first failure (running ones finish, `finally` runs).
    #[arg(long)]
    pub fail_fast: bool,

    /// Print the tests that would run (after filters and partition) and check the specs;
    /// send nothing. A variable that is not set yet is no error here (the run's
    /// environment may set it); every other spec mistake is.
    #[arg(long)]
    pub list: bool,

    /// Run a failing test up to N more times (a spec's `retry:` wins).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retries: u32,

    /// Show request and response of failing tests; twice (-vv) of every test.
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,

    /// Print a curl command that reproduces each failing request (secrets as $VARIABLES).
    #[arg(long)]
    pub curl: bool,

    /// Print only failures and the summary.
    #[arg(short, long)]
    pub quiet: bool,

    /// Print test lines in file order at the end, not as tests finish (logs that diff
    /// cleanly between runs).
    #[arg(long)]
    pub ordered: bool,

    /// Never show the progress bar.
    #[arg(long)]
    pub no_progress: bool,

    /// Largest response body accepted, in MiB; a larger one fails its test.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub max_body: usize,

    /// Annotate failures on their spec lines for GitHub Actions (`::error` workflow
    /// commands on stdout), or not [default: github when GITHUB_ACTIONS=true, else none].
    #[arg(long, value_enum, value_name = "KIND")]
    pub annotations: Option<AnnotationsMode>,

    /// Append a Markdown summary of the run to FILE [default: $GITHUB_STEP_SUMMARY, when set].
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

fn parse_key_val(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}

fn parse_regex(s: &str) -> Result<Regex, String> {
    Regex::new(s).map_err(|e| e.to_string())
}
