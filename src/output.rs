//! stdout, in one place. Everything putcheck prints on stdout (the console, `--list`,
//! `schema`, `completions`, `man`, `import curl`, a report written to `-`, GitHub
//! annotations) goes through [`stdout`], whose writer treats a reader that went away
//! (`putcheck completions bash | head -c1`) as the end of the output, as `ls | head`
//! does: no panic, no error message, and the run itself goes on (its report files
//! are still written). Messages for stderr go through [`say`], which never panics
//! either (`eprintln!` does, when stderr is a closed pipe: `putcheck … 2>&1 | head`).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to stdout met a closed pipe: nothing more is written there.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// The process's stdout, quiet about a closed pipe.
pub fn stdout() -> Stdout {
    Stdout(io::stdout())
}

/// Whether stdout's reader went away (the output was cut short on purpose).
pub fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// Writes a whole document to stdout in one go. Only errors other than a closed pipe
/// come back.
pub fn print(text: impl AsRef<[u8]>) -> io::Result<()> {
    let mut out = stdout();
    out.write_all(text.as_ref())?;
    out.flush()
}

/// A line on stderr (a warning, an error, a note); lost if stderr is gone.
pub fn say(line: impl std::fmt::Display) {
    let _ = writeln!(io::stderr(), "{line}");
}

pub struct Stdout(io::Stdout);

/// A closed pipe turns into "everything was written": the caller carries on and stdout
/// stays silent from then on.
fn quiet<T>(result: io::Result<T>, all: T) -> io::Result<T> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(all)
        }
        other => other,
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if closed() {
            return Ok(buf.len());
        }
        quiet(self.0.write(buf), buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if closed() {
            return Ok(());
        }
        quiet(self.0.flush(), ())
    }
}
