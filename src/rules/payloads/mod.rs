//! Payload rules (`WAT…`): each file holds one rule that judges one Cloud API `/messages`
//! body (a payload file's message, or later a campaign row's hydrated message) against the
//! account's template registry. This module holds what they share: the [`PayloadCheck`]
//! a rule looks at and [`RULES`], the family's list. It does no I/O: messages arrive parsed,
//! and locations are made by the caller's `locate` (a JSON pointer in a file, or a CSV cell).

use std::cell::OnceCell;

use serde_json::{Map, Value};

pub mod button_param_mismatch;
pub mod header_param_mismatch;
pub mod hydrated_body_too_long;
pub mod hydrated_header_too_long;
pub mod invalid_json;
pub mod invalid_recipient;
pub mod media_header_missing;
pub mod named_param_mismatch;
pub mod param_count_mismatch;
pub mod param_empty;
pub mod param_format_mismatch;
pub mod param_type_mismatch;
pub mod param_whitespace;
pub mod payload_schema;
pub mod template_language_not_found;
pub mod template_not_approved;
pub mod template_not_found;
pub mod template_parts;
#[cfg(test)]
pub(crate) mod test_support;
pub mod text_body_too_long;
pub mod unsupported_message_type;

use crate::diagnostic::{Diagnostic, Location};
use crate::rules::{Rule, RuleSettings};
use crate::template::{Template, TemplateRegistry};

/// One message as a payload rule sees it.
pub struct PayloadCheck<'a> {
    /// The message object (the `/messages` request body).
    pub message: &'a Value,
    /// The account's templates (empty when none was given: then template rules stay silent).
    pub templates: &'a TemplateRegistry,
    /// Turns an RFC 6901 pointer relative to the message (`""` is the message itself,
    /// `/template/components/0`) into a location in the input.
    pub locate: &'a dyn Fn(&str) -> Location,
    /// The message's template object and definition, looked up once for all rules.
    template: OnceCell<Option<(&'a Template, &'a Map<String, Value>)>>,
}

impl<'a> PayloadCheck<'a> {
    /// A message to check against `templates`, located by `locate`.
    pub fn new(
        message: &'a Value,
        templates: &'a TemplateRegistry,
        locate: &'a dyn Fn(&str) -> Location,
    ) -> PayloadCheck<'a> {
        PayloadCheck {
            message,
            templates,
            locate,
            template: OnceCell::new(),
        }
    }

    /// The message's template object and its definition (exact name and language),
    /// found on first use.
    pub fn template(&self) -> Option<(&'a Template, &'a Map<String, Value>)> {
        *self.template.get_or_init(|| template_parts::lookup(self))
    }

    /// The location of the value at `pointer` (relative to the message).
    pub fn at(&self, pointer: &str) -> Location {
        (self.locate)(pointer)
    }
}

/// A payload rule's check.
pub type Check = fn(&PayloadCheck, &mut Vec<Diagnostic>);

/// The checks of the rules `settings` enables — among `codes`, or every payload rule when
/// `None` — in code order. Work it out once per run, not per message.
pub fn enabled_checks(settings: &RuleSettings, codes: Option<&[&str]>) -> Vec<Check> {
    RULES
        .iter()
        .filter(|(rule, _)| codes.is_none_or(|c| c.contains(&rule.code)) && settings.enabled(rule))
        .map(|&(_, check)| check)
        .collect()
}

/// Every payload rule with its check, in code order.
pub static RULES: &[(&Rule, Check)] = &[
    (&template_not_found::RULE, template_not_found::check),
    (
        &template_language_not_found::RULE,
        template_language_not_found::check,
    ),
    (&param_count_mismatch::RULE, param_count_mismatch::check),
    (&template_not_approved::RULE, template_not_approved::check),
    (&header_param_mismatch::RULE, header_param_mismatch::check),
    (&media_header_missing::RULE, media_header_missing::check),
    (&button_param_mismatch::RULE, button_param_mismatch::check),
    (&named_param_mismatch::RULE, named_param_mismatch::check),
    (&param_format_mismatch::RULE, param_format_mismatch::check),
    (&param_type_mismatch::RULE, param_type_mismatch::check),
    (&hydrated_body_too_long::RULE, hydrated_body_too_long::check),
    (
        &hydrated_header_too_long::RULE,
        hydrated_header_too_long::check,
    ),
    (&param_whitespace::RULE, param_whitespace::check),
    (&param_empty::RULE, param_empty::check),
    (
        &unsupported_message_type::RULE,
        unsupported_message_type::check,
    ),
    (&payload_schema::RULE, payload_schema::check),
    (&invalid_recipient::RULE, invalid_recipient::check),
    (&text_body_too_long::RULE, text_body_too_long::check),
];
