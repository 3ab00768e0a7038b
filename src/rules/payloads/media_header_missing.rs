//! WAT006 media-header-missing: a template with a media or location header sent without
//! its header parameter.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::{MEDIA_FORMATS, components_pointer, describe, first_of, header_format};

declare_rule! {
    /// ## What it checks
    /// A template message for a template with an IMAGE, VIDEO, DOCUMENT, GIF or LOCATION
    /// header that sends no `header` component, or one without parameters. (A header
    /// parameter of the wrong kind — an image for a VIDEO header — is
    /// `param-type-mismatch`, WAT010.)
    ///
    /// ## Why it matters
    /// The media of a template header is not stored with the template: every send must
    /// carry it. Without it the send fails with 132012, with details such as "header:
    /// Format mismatch, expected IMAGE, received UNKNOWN" — often only in the status
    /// webhook, after the API answered 200.
    ///
    /// ## Example
    /// ```json
    /// {"type": "template", "template": {"name": "order_confirmation",
    ///  "language": {"code": "en_US"}, "components": [{"type": "body", "parameters": [
    ///  {"type": "text", "text": "Pablo"}, {"type": "text", "text": "860198-230332"}]}]}}
    /// ```
    /// `order_confirmation` has a DOCUMENT header; no document is sent.
    ///
    /// ## How to fix
    /// Add `{"type": "header", "parameters": [{"type": "document", "document": {"link":
    /// "https://…/receipt.pdf", "filename": "receipt.pdf"}}]}` (or `image`, `video`,
    /// `location`, matching the header), with an uploaded media `id` or a public `link`.
    pub static RULE = {
        code: "WAT006", name: "media-header-missing", wa_error: Some(132012), severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

/// Reports a media or location header sent without a parameter.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, obj)) = cx.template() else {
        return;
    };
    let format = header_format(t);
    if !MEDIA_FORMATS.contains(&format.as_str()) {
        return;
    }
    let sent = first_of(obj, "header");
    if sent.as_ref().is_some_and(|c| !c.params().is_empty()) {
        return;
    }
    let (what, at) = match &sent {
        None => ("no header component", components_pointer(obj).to_string()),
        Some(c) => ("a header component without parameters", c.params_pointer()),
    };
    let kind = format.to_ascii_lowercase();
    let kind = if kind == "gif" { "video" } else { &kind };
    out.push(
        RULE.diagnostic(
            format!(
                "template {} has a {format} header, but the message sends {what}",
                describe(t)
            ),
            cx.at(&at),
        )
        .with_help(cx.help(
            format!(
                "add {{\"type\": \"header\", \"parameters\": [{{\"type\": \"{kind}\", \"{kind}\": {{...}}}}]}}: the header's media is sent with every message"
            ),
            format!(
                "give the campaign its {kind} header: header = {{ media_url = \"https://…\" }}, or {{ column = \"…\" }} for a link per row"
            ),
        )),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[
        {"name":"doc","language":"en","status":"APPROVED","components":[
            {"type":"HEADER","format":"DOCUMENT"},{"type":"BODY","text":"Hi"}]},
        {"name":"loc","language":"en","status":"APPROVED","components":[
            {"type":"HEADER","format":"location"},{"type":"BODY","text":"Hi"}]},
        {"name":"txt","language":"en","status":"APPROVED","components":[
            {"type":"HEADER","format":"TEXT","text":"Hello"},{"type":"BODY","text":"Hi"}]}]"#;

    #[test]
    fn a_missing_media_parameter_fires() {
        let d = findings(&super::RULE, &msg("doc", "en", "[]"), REG);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].wa_error, Some(132012));
        assert_eq!(ptr(&d[0]), "/template/components");
        let empty = r#"[{"type":"body"},{"type":"header","parameters":[]}]"#;
        let d = findings(&super::RULE, &msg("loc", "en", empty), REG);
        assert_eq!(ptr(&d[0]), "/template/components/1/parameters");
        let bare = r#"[{"type":"header"}]"#;
        assert_eq!(
            ptr(&findings(&super::RULE, &msg("loc", "en", bare), REG)[0]),
            "/template/components/0"
        );
    }

    #[test]
    fn near_misses() {
        let doc =
            r#"[{"type":"header","parameters":[{"type":"document","document":{"id":"123"}}]}]"#;
        assert!(findings(&super::RULE, &msg("doc", "en", doc), REG).is_empty());
        let wrong = r#"[{"type":"header","parameters":[{"type":"image","image":{"id":"123"}}]}]"#;
        assert!(
            findings(&super::RULE, &msg("doc", "en", wrong), REG).is_empty(),
            "a wrong kind is WAT010's"
        );
        assert!(findings(&super::RULE, &msg("txt", "en", "[]"), REG).is_empty());
    }
}
