//! `putcheck import`: specs from what users already have — an OpenAPI document
//! (`openapi`), a curl command line (`curl`), a browser's HAR export (`har`). Each
//! importer turns its input into `SpecFile`s (`spec_file`) of typed steps (`model`); this
//! module writes them and says which variables to set.

mod body;
pub mod curl;
mod generate;
pub mod har;
pub mod model;
pub mod openapi;
pub(crate) mod schema;
pub mod spec_file;
mod swagger2;

use std::path::{Path, PathBuf};

pub use spec_file::{Secrets, SpecFile};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read `{path}`: {message}")]
    Read { path: PathBuf, message: String },
    #[error("`{path}` is not a valid {what}: {message}")]
    Parse {
        path: PathBuf,
        what: &'static str,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("curl command: {0}")]
    Curl(String),
    #[error("{0}")]
    Write(String),
    #[error("`{0}` already exists; pass --force to overwrite it (nothing was written)")]
    Exists(PathBuf),
}

/// A file an import produces, named relative to the output folder.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedFile {
    pub name: String,
    pub text: String,
    /// Tests in a spec file; `None` for other files (JSON Schemas).
    pub tests: Option<usize>,
}

/// What an import produced.
#[derive(Debug, Default)]
pub struct Imported {
    pub files: Vec<GeneratedFile>,
    /// Secret variables to set in the environment before running, in order.
    pub to_set: Vec<String>,
    /// What else the user should know (a default base URL, a skipped operation).
    pub notes: Vec<String>,
}

impl Imported {
    /// Adds a rendered spec file and the secrets it needs.
    pub fn push_spec(&mut self, name: String, spec: &SpecFile) -> Result<(), ImportError> {
        let text = spec.render()?;
        for n in spec.secrets.to_set() {
            if !self.to_set.contains(&n) {
                self.to_set.push(n);
            }
        }
        self.files.push(GeneratedFile {
            name,
            text,
            tests: Some(spec.tests.len()),
        });
        Ok(())
    }
}

impl Imported {
    /// Writes the files into `dir` (see `write`) and returns what to tell the user: each
    /// file written, the notes, and the variables to set.
    pub fn write_to(&self, dir: &Path, force: bool) -> Result<Vec<String>, ImportError> {
        let paths = write(dir, &self.files, force)?;
        let mut lines: Vec<String> = self
            .files
            .iter()
            .zip(&paths)
            .map(|(file, path)| match file.tests {
                Some(n) => format!(
                    "wrote {} ({n} test{})",
                    path.display(),
                    if n == 1 { "" } else { "s" }
                ),
                None => format!("wrote {}", path.display()),
            })
            .collect();
        lines.extend(self.notes.iter().cloned());
        lines.extend(variables_hint(&self.to_set));
        Ok(lines)
    }
}

/// Writes the files into `dir` (created when missing). Without `force`, an existing file
/// stops the import before anything is written, so a folder is never half-replaced.
pub fn write(
    dir: &Path,
    files: &[GeneratedFile],
    force: bool,
) -> Result<Vec<PathBuf>, ImportError> {
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.name)).collect();
    if !force {
        if let Some(p) = paths.iter().find(|p| p.exists()) {
            return Err(ImportError::Exists(p.clone()));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        ImportError::Write(format!("cannot create the folder `{}`: {e}", dir.display()))
    })?;
    for (file, path) in files.iter().zip(&paths) {
        std::fs::write(path, &file.text)
            .map_err(|e| ImportError::Write(format!("cannot write `{}`: {e}", path.display())))?;
    }
    Ok(paths)
}

/// The sentence that tells which variables to set, if any.
pub fn variables_hint(to_set: &[String]) -> Option<String> {
    if to_set.is_empty() {
        return None;
    }
    Some(format!(
        "set before running (secrets, read from the environment, never printed): {}",
        to_set.join(", ")
    ))
}

/// A file name for a URL path: `/user/{username}` → `user-username`.
pub fn file_stem(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "root".into()
    } else {
        out
    }
}

fn read(path: &Path) -> Result<String, ImportError> {
    std::fs::read_to_string(path).map_err(|e| ImportError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}
