//! WAM007 media-not-https: a media link over plain `http://`.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::media::redacted;
use crate::rules::Check;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A media link that starts `http://`. Needs no network: it runs with `--offline` too.
    ///
    /// ## Why it matters
    /// Meta's documentation takes HTTP or HTTPS links but recommends HTTPS, and some
    /// providers (Bird, for one) require it. Plain HTTP can be altered on the way, and many
    /// hosts redirect it to HTTPS, which is one more hop to fail (131053).
    ///
    /// ## Example
    /// `http://cdn.example.com/diwali.jpg`
    ///
    /// ## How to fix
    /// Use the `https://` address of the same file.
    pub static RULE = {
        code: "WAM007", name: "media-not-https", wa_error: Some(131053), severity: Warning,
        check: Check::Link { check, needs_probe: false },
    }
}

/// The finding for a plain HTTP link.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    let link = redacted(&cx.key.url);
    let rest = link
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("http://"))
        .map(|_| &link[7..])?;
    // A host Meta cannot reach at all (localhost, a private or loopback address) is no
    // better over HTTPS: the link must move to a public host.
    let host = url::Url::parse(&cx.key.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    let unreachable = host.as_deref().is_some_and(|h| {
        h == "localhost"
            || h.ends_with(".localhost")
            || h.trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| crate::media::address::non_public(ip).is_some())
    });
    if unreachable {
        return Some(cx.finding(
            &RULE,
            "is plain HTTP, on a host Meta cannot reach",
            "Meta fetches media from the internet: host the file on a public server and link to it with https://",
        ));
    }
    let help = "serve the file over HTTPS and link to it with https://";
    Some(
        cx.finding(&RULE, "is plain HTTP", help)
            .with_fix(format!("https://{rest}")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::MediaKind;
    use crate::rules::media::test_support::run;

    #[test]
    fn fires_on_http_only() {
        let d = run(check, "HTTP://cdn/x.jpg", MediaKind::Image, None).unwrap();
        assert_eq!(d.fix.unwrap().replacement, "https://cdn/x.jpg");
        assert!(run(check, "https://cdn/x.jpg", MediaKind::Image, None).is_none());
        assert!(run(check, "ftp://x", MediaKind::Image, None).is_none());
        let d = run(check, "http://u:secret@cdn/x.jpg", MediaKind::Image, None).unwrap();
        assert_eq!(d.fix.unwrap().replacement, "https://cdn/x.jpg");
        assert!(!d.message.contains("secret"), "{}", d.message);
        // A loopback or private host gets no https suggestion: Meta cannot reach it at all.
        for local in [
            "http://127.0.0.1:8080/x.jpg",
            "http://localhost/x.jpg",
            "http://192.168.1.5/x.jpg",
            "http://[::1]/x.jpg",
        ] {
            let d = run(check, local, MediaKind::Image, None).unwrap();
            assert!(d.fix.is_none(), "{local}");
            assert!(d.message.contains("cannot reach"), "{local}: {}", d.message);
        }
    }
}
