//! `--format junit`: JUnit XML, which most CI systems (GitLab, Jenkins, Azure, CircleCI)
//! show as test results. One `<testsuite>` per file with findings, one `<testcase>` per
//! rule that found something in it (`classname` the file, `name` the rule's code and
//! name), failed with the count and the findings (the first 100 listed; the rest
//! counted) when one of them is at or above `--fail-on` — as walint's exit code says —
//! else passing with the findings in its `<system-out>`; a run without findings is one
//! passing test case. The document is held until
//! its counts are known, which is bounded: a file's test cases are at most the rules, each
//! with at most 100 findings listed. Phone numbers masked unless
//! `--no-redact`. Text is escaped with quick-xml, and characters XML 1.0 cannot carry
//! (control characters from an input) are written as `\u{…}` first.

use std::collections::BTreeMap;
use std::io::{self, Write};

use quick_xml::escape::escape;

use super::text::printable;
use super::{Report, Shown};
use crate::diagnostic::{Diagnostic, Location};

/// Findings listed in one test case's failure text.
const LISTED: usize = 100;

/// One rule's findings in one file.
#[derive(Default)]
struct Case {
    name: &'static str,
    count: u64,
    listed: Vec<String>,
    /// A finding at or above `--fail-on`.
    fails: bool,
}

fn xml(text: &str) -> String {
    escape(printable(text).as_ref()).into_owned()
}

fn line(d: &Diagnostic) -> String {
    let at = match &d.location {
        Location::Csv { line, row, .. } => format!("line {line} (row {row})"),
        Location::Json { pointer, line, .. } => match line {
            Some(l) => format!("line {l} (at {pointer})"),
            None => format!("at {pointer}"),
        },
        Location::File { line: Some(l), .. } => format!("line {l}"),
        Location::File { line: None, .. } => "file".to_string(),
    };
    let mut text = format!("{at}: {}: {}", d.severity, d.message);
    if let Some(fix) = &d.fix {
        text.push_str(&format!(" (fix: {})", fix.replacement));
    }
    text
}

/// Writes the JUnit XML document.
pub fn write(report: &Report, shown: &Shown, out: &mut dyn Write) -> io::Result<()> {
    let total = report.diagnostics.tally();
    let mut suites = String::new();
    let mut case_count = 0u64;
    let mut failure_count = 0u64;
    let mut current: Option<(String, BTreeMap<&'static str, Case>)> = None;
    let mut flush = |current: Option<(String, BTreeMap<&'static str, Case>)>,
                     suites: &mut String| {
        if let Some((path, cases)) = current {
            case_count += cases.len() as u64;
            failure_count += cases.values().filter(|c| c.fails).count() as u64;
            suite(&path, &cases, suites);
        }
    };
    for d in report.diagnostics.sorted()? {
        let d = d?;
        let d = shown.show(&d);
        let path = d.location.path();
        if current.as_ref().is_none_or(|(p, _)| p != path) {
            flush(current.take(), &mut suites);
            current = Some((path.to_string(), BTreeMap::new()));
        }
        if let Some((_, cases)) = current.as_mut() {
            let case = cases.entry(d.rule.code).or_default();
            case.name = d.rule.name;
            case.count += 1;
            case.fails |= d.severity >= shown.fail_on;
            if case.listed.len() < LISTED {
                case.listed.push(line(&d));
            }
        }
    }
    flush(current.take(), &mut suites);
    let findings = total.total();
    let tests = case_count.max(1);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="walint" tests="{tests}" failures="{failure_count}" errors="0">"#
    )?;
    if findings == 0 {
        let summary = report.summary();
        writeln!(
            out,
            r#"  <testsuite name="walint" tests="1" failures="0" errors="0" skipped="0">
    <testcase classname="walint" name="walint check ({} files, {} rows, {} messages)"/>
  </testsuite>"#,
            summary.files, summary.rows, summary.messages
        )?;
    }
    out.write_all(suites.as_bytes())?;
    writeln!(out, "</testsuites>")
}

fn suite(path: &str, cases: &BTreeMap<&'static str, Case>, out: &mut String) {
    let path = xml(path);
    out.push_str(&format!(
        "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
        cases.len(),
        cases.values().filter(|c| c.fails).count()
    ));
    for (code, case) in cases {
        let plural = if case.count == 1 { "" } else { "s" };
        // A failing case carries its findings in <failure>, a passing one in <system-out>.
        let (open, close) = match case.fails {
            true => (
                format!(
                    "<failure type=\"{code}\" message=\"{} finding{plural}\">",
                    case.count
                ),
                "</failure>",
            ),
            false => ("<system-out>".to_string(), "</system-out>"),
        };
        out.push_str(&format!(
            "    <testcase classname=\"{path}\" name=\"{code} {}\">\n      {open}",
            case.name
        ));
        for l in &case.listed {
            out.push_str(&xml(l));
            out.push('\n');
        }
        if case.count > case.listed.len() as u64 {
            out.push_str(&format!(
                "… and {} more\n",
                case.count - case.listed.len() as u64
            ));
        }
        out.push_str(close);
        out.push_str("\n    </testcase>\n");
    }
    out.push_str("  </testsuite>\n");
}
