//! Finds where a JSON value stands in its source text: [`locate`] turns an RFC 6901 JSON
//! pointer into the 1-based line and column (in characters) of the value it designates, by
//! scanning the text — no tree is built, only the keys on the pointer's path are compared,
//! and everything else is skipped. [`position_at`] does the same for a byte offset, and
//! [`escape_token`] writes a key as a pointer token. It reads text only: which value to
//! point at is the caller's business, and malformed text simply yields `None`.

/// The 1-based line and column (in characters) of the value `pointer` designates in the
/// JSON `text`, or `None` when the pointer is malformed, names nothing in the text, or the
/// text is not JSON along the way. `""` is the whole document. A leading byte-order mark is
/// not counted as a column.
pub fn locate(text: &str, pointer: &str) -> Option<(u64, u64)> {
    let offset = offset_of(text, pointer)?;
    Some(position_at(text, offset))
}

/// The byte offset in `text` where the value `pointer` designates starts (see [`locate`]).
pub fn offset_of(text: &str, pointer: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, bom_len(bytes));
    if pointer.is_empty() {
        return (pos < bytes.len()).then_some(pos);
    }
    let tokens = pointer.strip_prefix('/')?;
    for raw in tokens.split('/') {
        let token = unescape_token(raw)?;
        pos = match *bytes.get(pos)? {
            b'{' => member_value(bytes, pos, &token)?,
            b'[' => element(bytes, pos, array_index(&token)?)?,
            _ => return None,
        };
    }
    Some(pos)
}

/// Escapes an object key as one RFC 6901 reference token: `~` becomes `~0`, `/` becomes `~1`.
pub fn escape_token(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// The 1-based line and column (in characters) of byte `offset` in `text`. Lines end at
/// `\n` (a `\r` before it belongs to the line it ends); a byte-order mark opening the text
/// is not counted. An offset inside a character counts as that character; one past the end
/// is the position after the last character.
pub fn position_at(text: &str, offset: usize) -> (u64, u64) {
    let bytes = text.as_bytes();
    let mut offset = offset.min(bytes.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &bytes[..offset];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count() as u64;
    let line_start = match before.iter().rposition(|&b| b == b'\n') {
        Some(i) => i + 1,
        None => bom_len(bytes).min(offset),
    };
    (line, 1 + char_count(&bytes[line_start..offset]))
}

/// Characters in a UTF-8 byte slice (bytes that do not continue a character).
pub(crate) fn char_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

fn bom_len(bytes: &[u8]) -> usize {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    }
}

/// Decodes `~1` and `~0`; any other `~` makes the pointer malformed.
fn unescape_token(raw: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !raw.contains('~') {
        return Some(std::borrow::Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next()? {
                '0' => out.push('~'),
                '1' => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(std::borrow::Cow::Owned(out))
}

/// An RFC 6901 array index: `0`, or digits without a leading zero (`-` names no element).
fn array_index(token: &str) -> Option<usize> {
    let ok = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    if ok { token.parse().ok() } else { None }
}

pub(crate) fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(pos) {
        pos += 1;
    }
    pos
}

/// The offset of the value of member `key` of the object opening at `pos`.
/// The offset of member `key`'s value in the object opening at `pos`. A key that appears
/// more than once designates its *last* value, the one a JSON reader keeps (serde_json, and
/// Meta's API, take the last), so the whole object is scanned; a member after the match
/// that cannot be read leaves the match standing.
fn member_value(bytes: &[u8], pos: usize, key: &str) -> Option<usize> {
    let mut pos = skip_ws(bytes, pos + 1);
    if bytes.get(pos) == Some(&b'}') {
        return None;
    }
    let mut found = None;
    loop {
        if bytes.get(pos) != Some(&b'"') {
            return found;
        }
        let Some(key_end) = skip_string(bytes, pos) else {
            return found;
        };
        let matches = key_matches(&bytes[pos..key_end], key);
        pos = skip_ws(bytes, key_end);
        if bytes.get(pos) != Some(&b':') {
            return found;
        }
        pos = skip_ws(bytes, pos + 1);
        if matches && pos < bytes.len() {
            found = Some(pos);
        }
        let Some(end) = skip_value(bytes, pos) else {
            return found;
        };
        pos = skip_ws(bytes, end);
        match bytes.get(pos) {
            Some(b',') => pos = skip_ws(bytes, pos + 1),
            _ => return found,
        }
    }
}

/// Whether a quoted JSON string (quotes included) decodes to `key`.
fn key_matches(quoted: &[u8], key: &str) -> bool {
    let inner = &quoted[1..quoted.len() - 1];
    if !inner.contains(&b'\\') {
        return inner == key.as_bytes();
    }
    std::str::from_utf8(quoted)
        .ok()
        .and_then(|s| serde_json::from_str::<String>(s).ok())
        .is_some_and(|decoded| decoded == key)
}

/// The offset of element `index` of the array opening at `pos`.
fn element(bytes: &[u8], pos: usize, index: usize) -> Option<usize> {
    let mut pos = skip_ws(bytes, pos + 1);
    if bytes.get(pos) == Some(&b']') {
        return None;
    }
    for _ in 0..index {
        pos = skip_ws(bytes, skip_value(bytes, pos)?);
        match bytes.get(pos)? {
            b',' => pos = skip_ws(bytes, pos + 1),
            _ => return None,
        }
    }
    (pos < bytes.len() && !matches!(bytes[pos], b']' | b',')).then_some(pos)
}

/// The offset just past the string whose opening quote is at `pos`.
fn skip_string(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    None
}

/// The offset just past the value starting at `pos` (a string, a number, a literal, or a
/// whole array or object, however deeply nested).
pub(crate) fn skip_value(bytes: &[u8], pos: usize) -> Option<usize> {
    match *bytes.get(pos)? {
        b'"' => skip_string(bytes, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = skip_string(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        b'}' | b']' | b',' | b':' => None,
        _ => {
            let end = bytes[pos..]
                .iter()
                .position(|b| matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'))
                .map_or(bytes.len(), |n| pos + n);
            Some(end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{
  "messaging_product": "whatsapp",
  "to": "+919876543210",
  "type": "template",
  "template": {
    "name": "order_update",
    "language": {"code": "en_US"},
    "components": [
      {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x/a.png"}}]},
      {
        "type": "body",
        "parameters": [
          {"type": "text", "text": "Asha"},
          {"type": "text", "text": "₹1,200"}
        ]
      }
    ]
  }
}"#;

    /// Every pointer into `value`, depth first.
    fn pointers(value: &serde_json::Value, base: String, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    pointers(v, format!("{base}/{}", escape_token(k)), out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    pointers(v, format!("{base}/{i}"), out);
                }
            }
            _ => {}
        }
        out.push(base);
    }

    #[test]
    fn every_value_is_found_where_it_parses() {
        let tricky = r#" {"a/b~": [ {"": "x\\"}, [], {} ,"\u00e9\"" ], "é": {"n": -0.5e-3},
            "nested": [[[[1]]], {"k": {"k": {"k": null}}}], "\u002F": false } "#;
        for text in [DOC, tricky] {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let mut all = Vec::new();
            pointers(&value, String::new(), &mut all);
            assert!(all.len() > 10);
            for pointer in all {
                let expected = value.pointer(&pointer).unwrap();
                let offset = offset_of(text, &pointer).unwrap_or_else(|| panic!("{pointer}"));
                let found = serde_json::Deserializer::from_str(&text[offset..])
                    .into_iter::<serde_json::Value>()
                    .next()
                    .unwrap()
                    .unwrap();
                assert_eq!(&found, expected, "{pointer}");
            }
        }
    }

    #[test]
    fn the_whole_document() {
        assert_eq!(locate(DOC, ""), Some((1, 1)));
        assert_eq!(locate("  \n  [1]", ""), Some((2, 3)));
        assert_eq!(locate("   ", ""), None);
    }

    #[test]
    fn members_and_elements() {
        assert_eq!(locate(DOC, "/messaging_product"), Some((2, 24)));
        assert_eq!(locate(DOC, "/to"), Some((3, 9)));
        assert_eq!(locate(DOC, "/template"), Some((5, 15)));
        assert_eq!(locate(DOC, "/template/language/code"), Some((7, 26)));
        assert_eq!(locate(DOC, "/template/components/0"), Some((9, 7)));
        assert_eq!(
            locate(DOC, "/template/components/0/parameters/0/image/link"),
            Some((9, 77))
        );
        assert_eq!(locate(DOC, "/template/components/1"), Some((10, 7)));
        assert_eq!(
            locate(DOC, "/template/components/1/parameters"),
            Some((12, 23))
        );
        assert_eq!(
            locate(DOC, "/template/components/1/parameters/1/text"),
            Some((14, 36))
        );
    }

    #[test]
    fn missing_and_malformed_pointers() {
        assert_eq!(locate(DOC, "/nope"), None);
        assert_eq!(locate(DOC, "/template/components/2"), None);
        assert_eq!(locate(DOC, "/template/components/01"), None, "leading zero");
        assert_eq!(locate(DOC, "/template/components/-"), None);
        assert_eq!(locate(DOC, "/template/components/x"), None);
        assert_eq!(locate(DOC, "/to/0"), None, "into a string");
        assert_eq!(locate(DOC, "to"), None, "no leading slash");
        assert_eq!(locate(DOC, "/a~2b"), None, "bad escape");
        assert_eq!(locate(DOC, "/a~"), None, "dangling escape");
        assert_eq!(locate("[]", "/0"), None);
        assert_eq!(locate("{}", "/a"), None);
    }

    #[test]
    fn escaped_tokens_and_keys() {
        let text = r#"{"a/b": 1, "m~n": 2, "": 3, "q\"k": 4, "\u0041": 5, "x\\/y": 6}"#;
        assert_eq!(locate(text, "/a~1b"), Some((1, 9)));
        assert_eq!(locate(text, "/m~0n"), Some((1, 19)));
        assert_eq!(locate(text, "/"), Some((1, 26)), "the empty key");
        assert_eq!(locate(text, "/q\"k"), Some((1, 37)));
        assert_eq!(locate(text, "/A"), Some((1, 50)), "\\u escape in a key");
        assert_eq!(locate(text, "/x\\~1y"), Some((1, 62)));
        assert_eq!(locate(text, "/a/b"), None);
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        assert_eq!(escape_token("plain"), "plain");
        for key in ["a/b", "m~n", "", "~/~1"] {
            let text = serde_json::json!({ key: true }).to_string();
            let pointer = format!("/{}", escape_token(key));
            assert_eq!(
                locate(&text, &pointer),
                Some((1, text.len() as u64 - 4)),
                "{key}"
            );
        }
    }

    #[test]
    fn strings_with_brackets_and_escapes_are_skipped() {
        let text = r#"{"a": "}]\"{[", "b": ["[", {"c": "\\"}, "]"], "d": true}"#;
        assert_eq!(locate(text, "/d"), Some((1, 52)));
        assert_eq!(locate(text, "/b/1/c"), Some((1, 34)));
        assert_eq!(locate(text, "/b/2"), Some((1, 41)));
    }

    #[test]
    fn scalars_and_nesting() {
        let text = "[1, -2.5e3, true, null, [[], {}], {\"k\": [0, [7]]}]";
        assert_eq!(locate(text, "/1"), Some((1, 5)));
        assert_eq!(locate(text, "/3"), Some((1, 19)));
        assert_eq!(locate(text, "/4/1"), Some((1, 30)));
        assert_eq!(locate(text, "/5/k/1/0"), Some((1, 46)));
        assert_eq!(locate(text, "/4/1/x"), None);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "{\"é\": \"ü\", \"k\": 1}";
        assert_eq!(locate(text, "/k"), Some((1, 17)));
        assert_eq!(locate(text, "/é"), Some((1, 7)));
        let bom = "\u{feff}{\"k\": 1}";
        assert_eq!(locate(bom, ""), Some((1, 1)));
        assert_eq!(locate(bom, "/k"), Some((1, 7)));
    }

    #[test]
    fn crlf_lines() {
        let text = "{\r\n  \"a\": 1,\r\n  \"b\": [\r\n    2\r\n  ]\r\n}";
        assert_eq!(locate(text, "/a"), Some((2, 8)));
        assert_eq!(locate(text, "/b/0"), Some((4, 5)));
    }

    #[test]
    fn malformed_text_gives_none() {
        assert_eq!(locate("{\"a\" 1}", "/a"), None);
        assert_eq!(locate("{\"a\": 1 \"b\": 2}", "/b"), None);
        assert_eq!(locate("{\"a\": \"unterminated", "/b"), None);
        assert_eq!(locate("[1, 2", "/5"), None);
        assert_eq!(locate("{\"a\": [1, 2", "/b"), None);
        assert_eq!(locate("{\"a\": ", "/a"), None);
    }

    #[test]
    fn positions_of_offsets() {
        let text = "ab\ncé\nd";
        assert_eq!(position_at(text, 0), (1, 1));
        assert_eq!(position_at(text, 2), (1, 3));
        assert_eq!(position_at(text, 3), (2, 1));
        assert_eq!(position_at(text, 6), (2, 3), "after é (2 bytes)");
        assert_eq!(position_at(text, 8), (3, 2), "end of text");
        assert_eq!(position_at(text, 99), (3, 2), "clamped");
        assert_eq!(position_at(text, 5), (2, 2), "inside é counts as é");
    }

    #[test]
    fn a_repeated_key_is_its_last_value() {
        let text = "{\n  \"to\": \"+1\",\n  \"to\": \"+2\"\n}";
        assert_eq!(locate(text, "/to"), Some((3, 9)));
        // The value a JSON reader keeps is the same one.
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(v["to"], "+2");
    }
}
