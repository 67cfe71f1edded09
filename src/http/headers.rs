//! Header fields as an ordered, case-insensitive list: the one place where names are
//! compared, and where a request's headers are assembled from the spec's headers, the
//! body's Content-Type, cookies and auth.
//!
//! Hand-written rather than `http::HeaderMap`: that map lowercases names, and putcheck
//! sends each name spelled as the spec wrote it (as requests does).

use std::ops::Deref;

use base64::Engine;

use super::options::Auth;
use super::{HttpError, HttpErrorKind};

/// Header fields in order; names compare case-insensitively, spelling is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    /// Fields as received: repeats (`Set-Cookie`) are kept, each on its own.
    pub fn from_fields(fields: Vec<(String, String)>) -> Self {
        Headers(fields)
    }

    /// A header map as requests builds one (`CaseInsensitiveDict`): a name given twice,
    /// in any spelling, keeps the first one's place with the later spelling and value.
    pub fn from_map<'a>(pairs: impl IntoIterator<Item = &'a (String, String)>) -> Self {
        let mut headers = Headers::new();
        for (k, v) in pairs {
            headers.set(k, v.clone());
        }
        headers
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| same_name(k, name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| same_name(k, name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether a list-valued field (`Connection: keep-alive, Upgrade`), in any of its
    /// fields, holds `token` (compared case-insensitively).
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name)
            .iter()
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Sets `name` to one value: in the place of its first field (taking this spelling),
    /// other fields of that name removed; at the end when it is new.
    pub fn set(&mut self, name: &str, value: String) {
        match self.0.iter().position(|(k, _)| same_name(k, name)) {
            Some(i) => {
                self.0[i] = (name.to_string(), value);
                let rest = self.0.split_off(i + 1);
                self.0
                    .extend(rest.into_iter().filter(|(k, _)| !same_name(k, name)));
            }
            None => self.0.push((name.to_string(), value)),
        }
    }

    /// Sets `name` unless it is already there.
    pub fn set_default(&mut self, name: &str, value: String) {
        if !self.contains(name) {
            self.0.push((name.to_string(), value));
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(k, _)| !same_name(k, name));
    }

    pub fn retain(&mut self, keep: impl FnMut(&(String, String)) -> bool) {
        self.0.retain(keep);
    }

    /// The headers of a request, merged in requests' order of precedence: the spec's
    /// `headers` (defaults already merged in by the loader), the body's Content-Type
    /// unless given, `cookies` joined to any `Cookie` header, then `auth`, which replaces
    /// an `Authorization` header. Every name and value is checked to be sendable.
    pub fn for_request(
        spec_headers: &[(String, String)],
        content_type: Option<String>,
        cookies: &[(String, String)],
        auth: Option<&Auth>,
    ) -> Result<Headers, HttpError> {
        let mut headers = Headers::from_map(spec_headers);
        if let Some(ct) = content_type {
            headers.set_default("Content-Type", ct);
        }
        if !cookies.is_empty() {
            let jar = cookie_value(cookies);
            match headers.0.iter_mut().find(|(k, _)| same_name(k, "Cookie")) {
                Some((_, existing)) => *existing = format!("{existing}; {jar}"),
                None => headers.0.push(("Cookie".into(), jar)),
            }
        }
        match auth {
            Some(Auth::Basic { user, password }) => {
                headers.set("Authorization", basic_authorization(user, password));
            }
            Some(Auth::Bearer(t)) => headers.set("Authorization", format!("Bearer {t}")),
            None => {}
        }
        for (name, value) in &headers.0 {
            check_sendable(name, value)?;
        }
        Ok(headers)
    }
}

/// `cookies` jar entries as one `Cookie` field value, in order.
pub(super) fn cookie_value(cookies: &[(String, String)]) -> String {
    cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<Vec<(String, String)>> for Headers {
    /// Fields as received, repeats kept (see `from_fields`).
    fn from(fields: Vec<(String, String)>) -> Self {
        Headers::from_fields(fields)
    }
}

impl Deref for Headers {
    type Target = [(String, String)];

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a (String, String);
    type IntoIter = std::slice::Iter<'a, (String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The value of an `Authorization` (or `Proxy-Authorization`) field for Basic credentials
/// (RFC 7617): `Basic` and `user:password` in base64, encoded as UTF-8 as RFC 7617
/// recommends (requests uses Latin-1; ASCII credentials give the same bytes).
pub fn basic_authorization(user: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

/// Header names are case-insensitive (RFC 9110, section 5.1).
pub fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A field putcheck can put on the wire: a token for a name (RFC 9110, section 5.1), and
/// for a value, text without control characters (but tab) that Latin-1 encodes, as
/// requests sends it. The message names the
/// header and says what to write instead, before anything is sent.
fn check_sendable(name: &str, value: &str) -> Result<(), HttpError> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(HttpError::new(
            HttpErrorKind::InvalidHeader,
            format!("header name `{name}` is not valid in HTTP: use letters, digits and `-` (no spaces, colons or other symbols); the request was not sent"),
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| *c == '\r' || *c == '\n' || *c == '\0')
    {
        return Err(HttpError::new(
            HttpErrorKind::InvalidHeader,
            format!("header `{name}`: the value contains a {} character, which would end the header line; remove it (the request was not sent)", match c { '\r' => "carriage-return", '\n' => "line-feed", _ => "NUL" }),
        ));
    }
    if let Some(c) = value.chars().find(|c| c.is_ascii_control() && *c != '\t') {
        return Err(HttpError::new(
            HttpErrorKind::InvalidHeader,
            format!("header `{name}`: the value contains the control character `{}`; remove it (the request was not sent)", c.escape_default()),
        ));
    }
    latin1(value, &mut Vec::new()).map_err(|c| not_latin1(name, c))
}

/// Appends `text` as Latin-1 bytes, as requests' http.client encodes header values; the
/// first character beyond U+00FF is the error.
pub(super) fn latin1(text: &str, out: &mut Vec<u8>) -> Result<(), char> {
    if text.is_ascii() {
        out.extend_from_slice(text.as_bytes());
        return Ok(());
    }
    for c in text.chars() {
        out.push(u8::try_from(u32::from(c)).map_err(|_| c)?);
    }
    Ok(())
}

/// A header value with a character Latin-1 cannot encode: the request is not sent.
pub(super) fn not_latin1(name: &str, c: char) -> HttpError {
    HttpError::new(
        HttpErrorKind::InvalidHeader,
        format!("header `{name}`: the value contains `{c}` (U+{:04X}), which Latin-1 cannot encode (header values are sent as Latin-1, as requests sends them); percent-encode it, or use the RFC 8187 form where the header allows (`filename*=UTF-8''%E2%9C%93.txt`); the request was not sent", c as u32),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_later_spelling_replaces_the_earlier_in_its_place() {
        let h = Headers::from_map(&pairs(&[("X-Dup", "a"), ("B", "1"), ("x-dup", "b")]));
        assert_eq!(h.to_vec(), pairs(&[("x-dup", "b"), ("B", "1")]));
        assert_eq!(h.get("X-DUP"), Some("b"));
    }

    #[test]
    fn set_removes_repeats_and_get_all_keeps_them() {
        let mut h = Headers::from_fields(pairs(&[("Set-Cookie", "a"), ("set-cookie", "b")]));
        assert_eq!(h.get_all("SET-COOKIE"), vec!["a", "b"]);
        h.set("Set-Cookie", "c".into());
        assert_eq!(h.to_vec(), pairs(&[("Set-Cookie", "c")]));
        h.remove("set-cookie");
        assert!(h.is_empty());
    }

    #[test]
    fn request_headers_merge_content_type_cookies_and_auth() -> Result<(), HttpError> {
        let h = Headers::for_request(
            &pairs(&[
                ("content-type", "text/csv"),
                ("cookie", "a=1"),
                ("Authorization", "x"),
            ]),
            Some("application/json".into()),
            &pairs(&[("b", "2")]),
            Some(&Auth::Bearer("t".into())),
        )?;
        assert_eq!(
            h.to_vec(),
            pairs(&[
                ("content-type", "text/csv"),
                ("cookie", "a=1; b=2"),
                ("Authorization", "Bearer t")
            ])
        );
        Ok(())
    }

    #[test]
    fn unsendable_values_name_the_header_and_do_not_blame_the_server() {
        assert!(Headers::for_request(&pairs(&[("X-Name", "café")]), None, &[], None).is_ok());
        for (name, value) in [
            ("X-Name", "雪"),
            ("X-Name", "a\u{7f}b"),
            ("X-Name", "a\r\nb"),
            ("X Name", "v"),
        ] {
            let e = Headers::for_request(&pairs(&[(name, value)]), None, &[], None)
                .expect_err("unsendable");
            assert_eq!(e.kind, HttpErrorKind::InvalidHeader);
            assert!(e.message.contains(&format!("`{name}`")), "{}", e.message);
            assert!(e.message.contains("not sent"), "{}", e.message);
        }
    }
}
