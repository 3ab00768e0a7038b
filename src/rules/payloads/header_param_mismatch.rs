//! WAT005 header-param-mismatch: a text header variable without its parameter, or header
//! parameters the template has no place for.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::{
    MEDIA_FORMATS, components_pointer, describe, expected_params, first_of, header_format,
};

declare_rule! {
    /// ## What it checks
    /// A template message whose header parameters do not fit the template's HEADER: a
    /// TEXT header with a variable (`Our {{1}} is on!`) needs exactly one header
    /// parameter; a template without a header, or with a TEXT header without a variable,
    /// takes none; a media or location header takes one (a header without any parameter
    /// there is `media-header-missing`, WAT006).
    ///
    /// ## Why it matters
    /// A header parameter too many or too few fails the send with 132000 (parameter count
    /// mismatch). It is an easy mistake after a template is edited, or when one payload
    /// builder serves several templates.
    ///
    /// ## Example
    /// ```json
    /// {"type": "template", "template": {"name": "seasonal_promotion",
    ///  "language": {"code": "en_US"}, "components": [{"type": "body", "parameters": [
    ///  {"type": "text", "text": "the end of August"}, {"type": "text", "text": "25OFF"},
    ///  {"type": "text", "text": "25%"}]}]}}
    /// ```
    /// The header `Our {{1}} is on!` gets no value.
    ///
    /// ## How to fix
    /// Add `{"type": "header", "parameters": [{"type": "text", "text": "..."}]}` for a
    /// header variable; remove header parameters the template does not take.
    pub static RULE = {
        code: "WAT005", name: "header-param-mismatch", wa_error: Some(132000), severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

/// Reports a header parameter count that does not fit the template's header.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, obj)) = cx.template() else {
        return;
    };
    let format = header_format(t);
    let sent = first_of(obj, "header");
    let params = sent.as_ref().map(|c| c.params()).unwrap_or_default();
    let expected = match format.as_str() {
        "" => 0,
        "TEXT" => expected_params(t.header().and_then(|h| h.text.as_deref()), t.is_named()).min(1),
        f if MEDIA_FORMATS.contains(&f) => {
            if params.is_empty() {
                return; // media-header-missing
            }
            1
        }
        _ => return, // PRODUCT and unknown formats: not judged here
    };
    if params.len() == expected {
        return;
    }
    let d = if params.len() < expected {
        let text = t
            .header()
            .and_then(|h| h.text.as_deref())
            .unwrap_or_default();
        let at = sent.as_ref().map_or_else(
            || components_pointer(obj).to_string(),
            |c| c.params_pointer(),
        );
        RULE.diagnostic(
            format!(
                "template {} header `{text}` has a variable; expected 1 header parameter, got 0",
                describe(t)
            ),
            cx.at(&at),
        )
        .with_help(cx.help(
            "add {\"type\": \"header\", \"parameters\": [{\"type\": \"text\", \"text\": \"...\"}]}",
            "give the campaign the column its header's variable comes from: header = { text_column = \"…\" }",
        ))
    } else {
        let what = match format.as_str() {
            "" => "has no header".to_string(),
            "TEXT" if expected == 0 => "has a header without variables".to_string(),
            f => format!("has a {f} header, which takes one parameter"),
        };
        RULE.diagnostic(
            format!(
                "template {} {what}; expected {expected} header parameter{}, got {}",
                describe(t),
                if expected == 1 { "" } else { "s" },
                params.len()
            ),
            cx.at(&params[expected].pointer()),
        )
        .with_help(cx.help(
            "remove the header parameters the template does not take",
            "remove the campaign's `header`: the template's header takes no value",
        ))
    };
    out.push(d);
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[
        {"name":"var","language":"en","status":"APPROVED","components":[
            {"type":"HEADER","format":"TEXT","text":"Our {{1}} is on!"},{"type":"BODY","text":"Hi"}]},
        {"name":"fixed","language":"en","status":"APPROVED","components":[
            {"type":"HEADER","format":"TEXT","text":"Our sale is on!"},{"type":"BODY","text":"Hi"}]},
        {"name":"none","language":"en","status":"APPROVED","components":[{"type":"BODY","text":"Hi"}]},
        {"name":"img","language":"en","status":"APPROVED","components":[
            {"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Hi"}]}]"#;

    const TEXT1: &str = r#"[{"type":"header","parameters":[{"type":"text","text":"Sale"}]}]"#;
    const TEXT2: &str = r#"[{"type":"HEADER","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]"#;

    #[test]
    fn missing_and_extra_header_parameters_fire() {
        let d = findings(&super::RULE, &msg("var", "en", "[]"), REG);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("expected 1 header parameter, got 0"),
            "{}",
            d[0].message
        );
        assert_eq!(ptr(&d[0]), "/template/components");
        let empty = r#"[{"type":"header","parameters":[]}]"#;
        assert_eq!(
            ptr(&findings(&super::RULE, &msg("var", "en", empty), REG)[0]),
            "/template/components/0/parameters"
        );
        let d = findings(&super::RULE, &msg("var", "en", TEXT2), REG);
        assert_eq!(ptr(&d[0]), "/template/components/0/parameters/1");
        let d = findings(&super::RULE, &msg("fixed", "en", TEXT1), REG);
        assert!(
            d[0].message.contains("without variables"),
            "{}",
            d[0].message
        );
        assert_eq!(ptr(&d[0]), "/template/components/0/parameters/0");
        let d = findings(&super::RULE, &msg("none", "en", TEXT1), REG);
        assert!(d[0].message.contains("has no header"), "{}", d[0].message);
        let img2 = r#"[{"type":"header","parameters":[{"type":"image","image":{"id":"1"}},{"type":"image","image":{"id":"2"}}]}]"#;
        assert_eq!(
            findings(&super::RULE, &msg("img", "en", img2), REG).len(),
            1
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(&super::RULE, &msg("var", "en", TEXT1), REG).is_empty());
        assert!(findings(&super::RULE, &msg("fixed", "en", "[]"), REG).is_empty());
        assert!(findings(&super::RULE, &msg("none", "en", "[]"), REG).is_empty());
        assert!(
            findings(&super::RULE, &msg("img", "en", "[]"), REG).is_empty(),
            "a missing media header is WAT006's"
        );
    }
}
