//! WAC004 duplicate-recipient: the same number on an earlier row.

use rustc_hash::FxHashMap;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A number that already appeared on an earlier row of the same file, compared after
    /// normalisation to E.164, so `+91 98765 43210` and `0091-9876543210` are the same
    /// recipient. The finding names the line of the first occurrence.
    ///
    /// ## Why it matters
    /// WhatsApp limits how often one business may message one user (about one message
    /// every 6 seconds, error 131056 pair rate limit), so a campaign that sends twice
    /// fails the second time — or, worse, delivers the same offer twice and is reported
    /// as spam, which lowers the number's quality rating.
    ///
    /// ## Example
    /// ```csv
    /// name,phone
    /// Asha,+919876543210
    /// Asha K,+91 98765 43210
    /// ```
    ///
    /// ## How to fix
    /// Remove the later rows (`walint fix` keeps the first), or merge the contacts.
    pub static RULE = { code: "WAC004", name: "duplicate-recipient", wa_error: Some(131056), severity: Warning }
}

/// Numbers seen so far in a file, with the line each was first seen on.
pub type SeenNumbers = FxHashMap<u64, u64>;

/// The finding for a number seen before; records the number when it is new.
pub fn check(cx: &RowCheck, seen: &mut SeenNumbers) -> Option<Diagnostic> {
    let number = cx.number()?;
    let first = *seen.entry(number.key).or_insert(cx.row.line);
    (first != cx.row.line).then(|| {
        RULE.diagnostic(
            format!("the same recipient is on line {first}"),
            cx.phone_cell(),
        )
        .with_help("remove the later row (`walint fix` keeps the first), or merge the two contacts")
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::contacts::{ContactPolicy, test_support::findings_rows};

    #[test]
    fn two_spellings_are_one_recipient() {
        let p = ContactPolicy::default();
        let d = findings_rows(
            "WAC004",
            &["+919876543210", "+447911123456", "0091 98765-43210"],
            &p,
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "the same recipient is on line 2");
        assert_eq!(d[0].location.line(), 4);
        assert!(findings_rows("WAC004", &["+919876543210", "+919876543211"], &p).is_empty());
    }
}
