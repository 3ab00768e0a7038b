//! WAC009 us-marketing-recipient: a US number in a campaign that sends a MARKETING template.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A recipient with a United States number (+1 and a US area code) in a campaign whose
    /// template is in the MARKETING category. Canadian and Caribbean +1 numbers are not
    /// findings. Only campaigns (`[[campaign]]` in walint.toml) know the category, so a
    /// contact list checked on its own never gets this finding.
    ///
    /// ## Why it matters
    /// Since April 2025 Meta delivers no marketing template messages to US phone numbers;
    /// each one fails with 131049 after the API has accepted it, and is still counted
    /// against the campaign.
    ///
    /// ## Example
    /// A `diwali_offer` (MARKETING) campaign whose list holds `+1 415 555 0132`.
    ///
    /// ## How to fix
    /// Leave US numbers out of marketing campaigns (`walint fix --campaign NAME` moves them
    /// to the rejects file), or send them a UTILITY template where that fits the message.
    pub static RULE = {
        code: "WAC009", name: "us-marketing-recipient", wa_error: Some(131049), severity: Error,
        check: Check::Row(check),
    }
}

/// The finding for a US recipient of a marketing template.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let campaign = cx.campaign?;
    if !campaign.marketing {
        return None;
    }
    let number = cx.number()?;
    if number.country_code != 1 || number.region().is_none_or(|r| r.as_str() != "US") {
        return None;
    }
    Some(
        RULE.diagnostic(
            format!(
                "a US number in campaign `{}`, whose template is MARKETING: Meta delivers no marketing templates to US numbers",
                campaign.name
            ),
            cx.phone_cell(),
        )
        .with_help("leave US numbers out of marketing campaigns, or use a UTILITY template where the message is one"),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::contacts::test_support::campaign_findings;
    use crate::rules::contacts::{CampaignContext, ContactPolicy};

    fn marketing(marketing: bool) -> CampaignContext {
        CampaignContext {
            name: "spring".into(),
            marketing,
            window: None,
        }
    }

    #[test]
    fn us_numbers_of_marketing_campaigns() {
        let p = ContactPolicy::default();
        let d = campaign_findings(&super::RULE, "+14155550132", &p, &marketing(true));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].wa_error, Some(131049));
        // Canada (+1 604) and a UTILITY campaign are not findings.
        assert!(campaign_findings(&super::RULE, "+16045550132", &p, &marketing(true)).is_empty());
        assert!(campaign_findings(&super::RULE, "+14155550132", &p, &marketing(false)).is_empty());
        assert!(campaign_findings(&super::RULE, "+919876543210", &p, &marketing(true)).is_empty());
    }
}
