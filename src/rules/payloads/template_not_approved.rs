//! WAT004 template-not-approved: the message uses a template whose status is not APPROVED.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::describe;

declare_rule! {
    /// ## What it checks
    /// A template message whose template (name and language) is in the registry with a
    /// status other than `APPROVED`: PAUSED, DISABLED, PENDING, REJECTED, IN_APPEAL,
    /// ARCHIVED, PENDING_DELETION, or no status at all (a creation request rather than a
    /// Graph API export; walint does not assume approval).
    ///
    /// ## Why it matters
    /// Only approved templates can be sent. A PAUSED template fails with 132015, a
    /// DISABLED one with 132016. Meta documents 132001 for a template that is "not
    /// approved"; which code the other statuses produce is not confirmed, so walint
    /// reports them as 132001.
    ///
    /// ## Example
    /// ```json
    /// {"type": "template", "template": {"name": "spring_sale", "language": {"code": "en"}}}
    /// ```
    /// with `spring_sale` (`en`) exported as `"status": "PAUSED"`.
    ///
    /// ## How to fix
    /// PAUSED: improve the template's quality (edit it) and wait for it to be unpaused.
    /// DISABLED: create a new template. PENDING / IN_APPEAL: wait for review. REJECTED:
    /// edit and resubmit. ARCHIVED: unarchive it. No status: export the registry from
    /// `GET /<WABA_ID>/message_templates`, which includes it.
    pub static RULE = {
        code: "WAT004", name: "template-not-approved", wa_error: Some(132001), other_wa_errors: &[132015, 132016], severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

/// Reports a template that is not APPROVED.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, _)) = cx.template() else {
        return;
    };
    let status = t.status();
    let (wa, help) = match status.as_str() {
        "APPROVED" => return,
        "PAUSED" => (
            132015,
            "a paused template cannot be sent: edit it to improve its quality, or use another template",
        ),
        "DISABLED" => (
            132016,
            "a disabled template can never be sent again: create a new template",
        ),
        "UNKNOWN" => (
            132001,
            "the registry gives no status: export it from GET /<WABA_ID>/message_templates",
        ),
        _ => (
            132001,
            "send only APPROVED templates: wait for review, or edit and resubmit the template",
        ),
    };
    let what = if status == "UNKNOWN" {
        "has no status in the registry".to_string()
    } else {
        format!("is {status}, not APPROVED")
    };
    let mut d = RULE
        .diagnostic(
            format!("template {} {what}", describe(t)),
            cx.at("/template/name"),
        )
        .with_help(help);
    d.wa_error = Some(wa);
    out.push(d);
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    fn reg(status: Option<&str>) -> String {
        let status = status.map_or(String::new(), |s| format!(r#""status":"{s}","#));
        format!(
            r#"[{{"name":"promo","language":"en",{status}"components":[{{"type":"BODY","text":"Hi"}}]}}]"#
        )
    }

    #[test]
    fn statuses_map_to_their_codes() {
        for (status, code) in [
            (Some("PAUSED"), 132015),
            (Some("disabled"), 132016),
            (Some("PENDING"), 132001),
            (Some("REJECTED"), 132001),
            (Some("IN_APPEAL"), 132001),
            (Some("ARCHIVED"), 132001),
            (Some("PENDING_DELETION"), 132001),
            (None, 132001),
        ] {
            let d = findings(&super::RULE, &msg("promo", "en", "[]"), &reg(status));
            assert_eq!(d.len(), 1, "{status:?}");
            assert_eq!(d[0].wa_error, Some(code), "{status:?}");
            assert_eq!(ptr(&d[0]), "/template/name");
        }
    }

    #[test]
    fn near_misses() {
        assert!(
            findings(
                &super::RULE,
                &msg("promo", "en", "[]"),
                &reg(Some("APPROVED"))
            )
            .is_empty()
        );
        assert!(
            findings(
                &super::RULE,
                &msg("promo", "en", "[]"),
                &reg(Some("approved"))
            )
            .is_empty()
        );
        assert!(
            findings(
                &super::RULE,
                &msg("promo", "en_US", "[]"),
                &reg(Some("PAUSED"))
            )
            .is_empty(),
            "another language is WAT002's"
        );
    }
}
