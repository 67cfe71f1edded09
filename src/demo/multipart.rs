//! A small `multipart/form-data` parser (RFC 7578), just enough for the echo endpoint.
//!
//! Every malformed input is an `Err`, never a panic: the bytes come straight off the network.

/// One part of a multipart body.
#[derive(Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    /// Present for file uploads; httpbin sorts parts into `files` on this alone.
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed multipart body: {0}")]
pub struct MultipartError(pub &'static str);

/// Splits a header value like `form-data; name="a"; filename="b.txt"` into its
/// lowercased main value and `(lowercased key, value)` parameters, honouring quotes
/// so that a `;` inside a quoted filename does not split it.
pub fn split_params(value: &str) -> (String, Vec<(String, String)>) {
    let mut pieces = Vec::new();
    let (mut current, mut in_quotes, mut escaped) = (String::new(), false, false);
    for c in value.chars() {
        match c {
            _ if escaped => {
                current.push(c);
                escaped = false;
            }
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => pieces.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    pieces.push(current);
    let mut pieces = pieces.into_iter();
    let main = pieces
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let params = pieces
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    (main, params)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses `body` delimited by `boundary` (the Content-Type parameter, without the `--`).
pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, MultipartError> {
    // RFC 2046 caps boundaries at 70 chars; an empty one would match everywhere.
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(MultipartError("boundary must be 1 to 70 characters"));
    }
    let delimiter = format!("--{boundary}").into_bytes();
    let start = find(body, &delimiter).ok_or(MultipartError("boundary not found"))?;
    // Anything before the first delimiter is a preamble that the RFC says to ignore.
    let mut rest = &body[start + delimiter.len()..];
    let next_delimiter = [b"\r\n", delimiter.as_slice()].concat();
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or(MultipartError("expected CRLF after boundary"))?;
        let head_end = find(rest, b"\r\n\r\n").ok_or(MultipartError("part headers never end"))?;
        let head = std::str::from_utf8(&rest[..head_end])
            .map_err(|_| MultipartError("part headers are not UTF-8"))?;
        rest = &rest[head_end + 4..];
        let data_end =
            find(rest, &next_delimiter).ok_or(MultipartError("missing closing boundary"))?;
        parts.push(part_from(head, rest[..data_end].to_vec())?);
        rest = &rest[data_end + next_delimiter.len()..];
    }
}

fn part_from(head: &str, data: Vec<u8>) -> Result<Part, MultipartError> {
    let disposition = head
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-disposition"))
        .ok_or(MultipartError("part without Content-Disposition"))?
        .1;
    let (kind, params) = split_params(disposition);
    if kind != "form-data" {
        return Err(MultipartError("Content-Disposition is not form-data"));
    }
    let param = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    Ok(Part {
        name: param("name").ok_or(MultipartError("part without a name"))?,
        filename: param("filename"),
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"preamble\r\n--XyZ\r\n\
        Content-Disposition: form-data; name=\"title\"\r\n\r\n\
        Hello\r\n--XyZ\r\n\
        content-disposition: form-data; name=\"doc\"; filename=\"a;b.txt\"\r\n\
        Content-Type: text/plain\r\n\r\n\
        line1\r\nline2\r\n--XyZ--\r\n";

    #[test]
    fn parses_fields_and_files() {
        assert_eq!(
            parse(BODY, "XyZ"),
            Ok(vec![
                Part {
                    name: "title".into(),
                    filename: None,
                    data: b"Hello".to_vec()
                },
                Part {
                    name: "doc".into(),
                    filename: Some("a;b.txt".into()),
                    data: b"line1\r\nline2".to_vec()
                },
            ])
        );
    }

    #[test]
    fn empty_body_with_only_the_final_delimiter() {
        assert_eq!(parse(b"--b--\r\n", "b"), Ok(vec![]));
    }

    #[test]
    fn rejects_malformed_bodies() {
        let cases: &[(&[u8], &str)] = &[
            (b"no boundary here", "boundary not found"),
            (
                b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx",
                "missing closing boundary",
            ),
            (
                b"--b\r\nContent-Disposition: form-data; name=\"a\"",
                "part headers never end",
            ),
            (b"--bX", "expected CRLF after boundary"),
            (
                b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
                "part without Content-Disposition",
            ),
            (
                b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
                "part without a name",
            ),
            (
                b"--b\r\nContent-Disposition: inline; name=a\r\n\r\nx\r\n--b--",
                "Content-Disposition is not form-data",
            ),
            (
                b"--b\r\n\xff: x\r\n\r\nx\r\n--b--",
                "part headers are not UTF-8",
            ),
            (b"--b", "expected CRLF after boundary"),
        ];
        for (body, why) in cases {
            assert_eq!(
                parse(body, "b"),
                Err(MultipartError(why)),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(parse(b"----\r\n", "").is_err());
        assert!(parse(b"x", &"b".repeat(71)).is_err());
    }

    #[test]
    fn truncation_never_panics() {
        for end in 0..BODY.len() {
            let _ = parse(&BODY[..end], "XyZ");
        }
    }

    #[test]
    fn splits_quoted_params() {
        let (main, params) = split_params("Multipart/Form-Data; boundary=\"a;b\"; x=\"q\\\"t\"");
        assert_eq!(main, "multipart/form-data");
        assert_eq!(
            params,
            vec![
                ("boundary".into(), "a;b".into()),
                ("x".into(), "q\"t".into())
            ]
        );
    }
}
