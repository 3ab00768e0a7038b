//! WAC005 phone-missing: an empty phone cell.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::phone::Shape;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A row whose phone cell is empty or only white space.
    ///
    /// ## Why it matters
    /// A message needs a recipient: the Cloud API rejects a send without `to` as a
    /// missing required parameter (131008), and bulk tools usually drop such rows
    /// without saying so, so the contact silently gets nothing.
    ///
    /// ## Example
    /// ```csv
    /// name,phone
    /// Asha,
    /// ```
    ///
    /// ## How to fix
    /// Fill in the number (E.164, e.g. `+919876543210`) or remove the row.
    pub static RULE = {
        code: "WAC005", name: "phone-missing", wa_error: Some(131008), severity: Error,
        check: Check::Row(check),
    }
}

/// The finding for an empty phone cell.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    (cx.facts?.shape == Shape::Empty).then(|| {
        RULE.diagnostic("the phone cell is empty", cx.phone_cell())
            .with_help("fill in the recipient's number in E.164 form, or remove the row")
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::contacts::{ContactPolicy, test_support::findings};

    #[test]
    fn fires_on_empty_and_blank_only() {
        let p = ContactPolicy::default();
        assert_eq!(findings(&super::RULE, "", &p).len(), 1);
        assert_eq!(findings(&super::RULE, "   ", &p).len(), 1);
        assert!(findings(&super::RULE, "+919876543210", &p).is_empty());
        assert!(findings(&super::RULE, "n/a", &p).is_empty());
    }
}
