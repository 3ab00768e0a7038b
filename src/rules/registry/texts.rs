//! What the registry rules walk: every text of a template (header, body, footer, offer,
//! carousel card header and body) and every button (of the template and of its cards),
//! each with its JSON pointer inside the template object and a label for messages.

use crate::template::{Button, Component, Template};

/// What part of a template a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The template's HEADER text.
    Header,
    /// The template's BODY text.
    Body,
    /// The template's FOOTER text.
    Footer,
    /// A LIMITED_TIME_OFFER component's offer text.
    OfferText,
    /// A carousel card's HEADER text.
    CardHeader,
    /// A carousel card's BODY text.
    CardBody,
}

impl Role {
    /// Whether placeholders in this text are values sent at send time (header and body
    /// texts; footers and offer texts take none).
    pub fn takes_variables(self) -> bool {
        matches!(
            self,
            Role::Header | Role::Body | Role::CardHeader | Role::CardBody
        )
    }
}

/// One text of a template.
#[derive(Debug)]
pub struct Text<'t> {
    /// Pointer of the text inside the template object (`/components/1/text`).
    pub pointer: String,
    /// What it is, for messages (`body`, `card 2 body`).
    pub label: String,
    /// What part it is.
    pub role: Role,
    /// The text.
    pub text: &'t str,
}

/// One button of a template or of a carousel card.
#[derive(Debug)]
pub struct ButtonAt<'t> {
    /// Pointer of the button inside the template object (`/components/3/buttons/0`).
    pub pointer: String,
    /// What it is, for messages (`button 1`, `card 2 button 1`; 1-based).
    pub label: String,
    /// The 0-based card it is on, when it is a carousel card's.
    pub card: Option<usize>,
    /// The button.
    pub button: &'t Button,
}

fn push_text<'t>(out: &mut Vec<Text<'t>>, c: &'t Component, pointer: String, card: Option<usize>) {
    let Some(text) = c.text.as_deref() else {
        return;
    };
    let (role, part) = if c.is("HEADER") {
        (Role::Header, "header")
    } else if c.is("BODY") {
        (Role::Body, "body")
    } else if c.is("FOOTER") {
        (Role::Footer, "footer")
    } else if c.is("LIMITED_TIME_OFFER") {
        (Role::OfferText, "limited-time-offer text")
    } else {
        return;
    };
    let (role, label) = match card {
        None => (role, part.to_string()),
        Some(j) => {
            let role = match role {
                Role::Header => Role::CardHeader,
                Role::Body => Role::CardBody,
                other => other,
            };
            (role, format!("card {} {part}", j + 1))
        }
    };
    out.push(Text {
        pointer: format!("{pointer}/text"),
        label,
        role,
        text,
    });
}

/// Every text of a template, in document order (a carousel's cards where the CAROUSEL
/// component stands).
pub fn texts(t: &Template) -> Vec<Text<'_>> {
    let mut out = Vec::new();
    for (i, c) in t.components.iter().enumerate() {
        push_text(&mut out, c, format!("/components/{i}"), None);
        for (j, card) in c.cards.iter().enumerate() {
            for (k, cc) in card.components.iter().enumerate() {
                push_text(
                    &mut out,
                    cc,
                    format!("/components/{i}/cards/{j}/components/{k}"),
                    Some(j),
                );
            }
        }
    }
    out
}

/// Every button of a template and of its carousel cards, in document order.
pub fn buttons(t: &Template) -> Vec<ButtonAt<'_>> {
    fn push<'t>(out: &mut Vec<ButtonAt<'t>>, c: &'t Component, base: String, card: Option<usize>) {
        if !c.is("BUTTONS") {
            return;
        }
        for (b, button) in c.buttons.iter().enumerate() {
            let label = match card {
                None => format!("button {}", b + 1),
                Some(j) => format!("card {} button {}", j + 1, b + 1),
            };
            out.push(ButtonAt {
                pointer: format!("{base}/buttons/{b}"),
                label,
                card,
                button,
            });
        }
    }
    let mut out = Vec::new();
    for (i, c) in t.components.iter().enumerate() {
        push(&mut out, c, format!("/components/{i}"), None);
        for (j, card) in c.cards.iter().enumerate() {
            for (k, cc) in card.components.iter().enumerate() {
                push(
                    &mut out,
                    cc,
                    format!("/components/{i}/cards/{j}/components/{k}"),
                    Some(j),
                );
            }
        }
    }
    out
}

/// The `{{…}}` text of a placeholder name, for messages.
pub fn braced(name: &str) -> String {
    format!("{{{{{name}}}}}")
}
