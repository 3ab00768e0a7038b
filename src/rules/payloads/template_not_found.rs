//! WAT001 template-not-found: a template message names a template the registry does not
//! have in any language.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::{nearest, sent_name, template_object};

declare_rule! {
    /// ## What it checks
    /// A template message whose `template.name` matches no template of the registry, in
    /// any language. Names are compared exactly, case included; when a name differs only
    /// in case or by a couple of characters, the finding suggests it. The rule runs only
    /// when a registry is given (`registry` in walint.toml).
    ///
    /// ## Why it matters
    /// The Cloud API looks templates up by exact name and language. A name it does not
    /// know fails the send with 132001 (template does not exist) — for every recipient of
    /// the campaign.
    ///
    /// ## Example
    /// ```json
    /// {"messaging_product": "whatsapp", "to": "16505551234", "type": "template",
    ///  "template": {"name": "Seasonal_Promotion", "language": {"code": "en_US"}}}
    /// ```
    /// The registry has `seasonal_promotion`; template names are lower case.
    ///
    /// ## How to fix
    /// Use the name exactly as the registry (WhatsApp Manager, or
    /// `GET /<WABA_ID>/message_templates`) spells it, or create and get the template
    /// approved first. If the registry export is stale, export it again.
    pub static RULE = {
        code: "WAT001", name: "template-not-found", wa_error: Some(132001), severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

/// Reports a template name the registry does not hold.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some(obj) = template_object(cx) else {
        return;
    };
    let Some(name) = sent_name(obj) else {
        return;
    };
    if cx.templates.has_name(name) {
        return;
    }
    let names = cx.templates.names();
    let d = match nearest(name, &names) {
        Some(guess) => RULE
            .diagnostic(
                format!("no template named `{name}` in the registry; did you mean `{guess}`?"),
                cx.at("/template/name"),
            )
            .with_help(format!(
                "template names are matched exactly, case included: write `{guess}`"
            )),
        None => RULE
            .diagnostic(
                format!(
                    "no template named `{name}` in the registry ({} templates)",
                    names.len()
                ),
                cx.at("/template/name"),
            )
            .with_help(
                "use a template name from the registry, or create the template and export the registry again",
            ),
    };
    out.push(d);
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[{"name":"seasonal_promotion","language":"en_US","status":"APPROVED",
        "components":[{"type":"BODY","text":"Hi"}]}]"#;

    #[test]
    fn unknown_names_fire_with_a_suggestion() {
        let d = findings(&super::RULE, &msg("Seasonal_Promotion", "en_US", "[]"), REG);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("did you mean `seasonal_promotion`"),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].wa_error, Some(132001));
        assert_eq!(ptr(&d[0]), "/template/name");
        let d = findings(&super::RULE, &msg("seasonal_promtion", "en_US", "[]"), REG);
        assert!(d[0].message.contains("did you mean"), "{}", d[0].message);
        let d = findings(&super::RULE, &msg("Subscribe", "en_US", "[]"), REG);
        assert!(!d[0].message.contains("did you mean"), "{}", d[0].message);
    }

    #[test]
    fn near_misses() {
        assert!(findings(&super::RULE, &msg("seasonal_promotion", "en_US", "[]"), REG).is_empty());
        assert!(
            findings(&super::RULE, &msg("seasonal_promotion", "fr", "[]"), REG).is_empty(),
            "a wrong language is WAT002's"
        );
        assert!(
            findings(&super::RULE, &msg("nope", "en_US", "[]"), "").is_empty(),
            "no registry, no finding"
        );
        // An empty registry is a registry: nothing is in it.
        assert_eq!(
            findings(&super::RULE, &msg("nope", "en_US", "[]"), "[]").len(),
            1
        );
        let text = r#"{"type":"text","text":{"body":"hi"}}"#;
        assert!(findings(&super::RULE, text, REG).is_empty());
    }
}
