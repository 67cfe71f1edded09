//! Reporters: console, JUnit XML and JSON, each a consumer of the runner's events.

pub mod console;
pub mod json;
pub mod junit;
mod spill;

use crate::run::Event;

/// Something that turns run events into output. Errors (a report file that cannot be
/// written) are kept and returned by `finish`, so one broken reporter doesn't stop others.
pub trait Reporter {
    fn report(&mut self, event: &Event);
    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write the {what} report to `{path}`: {source}")]
    Write {
        what: &'static str,
        path: String,
        source: std::io::Error,
    },
}

/// Fans each event out to every reporter.
#[derive(Default)]
pub struct Reporters(pub Vec<Box<dyn Reporter>>);

impl Reporters {
    pub fn report(&mut self, event: &Event) {
        for r in &mut self.0 {
            r.report(event);
        }
    }

    pub fn finish(&mut self) -> Vec<ReportError> {
        self.0.iter_mut().filter_map(|r| r.finish().err()).collect()
    }
}

/// A buffered writer on a report's file (its folder created), or on stdout for `-`.
fn open_output(path: &str, what: &'static str) -> Result<Box<dyn std::io::Write>, ReportError> {
    let err = |source| ReportError::Write {
        what,
        path: path.to_string(),
        source,
    };
    if path == "-" {
        return Ok(Box::new(std::io::BufWriter::new(std::io::stdout())));
    }
    if let Some(dir) = std::path::Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let file = std::fs::File::create(path).map_err(err)?;
    Ok(Box::new(std::io::BufWriter::new(file)))
}

/// A copy-paste `curl` command that repeats the request (credentials masked).
pub fn curl_command(req: &crate::run::RequestRecord) -> String {
    fn q(s: &str) -> String {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
    let mut parts = vec![
        "curl".to_string(),
        "-X".into(),
        req.method.clone(),
        q(&req.url),
    ];
    for (k, v) in &req.headers {
        parts.push("-H".into());
        parts.push(q(&format!("{k}: {v}")));
    }
    if let Some(file) = &req.body_file {
        parts.push("--data-binary".into());
        parts.push(q(&format!("@{file}")));
    } else if req.body_size > req.body_preview.len() {
        // The preview is cut short: sending it would not reproduce the request.
        parts.push("--data-binary".into());
        parts.push("@body".into());
        return format!(
            "{}  # the {}-byte body is too long to show here: save it as ./body",
            parts.join(" "),
            req.body_size
        );
    } else if !req.body_preview.is_empty() {
        parts.push("--data-binary".into());
        parts.push(q(&req.body_preview));
    }
    parts.join(" ")
}
