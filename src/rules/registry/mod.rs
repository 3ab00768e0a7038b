//! Registry rules (`WAR…`): each file holds one rule that judges the template registry
//! itself — the account's template definitions as exported from the Graph API — for
//! problems Meta rejects at creation or that make every send of the template fail. This
//! module holds what they share: the [`RegistryCheck`] a rule looks at and [`run`], which
//! runs the family's enabled rules (derived from the catalogue). It does no I/O.

pub mod component_too_long;
pub mod creation_example_missing;
pub mod duplicate_template;
pub mod empty_registry;
pub mod header_variables;
pub mod invalid_placeholder_name;
pub mod invalid_template_name;
pub mod placeholder_at_edge;
pub mod placeholder_sequence;
pub mod texts;
pub mod too_many_buttons;

use crate::diagnostic::{Diagnostic, Location};
use crate::rules::{Check, RuleSettings};
use crate::template::{Template, TemplateSource};

/// The registry as a rule sees it.
pub struct RegistryCheck<'a> {
    /// Every template of the registry files, in file order.
    pub templates: &'a [Template],
    /// Turns a template's source and a pointer relative to the template object
    /// (`""`, `/components/1/text`) into a location in its file.
    pub locate: &'a dyn Fn(&TemplateSource, &str) -> Location,
    /// The registry files that hold no template at all (`{"data": []}`, `[]`).
    pub empty_files: &'a [std::sync::Arc<str>],
}

impl RegistryCheck<'_> {
    /// The location of the value at `pointer` inside `template`.
    pub fn at(&self, template: &Template, pointer: &str) -> Location {
        (self.locate)(&template.source, pointer)
    }
}

/// A registry rule's check ([`Check::Definition`]).
pub type DefinitionCheck = fn(&RegistryCheck, &mut Vec<Diagnostic>);

/// Runs the registry rules `settings` enables, in code order; their findings (after the
/// settings) are appended to `out`.
pub fn run(cx: &RegistryCheck, settings: &RuleSettings, out: &mut Vec<Diagnostic>) {
    let mut found = Vec::new();
    for rule in crate::rules::enabled(settings) {
        if let Check::Definition(check) = rule.check {
            check(cx, &mut found);
        }
    }
    out.extend(found.into_iter().filter_map(|d| settings.apply(d)));
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Runs registry rules over JSON text read by the registry reader.

    use super::RegistryCheck;
    use crate::diagnostic::{Diagnostic, Location};
    use crate::rules::{Check, Rule, RuleSettings};
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
            empty_files: &[],
        };
        let mut out = Vec::new();
        super::run(&cx, &RuleSettings::default(), &mut out);
        out
    }

    /// The findings of `rule` over a registry given as JSON text (read as `test.json`).
    pub fn findings(rule: &'static Rule, json: &str) -> Vec<Diagnostic> {
        let templates = crate::input::registry::read("test.json", json)
            .unwrap_or_else(|e| panic!("{e}\n{json}"));
        let Check::Definition(check) = rule.check else {
            panic!("{} is not a registry rule", rule.code);
        };
        let empty: Vec<std::sync::Arc<str>> = if templates.is_empty() {
            vec![std::sync::Arc::from("test.json")]
        } else {
            Vec::new()
        };
        let cx = RegistryCheck {
            templates: &templates,
            locate: &locate,
            empty_files: &empty,
        };
        let mut out = Vec::new();
        check(&cx, &mut out);
        assert!(out.iter().all(|d| d.rule == rule));
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
