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

/// Builds each row's message for one campaign, against one registry.
pub struct MessageBuilder<'a> {
    campaign: &'a Campaign,
    template: Option<&'a Template>,
    columns: Vec<Arc<str>>,
    sources: Arc<[(String, usize)]>,
}

/// A row's message, with the column that supplied each parameter.
pub struct BuiltMessage {
    /// The `/messages` request body.
    pub message: Value,
    /// (pointer of a parameter or text, index of the column in the campaign's value columns):
    /// the same for every row of a campaign, so worked out once.
    pub sources: Arc<[(String, usize)]>,
}

/// Where the pointers of a message's values are recorded, when they are.
struct Sources(Option<Vec<(String, usize)>>);

impl Sources {
    fn add(&mut self, pointer: impl FnOnce() -> String, slot: usize) {
        if let Some(list) = &mut self.0 {
            list.push((pointer(), slot));
        }
    }
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
        let mut builder = MessageBuilder {
            campaign,
            template,
            columns: campaign
                .value_columns()
                .iter()
                .map(|c| Arc::from(c.as_str()))
                .collect(),
            sources: Arc::from([]),
        };
        let stand_in = vec![""; builder.columns.len()];
        let mut sources = Sources(Some(Vec::new()));
        builder.assemble("", &stand_in, &mut sources);
        builder.sources = Arc::from(sources.0.unwrap_or_default());
        builder
    }

    /// The value columns, in the order `build` expects their cells.
    pub fn columns(&self) -> &[Arc<str>] {
        &self.columns
    }

    fn slot(&self, column: &str) -> usize {
        self.columns
            .iter()
            .position(|c| &**c == column)
            .expect("value_columns lists every column the message reads")
    }

    /// The message for a row whose recipient is `to` and whose value cells are `values`
    /// (in the order of [`columns`](Self::columns)).
    pub fn build(&self, to: &str, values: &[&str]) -> BuiltMessage {
        BuiltMessage {
            message: self.assemble(to, values, &mut Sources(None)),
            sources: Arc::clone(&self.sources),
        }
    }

    fn assemble(&self, to: &str, values: &[&str], sources: &mut Sources) -> Value {
        match &self.campaign.message {
            CampaignMessage::Text { text } => {
                let body = crate::template::hydrate(text, |p| {
                    values.get(self.slot(&p.name)).map(|v| (*v).to_string())
                });
                if let [only] = self.columns.as_slice() {
                    sources.add(|| "/text/body".to_string(), self.slot(only));
                }
                json!({"messaging_product": "whatsapp", "recipient_type": "individual",
                       "to": to, "type": "text", "text": {"body": body}})
            }
            CampaignMessage::Template {
                name,
                language,
                body,
                header,
                buttons,
            } => {
                let mut components = Vec::new();
                if let Some(header) = header {
                    components.push(self.header(header, values, components.len(), sources));
                }
                let body_params = self.body(body, values, components.len(), sources);
                if !body_params.is_empty() {
                    components.push(json!({"type": "body", "parameters": body_params}));
                }
                for b in buttons {
                    let at = components.len();
                    components.push(self.button(b, values, at, sources));
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
        }
    }

    fn cell<'v>(&self, column: &str, values: &[&'v str]) -> (&'v str, usize) {
        let slot = self.slot(column);
        (values.get(slot).copied().unwrap_or_default(), slot)
    }

    fn header(
        &self,
        header: &HeaderValue,
        values: &[&str],
        at: usize,
        sources: &mut Sources,
    ) -> Value {
        let pointer = || format!("/template/components/{at}/parameters/0");
        let param = match header {
            HeaderValue::TextColumn(column) => {
                let (text, slot) = self.cell(column, values);
                sources.add(pointer, slot);
                let mut p = json!({"type": "text", "text": text});
                let named = self.template.filter(|t| t.is_named()).and_then(|t| {
                    t.header()?
                        .placeholders()
                        .into_iter()
                        .next()
                        .map(|p| p.name)
                });
                if let Some(name) = named {
                    p["parameter_name"] = json!(name);
                }
                p
            }
            HeaderValue::MediaUrl(link) => media(self.media_kind(), link),
            HeaderValue::MediaColumn(column) => {
                let (link, slot) = self.cell(column, values);
                sources.add(pointer, slot);
                media(self.media_kind(), link)
            }
        };
        json!({"type": "header", "parameters": [param]})
    }

    /// The parameter type a media header takes: the template's header format, lower-cased
    /// (`image` when the template is unknown or its header is not media).
    fn media_kind(&self) -> String {
        let format = self
            .template
            .and_then(|t| t.header())
            .map(|h| h.header_format().to_ascii_lowercase())
            .unwrap_or_default();
        match format.as_str() {
            "video" | "document" | "gif" => format,
            _ => "image".to_string(),
        }
    }

    fn body(
        &self,
        body: &BodyValues,
        values: &[&str],
        at: usize,
        sources: &mut Sources,
    ) -> Vec<Value> {
        let mut params = Vec::new();
        let mut push = |column: &str, name: Option<&str>| {
            let (text, slot) = self.cell(column, values);
            let j = params.len();
            sources.add(|| format!("/template/components/{at}/parameters/{j}"), slot);
            let mut p = json!({"type": "text", "text": text});
            if let Some(name) = name {
                p["parameter_name"] = json!(name);
            }
            params.push(p);
        };
        match body {
            BodyValues::Positional(columns) => columns.iter().for_each(|c| push(c, None)),
            BodyValues::Named(pairs) => pairs.iter().for_each(|(n, c)| push(c, Some(n))),
        }
        params
    }

    fn button(&self, b: &ButtonValue, values: &[&str], at: usize, sources: &mut Sources) -> Value {
        let (value, slot) = self.cell(&b.column, values);
        sources.add(|| format!("/template/components/{at}/parameters/0"), slot);
        let kind = self
            .template
            .and_then(|t| t.buttons().get(b.index))
            .map(|button| button.kind.to_ascii_lowercase())
            .unwrap_or_else(|| "url".to_string());
        let param = match kind.as_str() {
            "copy_code" => json!({"type": "coupon_code", "coupon_code": value}),
            "quick_reply" => json!({"type": "payload", "payload": value}),
            _ => json!({"type": "text", "text": value}),
        };
        json!({"type": "button", "sub_type": kind, "index": b.index.to_string(),
               "parameters": [param]})
    }
}

fn media(kind: String, link: &str) -> Value {
    let mut p = Map::new();
    p.insert(kind.clone(), json!({"link": link}));
    p.insert("type".into(), Value::String(kind));
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
