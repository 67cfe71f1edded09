//! Exact comparison of JSON numbers as written: `18446744073709551617` is not
//! `18446744073709551616`, and `1` equals `1.0` and `1e0`.

use std::cmp::Ordering;

/// A number as sign × digits × 10^exponent, digits without leading or trailing zeros.
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

fn parse(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut digits = Vec::with_capacity(int.len() + frac.len());
    for c in int.bytes().chain(frac.bytes()) {
        if !c.is_ascii_digit() {
            return None;
        }
        digits.push(c - b'0');
    }
    let mut exponent = exp.saturating_sub(frac.len() as i64);
    let lead = digits.iter().take_while(|d| **d == 0).count();
    digits.drain(..lead);
    while digits.last() == Some(&0) {
        digits.pop();
        exponent = exponent.saturating_add(1);
    }
    if digits.is_empty() {
        return Some(Decimal {
            negative: false,
            digits,
            exponent: 0,
        });
    }
    Some(Decimal {
        negative,
        digits,
        exponent,
    })
}

fn magnitude(a: &Decimal, b: &Decimal) -> Ordering {
    // The position of the leading digit decides first, then the digits themselves.
    let lead_a = a.exponent.saturating_add(a.digits.len() as i64);
    let lead_b = b.exponent.saturating_add(b.digits.len() as i64);
    lead_a.cmp(&lead_b).then_with(|| a.digits.cmp(&b.digits))
}

/// Compares two numbers written as JSON (or YAML) number text, exactly.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (parse(a)?, parse(b)?);
    Some(match (a.digits.is_empty(), b.digits.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => {
            if b.negative {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (false, true) => {
            if a.negative {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        _ => match (a.negative, b.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => magnitude(&a, &b),
            (true, true) => magnitude(&b, &a),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::*;

    #[test]
    fn exact_and_by_value() {
        assert_eq!(compare("1", "1.0"), Some(Equal));
        assert_eq!(compare("1e0", "1.00"), Some(Equal));
        assert_eq!(compare("100", "1e2"), Some(Equal));
        assert_eq!(compare("0.1", "1e-1"), Some(Equal));
        assert_eq!(compare("-0", "0.0"), Some(Equal));
        assert_eq!(
            compare("18446744073709551617", "18446744073709551616"),
            Some(Greater)
        );
        assert_eq!(compare("-2", "-10"), Some(Greater));
        assert_eq!(compare("-2", "1"), Some(Less));
        assert_eq!(compare("0", "-1"), Some(Greater));
        assert_eq!(compare("0.30000000000000000001", "0.3"), Some(Greater));
        assert_eq!(compare("x", "1"), None);
    }
}

#[cfg(test)]
mod jsonpath_with_exact_numbers {
    use crate::spec::JsonPath;

    /// serde_json keeps number text (`arbitrary_precision`); filters still compare.
    #[test]
    fn filters_compare_numbers() {
        let doc: serde_json::Value = serde_json::from_str(
            r#"{"items":[{"price":5},{"price":150.5},{"price":18446744073709551616}]}"#,
        )
        .unwrap_or_default();
        let path = JsonPath::parse("$.items[?@.price < 100].price").map_err(|e| e.to_string());
        let found: Vec<String> = path
            .map(|p| {
                p.select(&doc)
                    .into_iter()
                    .map(|(_, v)| v.to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(found, ["5"]);
    }
}

#[cfg(test)]
mod jsonschema_with_exact_numbers {
    /// jsonschema reads arbitrary-precision numbers (types, small bounds) correctly.
    #[test]
    fn types_and_bounds() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": { "id": { "type": "integer" }, "n": { "maximum": 10 } }
        });
        let valid = jsonschema::validator_for(&schema).map(|v| {
            let doc = |text: &str| serde_json::from_str(text).unwrap_or_default();
            (
                v.is_valid(&doc(r#"{"id":18446744073709551616,"n":10}"#)),
                v.is_valid(&doc(r#"{"id":1.5}"#)),
                v.is_valid(&doc(r#"{"n":10.000000001}"#)),
            )
        });
        assert_eq!(valid.ok(), Some((true, false, false)));
    }
}
