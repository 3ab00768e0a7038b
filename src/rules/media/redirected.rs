//! WAM006 media-redirected: a media link that redirects elsewhere.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A media link that answers with a redirect (walint follows up to 5) and works only
    /// at another address. The finding gives the final address.
    ///
    /// ## Why it matters
    /// Whether Meta's fetcher follows redirects is UNCONFIRMED (fact sheet §4). Each hop is
    /// one more place to fail or expire, and short links and tracking redirects change
    /// under a campaign. If the fetch fails, it is 131053.
    ///
    /// ## Example
    /// `https://bit.ly/diwali-img` redirecting to `https://cdn.example.com/diwali.jpg`.
    ///
    /// ## How to fix
    /// Put the final address in the message.
    pub static RULE = {
        code: "WAM006", name: "media-redirected", wa_error: Some(131053), severity: Warning,
        check: Check::Link { check, needs_probe: true },
    }
}

/// The finding for a link that redirects.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    let target = cx.fetched()?.final_url.as_deref()?;
    Some(
        cx.finding(
            &RULE,
            format!("redirects to {target}"),
            "link to the final address directly",
        )
        .with_fix(target),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::MediaKind;
    use crate::media::probe::{Fetched, Probe};
    use crate::rules::media::test_support::{ok, run};

    #[test]
    fn fires_with_the_final_address() {
        let moved = Some(Probe::Fetched(Fetched {
            status: 200,
            final_url: Some("https://cdn/x.jpg".into()),
            ..Fetched::default()
        }));
        let d = run(check, "https://s/x", MediaKind::Image, moved).unwrap();
        assert_eq!(d.fix.unwrap().replacement, "https://cdn/x.jpg");
        assert!(
            run(
                check,
                "https://cdn/x.jpg",
                MediaKind::Image,
                ok("image/jpeg", None, None)
            )
            .is_none()
        );
    }
}
