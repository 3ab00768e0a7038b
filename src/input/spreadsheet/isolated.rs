//! A workbook read in a process of its own: walint starts `walint __sheet-reader` (see
//! `child`) with the workbook as its standard input, reads its rows from a pipe (`frames`),
//! and, when the process ends without finishing, says which of its limits the workbook
//! met. The reader's environment is emptied (no tokens reach it), and its standard error
//! is read only to tell an allocation that failed from a panic; it is never shown, as it
//! could quote the workbook. A reader whose answer walint cannot read is stopped, never
//! waited for (it may be blocked writing the rest), and a watchdog stops one that has not
//! finished within [`wall_limit`], whatever it is doing.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::frames::{self, Frame};
use super::{SheetLimits, SheetRow};
use crate::error::bytes_shown;

/// The rows a reader process sends.
pub(super) struct ChildRows {
    child: Child,
    answer: BufReader<ChildStdout>,
    stderr: Option<JoinHandle<Vec<u8>>>,
    limits: SheetLimits,
    /// Its processor-time budget, once it said it.
    budget: Option<u32>,
    /// It said the sheet ended (or failed): nothing more to read.
    ended: bool,
    watchdog: Option<Watchdog>,
}

/// Stops the reader process past its time: a thread waiting for [`wall_limit`] or for
/// word that the reader is done.
struct Watchdog {
    done: Sender<()>,
    /// Whether it stopped the reader; `None` once the reader was reaped (then it must not
    /// signal: the process id may belong to another process).
    fired: Arc<Mutex<Option<bool>>>,
    thread: JoinHandle<()>,
}

/// The most wall-clock time a reader process may take: ten times the processor time the
/// largest workbook the limits allow may take, and a minute: it runs ahead of walint's
/// check, blocked while the rows it sent are judged, so it may take far longer than its
/// processor time — but not for ever.
pub(super) fn wall_limit(limits: &SheetLimits) -> Duration {
    super::child::budget(limits.workbook_bytes) * 10 + Duration::from_secs(60)
}

impl Watchdog {
    fn start(pid: u32, limit: Duration) -> Option<Watchdog> {
        let (done, wait) = channel::<()>();
        let fired = Arc::new(Mutex::new(Some(false)));
        let flag = fired.clone();
        let thread = std::thread::Builder::new()
            .name("walint-sheet-watchdog".into())
            .spawn(move || {
                if let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(limit) {
                    let mut fired = flag.lock().unwrap_or_else(|p| p.into_inner());
                    if fired.is_some() {
                        *fired = Some(true);
                        #[cfg(unix)]
                        // SAFETY: the process is not reaped yet (`fired` is still set), so
                        // its id is still its own.
                        unsafe {
                            libc::kill(pid as libc::pid_t, libc::SIGKILL);
                        }
                    }
                }
            })
            .ok()?;
        Some(Watchdog {
            done,
            fired,
            thread,
        })
    }

    /// Marks the reader reaped (no signal after this) and stops the thread; whether the
    /// watchdog had stopped the reader.
    fn finish(self) -> bool {
        let fired = self
            .fired
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or(false);
        let _ = self.done.send(());
        let _ = self.thread.join();
        fired
    }
}

/// The most of the reader's standard error kept (the rest is read and dropped).
const STDERR_KEPT: usize = 4096;

/// Starts `program __sheet-reader` on `file` and reads up to the sheet's name: the rows
/// and the name, or why the workbook cannot be read.
pub(super) fn start(
    program: &Path,
    file: File,
    wanted: Option<&str>,
    limits: &SheetLimits,
) -> Result<(ChildRows, String), String> {
    let mut command = Command::new(program);
    command
        .arg("__sheet-reader")
        .arg(format!("--row-bytes={}", limits.row_bytes))
        .arg(format!("--workbook-bytes={}", limits.workbook_bytes))
        .arg(format!("--memory={}", limits.memory));
    if let Some(sheet) = wanted {
        command.arg(format!("--sheet={sheet}"));
    }
    command
        .env_clear()
        .stdin(Stdio::from(file))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start the spreadsheet reader: {e}"))?;
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("cannot start the spreadsheet reader: no pipes".into());
    };
    let stderr = std::thread::Builder::new()
        .name("walint-sheet-stderr".into())
        .spawn(move || {
            let mut kept = Vec::new();
            let _ = (&mut stderr)
                .take(STDERR_KEPT as u64)
                .read_to_end(&mut kept);
            let _ = io::copy(&mut stderr, &mut io::sink());
            kept
        })
        .ok();
    let watchdog = Watchdog::start(child.id(), wall_limit(limits));
    let mut rows = ChildRows {
        child,
        answer: BufReader::with_capacity(1 << 16, stdout),
        stderr,
        limits: *limits,
        budget: None,
        ended: false,
        watchdog,
    };
    loop {
        match rows.frame()? {
            Frame::Budget(seconds) => rows.budget = Some(seconds),
            Frame::Sheet(name) => return Ok((rows, name)),
            Frame::Failed(why) => {
                rows.ended = true;
                return Err(why);
            }
            Frame::Row(_) | Frame::End => return Err(malformed()),
        }
    }
}

impl ChildRows {
    /// The next row; `None` once the sheet ended. An error says why the workbook could not
    /// be read to its end.
    pub(super) fn next(&mut self) -> Result<Option<SheetRow>, String> {
        if self.ended {
            return Ok(None);
        }
        match self.frame()? {
            Frame::Row(row) => Ok(Some(row)),
            Frame::End => {
                self.ended = true;
                Ok(None)
            }
            Frame::Failed(why) => {
                self.ended = true;
                Err(why)
            }
            Frame::Budget(_) | Frame::Sheet(_) => Err(malformed()),
        }
    }

    /// The next frame; when the answer stops short, why the process ended.
    fn frame(&mut self) -> Result<Frame, String> {
        match frames::read(&mut self.answer, self.limits.row_bytes) {
            Ok(Some(frame)) => Ok(frame),
            Ok(None) => Err(self.ended_early(None)),
            Err(e) => Err(self.ended_early(Some(e))),
        }
    }

    /// Why the reader stopped before its answer ended: a limit it met, a panic, or an
    /// answer walint cannot read.
    fn ended_early(&mut self, read: Option<io::Error>) -> String {
        self.ended = true;
        if read.is_some() {
            // An answer walint cannot read: the reader may be blocked writing the rest.
            let _ = self.child.kill();
        }
        let status = self.child.wait();
        let timed_out = self.watchdog.take().is_some_and(Watchdog::finish);
        let status = match status {
            Ok(status) => status,
            Err(e) => return format!("the spreadsheet reader was lost: {e}"),
        };
        if timed_out {
            return format!(
                "reading it took more than {} s: the workbook is malformed or far larger than it looks",
                wall_limit(&self.limits).as_secs()
            );
        }
        if let Some(e) = read
            .as_ref()
            .filter(|e| e.kind() == io::ErrorKind::InvalidData)
        {
            return e.to_string();
        }
        let said = self
            .stderr
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        let out_of_memory = said
            .windows(b"memory allocation of".len())
            .any(|w| w == b"memory allocation of");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            match status.signal() {
                Some(libc::SIGXCPU | libc::SIGKILL) if !out_of_memory => {
                    let budget = self.budget.map_or_else(String::new, |s| {
                        format!(" ({s} s for a workbook of its size)")
                    });
                    return format!(
                        "reading it took more than its processor-time budget{budget}: the workbook is malformed (a sheet that never ends) or expands far past its size"
                    );
                }
                Some(_) if out_of_memory => return self.out_of_memory(),
                _ => {}
            }
        }
        if out_of_memory {
            return self.out_of_memory();
        }
        if status.code() == Some(101) {
            return "the spreadsheet reader failed on it: the workbook is malformed".into();
        }
        format!("the spreadsheet reader stopped before the end of the sheet ({status})")
    }

    fn out_of_memory(&self) -> String {
        format!(
            "reading it needs more memory than walint gives a workbook's reader ({}, `[limits] sheet_memory`): the workbook is malformed or expands far past its size (repeated rows or columns, huge strings); a large .xls or .ods list is read whole: raise the limit, or save it as .xlsx or CSV, which are read as a stream",
            bytes_shown(self.limits.memory)
        )
    }
}

impl Drop for ChildRows {
    /// A reader not read to its end (the check stopped early) is stopped, and waited for.
    fn drop(&mut self) {
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.finish();
        }
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(thread) = self.stderr.take() {
            let _ = thread.join();
        }
    }
}

fn malformed() -> String {
    "the spreadsheet reader's answer is malformed".into()
}
