//! WAR005 too-many-buttons: more buttons, or more buttons of one type, than a template
//! may have.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RegistryCheck;
use super::texts::{ButtonAt, buttons};

declare_rule! {
    /// ## What it checks
    /// A template with more buttons than Meta allows: more than 10 in all, more than 2
    /// URL buttons, more than 1 PHONE_NUMBER button or more than 1 COPY_CODE button; and a
    /// carousel card with more than 2 buttons. The finding points at the first button
    /// over the limit.
    ///
    /// ## Why it matters
    /// Meta refuses such a template at creation, so a registry entry with one cannot be
    /// approved as written and payloads built from it address buttons that do not exist.
    /// Which error code the refusal carries is not documented (it is not one of the
    /// 2388xxx template-format codes walint knows), so the rule names none.
    ///
    /// ## Example
    /// ```json
    /// {"type": "BUTTONS", "buttons": [
    ///   {"type": "URL", "text": "Track order", "url": "https://shop.example/track/{{1}}"},
    ///   {"type": "URL", "text": "Returns", "url": "https://shop.example/returns"},
    ///   {"type": "URL", "text": "Help", "url": "https://shop.example/help"}]}
    /// ```
    /// Three URL buttons; at most two are allowed.
    ///
    /// ## How to fix
    /// Remove buttons, or merge them: link one URL button to a page that offers the other
    /// choices, and keep quick replies for the answers you expect.
    pub static RULE = {
        code: "WAR005", name: "too-many-buttons", wa_error: None, severity: Error,
        check: Check::Definition(check),
    }
}

/// Buttons per template.
pub const TOTAL: usize = 10;
/// Buttons per carousel card.
pub const PER_CARD: usize = 2;
/// Per-type caps: (type, at most).
pub const PER_TYPE: &[(&str, usize)] = &[("URL", 2), ("PHONE_NUMBER", 1), ("COPY_CODE", 1)];

/// Reports each limit a template's buttons exceed, at the first button over it.
pub fn check(cx: &RegistryCheck, out: &mut Vec<Diagnostic>) {
    for t in cx.templates {
        let all = buttons(t);
        let mut report = |b: &ButtonAt, message: String| {
            out.push(
                RULE.diagnostic(
                    format!("template '{}' {message}", t.name),
                    cx.at(t, &b.pointer),
                )
                .with_help("remove or merge buttons to stay within the limit"),
            );
        };
        let own: Vec<&ButtonAt> = all.iter().filter(|b| b.card.is_none()).collect();
        if own.len() > TOTAL {
            report(
                own[TOTAL],
                format!("has {} buttons; at most {TOTAL} are allowed", own.len()),
            );
        }
        for &(kind, max) in PER_TYPE {
            let of: Vec<&&ButtonAt> = own.iter().filter(|b| b.button.is(kind)).collect();
            if of.len() > max {
                report(
                    of[max],
                    format!(
                        "has {} {kind} buttons; at most {max} {} allowed",
                        of.len(),
                        if max == 1 { "is" } else { "are" }
                    ),
                );
            }
        }
        let cards = all.iter().filter_map(|b| b.card).max().map_or(0, |m| m + 1);
        for card in 0..cards {
            let on: Vec<&ButtonAt> = all.iter().filter(|b| b.card == Some(card)).collect();
            if on.len() > PER_CARD {
                report(
                    on[PER_CARD],
                    format!(
                        "has {} buttons on card {}; a carousel card takes at most {PER_CARD}",
                        on.len(),
                        card + 1
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Location;
    use crate::rules::registry::test_support::findings;

    fn template(buttons: &[&str]) -> String {
        let buttons: Vec<String> = buttons
            .iter()
            .enumerate()
            .map(|(i, kind)| match *kind {
                "URL" => format!(
                    r#"{{"type":"URL","text":"Link {i}","url":"https://shop.example/{i}"}}"#
                ),
                "PHONE_NUMBER" => format!(
                    r#"{{"type":"PHONE_NUMBER","text":"Call {i}","phone_number":"+15550051310"}}"#
                ),
                "COPY_CODE" => r#"{"type":"COPY_CODE","example":"SAVE25"}"#.to_string(),
                other => format!(r#"{{"type":"{other}","text":"Reply {i}"}}"#),
            })
            .collect();
        format!(
            r#"{{"name":"t","language":"en","components":[{{"type":"BODY","text":"Hello there."}},
            {{"type":"BUTTONS","buttons":[{}]}}]}}"#,
            buttons.join(",")
        )
    }

    #[test]
    fn limits_fire_at_the_first_button_over() {
        let d = findings(
            &super::RULE,
            &template(&["URL", "QUICK_REPLY", "URL", "URL"]),
        );
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "template 't' has 3 URL buttons; at most 2 are allowed"
        );
        let Location::Json { pointer, .. } = &d[0].location else {
            panic!()
        };
        assert_eq!(pointer, "/components/1/buttons/3");
        let d = findings(
            &super::RULE,
            &template(&["PHONE_NUMBER", "PHONE_NUMBER", "COPY_CODE", "COPY_CODE"]),
        );
        assert_eq!(d.len(), 2);
        let d = findings(&super::RULE, &template(&["QUICK_REPLY"; 11]));
        assert_eq!(
            d[0].message,
            "template 't' has 11 buttons; at most 10 are allowed"
        );
    }

    #[test]
    fn at_the_limits_passes() {
        let mut max = vec!["QUICK_REPLY"; 6];
        max.extend(["URL", "URL", "PHONE_NUMBER", "COPY_CODE"]);
        assert!(findings(&super::RULE, &template(&max)).is_empty());
    }

    #[test]
    fn carousel_cards_take_two() {
        let card = |n: usize| {
            let b = vec![r#"{"type":"QUICK_REPLY","text":"More"}"#; n].join(",");
            format!(
                r#"{{"components":[{{"type":"BODY","text":"Card text"}},{{"type":"BUTTONS","buttons":[{b}]}}]}}"#
            )
        };
        let t = |n: usize| {
            format!(
                r#"{{"name":"t","language":"en","components":[{{"type":"BODY","text":"Picks"}},
                {{"type":"CAROUSEL","cards":[{},{}]}}]}}"#,
                card(2),
                card(n)
            )
        };
        assert!(findings(&super::RULE, &t(2)).is_empty());
        let d = findings(&super::RULE, &t(3));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("on card 2"), "{}", d[0].message);
    }
}
