//! Payload rules (`WAT…`): each file holds one rule that judges one Cloud API `/messages`
//! body (a payload file's message, or later a campaign row's hydrated message) against the
//! account's template registry. This module holds what they share: the [`PayloadCheck`]
//! a rule looks at, the [`NotJson`] a file rule looks at, and [`enabled_checks`], the
//! family's enabled checks derived from the catalogue. It does no I/O: messages arrive
//! parsed, and locations are made by the caller's `locate` (a JSON pointer in a file, or a
//! CSV cell).

use std::cell::OnceCell;

use serde_json::{Map, Value};

pub mod button_param_mismatch;
pub mod header_param_mismatch;
pub mod hydrated_body_too_long;
pub mod hydrated_header_too_long;
pub mod invalid_json;
pub mod invalid_recipient;
pub mod marketing_to_us;
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
use crate::rules::{Check, InCampaign, RuleSettings};
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
    /// The message was built from a walint.toml campaign, not written as a payload: help
    /// speaks of the campaign's keys.
    campaign: bool,
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
            campaign: false,
        }
    }

    /// A message a walint.toml campaign builds (its help speaks of the campaign's keys).
    pub fn of_campaign(mut self) -> PayloadCheck<'a> {
        self.campaign = true;
        self
    }

    /// Whether the message was built from a walint.toml campaign.
    pub fn in_campaign(&self) -> bool {
        self.campaign
    }

    /// The help for the input the user wrote: `payload`'s for a payload file, `campaign`'s
    /// for a campaign of walint.toml.
    pub fn help(
        &self,
        payload: impl Into<std::borrow::Cow<'static, str>>,
        campaign: impl Into<std::borrow::Cow<'static, str>>,
    ) -> std::borrow::Cow<'static, str> {
        if self.campaign {
            campaign.into()
        } else {
            payload.into()
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

/// A payload document, or one NDJSON line, that does not parse as JSON.
pub struct NotJson {
    /// Why, with the position in words.
    pub reason: String,
    /// Where parsing stopped.
    pub location: Location,
}

/// A file rule's check ([`Check::File`]).
pub type FileCheck = fn(&NotJson) -> Diagnostic;

/// A message rule's check ([`Check::Message`]).
pub type MessageFn = fn(&PayloadCheck, &mut Vec<Diagnostic>);

/// The checks of the message rules `settings` enables whose campaign role `wanted` accepts
/// (`|_| true` for payload files), in code order. Work it out once per run, not per message.
pub fn enabled_checks(
    settings: &RuleSettings,
    wanted: impl Fn(InCampaign) -> bool,
) -> Vec<MessageFn> {
    crate::rules::enabled(settings)
        .filter_map(|rule| match rule.check {
            Check::Message { check, campaign } if wanted(campaign) => Some(check),
            _ => None,
        })
        .collect()
}
