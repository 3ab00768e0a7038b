//! WAR008 placeholder-at-edge: a body text that starts or ends with a placeholder.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;
use crate::template::placeholders;

use super::RegistryCheck;
use super::texts::{Role, braced, texts};

declare_rule! {
    /// ## What it checks
    /// A body text (the template's, or a carousel card's) whose first or last
    /// non-whitespace characters are a placeholder: `{{1}}, your order shipped` or
    /// `Your code is {{1}}`. Anything after the variable, even one full stop
    /// (`Your code is {{1}}.`), is enough. AUTHENTICATION templates are skipped: Meta
    /// writes their body (`*{{1}}* is your verification code.`), not the business.
    ///
    /// ## Why it matters
    /// Meta refuses a template whose text starts or ends with a variable (2388299): the
    /// fixed text around the variables is what review approves. The entry cannot be an
    /// approved template as written.
    ///
    /// ## Example
    /// ```json
    /// {"name": "otp_notice", "language": "en",
    ///  "components": [{"type": "BODY", "text": "{{1}} is your verification code"}]}
    /// ```
    ///
    /// ## How to fix
    /// Put fixed text before the first and after the last variable:
    /// `Your verification code is {{1}}.`
    pub static RULE = {
        code: "WAR008", name: "placeholder-at-edge", wa_error: Some(2388299), severity: Error,
        check: Check::Definition(check),
    }
}

/// Reports body texts that start or end with a placeholder.
pub fn check(cx: &RegistryCheck, out: &mut Vec<Diagnostic>) {
    for t in cx
        .templates
        .iter()
        .filter(|t| t.category() != "AUTHENTICATION")
    {
        for text in texts(t) {
            if !matches!(text.role, Role::Body | Role::CardBody) {
                continue;
            }
            let found = placeholders(text.text);
            let (Some(first), Some(last)) = (found.first(), found.last()) else {
                continue;
            };
            let len = text.text.chars().count();
            let lead = text.text.chars().take_while(|c| c.is_whitespace()).count();
            let trail = text
                .text
                .chars()
                .rev()
                .take_while(|c| c.is_whitespace())
                .count();
            let starts = first.start == lead;
            let ends = last.end + trail == len;
            let edge = match (starts, ends) {
                (true, true) => format!(
                    "starts with {} and ends with {}",
                    braced(&first.name),
                    braced(&last.name)
                ),
                (true, false) => format!("starts with {}", braced(&first.name)),
                (false, true) => format!("ends with {}", braced(&last.name)),
                (false, false) => continue,
            };
            out.push(
                RULE.diagnostic(
                    format!(
                        "{} of template '{}' {edge}; a variable may not start or end the text",
                        text.label, t.name
                    ),
                    cx.at(t, &text.pointer),
                )
                .with_help("put fixed text before the first and after the last variable"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::registry::test_support::{body_template, findings};

    #[test]
    fn leading_and_trailing_variables_fire() {
        for (body, edge) in [
            ("{{1}} is your code", "starts with {{1}}"),
            ("  {{1}} is your code", "starts with {{1}}"),
            ("Your code is {{1}}", "ends with {{1}}"),
            ("Your code is {{1}}\n", "ends with {{1}}"),
            ("{{1}}", "starts with {{1}} and ends with {{1}}"),
        ] {
            let d = findings(&super::RULE, &body_template(None, body));
            assert_eq!(d.len(), 1, "{body:?}");
            assert!(d[0].message.contains(edge), "{}", d[0].message);
        }
        let d = findings(
            &super::RULE,
            &body_template(Some("NAMED"), "Hello {{first_name}}"),
        );
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn text_around_the_variables_passes() {
        for body in [
            "Your code is {{1}}.",
            "Hi {{1}}, code {{2}}!",
            "No variables",
            "({{1}})",
        ] {
            assert!(
                findings(&super::RULE, &body_template(None, body)).is_empty(),
                "{body:?}"
            );
        }
        let header = r#"{"name":"t","language":"en","components":[
            {"type":"HEADER","format":"TEXT","text":"{{1}}"},{"type":"BODY","text":"Hi there."}]}"#;
        assert!(
            findings(&super::RULE, header).is_empty(),
            "headers are not checked"
        );
    }
}
