//! `Content-Encoding` (gzip, deflate, br) undone before the body is checked, as requests
//! does, with the same size limit on the decoded body as on the received one.

use std::io::Read;

use super::{HttpError, HttpErrorKind};

/// The body as the server meant it: each coding in `Content-Encoding` undone, last first.
/// Codings putcheck does not know leave the body as received.
pub(super) fn decode(
    body: Vec<u8>,
    content_encoding: Option<&str>,
    limit: usize,
    url: &str,
) -> Result<Vec<u8>, HttpError> {
    let Some(header) = content_encoding else {
        return Ok(body);
    };
    // No body (a 204, `Content-Length: 0`) has nothing to decode, whatever it says.
    if body.is_empty() {
        return Ok(body);
    }
    let codings: Vec<String> = header
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    if codings
        .iter()
        .any(|c| !matches!(c.as_str(), "gzip" | "x-gzip" | "deflate" | "br"))
    {
        return Ok(body);
    }
    let mut body = body;
    for coding in codings.iter().rev() {
        body = decode_one(&body, coding, limit).map_err(|e| match e {
            DecodeError::TooLarge => HttpError::new(
                HttpErrorKind::BodyTooLarge,
                format!(
                    "the response body from `{url}`, once decoded (`Content-Encoding: {header}`), is larger than {} MiB; raise the limit with --max-body if that is expected",
                    limit / (1024 * 1024)
                ),
            ),
            DecodeError::Corrupt(why) => HttpError::new(
                HttpErrorKind::Encoding,
                format!(
                    "the response body from `{url}` says `Content-Encoding: {header}` but is not valid {coding} data ({why}); the server's compression is broken"
                ),
            ),
        })?;
    }
    Ok(body)
}

enum DecodeError {
    TooLarge,
    Corrupt(String),
}

fn decode_one(data: &[u8], coding: &str, limit: usize) -> Result<Vec<u8>, DecodeError> {
    match coding {
        "gzip" | "x-gzip" => read_all(flate2::read::MultiGzDecoder::new(data), limit),
        // RFC 9110 says zlib-wrapped; some servers send raw deflate. Try both, as
        // urllib3 (under requests) does.
        "deflate" => read_all(flate2::read::ZlibDecoder::new(data), limit).or_else(|e| match e {
            DecodeError::Corrupt(_) => read_all(flate2::read::DeflateDecoder::new(data), limit),
            too_large => Err(too_large),
        }),
        _ => read_all(brotli::Decompressor::new(data, 4096), limit),
    }
}

/// Reads a decoder to its end, stopping one byte past `limit` (a decompression bomb
/// costs no more memory than an honest large body).
fn read_all(decoder: impl Read, limit: usize) -> Result<Vec<u8>, DecodeError> {
    let out = super::limited::read_to_end(decoder, limit)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    if out.len() > limit {
        return Err(DecodeError::TooLarge);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = e.write_all(data);
        e.finish().unwrap_or_default()
    }

    #[test]
    fn codings_are_undone_last_first() {
        let twice = gzip(&gzip(b"{\"a\":1}"));
        let body = decode(twice, Some("gzip, x-gzip"), 1024, "u").map_err(|e| e.message);
        assert_eq!(body, Ok(b"{\"a\":1}".to_vec()));
    }

    #[test]
    fn an_empty_body_needs_no_decoding() {
        let body = decode(Vec::new(), Some("gzip"), 1024, "u").map_err(|e| e.message);
        assert_eq!(body, Ok(Vec::new()));
    }

    #[test]
    fn unknown_codings_leave_the_body_alone() {
        let body = decode(b"zz".to_vec(), Some("zstd"), 1024, "u").map_err(|e| e.message);
        assert_eq!(body, Ok(b"zz".to_vec()));
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let bomb = gzip(&vec![b'a'; 10 * 1024 * 1024]);
        let err = decode(bomb, Some("gzip"), 1024 * 1024, "u").map(|b| b.len());
        assert!(matches!(err, Err(e) if e.kind == HttpErrorKind::BodyTooLarge));
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 300,
            rng_seed: proptest::test_runner::RngSeed::Fixed(10),
            failure_persistence: None,
            ..Default::default()
        })]

        /// Random bytes under any coding: decoded or refused, never a panic.
        #[test]
        fn random_bodies_never_panic(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
            coding in "gzip|deflate|br|x-gzip|gzip, br|identity|zstd",
        ) {
            let _ = decode(body.clone(), Some(&coding), 4096, "u");
            let _ = decode(gzip(&body), Some(&coding), 4096, "u");
        }
    }
}
