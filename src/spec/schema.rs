//! `putcheck schema`: a JSON Schema (2020-12) of the spec format for editors, generated
//! from the same raw types the loader reads, so the two cannot drift.

use schemars::generate::SchemaSettings;

use super::raw::RawSuite;

/// The schema as pretty-printed JSON, ending in a newline.
pub fn json_schema() -> String {
    let generator = SchemaSettings::draft2020_12().for_deserialize().into_generator();
    let schema = generator.into_root_schema_for::<RawSuite>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
