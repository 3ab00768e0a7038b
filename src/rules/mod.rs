//! The rule catalogue. One rule is one file (grouped by family: `contacts/`, and later
//! `payloads/`, `registry/`, `media/`) that declares a [`Rule`] with [`declare_rule!`](crate::declare_rule):
//! code, kebab-case name, the WhatsApp error code it prevents, default severity and its
//! documentation (the doc comment), next to the check itself and its unit tests.
//! [`ALL`] lists every rule; [`RuleSettings`] says which run and at what severity.
//! Rules judge the model and never do I/O: reading inputs is `input`'s job.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Fix, Location, Severity};

pub mod contacts;
pub mod media;
pub mod payloads;
pub mod registry;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct Rule {
    /// `WA` + family letter + three digits, never reused.
    pub code: &'static str,
    /// kebab-case name.
    pub name: &'static str,
    /// The WhatsApp error code its findings prevent, if any.
    pub wa_error: Option<u32>,
    /// Default severity of its findings.
    pub severity: Severity,
    /// Markdown documentation: What it checks / Why it matters / Example / How to fix.
    pub doc: &'static str,
}

impl Rule {
    /// The family letter's meaning: the kind of input the rule reads.
    pub fn family(&self) -> &'static str {
        match self.code.as_bytes().get(2) {
            Some(b'C') => "contacts",
            Some(b'T') => "payloads",
            Some(b'R') => "registry",
            Some(b'M') => "media",
            _ => "other",
        }
    }

    /// The documentation with the one leading space of each doc-comment line removed.
    pub fn documentation(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }

    /// A one-line summary: the opening clause of "What it checks" (up to its first `:` or
    /// full stop).
    pub fn summary(&self) -> String {
        let doc = self.documentation();
        let body = doc.split("## What it checks").nth(1).unwrap_or(&doc);
        let paragraph = body.trim().split("\n\n").next().unwrap_or("");
        let text = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
        let end = [": ", ". "]
            .iter()
            .filter_map(|p| text.find(p))
            .min()
            .unwrap_or(text.len());
        text[..end].trim_end_matches('.').to_string()
    }

    /// A finding of this rule at its default severity.
    pub fn diagnostic(&'static self, message: impl Into<String>, location: Location) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            wa_error: self.wa_error,
            message: message.into(),
            help: None,
            location,
            fix: None,
        }
    }
}

impl Diagnostic {
    /// Adds the help line.
    pub fn with_help(mut self, help: impl Into<Cow<'static, str>>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a replacement fix.
    pub fn with_fix(mut self, replacement: impl Into<String>) -> Diagnostic {
        self.fix = Some(Fix {
            replacement: replacement.into(),
        });
        self
    }

    /// Sets the severity of this one finding (before configuration overrides).
    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }
}

/// Declares a rule: the doc comment is its documentation.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it checks
///     /// ...
///     pub static RULE = { code: "WAC001", name: "phone-not-e164", wa_error: Some(131026), severity: Error }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $vis:vis static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            wa_error: $wa:expr,
            severity: $sev:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        $vis static $ident: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            wa_error: $wa,
            severity: $crate::diagnostic::Severity::$sev,
            doc: concat!($($doc, "\n"),+),
        };
    };
}

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &contacts::unreadable_row::RULE,
    &contacts::phone_not_e164::RULE,
    &contacts::phone_invalid::RULE,
    &contacts::phone_not_mobile::RULE,
    &contacts::duplicate_recipient::RULE,
    &contacts::phone_missing::RULE,
    &contacts::country_not_allowed::RULE,
    &contacts::recipient_is_sender::RULE,
    &contacts::suppressed_recipient::RULE,
    &contacts::us_marketing_recipient::RULE,
    &contacts::outside_service_window::RULE,
    &media::unreachable::RULE,
    &media::http_error::RULE,
    &media::type_not_allowed::RULE,
    &media::too_large::RULE,
    &media::content_mismatch::RULE,
    &media::redirected::RULE,
    &media::not_https::RULE,
    &media::signed_url_expiring::RULE,
    &media::example_handle_reused::RULE,
    &media::size_unknown::RULE,
    &media::private_host::RULE,
    &registry::placeholder_sequence::RULE,
    &registry::invalid_placeholder_name::RULE,
    &registry::component_too_long::RULE,
    &registry::header_variables::RULE,
    &registry::too_many_buttons::RULE,
    &registry::invalid_template_name::RULE,
    &registry::duplicate_template::RULE,
    &registry::placeholder_at_edge::RULE,
    &payloads::invalid_json::RULE,
    &payloads::template_not_found::RULE,
    &payloads::template_language_not_found::RULE,
    &payloads::param_count_mismatch::RULE,
    &payloads::template_not_approved::RULE,
    &payloads::header_param_mismatch::RULE,
    &payloads::media_header_missing::RULE,
    &payloads::button_param_mismatch::RULE,
    &payloads::named_param_mismatch::RULE,
    &payloads::param_format_mismatch::RULE,
    &payloads::param_type_mismatch::RULE,
    &payloads::hydrated_body_too_long::RULE,
    &payloads::hydrated_header_too_long::RULE,
    &payloads::param_whitespace::RULE,
    &payloads::param_empty::RULE,
    &payloads::unsupported_message_type::RULE,
    &payloads::payload_schema::RULE,
    &payloads::invalid_recipient::RULE,
    &payloads::text_body_too_long::RULE,
];

/// Finds a rule by code (`WAC001`) or name (`phone-not-e164`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// A rule selector as written in `select`/`ignore`: a code, a code prefix (`WAC`, `WAC00`),
/// a rule name, or `ALL`.
fn selector_matches(selector: &str, rule: &Rule) -> bool {
    selector.eq_ignore_ascii_case("ALL")
        || rule.name == selector
        || rule
            .code
            .get(..selector.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(selector))
}

/// Checks that a selector names at least one rule.
pub fn validate_selector(selector: &str) -> Result<(), String> {
    if selector.is_empty() || !ALL.iter().any(|r| selector_matches(selector, r)) {
        return Err(format!(
            "'{selector}' names no rule (use a code such as WAC001, a prefix such as WAC, a rule name, or ALL)"
        ));
    }
    Ok(())
}

/// Which rules run and at what severity: `select`, `ignore` and per-rule severity overrides
/// from walint.toml and the command line (later settings win, as in ruff and cargo-deny).
#[derive(Debug, Clone, Default)]
pub struct RuleSettings {
    select: Vec<String>,
    ignore: Vec<String>,
    severity: BTreeMap<&'static str, Severity>,
}

impl RuleSettings {
    /// Settings from selectors and overrides. Every selector and code must name a rule.
    pub fn new(
        select: Vec<String>,
        ignore: Vec<String>,
        severity: &BTreeMap<String, Severity>,
    ) -> Result<RuleSettings, String> {
        for s in select.iter().chain(&ignore) {
            validate_selector(s)?;
        }
        let mut resolved = BTreeMap::new();
        for (code, sev) in severity {
            let rule = find(code).ok_or_else(|| format!("'{code}' is not a rule code"))?;
            resolved.insert(rule.code, *sev);
        }
        Ok(RuleSettings {
            select,
            ignore,
            severity: resolved,
        })
    }

    /// Whether a rule runs: selected (everything, when nothing is selected) and not ignored.
    pub fn enabled(&self, rule: &Rule) -> bool {
        let selected =
            self.select.is_empty() || self.select.iter().any(|s| selector_matches(s, rule));
        selected && !self.ignore.iter().any(|s| selector_matches(s, rule))
    }

    /// Applies the settings to a finding: `None` when its rule is off, else the finding with
    /// the configured severity.
    pub fn apply(&self, mut diagnostic: Diagnostic) -> Option<Diagnostic> {
        let rule = find(diagnostic.code)?;
        if !self.enabled(rule) {
            return None;
        }
        if let Some(sev) = self.severity.get(rule.code) {
            diagnostic.severity = *sev;
        }
        Some(diagnostic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_well_formed_and_sorted() {
        let mut seen = std::collections::HashSet::new();
        for r in ALL {
            assert!(seen.insert(r.code), "duplicate code {}", r.code);
            let b = r.code.as_bytes();
            assert!(r.code.len() == 6 && r.code.starts_with("WA"), "{}", r.code);
            assert!(b"CTRM".contains(&b[2]), "{}", r.code);
            assert!(b[3..].iter().all(u8::is_ascii_digit), "{}", r.code);
            assert!(
                r.name
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'),
                "{}",
                r.name
            );
        }
        let names: std::collections::HashSet<_> = ALL.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), ALL.len(), "rule names are unique");
        assert!(
            ALL.windows(2).all(|w| w[0].code < w[1].code),
            "ALL is in code order"
        );
    }

    #[test]
    fn every_rule_is_documented() {
        for r in ALL {
            let doc = r.documentation();
            for section in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## How to fix",
            ] {
                assert!(doc.contains(section), "{} lacks '{section}'", r.code);
            }
            assert!(r.summary().len() > 20, "{} has no summary", r.code);
        }
    }

    #[test]
    fn every_wa_error_is_catalogued() {
        for r in ALL {
            if let Some(code) = r.wa_error {
                assert!(
                    crate::wa_error::lookup(code).is_some(),
                    "{}: {code}",
                    r.code
                );
            }
        }
    }

    #[test]
    fn selectors() {
        let s =
            RuleSettings::new(vec!["WAC".into()], vec!["WAC004".into()], &BTreeMap::new()).unwrap();
        assert!(s.enabled(find("WAC001").unwrap()));
        assert!(!s.enabled(find("duplicate-recipient").unwrap()));
        assert!(RuleSettings::new(vec!["WAX".into()], vec![], &BTreeMap::new()).is_err());
        let mut sev = BTreeMap::new();
        sev.insert("phone-not-mobile".to_string(), Severity::Error);
        let s = RuleSettings::new(vec![], vec![], &sev).unwrap();
        let loc = Location::File {
            path: "x".into(),
            line: None,
        };
        let d = s
            .apply(find("WAC003").unwrap().diagnostic("m", loc))
            .unwrap();
        assert_eq!(d.severity, Severity::Error);
    }
}
