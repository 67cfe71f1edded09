//! `capture:`: what a response gives a capture — its value, or the failure that says
//! what the response lacks. The runner only stores the values and records the failures.

use serde_json::Value;

use super::{select, Failure, FailureKind};
use crate::http::Response;
use crate::spec::{Capture, CaptureSource};

/// The value `c` takes from `resp`: the header's first value as a string, or what the
/// JSONPath selects (one node as itself, several as an array); a failure when there is
/// none (boxed: a `Failure` is large, and a capture usually succeeds).
pub fn capture(c: &Capture, resp: &Response) -> Result<Value, Box<Failure>> {
    let value = match &c.source {
        CaptureSource::Header(h) => resp.header(h).map(|v| Value::String(v.to_string())),
        CaptureSource::Json(p) => resp.json().and_then(|j| select(p, j)),
    };
    value.ok_or_else(|| {
        let from = match &c.source {
            CaptureSource::Header(h) => format!("header `{h}`"),
            CaptureSource::Json(p) => format!("JSONPath `{}`", p.source),
        };
        Box::new(
            Failure::new(
                FailureKind::Capture,
                format!("capture {}", c.name),
                format!("cannot capture `{}`: the response has no {from}", c.name),
            )
            .at(c.pos),
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::spec::{JsonPath, Pos};

    fn response(headers: &[(&str, &str)], body: &str) -> Response {
        crate::check::judge_tests::response(200, headers, body)
    }

    const POS: Pos = Pos { line: 7, column: 9 };

    fn header(name: &str, header: &str) -> Capture {
        Capture {
            name: name.into(),
            source: CaptureSource::Header(header.into()),
            pos: POS,
        }
    }

    fn json_path(name: &str, path: &str) -> Capture {
        Capture {
            name: name.into(),
            source: CaptureSource::Json(JsonPath::parse(path).expect("a valid JSONPath")),
            pos: POS,
        }
    }

    #[test]
    fn a_header_is_captured_as_a_string_by_any_spelling() {
        let resp = response(&[("ETag", "\"v1\""), ("etag", "\"v2\"")], "");
        let got = capture(&header("etag", "etag"), &resp).expect("a value");
        assert_eq!(got, json!("\"v1\""));
    }

    #[test]
    fn a_json_path_keeps_the_value_s_type() {
        let resp = response(&[], r#"{"id": 42, "tags": [{"n": "a"}, {"n": "b"}]}"#);
        assert_eq!(
            capture(&json_path("id", "$.id"), &resp).expect("a value"),
            json!(42)
        );
        assert_eq!(
            capture(&json_path("names", "$.tags[*].n"), &resp).expect("a value"),
            json!(["a", "b"])
        );
    }

    #[test]
    fn a_missing_header_fails_where_the_capture_is_written() {
        let f = capture(&header("etag", "ETag"), &response(&[], "{}")).expect_err("a failure");
        assert_eq!(f.kind, FailureKind::Capture);
        assert_eq!(f.subject, "capture etag");
        assert_eq!(
            f.message,
            "cannot capture `etag`: the response has no header `ETag`"
        );
        assert_eq!(f.pos, Some(POS));
    }

    #[test]
    fn a_json_path_that_selects_nothing_fails() {
        let f = capture(&json_path("id", "$.id"), &response(&[], r#"{"name": "a"}"#))
            .expect_err("a failure");
        assert_eq!(
            f.message,
            "cannot capture `id`: the response has no JSONPath `$.id`"
        );
    }

    #[test]
    fn a_body_that_is_not_json_has_no_json_path() {
        let f = capture(&json_path("id", "$.id"), &response(&[], "id=1")).expect_err("a failure");
        assert_eq!(
            f.message,
            "cannot capture `id`: the response has no JSONPath `$.id`"
        );
    }
}
