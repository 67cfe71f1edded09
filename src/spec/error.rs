//! Errors in spec files, rendered like rustc: message, `--> file:line:col`, the line, a caret.

use std::path::{Path, PathBuf};

use super::Pos;

/// A spec file that cannot be run, with where and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}:{}:{}: {message}", file.display(), pos.line, pos.column)]
pub struct SpecError {
    pub file: PathBuf,
    pub pos: Pos,
    pub message: String,
    /// A hint on its own line: "did you mean", or what to do next.
    pub help: Option<String>,
    /// The offending source line, for the snippet.
    pub source_line: Option<String>,
}

impl SpecError {
    pub fn new(file: &Path, pos: Pos, message: impl Into<String>) -> Self {
        SpecError {
            file: file.to_path_buf(),
            pos,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches the source line that `pos` points into.
    pub fn with_source(mut self, source: &str) -> Self {
        if self.pos.line > 0 {
            self.source_line = source
                .lines()
                .nth((self.pos.line - 1) as usize)
                .map(str::to_string);
        }
        self
    }

    /// The multi-line, rustc-like rendering used by the console.
    pub fn render(&self) -> String {
        crate::diagnostic::Diagnostic {
            message: &self.message,
            file: &self.file,
            pos: self.pos,
            line: self.source_line.as_deref(),
            help: self.help.as_deref(),
        }
        .render()
    }
}

/// The closest candidate to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
