//! `--media-cache FILE`: probe results kept across runs, so a pre-commit hook or a CI
//! re-run does not fetch every link again. A JSON file mapping each link to when it was
//! probed and what was found; results older than the TTL are probed again. Written to a
//! temporary file beside the target and renamed, so a run cut short leaves the old cache.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::probe::Probe;

/// One cached result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When it was probed.
    pub probed_at: Timestamp,
    /// What was found.
    pub probe: Probe,
    /// Whether private hosts were allowed when it was probed: such a result is only reused
    /// by runs that allow them too (absent in older files: taken as allowed, the safe side).
    #[serde(default = "allowed")]
    pub allow_private: bool,
}

fn allowed() -> bool {
    true
}

/// The cache file's contents.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct MediaCache {
    /// The format version (1).
    pub version: u32,
    /// Results by link.
    pub entries: BTreeMap<String, Entry>,
}

impl MediaCache {
    /// Reads the cache; a missing file is an empty cache. A file that is not a cache is an
    /// error naming it (never overwritten silently).
    pub fn load(path: &Path) -> Result<MediaCache, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(MediaCache {
                    version: 1,
                    ..MediaCache::default()
                });
            }
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let cache: MediaCache = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}: not a walint media cache ({e}); delete it or name another file",
                path.display(),
                e.line()
            )
        })?;
        if cache.version != 1 {
            return Err(format!(
                "{}: media cache version {} is not supported; delete it",
                path.display(),
                cache.version
            ));
        }
        Ok(cache)
    }

    /// The result for a link probed no longer than `ttl` before `now`, under a policy this
    /// run's (`allow_private`) can reuse.
    pub fn fresh(
        &self,
        url: &str,
        now: Timestamp,
        ttl: jiff::SignedDuration,
        allow_private: bool,
    ) -> Option<&Probe> {
        self.entries
            .get(&*super::redacted(url))
            .filter(|e| now.duration_since(e.probed_at) <= ttl)
            .filter(|e| allow_private || !e.allow_private)
            .map(|e| &e.probe)
    }

    /// Records a result, under the link without any `user:password@` (the prober never
    /// sends them, and the cache file keeps none). A refusal is not kept: it is worked out
    /// again, under the next run's policy, at no cost.
    pub fn put(&mut self, url: String, probe: Probe, now: Timestamp, allow_private: bool) {
        let url = super::redacted(&url).into_owned();
        if matches!(probe, Probe::Refused { .. }) {
            self.entries.remove(&url);
            return;
        }
        self.entries.insert(
            url,
            Entry {
                probed_at: now,
                probe,
                allow_private,
            },
        );
    }

    /// Writes the cache (temporary file + rename).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("{}: {e}", path.display());
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
        serde_json::to_writer_pretty(&mut tmp, self).map_err(|e| fail(e.into()))?;
        tmp.write_all(b"\n").map_err(fail)?;
        tmp.persist(path).map_err(|e| fail(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::probe::{Failure, Fetched};

    #[test]
    fn round_trips_and_ages_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("media-cache.json");
        let mut cache = MediaCache::load(&path).unwrap();
        let then: Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
        cache.put(
            "https://a/x.jpg".into(),
            Probe::Fetched(Fetched {
                status: 200,
                size: Some(10),
                ..Fetched::default()
            }),
            then,
            false,
        );
        cache.put(
            "https://a/y.jpg".into(),
            Probe::Unreachable {
                failure: Failure::Timeout,
                detail: "no answer".into(),
            },
            then,
            true,
        );
        cache.put(
            "http://10.0.0.1/z.jpg".into(),
            Probe::Refused {
                host: "10.0.0.1".into(),
                address: "10.0.0.1".into(),
                why: "a private address".into(),
            },
            then,
            false,
        );
        cache.save(&path).unwrap();
        let again = MediaCache::load(&path).unwrap();
        let hour = jiff::SignedDuration::from_hours(1);
        let soon: Timestamp = "2026-11-30T09:30:00Z".parse().unwrap();
        let later: Timestamp = "2026-11-30T10:30:00Z".parse().unwrap();
        assert!(again.fresh("https://a/x.jpg", soon, hour, false).is_some());
        assert!(again.fresh("https://a/x.jpg", soon, hour, true).is_some());
        assert!(again.fresh("https://a/y.jpg", soon, hour, true).is_some());
        assert!(
            again.fresh("https://a/y.jpg", soon, hour, false).is_none(),
            "a result probed with private hosts allowed is not reused without"
        );
        assert!(again.fresh("https://a/x.jpg", later, hour, false).is_none());
        assert!(
            again
                .fresh("http://10.0.0.1/z.jpg", soon, hour, true)
                .is_none(),
            "refusals are not kept"
        );
    }

    #[test]
    fn a_file_that_is_not_a_cache_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.json");
        std::fs::write(&path, "[1, 2]").unwrap();
        let err = MediaCache::load(&path).unwrap_err();
        assert!(
            err.contains("notes.json:1") && err.contains("not a walint media cache"),
            "{err}"
        );
    }

    #[test]
    fn credentials_in_a_link_are_never_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("media-cache.json");
        let mut cache = MediaCache::load(&path).unwrap();
        let now: Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
        let link = "https://user:s3cret@a.example/x.jpg";
        cache.put(link.into(), Probe::Fetched(Fetched::default()), now, false);
        cache.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("s3cret") && !text.contains("user:"),
            "{text}"
        );
        let ttl = jiff::SignedDuration::from_secs(60);
        assert!(cache.fresh(link, now, ttl, false).is_some());
    }
}
