//! WAT017 invalid-recipient: a message whose `to` is not a phone number WhatsApp can reach.

use serde_json::Value;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::phone::{self, Invalid, Shape, ShapeFault};
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;

declare_rule! {
    /// ## What it checks
    /// A message whose `to` is not a valid phone number once a leading `+` is assumed:
    /// letters, too few or too many digits for its country, an unassigned country code,
    /// a national number without country code. Digits without `+` (`919876543210`) are
    /// accepted, as in Meta's own examples, and so are spaces, dashes and brackets. A `to`
    /// written with the `00` international prefix is a finding even when the number is
    /// valid (the fix gives the `+` form). Group messages (`recipient_type: group`), whose
    /// `to` is a group ID, and messages without a `to` string are not checked here.
    ///
    /// ## Why it matters
    /// A number that cannot exist never reaches a WhatsApp account: the send fails with
    /// 131026 (message undeliverable), often only in the status webhook after the API
    /// accepted the request. Since January 2023 the Cloud API rejects a `00…` number with
    /// 100 (invalid parameter).
    ///
    /// ## Example
    /// ```json
    /// {"messaging_product": "whatsapp", "to": "00919876543210", "type": "text",
    ///  "text": {"body": "Your order has shipped"}}
    /// ```
    /// Write `+919876543210`.
    ///
    /// ## How to fix
    /// Send `+`, the country code and the number. Clean the contact list first
    /// (`walint check` on the CSV, `walint fix` to rewrite fixable numbers).
    pub static RULE = {
        code: "WAT017", name: "invalid-recipient", wa_error: Some(131026), other_wa_errors: &[100], severity: Error,
        check: Check::Message { check, campaign: InCampaign::Never },
    }
}

/// Reports a `to` that is not a reachable phone number.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let group = cx
        .message
        .get("recipient_type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("group"));
    if group {
        return;
    }
    let Some(to) = cx.message.get("to").and_then(Value::as_str) else {
        return;
    };
    let facts = phone::analyse_international(to);
    if facts.shape == Shape::NotE164(ShapeFault::DoubleZeroPrefix) {
        let mut d = RULE
            .diagnostic(
                "`to` starts with the 00 international prefix, which the Cloud API rejects",
                cx.at("/to"),
            )
            .with_help("write + instead of 00: + then the country code and the number");
        d.wa_error = Some(100);
        if let Ok(number) = facts.number {
            d = d.with_fix(number.e164());
        }
        out.push(d);
        return;
    }
    if let Err(why) = facts.number {
        out.push(
            RULE.diagnostic(
                format!(
                    "`to` is not a valid phone number, even with a leading + assumed: {}",
                    reason(why)
                ),
                cx.at("/to"),
            )
            .with_help("send + then the country code and the number, digits only"),
        );
    }
}

/// Why, in words. A payload has no default region, so a number without a country code is
/// said so plainly.
fn reason(why: Invalid) -> &'static str {
    match why {
        Invalid::NoCountryCode => {
            "it has no country code (without one, the Cloud API prepends the business number's)"
        }
        other => other.describe(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::diagnostic::{Diagnostic, Location};
    use crate::template::TemplateRegistry;

    fn findings(message: Value) -> Vec<Diagnostic> {
        crate::rules::payloads::test_support::run_check(
            super::check,
            &message,
            &TemplateRegistry::default(),
        )
    }

    fn to(number: &str) -> Vec<Diagnostic> {
        findings(
            json!({"messaging_product": "whatsapp", "to": number, "type": "text",
                        "text": {"body": "hi"}}),
        )
    }

    #[test]
    fn invalid_numbers_fire_with_the_reason() {
        for (number, why) in [
            ("+44791", "too short"),
            ("44791", "too short"),
            ("+999123456789", "country"),
            ("+1 800 FLOWERS", "characters"),
            ("0791112345", "no country code"),
            ("", "no phone number"),
            ("+", "no phone number"),
            ("+4479111234567890", "too long"),
        ] {
            let d = to(number);
            assert_eq!(d.len(), 1, "{number}");
            assert_eq!((d[0].code(), d[0].wa_error), ("WAT017", Some(131026)));
            assert!(d[0].message.contains(why), "{number}: {}", d[0].message);
            assert!(matches!(&d[0].location, Location::Json { pointer, .. } if pointer == "/to"));
        }
    }

    #[test]
    fn a_00_prefix_is_error_100_with_the_plus_form() {
        let d = to("00919876543210");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].wa_error, Some(100));
        assert!(
            d[0].message.contains("00 international prefix"),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].fix.as_ref().unwrap().replacement, "+919876543210");
        let d = to("0099912345");
        assert_eq!(d[0].wa_error, Some(100));
        assert!(d[0].fix.is_none(), "not a valid number once read");
    }

    #[test]
    fn near_misses() {
        for number in [
            "+919876543210",
            "919876543210",
            "+91 98765-43210",
            "(+44) 7400 123456",
            "447400123456",
            "16505551234",
            "+16502530000",
        ] {
            assert!(to(number).is_empty(), "{number}: {:?}", to(number));
        }
        let group = json!({"messaging_product": "whatsapp", "recipient_type": "group",
                           "to": "120363025246125888@g.us", "type": "text", "text": {"body": "x"}});
        assert!(findings(group).is_empty());
        let bsuid = json!({"messaging_product": "whatsapp", "recipient": "US.13491208655302741918",
                           "type": "text", "text": {"body": "x"}});
        assert!(findings(bsuid).is_empty());
        assert!(
            findings(json!({"messaging_product": "whatsapp", "to": 919876543210_u64})).is_empty()
        );
    }
}
