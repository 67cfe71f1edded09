//! The example specs, compiled into the binary so `putcheck demo` works from any folder.

use std::io;
use std::path::Path;

/// Where the examples land inside the unpacked folder (and how reports name them).
pub const SPECS_DIR: &str = "specs";

/// (path relative to the repository root, contents).
pub const FILES: &[(&str, &str)] = &[("specs/echo.yaml", include_str!("../../specs/echo.yaml"))];

/// Unpacks the examples into a fresh temporary folder, removed when dropped.
pub fn extract() -> io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("putcheck-demo-")
        .tempdir()?;
    for (rel, contents) in FILES {
        let path = dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, contents)?;
    }
    let _ = Path::new(SPECS_DIR);
    Ok(dir)
}
