//! WAC010 outside-service-window: a free-form message to a customer whose last message is
//! older than 24 hours at send time.

use jiff::{SignedDuration, Timestamp};

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// In a campaign that sends a free-form (non-template) message and names a
    /// `last_inbound_column`, each row whose last inbound message time is more than 24
    /// hours before the campaign's `send_at` (or before now, without one) — or is empty or
    /// not a time at all, since then no open window can be shown. Times are RFC 3339
    /// (`2026-11-29T18:30:00Z`, `2026-11-29T18:30:00+05:30`), `YYYY-MM-DD HH:MM[:SS]` taken
    /// as UTC, or Unix seconds.
    ///
    /// ## Why it matters
    /// Outside the 24-hour customer service window only template messages may be sent;
    /// a free-form message fails with 131047 (re-engagement message).
    ///
    /// ## Example
    /// `send_at = "2026-11-30T09:00:00Z"` and a row whose `last_message_at` is
    /// `2026-11-28T20:00:00Z` (37 hours earlier).
    ///
    /// ## How to fix
    /// Send those customers an approved template instead, or leave them out.
    pub static RULE = {
        code: "WAC010", name: "outside-service-window", wa_error: Some(131047), severity: Error,
        check: Check::Row(check),
    }
}

/// The customer service window.
const WINDOW: SignedDuration = SignedDuration::from_hours(24);

/// The finding for a row outside the 24-hour window.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let window = cx.campaign?.window.as_ref()?;
    if cx.row.fault.is_some() {
        return None;
    }
    let cell = cx.row.last_inbound.as_deref().unwrap_or_default().trim();
    let at = cx.at(Some(&window.column));
    let help = "send an approved template to customers outside the 24-hour window";
    let Some(last) = parse_time(cell) else {
        let what = if cell.is_empty() {
            "is empty".to_string()
        } else {
            format!(
                "'{}' is not a time",
                crate::rules::payloads::unsupported_message_type::shorten(cell)
            )
        };
        return Some(
            RULE.diagnostic(
                format!("the last inbound time {what}, so no open 24-hour window can be shown for a free-form message"),
                at,
            )
            .with_help(help),
        );
    };
    let age = window.send_at.duration_since(last);
    (age > WINDOW).then(|| {
        RULE.diagnostic(
            format!(
                "the customer's last message is {} hours before send time: the 24-hour window for free-form messages is closed",
                age.as_secs() / 3600
            ),
            at,
        )
        .with_help(help)
    })
}

/// Reads a last-inbound time: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` as UTC, or Unix seconds.
pub fn parse_time(cell: &str) -> Option<Timestamp> {
    if let Ok(t) = cell.parse::<Timestamp>() {
        return Some(t);
    }
    if !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit()) {
        return Timestamp::from_second(cell.parse().ok()?).ok();
    }
    let civil: jiff::civil::DateTime = cell.parse().ok()?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::contacts::test_support::window_findings;

    #[test]
    fn times_in_three_spellings() {
        let t = |s: &str| parse_time(s).map(|t| t.as_second());
        assert_eq!(t("2026-11-30T09:00:00Z"), Some(1_796_029_200));
        assert_eq!(t("2026-11-30T14:30:00+05:30"), Some(1_796_029_200));
        assert_eq!(t("2026-11-30 09:00:00"), Some(1_796_029_200));
        assert_eq!(t("2026-11-30 09:00"), Some(1_796_029_200));
        assert_eq!(t("1796029200"), Some(1_796_029_200));
        assert_eq!(t("yesterday"), None);
        assert_eq!(t(""), None);
    }

    #[test]
    fn closed_windows_fire() {
        let send = "2026-11-30T09:00:00Z";
        let d = window_findings(send, "2026-11-28T20:00:00Z");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("37 hours"), "{}", d[0].message);
        assert_eq!(d[0].wa_error, Some(131047));
        assert_eq!(window_findings(send, "").len(), 1);
        assert_eq!(window_findings(send, "soon").len(), 1);
        // Inside the window (23 h 59 min) and exactly 24 h are not findings.
        assert!(window_findings(send, "2026-11-29T09:01:00Z").is_empty());
        assert!(window_findings(send, "2026-11-29T09:00:00Z").is_empty());
    }
}
