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
    /// yes. Yes is, in any case: `yes`, `y`, `true`, `1`, `x`, `✓`, `opted_in`, `opt-in`,
    /// `subscribed`, `granted`, `accepted`, `confirmed`, and the same in the languages
    /// walint reads phone headers in — `sí`/`si`, `sim`, `oui`, `ja`, `sì`, `evet`, `ya`,
    /// `aceptado`, `aceito`, `accepté`, `einverstanden`, `akkoord`, `accettato`, `kabul`,
    /// `setuju`… — with Excel's TRUE as localized exports write it (`VERDADERO`,
    /// `VERDADEIRO`, `VRAI`, `WAHR`, `WAAR`, `VERO`, `DOĞRU`). `opt_in_values = [...]` in
    /// walint.toml replaces that list with a team's own values. An empty cell or any other
    /// value counts as no recorded opt-in: WhatsApp requires opt-in before any message, so
    /// walint takes the safe side; a value that is neither a yes nor a no walint knows says
    /// so, and how to add it.
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

/// What says yes (compared in lower case), in the languages walint reads phone headers in.
const YES: &[&str] = &[
    // English, and what forms and CRMs write
    "yes",
    "y",
    "true",
    "1",
    "x",
    "✓",
    "✔",
    "opted_in",
    "optedin",
    "opt-in",
    "optin",
    "opted-in",
    "subscribed",
    "granted",
    "accepted",
    "confirmed",
    "agreed",
    "consented",
    // Spanish, Portuguese
    "sí",
    "si",
    "s",
    "sim",
    "verdadero",
    "verdadeiro",
    "aceptado",
    "aceptada",
    "acepto",
    "aceito",
    "aceita",
    "confirmado",
    "confirmada",
    "suscrito",
    "inscrito",
    "autorizado",
    // French
    "oui",
    "o",
    "vrai",
    "accepté",
    "acceptée",
    "accepte",
    "abonné",
    "abonnée",
    "confirmé",
    "confirmée",
    "consenti",
    // German, Dutch
    "ja",
    "j",
    "wahr",
    "einverstanden",
    "zugestimmt",
    "bestätigt",
    "angemeldet",
    "abonniert",
    "waar",
    "akkoord",
    "aangemeld",
    "bevestigd",
    // Italian
    "sì",
    "vero",
    "accettato",
    "accettata",
    "confermato",
    "confermata",
    "iscritto",
    // Turkish, Indonesian
    "evet",
    "e",
    "doğru",
    "dogru",
    "kabul",
    "onaylandı",
    "onaylandi",
    "onaylı",
    "ya",
    "benar",
    "setuju",
    "berlangganan",
];

/// What says no (compared in lower case): not an opt-in, but a value walint knows.
const NO: &[&str] = &[
    "no",
    "n",
    "false",
    "0",
    "",
    "-",
    "opted_out",
    "optedout",
    "opt-out",
    "optout",
    "opted-out",
    "unsubscribed",
    "denied",
    "declined",
    "refused",
    "revoked",
    "não",
    "nao",
    "falso",
    "non",
    "faux",
    "nein",
    "falsch",
    "nee",
    "onwaar",
    "hayır",
    "hayir",
    "yanlış",
    "yanlis",
    "tidak",
    "salah",
];

/// Whether an opt-in cell says yes, by the team's values (`opt_in_values`) or walint's.
fn says_yes(value: &str, own: &[String]) -> bool {
    let value = value.trim().to_lowercase();
    if own.is_empty() {
        YES.contains(&value.as_str())
    } else {
        own.iter().any(|v| v.trim().to_lowercase() == value)
    }
}

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
    let own = &cx.policy.opt_in_values;
    if says_yes(value, own) {
        return None;
    }
    let (message, help) = if value.is_empty() {
        (
            format!("no opt-in is recorded (the {column} cell is empty)"),
            "message only contacts who opted in; remove the row or record the opt-in",
        )
    } else if own.is_empty() && !NO.contains(&value.to_lowercase().as_str()) {
        (
            format!(
                "the {column} cell ('{}') is neither a yes nor a no walint knows, so no opt-in is taken as recorded",
                crate::input::quoted::quote(value)
            ),
            "if the value means the contact opted in, list your yes values in walint.toml:              opt_in_values = [\"…\"]; else remove the row or record the opt-in",
        )
    } else {
        (
            format!("the {column} cell does not say the contact opted in"),
            "message only contacts who opted in; remove the row or record the opt-in",
        )
    };
    Some(
        RULE.diagnostic(message, cx.at(Some(column)))
            .with_help(help),
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
    fn yes_in_every_language_a_header_is_read_in() {
        for yes in [
            "yes",
            "Sí",
            "sim",
            "OUI",
            "ja",
            "sì",
            "evet",
            "ya",
            "VERDADERO",
            "Wahr",
            "x",
            "✓",
        ] {
            assert!(says_yes(yes, &[]), "{yes}");
        }
        for no in ["no", "não", "non", "nein", "hayır", "tidak", "", "maybe"] {
            assert!(!says_yes(no, &[]), "{no}");
        }
        let own = vec!["J".to_string(), "approved".to_string()];
        assert!(says_yes("j", &own) && says_yes(" Approved ", &own));
        assert!(
            !says_yes("yes", &own),
            "a team's own list replaces walint's"
        );
    }

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
