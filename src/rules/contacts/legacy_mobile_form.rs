//! WAC013 legacy-mobile-form: a mobile number in an old form that WhatsApp IDs and old
//! lists still carry (Mexico's `52 1`, Brazil's eight-digit mobiles).

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::phone::{Invalid, LegacyForm};
use crate::rules::Check;

use super::RowCheck;
use super::phone_not_e164::certain;

declare_rule! {
    /// ## What it checks
    /// A phone cell that is not a valid number as written but is the old form of a mobile
    /// number, whose current form is certain. The forms:
    ///
    /// - **Mexico, `+52 1` + 10 digits** (13 digits). Mexico abolished the `1` dialled
    ///   before mobile numbers from abroad on 3 August 2019 (IFT; libphonenumber dropped it
    ///   from its data in release 8.10.17, google/libphonenumber PR #2376/#2377, and
    ///   removed the last dialling tokens in PR #3710): `+52` and the same 10 digits is the
    ///   number. WhatsApp's webhooks still report Mexican senders' `wa_id` as `521…`, so
    ///   lists built from webhooks carry it; senders drop the `1` to reach the contact
    ///   (codigoencasa/builderbot#1004; build-on-aws/rag-postgresql-agent-bedrock PR 1,
    ///   "Mexico specific, remove 1 after 52"), and replying to the `521` form from a test
    ///   number fails with 131030 (david-lev/pywa#155).
    /// - **Brazil, `+55` + area code + 8 digits starting 6, 8 or 9** (12 digits). Every
    ///   Brazilian mobile gained a ninth digit, a `9` after the area code, by 2016 (Anatel);
    ///   the eight-digit form is not a valid number in libphonenumber's data, the form with
    ///   the `9` is a valid mobile. WhatsApp IDs of older accounts are often the 12-digit
    ///   form (netflie/whatsapp-cloud-api#39); the Cloud API takes the 13-digit form and
    ///   reaches them (chatwoot/chatwoot#5840, PR #6222).
    ///
    /// Where the cell states its country (`+`, `00`), the list is declared international
    /// (`--assume-international`) or the default region is that country, the finding
    /// carries the current form as its fix; digits alone in another list only get the
    /// finding (as WAC001: a fix never picks a country on its own).
    ///
    /// Not covered, because neither is certain: a Brazilian eight-digit number starting 7
    /// (still a valid mobile range in libphonenumber's data), and an Argentine number
    /// without the mobile `9` after `+54` (a valid fixed line; WAC003 says what its mobile
    /// form would be).
    ///
    /// ## Why it matters
    /// The number as written is not a valid number: Meta rejects or fails the send
    /// (131026 for numbers that reach no WhatsApp account; 131030 from a test number whose
    /// allowed list holds the current form). The duplicate check (WAC004) takes both forms
    /// as one contact.
    ///
    /// ## Example
    /// ```csv
    /// phone
    /// +5215512345678
    /// +551191234567
    /// ```
    /// `+525512345678` and `+5511991234567` are the numbers.
    ///
    /// ## How to fix
    /// `walint fix` writes the current form. At the source, store numbers in their current
    /// E.164 form, not as the `wa_id` a webhook reported.
    pub static RULE = {
        code: "WAC013", name: "legacy-mobile-form", wa_error: Some(131026), severity: Error,
        check: Check::Row(check),
    }
}

/// The finding for a cell in an old mobile form, with the current form when certain.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let Err(Invalid::Legacy(form, number)) = cx.facts?.number else {
        return None;
    };
    // The current form is the fix; the message does not repeat the number.
    let current = match form {
        LegacyForm::MexicoMobileOne => "without the 1 after 52 it is a valid mobile",
        LegacyForm::BrazilNinthDigit => "with a 9 after the area code it is a valid mobile",
    };
    let d = RULE.diagnostic(
        format!("phone is {}: {current}", form.describe()),
        cx.phone_cell(),
    );
    Some(if certain(cx, &number) {
        d.with_help("write the current form at the source; `walint fix` applies the replacement")
            .with_fix(number.e164())
    } else {
        d.with_help(
            "the cell names no country: write + and the country code at the source, or pass \
             `--assume-international` (then `walint fix` writes the current form)",
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::contacts::{ContactPolicy, test_support::findings};

    #[test]
    fn mexico_and_brazil_old_forms_get_their_current_form() {
        let p = ContactPolicy::default();
        for (cell, current) in [
            ("+5215512345678", "+525512345678"),
            ("+52 1 55 1234 5678", "+525512345678"),
            ("+551191234567", "+5511991234567"),
            ("+55 21 8765-4321", "+5521987654321"),
        ] {
            let d = findings(&super::RULE, cell, &p);
            assert_eq!(d.len(), 1, "{cell}");
            assert_eq!(d[0].fix.as_ref().unwrap().replacement, current, "{cell}");
        }
        // A wa_id as webhooks give it (no +): the finding, a fix only when certain.
        let d = findings(&super::RULE, "5215512345678", &p);
        assert!(
            d[0].fix.is_none()
                && d[0]
                    .message
                    .ends_with("without the 1 after 52 it is a valid mobile")
        );
        let intl = ContactPolicy {
            assume_international: true,
            ..ContactPolicy::default()
        };
        let d = findings(&super::RULE, "5215512345678", &intl);
        assert_eq!(d[0].fix.as_ref().unwrap().replacement, "+525512345678");
    }

    #[test]
    fn near_misses_stay_silent() {
        let p = ContactPolicy::default();
        for cell in [
            "+525512345678",   // the current Mexican form
            "+5511991234567",  // a Brazilian mobile with its ninth digit
            "+551132345678",   // a São Paulo fixed line (starts 3)
            "+556471234567",   // an eight-digit number starting 7: still valid
            "+541112345678",   // Argentina without the 9: a valid fixed line
            "+52155123456789", // 14 digits: not the old form
        ] {
            assert!(findings(&super::RULE, cell, &p).is_empty(), "{cell}");
        }
    }
}
