//! Scheduling on a rayon pool and turning exchanges into results. The runner never
//! prints: it emits events, which the caller hands to the reporters.

mod redact;
mod result;
mod sequence;
mod shell;
mod suite;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::http::Client;
use crate::plan::Plan;
pub use redact::{is_sensitive, mask_headers, Redactor, ShellPiece, MASK, SENSITIVE_HEADERS};
pub use result::{
    Event, ExchangeKind, HopRecord, Outcome, RequestRecord, SendRecord, Summary, TestResult,
};
pub use shell::{ShellBody, ShellRequest};
use suite::SuiteRun;

/// Settings of one run, from the command line.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Worker threads: tests waiting on the network at once.
    pub jobs: usize,
    /// Sends per PUT when a spec does not say (`--repeat`).
    pub repeat: u32,
    /// Extra attempts for a failing test when its spec has no `retry` (`--retries`).
    pub retries: u32,
    pub retry_interval: Duration,
    pub fail_fast: bool,
    pub cli_vars: HashMap<String, String>,
    /// `(NAME, VALUE)` given with `--secret NAME=VALUE`.
    pub cli_secrets: Vec<(String, String)>,
    /// How much of each body a result keeps for verbose output.
    pub preview_limit: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            jobs: DEFAULT_JOBS,
            repeat: 2,
            retries: 0,
            retry_interval: Duration::from_secs(1),
            fail_fast: false,
            cli_vars: HashMap::new(),
            cli_secrets: Vec::new(),
            preview_limit: 4096,
        }
    }
}

/// Default worker count. Tests spend their time waiting on the network, so the pool is
/// sized for waiting, not for cores: on a 2-core machine, 64 workers run a 500-test suite
/// with 20 ms latency 1.9x faster than 32 (README "Performance", bench/run.sh), while
/// staying polite to a staging server.
pub const DEFAULT_JOBS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start {jobs} worker threads: {source}")]
    Pool {
        jobs: usize,
        source: rayon::ThreadPoolBuildError,
    },
}

/// Runs the plan: files in parallel on a dedicated pool (blocking I/O never runs on
/// rayon's global pool), tests of a file in order. Events reach `on_event` on the
/// calling thread, as tests finish.
pub fn execute(
    plan: &Plan,
    config: &RunConfig,
    client: &Client,
    mut on_event: impl FnMut(&Event),
) -> Result<Summary, RunError> {
    let started = Instant::now();
    let jobs = config.jobs.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("putcheck-{i}"))
        .build()
        .map_err(|source| RunError::Pool { jobs, source })?;
    let mut summary = Summary {
        files: plan.suites.len() + plan.invalid.len(),
        invalid_files: plan.invalid.len(),
        ..Summary::default()
    };
    on_event(&Event::RunStarted {
        files: summary.files,
        tests: plan.test_count(),
        finally_steps: plan.finally_count(),
        jobs,
    });
    for (file, errors) in &plan.invalid {
        on_event(&Event::SuiteInvalid {
            file: file.display().to_string(),
            errors: errors.clone(),
        });
    }
    let cancel = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<TestResult>();
    std::thread::scope(|scope| {
        let cancel = &cancel;
        scope.spawn(move || {
            pool.install(|| {
                plan.suites
                    .par_iter()
                    .enumerate()
                    .with_max_len(1)
                    .for_each_with(tx, |tx, (i, ps)| {
                        SuiteRun::new(i, ps, config, client, cancel).run(tx);
                    })
            })
        });
        for result in rx {
            summary.add(&result);
            on_event(&Event::TestFinished(Box::new(result)));
        }
    });
    summary.time = started.elapsed().as_secs_f64();
    on_event(&Event::RunFinished(summary.clone()));
    Ok(summary)
}
