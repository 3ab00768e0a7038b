//! WAC001 phone-not-e164: a phone cell not written strictly as E.164.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::phone::Shape;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A phone cell that is not strictly E.164: `+` followed by digits only, the first
    /// not 0, at most 15 in all — no spaces, dashes, dots, brackets, no `00` prefix, no
    /// missing `+`, no national form. When the value can be read as a valid number (spaces,
    /// dashes or brackets removed, `00` read as `+`, a missing `+` added, or a national
    /// number read in `default_region`), the finding carries the E.164 replacement as its
    /// fix, and `walint fix` applies it.
    ///
    /// ## Why it matters
    /// Without a `+` and country code, the Cloud API prepends the *business* number's
    /// country code, which misdelivers or fails as 131026 (undeliverable); a `00` prefix
    /// is rejected outright (error 100) since 2023. Letters or extensions never reach a
    /// WhatsApp account. E.164 is also the only form in which duplicates and opt-outs can
    /// be matched reliably.
    ///
    /// ## Example
    /// ```csv
    /// name,phone
    /// Asha,+91 98765-43210
    /// Ravi,00919812345678
    /// ```
    /// Both are fixable: `+919876543210` and `+919812345678`.
    ///
    /// ## How to fix
    /// Run `walint fix` to rewrite fixable numbers, or store numbers as `+` and digits at
    /// the source. Set `default_region` in walint.toml to read national numbers.
    pub static RULE = {
        code: "WAC001", name: "phone-not-e164", wa_error: Some(131026), severity: Error,
        check: Check::Row(check),
    }
}

/// The finding for a cell that is not strict E.164.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let facts = cx.facts?;
    let Shape::NotE164(fault) = facts.shape else {
        return None;
    };
    let d = match &facts.number {
        Ok(number) => RULE
            .diagnostic(
                format!(
                    "phone is not E.164 ({}); it reads as a valid number",
                    fault.describe()
                ),
                cx.phone_cell(),
            )
            .with_help("write it as + and digits only; `walint fix` applies the replacement")
            .with_fix(number.e164()),
        Err(why) => RULE
            .diagnostic(
                format!(
                    "phone is not E.164 ({}) and cannot be read as a valid number: {}",
                    fault.describe(),
                    why.describe()
                ),
                cx.phone_cell(),
            )
            .with_help(
                "correct the number at the source: + then country code then number, digits only",
            ),
    };
    Some(d)
}

#[cfg(test)]
mod tests {
    use crate::phone::RegionCode;
    use crate::rules::contacts::{ContactPolicy, test_support::findings};

    #[test]
    fn fixable_forms_carry_the_e164_fix() {
        let p = ContactPolicy::default();
        for cell in [
            "+91 98765 43210",
            "+91-98765-43210",
            "0091 9876543210",
            "919876543210",
            "(+91) 98765 43210",
        ] {
            let d = findings(&super::RULE, cell, &p);
            assert_eq!(d.len(), 1, "{cell}");
            assert_eq!(
                d[0].fix.as_ref().unwrap().replacement,
                "+919876543210",
                "{cell}"
            );
        }
    }

    #[test]
    fn national_numbers_need_the_default_region() {
        let none = ContactPolicy::default();
        let d = findings(&super::RULE, "098765 43210", &none);
        assert!(
            d[0].fix.is_none() && d[0].message.contains("no country code"),
            "{}",
            d[0].message
        );
        let india = ContactPolicy {
            default_region: RegionCode::parse("IN"),
            ..ContactPolicy::default()
        };
        let d = findings(&super::RULE, "098765 43210", &india);
        assert_eq!(d[0].fix.as_ref().unwrap().replacement, "+919876543210");
    }

    #[test]
    fn unfixable_and_near_misses() {
        let p = ContactPolicy::default();
        let d = findings(&super::RULE, "+91 98765 4321x", &p);
        assert!(d[0].fix.is_none());
        assert!(findings(&super::RULE, "+919876543210", &p).is_empty());
        assert!(
            findings(&super::RULE, "", &p).is_empty(),
            "empty is WAC005's"
        );
        assert!(
            findings(&super::RULE, "+91987", &p).is_empty(),
            "well-formed but invalid is WAC002's"
        );
    }
}
