//! WAT014 param-empty: an empty or whitespace-only text, coupon code or payload parameter.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::all_components;

declare_rule! {
    /// ## What it checks
    /// A template message parameter whose value is `null`, empty or only whitespace: the
    /// `text` of a text parameter (header, body, URL suffix, OTP code, carousel cards), the
    /// `coupon_code` of a copy-code button, the `payload` of a quick-reply button. It needs
    /// no registry: the payload alone shows it. (A parameter with no such member at all is
    /// WAT016's.)
    ///
    /// ## Why it matters
    /// Meta refuses the send. The code depends on the Graph API version: up to v22 the
    /// answers quoted in issue threads for a text parameter's value are **100** (invalid
    /// parameter): an empty `text` gets an HTTP 400 (shridarpatil/frappe_whatsapp#169,
    /// whose thread does not quote the body), a missing one `(#100) ... Parameter 'text' is
    /// mandatory for component parameter type 'text'` (frappe_whatsapp#43). From v23.0 the
    /// providers' error references (this project's seed documents) list **132018** for any
    /// template-parameter problem at send time, an empty value included. The finding names
    /// 100; search webhook logs for both. No thread shows Meta answering an empty value with
    /// 131008. Empty values usually come from an empty spreadsheet cell — the whole campaign
    /// row then fails, or, worse, a greeting goes out as "Hi ,".
    ///
    /// ## Example
    /// ```json
    /// {"type": "body", "parameters": [{"type": "text", "text": ""}]}
    /// ```
    ///
    /// ## How to fix
    /// Fill the value, use a fallback (`there` for a missing first name), or skip the
    /// recipient.
    pub static RULE = {
        code: "WAT014", name: "param-empty", wa_error: Some(100), other_wa_errors: &[132018], severity: Error,
        check: Check::Message { check, campaign: InCampaign::EveryRow },
    }
}

/// Reports empty parameter values.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    // The payload alone shows it: no registry needed.
    let Some(obj) = cx
        .message
        .get("template")
        .and_then(serde_json::Value::as_object)
    else {
        return;
    };
    for c in all_components(obj) {
        for p in c.params() {
            let kind = p.kind();
            if !matches!(kind.as_ref(), "text" | "coupon_code" | "payload") {
                continue;
            }
            let value = p.value.get(kind.as_ref());
            let what = match value {
                None => continue, // WAT016: the member is missing
                Some(serde_json::Value::Null) => "has no value",
                Some(serde_json::Value::String(s)) if s.is_empty() => "is empty",
                Some(serde_json::Value::String(s)) if s.trim().is_empty() => "is only whitespace",
                _ => continue,
            };
            out.push(
                RULE.diagnostic(
                    format!("{} `{kind}` parameter {what}", c.kind()),
                    cx.at(&p.field_pointer(&kind)),
                )
                .with_help("fill the value (or a fallback), or skip this recipient"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[{"name":"e","language":"en","status":"APPROVED","components":[
        {"type":"BODY","text":"Hi {{1}}"},
        {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop"},{"type":"COPY_CODE","example":"X"}]}]}]"#;

    fn comps(text: &str, payload: &str, code: &str) -> String {
        format!(
            r#"[{{"type":"body","parameters":[{{"type":"text",{text}}}]}},
               {{"type":"button","sub_type":"quick_reply","index":0,"parameters":[{{"type":"payload",{payload}}}]}},
               {{"type":"button","sub_type":"copy_code","index":1,"parameters":[{{"type":"coupon_code",{code}}}]}}]"#
        )
    }
    const T: &str = r#""text":"Asha""#;
    const P: &str = r#""payload":"STOP""#;
    const C: &str = r#""coupon_code":"25OFF""#;

    #[test]
    fn empty_values_fire() {
        for (text, payload, code, at) in [
            (
                r#""text":"""#,
                P,
                C,
                "/template/components/0/parameters/0/text",
            ),
            (
                r#""text":"   ""#,
                P,
                C,
                "/template/components/0/parameters/0/text",
            ),
            (
                r#""text":null"#,
                P,
                C,
                "/template/components/0/parameters/0/text",
            ),
            (
                T,
                r#""payload":"""#,
                C,
                "/template/components/1/parameters/0/payload",
            ),
            (
                T,
                P,
                r#""coupon_code":" ""#,
                "/template/components/2/parameters/0/coupon_code",
            ),
        ] {
            let d = findings(
                &super::RULE,
                &msg("e", "en", &comps(text, payload, code)),
                REG,
            );
            assert_eq!(d.len(), 1, "{text} {payload} {code}");
            assert_eq!(ptr(&d[0]), at);
            assert_eq!(d[0].wa_error, Some(100));
            // The payload alone shows it: the same finding with no registry.
            let d = findings(
                &super::RULE,
                &msg("e", "en", &comps(text, payload, code)),
                "[]",
            );
            assert_eq!(d.len(), 1, "without a registry: {text} {payload} {code}");
        }
        // A parameter without its member is WAT016's.
        let d = findings(&super::RULE, &msg("e", "en", &comps(r#""x":1"#, P, C)), REG);
        assert!(d.is_empty());
    }

    #[test]
    fn near_misses() {
        assert!(findings(&super::RULE, &msg("e", "en", &comps(T, P, C)), REG).is_empty());
        assert!(
            findings(
                &super::RULE,
                &msg("e", "en", &comps(r#""text":"0""#, P, C)),
                REG
            )
            .is_empty()
        );
    }
}
