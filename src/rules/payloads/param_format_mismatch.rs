//! WAT009 param-format-mismatch: parameters without `parameter_name` for a NAMED template,
//! or with one for a POSITIONAL template.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::{describe, first_of};

declare_rule! {
    /// ## What it checks
    /// A template message whose header or body values are not in the template's
    /// parameter format: among the text, currency and date_time parameters, for a
    /// template with `"parameter_format": "NAMED"` each must carry a `parameter_name`;
    /// for a POSITIONAL template (the default) none may. One finding
    /// per component, at the first parameter that does not fit.
    ///
    /// ## Why it matters
    /// Meta fixes a template's parameter format when it is created and never mixes the
    /// two. Positional values sent to a NAMED template fail with **100**, `(#100) Invalid
    /// parameter`, details "Parameter name is missing or empty" (shridarpatil/whatomate#144,
    /// david-lev/pywa#115, piusalfred/whatsapp#100; Graph API v21–v23). Named values sent to
    /// a POSITIONAL template are reported
    /// with 132012 (parameter format mismatch); no thread quoting Meta's answer for that
    /// case was found.
    ///
    /// ## Example
    /// ```json
    /// {"type": "body", "parameters": [{"type": "text", "text": "Asha"}]}
    /// ```
    /// for a NAMED template whose body is `Hi {{first_name}}`.
    ///
    /// ## How to fix
    /// NAMED: add `"parameter_name": "first_name"` to each value. POSITIONAL: remove
    /// `parameter_name` and send the values in the order of `{{1}}`, `{{2}}`…
    pub static RULE = {
        code: "WAT009", name: "param-format-mismatch", wa_error: Some(132012), other_wa_errors: &[100], severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

/// Reports header and body parameters in the wrong format.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, obj)) = cx.template() else {
        return;
    };
    let named = t.is_named();
    for kind in ["header", "body"] {
        let Some(sent) = first_of(obj, kind) else {
            continue;
        };
        let params = sent.params();
        let wrong: Vec<_> = params
            .iter()
            .filter(|p| p.is_textual() && p.has_name() != named)
            .collect();
        let Some(first) = wrong.first() else {
            continue;
        };
        let d = if named {
            RULE.diagnostic(
                format!(
                    "template {} is NAMED, but {} of the {kind} parameters {} no `parameter_name`",
                    describe(t),
                    wrong.len(),
                    if wrong.len() == 1 { "has" } else { "have" }
                ),
                cx.at(&first.pointer()),
            )
            .with_help(cx.help(
                "give each value the `parameter_name` of its {{variable}}",
                "name each value's variable in the campaign: body = { variable = \"column\" }",
            ))
            .with_wa_error(100)
        } else {
            RULE.diagnostic(
                format!(
                    "template {} is POSITIONAL, but {} of the {kind} parameters have a `parameter_name`",
                    describe(t),
                    wrong.len()
                ),
                cx.at(&first.field_pointer("parameter_name")),
            )
            .with_help(cx.help(
                "remove `parameter_name`: positional values go in the order of {{1}}, {{2}}…",
                "list the columns in order in the campaign: body = [\"…\", …] for {{1}}, {{2}}…",
            ))
        };
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const NAMED: &str = r#"[{"name":"n","language":"en","status":"APPROVED","parameter_format":"named","components":[
        {"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Hi {{first_name}}, {{amount}}"}]}]"#;
    const POSITIONAL: &str = r#"[{"name":"p","language":"en","status":"APPROVED","parameter_format":"POSITIONAL","components":[
        {"type":"BODY","text":"Hi {{1}}, {{2}}"}]}]"#;

    #[test]
    fn the_other_format_fires() {
        let body = r#"[{"type":"header","parameters":[{"type":"image","image":{"id":"1"}}]},
            {"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"A"},
            {"type":"currency","currency":{"fallback_value":"$1","code":"USD","amount_1000":1000}}]}]"#;
        let d = findings(&super::RULE, &msg("n", "en", body), NAMED);
        assert_eq!(d.len(), 1);
        assert_eq!(ptr(&d[0]), "/template/components/1/parameters/1");
        // Positional values to a NAMED template: Meta answers 100.
        assert_eq!(d[0].wa_error, Some(100));
        let body = r#"[{"type":"body","parameters":[{"type":"text","text":"A"},{"type":"text","parameter_name":"2","text":"B"}]}]"#;
        let d = findings(&super::RULE, &msg("p", "en", body), POSITIONAL);
        assert_eq!(
            ptr(&d[0]),
            "/template/components/0/parameters/1/parameter_name"
        );
    }

    #[test]
    fn near_misses() {
        let body = r#"[{"type":"header","parameters":[{"type":"image","image":{"id":"1"}}]},
            {"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"A"},
            {"type":"text","parameter_name":"amount","text":"B"}]}]"#;
        assert!(
            findings(&super::RULE, &msg("n", "en", body), NAMED).is_empty(),
            "media need no name"
        );
        let body = r#"[{"type":"body","parameters":[{"type":"text","text":"A"},{"type":"text","text":"B"}]}]"#;
        assert!(findings(&super::RULE, &msg("p", "en", body), POSITIONAL).is_empty());
    }
}
