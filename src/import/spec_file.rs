//! The spec file an import writes: a suite of typed steps (`model`), printed as YAML
//! (by serde-saphyr, the crate that also reads specs) under a comment saying where it
//! came from. Values copied from the input are escaped (`${` → `$${`) so that putcheck sends
//! them as written; only the variables the import itself makes are templates.

use serde_json::Value;

use super::model::{StepOut, SuiteOut};
use super::ImportError;

/// One spec file being assembled.
#[derive(Debug, Default)]
pub struct SpecFile {
    /// Lines of the comment at the top (without `# `).
    pub comment: Vec<String>,
    pub name: Option<String>,
    /// Already a template (`${BASE_URL:-...}`), not escaped again.
    pub base_url: Option<String>,
    pub secrets: Secrets,
    pub tests: Vec<StepOut>,
    pub finally: Vec<StepOut>,
}

impl SpecFile {
    /// The file's text: the comment, then the suite as YAML.
    pub fn render(&self) -> Result<String, ImportError> {
        let suite = SuiteOut {
            name: self.name.as_deref(),
            base_url: self.base_url.as_deref(),
            vars: self
                .secrets
                .kept
                .iter()
                .map(|(k, v)| (k.clone(), literal(v)))
                .collect::<Vec<_>>()
                .into(),
            secrets: &self.secrets.names,
            tests: &self.tests,
            finally: &self.finally,
        };
        let suite = serde_json::to_value(&suite)
            .map_err(|e| ImportError::Write(format!("cannot print the spec: {e}")))?;
        let yaml = to_yaml(&suite)?;
        let mut out = String::new();
        // A line with a line break in it (a note quoting the document) stays a comment.
        for line in self.comment.iter().flat_map(|l| l.split(['\n', '\r'])) {
            out.push_str(&format!("# {line}\n").replace("# \n", "#\n"));
        }
        out.push_str(&yaml);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        Ok(out)
    }
}

/// Credentials found in the input: each becomes a variable read from the environment
/// (listed under `secrets:`), or with `--keep-secrets` a value under `vars:`.
#[derive(Debug, Default)]
pub struct Secrets {
    pub keep: bool,
    /// Every secret variable, in the order found.
    pub names: Vec<String>,
    /// The values kept with `--keep-secrets`, by name.
    pub kept: Vec<(String, String)>,
    /// The value found for each name (`None`: a name without a value, as OpenAPI's
    /// security schemes give), to tell one credential found twice from two credentials.
    found: Vec<(String, Option<String>)>,
}

impl Secrets {
    pub fn new(keep: bool) -> Secrets {
        Secrets {
            keep,
            ..Secrets::default()
        }
    }

    /// Registers a credential under `name` (made unique when another value already has
    /// it) and returns the `${NAME}` template that stands for it in the spec. The same
    /// value found twice (a header and a cookie, say) keeps one name.
    pub fn add(&mut self, name: &str, value: Option<&str>) -> String {
        let base = upper_snake(name);
        let mut unique = base.clone();
        let mut n = 2;
        while let Some((_, existing)) = self.found.iter().find(|(k, _)| *k == unique) {
            if existing.as_deref() == value {
                return format!("${{{unique}}}");
            }
            unique = format!("{base}_{n}");
            n += 1;
        }
        self.names.push(unique.clone());
        self.found.push((unique.clone(), value.map(str::to_string)));
        if let (true, Some(v)) = (self.keep, value) {
            self.kept.push((unique.clone(), v.to_string()));
        }
        format!("${{{unique}}}")
    }

    /// The names to set in the environment (none when the values were kept).
    pub fn to_set(&self) -> Vec<String> {
        self.names
            .iter()
            .filter(|n| !self.kept.iter().any(|(k, _)| k == *n))
            .cloned()
            .collect()
    }
}

/// `petstore_auth` → `PETSTORE_AUTH`, `X-API-Key` → `X_API_KEY`, `apiKey` → `API_KEY`.
pub fn upper_snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out.trim_end_matches('_').to_string();
    match out.chars().next() {
        None => "SECRET".into(),
        Some(c) if c.is_ascii_digit() => format!("_{out}"),
        Some(_) => out,
    }
}

/// Header names whose values are credentials (API keys, tokens, sessions).
pub fn is_credential_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "authorization",
        "cookie",
        "apikey",
        "api-key",
        "api_key",
        "token",
        "secret",
        "password",
        "session",
        "auth",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A string copied from the input, escaped so that putcheck sends it as written.
pub fn literal(s: &str) -> String {
    s.replace("${", "$${")
}

/// A JSON value copied from the input, every string (keys too) escaped.
pub fn literal_value(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(literal(s)),
        Value::Array(items) => Value::Array(items.iter().map(literal_value).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (literal(k), literal_value(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The base URL template: the `BASE_URL` environment variable, else what the input had.
pub fn base_url_template(origin: &str) -> String {
    format!("${{BASE_URL:-{}}}", literal(origin.trim_end_matches('/')))
}

/// The text a number is wrapped in on its way through the YAML serializer.
const NUMBER_OPEN: &str = "⟦putcheck-number:";
const NUMBER_CLOSE: &str = "⟧";

/// serde_json keeps numbers as written (`arbitrary_precision`), which the YAML
/// serializer does not know: it would print serde_json's private wrapper. Each number
/// goes through as a marked string, and the marks (with any quotes around them) come off
/// the text afterwards, so `18446744073709551616` stays that integer, digit for digit.
fn to_yaml(value: &Value) -> Result<String, ImportError> {
    struct Marked<'a>(&'a Value);
    impl serde::Serialize for Marked<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                Value::Number(n) => s.serialize_str(&format!("{NUMBER_OPEN}{n}{NUMBER_CLOSE}")),
                Value::Array(items) => s.collect_seq(items.iter().map(Marked)),
                Value::Object(map) => s.collect_map(map.iter().map(|(k, v)| (k, Marked(v)))),
                other => other.serialize(s),
            }
        }
    }
    let text = serde_saphyr::to_string(&Marked(value))
        .map_err(|e| ImportError::Write(format!("cannot print the spec as YAML: {e}")))?;
    let marked = regex::Regex::new(&format!(
        r#"(["']?){}([-+0-9.eE]+){}(["']?)"#,
        regex::escape(NUMBER_OPEN),
        regex::escape(NUMBER_CLOSE)
    ))
    .map_err(|e| ImportError::Write(format!("cannot print the spec as YAML: {e}")))?;
    Ok(marked.replace_all(&text, "$2").into_owned())
}

#[cfg(test)]
mod tests {
    use super::super::model::Method;
    use super::*;

    #[test]
    fn numbers_print_as_written() {
        let v: Value = serde_json::from_str(
            r#"{"id": 18446744073709551616, "price": 0.10, "n": -3, "s": "7"}"#,
        )
        .unwrap();
        let text = to_yaml(&v).unwrap();
        assert_eq!(
            text.trim_end(),
            "id: 18446744073709551616\nprice: 0.10\n\"n\": -3\ns: \"7\""
        );
    }

    #[test]
    fn names_become_upper_snake_case() {
        assert_eq!(upper_snake("petstore_auth"), "PETSTORE_AUTH");
        assert_eq!(upper_snake("X-API-Key"), "X_API_KEY");
        assert_eq!(upper_snake("apiKey"), "API_KEY");
        assert_eq!(upper_snake("bearerAuth"), "BEARER_AUTH");
        assert_eq!(upper_snake("2fa"), "_2FA");
        assert_eq!(upper_snake("--"), "SECRET");
    }

    #[test]
    fn printed_yaml_reads_back_as_the_same_values() {
        let tricky = serde_json::json!({
            "yes": "yes", "y": "y", "on": "on", "no": "NO", "n": "017", "hex": "0x1F", "time": "1:20", "dollar": literal("a ${b} $${c}"), "multi": "a\nb: c\n",
            "num": 18446744073709551615u64, "f": 1.5, "null": null, "colon": "a: b", "hash": "a #b",
            "empty": "", "list": [], "obj": {}, "spaces": " x ", "quote": "'\"", "tab": "a\tb"
        });
        let mut test = StepOut::new("tricky".into(), Method::Put, "/items/1".into());
        test.json = Some(tricky.clone());
        let file = SpecFile {
            comment: vec!["from a test".into(), String::new()],
            base_url: Some(base_url_template("http://127.0.0.1:1/")),
            tests: vec![test],
            ..SpecFile::default()
        };
        let text = file.render().unwrap();
        assert!(text.starts_with("# from a test\n#\n"), "{text}");
        // Read as the spec loader reads (YAML 1.2 booleans).
        let options = serde_saphyr::options! { strict_booleans: true };
        let back: Value = serde_saphyr::from_str_with_options(&text, options).unwrap();
        assert_eq!(back["tests"][0]["json"], tricky, "{text}");
        assert_eq!(back["base_url"], "${BASE_URL:-http://127.0.0.1:1}");
    }

    #[test]
    fn a_secret_found_twice_keeps_one_name() {
        let mut s = Secrets::new(true);
        assert_eq!(s.add("token", Some("a")), "${TOKEN}");
        assert_eq!(s.add("token", Some("a")), "${TOKEN}");
        assert_eq!(s.add("token", Some("b")), "${TOKEN_2}");
        assert_eq!(s.names, ["TOKEN", "TOKEN_2"]);
        assert!(s.to_set().is_empty());
        let mut s = Secrets::new(false);
        assert_eq!(s.add("token", Some("a")), "${TOKEN}");
        assert_eq!(s.add("token", Some("b")), "${TOKEN_2}");
        assert_eq!(s.add("scheme", None), "${SCHEME}");
        assert_eq!(s.add("scheme", None), "${SCHEME}");
        assert_eq!(s.to_set(), ["TOKEN", "TOKEN_2", "SCHEME"]);
    }
}
