//! WAR003 component-too-long: a template text, button label, URL or phone number over
//! Meta's character limit.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;
use crate::template::Template;

use super::RegistryCheck;
use super::texts::{Role, buttons, texts};

declare_rule! {
    /// ## What it checks
    /// A template text, button label, URL or phone number longer than Meta allows.
    /// Lengths are counted in Unicode characters (not bytes) as written, placeholders
    /// included, against these limits: body 1024 (600 in a
    /// limited-time-offer template), header text 60, footer 60, limited-time-offer text
    /// 16, carousel card body 160, button label 25 (carousel card buttons included),
    /// button URL 2000 and button phone number 20. The message names the part and its
    /// length.
    ///
    /// ## Why it matters
    /// Meta rejects the template at creation with 2388040 (character limit exceeded). The
    /// limits are on the definition; values filled in at send time count against the body
    /// limit too, so a body already at its limit fails at send time (132005) as soon as a
    /// variable is longer than its placeholder — that hydrated check is WAT's.
    ///
    /// ## Example
    /// ```json
    /// {"name": "spring_sale", "language": "en_US",
    ///  "components": [{"type": "FOOTER",
    ///    "text": "Reply STOP to unsubscribe from all marketing messages from us"}]}
    /// ```
    /// The footer is 61 characters.
    ///
    /// ## How to fix
    /// Shorten the part to its limit. Move detail from the header or footer into the body,
    /// keep button labels to a few words, and use a short link for long URLs.
    pub static RULE = {
        code: "WAR003", name: "component-too-long", wa_error: Some(2388040), severity: Error,
        check: Check::Definition(check),
    }
}

/// Body limit.
pub const BODY: usize = 1024;
/// Body limit in a limited-time-offer template.
pub const OFFER_BODY: usize = 600;
/// Header text limit.
pub const HEADER: usize = 60;
/// Footer limit.
pub const FOOTER: usize = 60;
/// Limited-time-offer text limit.
pub const OFFER_TEXT: usize = 16;
/// Carousel card body limit.
pub const CARD_BODY: usize = 160;
/// Button label limit.
pub const BUTTON_LABEL: usize = 25;
/// Button URL limit.
pub const URL: usize = 2000;
/// Button phone number limit.
pub const PHONE: usize = 20;

fn limit_for(t: &Template, role: Role) -> (usize, &'static str) {
    match role {
        Role::Body if t.component("LIMITED_TIME_OFFER").is_some() => (
            OFFER_BODY,
            "the limit for a limited-time-offer template's body",
        ),
        Role::Body => (BODY, "the limit"),
        Role::Header | Role::CardHeader => (HEADER, "the limit"),
        Role::Footer => (FOOTER, "the limit"),
        Role::OfferText => (OFFER_TEXT, "the limit"),
        Role::CardBody => (CARD_BODY, "the limit for a carousel card body"),
    }
}

/// Reports every part over its limit.
pub fn check(cx: &RegistryCheck, out: &mut Vec<Diagnostic>) {
    for t in cx.templates {
        let mut report = |what: &str, pointer: &str, len: usize, limit: usize, of: &str| {
            out.push(
                RULE.diagnostic(
                    format!(
                        "{what} of template '{}' is {len} characters; {of} is {limit}",
                        t.name
                    ),
                    cx.at(t, pointer),
                )
                .with_help(match len - limit {
                    1 => "shorten it by at least 1 character".to_string(),
                    n => format!("shorten it by at least {n} characters"),
                }),
            );
        };
        for text in texts(t) {
            let (limit, of) = limit_for(t, text.role);
            let len = text.text.chars().count();
            if len > limit {
                report(&text.label, &text.pointer, len, limit, of);
            }
        }
        for b in buttons(t) {
            let fields = [
                ("label", "text", b.button.text.as_deref(), BUTTON_LABEL),
                ("URL", "url", b.button.url.as_deref(), URL),
                (
                    "phone number",
                    "phone_number",
                    b.button.phone_number.as_deref(),
                    PHONE,
                ),
            ];
            for (what, key, value, limit) in fields {
                let Some(value) = value else { continue };
                let len = value.chars().count();
                if len > limit {
                    report(
                        &format!("{} {what}", b.label),
                        &format!("{}/{key}", b.pointer),
                        len,
                        limit,
                        "the limit",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::registry::test_support::{body_template, findings};

    #[test]
    fn body_limit_counts_characters_not_bytes() {
        let ok = "a".repeat(1024);
        assert!(findings(&super::RULE, &body_template(None, &ok)).is_empty());
        let wide = "é".repeat(1024);
        assert!(findings(&super::RULE, &body_template(None, &wide)).is_empty());
        let emoji = "🎉".repeat(1024);
        assert!(findings(&super::RULE, &body_template(None, &emoji)).is_empty());
        let long = "a".repeat(1025);
        let d = findings(&super::RULE, &body_template(None, &long));
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "body of template 't' is 1025 characters; the limit is 1024"
        );
        assert_eq!(d[0].location.path(), "test.json");
    }

    #[test]
    fn header_footer_and_buttons() {
        let t = |header: usize, footer: usize, label: usize, url: usize| {
            format!(
                r#"{{"name":"t","language":"en","components":[
                {{"type":"HEADER","format":"TEXT","text":"{}"}},
                {{"type":"BODY","text":"Hello there."}},
                {{"type":"FOOTER","text":"{}"}},
                {{"type":"BUTTONS","buttons":[
                    {{"type":"URL","text":"{}","url":"https://example.com/{}"}},
                    {{"type":"PHONE_NUMBER","text":"Call","phone_number":"+15550051310"}}]}}]}}"#,
                "h".repeat(header),
                "f".repeat(footer),
                "l".repeat(label),
                "u".repeat(url - 20)
            )
        };
        assert!(findings(&super::RULE, &t(60, 60, 25, 2000)).is_empty());
        let d = findings(&super::RULE, &t(61, 61, 26, 2001));
        let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "header of template 't' is 61 characters; the limit is 60",
                "footer of template 't' is 61 characters; the limit is 60",
                "button 1 label of template 't' is 26 characters; the limit is 25",
                "button 1 URL of template 't' is 2001 characters; the limit is 2000",
            ]
        );
        match &d[2].location {
            crate::diagnostic::Location::Json { pointer, .. } => {
                assert_eq!(pointer, "/components/3/buttons/0/text");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn offer_and_card_bodies_have_lower_limits() {
        let lto = |n: usize| {
            format!(
                r#"{{"name":"t","language":"en","components":[
                {{"type":"LIMITED_TIME_OFFER","limited_time_offer":{{"text":"Expiring offer!","has_expiration":true}}}},
                {{"type":"BODY","text":"{}"}}]}}"#,
                "b".repeat(n)
            )
        };
        assert!(findings(&super::RULE, &lto(600)).is_empty());
        let d = findings(&super::RULE, &lto(601));
        assert!(
            d[0].message.contains("limited-time-offer"),
            "{}",
            d[0].message
        );
        let card = |n: usize| {
            format!(
                r#"{{"name":"t","language":"en","components":[
                {{"type":"BODY","text":"Our picks."}},
                {{"type":"CAROUSEL","cards":[{{"components":[{{"type":"BODY","text":"{}"}}]}}]}}]}}"#,
                "c".repeat(n)
            )
        };
        assert!(findings(&super::RULE, &card(160)).is_empty());
        let d = findings(&super::RULE, &card(161));
        assert!(d[0].message.starts_with("card 1 body"), "{}", d[0].message);
    }
}
