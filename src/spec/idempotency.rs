//! `idempotency:` → `Idempotency` (how often a step is sent and what is compared).

use super::convert::Loader;
use super::raw::{RawIdempotency, RawIdempotencyBlock};
use super::*;

impl Idempotency {
    pub fn default_for_put() -> Self {
        Idempotency {
            repeat: None,
            ignore: Vec::new(),
            headers: Vec::new(),
            readback: false,
            concurrent: false,
        }
    }
}

impl Loader<'_> {
    pub(super) fn idempotency(&mut self, raw: RawIdempotency) -> Option<Idempotency> {
        let block = match raw {
            RawIdempotency::Switch(false) => return None,
            RawIdempotency::Switch(true) => return Some(Idempotency::default_for_put()),
            RawIdempotency::Block(b) => b,
        };
        let RawIdempotencyBlock {
            repeat,
            ignore,
            headers,
            readback,
            concurrent,
        } = block;
        let mut out = Idempotency::default_for_put();
        if let Some(r) = repeat.take() {
            if (1..=1000).contains(&r.value) {
                out.repeat = Some(r.value);
            } else {
                self.push(
                    r.pos,
                    format!(
                        "`idempotency.repeat` is the number of sends, 1 to 1000; found {}",
                        r.value
                    ),
                );
            }
        }
        for path in ignore.value().unwrap_or_default().0 {
            match JsonPath::parse(&path.value) {
                Ok(p) => out.ignore.push(p),
                Err(msg) => self.push(path.pos, format!("in `idempotency.ignore`: {msg}")),
            }
        }
        out.headers = headers
            .value()
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|h| h.value)
            .collect();
        out.readback = readback.value().unwrap_or(false);
        out.concurrent = concurrent.value().unwrap_or(false);
        Some(out)
    }
}
