//! WAT000 invalid-json: a payload file, NDJSON line or array element that is not valid
//! JSON, or a message over the size walint reads.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::NotJson;

declare_rule! {
    /// ## What it checks
    /// A payload file, one line of an NDJSON file, or one element of a JSON array, that is
    /// not valid JSON, or a message longer than walint reads (1 MiB by default, `[limits]
    /// message_bytes` in walint.toml). The finding gives the line and column where parsing
    /// stopped; the other lines, elements and files are still checked (where the array
    /// itself breaks — a missing `,`, a trailing comma — the elements after it are not).
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
