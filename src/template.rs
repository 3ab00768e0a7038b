//! The template model: a message template as the Graph API returns it from
//! `GET /<WABA_ID>/message_templates` (name, language, status, category,
//! parameter_format, components), the placeholders its texts hold, and the
//! [`TemplateRegistry`] — the account's templates, looked up by name and language.
//! Enumerated fields stay strings as Meta sends them (compared case-insensitively), so an
//! unknown status or button type is kept and reported rather than rejected by the reader.
//! This module reads nothing from disk (see `input::registry`) and judges nothing (see
//! `rules::registry` and `rules::payloads`).

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde_json::Value;

/// One template definition.
#[derive(Debug, Clone, Deserialize)]
pub struct Template {
    /// The template's name (`^[a-z0-9_]{1,512}$` when valid).
    #[serde(default)]
    pub name: String,
    /// Its language code (`en`, `en_US`…).
    #[serde(default)]
    pub language: String,
    /// APPROVED, PENDING, REJECTED, PAUSED, DISABLED… (absent in creation requests).
    #[serde(default)]
    pub status: Option<String>,
    /// MARKETING, UTILITY or AUTHENTICATION.
    #[serde(default)]
    pub category: Option<String>,
    /// POSITIONAL (the default when absent) or NAMED.
    #[serde(default)]
    pub parameter_format: Option<String>,
    /// The components: HEADER, BODY, FOOTER, BUTTONS, CAROUSEL, LIMITED_TIME_OFFER.
    #[serde(default)]
    pub components: Vec<Component>,
    /// The template id, when the export has one.
    #[serde(default)]
    pub id: Option<String>,
    /// Where the template stands: its file and RFC 6901 pointer there (set by the reader).
    #[serde(skip)]
    pub source: TemplateSource,
}

/// Where a template was read from.
#[derive(Debug, Clone, Default)]
pub struct TemplateSource {
    /// The registry file.
    pub path: Arc<str>,
    /// JSON pointer of the template object in the file (e.g. `/data/3`).
    pub pointer: String,
}

/// One component of a template (or of a carousel card).
#[derive(Debug, Clone, Deserialize)]
pub struct Component {
    /// HEADER, BODY, FOOTER, BUTTONS, CAROUSEL, LIMITED_TIME_OFFER (any case).
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Header format: TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION, GIF, PRODUCT.
    #[serde(default)]
    pub format: Option<String>,
    /// The text (header, body, footer).
    #[serde(default)]
    pub text: Option<String>,
    /// The buttons of a BUTTONS component.
    #[serde(default)]
    pub buttons: Vec<Button>,
    /// The cards of a CAROUSEL component.
    #[serde(default)]
    pub cards: Vec<Card>,
    /// Example values (`header_text`, `body_text`, `header_handle`, named variants…).
    #[serde(default)]
    pub example: Option<Value>,
    /// LIMITED_TIME_OFFER: whether the offer has an expiration.
    #[serde(default)]
    pub has_expiration: Option<bool>,
    /// An AUTHENTICATION template's BODY as created: whether Meta adds its security
    /// recommendation (the body's text is Meta's, not the request's).
    #[serde(default)]
    pub add_security_recommendation: Option<bool>,
    /// An AUTHENTICATION template's FOOTER as created: the code's expiry, in minutes.
    #[serde(default)]
    pub code_expiration_minutes: Option<u32>,
}

/// One carousel card.
#[derive(Debug, Clone, Deserialize)]
pub struct Card {
    /// The card's components.
    #[serde(default)]
    pub components: Vec<Component>,
}

/// One button of a BUTTONS component.
#[derive(Debug, Clone, Deserialize)]
pub struct Button {
    /// QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP, FLOW, CATALOG, MPM, SPM, VOICE_CALL…
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The label.
    #[serde(default)]
    pub text: Option<String>,
    /// URL buttons: the link, possibly ending in a `{{1}}` placeholder.
    #[serde(default)]
    pub url: Option<String>,
    /// PHONE_NUMBER buttons: the number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Example values (URL suffix, coupon code).
    #[serde(default)]
    pub example: Option<Value>,
    /// OTP buttons (authentication templates as created): COPY_CODE, ONE_TAP or ZERO_TAP.
    #[serde(default)]
    pub otp_type: Option<String>,
}

/// A placeholder in a template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// What stands between the braces, trimmed: `1` or `first_name`.
    pub name: String,
    /// Character offset of the opening `{{` in the text.
    pub start: usize,
    /// Character offset just after the closing `}}`.
    pub end: usize,
}

impl Placeholder {
    /// The position (1-based) of a positional placeholder, if it is one.
    pub fn position(&self) -> Option<usize> {
        self.name.parse().ok()
    }
}

/// Every `{{…}}` placeholder in a text, in order.
pub fn placeholders(text: &str) -> Vec<Placeholder> {
    placeholder_spans(text).map(|(p, _)| p).collect()
}

/// Each placeholder with its byte range in `text`: `{{`, then no `{`, then the first `}}`.
/// Scans bytes (the braces are ASCII) in one pass — from a `{{`, up to the first `}}` or
/// `{`, and a `{` met first is where the next candidate starts, so a text of `{{` repeated
/// costs linear time, not quadratic — and counts characters only up to each placeholder.
fn placeholder_spans(text: &str) -> impl Iterator<Item = (Placeholder, std::ops::Range<usize>)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut chars_before = 0;
    let mut counted_to = 0;
    std::iter::from_fn(move || {
        while i + 1 < bytes.len() {
            if bytes[i] == b'{' && bytes[i + 1] == b'{' {
                // The first `}}` or `{` after the opening braces.
                let stop = (i + 2..bytes.len()).find(|&j| {
                    bytes[j] == b'{' || (bytes[j] == b'}' && bytes.get(j + 1) == Some(&b'}'))
                });
                let Some(j) = stop else {
                    return None; // no `}}` left: no placeholder after this either
                };
                if bytes[j] == b'{' {
                    // Not a placeholder here; a `{{` may start just before `j`.
                    i = (j - 1).max(i + 1);
                    continue;
                }
                let inner = &text[i + 2..j];
                chars_before += text[counted_to..i].chars().count();
                let start = chars_before;
                let end = start + 2 + inner.chars().count() + 2;
                chars_before = end;
                counted_to = j + 2;
                let found = Placeholder {
                    name: inner.trim().to_string(),
                    start,
                    end,
                };
                let span = i..j + 2;
                i = j + 2;
                return Some((found, span));
            }
            i += 1;
        }
        None
    })
}

/// Fills a text's placeholders: `value` gives the replacement for a placeholder (or
/// `None` to leave it as written). Returns the hydrated text.
pub fn hydrate(text: &str, mut value: impl FnMut(&Placeholder) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (p, span) in placeholder_spans(text) {
        out.push_str(&text[at..span.start]);
        match value(&p) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&text[span.clone()]),
        }
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

impl Component {
    /// Whether this component is of the given type (case-insensitive).
    pub fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }

    /// The header format, upper-cased (`TEXT` when a header has text and no format).
    pub fn header_format(&self) -> String {
        match &self.format {
            Some(f) => f.to_ascii_uppercase(),
            None if self.text.is_some() => "TEXT".to_string(),
            None => String::new(),
        }
    }

    /// The placeholders of this component's text.
    pub fn placeholders(&self) -> Vec<Placeholder> {
        self.text.as_deref().map(placeholders).unwrap_or_default()
    }
}

impl Button {
    /// Whether this button is of the given type (case-insensitive).
    pub fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }

    /// The placeholders in a URL button's link.
    pub fn url_placeholders(&self) -> Vec<Placeholder> {
        self.url.as_deref().map(placeholders).unwrap_or_default()
    }
}

/// The body Meta writes for every authentication template (the creation request gives no
/// text): the code is its one variable. Source: Meta, "Authentication templates"
/// (developers.facebook.com/docs/whatsapp/business-management-api/authentication-templates),
/// and the GET export of such a template, whose BODY reads exactly so.
pub const AUTHENTICATION_BODY: &str = "*{{1}}* is your verification code.";
/// What `add_security_recommendation` adds to that body.
pub const SECURITY_RECOMMENDATION: &str = " For your security, do not share this code.";

impl Template {
    /// Fills in what Meta writes itself into an AUTHENTICATION template given as a creation
    /// request: the BODY's text (one variable, the code, plus the security recommendation
    /// when asked for) and the FOOTER's (`This code expires in N minutes.`). A GET export
    /// already has both, and is left as it is. OTP buttons (COPY_CODE, ONE_TAP, ZERO_TAP)
    /// stay OTP: each is sent as a `url` button carrying the code (WAT007), and a GET
    /// export shows them as a URL button whose link ends in `otp{{1}}`.
    pub fn with_meta_texts(mut self) -> Template {
        if !self.category().eq_ignore_ascii_case("AUTHENTICATION") {
            return self;
        }
        for c in &mut self.components {
            if c.is("BODY") && c.text.is_none() {
                let mut text = AUTHENTICATION_BODY.to_string();
                if c.add_security_recommendation == Some(true) {
                    text.push_str(SECURITY_RECOMMENDATION);
                }
                c.text = Some(text);
            }
            if c.is("FOOTER")
                && c.text.is_none()
                && let Some(minutes) = c.code_expiration_minutes
            {
                c.text = Some(format!("This code expires in {minutes} minutes."));
            }
        }
        self
    }

    /// The first component of a type (HEADER, BODY, FOOTER, BUTTONS…).
    pub fn component(&self, kind: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.is(kind))
    }

    /// The header, if any.
    pub fn header(&self) -> Option<&Component> {
        self.component("HEADER")
    }

    /// The body, if any.
    pub fn body(&self) -> Option<&Component> {
        self.component("BODY")
    }

    /// The footer, if any.
    pub fn footer(&self) -> Option<&Component> {
        self.component("FOOTER")
    }

    /// The buttons, in order (empty when the template has none).
    pub fn buttons(&self) -> &[Button] {
        self.component("BUTTONS")
            .map_or(&[], |c| c.buttons.as_slice())
    }

    /// Whether the template uses NAMED parameters (absent or anything else: POSITIONAL).
    pub fn is_named(&self) -> bool {
        self.parameter_format
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case("NAMED"))
    }

    /// The status, upper-cased; `UNKNOWN` when the export has none (a creation request
    /// carries no status, and walint does not assume approval).
    pub fn status(&self) -> String {
        self.status
            .as_deref()
            .map_or_else(|| "UNKNOWN".to_string(), str::to_ascii_uppercase)
    }

    /// The category, upper-cased (empty when absent).
    pub fn category(&self) -> String {
        self.category
            .as_deref()
            .map(str::to_ascii_uppercase)
            .unwrap_or_default()
    }
}

/// The account's templates, looked up by exact name and language.
#[derive(Debug, Clone, Default)]
pub struct TemplateRegistry {
    templates: Vec<Template>,
    by_name: FxHashMap<String, Vec<usize>>,
    /// Whether a registry was given at all (one with no template is still one).
    given: bool,
}

impl TemplateRegistry {
    /// A registry of these templates. When a name+language pair repeats, the first wins
    /// (the registry rules report the repeat).
    pub fn new(templates: Vec<Template>) -> TemplateRegistry {
        let mut by_name: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, t) in templates.iter().enumerate() {
            by_name.entry(t.name.clone()).or_default().push(i);
        }
        TemplateRegistry {
            templates,
            by_name,
            given: true,
        }
    }

    /// Whether the registry holds no template.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// Whether a registry was given (`TemplateRegistry::new`, even with no template): only
    /// then are template payloads checked against it. `TemplateRegistry::default()` is none.
    pub fn is_given(&self) -> bool {
        self.given
    }

    /// Every template, in file order.
    pub fn templates(&self) -> &[Template] {
        &self.templates
    }

    /// The template with exactly this name and language code (the first, if repeated).
    pub fn get(&self, name: &str, language: &str) -> Option<&Template> {
        self.by_name
            .get(name)?
            .iter()
            .map(|&i| &self.templates[i])
            .find(|t| t.language == language)
    }

    /// Whether some template has this exact name (in any language).
    pub fn has_name(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The language codes a name exists in (sorted, deduplicated).
    pub fn languages_of(&self, name: &str) -> Vec<&str> {
        let mut langs: Vec<&str> = self
            .by_name
            .get(name)
            .map(|v| {
                v.iter()
                    .map(|&i| self.templates[i].language.as_str())
                    .collect()
            })
            .unwrap_or_default();
        langs.sort_unstable();
        langs.dedup();
        langs
    }

    /// All template names (deduplicated, sorted).
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.by_name.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_positional_and_named() {
        let p = placeholders("Hi {{1}}, your code is {{ 2 }}. {{first_name}} {{");
        let names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["1", "2", "first_name"]);
        assert_eq!((p[0].start, p[0].end), (3, 8));
        assert_eq!(p[1].position(), Some(2));
        assert_eq!(p[2].position(), None);
        assert!(placeholders("no braces { } here").is_empty());
    }

    #[test]
    fn hydrates_by_character_offsets() {
        let text = "Hé {{1}}, code {{2}}!";
        let out = hydrate(text, |p| (p.name == "1").then(|| "Ásha".to_string()));
        assert_eq!(out, "Hé Ásha, code {{2}}!");
    }

    #[test]
    fn registry_lookup_is_exact() {
        let t: Vec<Template> = serde_json::from_str(
            r#"[{"name":"promo","language":"en","components":[{"type":"BODY","text":"Hi {{1}}"}]},
                {"name":"promo","language":"en_US","status":"PAUSED","components":[]}]"#,
        )
        .unwrap();
        let r = TemplateRegistry::new(t);
        assert!(r.get("promo", "en").is_some());
        assert!(r.get("Promo", "en").is_none());
        assert_eq!(r.languages_of("promo"), ["en", "en_US"]);
        assert_eq!(r.get("promo", "en_US").unwrap().status(), "PAUSED");
        assert_eq!(r.get("promo", "en").unwrap().status(), "UNKNOWN");
        assert_eq!(
            r.get("promo", "en")
                .unwrap()
                .body()
                .unwrap()
                .placeholders()
                .len(),
            1
        );
    }

    /// The definition, written the obvious (quadratic) way: at each `{{`, the first `}}`
    /// after it closes a placeholder when no `{` stands between.
    fn reference(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i + 1 < b.len() {
            if b[i] == b'{' && b[i + 1] == b'{' {
                let close =
                    (i + 2..b.len().saturating_sub(1)).find(|&j| b[j] == b'}' && b[j + 1] == b'}');
                if let Some(j) = close
                    && !text[i + 2..j].contains('{')
                {
                    out.push((text[i + 2..j].trim().to_string(), i..j + 2));
                    i = j + 2;
                    continue;
                }
            }
            i += 1;
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn placeholders_match_their_definition(text in "[{}a1 é]{0,40}") {
            let got: Vec<_> = placeholder_spans(&text).map(|(p, span)| (p.name, span)).collect();
            proptest::prop_assert_eq!(got, reference(&text));
        }
    }

    #[test]
    fn braces_repeated_are_linear() {
        // 200 KB of `{{` took 87 s when each `{{` searched the rest of the text.
        let text = "{{".repeat(100_000);
        assert!(placeholders(&text).is_empty());
        let text = format!("{}{{{{1}}}}", "{{a".repeat(50_000));
        assert_eq!(placeholders(&text).len(), 1);
    }
}
