//! The report: every finding of a run plus the counts, and one emitter per output format
//! (`text`, `json`). Emitters only format; the counts are kept as findings arrive
//! ([`findings`]), and the findings are read back in the contract's order.

use std::collections::BTreeMap;

use serde::Serialize;

use self::findings::Findings;

use crate::diagnostic::Severity;

pub mod findings;
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
    /// Findings; [`Findings::sorted`] reads them in (path, line, code) order.
    pub diagnostics: Findings,
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
    /// The counts.
    pub fn summary(&self) -> Summary {
        let tally = self.diagnostics.tally();
        Summary {
            files: self.files,
            rows: self.rows,
            messages: self.messages,
            errors: tally.errors,
            warnings: tally.warnings,
            infos: tally.infos,
            by_code: tally.by_code.clone(),
            by_wa_error: tally
                .by_wa_error
                .iter()
                .map(|(code, n)| (code.to_string(), *n))
                .collect(),
        }
    }

    /// Whether any finding is at or above `fail_on` (the run then exits 1).
    pub fn fails(&self, fail_on: Severity) -> bool {
        self.diagnostics
            .tally()
            .worst()
            .is_some_and(|worst| worst >= fail_on)
    }
}
