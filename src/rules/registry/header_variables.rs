//! WAR004 header-variables: a text header with more than one variable, or a footer with
//! any.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;
use crate::template::placeholders;

use super::RegistryCheck;
use super::texts::{Role, braced, texts};

declare_rule! {
    /// ## What it checks
    /// A text header with more than one variable, or a footer with any. Carousel card
    /// headers count as headers; the same placeholder written twice counts once.
    ///
    /// ## Why it matters
    /// A header takes at most one variable and a footer none: Meta rejects the template at
    /// creation as an invalid header format (2388047) or an invalid footer format
    /// (2388073; the footer findings carry that code). A registry entry that still holds
    /// one describes a template that cannot be approved as written, and payloads built
    /// from it carry header or footer parameters that no approved template accepts.
    ///
    /// ## Example
    /// ```json
    /// {"name": "order_ready", "language": "en_US", "components": [
    ///   {"type": "HEADER", "format": "TEXT", "text": "{{1}}, order {{2}} is ready"},
    ///   {"type": "BODY", "text": "Pick it up at the front desk, {{1}}."},
    ///   {"type": "FOOTER", "text": "Store {{1}}"}]}
    /// ```
    ///
    /// ## How to fix
    /// Keep at most one variable in the header and move the others into the body; write
    /// the footer as fixed text.
    pub static RULE = {
        code: "WAR004", name: "header-variables", wa_error: Some(2388047), other_wa_errors: &[FOOTER_ERROR], severity: Error,
        check: Check::Definition(check),
    }
}

/// Invalid footer format, for the footer findings.
pub const FOOTER_ERROR: u32 = 2388073;

/// Reports headers with several variables and footers with any.
pub fn check(cx: &RegistryCheck, out: &mut Vec<Diagnostic>) {
    for t in cx.templates {
        for text in texts(t) {
            let mut names: Vec<String> = Vec::new();
            for p in placeholders(text.text) {
                if !names.contains(&p.name) {
                    names.push(p.name);
                }
            }
            let shown = || {
                names
                    .iter()
                    .map(|n| braced(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match text.role {
                Role::Header | Role::CardHeader if names.len() > 1 => out.push(
                    RULE.diagnostic(
                        format!(
                            "{} of template '{}' has {} variables ({}); a header takes at most one",
                            text.label,
                            t.name,
                            names.len(),
                            shown()
                        ),
                        cx.at(t, &text.pointer),
                    )
                    .with_help("keep one variable in the header and move the others into the body"),
                ),
                Role::Footer if !names.is_empty() => {
                    let mut d = RULE
                        .diagnostic(
                            format!(
                                "{} of template '{}' has {} ({}); a footer takes no variables",
                                text.label,
                                t.name,
                                if names.len() == 1 {
                                    "a variable".to_string()
                                } else {
                                    format!("{} variables", names.len())
                                },
                                shown()
                            ),
                            cx.at(t, &text.pointer),
                        )
                        .with_help(
                            "write the footer as fixed text and move the variable into the body",
                        );
                    d.wa_error = Some(FOOTER_ERROR);
                    out.push(d);
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::registry::test_support::findings;

    fn template(header: &str, footer: &str) -> String {
        format!(
            r#"{{"name":"t","language":"en","components":[
            {{"type":"HEADER","format":"TEXT","text":"{header}"}},
            {{"type":"BODY","text":"Hello {{{{1}}}}, see you."}},
            {{"type":"FOOTER","text":"{footer}"}}]}}"#
        )
    }

    #[test]
    fn two_header_variables_and_footer_variables_fire() {
        let d = findings(&super::RULE, &template("{{1}} and {{2}}", "Store {{1}}"));
        assert_eq!(d.len(), 2);
        assert!(
            d[0].message.contains("2 variables ({{1}}, {{2}})"),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].wa_error, Some(2388047));
        assert!(
            d[1].message.contains("a footer takes no variables"),
            "{}",
            d[1].message
        );
        assert_eq!(d[1].wa_error, Some(2388073));
    }

    #[test]
    fn one_header_variable_and_a_plain_footer_pass() {
        assert!(
            findings(
                &super::RULE,
                &template("Hi {{1}}, {{1}} again", "Reply STOP to opt out")
            )
            .is_empty()
        );
        assert!(
            findings(
                &super::RULE,
                &template("Our sale is on", "{ not a variable }")
            )
            .is_empty()
        );
    }
}
