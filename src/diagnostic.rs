//! One way to point into a spec file, for spec errors and run-time failures alike: the
//! message, `--> file:line:column`, the line behind a numbered gutter, the span
//! underlined, a help line — laid out as rustc and Hurl do, everything aligned to the
//! gutter's width.
//!
//! The renderer gets the text it shows from its caller (a spec error carries its file's
//! text, a run's reporters get the loaded files in [`Sources`]); nothing is kept in a
//! process-wide registry. Colour is the caller's choice ([`Styling`]): plain for files,
//! ANSI for a terminal. Rendered text is never parsed again.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use anstyle::{AnsiColor, Style};

use crate::spec::Span;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const BOLD: Style = Style::new().bold();
const GUTTER: Style = AnsiColor::Cyan.on_default();
const UNDERLINE: Style = AnsiColor::Red.on_default().bold();

/// Whether rendered text carries ANSI colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Styling {
    /// For files (JUnit, HTML, JSON) and pipes.
    Plain,
    /// For a terminal that takes colour.
    Ansi,
}

impl Styling {
    /// `text` in `style`, or as it is when plain.
    fn paint(self, style: Style, text: &str) -> String {
        match self {
            Styling::Plain => text.to_string(),
            Styling::Ansi => format!("{style}{text}{style:#}"),
        }
    }
}

/// The text of the spec files a run loaded, by the file name its results carry. Cheap
/// to clone: the texts are shared with the suites.
#[derive(Debug, Clone, Default)]
pub struct Sources(Arc<HashMap<String, Arc<str>>>);

impl Sources {
    pub fn new(files: impl IntoIterator<Item = (String, Arc<str>)>) -> Self {
        Sources(Arc::new(files.into_iter().collect()))
    }

    /// Line `line` (1-based) of `file`, when the file is known.
    pub fn line(&self, file: &str, line: u64) -> Option<&str> {
        line_of(self.0.get(file)?, line)
    }
}

/// Line `line` (1-based) of `text`.
pub fn line_of(text: &str, line: u64) -> Option<&str> {
    text.lines().nth(line.checked_sub(1)? as usize)
}

/// A message that points at a place in a file.
pub struct Diagnostic<'a> {
    pub message: &'a str,
    pub file: &'a Path,
    pub span: Span,
    /// The line `span` starts on, when known.
    pub line: Option<&'a str>,
    pub help: Option<&'a str>,
}

impl Diagnostic<'_> {
    /// `error: message`, the location, the line with its span underlined, the help.
    pub fn render(&self, styling: Styling) -> String {
        let start = self.span.start;
        let gutter = Gutter::for_line(start.line);
        let mut out = format!(
            "{}{}\n",
            styling.paint(ERROR, "error"),
            styling.paint(BOLD, &format!(": {}", self.message))
        );
        let _ = writeln!(
            out,
            "{}{} {}:{}:{}",
            gutter.pad(),
            styling.paint(GUTTER, "-->"),
            self.file.display(),
            start.line,
            start.column
        );
        if let Some(line) = self.line {
            out.push_str(&snippet(self.span, line, gutter, styling));
        }
        if let Some(help) = self.help {
            let _ = writeln!(
                out,
                "{}{} {help}",
                gutter.pad(),
                styling.paint(GUTTER, "= help:")
            );
        }
        out
    }
}

/// The width of the line-number column; `-->`, `|` and `= help` stand one space past it.
#[derive(Debug, Clone, Copy)]
pub struct Gutter {
    width: usize,
}

impl Gutter {
    /// A gutter wide enough for `line`.
    pub fn for_line(line: u64) -> Gutter {
        Gutter {
            width: line.to_string().len(),
        }
    }

    /// What stands before `-->`, `|` and `=`: the gutter's width and one space.
    fn pad(self) -> String {
        " ".repeat(self.width + 1)
    }
}

/// The gutter, the line and the span underlined (`^^^^`), one caret when the span has
/// no width. A span that goes on past its first line is underlined to that line's end.
/// Tabs are kept in the indentation, so the underline lines up under a tab too.
pub fn snippet(span: Span, line: &str, gutter: Gutter, styling: Styling) -> String {
    let start = span.start;
    let pad = gutter.pad();
    let bar = styling.paint(GUTTER, "|");
    let number = styling.paint(GUTTER, &format!("{:>w$}", start.line, w = gutter.width));
    let first = (start.column.max(1) - 1) as usize;
    let chars = line.trim_end().chars().count();
    let last = if span.end.line == start.line && span.end.column > start.column {
        (span.end.column - 1) as usize
    } else if span.end.line > start.line {
        chars
    } else {
        first + 1
    };
    let width = last.saturating_sub(first).max(1);
    let indent: String = line
        .chars()
        .take(first)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let carets = styling.paint(UNDERLINE, &"^".repeat(width));
    format!("{pad}{bar}\n{number} {bar} {line}\n{pad}{bar} {indent}{carets}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Pos;

    fn span(line: u64, from: u64, to: u64) -> Span {
        Span {
            start: Pos { line, column: from },
            end: Pos { line, column: to },
        }
    }

    #[test]
    fn the_whole_token_is_underlined_and_everything_aligns_to_the_gutter() {
        let d = Diagnostic {
            message: "unknown key `tmeout` in a test",
            file: Path::new("spec.yaml"),
            span: span(12, 5, 11),
            line: Some("    tmeout: 5s"),
            help: Some("did you mean `timeout`?"),
        };
        assert_eq!(
            d.render(Styling::Plain),
            "error: unknown key `tmeout` in a test\n   --> spec.yaml:12:5\n   |\n12 |     tmeout: 5s\n   |     ^^^^^^\n   = help: did you mean `timeout`?\n"
        );
    }

    #[test]
    fn a_place_without_a_width_gets_one_caret_and_plain_has_no_colour() {
        let d = Diagnostic {
            message: "m",
            file: Path::new("a.yaml"),
            span: Pos { line: 3, column: 2 }.into(),
            line: Some("\tx: 1"),
            help: None,
        };
        assert_eq!(
            d.render(Styling::Plain),
            "error: m\n  --> a.yaml:3:2\n  |\n3 | \tx: 1\n  | \t^\n"
        );
        assert!(d.render(Styling::Ansi).contains('\u{1b}'));
    }

    #[test]
    fn a_span_past_its_line_is_underlined_to_the_line_end() {
        let s = Span {
            start: Pos { line: 1, column: 4 },
            end: Pos { line: 4, column: 1 },
        };
        assert_eq!(
            snippet(s, "a: [1,  ", Gutter::for_line(1), Styling::Plain),
            "  |\n1 | a: [1,  \n  |    ^^^\n"
        );
    }
}
