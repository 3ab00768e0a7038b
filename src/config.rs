//! `walint.toml` → a validated [`Config`]: finds the file upwards from the current directory
//! (or takes `--config`), rejects unknown keys and bad values with the file and line, and
//! resolves paths relative to the file. It reads the suppression lists it names only through
//! `input::suppression`; it never lints anything itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
        })
    }
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
