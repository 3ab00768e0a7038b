//! Payload rules (`WAT…`): each file holds one rule that judges one Cloud API `/messages`
//! body (a payload file's message, or later a campaign row's hydrated message) against the
//! account's template registry. This module holds what they share: the [`PayloadCheck`]
//! a rule looks at and [`RULES`], the family's list. It does no I/O: messages arrive parsed,
//! and locations are made by the caller's `locate` (a JSON pointer in a file, or a CSV cell).

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Location};
use crate::rules::Rule;
use crate::template::TemplateRegistry;

/// One message as a payload rule sees it.
pub struct PayloadCheck<'a> {
    /// The message object (the `/messages` request body).
    pub message: &'a Value,
    /// The account's templates (empty when none was given: then template rules stay silent).
    pub templates: &'a TemplateRegistry,
    /// Turns an RFC 6901 pointer relative to the message (`""` is the message itself,
    /// `/template/components/0`) into a location in the input.
    pub locate: &'a dyn Fn(&str) -> Location,
}

impl PayloadCheck<'_> {
    /// The location of the value at `pointer` (relative to the message).
    pub fn at(&self, pointer: &str) -> Location {
        (self.locate)(pointer)
    }
}

/// A payload rule's check.
pub type Check = fn(&PayloadCheck, &mut Vec<Diagnostic>);

/// Every payload rule with its check, in code order.
pub static RULES: &[(&Rule, Check)] = &[];
