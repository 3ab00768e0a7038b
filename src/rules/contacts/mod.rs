//! Contact-list rules (`WAC…`): each file holds one rule. This module holds what they share:
//! the [`ContactPolicy`] from the config, the [`RowCheck`] a rule looks at (one row, its
//! phone facts and where it is), and the [`ContactLinter`] that runs the enabled contact
//! rules over the rows of one file: the rules that read a row on its own
//! ([`Check::Row`]) on any thread, those that need the rows before it
//! ([`Check::RowInOrder`], duplicates) in row order, keeping their state across rows. It
//! does no I/O: rows arrive already read, phone facts already computed.

use std::sync::Arc;

use rustc_hash::FxHashSet;

use crate::diagnostic::{Diagnostic, Location};
use crate::input::contacts::ContactRow;
use crate::input::spreadsheet::Sheet;
use crate::phone::{Number, PhoneFacts, RegionCode};
use crate::rules::{Check, Rule, RuleSettings};

pub mod ambiguous_phone_column;
pub mod country_not_allowed;
pub mod duplicate_recipient;
pub mod legacy_encoding;
pub mod legacy_mobile_form;
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
    /// Numbers written with neither `+` nor `00` are taken to start with their country
    /// code (a leading `0` aside): `--assume-international`.
    pub assume_international: bool,
    /// The business's own number.
    pub sender: Option<u64>,
    /// When non-empty, the only regions allowed.
    pub allowed_countries: Vec<RegionCode>,
    /// Regions not allowed.
    pub blocked_countries: Vec<RegionCode>,
    /// Numbers that opted out.
    pub suppression: FxHashSet<u64>,
    /// What an opt-in cell says yes with (`opt_in_values`); empty: walint's own list.
    pub opt_in_values: Vec<String>,
}

impl ContactPolicy {
    /// How cells that state no country are read.
    pub fn reading(&self) -> crate::phone::Reading {
        crate::phone::Reading {
            region: self.default_region,
            international: self.assume_international,
        }
    }
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
    /// The sheet, when the list is a spreadsheet.
    pub sheet: Option<&'a Sheet>,
}

impl RowCheck<'_> {
    /// The location of a cell of this row (`None`: the whole row).
    pub fn at(&self, column: Option<&Arc<str>>) -> Location {
        Location::Csv {
            path: Arc::clone(self.path),
            line: self.row.line,
            row: self.row.row,
            column: column.cloned(),
            sheet: self
                .sheet
                .map(|s| s.place(column.map(|c| &**c), self.row.line)),
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

/// A check of one row on its own ([`Check::Row`]).
pub type RowFn = fn(&RowCheck) -> Option<Diagnostic>;

/// A check of one row given the recipients of the rows before it ([`Check::RowInOrder`]).
pub type InOrderFn = fn(&RowCheck, &mut duplicate_recipient::SeenNumbers) -> Option<Diagnostic>;

/// The enabled contact rules, split by how they run; worked out once per run.
#[derive(Clone)]
pub struct ContactRules {
    row: Vec<(&'static Rule, RowFn)>,
    in_order: Vec<(&'static Rule, InOrderFn)>,
}

impl ContactRules {
    /// The contact rules `settings` enables, in code order.
    pub fn enabled(settings: &RuleSettings) -> ContactRules {
        let mut rules = ContactRules {
            row: Vec::new(),
            in_order: Vec::new(),
        };
        for rule in crate::rules::enabled(settings) {
            match rule.check {
                Check::Row(check) => rules.row.push((rule, check)),
                Check::RowInOrder(check) => rules.in_order.push((rule, check)),
                _ => {}
            }
        }
        rules
    }
}

/// Runs the contact rules over the rows of one file.
pub struct ContactLinter<'p> {
    policy: &'p ContactPolicy,
    settings: &'p RuleSettings,
    rules: ContactRules,
    path: Arc<str>,
    phone_column: Arc<str>,
    opt_in_column: Option<Arc<str>>,
    campaign: Option<CampaignContext>,
    sheet: Option<Arc<Sheet>>,
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
        ContactLinter {
            policy,
            settings,
            rules: ContactRules::enabled(settings),
            path,
            phone_column: Arc::from(phone_column),
            opt_in_column: opt_in_column.map(Arc::from),
            campaign: None,
            sheet: None,
        }
    }

    /// Checks the rows of a spreadsheet's sheet: locations name its cells.
    pub fn in_sheet(mut self, sheet: Option<Arc<Sheet>>) -> ContactLinter<'p> {
        self.sheet = sheet;
        self
    }

    /// Checks the rows as part of a campaign: the campaign rules run.
    pub fn for_campaign(mut self, campaign: CampaignContext) -> ContactLinter<'p> {
        self.campaign = Some(campaign);
        self
    }

    /// The file's path, as findings name it.
    pub fn path(&self) -> &Arc<str> {
        &self.path
    }

    fn row_check<'a>(&'a self, row: &'a ContactRow, facts: Option<&'a PhoneFacts>) -> RowCheck<'a> {
        RowCheck {
            row,
            facts,
            policy: self.policy,
            path: &self.path,
            phone_column: &self.phone_column,
            opt_in_column: self.opt_in_column.as_ref(),
            campaign: self.campaign.as_ref(),
            sheet: self.sheet.as_deref(),
        }
    }

    /// Runs the rules that read a row on its own (any thread, any order); findings (after
    /// rule settings) are appended to `out`.
    pub fn check_row(
        &self,
        row: &ContactRow,
        facts: Option<&PhoneFacts>,
        out: &mut Vec<Diagnostic>,
    ) {
        let cx = self.row_check(row, facts);
        for (_, check) in &self.rules.row {
            if let Some(d) = check(&cx).and_then(|d| self.settings.apply(d)) {
                out.push(d);
            }
        }
    }

    /// Whether any rule needs the rows in order ([`check_in_order`](Self::check_in_order)).
    pub fn has_in_order_rules(&self) -> bool {
        !self.rules.in_order.is_empty()
    }

    /// Runs the rules that need the rows before this one (duplicates) with the recipients
    /// `seen` so far (of this file, or of a campaign's files: [`SeenNumbers::enter`] each
    /// file first); call it for every row, in order. Findings (after rule settings) are
    /// appended to `out`. Nothing is recorded when no such rule runs, so the one thing
    /// that grows with the rows stays empty then.
    ///
    /// [`SeenNumbers::enter`]: duplicate_recipient::SeenNumbers::enter
    pub fn check_in_order(
        &self,
        seen: &mut duplicate_recipient::SeenNumbers,
        row: &ContactRow,
        facts: Option<&PhoneFacts>,
        out: &mut Vec<Diagnostic>,
    ) {
        let cx = self.row_check(row, facts);
        for (_, check) in &self.rules.in_order {
            if let Some(d) = check(&cx, seen).and_then(|d| self.settings.apply(d)) {
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Runs the contact rules over one in-memory row, for the rules' unit tests.
    use super::*;
    use crate::phone;

    /// Findings of `rule` for a phone cell under `policy`.
    pub fn findings(rule: &Rule, cell: &str, policy: &ContactPolicy) -> Vec<Diagnostic> {
        findings_rows(rule, &[cell], policy)
    }

    /// Findings of `rule` for a phone cell in a campaign.
    pub fn campaign_findings(
        rule: &Rule,
        cell: &str,
        policy: &ContactPolicy,
        campaign: &CampaignContext,
    ) -> Vec<Diagnostic> {
        rows_with(rule, &[cell], policy, Some(campaign))
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
        let linter = ContactLinter::new(&policy, &settings, Arc::from("t.csv"), "phone", None)
            .for_campaign(campaign);
        let row = ContactRow {
            line: 2,
            row: 1,
            phone: "+919876543210".into(),
            last_inbound: Some(last.to_string()),
            ..ContactRow::default()
        };
        let mut out = Vec::new();
        let facts = phone::analyse(&row.phone, None);
        linter.check_row(&row, Some(&facts), &mut out);
        out.retain(|d| *d.rule == super::outside_service_window::RULE);
        out
    }

    /// Findings of `rule` over several rows.
    pub fn findings_rows(rule: &Rule, cells: &[&str], policy: &ContactPolicy) -> Vec<Diagnostic> {
        rows_with(rule, cells, policy, None)
    }

    fn rows_with(
        rule: &Rule,
        cells: &[&str],
        policy: &ContactPolicy,
        campaign: Option<&CampaignContext>,
    ) -> Vec<Diagnostic> {
        let settings = RuleSettings::default();
        let mut linter = ContactLinter::new(policy, &settings, Arc::from("t.csv"), "phone", None);
        if let Some(c) = campaign {
            linter = linter.for_campaign(c.clone());
        }
        let mut seen = duplicate_recipient::SeenNumbers::default();
        seen.enter(linter.path());
        let mut out = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let row = ContactRow {
                line: i as u64 + 2,
                row: i as u64 + 1,
                phone: cell.to_string(),
                ..ContactRow::default()
            };
            let facts = phone::analyse_with_own(cell, policy.reading(), None);
            linter.check_row(&row, Some(&facts), &mut out);
            linter.check_in_order(&mut seen, &row, Some(&facts), &mut out);
        }
        out.retain(|d| d.rule == rule);
        out
    }
}
