//! Output files, written so that no run can damage what is already on disk: each output
//! goes to a temporary file created exclusively beside its target (a fresh random name,
//! never an existing path or a link: the `tempfile` crate), is flushed and synced, and
//! only then renamed over the target. A character device or a FIFO (`/dev/null`, a named
//! pipe, a terminal), also when reached through a link, is written into directly, since
//! there is nothing on disk to replace; any other target that exists and is not a regular
//! file (a symbolic link to a file, a block device, a socket, a directory) is refused. `-`
//! and `/dev/stdout` mean standard output.
//! Temporary files still waiting to be renamed are removed when the run is interrupted
//! (SIGINT, SIGTERM, SIGHUP), so a killed `walint fix` leaves no copy of a contact list
//! behind. A new output gets the usual mode (0666 less the umask); a replaced one keeps
//! its own. `walint fix`'s outputs and `walint check -o` both write through here.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::Error;

/// The temporary files of this process not yet renamed into place, removed by the
/// signal handler ([`remove_temporaries_on_signals`]).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Starts a thread that, on SIGINT, SIGTERM or SIGHUP, removes the pending temporary
/// files and exits with 128 + the signal's number (130, 143, 129), as a shell reports a
/// run the signal stopped. Called once, by the binary; registered even when the run
/// started with SIGINT ignored (a background job, nohup), so no interrupt leaves a copy of
/// a contact list behind.
pub fn remove_temporaries_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("walint-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let pending = PENDING.lock().unwrap_or_else(|p| p.into_inner());
                for path in pending.iter() {
                    let _ = std::fs::remove_file(path);
                }
                std::process::exit(128 + signal);
            }
        });
}

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

fn forget(path: &Path) {
    let mut pending = pending();
    if let Some(i) = pending.iter().position(|p| p == path) {
        pending.swap_remove(i);
    }
}

/// Whether `path` names standard output (`-` or `/dev/stdout`).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-" || path.as_os_str() == "/dev/stdout"
}

/// Whether `path` (links followed) is a character device or a FIFO: a stream written
/// into, not a file replaced.
fn is_stream(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata(path).is_ok_and(|m| {
            let kind = m.file_type();
            kind.is_char_device() || kind.is_fifo()
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Refuses a target that exists and is neither a regular file nor a stream (a character
/// device or a FIFO, see [`OutputFile::create`]): a symbolic link to a file (renaming
/// over it would replace the link, writing through it would write somewhere else), a block
/// device, a socket or a directory.
pub fn check_target(path: &Path) -> Result<(), Error> {
    if is_stream(path) {
        return Ok(());
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::Usage(format!(
            "{} is a symbolic link: walint writes only to regular files, never through a link (remove the link or give another name)",
            path.display()
        ))),
        Ok(meta) if !meta.is_file() => Err(Error::Usage(format!(
            "{} exists and is not a regular file (a directory, block device or socket): walint will not replace it",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// An output being written: a temporary file beside its target, or standard output.
pub struct OutputFile {
    path: PathBuf,
    /// Taken by [`OutputFile::finish`]; dropped unfinished, the temporary file goes.
    sink: Option<Sink>,
}

enum Sink {
    Temp(BufWriter<Writeback>),
    Stdout(BufWriter<io::Stdout>),
    /// A character device or a FIFO, written into.
    Stream(BufWriter<std::fs::File>),
}

impl OutputFile {
    /// Starts writing `path` (`-` or `/dev/stdout`: standard output). A character device
    /// or a FIFO is opened and written into; any other target that exists and is not a
    /// regular file is refused.
    pub fn create(path: &Path) -> Result<OutputFile, Error> {
        if is_stdout(path) {
            return Ok(OutputFile {
                path: path.to_path_buf(),
                sink: Some(Sink::Stdout(BufWriter::with_capacity(
                    1 << 16,
                    io::stdout(),
                ))),
            });
        }
        if is_stream(path) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|source| Error::Io {
                    path: path.display().to_string(),
                    source,
                })?;
            return Ok(OutputFile {
                path: path.to_path_buf(),
                sink: Some(Sink::Stream(BufWriter::with_capacity(1 << 16, file))),
            });
        }
        check_target(path)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let io = |source| Error::Io {
            path: path.display().to_string(),
            source,
        };
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "{}: the directory {} does not exist (walint does not create it)",
                path.display(),
                dir.display()
            )));
        }
        let mut pending = pending();
        let mut builder = tempfile::Builder::new();
        builder.prefix(".walint-").suffix(".tmp");
        // A new output gets the usual mode (0666 less the umask, as any program's), not
        // the temporary file's 0600; one that exists keeps its own.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let temp = builder.tempfile_in(dir).map_err(io)?;
        pending.push(temp.path().to_path_buf());
        if let Ok(meta) = std::fs::metadata(path) {
            temp.as_file()
                .set_permissions(meta.permissions())
                .map_err(io)?;
        }
        Ok(OutputFile {
            path: path.to_path_buf(),
            sink: Some(Sink::Temp(BufWriter::with_capacity(
                1 << 16,
                Writeback {
                    temp,
                    written: 0,
                    started: 0,
                },
            ))),
        })
    }

    /// The target, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An I/O error on this output, naming its target.
    pub fn error(&self, source: io::Error) -> Error {
        Error::Io {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// Flushes and syncs the output: on disk (or written out), not yet in place.
    pub fn finish(mut self) -> Result<Finished, Error> {
        let path = std::mem::take(&mut self.path);
        let io = |source| Error::Io {
            path: path.display().to_string(),
            source,
        };
        match self.sink.take() {
            None => Ok(Finished { path, temp: None }),
            Some(Sink::Stdout(mut out)) => {
                out.flush().map_err(io)?;
                Ok(Finished { path, temp: None })
            }
            Some(Sink::Stream(mut out)) => {
                out.flush().map_err(io)?;
                Ok(Finished { path, temp: None })
            }
            Some(Sink::Temp(out)) => {
                let temp = match out.into_inner() {
                    Ok(w) => w.temp,
                    Err(e) => {
                        let (error, out) = e.into_parts();
                        forget_temp(out.into_parts().0.temp);
                        return Err(io(error));
                    }
                };
                if let Err(e) = temp.as_file().sync_all() {
                    forget_temp(temp);
                    return Err(io(e));
                }
                Ok(Finished {
                    path,
                    temp: Some(temp),
                })
            }
        }
    }
}

/// Removes a temporary file that will not be renamed into place.
/// The temporary file of an output, whose written bytes are handed to the disk as they
/// accumulate (Linux: `sync_file_range`, which starts the write-back and does not wait),
/// so that the `fsync` at the end — which makes the output durable before it replaces the
/// target — has little left to write: a 164 MB report otherwise waited about 55 ms there,
/// on one thread, after every other thread was done.
struct Writeback {
    temp: tempfile::NamedTempFile,
    /// Bytes written so far.
    written: u64,
    /// Where the bytes not yet handed to the disk start.
    started: u64,
}

/// Bytes written between two hand-overs to the disk.
const WRITEBACK_BYTES: u64 = 8 << 20;

impl Write for Writeback {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.temp.write(buf)?;
        self.written += n as u64;
        if self.written - self.started >= WRITEBACK_BYTES {
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd;
                let fd = self.temp.as_file().as_raw_fd();
                // SAFETY: the descriptor is the open temporary file's; the call only
                // starts write-back of a range of it. A failure is harmless (fsync at the
                // end writes whatever is left), so its result is not needed.
                unsafe {
                    libc::sync_file_range(
                        fd,
                        self.started as libc::off64_t,
                        (self.written - self.started) as libc::off64_t,
                        libc::SYNC_FILE_RANGE_WRITE,
                    );
                }
            }
            self.started = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

fn forget_temp(temp: tempfile::NamedTempFile) {
    let path = temp.path().to_path_buf();
    drop(temp);
    forget(&path);
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if let Some(Sink::Temp(out)) = self.sink.take() {
            // Dropped unfinished (an error, a panic): the temporary file goes with it.
            let path = out.get_ref().temp.path().to_path_buf();
            drop(out);
            forget(&path);
        }
    }
}

impl OutputFile {
    fn sink(&mut self) -> io::Result<&mut dyn Write> {
        match &mut self.sink {
            Some(Sink::Temp(out)) => Ok(out),
            Some(Sink::Stdout(out)) => Ok(out),
            Some(Sink::Stream(out)) => Ok(out),
            None => Err(io::Error::other("output already finished")),
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sink()?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.sink()?.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sink()?.flush()
    }
}

/// An output written and synced, waiting to be renamed into place.
pub struct Finished {
    path: PathBuf,
    temp: Option<tempfile::NamedTempFile>,
}

impl Finished {
    /// Renames the temporary file over the target (nothing to do for standard output).
    pub fn persist(mut self) -> Result<(), Error> {
        let Some(temp) = self.temp.take() else {
            return Ok(());
        };
        let temp_path = temp.path().to_path_buf();
        let persisted = temp.persist(&self.path);
        forget(&temp_path);
        persisted.map(drop).map_err(|e| Error::Io {
            path: self.path.display().to_string(),
            source: e.error,
        })
    }
}

impl Drop for Finished {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            forget_temp(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_file_is_pending_until_renamed_and_gone_if_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let mut out = OutputFile::create(&target).unwrap();
        out.write_all(b"a\n").unwrap();
        let temp = pending()
            .iter()
            .find(|p| p.starts_with(dir.path()))
            .cloned();
        let temp = temp.expect("registered");
        assert!(temp.exists());
        out.finish().unwrap().persist().unwrap();
        assert!(!pending().contains(&temp));
        assert_eq!(std::fs::read(&target).unwrap(), b"a\n");

        let out = OutputFile::create(&dir.path().join("other.csv")).unwrap();
        drop(out);
        assert!(!pending().iter().any(|p| p.starts_with(dir.path())));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only out.csv is left");
    }

    /// A new output gets the mode any program's new file gets (not 0600); a replaced one
    /// keeps its own.
    #[cfg(unix)]
    #[test]
    fn outputs_get_the_usual_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let usual = dir.path().join("usual");
        std::fs::File::create(&usual).unwrap();
        let new = dir.path().join("new.csv");
        OutputFile::create(&new)
            .unwrap()
            .finish()
            .unwrap()
            .persist()
            .unwrap();
        assert_eq!(mode(&new), mode(&usual));
        let kept = dir.path().join("kept.csv");
        std::fs::write(&kept, "old").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
        OutputFile::create(&kept)
            .unwrap()
            .finish()
            .unwrap()
            .persist()
            .unwrap();
        assert_eq!(mode(&kept), 0o640);
    }

    #[test]
    fn targets_that_are_not_regular_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(OutputFile::create(dir.path()).is_err());
        #[cfg(unix)]
        {
            let link = dir.path().join("link.csv");
            std::os::unix::fs::symlink(dir.path().join("victim"), &link).unwrap();
            assert!(OutputFile::create(&link).is_err());
        }
    }
}
