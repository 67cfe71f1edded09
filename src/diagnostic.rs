//! One way to point into a spec file, for spec errors and run-time failures alike: the
//! message, `--> file:line:column`, the line behind a numbered gutter, a caret, a help
//! line. Spec texts are kept in memory from the moment they are loaded, so what is
//! shown is what was run, even if the file changed on disk since.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use crate::spec::Pos;

static SOURCES: LazyLock<Mutex<HashMap<PathBuf, Arc<str>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Keeps the text of a loaded spec file for later snippets.
pub fn remember_source(file: &Path, text: &str) {
    if let Ok(mut sources) = SOURCES.lock() {
        sources.insert(file.to_path_buf(), Arc::from(text));
    }
}

/// Line `line` (1-based) of a loaded spec file.
pub fn source_line(file: &Path, line: u64) -> Option<String> {
    let text = SOURCES.lock().ok()?.get(file).cloned()?;
    text.lines()
        .nth(line.checked_sub(1)? as usize)
        .map(str::to_string)
}

/// A message that points at a place in a file.
pub struct Diagnostic<'a> {
    pub message: &'a str,
    pub file: &'a Path,
    pub pos: Pos,
    /// The line `pos` points into, when known.
    pub line: Option<&'a str>,
    pub help: Option<&'a str>,
}

impl Diagnostic<'_> {
    /// `error: message`, the location, the line with a caret under `pos`, the help.
    pub fn render(&self) -> String {
        let mut out = format!(
            "error: {}\n  --> {}:{}:{}\n",
            self.message,
            self.file.display(),
            self.pos.line,
            self.pos.column
        );
        if let Some(line) = self.line {
            out.push_str(&snippet(self.pos, line));
        }
        if let Some(help) = self.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        out
    }
}

/// The gutter, the line and a caret under `pos.column` (tabs kept, so the caret lines
/// up under a tab too).
pub fn snippet(pos: Pos, line: &str) -> String {
    let gutter = pos.line.to_string();
    let pad = " ".repeat(gutter.len());
    let caret_col = (pos.column.max(1) - 1) as usize;
    let indent: String = line
        .chars()
        .take(caret_col)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("{pad} |\n{gutter} | {line}\n{pad} | {indent}^\n")
}

/// `line | text`: one line of a spec file behind its gutter, for run-time failures.
pub fn gutter_line(file: &Path, line: u64) -> Option<(String, String)> {
    source_line(file, line).map(|text| (line.to_string(), text.trim_end().to_string()))
}
