//! WAM004 media-too-large: a media file over WhatsApp's size limit for its kind.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A media link whose size (Content-Length, or the total of a Content-Range) is over
    /// the limit for the kind it is used as: image 5 MB, video and audio 16 MB, document
    /// 100 MB, sticker 100 KB (500 KB when animated). Megabytes are counted as 10^6 bytes:
    /// whether Meta means 10^6 or 2^20 is UNCONFIRMED, and the smaller is the safe side.
    ///
    /// ## Why it matters
    /// Meta fetches the link at send time and drops a file over the limit: 131053.
    ///
    /// ## Example
    /// A header image link serving a 7.2 MB PNG.
    ///
    /// ## How to fix
    /// Compress or resize the file (JPEG at 80% quality is usually far under 5 MB for an
    /// image), or shorten the video.
    pub static RULE = {
        code: "WAM004", name: "media-too-large", wa_error: Some(131053), severity: Error,
        check: Check::Link { check, needs_probe: true },
    }
}

/// The finding for a file over the kind's limit.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    let fetched = cx.fetched()?;
    let size = fetched.size?;
    let limit = cx.key.kind.max_bytes(fetched.animated);
    (size > limit).then(|| {
        let kind = cx.key.kind.as_str();
        cx.finding(
            &RULE,
            format!("is {size} bytes, over the {kind} limit of {limit} bytes"),
            format!("make the file smaller than {limit} bytes (compress, resize or shorten it)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::MediaKind;
    use crate::rules::media::test_support::{image, ok, run};

    #[test]
    fn fires_just_over_the_limit() {
        let at = |n| image(check, ok("image/jpeg", Some(n), None));
        assert!(at(5_000_001).is_some());
        assert!(at(5_000_000).is_none());
        assert!(image(check, ok("image/jpeg", None, None)).is_none());
        assert!(
            run(
                check,
                "https://x/s.webp",
                MediaKind::Sticker,
                ok("image/webp", Some(100_001), None)
            )
            .is_some()
        );
    }
}
