//! The rule catalogue. One rule is one file (grouped by family: `contacts/`, `payloads/`,
//! `registry/`, `media/`) that declares a [`Rule`] with [`declare_rule!`](crate::declare_rule):
//! code, kebab-case name, the WhatsApp error code it prevents, default severity, its
//! documentation (the doc comment) and its [`Check`] — what the rule reads, and so when it
//! runs — next to the check itself and its unit tests. Declaring a rule registers it: the
//! catalogue ([`all`]) is gathered from the rule files at link time, and every list of rules
//! (a family's checks, the campaign split, the test runners) is derived from it, so no list
//! repeats a rule and no rule can be missing from the catalogue.
//! [`RuleSettings`] says which rules run and at what severity.
//! Rules judge the model and never do I/O: reading inputs is `input`'s job.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use crate::diagnostic::{Diagnostic, Fix, Location, Severity};

pub mod contacts;
pub mod media;
pub mod payloads;
pub mod registry;

#[doc(hidden)]
pub use linkme;

/// A rule's identity, documentation and check.
pub struct Rule {
    /// `WA` + family letter + three digits, never reused.
    pub code: &'static str,
    /// kebab-case name.
    pub name: &'static str,
    /// The WhatsApp error code its findings prevent, if any.
    pub wa_error: Option<u32>,
    /// The other codes some of its findings name instead (the code Meta returns for that
    /// case; the rule's documentation says which and why).
    pub other_wa_errors: &'static [u32],
    /// Default severity of its findings.
    pub severity: Severity,
    /// Markdown documentation: What it checks / Why it matters / Example / How to fix.
    pub doc: &'static str,
    /// What it reads and its check.
    pub check: Check,
}

/// What a rule reads — its scope, which decides where and when it runs — with its check.
#[derive(Clone, Copy)]
pub enum Check {
    /// A payload document, or one NDJSON line, that cannot be read as JSON.
    File(payloads::FileCheck),
    /// The template registry's definitions, all at once (`WAR`).
    Definition(registry::DefinitionCheck),
    /// One contact row on its own: runs on any thread, rows in any order.
    Row(contacts::RowFn),
    /// One contact row given the rows before it (duplicates): runs in row order.
    RowInOrder(contacts::InOrderFn),
    /// One message: a payload file's, or a campaign row's.
    Message {
        /// The check.
        check: payloads::MessageFn,
        /// What it judges of a campaign's messages.
        campaign: InCampaign,
    },
    /// One media link, as used by messages.
    Link {
        /// The check.
        check: media::LinkFn,
        /// Whether it reads what probing the link found (the others read the link alone,
        /// so they run with `--offline` too).
        needs_probe: bool,
    },
}

/// What a message rule judges of a campaign, whose rows all send the same template with
/// their own values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InCampaign {
    /// The definition (template, language, parameter counts and kinds): the same for every
    /// row, so checked once and reported at the campaign in walint.toml.
    Definition,
    /// A row's values: checked on every row's message, at the cell that supplied the value.
    EveryRow,
    /// Nothing a campaign can get wrong: the campaign builds that part of the message itself
    /// (its type), or the contact rules judge it (the recipient).
    Never,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.code == other.code
    }
}

impl Eq for Rule {}

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
            rule: self,
            severity: self.severity,
            wa_error: self.wa_error,
            message: message.into(),
            help: None,
            location,
            fix: None,
            subject: None,
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

    /// Names another WhatsApp error code for this one finding: the code Meta returns for
    /// this case, where a rule's cases differ (each rule's documentation gives the evidence).
    pub fn with_wa_error(mut self, code: u32) -> Diagnostic {
        self.wa_error = Some(code);
        self
    }
}

/// Declares a rule: the doc comment is its documentation, and the rule is registered in
/// the catalogue ([`all`](crate::rules::all)).
///
/// ```ignore
/// declare_rule! {
///     /// ## What it checks
///     /// ...
///     pub static RULE = {
///         code: "WAC001", name: "phone-not-e164", wa_error: Some(131026), severity: Error,
///         check: Check::Row(check),
///     }
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
            $(other_wa_errors: $other:expr,)?
            severity: $sev:ident,
            check: $check:expr $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        $vis static $ident: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            wa_error: $wa,
            other_wa_errors: $crate::declare_rule!(@other $($other)?),
            severity: $crate::diagnostic::Severity::$sev,
            doc: concat!($($doc, "\n"),+),
            check: $check,
        };

        #[$crate::rules::linkme::distributed_slice($crate::rules::REGISTERED)]
        #[linkme(crate = $crate::rules::linkme)]
        static REGISTERED_RULE: &$crate::rules::Rule = &$ident;
    };
    (@other $other:expr) => { $other };
    (@other) => { &[] };
}

/// Every rule declared with [`declare_rule!`](crate::declare_rule), in link order; see
/// [`all`] for the catalogue in code order.
#[doc(hidden)]
#[linkme::distributed_slice]
pub static REGISTERED: [&'static Rule];

static CATALOGUE: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    let mut all: Vec<&'static Rule> = REGISTERED.to_vec();
    all.sort_by_key(|r| r.code);
    all
});

/// Every rule, in code order.
pub fn all() -> &'static [&'static Rule] {
    &CATALOGUE
}

/// The rules `settings` enables, in code order.
pub fn enabled(settings: &RuleSettings) -> impl Iterator<Item = &'static Rule> + '_ {
    all().iter().copied().filter(|r| settings.enabled(r))
}

/// Finds a rule by code (`WAC001`) or name (`phone-not-e164`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    all()
        .iter()
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
    if selector.is_empty() || !all().iter().any(|r| selector_matches(selector, r)) {
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
        let rule = diagnostic.rule;
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
        for r in all() {
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
        let names: std::collections::HashSet<_> = all().iter().map(|r| r.name).collect();
        assert_eq!(names.len(), all().len(), "rule names are unique");
        assert!(
            all().windows(2).all(|w| w[0].code < w[1].code),
            "the catalogue is in code order"
        );
        assert_eq!(REGISTERED.len(), all().len());
    }

    #[test]
    fn every_rule_is_documented() {
        for r in all() {
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
    fn each_family_reads_what_its_letter_says() {
        for r in all() {
            let fits = matches!(
                (r.family(), r.check),
                ("contacts", Check::Row(_) | Check::RowInOrder(_))
                    | ("payloads", Check::Message { .. } | Check::File(_))
                    | ("registry", Check::Definition(_))
                    | ("media", Check::Link { .. })
            );
            assert!(
                fits,
                "{} reads the wrong kind of input for its family",
                r.code
            );
        }
    }

    #[test]
    fn every_wa_error_is_catalogued() {
        // Codes some rules set per finding.
        for code in [132015, 132016, registry::header_variables::FOOTER_ERROR] {
            assert!(crate::wa_error::lookup(code).is_some(), "{code}");
        }
        for r in all() {
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
