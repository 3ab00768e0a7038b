//! Spreadsheets — Excel (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`) and OpenDocument (`.ods`) —
//! read as rows of text cells with `calamine`, one sheet (the first, or `--sheet NAME`).
//!
//! A cell reads as the text the list means: a numeric cell holding a whole number is its
//! digits exactly (Excel stores `919876543210` as a number and may *show* it as
//! `9.19876E+11`; the file keeps every digit, which a CSV export does not), other numbers as
//! their shortest exact decimal, dates as ISO 8601, booleans as `TRUE`/`FALSE`, error values
//! as Excel writes them (`#N/A`). Rows keep their sheet row number (what Excel shows at the
//! left), so findings point at the row a user sees; empty rows are not rows, like blank
//! lines in a CSV.
//!
//! `.xlsx` sheets are streamed cell by cell from the XML (memory stays flat in the sheet's
//! size, apart from its shared-strings table); the other formats are read whole by calamine.
//! The reading runs on a thread of its own, a batch of rows ahead.

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{Data, DataRef, Reader, Sheets};

use crate::diagnostic::SheetCell;
use crate::error::Error;

/// File endings read as spreadsheets.
pub const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Rows sent from the reading thread at a time.
const BATCH: usize = 1024;

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
    /// The cells as text, from column A to the row's last non-empty cell.
    pub cells: Vec<String>,
}

/// The rows of one sheet, read on a thread of their own.
pub struct SheetRows {
    sheet: Sheet,
    rows: Receiver<Result<Vec<SheetRow>, String>>,
    batch: std::vec::IntoIter<SheetRow>,
    /// The reader said the sheet ended.
    ended: bool,
}

/// Where a workbook's bytes are.
pub enum Workbook {
    /// A file, opened by its ending.
    Path(std::path::PathBuf),
    /// Bytes already read (standard input, or a file whose ending does not say).
    Bytes(Vec<u8>),
}

impl SheetRows {
    /// Opens the sheet `wanted` (else the first) of a workbook; `shown` names it in errors.
    pub fn open(shown: &str, workbook: Workbook, wanted: Option<&str>) -> Result<SheetRows, Error> {
        let fail = |why: String| Error::input(shown, None, why);
        let (tx, rx) = sync_channel(2);
        let (named_tx, named_rx) = sync_channel(1);
        let wanted = wanted.map(str::to_string);
        std::thread::Builder::new()
            .name("walint-sheet".into())
            .spawn(move || read_sheet(workbook, wanted, named_tx, tx))
            .map_err(|e| fail(format!("cannot start the spreadsheet reader: {e}")))?;
        let name = named_rx
            .recv()
            .map_err(|_| fail("the spreadsheet reader stopped".into()))?
            .map_err(fail)?;
        Ok(SheetRows {
            sheet: Sheet {
                name: Arc::from(name.as_str()),
                columns: Vec::new(),
            },
            rows: rx,
            batch: Vec::new().into_iter(),
            ended: false,
        })
    }

    /// The sheet being read.
    pub fn sheet(&self) -> &Sheet {
        &self.sheet
    }

    /// The next non-empty row, `None` at the end; an error names what the workbook lacks.
    pub fn next_row(&mut self) -> std::io::Result<Option<SheetRow>> {
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
                Ok(Err(why)) => return Err(std::io::Error::other(why)),
                // The reader thread ended without saying the sheet ended: it failed (a
                // panic in the workbook parser), and the rows after this point are unread.
                Err(_) => {
                    return Err(std::io::Error::other(
                        "the spreadsheet reader stopped before the end of the sheet",
                    ));
                }
            }
        }
    }
}

/// The reading thread: opens the workbook, says which sheet it reads (or why it cannot),
/// then sends its non-empty rows in batches until the receiver goes away.
fn read_sheet(
    workbook: Workbook,
    wanted: Option<String>,
    named: SyncSender<Result<String, String>>,
    tx: SyncSender<Result<Vec<SheetRow>, String>>,
) {
    let opened = match workbook {
        Workbook::Path(path) => calamine::open_workbook_auto(&path)
            .map(|book| Book::File(Box::new(book)))
            .map_err(|e| e.to_string()),
        Workbook::Bytes(bytes) => calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
            .map(|book| Book::Bytes(Box::new(book)))
            .map_err(|e| e.to_string()),
    };
    let mut book = match opened {
        Ok(book) => book,
        Err(why) => {
            let _ = named.send(Err(format!("cannot be read as a spreadsheet: {why}")));
            return;
        }
    };
    let names = book.sheet_names();
    // Excel's sheet names are case-insensitive: an exact match first, then any case.
    let matching = wanted.as_ref().and_then(|w| {
        (names.iter().find(|n| *n == w))
            .or_else(|| names.iter().find(|n| n.to_lowercase() == w.to_lowercase()))
            .cloned()
    });
    let name = match (&wanted, names.first()) {
        (Some(_), _) if matching.is_some() => matching.unwrap_or_default(),
        (Some(w), _) => {
            let _ = named.send(Err(format!(
                "no sheet '{w}' (the workbook has: {})",
                names.join(", ")
            )));
            return;
        }
        (None, Some(first)) => first.clone(),
        (None, None) => {
            let _ = named.send(Err("the workbook has no sheet".into()));
            return;
        }
    };
    if named.send(Ok(name.clone())).is_err() {
        return;
    }
    let mut out = Batcher {
        tx,
        batch: Vec::with_capacity(BATCH),
    };
    let result = match &mut book {
        Book::File(b) => stream(b, &name, &mut out),
        Book::Bytes(b) => stream(b, &name, &mut out),
    };
    out.flush();
    let _ = match result {
        // An empty batch says the sheet ended: a reader that stops without one panicked.
        Ok(()) => out.tx.send(Ok(Vec::new())),
        Err(why) => out.tx.send(Err(why)),
    };
}

enum Book {
    File(Box<Sheets<std::io::BufReader<std::fs::File>>>),
    Bytes(Box<Sheets<Cursor<Vec<u8>>>>),
}

impl Book {
    fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::File(b) => b.sheet_names(),
            Book::Bytes(b) => b.sheet_names(),
        }
    }
}

/// Rows on their way to the reader, a batch at a time.
struct Batcher {
    tx: SyncSender<Result<Vec<SheetRow>, String>>,
    batch: Vec<SheetRow>,
}

impl Batcher {
    /// Adds a row; `false` once the receiver is gone (stop reading).
    fn push(&mut self, row: SheetRow) -> bool {
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            return true;
        }
        self.batch.push(row);
        if self.batch.len() < BATCH {
            return true;
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx.send(Ok(full)).is_ok()
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            let _ = self.tx.send(Ok(std::mem::take(&mut self.batch)));
        }
    }
}

/// Sends the rows of sheet `name`: cell by cell for xlsx, from the whole range otherwise.
fn stream<RS: Read + std::io::Seek>(
    book: &mut Sheets<RS>,
    name: &str,
    out: &mut Batcher,
) -> Result<(), String> {
    if let Sheets::Xlsx(xlsx) = book {
        let mut cells = xlsx
            .worksheet_cells_reader(name)
            .map_err(|e| e.to_string())?;
        let mut row = SheetRow::default();
        while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
            let (r, c) = cell.get_position();
            let number = u64::from(r) + 1;
            if number != row.number {
                let done = std::mem::replace(
                    &mut row,
                    SheetRow {
                        number,
                        cells: Vec::new(),
                    },
                );
                if done.number > 0 && !out.push(done) {
                    return Ok(());
                }
            }
            let c = c as usize;
            if row.cells.len() <= c {
                row.cells.resize(c + 1, String::new());
            }
            row.cells[c] = text(cell.get_value());
        }
        if row.number > 0 {
            out.push(row);
        }
        return Ok(());
    }
    let range = book.worksheet_range(name).map_err(|e| e.to_string())?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    for (i, cells) in range.rows().enumerate() {
        let mut texts = vec![String::new(); first_col as usize];
        texts.extend(cells.iter().map(|d| text(&data_ref(d))));
        let row = SheetRow {
            number: u64::from(first_row) + i as u64 + 1,
            cells: texts,
        };
        if !out.push(row) {
            return Ok(());
        }
    }
    Ok(())
}

/// A cell's value as the text the list means (see the module's documentation).
fn text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) => date_time(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// A whole-range cell (xls, xlsb, ods) as the cell reader gives xlsx cells.
fn data_ref(d: &Data) -> DataRef<'_> {
    match d {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(t) => DataRef::DateTime(*t),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

/// An Excel date serial (days since 1899-12-30, the 1900 date system) as ISO 8601 local
/// date-time text, to the second.
fn date_time(serial: f64) -> String {
    let seconds = (serial * 86_400.0).round();
    let epoch = jiff::civil::date(1899, 12, 30).at(0, 0, 0, 0);
    match jiff::SignedDuration::try_from_secs_f64(seconds)
        .ok()
        .and_then(|d| epoch.checked_add(d).ok())
    {
        Some(t) => t.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
        None => number(serial),
    }
}

/// A numeric cell as text: a whole number below 10^15 (every phone number) as its digits,
/// anything else as Rust's shortest exact decimal.
fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
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
            SheetRows {
                sheet: Sheet {
                    name: Arc::from("S"),
                    columns: Vec::new(),
                },
                rows: rx,
                batch: Vec::new().into_iter(),
                ended: false,
            }
        };
        let row = |n| SheetRow {
            number: n,
            cells: vec!["+14155552671".into()],
        };
        let mut whole = rows(vec![Ok(vec![row(1), row(2)]), Ok(Vec::new())]);
        for n in [1, 2] {
            assert_eq!(whole.next_row().unwrap().unwrap().number, n);
        }
        assert!(whole.next_row().unwrap().is_none());
        assert!(whole.next_row().unwrap().is_none());
        let mut cut = rows(vec![Ok(vec![row(1)])]);
        assert_eq!(cut.next_row().unwrap().unwrap().number, 1);
        let e = cut.next_row().unwrap_err();
        assert!(e.to_string().contains("stopped before the end"), "{e}");
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

    #[test]
    fn numbers_keep_their_digits() {
        assert_eq!(number(919876543210.0), "919876543210");
        assert_eq!(number(14155552671.0), "14155552671");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(1e20), "100000000000000000000");
        assert_eq!(date_time(45627.5), "2024-12-01T12:00:00");
    }
}
