//! Finished tests' report text kept on disk, not in memory, until the report is written:
//! a reporter's memory stays flat however large the suite. Pieces come back sorted by
//! `(file, step)`, so reports are the same on every run.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

/// Where a piece is: in the temporary file, or (when that could not be written) in memory.
enum At {
    Disk { offset: u64, len: usize },
    Memory { offset: usize, len: usize },
}

pub(super) struct Spill {
    file: Option<BufWriter<File>>,
    written: u64,
    memory: Vec<u8>,
    index: Vec<((usize, usize), At)>,
}

impl Spill {
    pub(super) fn new() -> Self {
        Spill {
            // An anonymous file: the system removes it when putcheck exits, however.
            file: tempfile::tempfile().ok().map(BufWriter::new),
            written: 0,
            memory: Vec::new(),
            index: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, seq: (usize, usize), piece: &[u8]) {
        if let Some(file) = &mut self.file {
            if file.write_all(piece).is_ok() {
                let at = At::Disk {
                    offset: self.written,
                    len: piece.len(),
                };
                self.written += piece.len() as u64;
                self.index.push((seq, at));
                return;
            }
            // A full disk: what was written stays readable, the rest stays in memory.
        }
        let at = At::Memory {
            offset: self.memory.len(),
            len: piece.len(),
        };
        self.memory.extend_from_slice(piece);
        self.index.push((seq, at));
    }

    pub(super) fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Writes every piece to `out` in `(file, step)` order, `separator` between them.
    pub(super) fn write_sorted(&mut self, out: &mut dyn Write, separator: &[u8]) -> io::Result<()> {
        self.index.sort_by_key(|(seq, _)| *seq);
        let mut file = match self.file.take() {
            Some(f) => Some(f.into_inner().map_err(|e| e.into_error())?),
            None => None,
        };
        let mut buf = Vec::new();
        for (i, (_, at)) in self.index.iter().enumerate() {
            if i > 0 {
                out.write_all(separator)?;
            }
            match *at {
                At::Disk { offset, len } => {
                    let f = file
                        .as_mut()
                        .ok_or_else(|| io::Error::other("the report's temporary file is gone"))?;
                    f.seek(SeekFrom::Start(offset))?;
                    buf.resize(len, 0);
                    f.read_exact(&mut buf)?;
                    out.write_all(&buf)?;
                }
                At::Memory { offset, len } => out.write_all(&self.memory[offset..offset + len])?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_come_back_in_order() {
        let mut s = Spill::new();
        s.push((1, 0), b"c");
        s.push((0, 1), b"b");
        s.push((0, 0), b"a");
        let mut out = Vec::new();
        assert!(s.write_sorted(&mut out, b",").is_ok());
        assert_eq!(out, b"a,b,c");
    }
}
