//! WAM010 media-size-unknown: a media link whose size the server does not say.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A media link answered without a size: no Content-Length to `HEAD` or `GET`, and no
    /// total in a Content-Range (typical of chunked, on-the-fly responses). walint reads
    /// at most 4 KB, so it cannot tell whether the file is within the limit.
    ///
    /// ## Why it matters
    /// A file over the limit fails with 131053; this is the one case walint cannot rule
    /// out. Reported as information.
    ///
    /// ## Example
    /// An image served with `Transfer-Encoding: chunked` and no length.
    ///
    /// ## How to fix
    /// Serve static files with a Content-Length (any CDN or object store does), or check
    /// the file's size yourself.
    pub static RULE = {
        code: "WAM010", name: "media-size-unknown", wa_error: Some(131053), severity: Info,
        check: Check::Link { check, needs_probe: true },
    }
}

/// The finding for an answer without a size.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    let fetched = cx.fetched()?;
    fetched.size.is_none().then(|| {
        let (kind, limit) = (
            cx.key.kind.as_str(),
            cx.key.kind.max_bytes(fetched.animated),
        );
        cx.finding(
            &RULE,
            format!("does not say its size; the {kind} limit of {limit} bytes cannot be checked"),
            "serve the file with a Content-Length",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::media::test_support::{image, ok};

    #[test]
    fn fires_without_a_size() {
        assert!(image(check, ok("image/jpeg", None, None)).is_some());
        assert!(image(check, ok("image/jpeg", Some(9), None)).is_none());
        assert!(image(check, None).is_none());
    }
}
