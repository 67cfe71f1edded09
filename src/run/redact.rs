//! Secrets never print: every string that leaves the runner passes through here.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Headers whose values are credentials, whatever they contain.
pub const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];
pub const MASK: &str = "***";
/// Shorter values would mask ordinary text (a secret `1` would hide every status code).
const MIN_SECRET_LEN: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is masked whole.
    secrets: Vec<String>,
}

impl Redactor {
    /// Adds a secret and the forms it takes inside URLs, forms and JSON strings.
    pub fn add(&mut self, secret: &str) {
        if secret.chars().count() < MIN_SECRET_LEN {
            return;
        }
        let encoded =
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        // As putcheck itself encodes query parameters and form fields (requests' quote_plus).
        let form = crate::http::quote_plus(secret);
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json.trim_matches('"').to_string();
        for s in [secret.to_string(), encoded, form, json] {
            if !self.secrets.contains(&s) {
                self.secrets.push(s);
            }
        }
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }

    /// Masks every string inside any serializable value (a test result, say), so that no
    /// field, present or future, can carry a secret to a reporter.
    pub fn value<T: Serialize + DeserializeOwned>(&self, value: T) -> T {
        if self.is_empty() {
            return value;
        }
        let Ok(mut v) = serde_json::to_value(&value) else {
            return value;
        };
        self.walk(&mut v);
        serde_json::from_value(v).unwrap_or(value)
    }

    fn walk(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                let masked = self.text(s);
                if masked != *s {
                    *s = masked;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| self.walk(i)),
            serde_json::Value::Object(m) => m.values_mut().for_each(|i| self.walk(i)),
            _ => {}
        }
    }
}

/// Whether a header carries credentials, whatever its value.
pub fn is_sensitive(header: &str) -> bool {
    SENSITIVE_HEADERS.contains(&header.to_ascii_lowercase().as_str())
}

/// Header list with credential headers masked.
pub fn mask_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            if is_sensitive(k) {
                (k.clone(), MASK.to_string())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_plain_and_encoded_forms() {
        let mut r = Redactor::default();
        r.add("s3cr3t/+x");
        assert_eq!(r.text("a s3cr3t/+x b"), "a *** b");
        assert_eq!(r.text("?t=s3cr3t%2F%2Bx"), "?t=***");
        assert_eq!(r.text("t=s3cr3t%2F%2Bx"), "t=***");
    }

    #[test]
    fn masks_the_query_encoding_putcheck_sends() {
        let mut r = Redactor::default();
        r.add("abc_def*ghi ~x");
        assert_eq!(r.text("?t=abc_def%2Aghi+~x"), "?t=***");
    }

    #[test]
    fn short_values_are_not_secrets() {
        let mut r = Redactor::default();
        r.add("1");
        assert_eq!(r.text("200 1"), "200 1");
    }
}
