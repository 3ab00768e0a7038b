//! WAT015 unsupported-message-type: a message whose `type` is not one the Cloud API sends.

use serde_json::Value;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;

declare_rule! {
    /// ## What it checks
    /// A message whose `type` is not one of the types the Cloud API sends: `text`, `image`,
    /// `audio`, `video`, `document`, `sticker`, `location`, `contacts`, `interactive`,
    /// `template` or `reaction`. Types are compared exactly: `Template` is not `template`
    /// (the finding then offers the lower-case form as its fix). A message without `type`
    /// is a text message, as the API defaults to `text`; a `type` that is not a string is
    /// left to WAT016 payload-schema.
    ///
    /// ## Why it matters
    /// The Cloud API refuses the whole request with 131051 (unsupported message type), so
    /// nobody the payload is meant for receives anything. A typo in a generator's `type`
    /// fails every message of the campaign.
    ///
    /// ## Example
    /// ```json
    /// {"messaging_product": "whatsapp", "to": "+919876543210", "type": "templates",
    ///  "template": {"name": "order_update", "language": {"code": "en"}}}
    /// ```
    ///
    /// ## How to fix
    /// Set `type` to one of the supported types, written in lower case — `template` for a
    /// template message — and send the matching object (`template`, `text`, `image`…).
    pub static RULE = {
        code: "WAT015", name: "unsupported-message-type", wa_error: Some(131051), severity: Error,
        check: Check::Message { check, campaign: InCampaign::Never },
    }
}

/// The message types the Cloud API sends.
pub const MESSAGE_TYPES: &[&str] = &[
    "text",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "contacts",
    "interactive",
    "template",
    "reaction",
];

/// Reports a `type` that is not a supported message type.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some(kind) = cx.message.get("type").and_then(Value::as_str) else {
        return;
    };
    if MESSAGE_TYPES.contains(&kind) {
        return;
    }
    let shown = shorten(kind);
    let lower = kind.trim().to_ascii_lowercase();
    let d = if MESSAGE_TYPES.contains(&lower.as_str()) {
        RULE.diagnostic(
            format!("message type \"{shown}\" is not supported; types are lower case: `{lower}`"),
            cx.at("/type"),
        )
        .with_help(format!("write `\"type\": \"{lower}\"`"))
        .with_fix(lower)
    } else {
        RULE.diagnostic(
            format!(
                "message type \"{shown}\" is not supported (the Cloud API sends {})",
                MESSAGE_TYPES.join(", ")
            ),
            cx.at("/type"),
        )
        .with_help("set `type` to a supported type; `template` for a template message")
    };
    out.push(d);
}

/// At most 40 characters of a value, for a message (also used by WAT016 and WAT017).
pub(crate) fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::diagnostic::{Diagnostic, Location};
    use crate::template::TemplateRegistry;

    fn findings(message: Value) -> Vec<Diagnostic> {
        crate::rules::payloads::test_support::run_check(
            super::check,
            &message,
            &TemplateRegistry::default(),
        )
    }

    fn typed(kind: Value) -> Value {
        json!({"messaging_product": "whatsapp", "to": "+919876543210", "type": kind})
    }

    #[test]
    fn unknown_types_fire() {
        for kind in ["templates", "button", "", "order", "text "] {
            let d = findings(typed(json!(kind)));
            assert_eq!(d.len(), 1, "{kind:?}");
            assert_eq!(d[0].code(), "WAT015");
            assert_eq!(d[0].wa_error, Some(131051));
            assert!(
                d[0].message.contains("is not supported"),
                "{}",
                d[0].message
            );
            assert!(matches!(&d[0].location, Location::Json { pointer, .. } if pointer == "/type"));
        }
        let d = findings(typed(json!("templates")));
        assert!(d[0].fix.is_none());
    }

    #[test]
    fn wrong_case_offers_the_lower_case_type() {
        let d = findings(typed(json!("Template")));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("lower case"), "{}", d[0].message);
        assert_eq!(d[0].fix.as_ref().unwrap().replacement, "template");
    }

    #[test]
    fn near_misses() {
        for kind in super::MESSAGE_TYPES {
            assert!(findings(typed(json!(kind))).is_empty(), "{kind}");
        }
        let no_type = json!({"messaging_product": "whatsapp", "to": "+919876543210",
                             "text": {"body": "hi"}});
        assert!(findings(no_type).is_empty(), "absent type defaults to text");
        assert!(
            findings(typed(json!(7))).is_empty(),
            "a non-string is WAT016's"
        );
        assert!(findings(json!([1, 2])).is_empty());
    }

    #[test]
    fn long_values_are_shortened() {
        let d = findings(typed(json!("x".repeat(500))));
        assert!(d[0].message.len() < 300);
        assert!(d[0].message.contains('…'));
    }
}
