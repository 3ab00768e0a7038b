//! `walint registry pull`: downloads the account's template registry from the WhatsApp
//! Cloud (Graph) API — every page of `GET /<WABA_ID>/message_templates` — into a file
//! `walint check --registry` reads. This module owns the command's arguments and options,
//! the access token (read from the environment only, sent only in an
//! `Authorization: Bearer` header to the `--graph-url` host, never printed or written),
//! and the result: `{"data": [...]}` sorted by name, language and id, each template
//! read with walint's own registry reader as its page arrives, then written atomically (a
//! temporary file renamed over the target only when the whole pull succeeded; a missing
//! parent directory is created then). What a pull holds and takes is bounded whatever the
//! server sends: one page in memory (the others wait in a scratch file, `spool`), at most
//! [`PullOptions::max_total_bytes`] received and written, at most
//! [`PullOptions::max_pages`] pages, never a page twice. The HTTP exchange (paging,
//! retries) is in `graph`, Graph's error bodies in words in `graph_error`. It judges
//! nothing: the registry rules do, when the file is checked.

mod graph;
mod graph_error;
mod spool;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use reqwest::Url;

use crate::error::Error;
use crate::output;

/// The Graph API host.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";

/// The Graph API version asked for unless `--api-version` says otherwise: v23.0 (May
/// 2025), the version whose template behaviour docs/whatsapp-rules.md records (132018 for
/// parameter problems "from Graph API v23.0"). Meta keeps a version for about two years;
/// move this on when the rules are checked against a newer one.
pub const DEFAULT_API_VERSION: &str = "v23.0";

/// The environment variable the token is read from unless `--token-env` names another.
pub const DEFAULT_TOKEN_ENV: &str = "WHATSAPP_TOKEN";

/// Where the registry is written unless `-o` says otherwise.
pub const DEFAULT_OUTPUT: &str = "templates/registry.json";

/// The most bytes a pull takes from the Graph API, all answers together, and the largest
/// registry file it writes, unless `--max-total-bytes` says otherwise: 256 MiB. An
/// account's registry is a few megabytes (Meta allows 6,000 templates); past this a
/// server is sending pages that never end, and the pull stops.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 256 << 20;

/// The template fields asked for: everything the registry reader and the registry and
/// payload rules read (`crate::template::Template`), and `sub_category`.
pub const FIELDS: &str =
    "id,name,language,status,category,sub_category,parameter_format,components";

/// An access token. Its `Debug` shows `[redacted]`, so options can be logged.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Wraps a token (surrounding whitespace, such as a pasted line break, removed).
    pub fn new(token: &str) -> Token {
        Token(token.trim().to_string())
    }

    /// The token itself, for the header (and for taking it out of text shown).
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// What [`pull`] does.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// The WhatsApp Business Account id (digits).
    pub waba_id: String,
    /// Where the registry goes (`-`: standard output).
    pub output: PathBuf,
    /// The access token.
    pub token: Token,
    /// The environment variable it came from, named in messages.
    pub token_env: String,
    /// The Graph API's base URL (`https://graph.facebook.com`; plain http only for a
    /// loopback address).
    pub graph_url: String,
    /// The Graph API version (`v23.0`).
    pub api_version: String,
    /// Templates asked for per page (`limit=`).
    pub page_size: u32,
    /// Pages followed at most: a guard against paging that never ends.
    pub max_pages: usize,
    /// The most bytes taken from the Graph API, all answers together (each at most
    /// 16 MiB), and the largest registry file written (`--max-total-bytes`; 1 MiB to
    /// 4 GiB, see [`crate::config::pull_bytes`]).
    pub max_total_bytes: u64,
    /// Requests per page at most (the first and its retries).
    pub attempts: u32,
    /// The wait before the first retry, doubled before each further one; a
    /// `Retry-After` answer overrides it.
    pub backoff: Duration,
    /// The longest wait before a retry, whatever `Retry-After` says.
    pub max_wait: Duration,
    /// Each request's timeout.
    pub timeout: Duration,
}

impl PullOptions {
    /// The defaults: the Graph API at [`DEFAULT_GRAPH_URL`], version
    /// [`DEFAULT_API_VERSION`], 100 templates a page, at most 1000 pages and
    /// [`DEFAULT_MAX_TOTAL_BYTES`], 5 attempts a page with waits of 1, 2, 4 and 8 s (or
    /// `Retry-After`, up to 60 s), 30 s a request.
    pub fn new(waba_id: &str, token: Token, output: &Path) -> PullOptions {
        PullOptions {
            waba_id: waba_id.to_string(),
            output: output.to_path_buf(),
            token,
            token_env: DEFAULT_TOKEN_ENV.to_string(),
            graph_url: DEFAULT_GRAPH_URL.to_string(),
            api_version: DEFAULT_API_VERSION.to_string(),
            page_size: 100,
            max_pages: 1000,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
            attempts: 5,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

/// What a pull brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullSummary {
    /// Templates written.
    pub templates: usize,
    /// Distinct languages among them.
    pub languages: usize,
    /// Pages fetched.
    pub pages: usize,
    /// Requests retried (rate limits, server errors).
    pub retries: u32,
    /// The WABA id.
    pub waba_id: String,
    /// Where they were written.
    pub output: PathBuf,
}

impl fmt::Display for PullSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, word: &str| match n {
            1 => format!("1 {word}"),
            n => format!("{n} {word}s"),
        };
        let into = match output::is_stdout(&self.output) {
            true => "standard output".to_string(),
            false => self.output.display().to_string(),
        };
        write!(
            f,
            "pulled {} in {} ({}",
            plural(self.templates, "template"),
            plural(self.languages, "language"),
            plural(self.pages, "page"),
        )?;
        if self.retries > 0 {
            write!(f, ", {}", plural(self.retries as usize, "retry"))?;
        }
        write!(f, ") from WABA {} into {into}", self.waba_id)
    }
}

/// The `walint registry` subcommands.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Download the account's template registry (every page of the Graph API's
    /// message_templates) into a file `walint check --registry` reads. The access token is
    /// read from the environment (WHATSAPP_TOKEN), never from the command line.
    Pull(PullArgs),
}

/// Arguments of `walint registry pull`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// The WhatsApp Business Account id (digits; in Meta's App Dashboard under WhatsApp
    /// > API Setup, or Business Settings > WhatsApp accounts).
    #[arg(long, value_name = "ID")]
    pub waba_id: String,
    /// Where to write the registry (`-`: standard output). A missing parent directory is
    /// created; an existing file is replaced only when the whole pull succeeded.
    #[arg(long, short, value_name = "FILE", default_value = DEFAULT_OUTPUT)]
    pub output: PathBuf,
    /// The environment variable holding the access token (a token with the
    /// whatsapp_business_management permission).
    #[arg(long, value_name = "NAME", default_value = DEFAULT_TOKEN_ENV)]
    pub token_env: String,
    /// The Graph API's base URL (plain http only for a loopback address).
    #[arg(long, value_name = "URL", default_value = DEFAULT_GRAPH_URL)]
    pub graph_url: String,
    /// The Graph API version.
    #[arg(long, value_name = "vNN.N", default_value = DEFAULT_API_VERSION)]
    pub api_version: String,
    /// The most bytes taken from the Graph API, all pages together, and the largest
    /// registry file written: past it the pull stops (exit 2) and writes nothing. 1 MiB
    /// to 4 GiB; an account's registry is a few megabytes. One page is at most 16 MiB and
    /// at most 1000 pages are followed.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_TOTAL_BYTES, value_parser = crate::config::pull_bytes_flag)]
    pub max_total_bytes: u64,
    /// The wait before the first retry, in milliseconds (for tests).
    #[arg(long, hide = true, value_name = "MS", default_value_t = 1000)]
    pub retry_base_ms: u64,
}

impl PullArgs {
    /// These arguments as options, the token looked up with `env` (the process's
    /// environment in [`run`]).
    pub fn options(&self, env: impl Fn(&str) -> Option<OsString>) -> Result<PullOptions, Error> {
        let name = self.token_env.as_str();
        if name.is_empty() || name.contains(['=', '\0']) {
            return Err(Error::Usage(format!(
                "--token-env: '{name}' is not an environment variable name"
            )));
        }
        let token = match env(name) {
            None => Err(format!("{name} is not set")),
            Some(value) => match value.into_string() {
                Ok(text) if text.trim().is_empty() => Err(format!("{name} is empty")),
                Ok(text) => Ok(Token::new(&text)),
                Err(_) => Err(format!("{name} is not valid UTF-8")),
            },
        }
        .map_err(|why| {
            Error::Usage(format!(
                "{why}: export a Graph API access token with the whatsapp_business_management permission in {name} (walint reads the token only from the environment)"
            ))
        })?;
        let mut options = PullOptions::new(&self.waba_id, token, &self.output);
        options.token_env = name.to_string();
        options.graph_url = self.graph_url.clone();
        options.api_version = self.api_version.clone();
        options.max_total_bytes = self.max_total_bytes;
        options.backoff = Duration::from_millis(self.retry_base_ms);
        Ok(options)
    }
}

/// Runs a `walint registry` subcommand; the summary goes to standard error.
pub fn run(command: RegistryCommand) -> Result<(), Error> {
    match command {
        RegistryCommand::Pull(args) => {
            let summary = pull(&args.options(|name| std::env::var_os(name))?)?;
            eprintln!("walint: {summary}");
            Ok(())
        }
    }
}

/// Pulls the registry: checks the options, fetches every page — each page's templates
/// read as a registry's and set aside on disk as it arrives — and writes the registry
/// atomically. On any failure nothing is written and an existing file is left as it was.
pub fn pull(options: &PullOptions) -> Result<PullSummary, Error> {
    let base = check_options(options)?;
    if !output::is_stdout(&options.output) {
        output::check_target(&options.output)?;
    }
    let token = options.token.expose();
    let mut spool = spool::Spool::new(&options.output, options.max_total_bytes, token)?;
    let paged = graph::fetch_all(options, &base, |page, templates| {
        spool.add_page(page, templates)
    })?;
    let written = spool.write(&options.output)?;
    Ok(PullSummary {
        templates: written.templates,
        languages: written.languages,
        pages: paged.pages,
        retries: paged.retries,
        waba_id: options.waba_id.clone(),
        output: options.output.clone(),
    })
}

/// Refuses options that cannot work before anything is sent; the Graph API's base URL.
fn check_options(options: &PullOptions) -> Result<Url, Error> {
    let id = &options.waba_id;
    if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Usage(format!(
            "--waba-id: '{id}' is not a WhatsApp Business Account id (digits only, e.g. 102290129340398)"
        )));
    }
    let version = &options.api_version;
    let numbers = version.strip_prefix('v').and_then(|v| v.split_once('.'));
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    if !numbers.is_some_and(|(major, minor)| digits(major) && digits(minor)) {
        return Err(Error::Usage(format!(
            "--api-version: '{version}' is not a Graph API version (e.g. {DEFAULT_API_VERSION})"
        )));
    }
    if options.token.expose().is_empty() {
        return Err(Error::Usage(format!("{} is empty", options.token_env)));
    }
    let total = i64::try_from(options.max_total_bytes).unwrap_or(i64::MAX);
    crate::config::pull_bytes(total)
        .map_err(|why| Error::Usage(format!("--max-total-bytes: {why}")))?;
    graph_base(&options.graph_url)
}

/// `--graph-url` as a base: http(s), no credentials, query or fragment, and plain http
/// only to a loopback address (the token must not cross a network unencrypted).
fn graph_base(text: &str) -> Result<Url, Error> {
    let refuse = |why: &str| Error::Usage(format!("--graph-url: '{text}' {why}"));
    let url = Url::parse(text).map_err(|_| refuse("is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(refuse("is not an http(s) URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("has credentials in it (the token goes in a header)"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("has a query or fragment"));
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(refuse(
            "is plain http: the token would cross the network unencrypted (use https)",
        ));
    }
    Ok(url)
}

/// Whether a URL's host is this machine (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> PullOptions {
        PullOptions::new("1234", Token::new("EAAsecret\n"), Path::new("r.json"))
    }

    #[test]
    fn the_token_never_shows_in_debug() {
        let shown = format!("{:?}", options());
        assert!(!shown.contains("EAAsecret"), "{shown}");
        assert_eq!(options().token.expose(), "EAAsecret");
    }

    #[test]
    fn bad_options_are_refused_before_any_request() {
        let refused = |change: fn(&mut PullOptions)| {
            let mut o = options();
            change(&mut o);
            check_options(&o).unwrap_err().to_string()
        };
        assert!(refused(|o| o.waba_id = "12a4".into()).contains("--waba-id"));
        assert!(refused(|o| o.api_version = "23.0".into()).contains("--api-version"));
        assert!(refused(|o| o.graph_url = "http://graph.example".into()).contains("plain http"));
        assert!(
            refused(|o| o.graph_url = "https://u:p@graph.example".into()).contains("credentials")
        );
        assert!(refused(|o| o.max_total_bytes = 1000).starts_with("--max-total-bytes: 1000 "));
        let mut o = options();
        o.graph_url = "http://127.0.0.1:9/prefix/".into();
        assert!(check_options(&o).is_ok());
    }

    #[test]
    fn the_token_comes_from_the_named_variable_only() {
        let args = PullArgs {
            waba_id: "1".into(),
            output: "r.json".into(),
            token_env: "MY_TOKEN".into(),
            graph_url: DEFAULT_GRAPH_URL.into(),
            api_version: DEFAULT_API_VERSION.into(),
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
            retry_base_ms: 5,
        };
        let missing = args.options(|_| None).unwrap_err().to_string();
        assert!(missing.starts_with("MY_TOKEN is not set: "), "{missing}");
        let empty = args.options(|_| Some(" ".into())).unwrap_err().to_string();
        assert!(empty.starts_with("MY_TOKEN is empty"), "{empty}");
        let set = args
            .options(|name| (name == "MY_TOKEN").then(|| "EAAx".into()))
            .unwrap();
        assert_eq!(set.token.expose(), "EAAx");
        assert_eq!(set.backoff, Duration::from_millis(5));
    }

    #[test]
    fn next_links_stay_on_the_graph_host_without_the_token() {
        let base = Url::parse("https://graph.example").unwrap();
        let o = options();
        let next = graph::next_page(
            "https://graph.example/v23.0/1/message_templates?access_token=EAAsecret&limit=100&after=QVFI",
            &base,
            &o,
            1,
        )
        .unwrap();
        assert_eq!(
            next.as_str(),
            "https://graph.example/v23.0/1/message_templates?limit=100&after=QVFI"
        );
        for elsewhere in [
            "https://evil.example/x?access_token=EAAsecret",
            "http://graph.example/x",
            "https://graph.example:8443/x",
        ] {
            let e = graph::next_page(elsewhere, &base, &o, 2)
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("refusing to follow page 2's `paging.next`"),
                "{e}"
            );
            assert!(!e.contains("EAAsecret"), "{e}");
        }
    }
}
