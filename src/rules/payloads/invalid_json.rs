//! WAT000 invalid-json: a payload file (or NDJSON line) that is not valid JSON.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::NotJson;

declare_rule! {
    /// ## What it checks
    /// A payload file, or one line of an NDJSON file, that is not valid JSON. The finding
    /// gives the line and column where parsing stopped; the other lines and files are
    /// still checked.
    ///
    /// ## Why it matters
    /// The Cloud API answers a body it cannot parse with error 100 (invalid parameter) and
    /// sends nothing; in a batch, one broken line usually means one customer silently gets
    /// nothing.
    ///
    /// ## Example
    /// ```json
    /// {"messaging_product": "whatsapp", "to": "919876543210", "type": "template",}
    /// ```
    /// A trailing comma is not JSON.
    ///
    /// ## How to fix
    /// Generate payloads with a JSON serializer rather than string templates, or correct
    /// the line at the position given.
    pub static RULE = {
        code: "WAT000", name: "invalid-json", wa_error: Some(100), severity: Error,
        check: Check::File(check),
    }
}

/// The finding for a document or line that does not parse.
pub fn check(fault: &NotJson) -> Diagnostic {
    RULE.diagnostic(
        format!("not valid JSON: {}", fault.reason),
        fault.location.clone(),
    )
    .with_help("correct the JSON at the position given; generate payloads with a JSON serializer")
}
