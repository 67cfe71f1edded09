//! SIGINT and SIGTERM, as a CI system sends them on cancel: the first interrupts the run
//! (it finishes up and writes its reports), a second one exits at once.

use crate::run::Interrupt;

/// Not on this platform: Ctrl-C ends the process, without reports.
#[cfg(not(unix))]
pub fn listen(_interrupt: Interrupt) -> std::io::Result<()> {
    Ok(())
}

/// Listens for SIGINT and SIGTERM on a thread of its own for the rest of the process.
#[cfg(unix)]
pub fn listen(interrupt: Interrupt) -> std::io::Result<()> {
    use crate::run::{signal_name, FINALLY_LIMIT, GRACE};
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("putcheck-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if interrupt.trigger(signal) {
                    crate::output::say(format!(
                        "\n{}: stopping: no new tests; sends in flight get {}s, `finally` steps {}s more; then the summary and reports. Press Ctrl-C again to quit at once.",
                        signal_name(signal),
                        GRACE.as_secs(),
                        FINALLY_LIMIT.as_secs()
                    ));
                } else {
                    crate::output::say(format!("\n{}: quitting at once; reports are not written", signal_name(signal)));
                    std::process::exit(exit_code(signal).into());
                }
            }
        })?;
    Ok(())
}

/// The shell's convention: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(u8::MAX)
}
