//! Registry rules (`WAR…`): each file holds one rule that judges the template registry
//! itself — the account's template definitions as exported from the Graph API — for
//! problems Meta rejects at creation or that make every send of the template fail. This
//! module holds what they share: the [`RegistryCheck`] a rule looks at and [`RULES`], the
//! family's list. It does no I/O.

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
pub static RULES: &[(&Rule, Check)] = &[];
