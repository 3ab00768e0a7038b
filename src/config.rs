//! `walint.toml` → a validated [`Config`]: finds the file upwards from the current directory
//! (or takes `--config`), rejects unknown keys and bad values with the file and line, and
//! resolves paths relative to the file. It reads the suppression lists it names only through
//! `input::suppression`; it never lints anything itself. [`MediaConfig`] is both `[media]`
//! and the media flags of `walint check`, so the file and the command line read their
//! numbers of links and seconds the same way.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::num::NonZeroUsize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::campaign::{BodyValues, ButtonValue, Campaign, CampaignMessage, HeaderValue};
use crate::diagnostic::Severity;
use crate::error::Error;
use crate::input::kind;
use crate::phone::{self, RegionCode};
use crate::rules;

/// The file name walint looks for.
pub const FILE_NAME: &str = "walint.toml";

/// walint.toml as written. Every key is optional; unknown keys are an error. The values
/// walint validates keep their spans, so that an error names the line of the value at fault.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    default_region: Option<Spanned<String>>,
    #[serde(default)]
    assume_international: bool,
    sender: Option<Spanned<String>>,
    #[serde(default)]
    allowed_countries: Vec<Spanned<String>>,
    #[serde(default)]
    blocked_countries: Vec<Spanned<String>>,
    #[serde(default)]
    suppression: Vec<String>,
    #[serde(default)]
    registry: Vec<String>,
    opt_in_column: Option<String>,
    #[serde(default)]
    opt_in_values: Vec<Spanned<String>>,
    phone_column: Option<String>,
    country_column: Option<String>,
    encoding: Option<Spanned<String>>,
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Severity>,
    fail_on: Option<Severity>,
    #[serde(default)]
    campaign: Vec<Spanned<RawCampaign>>,
    #[serde(default)]
    media: MediaConfig,
    #[serde(default)]
    limits: Limits,
}

/// The most links probed at once, in all or of one host.
const MAX_LINKS_AT_ONCE: usize = 65_536;

/// The longest time a media setting may name: ten years, in seconds.
const MAX_SECONDS: f64 = 315_360_000.0;

/// `[media]` in walint.toml and the media flags of `walint check` (each flag over the
/// file's key, see [`MediaConfig::over`]): how media links are probed. Unset numbers take
/// the prober's defaults. Both read their numbers with [`links_at_once`] and [`seconds`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize, clap::Args)]
#[serde(default, deny_unknown_fields)]
#[command(next_help_heading = "Media links")]
pub struct MediaConfig {
    /// Do not probe media links (rules that need no network still run; the summary says
    /// how many links were not probed).
    #[arg(long)]
    pub offline: bool,
    /// Probe links whose host is loopback, private or link-local (internal CDNs, tests).
    #[arg(long)]
    pub allow_private_hosts: bool,
    /// Links probed at once [default: 64].
    #[arg(long = "media-concurrency", value_name = "N", value_parser = links_flag)]
    #[serde(deserialize_with = "links_key")]
    pub concurrency: Option<NonZeroUsize>,
    /// Links of one host probed at once [default: 16].
    #[arg(long = "media-per-host", value_name = "N", value_parser = links_flag)]
    #[serde(deserialize_with = "links_key")]
    pub per_host: Option<NonZeroUsize>,
    /// Seconds each request may take [default: 10].
    #[arg(long = "media-timeout", value_name = "SECS", value_parser = positive_seconds_flag)]
    #[serde(deserialize_with = "positive_seconds_key")]
    pub timeout: Option<Duration>,
    /// Seconds the whole probing may take; links not probed by then are counted as such
    /// [default: 300].
    #[arg(long = "media-budget", value_name = "SECS", value_parser = positive_seconds_flag)]
    #[serde(deserialize_with = "positive_seconds_key")]
    pub budget: Option<Duration>,
    /// Keep probe results in FILE and reuse those younger than --media-cache-ttl.
    #[arg(long = "media-cache", value_name = "FILE")]
    pub cache: Option<PathBuf>,
    /// Seconds a cached probe result is reused [default: 3600].
    #[arg(long = "media-cache-ttl", value_name = "SECS", value_parser = seconds_flag)]
    #[serde(deserialize_with = "seconds_key")]
    pub cache_ttl: Option<Duration>,
}

/// `[limits]` in walint.toml: the most bytes walint reads of one contact record (a line,
/// a quoted cell's lines, a spreadsheet row's cells) and of one payload message; past them
/// the record or message is a finding at its place (WAC000, WAT000) and reading goes on.
/// Each 1 KiB to 16 MiB (past 16 MiB a line or JSON value ends the run: no text input has
/// one). And how far a spreadsheet may expand: the bytes its parts expand to, and the
/// memory of the process that reads it; past them the run stops (exit 2) naming the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// `record_bytes` (default 1 MiB).
    #[serde(deserialize_with = "bytes_key")]
    pub record_bytes: usize,
    /// `message_bytes` (default 1 MiB).
    #[serde(deserialize_with = "bytes_key")]
    pub message_bytes: usize,
    /// `sheet_bytes`: what a workbook's parts may expand to (default 512 MiB; 1 MiB to
    /// 16 GiB).
    #[serde(deserialize_with = "sheet_bytes_key")]
    pub sheet_bytes: u64,
    /// `sheet_memory`: the address space of the process that reads a workbook (default
    /// 448 MiB; 64 MiB to 64 GiB).
    #[serde(deserialize_with = "sheet_memory_key")]
    pub sheet_memory: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            record_bytes: crate::input::csv_records::MAX_RECORD_BYTES,
            message_bytes: crate::input::payloads::MAX_MESSAGE_BYTES,
            sheet_bytes: crate::input::spreadsheet::DEFAULT_WORKBOOK_BYTES,
            sheet_memory: crate::input::spreadsheet::DEFAULT_READER_MEMORY,
        }
    }
}

impl Limits {
    /// The limits a spreadsheet is read with.
    pub fn sheets(&self) -> crate::input::spreadsheet::SheetLimits {
        crate::input::spreadsheet::SheetLimits {
            workbook_bytes: self.sheet_bytes,
            memory: self.sheet_memory,
            row_bytes: self.record_bytes,
        }
    }
}

/// A number of bytes within `range` (`shown` says the range in words).
fn bytes_within(n: i64, range: std::ops::RangeInclusive<u64>, shown: &str) -> Result<u64, String> {
    u64::try_from(n)
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| format!("{n} is not a number of bytes {shown}"))
}

/// `[limits] sheet_bytes`: 1 MiB to 16 GiB.
fn sheet_bytes_key<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    bytes_within(
        i64::deserialize(d)?,
        (1 << 20)..=(16 << 30),
        "from 1048576 (1 MiB) to 17179869184 (16 GiB)",
    )
    .map_err(D::Error::custom)
}

/// `[limits] sheet_memory`: 64 MiB to 64 GiB.
fn sheet_memory_key<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    bytes_within(
        i64::deserialize(d)?,
        (64 << 20)..=(64 << 30),
        "from 67108864 (64 MiB) to 68719476736 (64 GiB)",
    )
    .map_err(D::Error::custom)
}

/// A size limit in bytes: 1 KiB to 16 MiB.
pub fn size_limit(n: i64) -> Result<usize, String> {
    const MOST: usize = crate::input::bounded::MAX_LINE_BYTES;
    usize::try_from(n)
        .ok()
        .filter(|n| (1024..=MOST).contains(n))
        .ok_or_else(|| format!("{n} is not a number of bytes from 1024 to {MOST} (16 MiB)"))
}

/// The most bytes `walint registry pull` takes from the Graph API and writes
/// (`--max-total-bytes`): 1 MiB to 4 GiB (an account's registry is a few megabytes).
pub fn pull_bytes(n: i64) -> Result<u64, String> {
    bytes_within(
        n,
        (1 << 20)..=(4 << 30),
        "from 1048576 (1 MiB) to 4294967296 (4 GiB)",
    )
}

/// A flag's number of bytes for a registry pull (`--max-total-bytes`).
pub fn pull_bytes_flag(text: &str) -> Result<u64, String> {
    let n = text
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number of bytes"))?;
    pull_bytes(n)
}

/// A key's size limit (`[limits]`).
fn bytes_key<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    size_limit(i64::deserialize(d)?).map_err(D::Error::custom)
}

/// A number of links probed at once (`concurrency`, `per_host`): 1 to 65,536.
pub fn links_at_once(n: i64) -> Result<NonZeroUsize, String> {
    usize::try_from(n)
        .ok()
        .filter(|&n| n <= MAX_LINKS_AT_ONCE)
        .and_then(NonZeroUsize::new)
        .ok_or_else(|| format!("{n} is not a number of links from 1 to {MAX_LINKS_AT_ONCE}"))
}

/// A number of seconds as a duration: not negative (greater than 0 when `positive`: a
/// timeout or budget of 0 would probe nothing), not NaN, and at most ten years.
pub fn seconds(value: f64, positive: bool) -> Result<Duration, String> {
    let least = if positive {
        "greater than 0"
    } else {
        "0 or more"
    };
    if (0.0..=MAX_SECONDS).contains(&value) && (value > 0.0 || !positive) {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(format!(
            "{value} is not a number of seconds {least} and at most {MAX_SECONDS} (ten years)"
        ))
    }
}

/// A flag's number of links (`--media-concurrency`, `--media-per-host`).
fn links_flag(text: &str) -> Result<NonZeroUsize, String> {
    let n = text
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    links_at_once(n)
}

/// A flag's number of seconds, 0 or more (`--media-cache-ttl`, `serve --shutdown-timeout`).
pub fn seconds_flag(text: &str) -> Result<Duration, String> {
    let value = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    seconds(value, false)
}

/// A flag's number of seconds greater than 0 (`--media-timeout`, `--media-budget`,
/// `walint serve --request-timeout`).
pub fn positive_seconds_flag(text: &str) -> Result<Duration, String> {
    let value = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    seconds(value, true)
}

/// A key's number of links (`concurrency`, `per_host`).
fn links_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NonZeroUsize>, D::Error> {
    links_at_once(i64::deserialize(d)?)
        .map(Some)
        .map_err(D::Error::custom)
}

/// A key's number of seconds, 0 or more (`cache_ttl`).
fn seconds_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    seconds(f64::deserialize(d)?, false)
        .map(Some)
        .map_err(D::Error::custom)
}

/// A key's number of seconds greater than 0 (`timeout`, `budget`).
fn positive_seconds_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    seconds(f64::deserialize(d)?, true)
        .map(Some)
        .map_err(D::Error::custom)
}

/// One `[[campaign]]` as written (its span is the `[[campaign]]` header).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaign {
    name: Spanned<String>,
    contacts: Spanned<OneOrMany>,
    template: Option<Spanned<String>>,
    language: Option<Spanned<String>>,
    body: Option<Spanned<RawBody>>,
    header: Option<Spanned<RawHeader>>,
    #[serde(default)]
    buttons: Vec<Spanned<RawButton>>,
    text: Option<Spanned<String>>,
    send_at: Option<Spanned<String>>,
    last_inbound_column: Option<String>,
    phone_column: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawBody {
    Positional(Vec<String>),
    Named(toml::Table),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    media_url: Option<String>,
    column: Option<String>,
    text_column: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawButton {
    index: usize,
    column: String,
}

/// The validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from, if any.
    pub source: Option<PathBuf>,
    /// Region for numbers written without a country code.
    pub default_region: Option<RegionCode>,
    /// Numbers written with neither `+` nor `00` start with their country code (fixes
    /// then add the `+`); without it such a reading is never certain.
    pub assume_international: bool,
    /// The business's own sending number (E.164 key), never a valid recipient.
    pub sender: Option<u64>,
    /// When non-empty, the only regions recipients may be in.
    pub allowed_countries: Vec<RegionCode>,
    /// Regions recipients may not be in.
    pub blocked_countries: Vec<RegionCode>,
    /// Suppression (opt-out) lists, resolved against the config's directory.
    pub suppression: Vec<PathBuf>,
    /// Template registry files (Graph API exports), resolved against the config's directory.
    pub registry: Vec<PathBuf>,
    /// Column holding each contact's opt-in answer.
    pub opt_in_column: Option<String>,
    /// What the opt-in column says yes with (`opt_in_values`; empty: walint's own list of
    /// yes in the languages it reads headers in).
    pub opt_in_values: Vec<String>,
    /// Column holding the phone number, when the header does not say.
    pub phone_column: Option<String>,
    /// Column holding each contact's country (an ISO code, a name, or a calling code):
    /// the row's national numbers are read in it, rows without one in `default_region`.
    pub country_column: Option<String>,
    /// The contact lists' text encoding, when stated (else detected: see `input::encoding`).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Rule selection from the file (CLI selections are added on top).
    pub select: Vec<String>,
    /// Rules ignored by the file.
    pub ignore: Vec<String>,
    /// Globs (gitignore syntax) left out of directory walks.
    pub exclude: Vec<String>,
    /// Per-rule severity overrides.
    pub severity: BTreeMap<String, Severity>,
    /// The lowest severity that fails the run.
    pub fail_on: Option<Severity>,
    /// The campaigns (`[[campaign]]`), in file order.
    pub campaigns: Vec<Campaign>,
    /// `[media]`.
    pub media: MediaConfig,
    /// `[limits]`.
    pub limits: Limits,
}

impl MediaConfig {
    /// These settings over `base` (the command line's over the file's): each one set here
    /// wins, the rest come from `base`.
    pub fn over(self, base: &MediaConfig) -> MediaConfig {
        MediaConfig {
            offline: self.offline || base.offline,
            allow_private_hosts: self.allow_private_hosts || base.allow_private_hosts,
            concurrency: self.concurrency.or(base.concurrency),
            per_host: self.per_host.or(base.per_host),
            timeout: self.timeout.or(base.timeout),
            budget: self.budget.or(base.budget),
            cache: self.cache.or_else(|| base.cache.clone()),
            cache_ttl: self.cache_ttl.or(base.cache_ttl),
        }
    }
}

impl Config {
    /// Finds `walint.toml` in `start` or the nearest directory above it.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Loads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: shown.clone(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut config = Config::parse(&shown, &text, base)?;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses config text; `shown` names it in errors, `base` resolves its relative paths.
    pub fn parse(shown: &str, text: &str, base: &Path) -> Result<Config, Error> {
        let src = Source { shown, text };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| src.line(s.start));
            Error::config(shown, line, e.message().trim().to_string())
        })?;
        let default_region = raw
            .default_region
            .as_ref()
            .map(|code| region(src, "default_region", code))
            .transpose()?;
        let regions = |key: &str, codes: &[Spanned<String>]| {
            codes
                .iter()
                .map(|code| region(src, key, code))
                .collect::<Result<Vec<_>, _>>()
        };
        let allowed_countries = regions("allowed_countries", &raw.allowed_countries)?;
        let blocked_countries = regions("blocked_countries", &raw.blocked_countries)?;
        let sender = raw
            .sender
            .as_ref()
            .map(|number| sender(src, number, default_region))
            .transpose()?;
        let encoding = raw
            .encoding
            .as_ref()
            .map(|label| {
                crate::input::encoding::from_label(label.get_ref()).ok_or_else(|| {
                    src.error(
                        label.span(),
                        format!(
                            "`encoding`: '{}' is not an encoding label (e.g. utf-8, windows-1252, utf-16le)",
                            label.get_ref()
                        ),
                    )
                })
            })
            .transpose()?;
        let opt_in_values = raw
            .opt_in_values
            .iter()
            .map(|value| match value.get_ref().trim() {
                "" => Err(src.error(
                    value.span(),
                    "`opt_in_values`: an empty value cannot say yes (an empty cell is no opt-in)",
                )),
                v => Ok(v.to_string()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        check_rules(src, &raw)?;
        let campaigns = campaigns(src, raw.campaign, base)?;
        Ok(Config {
            source: None,
            default_region,
            assume_international: raw.assume_international,
            sender,
            allowed_countries,
            blocked_countries,
            suppression: raw.suppression.iter().map(|p| base.join(p)).collect(),
            registry: raw.registry.iter().map(|p| base.join(p)).collect(),
            opt_in_column: raw.opt_in_column,
            opt_in_values,
            phone_column: raw.phone_column,
            country_column: raw.country_column,
            encoding,
            select: raw.select.into_iter().map(Spanned::into_inner).collect(),
            ignore: raw.ignore.into_iter().map(Spanned::into_inner).collect(),
            exclude: raw.exclude.into_iter().map(Spanned::into_inner).collect(),
            severity: (raw.severity.into_iter())
                .map(|(code, severity)| (code.into_inner(), severity))
                .collect(),
            fail_on: raw.fail_on,
            campaigns,
            media: MediaConfig {
                cache: raw.media.cache.map(|p| base.join(p)),
                ..raw.media
            },
            limits: raw.limits,
        })
    }
}

/// The config text and the name errors give it: turns a value's span into the line an
/// error names.
#[derive(Debug, Clone, Copy)]
struct Source<'a> {
    shown: &'a str,
    text: &'a str,
}

impl Source<'_> {
    /// The 1-based line of a byte offset into the text.
    fn line(self, byte: usize) -> u64 {
        let before = self.text.get(..byte).unwrap_or(self.text);
        before.bytes().filter(|&b| b == b'\n').count() as u64 + 1
    }

    /// An error at the line where `span` starts.
    fn error(self, span: Range<usize>, reason: impl Into<String>) -> Error {
        Error::config(self.shown, Some(self.line(span.start)), reason)
    }
}

/// A region code of `key` (`default_region`, or an entry of a country list).
fn region(src: Source<'_>, key: &str, code: &Spanned<String>) -> Result<RegionCode, Error> {
    RegionCode::parse(code.get_ref()).ok_or_else(|| {
        src.error(
            code.span(),
            format!(
                "`{key}`: '{}' is not a region code (ISO 3166-1 alpha-2, e.g. IN, GB)",
                code.get_ref()
            ),
        )
    })
}

/// `sender`: a valid phone number (read in `default_region` when national), as its key.
fn sender(
    src: Source<'_>,
    number: &Spanned<String>,
    default_region: Option<RegionCode>,
) -> Result<u64, Error> {
    match phone::analyse(number.get_ref(), default_region).number {
        Ok(number) => Ok(number.key),
        Err(why) => Err(src.error(
            number.span(),
            format!("`sender` is not a valid phone number: {}", why.describe()),
        )),
    }
}

/// Every `select` and `ignore` entry names a rule, and so does every `[severity]` key.
fn check_rules(src: Source<'_>, raw: &RawConfig) -> Result<(), Error> {
    for selector in raw.select.iter().chain(&raw.ignore) {
        rules::validate_selector(selector.get_ref())
            .map_err(|reason| src.error(selector.span(), reason))?;
    }
    for glob in &raw.exclude {
        kind::exclusions(Path::new("."), std::slice::from_ref(glob.get_ref()))
            .map_err(|reason| src.error(glob.span(), reason))?;
    }
    for code in raw.severity.keys() {
        if rules::find(code.get_ref()).is_none() {
            let reason = format!("'{}' is not a rule code", code.get_ref());
            return Err(src.error(code.span(), reason));
        }
    }
    Ok(())
}

/// The campaigns, validated, with distinct names.
fn campaigns(
    src: Source<'_>,
    raw: Vec<Spanned<RawCampaign>>,
    base: &Path,
) -> Result<Vec<Campaign>, Error> {
    let mut campaigns: Vec<Campaign> = Vec::with_capacity(raw.len());
    for c in raw {
        let name_span = c.get_ref().name.span();
        let campaign = campaign(src, c, base)?;
        if campaigns.iter().any(|o| o.name == campaign.name) {
            let reason = format!("two campaigns are named `{}`", campaign.name);
            return Err(src.error(name_span, reason));
        }
        campaigns.push(campaign);
    }
    Ok(campaigns)
}

/// Errors about one campaign (`campaign `NAME`: …`), at the line of the value at fault, or
/// of the campaign's header when a value is missing.
struct CampaignError<'a> {
    src: Source<'a>,
    name: &'a str,
    header: Range<usize>,
}

impl CampaignError<'_> {
    /// The error at `span`, or at the header when there is none.
    fn at(&self, span: Option<Range<usize>>, reason: impl Display) -> Error {
        let reason = format!("campaign `{}`: {reason}", self.name);
        self.src
            .error(span.unwrap_or_else(|| self.header.clone()), reason)
    }
}

/// Validates one campaign: some contacts, what it sends, an RFC 3339 `send_at`. Its source
/// is the line of its `[[campaign]]` header.
fn campaign(src: Source<'_>, raw: Spanned<RawCampaign>, base: &Path) -> Result<Campaign, Error> {
    let header = raw.span();
    let c = raw.into_inner();
    if c.name.get_ref().trim().is_empty() {
        return Err(src.error(c.name.span(), "a campaign needs a `name`"));
    }
    let err = CampaignError {
        src,
        name: c.name.get_ref(),
        header: header.clone(),
    };
    let contacts = match c.contacts.get_ref() {
        OneOrMany::One(p) => vec![p.clone()],
        OneOrMany::Many(ps) => ps.clone(),
    };
    if contacts.is_empty() {
        return Err(err.at(Some(c.contacts.span()), "`contacts` names no file"));
    }
    let message = message(&err, &c)?;
    let send_at = c
        .send_at
        .as_ref()
        .map(|t| {
            t.get_ref().parse::<jiff::Timestamp>().map_err(|e| {
                err.at(
                    Some(t.span()),
                    format_args!(
                        "`send_at` '{}' is not an RFC 3339 time such as 2026-11-30T09:00:00Z ({e})",
                        t.get_ref()
                    ),
                )
            })
        })
        .transpose()?;
    Ok(Campaign {
        name: c.name.into_inner(),
        source: (Arc::from(src.shown), src.line(header.start)),
        contacts: contacts.iter().map(|p| base.join(p)).collect(),
        message,
        send_at,
        last_inbound_column: c.last_inbound_column,
        phone_column: c.phone_column,
    })
}

/// What a campaign sends: a template with its language, or a text — not both, and a text
/// without the template's keys.
fn message(err: &CampaignError<'_>, c: &RawCampaign) -> Result<CampaignMessage, Error> {
    match (&c.template, &c.text) {
        (Some(_), Some(text)) => {
            Err(err.at(Some(text.span()), "give `template` or `text`, not both"))
        }
        (None, None) => Err(err.at(
            None,
            "say what it sends: `template` (with `language`) or a free-form `text`",
        )),
        (None, Some(text)) => {
            let template_keys = [
                c.language.as_ref().map(Spanned::span),
                c.body.as_ref().map(Spanned::span),
                c.header.as_ref().map(Spanned::span),
                c.buttons.first().map(Spanned::span),
            ];
            match template_keys.into_iter().flatten().min_by_key(|s| s.start) {
                Some(span) => Err(err.at(
                    Some(span),
                    "`language`, `body`, `header` and `buttons` belong to template campaigns",
                )),
                None => Ok(CampaignMessage::Text {
                    text: text.get_ref().clone(),
                }),
            }
        }
        (Some(template), None) => template_message(err, template.get_ref(), c),
    }
}

/// A template campaign's message: its language, body values, header value and buttons.
fn template_message(
    err: &CampaignError<'_>,
    template: &str,
    c: &RawCampaign,
) -> Result<CampaignMessage, Error> {
    let language = c.language.as_ref().ok_or_else(|| {
        err.at(
            None,
            format_args!(
                "`language` is required with `template` (the registry holds `{template}` per language)"
            ),
        )
    })?;
    let body = match &c.body {
        None => BodyValues::Positional(Vec::new()),
        Some(body) => body_values(err, body)?,
    };
    let header = c
        .header
        .as_ref()
        .map(|h| header_value(err, h))
        .transpose()?;
    Ok(CampaignMessage::Template {
        name: template.to_string(),
        language: language.get_ref().clone(),
        body,
        header,
        buttons: buttons(err, &c.buttons)?,
    })
}

/// `body`: the columns of `{{1}}`, `{{2}}`…, or a table from placeholder name to column.
fn body_values(err: &CampaignError<'_>, body: &Spanned<RawBody>) -> Result<BodyValues, Error> {
    match body.get_ref() {
        RawBody::Positional(columns) => Ok(BodyValues::Positional(columns.clone())),
        RawBody::Named(table) => table
            .iter()
            .map(|(k, v)| match v {
                toml::Value::String(column) => Ok((k.clone(), column.clone())),
                _ => Err(err.at(
                    Some(body.span()),
                    format_args!("`body.{k}` must name a column (a string)"),
                )),
            })
            .collect::<Result<_, _>>()
            .map(BodyValues::Named),
    }
}

/// `header`: exactly one source of the header's value.
fn header_value(
    err: &CampaignError<'_>,
    header: &Spanned<RawHeader>,
) -> Result<HeaderValue, Error> {
    let RawHeader {
        media_url,
        column,
        text_column,
    } = header.get_ref();
    match (media_url, column, text_column) {
        (Some(url), None, None) => Ok(HeaderValue::MediaUrl(url.clone())),
        (None, Some(col), None) => Ok(HeaderValue::MediaColumn(col.clone())),
        (None, None, Some(col)) => Ok(HeaderValue::TextColumn(col.clone())),
        _ => Err(err.at(
            Some(header.span()),
            "`header` takes exactly one of `media_url`, `column` (a media link per row) or `text_column`",
        )),
    }
}

/// `buttons`: indexes 0–9, each at most once.
fn buttons(err: &CampaignError<'_>, raw: &[Spanned<RawButton>]) -> Result<Vec<ButtonValue>, Error> {
    let mut buttons: Vec<ButtonValue> = Vec::with_capacity(raw.len());
    for b in raw {
        let RawButton { index, column } = b.get_ref();
        if *index > 9 {
            return Err(err.at(
                Some(b.span()),
                format_args!(
                    "button index {index} is out of range: templates have at most 10 buttons (0–9)"
                ),
            ));
        }
        if buttons.iter().any(|o| o.index == *index) {
            return Err(err.at(
                Some(b.span()),
                format_args!("button {index} is given twice"),
            ));
        }
        buttons.push(ButtonValue {
            index: *index,
            column: column.clone(),
        });
    }
    Ok(buttons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Error> {
        Config::parse("walint.toml", text, Path::new("/cfg"))
    }

    #[test]
    fn media_table() {
        let c =
            parse("[media]\noffline = true\nconcurrency = 8\ncache = \"m.json\"\ntimeout = 2.5\n")
                .unwrap();
        assert!(c.media.offline && !c.media.allow_private_hosts);
        assert_eq!(c.media.concurrency, NonZeroUsize::new(8));
        assert_eq!(c.media.timeout, Some(Duration::from_millis(2500)));
        assert_eq!(c.media.cache, Some(PathBuf::from("/cfg/m.json")));
        let err = parse("[media]\noffline = true\nproxy = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("walint.toml:3") && err.contains("proxy"),
            "{err}"
        );
    }

    #[test]
    fn bad_media_numbers_name_their_line() {
        for (key, value, reason) in [
            (
                "concurrency",
                "0",
                "0 is not a number of links from 1 to 65536",
            ),
            ("per_host", "65537", "65537 is not a number of links"),
            (
                "timeout",
                "0",
                "0 is not a number of seconds greater than 0",
            ),
            (
                "budget",
                "-1.5",
                "-1.5 is not a number of seconds greater than 0",
            ),
            ("cache_ttl", "-1", "-1 is not a number of seconds 0 or more"),
            ("cache_ttl", "nan", "NaN is not a number of seconds"),
            ("timeout", "inf", "inf is not a number of seconds"),
            ("budget", "1e12", "at most 315360000 (ten years)"),
        ] {
            let e = parse(&format!("[media]\noffline = true\n{key} = {value}\n"))
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("walint.toml:3:") && e.contains(reason),
                "{key} = {value}: {e}"
            );
        }
        let c = parse("[media]\ncache_ttl = 0\nbudget = 315360000\nper_host = 65536\n").unwrap();
        assert_eq!(c.media.cache_ttl, Some(Duration::ZERO));
        assert_eq!(c.media.budget, Some(Duration::from_secs(315_360_000)));
        assert_eq!(c.media.per_host, NonZeroUsize::new(65_536));
    }

    #[test]
    fn flags_read_numbers_as_the_file_does() {
        assert_eq!(
            positive_seconds_flag("1.5"),
            Ok(Duration::from_millis(1500))
        );
        assert_eq!(seconds_flag("0"), Ok(Duration::ZERO));
        assert_eq!(links_flag("8"), Ok(NonZeroUsize::new(8).unwrap()));
        for bad in ["0", "-5", "nan", "inf", "1e12", "soon", ""] {
            assert!(positive_seconds_flag(bad).is_err(), "{bad}");
        }
        for bad in ["0", "-1", "65537", "1.5", "many"] {
            assert!(links_flag(bad).is_err(), "{bad}");
        }
        assert_eq!(pull_bytes_flag("1048576"), Ok(1 << 20));
        for bad in ["1048575", "4294967297", "-1", "1e9", "32MiB"] {
            assert!(pull_bytes_flag(bad).is_err(), "{bad}");
        }
        assert_eq!(
            seconds_flag("soon").unwrap_err(),
            "`soon` is not a number of seconds"
        );
    }

    #[test]
    fn full_config() {
        let c = parse(
            r#"
default_region = "in"
sender = "+91 98765 43210"
allowed_countries = ["IN", "AE"]
blocked_countries = ["PK"]
suppression = ["optouts.csv"]
opt_in_column = "opt_in"
select = ["WAC"]
ignore = ["WAC003"]
fail_on = "warning"
[severity]
WAC004 = "error"
"#,
        )
        .unwrap();
        assert_eq!(c.default_region.unwrap().as_str(), "IN");
        assert_eq!(c.sender, Some(919876543210));
        assert_eq!(c.allowed_countries.len(), 2);
        assert_eq!(c.suppression, vec![PathBuf::from("/cfg/optouts.csv")]);
        assert_eq!(c.fail_on, Some(Severity::Warning));
    }

    #[test]
    fn unknown_key_names_its_line() {
        let e = parse("default_region = \"IN\"\n\nsendr = \"+1\"\n").unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("walint.toml:3: unknown field `sendr`"), "{s}");
    }

    #[test]
    fn bad_values_name_their_line() {
        let e = parse("\ndefault_region = \"XX\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("walint.toml:2:") && e.contains("not a region code"),
            "{e}"
        );
        let e = parse("sender = \"12\"\n").unwrap_err().to_string();
        assert!(e.contains("`sender` is not a valid phone number"), "{e}");
        let e = parse("select = [\"WAZ\"]\n").unwrap_err().to_string();
        assert!(e.contains("names no rule"), "{e}");
        let e = parse("[severity]\nWAC001 = \"loud\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("walint.toml:2:"), "{e}");
    }

    /// The line a config error names.
    fn error_line(text: &str) -> String {
        let e = parse(text).unwrap_err().to_string();
        e.split(':').nth(1).unwrap_or_default().to_string()
    }

    #[test]
    fn rule_errors_name_the_line_of_the_value() {
        let text = "select = [\"WAC\"]\nignore = [\n  \"WAC004\",\n  \"WAZ\",\n]\n";
        assert_eq!(error_line(text), "4");
        assert_eq!(
            error_line("fail_on = \"error\"\n[severity]\nWAC004 = \"error\"\nWAC999 = \"info\"\n"),
            "4"
        );
        let e = parse("[severity]\nWAC999 = \"info\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'WAC999' is not a rule code"), "{e}");
    }

    #[test]
    fn region_and_sender_errors_name_their_line() {
        let text = "allowed_countries = [\"IN\"]\nblocked_countries = [\n  \"PK\",\n  \"QQ\",\n]\n";
        assert_eq!(error_line(text), "4");
        let e = parse(text).unwrap_err().to_string();
        assert!(
            e.contains("`blocked_countries`: 'QQ' is not a region code"),
            "{e}"
        );
        assert_eq!(
            error_line("default_region = \"IN\"\n\nsender = \"12\"\n"),
            "3"
        );
    }

    const TWO_CAMPAIGNS: &str = "[[campaign]]\nname = \"a\"\ncontacts = \"a.csv\"\ntext = \"hi\"\n\n\
                                 [[campaign]]\nname = \"b\"\ncontacts = \"b.csv\"\ntext = \"hi\"\n\
                                 send_at = \"2026-11-30T09:00:00Z\"\n";

    #[test]
    fn campaigns_keep_the_line_of_their_header() {
        let c = parse(TWO_CAMPAIGNS).unwrap();
        let lines: Vec<u64> = c.campaigns.iter().map(|c| c.source.1).collect();
        assert_eq!(lines, [1, 6]);
    }

    #[test]
    fn campaign_errors_name_the_line_of_the_value() {
        let bad_time = TWO_CAMPAIGNS.replace("2026-11-30T09:00:00Z", "tomorrow");
        let e = parse(&bad_time).unwrap_err().to_string();
        assert!(
            e.starts_with("walint.toml:10: campaign `b`: `send_at` 'tomorrow'"),
            "{e}"
        );
        let twice = TWO_CAMPAIGNS.replace("name = \"b\"", "name = \"a\"");
        let e = parse(&twice).unwrap_err().to_string();
        assert_eq!(e, "walint.toml:7: two campaigns are named `a`");
        let both = TWO_CAMPAIGNS.replace(
            "contacts = \"b.csv\"\n",
            "contacts = \"b.csv\"\ntemplate = \"t\"\n",
        );
        assert_eq!(error_line(&both), "10");
        let button = "[[campaign]]\nname = \"a\"\ncontacts = \"a.csv\"\ntemplate = \"t\"\n\
                      language = \"en\"\nbuttons = [\n  { index = 0, column = \"c\" },\n  \
                      { index = 0, column = \"d\" },\n]\n";
        let e = parse(button).unwrap_err().to_string();
        assert!(
            e.starts_with("walint.toml:8: campaign `a`: button 0 is given twice"),
            "{e}"
        );
        let missing = "\n[[campaign]]\nname = \"a\"\ncontacts = \"a.csv\"\ntemplate = \"t\"\n";
        assert_eq!(error_line(missing), "2", "a missing key: the header's line");
    }

    #[test]
    fn discover_walks_upwards() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        assert_eq!(Config::discover(&nested), Some(dir.path().join(FILE_NAME)));
    }

    #[test]
    fn assume_international_is_a_flag() {
        assert!(
            parse("assume_international = true\n")
                .unwrap()
                .assume_international
        );
        assert!(!parse("").unwrap().assume_international);
        assert!(parse("assume_international = \"yes\"\n").is_err());
    }
}
