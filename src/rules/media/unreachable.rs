//! WAM001 media-unreachable: a media link that gives no HTTP answer at all.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::media::probe::{Failure, Probe};
use crate::rules::Check;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A media link that walint could not fetch at all: the host name does not resolve
    /// (DNS), the connection is refused or times out, the TLS handshake fails, or the
    /// redirects go round in a loop or past 5. The finding says which, after two retries.
    ///
    /// ## Why it matters
    /// Meta fetches the link when the message is sent. The send is accepted (HTTP 200), and
    /// only later does a webhook say the message failed with 131053 (media upload error),
    /// message by message.
    ///
    /// ## Example
    /// ```json
    /// {"type": "image", "image": {"link": "https://cdn.example.invalid/diwali.jpg"}}
    /// ```
    ///
    /// ## How to fix
    /// Correct the link, or host the file where it can be fetched from the internet (a
    /// public CDN with a valid certificate), or upload it and send its media `id`.
    pub static RULE = {
        code: "WAM001", name: "media-unreachable", wa_error: Some(131053), severity: Error,
        check: Check::Link { check, needs_probe: true },
    }
}

/// The finding for a link with no HTTP answer.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    let Some(Probe::Unreachable { failure, detail }) = cx.probe else {
        return None;
    };
    let help = match failure {
        Failure::Dns => "check the host name; Meta cannot fetch from a host that does not resolve",
        Failure::Tls => "serve the file over HTTPS with a valid, complete certificate chain",
        Failure::Timeout => "serve the file from a host that answers within seconds (a CDN)",
        Failure::Redirects => "link to the file's final address, without redirects",
        _ => "check the link and that its host is reachable from the internet",
    };
    let what = format!("cannot be fetched: {} ({detail})", failure.describe());
    Some(cx.finding(&RULE, what, help))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::MediaKind;
    use crate::rules::media::test_support::{image, ok, run};

    #[test]
    fn fires_on_transport_failures_only() {
        let dns = Some(Probe::Unreachable {
            failure: Failure::Dns,
            detail: "no such host".into(),
        });
        let d = run(check, "https://x.invalid/a.jpg", MediaKind::Image, dns).unwrap();
        assert!(
            d.message.contains("DNS lookup failed (no such host)"),
            "{}",
            d.message
        );
        assert!(image(check, ok("image/jpeg", None, None)).is_none());
        assert!(image(check, None).is_none());
    }
}
