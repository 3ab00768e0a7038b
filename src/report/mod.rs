//! The report: every finding of a run plus the counts, and one emitter per output format
//! (`text`, `json`). Emitters only format; the counts are computed here once.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};

pub mod json;
pub mod text;

/// Everything a run found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Input files read.
    pub files: u64,
    /// Contact rows read.
    pub rows: u64,
    /// Messages (payloads or hydrated rows) checked.
    pub messages: u64,
    /// Findings, sorted by (path, line, code) once [`Report::finish`] has run.
    pub diagnostics: Vec<Diagnostic>,
}

/// The counts of a report, as in the report contract's `summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Input files read.
    pub files: u64,
    /// Contact rows read.
    pub rows: u64,
    /// Messages checked.
    pub messages: u64,
    /// Findings at `error`.
    pub errors: u64,
    /// Findings at `warning`.
    pub warnings: u64,
    /// Findings at `info`.
    pub infos: u64,
    /// Findings per rule code.
    pub by_code: BTreeMap<&'static str, u64>,
    /// Findings per WhatsApp error code (as a string key, as JSON objects need).
    pub by_wa_error: BTreeMap<String, u64>,
}

impl Report {
    /// Sorts the findings into the contract's order (path, line, code). Stable, so
    /// findings on one line keep the order rules ran in when the codes tie.
    pub fn finish(&mut self) {
        self.diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

    /// The counts.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            files: self.files,
            rows: self.rows,
            messages: self.messages,
            errors: 0,
            warnings: 0,
            infos: 0,
            by_code: BTreeMap::new(),
            by_wa_error: BTreeMap::new(),
        };
        for d in &self.diagnostics {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
            *s.by_code.entry(d.code).or_default() += 1;
            if let Some(code) = d.wa_error {
                *s.by_wa_error.entry(code.to_string()).or_default() += 1;
            }
        }
        s
    }

    /// Whether any finding is at or above `fail_on` (the run then exits 1).
    pub fn fails(&self, fail_on: Severity) -> bool {
        self.diagnostics.iter().any(|d| d.severity >= fail_on)
    }
}
