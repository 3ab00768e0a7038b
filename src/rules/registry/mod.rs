//! Registry rules (`WAR…`): each file holds one rule that judges the template registry
//! itself — the account's template definitions as exported from the Graph API — for
//! problems Meta rejects at creation or that make every send of the template fail. This
//! module holds what they share: the [`RegistryCheck`] a rule looks at and [`RULES`], the
//! family's list. It does no I/O.

pub mod component_too_long;
pub mod duplicate_template;
pub mod header_variables;
pub mod invalid_placeholder_name;
pub mod invalid_template_name;
pub mod placeholder_at_edge;
pub mod placeholder_sequence;
pub mod texts;
pub mod too_many_buttons;

use crate::diagnostic::{Diagnostic, Location};
use crate::rules::Rule;
use crate::template::{Template, TemplateSource};

/// The registry as a rule sees it.
pub struct RegistryCheck<'a> {
    /// Every template of the registry files, in file order.
    pub templates: &'a [Template],
    /// Turns a template's source and a pointer relative to the template object
    /// (`""`, `/components/1/text`) into a location in its file.
    pub locate: &'a dyn Fn(&TemplateSource, &str) -> Location,
}

impl RegistryCheck<'_> {
    /// The location of the value at `pointer` inside `template`.
    pub fn at(&self, template: &Template, pointer: &str) -> Location {
        (self.locate)(&template.source, pointer)
    }
}

/// A registry rule's check.
pub type Check = fn(&RegistryCheck, &mut Vec<Diagnostic>);

/// Every registry rule with its check, in code order.
pub static RULES: &[(&Rule, Check)] = &[
    (&placeholder_sequence::RULE, placeholder_sequence::check),
    (
        &invalid_placeholder_name::RULE,
        invalid_placeholder_name::check,
    ),
    (&component_too_long::RULE, component_too_long::check),
    (&header_variables::RULE, header_variables::check),
    (&too_many_buttons::RULE, too_many_buttons::check),
    (&invalid_template_name::RULE, invalid_template_name::check),
    (&duplicate_template::RULE, duplicate_template::check),
    (&placeholder_at_edge::RULE, placeholder_at_edge::check),
];

#[cfg(test)]
pub(crate) mod test_support {
    //! Runs registry rules over JSON text read by the registry reader.

    use super::{RULES, RegistryCheck};
    use crate::diagnostic::{Diagnostic, Location};
    use crate::template::{Template, TemplateSource};

    /// A location with the template's pointer joined to the relative one; no line.
    pub fn locate(source: &TemplateSource, pointer: &str) -> Location {
        Location::Json {
            path: source.path.clone(),
            pointer: format!("{}{pointer}", source.pointer),
            line: None,
            col: None,
        }
    }

    /// Every finding of every registry rule over these templates, in rule order.
    pub fn run(templates: &[Template]) -> Vec<Diagnostic> {
        let cx = RegistryCheck {
            templates,
            locate: &locate,
        };
        let mut out = Vec::new();
        for (_, check) in RULES {
            check(&cx, &mut out);
        }
        out
    }

    /// The findings of one rule over a registry given as JSON text (read as `test.json`).
    pub fn findings(code: &str, json: &str) -> Vec<Diagnostic> {
        let templates = crate::input::registry::read("test.json", json)
            .unwrap_or_else(|e| panic!("{e}\n{json}"));
        let (_, check) = RULES
            .iter()
            .find(|(r, _)| r.code == code)
            .unwrap_or_else(|| panic!("no registry rule {code}"));
        let cx = RegistryCheck {
            templates: &templates,
            locate: &locate,
        };
        let mut out = Vec::new();
        check(&cx, &mut out);
        assert!(out.iter().all(|d| d.code == code));
        out
    }

    /// A template `t` (language `en`) with this parameter_format and one body text.
    pub fn body_template(format: Option<&str>, body: &str) -> String {
        let format = format.map_or(String::new(), |f| format!(r#""parameter_format":"{f}","#));
        let body = serde_json::to_string(body).unwrap();
        format!(
            r#"{{"name":"t","language":"en",{format}"components":[{{"type":"BODY","text":{body}}}]}}"#
        )
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::RULES;
    use super::test_support::run;

    fn fixture(path: &Path) -> Vec<crate::template::Template> {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            crate::input::registry::looks_like_registry(&value),
            "{} is not recognised as a registry",
            path.display()
        );
        crate::input::registry::read(&path.display().to_string(), &text)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn rules_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules")
    }

    #[test]
    fn every_rule_fires_on_its_fixture_and_none_on_any_near_miss() {
        for (rule, _) in RULES {
            let dir = rules_dir().join(rule.code);
            let fires = run(&fixture(&dir.join("fires.json")));
            assert!(
                fires.iter().any(|d| d.code == rule.code),
                "{} did not fire on its fires.json: {fires:#?}",
                rule.code
            );
            assert!(
                fires.iter().all(|d| d.code == rule.code),
                "{}'s fires.json trips other rules too: {fires:#?}",
                rule.code
            );
        }
        let mut passes: Vec<PathBuf> = std::fs::read_dir(rules_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("WAR"))
            })
            .map(|p| p.join("passes.json"))
            .collect();
        passes.sort();
        assert_eq!(passes.len(), RULES.len(), "one passes.json per WAR rule");
        passes.push(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/registry/graph_export.json"),
        );
        for path in passes {
            let found = run(&fixture(&path));
            assert!(found.is_empty(), "{}: {found:#?}", path.display());
        }
    }

    #[test]
    fn rules_are_documented_and_their_wa_errors_catalogued() {
        for (r, _) in RULES {
            let doc = r.documentation();
            for section in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## How to fix",
            ] {
                assert!(doc.contains(section), "{} lacks '{section}'", r.code);
            }
            assert!(r.summary().len() > 20, "{}: {}", r.code, r.summary());
            if let Some(code) = r.wa_error {
                assert!(
                    crate::wa_error::lookup(code).is_some(),
                    "{}: {code}",
                    r.code
                );
            }
        }
        assert!(crate::wa_error::lookup(super::header_variables::FOOTER_ERROR).is_some());
    }

    #[test]
    fn rules_are_in_code_order_with_unique_codes() {
        assert!(RULES.windows(2).all(|w| w[0].0.code < w[1].0.code));
        assert!(RULES.iter().all(|(r, _)| r.family() == "registry"));
    }
}
