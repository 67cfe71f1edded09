//! `putcheck schema`: a JSON Schema (2020-12) of the spec format for editors, generated
//! from the same raw types the loader reads, so the two cannot drift.

use schemars::generate::SchemaSettings;

use super::raw::RawSuite;

/// The schema as pretty-printed JSON, ending in a newline.
pub fn json_schema() -> String {
    let generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let schema = generator.into_root_schema_for::<RawSuite>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// A spec file's YAML as putcheck reads it (YAML 1.2, anchors and merges resolved), as
/// JSON: the document `json_schema` describes.
pub fn spec_as_json(source: &str) -> Result<serde_json::Value, String> {
    let describe = |e: &super::yaml::SyntaxError| {
        format!("{}:{}: {}", e.span.start.line, e.span.start.column, e.kind)
    };
    match super::yaml::parse(source) {
        Ok((node, duplicates)) => match duplicates.first() {
            None => Ok(node.to_value()),
            Some(e) => Err(describe(e)),
        },
        Err(e) => Err(describe(&e)),
    }
}
