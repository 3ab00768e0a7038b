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
    /// fix, and `walint fix` applies it — but only when the reading is certain: the cell
    /// states its country (`+` or `00`), the number is in `default_region`'s country, or
    /// `--assume-international` (`assume_international = true`) says every number starts
    /// with its country code. Digits alone with no region (`4799123456`: a US number with
    /// area code 479, or a Norwegian mobile?) get no fix: the finding names the country the
    /// digits reach when read as international, and `walint fix` rejects the row.
    ///
    /// Digits alone that read as a valid number both as a national number of the region
    /// and with their own country code are ambiguous, and get no fix either: with
    /// `default_region = "DE"`, `4915123456789` is a fixed line of Leer (area code 0491)
    /// or the German mobile +49 151…, and `919876543210` a German fixed line or the Indian
    /// mobile +91 98765…. walint does not pick one: the numbering plans allow both (German
    /// area codes run to five digits and its subscriber numbers vary in length, so neither
    /// reading is impossible), and a wrong pick sends the message to a stranger. The
    /// finding names both readings (country, line type); `--assume-international` (every
    /// number starts with its country code) takes the second, `+` at the source settles it.
    /// One reading is taken when the other is not a valid number (`0151 23456789` has a
    /// trunk prefix, so no country code; `919876543210` in India is twelve digits where
    /// Indian numbers have ten), or when the numbering plans settle it: read with its own
    /// country code the number is a mobile, and read as a national number it is a line no
    /// WhatsApp account is on (a fixed line, toll-free, premium-rate, shared-cost, pager,
    /// voicemail or UAN number, by libphonenumber's metadata of each plan) — so in Germany
    /// `4915123456789` is +49 151… and `919876543210` is +91 98765…, while `15123456789`
    /// (a German mobile whose trunk `0` a spreadsheet dropped, or a number of Austin, Texas,
    /// whose plan does not tell mobiles from fixed lines) stays ambiguous. A fix never goes
    /// to a number the digits do not read as with their own country code, unless they read
    /// so as no valid number.
    ///
    /// Also recognised, each with its own message: a `whatsapp:` or `tel:` prefix (Twilio's
    /// `whatsapp:+14155552671`, RFC 3966's `tel:`); a float column's `919876543210.0`
    /// (pandas writes integer columns with gaps as floats); and Excel's scientific notation
    /// (`9.19876E+11`) — fixable only when the mantissa kept every digit, otherwise the
    /// digits are gone and the row must be re-exported with the column formatted as text.
    ///
    /// ## Why it matters
    /// Without a `+` and country code, the Cloud API prepends the *business* number's
    /// country code (Meta's "Send messages" guide, phone number formats), which misdelivers
    /// or fails as 131026 (undeliverable) — though Meta's own examples send bare digits with
    /// the country code (`"to": "16505555555"`), which is why such digits are read as
    /// international but never fixed without a word from the user; a `00` prefix
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
    /// the source. Set `default_region` in walint.toml to read national numbers, or
    /// `country_column` when the list has a column saying each contact's country (an ISO
    /// code, a name in the languages phone headers are recognised in, or a calling code:
    /// each row's national numbers are then read in its own country).
    pub static RULE = {
        code: "WAC001", name: "phone-not-e164", wa_error: Some(131026), severity: Error,
        check: Check::Row(check),
    }
}

/// Whether the number read from the cell is certainly the one meant: the cell states its
/// country (`+`, or the `00` prefix), the number is in the default region's country (read
/// as national there, or its digits start with that country's code), or the list is
/// declared international (`--assume-international`). Otherwise the reading chose a country
/// for the digits, and a fix would change the country silently.
pub(super) fn certain(cx: &RowCheck, number: &crate::phone::Number) -> bool {
    crate::phone::states_country(&cx.row.phone)
        || cx.policy.assume_international
        || cx.facts.is_some_and(|f| f.settled.is_some())
        || region(cx).and_then(crate::phone::RegionCode::calling_code) == Some(number.country_code)
}

/// The region the row's national numbers are read in: its country (`country_column`),
/// else the default region.
fn region(cx: &RowCheck) -> Option<crate::phone::RegionCode> {
    cx.row.region.or(cx.policy.default_region)
}

/// A reading of a number for a message: its line type, calling code and region (not the
/// number: messages do not repeat personal data).
fn reading(number: &crate::phone::Number) -> String {
    let region = number
        .calling_code_region()
        .map_or_else(String::new, |r| format!(" of {r}"));
    format!(
        "a {} number{region} (+{})",
        number.line_type.describe(),
        number.country_code
    )
}

/// The finding for a cell that is not strict E.164.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let facts = cx.facts?;
    let Shape::NotE164(fault) = facts.shape else {
        return None;
    };
    let d = match &facts.number {
        Ok(number) if !certain(cx, number) => {
            // The calling code's main region: matching the number against each plan of a
            // shared code (+1 has 25 regions) costs too much for a message.
            let region = number
                .calling_code_region()
                .map_or_else(String::new, |r| format!(" ({r})"));
            // The calling code, not the number: messages do not repeat personal data.
            RULE.diagnostic(
                format!(
                    "phone is not E.164 ({}) and names no country: read as international it \
                     starts with calling code +{}{region}",
                    fault.describe(),
                    number.country_code,
                ),
                cx.phone_cell(),
            )
            .with_help(
                "sent without + the Cloud API may put the business number's country code in \
                 front; write + and the country code at the source, set `--default-region` for \
                 national numbers, or pass `--assume-international` when every number starts \
                 with its country code (then `walint fix` adds the +)",
            )
        }
        Ok(number) if facts.settled.is_some() => RULE
            .diagnostic(
                format!(
                    "phone is not E.164 ({}); read with its own country code it is {}, which \
                     is taken: read as a national number of {} it would be a {} number, a line \
                     no WhatsApp account is on",
                    fault.describe(),
                    reading(number),
                    region(cx).map_or_else(|| "its region".to_string(), |r| r.to_string()),
                    facts.settled.map_or("", |t| t.describe()),
                ),
                cx.phone_cell(),
            )
            .with_help("write it as + and digits only; `walint fix` applies the replacement")
            .with_fix(number.e164()),
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
        Err(crate::phone::Invalid::Legacy(..)) => return None, // WAC013's
        Err(crate::phone::Invalid::Ambiguous(national, international)) => RULE
            .diagnostic(
                format!(
                    "phone is not E.164 ({}) and reads as two different valid numbers: as a \
                     national number of {}, {}; with its own country code, {}",
                    fault.describe(),
                    region(cx).map_or_else(|| "its region".to_string(), |r| r.to_string()),
                    reading(national),
                    reading(international),
                ),
                cx.phone_cell(),
            )
            .with_help(
                "walint cannot tell which is meant, so `walint fix` rejects the row: write + and \
                 the country code at the source, or pass `--assume-international` when every \
                 number of the list starts with its country code (then the second reading is \
                 taken)",
            ),
        Err(why @ crate::phone::Invalid::DigitsLost) => RULE
            .diagnostic(
                format!(
                    "phone is not E.164 ({}): {}",
                    fault.describe(),
                    why.describe()
                ),
                cx.phone_cell(),
            )
            .with_help(
                "the digits cannot be recovered from this file: in the spreadsheet, format the \
                 phone column as Text (or export it from the source system again) and save the \
                 CSV again; an .xlsx upload keeps the full number",
            ),
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
            "(+91) 98765 43210",
            "whatsapp:+919876543210",
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

    /// For every example number of every plan, written as digits without `+`, and
    /// every other default region: a fix, when there is one, is the number itself — a
    /// list's numbers are never "fixed" into a stranger's.
    #[test]
    fn no_fix_ever_changes_the_recipient() {
        use crate::phone::{self, example_numbers};
        let examples = example_numbers();
        assert!(examples.len() > 1000, "{} examples", examples.len());
        let regions = phone::supported_regions();
        let mut fixed = 0usize;
        for (home, e164) in &examples {
            let digits = &e164[1..];
            for &region in &regions {
                if region == *home {
                    continue;
                }
                for international in [false, true] {
                    let policy = ContactPolicy {
                        default_region: Some(region),
                        assume_international: international,
                        ..ContactPolicy::default()
                    };
                    let facts = phone::analyse_with_own(digits, policy.reading(), None);
                    let Ok(number) = facts.number else { continue };
                    let settled = facts.settled.is_some();
                    let certain = international
                        || settled
                        || region.calling_code() == Some(number.country_code);
                    if certain {
                        fixed += 1;
                        assert_eq!(
                            number.e164(),
                            *e164,
                            "{digits} (an example of {home}) read in {region}: fixed to another number"
                        );
                    }
                }
            }
        }
        assert!(fixed > 1000, "{fixed} fixes");
    }

    /// The cases the numbering plans settle, and those they leave ambiguous.
    #[test]
    fn digits_with_two_readings_are_fixed_only_when_the_plans_settle_them() {
        let de = ContactPolicy {
            default_region: RegionCode::parse("DE"),
            ..ContactPolicy::default()
        };
        // A German mobile with its country code, an Indian mobile: national readings are
        // German fixed lines.
        for (cell, e164) in [
            ("4915123456789", "+4915123456789"),
            ("919876543210", "+919876543210"),
        ] {
            let d = findings(&super::RULE, cell, &de);
            assert_eq!(
                d[0].fix.as_ref().map(|f| f.replacement.as_str()),
                Some(e164),
                "{cell}"
            );
            assert!(d[0].message.contains("fixed-line"), "{}", d[0].message);
        }
        // A German mobile without its trunk 0, or a number of Austin, Texas.
        let d = findings(&super::RULE, "15123456789", &de);
        assert!(d[0].fix.is_none(), "{:?}", d[0].fix);
        assert!(
            d[0].message.contains("two different valid numbers")
                && d[0].message.contains("mobile number of DE (+49)")
                && d[0].message.contains("of US (+1)")
                && !d[0].message.contains("5123456789"),
            "{}",
            d[0].message
        );
        // The trunk prefix says national; --assume-international says international.
        let d = findings(&super::RULE, "015123456789", &de);
        assert_eq!(d[0].fix.as_ref().unwrap().replacement, "+4915123456789");
        let international = ContactPolicy {
            assume_international: true,
            ..de.clone()
        };
        let d = findings(&super::RULE, "15123456789", &international);
        assert_eq!(d[0].fix.as_ref().unwrap().replacement, "+15123456789");
    }

    #[test]
    fn digits_that_state_no_country_are_fixed_only_when_certain() {
        let none = ContactPolicy::default();
        // A US number (area code 479) or a Norwegian mobile: no fix without a word.
        let d = findings(&super::RULE, "4799123456", &none);
        assert!(d[0].fix.is_none(), "{:?}", d[0].fix);
        assert!(
            d[0].message.contains("calling code +47 (NO)") && !d[0].message.contains("4799123456"),
            "{}",
            d[0].message
        );
        let us = ContactPolicy {
            default_region: RegionCode::parse("US"),
            ..ContactPolicy::default()
        };
        // In the US it is a number of area code 479 — or still the Norwegian mobile: two
        // valid readings, no fix.
        let d = findings(&super::RULE, "4799123456", &us);
        assert!(d[0].fix.is_none(), "{:?}", d[0].fix);
        let d = findings(&super::RULE, "(479) 912-3456", &us);
        assert_eq!(d[0].fix.as_ref().unwrap().replacement, "+14799123456");
        // The region is India but the digits read as another country: still not certain.
        let india = ContactPolicy {
            default_region: RegionCode::parse("IN"),
            ..ContactPolicy::default()
        };
        let d = findings(&super::RULE, "447911123456", &india);
        assert!(d[0].fix.is_none());
        let d = findings(&super::RULE, "919876543210", &india);
        assert_eq!(d[0].fix.as_ref().unwrap().replacement, "+919876543210");
        let declared = ContactPolicy {
            assume_international: true,
            ..ContactPolicy::default()
        };
        for cell in ["4799123456", "919876543210.0", "9.19876543210E+11"] {
            let d = findings(&super::RULE, cell, &declared);
            assert!(d[0].fix.is_some(), "{cell}");
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
