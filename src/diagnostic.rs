//! The finding model every rule produces and every emitter consumes: [`Diagnostic`],
//! its [`Severity`], its typed [`Location`] (a CSV cell or a JSON value) and an optional
//! machine-applicable [`Fix`]. This module only describes findings; it does not decide
//! which rules run (see `rules`) nor how findings are printed (see `report`).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::rules::Rule;

/// How serious a finding is. Ordered: `Info < Warning < Error`; the default (what fails a
/// run unless `--fail-on` says otherwise) is `Error`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never blocks a send.
    Info,
    /// Likely to cost deliveries or money; the send may still go through.
    Warning,
    /// The message will be rejected or dropped by WhatsApp.
    #[default]
    Error,
}

impl Severity {
    /// The lowercase name used in reports and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `info`, `warning` or `error` (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is, in the input it was found in.
///
/// Serialises as the `location` object of the report contract: a CSV cell gives the
/// physical `line`, the 1-based data `row` and the header name as `column`; a JSON
/// value gives the RFC 6901 `pointer` and, where known, `line`/`col`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Location {
    /// A cell (or a whole row, when `column` is `None`) of a CSV file.
    Csv {
        /// The file, as given on the command line.
        path: Arc<str>,
        /// The 1-based physical line the row starts on (the header is line 1).
        line: u64,
        /// The 1-based data row (the first row after the header is row 1).
        row: u64,
        /// The header name of the cell's column, when the finding is about one cell.
        #[serde(skip_serializing_if = "Option::is_none")]
        column: Option<Arc<str>>,
        /// In a spreadsheet, the sheet and the cell as Excel names them (then `line` is the
        /// sheet's row number).
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        sheet: Option<SheetCell>,
    },
    /// A value inside a JSON document.
    Json {
        /// The file, as given on the command line.
        path: Arc<str>,
        /// RFC 6901 JSON pointer to the offending value (`""` is the whole document).
        pointer: String,
        /// 1-based line of the value in the file, where known.
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<u64>,
        /// 1-based column (in characters) of the value, where known.
        #[serde(skip_serializing_if = "Option::is_none")]
        col: Option<u64>,
    },
    /// A whole file, or a place in it given only by line (configuration, lists).
    File {
        /// The file, as given on the command line.
        path: Arc<str>,
        /// 1-based line, where known.
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<u64>,
    },
}

impl Location {
    /// The file the location is in.
    pub fn path(&self) -> &str {
        match self {
            Location::Csv { path, .. }
            | Location::Json { path, .. }
            | Location::File { path, .. } => path,
        }
    }

    /// The 1-based line, or 0 when the location has none (sorts first).
    pub fn line(&self) -> u64 {
        match self {
            Location::Csv { line, .. } => *line,
            Location::Json { line, .. } | Location::File { line, .. } => line.unwrap_or(0),
        }
    }
}

/// Where a row or cell of a spreadsheet is: the sheet, and the cell as an Excel reference
/// without the sheet (`B7`; a whole row is `7:7`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetCell {
    /// The sheet's name.
    pub sheet: Arc<str>,
    /// The cell (`B7`) or row (`7:7`).
    pub cell: String,
}

impl SheetCell {
    /// The full reference as Excel writes it: `Sheet1!B7`, `'My list'!B7`.
    pub fn reference(&self) -> String {
        let plain = self
            .sheet
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if plain {
            format!("{}!{}", self.sheet, self.cell)
        } else {
            format!("'{}'!{}", self.sheet.replace('\'', "''"), self.cell)
        }
    }
}

/// A machine-applicable correction: replace the located value with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// The value that should stand where the location points.
    pub replacement: String,
}

/// One finding: which rule, how bad, which WhatsApp error it prevents, where, why and how to fix.
///
/// Serialises as one entry of the report's `diagnostics`: the rule's `code` and `name`,
/// then the fields below in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that found it.
    pub rule: &'static Rule,
    /// Severity after configuration overrides.
    pub severity: Severity,
    /// The numeric WhatsApp error code the finding prevents (`null` where none).
    pub wa_error: Option<u32>,
    /// What is wrong, for this particular value.
    pub message: String,
    /// What to do about it.
    pub help: Option<Cow<'static, str>>,
    /// Where it is.
    pub location: Location,
    /// A replacement that fixes it, when one is certain.
    pub fix: Option<Fix>,
    /// What the finding is about, as a hash that stays the same when rows move: for a
    /// contact row, its recipient (the normalised number, else the cell as written). Not in
    /// the JSON report; the fingerprints of `sarif`, `gitlab` and baselines are made from
    /// it (`report::fingerprint`), so inserting a row does not make every later finding new.
    pub subject: Option<u64>,
}

/// A diagnostic as the report writes it.
#[derive(Serialize)]
struct Written<'a> {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    wa_error: Option<u32>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    location: &'a Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a Fix>,
}

impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Written {
            code: self.rule.code,
            name: self.rule.name,
            severity: self.severity,
            wa_error: self.wa_error,
            message: &self.message,
            help: self.help.as_deref(),
            location: &self.location,
            fix: self.fix.as_ref(),
        }
        .serialize(serializer)
    }
}

impl Diagnostic {
    /// The rule's code, e.g. `WAC001`.
    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    /// The rule's kebab-case name, e.g. `phone-not-e164`.
    pub fn name(&self) -> &'static str {
        self.rule.name
    }

    /// Orders two findings as [`Diagnostic::sort_key`] does, without comparing the bytes
    /// of a path the two share (the common case: findings of one file).
    pub fn report_order(&self, other: &Diagnostic) -> std::cmp::Ordering {
        let (a, b) = (self.location.path(), other.location.path());
        let by_path = if std::ptr::eq(a, b) {
            std::cmp::Ordering::Equal
        } else {
            a.cmp(b)
        };
        by_path
            .then(self.location.line().cmp(&other.location.line()))
            .then(self.rule.code.cmp(other.rule.code))
            .then(self.message.cmp(&other.message))
    }

    /// The ordering the report contract promises: path, line, code (then message, for ties).
    pub fn sort_key(&self) -> (&str, u64, &'static str, &str) {
        (
            self.location.path(),
            self.location.line(),
            self.rule.code,
            &self.message,
        )
    }
}
