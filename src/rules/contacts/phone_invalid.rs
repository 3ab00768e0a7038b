//! WAC002 phone-invalid: well-formed E.164 that is not a valid number.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::phone::Shape;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A phone cell written correctly as E.164 (`+` and digits) that is not a valid number
    /// by libphonenumber's metadata: the country calling code is not assigned, the number is
    /// too short or too long for its country, or no number pattern of the country matches
    /// it. The message says which.
    ///
    /// ## Why it matters
    /// No WhatsApp account can exist on a number that does not exist. Meta accepts the
    /// send and then reports 131026 (message undeliverable) by webhook, one message at a
    /// time, and the send still counts against the messaging limit.
    ///
    /// ## Example
    /// ```csv
    /// name,phone
    /// Asha,+9198765
    /// Ravi,+999123456789
    /// ```
    /// The first is too short for India; +999 is not an assigned country code.
    ///
    /// ## How to fix
    /// Correct the number at its source (a digit is usually missing or doubled), or
    /// remove the contact.
    pub static RULE = {
        code: "WAC002", name: "phone-invalid", wa_error: Some(131026), severity: Error,
        check: Check::Row(check),
    }
}

/// The finding for a well-formed but invalid number.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let facts = cx.facts?;
    if facts.shape != Shape::E164 {
        return None;
    }
    let why = facts.number.err()?;
    if matches!(why, crate::phone::Invalid::Legacy(..)) {
        return None; // WAC013's
    }
    Some(
        RULE.diagnostic(format!("phone is not a valid number: {}", why.describe()), cx.phone_cell())
            .with_help("check the number for a missing or extra digit and correct it at the source, or remove the contact"),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::contacts::{ContactPolicy, test_support::findings};

    #[test]
    fn says_why() {
        let p = ContactPolicy::default();
        assert!(
            findings(&super::RULE, "+9198765", &p)[0]
                .message
                .contains("too short")
        );
        assert!(
            findings(&super::RULE, "+999123456789", &p)[0]
                .message
                .contains("not assigned")
        );
        assert!(findings(&super::RULE, "+919876543210", &p).is_empty());
        assert!(
            findings(&super::RULE, "+91 98765", &p).is_empty(),
            "not E.164 is WAC001's"
        );
    }
}
