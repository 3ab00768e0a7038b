//! WAT007 button-param-mismatch: button components that do not line up with the
//! template's buttons, or buttons that need a value and get none.

use std::collections::BTreeSet;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};
use crate::template::Button;

use super::PayloadCheck;
use super::template_parts::{
    SentComponent, button_index, components, components_pointer, describe,
};

declare_rule! {
    /// ## What it checks
    /// A template message whose `button` components do not line up with the template's
    /// BUTTONS, or that lacks the value a button needs:
    /// - `index` (zero-based, an integer or a digit string) must name a button of the
    ///   template, once, and `sub_type` must be that button's type (`url` for a URL or
    ///   an authentication OTP button, `copy_code`, `quick_reply`, `catalog`, `mpm`,
    ///   `flow`; compared case-insensitively);
    /// - a URL button whose `url` has a variable, and an OTP button, take exactly one
    ///   `text` parameter (the URL suffix, or the code); a URL button with a fixed URL
    ///   takes none;
    /// - a COPY_CODE button takes one `coupon_code` parameter;
    /// - a QUICK_REPLY button component carries one `payload` parameter;
    /// - every URL-with-variable, OTP and COPY_CODE button needs its button component.
    ///
    /// - a call (PHONE_NUMBER) button and a URL button with a fixed link take no
    ///   parameters: Meta applies them from the template;
    /// - a FLOW button needs its button component (`sub_type` `flow`; its `action`
    ///   parameter, with `flow_token` and `flow_action_data`, is optional).
    ///
    /// A `sub_type` outside the set Meta accepts is WAT016's.
    ///
    /// ## Why it matters
    /// Buttons are matched by index and type; the index cannot reorder them. Meta's answer
    /// depends on the fault, and each finding names the code Meta returns for it:
    /// - a button that needs a value and gets none: **131008**, `(#131008) Required
    ///   parameter is missing`, details "Button at index 0 of type Url requires a
    ///   parameter" (PipedreamHQ/pipedream#5899, chatwoot/chatwoot#12393);
    /// - parameters sent to a call or fixed-URL button: **100**, details "Button at index 0
    ///   is of type Call and does not support parameters" (Secreto31126/whatsapp-api-js#175);
    /// - a `sub_type` that is not the button's type: **132018**, details "Button at index 0
    ///   must be of type Url" (a copy-code component sent to an authentication template's
    ///   button; the one quoted answer found, so other pairs may get another code);
    /// - a FLOW button left out: **131009** (juspay/clairvoyance PR #1128, paraphrased;
    ///   a bare flow component with no parameters was accepted in Bindambc/
    ///   whatsapp-business-java-api#221);
    /// - an index that is not a button, or sent twice, or a wrong parameter kind: 132000
    ///   (parameter mismatch), the rule's default; no thread quotes these answers.
    ///
    /// ## Example
    /// ```json
    /// {"type": "button", "sub_type": "copy_code", "index": 0,
    ///  "parameters": [{"type": "coupon_code", "coupon_code": "25OFF"}]}
    /// ```
    /// for a template whose button 0 is QUICK_REPLY and button 1 is COPY_CODE.
    ///
    /// ## How to fix
    /// Use the button's position in the template's BUTTONS list as `index`, the
    /// button's type as `sub_type`, and send one parameter of the type it takes.
    pub static RULE = {
        code: "WAT007", name: "button-param-mismatch", wa_error: Some(132000), other_wa_errors: &[100, 131008, 131009, 132018], severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

/// What a button of the template takes at send time.
fn needs_value(b: &Button) -> Option<&'static str> {
    if b.is("OTP") || (b.is("URL") && !b.url_placeholders().is_empty()) {
        Some("text")
    } else if b.is("COPY_CODE") {
        Some("coupon_code")
    } else {
        None
    }
}

/// Whether a `sub_type` fits a button type.
/// The `sub_type`s Meta accepts for a template's button component, as its own error lists
/// them (`(#100) Param template['components'][1]['sub_type'] must be one of
/// {BOOKING_CONFIRMATION, CATALOG, COPY_CODE, FLOW, MPM, ORDER_DETAILS, QUICK_REPLY,
/// REMINDER, URL, VOICE_CALL} - got "phone_number".`, quoted in shridarpatil/frappe_whatsapp#188,
/// January 2026). Any other is WAT016's (the payload schema), code 100.
pub const SUB_TYPES: &[&str] = &[
    "booking_confirmation",
    "catalog",
    "copy_code",
    "flow",
    "mpm",
    "order_details",
    "quick_reply",
    "reminder",
    "url",
    "voice_call",
];

/// A button that takes no parameters: a call button, or a URL button with a fixed link.
/// Meta applies it from the template; parameters sent to it fail with 100 ("Button at index
/// 0 is of type Call and does not support parameters", Secreto31126/whatsapp-api-js#175).
fn takes_no_parameters(b: &Button) -> bool {
    b.is("PHONE_NUMBER") || (b.is("URL") && b.url_placeholders().is_empty())
}

fn fits(sub_type: &str, b: &Button) -> bool {
    b.kind.eq_ignore_ascii_case(sub_type) || (sub_type == "url" && b.is("OTP"))
}

/// Reports button components that do not fit the template's buttons.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, obj)) = cx.template() else {
        return;
    };
    let buttons = t.buttons();
    let mut seen = BTreeSet::new();
    for c in components(obj).into_iter().filter(|c| c.kind() == "button") {
        let Some(index) = c.value.get("index").and_then(button_index) else {
            out.push(
                RULE.diagnostic(
                    "button component without a valid `index` (a zero-based integer or digit string)",
                    cx.at(&c.field_pointer("index")),
                )
                .with_help("set `index` to the button's position in the template's BUTTONS list"),
            );
            continue;
        };
        if !seen.insert(index) {
            out.push(
                RULE.diagnostic(
                    format!("button index {index} is sent twice"),
                    cx.at(&c.field_pointer("index")),
                )
                .with_help("send one button component per button"),
            );
            continue;
        }
        let Some(b) = buttons.get(index) else {
            out.push(
                RULE.diagnostic(
                    format!(
                        "button index {index} is not a button of template {} (it has {} button{})",
                        describe(t),
                        buttons.len(),
                        if buttons.len() == 1 { "" } else { "s" }
                    ),
                    cx.at(&c.field_pointer("index")),
                )
                .with_help("indexes are zero-based positions in the template's BUTTONS list"),
            );
            continue;
        };
        // Meta applies a call or fixed-URL button from the template: any component for it
        // is refused (frappe_whatsapp PR #214 stopped sending them), with parameters or not.
        if takes_no_parameters(b) {
            let at = match c.params().first() {
                Some(p) => p.pointer(),
                None => c.field_pointer("sub_type"),
            };
            let what = if b.is("PHONE_NUMBER") {
                "a call button"
            } else {
                "a URL button with a fixed link"
            };
            out.push(
                RULE.diagnostic(
                    format!(
                        "button {index} of template {} is {what}, which takes no parameters and no button component",
                        describe(t)
                    ),
                    cx.at(&at),
                )
                .with_wa_error(100)
                .with_help(
                    "send no button component for it: Meta applies the template's own button",
                ),
            );
            continue;
        }
        let Some(sub_type) = c.sub_type() else {
            let message = format!(
                "button component {index} has no `sub_type`; button {index} of the template is {}",
                b.kind
            );
            out.push(RULE.diagnostic(message, cx.at(&c.field_pointer("sub_type"))));
            continue;
        };
        if !SUB_TYPES.contains(&sub_type.to_ascii_lowercase().as_str()) {
            continue; // WAT016 names the sub_types Meta accepts
        }
        if !fits(&sub_type, b) {
            let expected = if b.is("OTP") {
                "url".to_string()
            } else {
                b.kind.to_ascii_lowercase()
            };
            out.push(
                RULE.diagnostic(
                    format!(
                        "button component {index} has sub_type `{sub_type}`, but button {index} of template {} is {}",
                        describe(t),
                        b.kind
                    ),
                    cx.at(&c.field_pointer("sub_type")),
                )
                .with_wa_error(132018)
                .with_help(format!(
                    "buttons are matched by index and type: use sub_type `{expected}` for index {index}, or the index of the intended button"
                )),
            );
            continue;
        }
        check_params(cx, &c, index, b, out);
    }
    for (index, b) in buttons.iter().enumerate() {
        if seen.contains(&index) {
            continue;
        }
        if b.is("FLOW") {
            out.push(
                RULE.diagnostic(
                    format!(
                        "button {index} of template {} opens a Flow, but the message sends no button component with index {index}",
                        describe(t)
                    ),
                    cx.at(components_pointer(obj)),
                )
                .with_wa_error(131009)
                .with_help(format!(
                    "add {{\"type\": \"button\", \"sub_type\": \"flow\", \"index\": {index}}} (its `action` parameter, with a `flow_token`, is optional)"
                )),
            );
            continue;
        }
        let Some(kind) = needs_value(b) else {
            continue;
        };
        let sub = if kind == "text" { "url" } else { "copy_code" };
        out.push(
            RULE.diagnostic(
                format!(
                    "button {index} of template {} ({}) needs a value, but the message sends no button component with index {index}",
                    describe(t),
                    b.kind
                ),
                cx.at(components_pointer(obj)),
            )
            .with_wa_error(131008)
            .with_help(format!(
                "add {{\"type\": \"button\", \"sub_type\": \"{sub}\", \"index\": {index}, \"parameters\": [{{\"type\": \"{kind}\", \"{kind}\": \"...\"}}]}}"
            )),
        );
    }
}

/// Checks the parameters of a button component whose index and sub_type fit.
/// A FLOW button's `action`, as Meta's "Sending a Flow" guide defines it: `flow_token` a
/// string (optional, `unused` by default), `flow_action_data` an object (optional; the
/// data the first screen gets). Anything else is refused with 100 (invalid parameter).
fn check_flow_action(
    cx: &PayloadCheck,
    params: &[super::template_parts::SentParam],
    index: usize,
    out: &mut Vec<Diagnostic>,
) {
    for p in params.iter().filter(|p| p.kind() == "action") {
        let Some(action) = p.value.get("action") else {
            continue;
        };
        let wrong = [
            ("flow_token", "a string"),
            ("flow_action_data", "an object"),
        ]
        .into_iter()
        .filter(|(key, _)| {
            action.get(key).is_some_and(|v| match *key {
                "flow_token" => !v.is_string(),
                _ => !v.is_object(),
            })
        });
        for (key, what) in wrong {
            out.push(
                RULE.diagnostic(
                    format!("FLOW button {index}: `action.{key}` must be {what}"),
                    cx.at(&format!("{}/action/{key}", p.pointer())),
                )
                .with_wa_error(100)
                .with_help("see Meta's \"Sending a Flow\": flow_token is a string, flow_action_data an object"),
            );
        }
    }
}

fn check_params(
    cx: &PayloadCheck,
    c: &SentComponent,
    index: usize,
    b: &Button,
    out: &mut Vec<Diagnostic>,
) {
    let params = c.params();
    let wanted = if let Some(kind) = needs_value(b) {
        kind
    } else if b.is("QUICK_REPLY") {
        "payload"
    } else if ["CATALOG", "MPM", "FLOW"].iter().any(|k| b.is(k)) {
        if let Some(p) = params.iter().find(|p| p.kind() != "action") {
            out.push(RULE.diagnostic(
                format!(
                    "{} button {index} takes an `action` parameter, got `{}`",
                    b.kind,
                    p.kind()
                ),
                cx.at(&p.field_pointer("type")),
            ));
        }
        if b.is("FLOW") {
            check_flow_action(cx, &params, index, out);
        }
        return;
    } else {
        return;
    };
    match params.len() {
        0 => out.push(
            RULE.diagnostic(
                format!(
                    "{} button {index} takes one `{wanted}` parameter, got none",
                    b.kind
                ),
                cx.at(&c.params_pointer()),
            )
            .with_wa_error(131008)
            .with_help(format!(
                "add {{\"type\": \"{wanted}\", \"{wanted}\": \"...\"}} to its parameters"
            )),
        ),
        1 => {
            let p = &params[0];
            if p.kind() != wanted {
                out.push(RULE.diagnostic(
                    format!(
                        "{} button {index} takes a `{wanted}` parameter, got `{}`",
                        b.kind,
                        p.kind()
                    ),
                    cx.at(&p.field_pointer("type")),
                ));
            }
        }
        n => out.push(RULE.diagnostic(
            format!(
                "{} button {index} takes one `{wanted}` parameter, got {n}",
                b.kind
            ),
            cx.at(&params[1].pointer()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[
        {"name":"coupon","language":"en","status":"APPROVED","components":[{"type":"BODY","text":"Hi"},
            {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop"},{"type":"COPY_CODE","example":"25OFF"}]}]},
        {"name":"track","language":"en","status":"APPROVED","components":[{"type":"BODY","text":"Hi"},
            {"type":"BUTTONS","buttons":[{"type":"URL","text":"Track","url":"https://x.example/t/{{1}}"},
                                         {"type":"URL","text":"Help","url":"https://x.example/help"},
                                         {"type":"PHONE_NUMBER","text":"Call","phone_number":"+15550051310"}]}]},
        {"name":"otp","language":"en","status":"APPROVED","category":"AUTHENTICATION","components":[
            {"type":"BODY","text":"{{1}} is your code."},
            {"type":"BUTTONS","buttons":[{"type":"OTP","otp_type":"COPY_CODE","text":"Copy code"}]}]}]"#;

    fn button(sub: &str, index: &str, params: &str) -> String {
        format!(r#"{{"type":"button","sub_type":"{sub}","index":{index},"parameters":[{params}]}}"#)
    }
    const CODE: &str = r#"{"type":"coupon_code","coupon_code":"25OFF"}"#;
    const SUFFIX: &str = r#"{"type":"text","text":"ABC123"}"#;

    #[test]
    fn mismatches_fire() {
        // Copy code sent at the quick reply's index: a sub_type mismatch, and button 1 lacks its value.
        let d = findings(
            &super::RULE,
            &msg(
                "coupon",
                "en",
                &format!("[{}]", button("copy_code", "0", CODE)),
            ),
            REG,
        );
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(ptr(&d[0]), "/template/components/0/sub_type");
        assert_eq!(ptr(&d[1]), "/template/components");
        // Index out of range.
        let d = findings(
            &super::RULE,
            &msg(
                "coupon",
                "en",
                &format!("[{}]", button("copy_code", "\"2\"", CODE)),
            ),
            REG,
        );
        assert!(
            d[0].message.contains("index 2 is not a button"),
            "{}",
            d[0].message
        );
        assert_eq!(ptr(&d[0]), "/template/components/0/index");
        // Wrong parameter type and a missing payload.
        let d = findings(
            &super::RULE,
            &msg(
                "coupon",
                "en",
                &format!("[{}]", button("COPY_CODE", "1", SUFFIX)),
            ),
            REG,
        );
        assert_eq!(ptr(&d[0]), "/template/components/0/parameters/0/type");
        let qr = format!(
            "[{},{}]",
            button("quick_reply", "0", ""),
            button("copy_code", "1", CODE)
        );
        let d = findings(&super::RULE, &msg("coupon", "en", &qr), REG);
        assert!(d[0].message.contains("`payload`"), "{}", d[0].message);
        // URL with a variable: missing component, no parameter, two parameters; fixed URL with one.
        assert_eq!(
            findings(&super::RULE, &msg("track", "en", "[]"), REG).len(),
            1
        );
        let d = findings(
            &super::RULE,
            &msg("track", "en", &format!("[{}]", button("url", "0", ""))),
            REG,
        );
        assert_eq!(ptr(&d[0]), "/template/components/0/parameters");
        let two = format!("[{}]", button("url", "0", &format!("{SUFFIX},{SUFFIX}")));
        assert_eq!(
            ptr(&findings(&super::RULE, &msg("track", "en", &two), REG)[0]),
            "/template/components/0/parameters/1"
        );
        let fixed = format!(
            "[{},{}]",
            button("url", "0", SUFFIX),
            button("url", "1", SUFFIX)
        );
        assert_eq!(
            ptr(&findings(&super::RULE, &msg("track", "en", &fixed), REG)[0]),
            "/template/components/1/parameters/0"
        );
        // A phone button cannot take a url component; index missing or sent twice.
        let phone = format!(
            "[{},{}]",
            button("url", "0", SUFFIX),
            button("url", "2", SUFFIX)
        );
        assert_eq!(
            findings(&super::RULE, &msg("track", "en", &phone), REG).len(),
            1
        );
        let twice = format!(
            "[{},{}]",
            button("url", "0", SUFFIX),
            button("url", "\"0\"", SUFFIX)
        );
        let d = findings(&super::RULE, &msg("track", "en", &twice), REG);
        assert!(d.len() == 1 && d[0].message.contains("twice"), "{d:?}");
        assert_eq!(ptr(&d[0]), "/template/components/1/index");
        let no_index = r#"[{"type":"button","sub_type":"url","parameters":[]}]"#;
        let d = findings(&super::RULE, &msg("track", "en", no_index), REG);
        assert_eq!(ptr(&d[0]), "/template/components/0");
        // OTP: the code goes in a url button.
        assert_eq!(
            findings(
                &super::RULE,
                &msg(
                    "otp",
                    "en",
                    r#"[{"type":"body","parameters":[{"type":"text","text":"123456"}]}]"#
                ),
                REG
            )
            .len(),
            1
        );
    }

    #[test]
    fn flow_buttons_need_their_component_and_a_well_formed_action() {
        let reg = r#"[{"name":"survey","language":"en","status":"APPROVED","components":[
            {"type":"BODY","text":"Tell us"},
            {"type":"BUTTONS","buttons":[{"type":"FLOW","text":"Start","flow_id":"1"}]}]}]"#;
        let d = findings(&super::RULE, &msg("survey", "en", "[]"), reg);
        assert_eq!((d.len(), d[0].wa_error), (1, Some(131009)));
        // A bare component is accepted; a token that is not a string is not.
        let bare = format!("[{}]", button("flow", "0", ""));
        assert!(findings(&super::RULE, &msg("survey", "en", &bare), reg).is_empty());
        let good =
            r#"{"type":"action","action":{"flow_token":"t1","flow_action_data":{"id":"7"}}}"#;
        let sent = format!("[{}]", button("flow", "0", good));
        assert!(findings(&super::RULE, &msg("survey", "en", &sent), reg).is_empty());
        let bad = r#"{"type":"action","action":{"flow_token":7,"flow_action_data":"x"}}"#;
        let sent = format!("[{}]", button("flow", "0", bad));
        let d = findings(&super::RULE, &msg("survey", "en", &sent), reg);
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|d| d.wa_error == Some(100)));
        assert_eq!(
            ptr(&d[0]),
            "/template/components/0/parameters/0/action/flow_token"
        );
    }

    #[test]
    fn a_call_or_fixed_url_button_takes_no_parameters() {
        let sent = format!("[{}]", button("url", "1", r#"{"type":"text","text":"x"}"#));
        let d = findings(&super::RULE, &msg("track", "en", &sent), REG);
        assert!(
            d.iter()
                .any(|d| d.wa_error == Some(100) && d.message.contains("fixed link"))
        );
        let sent = format!(
            "[{}]",
            button("voice_call", "2", r#"{"type":"text","text":"x"}"#)
        );
        let d = findings(&super::RULE, &msg("track", "en", &sent), REG);
        assert!(
            d.iter()
                .any(|d| d.wa_error == Some(100) && d.message.contains("call button"))
        );
    }

    #[test]
    fn near_misses() {
        let ok = format!(
            "[{},{}]",
            button("quick_reply", "0", r#"{"type":"payload","payload":"STOP"}"#),
            button("copy_code", "\"1\"", CODE)
        );
        assert!(findings(&super::RULE, &msg("coupon", "en", &ok), REG).is_empty());
        let ok = format!("[{}]", button("COPY_CODE", "1", CODE));
        assert!(findings(&super::RULE, &msg("coupon", "en", &ok), REG).is_empty());
        let ok = format!("[{}]", button("url", "0", SUFFIX));
        assert!(findings(&super::RULE, &msg("track", "en", &ok), REG).is_empty());
        let ok = format!(
            "[{}]",
            button("url", "\"0\"", r#"{"type":"text","text":"123456"}"#)
        );
        assert!(findings(&super::RULE, &msg("otp", "en", &ok), REG).is_empty());
    }
}
