//! Errors in spec files: which mistake ([`ErrorKind`], worded in `error_kind.rs`) and
//! where (a span of the file), rendered like rustc by `diagnostic`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error_kind::ErrorKind;
use super::{Pos, Span};
use crate::diagnostic::{Diagnostic, Styling};

/// A spec file that cannot be run, with where and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}:{}:{}: {kind}", file.display(), pos.line, pos.column)]
pub struct SpecError {
    pub file: PathBuf,
    /// Where the mistake starts.
    pub pos: Pos,
    /// Where it ends (exclusive); at `pos` when it has no width.
    pub end: Pos,
    pub kind: ErrorKind,
    /// The file's text, for the snippet (absent when the file could not be read).
    pub text: Option<Arc<str>>,
}

impl SpecError {
    pub fn new(file: &Path, span: impl Into<Span>, kind: ErrorKind) -> Self {
        let span = span.into();
        SpecError {
            file: file.to_path_buf(),
            pos: span.start,
            end: span.end,
            kind,
            text: None,
        }
    }

    /// Attaches the file's text, for the snippet.
    pub fn with_source(mut self, text: Arc<str>) -> Self {
        self.text = Some(text);
        self
    }

    pub fn span(&self) -> Span {
        Span {
            start: self.pos,
            end: self.end,
        }
    }

    /// The one-line message (`unknown key ...`).
    pub fn message(&self) -> String {
        self.kind.to_string()
    }

    /// A hint on its own line: "did you mean", or what to do next.
    pub fn help(&self) -> Option<String> {
        self.kind.help()
    }

    /// The line the error starts on, as written.
    pub fn source_line(&self) -> Option<&str> {
        crate::diagnostic::line_of(self.text.as_deref()?, self.pos.line)
    }

    /// The multi-line, rustc-like rendering, without colour.
    pub fn render(&self) -> String {
        self.render_styled(Styling::Plain)
    }

    /// The rendering in the caller's styling (ANSI for a terminal).
    pub fn render_styled(&self, styling: Styling) -> String {
        let message = self.message();
        let help = self.help();
        Diagnostic {
            message: &message,
            file: &self.file,
            span: self.span(),
            line: self.source_line(),
            help: help.as_deref(),
        }
        .render(styling)
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
