//! The library's front door for programs that embed walint (an upload backend, a CI
//! plugin): a [`Linter`] holds the settings of a run — a walint.toml or the defaults, a
//! default region, rule selection — and checks a contact list, message payloads or a
//! template registry from any reader, a contact list as a campaign's, or files and
//! directories by path, into a [`Report`]; and splits a list into clean and rejected rows
//! through a [`SplitSink`], as `walint fix` does. It owns no judgement (rules), no reading
//! (input) and no formatting (report): it wires them as the commands do, so the library
//! and the command give the same findings. Media links are not probed unless asked
//! ([`Linter::probe_media`]).
//!
//! ```
//! use walint::linter::Linter;
//!
//! let linter = Linter::new().with_default_region("IN")?;
//! let upload = "name,phone\nAsha,098765 43210\nRavi,+919812345678\nMeera,+9198123\n";
//! let report = linter.check_contacts("upload.csv", upload.as_bytes())?;
//! assert_eq!(report.rows, 3);
//! let codes: Vec<&str> = report
//!     .diagnostics
//!     .to_vec()
//!     .unwrap()
//!     .iter()
//!     .map(|d| d.code())
//!     .collect();
//! assert_eq!(codes, ["WAC001", "WAC002"]); // a fixable spelling, an invalid number
//! # Ok::<(), walint::error::Error>(())
//! ```
//!
//! Splitting a list through a sink — here, keeping the numbers to send and the rejected
//! rows' reasons in memory:
//!
//! ```
//! use walint::diagnostic::Diagnostic;
//! use walint::error::Error;
//! use walint::fix::{SplitSink, Verdict};
//! use walint::input::contacts::ContactRow;
//! use walint::input::encoding::EncodingSeen;
//! use walint::linter::Linter;
//!
//! #[derive(Default)]
//! struct Sorted {
//!     send: Vec<String>,
//!     rejected: Vec<(u64, Vec<&'static str>)>,
//! }
//!
//! impl SplitSink for Sorted {
//!     fn header(&mut self, _: &[u8], _: u8, _: &EncodingSeen) -> Result<(), Error> {
//!         Ok(())
//!     }
//!     fn row(&mut self, row: &ContactRow, _: &[&Diagnostic], verdict: &Verdict<'_>) -> Result<(), Error> {
//!         match verdict {
//!             Verdict::Clean => self.send.push(row.phone.clone()),
//!             Verdict::Fixed(e164) => self.send.push(e164.to_string()),
//!             Verdict::Rejected(why) => self.rejected.push((row.row, why.iter().map(|d| d.code()).collect())),
//!         }
//!         Ok(())
//!     }
//!     fn end(&mut self, _: &[u8]) -> Result<(), Error> {
//!         Ok(())
//!     }
//! }
//!
//! let linter = Linter::new().with_default_region("IN")?;
//! let upload = "name,phone\nAsha,098765 43210\nRavi,+919812345678\nMeera,+9198123\nAsha K,+91 98765 43210\n";
//! let mut sorted = Sorted::default();
//! let (_, rows) = linter.split("upload.csv", upload.as_bytes(), None, &mut sorted)?;
//! assert_eq!(rows, 4);
//! assert_eq!(sorted.send, ["+919876543210", "+919812345678"]);
//! assert_eq!(sorted.rejected, [(3, vec!["WAC002"]), (4, vec!["WAC004"])]);
//! # Ok::<(), walint::error::Error>(())
//! ```

use std::io::BufRead;
use std::path::PathBuf;

use crate::check::{self, CheckOptions, Overrides};
use crate::config::{Config, MediaConfig};
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::fix::SplitSink;
use crate::input::kind::ContactInput;
use crate::phone::RegionCode;
use crate::phone_workers::PhoneWorkers;
use crate::report::Report;

/// The settings of a run, reusable for many checks.
#[derive(Debug, Clone)]
pub struct Linter {
    config: Config,
    overrides: Overrides,
}

impl Default for Linter {
    fn default() -> Self {
        Linter::new()
    }
}

impl Linter {
    /// Every rule at its default severity, no walint.toml, media links not probed.
    pub fn new() -> Linter {
        Linter::with_config(Config::default())
    }

    /// The settings of a walint.toml ([`Config::load`]), media links not probed.
    pub fn with_config(config: Config) -> Linter {
        Linter {
            config,
            overrides: Overrides {
                media: MediaConfig {
                    offline: true,
                    ..MediaConfig::default()
                },
                ..Overrides::default()
            },
        }
    }

    /// Reads numbers written without a country code as numbers of `region` (ISO 3166-1
    /// alpha-2, e.g. `IN`).
    pub fn with_default_region(mut self, region: &str) -> Result<Linter, Error> {
        let code = RegionCode::parse(region).ok_or_else(|| {
            Error::Usage(format!("'{region}' is not a region code (e.g. IN, GB)"))
        })?;
        self.overrides.default_region = Some(code);
        Ok(self)
    }

    /// Runs only these rules (codes, prefixes such as `WAC`, names), as `--select`.
    pub fn select(mut self, rules: &[&str]) -> Linter {
        self.overrides.select = rules.iter().map(|r| r.to_string()).collect();
        self
    }

    /// Probes media links (HTTP requests to public hosts only), as `check` does without
    /// `--offline`.
    pub fn probe_media(mut self) -> Linter {
        self.overrides.media.offline = false;
        self
    }

    fn options(&self, paths: Vec<PathBuf>) -> Result<CheckOptions, Error> {
        let overrides = Overrides {
            paths,
            ..self.overrides.clone()
        };
        CheckOptions::from_config(&self.config, overrides)
    }

    /// Checks one contact list (CSV or TSV text, any encoding walint reads) from `reader`;
    /// `name` stands for it in the findings' locations.
    pub fn check_contacts<R: BufRead + Send>(
        &self,
        name: &str,
        reader: R,
    ) -> Result<Report, Error> {
        let options = self.options(Vec::new())?;
        std::thread::scope(|scope| {
            let workers = PhoneWorkers::start(scope, options.policy.reading());
            let mut report = options.new_report();
            check::check_contacts(
                name,
                ContactInput::Text(reader),
                &options,
                &workers,
                &mut report,
            )?;
            Ok(report)
        })
    }

    /// Checks message payloads (one JSON document, or NDJSON when `name` ends `.ndjson` or
    /// `.jsonl`) from `reader` against the registries of the config (`registry = […]`).
    pub fn check_payloads<R: BufRead + Send>(
        &self,
        name: &str,
        reader: R,
    ) -> Result<Report, Error> {
        check::check_payload_stream(name, reader, &self.options(Vec::new())?)
    }

    /// Lints a template registry (a Graph API export, or a bare array of templates) from
    /// `reader`.
    pub fn check_registry(&self, name: &str, reader: impl std::io::Read) -> Result<Report, Error> {
        check::check_registry_stream(name, reader, &self.options(Vec::new())?)
    }

    /// Checks a contact list from `reader` as the contact list of the config's campaign
    /// `campaign` (its message built for every row, the campaign rules, the definition
    /// checked against the registries): `walint check --campaign NAME` with this list in
    /// place of the campaign's files. The list is copied to a temporary file named `name`
    /// first (any size: it is streamed there), so a spreadsheet works too.
    pub fn check_campaign(
        &self,
        campaign: &str,
        name: &str,
        mut reader: impl std::io::Read,
    ) -> Result<Report, Error> {
        let dir = tempfile::Builder::new()
            .prefix("walint-campaign-")
            .tempdir()
            .map_err(|source| Error::Io {
                path: "<temporary directory>".into(),
                source,
            })?;
        let base = std::path::Path::new(name)
            .file_name()
            .unwrap_or(std::ffi::OsStr::new("contacts.csv"));
        let path = dir.path().join(base);
        let io = |source| Error::Io {
            path: name.to_string(),
            source,
        };
        let mut file = std::fs::File::create(&path).map_err(io)?;
        std::io::copy(&mut reader, &mut file).map_err(io)?;
        drop(file);
        let overrides = Overrides {
            campaign: Some(campaign.to_string()),
            path_base: Some(dir.path().to_path_buf()),
            ..self.overrides.clone()
        };
        let mut options = CheckOptions::from_config(&self.config, overrides)?;
        options.replace_campaign_contacts(vec![path])?;
        check::run(&options)
    }

    /// Splits a contact list from `reader` as `walint fix` does, handing every row with
    /// its findings and [`Verdict`](crate::fix::Verdict) to `sink` (nothing is written); with
    /// `campaign`, each row is judged as a row of that campaign of the config. Returns the
    /// campaign definition's findings and the rows read.
    pub fn split<R: BufRead + Send>(
        &self,
        name: &str,
        reader: R,
        campaign: Option<&str>,
        sink: &mut impl SplitSink,
    ) -> Result<(Vec<Diagnostic>, u64), Error> {
        let overrides = Overrides {
            campaign: campaign.map(str::to_string),
            ..self.overrides.clone()
        };
        let options = CheckOptions::from_config(&self.config, overrides)?;
        crate::fix::split(&options, name, ContactInput::Text(reader), sink)
    }

    /// Checks files and directories (contact lists, spreadsheets, payloads, registries,
    /// each recognised by content), as `walint check PATHS…` does; with no paths, the
    /// campaigns of the config.
    pub fn check_paths(&self, paths: &[PathBuf]) -> Result<Report, Error> {
        check::run(&self.options(paths.to_vec())?)
    }
}
