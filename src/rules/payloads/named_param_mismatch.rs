//! WAT008 named-param-mismatch: the `parameter_name`s of a NAMED template's message do not
//! match the template's variables.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::{describe, first_of, nearest, placeholder_names};

declare_rule! {
    /// ## What it checks
    /// A message for a NAMED template whose `parameter_name`s do not match the variables
    /// of the BODY and TEXT HEADER. Each variable not given (`{{order_id}}` but no `"parameter_name":
    /// "order_id"`) and each name given that the text does not have, or gives twice, is a
    /// finding. It judges a component only when every parameter there has a
    /// `parameter_name` (parameters without one are `param-format-mismatch`, WAT009) and
    /// the text has variables (a body without variables is `param-count-mismatch`, WAT003).
    ///
    /// ## Why it matters
    /// Named values are matched by name, not order: a misspelt or missing name leaves a
    /// variable without a value, and the send fails with 132000.
    ///
    /// ## Example
    /// ```json
    /// {"type": "body", "parameters": [
    ///   {"type": "text", "parameter_name": "first_name", "text": "Asha"},
    ///   {"type": "text", "parameter_name": "orderid", "text": "566701"}]}
    /// ```
    /// for the body `Hi {{first_name}}, order {{order_id}} has shipped`.
    ///
    /// ## How to fix
    /// Send one parameter per variable, with `parameter_name` spelt exactly as in the
    /// template text (lower case and underscores).
    pub static RULE = {
        code: "WAT008", name: "named-param-mismatch", wa_error: Some(132000), severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

/// Reports missing and extra parameter names of a NAMED template.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, obj)) = cx.template() else {
        return;
    };
    if !t.is_named() {
        return;
    }
    let header_text = t
        .header()
        .filter(|h| h.header_format() == "TEXT")
        .and_then(|h| h.text.as_deref());
    for (what, kind, text) in [
        ("header", "header", header_text),
        ("body", "body", t.body().and_then(|b| b.text.as_deref())),
    ] {
        let names = placeholder_names(text);
        let Some(sent) = first_of(obj, kind) else {
            continue;
        };
        let params = sent.params();
        if names.is_empty() || params.is_empty() || params.iter().any(|p| p.name().is_none()) {
            continue;
        }
        let given: Vec<&str> = params.iter().filter_map(|p| p.name()).collect();
        let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
        for name in &names {
            if !given.contains(&name.as_str()) {
                out.push(
                    RULE.diagnostic(
                        format!(
                            "template {} {what} has {{{{{name}}}}}, but no parameter has `\"parameter_name\": \"{name}\"`",
                            describe(t)
                        ),
                        cx.at(&sent.params_pointer()),
                    )
                    .with_help(cx.help(
                        format!("add {{\"type\": \"text\", \"parameter_name\": \"{name}\", \"text\": \"...\"}}"),
                        format!("give {{{{{name}}}}} its column in the campaign: {kind} = {{ {name} = \"…\" }}"),
                    )),
                );
            }
        }
        for (j, p) in params.iter().enumerate() {
            let name = p.name().unwrap_or_default();
            let twice = given[..j].contains(&name);
            if wanted.contains(&name) && !twice {
                continue;
            }
            let (message, help) = if twice {
                (
                    format!("{what} parameter_name `{name}` is given twice"),
                    "give each name once".to_string(),
                )
            } else {
                let missing: Vec<&str> = wanted
                    .iter()
                    .copied()
                    .filter(|w| !given.contains(w))
                    .collect();
                let help = match nearest(name, &missing) {
                    Some(guess) => format!("did you mean `{guess}`?"),
                    None => format!("the {what} variables are {}", wanted.join(", ")),
                };
                (
                    format!(
                        "template {} {what} has no variable {{{{{name}}}}}, but a parameter is named `{name}`",
                        describe(t)
                    ),
                    help,
                )
            };
            out.push(
                RULE.diagnostic(message, cx.at(&p.field_pointer("parameter_name")))
                    .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[{"name":"ship","language":"en","status":"APPROVED","parameter_format":"NAMED","components":[
        {"type":"HEADER","format":"TEXT","text":"Hi {{first_name}}"},
        {"type":"BODY","text":"Order {{order_id}} ships {{date}} to {{first_name}}"}]}]"#;

    fn comps(header: &str, body: &[&str]) -> String {
        let ps: Vec<String> = body
            .iter()
            .map(|n| format!(r#"{{"type":"text","parameter_name":"{n}","text":"v"}}"#))
            .collect();
        format!(
            r#"[{{"type":"header","parameters":[{{"type":"text","parameter_name":"{header}","text":"Asha"}}]}},
               {{"type":"body","parameters":[{}]}}]"#,
            ps.join(",")
        )
    }

    #[test]
    fn missing_extra_and_repeated_names_fire() {
        let d = findings(
            &super::RULE,
            &msg(
                "ship",
                "en",
                &comps("first_name", &["order_id", "dates", "first_name"]),
            ),
            REG,
        );
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].message.contains("{{date}}"), "{}", d[0].message);
        assert_eq!(ptr(&d[0]), "/template/components/1/parameters");
        assert_eq!(
            ptr(&d[1]),
            "/template/components/1/parameters/1/parameter_name"
        );
        assert_eq!(d[1].help.as_deref(), Some("did you mean `date`?"));
        let d = findings(
            &super::RULE,
            &msg(
                "ship",
                "en",
                &comps("name", &["order_id", "date", "first_name", "date"]),
            ),
            REG,
        );
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d[2].message.contains("twice"), "{}", d[2].message);
        let d = findings(
            &super::RULE,
            &msg("ship", "en", &comps("first_name", &["order_id", "date"])),
            REG,
        );
        assert_eq!(d.len(), 1, "a missing name with the count one short");
    }

    #[test]
    fn near_misses() {
        let ok = comps("first_name", &["first_name", "date", "order_id"]);
        assert!(findings(&super::RULE, &msg("ship", "en", &ok), REG).is_empty());
        let unnamed = r#"[{"type":"body","parameters":[{"type":"text","text":"1"}]}]"#;
        assert!(
            findings(&super::RULE, &msg("ship", "en", unnamed), REG).is_empty(),
            "WAT009's"
        );
        let positional = REG.replace(r#""parameter_format":"NAMED","#, "");
        assert!(
            findings(
                &super::RULE,
                &msg("ship", "en", &comps("x", &["y"])),
                &positional
            )
            .is_empty()
        );
    }
}
