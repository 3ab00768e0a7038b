//! Reading one sheet of a workbook into rows, within limits: what the format is (by its
//! bytes: an OLE compound file is `.xls`; a ZIP archive is `.xlsx`, `.xlsb` or `.ods` by
//! the parts it holds), how much it expands to (the sum of the sizes its ZIP directory
//! declares, which the `zip` crate then holds every part to, checked before anything is
//! decompressed), then the sheet's cells as rows, each row checked against the sheet's last
//! row and column and the bytes walint reads of one record. It runs where the workbook is
//! read — in the reader process (`child`) or, for a library that reads in-process, on a
//! thread — and hands rows to a [`RowSink`]; it does not know which.
//!
//! What calamine does inside a part (its shared strings, a sheet's XML) is bounded from the
//! outside: by the declared sizes here, and, in the reader process, by its memory and
//! processor-time limits (see `child`).

use std::fs::File;
use std::io::{BufReader, Read, Seek};

use calamine::{Ods, Reader, Sheets, Xls, Xlsb, Xlsx};

use super::cells::{data_ref, text};
use super::{SheetFault, SheetLimits, SheetRow};
use crate::error::bytes_shown;
use crate::input::quoted;

/// Excel's (and LibreOffice Calc's) last row: 1,048,576.
pub const MAX_ROWS: u64 = 1_048_576;
/// Excel's (and LibreOffice Calc's) last column, XFD: 16,384 columns.
pub const MAX_COLUMNS: usize = 16_384;

/// Where the rows of a sheet go.
pub(super) trait RowSink {
    /// The sheet being read, before its rows; `false`: stop reading.
    fn sheet(&mut self, name: &str) -> bool;
    /// A row that has a cell or a fault; `false`: stop reading.
    fn row(&mut self, row: SheetRow) -> bool;
}

/// A workbook's format, by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xls,
    Xlsx,
    Xlsb,
    Ods,
}

/// A workbook whose format and expanded size are known, not yet opened.
pub(super) struct Surveyed {
    file: File,
    format: Format,
    /// The bytes its parts expand to (the file's size for `.xls`).
    pub(super) expands_to: u64,
    /// The bytes of the parts calamine reads (its XML and binary parts, not images or
    /// other files a workbook carries), which its reading time follows.
    pub(super) read_bytes: u64,
}

/// A workbook opened for reading.
pub(super) struct Opened {
    book: Sheets<BufReader<File>>,
    /// The bytes its parts expand to.
    expands_to: u64,
}

/// The start of an OLE compound file (`.xls`).
const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// The most parts a ZIP workbook may have: real ones have tens (a part per sheet, image,
/// chart); the directory of each is held while the workbook is read.
const MAX_PARTS: usize = 100_000;

/// Surveys a workbook from its file (at any position): its format and its size once
/// expanded, refused past `limits.workbook_bytes`. Nothing is decompressed.
pub(super) fn survey(mut file: File, limits: &SheetLimits) -> Result<Surveyed, String> {
    let (format, expands_to, read_bytes) = survey_file(&mut file, limits)?;
    Ok(Surveyed {
        file,
        format,
        expands_to,
        read_bytes,
    })
}

/// Opens a surveyed workbook with calamine's reader for its format (`.xls` and `.ods`
/// are parsed whole here; `.xlsx` reads its shared strings).
pub(super) fn open(surveyed: Surveyed) -> Result<Opened, String> {
    let Surveyed {
        mut file,
        format,
        expands_to,
        ..
    } = surveyed;
    file.rewind().map_err(|e| format!("cannot be read: {e}"))?;
    let reader = BufReader::with_capacity(1 << 16, file);
    let failed = |e: &dyn std::fmt::Display| format!("cannot be read as a spreadsheet: {e}");
    let book = match format {
        Format::Xls => Sheets::Xls(Xls::new(reader).map_err(|e| failed(&e))?),
        Format::Xlsx => Sheets::Xlsx(Xlsx::new(reader).map_err(|e| failed(&e))?),
        Format::Xlsb => Sheets::Xlsb(Xlsb::new(reader).map_err(|e| failed(&e))?),
        Format::Ods => Sheets::Ods(Ods::new(reader).map_err(|e| failed(&e))?),
    };
    Ok(Opened { book, expands_to })
}

/// The workbook's format and the bytes it expands to, from its first bytes and (for a ZIP
/// archive) its directory; nothing is decompressed.
fn survey_file(file: &mut File, limits: &SheetLimits) -> Result<(Format, u64, u64), String> {
    let io = |e: std::io::Error| format!("cannot be read: {e}");
    let length = file.metadata().map_err(io)?.len();
    let mut head = [0u8; 8];
    let got = file.read(&mut head).map_err(io)?;
    let too_large = |bytes: u64| {
        format!(
            "the workbook expands to {} uncompressed, more than walint reads of one ({}, `[limits] sheet_bytes`)",
            bytes_shown(bytes),
            bytes_shown(limits.workbook_bytes)
        )
    };
    if head[..got].starts_with(OLE) {
        if length > limits.workbook_bytes {
            return Err(too_large(length));
        }
        return Ok((Format::Xls, length, length));
    }
    file.rewind().map_err(io)?;
    let archive = zip::ZipArchive::new(BufReader::new(&*file)).map_err(|e| {
        format!("cannot be read as a spreadsheet: not a readable ZIP archive ({e})")
    })?;
    if archive.len() > MAX_PARTS {
        return Err(format!(
            "the workbook has {} parts, more than any spreadsheet ({MAX_PARTS})",
            archive.len()
        ));
    }
    let mut total: u64 = 0;
    let mut read: u64 = 0;
    let mut format = None;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_data(i)
            .map_err(|e| format!("cannot be read as a spreadsheet: {e}"))?;
        total = total.saturating_add(entry.size());
        if total > limits.workbook_bytes {
            return Err(too_large(total));
        }
        let Ok(name) = entry.name() else { continue };
        format = format.or(match &*name {
            "xl/workbook.bin" => Some(Format::Xlsb),
            "xl/workbook.xml" => Some(Format::Xlsx),
            "content.xml" => Some(Format::Ods),
            _ => None,
        });
        if read_by_calamine(&name) {
            read = read.saturating_add(entry.size());
        }
    }
    match format {
        Some(format) => Ok((format, total, read)),
        None => Err(
            "cannot be read as a spreadsheet: a ZIP archive with no workbook in it (not .xlsx, .xlsb or .ods)"
                .into(),
        ),
    }
}

/// Whether calamine reads a part of a workbook: its XML and binary parts, not the images,
/// thumbnails and embedded files a workbook may carry.
fn read_by_calamine(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let carried = [
        "media/",
        "pictures/",
        "thumbnails/",
        "embeddings/",
        "printersettings/",
    ]
    .iter()
    .any(|dir| lower.contains(dir));
    !carried
        && [".xml", ".bin", ".rels"]
            .iter()
            .any(|end| lower.ends_with(end))
}

/// The least number of cells a sheet may hold, whatever its size.
const LEAST_CELLS: u64 = 1 << 20;
/// Expanded bytes a workbook needs per cell of its sheet (a cell in sheet XML takes ten or
/// more): a sheet may hold at most its workbook's expanded size divided by this, counting
/// the empty cells before the last of each row — which repeated-column attributes and
/// far-apart cells make without bytes.
const BYTES_PER_CELL: u64 = 8;

/// Reads the sheet `wanted` (else the first) of an opened workbook into `sink`.
pub(super) fn read(
    opened: Opened,
    wanted: Option<&str>,
    limits: &SheetLimits,
    sink: &mut dyn RowSink,
) -> Result<(), String> {
    let mut book = opened.book;
    let most_cells = LEAST_CELLS.max(opened.expands_to / BYTES_PER_CELL);
    let names = book.sheet_names();
    // Excel's sheet names are case-insensitive: an exact match first, then any case.
    let name = match wanted {
        Some(w) => names
            .iter()
            .find(|n| *n == w)
            .or_else(|| names.iter().find(|n| n.to_lowercase() == w.to_lowercase()))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "no sheet '{}' (the workbook has: {})",
                    quoted::quote(w),
                    quoted::quote_list(names.iter().map(String::as_str))
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "the workbook has no sheet".to_string())?,
    };
    if !sink.sheet(&name) {
        return Ok(());
    }
    let mut rows = Rows {
        sink,
        limit: limits.row_bytes,
        cells_left: most_cells,
        most_cells,
        over: None,
    };
    if let Sheets::Xlsx(xlsx) = &mut book {
        let mut cells = xlsx
            .worksheet_cells_reader(&name)
            .map_err(|e| e.to_string())?;
        let mut row = RowBuilder::new(0, rows.limit);
        while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
            let (r, c) = cell.get_position();
            let number = u64::from(r) + 1;
            if number != row.number() {
                let done = std::mem::replace(&mut row, RowBuilder::new(number, rows.limit));
                if done.number() > 0 && !rows.push(done) {
                    return rows.ended();
                }
            }
            row.put(c as usize, || text(cell.get_value()));
        }
        if row.number() > 0 {
            rows.push(row);
        }
        return rows.ended();
    }
    let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    for (i, cells) in range.rows().enumerate() {
        let mut row = RowBuilder::new(u64::from(first_row) + i as u64 + 1, rows.limit);
        for (j, cell) in cells.iter().enumerate() {
            row.put(first_col as usize + j, || text(&data_ref(cell)));
        }
        if !rows.push(row) {
            return rows.ended();
        }
    }
    rows.ended()
}

/// Rows on their way to the sink: empty rows are not rows (like blank lines in a CSV), and
/// the cells of all of them together are bounded (see [`BYTES_PER_CELL`]).
struct Rows<'a> {
    sink: &'a mut dyn RowSink,
    limit: usize,
    cells_left: u64,
    most_cells: u64,
    /// The sheet went past its cells.
    over: Option<String>,
}

impl Rows<'_> {
    /// Hands a finished row on; `false` once the sink wants no more or the sheet has had
    /// all the cells it may.
    fn push(&mut self, row: RowBuilder) -> bool {
        let row = row.finish();
        let width = row.cells.len() as u64;
        if width > self.cells_left {
            self.over = Some(format!(
                "its sheet spreads its cells wider than its size accounts for (more than {} cells by row {}, counting the empty ones before each row's last: repeated or far-apart cells)",
                self.most_cells, row.number
            ));
            return false;
        }
        self.cells_left -= width;
        if row.fault.is_none() && row.cells.iter().all(|c| c.trim().is_empty()) {
            return true;
        }
        self.sink.row(row)
    }

    /// How the reading ended: well, or past the sheet's cells.
    fn ended(&mut self) -> Result<(), String> {
        match self.over.take() {
            Some(why) => Err(why),
            None => Ok(()),
        }
    }
}

/// One row's cells as they are read, checked as they come: a cell past the last column,
/// a row past the last row, or more text than walint reads of one record makes the row a
/// fault, and its cells are dropped there and then.
struct RowBuilder {
    row: SheetRow,
    bytes: usize,
    limit: usize,
}

impl RowBuilder {
    fn new(number: u64, limit: usize) -> RowBuilder {
        RowBuilder {
            row: SheetRow {
                number,
                cells: Vec::new(),
                fault: (number > MAX_ROWS).then_some(SheetFault::PastLastRow),
            },
            bytes: 0,
            limit,
        }
    }

    fn number(&self) -> u64 {
        self.row.number
    }

    /// Sets the cell in (0-based) `column` to the text `value` gives, unless the row is
    /// already a fault or the cell makes it one.
    fn put(&mut self, column: usize, value: impl FnOnce() -> String) {
        if self.row.fault.is_some() {
            return;
        }
        if column >= MAX_COLUMNS {
            return self.fail(SheetFault::PastLastColumn);
        }
        let value = value();
        // A cell's text and a delimiter, as a CSV record of the row would hold them.
        self.bytes = self.bytes.saturating_add(value.len() + 1);
        if self.bytes > self.limit {
            return self.fail(SheetFault::TooLong);
        }
        if self.row.cells.len() <= column {
            // The empty cells before it, as a CSV record of the row would hold them.
            self.bytes = self.bytes.saturating_add(column - self.row.cells.len());
            if self.bytes > self.limit {
                return self.fail(SheetFault::TooLong);
            }
            self.row.cells.resize(column + 1, String::new());
        }
        self.row.cells[column] = value;
    }

    fn fail(&mut self, fault: SheetFault) {
        self.row.fault = Some(fault);
        self.row.cells = Vec::new();
    }

    fn finish(self) -> SheetRow {
        self.row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_past_the_limits_is_a_fault_without_its_cells() {
        let mut row = RowBuilder::new(3, 20);
        row.put(0, || "Asha".into());
        row.put(2, || "+919876543210".into());
        let done = row.finish();
        assert_eq!(done.cells, ["Asha", "", "+919876543210"]);
        assert_eq!(done.fault, None);

        let mut wide = RowBuilder::new(4, 1 << 20);
        wide.put(0, || "Asha".into());
        wide.put(MAX_COLUMNS, || unreachable!("a cell past XFD is not read"));
        let done = wide.finish();
        assert_eq!(done.fault, Some(SheetFault::PastLastColumn));
        assert!(done.cells.is_empty());

        let mut long = RowBuilder::new(5, 20);
        long.put(0, || "x".repeat(15));
        long.put(1, || "y".repeat(15));
        assert_eq!(long.finish().fault, Some(SheetFault::TooLong));

        let mut low = RowBuilder::new(MAX_ROWS + 1, 20);
        low.put(0, || unreachable!("a row past the last is not read"));
        assert_eq!(low.finish().fault, Some(SheetFault::PastLastRow));
    }
}
