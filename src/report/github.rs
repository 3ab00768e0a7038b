//! `--format github`: GitHub Actions workflow commands, so findings show as annotations on
//! the pull request (`::error file=…,line=…,title=…::message`). GitHub shows at most 10
//! annotations of each type (error, warning, notice) per step, so the first 10 of each are
//! annotations, every finding is also a plain log line, and one notice counts what was not
//! annotated. With `GITHUB_STEP_SUMMARY` set, a Markdown summary is appended to that file:
//! counts by rule and by WhatsApp error code, and the first findings of each rule.
//! Phone numbers are masked unless `--no-redact`.
//!
//! Source for the commands, their escaping and the limit: GitHub's "Workflow commands for
//! GitHub Actions" (docs.github.com/actions/reference/workflows-and-actions/workflow-commands)
//! and "Annotations" limits (10 warning, 10 error and 10 notice annotations per step).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use super::text::{plural, scope};
use super::{Report, Shown};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::{rules, wa_error};

/// Annotations GitHub shows per type and step.
pub const ANNOTATIONS_PER_TYPE: usize = 10;

/// Findings of each rule listed in the step summary.
const SUMMARY_EXAMPLES: usize = 5;

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// A command's message: `%`, CR and LF escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: as [`data`], and `:` and `,` too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

fn place(d: &Diagnostic) -> (Option<u64>, Option<u64>) {
    match &d.location {
        Location::Csv { line, .. } => (Some(*line), None),
        Location::Json { line, col, .. } => (*line, *col),
        Location::File { line, .. } => (*line, None),
    }
}

fn annotation(d: &Diagnostic) -> String {
    let mut props = format!("file={}", property(d.location.path()));
    let (line, col) = place(d);
    if let Some(line) = line.filter(|l| *l > 0) {
        props.push_str(&format!(",line={line}"));
        if let Some(col) = col.filter(|c| *c > 0) {
            props.push_str(&format!(",col={col}"));
        }
    }
    let title = match d.wa_error {
        Some(code) => format!("{} {} (WhatsApp {code})", d.rule.code, d.rule.name),
        None => format!("{} {}", d.rule.code, d.rule.name),
    };
    props.push_str(&format!(",title={}", property(&title)));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    format!("::{} {props}::{}", command(d.severity), data(&message))
}

/// One finding as a plain log line.
fn line(d: &Diagnostic) -> String {
    let at = match place(d).0 {
        Some(line) => format!("{}:{line}", d.location.path()),
        None => d.location.path().to_string(),
    };
    let text = format!("{at}: {} {}: {}", d.rule.code, d.severity, d.message);
    // A line that looked like a workflow command would run as one.
    super::text::printable(&text).replace("::", ": :")
}

/// Writes the annotations and log lines; appends the step summary to `summary_file` when
/// given (the `GITHUB_STEP_SUMMARY` file).
pub fn write(
    report: &Report,
    shown: &Shown,
    summary_file: Option<&Path>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut annotated: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut left: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut examples: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let tally = report.diagnostics.tally();
    // With findings left unannotated, one notice slot is kept for the count of them.
    let overflow = [tally.errors, tally.warnings, tally.infos]
        .iter()
        .any(|n| *n > ANNOTATIONS_PER_TYPE as u64);
    for d in report.diagnostics.sorted()? {
        let d = d?;
        let d = shown.show(&d);
        let kind = command(d.severity);
        let cap = match (kind, overflow) {
            ("notice", true) => ANNOTATIONS_PER_TYPE - 1,
            _ => ANNOTATIONS_PER_TYPE,
        };
        let n = annotated.entry(kind).or_default();
        if *n < cap {
            *n += 1;
            writeln!(out, "{}", annotation(&d))?;
        } else {
            *left.entry(kind).or_default() += 1;
            writeln!(out, "{}", line(&d))?;
        }
        let listed = examples.entry(d.rule.code).or_default();
        if listed.len() < SUMMARY_EXAMPLES {
            listed.push(line(&d));
        }
    }
    if !left.is_empty() {
        let counts: Vec<String> = left
            .iter()
            .map(|(kind, n)| format!("{n} {kind}{}", if *n == 1 { "" } else { "s" }))
            .collect();
        writeln!(
            out,
            "::notice title=walint::{} more findings than GitHub shows as annotations ({}): all are in this step's log above{}",
            left.values().sum::<u64>(),
            counts.join(", "),
            if summary_file.is_some() {
                " and counted in the step summary"
            } else {
                ""
            }
        )?;
    }
    writeln!(out, "walint: {}", totals(report))?;
    if let Some(path) = summary_file {
        // The annotations are out: a summary file that cannot be written is said, not a
        // failure of the run.
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .and_then(|mut file| file.write_all(step_summary(report, &examples).as_bytes()));
        if let Err(e) = appended {
            eprintln!(
                "walint: warning: GITHUB_STEP_SUMMARY {}: {e}; no step summary written",
                path.display()
            );
        }
    }
    Ok(())
}

/// `Checked 1 file, 201 rows, 201 messages: 22 errors, 3 warnings, 1 info`.
fn totals(report: &Report) -> String {
    let s = report.summary();
    format!(
        "Checked {}: {}, {}, {}",
        scope(&s),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info")
    )
}

/// A Markdown table cell: `|` escaped, on one line.
fn cell(text: &str) -> String {
    super::text::printable(text)
        .replace('|', "\\|")
        .replace('`', "'")
}

/// The Markdown step summary.
pub fn step_summary(report: &Report, examples: &BTreeMap<&'static str, Vec<String>>) -> String {
    let summary = report.summary();
    let mut md = String::from("## walint\n\n");
    md.push_str(&format!("{}.\n\n", totals(report)));
    if summary.by_code.is_empty() {
        md.push_str("No findings.\n");
        return md;
    }
    md.push_str("| rule | name | WhatsApp error | findings |\n| --- | --- | --- | ---: |\n");
    for (code, n) in &summary.by_code {
        let rule = rules::find(code);
        md.push_str(&format!(
            "| {code} | {} | {} | {n} |\n",
            rule.map_or("", |r| r.name),
            rule.and_then(|r| r.wa_error)
                .map_or_else(String::new, |c| c.to_string())
        ));
    }
    md.push_str("\n| WhatsApp error | meaning | findings |\n| --- | --- | ---: |\n");
    for (code, n) in &summary.by_wa_error {
        let title = code
            .parse()
            .ok()
            .and_then(wa_error::lookup)
            .map_or("", |e| e.title);
        md.push_str(&format!("| {code} | {} | {n} |\n", cell(title)));
    }
    md.push_str("\n### First findings of each rule\n\n");
    for (code, lines) in examples {
        md.push_str(&format!("**{code}**\n\n"));
        for l in lines {
            md.push_str(&format!("- `{}`\n", cell(l)));
        }
        md.push('\n');
    }
    md
}
