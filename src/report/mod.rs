//! The report: every finding of a run plus the counts, and one emitter per output format
//! (`text`, `json`, `sarif`, `github`, `junit`, `gitlab`). Emitters only format; the counts
//! are kept as findings arrive ([`findings`]), and the findings are read back in the
//! contract's order. What every emitter shares — fingerprints, the redaction of phone
//! numbers, baselines — has a module of its own.

use std::collections::BTreeMap;

use serde::Serialize;

use self::findings::Findings;

use crate::diagnostic::Severity;

pub mod baseline;
pub mod findings;
pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod redact;
pub mod sarif;
mod spill;
pub mod text;

/// How an emitter shows the findings, beyond their content.
#[derive(Debug, Clone, Default)]
pub struct Shown {
    /// Mask phone numbers (`report::redact`).
    pub redact: bool,
    /// The absolute `file://` URI the relative paths start from (SARIF's `%SRCROOT%`).
    pub base_uri: Option<String>,
    /// The lowest severity that fails the run (`--fail-on`): JUnit fails only the test
    /// cases of such findings, as walint's exit code does.
    pub fail_on: crate::diagnostic::Severity,
}

impl Shown {
    /// The finding as the emitters show it: numbers masked when `redact`.
    pub fn show<'d>(
        &self,
        d: &'d crate::diagnostic::Diagnostic,
    ) -> std::borrow::Cow<'d, crate::diagnostic::Diagnostic> {
        match self.redact {
            true => redact::redacted(d),
            false => std::borrow::Cow::Borrowed(d),
        }
    }
}

/// Everything a run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Input files read.
    pub files: u64,
    /// Contact rows read.
    pub rows: u64,
    /// Messages (payloads or hydrated rows) checked.
    pub messages: u64,
    /// Templates of the registries given as paths, linted.
    pub templates: u64,
    /// Findings; [`Findings::sorted`] reads them in (path, line, code) order.
    pub diagnostics: Findings,
    /// What happened to the media links, when the run met any.
    pub media: Option<MediaSummary>,
    /// Files found by walking a directory that walint skipped, each with why (a JSON file
    /// that is neither payloads nor a template registry, such as a `package.json`). The
    /// CLI says them on standard error; they are not findings.
    pub skipped: Vec<String>,
}

/// The media links of a run and how many were probed: never a silent pass, so links that
/// were not probed (`--offline`, the budget spent) are counted and said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MediaSummary {
    /// Distinct links met.
    pub links: u64,
    /// Links probed in this run.
    pub probed: u64,
    /// Links whose result came from the media cache.
    pub cached: u64,
    /// Links not requested because their host is not public (each a WAM011 finding).
    pub refused: u64,
    /// Links not probed.
    pub not_probed: u64,
    /// Whether `--offline` was given.
    pub offline: bool,
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
    /// The media links and how many were probed (absent when the run met none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaSummary>,
    /// Templates of registries given as paths, linted (text summaries say them; not in
    /// the JSON report's contract).
    #[serde(skip)]
    pub templates: u64,
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
            media: self.media.clone(),
            templates: self.templates,
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
