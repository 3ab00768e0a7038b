//! A request's options, from its query string — the `walint check` and `walint fix`
//! options a web app needs (`?region=IN&campaign=diwali-offer&format=sarif`) — and the
//! [`CheckOptions`] they make with the loaded walint.toml. An unknown or malformed option
//! is refused (400), never ignored.

use axum::http::Uri;
use serde::Deserialize;

use super::upload::Spool;
use crate::check::{CheckOptions, Overrides};
use crate::config::{Config, MediaConfig};
use crate::error::Error;
use crate::phone::RegionCode;

/// The findings a check of the service holds in memory before spilling to disk (the
/// command holds 65,536): 4,096 keep a running check's findings to a few megabytes.
const HELD_FINDINGS: usize = 4096;

/// The query options `POST /v1/check` and `POST /v1/fix` take.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Params {
    /// `--default-region`.
    region: Option<String>,
    /// `--select`, comma-separated.
    select: Option<String>,
    /// `--ignore`, comma-separated.
    ignore: Option<String>,
    /// `--campaign`: the upload is that campaign's contact list.
    campaign: Option<String>,
    /// `--no-header`.
    no_header: Option<bool>,
    /// `--phone-column`.
    phone_column: Option<String>,
    /// `--country-column`.
    country_column: Option<String>,
    /// `--sheet`.
    sheet: Option<String>,
    /// `--encoding`.
    encoding: Option<String>,
    /// `--assume-international`.
    assume_international: Option<bool>,
    /// Probe media links (public hosts only); off by default.
    probe_media: Option<bool>,
    /// The name of a file sent as the whole body.
    pub(super) name: Option<String>,
    /// check: the report format.
    pub(super) format: Option<String>,
    /// check: mask phone numbers (default: as the format's `--redact` default).
    pub(super) redact: Option<bool>,
    /// fix: one output alone (`clean`, `rejects`, `results`, `summary`).
    pub(super) part: Option<String>,
    /// fix: which rows' results to send (`all`, `rejected`).
    pub(super) results: Option<String>,
    /// fix: `--output-encoding`.
    output_encoding: Option<String>,
    /// fix: `--output-delimiter`.
    output_delimiter: Option<String>,
}

impl Params {
    /// Whether it holds options only `/v1/fix` takes.
    pub(super) fn is_fix_only(&self) -> bool {
        self.part.is_some()
            || self.results.is_some()
            || self.output_encoding.is_some()
            || self.output_delimiter.is_some()
    }

    /// How `walint fix` writes its outputs (`output_encoding`, `output_delimiter`).
    pub(super) fn output_form(&self) -> Result<crate::fix::OutputForm, Error> {
        let encoding = match &self.output_encoding {
            None => crate::fix::OutputEncoding::Same,
            Some(text) => crate::fix::OutputEncoding::parse(text).ok_or_else(|| {
                Error::Usage(format!(
                    "output_encoding: '{text}' is not same, utf-8 or utf-8-bom"
                ))
            })?,
        };
        let delimiter = match &self.output_delimiter {
            None => None,
            Some(text) => crate::fix::parse_delimiter(text).ok_or_else(|| {
                Error::Usage(format!(
                    "output_delimiter: '{text}' is not same, `,`, `;`, tab or `|`"
                ))
            })?,
        };
        Ok(crate::fix::OutputForm {
            encoding,
            delimiter,
        })
    }

    /// Reads the query string of `uri`; the error says what is wrong with it (a 400).
    pub(super) fn parse(uri: &Uri) -> Result<Params, String> {
        axum::extract::Query::<Params>::try_from_uri(uri)
            .map(|q| q.0)
            .map_err(|e| {
                let text = e.body_text();
                let why = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                format!("query string: {why} (see the README's `walint serve` section)")
            })
    }

    /// The options of a check of `spool`'s files with `config`, as the command line would
    /// set them. With a campaign the upload is that campaign's contact list; media links
    /// are probed only when asked (refused when walint.toml says `[media] offline`), never
    /// on private addresses, and for `probe_budget` at most.
    pub(super) fn options(
        &self,
        config: &Config,
        spool: &Spool,
        probe_budget: std::time::Duration,
    ) -> Result<CheckOptions, Error> {
        let list = |v: &Option<String>| -> Vec<String> {
            v.iter()
                .flat_map(|s| s.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        let default_region = self
            .region
            .as_deref()
            .map(|r| {
                RegionCode::parse(r).ok_or_else(|| {
                    Error::Usage(format!("region: '{r}' is not a region code (e.g. IN, GB)"))
                })
            })
            .transpose()?;
        let encoding = self
            .encoding
            .as_deref()
            .map(|label| {
                crate::input::encoding::from_label(label).ok_or_else(|| {
                    Error::Usage(format!(
                        "encoding: '{label}' is not an encoding label (e.g. utf-8, windows-1252)"
                    ))
                })
            })
            .transpose()?;
        let paths = spool.files.iter().map(|f| f.path.clone()).collect();
        let overrides = Overrides {
            paths: if self.campaign.is_some() {
                Vec::new()
            } else {
                paths
            },
            default_region,
            assume_international: self.assume_international.unwrap_or(false),
            no_header: self.no_header.unwrap_or(false),
            encoding,
            sheet: self.sheet.clone(),
            phone_column: self.phone_column.clone(),
            country_column: self.country_column.clone(),
            select: list(&self.select),
            ignore: list(&self.ignore),
            campaign: self.campaign.clone(),
            media: MediaConfig {
                offline: !self.probe_media.unwrap_or(false),
                ..MediaConfig::default()
            },
            path_base: Some(spool.dir().to_path_buf()),
            progress: false,
            ..Overrides::default()
        };
        if self.probe_media == Some(true) && config.media.offline {
            return Err(Error::Usage(
                "probe_media=true: this service's walint.toml sets [media] offline = true, so it probes no link".into(),
            ));
        }
        let mut options = CheckOptions::from_config(config, overrides)?;
        // The SSRF guard stays on whatever walint.toml allows: an upload must not make
        // the service fetch from its own network.
        options.media.probe.allow_private = false;
        options.media.probe.resolve.clear();
        // Probing holds a turn: it may take no longer than the service allows.
        let probe = &mut options.media.probe;
        probe.budget = probe.budget.min(probe_budget);
        probe.timeout = probe.timeout.min(probe_budget);
        // Several checks run at once: each holds fewer findings in memory and spills the
        // rest to disk sooner (about 600 bytes a finding held).
        options.held_findings = Some(HELD_FINDINGS);
        if let Some(name) = &self.campaign
            && !options.campaigns.iter().any(|c| &c.name == name)
        {
            let known: Vec<&str> = options.campaigns.iter().map(|c| c.name.as_str()).collect();
            return Err(Error::Usage(if known.is_empty() {
                format!("campaign '{name}': the service's walint.toml defines no campaign")
            } else {
                format!(
                    "campaign '{name}': no such campaign (the service's walint.toml has: {})",
                    known.join(", ")
                )
            }));
        }
        if self.campaign.is_some() {
            let files = spool.files.iter().map(|f| f.path.clone()).collect();
            options.replace_campaign_contacts(files)?;
        }
        Ok(options)
    }
}
