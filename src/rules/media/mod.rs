//! Media rules (`WAM…`): each file holds one rule that judges one media link — as used
//! by a message or campaign row as one kind of media — from what the prober found
//! ([`Probe`]) and from the link itself. This module holds what they share: the
//! [`MediaCheck`] a rule looks at and [`enabled`], the family's enabled rules. Rules do no I/O: the
//! probing is done before, by `media::probe`. The family's rules are found in the
//! catalogue by their [`Check::Link`].

pub mod content_mismatch;
pub mod example_handle_reused;
pub mod http_error;
pub mod not_https;
pub mod private_host;
pub mod redirected;
pub mod signed_url_expiring;
pub mod size_unknown;
pub mod too_large;
pub mod type_not_allowed;
pub mod unreachable;

use std::borrow::Cow;
use std::collections::HashSet;

use jiff::Timestamp;

use crate::diagnostic::Diagnostic;
use crate::media::probe::{Fetched, Probe};
use crate::media::{LinkKey, LinkUses, essence, redacted};
use crate::rules::{Check, Rule, RuleSettings};

/// One link, as a rule sees it.
pub struct MediaCheck<'a> {
    /// The link and the kind it is used as.
    pub key: &'a LinkKey,
    /// Where and how often it is used.
    pub uses: &'a LinkUses,
    /// What probing found; `None` when it was not probed (`--offline`, budget spent).
    pub probe: Option<&'a Probe>,
    /// The time of the run (signed links must outlive it by an hour).
    pub now: Timestamp,
    /// The template registry's example `header_handle` links.
    pub example_handles: &'a HashSet<String>,
}

impl MediaCheck<'_> {
    /// The probe's answer when it was a success (2xx).
    pub fn fetched(&self) -> Option<&Fetched> {
        match self.probe {
            Some(Probe::Fetched(f)) if (200..300).contains(&f.status) => Some(f),
            _ => None,
        }
    }

    /// The Content-Type's media type, when the success answer had one.
    pub fn declared_type(&self) -> Option<String> {
        self.fetched()?.content_type.as_deref().map(essence)
    }

    /// A finding of `rule` about this link, at its first use: the message is the link's
    /// name (`header image link https://…`, and how many messages use it) then `what`.
    pub fn finding(
        &self,
        rule: &'static Rule,
        what: impl std::fmt::Display,
        help: impl Into<Cow<'static, str>>,
    ) -> Diagnostic {
        rule.diagnostic(
            format!("{} {what}", self.subject()),
            self.uses.first.clone(),
        )
        .with_help(help)
    }

    /// How the link is named in messages: `image link https://…`, plus how many others
    /// use it.
    fn subject(&self) -> String {
        let header = if self.key.in_header { "header " } else { "" };
        let others = match self.uses.count {
            0 | 1 => String::new(),
            n => format!(" (used by {n} messages; reported at the first)"),
        };
        format!(
            "{header}{} link {}{others}",
            self.key.kind.as_str(),
            redacted(&self.key.url)
        )
    }
}

/// A media rule's check ([`Check::Link`]).
pub type LinkFn = fn(&MediaCheck) -> Option<Diagnostic>;

/// An enabled media rule.
pub struct MediaRule {
    /// The rule.
    pub rule: &'static Rule,
    /// Its check.
    pub check: LinkFn,
    /// Whether it needs the link probed.
    pub needs_probe: bool,
}

/// The media rules `settings` enables, in code order.
pub fn enabled(settings: &RuleSettings) -> Vec<MediaRule> {
    crate::rules::enabled(settings)
        .filter_map(|rule| match rule.check {
            Check::Link { check, needs_probe } => Some(MediaRule {
                rule,
                check,
                needs_probe,
            }),
            _ => None,
        })
        .collect()
}

/// Whether any media rule runs: links are only collected then.
pub fn any_enabled(settings: &RuleSettings) -> bool {
    crate::rules::enabled(settings).any(|r| matches!(r.check, Check::Link { .. }))
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Runs one media rule over a link and a made-up probe result.

    use std::collections::HashSet;
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::Location;
    use crate::media::MediaKind;

    /// The codes `check` finds for `url` used as `kind` (a template header) with `probe`.
    pub fn run(
        check: LinkFn,
        url: &str,
        kind: MediaKind,
        probe: Option<Probe>,
    ) -> Option<Diagnostic> {
        run_with(check, url, kind, true, probe, &HashSet::new())
    }

    /// [`run`] for the image link `https://x/a.jpg`.
    pub fn image(check: LinkFn, probe: Option<Probe>) -> Option<Diagnostic> {
        run(check, "https://x/a.jpg", MediaKind::Image, probe)
    }

    /// Like [`run`], with every input chosen.
    pub fn run_with(
        check: LinkFn,
        url: &str,
        kind: MediaKind,
        in_header: bool,
        probe: Option<Probe>,
        example_handles: &HashSet<String>,
    ) -> Option<Diagnostic> {
        let key = LinkKey {
            url: url.to_string(),
            kind,
            in_header,
        };
        let uses = LinkUses {
            first: Location::Json {
                path: Arc::from("p.json"),
                pointer: "/image/link".into(),
                line: Some(1),
                col: Some(1),
            },
            count: 1,
            send_at: Some("2026-12-01T09:00:00Z".parse().unwrap()),
        };
        check(&MediaCheck {
            key: &key,
            uses: &uses,
            probe: probe.as_ref(),
            now: "2026-11-30T09:00:00Z".parse().unwrap(),
            example_handles,
        })
    }

    /// A 200 answer with this type, size and sniffed type.
    pub fn ok(content_type: &str, size: Option<u64>, sniffed: Option<&str>) -> Option<Probe> {
        Some(Probe::Fetched(Fetched {
            status: 200,
            content_type: Some(content_type.to_string()),
            size,
            sniffed: sniffed.map(str::to_string),
            ..Fetched::default()
        }))
    }
}
