//! `walint rules` and `walint explain`: renders the rule catalogue and the WhatsApp
//! error-code catalogue for people (and, for `rules --format json`, for tools). It reads
//! only the two catalogues.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use crate::rules::{self, Rule};
use crate::wa_error::{self, WaError};

#[derive(Serialize)]
struct RuleEntry {
    code: &'static str,
    name: &'static str,
    family: &'static str,
    severity: &'static str,
    wa_error: Option<u32>,
    summary: String,
}

/// Writes the rule catalogue as a table, or as a JSON array.
pub fn write_rules(json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        let entries: Vec<RuleEntry> = rules::all()
            .iter()
            .map(|r| RuleEntry {
                code: r.code,
                name: r.name,
                family: r.family(),
                severity: r.severity.as_str(),
                wa_error: r.wa_error,
                summary: r.summary(),
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &entries)?;
        return out.write_all(b"\n");
    }
    writeln!(
        out,
        "{:<7} {:<22} {:<8} {:<7} summary",
        "code", "name", "severity", "error"
    )?;
    for r in rules::all() {
        let wa = r
            .wa_error
            .map_or_else(|| "-".to_string(), |c| c.to_string());
        writeln!(
            out,
            "{:<7} {:<22} {:<8} {:<7} {}",
            r.code,
            r.name,
            r.severity.as_str(),
            wa,
            r.summary()
        )?;
    }
    Ok(())
}

/// Every rule's documentation as one Markdown page, as `docs/rules.md` holds it (a test
/// keeps the two equal): a heading per rule, `## WAC001 phone-not-e164`, whose anchor
/// (`#wac001-phone-not-e164`) SARIF's help URIs point at.
pub fn rules_markdown() -> String {
    let mut md = String::from(
        "# walint rules

Generated from the rule catalogue by `walint rules --format markdown`; \
         do not edit by hand. `walint explain CODE` prints the same text.\n\n",
    );
    for r in rules::all() {
        let wa = r
            .wa_error
            .map_or_else(|| "none".to_string(), |c| format!("`{c}`"));
        md.push_str(&format!(
            "## {} {}\n\nFamily: {} · default severity: {} · WhatsApp error prevented: {wa}\n\n{}\n\n",
            r.code,
            r.name,
            r.family(),
            r.severity.as_str(),
            demoted(&r.documentation())
        ));
    }
    md
}

/// A rule's documentation with its `##` sections one level down, under the rule's heading.
fn demoted(doc: &str) -> String {
    doc.lines()
        .map(|l| match l.starts_with("## ") {
            true => format!("#{l}"),
            false => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The explanation of a rule (by code or name) or of a WhatsApp error code.
pub fn explain(what: &str) -> Option<String> {
    if let Some(rule) = rules::find(what) {
        return Some(explain_rule(rule));
    }
    let code: u32 = what.trim().parse().ok()?;
    wa_error::lookup(code).map(|e| explain_error(code, e))
}

fn explain_rule(rule: &Rule) -> String {
    let mut s = format!(
        "{} {} ({}, default severity {})\n",
        rule.code,
        rule.name,
        rule.family(),
        rule.severity
    );
    if let Some(e) = rule.wa_error.and_then(wa_error::lookup) {
        let _ = writeln!(
            s,
            "Prevents WhatsApp error {}: {}",
            rule.wa_error.unwrap_or(e.code),
            e.title
        );
    }
    let _ = write!(s, "\n{}\n", rule.documentation());
    s
}

fn explain_error(code: u32, e: &WaError) -> String {
    let mut s = format!("WhatsApp error {code}: {}\n", e.title);
    if e.last != e.code {
        let _ = writeln!(s, "(one of the codes {}–{})", e.code, e.last);
    }
    let _ = writeln!(
        s,
        "Category: {}   Retry: {}",
        e.category.as_str(),
        e.retry.as_str()
    );
    if let Some(status) = e.http_status {
        let _ = writeln!(s, "HTTP status: {status}");
    }
    let _ = write!(s, "\n{}\n\nWhat to do: {}\n", e.meaning, e.action);
    let preventing: Vec<String> = rules::all()
        .iter()
        .filter(|r| r.wa_error == Some(code) || r.other_wa_errors.contains(&code))
        .map(|r| format!("  {} {}", r.code, r.name))
        .collect();
    if !preventing.is_empty() {
        let _ = write!(
            s,
            "\nwalint rules that prevent it:\n{}\n",
            preventing.join("\n")
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_rules_and_codes() {
        let rule = explain("WAC001").unwrap();
        assert!(
            rule.contains("phone-not-e164")
                && rule.contains("## How to fix")
                && rule.contains("131026")
        );
        assert_eq!(explain("phone-not-e164"), Some(rule));
        let code = explain("131026").unwrap();
        assert!(code.contains("WAC001 phone-not-e164") && code.contains("WAC002"));
        assert!(explain("WAX999").is_none());
        assert!(explain("999999999").is_none());
    }

    #[test]
    fn rules_table_and_json_list_every_rule() {
        let mut text = Vec::new();
        write_rules(false, &mut text).unwrap();
        let mut json = Vec::new();
        write_rules(true, &mut json).unwrap();
        let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(parsed.as_array().unwrap().len(), rules::all().len());
        let text = String::from_utf8(text).unwrap();
        assert!(rules::all().iter().all(|r| text.contains(r.code)));
    }
}
