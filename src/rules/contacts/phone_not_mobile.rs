//! WAC003 phone-not-mobile: a valid number of a type that rarely has WhatsApp.

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::phone::LineType;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A valid number whose type, by the numbering plan, rarely carries a WhatsApp
    /// account: toll-free, premium-rate, shared-cost, pager, universal access (UAN) or
    /// voicemail access (warning). A fixed-line number is reported at `info`: WhatsApp
    /// Business can run on a landline, but consumers seldom do. Mobile, VoIP, personal
    /// numbers and plans that cannot tell fixed-line from mobile (the US) pass.
    ///
    /// An Argentine fixed line (`+54` and 10 digits) whose form with the mobile `9` after
    /// `+54` is a valid mobile gets that form named in the message: Argentine mobiles are
    /// dialled from abroad, and identified by WhatsApp (`wa_id` `549…`), with that `9`, and
    /// a list that dropped it (the national `15` prefix removed, the `9` never added) has
    /// mobiles that read as landlines (chatwoot/chatwoot#13932; kevinrivm/vocero-crm#35 on
    /// test numbers' allowed lists, which hold the form without the 9). It stays a hint, not
    /// a fix: the number may be the landline it reads as (chatwoot's
    /// `argentina_phone_normalizer.rb`: "a 54 number without the 9 is a valid landline").
    ///
    /// ## Why it matters
    /// A message to a number without WhatsApp fails after the send with 131026 (message
    /// undeliverable), and such numbers usually come from a company's switchboard or a
    /// form filled with an office line.
    ///
    /// ## Example
    /// ```csv
    /// name,phone
    /// Helpdesk,+18002530000
    /// ```
    /// A US toll-free number.
    ///
    /// ## How to fix
    /// Ask the contact for a mobile number, or remove the row. Lower the rule with
    /// `[severity] WAC003 = "info"` when a list is known to hold business landlines.
    pub static RULE = {
        code: "WAC003", name: "phone-not-mobile", wa_error: Some(131026), severity: Warning,
        check: Check::Row(check),
    }
}

/// The finding for a valid number of an unlikely type.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let line_type = cx.number()?.line_type;
    let severity = match line_type {
        LineType::TollFree
        | LineType::PremiumRate
        | LineType::SharedCost
        | LineType::Pager
        | LineType::Uan
        | LineType::Voicemail => RULE.severity,
        LineType::FixedLine => Severity::Info,
        LineType::Mobile | LineType::FixedLineOrMobile | LineType::Voip | LineType::Personal => {
            return None;
        }
    };
    let mobile_form = cx
        .number()
        .and_then(crate::phone::argentine_mobile_form)
        .map(|_| {
            "; if it is a mobile, its international form has a 9 after +54 (+54 9 and the \
             10 digits, the form WhatsApp IDs of Argentine mobiles have)"
        })
        .unwrap_or_default();
    Some(
        RULE.diagnostic(
            format!(
                "phone is a {} number, which rarely has WhatsApp{mobile_form}",
                line_type.describe()
            ),
            cx.phone_cell(),
        )
        .with_severity(severity)
        .with_help("ask the contact for a mobile number, or remove the row"),
    )
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::rules::contacts::{ContactPolicy, test_support::findings};

    #[test]
    fn an_argentine_landline_names_its_mobile_form() {
        let p = ContactPolicy::default();
        let d = findings(&super::RULE, "+541112345678", &p);
        assert!(
            d[0].message.contains("has a 9 after +54"),
            "{}",
            d[0].message
        );
        assert!(d[0].fix.is_none());
        // Near miss: the mobile form itself, and another country's landline.
        assert!(findings(&super::RULE, "+5491112345678", &p).is_empty());
        assert!(
            !findings(&super::RULE, "+442071838750", &p)[0]
                .message
                .contains("+54")
        );
    }

    #[test]
    fn severity_by_type() {
        let p = ContactPolicy::default();
        let toll_free = findings(&super::RULE, "+18002530000", &p);
        assert_eq!(toll_free[0].severity, Severity::Warning);
        assert!(toll_free[0].message.contains("toll-free"));
        assert_eq!(
            findings(&super::RULE, "+442071838750", &p)[0].severity,
            Severity::Info
        );
        assert!(findings(&super::RULE, "+447911123456", &p).is_empty());
        assert!(
            findings(&super::RULE, "+16502530000", &p).is_empty(),
            "US: fixed-line or mobile"
        );
    }
}
