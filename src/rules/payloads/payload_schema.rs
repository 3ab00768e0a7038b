//! WAT016 payload-schema: a message that does not have the shape of a Cloud API `/messages`
//! body, checked against `schemas/message-payload.schema.json` (compiled once).

use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::unsupported_message_type::shorten;

declare_rule! {
    /// ## What it checks
    /// A message that does not have the shape of a Cloud API `/messages` body, as written
    /// in walint's `schemas/message-payload.schema.json`: `messaging_product` missing or
    /// not `"whatsapp"`, no `to`, a `recipient_type` other than `individual` or `group`, a
    /// `template` without `name` or `language.code`, a `language.policy` other than
    /// `deterministic`, a component or parameter of an unknown `type`, a parameter without
    /// the member its type names (`text`, `currency`, `image`…), a currency without an
    /// integer `amount_1000`, a button without `sub_type` or `index` (0–9), a media object
    /// with neither `id` nor `link`, a `biz_opaque_callback_data` over 512 characters, and
    /// so on. There is one finding per violation, at the offending value; members the
    /// schema does not know are allowed.
    ///
    /// ## Why it matters
    /// The Cloud API refuses a malformed body outright with **100** (invalid parameter),
    /// whether a required member is absent or a value has the wrong type or is outside its
    /// allowed set; nothing is sent to that recipient. Meta's answers as quoted in issue
    /// threads: a text parameter without `text`, `(#100) ... Parameter 'text' is mandatory
    /// for component parameter type 'text'` (shridarpatil/frappe_whatsapp#43); no language
    /// code, `(#100) The parameter template['language']['code'] is required.`
    /// (frappe_whatsapp#54); a `sub_type` outside Meta's list, `(#100) Param
    /// template['components'][1]['sub_type'] must be one of {BOOKING_CONFIRMATION, CATALOG,
    /// COPY_CODE, FLOW, MPM, ORDER_DETAILS, QUICK_REPLY, REMINDER, URL, VOICE_CALL}`
    /// (frappe_whatsapp#188, January 2026). (131008, "Required parameter is missing", is
    /// what Meta returns when a template's *button* lacks its value — WAT007 — not for the
    /// request's shape.)
    ///
    /// ## Example
    /// ```json
    /// {"messaging_product": "whatsapp", "to": "+919876543210", "type": "template",
    ///  "template": {"name": "order_update", "language": {"code": "en", "policy": "fallback"},
    ///   "components": [{"type": "body", "parameters": [{"type": "text", "txt": "Asha"}]}]}}
    /// ```
    /// `policy` can only be `deterministic`, and the text parameter lacks `text`.
    ///
    /// ## How to fix
    /// Correct the value at the location given, following Meta's message reference.
    /// Building payloads with an SDK (pywa, whatsapp-api-js) or a serializer from typed
    /// objects avoids most of these.
    pub static RULE = {
        code: "WAT016", name: "payload-schema", wa_error: Some(100), severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

/// The message schema, as shipped in `schemas/`.
pub const SCHEMA: &str = include_str!("../../../schemas/message-payload.schema.json");

/// The schema, as JSON, parsed on first use.
static SCHEMA_JSON: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(SCHEMA).expect("the bundled message schema is JSON"));

thread_local! {
    /// The schema compiled once per thread (about a millisecond): its patterns' match
    /// caches are then never shared, so payload workers do not contend for them. The
    /// patterns are plain regular expressions, run by the `regex` engine.
    static VALIDATOR: jsonschema::Validator = jsonschema::options()
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .build(&SCHEMA_JSON)
        .expect("the bundled message schema compiles");
}

/// Reports each schema violation of the message.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    VALIDATOR.with(|validator| report(validator, cx, out));
}

fn report(validator: &jsonschema::Validator, cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    if validator.is_valid(cx.message) {
        return;
    }
    for error in validator.iter_errors(cx.message) {
        let pointer = error.instance_path().as_str();
        let missing = matches!(error.kind(), ValidationErrorKind::Required { .. });
        let what = describe(&error);
        let message = if pointer.is_empty() {
            what
        } else {
            format!("{pointer}: {what}")
        };
        let mut d = RULE.diagnostic(message, cx.at(pointer));
        if missing {
            d = d.with_help("add the missing member; the Cloud API requires it");
        } else {
            d = d.with_help(
                "correct the value to the form the Cloud API accepts (`walint explain WAT016`)",
            );
        }
        out.push(d);
    }
}

/// The violation in words: the validator's message, with case-insensitive alternatives
/// spelled out and long values cut short.
fn describe(error: &jsonschema::ValidationError) -> String {
    if let ValidationErrorKind::Pattern { pattern } = error.kind()
        && let Some(words) = any_case_words(pattern)
    {
        let value = error.instance();
        let shown = value.as_str().map_or_else(|| value.to_string(), shorten);
        return format!(
            "\"{shown}\" is not one of {} (in any case)",
            words.join(", ")
        );
    }
    let text = error.to_string();
    if text.chars().count() <= 200 {
        text
    } else {
        error.masked().to_string()
    }
}

/// The words of a pattern the schema writes for a case-insensitive choice,
/// `^([Hh][Ee][Aa][Dd][Ee][Rr]|[Bb][Oo][Dd][Yy])$` → `header`, `body`; `None` for any
/// other pattern.
fn any_case_words(pattern: &str) -> Option<Vec<String>> {
    let inner = pattern.strip_prefix("^(")?.strip_suffix(")$")?;
    inner
        .split('|')
        .map(|alt| {
            let mut word = String::new();
            let mut rest = alt;
            while !rest.is_empty() {
                if let Some(class) = rest.strip_prefix('[') {
                    let (pair, after) = class.split_once(']')?;
                    let mut chars = pair.chars();
                    let (upper, lower) = (chars.next()?, chars.next()?);
                    if chars.next().is_some() || upper.to_ascii_lowercase() != lower {
                        return None;
                    }
                    word.push(lower);
                    rest = after;
                } else if let Some(after) = rest.strip_prefix('_') {
                    word.push('_');
                    rest = after;
                } else {
                    return None;
                }
            }
            Some(word)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::diagnostic::{Diagnostic, Location};
    use crate::template::TemplateRegistry;

    fn findings(message: Value) -> Vec<Diagnostic> {
        crate::rules::payloads::test_support::run_check(
            super::check,
            &message,
            &TemplateRegistry::default(),
        )
    }

    fn summary(ds: &[Diagnostic]) -> Vec<(String, Option<u32>)> {
        ds.iter()
            .map(|d| match &d.location {
                Location::Json { pointer, .. } => (pointer.clone(), d.wa_error),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn template(components: Value) -> Value {
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "+919876543210",
            "type": "template",
            "template": {"name": "order_update", "language": {"code": "en_US"},
                         "components": components}
        })
    }

    #[test]
    fn the_schema_is_valid_2020_12() {
        let schema: Value = serde_json::from_str(super::SCHEMA).unwrap();
        jsonschema::meta::validate(&schema).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }

    #[test]
    fn well_formed_messages_pass() {
        let full = template(json!([
            {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://e.x/a.png"}}]},
            {"type": "BODY", "parameters": [
                {"type": "text", "text": "Asha"},
                {"type": "currency", "currency": {"fallback_value": "₹1,200", "code": "INR", "amount_1000": 1_200_000}},
                {"type": "date_time", "date_time": {"fallback_value": "May 1"}}
            ]},
            {"type": "button", "sub_type": "quick_reply", "index": "0",
             "parameters": [{"type": "payload", "payload": "STOP"}]},
            {"type": "button", "sub_type": "URL", "index": 1,
             "parameters": [{"type": "TEXT", "text": "o/123"}]},
            {"type": "button", "sub_type": "copy_code", "index": 2,
             "parameters": [{"type": "coupon_code", "coupon_code": "SAVE10"}]}
        ]));
        assert!(findings(full).is_empty());
        let carousel = template(json!([
            {"type": "body", "parameters": [{"type": "text", "text": "x", "parameter_name": "n"}]},
            {"type": "carousel", "cards": [
                {"card_index": 0, "components": [
                    {"type": "header", "parameters": [{"type": "video", "video": {"id": "123"}}]}]},
                {"card_index": 1, "components": [
                    {"type": "header", "parameters": [{"type": "video", "video": {"id": "456"}}]}]}
            ]},
            {"type": "limited_time_offer", "parameters": [
                {"type": "limited_time_offer", "limited_time_offer": {"expiration_time_ms": 1_700_000_000_000_u64}}]}
        ]));
        assert!(findings(carousel).is_empty());
        for message in [
            json!({"messaging_product": "whatsapp", "to": "16505551234", "text": {"body": "hi"}}),
            json!({"messaging_product": "whatsapp", "to": "1", "type": "image",
                   "image": {"id": "1", "caption": "c"}, "biz_opaque_callback_data": "x",
                   "context": {"message_id": "wamid.1"}}),
            json!({"messaging_product": "whatsapp", "recipient": "US.123", "type": "reaction",
                   "reaction": {"message_id": "wamid.1", "emoji": ""}}),
            json!({"messaging_product": "whatsapp", "to": "1", "type": "template",
                   "template": {"name": "t", "language": {"code": "en", "policy": "deterministic"}},
                   "unknown_member": true}),
            json!({"messaging_product": "whatsapp", "to": "1", "type": "unknown_kind"}),
        ] {
            assert!(findings(message.clone()).is_empty(), "{message}");
        }
    }

    #[test]
    fn missing_members_are_100() {
        let d = findings(json!({"to": "1", "type": "template",
                                "template": {"language": {}}}));
        assert_eq!(
            summary(&d),
            [
                (String::new(), Some(100)),
                ("/template".to_string(), Some(100)),
                ("/template/language".to_string(), Some(100)),
            ],
            "{:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
        assert!(
            d[0].message
                .contains("\"messaging_product\" is a required property")
        );
        let d = findings(json!({"messaging_product": "whatsapp", "type": "template"}));
        let messages: Vec<_> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "\"to\" is a required property",
                "\"template\" is a required property"
            ]
        );
        let d = findings(json!({"messaging_product": "whatsapp", "to": "1"}));
        assert_eq!(
            d[0].message, "\"text\" is a required property",
            "type defaults to text"
        );
    }

    #[test]
    fn parameter_members_follow_their_type() {
        let d = findings(template(json!([
            {"type": "body", "parameters": [
                {"type": "text", "txt": "Asha"},
                {"type": "currency", "currency": {"fallback_value": "$1", "code": "USD", "amount_1000": 1.5}},
                {"type": "image", "image": {"caption": "no id, no link"}},
                {"type": "txet", "text": "x"}
            ]}
        ])));
        assert_eq!(
            summary(&d),
            [
                ("/template/components/0/parameters/0".to_string(), Some(100)),
                (
                    "/template/components/0/parameters/1/currency/amount_1000".to_string(),
                    Some(100)
                ),
                (
                    "/template/components/0/parameters/2/image".to_string(),
                    Some(100)
                ),
                (
                    "/template/components/0/parameters/3/type".to_string(),
                    Some(100)
                ),
            ]
        );
        assert!(
            d[3].message
                .contains("\"txet\" is not one of text, currency"),
            "{}",
            d[3].message
        );
        assert!(d[3].message.ends_with("(in any case)"), "{}", d[3].message);
    }

    #[test]
    fn types_in_another_case_need_the_same_members() {
        // Lowercase types take the schema's exact-compare path; other cases its
        // case-insensitive one. Both must ask for the same members.
        let d = findings(template(json!([
            {"type": "BODY", "parameters": [
                {"type": "TEXT", "txt": "Asha"},
                {"type": "Currency", "currency": {"fallback_value": "$1", "code": "USD", "amount_1000": 1}},
                {"type": "Date_Time"}
            ]},
            {"type": "Button", "index": 0, "parameters": [{"type": "Payload", "payload": "x"}]},
            {"type": "CAROUSEL"}
        ])));
        assert_eq!(
            summary(&d),
            [
                ("/template/components/0/parameters/0".to_string(), Some(100)),
                ("/template/components/0/parameters/2".to_string(), Some(100)),
                ("/template/components/1".to_string(), Some(100)),
                ("/template/components/2".to_string(), Some(100)),
            ],
            "{:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
        assert!(d[0].message.contains("\"text\" is a required property"));
        assert!(
            d[1].message
                .contains("\"date_time\" is a required property")
        );
        assert!(d[2].message.contains("\"sub_type\" is a required property"));
        assert!(d[3].message.contains("\"cards\" is a required property"));
    }

    #[test]
    fn invalid_values_are_100() {
        let mut m = template(json!([
            {"type": "footer"},
            {"type": "button", "sub_type": "url", "index": 10, "parameters": []},
            {"type": "button", "index": "a"}
        ]));
        m["messaging_product"] = json!("WhatsApp");
        m["recipient_type"] = json!("broadcast");
        m["template"]["language"]["policy"] = json!("fallback");
        m["biz_opaque_callback_data"] = json!("x".repeat(600));
        let d = findings(m);
        let got = summary(&d);
        for expected in [
            ("/messaging_product", Some(100)),
            ("/recipient_type", Some(100)),
            ("/template/language/policy", Some(100)),
            ("/biz_opaque_callback_data", Some(100)),
            ("/template/components/0/type", Some(100)),
            ("/template/components/1/index", Some(100)),
            ("/template/components/2", Some(100)),
            ("/template/components/2/index", Some(100)),
        ] {
            assert!(
                got.contains(&(expected.0.to_string(), expected.1)),
                "{expected:?} not in {got:?}"
            );
        }
        let long = d
            .iter()
            .find(|d| d.message.starts_with("/biz_opaque_callback_data"))
            .unwrap();
        assert!(long.message.len() < 200, "{}", long.message);
    }

    #[test]
    fn a_message_that_is_not_an_object() {
        let d = findings(json!([1]));
        assert_eq!(summary(&d), [(String::new(), Some(100))]);
    }

    #[test]
    fn any_case_patterns_read_back() {
        assert_eq!(
            super::any_case_words("^([Hh][Ee][Aa][Dd]|[Dd][Aa][Tt][Ee]_[Tt])$").unwrap(),
            ["head", "date_t"]
        );
        assert!(super::any_case_words("^[0-9]$").is_none());
        assert!(super::any_case_words("^([A-Za-z])$").is_none());
    }
}
