//! WAR006 invalid-template-name: a template name that is not 1–512 lower-case letters,
//! digits and underscores.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RegistryCheck;

declare_rule! {
    /// ## What it checks
    /// A template whose `name` does not match `^[a-z0-9_]{1,512}$`: empty or missing,
    /// longer than 512 characters, or holding upper-case letters, spaces, hyphens, dots or
    /// any non-ASCII character.
    ///
    /// ## Why it matters
    /// Meta refuses such a name at creation with error 100 (invalid parameter), so the
    /// entry cannot be an approved template. Sends name templates exactly: a payload that
    /// copies the name from this entry (`Order-Update`) never matches the real template
    /// (`order_update`) and fails with 132001.
    ///
    /// ## Example
    /// ```json
    /// {"name": "Order Update", "language": "en_US",
    ///  "components": [{"type": "BODY", "text": "Your order {{1}} has shipped."}]}
    /// ```
    ///
    /// ## How to fix
    /// Use the name exactly as WhatsApp Manager shows it, or rename the template to
    /// lower-case letters, digits and underscores (`order_update`) and resubmit it.
    pub static RULE = {
        code: "WAR006", name: "invalid-template-name", wa_error: Some(100), severity: Error,
        check: Check::Definition(check),
    }
}

/// The longest template name.
pub const MAX_LEN: usize = 512;

/// Whether a template name is valid.
pub fn valid(name: &str) -> bool {
    (1..=MAX_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A valid name close to `name`: lower-cased, other character runs as one `_`, cut to
/// the maximum length.
pub fn suggestion(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.truncate(MAX_LEN);
    out
}

/// Reports every template with an invalid name.
pub fn check(cx: &RegistryCheck, out: &mut Vec<Diagnostic>) {
    for t in cx.templates.iter().filter(|t| !valid(&t.name)) {
        let (message, help) = if t.name.is_empty() {
            (
                "template has no name".to_string(),
                "give it the template's exact name (lower-case letters, digits and underscores)"
                    .to_string(),
            )
        } else {
            let len = t.name.chars().count();
            let why = if len > MAX_LEN {
                format!("is {len} characters long; at most {MAX_LEN} are allowed")
            } else {
                "may hold only lower-case letters, digits and underscores".to_string()
            };
            let suggested = suggestion(&t.name);
            let help = if valid(&suggested) {
                format!("use the exact approved name, e.g. '{suggested}'")
            } else {
                "use the exact approved name: lower-case letters, digits and underscores".into()
            };
            (format!("template name '{}' {why}", t.name), help)
        };
        let pointer = if t.name.is_empty() { "" } else { "/name" };
        out.push(RULE.diagnostic(message, cx.at(t, pointer)).with_help(help));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::registry::test_support::findings;

    fn named(name: &str) -> String {
        format!(
            r#"{{"name":"{name}","language":"en","components":[{{"type":"BODY","text":"Hi."}}]}}"#
        )
    }

    #[test]
    fn bad_names_fire() {
        for name in [
            "Order Update",
            "order-update",
            "order.update",
            "pedido_año",
            "",
        ] {
            assert_eq!(findings(&super::RULE, &named(name)).len(), 1, "{name}");
        }
        let d = findings(&super::RULE, &named("Order Update"));
        assert_eq!(
            d[0].help.as_deref(),
            Some("use the exact approved name, e.g. 'order_update'")
        );
        assert!(
            findings(&super::RULE, &named(&"a".repeat(513)))[0]
                .message
                .contains("513 characters")
        );
    }

    #[test]
    fn valid_names_pass() {
        for name in ["order_update", "otp_2fa", "a", &"a".repeat(512)] {
            assert!(findings(&super::RULE, &named(name)).is_empty(), "{name}");
        }
        assert_eq!(suggestion(" Black Friday - 2024 "), "black_friday_2024");
    }
}
