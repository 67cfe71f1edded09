//! The example specs, compiled into the binary so `putcheck demo` works from any folder.

use std::io;

/// Where the examples land inside the unpacked folder (and how reports name them).
pub const SPECS_DIR: &str = "specs";
/// Where the failing examples land (`putcheck demo --failing`).
pub const FAILING_DIR: &str = "examples/failing";

/// (path relative to the repository root, contents).
pub const FILES: &[(&str, &str)] = &[
    ("specs/echo.yaml", include_str!("../../specs/echo.yaml")),
    ("specs/http2.yaml", include_str!("../../specs/http2.yaml")),
    (
        "specs/generate.yaml",
        include_str!("../../specs/generate.yaml"),
    ),
    (
        "specs/schemas/widget.json",
        include_str!("../../specs/schemas/widget.json"),
    ),
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
    (
        "examples/failing/generated.yaml",
        include_str!("../../examples/failing/generated.yaml"),
    ),
    (
        "examples/failing/schemas/widget.json",
        include_str!("../../examples/failing/schemas/widget.json"),
    ),
    (
        "examples/failing/lossy-readback.yaml",
        include_str!("../../examples/failing/lossy-readback.yaml"),
    ),
    (
        "examples/failing/probes.yaml",
        include_str!("../../examples/failing/probes.yaml"),
    ),
    (
        "examples/failing/race.yaml",
        include_str!("../../examples/failing/race.yaml"),
    ),
    (
        "examples/failing/timestamp.yaml",
        include_str!("../../examples/failing/timestamp.yaml"),
    ),
    (
        "examples/failing/unstable-etag.yaml",
        include_str!("../../examples/failing/unstable-etag.yaml"),
    ),
    (
        "examples/failing/version-bump.yaml",
        include_str!("../../examples/failing/version-bump.yaml"),
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
