//! WAC008 suppressed-recipient: an opted-out recipient, by suppression list or opt-in column.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A recipient who must not be messaged: the number is on a suppression list
    /// (`suppression = ["optouts.csv", …]` in walint.toml: a CSV with a phone column, or
    /// one number per line), or the row's opt-in column (`opt_in_column`) does not say
    /// yes. Yes is `yes`, `y`, `true`, `1`, `opted_in`, `opt-in`, `subscribed`,
    /// `granted`, `accepted` or `confirmed` (any case). An empty cell or any other value
    /// counts as no recorded opt-in: WhatsApp requires opt-in before any message, so walint
    /// takes the safe side.
    ///
    /// ## Why it matters
    /// A user who stopped marketing messages makes the send fail with 131050, which must
    /// never be retried; messaging people without opt-in breaks WhatsApp's policy and
    /// draws blocks and reports that lower the number's quality rating.
    ///
    /// ## Example
    /// ```csv
    /// name,phone,opt_in
    /// Asha,+919876543210,no
    /// ```
    ///
    /// ## How to fix
    /// Remove the row; keep the suppression list current from the `user_preferences`
    /// webhook and opt-out keywords.
    pub static RULE = {
        code: "WAC008", name: "suppressed-recipient", wa_error: Some(131050), severity: Error,
        check: Check::Row(check),
    }
}

const YES: &[&str] = &[
    "yes",
    "y",
    "true",
    "1",
    "opted_in",
    "optedin",
    "opt-in",
    "optin",
    "opted-in",
    "subscribed",
    "granted",
    "accepted",
    "confirmed",
];

/// The finding for a recipient on a suppression list or without an opt-in.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    if let Some(number) = cx.number()
        && cx.policy.suppression.contains(&number.key)
    {
        return Some(
            RULE.diagnostic(
                "recipient is on a suppression (opt-out) list",
                cx.phone_cell(),
            )
            .with_help("remove the row: the user opted out, and a resend can never succeed"),
        );
    }
    let column = cx.opt_in_column?;
    let value = cx.row.opt_in.as_deref()?.trim();
    if YES.iter().any(|y| value.eq_ignore_ascii_case(y)) {
        return None;
    }
    let message = if value.is_empty() {
        format!("no opt-in is recorded (the {column} cell is empty)")
    } else {
        format!("the {column} cell does not say the contact opted in")
    };
    Some(
        RULE.diagnostic(message, cx.at(Some(column)))
            .with_help("message only contacts who opted in; remove the row or record the opt-in"),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::input::contacts::ContactRow;
    use crate::phone;
    use crate::rules::contacts::{ContactPolicy, test_support::findings};

    #[test]
    fn suppression_list_matches_any_spelling() {
        let mut p = ContactPolicy::default();
        p.suppression.insert(919876543210);
        assert_eq!(findings(&super::RULE, "+91 98765 43210", &p).len(), 1);
        assert!(findings(&super::RULE, "+919876543211", &p).is_empty());
    }

    #[test]
    fn opt_in_column_must_say_yes() {
        let policy = ContactPolicy::default();
        let (path, phone_col, opt_col): (Arc<str>, Arc<str>, Arc<str>) =
            ("t.csv".into(), "phone".into(), "opt_in".into());
        let facts = phone::analyse("+919876543210", None);
        let verdict = |value: &str| {
            let row = ContactRow {
                line: 2,
                row: 1,
                phone: "+919876543210".into(),
                opt_in: Some(value.into()),
                ..ContactRow::default()
            };
            check(&RowCheck {
                row: &row,
                facts: Some(&facts),
                policy: &policy,
                path: &path,
                phone_column: &phone_col,
                opt_in_column: Some(&opt_col),
                campaign: None,
                sheet: None,
            })
        };
        assert!(verdict("Yes").is_none());
        assert!(verdict(" TRUE ").is_none());
        assert!(verdict("no").unwrap().message.contains("does not say"));
        assert!(verdict("").unwrap().message.contains("empty"));
        assert!(verdict("maybe").is_some());
    }
}
