//! The values servers break on, for `Generator::varied`: big and negative integers,
//! numbers near 2^53 and 2^63, decimals with many digits, empty, long, non-ASCII and
//! astral-plane strings. Each is offered only where the schema admits it (`fits`), and
//! about half of the time, so ordinary values are still tried.

use serde_json::{Map, Value};

use super::{fits, Choices};

const INTEGERS: &[&str] = &[
    "0",
    "-1",
    "9007199254740991",
    "-9007199254740991",
    "9007199254740993",
    "-9007199254740993",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "123456789012345678901234567890",
];

const NUMBERS: &[&str] = &[
    "0",
    "-0.5",
    "0.1",
    "0.30000000000000004",
    "3.141592653589793238462643383279502884",
    "123456789.123456789",
    "1e-7",
    "9007199254740993",
    "-1.5e300",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "é",
    "naïve café – “quoted”",
    "日本語のテキスト",
    "😀 𝄞 astral",
    "line\nbreak\ttab",
    "quote\" back\\slash",
];

fn number(text: &str) -> Option<Value> {
    serde_json::from_str::<Value>(text)
        .ok()
        .filter(Value::is_number)
}

/// The largest integer a double holds exactly, with every integer below it: 2^53 − 1.
const SAFE: i128 = (1 << 53) - 1;

/// Whether a number is one a double holds exactly: a decimal (rounded anyway, as a
/// double), or an integer within ±(2^53 − 1).
fn is_safe(v: &Value) -> bool {
    let text = v.to_string();
    match text.parse::<i128>() {
        Ok(n) => (-SAFE..=SAFE).contains(&n),
        Err(_) => v
            .as_f64()
            .is_some_and(|f| f.fract() != 0.0 || f.abs() <= SAFE as f64),
    }
}

/// An edge integer the schema admits, about half of the time; with `safe`, only those
/// within ±(2^53 − 1).
pub(super) fn integer(m: &Map<String, Value>, safe: bool, choices: &mut Choices) -> Option<Value> {
    if choices.pick(2) == 0 {
        return None;
    }
    let (lo, hi): (i128, i128) = match m.get("format").and_then(Value::as_str) {
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("int64") => (i64::MIN.into(), i64::MAX.into()),
        Some("uint32") => (0, u32::MAX.into()),
        Some("uint64") => (0, u64::MAX.into()),
        _ => (i128::MIN, i128::MAX),
    };
    let mut texts: Vec<String> = INTEGERS.iter().map(|s| s.to_string()).collect();
    for key in ["minimum", "maximum"] {
        if let Some(b) = m.get(key).and_then(|v| v.to_string().parse::<i128>().ok()) {
            texts.extend([b, b + 1, b - 1].map(|x| x.to_string()));
        }
    }
    let options: Vec<Value> = texts
        .iter()
        .filter(|t| t.parse::<i128>().is_ok_and(|x| (lo..=hi).contains(&x)))
        .filter_map(|t| number(t))
        .filter(|v| fits(v, m) && (!safe || is_safe(v)))
        .collect();
    pick(options, choices)
}

/// An edge number the schema admits, about half of the time; with `safe`, no integral
/// value past ±(2^53 − 1).
pub(super) fn decimal(m: &Map<String, Value>, safe: bool, choices: &mut Choices) -> Option<Value> {
    if choices.pick(2) == 0 {
        return None;
    }
    let mut options: Vec<Value> = NUMBERS.iter().filter_map(|t| number(t)).collect();
    options.extend(
        ["minimum", "maximum"]
            .iter()
            .filter_map(|k| m.get(*k).cloned()),
    );
    options.retain(|v| fits(v, m) && (!safe || is_safe(v)));
    pick(options, choices)
}

/// An edge string (empty, long, non-ASCII, astral) the schema admits, about half of the
/// time; not for strings with a `pattern` or a `format`, which have their own shapes.
pub(super) fn string(m: &Map<String, Value>, choices: &mut Choices) -> Option<Value> {
    if m.contains_key("pattern") || m.contains_key("format") || choices.pick(2) == 0 {
        return None;
    }
    let min = m.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = m
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|n| n as usize);
    let long = max.unwrap_or(300).min(4096);
    let mut options: Vec<String> = STRINGS.iter().map(|s| s.to_string()).collect();
    options.push("x".repeat(long));
    options.push("aé日😀".chars().cycle().take(long).collect());
    if min > 0 {
        options.push("ü".repeat(min));
    }
    let options: Vec<Value> = options
        .into_iter()
        .map(Value::String)
        .filter(|v| fits(v, m))
        .collect();
    pick(options, choices)
}

fn pick(mut options: Vec<Value>, choices: &mut Choices) -> Option<Value> {
    if options.is_empty() {
        return None;
    }
    let i = choices.pick(options.len());
    Some(options.swap_remove(i))
}
