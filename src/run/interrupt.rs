//! The run's interrupt: set once (by a SIGINT or SIGTERM), read by every worker. After it,
//! nothing new starts, in-flight sends get a short grace, `finally` steps a short deadline.

use std::collections::HashSet;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Outcome, TestResult};
use crate::plan::{test_id, PlannedSuite};
use crate::spec::{Suite, TestSpec};

/// How long in-flight sends may go on after an interrupt.
pub const GRACE: Duration = Duration::from_secs(3);
/// How long `finally` steps may take after the grace; every exchange ends by then.
pub const FINALLY_LIMIT: Duration = Duration::from_secs(5);

/// A cheap, cloneable handle on one run's interrupt.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<State>);

#[derive(Debug, Default)]
struct State {
    /// The signal's number; 0 while not interrupted.
    signal: AtomicI32,
    at: Mutex<Option<Instant>>,
}

impl Interrupt {
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the run interrupted by `signal`; true the first time only.
    pub fn trigger(&self, signal: i32) -> bool {
        let first = self
            .0
            .signal
            .compare_exchange(0, signal.max(1), Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        if first {
            *self.0.at.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        }
        first
    }

    pub fn is_set(&self) -> bool {
        self.0.signal.load(Ordering::SeqCst) != 0
    }

    /// The signal that interrupted the run.
    pub fn signal(&self) -> Option<i32> {
        match self.0.signal.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }

    /// The signal's name (`SIGINT`), for reports.
    pub fn signal_name(&self) -> Option<String> {
        self.signal().map(signal_name)
    }

    /// When the run was interrupted.
    pub fn at(&self) -> Option<Instant> {
        *self.0.at.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The moment by which every exchange must be over: grace, then `finally` steps.
    pub fn cutoff(&self) -> Option<Instant> {
        self.at().map(|at| at + GRACE + FINALLY_LIMIT)
    }
}

pub fn signal_name(signal: i32) -> String {
    match signal {
        2 => "SIGINT".into(),
        15 => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

/// Results for the tests and `finally` steps of a file that never reported: the run was
/// interrupted and they were still waiting on a send, or never started.
pub(super) fn not_run(
    index: usize,
    planned: &PlannedSuite,
    reported: &HashSet<(usize, usize)>,
) -> Vec<TestResult> {
    let suite = &planned.suite;
    let tests = planned
        .selected
        .iter()
        .map(|&i| (i, &suite.tests[i], false));
    let finally = suite
        .finally
        .iter()
        .enumerate()
        .map(|(i, t)| (suite.tests.len() + i, t, true));
    tests
        .chain(finally)
        .filter(|(i, _, _)| !reported.contains(&(index, *i)))
        .map(|(i, test, finally)| interrupted(suite, (index, i), test, finally))
        .collect()
}

/// A test the interrupt kept from running (to the end).
pub(super) fn interrupted(
    suite: &Suite,
    seq: (usize, usize),
    test: &TestSpec,
    finally: bool,
) -> TestResult {
    TestResult {
        seq,
        file: suite.path.display().to_string(),
        suite: suite.name.clone(),
        name: test.name.clone(),
        id: test_id(suite, &test.name),
        line: test.pos.line,
        column: test.pos.column,
        method: test.method.as_str().to_string(),
        url: test.url.clone(),
        finally,
        outcome: Outcome::Interrupted,
        attempts: 0,
        time: 0.0,
        request: None,
        sends: Vec::new(),
        failures: Vec::new(),
        flaky_failures: Vec::new(),
        checks: Vec::new(),
        shell: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_signal_counts() {
        let i = Interrupt::new();
        assert!(!i.is_set() && i.cutoff().is_none());
        assert!(i.trigger(15));
        assert!(!i.trigger(2), "a second signal is not a first one");
        assert_eq!(i.signal_name().as_deref(), Some("SIGTERM"));
        assert!(i.clone().is_set(), "clones share the state");
        assert!(i.cutoff() > i.at());
    }
}
