//! Where uploads wait on disk: a directory of the service's own (`walint-serve-XXXXXX`)
//! under `--spool-dir` or the system's temporary directory, readable by the service's user
//! alone (0700; every upload's directory 0700 and its files 0600, so no other local user
//! reads a contact list in flight), and locked (`flock`) for as long as the service runs.
//! At start, the directories of services that are gone — killed or crashed, so their lock
//! is free — are removed with the uploads left in them. A directory another user owns, or
//! a link, is never touched.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The start of a service's spool directory's name.
const PREFIX: &str = "walint-serve-";
/// The lock file in it.
const LOCK: &str = ".lock";
/// A service's directory with no lock file yet is taken as a starting service's for this
/// long (it creates the directory, then the lock).
const STARTING: Duration = Duration::from_secs(60);

/// The service's spool directory; removed, with what is left in it, when dropped.
pub(super) struct SpoolRoot {
    dir: tempfile::TempDir,
    /// Held (and locked) while the service runs.
    _lock: File,
    /// Spool directories of services that were gone, removed at start.
    pub(super) removed: usize,
}

impl SpoolRoot {
    /// Removes the spools of services that are gone from `parent` (the system's temporary
    /// directory when `None`), then makes this service's own, private and locked.
    pub(super) fn create(parent: Option<&Path>) -> std::io::Result<SpoolRoot> {
        let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let removed = remove_stale(&parent);
        let dir = private_dir(PREFIX).tempdir_in(&parent)?;
        let lock = File::options()
            .create_new(true)
            .write(true)
            .open(dir.path().join(LOCK))?;
        if !try_lock(&lock) {
            return Err(std::io::Error::other("cannot lock the spool directory"));
        }
        Ok(SpoolRoot {
            dir,
            _lock: lock,
            removed,
        })
    }

    /// The directory uploads are spooled under.
    pub(super) fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A temporary-directory builder for a directory the service's user alone may read
/// (0700), named `prefix…`.
pub(super) fn private_dir(prefix: &str) -> tempfile::Builder<'_, '_> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    builder
}

/// Takes the lock on `file` without waiting; `false` when another process holds it.
fn try_lock(file: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock only acts on the descriptor given, which `file` keeps open.
        unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        true
    }
}

/// Removes the spool directories under `parent` whose service is gone: this user's,
/// not links, their lock free (or missing, past [`STARTING`]). Returns how many.
fn remove_stale(parent: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return 0;
    };
    let stale: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(PREFIX))
        .map(|e| e.path())
        .filter(|path| is_ours_and_gone(path))
        .collect();
    stale
        .iter()
        .filter(|path| std::fs::remove_dir_all(path).is_ok())
        .count()
}

fn is_ours_and_gone(path: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.is_dir() || !owned_by_us(&meta) {
        return false;
    }
    match File::open(path.join(LOCK)) {
        Ok(lock) => try_lock(&lock),
        Err(_) => meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STARTING),
    }
}

fn owned_by_us(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions.
        meta.uid() == unsafe { libc::geteuid() }
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_gone_service_spool_is_removed_and_a_live_one_kept() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let live = SpoolRoot::create(Some(parent.path())).unwrap();
        let mode = std::fs::metadata(live.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        // A service killed with an upload in its spool: its lock is free.
        let gone = parent.path().join("walint-serve-gone01");
        std::fs::create_dir_all(gone.join("walint-upload-x")).unwrap();
        std::fs::write(gone.join(LOCK), "").unwrap();
        std::fs::write(gone.join("walint-upload-x/list.csv"), "phone\n").unwrap();
        // Not a spool of ours.
        let other = parent.path().join("unrelated");
        std::fs::create_dir(&other).unwrap();
        let second = SpoolRoot::create(Some(parent.path())).unwrap();
        assert_eq!(second.removed, 1);
        assert!(!gone.exists());
        assert!(live.path().exists(), "a running service's spool stays");
        assert!(other.exists());
        let dir = live.path().to_path_buf();
        drop(live);
        assert!(!dir.exists(), "a service's spool goes with it");
    }
}
