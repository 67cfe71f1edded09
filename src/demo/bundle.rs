//! The example specs, compiled into the binary so `putcheck demo` works from any folder.

use std::io;

/// Where the examples land inside the unpacked folder (and how reports name them).
pub const SPECS_DIR: &str = "specs";

/// (path relative to the repository root, contents).
pub const FILES: &[(&str, &str)] = &[
    ("specs/echo.yaml", include_str!("../../specs/echo.yaml")),
    ("specs/items.yaml", include_str!("../../specs/items.yaml")),
    (
        "specs/matchers.yaml",
        include_str!("../../specs/matchers.yaml"),
    ),
    ("specs/schema.yaml", include_str!("../../specs/schema.yaml")),
    (
        "specs/schemas/item.json",
        include_str!("../../specs/schemas/item.json"),
    ),
    ("specs/status.yaml", include_str!("../../specs/status.yaml")),
    (
        "specs/widgets.yaml",
        include_str!("../../specs/widgets.yaml"),
    ),
];

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
    Ok(dir)
}
