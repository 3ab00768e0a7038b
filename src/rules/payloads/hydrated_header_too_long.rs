//! WAT012 hydrated-header-too-long: the text header with the message's value filled in is
//! over 60 characters.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::{describe, first_of, hydrate_with};

/// The longest text header, in characters, after substitution.
pub const LIMIT: usize = 60;

declare_rule! {
    /// ## What it checks
    /// A TEXT header longer than 60 characters once the message's header value is filled
    /// in (characters are Unicode code points). Exactly 60 passes. Without a
    /// header value nothing is hydrated (`header-param-mismatch` reports that).
    ///
    /// ## Why it matters
    /// The header limit applies after substitution: a long value fails the send with
    /// 132005 (hydrated text too long).
    ///
    /// ## Example
    /// ```json
    /// {"type": "header", "parameters": [{"type": "text",
    ///  "text": "Spring Clearance Event for Loyalty Members"}]}
    /// ```
    /// for the header `Our {{1}} is on, don't miss out!`: 69 characters.
    ///
    /// ## How to fix
    /// Shorten the header value, or move long text into the body.
    pub static RULE = {
        code: "WAT012", name: "hydrated-header-too-long", wa_error: Some(132005), severity: Error,
        check: Check::Message { check, campaign: InCampaign::EveryRow },
    }
}

/// Reports a hydrated text header over the limit.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, obj)) = cx.template() else {
        return;
    };
    let Some(header) = t.header().filter(|h| h.header_format() == "TEXT") else {
        return;
    };
    let (Some(text), Some(sent)) = (header.text.as_deref(), first_of(obj, "header")) else {
        return;
    };
    if header.placeholders().is_empty() {
        return;
    }
    let Some(hydrated) = hydrate_with(text, t.is_named(), &sent.params()) else {
        return;
    };
    let chars = hydrated.chars().count();
    if chars > LIMIT {
        out.push(
            RULE.diagnostic(
                format!(
                    "template {} header with its value filled in is {chars} characters, limit {LIMIT}",
                    describe(t)
                ),
                cx.at(&sent.params_pointer()),
            )
            .with_help(format!(
                "shorten the header value by at least {} characters",
                chars - LIMIT
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[{"name":"h","language":"en","status":"APPROVED","components":[
        {"type":"HEADER","format":"TEXT","text":"Our {{1}} is on!"},{"type":"BODY","text":"Hi"}]}]"#;

    fn header(v: &str) -> String {
        format!(r#"[{{"type":"header","parameters":[{{"type":"text","text":"{v}"}}]}}]"#)
    }

    #[test]
    fn over_sixty_fires() {
        // "Our " + v + " is on!" = 11 + len(v).
        let d = findings(&super::RULE, &msg("h", "en", &header(&"x".repeat(50))), REG);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("61 characters, limit 60"),
            "{}",
            d[0].message
        );
        assert_eq!(ptr(&d[0]), "/template/components/0/parameters");
    }

    #[test]
    fn near_misses() {
        assert!(
            findings(&super::RULE, &msg("h", "en", &header(&"x".repeat(49))), REG).is_empty(),
            "exactly 60"
        );
        assert!(findings(&super::RULE, &msg("h", "en", &header(&"é".repeat(49))), REG).is_empty());
        assert!(findings(&super::RULE, &msg("h", "en", "[]"), REG).is_empty());
    }
}
