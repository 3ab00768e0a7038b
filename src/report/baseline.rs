//! Baselines, for recurring lists known to be imperfect: `--write-baseline FILE` records
//! every finding of a run by its fingerprint (`report::fingerprint`: rule, path and what
//! the finding is about, not the line), and `--baseline FILE` reports only the findings
//! not recorded there, and counts the recorded ones that no longer occur. A finding that
//! occurs once more than recorded (a second empty phone cell) is new. The file is JSON:
//! `{"version": 1, "tool": …, "findings": [{"fingerprint", "code", "path"}]}`, sorted, so
//! it diffs well under version control; it holds no phone number.

use std::io::{self, Write};
use std::path::Path;

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::Report;
use super::findings::Findings;
use super::fingerprint::Fingerprints;
use crate::error::Error;

/// The version of the baseline file format.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    tool: Tool,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Tool {
    name: String,
    version: String,
}

#[derive(Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    path: String,
    code: String,
    fingerprint: String,
}

/// The fingerprints a baseline file records.
#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: FxHashSet<String>,
}

/// What applying a baseline left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Findings the baseline records, left out of the report.
    pub known: u64,
    /// Baseline entries that no longer occur (fixed since it was written).
    pub gone: u64,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, Error> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: shown.clone(),
            source,
        })?;
        let file: File = serde_json::from_str(&text).map_err(|e| {
            Error::input(
                &shown,
                Some(e.line() as u64),
                format!(
                    "not a walint baseline (an object with version, tool and findings{}); write one with --write-baseline",
                    match e.classify() {
                        serde_json::error::Category::Syntax | serde_json::error::Category::Eof =>
                            ": the JSON does not parse",
                        _ => "",
                    }
                ),
            )
        })?;
        if file.version != VERSION {
            return Err(Error::input(
                &shown,
                None,
                format!(
                    "baseline version {} is not {VERSION}: write it again with --write-baseline",
                    file.version
                ),
            ));
        }
        Ok(Baseline {
            fingerprints: file.findings.into_iter().map(|e| e.fingerprint).collect(),
        })
    }

    /// How many findings it records.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// Whether it records none.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// The report without the findings this baseline records.
    pub fn apply(&self, report: Report) -> io::Result<(Report, Applied)> {
        let mut prints = Fingerprints::default();
        let mut new = Findings::default();
        let mut matched = FxHashSet::default();
        for d in report.diagnostics.sorted()? {
            let d = d?;
            let print = prints.next(&d);
            if self.fingerprints.contains(&print) {
                matched.insert(print);
            } else {
                new.push(d.into_owned());
            }
        }
        let applied = Applied {
            known: matched.len() as u64,
            gone: (self.fingerprints.len() - matched.len()) as u64,
        };
        Ok((
            Report {
                diagnostics: new,
                ..report
            },
            applied,
        ))
    }
}

/// Writes the baseline of `report`: every finding's fingerprint.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut prints = Fingerprints::default();
    let mut findings = Vec::new();
    for d in report.diagnostics.sorted()? {
        let d = d?;
        findings.push(Entry {
            path: d.location.path().to_string(),
            code: d.rule.code.to_string(),
            fingerprint: prints.next(&d),
        });
    }
    findings.sort();
    let file = File {
        version: VERSION,
        tool: Tool {
            name: "walint".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        findings,
    };
    serde_json::to_writer_pretty(&mut *out, &file).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
