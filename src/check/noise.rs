//! Noise or bug? When repeated sends answer differently, two more GETs of the resource
//! tell server noise (it changes between GETs too) from a changed state (it moved with
//! the repeat and then stays put), which is what PUT forbids (RFC 9110 §9.2.2).

use serde_json::Value;

use super::{matcher, select};
use crate::spec::JsonPath;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// It changes between two GETs as well: server noise.
    Volatile,
    /// Not part of the resource a GET returns: noise in the response only.
    ResponseOnly,
    /// A date-time that moved forward with the repeat and is stable between GETs.
    WriteTimestamp,
    /// Any other field that moved with the repeat and is stable between GETs.
    StateChange,
}

/// Why `path` differs between two sends' bodies `a` and `b`, given two GETs' bodies.
pub fn classify(path: &str, a: &Value, b: &Value, gets: (&Value, &Value)) -> Cause {
    // `path` comes from `diff::differing_paths`, which writes valid JSONPaths.
    let Ok(p) = JsonPath::parse(path) else {
        return Cause::StateChange;
    };
    match (select(&p, gets.0), select(&p, gets.1)) {
        (None, None) => Cause::ResponseOnly,
        (Some(x), Some(y)) if matcher::json_eq(&x, &y) => {
            let moved_forward = match (select(&p, a), select(&p, b)) {
                (Some(Value::String(x)), Some(Value::String(y))) => {
                    match (
                        chrono::DateTime::parse_from_rfc3339(&x),
                        chrono::DateTime::parse_from_rfc3339(&y),
                    ) {
                        (Ok(x), Ok(y)) => y > x,
                        _ => false,
                    }
                }
                _ => false,
            };
            if moved_forward {
                Cause::WriteTimestamp
            } else {
                Cause::StateChange
            }
        }
        _ => Cause::Volatile,
    }
}

/// What the differing paths mean, one sentence per kind of cause, most serious first.
/// Without the GETs (not a PUT, or they failed) the old advice stands.
pub fn explain(paths: &[String], a: &Value, b: &Value, gets: Option<(&Value, &Value)>) -> String {
    let Some(gets) = gets else {
        return match paths {
            [one] => format!("{one} — if that is expected, add it to idempotency.ignore"),
            many => format!(
                "{} — if those are expected, add them to idempotency.ignore",
                many.join(", ")
            ),
        };
    };
    let causes: Vec<(&String, Cause)> =
        paths.iter().map(|p| (p, classify(p, a, b, gets))).collect();
    let of = |c: Cause| -> Option<String> {
        let ps: Vec<&str> = causes
            .iter()
            .filter(|(_, k)| *k == c)
            .map(|(p, _)| p.as_str())
            .collect();
        (!ps.is_empty()).then(|| ps.join(", "))
    };
    let mut sentences = Vec::new();
    if let Some(ps) = of(Cause::StateChange) {
        sentences.push(format!(
            "{ps} moved with the repeat and stays the same between two GETs: the repeat changed \
             the resource's state, which a PUT must not do (RFC 9110 §9.2.2); this is a bug in \
             the server, not noise to ignore"
        ));
    }
    if let Some(ps) = of(Cause::WriteTimestamp) {
        sentences.push(format!(
            "{ps} is a date-time that moved forward with the repeat (a write timestamp): \
             ignoring it (idempotency.ignore) is a choice the API's contract must allow"
        ));
    }
    if let Some(ps) = of(Cause::Volatile) {
        sentences.push(format!(
            "{ps} also changes between two GETs: server noise; if that is expected, add it to \
             idempotency.ignore"
        ));
    }
    if let Some(ps) = of(Cause::ResponseOnly) {
        sentences.push(format!(
            "{ps} is not part of the resource a GET returns: noise in the response; if that is \
             expected, add it to idempotency.ignore"
        ));
    }
    format!("{} — {}", paths.join(", "), sentences.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tells_the_causes_apart() {
        let a = json!({"v": 1, "at": "2026-01-01T00:00:00Z", "seen": "x", "rid": "1"});
        let b = json!({"v": 2, "at": "2026-01-01T00:00:01Z", "seen": "y", "rid": "2"});
        let g1 = json!({"v": 2, "at": "2026-01-01T00:00:01Z", "seen": "p"});
        let g2 = json!({"v": 2, "at": "2026-01-01T00:00:01Z", "seen": "q"});
        let c = |p: &str| classify(p, &a, &b, (&g1, &g2));
        assert_eq!(c("$.v"), Cause::StateChange);
        assert_eq!(c("$.at"), Cause::WriteTimestamp);
        assert_eq!(c("$.seen"), Cause::Volatile);
        assert_eq!(c("$.rid"), Cause::ResponseOnly);
    }

    #[test]
    fn a_counter_is_never_offered_to_ignore() {
        let (a, b) = (json!({"version": 1}), json!({"version": 2}));
        let g = json!({"version": 2});
        let text = explain(&["$.version".into()], &a, &b, Some((&g, &g)));
        assert!(text.contains("changed the resource's state"), "{text}");
        assert!(!text.contains("add it to idempotency.ignore"), "{text}");
    }
}
