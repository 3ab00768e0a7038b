//! WAR002 invalid-placeholder-name: a named placeholder whose name is not lower-case
//! letters, digits and underscores.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;
use crate::template::placeholders;

use super::RegistryCheck;
use super::texts::{braced, texts};

declare_rule! {
    /// ## What it checks
    /// A named placeholder whose name does not match `^[a-z0-9_]+$`: lower-case ASCII
    /// letters, digits and underscores, at least one character — `{{First_Name}}`,
    /// `{{first-name}}`, `{{first name}}`, `{{}}`. Numbered placeholders (`{{1}}`) are not
    /// names and are WAR001's; every header, body, footer and carousel card text is read,
    /// whatever the template's `parameter_format`. Spaces just inside the braces are
    /// ignored.
    ///
    /// Meta documents named parameters as "lowercase characters and underscores".
    /// whatsapp-api-js is stricter and accepts only `^[a-z_]{1,20}$` (no digits, at most
    /// 20 characters); whether Meta itself refuses digits or enforces a length cap is
    /// UNCONFIRMED, so walint enforces only the documented character set.
    ///
    /// ## Why it matters
    /// Meta rejects the template at creation as an invalid format (2388072). A name in
    /// another case or spelling also never matches the `parameter_name` sent at send time,
    /// so every send fails with a parameter error.
    ///
    /// ## Example
    /// ```json
    /// {"name": "welcome", "language": "en", "parameter_format": "NAMED",
    ///  "components": [{"type": "BODY", "text": "Hi {{First Name}}, welcome!"}]}
    /// ```
    ///
    /// ## How to fix
    /// Rename the placeholder to lower-case letters, digits and underscores
    /// (`{{first_name}}`), in the text and in `example.body_text_named_params`, and send
    /// that `parameter_name`. Keep names to letters and underscores of at most 20
    /// characters if you also use whatsapp-api-js.
    pub static RULE = {
        code: "WAR002", name: "invalid-placeholder-name", wa_error: Some(2388072), severity: Error,
        check: Check::Definition(check),
    }
}

/// Whether a placeholder name is in the documented character set.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A suggested name: lower-cased, every other character run turned into one `_`.
fn suggestion(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Reports named placeholders with invalid names (once per name per text).
pub fn check(cx: &RegistryCheck, out: &mut Vec<Diagnostic>) {
    for t in cx.templates {
        for text in texts(t) {
            let mut seen: Vec<String> = Vec::new();
            for p in placeholders(text.text) {
                if p.position().is_some() || valid_name(&p.name) || seen.contains(&p.name) {
                    continue;
                }
                let suggested = suggestion(&p.name);
                let help = if suggested.is_empty() {
                    "name the placeholder with lower-case letters, digits and underscores, e.g. {{first_name}}".to_string()
                } else {
                    format!(
                        "use lower-case letters, digits and underscores only, e.g. {}",
                        braced(&suggested)
                    )
                };
                out.push(
                    RULE.diagnostic(
                        format!(
                            "{} of template '{}' has the placeholder {}, whose name is not lower-case letters, digits and underscores",
                            text.label,
                            t.name,
                            braced(&p.name)
                        ),
                        cx.at(t, &text.pointer),
                    )
                    .with_help(help),
                );
                seen.push(p.name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::registry::test_support::{body_template, findings};

    #[test]
    fn bad_names_fire_once_each() {
        let d = findings(
            &super::RULE,
            &body_template(
                Some("NAMED"),
                "Hi {{First Name}}, {{first-name}} and {{First Name}}, {{}}!",
            ),
        );
        assert_eq!(d.len(), 3, "{d:#?}");
        assert!(d[0].message.contains("{{First Name}}"));
        assert_eq!(
            d[0].help.as_deref(),
            Some("use lower-case letters, digits and underscores only, e.g. {{first_name}}")
        );
    }

    #[test]
    fn documented_charset_passes() {
        for body in ["Hi {{first_name}}!", "Code {{otp_2}} for {{ name }}."] {
            assert!(
                findings(&super::RULE, &body_template(Some("NAMED"), body)).is_empty(),
                "{body}"
            );
        }
        assert!(findings(&super::RULE, &body_template(None, "Hi {{1}} and {{2}}")).is_empty());
        assert!(valid_name("a_very_long_placeholder_name_over_twenty_chars"));
        assert!(!valid_name("café"));
    }
}
