//! `--format gitlab`: GitLab Code Quality, the JSON array a CI job publishes with
//! `artifacts: reports: codequality:` so merge requests show the findings. Each entry:
//! `description`, `check_name` (the rule's code), `fingerprint` (`report::fingerprint`,
//! unique per finding and stable when rows move), `severity` (error → `major`, warning →
//! `minor`, info → `info`) and `location.path` / `location.lines.begin`. Streamed, one
//! entry at a time; phone numbers masked unless `--no-redact`.
//!
//! Source: GitLab's "Code Quality" documentation, "Implement a custom tool" (the report
//! format: required `description`, `check_name`, `fingerprint`, `severity` one of info,
//! minor, major, critical, blocker, `location.path`, `location.lines.begin`);
//! `schemas/gitlab-codequality.schema.json` holds those requirements for the tests.

use std::io::{self, Write};

use serde_json::json;

use super::fingerprint::Fingerprints;
use super::{Report, Shown};
use crate::diagnostic::{Location, Severity};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// Writes the Code Quality report.
pub fn write(report: &Report, shown: &Shown, out: &mut dyn Write) -> io::Result<()> {
    let mut prints = Fingerprints::default();
    out.write_all(b"[")?;
    let mut first = true;
    for d in report.diagnostics.sorted()? {
        let d = d?;
        let fingerprint = prints.next(&d);
        let d = shown.show(&d);
        let line = match &d.location {
            Location::Csv { line, .. } => Some(*line),
            Location::Json { line, .. } | Location::File { line, .. } => *line,
        };
        let description = match &d.help {
            Some(help) => format!("{}: {} (help: {help})", d.rule.name, d.message),
            None => format!("{}: {}", d.rule.name, d.message),
        };
        let entry = json!({
            "description": description,
            "check_name": d.rule.code,
            "fingerprint": fingerprint,
            "severity": severity(d.severity),
            "location": {
                "path": d.location.path(),
                "lines": { "begin": line.unwrap_or(1).max(1) },
            },
        });
        out.write_all(if first { b"\n  " } else { b",\n  " })?;
        first = false;
        serde_json::to_writer(&mut *out, &entry).map_err(io::Error::other)?;
    }
    out.write_all(if first { b"]\n" } else { b"\n]\n" })
}
