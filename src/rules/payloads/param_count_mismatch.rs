//! WAT003 param-count-mismatch: the message sends a different number of body parameters
//! than the template's body has variables.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::{components_pointer, describe, expected_params, first_of};

declare_rule! {
    /// ## What it checks
    /// A template message whose `body` component sends a different number of parameters
    /// than the template's BODY text has variables: for a POSITIONAL template the highest
    /// `{{n}}`, for a NAMED one the distinct `{{name}}`s. It also fires when the body has
    /// variables and the message sends no body component, and when it sends body
    /// parameters to a body without variables. For a NAMED template whose parameters all
    /// carry a `parameter_name`, the missing or extra names are reported by
    /// `named-param-mismatch` (WAT008) instead.
    ///
    /// ## Why it matters
    /// The Cloud API refuses the send with 132000 ("Number of parameters does not match
    /// the expected number of params"): the message is not sent.
    ///
    /// ## Example
    /// ```json
    /// {"type": "template", "template": {"name": "coupon_code_fall2023_25off",
    ///  "language": {"code": "en_US"}, "components": [{"type": "body",
    ///  "parameters": [{"type": "text", "text": "25OFF"}]}]}}
    /// ```
    /// The body `use code {{1}} to get {{2}} off` takes two values; one is sent.
    ///
    /// ## How to fix
    /// Send exactly one body parameter per variable, in the order of the variables
    /// (`{{1}}` first). Check the template's current text in the registry: an edited
    /// template may have gained or lost a variable.
    pub static RULE = {
        code: "WAT003", name: "param-count-mismatch", wa_error: Some(132000), severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

/// Reports a body parameter count that differs from the body's variables.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, obj)) = cx.template() else {
        return;
    };
    let named = t.is_named();
    let text = t.body().and_then(|b| b.text.as_deref());
    let expected = expected_params(text, named);
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let Some(body) = first_of(obj, "body") else {
        if expected > 0 {
            out.push(
                RULE.diagnostic(
                    format!(
                        "template {} has {expected} body variable{}; expected {expected} body parameter{}, got 0 (no body component)",
                        describe(t),
                        plural(expected),
                        plural(expected)
                    ),
                    cx.at(components_pointer(obj)),
                )
                .with_help(cx.help(
                    "add a component {\"type\": \"body\", \"parameters\": [...]} with one parameter per variable",
                    "give the campaign a column per body variable: body = [\"…\", …] for {{1}}, {{2}}…",
                )),
            );
        }
        return;
    };
    let params = body.params();
    let got = params.len();
    if got == expected {
        return;
    }
    if named && expected > 0 && got > 0 && params.iter().all(|p| p.name().is_some()) {
        return; // named-param-mismatch names the missing and extra ones
    }
    let help = match (expected, cx.in_campaign()) {
        (0, false) => "the template's body has no variables: send no body parameters".to_string(),
        (0, true) => {
            "the template's body has no variables: remove the campaign's `body`".to_string()
        }
        (_, false) => format!(
            "send one body parameter per variable of the body text: {}",
            text.unwrap_or_default()
        ),
        (_, true) => format!(
            "list one column per variable of the body text in the campaign's `body` ({expected}): {}",
            text.unwrap_or_default()
        ),
    };
    out.push(
        RULE.diagnostic(
            format!(
                "template {} body: expected {expected} parameter{}, got {got}",
                describe(t),
                plural(expected)
            ),
            cx.at(&body.params_pointer()),
        )
        .with_help(help),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[
        {"name":"pos","language":"en","status":"APPROVED","components":[
            {"type":"BODY","text":"Use code {{1}} to get {{2}} off, {{1}}!"}]},
        {"name":"gap","language":"en","status":"APPROVED","components":[
            {"type":"BODY","text":"A {{1}} and {{3}}"}]},
        {"name":"plain","language":"en","status":"APPROVED","components":[
            {"type":"BODY","text":"No variables here"}]},
        {"name":"named","language":"en","status":"APPROVED","parameter_format":"NAMED","components":[
            {"type":"BODY","text":"Hi {{first_name}}, order {{order_id}} for {{first_name}}"}]}]"#;

    fn body(n: usize) -> String {
        let ps: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"type":"text","text":"v{i}"}}"#))
            .collect();
        format!(r#"[{{"type":"body","parameters":[{}]}}]"#, ps.join(","))
    }

    #[test]
    fn counts_that_differ_fire() {
        let d = findings(&super::RULE, &msg("pos", "en", &body(1)), REG);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("expected 2 parameters, got 1"),
            "{}",
            d[0].message
        );
        assert_eq!(ptr(&d[0]), "/template/components/0/parameters");
        assert_eq!(
            findings(&super::RULE, &msg("pos", "en", &body(3)), REG).len(),
            1
        );
        let d = findings(&super::RULE, &msg("gap", "en", &body(2)), REG);
        assert!(d[0].message.contains("expected 3"), "{}", d[0].message);
        let d = findings(&super::RULE, &msg("plain", "en", &body(1)), REG);
        assert!(
            d[0].message.contains("expected 0 parameters, got 1"),
            "{}",
            d[0].message
        );
        let d = findings(&super::RULE, &msg("pos", "en", "[]"), REG);
        assert!(d[0].message.contains("got 0"), "{}", d[0].message);
        assert_eq!(ptr(&d[0]), "/template/components");
        let no_components =
            r#"{"type":"template","template":{"name":"pos","language":{"code":"en"}}}"#;
        assert_eq!(
            ptr(&findings(&super::RULE, no_components, REG)[0]),
            "/template"
        );
        // NAMED, unnamed parameters: counted (2 distinct names).
        let d = findings(&super::RULE, &msg("named", "en", &body(3)), REG);
        assert!(
            d[0].message.contains("expected 2 parameters, got 3"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(&super::RULE, &msg("pos", "en", &body(2)), REG).is_empty());
        assert!(findings(&super::RULE, &msg("gap", "en", &body(3)), REG).is_empty());
        assert!(findings(&super::RULE, &msg("plain", "en", "[]"), REG).is_empty());
        assert!(findings(&super::RULE, &msg("plain", "en", &body(0)), REG).is_empty());
        let named_extra = r#"[{"type":"body","parameters":[
            {"type":"text","parameter_name":"first_name","text":"A"},
            {"type":"text","parameter_name":"order_id","text":"1"},
            {"type":"text","parameter_name":"extra","text":"x"}]}]"#;
        assert!(
            findings(&super::RULE, &msg("named", "en", named_extra), REG).is_empty(),
            "named mismatches are WAT008's"
        );
    }
}
