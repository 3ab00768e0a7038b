//! WAT018 text-body-too-long: a free-form text message whose body exceeds 4096 characters.

use serde_json::Value;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;

declare_rule! {
    /// ## What it checks
    /// A free-form text message (`type` `text`, or no `type`, which defaults to text) whose
    /// `text.body` is longer than 4096 characters. Characters are Unicode scalar values:
    /// an emoji or an accented letter counts once, however many bytes it takes.
    ///
    /// ## Why it matters
    /// The Cloud API caps a text message body at 4096 characters and refuses a longer one
    /// with 100 (invalid parameter): the recipient gets nothing.
    ///
    /// ## Example
    /// ```json
    /// {"messaging_product": "whatsapp", "to": "+919876543210", "type": "text",
    ///  "text": {"body": "…5,000 characters of terms and conditions…"}}
    /// ```
    ///
    /// ## How to fix
    /// Shorten the body, split it over several messages, or send a link (with
    /// `preview_url`) or a document instead.
    pub static RULE = {
        code: "WAT018", name: "text-body-too-long", wa_error: Some(100), severity: Error,
        check: Check::Message { check, campaign: InCampaign::EveryRow },
    }
}

/// The longest text message body the Cloud API accepts, in characters.
pub const MAX_TEXT_BODY_CHARS: usize = 4096;

/// Reports a text body over the limit.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let text_type = match cx.message.get("type") {
        None => true,
        Some(kind) => kind.as_str() == Some("text"),
    };
    if !text_type {
        return;
    }
    let Some(body) = cx.message.pointer("/text/body").and_then(Value::as_str) else {
        return;
    };
    // A character takes at least one byte: short bodies need no counting.
    if body.len() <= MAX_TEXT_BODY_CHARS {
        return;
    }
    let chars = body.chars().count();
    if chars > MAX_TEXT_BODY_CHARS {
        out.push(
            RULE.diagnostic(
                format!(
                    "text body has {chars} characters, {} over the limit of {MAX_TEXT_BODY_CHARS}",
                    chars - MAX_TEXT_BODY_CHARS
                ),
                cx.at("/text/body"),
            )
            .with_help(
                "shorten the body, split it into several messages, or send a link or a document",
            ),
        );
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

    fn text(kind: Option<&str>, body: &str) -> Value {
        let mut m = json!({"messaging_product": "whatsapp", "to": "+919876543210",
                           "text": {"body": body}});
        if let Some(kind) = kind {
            m["type"] = json!(kind);
        }
        m
    }

    #[test]
    fn over_4096_characters_fires_with_the_count() {
        let d = findings(text(Some("text"), &"a".repeat(4097)));
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].code(), d[0].wa_error), ("WAT018", Some(100)));
        assert!(
            d[0].message.contains("4097 characters, 1 over"),
            "{}",
            d[0].message
        );
        assert!(
            matches!(&d[0].location, Location::Json { pointer, .. } if pointer == "/text/body")
        );
        let d = findings(text(None, &"é".repeat(5000)));
        assert!(
            d[0].message.contains("5000 characters"),
            "no type means text"
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(text(Some("text"), &"a".repeat(4096))).is_empty());
        // 4096 characters of 4 bytes each: 16384 bytes, still within the limit.
        assert!(findings(text(Some("text"), &"😀".repeat(4096))).is_empty());
        assert!(
            findings(text(Some("template"), &"a".repeat(5000))).is_empty(),
            "only text messages"
        );
        assert!(findings(json!({"type": "text", "text": {"body": 5}})).is_empty());
        assert!(findings(json!({"type": "text", "text": "plain"})).is_empty());
    }
}
