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
    /// (the sample uploaded when the template was created) on Meta's own storage — a
    /// signed `scontent*.whatsapp.net` or `*.fbcdn.net` link, `lookaside.fbsbx.com`, or an
    /// upload handle `4::…` — compared without its query string. An example that is an
    /// ordinary public link (the owner's own hosting, as some registries written by hand
    /// have) is not a finding: sending it works like any other link, and WAM001–WAM008
    /// judge it. Needs no network.
    ///
    /// ## Why it matters
    /// Example handles are signed `scontent.whatsapp.net` links meant for template review.
    /// They expire, and Meta's own fetcher gets 403 on them: every message fails with
    /// 131053 ("Media upload error"; a NotificaMe/n8n integration's notes record a send
    /// that reused the export's `scontent` link being accepted and then failing so).
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

/// Whether a registry example is a handle on Meta's own storage — a signed
/// `scontent*.whatsapp.net` or `*.fbcdn.net` link, a `lookaside.fbsbx.com` link, or an
/// upload handle (`4::…`) — which only Meta's systems may use. An ordinary public link given
/// as the example is the owner's own hosting, and sending it works.
pub fn is_meta_hosted(example: &str) -> bool {
    if example.starts_with("4::") {
        return true;
    }
    let host = url::Url::parse(example)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    host.is_some_and(|h| {
        (h.starts_with("scontent") && h.ends_with(".whatsapp.net"))
            || h == "fbcdn.net"
            || h.ends_with(".fbcdn.net")
            || h == "lookaside.fbsbx.com"
    })
}

/// The registry's example `header_handle` links on Meta's storage, without their query
/// strings: what [`check`] compares links with.
pub fn handles(templates: &TemplateRegistry) -> HashSet<String> {
    let mut handles = HashSet::new();
    for component in templates.templates().iter().flat_map(|t| &t.components) {
        let list = component
            .example
            .as_ref()
            .and_then(|e| e.get("header_handle"))
            .and_then(Value::as_array);
        let meta = list.into_iter().flatten().filter_map(Value::as_str);
        for handle in meta.filter(|h| is_meta_hosted(h)) {
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

    #[test]
    fn only_meta_hosted_examples_count() {
        for meta in [
            "https://scontent.whatsapp.net/v/t61.29466-34/abc.jpg?ccb=1-7",
            "https://scontent-lhr8-1.xx.fbcdn.net/v/t39/abc.png",
            "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
            "4::aW1hZ2UvanBlZw==:ARZ",
        ] {
            assert!(is_meta_hosted(meta), "{meta}");
        }
        for own in [
            "https://cdn.luckyshrub.example/diwali/lamps.jpg",
            "https://example.whatsapp.net.evil.example/a.jpg",
            "not a url",
        ] {
            assert!(!is_meta_hosted(own), "{own}");
        }
        let registry = crate::rules::payloads::test_support::reg(
            r#"[{"name":"t","language":"en","components":[{"type":"HEADER","format":"IMAGE",
               "example":{"header_handle":["https://cdn.example.com/a.jpg","https://scontent.whatsapp.net/v/b.jpg"]}}]}]"#,
        );
        let found = handles(&registry);
        assert!(found.contains("https://scontent.whatsapp.net/v/b.jpg"));
        assert!(!found.contains("https://cdn.example.com/a.jpg"));
    }
}
