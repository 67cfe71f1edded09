//! Leaving fields out of a comparison (`ignore`, `server_fields`) with the JSONPaths that
//! were compiled when the spec loaded.

use serde_json::Value;

use crate::spec::JsonPath;

/// One step of a normalized path (RFC 9535 §2.7): a member name or an array index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Index(usize),
    Name(String),
}

/// `v` without every node that one of `paths` selects.
pub fn without(v: &Value, paths: &[&JsonPath]) -> Value {
    let mut v = v.clone();
    for p in paths {
        remove(&mut v, p);
    }
    v
}

fn remove(v: &mut Value, path: &JsonPath) {
    let mut targets: Vec<Vec<Step>> = path
        .select(v)
        .into_iter()
        // The library produces every normalized path itself, so each one parses.
        .filter_map(|(normalized, _)| steps(&normalized))
        .collect();
    // Children before their parents and later array elements before earlier ones, so
    // that no removal shifts a node that is still to be removed.
    targets.sort_by(|a, b| b.cmp(a));
    for target in targets {
        let Some((last, parent)) = target.split_last() else {
            // `$` itself: nothing is left to compare.
            *v = Value::Null;
            continue;
        };
        let Some(parent) = walk(v, parent) else {
            continue;
        };
        match (parent, last) {
            (Value::Object(m), Step::Name(k)) => {
                m.shift_remove(k);
            }
            (Value::Array(a), Step::Index(i)) if *i < a.len() => {
                a.remove(*i);
            }
            _ => {}
        }
    }
}

fn walk<'a>(mut v: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    for s in steps {
        v = match (v, s) {
            (Value::Object(m), Step::Name(k)) => m.get_mut(k)?,
            (Value::Array(a), Step::Index(i)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Parses a normalized path such as `$['a']['b c'][0]`.
fn steps(normalized: &str) -> Option<Vec<Step>> {
    let mut rest = normalized.strip_prefix('$')?.chars().peekable();
    let mut out = Vec::new();
    while let Some(open) = rest.next() {
        if open != '[' {
            return None;
        }
        if rest.peek() == Some(&'\'') {
            rest.next();
            let mut name = String::new();
            loop {
                match rest.next()? {
                    '\'' => break,
                    '\\' => match rest.next()? {
                        'b' => name.push('\u{0008}'),
                        'f' => name.push('\u{000C}'),
                        'n' => name.push('\n'),
                        'r' => name.push('\r'),
                        't' => name.push('\t'),
                        'u' => {
                            let hex: String = (0..4).filter_map(|_| rest.next()).collect();
                            name.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        }
                        c => name.push(c),
                    },
                    c => name.push(c),
                }
            }
            out.push(Step::Name(name));
        } else {
            let mut digits = String::new();
            while let Some(c) = rest.peek().copied().filter(char::is_ascii_digit) {
                digits.push(c);
                rest.next();
            }
            out.push(Step::Index(digits.parse().ok()?));
        }
        if rest.next()? != ']' {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(sources: &[&str]) -> Vec<JsonPath> {
        sources
            .iter()
            .map(|s| JsonPath::parse(s))
            .collect::<Result<_, _>>()
            .unwrap_or_default()
    }

    #[test]
    fn removes_members_indices_and_descendants() {
        let v = json!({"a": 1, "b c": {"d": [1, 2, 3]}, "items": [{"ts": 1, "k": 1}, {"ts": 2, "k": 2}]});
        let p = paths(&["$.a", "$['b c'].d[0]", "$.d[2]", "$..ts"]);
        let refs: Vec<&JsonPath> = p.iter().collect();
        assert_eq!(
            without(&v, &refs),
            json!({"b c": {"d": [2, 3]}, "items": [{"k": 1}, {"k": 2}]})
        );
    }

    #[test]
    fn removes_several_elements_of_one_array() {
        let v = json!({"xs": [0, 1, 2, 3]});
        let p = paths(&["$.xs[?@ > 0]"]);
        let refs: Vec<&JsonPath> = p.iter().collect();
        assert_eq!(without(&v, &refs), json!({"xs": [0]}));
    }

    #[test]
    fn reads_escaped_names() {
        assert_eq!(
            steps(r"$['it\'s']['a\\b'][10]"),
            Some(vec![
                Step::Name("it's".into()),
                Step::Name(r"a\b".into()),
                Step::Index(10)
            ])
        );
        assert_eq!(steps("$.a"), None);
    }
}
