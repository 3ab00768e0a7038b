//! Spreadsheets — Excel (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`) and OpenDocument (`.ods`) —
//! read as rows of text cells with `calamine`, one sheet (the first, or `--sheet NAME`).
//!
//! A cell reads as the text the list means (`cells`): a numeric cell holding a whole
//! number is its digits exactly (Excel stores `919876543210` as a number and may *show* it
//! as `9.19876E+11`; the file keeps every digit, which a CSV export does not), other
//! numbers as their shortest exact decimal, dates as ISO 8601, booleans as `TRUE`/`FALSE`,
//! error values as Excel writes them (`#N/A`). Rows keep their sheet row number (what Excel
//! shows at the left), so findings point at the row a user sees; empty rows are not rows,
//! like blank lines in a CSV.
//!
//! A workbook is a stranger's file, and calamine trusts it: a cell reference past the last
//! column, repeated-row attributes or a broken `.xls` sector chain make it allocate without
//! end, and a truncated `.ods` makes it loop forever. So walint bounds what a workbook can
//! expand to before reading it (`workbook`: the bytes its parts declare, `[limits]
//! sheet_bytes`; each row's cells against the last row and column and `[limits]
//! record_bytes`, a row past them a finding at its place), and the `walint` binary reads
//! every workbook in a process of its own (`isolated`, `child`) limited in memory
//! (`[limits] sheet_memory`) and processor time, so whatever calamine does ends that
//! process with a clear error, never walint. A library that has no `walint` program to
//! start reads workbooks on a thread of its own ([`Reading::InProcess`]), with the same
//! limits but the last two: for files it trusts.
//!
//! `.xlsx` sheets are streamed cell by cell from the XML (memory stays flat in the sheet's
//! size, apart from its shared-strings table); the other formats are read whole by calamine.

mod cells;
pub mod child;
mod frames;
mod isolated;
mod workbook;

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, RwLock};

use crate::diagnostic::SheetCell;
use crate::error::Error;

pub use cells::inert_in_csv;
pub use workbook::{MAX_COLUMNS, MAX_ROWS};

/// File endings read as spreadsheets.
pub const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Whether a file is a spreadsheet, by its first bytes: a ZIP archive (xlsx, xlsm, xlsb,
/// ods) or an OLE compound file (xls). Its name does not decide: a CSV named `.xlsx` is
/// read as the CSV it is.
pub fn is_spreadsheet(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"\xD0\xCF\x11\xE0")
}

/// Whether a path's ending names a spreadsheet format.
pub fn has_spreadsheet_ending(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// A sheet, and how to point at its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet's name.
    pub name: Arc<str>,
    /// Column letters by header name, filled in once the header is known.
    columns: Vec<(Arc<str>, String)>,
}

impl Sheet {
    /// Remembers the header: the column names findings use, in order (column A first).
    pub fn set_header(&mut self, header: &[String]) {
        self.columns = header
            .iter()
            .enumerate()
            .map(|(i, name)| (Arc::from(name.as_str()), column_letters(i)))
            .collect();
    }

    /// How many columns the header has.
    pub fn width(&self) -> usize {
        self.columns.len()
    }

    /// Where a cell (or, with no column, a whole row) of this sheet is.
    pub fn place(&self, column: Option<&str>, row_number: u64) -> SheetCell {
        let cell = match column.and_then(|c| self.columns.iter().find(|(name, _)| &**name == c)) {
            Some((_, letters)) => format!("{letters}{row_number}"),
            None => format!("{row_number}:{row_number}"),
        };
        SheetCell {
            sheet: Arc::clone(&self.name),
            cell,
        }
    }
}

/// Excel's letters for the 0-based column `i`: A…Z, AA…ZZ, AAA….
pub fn column_letters(mut i: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// One row of a sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetRow {
    /// The 1-based sheet row number.
    pub number: u64,
    /// The cells as text, from column A to the row's last non-empty cell (none when the
    /// row is a fault).
    pub cells: Vec<String>,
    /// Why the row cannot be read, if it cannot.
    pub fault: Option<SheetFault>,
}

/// Why a sheet row cannot be read; its cells are dropped and reading goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFault {
    /// A cell lies past the last column a spreadsheet has (XFD, the 16,384th).
    PastLastColumn,
    /// The row lies past the last row a spreadsheet has (1,048,576).
    PastLastRow,
    /// Its cells hold more text than walint reads of one record (`[limits] record_bytes`).
    TooLong,
}

impl SheetFault {
    /// What is wrong, in words.
    pub fn describe(self) -> &'static str {
        match self {
            SheetFault::PastLastColumn => {
                "a cell lies past the last column a spreadsheet has (XFD): the workbook is malformed"
            }
            SheetFault::PastLastRow => {
                "the row lies past the last row a spreadsheet has (1,048,576): the workbook is malformed"
            }
            SheetFault::TooLong => {
                "its cells hold more text than walint reads of one record (1 MiB, or `[limits] record_bytes`)"
            }
        }
    }
}

/// How far a workbook may expand while it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetLimits {
    /// The most bytes its parts may expand to (the sum its ZIP directory declares; an
    /// `.xls` file's size): `[limits] sheet_bytes`.
    pub workbook_bytes: u64,
    /// The address space of the reader process: `[limits] sheet_memory`.
    pub memory: u64,
    /// The most bytes of one row's cells: `[limits] record_bytes`.
    pub row_bytes: usize,
}

/// `[limits] sheet_bytes` by default: 512 MiB, about three times the 1M-row benchmark
/// workbook's expanded size.
pub const DEFAULT_WORKBOOK_BYTES: u64 = 512 << 20;
/// `[limits] sheet_memory` by default: 448 MiB of address space for the reader process.
pub const DEFAULT_READER_MEMORY: u64 = 448 << 20;

impl Default for SheetLimits {
    fn default() -> SheetLimits {
        SheetLimits {
            workbook_bytes: DEFAULT_WORKBOOK_BYTES,
            memory: DEFAULT_READER_MEMORY,
            row_bytes: crate::input::csv_records::MAX_RECORD_BYTES,
        }
    }
}

/// Where workbooks are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// In a process of their own: `program __sheet-reader`, `program` being a `walint`
    /// binary (the binary reads its workbooks this way).
    Process(PathBuf),
    /// On a thread of this process, with the limits a thread can have (see the module's
    /// documentation): the library's default, for files it trusts.
    InProcess,
}

impl Reading {
    /// The running program itself, which is `walint` (for the binary).
    pub fn this_program() -> Reading {
        // /proc/self/exe starts this very binary even when its file was replaced since
        // (an upgrade while a service runs).
        let program = if Path::new("/proc/self/exe").exists() {
            PathBuf::from("/proc/self/exe")
        } else {
            std::env::current_exe().unwrap_or_else(|_| PathBuf::from("walint"))
        };
        Reading::Process(program)
    }
}

static READING: RwLock<Option<Reading>> = RwLock::new(None);

/// Sets where every workbook of this process is read from now on.
pub fn read_workbooks(reading: Reading) {
    *READING.write().unwrap_or_else(|p| p.into_inner()) = Some(reading);
}

fn reading() -> Reading {
    READING
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .unwrap_or(Reading::InProcess)
}

/// The rows of one sheet, read by a reader process or a thread of their own.
pub struct SheetRows {
    sheet: Sheet,
    source: RowSource,
}

enum RowSource {
    Process(Box<isolated::ChildRows>),
    Thread(ThreadRows),
}

/// The most bytes of a workbook that is not a file (standard input, a pipe) copied to a
/// temporary file to be read: what the workbook may expand to (a ZIP archive is no larger
/// than its parts), and a little for its directory.
fn copy_limit(limits: &SheetLimits) -> u64 {
    limits.workbook_bytes.saturating_add(1 << 20)
}

/// A workbook's bytes: a file (read in place), or a stream (standard input, a pipe), first
/// copied into an unnamed temporary file (no name on disk; gone when closed), at most what
/// the workbook may expand to.
pub fn workbook_file(
    shown: &str,
    path: &Path,
    input: &mut dyn Read,
    limits: &SheetLimits,
) -> Result<File, Error> {
    let io = |source| Error::Io {
        path: shown.to_string(),
        source,
    };
    if path != Path::new("-")
        && let Ok(file) = File::open(path)
        && file.metadata().is_ok_and(|m| m.is_file())
    {
        return Ok(file);
    }
    let mut copy = tempfile::tempfile().map_err(io)?;
    let most = copy_limit(limits);
    let copied = std::io::copy(&mut input.take(most + 1), &mut copy).map_err(io)?;
    if copied > most {
        return Err(Error::input(
            shown,
            None,
            format!(
                "the workbook is larger than walint reads of one ({}, `[limits] sheet_bytes`)",
                crate::error::bytes_shown(limits.workbook_bytes)
            ),
        ));
    }
    copy.flush().map_err(io)?;
    copy.rewind().map_err(io)?;
    Ok(copy)
}

impl SheetRows {
    /// Opens the sheet `wanted` (else the first) of a workbook's file (see
    /// [`workbook_file`]), where [`read_workbooks`] says; `shown` names it in errors.
    pub fn open(
        shown: &str,
        file: File,
        wanted: Option<&str>,
        limits: &SheetLimits,
    ) -> Result<SheetRows, Error> {
        let fail = |why: String| Error::input(shown, None, crate::input::quoted::masked(&why));
        let (source, name) = match reading() {
            Reading::Process(program) => {
                let (rows, name) = isolated::start(&program, file, wanted, limits).map_err(fail)?;
                (RowSource::Process(Box::new(rows)), name)
            }
            Reading::InProcess => {
                let (rows, name) = ThreadRows::start(file, wanted, limits).map_err(fail)?;
                (RowSource::Thread(rows), name)
            }
        };
        Ok(SheetRows {
            sheet: Sheet {
                name: Arc::from(name.as_str()),
                columns: Vec::new(),
            },
            source,
        })
    }

    /// The sheet being read.
    pub fn sheet(&self) -> &Sheet {
        &self.sheet
    }

    /// The next non-empty row, `None` at the end; an error (`InvalidData`: the workbook's
    /// fault) says why the rest of the sheet cannot be read.
    pub fn next_row(&mut self) -> std::io::Result<Option<SheetRow>> {
        let next = match &mut self.source {
            RowSource::Process(rows) => rows.next(),
            RowSource::Thread(rows) => rows.next(),
        };
        next.map_err(|why| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                crate::input::quoted::masked(&why),
            )
        })
    }
}

/// Rows read on a thread of this process, a batch at a time.
struct ThreadRows {
    rows: Receiver<Result<Vec<SheetRow>, String>>,
    batch: std::vec::IntoIter<SheetRow>,
    /// The reader said the sheet ended.
    ended: bool,
}

/// Rows sent from the reading thread at a time.
const BATCH: usize = 1024;

impl ThreadRows {
    fn start(
        file: File,
        wanted: Option<&str>,
        limits: &SheetLimits,
    ) -> Result<(ThreadRows, String), String> {
        let (tx, rx) = sync_channel(2);
        let (named_tx, named_rx) = sync_channel(1);
        let wanted = wanted.map(str::to_string);
        let limits = *limits;
        std::thread::Builder::new()
            .name("walint-sheet".into())
            .spawn(move || {
                let mut out = Batcher {
                    named: Some(named_tx),
                    tx,
                    batch: Vec::with_capacity(BATCH),
                };
                let result = workbook::survey(file, &limits)
                    .and_then(workbook::open)
                    .and_then(|opened| {
                        workbook::read(opened, wanted.as_deref(), &limits, &mut out)
                    });
                out.finish(result);
            })
            .map_err(|e| format!("cannot start the spreadsheet reader: {e}"))?;
        let name = named_rx
            .recv()
            .map_err(|_| "the spreadsheet reader stopped".to_string())??;
        Ok((
            ThreadRows {
                rows: rx,
                batch: Vec::new().into_iter(),
                ended: false,
            },
            name,
        ))
    }

    fn next(&mut self) -> Result<Option<SheetRow>, String> {
        loop {
            if let Some(row) = self.batch.next() {
                return Ok(Some(row));
            }
            if self.ended {
                return Ok(None);
            }
            match self.rows.recv() {
                Ok(Ok(batch)) if batch.is_empty() => {
                    self.ended = true;
                    return Ok(None);
                }
                Ok(Ok(batch)) => self.batch = batch.into_iter(),
                Ok(Err(why)) => return Err(why),
                // The reader thread ended without saying the sheet ended: it failed (a
                // panic in the workbook parser), and the rows after this point are unread.
                Err(_) => {
                    return Err("the spreadsheet reader stopped before the end of the sheet".into());
                }
            }
        }
    }
}

/// Rows on their way from the reading thread, a batch at a time.
struct Batcher {
    /// Where the sheet's name (or why there is none) goes, until it is said.
    named: Option<SyncSender<Result<String, String>>>,
    tx: SyncSender<Result<Vec<SheetRow>, String>>,
    batch: Vec<SheetRow>,
}

impl Batcher {
    /// Sends the last rows and how the reading ended: an empty batch says the sheet
    /// ended (a reader that stops without one panicked).
    fn finish(mut self, result: Result<(), String>) {
        if let Some(named) = self.named.take() {
            // Failed before naming a sheet.
            let _ = named.send(result.and(Err("the workbook has no sheet".into())));
            return;
        }
        if !self.batch.is_empty() {
            let _ = self.tx.send(Ok(std::mem::take(&mut self.batch)));
        }
        let _ = match result {
            Ok(()) => self.tx.send(Ok(Vec::new())),
            Err(why) => self.tx.send(Err(why)),
        };
    }
}

impl workbook::RowSink for Batcher {
    fn sheet(&mut self, name: &str) -> bool {
        self.named
            .take()
            .is_some_and(|named| named.send(Ok(name.to_string())).is_ok())
    }

    fn row(&mut self, row: SheetRow) -> bool {
        self.batch.push(row);
        if self.batch.len() < BATCH {
            return true;
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx.send(Ok(full)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader thread that stops without saying the sheet ended (it panicked) is an
    /// error, never a short sheet read as complete.
    #[test]
    fn a_reader_that_stops_early_is_an_error() {
        let rows = |batches: Vec<Result<Vec<SheetRow>, String>>| {
            let (tx, rx) = sync_channel(batches.len() + 1);
            for b in batches {
                tx.send(b).unwrap();
            }
            ThreadRows {
                rows: rx,
                batch: Vec::new().into_iter(),
                ended: false,
            }
        };
        let row = |n| SheetRow {
            number: n,
            cells: vec!["+14155552671".into()],
            fault: None,
        };
        let mut whole = rows(vec![Ok(vec![row(1), row(2)]), Ok(Vec::new())]);
        for n in [1, 2] {
            assert_eq!(whole.next().unwrap().unwrap().number, n);
        }
        assert!(whole.next().unwrap().is_none());
        assert!(whole.next().unwrap().is_none());
        let mut cut = rows(vec![Ok(vec![row(1)])]);
        assert_eq!(cut.next().unwrap().unwrap().number, 1);
        let e = cut.next().unwrap_err();
        assert!(e.contains("stopped before the end"), "{e}");
    }

    #[test]
    fn letters_and_references() {
        let letters: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_letters)
            .collect();
        assert_eq!(
            letters,
            ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
        );
        let mut sheet = Sheet {
            name: Arc::from("Sheet1"),
            columns: Vec::new(),
        };
        sheet.set_header(&["name".into(), "phone".into()]);
        assert_eq!(sheet.place(Some("phone"), 7).reference(), "Sheet1!B7");
        assert_eq!(sheet.place(None, 7).reference(), "Sheet1!7:7");
        sheet.name = Arc::from("Kunden's list");
        assert_eq!(
            sheet.place(Some("name"), 2).reference(),
            "'Kunden''s list'!A2"
        );
    }
}
