//! Contact-list rules (`WAC…`): each file holds one rule. This module holds what they share:
//! the [`ContactPolicy`] from the config, the [`RowCheck`] a rule looks at (one row, its
//! phone facts and where it is), and the [`ContactLinter`] that runs every contact rule over
//! the rows of one file in order, keeping the state a rule needs across rows (the
//! duplicate set). It does no I/O: rows arrive already read, phone facts already computed.

use std::sync::Arc;

use rustc_hash::FxHashSet;

use crate::diagnostic::{Diagnostic, Location};
use crate::input::contacts::ContactRow;
use crate::phone::{Number, PhoneFacts, RegionCode};
use crate::rules::RuleSettings;

pub mod country_not_allowed;
pub mod duplicate_recipient;
pub mod outside_service_window;
pub mod phone_invalid;
pub mod phone_missing;
pub mod phone_not_e164;
pub mod phone_not_mobile;
pub mod recipient_is_sender;
pub mod suppressed_recipient;
pub mod unreadable_row;
pub mod us_marketing_recipient;

/// What the configuration says about recipients.
#[derive(Debug, Clone, Default)]
pub struct ContactPolicy {
    /// Region for numbers written without a country code.
    pub default_region: Option<RegionCode>,
    /// The business's own number.
    pub sender: Option<u64>,
    /// When non-empty, the only regions allowed.
    pub allowed_countries: Vec<RegionCode>,
    /// Regions not allowed.
    pub blocked_countries: Vec<RegionCode>,
    /// Numbers that opted out.
    pub suppression: FxHashSet<u64>,
}

/// What a campaign tells the contact rules about its rows.
#[derive(Debug, Clone)]
pub struct CampaignContext {
    /// The campaign's name, for messages.
    pub name: String,
    /// Whether it sends a MARKETING template.
    pub marketing: bool,
    /// For a free-form campaign with a last-inbound column: the window to check.
    pub window: Option<ServiceWindow>,
}

/// The 24-hour customer service window a free-form campaign needs.
#[derive(Debug, Clone)]
pub struct ServiceWindow {
    /// When the campaign is sent.
    pub send_at: jiff::Timestamp,
    /// The column holding the last inbound message time.
    pub column: Arc<str>,
}

/// One row as a rule sees it.
pub struct RowCheck<'a> {
    /// The row.
    pub row: &'a ContactRow,
    /// The phone cell's facts (`None` when the row is unreadable).
    pub facts: Option<&'a PhoneFacts>,
    /// The policy.
    pub policy: &'a ContactPolicy,
    /// The file.
    pub path: &'a Arc<str>,
    /// The phone column's header name.
    pub phone_column: &'a Arc<str>,
    /// The opt-in column's header name, when one is configured.
    pub opt_in_column: Option<&'a Arc<str>>,
    /// The campaign the row belongs to, when checked as one.
    pub campaign: Option<&'a CampaignContext>,
}

impl RowCheck<'_> {
    /// The location of a cell of this row (`None`: the whole row).
    pub fn at(&self, column: Option<&Arc<str>>) -> Location {
        Location::Csv {
            path: Arc::clone(self.path),
            line: self.row.line,
            row: self.row.row,
            column: column.cloned(),
        }
    }

    /// The location of this row's phone cell.
    pub fn phone_cell(&self) -> Location {
        self.at(Some(self.phone_column))
    }

    /// The valid number the phone cell reads as, if it reads as one.
    pub fn number(&self) -> Option<&Number> {
        self.facts.and_then(|f| f.number.as_ref().ok())
    }
}

/// Runs the contact rules over the rows of one file, in order.
pub struct ContactLinter<'p> {
    policy: &'p ContactPolicy,
    settings: &'p RuleSettings,
    path: Arc<str>,
    phone_column: Arc<str>,
    opt_in_column: Option<Arc<str>>,
    campaign: Option<CampaignContext>,
    /// Whether WAC004 runs: the duplicate set (the one thing that grows with the rows) is
    /// only filled when it does.
    duplicates: bool,
    seen: duplicate_recipient::SeenNumbers,
}

impl<'p> ContactLinter<'p> {
    /// A linter for one file.
    pub fn new(
        policy: &'p ContactPolicy,
        settings: &'p RuleSettings,
        path: Arc<str>,
        phone_column: &str,
        opt_in_column: Option<&str>,
    ) -> ContactLinter<'p> {
        let mut seen = duplicate_recipient::SeenNumbers::default();
        seen.enter(&path);
        ContactLinter {
            policy,
            settings,
            path,
            phone_column: Arc::from(phone_column),
            opt_in_column: opt_in_column.map(Arc::from),
            campaign: None,
            duplicates: settings.enabled(&duplicate_recipient::RULE),
            seen,
        }
    }

    /// Checks the rows as part of a campaign: the campaign rules run, and recipients are
    /// compared with those of the campaign's earlier files (`seen`, from
    /// [`into_seen`](Self::into_seen) of the previous file's linter).
    pub fn for_campaign(
        mut self,
        campaign: CampaignContext,
        seen: duplicate_recipient::SeenNumbers,
    ) -> ContactLinter<'p> {
        self.campaign = Some(campaign);
        self.seen = seen;
        self.seen.enter(&self.path);
        self
    }

    /// The recipients seen so far, to carry into the next file of a campaign.
    pub fn into_seen(self) -> duplicate_recipient::SeenNumbers {
        self.seen
    }

    /// Checks one row; findings (after rule settings) are appended to `out`.
    pub fn check(
        &mut self,
        row: &ContactRow,
        facts: Option<&PhoneFacts>,
        out: &mut Vec<Diagnostic>,
    ) {
        let cx = RowCheck {
            row,
            facts,
            policy: self.policy,
            path: &self.path,
            phone_column: &self.phone_column,
            opt_in_column: self.opt_in_column.as_ref(),
            campaign: self.campaign.as_ref(),
        };
        let found = [
            unreadable_row::check(&cx),
            phone_missing::check(&cx),
            phone_not_e164::check(&cx),
            phone_invalid::check(&cx),
            phone_not_mobile::check(&cx),
            if self.duplicates {
                duplicate_recipient::check(&cx, &mut self.seen)
            } else {
                None
            },
            country_not_allowed::check(&cx),
            recipient_is_sender::check(&cx),
            suppressed_recipient::check(&cx),
            us_marketing_recipient::check(&cx),
            outside_service_window::check(&cx),
        ];
        out.extend(
            found
                .into_iter()
                .flatten()
                .filter_map(|d| self.settings.apply(d)),
        );
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Runs the contact rules over one in-memory row, for the rules' unit tests.
    use super::*;
    use crate::phone;

    /// Findings of the rule `code` for a phone cell under `policy`.
    pub fn findings(code: &str, cell: &str, policy: &ContactPolicy) -> Vec<Diagnostic> {
        findings_rows(code, &[cell], policy)
    }

    /// Findings of the rule `code` for a phone cell in a campaign.
    pub fn campaign_findings(
        code: &str,
        cell: &str,
        policy: &ContactPolicy,
        campaign: &CampaignContext,
    ) -> Vec<Diagnostic> {
        rows_with(code, &[cell], policy, Some(campaign))
    }

    /// Findings of WAC010 for one row whose last inbound time is `last`, in a free-form
    /// campaign sent at `send_at`.
    pub fn window_findings(send_at: &str, last: &str) -> Vec<Diagnostic> {
        let settings = RuleSettings::default();
        let policy = ContactPolicy::default();
        let campaign = CampaignContext {
            name: "c".into(),
            marketing: false,
            window: Some(ServiceWindow {
                send_at: send_at.parse().unwrap(),
                column: Arc::from("last_message_at"),
            }),
        };
        let mut linter = ContactLinter::new(&policy, &settings, Arc::from("t.csv"), "phone", None)
            .for_campaign(campaign, Default::default());
        let row = ContactRow {
            line: 2,
            row: 1,
            phone: "+919876543210".into(),
            last_inbound: Some(last.to_string()),
            ..ContactRow::default()
        };
        let mut out = Vec::new();
        let facts = phone::analyse(&row.phone, None);
        linter.check(&row, Some(&facts), &mut out);
        out.retain(|d| d.code == "WAC010");
        out
    }

    /// Findings of the rule `code` over several rows.
    pub fn findings_rows(code: &str, cells: &[&str], policy: &ContactPolicy) -> Vec<Diagnostic> {
        rows_with(code, cells, policy, None)
    }

    fn rows_with(
        code: &str,
        cells: &[&str],
        policy: &ContactPolicy,
        campaign: Option<&CampaignContext>,
    ) -> Vec<Diagnostic> {
        let settings = RuleSettings::default();
        let mut linter = ContactLinter::new(policy, &settings, Arc::from("t.csv"), "phone", None);
        if let Some(c) = campaign {
            linter = linter.for_campaign(c.clone(), Default::default());
        }
        let mut out = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let row = ContactRow {
                line: i as u64 + 2,
                row: i as u64 + 1,
                phone: cell.to_string(),
                ..ContactRow::default()
            };
            let facts = phone::analyse(cell, policy.default_region);
            linter.check(&row, Some(&facts), &mut out);
        }
        out.retain(|d| d.code == code);
        out
    }
}
