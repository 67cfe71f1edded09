//! `--curl`: a command that repeats a test's request when pasted into a POSIX shell.
//! Secrets are shell variable references (`"Authorization: Bearer $API_TOKEN"`), so the
//! line works after `export API_TOKEN=...` and never shows a secret's value.

use crate::run::{ShellBody, ShellPiece, ShellRequest, TestResult};

/// The curl command for a test's request, if a request was built.
pub fn curl_command(r: &TestResult) -> Option<String> {
    r.shell.as_ref().map(command)
}

pub fn command(req: &ShellRequest) -> String {
    let mut parts = vec!["curl".to_string()];
    if let Some(flag) = &req.version_flag {
        parts.push(flag.clone());
    }
    parts.extend(["-X".into(), req.method.clone(), word(&req.url)]);
    if let Some(user) = &req.user {
        parts.push("-u".into());
        parts.push(word(user));
    }
    for (name, value) in &req.headers {
        let mut header = vec![ShellPiece::Text(format!("{name}: "))];
        header.extend(value.iter().cloned());
        parts.push("-H".into());
        parts.push(word(&header));
    }
    match &req.body {
        ShellBody::None => {}
        ShellBody::Text(pieces) => {
            parts.push("--data-binary".into());
            parts.push(word(pieces));
        }
        ShellBody::File(path) => {
            parts.push("--data-binary".into());
            parts.push(single(&format!("@{path}")));
        }
        ShellBody::Large(size) | ShellBody::Binary(size) => {
            let why = if matches!(req.body, ShellBody::Binary(_)) {
                "is not text"
            } else {
                "is too long to show here"
            };
            parts.push("--data-binary".into());
            parts.push("@body".into());
            return format!(
                "{}  # the {size}-byte body {why}: save it as ./body",
                parts.join(" ")
            );
        }
    }
    parts.join(" ")
}

/// One shell word. Without variables: single-quoted. With variables: double-quoted when
/// the text has nothing a shell would expand there (`"Bearer $API_TOKEN"`), else single-
/// quoted text with each variable double-quoted between (`'{"p":"'"$PASSWORD"'"}'`).
fn word(pieces: &[ShellPiece]) -> String {
    let has_var = pieces.iter().any(|p| matches!(p, ShellPiece::Var(_)));
    if !has_var {
        return single(&text_of(pieces));
    }
    let plain_in_double = pieces.iter().all(|p| match p {
        ShellPiece::Text(t) => !t.contains(['"', '\\', '$', '`', '!']),
        ShellPiece::Var(_) => true,
    });
    let mut out = String::new();
    if plain_in_double {
        out.push('"');
        for (i, p) in pieces.iter().enumerate() {
            match p {
                ShellPiece::Text(t) => out.push_str(t),
                ShellPiece::Var(name) => out.push_str(&var(name, pieces.get(i + 1))),
            }
        }
        out.push('"');
    } else {
        for (i, p) in pieces.iter().enumerate() {
            match p {
                ShellPiece::Text(t) => out.push_str(&single(t)),
                ShellPiece::Var(name) => {
                    out.push('"');
                    out.push_str(&var(name, pieces.get(i + 1)));
                    out.push('"');
                }
            }
        }
    }
    out
}

/// `$NAME`, or `${NAME}` when the text after it would otherwise run into the name.
fn var(name: &str, next: Option<&ShellPiece>) -> String {
    let runs_on = matches!(next, Some(ShellPiece::Text(t))
        if t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'));
    if runs_on {
        format!("${{{name}}}")
    } else {
        format!("${name}")
    }
}

fn text_of(pieces: &[ShellPiece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            ShellPiece::Text(t) => t.as_str(),
            ShellPiece::Var(_) => "",
        })
        .collect()
}

fn single(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> ShellPiece {
        ShellPiece::Text(s.into())
    }
    fn v(s: &str) -> ShellPiece {
        ShellPiece::Var(s.into())
    }

    #[test]
    fn quotes_words_for_a_posix_shell() {
        assert_eq!(word(&[t("it's")]), r"'it'\''s'");
        assert_eq!(
            word(&[t("Authorization: Bearer "), v("API_TOKEN")]),
            r#""Authorization: Bearer $API_TOKEN""#
        );
        assert_eq!(
            word(&[t(r#"{"password":""#), v("PASSWORD"), t(r#""}"#)]),
            r#"'{"password":"'"$PASSWORD"'"}'"#
        );
        assert_eq!(word(&[v("USER"), t("x")]), r#""${USER}x""#);
    }
}
