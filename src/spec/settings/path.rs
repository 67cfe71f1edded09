//! Paths in the request settings (`body_file`, `files`, `verify`, `cert`): relative
//! to the spec file's folder. A path written with variables is kept as written and
//! resolved when the test runs (`RequestSpec::render`); a literal one must exist.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use super::report;
use crate::spec::error_kind::ErrorKind;
use crate::spec::Pos;

thread_local! {
    /// The folder of the spec file serde is reading (loading is synchronous on one
    /// thread); serde has no way to hand a setting this context.
    static SPEC_DIR: RefCell<PathBuf> = RefCell::new(PathBuf::new());
}

/// Runs `read` (serde reading a spec file) with `dir` as the folder its paths start in.
pub fn reading_from<R>(dir: &Path, read: impl FnOnce() -> R) -> R {
    let before = SPEC_DIR.with(|d| d.replace(dir.to_path_buf()));
    let out = read();
    SPEC_DIR.with(|d| *d.borrow_mut() = before);
    out
}

/// `written` joined to `dir`, unless it has variables.
fn in_dir(dir: &Path, written: &str) -> PathBuf {
    if written.contains("${") {
        PathBuf::from(written)
    } else {
        dir.join(written)
    }
}

/// The mistake, when the file `what` at `path` (written as `written`) is missing.
fn missing(written: &str, path: &Path, what: &str) -> Option<ErrorKind> {
    (!written.contains("${") && !path.exists()).then(|| ErrorKind::PathNotFound {
        what: what.to_string(),
        path: path.to_path_buf(),
    })
}

/// A setting's path (a `what`: "file", "CA bundle"), joined to the spec's folder; a
/// missing file is recorded at `pos`.
pub(super) fn existing(written: &str, pos: Pos, what: &str) -> PathBuf {
    let path = SPEC_DIR.with(|dir| in_dir(&dir.borrow(), written));
    if let Some(kind) = missing(written, &path, what) {
        report(pos, kind);
    }
    path
}
