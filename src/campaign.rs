//! Campaigns: a contact list plus the message each row sends. This module owns the
//! campaign model (as validated from `[[campaign]]` in walint.toml), the columns a campaign
//! reads, and the step from one contact row to the exact Cloud API message that row would
//! send — a template message with the row's values in its parameters, or a free-form text —
//! together with which CSV column supplied each value, so findings on the message point at
//! the cell. It reads no file and judges nothing: `check` feeds it rows, the payload and
//! contact rules judge what it builds.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::template::{Template, TemplateRegistry};

/// One `[[campaign]]` of walint.toml.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// Its name (unique in the file).
    pub name: String,
    /// The config file and the line of its `[[campaign]]` header, for findings about it.
    pub source: (Arc<str>, u64),
    /// Contact list paths or glob patterns, resolved against the config's directory.
    pub contacts: Vec<PathBuf>,
    /// What each row sends.
    pub message: CampaignMessage,
    /// When the campaign goes out (default: now).
    pub send_at: Option<jiff::Timestamp>,
    /// The column holding each customer's last inbound message time (free-form campaigns).
    pub last_inbound_column: Option<String>,
    /// The phone column, when the header does not make it clear.
    pub phone_column: Option<String>,
}

/// What a campaign sends.
#[derive(Debug, Clone)]
pub enum CampaignMessage {
    /// A template message.
    Template {
        /// Template name, as in the registry.
        name: String,
        /// Language code, as in the registry (`en` and `en_US` are different templates).
        language: String,
        /// The body's values.
        body: BodyValues,
        /// The header's value, when the template has a variable or media header.
        header: Option<HeaderValue>,
        /// The buttons' values.
        buttons: Vec<ButtonValue>,
    },
    /// A free-form text message; `{{column}}` in the text is replaced by the row's cell.
    Text {
        /// The text.
        text: String,
    },
}

/// Where the body's values come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyValues {
    /// POSITIONAL templates: the column for `{{1}}`, `{{2}}`…
    Positional(Vec<String>),
    /// NAMED templates: (placeholder name, column), in the order written.
    Named(Vec<(String, String)>),
}

/// Where the header's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// The same media link for every row.
    MediaUrl(String),
    /// A media link per row, from a column.
    MediaColumn(String),
    /// The text header's variable, from a column.
    TextColumn(String),
}

/// A button's value: the column holding a URL suffix, a coupon code or a quick-reply payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonValue {
    /// The button's zero-based index in the template.
    pub index: usize,
    /// The column.
    pub column: String,
}

impl Campaign {
    /// The columns the message reads, each once, in the order first used.
    pub fn value_columns(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |c: &str| {
            if !out.iter().any(|o| o == c) {
                out.push(c.to_string());
            }
        };
        match &self.message {
            CampaignMessage::Template {
                body,
                header,
                buttons,
                ..
            } => {
                match header {
                    Some(HeaderValue::MediaColumn(c) | HeaderValue::TextColumn(c)) => add(c),
                    Some(HeaderValue::MediaUrl(_)) | None => {}
                }
                match body {
                    BodyValues::Positional(cols) => cols.iter().for_each(|c| add(c)),
                    BodyValues::Named(pairs) => pairs.iter().for_each(|(_, c)| add(c)),
                }
                buttons.iter().for_each(|b| add(&b.column));
            }
            CampaignMessage::Text { text } => {
                for p in crate::template::placeholders(text) {
                    add(&p.name);
                }
            }
        }
        out
    }

    /// The template the campaign sends, when it sends one the registry has.
    pub fn template<'t>(&self, templates: &'t TemplateRegistry) -> Option<&'t Template> {
        match &self.message {
            CampaignMessage::Template { name, language, .. } => templates.get(name, language),
            CampaignMessage::Text { .. } => None,
        }
    }

    /// Whether it sends a free-form (non-template) message.
    pub fn is_free_form(&self) -> bool {
        matches!(self.message, CampaignMessage::Text { .. })
    }
}

/// Builds each row's message for one campaign, against one registry. Everything that is
/// the same for every row — which column fills which parameter, the header's media kind,
/// each button's sub_type, the pointers behind the values — is worked out once, here.
pub struct MessageBuilder<'a> {
    campaign: &'a Campaign,
    columns: Vec<Arc<str>>,
    header: Option<HeaderPlan>,
    /// Body parameters: the value slot, and the `parameter_name` of a NAMED template.
    body: Vec<(usize, Option<String>)>,
    /// Buttons: index, sub_type (the template's button type, lower-cased), value slot.
    buttons: Vec<(usize, String, usize)>,
    /// Free-form text: the value slot of each `{{column}}`, in order.
    text_slots: Vec<usize>,
    sources: Arc<[(String, usize)]>,
}

/// The header parameter, as planned.
enum HeaderPlan {
    /// A media parameter of `kind` (image, video, document, gif) with a fixed or per-row link.
    Media { kind: String, link: Link },
    /// A text parameter from a value slot, named for a NAMED template.
    Text { slot: usize, name: Option<String> },
}

/// A campaign's header media link: the same for every row (`media_url`), or the row's
/// value in a slot of [`MessageBuilder::columns`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// The same link for every row.
    Fixed(String),
    /// The row's value in this slot.
    Slot(usize),
}

/// A row's message, with the column that supplied each parameter.
pub struct BuiltMessage {
    /// The `/messages` request body.
    pub message: Value,
    /// (pointer of a parameter or text, index of the column in the campaign's value columns):
    /// the same for every row of a campaign, so worked out once.
    pub sources: Arc<[(String, usize)]>,
}

impl BuiltMessage {
    /// The value column behind a pointer into the message (the longest source that is a
    /// prefix of it), if any.
    pub fn column_of(&self, pointer: &str) -> Option<usize> {
        self.sources
            .iter()
            .filter(|(p, _)| {
                pointer.starts_with(p.as_str())
                    && matches!(pointer.as_bytes().get(p.len()), None | Some(b'/'))
            })
            .max_by_key(|(p, _)| p.len())
            .map(|&(_, c)| c)
    }
}

impl<'a> MessageBuilder<'a> {
    /// A builder for `campaign`'s rows; `template` is its template from the registry, when
    /// there is one.
    pub fn new(campaign: &'a Campaign, template: Option<&'a Template>) -> MessageBuilder<'a> {
        let names = campaign.value_columns();
        let slot = |column: &str| {
            names
                .iter()
                .position(|c| c == column)
                .expect("value_columns lists every column the message reads")
        };
        let mut builder = MessageBuilder {
            campaign,
            columns: names.iter().map(|c| Arc::from(c.as_str())).collect(),
            header: None,
            body: Vec::new(),
            buttons: Vec::new(),
            text_slots: Vec::new(),
            sources: Arc::from([]),
        };
        let mut sources = Vec::new();
        match &campaign.message {
            CampaignMessage::Text { text } => {
                builder.text_slots = crate::template::placeholders(text)
                    .iter()
                    .map(|p| slot(&p.name))
                    .collect();
                if let [only] = names.as_slice() {
                    sources.push(("/text/body".to_string(), slot(only)));
                }
            }
            CampaignMessage::Template {
                body,
                header,
                buttons,
                ..
            } => {
                let mut at = 0;
                let param =
                    |at: usize, j: usize| format!("/template/components/{at}/parameters/{j}");
                if let Some(header) = header {
                    builder.header = Some(match header {
                        HeaderValue::MediaUrl(link) => HeaderPlan::Media {
                            kind: media_kind(template),
                            link: Link::Fixed(link.clone()),
                        },
                        HeaderValue::MediaColumn(column) => {
                            sources.push((param(at, 0), slot(column)));
                            HeaderPlan::Media {
                                kind: media_kind(template),
                                link: Link::Slot(slot(column)),
                            }
                        }
                        HeaderValue::TextColumn(column) => {
                            sources.push((param(at, 0), slot(column)));
                            HeaderPlan::Text {
                                slot: slot(column),
                                name: template.filter(|t| t.is_named()).and_then(|t| {
                                    t.header()?
                                        .placeholders()
                                        .into_iter()
                                        .next()
                                        .map(|p| p.name)
                                }),
                            }
                        }
                    });
                    at += 1;
                }
                builder.body = match body {
                    BodyValues::Positional(columns) => {
                        columns.iter().map(|c| (slot(c), None)).collect()
                    }
                    BodyValues::Named(pairs) => pairs
                        .iter()
                        .map(|(n, c)| (slot(c), Some(n.clone())))
                        .collect(),
                };
                for (j, &(slot, _)) in builder.body.iter().enumerate() {
                    sources.push((param(at, j), slot));
                }
                if !builder.body.is_empty() {
                    at += 1;
                }
                for b in buttons {
                    let sub_type = template.and_then(|t| t.buttons().get(b.index)).map_or_else(
                        || "url".to_string(),
                        |button| button.kind.to_ascii_lowercase(),
                    );
                    sources.push((param(at, 0), slot(&b.column)));
                    builder.buttons.push((b.index, sub_type, slot(&b.column)));
                    at += 1;
                }
            }
        }
        builder.sources = Arc::from(sources);
        builder
    }

    /// The campaign it builds for.
    pub fn campaign(&self) -> &'a Campaign {
        self.campaign
    }

    /// The header's media kind as the template names it (`image`, `video`, `document`,
    /// `gif`) and where its link comes from, when the header is media.
    pub fn header_link(&self) -> Option<(&str, &Link)> {
        match &self.header {
            Some(HeaderPlan::Media { kind, link }) => Some((kind.as_str(), link)),
            _ => None,
        }
    }

    /// The value columns, in the order `build` expects their cells.
    pub fn columns(&self) -> &[Arc<str>] {
        &self.columns
    }

    /// The message for a row whose recipient is `to` and whose value cells are `values`
    /// (in the order of [`columns`](Self::columns)).
    pub fn build(&self, to: &str, values: &[impl AsRef<str>]) -> BuiltMessage {
        let cell = |slot: usize| values.get(slot).map_or("", AsRef::as_ref);
        let message = match &self.campaign.message {
            CampaignMessage::Text { text } => {
                let mut slots = self.text_slots.iter();
                let body = crate::template::hydrate(text, |_| {
                    slots.next().map(|&slot| cell(slot).to_string())
                });
                json!({"messaging_product": "whatsapp", "recipient_type": "individual",
                       "to": to, "type": "text", "text": {"body": body}})
            }
            CampaignMessage::Template { name, language, .. } => {
                let mut components = Vec::new();
                if let Some(header) = &self.header {
                    let param = match header {
                        HeaderPlan::Media { kind, link } => {
                            let link = match link {
                                Link::Fixed(link) => link.as_str(),
                                Link::Slot(slot) => cell(*slot),
                            };
                            media(kind, link)
                        }
                        HeaderPlan::Text { slot, name } => text_param(cell(*slot), name.as_deref()),
                    };
                    components.push(json!({"type": "header", "parameters": [param]}));
                }
                if !self.body.is_empty() {
                    let params: Vec<Value> = self
                        .body
                        .iter()
                        .map(|(slot, name)| text_param(cell(*slot), name.as_deref()))
                        .collect();
                    components.push(json!({"type": "body", "parameters": params}));
                }
                for (index, sub_type, slot) in &self.buttons {
                    let value = cell(*slot);
                    let param = match sub_type.as_str() {
                        "copy_code" => json!({"type": "coupon_code", "coupon_code": value}),
                        "quick_reply" => json!({"type": "payload", "payload": value}),
                        _ => json!({"type": "text", "text": value}),
                    };
                    components.push(json!({"type": "button", "sub_type": sub_type,
                                           "index": index.to_string(), "parameters": [param]}));
                }
                let mut template = Map::new();
                template.insert("name".into(), json!(name));
                template.insert("language".into(), json!({"code": language}));
                if !components.is_empty() {
                    template.insert("components".into(), Value::Array(components));
                }
                json!({"messaging_product": "whatsapp", "recipient_type": "individual",
                       "to": to, "type": "template", "template": template})
            }
        };
        BuiltMessage {
            message,
            sources: Arc::clone(&self.sources),
        }
    }
}

/// The parameter type a media header takes: the template's header format, lower-cased
/// (`image` when the template is unknown or its header is not media).
fn media_kind(template: Option<&Template>) -> String {
    let format = template
        .and_then(|t| t.header())
        .map(|h| h.header_format().to_ascii_lowercase())
        .unwrap_or_default();
    match format.as_str() {
        "video" | "document" | "gif" => format,
        _ => "image".to_string(),
    }
}

fn text_param(text: &str, name: Option<&str>) -> Value {
    match name {
        Some(name) => json!({"type": "text", "parameter_name": name, "text": text}),
        None => json!({"type": "text", "text": text}),
    }
}

fn media(kind: &str, link: &str) -> Value {
    let mut p = Map::new();
    p.insert(kind.to_string(), json!({"link": link}));
    p.insert("type".into(), Value::String(kind.to_string()));
    Value::Object(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign(message: CampaignMessage) -> Campaign {
        Campaign {
            name: "diwali".into(),
            source: (Arc::from("walint.toml"), 3),
            contacts: vec![],
            message,
            send_at: None,
            last_inbound_column: None,
            phone_column: None,
        }
    }

    fn registry() -> TemplateRegistry {
        let templates: Vec<Template> = serde_json::from_str(
            r#"[{"name":"diwali_offer","language":"en","status":"APPROVED","category":"MARKETING",
                 "components":[{"type":"HEADER","format":"IMAGE"},
                               {"type":"BODY","text":"Hi {{1}}, use {{2}}"},
                               {"type":"BUTTONS","buttons":[{"type":"COPY_CODE","example":"X"},
                                 {"type":"URL","text":"Shop","url":"https://s.example/{{1}}"}]}]},
                {"name":"named","language":"en","status":"APPROVED","parameter_format":"NAMED",
                 "components":[{"type":"HEADER","format":"TEXT","text":"For {{city}}"},
                               {"type":"BODY","text":"Hi {{first_name}}"}]}]"#,
        )
        .unwrap();
        TemplateRegistry::new(templates)
    }

    #[test]
    fn positional_template_rows() {
        let c = campaign(CampaignMessage::Template {
            name: "diwali_offer".into(),
            language: "en".into(),
            body: BodyValues::Positional(vec!["first_name".into(), "coupon".into()]),
            header: Some(HeaderValue::MediaUrl("https://cdn.example/d.jpg".into())),
            buttons: vec![
                ButtonValue {
                    index: 0,
                    column: "coupon".into(),
                },
                ButtonValue {
                    index: 1,
                    column: "sku".into(),
                },
            ],
        });
        assert_eq!(c.value_columns(), ["first_name", "coupon", "sku"]);
        let reg = registry();
        let b = MessageBuilder::new(&c, c.template(&reg));
        let built = b.build("+919876543210", &["Asha", "SAVE10", "p/12"]);
        let m = &built.message;
        assert_eq!(
            m["template"]["components"][0]["parameters"][0]["image"]["link"],
            "https://cdn.example/d.jpg"
        );
        assert_eq!(
            m["template"]["components"][1]["parameters"][1]["text"],
            "SAVE10"
        );
        assert_eq!(m["template"]["components"][2]["sub_type"], "copy_code");
        assert_eq!(
            m["template"]["components"][2]["parameters"][0]["coupon_code"],
            "SAVE10"
        );
        assert_eq!(m["template"]["components"][3]["sub_type"], "url");
        assert_eq!(m["template"]["components"][3]["index"], "1");
        assert_eq!(
            built.column_of("/template/components/1/parameters/0/text"),
            Some(0)
        );
        assert_eq!(
            built.column_of("/template/components/3/parameters/0"),
            Some(2)
        );
        assert_eq!(built.column_of("/template/components/0/parameters/0"), None);
        assert_eq!(
            built.column_of("/template/components/1/parameters/10"),
            None
        );
    }

    #[test]
    fn named_template_and_text_header() {
        let c = campaign(CampaignMessage::Template {
            name: "named".into(),
            language: "en".into(),
            body: BodyValues::Named(vec![("first_name".into(), "name".into())]),
            header: Some(HeaderValue::TextColumn("city".into())),
            buttons: vec![],
        });
        let reg = registry();
        let b = MessageBuilder::new(&c, c.template(&reg));
        assert_eq!(b.columns().len(), 2);
        let built = b.build("+919876543210", &["Pune", "Asha"]);
        let comps = &built.message["template"]["components"];
        assert_eq!(comps[0]["parameters"][0]["parameter_name"], "city");
        assert_eq!(comps[0]["parameters"][0]["text"], "Pune");
        assert_eq!(comps[1]["parameters"][0]["parameter_name"], "first_name");
        assert_eq!(
            built.column_of("/template/components/0/parameters/0"),
            Some(0)
        );
    }

    #[test]
    fn free_form_text() {
        let c = campaign(CampaignMessage::Text {
            text: "Hi {{first_name}}, your order {{order}} shipped".into(),
        });
        assert!(c.is_free_form());
        assert_eq!(c.value_columns(), ["first_name", "order"]);
        let b = MessageBuilder::new(&c, None);
        let built = b.build("+919876543210", &["Asha", "A-1"]);
        assert_eq!(
            built.message["text"]["body"],
            "Hi Asha, your order A-1 shipped"
        );
        assert_eq!(built.message["type"], "text");
    }
}
