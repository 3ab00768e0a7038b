//! WAC007 recipient-is-sender: the recipient is the business's own sending number.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A recipient equal to the configured `sender` (the business phone number the
    /// campaign sends from), compared as E.164.
    ///
    /// ## Why it matters
    /// WhatsApp rejects a message from a number to itself with 131021 (recipient cannot
    /// be sender). It usually means a test row or the company's own number slipped into a
    /// customer list.
    ///
    /// ## Example
    /// ```toml
    /// sender = "+16502530000"
    /// ```
    /// makes a row with `+1 650-253-0000` a finding.
    ///
    /// ## How to fix
    /// Remove the row; test with a separate number.
    pub static RULE = {
        code: "WAC007", name: "recipient-is-sender", wa_error: Some(131021), severity: Error,
        check: Check::Row(check),
    }
}

/// The finding for a recipient equal to the sender.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let number = cx.number()?;
    (cx.policy.sender == Some(number.key)).then(|| {
        RULE.diagnostic(
            "recipient is the sending business number itself",
            cx.phone_cell(),
        )
        .with_help("remove the row; a business number cannot message itself")
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::contacts::{ContactPolicy, test_support::findings};

    #[test]
    fn matches_any_spelling_of_the_sender() {
        let p = ContactPolicy {
            sender: Some(16502530000),
            ..ContactPolicy::default()
        };
        assert_eq!(findings(&super::RULE, "+1 650-253-0000", &p).len(), 1);
        assert!(findings(&super::RULE, "+16502530001", &p).is_empty());
        assert!(findings(&super::RULE, "+16502530000", &ContactPolicy::default()).is_empty());
    }
}
