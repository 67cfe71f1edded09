//! Every `${name}` in a file must have a value before anything is sent: from `vars:`,
//! `--var`, the environment, a fallback, or a capture of an earlier test.

use std::collections::HashSet;

use super::convert::Loader;
use super::error::did_you_mean;
use super::error_kind::ErrorKind;
use super::raw;
use super::template;
use super::yaml::{Kind, Node};
use super::*;

/// One `${name}` and where it is.
struct Use {
    name: String,
    /// The reference as written (`${name}`), when it was found in the file; else the
    /// string that holds it.
    span: Span,
    has_fallback: bool,
}

impl Loader<'_> {
    pub(super) fn check_variables(
        &mut self,
        root: &Node,
        vars: &[(String, serde_json::Value)],
        tests: &mut [TestSpec],
        finally: &mut [TestSpec],
    ) {
        // A file without `${` (nor an escape that could spell it) uses no variable.
        if !self.source.contains("${") && !self.source.contains('\\') {
            return;
        }
        let base: HashSet<String> = vars
            .iter()
            .map(|(k, _)| k.clone())
            .chain(self.load.cli_vars.keys().cloned())
            .collect();
        let steps = |key: &str| -> &[Node] {
            match root.get(key).map(|n| &n.kind) {
                Some(Kind::Seq(items)) => items,
                _ => &[],
            }
        };
        let test_nodes = steps("tests");
        let finally_nodes = steps("finally");
        let captures_of = |n: &Node| -> Vec<String> {
            match n.get("capture").map(|c| &c.kind) {
                Some(Kind::Map(entries)) => entries.iter().map(|(k, _)| k.name.clone()).collect(),
                _ => Vec::new(),
            }
        };
        let test_name = |n: &Node| -> String {
            n.get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| {
                    raw::METHOD_KEYS
                        .iter()
                        .find_map(|m| {
                            let url = n.get(m)?.scalar_text()?;
                            Some(format!("{} {url}", m.to_uppercase()))
                        })
                        .unwrap_or_else(|| format!("at line {}", n.pos.line))
                })
        };
        let all_captures: Vec<(String, String)> = test_nodes
            .iter()
            .chain(finally_nodes.iter())
            .flat_map(|t| captures_of(t).into_iter().map(move |c| (c, test_name(t))))
            .collect();
        // File-level keys see only `vars`, `--var` and the environment.
        if let Kind::Map(entries) = &root.kind {
            for (k, v) in entries {
                if k.name != "tests" && k.name != "finally" && !k.name.starts_with("x-") {
                    let uses = self.uses_in(v);
                    self.report_undefined(&uses, &base, &HashSet::new(), &all_captures);
                }
            }
        }
        let mut seen: HashSet<String> = HashSet::new();
        let mut step_uses: Vec<Vec<String>> = Vec::new();
        for t in test_nodes {
            let uses = self.uses_in_step(t);
            if t.get("generate").is_some() {
                // `generate` fills `${generate.n}` with each body's number.
                let mut here = seen.clone();
                here.insert("generate.n".to_string());
                self.report_undefined(&uses, &base, &here, &all_captures);
            } else {
                self.report_undefined(&uses, &base, &seen, &all_captures);
            }
            step_uses.push(names(&uses));
            seen.extend(captures_of(t));
        }
        for t in finally_nodes {
            let uses = self.uses_in_step(t);
            self.report_undefined(&uses, &base, &seen, &all_captures);
            step_uses.push(names(&uses));
        }
        // Steps that failed to convert are missing from `tests`; match by position.
        for t in tests.iter_mut().chain(finally.iter_mut()) {
            if let Some(i) = test_nodes
                .iter()
                .chain(finally_nodes.iter())
                .position(|n| n.pos == t.pos)
            {
                t.uses = step_uses.get(i).cloned().unwrap_or_default();
            }
        }
    }

    /// Variable uses in a test, its `x-` keys left out.
    fn uses_in_step(&self, step: &Node) -> Vec<Use> {
        match &step.kind {
            Kind::Map(entries) => entries
                .iter()
                .filter(|(k, _)| !k.name.starts_with("x-"))
                .flat_map(|(k, v)| {
                    let mut u = self.uses_in_text(&k.name, k.pos);
                    u.extend(self.uses_in(v));
                    u
                })
                .collect(),
            _ => self.uses_in(step),
        }
    }

    fn uses_in(&self, node: &Node) -> Vec<Use> {
        match &node.kind {
            Kind::Str(s) => self.uses_in_text(s, node.pos),
            Kind::Seq(items) => items.iter().flat_map(|i| self.uses_in(i)).collect(),
            Kind::Map(entries) => entries
                .iter()
                .flat_map(|(k, v)| {
                    let mut u = self.uses_in_text(&k.name, k.pos);
                    u.extend(self.uses_in(v));
                    u
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The references in one string; each points at its `${` in the file when it can be
    /// found there (quotes and escapes shift it), else at the string.
    fn uses_in_text(&self, text: &str, at: Pos) -> Vec<Use> {
        template::references(text)
            .into_iter()
            .map(|r| {
                let written = &text[r.offset..r.offset + r.len];
                let span = match self.find_in_source(written, at) {
                    Some(start) => Span {
                        start,
                        end: Pos {
                            line: start.line,
                            column: start.column + written.chars().count() as u64,
                        },
                    },
                    None => at.into(),
                };
                Use {
                    span,
                    name: r.name,
                    has_fallback: r.fallback.is_some(),
                }
            })
            .collect()
    }

    fn find_in_source(&self, needle: &str, from: Pos) -> Option<Pos> {
        for (i, line) in self.source.split_inclusive('\n').enumerate() {
            let line_no = i as u64 + 1;
            if line_no < from.line {
                continue;
            }
            let start = if line_no == from.line {
                line.char_indices()
                    .nth((from.column.max(1) - 1) as usize)
                    .map(|(b, _)| b)
                    .unwrap_or(line.len())
            } else {
                0
            };
            if let Some(found) = line[start..].find(needle) {
                let col = line[..start + found].chars().count() as u64 + 1;
                return Some(Pos {
                    line: line_no,
                    column: col,
                });
            }
            if line_no > from.line + 50 {
                break;
            }
        }
        None
    }

    fn report_undefined(
        &mut self,
        uses: &[Use],
        base: &HashSet<String>,
        captured_before: &HashSet<String>,
        all_captures: &[(String, String)],
    ) {
        for u in uses {
            if u.has_fallback
                || base.contains(&u.name)
                || captured_before.contains(&u.name)
                || (self.load.env)(&u.name).is_some()
            {
                continue;
            }
            let later = all_captures.iter().find(|(name, _)| *name == u.name);
            let known = || -> Vec<&str> {
                base.iter()
                    .chain(captured_before.iter())
                    .map(String::as_str)
                    .collect()
            };
            // `--list` sends nothing: a variable the environment will provide at run time
            // is not needed yet. A capture used too early, or a near miss of a known
            // name (a typo), is wrong whatever the environment holds.
            if self.load.listing && later.is_none() && did_you_mean(&u.name, &known()).is_none() {
                continue;
            }
            let kind = ErrorKind::UndefinedVariable {
                name: u.name.clone(),
                suggestion: match later {
                    Some(_) => None,
                    None => did_you_mean(&u.name, &known()).map(str::to_string),
                },
                captured_later_by: later.map(|(_, test)| test.clone()),
            };
            self.report(u.span, kind);
        }
    }
}

fn names(uses: &[Use]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for u in uses {
        if !out.contains(&u.name) {
            out.push(u.name.clone());
        }
    }
    out
}
