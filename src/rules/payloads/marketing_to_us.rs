//! WAT019 marketing-to-us: a MARKETING template message to a United States number.

use serde_json::Value;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::phone;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::describe;

declare_rule! {
    /// ## What it checks
    /// A template message whose template is in the MARKETING category (by the registry)
    /// sent to a United States number: `+1` and a US area code. Canadian and Caribbean `+1`
    /// numbers are not findings. The payload counterpart of WAC009, which judges a
    /// campaign's rows (a campaign's messages are left to it).
    ///
    /// ## Why it matters
    /// Since 1 April 2025 Meta delivers no marketing template messages to US phone
    /// numbers. The API accepts the request, and the failure arrives by webhook as 131049
    /// ("This message was not delivered to maintain healthy ecosystem engagement"), so it
    /// is easy to miss. Sources: Twilio error 63049 ("Starting April 1, 2025, recipients in
    /// the U.S. cannot receive WhatsApp marketing template messages"); AWS End User
    /// Messaging ("Meta will block marketing message templates sent to the US country code
    /// of +1"). Utility and authentication templates are not affected. No public thread
    /// quotes Meta's own webhook body for such a send; 131049 is the code the two providers
    /// map it to. Meta's and Twilio's wording is "U.S. phone numbers" / "recipients in the
    /// U.S."; AWS's "+1" is the shared calling code, which Canada and the Caribbean use too,
    /// so walint reports only numbers libphonenumber places in the US (a Canadian +1 416
    /// number is not a finding; a project note cited in fixtures/realworld/INDEX.md, fact 13,
    /// says the same). US territories with their own region (Puerto Rico, Guam) are not
    /// reported: no source says whether the block covers them.
    ///
    /// ## Example
    /// ```json
    /// {"messaging_product": "whatsapp", "to": "+16505551234", "type": "template",
    ///  "template": {"name": "spring_sale", "language": {"code": "en_US"}}}
    /// ```
    /// with `spring_sale` a MARKETING template.
    ///
    /// ## How to fix
    /// Leave US numbers out of marketing sends, or send them a UTILITY template where
    /// that fits the message.
    pub static RULE = {
        code: "WAT019", name: "marketing-to-us", wa_error: Some(131049), severity: Error,
        check: Check::Message { check, campaign: InCampaign::Never },
    }
}

/// The finding for a marketing template sent to a US number.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, _)) = cx.template() else {
        return;
    };
    if t.category() != "MARKETING" {
        return;
    }
    let Some(to) = cx.message.get("to").and_then(Value::as_str) else {
        return;
    };
    let Ok(number) = phone::analyse_international(to).number else {
        return;
    };
    if number.country_code != 1 || number.region().is_none_or(|r| r.as_str() != "US") {
        return;
    }
    out.push(
        RULE.diagnostic(
            format!(
                "template {} is MARKETING and `to` is a US number: Meta delivers no marketing templates to US numbers",
                describe(t)
            ),
            cx.at("/to"),
        )
        .with_help("leave US numbers out of marketing sends, or use a UTILITY template where the message is one"),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::findings;

    const REG: &str = r#"[
        {"name":"sale","language":"en_US","status":"APPROVED","category":"MARKETING","components":[{"type":"BODY","text":"Sale!"}]},
        {"name":"order","language":"en_US","status":"APPROVED","category":"UTILITY","components":[{"type":"BODY","text":"Shipped"}]}]"#;

    fn message(name: &str, to: &str) -> String {
        format!(
            r#"{{"messaging_product":"whatsapp","to":"{to}","type":"template","template":{{"name":"{name}","language":{{"code":"en_US"}}}}}}"#
        )
    }

    #[test]
    fn fires_on_marketing_to_a_us_number_only() {
        let d = findings(&super::RULE, &message("sale", "+16505551234"), REG);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].wa_error, Some(131049));
        // Near misses: a utility template, a Canadian +1 number, another country.
        assert!(findings(&super::RULE, &message("order", "+16505551234"), REG).is_empty());
        assert!(findings(&super::RULE, &message("sale", "+14165550123"), REG).is_empty());
        assert!(findings(&super::RULE, &message("sale", "+919876543210"), REG).is_empty());
    }
}
