//! WAM002 media-http-error: a media link whose server answers with an error status.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::media::probe::Probe;
use crate::rules::Check;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A media link whose final answer (after redirects, and after two retries for 429 and
    /// 5xx) is not a 2xx status: 401/403 (the link needs credentials or a signature),
    /// 404/410 (gone), 5xx (the server fails).
    ///
    /// ## Why it matters
    /// Meta's fetcher gets the same answer and the message fails with 131053
    /// ("Downloading media from weblink failed with http code 403"). The Cloud API has no
    /// way to send credentials with the fetch: a link behind a login never works.
    ///
    /// ## Example
    /// ```json
    /// {"type": "document", "document": {"link": "https://intranet.example.com/invoice.pdf"}}
    /// ```
    /// answered `403 Forbidden`.
    ///
    /// ## How to fix
    /// Make the file public (or a signed link valid past the send), fix the path, or upload
    /// the file and send its media `id`.
    pub static RULE = {
        code: "WAM002", name: "media-http-error", wa_error: Some(131053), severity: Error,
        check: Check::Link { check, needs_probe: true },
    }
}

/// The finding for a non-2xx answer.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    let Some(Probe::Fetched(f)) = cx.probe else {
        return None;
    };
    if (200..300).contains(&f.status) {
        return None;
    }
    let (why, help) = match f.status {
        401 | 403 => (
            "the link needs credentials Meta cannot send",
            "make the file public, or use a signed link that is valid when the campaign goes out",
        ),
        404 | 410 => (
            "the file is not there",
            "correct the link or put the file back",
        ),
        429 => (
            "the server rate-limits the fetch",
            "serve the file from a CDN that can take the campaign's fetches",
        ),
        500..=599 => (
            "the server fails",
            "fix the server, or host the file on a CDN",
        ),
        _ => ("the fetch fails", "make the link answer 200 with the file"),
    };
    let at = f
        .final_url
        .as_deref()
        .map(|u| format!(" at {u}"))
        .unwrap_or_default();
    let what = format!("answers HTTP {}{at}: {why}", f.status);
    Some(cx.finding(&RULE, what, help))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::MediaKind;
    use crate::media::probe::Fetched;
    use crate::rules::media::test_support::{ok, run};

    fn status(status: u16) -> Option<Probe> {
        Some(Probe::Fetched(Fetched {
            status,
            ..Fetched::default()
        }))
    }

    #[test]
    fn fires_on_error_statuses() {
        let d = run(check, "https://x/a.pdf", MediaKind::Document, status(403)).unwrap();
        assert!(d.message.contains("HTTP 403") && d.message.contains("credentials"));
        assert!(run(check, "https://x/a.pdf", MediaKind::Document, status(404)).is_some());
        assert!(run(check, "https://x/a.pdf", MediaKind::Document, status(500)).is_some());
        assert!(run(check, "https://x/a.pdf", MediaKind::Document, status(206)).is_none());
        assert!(
            run(
                check,
                "https://x/a.pdf",
                MediaKind::Document,
                ok("application/pdf", None, None)
            )
            .is_none()
        );
    }
}
