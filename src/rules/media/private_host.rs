//! WAM011 media-private-host: a media link to a host that is not on the public internet.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::media::host_of;
use crate::media::probe::Probe;
use crate::rules::Check;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A media link whose host is, or resolves only to, a loopback, private (10/8,
    /// 172.16/12, 192.168/16, fc00::/7), link-local, carrier-grade NAT or cloud metadata
    /// (169.254.169.254) address. walint does not send the request: it reports the link.
    /// `--allow-private-hosts` lifts the refusal (for internal CDNs, and tests).
    ///
    /// ## Why it matters
    /// Meta fetches the link from the internet and cannot reach such an address: 131053.
    /// And a linter that fetched whatever a CSV says would let a crafted upload reach
    /// internal services.
    ///
    /// ## Example
    /// `http://10.0.4.12/banners/diwali.jpg`, or `http://169.254.169.254/latest/meta-data/`.
    ///
    /// ## How to fix
    /// Publish the file on a public host (a CDN or a public bucket).
    pub static RULE = {
        code: "WAM011", name: "media-private-host", wa_error: Some(131053), severity: Error,
        check: Check::Link { check, needs_probe: true },
    }
}

/// The finding for a refused host.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    let Some(Probe::Refused { host, address, why }) = cx.probe else {
        return None;
    };
    let bare = host.trim_matches(['[', ']']);
    let resolves = if bare == address || bare.parse::<std::net::IpAddr>().is_ok() {
        format!("{host} is {why}")
    } else {
        format!("{host} resolves to {address}, {why}")
    };
    // A redirect can lead to the refused host: say so.
    let resolves = match host_of(&cx.key.url) {
        Some(own) if !own.eq_ignore_ascii_case(host) => format!("it redirects to {resolves}"),
        _ => resolves,
    };
    Some(cx.finding(
        &RULE,
        format!("is not on the public internet: {resolves}; not fetched"),
        "publish the file on a public host; Meta cannot fetch from a private network",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::MediaKind;
    use crate::rules::media::test_support::{image, ok, run};

    #[test]
    fn fires_on_refused_hosts() {
        let refused = Some(Probe::Refused {
            host: "intranet.example".into(),
            address: "10.0.0.5".into(),
            why: "a private address".into(),
        });
        let d = run(
            check,
            "http://intranet.example/a.jpg",
            MediaKind::Image,
            refused,
        )
        .unwrap();
        assert!(
            d.message
                .contains("resolves to 10.0.0.5, a private address"),
            "{}",
            d.message
        );
        assert!(image(check, ok("image/jpeg", None, None)).is_none());
    }
}
