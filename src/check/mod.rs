//! The `check` job: expands the paths, recognises each input's kind once, loads the
//! template registries, streams each contact list a chunk of rows at a time through the
//! phone reading and the contact rules (in parallel, duplicates in row order), each payload
//! file through the payload rules and each campaign through both, on rayon's pool, and
//! gathers the findings into a [`Report`]. It owns the data flow, not the judgement (rules)
//! nor the formatting (report).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod campaigns;
pub mod media;
mod payloads;
mod registries;
pub mod rows;

pub use self::media::MediaOptions;
use self::payloads::PayloadRun;
use self::registries::Registries;
use self::rows::Chunk;
use crate::campaign::Campaign;
use crate::config::{Config, MediaConfig};
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::input::contacts::{ColumnChoice, ContactReader, ContactRow};
use crate::input::encoding::EncodingSeen;
use crate::input::kind::{self, ContactInput, Kind, Recognised};
use crate::input::suppression;
use crate::media::MediaLinks;
use crate::phone::RegionCode;
use crate::phone_workers::PhoneWorkers;
use crate::report::Report;
use crate::report::findings::Findings;
use crate::rules::RuleSettings;
use crate::rules::contacts::duplicate_recipient::SeenNumbers;
use crate::rules::contacts::{ContactLinter, ContactPolicy};

/// What to check and how, after the command line and the config are merged.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Files or directories; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// Globs (gitignore syntax) left out of directory walks.
    pub exclude: Vec<String>,
    /// Pass over the paths a campaign reads as its contact list (`--skip-campaign-files`).
    pub skip_campaign_files: bool,
    /// Template registry files the payloads are checked against.
    pub registry: Vec<PathBuf>,
    /// Column names to read.
    pub columns: ColumnChoice,
    /// Which rules run, at which severity.
    pub settings: RuleSettings,
    /// What the config says about recipients.
    pub policy: ContactPolicy,
    /// The campaigns of the config.
    pub campaigns: Vec<Campaign>,
    /// `--campaign`: check only this campaign.
    pub campaign: Option<String>,
    /// How media links are probed.
    pub media: MediaOptions,
    /// How much of one payload message is read (`[limits] message_bytes`).
    pub message_bytes: usize,
    /// The config file the options came from, if any.
    pub config_file: Option<PathBuf>,
    /// The suppression lists read into the policy.
    pub suppression_files: Vec<PathBuf>,
    /// The directory paths are shown relative to (`--path-base`, else the current
    /// directory), absolute; `None` when neither can be known.
    pub path_base: Option<PathBuf>,
    /// How many findings a report holds in memory before spilling the rest to disk
    /// (`None`: [`HELD_FINDINGS`](crate::report::findings::HELD_FINDINGS)); `walint serve`,
    /// which runs several checks at once, holds fewer.
    pub held_findings: Option<usize>,
}

impl CheckOptions {
    /// An empty report whose findings spill to disk past [`CheckOptions::held_findings`].
    pub fn new_report(&self) -> Report {
        Report {
            diagnostics: self
                .held_findings
                .map_or_else(Findings::default, Findings::with_limit),
            ..Report::default()
        }
    }

    /// Options from a config plus command-line overrides. Loads the suppression lists.
    pub fn from_config(config: &Config, overrides: Overrides) -> Result<CheckOptions, Error> {
        let default_region = overrides.default_region.or(config.default_region);
        let mut policy = ContactPolicy {
            default_region,
            assume_international: overrides.assume_international || config.assume_international,
            sender: config.sender,
            allowed_countries: config.allowed_countries.clone(),
            blocked_countries: config.blocked_countries.clone(),
            suppression: Default::default(),
            opt_in_values: config.opt_in_values.clone(),
        };
        for list in &config.suppression {
            suppression::read_into(list, default_region, &mut policy.suppression)?;
        }
        let select = if overrides.select.is_empty() {
            config.select.clone()
        } else {
            overrides.select
        };
        let mut ignore = config.ignore.clone();
        ignore.extend(overrides.ignore);
        let settings = RuleSettings::new(select, ignore, &config.severity).map_err(Error::Usage)?;
        let mut registry = config.registry.clone();
        registry.extend(overrides.registry);
        kind::exclusions(Path::new("."), &overrides.exclude).map_err(Error::Usage)?;
        let mut exclude = config.exclude.clone();
        exclude.extend(overrides.exclude);
        Ok(CheckOptions {
            paths: overrides.paths,
            exclude,
            registry,
            columns: ColumnChoice {
                phone: overrides
                    .phone_column
                    .or_else(|| config.phone_column.clone()),
                opt_in: config.opt_in_column.clone(),
                country: overrides
                    .country_column
                    .or_else(|| config.country_column.clone()),
                no_header: overrides.no_header,
                encoding: overrides.encoding.or(config.encoding),
                sheet: overrides.sheet,
                record_bytes: Some(config.limits.record_bytes),
                sheet_limits: config.limits.sheets(),
                ..ColumnChoice::default()
            },
            settings,
            policy,
            campaigns: config.campaigns.clone(),
            skip_campaign_files: overrides.skip_campaign_files,
            campaign: overrides.campaign,
            media: MediaOptions::new(
                &overrides.media.over(&config.media),
                overrides.resolve,
                overrides.progress,
            ),
            message_bytes: config.limits.message_bytes,
            config_file: config.source.clone(),
            suppression_files: config.suppression.clone(),
            path_base: path_base(overrides.path_base.as_deref())?,
            held_findings: None,
        })
    }

    /// How `path` is shown in findings: `<stdin>` for `-`; relative to the path base when
    /// it lies under it (a campaign's contact list found from walint.toml's directory, an
    /// absolute path given); else as given.
    pub fn shown(&self, path: &Path) -> String {
        if path == Path::new("-") {
            return "<stdin>".to_string();
        }
        let relative = self.path_base.as_deref().and_then(|base| {
            let absolute = match path.is_absolute() {
                true => path.to_path_buf(),
                false => std::env::current_dir().ok()?.join(path),
            };
            let rest = absolute.strip_prefix(base).ok()?;
            (!rest.as_os_str().is_empty()).then(|| rest.display().to_string())
        });
        relative.unwrap_or_else(|| path.display().to_string())
    }

    /// The path base as a `file://` URI ending in `/` (SARIF's `%SRCROOT%`).
    pub fn path_base_uri(&self) -> Option<String> {
        let base = self.path_base.as_deref()?;
        url::Url::from_directory_path(base)
            .ok()
            .map(|u| u.to_string())
    }

    /// The campaigns to check: the one `--campaign` names, or every campaign when no path
    /// is given (the CI and pre-commit mode), else none.
    pub fn selected_campaigns(&self) -> Result<Vec<&Campaign>, Error> {
        match &self.campaign {
            Some(name) => match self.campaigns.iter().find(|c| &c.name == name) {
                Some(c) => Ok(vec![c]),
                None if self.campaigns.is_empty() => Err(Error::Usage(format!(
                    "--campaign {name}: the config defines no campaign ([[campaign]] in walint.toml)"
                ))),
                None => Err(Error::Usage(format!(
                    "--campaign {name}: no such campaign (the config has: {})",
                    self.campaigns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            },
            None if self.paths.is_empty() => {
                if self.campaigns.is_empty() {
                    Err(Error::Usage(
                        "nothing to check: give files or directories, or define campaigns ([[campaign]]) in walint.toml".into(),
                    ))
                } else {
                    Ok(self.campaigns.iter().collect())
                }
            }
            None => Ok(Vec::new()),
        }
    }
}

/// Command-line values that take precedence over the config.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Paths to check.
    pub paths: Vec<PathBuf>,
    /// `--registry` files (added to the config's).
    pub registry: Vec<PathBuf>,
    /// `--default-region`.
    pub default_region: Option<RegionCode>,
    /// `--assume-international` (or the config's `assume_international`).
    pub assume_international: bool,
    /// `--no-header`: the contact lists have no header row.
    pub no_header: bool,
    /// `--encoding`: the contact lists' text encoding.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// `--sheet`: the sheet of spreadsheet contact lists to read.
    pub sheet: Option<String>,
    /// `--phone-column`.
    pub phone_column: Option<String>,
    /// `--country-column`.
    pub country_column: Option<String>,
    /// `--select` (replaces the config's selection).
    pub select: Vec<String>,
    /// `--ignore` (added to the config's).
    pub ignore: Vec<String>,
    /// `--exclude` globs (added to the config's).
    pub exclude: Vec<String>,
    /// `--skip-campaign-files`: pass over the paths a campaign reads as its contacts.
    pub skip_campaign_files: bool,
    /// `--campaign`.
    pub campaign: Option<String>,
    /// The media flags (each over the config's `[media]`).
    pub media: MediaConfig,
    /// Host names answered with a fixed address instead of DNS (tests, internal CDNs).
    pub resolve: Vec<(String, std::net::SocketAddr)>,
    /// Whether a progress bar may be drawn while probing (the CLI; never the library).
    pub progress: bool,
    /// `--path-base`: show paths relative to this directory instead of the current one.
    pub path_base: Option<PathBuf>,
}

/// The absolute directory paths are shown relative to: `--path-base` (which must be a
/// directory; `..` and links resolved), else the current directory.
fn path_base(given: Option<&Path>) -> Result<Option<PathBuf>, Error> {
    match given {
        Some(dir) => match std::fs::canonicalize(dir) {
            Ok(base) if base.is_dir() => Ok(Some(base)),
            Ok(_) => Err(Error::Usage(format!(
                "--path-base {}: not a directory",
                dir.display()
            ))),
            Err(e) => Err(Error::Usage(format!("--path-base {}: {e}", dir.display()))),
        },
        None => Ok(std::env::current_dir().ok()),
    }
}

/// Every file a run with `options` reads: the paths (directories walked as the run walks
/// them), the registries, the suppression lists, the config file, and the campaigns'
/// contact files. No output (`check -o`, `fix`'s) may be one of them.
pub fn input_files(options: &CheckOptions) -> Vec<PathBuf> {
    let named = options.paths.iter().filter(|p| p.as_os_str() != "-");
    let walked = kind::expand(&options.paths, &options.exclude).unwrap_or_default();
    let contacts = options
        .campaigns
        .iter()
        .flat_map(|c| campaigns::contact_files(c).unwrap_or_default());
    named
        .cloned()
        .chain(walked.into_iter().map(|f| f.path))
        .chain(options.registry.iter().cloned())
        .chain(options.suppression_files.iter().cloned())
        .chain(options.config_file.iter().cloned())
        .chain(contacts)
        .collect()
}

/// Refuses `output` when it is one of `inputs` (compared after resolving links), naming
/// `what` writes it.
pub fn refuse_input_as_output(output: &Path, inputs: &[PathBuf], what: &str) -> Result<(), Error> {
    let Ok(out) = output.canonicalize() else {
        return Ok(()); // not there yet: no input can be it
    };
    if inputs
        .iter()
        .any(|i| i.canonicalize().is_ok_and(|i| i == out))
    {
        return Err(Error::Usage(format!(
            "{} is an input of this run (a list, payload, registry, suppression list or config): {what} never writes over one",
            output.display()
        )));
    }
    Ok(())
}

/// Runs the check over every input.
pub fn run(options: &CheckOptions) -> Result<Report, Error> {
    let campaigns = options.selected_campaigns()?;
    let paths = kind::expand(&options.paths, &options.exclude)?;
    let mut report = options.new_report();
    // Registries first (those among the paths are linted too), so that every payload file
    // is checked against all of them whatever the order of the paths.
    let mut registries = configured_registries(options)?;
    let mut rest = Vec::new();
    let mut held = 0;
    let campaign_files: Vec<PathBuf> = match options.skip_campaign_files {
        true => (options.campaigns.iter())
            .flat_map(|c| campaigns::contact_files(c).unwrap_or_default())
            .filter_map(|p| p.canonicalize().ok())
            .collect(),
        false => Vec::new(),
    };
    for found in &paths {
        let path = &found.path;
        if path
            .canonicalize()
            .is_ok_and(|p| campaign_files.contains(&p))
        {
            report.skipped.push(format!(
                "{}: a campaign's contact list, checked as its messages by `walint check` with no paths",
                options.shown(path)
            ));
            continue;
        }
        let input = Recognised::open(path, &mut held)?;
        match input.kind {
            // A JSON file found by walking that is not a registry (a package.json, a
            // tsconfig.json) is not walint's: skipped with a note. Named, it is an error.
            Kind::Registry if found.walked => {
                let shown = options.shown(path);
                match registries.add(&shown, input.into_input()?, true) {
                    Ok(()) => report.files += 1,
                    Err(Error::Input { .. }) => report
                        .skipped
                        .push(format!("{shown}: not payloads nor a template registry")),
                    Err(e) => return Err(e),
                }
            }
            Kind::Registry => {
                registries.add(&options.shown(path), input.into_input()?, true)?;
                report.files += 1;
            }
            Kind::Config => {
                return Err(Error::Usage(format!(
                    "{} is a walint config, not an input: give it with --config",
                    path.display()
                )));
            }
            // A report, baseline or SARIF file of walint's, committed beside the lists.
            Kind::WalintOutput => report.skipped.push(format!(
                "{}: walint's own output (a report, a baseline or SARIF), not an input",
                options.shown(path)
            )),
            Kind::Contacts | Kind::Spreadsheet | Kind::Payloads => rest.push((input, found.walked)),
        }
    }
    let templates = registries.finish(&options.settings, &mut report);
    let payload_run =
        PayloadRun::new(&templates, &options.settings).with_message_limit(options.message_bytes);
    let mut links = MediaLinks::default();
    std::thread::scope(|scope| {
        // One set of phone workers for the run: their per-thread phone libraries are built
        // once, whatever the number of files.
        let workers = PhoneWorkers::start(scope, options.policy.reading());
        for (input, walked) in rest {
            let shown = options.shown(&input.path);
            let path = input.path.clone();
            match input.kind {
                Kind::Payloads => payloads::check_payloads(
                    &shown,
                    &path,
                    input.into_input()?,
                    &payload_run,
                    &mut report,
                    &mut links,
                )?,
                _ => {
                    let reader = input.into_contacts(&options.columns).and_then(|contacts| {
                        ContactReader::from_input(&shown, contacts, &options.columns)
                    });
                    match reader {
                        // A file found by walking that is no contact list walint can read
                        // (a CSV of something else: no phone column) is said and passed
                        // over; the rest of the walk is checked. Named, it is an error.
                        Err(Error::Input { reason, .. }) if walked => report.skipped.push(format!(
                            "{shown}: not a contact list walint can read: {reason}"
                        )),
                        reader => {
                            check_contact_reader(&shown, reader?, options, &workers, &mut report)?
                        }
                    }
                }
            }
        }
        for campaign in &campaigns {
            campaigns::check_campaign(
                campaign,
                options,
                &templates,
                &workers,
                &mut report,
                &mut links,
            )?;
        }
        Ok::<(), Error>(())
    })?;
    media::check_links(&links, &templates, options, &mut report)?;
    Ok(report)
}

/// The registries `options` names (`--registry`, `registry = […]`), loaded but not linted.
fn configured_registries(options: &CheckOptions) -> Result<Registries, Error> {
    let mut registries = Registries::default();
    for file in &options.registry {
        registries.add(&options.shown(file), kind::open(file)?, false)?;
    }
    Ok(registries)
}

/// Lints message payloads from a stream — NDJSON when `shown` ends `.ndjson` or `.jsonl`,
/// else one JSON document — against the registries `options` names, probing their media
/// links as `options.media` says: what `check` does with a payload file.
pub fn check_payload_stream<R: BufRead + Send>(
    shown: &str,
    input: R,
    options: &CheckOptions,
) -> Result<Report, Error> {
    let mut report = options.new_report();
    let templates = configured_registries(options)?.finish(&options.settings, &mut report);
    let run =
        PayloadRun::new(&templates, &options.settings).with_message_limit(options.message_bytes);
    let mut links = MediaLinks::default();
    payloads::check_payloads(
        shown,
        Path::new(shown),
        input,
        &run,
        &mut report,
        &mut links,
    )?;
    media::check_links(&links, &templates, options, &mut report)?;
    Ok(report)
}

/// Lints one template registry (a Graph API export or a bare array of templates) from a
/// stream: what `check` does with a registry file.
pub fn check_registry_stream(
    shown: &str,
    input: impl std::io::Read,
    options: &CheckOptions,
) -> Result<Report, Error> {
    let mut report = options.new_report();
    let mut registries = Registries::default();
    registries.add(shown, input, true)?;
    report.files += 1;
    registries.finish(&options.settings, &mut report);
    Ok(report)
}

impl CheckOptions {
    /// Makes `files` the contact lists of the campaign `self.campaign` names, in place of
    /// those walint.toml gives it: an upload checked as that campaign's list.
    pub fn replace_campaign_contacts(&mut self, files: Vec<PathBuf>) -> Result<(), Error> {
        let Some(name) = &self.campaign else {
            return Err(Error::Usage(
                "no campaign named: give one (--campaign NAME)".into(),
            ));
        };
        let found = self.campaigns.iter_mut().find(|c| &c.name == name);
        match found {
            Some(campaign) => {
                campaign.contacts = files;
                Ok(())
            }
            None => self.selected_campaigns().map(|_| ()),
        }
    }
}

/// Receives a contact list judged by [`judge_list`].
pub trait RowSink {
    /// The header row as it stands in the file (decoded), the delimiter, and the encoding
    /// the file turns out to be in (see `input::encoding`), before any row.
    fn header(&mut self, raw: &[u8], delimiter: u8, encoding: EncodingSeen);
    /// A chunk of rows, in order, with their findings (in row order).
    fn rows(&mut self, rows: &[ContactRow], found: Vec<Diagnostic>);
    /// The end of the file, with the whitespace-only lines after its last row.
    fn end(&mut self, blank_after: &[u8]);
}

/// Judges one contact list row by row, keeping each row's raw bytes — the check behind
/// `walint fix`. With `--campaign` (`options.campaign`) the list is judged as a file of that
/// campaign (its columns, message and campaign rules; the registries are loaded), else as
/// a plain list.
/// `sink` gets the header, then every chunk of rows with their findings (severity settings
/// applied). Returns the campaign definition's findings (empty for a plain list) and the
/// rows read.
pub fn judge_list<R: BufRead + Send>(
    options: &CheckOptions,
    shown: &str,
    input: ContactInput<R>,
    sink: &mut impl RowSink,
) -> Result<(Vec<Diagnostic>, u64), Error> {
    let campaign = match &options.campaign {
        Some(_) => options.selected_campaigns()?.into_iter().next(),
        None => None,
    };
    let registries = match campaign {
        Some(_) => configured_registries(options)?,
        None => Registries::default(),
    };
    let mut registry_findings = Report::default();
    let templates = registries.finish(&options.settings, &mut registry_findings);
    // A handful at most (the registry's and the campaign definition's own findings).
    let mut definition: Vec<Diagnostic> =
        registry_findings
            .diagnostics
            .to_vec()
            .map_err(|source| Error::Io {
                path: shown.to_string(),
                source,
            })?;
    std::thread::scope(|scope| {
        let workers = PhoneWorkers::start(scope, options.policy.reading());
        let rows = match campaign {
            Some(campaign) => campaigns::judge_file(
                campaign,
                options,
                &templates,
                &workers,
                shown,
                input,
                &mut definition,
                sink,
            )?,
            None => {
                let columns = ColumnChoice {
                    keep_raw: true,
                    ..options.columns.clone()
                };
                let reader = ContactReader::from_input(shown, input, &columns)?;
                judge_contacts(shown, reader, options, &workers, sink)?
            }
        };
        Ok((definition, rows))
    })
}

/// Lints one contact list from a stream (text or a sheet); adds its rows and findings to
/// `report`.
pub fn check_contacts<R: BufRead + Send>(
    shown: &str,
    input: ContactInput<R>,
    options: &CheckOptions,
    workers: &PhoneWorkers,
    report: &mut Report,
) -> Result<(), Error> {
    let reader = ContactReader::from_input(shown, input, &options.columns)?;
    check_contact_reader(shown, reader, options, workers, report)
}

/// Lints one contact list whose header is read; adds its rows and findings to `report`.
fn check_contact_reader<R: BufRead + Send>(
    shown: &str,
    reader: ContactReader<R>,
    options: &CheckOptions,
    workers: &PhoneWorkers,
    report: &mut Report,
) -> Result<(), Error> {
    /// Findings straight into the report; the rows themselves are not kept.
    struct Collect<'r>(&'r mut Findings);
    impl RowSink for Collect<'_> {
        fn header(&mut self, _: &[u8], _: u8, _: EncodingSeen) {}
        fn rows(&mut self, _: &[ContactRow], found: Vec<Diagnostic>) {
            self.0.extend(found);
        }
        fn end(&mut self, _: &[u8]) {}
    }
    let mut sink = Collect(&mut report.diagnostics);
    report.rows += judge_contacts(shown, reader, options, workers, &mut sink)?;
    report.files += 1;
    Ok(())
}

/// Streams a plain contact list, its header read, through the phone reading and the
/// contact rules; `sink` gets the header, then each chunk with its findings. Returns the
/// rows read.
fn judge_contacts<R: BufRead + Send>(
    shown: &str,
    mut reader: ContactReader<R>,
    options: &CheckOptions,
    workers: &PhoneWorkers,
    sink: &mut impl RowSink,
) -> Result<u64, Error> {
    sink.header(reader.raw(), reader.delimiter(), reader.encoding());
    let linter = ContactLinter::new(
        &options.policy,
        &options.settings,
        Arc::from(shown),
        reader.phone_column(),
        reader.opt_in_column(),
    )
    .in_sheet(reader.sheet());
    let mut seen = SeenNumbers::default();
    seen.enter(linter.path());
    let per_row = |row: &ContactRow, facts: Option<&_>, out: &mut Vec<Diagnostic>| {
        linter.check_row(row, facts, out);
    };
    let mut in_order = |chunk: &mut Chunk| {
        chunk.check_in_order(&linter, &mut seen);
        sink.rows(chunk.rows, std::mem::take(&mut chunk.found));
    };
    let rows = rows::stream(&mut reader, workers, &per_row, &mut in_order)
        .map_err(|source| Error::reading(shown, source))?;
    sink.end(reader.blank_after());
    Ok(rows)
}
