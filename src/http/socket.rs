//! A TCP socket whose every blocking read and write ends by the exchange's deadline.
//!
//! The socket's timeouts (`SO_RCVTIMEO`, `SO_SNDTIMEO`) bound one call each, so each call
//! must start with a timeout no longer than the time left. Setting them costs a system
//! call, so they are set again only when the time left has drifted from the set value by
//! more than a small slack: a quick exchange on a reused connection sets none, and a
//! server trickling bytes still cannot hold an exchange past its deadline by more than
//! the slack.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How far a blocking call may end past the deadline, or before it: a twentieth of the
/// time left, at least 5 ms.
fn slack(left: Duration) -> Duration {
    (left / 20).max(Duration::from_millis(5))
}

#[derive(Debug)]
pub(super) struct Socket {
    tcp: TcpStream,
    deadline: Instant,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl Socket {
    pub fn new(tcp: TcpStream, deadline: Instant) -> Socket {
        Socket {
            tcp,
            deadline,
            read_timeout: None,
            write_timeout: None,
        }
    }

    /// The exchange this socket now serves must be over by `deadline`.
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = deadline;
    }

    /// Whether the peer has not closed the connection: nothing waits to be read (a pooled
    /// connection has no response due), and reading would block. One system call on
    /// Unix (a non-blocking peek), three elsewhere.
    pub fn is_open(&self) -> bool {
        #[cfg(unix)]
        {
            let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
            let peeked = socket2::SockRef::from(&self.tcp)
                .recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT);
            matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
        }
        #[cfg(not(unix))]
        {
            if self.tcp.set_nonblocking(true).is_err() {
                return false;
            }
            let open = matches!(self.tcp.peek(&mut [0u8; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
            self.tcp.set_nonblocking(false).is_ok() && open
        }
    }

    /// The time left, or a `TimedOut` error when there is none.
    fn left(&self) -> io::Result<Duration> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| io::Error::new(io::ErrorKind::TimedOut, "the deadline passed"))
    }

    fn arm_read(&mut self) -> io::Result<()> {
        let left = self.left()?;
        arm(
            &self.tcp,
            &mut self.read_timeout,
            left,
            TcpStream::set_read_timeout,
        )
    }

    fn arm_write(&mut self) -> io::Result<()> {
        let left = self.left()?;
        arm(
            &self.tcp,
            &mut self.write_timeout,
            left,
            TcpStream::set_write_timeout,
        )
    }
}

/// Sets one of the socket's timeouts to `left`, unless the one set is close enough.
fn arm(
    tcp: &TcpStream,
    set: &mut Option<Duration>,
    left: Duration,
    apply: fn(&TcpStream, Option<Duration>) -> io::Result<()>,
) -> io::Result<()> {
    if !close_enough(*set, left) {
        apply(tcp, Some(left))?;
        *set = Some(left);
    }
    Ok(())
}

fn close_enough(set: Option<Duration>, left: Duration) -> bool {
    set.is_some_and(|set| set.abs_diff(left) <= slack(left))
}

/// A blocking call cut short by the socket timeout: `WouldBlock` on Unix, `TimedOut` on
/// Windows; both read as the deadline passing.
fn timed_out(e: io::Error) -> io::Error {
    match e.kind() {
        io::ErrorKind::WouldBlock => io::Error::new(io::ErrorKind::TimedOut, e),
        _ => e,
    }
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.arm_read()?;
        self.tcp.read(buf).map_err(timed_out)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.arm_write()?;
        self.tcp.write(buf).map_err(timed_out)
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.arm_write()?;
        self.tcp.write_vectored(bufs).map_err(timed_out)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_set_again_only_when_they_drift() {
        let s = Duration::from_secs;
        assert!(!close_enough(None, s(30)));
        assert!(close_enough(Some(s(30)), s(30)));
        assert!(close_enough(Some(s(30)), Duration::from_millis(29_000)));
        assert!(!close_enough(Some(s(30)), s(20)));
        assert!(!close_enough(Some(s(1)), s(30)));
        assert!(close_enough(
            Some(Duration::from_millis(10)),
            Duration::from_millis(6)
        ));
    }
}
