//! WAM005 media-content-mismatch: the file's first bytes are not what its Content-Type
//! says.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::media::sniff;
use crate::rules::Check;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A media link whose first bytes (walint reads at most 4 KB) show a different type
    /// from the Content-Type it is served with: a PNG served as `image/jpeg`, an HTML
    /// error or login page served as `image/jpeg`, a GIF served as `image/png`.
    ///
    /// ## Why it matters
    /// Meta needs the served type to be the file's type; a mismatch is a file Meta may fail
    /// to process (131053), and an HTML page behind a media link means the link leads to a
    /// page, not the file. Whether Meta decodes a mislabelled but allowed image is
    /// UNCONFIRMED, so walint takes the safe side and reports it as an error.
    ///
    /// ## Example
    /// `https://cdn.example.com/banner.jpg` served as `image/jpeg`, starting `\x89PNG`.
    ///
    /// ## How to fix
    /// Serve the file with its real type (here `image/png`), or convert it to the type
    /// the link claims.
    pub static RULE = {
        code: "WAM005", name: "media-content-mismatch", wa_error: Some(131053), severity: Error,
        check: Check::Link { check, needs_probe: true },
    }
}

/// The finding for content that is not its declared type.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    let sniffed = cx.fetched()?.sniffed.as_deref()?;
    let declared = cx.declared_type()?;
    if sniff::agrees(sniffed, &declared) {
        return None;
    }
    Some(cx.finding(
        &RULE,
        format!("is served as {declared} but its content is {sniffed}"),
        format!("serve it with `Content-Type: {sniffed}`, or convert the file to {declared}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::media::test_support::{image, ok};

    #[test]
    fn fires_when_the_bytes_disagree() {
        let png_as_jpeg = ok("image/jpeg", Some(10), Some("image/png"));
        let d = image(check, png_as_jpeg).unwrap();
        assert!(d.message.contains("content is image/png"));
        assert!(image(check, ok("image/jpeg", None, Some("image/jpeg"))).is_none());
        assert!(image(check, ok("image/jpeg", None, None)).is_none());
    }
}
