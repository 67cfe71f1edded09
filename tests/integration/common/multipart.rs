//! Multipart bodies read by a real parser (multer), so tests compare parts, not bytes
//! that differ only in their boundary.

/// A part of a multipart body, as multer reads it.
#[derive(Debug, PartialEq)]
pub struct Part {
    pub name: Option<String>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

pub fn parse_multipart(content_type: &str, body: Vec<u8>) -> Vec<Part> {
    let boundary = multer::parse_boundary(content_type).expect("a multipart boundary");
    let stream = futures::stream::once(async move {
        Ok::<bytes::Bytes, std::convert::Infallible>(bytes::Bytes::from(body))
    });
    let mut multipart = multer::Multipart::new(stream, boundary);
    futures::executor::block_on(async {
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.expect("valid multipart") {
            let name = field.name().map(String::from);
            let filename = field.file_name().map(String::from);
            let content_type = field.content_type().map(|m| m.to_string());
            let data = field.bytes().await.expect("part body").to_vec();
            parts.push(Part {
                name,
                filename,
                content_type,
                data,
            });
        }
        parts
    })
}
