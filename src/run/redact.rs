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
    /// Each form of each secret and, when known, the variable that holds it. Longest
    /// first, so a secret that contains another is masked whole.
    secrets: Vec<(String, Option<String>)>,
}

/// A piece of text with its secrets cut out, for output that must still work when
/// pasted into a shell (`--curl`): secrets become variable references.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShellPiece {
    /// Text that holds no secret.
    Text(String),
    /// A secret, held by the variable of this name.
    Var(String),
}

impl Redactor {
    /// Adds a secret and the forms it takes inside URLs, forms and JSON strings.
    pub fn add(&mut self, secret: &str) {
        self.add_named(secret, None);
    }

    /// Adds a secret held by a variable: `--curl` writes it as `$NAME`. A secret that is
    /// already known keeps its first name.
    pub fn add_named(&mut self, secret: &str, name: Option<&str>) {
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
            match self.secrets.iter_mut().find(|(known, _)| *known == s) {
                Some((_, known_name)) => {
                    if known_name.is_none() {
                        *known_name = name.map(str::to_string);
                    }
                }
                None => self.secrets.push((s, name.map(str::to_string))),
            }
        }
        self.secrets
            .sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (secret, _) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }

    /// Splits `s` around its secrets; a secret without a variable name is held by
    /// `unnamed` (a name the caller makes up, e.g. after the header it came in). Named
    /// secrets are cut out first, so that `Bearer ${API_TOKEN}` stays `Bearer $API_TOKEN`
    /// although the whole header value is a secret too.
    pub fn shell_pieces(&self, s: &str, unnamed: &str) -> Vec<ShellPiece> {
        let named: Vec<(&str, &str)> = self
            .secrets
            .iter()
            .filter_map(|(secret, name)| Some((secret.as_str(), name.as_deref()?)))
            .collect();
        let others: Vec<(&str, &str)> = self
            .secrets
            .iter()
            .filter(|(_, name)| name.is_none())
            .map(|(secret, _)| (secret.as_str(), unnamed))
            .collect();
        split(s, &named)
            .into_iter()
            .flat_map(|piece| match piece {
                ShellPiece::Text(t) => split(&t, &others),
                var => vec![var],
            })
            .collect()
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

/// Cuts `secrets` (longest first) out of `s`, each becoming a reference to its variable.
fn split(s: &str, secrets: &[(&str, &str)]) -> Vec<ShellPiece> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = s;
    'scan: while let Some(c) = rest.chars().next() {
        for (secret, name) in secrets {
            if let Some(after) = rest.strip_prefix(secret) {
                if !plain.is_empty() {
                    out.push(ShellPiece::Text(std::mem::take(&mut plain)));
                }
                out.push(ShellPiece::Var(name.to_string()));
                rest = after;
                continue 'scan;
            }
        }
        plain.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !plain.is_empty() {
        out.push(ShellPiece::Text(plain));
    }
    out
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
    fn shell_pieces_name_the_variable_holding_each_secret() {
        let mut r = Redactor::default();
        r.add_named("tok-123", Some("API_TOKEN"));
        r.add("lit-456");
        r.add("Bearer tok-123 lit-456");
        assert_eq!(
            r.shell_pieces("Bearer tok-123 lit-456", "AUTHORIZATION"),
            vec![
                ShellPiece::Text("Bearer ".into()),
                ShellPiece::Var("API_TOKEN".into()),
                ShellPiece::Text(" ".into()),
                ShellPiece::Var("AUTHORIZATION".into()),
            ]
        );
        // A name given later fills in an unnamed secret, never replaces a name.
        r.add_named("lit-456", Some("LATER"));
        r.add_named("tok-123", Some("OTHER"));
        assert_eq!(
            r.shell_pieces("tok-123lit-456", "X"),
            vec![
                ShellPiece::Var("API_TOKEN".into()),
                ShellPiece::Var("LATER".into())
            ]
        );
    }

    #[test]
    fn short_values_are_not_secrets() {
        let mut r = Redactor::default();
        r.add("1");
        assert_eq!(r.text("200 1"), "200 1");
    }
}
