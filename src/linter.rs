//! The library's front door for programs that embed walint (an upload backend, a CI
//! plugin): a [`Linter`] holds the settings of a run — a walint.toml or the defaults, a
//! default region, rule selection — and checks a contact list from any reader, or files
//! and directories by path, into a [`Report`]. It owns no judgement (rules), no reading
//! (input) and no formatting (report): it wires them as the `check` command does. Media
//! links are not probed unless asked ([`Linter::probe_media`]).
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

use std::io::BufRead;
use std::path::PathBuf;

use crate::check::{self, CheckOptions, Overrides};
use crate::config::{Config, MediaConfig};
use crate::error::Error;
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
            let workers = PhoneWorkers::start(scope, options.policy.default_region);
            let mut report = Report::default();
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

    /// Checks files and directories (contact lists, spreadsheets, payloads, registries,
    /// each recognised by content), as `walint check PATHS…` does; with no paths, the
    /// campaigns of the config.
    pub fn check_paths(&self, paths: &[PathBuf]) -> Result<Report, Error> {
        check::run(&self.options(paths.to_vec())?)
    }
}
