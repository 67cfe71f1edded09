//! Reads whose size is bounded while the bytes arrive: a line never grows past its
//! limit, and a body's buffer never grows past the body's limit, so a hostile server
//! (a header line without an end, endless trailers, a huge body) costs at most the
//! limit in memory and fails as soon as it crosses it.

use std::io::{self, BufRead, ErrorKind, Read};

/// How one line read ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line {
    /// Up to and including its `\n`.
    Complete,
    /// The connection closed before the line's end (what did come is appended).
    Eof,
    /// `max` bytes came without a `\n`.
    TooLong,
}

/// Appends one line (up to and including `\n`) to `out`, taking at most `max` bytes
/// of it off the reader.
pub(super) fn read_line(
    reader: &mut impl BufRead,
    out: &mut Vec<u8>,
    max: usize,
) -> io::Result<Line> {
    let mut taken = 0;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(Line::Eof);
        }
        let room = max - taken;
        let window = &buf[..buf.len().min(room)];
        if let Some(i) = window.iter().position(|&b| b == b'\n') {
            out.extend_from_slice(&window[..=i]);
            reader.consume(i + 1);
            return Ok(Line::Complete);
        }
        let n = window.len();
        out.extend_from_slice(window);
        reader.consume(n);
        taken += n;
        if taken >= max {
            return Ok(Line::TooLong);
        }
    }
}

/// Appends up to `n` bytes to `body` (fewer when the connection closes first), never
/// letting its buffer's capacity grow past `cap` bytes; returns how many came.
pub(super) fn read_upto(
    reader: &mut impl BufRead,
    body: &mut Vec<u8>,
    n: u64,
    cap: usize,
) -> io::Result<u64> {
    let mut left = n;
    while left > 0 {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        let take = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        grow(body, take, cap);
        body.extend_from_slice(&buf[..take]);
        reader.consume(take);
        left -= take as u64;
    }
    Ok(n - left)
}

/// Reads `reader` to its end or to one byte past `limit`, whichever comes first, with
/// the buffer never larger than that (for decoders, which are plain `Read`ers).
pub(super) fn read_to_end(mut reader: impl Read, limit: usize) -> io::Result<Vec<u8>> {
    let cap = limit.saturating_add(1);
    let mut out = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    while out.len() < cap {
        let want = chunk.len().min(cap - out.len());
        let n = match reader.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        grow(&mut out, n, cap);
        out.extend_from_slice(&chunk[..n]);
    }
    Ok(out)
}

/// Past this size a body of unknown length gets its whole `cap` reserved at once.
const DOUBLING_UP_TO: usize = 1024 * 1024;

/// Makes room for `more` bytes, never past `cap`: doubling as `Vec` does up to 1 MiB,
/// then the whole `cap` at once. A buffer that doubled all the way would reach twice the
/// limit, and each copy would leave the smaller buffers' pages behind (a 64 MiB chunked
/// body cost 157 MB of RSS); one large reservation is only address space until bytes
/// arrive in it, so a body costs about its own size.
fn grow(buf: &mut Vec<u8>, more: usize, cap: usize) {
    let need = buf.len() + more;
    if need <= buf.capacity() {
        return;
    }
    let target = if need > DOUBLING_UP_TO {
        cap.max(need)
    } else {
        buf.capacity()
            .saturating_mul(2)
            .max(8 * 1024)
            .min(cap.max(need))
            .max(need)
    };
    buf.reserve_exact(target - buf.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_stops_at_its_limit_without_reading_further() {
        let data = vec![b'a'; 1000];
        let mut reader = std::io::BufReader::with_capacity(64, &data[..]);
        let mut out = Vec::new();
        assert_eq!(
            read_line(&mut reader, &mut out, 100).ok(),
            Some(Line::TooLong)
        );
        assert_eq!(out.len(), 100);
        let mut out = Vec::new();
        let mut ok = &b"ab\ncd"[..];
        assert_eq!(read_line(&mut ok, &mut out, 10).ok(), Some(Line::Complete));
        assert_eq!(out, b"ab\n");
        let mut out = Vec::new();
        assert_eq!(read_line(&mut ok, &mut out, 10).ok(), Some(Line::Eof));
        assert_eq!(out, b"cd");
    }

    #[test]
    fn a_body_buffer_never_grows_past_its_cap() {
        let data = vec![7u8; 300_000];
        let mut reader = std::io::BufReader::with_capacity(4096, &data[..]);
        let mut body = Vec::new();
        let got = read_upto(&mut reader, &mut body, 200_001, 200_001).ok();
        assert_eq!(got, Some(200_001));
        assert!(body.capacity() <= 200_001, "{}", body.capacity());
        let all = read_to_end(&data[..], 100_000).map(|v| (v.len(), v.capacity() <= 100_001));
        assert_eq!(all.ok(), Some((100_001, true)));
    }
}
