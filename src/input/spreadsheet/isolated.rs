//! A workbook read in a process of its own: walint starts `walint __sheet-reader` (see
//! `child`) with the workbook as its standard input, reads its rows from a pipe (`frames`),
//! and, when the process ends without finishing, says which of its limits the workbook
//! met. The reader's environment is emptied (no tokens reach it), and its standard error
//! is read only to tell an allocation that failed from a panic; it is never shown, as it
//! could quote the workbook.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;

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
    let mut rows = ChildRows {
        child,
        answer: BufReader::with_capacity(1 << 16, stdout),
        stderr,
        limits: *limits,
        budget: None,
        ended: false,
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
        let status = match self.child.wait() {
            Ok(status) => status,
            Err(e) => return format!("the spreadsheet reader was lost: {e}"),
        };
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
        match read {
            Some(e) if e.kind() == io::ErrorKind::InvalidData => e.to_string(),
            _ => format!("the spreadsheet reader stopped before the end of the sheet ({status})"),
        }
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
