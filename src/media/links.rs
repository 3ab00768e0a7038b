//! Finds the media links in a Cloud API message: a media message's own object
//! (`{"type": "image", "image": {"link": …}}`), a template's header parameter, and the
//! headers of carousel cards. Reads JSON only; whether a link is good is the prober's and
//! the rules' business.

use serde_json::Value;

use super::MediaKind;

/// A media link in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundLink<'m> {
    /// RFC 6901 pointer to the `link` value.
    pub pointer: String,
    /// The media object it stands in.
    pub kind: MediaKind,
    /// Whether it is a template header (a card header counts as one).
    pub in_header: bool,
    /// The link.
    pub url: &'m str,
}

/// Every media link of a message, in document order.
pub fn find(message: &Value) -> Vec<FoundLink<'_>> {
    let mut out = Vec::new();
    if message.get("type").and_then(Value::as_str) == Some("template") {
        if let Some(components) = message.pointer("/template/components") {
            components_links(components, "/template/components", &mut out);
        }
    } else {
        media_object(message, String::new, false, &mut out);
    }
    out
}

/// The link of a media object, held the way both media messages and header parameters
/// hold one: `{"type": "image", "image": {"link": …}}`, at the pointer `at` gives (only
/// spelt out for a link).
fn media_object<'m>(
    holder: &'m Value,
    at: impl FnOnce() -> String,
    in_header: bool,
    out: &mut Vec<FoundLink<'m>>,
) {
    let name = holder.get("type").and_then(Value::as_str).unwrap_or("");
    let Some(kind) = MediaKind::from_name(name) else {
        return;
    };
    if let Some(url) = holder
        .get(name)
        .and_then(|m| m.get("link"))
        .and_then(Value::as_str)
    {
        out.push(FoundLink {
            pointer: format!("{}/{name}/link", at()),
            kind,
            in_header,
            url,
        });
    }
}

/// The header links of a template's components, and of its carousel cards.
fn components_links<'m>(components: &'m Value, at: &str, out: &mut Vec<FoundLink<'m>>) {
    let Some(components) = components.as_array() else {
        return;
    };
    for (i, component) in components.iter().enumerate() {
        let kind = component.get("type").and_then(Value::as_str).unwrap_or("");
        if kind.eq_ignore_ascii_case("header") {
            let params = component.get("parameters").and_then(Value::as_array);
            for (j, param) in params.into_iter().flatten().enumerate() {
                media_object(param, || format!("{at}/{i}/parameters/{j}"), true, out);
            }
        } else if kind.eq_ignore_ascii_case("carousel") {
            let cards = component.get("cards").and_then(Value::as_array);
            for (c, card) in cards.into_iter().flatten().enumerate() {
                if let Some(inner) = card.get("components") {
                    components_links(inner, &format!("{at}/{i}/cards/{c}/components"), out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_header_media_message_and_card_links() {
        let template = json!({"type": "template", "template": {"name": "t", "components": [
            {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://a/x.jpg"}}]},
            {"type": "body", "parameters": [{"type": "text", "text": "https://not/a/link"}]},
            {"type": "carousel", "cards": [{"card_index": 0, "components": [
                {"type": "header", "parameters": [{"type": "video", "video": {"link": "https://a/v.mp4"}}]}
            ]}]}
        ]}});
        let found = find(&template);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].pointer,
            "/template/components/0/parameters/0/image/link"
        );
        assert_eq!(found[0].kind, MediaKind::Image);
        assert!(found[0].in_header);
        assert_eq!(
            found[1].pointer,
            "/template/components/2/cards/0/components/0/parameters/0/video/link"
        );

        let gif = json!({"type": "template", "template": {"components": [
            {"type": "header", "parameters": [{"type": "gif", "gif": {"link": "https://a/g.mp4"}}]}
        ]}});
        assert_eq!(find(&gif)[0].kind, MediaKind::Video);

        let sticker = json!({"type": "sticker", "sticker": {"link": "https://a/s.webp"}});
        let found = find(&sticker);
        assert_eq!(found[0].pointer, "/sticker/link");
        assert!(!found[0].in_header);
    }

    #[test]
    fn ids_text_and_odd_shapes_give_nothing() {
        assert!(find(&json!({"type": "image", "image": {"id": "123"}})).is_empty());
        assert!(find(&json!({"type": "text", "text": {"body": "https://x"}})).is_empty());
        assert!(find(&json!({"type": "template", "template": {"components": 3}})).is_empty());
        assert!(find(&json!([1, 2])).is_empty());
    }
}
