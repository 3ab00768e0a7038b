//! WAT011 hydrated-body-too-long: the template body with the message's values filled in
//! is over 1024 characters.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::{describe, first_of, hydrate_with};

/// The longest body Meta sends, in characters, after substitution.
pub const LIMIT: usize = 1024;

declare_rule! {
    /// ## What it checks
    /// A template body longer than 1024 characters once the message's values are filled
    /// in. Variables are replaced by position for a POSITIONAL template, by
    /// `parameter_name` for a NAMED one, with the `text` of a text parameter or the
    /// `fallback_value` of a currency or date_time; characters are Unicode code points
    /// (`é` or `🙂` is one). Exactly 1024 passes. When a variable has no value the body is not hydrated (the count rules
    /// report that).
    ///
    /// ## Why it matters
    /// The 1024-character limit applies after substitution: a template approved at 900
    /// characters fails at send time with 132005 (hydrated text too long) as soon as one
    /// recipient's values are long — typically a long name or address.
    ///
    /// ## Example
    /// A body of 1000 characters with `{{1}}` filled with a 30-character product name:
    /// 1025 characters.
    ///
    /// ## How to fix
    /// Shorten or truncate the values (or the template text) so that the filled body stays
    /// within 1024 characters.
    pub static RULE = {
        code: "WAT011", name: "hydrated-body-too-long", wa_error: Some(132005), severity: Error,
        check: Check::Message { check, campaign: InCampaign::EveryRow },
    }
}

/// Reports a hydrated body over the limit.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, obj)) = cx.template() else {
        return;
    };
    let (Some(text), Some(sent)) = (
        t.body().and_then(|b| b.text.as_deref()),
        first_of(obj, "body"),
    ) else {
        return;
    };
    let Some(hydrated) = hydrate_with(text, t.is_named(), &sent.params()) else {
        return;
    };
    let chars = hydrated.chars().count();
    if chars > LIMIT {
        out.push(
            RULE.diagnostic(
                format!(
                    "template {} body with its values filled in is {chars} characters, limit {LIMIT}",
                    describe(t)
                ),
                cx.at(&sent.params_pointer()),
            )
            .with_help(format!(
                "shorten the values by at least {} characters",
                chars - LIMIT
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    fn reg(body: &str, named: bool) -> String {
        let format = if named {
            r#""parameter_format":"NAMED","#
        } else {
            ""
        };
        format!(
            r#"[{{"name":"long","language":"en","status":"APPROVED",{format}"components":[{{"type":"BODY","text":"{body}"}}]}}]"#
        )
    }

    fn body(values: &[&str]) -> String {
        let ps: Vec<String> = values
            .iter()
            .map(|v| format!(r#"{{"type":"text","text":"{v}"}}"#))
            .collect();
        format!(r#"[{{"type":"body","parameters":[{}]}}]"#, ps.join(","))
    }

    #[test]
    fn over_the_limit_fires_with_the_count() {
        // 1000 + 25 characters of values = 1025.
        let registry = reg(&format!("{}{{{{1}}}}", "a".repeat(1000)), false);
        let d = findings(
            &super::RULE,
            &msg("long", "en", &body(&[&"b".repeat(25)])),
            &registry,
        );
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("1025 characters, limit 1024"),
            "{}",
            d[0].message
        );
        assert_eq!(ptr(&d[0]), "/template/components/0/parameters");
        // Currency fallback values count, and named values go by name.
        let registry = reg(&format!("{}{{{{price}}}}", "a".repeat(1020)), true);
        let comps = r#"[{"type":"body","parameters":[{"type":"currency","parameter_name":"price",
            "currency":{"fallback_value":"$12.50","code":"USD","amount_1000":12500}}]}]"#;
        assert!(
            findings(&super::RULE, &msg("long", "en", comps), &registry)[0]
                .message
                .contains("1026")
        );
    }

    #[test]
    fn boundaries_and_near_misses() {
        let registry = reg(&format!("{}{{{{1}}}}", "a".repeat(1000)), false);
        assert!(
            findings(
                &super::RULE,
                &msg("long", "en", &body(&[&"b".repeat(24)])),
                &registry
            )
            .is_empty()
        );
        // 1024 multi-byte characters (4 bytes each) pass.
        let registry = reg(&format!("{}{{{{1}}}}", "é".repeat(1000)), false);
        assert!(
            findings(
                &super::RULE,
                &msg("long", "en", &body(&[&"🙂".repeat(24)])),
                &registry
            )
            .is_empty()
        );
        assert_eq!(
            findings(
                &super::RULE,
                &msg("long", "en", &body(&[&"🙂".repeat(25)])),
                &registry
            )
            .len(),
            1
        );
        // A missing value: not hydrated.
        let registry = reg(&format!("{}{{{{1}}}} {{{{2}}}}", "a".repeat(1100)), false);
        assert!(findings(&super::RULE, &msg("long", "en", &body(&["x"])), &registry).is_empty());
    }
}
