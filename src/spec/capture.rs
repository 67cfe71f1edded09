//! `capture:` → `Capture`s: values taken from a response for the tests after it.

use super::convert::Loader;
use super::de::{Entries, Field};
use super::error_kind::ErrorKind;
use super::raw::RawCapture;
use super::*;

impl Loader<'_> {
    pub(super) fn captures<L>(&mut self, c: Entries<RawCapture, L>) -> Vec<Capture> {
        let mut out = Vec::new();
        let entries: Vec<_> = c.into_valid().collect();
        let starts: Vec<Pos> = entries.iter().map(|(k, _)| k.pos).collect();
        for (i, (name, v)) in entries.into_iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(Pos {
                line: u64::MAX,
                column: 0,
            });
            let pos = v.pos;
            let RawCapture { header, json } = v.value;
            let unreadable =
                matches!(header, Field::Invalid(_)) || matches!(json, Field::Invalid(_));
            if unreadable {
                continue;
            }
            let source = match (header.take(), json.take()) {
                (Some(h), None) => CaptureSource::Header(h.value),
                (None, Some(p)) => match JsonPath::parse(&p.value) {
                    Ok(path) => CaptureSource::Json(path),
                    Err(reason) => {
                        self.report(p.span(), ErrorKind::InvalidJsonPath { reason });
                        continue;
                    }
                },
                (Some(_), Some(_)) => {
                    let kind = ErrorKind::CaptureBothSources { name: name.value };
                    self.report(pos, kind);
                    continue;
                }
                // An unknown key in it was reported already.
                (None, None) if self.has_error_within(pos, end) => continue,
                (None, None) => {
                    let kind = ErrorKind::CaptureNoSource { name: name.value };
                    self.report(pos, kind);
                    continue;
                }
            };
            out.push(Capture {
                name: name.value,
                source,
                pos: name.pos,
            });
        }
        out
    }
}
