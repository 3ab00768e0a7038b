//! WAR010 creation-example-missing: a template creation request without the examples Meta
//! requires for its variables and media header.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RegistryCheck;
use super::texts::buttons;

declare_rule! {
    /// ## What it checks
    /// A template written as a creation request (no `status`, so not yet created) that lacks
    /// an example Meta requires:
    /// - a URL button whose `url` has a variable (`https://example.com/track/{{1}}`) and no
    ///   `example` (the full URL with a sample value, or its suffix);
    /// - an IMAGE, VIDEO or DOCUMENT header whose `example` has no `header_handle` (an asset
    ///   handle from the Resumable Upload API; a public link in `header_url` is refused).
    ///
    /// Templates from a GET export (with a `status`) are not judged: Meta created them.
    ///
    /// ## Why it matters
    /// Meta refuses the creation request with **100** (`(#100) Invalid parameter`) for a
    /// URL button variable without an example (MissaelAnda/laravel-whatsapp#3, fixed by
    /// adding `example`; shridarpatil/whatomate#254, fix PR #258) and for a media header
    /// example given as `header_url` (ArnasDon/wacrm#562; Meta's Templates guide: "you must
    /// use the Resumable Upload API to obtain an asset handle"). The template is never
    /// created, so every campaign that sends it fails with 132001.
    ///
    /// ## Example
    /// ```json
    /// {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Track", "url": "https://mpago.li/{{1}}"}]}
    /// ```
    ///
    /// ## How to fix
    /// Add `"example": ["https://mpago.li/2qe5G7E"]` to the button; upload the header's
    /// sample file with the Resumable Upload API and give its handle as
    /// `"example": {"header_handle": ["4::aW..."]}`.
    pub static RULE = {
        code: "WAR010", name: "creation-example-missing", wa_error: Some(100), severity: Error,
        check: Check::Definition(check),
    }
}

/// Reports each missing example of a template that is a creation request.
pub fn check(cx: &RegistryCheck, out: &mut Vec<Diagnostic>) {
    for t in cx.templates.iter().filter(|t| t.status.is_none()) {
        for b in buttons(t) {
            let example = b.button.example.as_ref().filter(|e| !e.is_null());
            if b.button.is("URL") && !b.button.url_placeholders().is_empty() && example.is_none() {
                out.push(
                    RULE.diagnostic(
                        format!(
                            "template '{}': URL {} has a variable in its link but no `example`",
                            t.name, b.label
                        ),
                        cx.at(t, &b.pointer),
                    )
                    .with_help(
                        "add \"example\": [\"<the full URL with a sample value>\"] to the button",
                    ),
                );
            }
        }
        for (i, c) in t.components.iter().enumerate() {
            let media = ["IMAGE", "VIDEO", "DOCUMENT"].contains(&c.header_format().as_str());
            if !c.is("HEADER") || !media {
                continue;
            }
            let handle = c.example.as_ref().and_then(|e| e.get("header_handle"));
            if handle.is_none() {
                let given = match c.example.as_ref().and_then(|e| e.get("header_url")) {
                    Some(_) => "a public link (`header_url`) instead of an upload handle",
                    None => "no sample",
                };
                out.push(
                    RULE.diagnostic(
                        format!(
                            "template '{}': its {} header's example has {given} (`header_handle`)",
                            t.name,
                            c.header_format()
                        ),
                        cx.at(t, &format!("/components/{i}")),
                    )
                    .with_help("upload a sample with the Resumable Upload API and give its handle as example.header_handle"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::registry::test_support::findings;

    fn template(status: &str, header: &str, button: &str) -> String {
        format!(
            r#"[{{"name":"t","language":"en",{status}"components":[{header}
               {{"type":"BODY","text":"Hi"}},
               {{"type":"BUTTONS","buttons":[{button}]}}]}}]"#
        )
    }

    #[test]
    fn fires_on_a_creation_request_without_examples() {
        let url = r#"{"type":"URL","text":"Track","url":"https://mpago.li/{{1}}"}"#;
        let d = findings(&super::RULE, &template("", "", url));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("no `example`"), "{}", d[0].message);
        let header = r#"{"type":"HEADER","format":"DOCUMENT","example":{"header_url":["https://x.example/a.pdf"]}},"#;
        let quick = r#"{"type":"QUICK_REPLY","text":"Stop"}"#;
        let d = findings(&super::RULE, &template("", header, quick));
        assert!(d[0].message.contains("header_url"), "{}", d[0].message);
    }

    #[test]
    fn near_misses() {
        let url = r#"{"type":"URL","text":"Track","url":"https://mpago.li/{{1}}","example":["https://mpago.li/2qe5G7E"]}"#;
        assert!(findings(&super::RULE, &template("", "", url)).is_empty());
        // Created already (a GET export): not judged.
        let bare = r#"{"type":"URL","text":"Track","url":"https://mpago.li/{{1}}"}"#;
        assert!(findings(&super::RULE, &template(r#""status":"APPROVED","#, "", bare)).is_empty());
        let header =
            r#"{"type":"HEADER","format":"IMAGE","example":{"header_handle":["4::aW1hZ2U="]}},"#;
        let quick = r#"{"type":"QUICK_REPLY","text":"Stop"}"#;
        assert!(findings(&super::RULE, &template("", header, quick)).is_empty());
    }
}
