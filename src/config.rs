//! `walint.toml` → a validated [`Config`]: finds the file upwards from the current directory
//! (or takes `--config`), rejects unknown keys and bad values with the file and line, and
//! resolves paths relative to the file. It reads the suppression lists it names only through
//! `input::suppression`; it never lints anything itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use serde::Deserialize;

use crate::campaign::{BodyValues, ButtonValue, Campaign, CampaignMessage, HeaderValue};
use crate::diagnostic::Severity;
use crate::error::Error;
use crate::phone::{self, RegionCode};
use crate::rules::RuleSettings;

/// The file name walint looks for.
pub const FILE_NAME: &str = "walint.toml";

/// walint.toml as written. Every key is optional; unknown keys are an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    default_region: Option<String>,
    sender: Option<String>,
    #[serde(default)]
    allowed_countries: Vec<String>,
    #[serde(default)]
    blocked_countries: Vec<String>,
    #[serde(default)]
    suppression: Vec<String>,
    #[serde(default)]
    registry: Vec<String>,
    opt_in_column: Option<String>,
    phone_column: Option<String>,
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Severity>,
    fail_on: Option<Severity>,
    #[serde(default)]
    campaign: Vec<RawCampaign>,
    #[serde(default)]
    media: RawMedia,
}

/// `[media]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMedia {
    #[serde(default)]
    offline: bool,
    #[serde(default)]
    allow_private_hosts: bool,
    concurrency: Option<std::num::NonZeroUsize>,
    per_host: Option<std::num::NonZeroUsize>,
    #[serde(default, deserialize_with = "positive_seconds")]
    timeout: Option<f64>,
    #[serde(default, deserialize_with = "positive_seconds")]
    budget: Option<f64>,
    cache: Option<String>,
    #[serde(default, deserialize_with = "seconds")]
    cache_ttl: Option<f64>,
}

/// A number of seconds: finite and not negative.
fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let value = f64::deserialize(d)?;
    if value.is_finite() && value >= 0.0 {
        Ok(Some(value))
    } else {
        Err(serde::de::Error::custom(format!(
            "{value} is not a number of seconds (0 or more)"
        )))
    }
}

/// A number of seconds greater than 0.
fn positive_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match seconds(d)? {
        Some(value) if value > 0.0 => Ok(Some(value)),
        other => Err(serde::de::Error::custom(format!(
            "{} is not a number of seconds greater than 0",
            other.unwrap_or(0.0)
        ))),
    }
}

/// `[media]`: how media links are probed (the command line's flags take precedence).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaConfig {
    /// Never probe (`--offline`).
    pub offline: bool,
    /// Contact loopback, private and link-local hosts (`--allow-private-hosts`).
    pub allow_private_hosts: bool,
    /// Links probed at once.
    pub concurrency: Option<usize>,
    /// Links of one host probed at once.
    pub per_host: Option<usize>,
    /// Seconds each request may take.
    pub timeout: Option<f64>,
    /// Seconds the whole probing may take.
    pub budget: Option<f64>,
    /// The media cache file, resolved against the config's directory.
    pub cache: Option<PathBuf>,
    /// Seconds a cached result is used.
    pub cache_ttl: Option<f64>,
}

/// One `[[campaign]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaign {
    name: String,
    contacts: OneOrMany,
    template: Option<String>,
    language: Option<String>,
    body: Option<RawBody>,
    header: Option<RawHeader>,
    #[serde(default)]
    buttons: Vec<RawButton>,
    text: Option<String>,
    send_at: Option<String>,
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
    /// Column holding the phone number, when the header does not say.
    pub phone_column: Option<String>,
    /// Rule selection from the file (CLI selections are added on top).
    pub select: Vec<String>,
    /// Rules ignored by the file.
    pub ignore: Vec<String>,
    /// Per-rule severity overrides.
    pub severity: BTreeMap<String, Severity>,
    /// The lowest severity that fails the run.
    pub fail_on: Option<Severity>,
    /// The campaigns (`[[campaign]]`), in file order.
    pub campaigns: Vec<Campaign>,
    /// `[media]`.
    pub media: MediaConfig,
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
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            Error::config(shown, line, e.message().trim().to_string())
        })?;
        let key_line = |key: &str| find_key_line(text, key);
        let err = |key: &str, reason: String| Error::config(shown, key_line(key), reason);
        let region = |key: &str, code: &str| {
            RegionCode::parse(code).ok_or_else(|| {
                err(
                    key,
                    format!(
                        "`{key}`: '{code}' is not a region code (ISO 3166-1 alpha-2, e.g. IN, GB)"
                    ),
                )
            })
        };
        let default_region = raw
            .default_region
            .as_deref()
            .map(|c| region("default_region", c))
            .transpose()?;
        let regions = |key: &str, list: &[String]| {
            list.iter()
                .map(|c| region(key, c))
                .collect::<Result<Vec<_>, _>>()
        };
        let allowed_countries = regions("allowed_countries", &raw.allowed_countries)?;
        let blocked_countries = regions("blocked_countries", &raw.blocked_countries)?;
        let sender = match raw.sender.as_deref() {
            None => None,
            Some(s) => Some(
                phone::analyse(s, default_region)
                    .number
                    .map_err(|why| {
                        err(
                            "sender",
                            format!("`sender` is not a valid phone number: {}", why.describe()),
                        )
                    })?
                    .key,
            ),
        };
        RuleSettings::new(raw.select.clone(), raw.ignore.clone(), &raw.severity)
            .map_err(|reason| err("select", reason))?;
        let headers = campaign_lines(text);
        let mut campaigns: Vec<Campaign> = Vec::with_capacity(raw.campaign.len());
        for (i, c) in raw.campaign.into_iter().enumerate() {
            let line = headers.get(i).copied();
            let campaign = campaign(shown, line, c, base)?;
            if campaigns.iter().any(|o| o.name == campaign.name) {
                return Err(Error::config(
                    shown,
                    line,
                    format!("two campaigns are named `{}`", campaign.name),
                ));
            }
            campaigns.push(campaign);
        }
        Ok(Config {
            source: None,
            default_region,
            sender,
            allowed_countries,
            blocked_countries,
            suppression: raw.suppression.iter().map(|p| base.join(p)).collect(),
            registry: raw.registry.iter().map(|p| base.join(p)).collect(),
            opt_in_column: raw.opt_in_column,
            phone_column: raw.phone_column,
            select: raw.select,
            ignore: raw.ignore,
            severity: raw.severity,
            fail_on: raw.fail_on,
            campaigns,
            media: MediaConfig {
                offline: raw.media.offline,
                allow_private_hosts: raw.media.allow_private_hosts,
                concurrency: raw.media.concurrency.map(usize::from),
                per_host: raw.media.per_host.map(usize::from),
                timeout: raw.media.timeout,
                budget: raw.media.budget,
                cache: raw.media.cache.map(|p| base.join(p)),
                cache_ttl: raw.media.cache_ttl,
            },
        })
    }
}

/// The lines of the `[[campaign]]` headers, in order.
fn campaign_lines(text: &str) -> Vec<u64> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.trim_start()
                .strip_prefix("[[")
                .and_then(|r| r.trim_start().strip_prefix("campaign"))
                .is_some_and(|r| r.trim_start().starts_with("]]"))
        })
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

/// Validates one campaign: a template with its language or a text, not both; one header
/// source; button indexes 0–9; an RFC 3339 `send_at`.
fn campaign(
    shown: &str,
    line: Option<u64>,
    c: RawCampaign,
    base: &Path,
) -> Result<Campaign, Error> {
    let name = c.name.clone();
    let err = |reason: String| Error::config(shown, line, format!("campaign `{name}`: {reason}"));
    if c.name.trim().is_empty() {
        return Err(Error::config(
            shown,
            line,
            "a campaign needs a `name`".to_string(),
        ));
    }
    let contacts = match c.contacts {
        OneOrMany::One(p) => vec![p],
        OneOrMany::Many(ps) => ps,
    };
    if contacts.is_empty() {
        return Err(err("`contacts` names no file".into()));
    }
    let message = match (c.template, c.text) {
        (Some(_), Some(_)) => {
            return Err(err("give `template` or `text`, not both".into()));
        }
        (None, None) => {
            return Err(err(
                "say what it sends: `template` (with `language`) or a free-form `text`".into(),
            ));
        }
        (None, Some(text)) => {
            if c.language.is_some()
                || c.body.is_some()
                || c.header.is_some()
                || !c.buttons.is_empty()
            {
                return Err(err(
                    "`language`, `body`, `header` and `buttons` belong to template campaigns"
                        .into(),
                ));
            }
            CampaignMessage::Text { text }
        }
        (Some(template), None) => {
            let language = c.language.ok_or_else(|| {
                err(format!(
                    "`language` is required with `template` (the registry holds `{template}` per language)"
                ))
            })?;
            let body = match c.body {
                None => BodyValues::Positional(Vec::new()),
                Some(RawBody::Positional(columns)) => BodyValues::Positional(columns),
                Some(RawBody::Named(table)) => BodyValues::Named(
                    table
                        .into_iter()
                        .map(|(k, v)| match v {
                            toml::Value::String(column) => Ok((k, column)),
                            _ => Err(err(format!("`body.{k}` must name a column (a string)"))),
                        })
                        .collect::<Result<_, _>>()?,
                ),
            };
            let header = match c.header {
                None => None,
                Some(RawHeader {
                    media_url,
                    column,
                    text_column,
                }) => match (media_url, column, text_column) {
                    (Some(url), None, None) => Some(HeaderValue::MediaUrl(url)),
                    (None, Some(col), None) => Some(HeaderValue::MediaColumn(col)),
                    (None, None, Some(col)) => Some(HeaderValue::TextColumn(col)),
                    _ => {
                        return Err(err(
                            "`header` takes exactly one of `media_url`, `column` (a media link per row) or `text_column`".into(),
                        ));
                    }
                },
            };
            let mut buttons = Vec::with_capacity(c.buttons.len());
            for b in c.buttons {
                if b.index > 9 {
                    return Err(err(format!(
                        "button index {} is out of range: templates have at most 10 buttons (0–9)",
                        b.index
                    )));
                }
                if buttons.iter().any(|o: &ButtonValue| o.index == b.index) {
                    return Err(err(format!("button {} is given twice", b.index)));
                }
                buttons.push(ButtonValue {
                    index: b.index,
                    column: b.column,
                });
            }
            CampaignMessage::Template {
                name: template,
                language,
                body,
                header,
                buttons,
            }
        }
    };
    let send_at = c
        .send_at
        .map(|t| {
            t.parse::<jiff::Timestamp>().map_err(|e| {
                err(format!(
                    "`send_at` '{t}' is not an RFC 3339 time such as 2026-11-30T09:00:00Z ({e})"
                ))
            })
        })
        .transpose()?;
    Ok(Campaign {
        name: c.name,
        source: (Arc::from(shown), line.unwrap_or(1)),
        contacts: contacts.iter().map(|p| base.join(p)).collect(),
        message,
        send_at,
        last_inbound_column: c.last_inbound_column,
        phone_column: c.phone_column,
    })
}

fn line_of(text: &str, byte: usize) -> u64 {
    text.get(..byte).map_or(1, |t| {
        t.lines().count().max(1) as u64 + u64::from(t.ends_with('\n'))
    })
}

fn find_key_line(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i as u64 + 1)
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
        assert_eq!(c.media.concurrency, Some(8));
        assert_eq!(c.media.timeout, Some(2.5));
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

    #[test]
    fn discover_walks_upwards() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        assert_eq!(Config::discover(&nested), Some(dir.path().join(FILE_NAME)));
    }
}
