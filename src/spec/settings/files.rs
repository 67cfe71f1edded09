//! `files`: multipart file parts, field → a path, or `{ path | content, filename,
//! content_type }`; the model is the transport's [`FilePart`]. `files` is part of the
//! body (`body.rs` says how it combines with `data` and how bodies merge).

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

use super::{path, report, unknown_key};
use crate::spec::de::{Entries, Label, Spanned, Yaml};
use crate::spec::error_kind::ErrorKind;
use crate::spec::yaml::{Kind, Node};
use crate::spec::{FilePart, FileSource};

/// `files`, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Files(pub Vec<FilePart>);

pub struct FileMap;
impl Label for FileMap {
    const EXPECTING: &'static str = "a map of form field names to files";
}

impl<'de> Deserialize<'de> for Files {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let written = Entries::<Yaml, FileMap>::deserialize(d)?;
        Ok(Files(
            written
                .into_valid()
                .filter_map(|(field, v)| file_part(field, &v.value.0))
                .collect(),
        ))
    }
}

fn file_part(field: Spanned<String>, node: &Node) -> Option<FilePart> {
    let pos = node.pos;
    match &node.kind {
        Kind::Str(p) => Some(FilePart {
            field: field.value,
            source: FileSource::Path(path::existing(p, pos, "file")),
            filename: None,
            content_type: None,
        }),
        Kind::Map(entries) => {
            let allowed = ["path", "content", "filename", "content_type"];
            for (k, _) in entries {
                if !allowed.contains(&k.name.as_str()) {
                    unknown_key(k, &allowed, &format!("files.{}", field.value));
                }
            }
            let text = |k: &str| node.get(k).and_then(Node::scalar_text);
            let source = match (text("path"), text("content")) {
                (Some(p), None) => FileSource::Path(path::existing(&p, pos, "file")),
                (None, Some(c)) => FileSource::Content(c),
                _ => {
                    report(
                        pos,
                        ErrorKind::FilePartSource {
                            field: field.value.clone(),
                        },
                    );
                    return None;
                }
            };
            Some(FilePart {
                field: field.value,
                source,
                filename: text("filename"),
                content_type: text("content_type"),
            })
        }
        _ => {
            report(
                pos,
                ErrorKind::WrongShape {
                    expected: "a path or a map with `path` or `content`".into(),
                    key: Some(format!("files.{}", field.value)),
                    found: node.found(),
                },
            );
            None
        }
    }
}

impl JsonSchema for Files {
    fn schema_name() -> Cow<'static, str> {
        "Files".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "additionalProperties": {
                "anyOf": [
                    { "type": "string" },
                    {
                        "type": "object",
                        "properties": {
                            "path": { "type": "string" },
                            "content": { "type": "string" },
                            "filename": { "type": "string" },
                            "content_type": { "type": "string" }
                        },
                        "additionalProperties": false
                    }
                ]
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::spec::settings::testing::{errors, request};
    use crate::spec::{BodySpec, FilePart, FileSource};

    #[test]
    fn a_path_or_a_part_with_content() {
        let r = request(
            "tests:\n  - put: http://h/x\n    files:\n      a: Cargo.toml\n      b: { content: hi, filename: b.txt, content_type: text/plain }\n",
        );
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            r.body,
            BodySpec::Multipart {
                fields: Vec::new(),
                files: vec![
                    FilePart {
                        field: "a".into(),
                        source: FileSource::Path(root.join("Cargo.toml")),
                        filename: None,
                        content_type: None,
                    },
                    FilePart {
                        field: "b".into(),
                        source: FileSource::Content("hi".into()),
                        filename: Some("b.txt".into()),
                        content_type: Some("text/plain".into()),
                    },
                ],
            }
        );
    }

    #[test]
    fn wrong_parts() {
        assert_eq!(
            errors("tests:\n  - put: http://h/x\n    files:\n      a: { path: Cargo.toml, content: x }\n      b: { content: x, name: y }\n      c: 1\n"),
            [
                "4:10: `files.a` needs exactly one of `path` and `content`",
                "5:24: unknown key `name` in `files.b`; allowed here: path, content, filename, content_type",
                "6:10: expected a path or a map with `path` or `content` for `files.c`, found the number `1`",
            ]
        );
    }
}
