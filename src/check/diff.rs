//! Unified diffs of two bodies, as data (no colour): reporters decide how to show them.

use std::time::Duration;

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Longest diff shown; the rest is summarised, never the whole megabyte.
const MAX_LINES: usize = 80;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Context,
    Removed,
    Added,
    /// `@@ -a,b +c,d @@`, or a note such as "… 40 more lines".
    Header,
}

/// One diff line; `spans` marks the changed words (`true`) for word-level highlighting.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DiffLine {
    pub kind: LineKind,
    pub spans: Vec<(bool, String)>,
}

impl DiffLine {
    pub fn text(&self) -> String {
        self.spans.iter().map(|(_, s)| s.as_str()).collect()
    }

    fn plain(kind: LineKind, text: String) -> Self {
        DiffLine {
            kind,
            spans: vec![(false, text)],
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Diff {
    pub old_label: String,
    pub new_label: String,
    pub lines: Vec<DiffLine>,
}

impl Diff {
    /// The classic unified-diff text (`--- a`, `+++ b`, `-`/`+`/` ` lines).
    pub fn unified(&self) -> String {
        let mut out = format!("--- {}\n+++ {}\n", self.old_label, self.new_label);
        for l in &self.lines {
            let sign = match l.kind {
                LineKind::Context => " ",
                LineKind::Removed => "-",
                LineKind::Added => "+",
                LineKind::Header => "",
            };
            out.push_str(sign);
            out.push_str(&l.text());
            out.push('\n');
        }
        out
    }
}

/// Pretty-printed JSON with keys sorted, so that key order never shows as a difference.
pub fn pretty_sorted(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let mut out = serde_json::Map::new();
                for k in keys {
                    out.insert(k.clone(), sort(&m[k]));
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&sort(v)).unwrap_or_default()
}

/// A diff of two JSON values, pretty-printed with sorted keys. Trailing commas are left
/// out of the lines, so that a changed last member shows as one changed line rather
/// than also changing its neighbour.
pub fn diff_json(old: &Value, new: &Value, old_label: &str, new_label: &str) -> Diff {
    let lines = |v: &Value| -> String {
        pretty_sorted(v)
            .lines()
            .map(|l| l.strip_suffix(',').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    diff_text(&lines(old), &lines(new), old_label, new_label)
}

/// A line diff of two texts with word-level spans on changed lines.
pub fn diff_text(old: &str, new: &str, old_label: &str, new_label: &str) -> Diff {
    let diff = TextDiff::configure()
        .timeout(Duration::from_millis(500))
        .diff_lines(old, new);
    let mut lines = Vec::new();
    let mut shown = 0usize;
    let mut hidden = 0usize;
    for group in diff.grouped_ops(CONTEXT) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let header = format!(
            "@@ -{},{} +{},{} @@",
            old_range.start + 1,
            old_range.len(),
            new_range.start + 1,
            new_range.len()
        );
        let mut group_lines = vec![DiffLine::plain(LineKind::Header, header)];
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => LineKind::Context,
                    ChangeTag::Delete => LineKind::Removed,
                    ChangeTag::Insert => LineKind::Added,
                };
                let spans: Vec<(bool, String)> = change
                    .iter_strings_lossy()
                    .map(|(emph, s)| (emph, s.trim_end_matches('\n').to_string()))
                    .filter(|(_, s)| !s.is_empty())
                    .collect();
                group_lines.push(DiffLine { kind, spans });
            }
        }
        if shown + group_lines.len() > MAX_LINES && shown > 0 {
            hidden += group_lines.len() - 1;
            continue;
        }
        if group_lines.len() > MAX_LINES {
            hidden += group_lines.len() - MAX_LINES;
            group_lines.truncate(MAX_LINES);
        }
        shown += group_lines.len();
        lines.extend(group_lines);
    }
    if hidden > 0 {
        lines.push(DiffLine::plain(
            LineKind::Header,
            format!("… {hidden} more diff lines not shown"),
        ));
    }
    Diff {
        old_label: old_label.into(),
        new_label: new_label.into(),
        lines,
    }
}

/// The JSONPaths at which two values differ (numbers compared by value).
pub fn differing_paths(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(a, b, "$".to_string(), &mut out);
    out
}

/// `path.key`, or `path['key']` when the name needs brackets (RFC 9535).
pub fn member(path: &str, key: &str) -> String {
    let simple = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if simple {
        format!("{path}.{key}")
    } else {
        format!(
            "{path}['{}']",
            key.replace('\\', "\\\\").replace('\'', "\\'")
        )
    }
}

fn walk(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x
                .keys()
                .chain(y.keys().filter(|k| !x.contains_key(*k)))
                .collect();
            keys.sort();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => walk(v, w, member(&path, k), out),
                    _ => out.push(member(&path, k)),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                walk(v, w, format!("{path}[{i}]"), out);
            }
        }
        _ if super::matcher::json_eq(a, b) => {}
        _ => out.push(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_each_difference() {
        let a = json!({"v": 1, "n": "x", "t": {"u": 1}, "odd-key": 1});
        let b = json!({"v": 2, "n": "x", "t": {"u": 1.0}, "odd-key": 2, "extra": true});
        assert_eq!(
            differing_paths(&a, &b),
            vec!["$.extra", "$['odd-key']", "$.v"]
        );
    }

    #[test]
    fn long_diffs_are_elided() {
        let old: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        let new: String = (0..1000)
            .map(|i| {
                if i % 50 == 0 {
                    format!("LINE {i}\n")
                } else {
                    format!("line {i}\n")
                }
            })
            .collect();
        let d = diff_text(&old, &new, "a", "b");
        assert!(d.lines.len() <= MAX_LINES + 1, "{}", d.lines.len());
        assert!(d
            .lines
            .last()
            .is_some_and(|l| l.text().contains("more diff lines")));
    }
}
