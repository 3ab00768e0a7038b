//! Contact lists: reads a CSV stream row by row into [`ContactRow`]s — the phone cell,
//! the opt-in cell, the row's place in the file, or why the row cannot be read. It finds the
//! phone column from the header (or takes the one it is told). It never judges a number:
//! that is the contact rules' job, with `phone` doing the reading.

use std::io::BufRead;
use std::sync::Arc;

use encoding_rs::Encoding;

use super::csv_records::{Fault, Record, RecordReader};
use super::encoding::EncodingSeen;
use super::kind::ContactInput;
use super::spreadsheet::{Sheet, SheetLimits, SheetRows};
use crate::error::Error;
use crate::phone::RegionCode;

/// Header names recognised as the phone column, in order of preference, normalised
/// (lower case, letters and digits only, accents kept): English first, then the names
/// Excel, CRM and phone exports use in Spanish, Portuguese, French, German, Italian,
/// Dutch, Turkish and Indonesian. A header that starts with one of the English names
/// (`Phone Number (with country code)`, `WhatsApp No.`) is recognised too.
pub const PHONE_HEADERS: &[&str] = &[
    "phone",
    "phonenumber",
    "phoneno",
    "msisdn",
    "mobile",
    "mobilenumber",
    "mobileno",
    "mobilephone",
    "waid",
    "whatsapp",
    "whatsappnumber",
    "whatsappphone",
    "to",
    "number",
    "cell",
    "cellphone",
    "contactnumber",
    "telephone",
    "tel",
    "recipient",
    "whatsappno",
    "phone1",
    "primaryphone",
    "mobilephonenumber",
    "cellnumber",
    "cellno",
    "contactno",
    "mob",
    "mobno",
    "wanumber",
    "wano",
    "waphone",
    "phonee164",
    "e164",
    // Spanish, Portuguese
    "teléfono",
    "telefono",
    "móvil",
    "movil",
    "celular",
    "númerodeteléfono",
    "numerodetelefono",
    "telefone",
    "númerodetelefone",
    "numerodetelefone",
    "telemóvel",
    "númerodecelular",
    "numerodecelular",
    "celularwhatsapp",
    "númerodewhatsapp",
    "numerodewhatsapp",
    // French
    "téléphone",
    "telephone",
    "portable",
    "numérodetéléphone",
    "téléphoneportable",
    "telephoneportable",
    "numérodeportable",
    // German, Dutch
    "telefon",
    "telefonnummer",
    "handy",
    "handynummer",
    "mobilnummer",
    "rufnummer",
    "telefoonnummer",
    "mobiel",
    "mobielenummer",
    "mobielnummer",
    // Italian
    "cellulare",
    "numeroditelefono",
    "numerodicellulare",
    // Turkish, Indonesian
    "telefonnumarası",
    "cep",
    "ceptelefonu",
    "nomortelepon",
    "nomorhp",
    "nohp",
    "nomorwhatsapp",
    "nomorwa",
];

/// English names a header may start with and still be the phone column.
const PHONE_HEADER_STARTS: &[&str] = &[
    "phonenumber",
    "mobilenumber",
    "whatsappnumber",
    "whatsappno",
];

fn normalise_header(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Why a row cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowFault {
    /// The CSV framing is broken (quoting, encoding).
    Framing(Fault),
    /// The row has a different number of fields from the header.
    Ragged {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
}

impl RowFault {
    /// What is wrong, in words.
    pub fn describe(&self) -> String {
        match self {
            RowFault::Framing(f) => f.describe().to_string(),
            RowFault::Ragged { expected, found } => {
                format!("the row has {found} fields where the header has {expected}")
            }
        }
    }
}

/// One data row of a contact list.
#[derive(Debug, Clone, Default)]
pub struct ContactRow {
    /// Physical line the row starts on.
    pub line: u64,
    /// 1-based data row.
    pub row: u64,
    /// The phone cell (empty when the row is unreadable).
    pub phone: String,
    /// The opt-in cell, when an opt-in column is configured.
    pub opt_in: Option<String>,
    /// The region the row's country cell names (`country_column`), when it names one:
    /// its national numbers are read there instead of the default region.
    pub region: Option<RegionCode>,
    /// The cells of the value columns (a campaign's parameters), in the order asked for.
    pub values: Vec<String>,
    /// The last-inbound-time cell, when that column is configured.
    pub last_inbound: Option<String>,
    /// The row's bytes as they stand in the file, line ending included (only when the
    /// reader keeps them: `ColumnChoice::keep_raw`, for `walint fix`).
    pub raw: Vec<u8>,
    /// The phone cell's bytes in `raw`, quotes included (with `raw`, on readable rows).
    pub phone_raw: Option<std::ops::Range<usize>>,
    /// Why the row cannot be read, if it cannot.
    pub fault: Option<RowFault>,
    /// The encoding the file is read in from this row on, on the row whose bytes showed
    /// the file is not UTF-8 (once per file; see `encoding`).
    pub assumed_encoding: Option<&'static Encoding>,
    /// Whitespace-only lines right before this row, as they stand in the file (with
    /// `raw`): not rows, but `walint fix` keeps them where they were.
    pub blank_before: Vec<u8>,
    /// On the first row only: another column that could be the phone column, when the
    /// header (or a header-less file's first row) has two and none was named.
    pub second_phone_column: Option<Arc<str>>,
}

/// Where to find the columns walint reads.
#[derive(Debug, Clone, Default)]
pub struct ColumnChoice {
    /// The phone column's header, when given (`--phone-column`); else recognised.
    pub phone: Option<String>,
    /// The opt-in column's header, when configured.
    pub opt_in: Option<String>,
    /// The column holding each row's country (`country_column`), when configured.
    pub country: Option<String>,
    /// Further columns whose cells each row carries (a campaign's parameter values).
    pub values: Vec<String>,
    /// The column holding each customer's last inbound message time, when configured.
    pub last_inbound: Option<String>,
    /// Keep each row's raw bytes (for writers that copy rows as they are).
    pub keep_raw: bool,
    /// The file has no header row (`--no-header`): its first row is data. Without it, a
    /// file whose first row has a cell that reads as a phone number and no phone header
    /// is taken as header-less too.
    pub no_header: bool,
    /// The file's encoding, when stated (`--encoding`); else UTF-8, UTF-16 by its byte
    /// order mark, or Windows-1252 by the fallback (see `encoding`).
    pub encoding: Option<&'static Encoding>,
    /// The sheet of a spreadsheet to read (`--sheet`); else its first.
    pub sheet: Option<String>,
    /// The most bytes of one record (`[limits] record_bytes`); else
    /// [`csv_records::MAX_RECORD_BYTES`](super::csv_records::MAX_RECORD_BYTES).
    pub record_bytes: Option<usize>,
    /// How far a spreadsheet may expand (`[limits] sheet_bytes`, `sheet_memory`; its
    /// `row_bytes` is `record_bytes`).
    pub sheet_limits: SheetLimits,
}

impl ColumnChoice {
    /// The limits a spreadsheet is read with.
    pub fn sheet_limits(&self) -> SheetLimits {
        SheetLimits {
            row_bytes: self
                .record_bytes
                .unwrap_or(super::csv_records::MAX_RECORD_BYTES),
            ..self.sheet_limits
        }
    }
}

/// Where a contact list's records come from.
enum Source<R> {
    /// CSV text.
    Text(RecordReader<R>),
    /// A spreadsheet's sheet (known with its header once that is read), and the last sheet
    /// row number read.
    Sheet(SheetRows, Option<Arc<Sheet>>, u64),
}

impl<R: BufRead> Source<R> {
    /// Reads the next record (a spreadsheet row as a CSV record, on its sheet row number).
    fn read(&mut self, record: &mut Record) -> std::io::Result<bool> {
        match self {
            Source::Text(records) => records.read(record),
            Source::Sheet(rows, sheet, last) => match rows.next_row()? {
                Some(mut row) => {
                    *last = row.number;
                    // A sheet does not store empty cells: a row whose last cells are empty
                    // is as wide as the header, and empty cells past it are nothing.
                    if let Some(width) = sheet.as_ref().map(|s| s.width()) {
                        if row.cells.len() < width {
                            row.cells.resize(width, String::new());
                        }
                        while row.cells.len() > width
                            && row.cells.last().is_some_and(|c| c.trim().is_empty())
                        {
                            row.cells.pop();
                        }
                    }
                    record.set_cells(row.number, &row.cells, b',');
                    record.fault = row.fault.map(Fault::Sheet);
                    Ok(true)
                }
                None => Ok(false),
            },
        }
    }

    fn blank_before(&self) -> &[u8] {
        match self {
            Source::Text(records) => records.blank_before(),
            Source::Sheet(..) => &[],
        }
    }
}

/// A contact list being read.
pub struct ContactReader<R> {
    records: Source<R>,
    record: Record,
    header: Vec<String>,
    phone_col: usize,
    opt_in_col: Option<usize>,
    country_col: Option<usize>,
    value_cols: Vec<usize>,
    last_inbound_col: Option<usize>,
    keep_raw: bool,
    rows: u64,
    /// The file has no header: the first record, read by `open`, is the first row.
    first_is_row: bool,
    /// Another column that could be the phone column (see `ContactRow::second_phone_column`).
    second_phone: Option<Arc<str>>,
    /// The encoding the file turned out to be in, when not UTF-8.
    encoding: EncodingSeen,
}

impl<R: BufRead> ContactReader<R> {
    /// Reads the header and resolves the columns. `path` names the input in errors.
    pub fn open(path: &str, input: R, columns: &ColumnChoice) -> Result<ContactReader<R>, Error> {
        let io = |source| Error::reading(path, source);
        let encoding = EncodingSeen::default();
        let records =
            RecordReader::with_encoding(input, None, columns.encoding, &encoding).map_err(io)?;
        let records = match columns.record_bytes {
            Some(bytes) => records.with_record_limit(bytes),
            None => records,
        };
        ContactReader::start(path, Source::Text(records), encoding, columns)
    }

    /// Reads a contact list's header from its input, text or sheet (see `open` and
    /// `open_sheet`).
    pub fn from_input(
        path: &str,
        input: ContactInput<R>,
        columns: &ColumnChoice,
    ) -> Result<ContactReader<R>, Error> {
        match input {
            ContactInput::Text(text) => ContactReader::open(path, text, columns),
            ContactInput::Sheet(rows) => ContactReader::open_sheet(path, rows, columns),
        }
    }

    /// Reads a spreadsheet's sheet as a contact list: its first non-empty row is the header
    /// (or the first row, as in a CSV file), findings name the sheet's cells, and `raw`
    /// rows are CSV (what `walint fix` writes).
    pub fn open_sheet(
        path: &str,
        rows: SheetRows,
        columns: &ColumnChoice,
    ) -> Result<ContactReader<R>, Error> {
        let source = Source::Sheet(rows, None, 0);
        ContactReader::start(path, source, EncodingSeen::default(), columns)
    }

    fn start(
        path: &str,
        mut records: Source<R>,
        encoding: EncodingSeen,
        columns: &ColumnChoice,
    ) -> Result<ContactReader<R>, Error> {
        let io = |source| Error::reading(path, source);
        let mut record = Record::default();
        if !records.read(&mut record).map_err(io)? {
            return Err(Error::input(path, None, "the file is empty: no header row"));
        }
        if let Some(fault) = record.fault {
            let reason = format!("the header row cannot be read: {}", fault.describe());
            return Err(Error::input(path, Some(record.line), reason));
        }
        let first: Vec<String> = record
            .fields_lossy()
            .into_iter()
            .map(|h| h.trim().to_string())
            .collect();
        // A header-less file: said so, or no header names the phone column and a cell of
        // the first row reads as a phone number (then that cell's column is the phone's).
        // `--phone-column 2`: the second column, unless a header cell is named `2`.
        let numeric_column = columns.phone.as_deref().and_then(|name| {
            let n = name.trim().parse::<usize>().ok()?;
            ((1..=first.len()).contains(&n) && !first.iter().any(|h| h == name)).then_some(n)
        });
        let first_is_row = columns.no_header
            || (columns.phone.is_none() || numeric_column.is_some())
                && recognise_phone_column(&first).is_none()
                && first
                    .iter()
                    .any(|cell| crate::phone::looks_like_number(cell));
        // The header's bytes as the file has them, byte order mark included (writers that
        // copy the header, `walint fix`, keep it; Excel needs it to read UTF-8).
        if !first_is_row {
            record
                .raw
                .splice(0..0, records.blank_before().iter().copied());
            if let Source::Text(text) = &records
                && text.had_bom()
            {
                record.raw.splice(0..0, *b"\xEF\xBB\xBF");
            }
        }
        let (header, headerless_phone) = if first_is_row {
            let names = (1..=first.len()).map(|i| format!("column {i}")).collect();
            // A column given by number is that column (one out of range is an error below);
            // else the first cell that reads as a phone number.
            let phone = match &columns.phone {
                Some(_) => numeric_column.map(|n| n - 1),
                None => first
                    .iter()
                    .position(|cell| crate::phone::looks_like_number(cell)),
            };
            (names, phone)
        } else {
            (first.clone(), None)
        };
        // Rows have the header's count: a multi-line record that has another, closed by a
        // stray quote on a line that is a row of its own, is a quote opened by mistake.
        match &mut records {
            Source::Text(text) => text.expect_fields(header.len()),
            Source::Sheet(rows, sheet, _) => {
                let mut named = rows.sheet().clone();
                named.set_header(&header);
                *sheet = Some(Arc::new(named));
            }
        }
        // Header cells as named in an error (see `quoted`: one that looks like a phone
        // number, or a line read in the wrong encoding, is not repeated).
        let seen = || crate::input::quoted::quote_list(header.iter().map(String::as_str));
        let find = |name: &str| {
            let wanted = normalise_header(name);
            header
                .iter()
                .position(|h| h == name || normalise_header(h) == wanted)
        };
        // A column found in the first row or given by number, else one named.
        let given = headerless_phone.or(numeric_column.map(|n| n - 1));
        let phone_col = match (given, &columns.phone) {
            (Some(i), _) => i,
            (None, None) if first_is_row => {
                return Err(Error::input(
                    path,
                    Some(record.line),
                    "no cell of the first row reads as a phone number and the file has no \
                     header (--no-header): give the phone column's number with --phone-column N",
                ));
            }
            (None, Some(name)) => find(name).ok_or_else(|| {
                // A number out of range: columns count from 1.
                let hint = match name.trim().parse::<usize>() {
                    Ok(_) => format!(" (a column number counts from 1 to {})", header.len()),
                    Err(_) => String::new(),
                };
                Error::input(
                    path,
                    Some(record.line),
                    format!("no column '{name}' in the header (saw: {}){hint}", seen()),
                )
            })?,
            (None, None) => recognise_phone_column(&header).ok_or_else(|| {
                Error::input(
                    path,
                    Some(record.line),
                    format!(
                        "no phone column recognised in the header (saw: {}); name it with --phone-column or phone_column in walint.toml",
                        seen()
                    ),
                )
            })?,
        };
        // Two columns that could be the phone's, none named: the chosen one is read, and the
        // first row says which other could have been.
        let second_phone = match (&columns.phone, first_is_row) {
            (Some(_), _) => None,
            (None, false) => phone_candidates(&header)
                .into_iter()
                .find(|&i| i != phone_col),
            (None, true) => first
                .iter()
                .enumerate()
                .position(|(i, cell)| i != phone_col && crate::phone::looks_like_number(cell)),
        }
        .map(|i| Arc::from(header[i].as_str()));
        let opt_in_col = match &columns.opt_in {
            Some(name) => Some(find(name).ok_or_else(|| {
                Error::input(
                    path,
                    Some(record.line),
                    format!(
                        "the opt-in column '{name}' is not in the header (saw: {})",
                        seen()
                    ),
                )
            })?),
            None => None,
        };
        let column = |name: &str, what: &str| {
            find(name).ok_or_else(|| {
                Error::input(
                    path,
                    Some(record.line),
                    format!(
                        "the {what} column '{name}' is not in the header (saw: {})",
                        seen()
                    ),
                )
            })
        };
        let value_cols = columns
            .values
            .iter()
            .map(|name| column(name, "value"))
            .collect::<Result<Vec<_>, _>>()?;
        let last_inbound_col = columns
            .last_inbound
            .as_deref()
            .map(|name| column(name, "last-inbound"))
            .transpose()?;
        let country_col = columns
            .country
            .as_deref()
            .map(|name| column(name, "country"))
            .transpose()?;
        Ok(ContactReader {
            records,
            record,
            header,
            phone_col,
            opt_in_col,
            country_col,
            value_cols,
            last_inbound_col,
            keep_raw: columns.keep_raw,
            rows: 0,
            first_is_row,
            second_phone,
            encoding,
        })
    }

    /// The header names, trimmed.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The phone column's header name.
    pub fn phone_column(&self) -> &str {
        &self.header[self.phone_col]
    }

    /// The opt-in column's header name, if any.
    pub fn opt_in_column(&self) -> Option<&str> {
        self.opt_in_col.map(|i| self.header[i].as_str())
    }

    /// Physical lines read so far (in a spreadsheet, the last sheet row read).
    pub fn lines_read(&self) -> u64 {
        match &self.records {
            Source::Text(records) => records.lines_read(),
            Source::Sheet(_, _, last) => *last,
        }
    }

    /// The sheet, when the list is a spreadsheet (its header known).
    pub fn sheet(&self) -> Option<Arc<Sheet>> {
        match &self.records {
            Source::Sheet(_, sheet, _) => sheet.clone(),
            Source::Text(_) => None,
        }
    }

    /// The raw bytes of the record last read — right after `open`, the header's (empty
    /// for a file with no header).
    pub fn raw(&self) -> &[u8] {
        if self.first_is_row {
            &[]
        } else {
            &self.record.raw
        }
    }

    /// The encoding the file is read in, once known not to be UTF-8 (shared: the legacy
    /// fallback sets it at the row that shows it, which writers of the rows see).
    pub fn encoding(&self) -> EncodingSeen {
        self.encoding.clone()
    }

    /// Whether the file has no header row (its first row is data).
    pub fn headerless(&self) -> bool {
        self.first_is_row
    }

    /// The field delimiter (`,`, `;` or tab; a spreadsheet's rows are written with `,`).
    pub fn delimiter(&self) -> u8 {
        match &self.records {
            Source::Text(records) => records.delimiter(),
            Source::Sheet(..) => b',',
        }
    }

    /// Reads the next row into `row`; `false` at the end. I/O errors are the only errors:
    /// a malformed row comes back with its `fault` set.
    pub fn read_row(&mut self, row: &mut ContactRow) -> std::io::Result<bool> {
        if self.first_is_row && self.rows == 0 {
            // The first record, read by `open`, is this row.
        } else if !self.records.read(&mut self.record)? {
            return Ok(false);
        }
        self.rows += 1;
        let rec = &self.record;
        row.line = rec.line;
        row.row = self.rows;
        row.phone.clear();
        row.opt_in = None;
        row.region = None;
        row.last_inbound = None;
        row.raw.clear();
        row.phone_raw = None;
        row.blank_before.clear();
        row.assumed_encoding = rec.assumed;
        row.second_phone_column = if self.rows == 1 {
            self.second_phone.clone()
        } else {
            None
        };
        if self.keep_raw {
            row.raw.extend_from_slice(&rec.raw);
            row.blank_before
                .extend_from_slice(self.records.blank_before());
        }
        row.values.resize_with(self.value_cols.len(), String::new);
        row.values.iter_mut().for_each(String::clear);
        row.fault = match rec.fault {
            Some(f) => Some(RowFault::Framing(f)),
            None if rec.len() != self.header.len() => Some(RowFault::Ragged {
                expected: self.header.len(),
                found: rec.len(),
            }),
            None => None,
        };
        if row.fault.is_none() {
            row.phone
                .push_str(rec.field(self.phone_col).unwrap_or_default());
            row.opt_in = self
                .opt_in_col
                .and_then(|i| rec.field(i))
                .map(str::to_string);
            for (cell, &i) in row.values.iter_mut().zip(&self.value_cols) {
                cell.push_str(rec.field(i).unwrap_or_default());
            }
            row.last_inbound = self
                .last_inbound_col
                .and_then(|i| rec.field(i))
                .map(str::to_string);
            row.region = self
                .country_col
                .and_then(|i| rec.field(i))
                .and_then(super::country::region_of);
            if self.keep_raw {
                row.phone_raw = rec.field_raw_range(self.phone_col);
            }
        }
        Ok(true)
    }

    /// The whitespace-only lines after the last row (once `read_row` has returned `false`).
    pub fn blank_after(&self) -> &[u8] {
        self.records.blank_before()
    }

    /// Reads up to `n` rows into `chunk` (reusing its allocations); returns how many.
    pub fn read_chunk(&mut self, chunk: &mut Vec<ContactRow>, n: usize) -> std::io::Result<usize> {
        chunk.resize_with(n, ContactRow::default);
        let mut filled = 0;
        while filled < n && self.read_row(&mut chunk[filled])? {
            filled += 1;
        }
        chunk.truncate(filled);
        Ok(filled)
    }
}

/// The index of the phone column in a header, by the names in [`PHONE_HEADERS`].
pub fn recognise_phone_column(header: &[String]) -> Option<usize> {
    phone_candidates(header).first().copied()
}

/// Every column of a header that could be the phone column, best first: names in
/// [`PHONE_HEADERS`] in its order of preference, then names that start with a phone name.
fn phone_candidates(header: &[String]) -> Vec<usize> {
    let normalised: Vec<String> = header.iter().map(|h| normalise_header(h)).collect();
    let normalised = &normalised;
    let named = PHONE_HEADERS
        .iter()
        .flat_map(|want| (0..header.len()).filter(move |&i| normalised[i] == *want));
    let started = PHONE_HEADER_STARTS
        .iter()
        .flat_map(|want| (0..header.len()).filter(move |&i| normalised[i].starts_with(want)));
    let mut found: Vec<usize> = Vec::new();
    for i in named.chain(started) {
        if !found.contains(&i) {
            found.push(i);
        }
    }
    found
}

/// Shared, cheap-to-clone path text for locations.
pub fn shared_path(path: &str) -> Arc<str> {
    Arc::from(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(csv: &str, choice: &ColumnChoice) -> Result<Vec<ContactRow>, Error> {
        let mut r = ContactReader::open("t.csv", csv.as_bytes(), choice)?;
        let mut out = Vec::new();
        let mut row = ContactRow::default();
        while r.read_row(&mut row).unwrap() {
            out.push(row.clone());
        }
        Ok(out)
    }

    #[test]
    fn recognises_phone_headers_case_insensitively() {
        let h = |v: &[&str]| {
            recognise_phone_column(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(h(&["Name", "Phone Number"]), Some(1));
        assert_eq!(h(&["name", "WA_ID"]), Some(1));
        assert_eq!(h(&["MSISDN", "mobile"]), Some(0));
        assert_eq!(h(&["name", "email"]), None);
    }

    #[test]
    fn recognises_phone_headers_in_other_languages_and_longer_names() {
        let h = |v: &[&str]| {
            recognise_phone_column(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        for name in [
            "Telefon",
            "Teléfono",
            "TELÉFONO",
            "Celular",
            "Móvil",
            "Téléphone",
            "Handynummer",
            "Cellulare",
            "Phone Number (with country code)",
            "WhatsApp No.",
            "No. HP",
            "Téléphone portable",
            "Número de celular",
            "Numero di cellulare",
            "Mobiele nummer",
            "Cep Telefonu",
            "Nomor WhatsApp",
            "Celular/WhatsApp",
            "WA Number",
            "Contact No",
            "Phone 1",
            "Primary Phone",
            "phone_e164",
            "Mob",
        ] {
            assert_eq!(h(&["Nombre", name]), Some(1), "{name}");
        }
        // Near misses: names that only contain a phone word somewhere.
        assert_eq!(h(&["name", "phone_verified_at"]), None);
        assert_eq!(h(&["name", "Microphone"]), None);
    }

    #[test]
    fn reads_rows_with_places_and_faults() {
        let got = rows(
            "name,phone\nA,+15551234567\nB\nC,\"+1\"x\n",
            &ColumnChoice::default(),
        )
        .unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(
            (got[0].line, got[0].row, got[0].phone.as_str()),
            (2, 1, "+15551234567")
        );
        assert_eq!(
            got[1].fault,
            Some(RowFault::Ragged {
                expected: 2,
                found: 1
            })
        );
        assert_eq!(got[2].fault, Some(RowFault::Framing(Fault::TextAfterQuote)));
    }

    #[test]
    fn missing_columns_are_errors_naming_what_was_seen() {
        let e = rows("name,email\nA,a@x\n", &ColumnChoice::default()).unwrap_err();
        assert!(e.to_string().contains("saw: name, email"), "{e}");
        let choice = ColumnChoice {
            phone: Some("cell no".into()),
            opt_in: Some("consent".into()),
            ..ColumnChoice::default()
        };
        let e = rows("name,Cell No\nA,1\n", &choice).unwrap_err();
        assert!(e.to_string().contains("opt-in column 'consent'"), "{e}");
        assert!(rows("", &ColumnChoice::default()).is_err());
    }
}
