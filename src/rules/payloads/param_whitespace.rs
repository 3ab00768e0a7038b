//! WAT013 param-whitespace: a text parameter with a newline, a tab or more than four
//! consecutive spaces.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::all_components;

declare_rule! {
    /// ## What it checks
    /// A text parameter containing a newline, a tab or more than four consecutive spaces.
    /// It checks the `text` of every text parameter of a template message — header, body,
    /// button (URL suffix, OTP code) and carousel cards — for `\n`, `\r`, `\t` and runs of
    /// five or more spaces. (An empty or whitespace-only value is
    /// `param-empty`, WAT014.)
    ///
    /// ## Why it matters
    /// Meta rejects the whole send: "Param text cannot have new-line/tab characters or
    /// more than 4 consecutive spaces" — error 132018 from Graph API v23.0. The template
    /// text itself may contain line breaks; the values may not. Values pasted from
    /// spreadsheets and addresses are the usual culprits.
    ///
    /// ## Example
    /// ```json
    /// {"type": "text", "text": "12 Park Street\nKolkata"}
    /// ```
    ///
    /// ## How to fix
    /// Replace newlines and tabs with a space or a separator (` · `, `, `) and collapse
    /// runs of spaces before building the payload; put fixed line breaks in the template
    /// text instead.
    pub static RULE = {
        code: "WAT013", name: "param-whitespace", wa_error: Some(132018), severity: Error,
        check: Check::Message { check, campaign: InCampaign::EveryRow },
    }
}

/// What is wrong with a value's whitespace, if anything.
fn fault(text: &str) -> Option<String> {
    if text.contains(['\n', '\r']) {
        return Some("a newline".into());
    }
    if text.contains('\t') {
        return Some("a tab".into());
    }
    let mut run = 0;
    let mut longest = 0;
    for c in text.chars() {
        run = if c == ' ' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    (longest > 4).then(|| format!("{longest} consecutive spaces"))
}

/// Reports text parameters with forbidden whitespace.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((_, obj)) = cx.template() else {
        return;
    };
    for c in all_components(obj) {
        for p in c.params() {
            if p.kind() != "text" {
                continue;
            }
            let Some(text) = p.value.get("text").and_then(|v| v.as_str()) else {
                continue;
            };
            if text.trim().is_empty() {
                continue; // param-empty
            }
            if let Some(why) = fault(text) {
                out.push(
                    RULE.diagnostic(
                        format!("{} text parameter contains {why}", c.kind()),
                        cx.at(&format!("{}/text", p.pointer())),
                    )
                    .with_help("values cannot contain newlines, tabs or more than 4 consecutive spaces: replace them with a space"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[{"name":"w","language":"en","status":"APPROVED","components":[
        {"type":"BODY","text":"Ship to:\n{{1}}"},
        {"type":"BUTTONS","buttons":[{"type":"URL","text":"Track","url":"https://x.example/{{1}}"}]}]}]"#;

    fn comps(body: &str, suffix: &str) -> String {
        let body = serde_json::to_string(body).unwrap();
        let suffix = serde_json::to_string(suffix).unwrap();
        format!(
            r#"[{{"type":"body","parameters":[{{"type":"text","text":{body}}}]}},
               {{"type":"button","sub_type":"url","index":0,"parameters":[{{"type":"text","text":{suffix}}}]}}]"#
        )
    }

    #[test]
    fn newlines_tabs_and_long_runs_of_spaces_fire() {
        for bad in ["12 Park St\nKolkata", "a\r\nb", "a\tb", "a     b"] {
            let d = findings(&super::RULE, &msg("w", "en", &comps(bad, "x")), REG);
            assert_eq!(d.len(), 1, "{bad:?}");
            assert_eq!(ptr(&d[0]), "/template/components/0/parameters/0/text");
            assert_eq!(d[0].wa_error, Some(132018));
        }
        let d = findings(&super::RULE, &msg("w", "en", &comps("ok", "a\tb")), REG);
        assert_eq!(ptr(&d[0]), "/template/components/1/parameters/0/text");
        let carousel = r#"[{"type":"body","parameters":[{"type":"text","text":"x"}]},
            {"type":"button","sub_type":"url","index":0,"parameters":[{"type":"text","text":"x"}]},
            {"type":"carousel","cards":[{"card_index":0,"components":[{"type":"body","parameters":[{"type":"text","text":"a\nb"}]}]}]}]"#;
        let d = findings(&super::RULE, &msg("w", "en", carousel), REG);
        assert_eq!(
            ptr(&d[0]),
            "/template/components/2/cards/0/components/0/parameters/0/text"
        );
    }

    #[test]
    fn near_misses() {
        for ok in ["12 Park St, Kolkata", "a    b", " leading and trailing "] {
            assert!(
                findings(&super::RULE, &msg("w", "en", &comps(ok, "x")), REG).is_empty(),
                "{ok:?}"
            );
        }
        assert!(
            findings(&super::RULE, &msg("w", "en", &comps("\n", "x")), REG).is_empty(),
            "WAT014's"
        );
    }
}
