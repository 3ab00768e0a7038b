//! What the template rules (WAT001–WAT014) share: finding the message's `template` object
//! and its definition in the registry, walking the components and parameters the message
//! sends (with their JSON pointers), counting a text's variables and hydrating it.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::template::{Template, placeholders};

use super::PayloadCheck;

/// The `template` object of a template message (`type` is `template`, or a `template`
/// object is present), when a registry was given (an empty one included: its templates
/// are then all "not found"): template rules stay silent without a registry.
pub fn template_object<'a>(cx: &PayloadCheck<'a>) -> Option<&'a Map<String, Value>> {
    if !cx.templates.is_given() {
        return None;
    }
    cx.message.get("template")?.as_object()
}

/// The template name the message sends, when it is a string.
pub fn sent_name(obj: &Map<String, Value>) -> Option<&str> {
    obj.get("name")?.as_str()
}

/// The `language.code` the message sends, when it is a string.
pub fn sent_language(obj: &Map<String, Value>) -> Option<&str> {
    obj.get("language")?.get("code")?.as_str()
}

/// The message's template object and its definition (exact name and language), when both
/// exist. Rules other than WAT001/WAT002 run only then, so a missing template is reported
/// once. Rules call [`PayloadCheck::template`], which does this once per message.
pub(super) fn lookup<'a>(cx: &PayloadCheck<'a>) -> Option<(&'a Template, &'a Map<String, Value>)> {
    let obj = template_object(cx)?;
    let template = cx.templates.get(sent_name(obj)?, sent_language(obj)?)?;
    Some((template, obj))
}

/// The template's name and language, for messages: `seasonal_promotion (en_US)`.
pub fn describe(t: &Template) -> String {
    format!("`{}` ({})", t.name, t.language)
}

/// The pointer to report a missing component at: the components array when there is
/// one, else the template object.
pub fn components_pointer(obj: &Map<String, Value>) -> &'static str {
    if obj.get("components").is_some() {
        "/template/components"
    } else {
        "/template"
    }
}

/// Where a sent component stands in the message: at the top level, or inside a carousel
/// card. Pointers are spelled out only when a finding needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentAt {
    /// `/template/components/{0}`.
    Top(usize),
    /// `/template/components/{carousel}/cards/{card}/components/{index}`.
    Card {
        /// The carousel component's index.
        carousel: usize,
        /// The card's index.
        card: usize,
        /// The component's index in the card.
        index: usize,
    },
}

impl ComponentAt {
    /// The JSON pointer, relative to the message.
    pub fn pointer(self) -> String {
        match self {
            ComponentAt::Top(i) => format!("/template/components/{i}"),
            ComponentAt::Card {
                carousel,
                card,
                index,
            } => format!("/template/components/{carousel}/cards/{card}/components/{index}"),
        }
    }
}

/// One component the message sends.
#[derive(Debug, Clone)]
pub struct SentComponent<'a> {
    /// The component object.
    pub value: &'a Value,
    /// Where it stands.
    pub at: ComponentAt,
}

impl<'a> SentComponent<'a> {
    /// Its pointer (`/template/components/1`).
    pub fn pointer(&self) -> String {
        self.at.pointer()
    }

    /// Its `type`, lower-cased (empty when absent).
    pub fn kind(&self) -> Cow<'a, str> {
        lower(self.value.get("type"))
    }

    /// Its `sub_type`, lower-cased (`None` when absent or not a string).
    pub fn sub_type(&self) -> Option<Cow<'a, str>> {
        self.value
            .get("sub_type")
            .and_then(Value::as_str)
            .map(lower_str)
    }

    /// Its parameters (empty when absent or not an array).
    pub fn params(&self) -> Vec<SentParam<'a>> {
        let Some(list) = self.value.get("parameters").and_then(Value::as_array) else {
            return Vec::new();
        };
        list.iter()
            .enumerate()
            .map(|(index, value)| SentParam {
                value,
                component: self.at,
                index,
            })
            .collect()
    }

    /// The pointer of its `parameters` array, or of the component when it has none.
    pub fn params_pointer(&self) -> String {
        self.field_pointer("parameters")
    }

    /// The pointer of one of its fields, or of the component when the field is absent.
    pub fn field_pointer(&self, field: &str) -> String {
        if self.value.get(field).is_some() {
            format!("{}/{field}", self.pointer())
        } else {
            self.pointer()
        }
    }
}

/// One parameter the message sends.
#[derive(Debug, Clone)]
pub struct SentParam<'a> {
    /// The parameter object.
    pub value: &'a Value,
    /// The component it belongs to.
    pub component: ComponentAt,
    /// Its index in the component's `parameters`.
    pub index: usize,
}

impl<'a> SentParam<'a> {
    /// Its pointer (`/template/components/1/parameters/0`).
    pub fn pointer(&self) -> String {
        format!("{}/parameters/{}", self.component.pointer(), self.index)
    }

    /// Its `type`, lower-cased (empty when absent).
    pub fn kind(&self) -> Cow<'a, str> {
        lower(self.value.get("type"))
    }

    /// Its `parameter_name`, when it has one.
    pub fn name(&self) -> Option<&'a str> {
        self.value.get("parameter_name")?.as_str()
    }

    /// Whether it carries a `parameter_name` key at all.
    pub fn has_name(&self) -> bool {
        self.value.get("parameter_name").is_some()
    }

    /// Whether it is a value that fills a text variable: `text`, `currency` or `date_time`.
    pub fn is_textual(&self) -> bool {
        matches!(&*self.kind(), "text" | "currency" | "date_time")
    }

    /// The text it puts in place of a variable: `text` for a text parameter, the
    /// `fallback_value` for currency and date_time (inside the typed object, or at the top
    /// level as some SDKs write it). `None` for other types or a missing value.
    pub fn substitution(&self) -> Option<&'a str> {
        let kind = self.kind();
        match &*kind {
            "text" => self.value.get("text")?.as_str(),
            "currency" | "date_time" => self
                .value
                .get(&*kind)
                .and_then(|o| o.get("fallback_value"))
                .or_else(|| self.value.get("fallback_value"))?
                .as_str(),
            _ => None,
        }
    }

    /// The pointer of one of its fields, or of the parameter when the field is absent.
    pub fn field_pointer(&self, field: &str) -> String {
        if self.value.get(field).is_some() {
            format!("{}/{field}", self.pointer())
        } else {
            self.pointer()
        }
    }
}

/// A string value lower-cased, borrowed when it already is (the usual case).
fn lower(v: Option<&Value>) -> Cow<'_, str> {
    v.and_then(Value::as_str)
        .map_or(Cow::Borrowed(""), lower_str)
}

fn lower_str(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Header formats that take one media or location parameter.
pub const MEDIA_FORMATS: &[&str] = &["IMAGE", "VIDEO", "DOCUMENT", "GIF", "LOCATION"];

/// The template's header format, upper-cased (`TEXT`, `IMAGE`…; empty without a header).
pub fn header_format(t: &Template) -> String {
    t.header().map(|h| h.header_format()).unwrap_or_default()
}

/// The top-level components the message sends, in order.
pub fn components(obj: &Map<String, Value>) -> Vec<SentComponent<'_>> {
    let Some(list) = obj.get("components").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .map(|(i, value)| SentComponent {
            value,
            at: ComponentAt::Top(i),
        })
        .collect()
}

/// The first top-level component of a type (`header`, `body`…, case-insensitive).
pub fn first_of<'a>(obj: &'a Map<String, Value>, kind: &str) -> Option<SentComponent<'a>> {
    components(obj)
        .into_iter()
        .find(|c| c.kind().eq_ignore_ascii_case(kind))
}

/// Every component the message sends, carousel cards' components included (after the
/// carousel component itself).
pub fn all_components(obj: &Map<String, Value>) -> Vec<SentComponent<'_>> {
    let mut out = Vec::new();
    for c in components(obj) {
        let cards = c.value.get("cards").and_then(Value::as_array);
        let carousel = match c.at {
            ComponentAt::Top(i) => i,
            ComponentAt::Card { carousel, .. } => carousel,
        };
        let card_components: Vec<SentComponent> = cards
            .into_iter()
            .flatten()
            .enumerate()
            .flat_map(|(card, value)| {
                value
                    .get("components")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .map(move |(index, value)| SentComponent {
                        value,
                        at: ComponentAt::Card {
                            carousel,
                            card,
                            index,
                        },
                    })
            })
            .collect();
        out.push(c);
        out.extend(card_components);
    }
    out
}

/// How many parameters a text takes: the distinct names for a NAMED template; for a
/// POSITIONAL one the highest `{{n}}` (values go by position, so `{{1}} {{3}}` still
/// takes three), or the distinct names when no placeholder is a number.
pub fn expected_params(text: Option<&str>, named: bool) -> usize {
    let ps = text.map(placeholders).unwrap_or_default();
    let mut names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    if named {
        return names.len();
    }
    ps.iter()
        .filter_map(|p| p.position())
        .max()
        .unwrap_or(names.len())
}

/// The distinct placeholder names of a text, in order of first appearance.
pub fn placeholder_names(text: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in text.map(placeholders).unwrap_or_default() {
        if !out.contains(&p.name) {
            out.push(p.name);
        }
    }
    out
}

/// A text with every variable filled from `params` (by `parameter_name` for a NAMED
/// template, by position otherwise). `None` when some variable has no value (a missing
/// parameter is another rule's finding, and a partial text would be misleading).
pub fn hydrate_with(text: &str, named: bool, params: &[SentParam]) -> Option<String> {
    let mut complete = true;
    let out = crate::template::hydrate(text, |p| {
        let param = if named {
            params.iter().find(|q| q.name() == Some(p.name.as_str()))
        } else {
            p.position()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| params.get(i))
        };
        let value = param.and_then(SentParam::substitution).map(str::to_string);
        complete &= value.is_some();
        value
    });
    complete.then_some(out)
}

/// A button `index`: a non-negative integer or a string of digits.
pub fn button_index(v: &Value) -> Option<usize> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

/// The Levenshtein distance between two strings, in characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The longest name compared by edit distance: Meta's limit for a template name (WAR006).
/// A longer "name" is no template's, and comparing it would cost its length squared per
/// candidate (a 40,000-character name against 20 near misses took 47 s).
pub const MAX_COMPARED: usize = 512;

/// The candidate a mistyped name most likely meant: one equal but for case, else the
/// nearest within two edits (and no more than a third of the longer name). Candidates
/// whose length differs by more than two characters are not compared at all, nor names
/// longer than [`MAX_COMPARED`].
pub fn nearest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        return Some(c);
    }
    let lower = name.to_lowercase();
    let len = lower.chars().count();
    if len > MAX_COMPARED {
        return None;
    }
    candidates
        .iter()
        .filter(|c| c.chars().count().abs_diff(len) <= 2)
        .map(|c| (levenshtein(&lower, &c.to_lowercase()), *c))
        .filter(|(d, c)| {
            let longest = len.max(c.chars().count());
            *d <= 2 && d * 3 <= longest
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levenshtein_and_nearest() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("héllo", "hello"), 1);
        let names = ["order_update", "seasonal_promotion", "abc"];
        assert_eq!(nearest("Order_Update", &names), Some("order_update"));
        assert_eq!(
            nearest("seasonal_promotoin", &names),
            Some("seasonal_promotion")
        );
        assert_eq!(nearest("xyz", &names), None);
        assert_eq!(nearest("subscribe", &names), None);
    }

    #[test]
    fn indexes_counts_and_hydration() {
        assert_eq!(button_index(&json!(1)), Some(1));
        assert_eq!(button_index(&json!("0")), Some(0));
        assert_eq!(button_index(&json!("-1")), None);
        assert_eq!(button_index(&json!(1.5)), None);
        assert_eq!(expected_params(Some("{{1}} {{3}} {{1}}"), false), 3);
        assert_eq!(expected_params(Some("{{a}} {{b}} {{a}}"), true), 2);
        assert_eq!(expected_params(None, false), 0);
        let comp = json!({"parameters": [
            {"type": "text", "text": "Ásha"},
            {"type": "currency", "currency": {"fallback_value": "$5", "code": "USD", "amount_1000": 5000}}
        ]});
        let c = SentComponent {
            value: &comp,
            at: ComponentAt::Top(0),
        };
        let ps = c.params();
        assert_eq!(
            hydrate_with("Hi {{1}}, pay {{2}}", false, &ps).as_deref(),
            Some("Hi Ásha, pay $5")
        );
        assert_eq!(hydrate_with("{{3}}", false, &ps), None);
        assert_eq!(ps[1].pointer(), "/template/components/0/parameters/1");
    }
}
