//! WAM009 media-example-handle-reused: a template's own example media handle used as the
//! link to send.

use crate::declare_rule;
use crate::rules::Check;
use std::collections::HashSet;

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::template::TemplateRegistry;

use super::MediaCheck;

declare_rule! {
    /// ## What it checks
    /// A media link that is one of the template registry's `example.header_handle` links
    /// (the sample uploaded when the template was created), compared without its query
    /// string. Needs no network.
    ///
    /// ## Why it matters
    /// Example handles are signed `scontent.whatsapp.net` links meant for template review.
    /// They expire, and Meta's own fetcher gets 403 on them: every message fails with
    /// 131053.
    ///
    /// ## Example
    /// `https://scontent.whatsapp.net/v/t61.29466-34/…?ccb=1-7&oh=…&oe=…` copied from the
    /// registry export into the campaign.
    ///
    /// ## How to fix
    /// Host the header media yourself (a public HTTPS link) or upload it and send its
    /// media `id`.
    pub static RULE = {
        code: "WAM009", name: "media-example-handle-reused", wa_error: Some(131053), severity: Error,
        check: Check::Link { check, needs_probe: false },
    }
}

/// The link without its query string or fragment.
pub fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// The registry's example `header_handle` links, without their query strings: what
/// [`check`] compares links with.
pub fn handles(templates: &TemplateRegistry) -> HashSet<String> {
    let mut handles = HashSet::new();
    for component in templates.templates().iter().flat_map(|t| &t.components) {
        let list = component
            .example
            .as_ref()
            .and_then(|e| e.get("header_handle"))
            .and_then(Value::as_array);
        for handle in list.into_iter().flatten().filter_map(Value::as_str) {
            handles.insert(without_query(handle).to_string());
        }
    }
    handles
}

/// The finding for a reused example handle.
pub fn check(cx: &MediaCheck) -> Option<Diagnostic> {
    cx.example_handles
        .contains(without_query(&cx.key.url))
        .then(|| {
            cx.finding(
                &RULE,
                "is the template's example header_handle, which Meta's fetcher cannot use",
                "host the media yourself, or upload it and send its media id",
            )
        })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::media::MediaKind;
    use crate::rules::media::test_support::run_with;

    #[test]
    fn fires_on_a_handle_with_or_without_its_query() {
        let handles: HashSet<String> =
            ["https://scontent.whatsapp.net/v/t61/abc.jpg".to_string()].into();
        let at = |url| run_with(check, url, MediaKind::Image, true, None, &handles);
        assert!(at("https://scontent.whatsapp.net/v/t61/abc.jpg?oh=1&oe=2").is_some());
        assert!(at("https://scontent.whatsapp.net/v/t61/abc.jpg").is_some());
        assert!(at("https://cdn.example.com/abc.jpg").is_none());
    }
}
