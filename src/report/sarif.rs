//! `--format sarif`: the report as a SARIF 2.1.0 log (OASIS), the format GitHub code
//! scanning (`github/codeql-action/upload-sarif`) and other CI dashboards read. One run;
//! `tool.driver.rules` is the whole rule catalogue (each rule's summary, documentation,
//! help URI and WhatsApp error code as a property); each result names its rule by id and
//! index, its level (error / warning / note), its place as a path relative to the source
//! root (`%SRCROOT%`) with the line (and column where known), the fix when there is one,
//! and `partialFingerprints` from `report::fingerprint`, so alerts survive rows moving.
//! Phone numbers are masked unless `--no-redact`. Validated against the official schema
//! (`schemas/sarif/`) by the tests.

use std::io::{self, Write};

use rustc_hash::FxHashMap;
use serde_json::{Value, json};

use super::fingerprint::Fingerprints;
use super::{Report, Shown};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::rules::{self, Rule};

/// Where the rules' documentation lives: `docs/rules.md` in the repository, one heading
/// per rule.
pub fn help_uri(rule: &Rule) -> String {
    format!(
        "{}/blob/main/docs/rules.md#{}-{}",
        env!("CARGO_PKG_REPOSITORY"),
        rule.code.to_ascii_lowercase(),
        rule.name
    )
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(rule: &Rule) -> Value {
    let doc = rule.documentation();
    let summary = rule.summary();
    let mut properties = json!({ "tags": [rule.family()] });
    if let Some(code) = rule.wa_error {
        properties["wa_error"] = json!(code);
    }
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": summary },
        "fullDescription": { "text": summary },
        "help": { "text": doc, "markdown": doc },
        "helpUri": help_uri(rule),
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": properties,
    })
}

/// A relative path as a URI reference: `/` separators, and every byte outside RFC 3986's
/// unreserved characters percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn region(d: &Diagnostic) -> Option<Value> {
    let (line, col) = match &d.location {
        Location::Csv { line, .. } => (Some(*line), None),
        Location::Json { line, col, .. } => (*line, *col),
        Location::File { line, .. } => (*line, None),
    };
    let line = line.filter(|l| *l > 0)?;
    let mut region = json!({ "startLine": line });
    if let Some(col) = col.filter(|c| *c > 0) {
        region["startColumn"] = json!(col);
    }
    Some(region)
}

fn result(d: &Diagnostic, index: usize, fingerprint: String) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str(&format!(" (help: {help})"));
    }
    let mut physical = json!({
        "artifactLocation": { "uri": uri(d.location.path()), "uriBaseId": "%SRCROOT%" },
    });
    if let Some(region) = region(d) {
        physical["region"] = region;
    }
    let mut properties = json!({ "name": d.rule.name });
    if let Some(code) = d.wa_error {
        properties["wa_error"] = json!(code);
    }
    match &d.location {
        Location::Csv { row, column, .. } => {
            properties["row"] = json!(row);
            if let Some(column) = column {
                properties["column"] = json!(column.as_ref());
            }
        }
        Location::Json { pointer, .. } => properties["pointer"] = json!(pointer),
        Location::File { .. } => {}
    }
    if let Some(fix) = &d.fix {
        properties["fix"] = json!(fix.replacement);
    }
    json!({
        "ruleId": d.rule.code,
        "ruleIndex": index,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": physical }],
        "partialFingerprints": { "walint/v1": fingerprint },
        "properties": properties,
    })
}

/// Writes the SARIF log, one result at a time (the findings are never all in memory).
pub fn write(report: &Report, shown: &Shown, out: &mut dyn Write) -> io::Result<()> {
    let catalogue = rules::all();
    let mut run = json!({
        "tool": { "driver": {
            "name": "walint",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": env!("CARGO_PKG_REPOSITORY"),
            "rules": catalogue.iter().map(|r| descriptor(r)).collect::<Vec<_>>(),
        }},
        "columnKind": "unicodeCodePoints",
    });
    if let Some(base) = &shown.base_uri {
        run["originalUriBaseIds"] = json!({ "%SRCROOT%": { "uri": base } });
    }
    let run = serde_json::to_string(&run).map_err(io::Error::other)?;
    // The run without its closing brace, then its results written one by one.
    out.write_all(
        br#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":["#,
    )?;
    out.write_all(&run.as_bytes()[..run.len() - 1])?;
    out.write_all(br#","results":["#)?;
    // Each result names its rule's index in `rules`, looked up once per rule.
    let index: FxHashMap<&str, usize> = (catalogue.iter().enumerate())
        .map(|(i, r)| (r.code, i))
        .collect();
    let mut prints = Fingerprints::default();
    let mut first = true;
    for d in report.diagnostics.sorted()? {
        let d = d?;
        let fingerprint = prints.next(&d);
        let d = shown.show(&d);
        let index = index.get(d.rule.code).copied().unwrap_or_default();
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut *out, &result(&d, index, fingerprint))
            .map_err(io::Error::other)?;
    }
    out.write_all(b"]}]}\n")
}
