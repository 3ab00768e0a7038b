//! The command line: clap definitions for `check`, `rules` and `explain`, and [`run`],
//! which merges arguments with walint.toml, runs the job and writes the output. It returns
//! the exit status; `main` only maps it to the process.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::check::{self, CheckOptions, Overrides};
use crate::config::{Config, MediaConfig};
use crate::diagnostic::Severity;
use crate::error::Error;
use crate::explain;
use crate::fix;
use crate::phone::{self, RegionCode};
use crate::report::{self, Report};

/// walint: lint WhatsApp Business campaigns before they are sent.
#[derive(Debug, Parser)]
#[command(name = "walint", about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint contact lists (CSV or spreadsheets), message payloads (JSON, NDJSON) and template registries;
    /// exit 1 when a finding is at or above --fail-on.
    Check(Box<CheckArgs>),
    /// Split a contact list into a clean file (fixable numbers rewritten to E.164, the first
    /// of duplicate recipients kept) and a rejects file (every row with an error finding,
    /// with its codes and reasons); every row lands in exactly one.
    Fix(FixArgs),
    /// List every rule.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Explain a rule (WAC001, phone-not-e164) or a WhatsApp error code (131026).
    Explain {
        /// A rule code or name, or a numeric WhatsApp error code.
        what: String,
    },
    /// Print a shell completion script (e.g. `walint completions bash >
    /// ~/.local/share/bash-completion/completions/walint`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print walint's man page (roff; e.g. `walint man > walint.1 && man ./walint.1`), or
    /// a subcommand's (`walint man check > walint-check.1`).
    Man {
        /// The subcommand whose page to print (check, fix, rules, explain, registry, …).
        command: Option<String>,
    },
    /// Serve walint over HTTP for upload backends and people: POST /v1/check, POST
    /// /v1/fix, GET /v1/rules, /metrics, and an upload page at /.
    Serve(ServeArgs),
    /// Work with the account's template registry on the Graph API.
    Registry {
        /// What to do with it.
        #[command(subcommand)]
        command: crate::registry_pull::RegistryCommand,
    },
    /// walint's own spreadsheet reader process (not for people: walint starts it for each
    /// workbook it reads, with the workbook as standard input and rows on standard output).
    #[command(name = "__sheet-reader", hide = true)]
    SheetReader(SheetReaderArgs),
}

/// The spreadsheet reader process's options (see `input::spreadsheet::child`).
#[derive(Debug, Clone, Args)]
pub struct SheetReaderArgs {
    /// The sheet to read (else the first).
    #[arg(long)]
    sheet: Option<String>,
    /// The most bytes of one row's cells.
    #[arg(long)]
    row_bytes: usize,
    /// The most bytes the workbook's parts may expand to.
    #[arg(long)]
    workbook_bytes: u64,
    /// The process's address space, in bytes.
    #[arg(long)]
    memory: u64,
}

/// `walint serve`'s options.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on (a port of 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// walint.toml to load (and reload on SIGHUP); default: found from the current
    /// directory up, as `check` finds it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any walint.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// The largest upload taken, in bytes; larger ones are refused with 413.
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub max_upload_bytes: u64,
    /// Checks run at once (each uses every core); default: the number of cores.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent: Option<u32>,
    /// Received uploads that may wait for a turn beyond the checks running; one more is
    /// refused with 503 and Retry-After.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_queued: u32,
    /// Uploads that may be arriving at once; past it the slowest is cut off (503) to make
    /// room, or the new one refused (503) when none has had a second yet.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_receiving: u32,
    /// The rate, in bytes a second, an upload must keep after its first 10 seconds; one
    /// that falls behind is cut off with 408 (0: no minimum).
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 10)]
    pub min_upload_rate: u64,
    /// Seconds a request may take to arrive and to wait for its turn (408 / 503 past it).
    #[arg(long, value_name = "SECONDS", default_value = "300", value_parser = crate::config::positive_seconds_flag)]
    pub request_timeout: std::time::Duration,
    /// The most seconds one check may spend probing media links (`probe_media=true`),
    /// whatever walint.toml's `[media] budget` says; links not probed by then are reported
    /// as not probed.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = crate::config::positive_seconds_flag)]
    pub max_probe_seconds: std::time::Duration,
    /// Seconds a request's headers may take to arrive, and an idle keep-alive connection
    /// to send its next request; the connection is closed past it.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = crate::config::positive_seconds_flag)]
    pub header_timeout: std::time::Duration,
    /// Connections open at once; past it the oldest with no request under way is closed
    /// to make room (lowered to what `ulimit -n` allows).
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Seconds the requests under way get to finish after SIGINT or SIGTERM; then the
    /// service stops.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = crate::config::seconds_flag)]
    pub shutdown_timeout: std::time::Duration,
    /// The environment variable holding a bearer token; when it is set, /v1/* and
    /// /metrics require `Authorization: Bearer TOKEN` (and POST /v1/reload works).
    #[arg(long, value_name = "VAR", default_value = "WALINT_SERVE_TOKEN")]
    pub token_env: String,
    /// Where uploads are spooled while they are checked (default: the temporary directory).
    #[arg(long, value_name = "DIR")]
    pub spool_dir: Option<PathBuf>,
    /// No access log lines on standard error.
    #[arg(long)]
    pub no_access_log: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable, coloured on a terminal.
    Text,
    /// The JSON report contract (schemas/report.schema.json).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning (upload-sarif) and other dashboards.
    Sarif,
    /// GitHub Actions annotations (and a step summary when GITHUB_STEP_SUMMARY is set).
    Github,
    /// JUnit XML: a test case per file and rule.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
}

impl Format {
    /// Whether phone numbers are masked by default: in the formats meant for CI, whose
    /// logs and dashboards are widely readable.
    pub fn redacts_by_default(self) -> bool {
        matches!(
            self,
            Format::Sarif | Format::Github | Format::Junit | Format::Gitlab
        )
    }
}

impl Format {
    /// Writes `report` in this format (text with its summary; GitHub's step summary goes
    /// to the file `GITHUB_STEP_SUMMARY` names, when it is set).
    pub fn write(
        self,
        report: &Report,
        shown: &report::Shown,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        match self {
            Format::Text => report::text::write_shown(report, shown, false, out),
            Format::Json => report::json::write_shown(report, shown, out),
            Format::Sarif => report::sarif::write(report, shown, out),
            Format::Github => {
                let summary = std::env::var_os("GITHUB_STEP_SUMMARY")
                    .filter(|p| !p.is_empty())
                    .map(PathBuf::from);
                report::github::write(report, shown, summary.as_deref(), out)
            }
            Format::Junit => report::junit::write(report, shown, out),
            Format::Gitlab => report::gitlab::write(report, shown, out),
        }
    }
}

/// `walint rules` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// A table.
    Text,
    /// A JSON array (code, name, family, severity, wa_error, summary).
    Json,
    /// Every rule's documentation as Markdown (docs/rules.md).
    Markdown,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal only (and not with NO_COLOR set).
    Auto,
    /// Always, also into a pipe or a file.
    Always,
    /// Never.
    Never,
}

/// How `walint check` prints its report: the options beyond the format.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Print the findings only: no summary, no notes (text); nothing else changes.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the count of findings per rule instead of the findings (text format).
    #[arg(long)]
    pub statistics: bool,
    /// Report the findings but exit 0 whatever they are (2 still means walint failed).
    #[arg(long)]
    pub exit_zero: bool,
    /// When to colour the text report.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Show paths relative to DIR [default: the current directory]; paths outside it are
    /// shown as given.
    #[arg(long, value_name = "DIR")]
    pub path_base: Option<PathBuf>,
    /// Report only the findings not recorded in this baseline, and count the recorded
    /// ones that no longer occur.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every finding of this run in FILE, as a baseline for --baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Mask phone numbers to country code and last two digits (the default for sarif,
    /// github, junit and gitlab).
    #[arg(long, conflicts_with = "no_redact")]
    pub redact: bool,
    /// Show phone numbers in full, also in sarif, github, junit and gitlab.
    #[arg(long)]
    pub no_redact: bool,
}

/// Arguments of `walint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check (`-` reads standard input). Without any, every
    /// campaign of walint.toml is checked.
    pub paths: Vec<PathBuf>,
    /// Check this campaign of walint.toml (its contact files and message).
    #[arg(long, value_name = "NAME")]
    pub campaign: Option<String>,
    /// Template registry (a Graph API `message_templates` export, `{"data": [...]}` or a bare
    /// array); repeatable, added to the config's `registry`.
    #[arg(long, value_name = "FILE")]
    pub registry: Vec<PathBuf>,
    /// Config file [default: walint.toml found upwards from the current directory].
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any walint.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output (`-`: standard output). With
    /// `--format json`, a run that fails (exit 2) writes a JSON error report there.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// How the report is printed.
    #[command(flatten)]
    pub report: ReportArgs,
    /// How the contact lists are read.
    #[command(flatten)]
    pub list: ListArgs,
    /// Only these rules (codes, prefixes such as WAC, names); replaces the config's `select`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Skip these rules; added to the config's `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Leave out files and directories matching GLOB (gitignore syntax, e.g.
    /// `node_modules`, `archive/**`, `*.bak.csv`) when walking directories; repeatable,
    /// added to the config's `exclude`. Paths named on the command line are always checked.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Pass over the paths given that a campaign of walint.toml reads as its contact
    /// list (they are checked as its messages by `walint check` with no paths): what the
    /// `walint` pre-commit hook runs beside `walint-campaigns`, so no finding is told twice.
    #[arg(long)]
    pub skip_campaign_files: bool,
    /// Lowest severity that makes the run fail (exit 1) [default: error].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// How media links are probed.
    #[command(flatten)]
    pub media: MediaConfig,
}

/// Arguments of `walint fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// The contact list (CSV, or a spreadsheet: .xlsx, .xls, .xlsb, .ods).
    pub input: PathBuf,
    /// Where the clean rows go (`-`: standard output, the summary then goes to standard
    /// error).
    #[arg(long, value_name = "FILE", required_unless_present = "in_place")]
    pub clean: Option<PathBuf>,
    /// Where the rejected rows go, with `walint_row`, `walint_line` (where each stood in
    /// the input), `walint_codes` and `walint_reasons` added (`-`: standard output).
    #[arg(long, value_name = "FILE")]
    pub rejects: PathBuf,
    /// Rewrite the input with the clean rows, keeping the original as INPUT.bak.
    #[arg(long, conflicts_with = "clean")]
    pub in_place: bool,
    /// Judge the rows as a file of this campaign of walint.toml (its message and rules).
    #[arg(long, value_name = "NAME")]
    pub campaign: Option<String>,
    /// Config file [default: walint.toml found upwards from the current directory].
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any walint.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// What goes to standard output: the summary as text, or (json) one JSON object per
    /// row — row, line, status clean/fixed/rejected, the fixed number, codes and reasons —
    /// then one with the summary.
    #[arg(long, value_enum, default_value_t = FixFormat::Text)]
    pub format: FixFormat,
    /// The outputs' encoding: same (the input's; a spreadsheet's CSV is UTF-8 with a byte
    /// order mark, which Excel needs), utf-8, or utf-8-bom.
    #[arg(long, value_name = "ENCODING", default_value = "same", value_parser = output_encoding)]
    pub output_encoding: fix::OutputEncoding,
    /// The outputs' delimiter: same (the input's), `,`, `;`, tab or `|`; rows are then
    /// written field by field, a field holding the delimiter quoted.
    #[arg(long, value_name = "DELIMITER", default_value = "same", value_parser = output_delimiter)]
    pub output_delimiter: DelimiterChoice,
    /// How the contact lists are read.
    #[command(flatten)]
    pub list: ListArgs,
}

fn output_encoding(text: &str) -> Result<fix::OutputEncoding, String> {
    fix::OutputEncoding::parse(text)
        .ok_or_else(|| format!("`{text}` is not same, utf-8 or utf-8-bom"))
}

/// `--output-delimiter`: a delimiter, or the input's (`same`).
#[derive(Debug, Clone, Copy)]
pub struct DelimiterChoice(pub Option<u8>);

fn output_delimiter(text: &str) -> Result<DelimiterChoice, String> {
    fix::parse_delimiter(text)
        .map(DelimiterChoice)
        .ok_or_else(|| format!("`{text}` is not same, `,`, `;`, tab or `|`"))
}

/// `walint fix` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FixFormat {
    /// The summary, as text.
    Text,
    /// A JSON object per row, then the summary (NDJSON).
    Json,
}

/// How contact lists are read: the options `check` and `fix` share.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Region (ISO 3166-1 alpha-2) for numbers written without a country code.
    #[arg(long, value_name = "CC")]
    pub default_region: Option<String>,
    /// Numbers written without `+` or `00` already start with their country code (the
    /// fix then adds the `+`); without it, walint never fixes such a number into a country.
    /// With --default-region too, a number national in that region is read so first.
    #[arg(long)]
    pub assume_international: bool,
    /// The phone column: its header, or its number counting from 1 [default: recognised
    /// from the header, or from the first row's cells in a file with no header].
    #[arg(long, value_name = "NAME|N")]
    pub phone_column: Option<String>,
    /// The column holding each contact's country — an ISO code (DE), a name (Germany,
    /// Deutschland, Alemania…) or a calling code (49, +49): its national numbers are read
    /// there; rows without one use --default-region.
    #[arg(long, value_name = "NAME")]
    pub country_column: Option<String>,
    /// The contact lists have no header row: the first row is data, columns are named
    /// `column 1`, `column 2`… (a file whose first row has a phone number and no phone
    /// header is read so without it).
    #[arg(long)]
    pub no_header: bool,
    /// The contact lists' text encoding (a WHATWG label: utf-8, windows-1252, latin1,
    /// utf-16le…) [default: UTF-8, UTF-16 by its byte order mark; a file that is not
    /// UTF-8 is read as Windows-1252, with a warning (WAC011)].
    #[arg(long, value_name = "LABEL", value_parser = encoding_label)]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// The sheet of spreadsheet contact lists (.xlsx, .xls, .ods) to read [default: the
    /// first].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

impl ListArgs {
    /// These options as overrides of the config (the rest of `base` kept).
    fn over(&self, base: Overrides) -> Result<Overrides, Error> {
        Ok(Overrides {
            default_region: region_arg(self.default_region.as_deref())?,
            assume_international: self.assume_international,
            no_header: self.no_header,
            encoding: self.encoding,
            sheet: self.sheet.clone(),
            phone_column: self.phone_column.clone(),
            country_column: self.country_column.clone(),
            ..base
        })
    }
}

/// `--fail-on` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on errors only.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on any finding.
    Info,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// The text `walint --version` prints: the tool and the phone metadata it carries.
pub fn version() -> String {
    format!(
        "{} (libphonenumber metadata {}, {})",
        env!("CARGO_PKG_VERSION"),
        phone::METADATA_VERSION,
        phone::LIBRARY_VERSION
    )
}

/// Parses the process's arguments (clap prints help/version/usage errors and exits itself).
pub fn parse() -> Cli {
    let matches = Cli::command()
        .version(version())
        .try_get_matches()
        .unwrap_or_else(|e| {
            if e.exit_code() == 2 {
                error_report_for_bad_arguments(&e);
            }
            e.exit()
        });
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Arguments that do not parse still leave `check --format json -o FILE` a JSON error
/// report in FILE (never a previous run's report), when those three can be read from them.
fn error_report_for_bad_arguments(e: &clap::Error) {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let value = |long: &str, short: Option<&str>| {
        args.iter().enumerate().find_map(|(i, a)| {
            let named = a == long || short.is_some_and(|s| a == s);
            match named {
                true => args.get(i + 1).cloned(),
                false => (a.strip_prefix(long).and_then(|v| v.strip_prefix('=')))
                    .or_else(|| {
                        short
                            .and_then(|s| a.strip_prefix(s))
                            .filter(|v| !v.is_empty())
                    })
                    .map(str::to_string),
            }
        })
    };
    let json = value("--format", None).as_deref() == Some("json");
    let output = value("--output", Some("-o")).filter(|o| o != "-");
    if let (true, true, Some(output)) = (args.iter().any(|a| a == "check"), json, output) {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or_default();
        let message = first.strip_prefix("error: ").unwrap_or(first).to_string();
        let _ = write_error_report(&Error::Usage(message), std::path::Path::new(&output));
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above the failure threshold.
    Clean,
    /// Findings at or above the threshold.
    Findings,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Check(args) => run_check(*args),
        Command::Serve(args) => run_serve(args).map(|()| Outcome::Clean),
        Command::Registry { command } => {
            crate::registry_pull::run(command).map(|()| Outcome::Clean)
        }
        Command::Fix(args) => run_fix(args),
        Command::SheetReader(args) => {
            let limits = crate::input::spreadsheet::SheetLimits {
                workbook_bytes: args.workbook_bytes,
                memory: args.memory,
                row_bytes: args.row_bytes,
            };
            crate::input::spreadsheet::child::run(args.sheet.as_deref(), &limits)
                .map_err(stdout_error)?;
            Ok(Outcome::Clean)
        }
        Command::Completions { shell } => {
            let mut command = Cli::command().version(version());
            let mut out = io::stdout().lock();
            clap_complete::generate(shell, &mut command, "walint", &mut out);
            Ok(Outcome::Clean)
        }
        Command::Man { command } => {
            let top = Cli::command().version(env!("CARGO_PKG_VERSION"));
            let page = match command.as_deref() {
                None => top,
                Some(name) => top
                    .get_subcommands()
                    .find(|c| c.get_name() == name)
                    .cloned()
                    .map(|c| {
                        c.name(format!("walint-{name}"))
                            .version(env!("CARGO_PKG_VERSION"))
                    })
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "walint man {name}: no such subcommand (see `walint --help`)"
                        ))
                    })?,
            };
            let mut out = io::stdout().lock();
            clap_mangen::Man::new(page)
                .render(&mut out)
                .map_err(stdout_error)?;
            Ok(Outcome::Clean)
        }
        Command::Rules { format } => {
            let mut out = io::stdout().lock();
            match format {
                RulesFormat::Markdown => out.write_all(explain::rules_markdown().as_bytes()),
                _ => explain::write_rules(format == RulesFormat::Json, &mut out),
            }
            .map_err(stdout_error)?;
            Ok(Outcome::Clean)
        }
        Command::Explain { what } => {
            let text = explain::explain(&what)
                .ok_or_else(|| Error::Usage(format!("'{what}' is neither a rule nor a known WhatsApp error code (see `walint rules`)")))?;
            io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(stdout_error)?;
            Ok(Outcome::Clean)
        }
    }
}

fn stdout_error(source: io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        source,
    }
}

fn region_arg(code: Option<&str>) -> Result<Option<RegionCode>, Error> {
    code.map(|c| {
        RegionCode::parse(c).ok_or_else(|| {
            Error::Usage(format!(
                "--default-region: '{c}' is not a region code (e.g. IN, GB)"
            ))
        })
    })
    .transpose()
}

/// `--encoding`: a WHATWG encoding label.
fn encoding_label(label: &str) -> Result<&'static encoding_rs::Encoding, String> {
    crate::input::encoding::from_label(label).ok_or_else(|| {
        format!("'{label}' is not an encoding label (e.g. utf-8, windows-1252, utf-16le)")
    })
}

fn run_serve(args: ServeArgs) -> Result<(), Error> {
    let config = config_path(args.config.as_ref(), args.no_config)?;
    let token = std::env::var(&args.token_env)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(dir) = &args.spool_dir
        && !dir.is_dir()
    {
        return Err(Error::Usage(format!(
            "--spool-dir {}: not a directory",
            dir.display()
        )));
    }
    crate::serve::run(crate::serve::ServeOptions {
        addr: args.addr,
        config,
        limits: crate::serve::Limits {
            max_upload_bytes: args.max_upload_bytes,
            max_concurrent: args.max_concurrent.map_or(cores, |n| n as usize),
            max_queued: args.max_queued as usize,
            max_receiving: args.max_receiving as usize,
            min_upload_rate: args.min_upload_rate,
            upload_grace: crate::serve::UPLOAD_GRACE,
            timeout: args.request_timeout,
            probe_budget: args.max_probe_seconds,
        },
        connections: crate::serve::ConnectionLimits {
            header_timeout: args.header_timeout,
            max_connections: args.max_connections as usize,
            shutdown_timeout: args.shutdown_timeout,
        },
        token,
        spool_dir: args.spool_dir,
        access_log: !args.no_access_log,
    })
}

impl Cli {
    /// Whether the run may write output files, which an interrupted run removes (not the
    /// service, whose requests clean up after themselves, nor the spreadsheet reader).
    pub fn writes_outputs(&self) -> bool {
        !matches!(self.command, Command::Serve(_) | Command::SheetReader(_))
    }
}

fn run_fix(args: FixArgs) -> Result<Outcome, Error> {
    let config = load_config(args.config.as_ref(), args.no_config)?;
    let overrides = args.list.over(Overrides {
        campaign: args.campaign.clone(),
        ..Overrides::default()
    })?;
    let options = CheckOptions::from_config(&config, overrides)?;
    let paths = fix::FixPaths {
        input: args.input,
        clean: args.clean,
        rejects: args.rejects.clone(),
        in_place: args.in_place,
        form: fix::OutputForm {
            encoding: args.output_encoding,
            delimiter: args.output_delimiter.0,
        },
    };
    let mut outputs = paths.clean.iter().chain([&paths.rejects]);
    let output_on_stdout = outputs.any(|p| crate::output::is_stdout(p));
    if args.format == FixFormat::Json {
        if output_on_stdout {
            return Err(Error::Usage(
                "walint fix --format json writes its results to standard output: give --clean and --rejects files".into(),
            ));
        }
        let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
        let results = fix::Results {
            out: &mut out,
            rejected_only: false,
        };
        let summary = fix::run_with_results(&options, &paths, Some(results))?;
        fix::write_summary_json(&summary, &paths, &mut out)
            .and_then(|()| out.flush())
            .map_err(stdout_error)?;
        return Ok(fix_outcome(&summary));
    }
    let summary = fix::run(&options, &paths)?;
    // With an output on standard output (`-`), the summary goes to standard error.
    if output_on_stdout {
        fix::write_summary(&summary, &paths, &mut io::stderr().lock()).map_err(stdout_error)?;
    } else {
        let mut out = io::stdout().lock();
        fix::write_summary(&summary, &paths, &mut out).map_err(stdout_error)?;
    }
    Ok(fix_outcome(&summary))
}

/// `walint fix` fails (exit 1) when it rejected rows or the campaign's definition is wrong.
fn fix_outcome(summary: &fix::FixSummary) -> Outcome {
    if summary.rejected > 0 || !summary.definition.is_empty() {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// Runs `walint check`; with `--format json -o FILE`, a run that fails writes the JSON
/// error report to FILE (unless FILE is one of the inputs), so a CI step reading the
/// report learns why there is none.
fn run_check(args: CheckArgs) -> Result<Outcome, Error> {
    let error_report = match &args.output {
        Some(path) if args.format == Format::Json && !crate::output::is_stdout(path) => {
            Some(path.clone())
        }
        _ => None,
    };
    let mut output_is_input = false;
    let outcome = check_and_report(args, &mut output_is_input);
    if let (Err(error), Some(path), false) = (&outcome, error_report, output_is_input) {
        // Best effort: when even this cannot be written, the error line still says why.
        let _ = write_error_report(error, &path);
    }
    outcome
}

fn write_error_report(error: &Error, path: &std::path::Path) -> Result<(), Error> {
    let mut file = crate::output::OutputFile::create(path)?;
    report::json::write_error(error, &mut file).map_err(|e| file.error(e))?;
    file.finish()?.persist()
}

fn check_and_report(args: CheckArgs, output_is_input: &mut bool) -> Result<Outcome, Error> {
    let config = load_config(args.config.as_ref(), args.no_config)?;
    let overrides = args.list.over(Overrides {
        paths: args.paths.clone(),
        registry: args.registry.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        exclude: args.exclude.clone(),
        skip_campaign_files: args.skip_campaign_files,
        campaign: args.campaign.clone(),
        media: args.media.clone(),
        path_base: args.report.path_base.clone(),
        progress: !args.report.quiet,
        ..Overrides::default()
    })?;
    if args.report.statistics && args.format != Format::Text {
        return Err(Error::Usage(
            "--statistics prints counts as text: leave out --format, or drop --statistics".into(),
        ));
    }
    let options = CheckOptions::from_config(&config, overrides)?;
    let mut inputs = check::input_files(&options);
    inputs.extend(args.report.baseline.iter().cloned());
    if let Some(output) = &args.output {
        let refused = check::refuse_input_as_output(output, &inputs, "walint check -o");
        *output_is_input = refused.is_err();
        refused?;
    }
    if let Some(path) = &args.report.write_baseline {
        check::refuse_input_as_output(path, &inputs, "walint check --write-baseline")?;
        if args.output.as_ref().is_some_and(|o| o == path) {
            return Err(Error::Usage(format!(
                "--write-baseline and --output are both {}: give them different files",
                path.display()
            )));
        }
    }
    let baseline = args
        .report
        .baseline
        .as_deref()
        .map(report::baseline::Baseline::load)
        .transpose()?;
    let report = check::run(&options)?;
    let quiet = args.report.quiet;
    if !quiet {
        for skipped in &report.skipped {
            eprintln!("walint: note: skipped {skipped}");
        }
    }
    if let Some(path) = &args.report.write_baseline {
        let mut file = crate::output::OutputFile::create(path)?;
        report::baseline::write(&report, &mut file).map_err(|e| file.error(e))?;
        file.finish()?.persist()?;
        if !quiet {
            eprintln!(
                "walint: wrote a baseline of {} findings to {}",
                report.diagnostics.len(),
                path.display()
            );
        }
    }
    let report = match (&baseline, &args.report.baseline) {
        (Some(baseline), Some(path)) => {
            let (report, applied) = baseline.apply(report).map_err(|source| Error::Io {
                path: "<findings spill>".into(),
                source,
            })?;
            if !quiet {
                eprintln!(
                    "walint: baseline {}: {} known findings left out, {} entries no longer occur{}",
                    path.display(),
                    applied.known,
                    applied.gone,
                    if applied.gone > 0 {
                        " (write it again with --write-baseline to drop them)"
                    } else {
                        ""
                    }
                );
            }
            if applied.known == 0 && !baseline.is_empty() && !report.diagnostics.is_empty() {
                // Always said, also with --quiet: every finding is reported as new.
                eprintln!(
                    "walint: warning: no entry of baseline {} matched: its paths are as shown when it was written, relative to the directory it was run from (or its --path-base); run from there, or give the same --path-base",
                    path.display()
                );
            }
            report
        }
        _ => report,
    };
    let fail_on = args
        .fail_on
        .map(Severity::from)
        .or(config.fail_on)
        .unwrap_or(Severity::Error);
    let shown = report::Shown {
        redact: match (args.report.redact, args.report.no_redact) {
            (true, _) => true,
            (_, true) => false,
            _ => args.format.redacts_by_default(),
        },
        base_uri: options.path_base_uri(),
        fail_on,
    };
    // A reader that stops early (`| head`) is no failure of walint's, and the exit code
    // still says what the report found, whatever happened to standard output.
    match emit(&report, &args, &shown) {
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    // Writing a baseline records today's findings as known: the run did its job.
    let recording = args.report.write_baseline.is_some();
    Ok(
        if report.fails(fail_on) && !args.report.exit_zero && !recording {
            Outcome::Findings
        } else {
            Outcome::Clean
        },
    )
}

fn load_config(config: Option<&PathBuf>, no_config: bool) -> Result<Config, Error> {
    config_path(config, no_config)?.map_or_else(|| Ok(Config::default()), |p| Config::load(&p))
}

/// The walint.toml a command uses: `--config`, else the one found from the current
/// directory up; none with `--no-config`.
fn config_path(config: Option<&PathBuf>, no_config: bool) -> Result<Option<PathBuf>, Error> {
    if no_config {
        return Ok(None);
    }
    match config {
        Some(p) => Ok(Some(p.clone())),
        None => {
            let cwd = std::env::current_dir().map_err(|source| Error::Io {
                path: ".".into(),
                source,
            })?;
            Ok(Config::discover(&cwd))
        }
    }
}

fn emit(report: &Report, args: &CheckArgs, shown: &report::Shown) -> Result<(), Error> {
    let format = args.format;
    let quiet = args.report.quiet;
    let statistics = args.report.statistics;
    let write = |out: &mut dyn Write| match format {
        Format::Text if statistics => report::text::write_statistics(report, quiet, out),
        Format::Text => report::text::write_shown(report, shown, quiet, out),
        _ => format.write(report, shown, out),
    };
    let color = args.report.color;
    match args.output.as_ref() {
        Some(path) if !crate::output::is_stdout(path) => {
            // Written beside the target and renamed into place (a link to a file is
            // refused), or into a device or FIFO; an interrupted run leaves the old report.
            let mut file = crate::output::OutputFile::create(path)?;
            let written = if format != Format::Text || color == ColorWhen::Always {
                // Only text has styles; JSON and XML escape every control character.
                write(&mut file)
            } else {
                // A file gets no colour (the text writer's styles are stripped).
                let mut out = anstream::StripStream::new(&mut file as &mut dyn Write);
                write(&mut out).and_then(|()| out.flush())
            };
            written.map_err(|e| file.error(e))?;
            file.finish()?.persist()
        }
        // Only text goes through the stream that drops colours when stdout is not a
        // terminal.
        _ if format != Format::Text => {
            let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(stdout_error)
        }
        _ => {
            let choice = match color {
                ColorWhen::Auto => anstream::ColorChoice::Auto,
                ColorWhen::Always => anstream::ColorChoice::Always,
                ColorWhen::Never => anstream::ColorChoice::Never,
            };
            let mut out = io::BufWriter::with_capacity(
                1 << 16,
                anstream::AutoStream::new(io::stdout().lock(), choice),
            );
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(stdout_error)
        }
    }
}
