//! WAM008 media-signed-url-expiring: a signed media link that expires before the send.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::media::signed_url;
use crate::rules::Check;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A signed media link — AWS (`X-Amz-Date` + `X-Amz-Expires`), Google Cloud Storage
    /// (`X-Goog-Date` + `X-Goog-Expires`), Azure SAS (`se=` with `sig=`) or a generic
    /// `Expires=` (Unix seconds, as CloudFront writes it) — that has expired already, or
    /// expires before the campaign's `send_at`, or within the next hour. Needs no network.
    ///
    /// ## Why it matters
    /// Meta fetches the link when each message is sent (and caches it for 10 minutes
    /// only). A link that works today but has expired by the send answers 403, and every
    /// message fails with 131053.
    ///
    /// ## Example
    /// `https://bucket.s3.amazonaws.com/diwali.jpg?X-Amz-Date=20261130T090000Z&X-Amz-Expires=900&…`
    /// in a campaign with `send_at = "2026-12-01T09:00:00Z"`.
    ///
    /// ## How to fix
    /// Sign the link for longer than the campaign runs, or use a public link, or upload
    /// the file and send its media `id`.
    pub static RULE = {
        code: "WAM008", name: "media-signed-url-expiring", wa_error: Some(131053), severity: Error,
        check: Check::Link { check, needs_probe: false },
    }
}

/// The finding for a signed link that will have expired.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    let expiry = signed_url::expiry(&cx.key.url)?;
    let within_hour = cx
        .now
        .checked_add(jiff::SignedDuration::from_hours(1))
        .ok()?;
    let (what, help) = match cx.uses.send_at {
        _ if expiry.at <= cx.now => (
            format!("expired at {}", expiry.at),
            "sign the link again, for longer than the campaign runs, or use a public link",
        ),
        Some(send_at) if expiry.at < send_at => (
            format!(
                "expires at {}, before the campaign's send_at {send_at}",
                expiry.at
            ),
            "sign the link for longer than the campaign runs, or use a public link",
        ),
        _ if expiry.at < within_hour => (
            format!("expires at {}, within the next hour", expiry.at),
            "sign the link for longer than the campaign runs, or use a public link",
        ),
        _ => return None,
    };
    Some(cx.finding(
        &RULE,
        format!("is a signed {} link that {what}", expiry.scheme),
        help,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::MediaKind;
    use crate::rules::media::test_support::run;

    #[test]
    fn fires_before_send_at_or_within_the_hour() {
        // The test run is at 2026-11-30T09:00Z; the campaign sends 2026-12-01T09:00Z.
        let link = |date: &str, secs: u32| {
            format!(
                "https://b.s3.amazonaws.com/x.jpg?X-Amz-Date={date}&X-Amz-Expires={secs}&X-Amz-Signature=a"
            )
        };
        let d = run(
            check,
            &link("20261130T090000Z", 3600),
            MediaKind::Image,
            None,
        )
        .unwrap();
        assert!(
            d.message.contains("before the campaign's send_at"),
            "{}",
            d.message
        );
        assert!(
            run(
                check,
                &link("20261130T090000Z", 7 * 86400),
                MediaKind::Image,
                None
            )
            .is_none()
        );
        assert!(run(check, "https://cdn/x.jpg", MediaKind::Image, None).is_none());
        // Signed last year: expired, not expiring.
        let d = run(
            check,
            &link("20251130T090000Z", 3600),
            MediaKind::Image,
            None,
        )
        .unwrap();
        assert!(
            d.message.contains("that expired at 2025-11-30T10:00:00Z") && !d.message.contains(','),
            "{}",
            d.message
        );
    }
}
