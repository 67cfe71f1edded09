//! Scheduling on a rayon pool and turning exchanges into results. The runner never
//! prints: it emits events, which the caller hands to the reporters.

mod generated;
mod interrupt;
pub mod prepare;
mod redact;
mod result;
mod sequence;
mod shell;
mod suite;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::http::Client;
use crate::plan::Plan;
pub use generated::{GenerateBudget, GenerateProgress};
pub use interrupt::{signal_name, Interrupt, FINALLY_LIMIT, GRACE};
pub use redact::{is_sensitive, mask_headers, Redactor, ShellPiece, MASK, SENSITIVE_HEADERS};
pub use result::{
    Event, ExchangeKind, HopRecord, Listener, Outcome, RequestRecord, SemanticCheck, SendRecord,
    Summary, TestResult,
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
    /// Set by a signal: start nothing new, finish up, report.
    pub interrupt: Interrupt,
    /// Build each request's `--curl` form (for `--curl` and the JUnit report). Off, results
    /// carry none: building them costs about a fifth of the runner's own CPU per test.
    pub shell_commands: bool,
    /// The seed of every `generate:` body (`--seed`; printed, so a run can be repeated).
    pub seed: u64,
    /// `--generate-budget`: the most generated bodies in the whole run.
    pub generate_budget: GenerateBudget,
    /// How far the running generated tests are (for `Event::Progress`).
    pub generate_progress: GenerateProgress,
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
            interrupt: Interrupt::default(),
            shell_commands: true,
            seed: 0,
            generate_budget: GenerateBudget::default(),
            generate_progress: GenerateProgress::default(),
        }
    }
}

/// Default worker count. Tests spend their time waiting on the network, so the pool is
/// sized for waiting, not for cores: on a 2-core machine, 64 workers run a 500-test suite
/// with 20 ms latency 1.9x faster than 32 (README "Performance", bench/run.sh), while
/// staying polite to a staging server.
pub const DEFAULT_JOBS: usize = 64;

/// How long results gather between two wake-ups of the reporting thread: short enough
/// that the console keeps up with the run, long enough to take several tests at once.
const GATHER: Duration = Duration::from_millis(2);

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start {jobs} worker threads: {source}")]
    Pool {
        jobs: usize,
        source: rayon::ThreadPoolBuildError,
    },
    #[error("cannot start the run's thread: {source}")]
    Thread { source: std::io::Error },
}

/// Runs the plan: files in parallel on a dedicated pool (blocking I/O never runs on
/// rayon's global pool), tests of a file in order. Events reach `listener` on the
/// calling thread, as tests finish.
///
/// When `config.interrupt` is set, workers start nothing new and run `finally` steps
/// with a short deadline; sends still in flight after the grace are abandoned (their
/// tests reported as interrupted) so that the run ends, and its reports are written,
/// within `GRACE + FINALLY_LIMIT` of the signal.
pub fn execute(
    plan: &Plan,
    config: &RunConfig,
    client: &Client,
    listener: &mut dyn Listener,
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
    listener.event(&Event::RunStarted {
        files: summary.files,
        tests: plan.test_count(),
        finally_steps: plan.finally_count(),
        jobs,
        seed: plan.generates().then_some(config.seed),
    });
    for (file, errors) in &plan.invalid {
        listener.event(&Event::SuiteInvalid {
            file: file.display().to_string(),
            errors: errors.clone(),
        });
    }
    // The workers own what they use, so that a send stuck past the interrupt's grace
    // can be left behind instead of holding the run (and its reports) hostage.
    let shared = Arc::new((plan.clone(), config.clone(), client.clone()));
    let (tx, rx) = mpsc::channel::<TestResult>();
    let workers = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("putcheck-run".into())
            .spawn(move || {
                let (plan, config, client) = &*shared;
                let fail_fast = AtomicBool::new(false);
                pool.install(|| {
                    plan.suites
                        .par_iter()
                        .enumerate()
                        .with_max_len(1)
                        .for_each_with(tx, |tx, (i, ps)| {
                            SuiteRun::new(i, ps, config, client, &fail_fast).run(tx);
                        })
                })
            })
            .map_err(|source| RunError::Thread { source })?
    };
    let interrupt = &config.interrupt;
    let mut reported: HashSet<(usize, usize)> = HashSet::new();
    let mut abandoned = false;
    let mut cutoff_set = false;
    let mut finished = |result: TestResult, listener: &mut dyn Listener| {
        reported.insert(result.seq);
        summary.add(&result);
        listener.event(&Event::TestFinished(Arc::new(result)));
    };
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(result) => {
                finished(result, listener);
                // Results come in bursts. Waking this thread for each one cost a system
                // call and two context switches per test (several percent of a fast
                // run's CPU); instead, take the burst, then let the next one gather.
                while let Ok(result) = rx.try_recv() {
                    finished(result, listener);
                }
                listener.flush();
                if !workers.is_finished() {
                    std::thread::sleep(GATHER);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Some(text) = config.generate_progress.poll() {
            listener.event(&Event::Progress(text));
        }
        if let Some(cutoff) = interrupt.cutoff() {
            if !cutoff_set {
                client.set_cutoff(cutoff);
                cutoff_set = true;
            }
            // A moment past the exchanges' cutoff, for their results to arrive.
            if Instant::now() >= cutoff + Duration::from_millis(500) {
                abandoned = true;
                break;
            }
        }
    }
    if abandoned {
        // Whatever has not reported by now is still stuck in a send: say so.
        for (i, ps) in plan.suites.iter().enumerate() {
            for result in interrupt::not_run(i, ps, &reported) {
                summary.add(&result);
                listener.event(&Event::TestFinished(Arc::new(result)));
            }
        }
    } else {
        let _ = workers.join();
    }
    summary.signal = interrupt.signal_name();
    summary.time = started.elapsed().as_secs_f64();
    listener.event(&Event::RunFinished(summary.clone()));
    Ok(summary)
}
