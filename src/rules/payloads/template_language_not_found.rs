//! WAT002 template-language-not-found: the template exists, but not in the language the
//! message asks for.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::{sent_language, sent_name, template_object};

declare_rule! {
    /// ## What it checks
    /// A template message whose `template.name` is in the registry, but not in the
    /// `template.language.code` it sends. The finding lists the languages the template
    /// has. Codes are compared exactly: `en`, `en_US` and `en_GB` are three different
    /// languages.
    ///
    /// ## Why it matters
    /// A template is identified by its name *and* language. Sending a language the
    /// template was never created (or approved) in fails with 132001 (template does not
    /// exist), even though the name is right.
    ///
    /// ## Example
    /// ```json
    /// {"type": "template",
    ///  "template": {"name": "seasonal_promotion", "language": {"code": "en_GB"}}}
    /// ```
    /// `seasonal_promotion` exists only in `en_US`.
    ///
    /// ## How to fix
    /// Send one of the languages listed, or add the translation to the template in
    /// WhatsApp Manager, get it approved, and export the registry again.
    pub static RULE = {
        code: "WAT002", name: "template-language-not-found", wa_error: Some(132001), severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

/// Reports a known template name sent in a language it does not have.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some(obj) = template_object(cx) else {
        return;
    };
    let (Some(name), Some(code)) = (sent_name(obj), sent_language(obj)) else {
        return;
    };
    let languages = cx.templates.languages_of(name);
    if languages.is_empty() || cx.templates.get(name, code).is_some() {
        return;
    }
    let list = languages
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let base = |l: &str| l.split(['_', '-']).next().unwrap_or(l).to_ascii_lowercase();
    let near: Vec<&str> = languages
        .iter()
        .copied()
        .filter(|l| base(l) == base(code))
        .collect();
    let help = if near.is_empty() {
        format!("send one of {list}, or add a `{code}` translation to the template")
    } else {
        format!(
            "`{code}` and `{}` are different languages to WhatsApp: send the code exactly as the registry has it",
            near.join("`, `")
        )
    };
    out.push(
        RULE.diagnostic(
            format!("template `{name}` has no `{code}` language; it exists in {list}"),
            cx.at("/template/language/code"),
        )
        .with_help(help),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[
        {"name":"promo","language":"en_US","status":"APPROVED","components":[{"type":"BODY","text":"Hi"}]},
        {"name":"promo","language":"es","status":"APPROVED","components":[{"type":"BODY","text":"Hola"}]}]"#;

    #[test]
    fn a_missing_language_fires_and_lists_the_others() {
        let d = findings(&super::RULE, &msg("promo", "en", "[]"), REG);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`en_US`, `es`"), "{}", d[0].message);
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("different languages")
        );
        assert_eq!(ptr(&d[0]), "/template/language/code");
        assert_eq!(d[0].wa_error, Some(132001));
        assert_eq!(
            findings(&super::RULE, &msg("promo", "en_GB", "[]"), REG).len(),
            1
        );
        assert_eq!(
            findings(&super::RULE, &msg("promo", "en_us", "[]"), REG).len(),
            1
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(&super::RULE, &msg("promo", "en_US", "[]"), REG).is_empty());
        assert!(findings(&super::RULE, &msg("promo", "es", "[]"), REG).is_empty());
        assert!(
            findings(&super::RULE, &msg("Promo", "en", "[]"), REG).is_empty(),
            "an unknown name is WAT001's"
        );
    }
}
