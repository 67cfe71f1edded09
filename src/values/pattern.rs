//! A string that matches a JSON Schema `pattern`, within length bounds: the pattern is
//! parsed by `regex-syntax` (the parser under the `regex` crate) and its syntax tree is
//! walked, each repetition taken a chosen number of times, each class and alternation
//! at a chosen branch. Readable characters are preferred (`[^/]` gives `a`, not `\0`).
//! The result is checked with the `regex` crate, so a string is only ever returned when
//! it matches.

use regex_syntax::hir::{Class, Hir, HirKind};

use super::Choices;

/// A string longer than this is not generated (nested repetitions multiply).
const MAX_LEN: usize = 10_000;

/// Extra repetitions tried, in order, until the length bounds hold.
const STRETCH: &[u32] = &[0, 1, 2, 3, 5, 8, 13, 21, 34, 64, 128, 256];

/// A string matching `pattern` (searched for, as JSON Schema does: unanchored) with
/// `min..=max` characters, or `None` when the pattern is not understood (lookaround,
/// backreferences) or no such string was found.
pub fn matching(
    pattern: &str,
    min: usize,
    max: Option<usize>,
    choices: &mut Choices,
) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let check = regex::Regex::new(pattern).ok()?;
    for &stretch in STRETCH {
        let mut out = String::new();
        walk(&hir, stretch, choices, &mut out);
        let len = out.chars().count();
        if len >= min && max.is_none_or(|m| len <= m) && check.is_match(&out) {
            return Some(out);
        }
        if max.is_some_and(|m| len > m) || len > MAX_LEN {
            break; // longer tries only get longer
        }
    }
    None
}

fn walk(hir: &Hir, stretch: u32, choices: &mut Choices, out: &mut String) {
    if out.len() > MAX_LEN {
        return;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(class) => {
            if let Some(c) = class_char(class, choices) {
                out.push(c);
            }
        }
        HirKind::Repetition(rep) => {
            let wanted = rep.min.max(1).saturating_add(stretch);
            let count = match rep.max {
                Some(max) => wanted.min(max).max(rep.min),
                None => wanted,
            };
            for _ in 0..count {
                walk(&rep.sub, stretch, choices, out);
            }
        }
        HirKind::Capture(cap) => walk(&cap.sub, stretch, choices, out),
        HirKind::Concat(parts) => {
            for p in parts {
                walk(p, stretch, choices, out);
            }
        }
        HirKind::Alternation(branches) => {
            let i = choices.pick(branches.len());
            walk(&branches[i], stretch, choices, out);
        }
    }
}

/// A character of the class: an ASCII letter or digit when it has one, else a visible
/// ASCII character, else its first.
fn class_char(class: &Class, choices: &mut Choices) -> Option<char> {
    let chars: Vec<char> = match class {
        Class::Unicode(u) => u
            .ranges()
            .iter()
            .flat_map(|r| ascii_in(r.start(), r.end()))
            .collect(),
        Class::Bytes(b) => b
            .ranges()
            .iter()
            .flat_map(|r| ascii_in(char::from(r.start()), char::from(r.end())))
            .collect(),
    };
    let preferred: Vec<char> = chars
        .iter()
        .copied()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let visible: Vec<char> = chars
        .iter()
        .copied()
        .filter(char::is_ascii_graphic)
        .collect();
    for list in [preferred, visible] {
        if !list.is_empty() {
            return Some(list[choices.pick(list.len())]);
        }
    }
    match class {
        Class::Unicode(u) => u.ranges().first().map(|r| r.start()),
        Class::Bytes(b) => b.ranges().first().map(|r| char::from(r.start())),
    }
}

/// The ASCII characters of a range (none when it starts past ASCII).
fn ascii_in(start: char, end: char) -> impl Iterator<Item = char> {
    let lo = u32::from(start);
    let hi = u32::from(end).min(0x7e);
    (lo..=hi).filter_map(char::from_u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(p: &str, min: usize, max: Option<usize>) -> String {
        matching(p, min, max, &mut Choices::first()).unwrap_or_else(|| panic!("{p}"))
    }

    #[test]
    fn strings_match_their_pattern() {
        assert_eq!(one("^[a-z]{3}-\\d{2}$", 0, None), "aaa-00");
        assert_eq!(one("^[0-9a-fA-F]{8}$", 0, None), "00000000");
        assert_eq!(one("^(cat|dog)s?$", 0, None), "cats");
        assert_eq!(one("^[^/]+$", 0, None), "0");
        assert_eq!(one("^ab", 0, None), "ab");
        for p in [
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
            "^arn:aws:iam::\\d{12}:role/.+$",
            "^\\+?[1-9]\\d{1,14}$",
            "[\\w\\-]+@[\\w\\-]+\\.[a-z]{2,}",
            "^\\S+$",
        ] {
            let s = one(p, 0, None);
            assert!(regex::Regex::new(p).unwrap().is_match(&s), "{p} → {s}");
        }
    }

    #[test]
    fn length_bounds_stretch_the_repetitions() {
        let s = one("^[a-z]+$", 5, Some(8));
        assert!((5..=8).contains(&s.len()), "{s}");
        let s = one("^[a-z0-9-]*$", 20, None);
        assert!(s.len() >= 20, "{s}");
        assert_eq!(
            matching("^[a-z]{10}$", 0, Some(5), &mut Choices::first()),
            None
        );
    }

    #[test]
    fn unsupported_patterns_give_none() {
        assert_eq!(matching("^(?=a)a$", 0, None, &mut Choices::first()), None);
        assert_eq!(matching("(a", 0, None, &mut Choices::first()), None);
    }

    #[test]
    fn a_seed_varies_classes_and_branches() {
        let mut seen = std::collections::BTreeSet::new();
        let re = regex::Regex::new("^(red|green|blue)-[a-z]$").unwrap();
        for seed in 0..20 {
            let s = matching(
                "^(red|green|blue)-[a-z]$",
                0,
                None,
                &mut Choices::seeded(seed),
            )
            .unwrap();
            assert!(re.is_match(&s));
            seen.insert(s);
        }
        assert!(seen.len() > 5, "{seen:?}");
    }
}
