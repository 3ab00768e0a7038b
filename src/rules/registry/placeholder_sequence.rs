//! WAR001 placeholder-sequence: positional placeholders out of order, or named and
//! positional placeholders mixed in one template.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;
use crate::template::{Template, placeholders};

use super::RegistryCheck;
use super::texts::{Text, braced, texts};

declare_rule! {
    /// ## What it checks
    /// Placeholders that do not follow the template's `parameter_format`: in a POSITIONAL
    /// template (the default when `parameter_format` is absent), the numbered placeholders
    /// of each header and body text (carousel card bodies included) must be `{{1}}`,
    /// `{{2}}`… `{{n}}` in order of first appearance — `{{1}} {{3}}` skips a number and
    /// `{{2}} {{1}}` is out of order (repeating an earlier number is fine). A POSITIONAL
    /// template must not hold a named placeholder such as `{{first_name}}`, and a NAMED
    /// template must not hold a numbered one. URL button suffixes are not checked (they
    /// are `{{1}}` in both formats) and footer variables are WAR004's.
    ///
    /// ## Why it matters
    /// Meta rejects such a template at creation as an invalid body format (2388072). A
    /// registry export that still holds one was edited by hand or describes a template
    /// that never got approved: payloads built from it send their values in the wrong
    /// slots, or in the wrong parameter style, and fail with 132000 or 132012.
    ///
    /// ## Example
    /// ```json
    /// {"name": "order_update", "language": "en_US",
    ///  "components": [{"type": "BODY", "text": "Hi {{1}}, order {{3}} has shipped."}]}
    /// ```
    /// `{{3}}` appears where `{{2}}` was expected.
    ///
    /// ## How to fix
    /// Number positional placeholders 1..n in the order they first appear, or switch the
    /// template to `"parameter_format": "NAMED"` and use only named placeholders (with
    /// `example.body_text_named_params`). Do not mix the two styles in one template.
    pub static RULE = {
        code: "WAR001", name: "placeholder-sequence", wa_error: Some(2388072), severity: Error,
        check: Check::Definition(check),
    }
}

/// Reports out-of-order positional placeholders and mixed placeholder styles.
pub fn check(cx: &RegistryCheck, out: &mut Vec<Diagnostic>) {
    for t in cx.templates {
        for text in texts(t).iter().filter(|x| x.role.takes_variables()) {
            if let Some(d) = style_mismatch(cx, t, text).or_else(|| sequence(cx, t, text)) {
                out.push(d);
            }
        }
    }
}

/// A placeholder of the other style than the template's `parameter_format`.
fn style_mismatch(cx: &RegistryCheck, t: &Template, text: &Text) -> Option<Diagnostic> {
    let named = t.is_named();
    let odd = placeholders(text.text)
        .into_iter()
        .find(|p| p.position().is_some() == named)?;
    let (message, help) = if named {
        (
            format!(
                "{} of template '{}' has the numbered placeholder {} but the template's parameter_format is NAMED",
                text.label,
                t.name,
                braced(&odd.name)
            ),
            "in a NAMED template use only named placeholders such as {{first_name}}",
        )
    } else {
        (
            format!(
                "{} of template '{}' has the named placeholder {} but the template is POSITIONAL{}",
                text.label,
                t.name,
                braced(&odd.name),
                if t.parameter_format.is_none() {
                    " (no parameter_format)"
                } else {
                    ""
                }
            ),
            "set \"parameter_format\": \"NAMED\" and use only named placeholders, or number them {{1}}..{{n}}",
        )
    };
    Some(
        RULE.diagnostic(message, cx.at(t, &text.pointer))
            .with_help(help),
    )
}

/// The first positional placeholder out of the 1..n order of first appearance.
fn sequence(cx: &RegistryCheck, t: &Template, text: &Text) -> Option<Diagnostic> {
    if t.is_named() {
        return None;
    }
    let mut next = 1;
    for p in placeholders(text.text) {
        let Some(n) = p.position() else { continue };
        if n == next {
            next += 1;
        } else if n == 0 || n > next {
            return Some(
                RULE.diagnostic(
                    format!(
                        "{} of template '{}' has {} where {} was expected (placeholders must be numbered 1..n in order of first appearance)",
                        text.label,
                        t.name,
                        braced(&p.name),
                        braced(&next.to_string())
                    ),
                    cx.at(t, &text.pointer),
                )
                .with_help("renumber the placeholders {{1}}, {{2}}, … in the order they appear, and reorder the example values to match"),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::rules::registry::test_support::{body_template, findings};

    #[test]
    fn gaps_and_reordering_fire() {
        for body in [
            "Hi {{1}}, order {{3}}.",
            "Hi {{2}}, order {{1}}.",
            "Hi {{0}}!",
        ] {
            let d = findings(&super::RULE, &body_template(None, body));
            assert_eq!(d.len(), 1, "{body}");
            assert!(d[0].message.contains("was expected"), "{}", d[0].message);
        }
    }

    #[test]
    fn in_order_and_repeats_pass() {
        for body in [
            "Hi {{1}}, order {{2}} for {{1}}.",
            "Hi {{ 1 }}, order {{2}}.",
            "No variables.",
        ] {
            assert!(
                findings(&super::RULE, &body_template(None, body)).is_empty(),
                "{body}"
            );
        }
        assert!(findings(&super::RULE, &body_template(Some("NAMED"), "Hi {{name}}!")).is_empty());
    }

    #[test]
    fn styles_must_not_mix() {
        let d = findings(
            &super::RULE,
            &body_template(None, "Hi {{first_name}}, {{1}}."),
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("POSITIONAL"), "{}", d[0].message);
        let d = findings(
            &super::RULE,
            &body_template(Some("NAMED"), "Hi {{name}}, {{1}}."),
        );
        assert!(d[0].message.contains("NAMED"), "{}", d[0].message);
        let d = findings(
            &super::RULE,
            &body_template(Some("positional"), "Hi {{name}}."),
        );
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn card_bodies_count_from_one_and_urls_are_skipped() {
        let t = r#"{"name":"c","language":"en","components":[
            {"type":"BODY","text":"Look {{1}}."},
            {"type":"CAROUSEL","cards":[{"components":[
                {"type":"BODY","text":"Card {{1}} and {{2}}."},
                {"type":"BUTTONS","buttons":[{"type":"URL","text":"Go","url":"https://x.example/{{1}}"}]}]},
                {"components":[{"type":"BODY","text":"Card {{2}}."}]}]}]}"#;
        let d = findings(&super::RULE, t);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.starts_with("card 2 body"), "{}", d[0].message);
        let named = r#"{"name":"n","language":"en","parameter_format":"NAMED","components":[
            {"type":"BODY","text":"Hi {{name}}."},
            {"type":"BUTTONS","buttons":[{"type":"URL","text":"Go","url":"https://x.example/{{1}}"}]}]}"#;
        assert!(findings(&super::RULE, named).is_empty());
    }
}
