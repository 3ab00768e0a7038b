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
    Some(
        RULE.diagnostic(
            format!(
                "phone is a {} number, which rarely has WhatsApp",
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
