//! The media step of a check: after every payload and campaign row has been read (and its
//! media links recorded in a [`MediaLinks`]), probe each distinct link once — or take a
//! fresh result from the media cache, or nothing with `--offline` — and run the `WAM`
//! rules on each link. Owns the progress bar and the media part of the summary.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::CheckOptions;
use crate::config::MediaConfig;
use crate::error::Error;
use crate::media::MediaLinks;
use crate::media::cache::MediaCache;
use crate::media::probe::{self, Probe, ProbeSettings};
use crate::report::{MediaSummary, Report};
use crate::rules::media::{self as media_rules, MediaCheck, example_handle_reused};
use crate::template::TemplateRegistry;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How media links are checked.
#[derive(Debug, Clone)]
pub struct MediaOptions {
    /// `--offline`: no probing; rules that need none still run.
    pub offline: bool,
    /// How to probe.
    pub probe: ProbeSettings,
    /// `--media-cache FILE`.
    pub cache: Option<PathBuf>,
    /// How long a cached result is used.
    pub cache_ttl: Duration,
    /// Draw a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
}

impl Default for MediaOptions {
    fn default() -> Self {
        MediaOptions {
            offline: false,
            probe: ProbeSettings::default(),
            cache: None,
            cache_ttl: Duration::from_secs(3600),
            progress: false,
        }
    }
}

impl MediaOptions {
    /// The options `media` (flags over the config's `[media]`) asks for, defaults for the
    /// rest; `resolve` pins host names to addresses, `progress` allows a progress bar.
    pub fn new(
        media: &MediaConfig,
        resolve: Vec<(String, SocketAddr)>,
        progress: bool,
    ) -> MediaOptions {
        let defaults = MediaOptions::default();
        MediaOptions {
            offline: media.offline,
            probe: ProbeSettings {
                concurrency: media
                    .concurrency
                    .map_or(defaults.probe.concurrency, NonZeroUsize::get),
                per_host: media
                    .per_host
                    .map_or(defaults.probe.per_host, NonZeroUsize::get),
                timeout: media.timeout.unwrap_or(defaults.probe.timeout),
                budget: media.budget.unwrap_or(defaults.probe.budget),
                allow_private: media.allow_private_hosts,
                resolve,
                ..defaults.probe
            },
            cache: media.cache.clone(),
            cache_ttl: media.cache_ttl.unwrap_or(defaults.cache_ttl),
            progress,
        }
    }
}

/// Probes the links (as the options say) and adds the media findings and summary to
/// `report`.
pub fn check_links(
    links: &MediaLinks,
    templates: &TemplateRegistry,
    options: &CheckOptions,
    report: &mut Report,
) -> Result<(), Error> {
    let settings = &options.settings;
    let enabled = media_rules::enabled(settings);
    if links.is_empty() || enabled.is_empty() {
        return Ok(());
    }
    let media = &options.media;
    let urls = links.urls();
    let mut summary = MediaSummary {
        links: urls.len() as u64,
        offline: media.offline,
        ..MediaSummary::default()
    };
    let now = jiff::Timestamp::now();
    let results = if !media.offline && enabled.iter().any(|m| m.needs_probe) {
        probe_with_cache(urls, media, now, &mut summary)?
    } else {
        // No request, but an address literal that is not public is known to fail.
        let allow_private = media.probe.allow_private;
        urls.into_iter()
            .filter_map(|url| Some((probe::refused_without_request(&url, allow_private)?, url)))
            .map(|(refused, url)| (url, refused))
            .collect()
    };
    summary.refused = results.values().filter(|p| is_refused(p)).count() as u64;
    summary.not_probed = summary.links - summary.probed - summary.cached - summary.refused;
    let handles = example_handle_reused::handles(templates);
    for (key, uses) in links.iter() {
        let cx = MediaCheck {
            key,
            uses,
            probe: results.get(&key.url),
            now,
            example_handles: &handles,
        };
        for m in &enabled {
            if let Some(d) = (m.check)(&cx).and_then(|d| settings.apply(d)) {
                report.diagnostics.push(d);
            }
        }
    }
    report.media = Some(summary);
    Ok(())
}

/// The result of every link: fresh ones from the media cache, the rest probed now (and put
/// in the cache). Counts `probed` and `cached` in `summary`.
fn probe_with_cache(
    urls: Vec<String>,
    media: &MediaOptions,
    now: jiff::Timestamp,
    summary: &mut MediaSummary,
) -> Result<HashMap<String, Probe>, Error> {
    let allow_private = media.probe.allow_private;
    let mut cache = match &media.cache {
        Some(path) => Some(MediaCache::load(path).map_err(Error::Usage)?),
        None => None,
    };
    let ttl = jiff::SignedDuration::try_from(media.cache_ttl).unwrap_or(jiff::SignedDuration::MAX);
    let mut results = HashMap::new();
    let mut to_probe = Vec::new();
    for url in urls {
        match cache
            .as_ref()
            .and_then(|c| c.fresh(&url, now, ttl, allow_private))
        {
            Some(probe) => {
                results.insert(url, probe.clone());
                summary.cached += 1;
            }
            None => to_probe.push(url),
        }
    }
    let bar = progress_bar(media.progress, to_probe.len() as u64);
    let failures = AtomicU64::new(0);
    let done = |failed: bool| {
        let failing = failures.fetch_add(u64::from(failed), Ordering::Relaxed) + u64::from(failed);
        bar.set_message(format!("{failing} failing"));
        bar.inc(1);
    };
    let probed = probe::probe_all(&to_probe, &media.probe, &done).map_err(Error::Usage)?;
    bar.finish_and_clear();
    summary.probed = probed.values().filter(|p| !is_refused(p)).count() as u64;
    if let (Some(cache), Some(path)) = (cache.as_mut(), &media.cache) {
        for (url, probe) in &probed {
            cache.put(url.clone(), probe.clone(), now, allow_private);
        }
        cache.save(path).map_err(Error::Usage)?;
    }
    results.extend(probed);
    Ok(results)
}

fn is_refused(probe: &Probe) -> bool {
    matches!(probe, Probe::Refused { .. })
}

/// A bar on stderr when asked for and stderr is a terminal; a hidden one otherwise.
fn progress_bar(wanted: bool, total: u64) -> ProgressBar {
    if !wanted || total == 0 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("probing media links {bar:30} {pos}/{len} ({msg}) {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}
