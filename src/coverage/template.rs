//! OpenAPI path templates (`/pet/{petId}`, `/files/{name}.{ext}`): parsed once, matched
//! against a request's decoded path segments, ranked by how specific they are.

use percent_encoding::percent_decode_str;
use regex::Regex;

/// One `/`-separated piece of a template.
#[derive(Debug)]
enum Segment {
    /// Literal text, percent-decoded: compared with the request's decoded segment.
    Literal(String),
    /// `{id}`: any one non-empty segment.
    Param,
    /// Text and parameters in one segment (`{name}.{ext}`, `v{major}`).
    Mixed(Regex),
}

#[derive(Debug)]
pub struct Template {
    segments: Vec<Segment>,
}

/// How specific a matching template is, segment by segment from the left: a literal
/// beats a segment with text and a parameter, which beats a bare parameter. Smaller is
/// more specific (OpenAPI: concrete paths match before templated ones).
pub type Rank = Vec<u8>;

impl Template {
    pub fn parse(path: &str) -> Result<Template, String> {
        let segments = split(path)
            .map(|seg| {
                if !seg.contains('{') {
                    return Ok(Segment::Literal(decode(seg)));
                }
                if seg.starts_with('{')
                    && seg.ends_with('}')
                    && seg[1..].find('}') == Some(seg.len() - 2)
                {
                    return Ok(Segment::Param);
                }
                let mut pattern = String::from("^");
                let mut rest = seg;
                while let Some(open) = rest.find('{') {
                    let Some(close) = rest[open..].find('}') else {
                        return Err(format!("segment `{seg}` opens a `{{` it does not close"));
                    };
                    pattern.push_str(&regex::escape(&decode(&rest[..open])));
                    // Whether some split of the segment fits is all that counts.
                    pattern.push_str("(.+?)");
                    rest = &rest[open + close + 1..];
                }
                pattern.push_str(&regex::escape(&decode(rest)));
                pattern.push('$');
                Regex::new(&pattern)
                    .map(Segment::Mixed)
                    .map_err(|e| format!("segment `{seg}`: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Template { segments })
    }

    /// The rank of this template for a request's decoded segments, or `None` when it
    /// does not match them.
    pub fn matches(&self, segments: &[String]) -> Option<Rank> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut rank = Vec::with_capacity(segments.len());
        for (t, s) in self.segments.iter().zip(segments) {
            let r = match t {
                Segment::Literal(l) if l == s => 0,
                Segment::Literal(_) => return None,
                Segment::Mixed(re) if re.is_match(s) => 1,
                Segment::Mixed(_) => return None,
                Segment::Param if !s.is_empty() => 2,
                Segment::Param => return None,
            };
            rank.push(r);
        }
        Some(rank)
    }
}

/// The segments of a path after its leading `/`: `/a/b/` → `a`, `b`, `` (a trailing
/// slash is an empty last segment); `/` → one empty segment.
fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// A request path (as sent, percent-encoded) as decoded segments: `%2F` inside a segment
/// stays inside it.
pub fn request_segments(path: &str) -> Vec<String> {
    split(path).map(decode).collect()
}

fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}
