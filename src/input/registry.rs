//! Template registries: reads the account's template definitions from JSON — a Graph API
//! export of `GET /<WABA_ID>/message_templates` (`{"data": [...], "paging": {...}}`), a
//! bare array of template objects, or one template object — into [`Template`]s that
//! know where they stand (file and JSON pointer). A file that is not JSON, or not one of
//! these shapes, or whose template objects have values of the wrong type, stops the run
//! with its file and, where known, line; the registry rules (`rules::registry`) judge
//! what was read.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::input::quoted::masked;
use crate::template::{Template, TemplateSource};

/// What a registry document can look like.
const SHAPES: &str = "expected a Graph API export {\"data\": [...]}, an array of template objects or one template object";

/// Reads a registry document. `path_shown` is the file as given on the command line; it
/// becomes each template's `source.path` (pointers: `/data/3`, `/3` or `""`).
pub fn read(path_shown: &str, text: &str) -> Result<Vec<Template>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        Error::input(
            path_shown,
            (e.line() > 0).then_some(e.line() as u64),
            format!("not valid JSON: {}", masked(&without_position(&e))),
        )
    })?;
    let (items, base): (&[Value], &str) = match &doc {
        Value::Object(obj) if obj.contains_key("data") => match &obj["data"] {
            Value::Array(items) => (items, "/data"),
            other => {
                return Err(Error::input(
                    path_shown,
                    None,
                    format!(
                        "\"data\" is {}, not an array of templates ({SHAPES})",
                        describe(other)
                    ),
                ));
            }
        },
        Value::Object(obj) => {
            shape_error(path_shown, obj)?;
            (std::slice::from_ref(&doc), "")
        }
        Value::Array(items) => (items, ""),
        other => {
            return Err(Error::input(
                path_shown,
                None,
                format!(
                    "not a template registry: the document is {} ({SHAPES})",
                    describe(other)
                ),
            ));
        }
    };
    let single = matches!(doc, Value::Object(_)) && base.is_empty();
    let path: Arc<str> = Arc::from(path_shown);
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let pointer = if single {
            String::new()
        } else {
            format!("{base}/{i}")
        };
        let shown = if pointer.is_empty() {
            "the document"
        } else {
            &pointer
        };
        let Value::Object(obj) = item else {
            return Err(Error::input(
                path_shown,
                None,
                format!("{shown} is {}, not a template object", describe(item)),
            ));
        };
        if !single {
            shape_error(path_shown, obj).map_err(|_| {
                Error::input(
                    path_shown,
                    None,
                    format!("{shown} is not a template object (it has neither \"name\" nor \"components\")"),
                )
            })?;
        }
        let mut template = Template::deserialize(item).map_err(|e| {
            Error::input(
                path_shown,
                line_of_type_error(text, &doc),
                format!(
                    "{shown} is not a valid template: {}",
                    masked(&e.to_string())
                ),
            )
        })?;
        template.source = TemplateSource {
            path: Arc::clone(&path),
            pointer,
        };
        out.push(template.with_meta_texts());
    }
    Ok(out)
}

/// Refuses an object that is not a template: a message payload, a Graph API error
/// response, or an object with neither `name` nor `components`.
fn shape_error(path: &str, obj: &Map<String, Value>) -> Result<(), Error> {
    if obj.contains_key("messaging_product") {
        return Err(Error::input(
            path,
            None,
            format!(
                "this is a message payload (it has \"messaging_product\"), not a template registry ({SHAPES})"
            ),
        ));
    }
    if let Some(err) = obj.get("error") {
        let message = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        return Err(Error::input(
            path,
            None,
            format!("this is a Graph API error response, not a template export: {message}"),
        ));
    }
    if !obj.contains_key("name") && !obj.contains_key("components") {
        return Err(Error::input(
            path,
            None,
            format!(
                "not a template registry: the object has neither \"data\", \"name\" nor \"components\" ({SHAPES})"
            ),
        ));
    }
    // A lone object with a name and nothing of a template's (a package.json, a
    // composer.json) is some other file: a template has components or a language.
    if !obj.contains_key("components") && !obj.contains_key("language") {
        return Err(Error::input(
            path,
            None,
            format!(
                "not a template registry: the object has a \"name\" but neither \"components\" nor \"language\" ({SHAPES})"
            ),
        ));
    }
    Ok(())
}

/// A JSON value's kind, with its article, for messages.
fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde_json's message without its " at line L column C" suffix (the line is reported
/// separately; the column is kept).
fn without_position(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match full.strip_suffix(&suffix) {
        Some(msg) => format!("{msg} (column {})", e.column()),
        None => full,
    }
}

/// The line of the first value of the wrong type, found by deserialising the whole text
/// in the document's shape (serde_json reports positions only when reading text).
fn line_of_type_error(text: &str, doc: &Value) -> Option<u64> {
    #[derive(Deserialize)]
    struct Export {
        #[allow(dead_code)]
        data: Vec<Template>,
    }
    let result = match doc {
        Value::Object(obj) if obj.contains_key("data") => {
            serde_json::from_str::<Export>(text).map(drop)
        }
        Value::Array(_) => serde_json::from_str::<Vec<Template>>(text).map(drop),
        _ => serde_json::from_str::<Template>(text).map(drop),
    };
    result.err().map(|e| e.line() as u64).filter(|&l| l > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = r#"{
  "data": [
    {"name": "order_update", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
     "parameter_format": "POSITIONAL", "id": "1234",
     "components": [{"type": "BODY", "text": "Order {{1}} shipped."}]},
    {"name": "welcome", "language": "es", "status": "PAUSED",
     "components": [{"type": "BODY", "text": "Hola."}]}
  ],
  "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}}
}"#;

    #[test]
    fn reads_a_graph_export_with_pointers() {
        let t = read("reg.json", EXPORT).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].name, "order_update");
        assert_eq!(t[0].id.as_deref(), Some("1234"));
        assert_eq!(&*t[0].source.path, "reg.json");
        assert_eq!(t[0].source.pointer, "/data/0");
        assert_eq!(t[1].source.pointer, "/data/1");
        assert_eq!(t[1].status(), "PAUSED");
    }

    #[test]
    fn reads_a_bare_array_and_a_single_object() {
        let t = read(
            "a.json",
            "\u{feff}[{\"name\":\"a\",\"language\":\"en\",\"components\":[]},{\"name\":\"b\",\"components\":[]}]",
        )
        .unwrap();
        assert_eq!(t[1].source.pointer, "/1");
        let t = read("o.json", r#"{"name":"a","language":"en","components":[]}"#).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].source.pointer, "");
        assert!(read("e.json", r#"{"data": []}"#).unwrap().is_empty());
    }

    #[test]
    fn invalid_json_names_the_line() {
        let e = read(
            "bad.json",
            "{\n  \"data\": [\n    {\"name\": \"a\",}\n  ]\n}",
        )
        .unwrap_err();
        let shown = e.to_string();
        assert!(shown.starts_with("bad.json:3: not valid JSON: "), "{shown}");
        assert!(shown.ends_with("trailing comma (column 18)"), "{shown}");
    }

    #[test]
    fn wrong_shapes_are_explained() {
        for (doc, expect) in [
            ("42", "the document is a number"),
            (r#"{"data": {"name": "a"}}"#, "\"data\" is an object"),
            (
                r#"{"data": [1]}"#,
                "/data/0 is a number, not a template object",
            ),
            (r#"[{"id": "1"}]"#, "/0 is not a template object"),
            (
                r#"{"foo": 1}"#,
                "neither \"data\", \"name\" nor \"components\"",
            ),
            (
                r#"{"messaging_product": "whatsapp", "type": "template"}"#,
                "message payload",
            ),
            (
                r#"{"error": {"message": "Invalid OAuth access token.", "code": 190}}"#,
                "Graph API error response, not a template export: Invalid OAuth access token.",
            ),
        ] {
            let e = read("x.json", doc).unwrap_err().to_string();
            assert!(e.contains(expect), "{doc}: {e}");
        }
    }

    #[test]
    fn wrong_types_name_the_pointer_and_line() {
        let doc = "{\"data\": [\n {\"name\": \"a\", \"components\": []},\n {\"name\": \"b\",\n  \"components\": [{\"type\": \"BODY\", \"text\": 5}]}\n]}";
        let e = read("t.json", doc).unwrap_err().to_string();
        assert!(
            e.starts_with("t.json:4: /data/1 is not a valid template: invalid type: integer `5`"),
            "{e}"
        );
        let e = read("t.json", r#"{"name": ["a"], "components": []}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("the document is not a valid template"), "{e}");
    }
}
