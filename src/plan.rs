//! Which spec files and tests run: discovery, loading, filters and shards.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use regex::Regex;

use crate::spec::{self, LoadContext, SpecError, Suite};

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("`{0}` does not exist; give spec files or folders (default: `specs`)")]
    Missing(PathBuf),
    #[error("cannot read folder `{0}`: {1}")]
    ReadDir(PathBuf, std::io::Error),
    #[error("no spec files (*.yaml, *.yml) found in {0}")]
    Empty(String),
}

/// Spec files under `paths`: files as given, folders searched recursively for
/// `*.yaml`/`*.yml`; sorted, without duplicates.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PlanError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files)?;
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(PlanError::Missing(p.clone()));
        }
    }
    // One folder comes out of `walk` in order already; several paths may interleave.
    if paths.len() > 1 {
        files.sort();
        files.dedup();
    }
    if files.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
        return Err(PlanError::Empty(names.join(", ")));
    }
    Ok(files)
}

/// Depth first, each folder's entries by name: the files come out in `Path` order.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PlanError> {
    let entries = std::fs::read_dir(dir).map_err(|e| PlanError::ReadDir(dir.to_path_buf(), e))?;
    // The entry's type comes with the folder listing: no `stat` per file.
    let mut entries: Vec<(PathBuf, Option<std::fs::FileType>)> = entries
        .filter_map(Result::ok)
        .map(|e| (e.path(), e.file_type().ok()))
        .collect();
    // By name. The paths share this folder's prefix, so their bytes order as the names
    // do; comparing them as `Path`s (component by component) was a visible part of
    // loading 10,000 files.
    entries.sort_unstable_by(|(a, _), (b, _)| a.as_os_str().cmp(b.as_os_str()));
    for (path, file_type) in entries {
        // Only a symbolic link (or an unknown type) needs a `stat` to tell a folder.
        let is_dir = match file_type {
            Some(t) if !t.is_symlink() => t.is_dir(),
            _ => path.is_dir(),
        };
        if is_dir {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

/// `--partition hash:K/N` or `count:K/N`: this job's share of the spec files.
///
/// Files, not tests, are the unit: tests in a file share captures and run in order.
/// `hash` places a file by the 64-bit FNV-1a hash of its path (with `/` separators),
/// a fixed, documented function, so a file stays in its shard when others are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    Hash { shard: u64, total: u64 },
    Count { shard: u64, total: u64 },
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = || {
            format!("invalid partition `{s}`: expected `hash:K/N` or `count:K/N` with 1 <= K <= N, e.g. `hash:1/3`")
        };
        let (kind, rest) = s.split_once(':').ok_or_else(usage)?;
        let (k, n) = rest.split_once('/').ok_or_else(usage)?;
        let shard: u64 = k.trim().parse().map_err(|_| usage())?;
        let total: u64 = n.trim().parse().map_err(|_| usage())?;
        if shard == 0 || total == 0 || shard > total {
            return Err(usage());
        }
        match kind {
            "hash" => Ok(Partition::Hash { shard, total }),
            "count" => Ok(Partition::Count { shard, total }),
            _ => Err(usage()),
        }
    }
}

/// FNV-1a, 64 bit: stable across versions and platforms, unlike std's hasher.
pub fn stable_hash(text: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = fnv::FnvHasher::default();
    h.write(text.as_bytes());
    h.finish()
}

/// The shard (0-based) of a hash among `total`, from its high 32 bits (`(high × total) >>
/// 32`). Not `hash % total`: FNV-1a's low bits follow the low bits of the bytes alone (its
/// lowest bit is the parity of the bytes' lowest bits), so `% 2` put whole folders of
/// similar names in one shard.
fn hash_shard(hash: u64, total: u64) -> u64 {
    ((hash >> 32) * total) >> 32
}

impl Partition {
    /// Whether the file at `index` (in sorted order) with this path belongs to the shard.
    pub fn includes(&self, index: usize, path: &Path) -> bool {
        match *self {
            Partition::Count { shard, total } => (index as u64) % total == shard - 1,
            Partition::Hash { shard, total } => {
                let key = path.to_string_lossy().replace('\\', "/");
                hash_shard(stable_hash(&key), total) == shard - 1
            }
        }
    }
}

/// `--filter` / `--filter-regex`: which tests of the loaded files run.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub substrings: Vec<String>,
    pub regexes: Vec<Regex>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.substrings.is_empty() && self.regexes.is_empty()
    }

    pub fn matches(&self, id: &str) -> bool {
        self.is_empty()
            || self.substrings.iter().any(|s| id.contains(s.as_str()))
            || self.regexes.iter().any(|r| r.is_match(id))
    }
}

/// A loaded suite and the indices of its tests that run.
#[derive(Debug, Clone)]
pub struct PlannedSuite {
    pub suite: Arc<Suite>,
    pub selected: Vec<usize>,
}

/// The test identifier users filter on and reports show: `file::name`.
pub fn test_id(suite: &Suite, name: &str) -> String {
    format!("{}::{name}", suite.path.display())
}

#[derive(Debug, Default, Clone)]
pub struct Plan {
    pub suites: Vec<PlannedSuite>,
    /// Files that could not be loaded, with all their errors.
    pub invalid: Vec<(PathBuf, Vec<SpecError>)>,
}

impl Plan {
    pub fn test_count(&self) -> usize {
        self.suites.iter().map(|s| s.selected.len()).sum()
    }

    /// Whether a selected test generates its bodies (`generate:`), so the run's seed matters.
    pub fn generates(&self) -> bool {
        self.suites.iter().any(|s| {
            s.selected
                .iter()
                .any(|&i| s.suite.tests.get(i).is_some_and(|t| t.generate.is_some()))
        })
    }

    /// `finally` steps of the files that run (a file runs when a test of it is selected);
    /// each runs once, after that file's tests.
    pub fn finally_count(&self) -> usize {
        self.suites.iter().map(|s| s.suite.finally.len()).sum()
    }
}

/// Loads the files (in parallel: parsing and schema compilation are CPU work) and applies
/// the partition and filters.
pub fn build(
    files: &[PathBuf],
    ctx: &LoadContext,
    partition: Option<Partition>,
    filter: &Filter,
) -> Plan {
    use rayon::prelude::*;
    let files: Vec<&PathBuf> = files
        .iter()
        .enumerate()
        .filter(|(i, p)| partition.is_none_or(|part| part.includes(*i, p)))
        .map(|(_, p)| p)
        .collect();
    let loaded: Vec<(PathBuf, Result<Suite, Vec<SpecError>>)> = files
        .par_iter()
        .map(|p| ((*p).clone(), spec::load_file(p, ctx)))
        .collect();
    let mut plan = Plan::default();
    for (path, result) in loaded {
        match result {
            Ok(suite) => {
                let selected = select_tests(&suite, filter);
                if !selected.is_empty() {
                    plan.suites.push(PlannedSuite {
                        suite: Arc::new(suite),
                        selected,
                    });
                }
            }
            Err(errors) => plan.invalid.push((path, errors)),
        }
    }
    plan
}

/// Tests whose id matches, plus the earlier tests that capture what they use (a
/// filtered test must still get its variables), transitively.
fn select_tests(suite: &Suite, filter: &Filter) -> Vec<usize> {
    if filter.is_empty() {
        return (0..suite.tests.len()).collect();
    }
    let mut keep: Vec<bool> = suite
        .tests
        .iter()
        .map(|t| filter.matches(&test_id(suite, &t.name)))
        .collect();
    let mut needed: Vec<&str> = Vec::new();
    for (i, t) in suite.tests.iter().enumerate().rev() {
        if !keep[i] && t.capture.iter().any(|c| needed.contains(&c.name.as_str())) {
            keep[i] = true;
        }
        if keep[i] {
            needed.extend(t.uses.iter().map(String::as_str));
        }
    }
    keep.iter()
        .enumerate()
        .filter(|(_, k)| **k)
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_walks_folders_in_path_order_and_follows_linked_folders() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        for f in [
            "b.yml",
            "a-b.yaml",
            "a/z.yaml",
            "a/c/x.yaml",
            "notes.txt",
            "t/q.yaml",
        ] {
            let path = root.join(f);
            std::fs::create_dir_all(path.parent().unwrap_or(root))?;
            std::fs::write(path, "tests: []")?;
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("t"), root.join("linked"))?;
        let found = discover(&[root.to_path_buf()]).map_err(std::io::Error::other)?;
        let mut sorted = found.clone();
        sorted.sort();
        assert_eq!(found, sorted, "a folder's files come out in Path order");
        let names: Vec<String> = found
            .iter()
            .filter_map(|p| p.strip_prefix(root).ok())
            .map(|p| p.display().to_string())
            .collect();
        let mut expected = vec!["a/c/x.yaml", "a/z.yaml", "a-b.yaml", "b.yml"];
        if cfg!(unix) {
            expected.push("linked/q.yaml");
        }
        expected.push("t/q.yaml");
        assert_eq!(names, expected);
        // Two paths that overlap: sorted, each file once.
        let both =
            discover(&[root.join("t"), root.to_path_buf()]).map_err(std::io::Error::other)?;
        assert_eq!(both.len(), found.len());
        Ok(())
    }

    #[test]
    fn partition_parses_and_rejects() {
        assert_eq!(
            "hash:1/3".parse(),
            Ok(Partition::Hash { shard: 1, total: 3 })
        );
        assert_eq!(
            "count:3/3".parse(),
            Ok(Partition::Count { shard: 3, total: 3 })
        );
        assert!("hash:0/3".parse::<Partition>().is_err());
        assert!("hash:4/3".parse::<Partition>().is_err());
        assert!("mod:1/3".parse::<Partition>().is_err());
    }

    #[test]
    fn hash_shards_are_even_for_names_that_differ_in_one_character() {
        for total in [2u64, 3, 4] {
            let mut counts = vec![0u32; total as usize];
            for i in 0..200 {
                let name = format!("specs/api/widget-{i}.yaml");
                counts[hash_shard(stable_hash(&name), total) as usize] += 1;
            }
            let even = 200 / total as u32;
            for c in &counts {
                assert!(c.abs_diff(even) < even / 3, "{total} shards: {counts:?}");
            }
        }
    }

    #[test]
    fn fnv_is_the_documented_function() {
        assert_eq!(stable_hash(""), 0xcbf29ce484222325);
        assert_eq!(stable_hash("a"), 0xaf63dc4c8601ec8c);
    }
}
