//! Values from a JSON Schema (2020-12, the dialect `import` converts OpenAPI schemas to):
//! pure data in, data out. `Generator::new(schema).value()` gives the canonical value
//! (the first enum value, the first `oneOf` branch, the smallest counts, and the
//! schema's own examples and defaults when they fit); `Generator::seeded(schema, seed)`
//! gives a different valid value per seed, the same one for the same seed. `$ref`s are
//! JSON Pointers into the schema given (`#/$defs/Pet`).
//!
//! What is respected: `type` (and lists of types), `const`, `enum`, `allOf` (merged),
//! `oneOf`/`anyOf` (one branch, merged with its siblings), `required`, `readOnly` (left
//! out: the value is a request), `minProperties`, `minimum`/`maximum` and their
//! exclusive forms, `multipleOf`, `format`, `minLength`/`maxLength`, `pattern`
//! (`pattern`), `minItems`/`maxItems`, `uniqueItems`, `prefixItems`, `contains`. A value is
//! a best effort, not a proof: the caller validates it (the importer does, with the
//! `jsonschema` crate) and can ask for another seed.

mod edge;
pub mod invalid;
mod pattern;
pub mod shrink;

use serde_json::{Map, Number, Value};

/// Optional properties and array items stop being added this deep (cyclic schemas).
const MAX_DEPTH: usize = 8;

/// No count (`minItems`, `minProperties`, `minLength`) is taken larger than this: a value
/// stays small enough to print, and a schema asking for more gets a value that the
/// caller's validation refuses.
const MAX_COUNT: usize = 10_000;

/// The choices a generator makes: always the first (shifted by a variant, so that the
/// items of a `uniqueItems` array differ), or drawn from a seeded sequence (splitmix64:
/// a few lines, the same numbers on every platform).
#[derive(Debug, Clone)]
pub struct Choices {
    state: Option<u64>,
    offset: usize,
}

impl Choices {
    pub fn first() -> Choices {
        Choices {
            state: None,
            offset: 0,
        }
    }

    pub fn seeded(seed: u64) -> Choices {
        Choices {
            state: Some(seed ^ 0x9e37_79b9_7f4a_7c15),
            offset: 0,
        }
    }

    /// An index below `n` (0 when `n` is 0).
    pub fn pick(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        match &mut self.state {
            None => self.offset % n,
            Some(state) => {
                *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = *state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^= z >> 31;
                (z % n as u64) as usize
            }
        }
    }

    fn coin(&mut self) -> bool {
        self.state.is_some() && self.pick(2) == 1
    }
}

/// Makes values for one schema document.
pub struct Generator<'a> {
    root: &'a Value,
    choices: Choices,
    use_examples: bool,
    /// `varied`: edge values (`edge.rs`), empty and long arrays, all or no optional
    /// properties, `null` where allowed.
    edges: bool,
    /// `safe_integers`: integers (and integral numbers) stay within ±(2^53 − 1).
    safe_integers: bool,
    expanding: Vec<String>,
    informative_refs: std::collections::HashMap<String, bool>,
}

impl<'a> Generator<'a> {
    /// The canonical value's generator.
    pub fn new(root: &'a Value) -> Generator<'a> {
        Generator {
            root,
            choices: Choices::first(),
            use_examples: true,
            edges: false,
            safe_integers: false,
            expanding: Vec::new(),
            informative_refs: Default::default(),
        }
    }

    /// A generator whose choices (branches, optional properties, counts, characters) are
    /// drawn from `seed`.
    pub fn seeded(root: &'a Value, seed: u64) -> Generator<'a> {
        Generator {
            choices: Choices::seeded(seed),
            ..Generator::new(root)
        }
    }

    /// A generator for `generate:` bodies: seeded, without the schema's examples, and
    /// reaching for the values servers break on (big integers, long and astral strings,
    /// empty arrays, optional properties all present or all absent, `null`).
    pub fn varied(root: &'a Value, seed: u64) -> Generator<'a> {
        Generator {
            edges: true,
            ..Generator::seeded(root, seed).without_examples()
        }
    }

    /// Keep integers within ±(2^53 − 1), what a double (a JavaScript number) holds
    /// exactly: for `generate: { integers: safe }`.
    pub fn safe_integers(mut self) -> Generator<'a> {
        self.safe_integers = true;
        self
    }

    /// Ignore the schema's `examples` and `default`s (they may not fit the schema).
    pub fn without_examples(mut self) -> Generator<'a> {
        self.use_examples = false;
        self
    }

    /// A value for the whole schema.
    pub fn value(&mut self) -> Value {
        let root = self.root;
        self.value_of(root, 0)
    }

    /// A value for a schema inside the document (its `$ref`s point into the document).
    pub fn value_of(&mut self, schema: &Value, depth: usize) -> Value {
        let (flat, refs) = self.flatten(schema, 0);
        let pushed = refs.len();
        self.expanding.extend(refs);
        let value = self.flat_value(&flat, depth);
        let keep = self.expanding.len() - pushed;
        self.expanding.truncate(keep);
        value
    }

    /// A schema as one map: its `$ref`s followed, its `allOf` merged.
    pub fn flat(&self, schema: &Value) -> Map<String, Value> {
        self.flatten(schema, 0).0
    }

    /// The target of a local `$ref`.
    fn target(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        let decoded = percent_encoding::percent_decode_str(pointer).decode_utf8_lossy();
        if decoded.is_empty() {
            return Some(self.root);
        }
        self.root.pointer(&decoded)
    }

    /// The schema as one map: `$ref`s followed, `allOf` merged in. Returns the `$ref`s
    /// expanded on the way.
    fn flatten(&self, schema: &Value, hops: usize) -> (Map<String, Value>, Vec<String>) {
        let mut refs = Vec::new();
        let map = match schema {
            Value::Object(m) => m,
            // `true` and `{}` admit anything; `false` nothing (a value is made anyway).
            _ => return (Map::new(), refs),
        };
        let mut out = Map::new();
        if let Some(Value::String(r)) = map.get("$ref") {
            if hops < 64 {
                if let Some(target) = self.target(r) {
                    let (t, more) = self.flatten(target, hops + 1);
                    refs.push(r.clone());
                    refs.extend(more);
                    out = t;
                }
            }
        }
        let mut own = map.clone();
        own.remove("$ref");
        let all = own.remove("allOf");
        merge(&mut out, &own);
        if let Some(Value::Array(parts)) = all {
            for part in &parts {
                if hops < 64 {
                    let (p, more) = self.flatten(part, hops + 1);
                    refs.extend(more);
                    merge(&mut out, &p);
                }
            }
        }
        (out, refs)
    }

    fn flat_value(&mut self, m: &Map<String, Value>, depth: usize) -> Value {
        if let Some(c) = m.get("const") {
            return c.clone();
        }
        if let Some(Value::Array(values)) = m.get("enum") {
            let options: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            if !options.is_empty() {
                return options[self.choices.pick(options.len())].clone();
            }
            if let Some(v) = values.first() {
                return v.clone();
            }
        }
        let types = types_of(m);
        if self.edges && types.iter().any(|t| t == "null") && self.choices.pick(4) == 0 {
            return Value::Null;
        }
        if self.use_examples {
            let given = match m.get("examples") {
                Some(Value::Array(list)) => list.first(),
                _ => None,
            };
            for candidate in given.into_iter().chain(m.get("default")) {
                let v = coerce(candidate, types.first().map(String::as_str));
                if fits(&v, m) {
                    return v;
                }
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = m.get(key) {
                if self.edges && branches.iter().any(is_null_schema) && self.choices.pick(4) == 0 {
                    return Value::Null;
                }
                let usable: Vec<&Value> = branches
                    .iter()
                    .filter(|b| branches.len() == 1 || !is_null_schema(b))
                    .collect();
                if usable.is_empty() {
                    continue;
                }
                let branch = usable[self.choices.pick(usable.len())];
                let (b, refs) = self.flatten(branch, 0);
                let mut merged = m.clone();
                merged.remove(key);
                merge(&mut merged, &b);
                let pushed = refs.len();
                self.expanding.extend(refs);
                let v = self.flat_value(&merged, depth + 1);
                let keep = self.expanding.len() - pushed;
                self.expanding.truncate(keep);
                return v;
            }
        }
        let ty = if types.is_empty() {
            infer_type(m).to_string()
        } else {
            let non_null: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
            match non_null.len() {
                0 => "null".to_string(),
                n => non_null[self.choices.pick(n)].clone(),
            }
        };
        match ty.as_str() {
            "object" => self.object(m, depth),
            "array" => self.array(m, depth),
            "integer" => match self.edges {
                true => edge::integer(m, self.safe_integers, &mut self.choices),
                false => None,
            }
            .unwrap_or_else(|| integer(m, self.choices.pick(usize::MAX))),
            "number" => match self.edges {
                true => edge::decimal(m, self.safe_integers, &mut self.choices),
                false => None,
            }
            .unwrap_or_else(|| number(m, self.choices.pick(usize::MAX))),
            "boolean" => Value::Bool(self.choices.pick(2) == 0),
            "null" => Value::Null,
            _ => self.string(m),
        }
    }

    fn object(&mut self, m: &Map<String, Value>, depth: usize) -> Value {
        let required: Vec<&str> = match m.get("required") {
            Some(Value::Array(r)) => r.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let empty = Map::new();
        let props = match m.get("properties") {
            Some(Value::Object(p)) => p,
            _ => &empty,
        };
        let mut out = Map::new();
        let mut left_out: Vec<&String> = Vec::new();
        // `varied`: sometimes every optional property, sometimes none.
        let optional = match self.edges {
            true => self.choices.pick(4),
            false => 2,
        };
        for (name, prop) in props {
            let (flat, _) = self.flatten(prop, 0);
            if flat.get("readOnly") == Some(&Value::Bool(true)) {
                continue; // a request does not send what the server owns
            }
            let is_required = required.contains(&name.as_str());
            let cycle =
                matches!(prop.get("$ref"), Some(Value::String(r)) if self.expanding.contains(r));
            let wanted = is_required
                || (!cycle
                    && depth < MAX_DEPTH
                    && if optional < 2 {
                        optional == 1 && depth < 3
                    } else if self.choices.state.is_some() {
                        depth < 3 && self.choices.coin()
                    } else {
                        self.informative(prop, depth + 1)
                    });
            if wanted {
                let v = self.value_of(prop, depth + 1);
                out.insert(name.clone(), v);
            } else if !cycle {
                left_out.push(name);
            }
        }
        let extra = match m.get("additionalProperties") {
            Some(Value::Bool(false)) => None,
            Some(s @ Value::Object(_)) => Some(s.clone()),
            _ => Some(Value::Object(Map::new())),
        };
        for name in &required {
            if !out.contains_key(*name) && !props.contains_key(*name) {
                let v = match &extra {
                    Some(s) => self.value_of(s, depth + 1),
                    None => Value::String("string".into()),
                };
                out.insert((*name).to_string(), v);
            }
        }
        let min = count(m, "minProperties").unwrap_or(0);
        let mut left_out = left_out.into_iter();
        let mut n = 1;
        while out.len() < min {
            if let Some(name) = left_out.next() {
                let v = self.value_of(&props[name.as_str()], depth + 1);
                out.insert(name.clone(), v);
            } else if let Some(s) = &extra {
                let v = self.value_of(s, depth + 1);
                out.insert(format!("property{n}"), v);
                n += 1;
            } else {
                break;
            }
        }
        Value::Object(out)
    }

    fn array(&mut self, m: &Map<String, Value>, depth: usize) -> Value {
        let min = count(m, "minItems").unwrap_or(0);
        let max = count(m, "maxItems");
        let prefix: Vec<Value> = match (m.get("prefixItems"), m.get("items")) {
            (Some(Value::Array(p)), _) | (None, Some(Value::Array(p))) => p.clone(),
            _ => Vec::new(),
        };
        let rest = match m.get("items") {
            Some(s @ (Value::Object(_) | Value::Bool(_))) => s.clone(),
            _ => m
                .get("additionalItems")
                .cloned()
                .unwrap_or(Value::Object(Map::new())),
        };
        let extra = if self.choices.state.is_some() {
            self.choices.pick(3)
        } else {
            0
        };
        let mut count = min.max(1) + extra;
        if self.edges {
            // Empty (where allowed) and long arrays are where servers drop and cut.
            match self.choices.pick(4) {
                0 => count = min,
                1 => count = max.unwrap_or(min + 12).min(min + 40),
                _ => {}
            }
        }
        if depth >= MAX_DEPTH {
            count = min;
        }
        if let Some(max) = max {
            count = count.min(max).max(min.min(max));
        }
        let unique = m.get("uniqueItems") == Some(&Value::Bool(true));
        let mut out: Vec<Value> = Vec::new();
        if let Some(contains) = m.get("contains") {
            if count > 0 {
                out.push(self.value_of(contains, depth + 1));
            }
        }
        let mut attempt = 0;
        while out.len() < count && attempt < count * 8 + 8 {
            let schema = prefix
                .get(out.len())
                .cloned()
                .unwrap_or_else(|| rest.clone());
            let mut choices = self.choices.clone();
            choices.offset += attempt;
            let mut g = Generator {
                root: self.root,
                choices,
                use_examples: self.use_examples && attempt == 0,
                edges: self.edges,
                safe_integers: self.safe_integers,
                expanding: self.expanding.clone(),
                informative_refs: std::mem::take(&mut self.informative_refs),
            };
            let v = g.value_of(&schema, depth + 1);
            self.informative_refs = std::mem::take(&mut g.informative_refs);
            if self.choices.state.is_some() {
                self.choices.state = g.choices.state;
            }
            attempt += 1;
            if unique && out.contains(&v) {
                continue;
            }
            out.push(v);
        }
        Value::Array(out)
    }

    fn string(&mut self, m: &Map<String, Value>) -> Value {
        let min = count(m, "minLength").unwrap_or(0);
        let max = count(m, "maxLength");
        if let Some(Value::String(p)) = m.get("pattern") {
            if let Some(s) = pattern::matching(p, min, max, &mut self.choices) {
                return Value::String(s);
            }
        }
        if self.edges {
            if let Some(v) = edge::string(m, &mut self.choices) {
                return v;
            }
        }
        let variant = self.choices.pick(usize::MAX);
        let format = m.get("format").and_then(Value::as_str).unwrap_or("");
        let mut s = formatted(format, variant);
        while s.chars().count() < min {
            s.push('x');
        }
        if let Some(max) = max {
            s = s.chars().take(max).collect();
        }
        Value::String(s)
    }

    /// Whether an optional property carries something worth sending: a value the
    /// document gives, or properties that do. Known per `$ref` once found (a large
    /// document's types nest deeply).
    fn informative(&mut self, schema: &Value, depth: usize) -> bool {
        let reference = schema
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(r) = &reference {
            if let Some(known) = self.informative_refs.get(r) {
                return *known;
            }
            self.informative_refs.insert(r.clone(), false); // a cycle adds nothing
        }
        let found = self.informative_uncached(schema, depth);
        if let Some(r) = reference {
            self.informative_refs.insert(r, found);
        }
        found
    }

    fn informative_uncached(&mut self, schema: &Value, depth: usize) -> bool {
        let (m, _) = self.flatten(schema, 0);
        if ["examples", "default", "const", "enum"]
            .iter()
            .any(|k| m.contains_key(*k))
        {
            return true;
        }
        if depth >= MAX_DEPTH {
            return false;
        }
        match m.get("properties") {
            Some(Value::Object(props)) => {
                let props: Vec<Value> = props.values().cloned().collect();
                props.iter().any(|p| self.informative(p, depth + 1))
            }
            _ => false,
        }
    }
}

/// A count keyword, at most `MAX_COUNT`.
fn count(m: &Map<String, Value>, key: &str) -> Option<usize> {
    m.get(key)
        .and_then(Value::as_u64)
        .map(|n| n.min(MAX_COUNT as u64) as usize)
}

/// Merges a schema's keywords into another's, as `allOf` means: properties and
/// `required` combined, the stricter bound kept, the first value of anything else.
fn merge(into: &mut Map<String, Value>, from: &Map<String, Value>) {
    for (k, v) in from {
        match (k.as_str(), into.get_mut(k)) {
            (_, None) => {
                into.insert(k.clone(), v.clone());
            }
            ("properties", Some(Value::Object(existing))) => {
                if let Value::Object(more) = v {
                    for (name, s) in more {
                        match existing.get(name) {
                            Some(old) if old != s => {
                                let both = serde_json::json!({ "allOf": [old, s] });
                                existing.insert(name.clone(), both);
                            }
                            _ => {
                                existing.insert(name.clone(), s.clone());
                            }
                        }
                    }
                }
            }
            ("required", Some(Value::Array(existing))) => {
                for r in v.as_array().into_iter().flatten() {
                    if !existing.contains(r) {
                        existing.push(r.clone());
                    }
                }
            }
            (
                "minimum" | "exclusiveMinimum" | "minLength" | "minItems" | "minProperties",
                Some(old),
            ) if v.as_f64() > old.as_f64() => {
                *old = v.clone();
            }
            (
                "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" | "maxProperties",
                Some(old),
            ) if v.as_f64() < old.as_f64() => {
                *old = v.clone();
            }
            ("type", Some(old)) => {
                // Keep the types both allow (`integer` is a `number`).
                let a = type_list(old);
                let b = type_list(v);
                let both: Vec<String> = a
                    .iter()
                    .filter(|t| {
                        b.contains(t) || (*t == "integer" && b.iter().any(|x| x == "number"))
                    })
                    .cloned()
                    .chain(
                        b.iter()
                            .filter(|t| *t == "integer" && a.iter().any(|x| x == "number"))
                            .cloned(),
                    )
                    .collect();
                if !both.is_empty() {
                    *old = if both.len() == 1 {
                        Value::String(both[0].clone())
                    } else {
                        Value::Array(both.into_iter().map(Value::String).collect())
                    };
                }
            }
            _ => {}
        }
    }
}

fn type_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn types_of(m: &Map<String, Value>) -> Vec<String> {
    m.get("type").map(type_list).unwrap_or_default()
}

fn infer_type(m: &Map<String, Value>) -> &'static str {
    let has = |keys: &[&str]| keys.iter().any(|k| m.contains_key(*k));
    if has(&[
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
        "patternProperties",
    ]) {
        "object"
    } else if has(&[
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
    ]) {
        "array"
    } else if has(&[
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ]) {
        "number"
    } else {
        "string"
    }
}

fn is_null_schema(s: &Value) -> bool {
    s.get("type").and_then(Value::as_str) == Some("null")
}

/// A bound as `(value, exclusive)`.
type Bound = Option<(f64, bool)>;

/// The lower and upper bounds.
fn bounds(m: &Map<String, Value>) -> (Bound, Bound) {
    let pick = |incl: &str, excl: &str, stricter: fn(f64, f64) -> bool| {
        let a = m.get(incl).and_then(Value::as_f64).map(|v| (v, false));
        let b = m.get(excl).and_then(Value::as_f64).map(|v| (v, true));
        match (a, b) {
            (Some(x), Some(y)) => Some(if stricter(y.0, x.0) || y.0 == x.0 {
                y
            } else {
                x
            }),
            (x, y) => x.or(y),
        }
    };
    (
        pick("minimum", "exclusiveMinimum", |a, b| a > b),
        pick("maximum", "exclusiveMaximum", |a, b| a < b),
    )
}

fn format_bounds(m: &Map<String, Value>) -> (f64, f64) {
    match m.get("format").and_then(Value::as_str) {
        Some("int32") => (f64::from(i32::MIN), f64::from(i32::MAX)),
        Some("uint32") => (0.0, f64::from(u32::MAX)),
        Some("int8") => (-128.0, 127.0),
        Some("uint8") => (0.0, 255.0),
        _ => (-9.0e15, 9.0e15),
    }
}

fn integer(m: &Map<String, Value>, variant: usize) -> Value {
    let (lo, hi) = bounds(m);
    let (flo, fhi) = format_bounds(m);
    let lo = match lo {
        Some((v, true)) => v.floor() + 1.0,
        Some((v, false)) => v.ceil(),
        None => flo,
    };
    let hi = match hi {
        Some((v, true)) => v.ceil() - 1.0,
        Some((v, false)) => v.floor(),
        None => fhi,
    };
    let mut v = (1.0 + (variant % 1000) as f64).max(lo).min(hi.max(lo));
    if let Some(step) = m
        .get("multipleOf")
        .and_then(Value::as_f64)
        .filter(|s| *s > 0.0)
    {
        let up = (v / step).ceil() * step;
        v = if up <= hi {
            up
        } else {
            (hi / step).floor() * step
        };
    }
    if v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or(Value::from(0))
    }
}

fn number(m: &Map<String, Value>, variant: usize) -> Value {
    let (lo, hi) = bounds(m);
    let preferred = 1.5 + (variant % 1000) as f64;
    let ok = |v: f64| {
        lo.is_none_or(|(b, ex)| if ex { v > b } else { v >= b })
            && hi.is_none_or(|(b, ex)| if ex { v < b } else { v <= b })
    };
    let mut v = preferred;
    if let Some(step) = m
        .get("multipleOf")
        .and_then(Value::as_f64)
        .filter(|s| *s > 0.0)
    {
        let start = lo.map(|(b, _)| (b / step).ceil()).unwrap_or(1.0);
        v = (0..4)
            .map(|k| (start + f64::from(k)) * step)
            .find(|c| ok(*c))
            .unwrap_or(start * step);
    } else if !ok(v) {
        v = match (lo, hi) {
            (Some((l, _)), Some((h, _))) => (l + h) / 2.0,
            (Some((l, ex)), None) => {
                if ex {
                    l + 1.0
                } else {
                    l
                }
            }
            (None, Some((h, ex))) => {
                if ex {
                    h - 1.0
                } else {
                    h
                }
            }
            (None, None) => v,
        };
    }
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        return Value::from(v as i64);
    }
    Number::from_f64(v)
        .map(Value::Number)
        .unwrap_or(Value::from(1))
}

/// A string of a `format` (variant 0 is the canonical one).
fn formatted(format: &str, variant: usize) -> String {
    let n = variant % 28;
    match format {
        "date-time" => format!("2024-01-{:02}T00:00:00Z", n + 1),
        "date" => format!("2024-01-{:02}", n + 1),
        "time" => format!("12:{:02}:00Z", n % 60),
        "email" | "idn-email" if n == 0 => "user@example.com".into(),
        "email" | "idn-email" => format!("user{n}@example.com"),
        "uuid" => format!("3fa85f64-5717-4562-b3fc-2c963f66af{:02x}", 0xa6 ^ n),
        "uri" | "url" | "iri" if n == 0 => "https://example.com/".into(),
        "uri" | "url" | "iri" => format!("https://example.com/{n}"),
        "uri-reference" | "iri-reference" => format!("/example{}", suffix(n)),
        "hostname" | "idn-hostname" => format!("example{}.com", suffix(n)),
        "ipv4" => format!("192.0.2.{}", n + 1),
        "ipv6" => format!("2001:db8::{:x}", n + 1),
        "byte" => "cHV0Y2hlY2s=".into(),
        "password" => format!("password{}", suffix(n)),
        "duration" => format!("PT{}M", n + 1),
        "json-pointer" => format!("/example{}", suffix(n)),
        "regex" => "^example$".into(),
        _ => format!("string{}", suffix(n)),
    }
}

fn suffix(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        n.to_string()
    }
}

/// A documented value in the declared type (`"12345"` for an integer → `12345`; an
/// object or array written as JSON text → the object or array).
pub fn coerce(v: &Value, ty: Option<&str>) -> Value {
    match (ty, v) {
        (None | Some("object") | Some("array"), Value::String(s))
            if s.trim_start().starts_with(['{', '[']) =>
        {
            match serde_json::from_str::<Value>(s) {
                Ok(parsed @ (Value::Object(_) | Value::Array(_))) => parsed,
                _ => v.clone(),
            }
        }
        (Some("integer"), Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| v.clone()),
        (Some("integer"), Value::Number(n)) if n.as_i64().is_none() && n.as_u64().is_none() => {
            match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
                _ => v.clone(),
            }
        }
        (Some("number"), Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| v.clone()),
        (Some("string"), Value::Number(n)) => Value::String(n.to_string()),
        (Some("string"), Value::Bool(b)) => Value::String(b.to_string()),
        (Some("boolean"), Value::String(s)) => match s.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => v.clone(),
        },
        _ => v.clone(),
    }
}

/// A value of another JSON type than `v` (`None` for `null`, which any type can be made
/// from): the building block of invalid values, such as the importer's `reject:` body.
pub fn of_another_type(v: &Value) -> Option<Value> {
    Some(match v {
        Value::String(_) => Value::from(12345),
        Value::Number(_) => Value::String("not a number".into()),
        Value::Bool(_) => Value::String("not a boolean".into()),
        Value::Array(_) => Value::String("not an array".into()),
        Value::Object(_) => Value::String("not an object".into()),
        Value::Null => return None,
    })
}

/// For each property of an object, the object with that property's value of another type
/// (in the object's order; the caller keeps those its schema refuses).
pub fn with_a_wrong_type(object: &Map<String, Value>) -> Vec<(String, Value)> {
    object
        .iter()
        .filter_map(|(name, v)| {
            let wrong = of_another_type(v)?;
            let mut changed = object.clone();
            changed.insert(name.clone(), wrong);
            Some((name.clone(), Value::Object(changed)))
        })
        .collect()
}

/// Whether a value meets a schema's own keywords (not those of nested schemas, which
/// the caller's validation checks): a given example or default is used only then.
pub fn fits(v: &Value, m: &Map<String, Value>) -> bool {
    let types = types_of(m);
    if !types.is_empty() && !types.iter().any(|t| is_of_type(v, t)) {
        return false;
    }
    if let Some(Value::Array(values)) = m.get("enum") {
        if !values.contains(v) {
            return false;
        }
    }
    if let Some(c) = m.get("const") {
        if c != v {
            return false;
        }
    }
    match v {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            let (lo, hi) = bounds(m);
            if lo.is_some_and(|(b, ex)| if ex { x <= b } else { x < b })
                || hi.is_some_and(|(b, ex)| if ex { x >= b } else { x > b })
            {
                return false;
            }
            if let Some(step) = m
                .get("multipleOf")
                .and_then(Value::as_f64)
                .filter(|s| *s > 0.0)
            {
                let q = x / step;
                if (q - q.round()).abs() > 1e-9 {
                    return false;
                }
            }
        }
        Value::String(s) => {
            let len = s.chars().count() as u64;
            if m.get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|n| len < n)
                || m.get("maxLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|n| len > n)
            {
                return false;
            }
            if let Some(Value::String(p)) = m.get("pattern") {
                if !regex::Regex::new(p).is_ok_and(|r| r.is_match(s)) {
                    return false;
                }
            }
        }
        Value::Array(items) => {
            let len = items.len() as u64;
            if m.get("minItems")
                .and_then(Value::as_u64)
                .is_some_and(|n| len < n)
                || m.get("maxItems")
                    .and_then(Value::as_u64)
                    .is_some_and(|n| len > n)
            {
                return false;
            }
            if m.get("uniqueItems") == Some(&Value::Bool(true))
                && items
                    .iter()
                    .enumerate()
                    .any(|(i, a)| items[..i].contains(a))
            {
                return false;
            }
        }
        Value::Object(fields) => {
            if let Some(Value::Array(required)) = m.get("required") {
                if required
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|r| !fields.contains_key(r))
                {
                    return false;
                }
            }
        }
        _ => {}
    }
    true
}

fn is_of_type(v: &Value, t: &str) -> bool {
    match (t, v) {
        ("null", Value::Null) | ("boolean", Value::Bool(_)) => true,
        ("string", Value::String(_)) | ("array", Value::Array(_)) => true,
        ("object", Value::Object(_)) | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid(schema: &Value, v: &Value) -> bool {
        jsonschema::options()
            .should_validate_formats(true)
            .build(schema)
            .unwrap()
            .is_valid(v)
    }

    fn canonical(schema: Value) -> Value {
        let v = Generator::new(&schema).value();
        assert!(valid(&schema, &v), "{v} does not validate against {schema}");
        v
    }

    #[test]
    fn exclusive_bounds_are_not_the_bound() {
        assert_eq!(
            canonical(json!({ "type": "integer", "exclusiveMinimum": 1 })),
            2
        );
        assert_eq!(
            canonical(json!({ "type": "integer", "exclusiveMaximum": 0 })),
            -1
        );
        let v =
            canonical(json!({ "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1 }));
        assert_eq!(v, json!(0.5));
        assert_eq!(
            canonical(json!({ "type": "number", "minimum": 10, "multipleOf": 4 })),
            12
        );
        assert_eq!(
            canonical(json!({ "type": "integer", "minimum": 3, "maximum": 3 })),
            3
        );
    }

    #[test]
    fn unique_items_differ() {
        let v = canonical(json!({ "type": "array", "minItems": 3, "uniqueItems": true,
                                  "items": { "type": "integer" } }));
        assert_eq!(v, json!([1, 2, 3]));
        let v = canonical(json!({ "type": "array", "minItems": 2, "uniqueItems": true,
                                  "items": { "enum": ["a", "b", "c"] } }));
        assert_eq!(v, json!(["a", "b"]));
        let v = canonical(json!({ "type": "array", "minItems": 3, "uniqueItems": true,
                                  "items": { "type": "string", "format": "uuid" } }));
        assert_eq!(v.as_array().unwrap().len(), 3);
    }

    #[test]
    fn patterns_and_lengths() {
        let v = canonical(json!({ "type": "string", "pattern": "^[A-Z]{2}-[0-9]{4}$" }));
        assert_eq!(v, "AA-0000");
        let v = canonical(json!({ "type": "string", "pattern": "^[a-z]+$", "minLength": 6 }));
        assert!(v.as_str().unwrap().len() >= 6);
        assert_eq!(
            canonical(json!({ "type": "string", "minLength": 8 })),
            "stringxx"
        );
        assert_eq!(
            canonical(json!({ "type": "string", "maxLength": 3 })),
            "str"
        );
    }

    #[test]
    fn read_only_properties_are_left_out() {
        let schema = json!({
            "type": "object",
            "required": ["name"],
            "properties": {
                "id": { "type": "integer", "readOnly": true, "example": 7 },
                "name": { "type": "string" },
                "tag": { "type": "string", "examples": ["t"] },
                "note": { "type": "string" }
            }
        });
        assert_eq!(canonical(schema), json!({ "name": "string", "tag": "t" }));
    }

    #[test]
    fn examples_that_break_the_schema_are_not_used() {
        let schema = json!({ "type": "integer", "minimum": 5, "examples": [1], "default": 6 });
        assert_eq!(canonical(schema), 6);
        let schema = json!({ "type": "object", "examples": ["a string"],
                             "required": ["a"], "properties": { "a": { "type": "boolean" } } });
        assert_eq!(canonical(schema), json!({ "a": true }));
        let schema = json!({ "type": "integer", "examples": ["42"] });
        assert_eq!(canonical(schema), 42);
    }

    #[test]
    fn refs_all_of_and_discriminated_one_of() {
        let schema = json!({
            "$defs": {
                "Base": { "type": "object", "required": ["kind"],
                          "properties": { "kind": { "type": "string" } } },
                "Cat": { "allOf": [{ "$ref": "#/$defs/Base" },
                                   { "required": ["lives"], "properties": {
                                       "kind": { "const": "cat" },
                                       "lives": { "type": "integer", "maximum": 9 } } }] },
                "Dog": { "allOf": [{ "$ref": "#/$defs/Base" },
                                   { "properties": { "kind": { "const": "dog" } } }] }
            },
            "oneOf": [{ "$ref": "#/$defs/Cat" }, { "$ref": "#/$defs/Dog" }]
        });
        assert_eq!(
            canonical(schema.clone()),
            json!({ "kind": "cat", "lives": 1 })
        );
        let mut kinds = std::collections::BTreeSet::new();
        for seed in 0..16 {
            let v = Generator::seeded(&schema, seed).value();
            assert!(valid(&schema, &v), "seed {seed}: {v}");
            kinds.insert(v["kind"].as_str().unwrap().to_string());
        }
        assert_eq!(kinds.len(), 2, "{kinds:?}");
    }

    #[test]
    fn cycles_stop() {
        let schema = json!({
            "$defs": { "Node": { "type": "object", "required": ["name"], "properties": {
                "name": { "type": "string", "example": "n" },
                "child": { "$ref": "#/$defs/Node" },
                "children": { "type": "array", "items": { "$ref": "#/$defs/Node" } } } } },
            "$ref": "#/$defs/Node"
        });
        assert_eq!(canonical(schema), json!({ "name": "string" }));
    }

    #[test]
    fn seeds_are_deterministic_and_valid() {
        let schema = json!({
            "type": "object",
            "required": ["id", "tags", "size"],
            "properties": {
                "id": { "type": "string", "pattern": "^[a-f0-9]{6}$" },
                "tags": { "type": "array", "uniqueItems": true, "minItems": 2, "maxItems": 4,
                          "items": { "type": "string", "enum": ["a", "b", "c", "d"] } },
                "size": { "type": "number", "exclusiveMinimum": 0, "maximum": 10 },
                "when": { "type": "string", "format": "date-time" },
                "on": { "type": "boolean" }
            }
        });
        let mut distinct = std::collections::BTreeSet::new();
        for seed in 0..32 {
            let a = Generator::seeded(&schema, seed).value();
            assert_eq!(a, Generator::seeded(&schema, seed).value(), "seed {seed}");
            assert!(valid(&schema, &a), "seed {seed}: {a}");
            distinct.insert(a.to_string());
        }
        assert!(distinct.len() > 20, "{}", distinct.len());
    }

    #[test]
    fn wrong_types_make_invalid_values() {
        let schema = json!({ "type": "object", "properties": {
            "a": { "type": "string" }, "b": { "type": ["integer", "string"] }, "c": {} } });
        let v = json!({ "a": "x", "b": 1, "c": null });
        let variants = with_a_wrong_type(v.as_object().unwrap());
        assert_eq!(variants.len(), 2, "null has no other type to be");
        assert_eq!(
            variants[0],
            ("a".to_string(), json!({ "a": 12345, "b": 1, "c": null }))
        );
        assert!(!valid(&schema, &variants[0].1));
        assert!(
            valid(&schema, &variants[1].1),
            "a string is one of b's types"
        );
    }

    #[test]
    fn huge_counts_stay_bounded() {
        let v = Generator::new(&json!({ "type": "string", "minLength": 1_000_000_000u64 })).value();
        assert_eq!(v.as_str().unwrap().len(), MAX_COUNT);
        let v = Generator::new(&json!({ "type": "string", "pattern": "^((a+)+)+$" })).value();
        assert!(v.as_str().unwrap().len() <= 20_000);
        let v = Generator::new(&json!({ "type": "array", "minItems": 1_000_000_000u64 })).value();
        assert_eq!(v.as_array().unwrap().len(), MAX_COUNT);
    }

    #[test]
    fn nullable_types_and_min_properties() {
        assert_eq!(canonical(json!({ "type": ["null", "integer"] })), 1);
        assert_eq!(
            canonical(json!({ "anyOf": [{ "type": "null" }, { "type": "boolean" }] })),
            true
        );
        let v = canonical(json!({ "type": "object", "minProperties": 2,
                                  "additionalProperties": { "type": "integer" } }));
        assert_eq!(v, json!({ "property1": 1, "property2": 1 }));
    }

    fn widget() -> Value {
        json!({
            "type": "object",
            "required": ["name", "count"],
            "additionalProperties": false,
            "properties": {
                "name": { "type": "string", "maxLength": 300 },
                "count": { "type": "integer", "format": "int64" },
                "price": { "type": "number" },
                "tags": { "type": "array", "items": { "type": "string" } },
                "note": { "type": ["string", "null"] },
                "kind": { "enum": ["a", "b"] },
                "size": { "type": "integer", "minimum": 1, "maximum": 10 }
            }
        })
    }

    #[test]
    fn safe_integers_stay_within_what_a_double_holds() {
        let schema = json!({
            "type": "object",
            "required": ["a", "b", "c"],
            "properties": {
                "a": { "type": "integer" },
                "b": { "type": "integer", "format": "int64" },
                "c": { "type": "number" }
            }
        });
        let safe = 9_007_199_254_740_991_i128;
        let (mut largest, mut negative) = (false, false);
        for seed in 0..300 {
            let v = Generator::varied(&schema, seed).safe_integers().value();
            assert!(valid(&schema, &v), "seed {seed}: {v}");
            for key in ["a", "b", "c"] {
                if let Ok(n) = v[key].to_string().parse::<i128>() {
                    assert!((-safe..=safe).contains(&n), "seed {seed}: {v}");
                    largest |= n.abs() == safe;
                    negative |= n < 0;
                }
            }
        }
        // Still at the edges: 2^53 − 1 is offered as the largest.
        assert!(
            largest && negative,
            "largest {largest}, negative {negative}"
        );
        // Without it, the same schema reaches past 2^53.
        let past = (0..300).any(|seed| {
            let v = Generator::varied(&schema, seed).value();
            v["b"]
                .to_string()
                .parse::<i128>()
                .is_ok_and(|n| n.abs() > safe)
        });
        assert!(past);
    }

    #[test]
    fn varied_values_are_valid_and_reach_the_edges() {
        let schema = widget();
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..200 {
            let v = Generator::varied(&schema, seed).value();
            assert_eq!(v, Generator::varied(&schema, seed).value(), "seed {seed}");
            assert!(valid(&schema, &v), "seed {seed}: {v}");
            let count = v["count"].to_string();
            if count.len() >= 16 {
                seen.insert("big integer");
            }
            if v["count"].as_i64().is_some_and(|n| n < 0) {
                seen.insert("negative");
            }
            let name = v["name"].as_str().unwrap();
            if name.chars().count() >= 100 {
                seen.insert("long string");
            }
            if name.chars().any(|c| c as u32 > 0xffff) {
                seen.insert("astral");
            }
            if name.is_empty() {
                seen.insert("empty string");
            }
            if v.get("tags").is_some_and(|t| t == &json!([])) {
                seen.insert("empty array");
            }
            if v.get("note").is_some_and(Value::is_null) {
                seen.insert("null");
            }
            if v.as_object().unwrap().len() == 2 {
                seen.insert("no optional");
            }
            if v.as_object().unwrap().len() == 7 {
                seen.insert("every optional");
            }
        }
        assert_eq!(seen.len(), 9, "{seen:?}");
    }

    #[test]
    fn mutations_break_the_schema() {
        let schema = widget();
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let body = json!({ "name": "n", "count": 1, "size": 3, "kind": "a" });
        let all = invalid::mutations(&schema, &body);
        let invalid: Vec<&invalid::Mutation> = all
            .iter()
            .filter(|m| !validator.is_valid(&m.body))
            .collect();
        let whats: Vec<&str> = invalid.iter().map(|m| m.what.as_str()).collect();
        for wanted in [
            "a wrong type at $",
            "the required property `name`",
            "an extra property",
            "a value outside the enum at $.kind",
            "11 at $.size, above the maximum",
            "0 at $.size, below the minimum",
            "a wrong type at $.count",
        ] {
            assert!(
                whats.iter().any(|w| w.starts_with(wanted)),
                "{wanted}: {whats:#?}"
            );
        }
        let picked = invalid::pick(&schema, &body, 3, |v| !validator.is_valid(v)).unwrap();
        assert!(!validator.is_valid(&picked.body));
    }

    #[test]
    fn varied_values_validate_across_schemas() {
        let schemas = [
            json!({ "type": "integer", "format": "int32" }),
            json!({ "type": "integer", "minimum": -5, "maximum": 5 }),
            json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 1 }),
            json!({ "type": "string", "minLength": 3, "maxLength": 5 }),
            json!({ "type": "string", "pattern": "^[a-z]{2,4}$" }),
            json!({ "type": "array", "minItems": 2, "maxItems": 3, "uniqueItems": true,
                    "items": { "type": "integer" } }),
            json!({ "anyOf": [{ "type": "null" }, { "type": "string", "format": "email" }] }),
            json!({
                "$defs": { "Tag": { "type": "object", "required": ["id"],
                                    "properties": { "id": { "type": "integer", "format": "int64" },
                                                    "label": { "type": "string" } } } },
                "type": "object", "required": ["tags"],
                "properties": { "tags": { "type": "array", "items": { "$ref": "#/$defs/Tag" } },
                                "owner": { "$ref": "#/$defs/Tag" } }
            }),
        ];
        for schema in &schemas {
            for seed in 0..100 {
                let v = Generator::varied(schema, seed).value();
                assert!(valid(schema, &v), "seed {seed}: {v} against {schema}");
            }
        }
    }
}
