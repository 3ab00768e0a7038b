//! WAM003 media-type-not-allowed: the served Content-Type is not one WhatsApp takes for
//! the kind of media the link is used as.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::media::MediaKind;
use crate::rules::Check;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A media link whose server's Content-Type is not allowed for the media object it is
    /// used in: image JPEG/PNG; video MP4/3GPP; audio AAC/AMR/MP3/MP4/OGG; documents PDF,
    /// text and the Office formats, and **PDF only** in a template document header; WebP
    /// **only** as a sticker. A link served with no Content-Type at all is reported too.
    ///
    /// ## Why it matters
    /// Meta checks the type it is served. A WebP sent as an image, or a Word file as a
    /// template header document, fails with 131053 after the send was accepted.
    ///
    /// ## Example
    /// ```json
    /// {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://cdn.example.com/offer.webp"}}]}
    /// ```
    /// served as `image/webp`.
    ///
    /// ## How to fix
    /// Convert the file to an accepted type (WebP and GIF images to JPEG or PNG, documents
    /// in a header to PDF), and serve it with the right Content-Type.
    pub static RULE = {
        code: "WAM003", name: "media-type-not-allowed", wa_error: Some(131053), severity: Error,
        check: Check::Link { check, needs_probe: true },
    }
}

/// The finding for a type the kind does not take.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    let fetched = cx.fetched()?;
    let allowed = cx.key.kind.allowed_types(cx.key.in_header);
    let Some(declared) = cx.declared_type() else {
        let help = format!(
            "serve it with `Content-Type: {}`; Meta needs the type to accept the file",
            fetched.sniffed.as_deref().unwrap_or(allowed[0])
        );
        return Some(cx.finding(&RULE, "is served without a Content-Type", help));
    };
    if allowed.contains(&declared.as_str()) {
        return None;
    }
    let why = match (cx.key.kind, declared.as_str()) {
        (MediaKind::Image, "image/webp") => "WebP is accepted only as a sticker".to_string(),
        (MediaKind::Document, _) if cx.key.in_header => {
            "a template document header takes PDF only".to_string()
        }
        (kind, _) => format!("a {} takes {}", kind.as_str(), allowed.join(", ")),
    };
    let help = format!(
        "convert the file to {} and serve it with that Content-Type",
        allowed.join(" or ")
    );
    Some(cx.finding(&RULE, format!("is served as {declared}: {why}"), help))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::rules::media::test_support::{image, ok, run, run_with};

    #[test]
    fn webp_only_as_a_sticker_and_pdf_only_in_a_header() {
        let d = run(
            check,
            "https://x/a.webp",
            MediaKind::Image,
            ok("image/webp", None, None),
        )
        .unwrap();
        assert!(d.message.contains("only as a sticker"), "{}", d.message);
        assert!(
            run(
                check,
                "https://x/a.webp",
                MediaKind::Sticker,
                ok("image/webp", None, None)
            )
            .is_none()
        );
        let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        let d = run(
            check,
            "https://x/a.docx",
            MediaKind::Document,
            ok(docx, None, None),
        )
        .unwrap();
        assert!(d.message.contains("PDF only"));
        let none = HashSet::new();
        assert!(
            run_with(
                check,
                "https://x/a.docx",
                MediaKind::Document,
                false,
                ok(docx, None, None),
                &none
            )
            .is_none()
        );
        assert!(image(check, ok("image/jpeg; charset=binary", None, None)).is_none());
    }
}
