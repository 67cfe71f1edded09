//! YAML text → a tree of nodes with positions, typed by the YAML 1.2 core schema.
//!
//! Scalars keep their text: a number is held as written (normalised only where JSON
//! needs it: `017` → `17`, `0x1F` → `31`, `.5` → `0.5`), so `18446744073709551616` is
//! never rounded through a float. Anchors and aliases are resolved, and `<<` merge keys
//! are applied here, so everything after this sees plain maps and lists.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle};
use serde_json::Value;

use super::error_kind::ErrorKind;
use super::{Pos, Span};

/// One YAML node, where it starts and where it ends (exclusive): a scalar ends after
/// its last character (its closing quote), a collection after its last value.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub end: Pos,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Number(Number),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order; keys are scalars (their text) with their own positions.
    Map(Vec<(Key, Node)>),
}

/// A number as JSON needs it (`017` → `17`, `0x1F` → `31`) and as it was written, for
/// places where it is text (a query parameter `zip: 01234` stays `01234`).
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub json: String,
    pub written: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
    /// Just after the key as written (its closing quote, if quoted).
    pub end: Pos,
}

impl Key {
    pub fn span(&self) -> Span {
        Span {
            start: self.pos,
            end: self.end,
        }
    }
}

/// Alias expansion limit: no spec comes near it, an alias bomb would exhaust memory.
const MAX_EXPANDED_NODES: usize = 100_000;

/// A file that is not YAML at all (a syntax error), with where the parser stopped.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub span: Span,
    pub kind: ErrorKind,
}

impl Node {
    pub fn span(&self) -> Span {
        Span {
            start: self.pos,
            end: self.end,
        }
    }

    /// What the node is, in the words of an error message ("a list", "the number 3").
    pub fn found(&self) -> String {
        match &self.kind {
            Kind::Null => "null".into(),
            Kind::Bool(b) => format!("`{b}`"),
            Kind::Number(n) => format!("the number `{}`", n.written),
            Kind::Str(s) if s.chars().count() > 40 => "a string".into(),
            Kind::Str(s) => format!("the string `{s}`"),
            Kind::Seq(_) => "a list".into(),
            Kind::Map(_) => "a map".into(),
        }
    }

    /// How many values the node holds, itself included.
    pub fn size(&self) -> usize {
        1 + match &self.kind {
            Kind::Seq(items) => items.iter().map(Node::size).sum(),
            Kind::Map(entries) => entries.iter().map(|(_, v)| v.size()).sum(),
            _ => 0,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// The entry `key` of a map node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A scalar's text as it reads inside a larger string (`3`, `true`, `abc`).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Number(n) => Some(n.written.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The node as JSON; numbers keep every digit.
    pub fn to_value(&self) -> Value {
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => n
                .json
                .parse::<serde_json::Number>()
                .map(Value::Number)
                .unwrap_or_else(|_| Value::String(n.written.clone())),
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Kind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// Parses the first document of `source`. An empty file is a null node. A syntax error
/// stops the parse; duplicate keys do not (the first one is kept), so they come back
/// next to the tree and are reported with the file's other mistakes.
pub fn parse(source: &str) -> Result<(Node, Vec<SyntaxError>), SyntaxError> {
    let mut builder = Builder {
        anchors: HashMap::new(),
        expanded: 0,
        stack: Vec::new(),
        root: None,
        duplicates: Vec::new(),
    };
    let parser = Parser::new_from_str(source);
    for event in parser {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => return Err(syntax_error(source, &e)),
        };
        let pos = Pos {
            line: span.start.line() as u64,
            column: span.start.col() as u64 + 1,
        };
        let end = Pos {
            line: span.end.line() as u64,
            column: span.end.col() as u64 + 1,
        };
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                // A map key is its text: no node to build (unless an anchor names it).
                if anchor == 0 && builder.expects_key() {
                    builder.set_key(
                        Key {
                            name: text.into_owned(),
                            pos,
                            end,
                        },
                        plain,
                    );
                    continue;
                }
                let tag = tag.map(|t| t.suffix().to_string());
                let node = Node {
                    pos,
                    end,
                    kind: resolve_scalar(&text, style, tag.as_deref()),
                };
                builder.add(node, anchor, Some(&text), plain);
            }
            Event::SequenceStart(_, anchor, _) => {
                builder.stack.push(Open::Seq(pos, anchor, Vec::new()))
            }
            Event::MappingStart(_, anchor, _) => builder.stack.push(Open::Map {
                pos,
                anchor,
                entries: Vec::new(),
                merges: Vec::new(),
                key: None,
            }),
            Event::SequenceEnd => {
                if let Some(Open::Seq(pos, anchor, items)) = builder.stack.pop() {
                    builder.add(
                        Node {
                            pos,
                            end: collection_end(items.last().map(|n| n.end), end),
                            kind: Kind::Seq(items),
                        },
                        anchor,
                        None,
                        false,
                    );
                }
            }
            Event::MappingEnd => {
                if let Some(Open::Map {
                    pos,
                    anchor,
                    entries,
                    merges,
                    ..
                }) = builder.stack.pop()
                {
                    let entries = merge(entries, merges);
                    let last = entries.last().map(|(_, v)| v.end);
                    builder.add(
                        Node {
                            pos,
                            end: collection_end(last, end),
                            kind: Kind::Map(entries),
                        },
                        anchor,
                        None,
                        false,
                    );
                }
            }
            Event::Alias(id) => {
                let (node, size) = builder.anchors.get(&id).cloned().unwrap_or((
                    Node {
                        pos,
                        end,
                        kind: Kind::Null,
                    },
                    1,
                ));
                builder.expanded += size;
                if builder.expanded > MAX_EXPANDED_NODES {
                    return Err(SyntaxError {
                        span: Span { start: pos, end },
                        kind: ErrorKind::AliasBomb {
                            limit: MAX_EXPANDED_NODES,
                        },
                    });
                }
                builder.add(node, 0, None, false);
            }
            Event::DocumentEnd => break,
            _ => {}
        }
    }
    let start = Pos { line: 1, column: 1 };
    let root = builder.root.unwrap_or(Node {
        pos: start,
        end: start,
        kind: Kind::Null,
    });
    Ok((root, builder.duplicates))
}

fn syntax_error(source: &str, e: &granit_parser::ScanError) -> SyntaxError {
    let m = e.marker();
    let pos = Pos {
        line: m.line() as u64,
        column: m.col() as u64 + 1,
    };
    let info = e.info();
    // A tab where indentation is expected: point at the tab itself, wherever the
    // parser noticed it.
    if info.contains("tab") {
        if let Some((line, column)) = first_indent_tab(source, pos.line) {
            let tab = Pos { line, column };
            return SyntaxError {
                span: Span {
                    start: tab,
                    end: Pos {
                        line,
                        column: column + 1,
                    },
                },
                kind: ErrorKind::TabInIndentation,
            };
        }
    }
    let line = source.lines().nth(pos.line.saturating_sub(1) as usize);
    let quote_variables = info.contains("flow") && line.is_some_and(|l| l.contains("${"));
    SyntaxError {
        span: pos.into(),
        kind: ErrorKind::InvalidYaml {
            reason: info.to_string(),
            quote_variables,
        },
    }
}

/// The first tab in the leading white space of a line at or after `from - 1`.
fn first_indent_tab(source: &str, from: u64) -> Option<(u64, u64)> {
    source
        .lines()
        .enumerate()
        .skip(from.saturating_sub(2) as usize)
        .find_map(|(i, line)| {
            let lead: String = line
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            lead.find('\t')
                .map(|col| (i as u64 + 1, lead[..col].chars().count() as u64 + 1))
        })
}

enum Open {
    Seq(Pos, usize, Vec<Node>),
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<(Key, Node)>,
        /// `<<` values, in order: maps whose entries fill in missing keys.
        merges: Vec<(usize, Node)>,
        key: Option<(Key, bool)>,
    },
}

struct Builder {
    /// Anchored nodes with their size in values.
    anchors: HashMap<usize, (Node, usize)>,
    /// Values created by alias expansion so far.
    expanded: usize,
    stack: Vec<Open>,
    root: Option<Node>,
    duplicates: Vec<SyntaxError>,
}

impl Builder {
    /// Adds a finished node to the open collection (as a key or a value) or as the root.
    /// Whether the next node is a map's key.
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Open::Map { key: None, .. }))
    }

    /// The key of the open map's next entry.
    fn set_key(&mut self, name: Key, plain: bool) {
        if let Some(Open::Map { key, .. }) = self.stack.last_mut() {
            *key = Some(map_key(name, plain));
        }
    }

    fn add(&mut self, node: Node, anchor: usize, text: Option<&str>, plain: bool) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), node.size()));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Open::Seq(_, _, items)) => items.push(node),
            Some(Open::Map {
                entries,
                merges,
                key,
                ..
            }) => match key.take() {
                None => {
                    let name = text
                        .map(str::to_string)
                        .or_else(|| node.scalar_text())
                        .unwrap_or_else(|| {
                            // A map or list as a key: no spec key is like that; keep its
                            // JSON text so the error can show it.
                            node.to_value().to_string()
                        });
                    *key = Some(map_key(
                        Key {
                            name,
                            pos: node.pos,
                            end: node.end,
                        },
                        plain,
                    ));
                }
                Some((_, true)) => merges.push((entries.len(), node)),
                Some((k, false)) => {
                    if let Some((first, _)) = entries.iter().find(|(e, _)| e.name == k.name) {
                        self.duplicates.push(SyntaxError {
                            span: k.span(),
                            kind: ErrorKind::DuplicateKey {
                                key: k.name.clone(),
                                first_line: first.pos.line,
                            },
                        });
                    } else {
                        entries.push((k, node));
                    }
                }
            },
        }
    }
}

/// Where a collection ends: at its closing `]` or `}` when that is on the line of its
/// last value (flow style), else after its last value (a block collection's end event
/// stands where the next key starts, lines later).
fn collection_end(last_value: Option<Pos>, end_event: Pos) -> Pos {
    match last_value {
        Some(last) if last.line != end_event.line => last,
        _ => end_event,
    }
}

/// A map's key, with whether it is a merge key: a plain (unquoted) `<<`.
fn map_key(key: Key, plain: bool) -> (Key, bool) {
    let merge = plain && key.name == "<<";
    (key, merge)
}

/// Applies `<<` merges: a merged map's entries are inserted where the `<<` stood, unless
/// the map already has the key (written keys win; among merged maps, the first wins).
fn merge(entries: Vec<(Key, Node)>, merges: Vec<(usize, Node)>) -> Vec<(Key, Node)> {
    if merges.is_empty() {
        return entries;
    }
    let mut sources: Vec<(usize, Vec<(Key, Node)>)> = Vec::new();
    for (at, node) in merges {
        let maps: Vec<Node> = match node.kind {
            Kind::Seq(items) => items,
            _ => vec![node],
        };
        for m in maps {
            if let Kind::Map(e) = m.kind {
                sources.push((at, e));
            }
        }
    }
    let mut out: Vec<(Key, Node)> = Vec::new();
    let has = |out: &[(Key, Node)], name: &str| out.iter().any(|(k, _)| k.name == name);
    let written: Vec<String> = entries.iter().map(|(k, _)| k.name.clone()).collect();
    let mut rest = entries.into_iter().enumerate().peekable();
    for (at, source) in sources {
        while let Some((_, e)) = rest.next_if(|(i, _)| *i < at) {
            out.push(e);
        }
        for (k, v) in source {
            if !written.contains(&k.name) && !has(&out, &k.name) {
                out.push((k, v));
            }
        }
    }
    out.extend(rest.map(|(_, e)| e));
    out
}

/// The YAML 1.2 core schema: which plain scalars are null, booleans and numbers.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Kind {
    if style != ScalarStyle::Plain || tag == Some("str") {
        return Kind::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" => return Kind::Bool(true),
        "false" | "False" | "FALSE" => return Kind::Bool(false),
        _ => {}
    }
    if let Some(json) = core_int(text).or_else(|| core_float(text)) {
        return Kind::Number(Number {
            json,
            written: text.to_string(),
        });
    }
    Kind::Str(text.to_string())
}

/// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+` → decimal text without leading zeros.
fn core_int(text: &str) -> Option<String> {
    if let Some(oct) = text.strip_prefix("0o") {
        return radix_to_decimal(oct, 8);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return radix_to_decimal(hex, 16);
    }
    let (sign, digits) = match text.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
    let sign = if trimmed == "0" { "" } else { sign };
    let mut json = String::with_capacity(sign.len() + trimmed.len());
    json.push_str(sign);
    json.push_str(trimmed);
    Some(json)
}

/// Digits in base 8 or 16 → decimal digits, of any length.
fn radix_to_decimal(digits: &str, radix: u32) -> Option<String> {
    if digits.is_empty() {
        return None;
    }
    // Little-endian base-10^9 limbs.
    let mut limbs: Vec<u64> = vec![0];
    for c in digits.chars() {
        let d = c.to_digit(radix)? as u64;
        let mut carry = d;
        for limb in limbs.iter_mut() {
            let v = *limb * radix as u64 + carry;
            *limb = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push(carry % 1_000_000_000);
            carry /= 1_000_000_000;
        }
    }
    let mut out = String::new();
    for (i, limb) in limbs.iter().rev().enumerate() {
        if i == 0 {
            out.push_str(&limb.to_string());
        } else {
            out.push_str(&format!("{limb:09}"));
        }
    }
    Some(out)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` → the same number as JSON text
/// (`+1.5` → `1.5`, `.5` → `0.5`, `1.` → `1.0`, `01.5` → `1.5`).
fn core_float(text: &str) -> Option<String> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int)
        || !frac.is_none_or(digits)
        || (int.is_empty() && frac.is_none_or(str::is_empty))
    {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut out = format!("{sign}{int}");
    if let Some(f) = frac {
        out.push('.');
        out.push_str(if f.is_empty() { "0" } else { f });
    }
    if let Some(e) = exponent {
        out.push('e');
        out.push_str(e);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(text: &str) -> Kind {
        match resolve_scalar(text, ScalarStyle::Plain, None) {
            Kind::Number(n) => Kind::Number(Number {
                json: n.json,
                written: String::new(),
            }),
            other => other,
        }
    }

    #[test]
    fn core_schema_numbers() {
        let n = |s: &str| {
            Kind::Number(Number {
                json: s.to_string(),
                written: String::new(),
            })
        };
        let s = |s: &str| Kind::Str(s.to_string());
        assert_eq!(scalar("017"), n("17"));
        assert_eq!(scalar("0o17"), n("15"));
        assert_eq!(scalar("0x1F"), n("31"));
        assert_eq!(scalar("18446744073709551616"), n("18446744073709551616"));
        assert_eq!(scalar("0xFFFFFFFFFFFFFFFFFF"), n("4722366482869645213695"));
        assert_eq!(scalar("-0"), n("0"));
        assert_eq!(scalar("+12"), n("12"));
        assert_eq!(scalar("1.50"), n("1.50"));
        assert_eq!(scalar(".5"), n("0.5"));
        assert_eq!(scalar("1."), n("1.0"));
        assert_eq!(scalar("2E10"), n("2e10"));
        for text in [
            "1_000", "0b101", "1:20", "yes", "on", "no", "off", "0x", ".", "1e", ".inf",
        ] {
            assert_eq!(scalar(text), s(text), "{text}");
        }
        assert_eq!(scalar("~"), Kind::Null);
        let written = resolve_scalar("01234", ScalarStyle::Plain, None);
        let text = Node {
            pos: Pos::default(),
            end: Pos::default(),
            kind: written,
        };
        assert_eq!(text.scalar_text().as_deref(), Some("01234"));
        assert_eq!(text.to_value().to_string(), "1234");
        assert_eq!(scalar("True"), Kind::Bool(true));
        assert_eq!(
            resolve_scalar("17", ScalarStyle::DoubleQuoted, None),
            s("17")
        );
    }

    #[test]
    fn an_alias_bomb_is_an_error() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        let err = parse(&text)
            .err()
            .map(|e| e.kind.to_string())
            .unwrap_or_default();
        assert!(err.contains("expand to more than"), "{err}");
    }

    #[test]
    fn keys_and_values_end_after_their_text() {
        let (node, _) = parse("tmeout: \"5s\"\nlist: [1, 22]\nmap:\n  a: 1\n  bb: 333\n").unwrap();
        let Kind::Map(entries) = &node.kind else {
            panic!("{node:?}")
        };
        let at = |line, column| Pos { line, column };
        let (key, value) = &entries[0];
        assert_eq!((key.pos, key.end), (at(1, 1), at(1, 7)));
        assert_eq!(
            (value.pos, value.end),
            (at(1, 9), at(1, 13)),
            "the quotes too"
        );
        let (_, list) = &entries[1];
        assert_eq!((list.pos, list.end), (at(2, 7), at(2, 14)), "to the `]`");
        let (_, map) = &entries[2];
        assert_eq!(
            (map.pos, map.end),
            (at(4, 3), at(5, 10)),
            "to its last value"
        );
    }

    #[test]
    fn merge_keys_fill_in_missing_keys() {
        let (node, _) = parse("x: &a { h: 1, k: 2 }\ny:\n  k: 3\n  <<: *a\n  z: 4\n").unwrap();
        let y = node.get("y").unwrap().to_value();
        assert_eq!(y.to_string(), r#"{"k":3,"h":1,"z":4}"#);
    }
}
