//! The reader process: `walint __sheet-reader`, which walint starts for each workbook it
//! reads. It takes the workbook as its standard input (a file), limits itself before it
//! reads a byte — an address space of `[limits] sheet_memory`, no core dump, a processor-time
//! budget that grows with the workbook's expanded size — reads the sheet (`workbook`), and
//! writes the rows to its standard output as frames (`frames`). A workbook that makes
//! calamine allocate without end, loop forever or panic ends this process, never walint:
//! the parent (`isolated`) says which limit it met.

use std::io::{BufWriter, Write};
use std::time::Duration;

use super::frames::{self, Frame};
use super::workbook::{self, RowSink};
use super::{SheetLimits, SheetRow};

/// Processor time any workbook may take, however small: reading a real one of a few
/// megabytes takes a fraction of a second.
pub const BASE_SECONDS: u64 = 2;
/// Bytes a second of the parts calamine reads that the budget allows on top of
/// [`BASE_SECONDS`]: calamine reads the 1M-row benchmark workbook (`cargo bench --bench
/// inputs`, 204 MB of sheet XML) in 1.55 s of one core here, about 130 MB/s, and a 1M-row
/// `.ods` (310 MB of content.xml) in 2.2 s; a budget at 32 MiB/s leaves four times that for
/// a slower or busier machine, and holds any workbook within the default `sheet_bytes`
/// (512 MiB) to 18 s, however it loops.
pub const BYTES_PER_SECOND: u64 = 32 << 20;

/// The processor-time budget for a workbook that expands to `bytes`.
pub fn budget(bytes: u64) -> Duration {
    Duration::from_secs(BASE_SECONDS + bytes / BYTES_PER_SECOND)
}

/// The most characters of a sheet's name sent (Excel's names have at most 31).
const MAX_NAME_CHARS: usize = 255;

/// Runs the reader process: the workbook on standard input, frames on standard output.
/// What goes wrong is a frame; the exit status is 0 unless the process is stopped by a limit.
pub fn run(wanted: Option<&str>, limits: &SheetLimits) -> std::io::Result<()> {
    limit_self(limits.memory, BASE_SECONDS, false);
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = read(wanted, limits, &mut out);
    let last = match result {
        Ok(true) => Frame::End,
        Ok(false) => return out.flush(),
        Err(why) => Frame::Failed(why),
    };
    frames::write(&mut out, &last)?;
    out.flush()
}

/// Reads the workbook into frames; `Ok(false)` when the parent went away.
fn read(wanted: Option<&str>, limits: &SheetLimits, out: &mut impl Write) -> Result<bool, String> {
    use std::os::fd::AsFd;
    let file = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .map_err(|e| format!("cannot be read: {e}"))?;
    let surveyed = workbook::survey(file, limits)?;
    let seconds = budget(surveyed.read_bytes).as_secs();
    limit_self(limits.memory, seconds, true);
    let mut sink = Frames { out, gone: false };
    // Said at once: reading may never end.
    if !sink.send(&Frame::Budget(u32::try_from(seconds).unwrap_or(u32::MAX)))
        || sink.out.flush().is_err()
    {
        return Ok(false);
    }
    let opened = workbook::open(surveyed)?;
    workbook::read(opened, wanted, limits, &mut sink)?;
    Ok(!sink.gone)
}

/// Rows written as frames; a write that fails (the parent closed the pipe) stops reading.
struct Frames<'a, W: Write> {
    out: &'a mut W,
    gone: bool,
}

impl<W: Write> Frames<'_, W> {
    fn send(&mut self, frame: &Frame) -> bool {
        self.gone = self.gone || frames::write(self.out, frame).is_err();
        !self.gone
    }
}

impl<W: Write> RowSink for Frames<'_, W> {
    fn sheet(&mut self, name: &str) -> bool {
        // Excel's names have at most 31 characters; a longer one is cut for the frame.
        let cut = name
            .char_indices()
            .nth(MAX_NAME_CHARS)
            .map_or(name.len(), |(i, _)| i);
        self.send(&Frame::Sheet(name[..cut].to_string()))
    }

    fn row(&mut self, row: SheetRow) -> bool {
        self.send(&Frame::Row(row))
    }
}

/// Limits this process: address space, processor time (soft limit `seconds`: SIGXCPU; the
/// hard limit a second later: SIGKILL), no core dump (it would hold contact data). The
/// processor-time limit is set first with the base budget, its hard limit left where it
/// was, and then, once the workbook's size is known, to its budget.
// rlim_t is u64 on Linux, another width elsewhere: the casts say so.
#[allow(clippy::unnecessary_cast)]
fn limit_self(memory: u64, seconds: u64, last: bool) {
    #[cfg(unix)]
    {
        let set = |resource, soft: u64, hard: u64| {
            let limit = libc::rlimit {
                rlim_cur: soft as libc::rlim_t,
                rlim_max: hard as libc::rlim_t,
            };
            // SAFETY: setrlimit only reads the struct it is given.
            unsafe { libc::setrlimit(resource, &limit) };
        };
        set(libc::RLIMIT_AS, memory, memory);
        set(libc::RLIMIT_CORE, 0, 0);
        let mut current = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct it is given.
        unsafe { libc::getrlimit(libc::RLIMIT_CPU, &mut current) };
        let most = current.rlim_max as u64;
        let hard = if last {
            most.min(seconds.saturating_add(1))
        } else {
            most
        };
        set(libc::RLIMIT_CPU, seconds.min(hard), hard);
    }
    #[cfg(not(unix))]
    let _ = (memory, seconds, last);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_grows_with_the_expanded_size() {
        assert_eq!(budget(0).as_secs(), BASE_SECONDS);
        assert_eq!(budget(200 << 20).as_secs(), BASE_SECONDS + 6);
    }
}
