//! WAR007 duplicate-template: the same template name and language defined twice.

use std::collections::HashMap;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;
use crate::template::Template;

use super::RegistryCheck;

declare_rule! {
    /// ## What it checks
    /// Two templates with the same `name` and `language` in the registry files (compared
    /// exactly, as sends are). Each repeat is reported at the later definition and names
    /// where the first one is. The same name in another language is not a duplicate.
    ///
    /// ## Why it matters
    /// A name is unique per WhatsApp Business Account and language: Meta cannot hold two,
    /// so one of the entries is stale — a copy, an older export concatenated with a newer
    /// one, or a second account's template. walint checks payloads against the first
    /// definition only; when the two differ, a payload that matches the live template may
    /// be judged against the wrong one (or the reverse).
    ///
    /// ## Example
    /// ```json
    /// {"data": [
    ///   {"name": "order_update", "language": "en_US", "status": "APPROVED", "components": []},
    ///   {"name": "order_update", "language": "en_US", "status": "PAUSED", "components": []}]}
    /// ```
    ///
    /// ## How to fix
    /// Export the registry again from the account (`GET /<WABA_ID>/message_templates`,
    /// following `paging.next`) instead of merging files by hand, or delete the stale entry.
    pub static RULE = {
        code: "WAR007", name: "duplicate-template", wa_error: None, severity: Error,
        check: Check::Definition(check),
    }
}

/// Where `first` stands, as seen from `repeat`: its pointer, and its file when that is
/// another one.
fn place(first: &Template, repeat: &Template) -> String {
    let pointer = if first.source.pointer.is_empty() {
        "the document root"
    } else {
        &first.source.pointer
    };
    if first.source.path == repeat.source.path {
        pointer.to_string()
    } else {
        format!("{} {pointer}", first.source.path)
    }
}

/// Reports every template whose name and language an earlier one already has.
pub fn check(cx: &RegistryCheck, out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<(&str, &str), &Template> = HashMap::new();
    for t in cx.templates {
        let Some(earlier) = first.get(&(t.name.as_str(), t.language.as_str())) else {
            first.insert((&t.name, &t.language), t);
            continue;
        };
        out.push(
            RULE.diagnostic(
                format!(
                    "template '{}' ({}) is defined again; the first definition is at {}",
                    t.name,
                    if t.language.is_empty() {
                        "no language"
                    } else {
                        &t.language
                    },
                    place(earlier, t)
                ),
                cx.at(t, ""),
            )
            .with_help("keep one definition per name and language: export the registry again or delete the stale entry"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::registry::test_support::findings;

    #[test]
    fn the_repeat_names_the_first() {
        let d = findings(
            &super::RULE,
            r#"{"data":[
            {"name":"promo","language":"en_US","components":[]},
            {"name":"promo","language":"es","components":[]},
            {"name":"promo","language":"en_US","components":[]},
            {"name":"promo","language":"en_US","components":[]}]}"#,
        );
        assert_eq!(d.len(), 2);
        assert_eq!(
            d[0].message,
            "template 'promo' (en_US) is defined again; the first definition is at /data/0"
        );
        let crate::diagnostic::Location::Json { pointer, .. } = &d[1].location else {
            panic!()
        };
        assert_eq!(pointer, "/data/3");
    }

    #[test]
    fn a_repeat_in_another_file_names_that_file() {
        let one = r#"[{"name":"promo","language":"en","components":[]}]"#;
        let mut templates = crate::input::registry::read("a.json", one).unwrap();
        templates.extend(crate::input::registry::read("b.json", one).unwrap());
        let d: Vec<_> = crate::rules::registry::test_support::run(&templates)
            .into_iter()
            .filter(|d| d.code() == "WAR007")
            .collect();
        assert_eq!(d.len(), 1);
        assert!(d[0].message.ends_with("at a.json /0"), "{}", d[0].message);
        assert_eq!(d[0].location.path(), "b.json");
    }

    #[test]
    fn other_languages_and_case_are_different_templates() {
        let d = findings(
            &super::RULE,
            r#"[{"name":"promo","language":"en_US","components":[]},
            {"name":"promo","language":"en","components":[]},
            {"name":"Promo","language":"en_US","components":[]}]"#,
        );
        assert!(d.is_empty());
    }
}
