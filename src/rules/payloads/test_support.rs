//! Runs the template rules (WAT001–WAT014) over in-memory messages and registries, for
//! their unit tests, and checks them against the reference cases and the rule fixtures.

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Location};
use crate::rules::Rule;
use crate::template::{Template, TemplateRegistry};

use super::{Check, PayloadCheck, RULES};

/// The template rules (WAT001–WAT014): the first fourteen of the family's `RULES`.
pub(crate) fn checks() -> &'static [(&'static Rule, Check)] {
    &RULES[..14]
}

/// Runs one rule's check over a message, locating values in a file `t.json`.
pub fn run_check(check: Check, message: &Value, templates: &TemplateRegistry) -> Vec<Diagnostic> {
    let locate = |p: &str| Location::Json {
        path: "t.json".into(),
        pointer: p.to_string(),
        line: None,
        col: None,
    };
    let cx = PayloadCheck::new(message, templates, &locate);
    let mut out = Vec::new();
    check(&cx, &mut out);
    out
}

/// A registry from a JSON array of templates, or a Graph API export `{"data": [...]}`.
pub fn reg(registry_json: &str) -> TemplateRegistry {
    let v: Value = serde_json::from_str(registry_json).expect("registry JSON");
    let list = match v {
        Value::Object(mut o) => o.remove("data").expect("a `data` array"),
        other => other,
    };
    TemplateRegistry::new(serde_json::from_value::<Vec<Template>>(list).expect("templates"))
}

/// A template message for `name`/`language` with these components (a JSON array).
pub fn msg(name: &str, language: &str, components_json: &str) -> String {
    format!(
        r#"{{"messaging_product":"whatsapp","to":"16505551234","type":"template",
            "template":{{"name":"{name}","language":{{"code":"{language}"}},"components":{components_json}}}}}"#
    )
}

/// The JSON pointer of a finding.
pub fn ptr(d: &Diagnostic) -> &str {
    match &d.location {
        Location::Json { pointer, .. } => pointer,
        other => panic!("not a JSON location: {other:?}"),
    }
}

/// Findings of every template rule for one message.
pub fn all_findings(message: &Value, templates: &TemplateRegistry) -> Vec<Diagnostic> {
    let locate = |pointer: &str| Location::Json {
        path: "t.json".into(),
        pointer: pointer.to_string(),
        line: None,
        col: None,
    };
    let cx = PayloadCheck::new(message, templates, &locate);
    let mut out = Vec::new();
    for (_, check) in checks() {
        check(&cx, &mut out);
    }
    out
}

/// Findings of the rule `code` for a message (JSON) against a registry (JSON).
pub fn findings(code: &str, message_json: &str, registry_json: &str) -> Vec<Diagnostic> {
    assert!(
        checks().iter().any(|(r, _)| r.code == code),
        "{code} is not a template rule"
    );
    let message: Value = serde_json::from_str(message_json).expect("message JSON");
    let mut out = all_findings(&message, &reg(registry_json));
    out.retain(|d| d.code == code);
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The messages of a payload file: one object, or an array of them.
    fn messages(path: &Path) -> Vec<Value> {
        match serde_json::from_str::<Value>(&read(path)).unwrap() {
            Value::Array(list) => list,
            one => vec![one],
        }
    }

    fn summary(ds: &[Diagnostic]) -> Vec<String> {
        ds.iter()
            .map(|d| format!("{} {:?} {} @ {}", d.code, d.wa_error, d.message, ptr(d)))
            .collect()
    }

    #[test]
    fn rules_are_documented_and_catalogued() {
        for (r, _) in checks() {
            let doc = r.documentation();
            for section in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## How to fix",
            ] {
                assert!(doc.contains(section), "{} lacks '{section}'", r.code);
            }
            assert!(r.summary().len() > 20, "{}", r.code);
            assert_eq!(r.family(), "payloads");
            let wa = r.wa_error.expect("a WhatsApp error code");
            assert!(crate::wa_error::lookup(wa).is_some(), "{}: {wa}", r.code);
        }
        assert!(checks().windows(2).all(|w| w[0].0.code < w[1].0.code));
        for wa in [132015, 132016] {
            assert!(crate::wa_error::lookup(wa).is_some(), "{wa}");
        }
    }

    #[test]
    fn reference_cases() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference/templates");
        let csv = read(&dir.join("cases.csv"));
        let mut rows = 0;
        for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split(',').collect();
            let (case, payload, registry, expected) = (cols[0], cols[1], cols[2], cols[3]);
            let templates = reg(&read(&dir.join(registry)));
            let message: Value = serde_json::from_str(&read(&dir.join(payload))).unwrap();
            let ds = all_findings(&message, &templates);
            if expected == "ok" {
                assert!(ds.is_empty(), "{case}: {:?}", summary(&ds));
                // The hydrated body length the case states.
                let chars: usize = cols[4].parse().unwrap();
                let t = templates
                    .get(
                        message["template"]["name"].as_str().unwrap(),
                        message["template"]["language"]["code"].as_str().unwrap(),
                    )
                    .unwrap();
                let obj = message["template"].as_object().unwrap();
                let body = super::super::template_parts::first_of(obj, "body").unwrap();
                let text = super::super::template_parts::hydrate_with(
                    t.body().unwrap().text.as_deref().unwrap(),
                    t.is_named(),
                    &body.params(),
                )
                .unwrap();
                assert_eq!(text.chars().count(), chars, "{case}");
            } else {
                let code: u32 = expected.parse().unwrap();
                assert!(
                    ds.iter().any(|d| d.wa_error == Some(code)),
                    "{case}: expected {code}, got {:?}",
                    summary(&ds)
                );
                assert!(
                    ds.iter().all(|d| d.wa_error == Some(code)),
                    "{case}: only {code} expected, got {:?}",
                    summary(&ds)
                );
            }
            rows += 1;
        }
        assert_eq!(rows, 6);

        let templates = reg(&read(&dir.join("registry_pywa.json")));
        let message: Value =
            serde_json::from_str(&read(&dir.join("payload_nodejs_sdk_subscribe.json"))).unwrap();
        let ds = all_findings(&message, &templates);
        assert_eq!(ds.len(), 1, "{:?}", summary(&ds));
        assert_eq!((ds[0].code, ds[0].wa_error), ("WAT001", Some(132001)));
    }

    #[test]
    fn rule_fixtures_fire_and_near_misses_pass() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
        for (rule, _) in checks() {
            let dir = root.join(rule.code);
            let toml = read(&dir.join("walint.toml"));
            assert!(
                toml.contains(r#"registry = ["registry.json"]"#),
                "{}: walint.toml",
                rule.code
            );
            let templates = reg(&read(&dir.join("registry.json")));
            let fires: Vec<Diagnostic> = messages(&dir.join("fires.json"))
                .iter()
                .flat_map(|m| all_findings(m, &templates))
                .collect();
            assert!(
                !fires.is_empty() && fires.iter().all(|d| d.code == rule.code),
                "{} fires.json should trip it and only it: {:?}",
                rule.code,
                summary(&fires)
            );
            let passes: Vec<Diagnostic> = messages(&dir.join("passes.json"))
                .iter()
                .flat_map(|m| all_findings(m, &templates))
                .collect();
            assert!(
                passes.is_empty(),
                "{}: passes.json trips {:?}",
                rule.code,
                summary(&passes)
            );
        }
    }
}
