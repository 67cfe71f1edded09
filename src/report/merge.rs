//! `putcheck merge-reports`: the JSON reports of the shards of one suite (`--partition`)
//! become the one report a person opens: JSON, JUnit or HTML, as a run writes them.
//!
//! The JSON report is the lossless input: it holds every test with its sends, requests,
//! responses and failures, and every invalid spec file with its errors. What the JSON
//! does not hold is read from the spec files when they are there (the spec line shown
//! under a failure). JUnit's `curl:` line comes from the tests' `shell` requests, which
//! a shard's JSON report holds when it ran with `--curl` or `--junit`.
//!
//! Counts add up, tests keep their file order (files in path order, as one run of the
//! same folder orders them, and steps in file order), and a test that ran in more than
//! one shard is kept from each and named in a warning. Reports of another format
//! version are refused. A top-level section this putcheck does not know (written by a
//! newer one) is carried through unchanged when every input has the same, else dropped
//! with a note.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::file::{open_output, FileReport, Format};
use super::html::Html;
use super::json::{Json, SCHEMA_VERSION};
use super::junit::JunitXml;
use super::{ReportError, Reporters};
use crate::diagnostic::Sources;
use crate::run::{Event, Summary, TestResult};
use crate::spec::{ErrorKind, Pos, SpecError};

/// The top-level keys this putcheck writes and merges.
const KNOWN: &[&str] = &[
    "schema_version",
    "tool",
    "version",
    "summary",
    "invalid_files",
    "tests",
];

/// Which reports to write.
#[derive(Debug, Default)]
pub struct Outputs {
    pub json: Option<String>,
    pub junit: Option<String>,
    pub html: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to write: give --json PATH, --junit PATH or --html PATH (or several)")]
    NoOutput,
    #[error("cannot read the report `{path}`: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("`{path}` is not a putcheck JSON report: {why}; give the files that `putcheck --json PATH` wrote")]
    NotAReport { path: String, why: String },
    #[error("`{path}` is a putcheck report of format version {found}, and this putcheck reads version {SCHEMA_VERSION}: merge the reports with the putcheck that wrote them (docs/report-format.md)")]
    Version { path: String, found: String },
    #[error(transparent)]
    Write(#[from] ReportError),
}

/// The merged run, ready to be written.
pub struct Merged {
    pub summary: Summary,
    pub tests: Vec<TestResult>,
    pub invalid: Vec<(String, Vec<SpecError>)>,
    /// Unknown top-level sections every input had the same of.
    pub carried: Map<String, Value>,
    /// Warnings and notes for stderr: duplicates, dropped sections.
    pub notes: Vec<String>,
}

/// One input report, parsed.
struct Input {
    path: String,
    summary: Summary,
    tests: Vec<TestResult>,
    invalid: Vec<(String, Vec<SpecError>)>,
    rest: Map<String, Value>,
}

#[derive(serde::Deserialize)]
struct InvalidFile {
    file: String,
    errors: Vec<SpecErrorRecord>,
}

#[derive(serde::Deserialize)]
struct SpecErrorRecord {
    line: u64,
    column: u64,
    message: String,
    help: Option<String>,
}

fn read(path: &Path) -> Result<Input, MergeError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| MergeError::Read {
        path: name.clone(),
        source,
    })?;
    let not = |why: String| MergeError::NotAReport {
        path: name.clone(),
        why,
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| not(format!("not JSON ({e})")))?;
    let Value::Object(mut map) = value else {
        return Err(not("not a JSON object".into()));
    };
    if map.get("tool").and_then(Value::as_str) != Some("putcheck") {
        return Err(not("it has no `\"tool\": \"putcheck\"`".into()));
    }
    match map.get("schema_version") {
        Some(v) if v.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {}
        Some(v) => {
            return Err(MergeError::Version {
                path: name,
                found: v.to_string(),
            })
        }
        None => return Err(not("it has no `schema_version`".into())),
    }
    let mut take = |key: &str| map.remove(key).unwrap_or(Value::Null);
    let field = |key: &str, e: serde_json::Error| {
        not(format!("its `{key}` is not as a report writes it ({e})"))
    };
    let summary: Summary =
        serde_json::from_value(take("summary")).map_err(|e| field("summary", e))?;
    let tests: Vec<TestResult> =
        serde_json::from_value(take("tests")).map_err(|e| field("tests", e))?;
    let invalid: Vec<InvalidFile> =
        serde_json::from_value(take("invalid_files")).map_err(|e| field("invalid_files", e))?;
    let invalid = invalid
        .into_iter()
        .map(|f| {
            let text: Option<std::sync::Arc<str>> =
                std::fs::read_to_string(&f.file).ok().map(Into::into);
            let errors = f
                .errors
                .into_iter()
                .map(|e| {
                    let pos = Pos {
                        line: e.line,
                        column: e.column,
                    };
                    // The JSON has the words, not the kind, nor the span's end.
                    let kind = ErrorKind::Recorded {
                        message: e.message,
                        help: e.help,
                    };
                    let err = SpecError::new(Path::new(&f.file), pos, kind);
                    match &text {
                        Some(text) => err.with_source(text.clone()),
                        None => err,
                    }
                })
                .collect();
            (f.file, errors)
        })
        .collect();
    for key in KNOWN {
        map.remove(*key);
    }
    Ok(Input {
        path: name,
        summary,
        tests,
        invalid,
        rest: map,
    })
}

/// Reads and merges the reports, in the order given (which only decides whose
/// duplicate comes first).
pub fn merge(paths: &[PathBuf]) -> Result<Merged, MergeError> {
    let inputs = paths
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut notes = Vec::new();
    let mut summary = Summary::default();
    for i in &inputs {
        let s = &i.summary;
        summary.passed += s.passed;
        summary.failed += s.failed;
        summary.flaky += s.flaky;
        summary.errored += s.errored;
        summary.skipped += s.skipped;
        summary.finally_steps += s.finally_steps;
        summary.interrupted += s.interrupted;
        summary.invalid_files += s.invalid_files;
        summary.files += s.files;
        // The shards ran side by side: the merged run took as long as the longest.
        summary.time = summary.time.max(s.time);
        if summary.signal.is_none() {
            summary.signal = s.signal.clone();
        }
    }
    // Unknown sections: carried when every input agrees.
    let mut carried = Map::new();
    let mut keys: Vec<&String> = inputs.iter().flat_map(|i| i.rest.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let values: Vec<Option<&Value>> = inputs.iter().map(|i| i.rest.get(key)).collect();
        match values.first() {
            Some(Some(first)) if values.iter().all(|v| *v == Some(*first)) => {
                carried.insert(key.clone(), (*first).clone());
            }
            _ => notes.push(format!(
                "note: the reports' `{key}` sections are not all the same, and this putcheck does not know how to merge them: the merged JSON report leaves `{key}` out"
            )),
        }
    }
    // Tests in file order; where each came from, for duplicates.
    let mut tests: Vec<(usize, TestResult)> = inputs
        .iter()
        .enumerate()
        .flat_map(|(n, i)| i.tests.iter().cloned().map(move |t| (n, t)))
        .collect();
    tests.sort_by(|(na, a), (nb, b)| {
        Path::new(&a.file)
            .cmp(Path::new(&b.file))
            .then(a.seq.1.cmp(&b.seq.1))
            .then(na.cmp(nb))
    });
    // A test in more than one input: named, by file and by the inputs it came from.
    let mut seen: BTreeMap<(&str, usize), (&str, Vec<usize>)> = BTreeMap::new();
    for (n, t) in &tests {
        let entry = seen
            .entry((t.file.as_str(), t.seq.1))
            .or_insert((t.name.as_str(), Vec::new()));
        entry.1.push(*n);
    }
    let mut twice: BTreeMap<(&str, Vec<usize>), Vec<&str>> = BTreeMap::new();
    for ((file, _), (name, from)) in seen {
        if from.len() > 1 {
            twice.entry((file, from)).or_default().push(name);
        }
    }
    for ((file, from), names) in twice {
        let inputs: Vec<&str> = from.iter().map(|n| inputs[*n].path.as_str()).collect();
        let mut listed: Vec<String> = names.iter().take(5).map(|n| format!("`{n}`")).collect();
        if names.len() > 5 {
            listed.push(format!("and {} more", names.len() - 5));
        }
        notes.push(format!(
            "warning: {} of `{file}` ran in {} shards ({}): {}; were the shards given the same --partition, or one report twice? Each run is kept, and counted",
            crate::report::explain::count(names.len(), "test"),
            from.len(),
            inputs.join(", "),
            listed.join(", ")
        ));
    }
    // `seq` numbers the merged run's files, as one run numbers its own.
    let mut file_index = 0;
    let mut last: Option<String> = None;
    let tests: Vec<TestResult> = tests
        .into_iter()
        .map(|(_, mut t)| {
            if last.as_deref() != Some(t.file.as_str()) {
                if last.is_some() {
                    file_index += 1;
                }
                last = Some(t.file.clone());
            }
            t.seq.0 = file_index;
            t
        })
        .collect();
    let mut invalid: Vec<(String, Vec<SpecError>)> =
        inputs.into_iter().flat_map(|i| i.invalid).collect();
    invalid.sort_by(|a, b| Path::new(&a.0).cmp(Path::new(&b.0)));
    Ok(Merged {
        summary,
        tests,
        invalid,
        carried,
        notes,
    })
}

/// Writes the merged run as the asked-for reports.
pub fn write(merged: &Merged, outputs: &Outputs) -> Result<(), MergeError> {
    if outputs.json.is_none() && outputs.junit.is_none() && outputs.html.is_none() {
        return Err(MergeError::NoOutput);
    }
    // Spec lines under failures, when the spec files are here (as they are now: the
    // reports do not hold their text).
    let mut files: Vec<&str> = merged.tests.iter().map(|t| t.file.as_str()).collect();
    files.sort_unstable();
    files.dedup();
    let sources = Sources::new(files.into_iter().filter_map(|f| {
        let text = std::fs::read_to_string(f).ok()?;
        Some((f.to_string(), Arc::from(text)))
    }));
    let mut reporters = Reporters::default();
    if let Some(path) = &outputs.junit {
        reporters
            .0
            .push(Box::new(FileReport::new(path, JunitXml::default())));
    }
    if let Some(path) = &outputs.html {
        reporters
            .0
            .push(Box::new(FileReport::new(path, Html::default())));
    }
    let mut json = outputs.json.as_ref().map(|path| (path, Json::default()));
    let tests = merged.tests.iter().filter(|t| !t.finally).count();
    reporters.report(&Event::RunStarted {
        files: merged.summary.files,
        tests,
        finally_steps: merged.tests.len() - tests,
        jobs: 0,
        seed: None,
        sources,
    });
    for (file, errors) in &merged.invalid {
        reporters.report(&Event::SuiteInvalid {
            file: file.clone(),
            errors: errors.clone(),
        });
    }
    for t in &merged.tests {
        if let Some((_, j)) = json.as_mut() {
            j.add(t);
        }
        reporters.report(&Event::TestFinished(Arc::new(t.clone())));
    }
    reporters.report(&Event::RunFinished(merged.summary.clone()));
    if let Some((path, mut j)) = json {
        write_json(merged, path, &mut j)?;
    }
    match reporters.finish().into_iter().next() {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// The JSON report as a run writes it, with the carried sections before `tests`.
fn write_json(merged: &Merged, path: &str, json: &mut Json) -> Result<(), MergeError> {
    let err = |source| ReportError::Write {
        what: Json::WHAT,
        path: path.to_string(),
        source,
    };
    let run = super::file::Collected {
        invalid: merged.invalid.clone(),
        summary: merged.summary.clone(),
        coverage: None,
        // The JSON report has no snippets.
        sources: Sources::default(),
    };
    let mut text = Vec::new();
    json.write(&run, &mut text).map_err(err)?;
    if !merged.carried.is_empty() {
        let value: Value =
            serde_json::from_slice(&text).map_err(|e| err(std::io::Error::other(e)))?;
        let Value::Object(map) = value else {
            return Err(err(std::io::Error::other("the report is not an object")).into());
        };
        let mut out = Map::new();
        for (k, v) in map {
            if k == "tests" {
                for (ck, cv) in &merged.carried {
                    out.insert(ck.clone(), cv.clone());
                }
            }
            out.insert(k, v);
        }
        text = serde_json::to_vec_pretty(&Value::Object(out))
            .map_err(|e| err(std::io::Error::other(e)))?;
        text.push(b'\n');
    }
    let mut out = open_output(path, Json::WHAT)?;
    out.write_all(&text).map_err(err)?;
    out.flush().map_err(err)?;
    Ok(())
}
