//! The campaign side of `check`: for each `[[campaign]]`, checks the definition once
//! against the template registry with the message rules that judge a definition
//! ([`InCampaign::Definition`]; findings placed at the campaign in walint.toml), then
//! streams its contact files a chunk at a time (`rows`) and for every row runs, in
//! parallel, the contact rules with the campaign's context and the message rules that
//! judge a row's values ([`InCampaign::EveryRow`]) on the exact message the row would
//! send, each finding placed at the CSV cell that supplied the value. It owns the data
//! flow, not the judgement (rules) nor the message building (`campaign`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::rows::{self, Chunk};
use super::{CheckOptions, RowSink};
use crate::campaign::{BuiltMessage, Campaign, Link, MessageBuilder};
use crate::diagnostic::{Diagnostic, Location};
use crate::error::Error;
use crate::input::contacts::{ColumnChoice, ContactReader, ContactRow, shared_path};
use crate::input::kind::{self, ContactInput};
use crate::input::spreadsheet::Sheet;
use crate::media::{MediaKind, MediaLinks, Seen};
use crate::phone::PhoneFacts;
use crate::phone_workers::PhoneWorkers;
use crate::report::Report;
use crate::rules::InCampaign;
use crate::rules::contacts::duplicate_recipient::SeenNumbers;
use crate::rules::contacts::{CampaignContext, ContactLinter, ServiceWindow};
use crate::rules::media as media_rules;
use crate::rules::payloads::{MessageFn, PayloadCheck, enabled_checks};
use crate::template::TemplateRegistry;

/// A recipient that passes the definition rules, used for the one-off definition check.
const PROBE_RECIPIENT: &str = "+14155550100";

/// What every file of a campaign is checked with, worked out once.
struct Plan<'a> {
    builder: MessageBuilder<'a>,
    row_rules: Vec<MessageFn>,
    /// The kind of the header's media link, when its links are collected (a template
    /// with a media header, and a media rule enabled).
    media: Option<MediaKind>,
    context: CampaignContext,
    columns: ColumnChoice,
}

impl<'a> Plan<'a> {
    fn new(
        campaign: &'a Campaign,
        options: &CheckOptions,
        templates: &'a TemplateRegistry,
    ) -> Self {
        let template = campaign.template(templates);
        // Without the template (or without a registry) there is nothing to hydrate.
        let row_rules = if campaign.is_free_form() || template.is_some() {
            enabled_checks(&options.settings, |c| c == InCampaign::EveryRow)
        } else {
            Vec::new()
        };
        let context = CampaignContext {
            name: campaign.name.clone(),
            marketing: template.is_some_and(|t| t.category() == "MARKETING"),
            window: match (&campaign.last_inbound_column, campaign.is_free_form()) {
                (Some(column), true) => Some(ServiceWindow {
                    send_at: campaign.send_at.unwrap_or_else(jiff::Timestamp::now),
                    column: Arc::from(column.as_str()),
                }),
                _ => None,
            },
        };
        let columns = ColumnChoice {
            phone: campaign
                .phone_column
                .clone()
                .or_else(|| options.columns.phone.clone()),
            opt_in: options.columns.opt_in.clone(),
            country: options.columns.country.clone(),
            values: campaign.value_columns(),
            last_inbound: context.window.as_ref().map(|w| w.column.to_string()),
            keep_raw: false,
            no_header: options.columns.no_header,
            encoding: options.columns.encoding,
            sheet: options.columns.sheet.clone(),
            record_bytes: options.columns.record_bytes,
            sheet_limits: options.columns.sheet_limits,
        };
        let builder = MessageBuilder::new(campaign, template);
        let wanted = template.is_some()
            && !campaign.is_free_form()
            && media_rules::any_enabled(&options.settings);
        let media = builder
            .header_link()
            .filter(|_| wanted)
            .and_then(|(kind, _)| MediaKind::from_name(kind));
        Plan {
            builder,
            row_rules,
            media,
            context,
            columns,
        }
    }
}

/// Checks one campaign: its definition once, then every row of its contact files as the
/// message it sends; adds files, rows and findings to `report`, media links to `links`.
pub fn check_campaign(
    campaign: &Campaign,
    options: &CheckOptions,
    templates: &TemplateRegistry,
    workers: &PhoneWorkers,
    report: &mut Report,
    links: &mut MediaLinks,
) -> Result<(), Error> {
    let plan = Plan::new(campaign, options, templates);
    check_definition(
        campaign,
        &plan.builder,
        options,
        templates,
        &mut report.diagnostics,
    );
    let mut seen = SeenNumbers::default();
    for path in contact_files(campaign)? {
        let shown = options.shown(&path);
        let input = kind::open_contacts(&path, &plan.columns)?;
        let mut reader = ContactReader::from_input(&shown, input, &plan.columns)
            .map_err(|e| in_campaign(e, campaign))?;
        let file = FileCheck {
            shown: shared_path(&shown),
            sheet: reader.sheet(),
            templates,
            plan: &plan,
            options,
        };
        let diagnostics = &mut report.diagnostics;
        let mut each = |_: &[ContactRow], found| diagnostics.extend(found);
        let rows = file.run(
            &mut reader,
            workers,
            &mut seen,
            Some(&mut *links),
            &mut each,
        )?;
        report.rows += rows;
        // Every row of a campaign is a message it sends.
        report.messages += rows;
        report.files += 1;
    }
    Ok(())
}

/// Judges one contact list as a file of `campaign`, keeping each row's raw bytes: the
/// definition's findings go to `definition`, the header and each chunk of rows with its
/// findings to `sink`. For `walint fix`.
#[allow(clippy::too_many_arguments)]
pub fn judge_file<R: std::io::BufRead + Send>(
    campaign: &Campaign,
    options: &CheckOptions,
    templates: &TemplateRegistry,
    workers: &PhoneWorkers,
    shown: &str,
    input: ContactInput<R>,
    definition: &mut impl Extend<Diagnostic>,
    sink: &mut impl RowSink,
) -> Result<u64, Error> {
    let mut plan = Plan::new(campaign, options, templates);
    plan.columns.keep_raw = true;
    check_definition(campaign, &plan.builder, options, templates, definition);
    let mut reader = ContactReader::from_input(shown, input, &plan.columns)
        .map_err(|e| in_campaign(e, campaign))?;
    sink.header(reader.raw(), reader.delimiter(), reader.encoding());
    let file = FileCheck {
        shown: shared_path(shown),
        sheet: reader.sheet(),
        templates,
        plan: &plan,
        options,
    };
    let mut each = |rows: &[ContactRow], found| sink.rows(rows, found);
    let rows = file.run(
        &mut reader,
        workers,
        &mut SeenNumbers::default(),
        None,
        &mut each,
    )?;
    sink.end(reader.blank_after());
    Ok(rows)
}

/// The contact files of a campaign: each path as given, each pattern's matches sorted.
pub(crate) fn contact_files(campaign: &Campaign) -> Result<Vec<PathBuf>, Error> {
    let (config, line) = &campaign.source;
    let mut files = Vec::new();
    for pattern in &campaign.contacts {
        let text = pattern.to_string_lossy();
        if !text.contains(['*', '?', '[']) {
            files.push(pattern.clone());
            continue;
        }
        let bad = |reason: String| {
            Error::config(
                config,
                Some(*line),
                format!("campaign `{}`: {reason}", campaign.name),
            )
        };
        let mut matched = pattern_matches(pattern)
            .map_err(|reason| bad(format!("`contacts` pattern '{text}': {reason}")))?;
        if matched.is_empty() {
            return Err(bad(format!("`contacts` pattern '{text}' matches no file")));
        }
        matched.sort();
        files.extend(matched);
    }
    Ok(files)
}

/// The most directory entries a `contacts` pattern may walk past (`/**/*.csv` would walk
/// the whole filesystem).
pub const MAX_PATTERN_ENTRIES: usize = 100_000;

/// The regular files a `contacts` pattern matches (`*` and `?` within one path component,
/// `**` across them), found by walking from its literal directory (the components before
/// the first one with a wildcard): links are not followed, ignore files are not applied
/// (contact lists are often git-ignored), and the walk stops with an error past
/// [`MAX_PATTERN_ENTRIES`] entries.
fn pattern_matches(pattern: &Path) -> Result<Vec<PathBuf>, String> {
    let text = pattern.to_string_lossy();
    let glob = globset::GlobBuilder::new(&text)
        .literal_separator(true)
        .build()
        .map_err(|e| e.kind().to_string())?
        .compile_matcher();
    let root: PathBuf = pattern
        .components()
        .take_while(|c| {
            !c.as_os_str()
                .to_string_lossy()
                .contains(['*', '?', '[', '{'])
        })
        .collect();
    // Without `**`, a match is exactly as deep as the pattern: no need to look deeper.
    let depth =
        (!text.contains("**")).then(|| pattern.components().count() - root.components().count());
    let relative = root.as_os_str().is_empty();
    let root = if relative { PathBuf::from(".") } else { root };
    let mut matched = Vec::new();
    let walker = ignore::WalkBuilder::new(&root)
        .standard_filters(false)
        .follow_links(false)
        .max_depth(depth)
        .build();
    for (seen, entry) in walker.enumerate() {
        if seen >= MAX_PATTERN_ENTRIES {
            return Err(format!(
                "walks more than {MAX_PATTERN_ENTRIES} entries under {}: name the lists' directory",
                root.display()
            ));
        }
        let Ok(entry) = entry else { continue };
        // A pattern with no directory part is walked from `.`, whose entries read `./x`.
        let path = match relative {
            true => entry.path().strip_prefix(".").unwrap_or(entry.path()),
            false => entry.path(),
        };
        if entry.file_type().is_some_and(|t| t.is_file()) && glob.is_match(path) {
            matched.push(path.to_path_buf());
        }
    }
    Ok(matched)
}

fn in_campaign(e: Error, campaign: &Campaign) -> Error {
    let (config, line) = &campaign.source;
    match e {
        Error::Input {
            path,
            line: l,
            reason,
        } => Error::Input {
            path,
            line: l,
            reason: format!("{reason} (campaign `{}`, {config}:{line})", campaign.name),
        },
        other => other,
    }
}

/// Runs the definition rules once on a message built with stand-in values; findings are
/// placed at the campaign in walint.toml.
fn check_definition(
    campaign: &Campaign,
    builder: &MessageBuilder,
    options: &CheckOptions,
    templates: &TemplateRegistry,
    out: &mut impl Extend<Diagnostic>,
) {
    if campaign.is_free_form() {
        return;
    }
    let stand_in = vec!["x"; builder.columns().len()];
    let built = builder.build(PROBE_RECIPIENT, &stand_in);
    let (config, line) = &campaign.source;
    let config: Arc<str> = Arc::from(options.shown(std::path::Path::new(&**config)));
    let locate = |_: &str| Location::File {
        path: Arc::clone(&config),
        line: Some(*line),
    };
    let cx = PayloadCheck::new(&built.message, templates, &locate).of_campaign();
    let mut found = Vec::new();
    for check in enabled_checks(&options.settings, |c| c == InCampaign::Definition) {
        check(&cx, &mut found);
    }
    out.extend(found.into_iter().filter_map(|mut d| {
        d.message = format!("campaign `{}`: {}", campaign.name, d.message);
        options.settings.apply(d)
    }));
}

/// One contact file of a campaign.
struct FileCheck<'a> {
    shown: Arc<str>,
    /// The sheet, when the file is a spreadsheet.
    sheet: Option<Arc<Sheet>>,
    templates: &'a TemplateRegistry,
    plan: &'a Plan<'a>,
    options: &'a CheckOptions,
}

impl FileCheck<'_> {
    /// Streams the file through the rules, passing each chunk with its findings to `each`
    /// and recording its media links in `links` (`None`: not collected, as for
    /// `walint fix`); `seen` holds the recipients of the campaign's earlier files. Returns
    /// the rows read.
    fn run<R: std::io::BufRead + Send>(
        &self,
        reader: &mut ContactReader<R>,
        workers: &PhoneWorkers,
        seen: &mut SeenNumbers,
        mut links: Option<&mut MediaLinks>,
        each: &mut dyn FnMut(&[ContactRow], Vec<Diagnostic>),
    ) -> Result<u64, Error> {
        let linter = ContactLinter::new(
            &self.options.policy,
            &self.options.settings,
            Arc::clone(&self.shown),
            reader.phone_column(),
            reader.opt_in_column(),
        )
        .for_campaign(self.plan.context.clone())
        .in_sheet(reader.sheet());
        seen.enter(&self.shown);
        let per_row = |row: &ContactRow, facts: Option<&PhoneFacts>, out: &mut Vec<Diagnostic>| {
            linter.check_row(row, facts, out);
            self.check_message(row, facts, out);
        };
        let mut in_order = |chunk: &mut Chunk| {
            chunk.check_in_order(&linter, seen);
            if let Some(links) = links.as_deref_mut() {
                self.record_links(chunk.rows, links);
            }
            each(chunk.rows, std::mem::take(&mut chunk.found));
        };
        rows::stream(reader, workers, &per_row, &mut in_order)
            .map_err(|source| Error::reading(&self.shown, source))
    }

    /// Builds the row's message and runs the row rules on it.
    fn check_message(
        &self,
        row: &ContactRow,
        facts: Option<&PhoneFacts>,
        out: &mut Vec<Diagnostic>,
    ) {
        if self.plan.row_rules.is_empty() || row.fault.is_some() {
            return;
        }
        let e164;
        let to = match facts.and_then(|f| f.number.as_ref().ok()) {
            Some(number) => {
                e164 = number.e164();
                e164.as_str()
            }
            None => row.phone.trim(),
        };
        let built = self.plan.builder.build(to, &row.values);
        let locate = |pointer: &str| self.cell(row, &built, pointer);
        let cx = PayloadCheck::new(&built.message, self.templates, &locate).of_campaign();
        let mut found = Vec::new();
        for check in &self.plan.row_rules {
            check(&cx, &mut found);
        }
        out.extend(
            found
                .into_iter()
                .filter_map(|d| self.options.settings.apply(d)),
        );
    }

    /// Records the header media links of a chunk's rows (those that build a message): a
    /// fixed link once for the chunk, at the campaign in walint.toml; a link from a column
    /// per row, at its cell.
    fn record_links(&self, rows: &[ContactRow], links: &mut MediaLinks) {
        let Some(kind) = self.plan.media else {
            return;
        };
        let Some((_, link)) = self.plan.builder.header_link() else {
            return;
        };
        let campaign = self.plan.builder.campaign();
        let sent = rows.iter().filter(|r| r.fault.is_none());
        match link {
            Link::Fixed(url) => {
                let (config, line) = &campaign.source;
                let seen = Seen {
                    url,
                    kind,
                    in_header: true,
                    count: sent.count() as u64,
                    send_at: campaign.send_at,
                    order: (config, *line),
                };
                links.record(seen, || Location::File {
                    path: Arc::clone(config),
                    line: Some(*line),
                });
            }
            &Link::Slot(slot) => {
                let column = &self.plan.builder.columns()[slot];
                for row in sent {
                    let url = row.values.get(slot).map_or("", |v| v.trim());
                    if url.is_empty() {
                        continue;
                    }
                    let seen = Seen {
                        url,
                        kind,
                        in_header: true,
                        count: 1,
                        send_at: campaign.send_at,
                        order: (&self.shown, row.line),
                    };
                    links.record(seen, || self.at(row, Some(column)));
                }
            }
        }
    }

    /// The CSV cell behind a pointer into a row's message (the whole row when no single
    /// column supplied it).
    fn cell(&self, row: &ContactRow, built: &BuiltMessage, pointer: &str) -> Location {
        let column = built
            .column_of(pointer)
            .map(|i| &self.plan.builder.columns()[i]);
        self.at(row, column)
    }

    /// The location of a row's cell in `column` (the whole row when `None`).
    fn at(&self, row: &ContactRow, column: Option<&Arc<str>>) -> Location {
        Location::Csv {
            path: Arc::clone(&self.shown),
            line: row.line,
            row: row.row,
            column: column.cloned(),
            sheet: self
                .sheet
                .as_ref()
                .map(|s| s.place(column.map(|c| &**c), row.line)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_within_and_across_components_without_following_links() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for file in [
            "a.csv",
            "b.txt",
            "sub/c.csv",
            "sub/deep/d.csv",
            ".hidden/e.csv",
        ] {
            let path = d.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "phone\n").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(d, d.join("sub/loop")).unwrap();
        let found = |pattern: &str| {
            let mut got: Vec<String> = pattern_matches(&d.join(pattern))
                .unwrap()
                .iter()
                .map(|p| {
                    p.strip_prefix(d)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/")
                })
                .collect();
            got.sort();
            got
        };
        assert_eq!(found("*.csv"), ["a.csv"]);
        assert_eq!(found("sub/*.csv"), ["sub/c.csv"]);
        assert_eq!(
            found("**/*.csv"),
            [".hidden/e.csv", "a.csv", "sub/c.csv", "sub/deep/d.csv"]
        );
        assert_eq!(found("s?b/**/d.csv"), ["sub/deep/d.csv"]);
        assert!(found("*.zzz").is_empty());
        assert!(pattern_matches(Path::new("lists/[.csv")).is_err());
    }
}
