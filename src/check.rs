//! The `check` job: expands the paths, recognises each input's kind, streams each contact
//! list through the phone reader (in parallel, a chunk of rows at a time) and the contact
//! rules (in order), and gathers the findings into a [`Report`]. It owns the data flow, not
//! the judgement (rules) nor the formatting (report).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::error::Error;
use crate::input::contacts::{ColumnChoice, ContactReader, ContactRow};
use crate::input::kind::{self, Kind};
use crate::input::suppression;
use crate::phone::{self, PhoneFacts, RegionCode};
use crate::report::Report;
use crate::rules::RuleSettings;
use crate::rules::contacts::{ContactLinter, ContactPolicy};

/// Rows read and validated per step. Big enough to keep both cores busy, small enough that
/// memory does not grow with the file.
const CHUNK_ROWS: usize = 8192;

/// What to check and how, after the command line and the config are merged.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Files or directories; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// Column names to read.
    pub columns: ColumnChoice,
    /// Which rules run, at which severity.
    pub settings: RuleSettings,
    /// What the config says about recipients.
    pub policy: ContactPolicy,
}

impl CheckOptions {
    /// Options from a config plus command-line overrides. Loads the suppression lists.
    pub fn from_config(config: &Config, overrides: Overrides) -> Result<CheckOptions, Error> {
        let default_region = overrides.default_region.or(config.default_region);
        let mut policy = ContactPolicy {
            default_region,
            sender: config.sender,
            allowed_countries: config.allowed_countries.clone(),
            blocked_countries: config.blocked_countries.clone(),
            suppression: Default::default(),
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
        Ok(CheckOptions {
            paths: overrides.paths,
            columns: ColumnChoice {
                phone: overrides
                    .phone_column
                    .or_else(|| config.phone_column.clone()),
                opt_in: config.opt_in_column.clone(),
            },
            settings,
            policy,
        })
    }
}

/// Command-line values that take precedence over the config.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Paths to check.
    pub paths: Vec<PathBuf>,
    /// `--default-region`.
    pub default_region: Option<RegionCode>,
    /// `--phone-column`.
    pub phone_column: Option<String>,
    /// `--select` (replaces the config's selection).
    pub select: Vec<String>,
    /// `--ignore` (added to the config's).
    pub ignore: Vec<String>,
}

/// Runs the check over every input.
pub fn run(options: &CheckOptions) -> Result<Report, Error> {
    let mut report = Report::default();
    for path in kind::expand(&options.paths)? {
        check_path(&path, options, &mut report)?;
    }
    report.finish();
    Ok(report)
}

fn check_path(path: &Path, options: &CheckOptions, report: &mut Report) -> Result<(), Error> {
    let shown = if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let mut input = kind::open(path)?;
    let kind = kind::sniff(&mut input).map_err(|source| Error::Io {
        path: shown.clone(),
        source,
    })?;
    match kind {
        Kind::Contacts => check_contacts(&shown, input, options, report),
        Kind::Json => Err(Error::input(
            &shown,
            None,
            "JSON inputs (message payloads, template registries) are not supported by this version",
        )),
    }
}

/// Lints one contact list from a stream; adds its rows and findings to `report`.
pub fn check_contacts<R: BufRead + Send>(
    shown: &str,
    input: R,
    options: &CheckOptions,
    report: &mut Report,
) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: shown.to_string(),
        source,
    };
    let mut reader = ContactReader::open(shown, input, &options.columns)?;
    let mut linter = ContactLinter::new(
        &options.policy,
        &options.settings,
        Arc::from(shown),
        reader.phone_column(),
        reader.opt_in_column(),
    );
    let region = options.policy.default_region;
    let analyse = |row: &ContactRow| {
        row.fault
            .is_none()
            .then(|| phone::analyse(&row.phone, region))
    };
    let mut current = Vec::with_capacity(CHUNK_ROWS);
    let mut next = Vec::with_capacity(CHUNK_ROWS);
    let mut facts: Vec<Option<PhoneFacts>> = Vec::with_capacity(CHUNK_ROWS);
    reader.read_chunk(&mut current, CHUNK_ROWS).map_err(io)?;
    while !current.is_empty() {
        // Read the next chunk on this thread while the pool validates the current one.
        let (read, ()) = rayon::join(
            || reader.read_chunk(&mut next, CHUNK_ROWS),
            || current.par_iter().map(analyse).collect_into_vec(&mut facts),
        );
        read.map_err(io)?;
        for (row, f) in current.iter().zip(&facts) {
            linter.check(row, f.as_ref(), &mut report.diagnostics);
        }
        report.rows += current.len() as u64;
        std::mem::swap(&mut current, &mut next);
    }
    report.files += 1;
    Ok(())
}
