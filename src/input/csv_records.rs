//! CSV framing: turns a byte stream into records, each with its physical line span, its raw
//! bytes (so `walint fix` can copy a row byte for byte) and its fields, and says exactly
//! what is wrong with a record that is not well-formed. It knows nothing of columns'
//! meanings (see `contacts`).
//!
//! Why not the `csv` crate: it is lenient by design — it takes `"ab"c` as `abc` without a
//! word, and an unclosed quote swallows the rest of the file into one field, so rows would
//! be lost silently. A linter must report both on their line and go on with the next line,
//! which needs control of the framing. The state machine is RFC 4180 (quoted fields,
//! doubled quotes, CRLF or LF), with a UTF-8 BOM skipped and `,` `;` or tab as delimiter.
//!
//! A quote opened by mistake (`"Asha,+919876543210`; a quote inside a field, as in
//! `Asha "Ace`, is plain text and opens nothing) swallows the lines after it until some
//! later quote closes it. When the record it makes is taken as broken (see
//! [`Fault::UnclosedQuote`]), it is cut back to its first line and the swallowed lines are
//! read again, each as a record of its own: every physical line is in exactly one record.

use std::collections::VecDeque;
use std::io::{self, BufRead};

use encoding_rs::Encoding;

use super::bounded;
use super::encoding::{EncodingSeen, Fallback, TextInput};

/// A quoted field may span at most this many physical lines before the quote is taken as
/// unclosed. Real multi-line cells (addresses, notes) run to tens of lines (a 70-line
/// address cell from a CRM export was split before this was raised from 64); a quote that
/// never closes costs a look this far ahead, and its lines are then read again one by one.
pub const MAX_RECORD_LINES: u64 = 1024;
/// A record may be at most this many bytes before the quote is taken as unclosed; a
/// physical line longer than this is kept up to it and its record is unreadable
/// ([`Fault::LineTooLong`]).
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// A line longer than this is no contact list's: reading stops with an error (a binary
/// file, or `/dev/zero`, read as text).
pub use super::bounded::MAX_LINE_BYTES;

/// What is wrong with a record's framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A quote opened in a field is never closed (within the limits above or before the end
    /// of the file), or is closed only by a quote that shows it was opened by mistake (text
    /// after it, or a record of the wrong field count: see [`RecordReader::expect_fields`]);
    /// the lines after it are read again as records of their own.
    UnclosedQuote,
    /// Text follows a field's closing quote (`"ab"c`).
    TextAfterQuote,
    /// The record is not valid UTF-8.
    InvalidUtf8,
    /// The record holds bytes that are not valid in the file's (stated or marked) encoding.
    Undecodable,
    /// A physical line longer than [`MAX_RECORD_BYTES`]: kept up to that, the rest skipped.
    LineTooLong,
    /// A quote still open after [`MAX_RECORD_LINES`] lines or the record's byte limit:
    /// never closed, or a cell longer than walint reads; the lines after it are read again.
    QuotePastLimit,
    /// A spreadsheet row that cannot be read (a record made of a sheet's row).
    Sheet(crate::input::spreadsheet::SheetFault),
}

impl Fault {
    /// What is wrong, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Fault::UnclosedQuote => "a quoted field is never closed",
            Fault::TextAfterQuote => "text follows a field's closing quote",
            Fault::InvalidUtf8 => "the row is not valid UTF-8",
            Fault::Undecodable => "the row has bytes that are not valid in the file's encoding",
            Fault::LineTooLong => {
                "the line is longer than walint reads of one record (1 MiB, or `[limits] record_bytes`); the rest of it was skipped"
            }
            Fault::QuotePastLimit => {
                "a quoted field is not closed within 1,024 lines or the bytes walint reads of one record (1 MiB, or `[limits] record_bytes`)"
            }
            Fault::Sheet(fault) => fault.describe(),
        }
    }
}

/// One CSV record.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// 1-based physical line the record starts on.
    pub line: u64,
    /// The record's bytes as they stand in the file, line ending included.
    pub raw: Vec<u8>,
    data: Vec<u8>,
    ends: Vec<usize>,
    /// Where each field ends in `raw` (at its delimiter or line ending).
    raw_ends: Vec<usize>,
    /// The first framing fault, if any.
    pub fault: Option<Fault>,
    /// The encoding the file is taken to be in from this record on, when this record is
    /// the one that showed it is not UTF-8 (see `encoding::Fallback`).
    pub assumed: Option<&'static Encoding>,
}

impl Record {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i`, unquoted, as bytes.
    pub fn field_bytes(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.data[start..end])
    }

    /// Field `i` as text (`None` when missing or not UTF-8).
    pub fn field(&self, i: usize) -> Option<&str> {
        std::str::from_utf8(self.field_bytes(i)?).ok()
    }

    /// Field `i`'s bytes as they stand in `raw`, quotes included: what to replace to
    /// rewrite one cell and keep the rest of the row byte for byte.
    pub fn field_raw_range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.raw_ends.get(i)?;
        let start = if i == 0 { 0 } else { self.raw_ends[i - 1] + 1 };
        Some(start..end)
    }

    /// All fields as text, invalid UTF-8 replaced.
    pub fn fields_lossy(&self) -> Vec<String> {
        (0..self.len())
            .map(|i| String::from_utf8_lossy(self.field_bytes(i).unwrap_or_default()).into_owned())
            .collect()
    }

    /// Makes this the record of a row of cells that did not come from CSV text (a
    /// spreadsheet's row starting on `line`): `raw` is the row written as CSV with
    /// `delimiter` (cells quoted where they must be, a cell that would start a formula
    /// made inert: see `spreadsheet::inert_in_csv`), ended by `\n`; the fields keep the
    /// cells as they are.
    pub fn set_cells(&mut self, line: u64, cells: &[String], delimiter: u8) {
        self.clear();
        self.line = line;
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.raw.push(delimiter);
            }
            let written = crate::input::spreadsheet::inert_in_csv(cell);
            let quote = written
                .bytes()
                .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
            if quote {
                self.raw.push(b'"');
                for b in written.bytes() {
                    if b == b'"' {
                        self.raw.push(b'"');
                    }
                    self.raw.push(b);
                }
                self.raw.push(b'"');
            } else {
                self.raw.extend_from_slice(written.as_bytes());
            }
            self.data.extend_from_slice(cell.as_bytes());
            self.end_field(self.raw.len());
        }
        if cells.is_empty() {
            self.end_field(0);
        }
        self.raw.push(b'\n');
    }

    /// Closes the current field, which ends at `raw_at` in `raw`.
    fn end_field(&mut self, raw_at: usize) {
        self.ends.push(self.data.len());
        self.raw_ends.push(raw_at);
    }

    fn clear(&mut self) {
        self.raw.clear();
        self.data.clear();
        self.ends.clear();
        self.raw_ends.clear();
        self.fault = None;
        self.assumed = None;
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Reads records from a stream, one at a time, in constant memory.
pub struct RecordReader<R> {
    inner: TextInput<R>,
    /// The legacy-encoding fallback, applied to each line as it is read.
    fallback: Fallback,
    /// The encoding the line just read showed the file to be in (see `Record::assumed`).
    assumed: Option<&'static Encoding>,
    delimiter: u8,
    /// Physical lines read from `inner` so far.
    lines_read: u64,
    /// Lines to read again (after an unclosed quote), with their line numbers.
    replay: VecDeque<(u64, Vec<u8>)>,
    at_start: bool,
    line_buf: Vec<u8>,
    expected_fields: Option<usize>,
    /// The byte that ends a line: `\n` (LF and CRLF files), or `\r` in a file whose first
    /// line ends with a lone CR (classic Mac OS and some exports).
    terminator: u8,
    /// The input started with a UTF-8 byte order mark (taken off the first line).
    bom: bool,
    /// The whitespace-only lines skipped before the record last read (or, at the end, after
    /// the last record), as they stand.
    blank: Vec<u8>,
    /// The end of the input was reached (reading again gives nothing, `blank` stays).
    at_end: bool,
    /// A line read since the last record was cut at `record_bytes`.
    long_line: bool,
    /// The most bytes of one record ([`MAX_RECORD_BYTES`] unless set).
    record_bytes: usize,
}

impl<R: BufRead> RecordReader<R> {
    /// A reader of UTF-8 (or Windows-1252 by the fallback); the delimiter is taken from
    /// the first line (see [`sniff_delimiter`]) unless given.
    pub fn new(inner: R, delimiter: Option<u8>) -> io::Result<RecordReader<R>> {
        RecordReader::with_encoding(inner, delimiter, None, &EncodingSeen::default())
    }

    /// A reader of text in the `stated` encoding, or the one its start shows (see
    /// `encoding`); `seen` learns the encoding when it is not UTF-8.
    pub fn with_encoding(
        inner: R,
        delimiter: Option<u8>,
        stated: Option<&'static Encoding>,
        seen: &EncodingSeen,
    ) -> io::Result<RecordReader<R>> {
        let (mut inner, watch) = TextInput::open(inner, stated, seen)?;
        let head = inner.fill_buf()?;
        let terminator = line_terminator(head);
        let delimiter = match delimiter {
            Some(d) => d,
            None => sniff_delimiter(head),
        };
        Ok(RecordReader {
            inner,
            fallback: Fallback::new(watch, seen.clone()),
            assumed: None,
            delimiter,
            lines_read: 0,
            replay: VecDeque::new(),
            at_start: true,
            line_buf: Vec::new(),
            expected_fields: None,
            terminator,
            bom: false,
            blank: Vec::new(),
            at_end: false,
            long_line: false,
            record_bytes: MAX_RECORD_BYTES,
        })
    }

    /// Sets the most bytes of one record (a physical line, or a quoted cell's lines)
    /// instead of [`MAX_RECORD_BYTES`] (`[limits] record_bytes` in walint.toml).
    pub fn with_record_limit(mut self, bytes: usize) -> RecordReader<R> {
        self.record_bytes = bytes;
        self
    }

    /// Tells the reader how many fields a record has (the header's count), so that a
    /// quote opened by mistake and closed by a stray quote some lines further on is
    /// recognised: the record spans lines, has another count, and its last line, read on
    /// its own, is a well-formed record of `n` fields (the row the stray quote is in). Its
    /// lines are then read again one by one. A multi-line record with the wrong count
    /// whose last line is not such a record stays whole (a legitimate multi-line cell in a
    /// row with a field too many or too few, which the contact reader reports as ragged).
    /// The two cannot always be told apart: a ragged row whose multi-line cell ends in a
    /// line that reads as a row of `n` fields (`Asha,+91…,"Flat 2⏎MG Road, Pune",extra`
    /// with three columns) is cut back too. Either way no line is lost or read twice, and a
    /// record of the expected count is never touched.
    pub fn expect_fields(&mut self, n: usize) {
        self.expected_fields = Some(n);
    }

    /// Whether the input started with a UTF-8 byte order mark (which records never hold).
    pub fn had_bom(&self) -> bool {
        self.bom
    }

    /// The delimiter in use.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Physical lines consumed so far.
    pub fn lines_read(&self) -> u64 {
        self.lines_read
    }

    /// Reads one physical line into `line_buf`, keeping at most [`MAX_RECORD_BYTES`] of it
    /// (and its line end); marks `long_line` when more was skipped. Returns the bytes
    /// consumed. A line past [`MAX_LINE_BYTES`] is an error: no text file has one.
    fn read_line_bounded(&mut self) -> io::Result<usize> {
        let read = bounded::read_line(
            &mut self.inner,
            self.terminator,
            &mut self.line_buf,
            self.record_bytes,
            "a text contact list",
        )?;
        self.long_line |= read.cut;
        Ok(read.consumed)
    }

    /// Reads the next physical line into `line_buf`; returns its number, or `None` at the end.
    fn next_line(&mut self) -> io::Result<Option<u64>> {
        if let Some((n, bytes)) = self.replay.pop_front() {
            self.line_buf = bytes;
            return Ok(Some(n));
        }
        self.line_buf.clear();
        if self.read_line_bounded()? == 0 {
            return Ok(None);
        }
        if self.at_start {
            self.at_start = false;
            if self.line_buf.starts_with(b"\xEF\xBB\xBF") {
                self.line_buf.drain(..3);
                self.bom = true;
            }
        }
        if let Some(encoding) = self.fallback.line(&mut self.line_buf) {
            self.assumed = Some(encoding);
        }
        self.lines_read += 1;
        Ok(Some(self.lines_read))
    }

    /// The whitespace-only lines skipped right before the record last read — at the end of
    /// the input, those after the last record — as they stand in the file (decoded).
    pub fn blank_before(&self) -> &[u8] {
        &self.blank
    }

    /// Reads the next non-blank record into `rec`. Returns `false` at the end of input.
    /// Whitespace-only lines are not records; [`RecordReader::blank_before`] keeps them.
    pub fn read(&mut self, rec: &mut Record) -> io::Result<bool> {
        if self.at_end {
            rec.clear();
            return Ok(false);
        }
        let mut read_a_line = false;
        loop {
            rec.clear();
            let Some(first) = self.next_line()? else {
                // At the end, `blank` keeps the blank lines after the last record.
                if !read_a_line {
                    self.blank.clear();
                }
                self.at_end = true;
                return Ok(false);
            };
            if !read_a_line {
                self.blank.clear();
                read_a_line = true;
            }
            if self.line_buf.iter().all(|b| b.is_ascii_whitespace()) {
                self.blank.extend_from_slice(&self.line_buf);
                continue;
            }
            rec.line = first;
            // Where each physical line of the record starts in `rec.raw`.
            let mut span: Vec<(u64, usize)> = Vec::new();
            let mut state = State::FieldStart;
            let mut past_limit = false;
            loop {
                let start = rec.raw.len();
                span.push((first + span.len() as u64, start));
                rec.raw.extend_from_slice(&self.line_buf);
                state = self.scan(rec, start, state);
                if state != State::Quoted {
                    break;
                }
                let too_big =
                    span.len() as u64 >= MAX_RECORD_LINES || rec.raw.len() > self.record_bytes;
                past_limit = too_big;
                let more = if too_big { None } else { self.next_line()? };
                if more.is_none() {
                    break;
                }
            }
            // A quote that runs over several lines and then never closes, closes with text
            // after it, or leaves the record with the wrong number of fields while its last
            // line is a row of its own (see `expect_fields`), is taken as opened by mistake:
            // the record is its first line, the others are read again.
            let broken = state == State::Quoted
                || (span.len() > 1 && (rec.fault.is_some() || self.closed_by_a_stray(rec, &span)));
            if broken {
                self.unclose(rec, &span);
                if past_limit && rec.fault == Some(Fault::UnclosedQuote) {
                    rec.fault = Some(Fault::QuotePastLimit);
                }
            }
            if rec.fault.is_none() && std::str::from_utf8(&rec.raw).is_err() {
                rec.fault = Some(Fault::InvalidUtf8);
            }
            if rec.fault.is_none()
                && self.inner.is_decoded()
                && rec.raw.windows(3).any(|w| w == "\u{FFFD}".as_bytes())
            {
                rec.fault = Some(Fault::Undecodable);
            }
            if std::mem::take(&mut self.long_line) {
                rec.fault = Some(Fault::LineTooLong);
            }
            rec.assumed = self.assumed.take();
            return Ok(true);
        }
    }

    /// Whether a multi-line record without a fault was closed by a stray quote: its field
    /// count is not the expected one, and its last line, scanned alone, is a record of
    /// exactly the expected count with no fault (not ending inside a quote).
    fn closed_by_a_stray(&self, rec: &Record, span: &[(u64, usize)]) -> bool {
        let Some(n) = self.expected_fields.filter(|&n| n != rec.len()) else {
            return false;
        };
        let Some(&(_, last_start)) = span.last() else {
            return false;
        };
        let mut last = Record {
            raw: rec.raw[last_start..].to_vec(),
            ..Record::default()
        };
        self.scan(&mut last, 0, State::FieldStart) != State::Quoted
            && last.fault.is_none()
            && last.len() == n
    }

    /// An unclosed quote: the record is its first line only; the lines after it (every
    /// line in `span` but the first) are read again.
    fn unclose(&mut self, rec: &mut Record, span: &[(u64, usize)]) {
        for (i, &(n, s)) in span.iter().enumerate().skip(1).rev() {
            let e = span.get(i + 1).map_or(rec.raw.len(), |&(_, e)| e);
            self.replay.push_front((n, rec.raw[s..e].to_vec()));
        }
        let first_len = span.get(1).map_or(rec.raw.len(), |&(_, s)| s);
        rec.raw.truncate(first_len);
        rec.data.clear();
        rec.ends.clear();
        rec.raw_ends.clear();
        if self.scan(rec, 0, State::FieldStart) == State::Quoted {
            // The open field ends before the line ending, which the scan took as its text.
            let body = rec.raw.strip_suffix(b"\n").unwrap_or(&rec.raw);
            let body = body.strip_suffix(b"\r").unwrap_or(body).len();
            let ending = rec.raw.len() - body;
            rec.data.truncate(rec.data.len() - ending);
            rec.end_field(body);
        }
        rec.fault = Some(Fault::UnclosedQuote);
    }

    /// Scans `rec.raw[start..]` from `state`; pushes fields; returns the state at the end
    /// (`Quoted` when the line ended inside a quoted field).
    fn scan(&self, rec: &mut Record, start: usize, mut state: State) -> State {
        let d = self.delimiter;
        let bytes = if start <= rec.raw.len() {
            &rec.raw[start..]
        } else {
            &[][..]
        };
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let line_end =
                b == b'\n' || (b == b'\r' && bytes.get(i + 1).is_none_or(|&n| n == b'\n'));
            match state {
                State::FieldStart | State::Unquoted | State::QuoteInQuoted if line_end => {
                    {
                        rec.ends.push(rec.data.len());
                        rec.raw_ends.push(start + i);
                    }
                    return State::FieldStart;
                }
                State::FieldStart if b == b'"' => state = State::Quoted,
                State::FieldStart | State::Unquoted | State::QuoteInQuoted if b == d => {
                    {
                        rec.ends.push(rec.data.len());
                        rec.raw_ends.push(start + i);
                    }
                    state = State::FieldStart;
                }
                State::FieldStart | State::Unquoted => {
                    rec.data.push(b);
                    state = State::Unquoted;
                }
                State::Quoted if b == b'"' => state = State::QuoteInQuoted,
                State::Quoted => rec.data.push(b),
                State::QuoteInQuoted if b == b'"' => {
                    rec.data.push(b'"');
                    state = State::Quoted;
                }
                State::QuoteInQuoted => {
                    rec.fault.get_or_insert(Fault::TextAfterQuote);
                    rec.data.push(b);
                    state = State::Unquoted;
                }
            }
            i += 1;
        }
        if state != State::Quoted {
            {
                rec.ends.push(rec.data.len());
                rec.raw_ends.push(start + bytes.len());
            }
            return State::FieldStart;
        }
        State::Quoted
    }
}

/// The byte that ends the lines of a file, from its start: `\r` when the first line break
/// is a CR not followed by LF, else `\n`.
fn line_terminator(head: &[u8]) -> u8 {
    match head.iter().position(|&b| b == b'\n' || b == b'\r') {
        Some(i) if head[i] == b'\r' && head.get(i + 1).is_some_and(|&b| b != b'\n') => b'\r',
        _ => b'\n',
    }
}

/// Picks the delimiter of a header line: the most frequent of `,` `;` and tab outside quotes
/// (`,` on a tie or when there is none).
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head
        .split(|&b| b == b'\n' || b == b'\r')
        .next()
        .unwrap_or_default();
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t'][best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &str) -> Vec<(u64, Vec<String>, Option<Fault>)> {
        read_expecting(input, None)
    }

    fn fields(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn raw_ranges_of_fields() {
        let input = "a,\"b,\"\"c\"\"\",d\r\n\"multi\nline\",,x\n\"open,y\nlast";
        let mut r = RecordReader::new(input.as_bytes(), None).unwrap();
        let mut rec = Record::default();
        let mut got = Vec::new();
        while r.read(&mut rec).unwrap() {
            let raw = String::from_utf8(rec.raw.clone()).unwrap();
            let cells: Vec<String> = (0..rec.len())
                .map(|i| raw[rec.field_raw_range(i).unwrap()].to_string())
                .collect();
            got.push(cells);
        }
        assert_eq!(
            got,
            [
                vec!["a", "\"b,\"\"c\"\"\"", "d"],
                vec!["\"multi\nline\"", "", "x"],
                vec!["\"open,y"],
                vec!["last"],
            ]
        );
    }

    #[test]
    fn plain_quoted_crlf_bom_and_blank_lines() {
        let got = read_all("\u{feff}a,b\r\n1,\"x,y\"\r\n\r\n\"q\"\"z\",\n");
        assert_eq!(got[0], (1, fields(&["a", "b"]), None));
        assert_eq!(got[1], (2, fields(&["1", "x,y"]), None));
        assert_eq!(got[2], (4, fields(&["q\"z", ""]), None));
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn multi_line_field_keeps_its_start_line() {
        let got = read_all("a,b\n1,\"line one\nline two\"\n2,z\n");
        assert_eq!(got[1], (2, fields(&["1", "line one\nline two"]), None));
        assert_eq!(got[2], (4, fields(&["2", "z"]), None));
    }

    #[test]
    fn text_after_quote_is_a_fault() {
        let got = read_all("a,b\n\"ab\"c,d\n");
        assert_eq!(got[1].2, Some(Fault::TextAfterQuote));
        assert_eq!(got[1].1, fields(&["abc", "d"]));
    }

    #[test]
    fn unclosed_quote_loses_no_line() {
        let got = read_all("a,b\n1,\"oops\n2,x\n3,y\n");
        assert_eq!(got.len(), 4);
        assert_eq!(got[1].0, 2);
        assert_eq!(got[1].2, Some(Fault::UnclosedQuote));
        assert_eq!(got[1].1, fields(&["1", "oops"]));
        assert_eq!(got[2], (3, fields(&["2", "x"]), None));
        assert_eq!(got[3], (4, fields(&["3", "y"]), None));
    }

    #[test]
    fn a_later_quote_does_not_swallow_the_lines_between() {
        let got = read_all("name,phone\nA,\"oops\nB,+447400123456\nC,\"oops\nD,+447400123457\n");
        let lines: Vec<_> = got.iter().map(|r| (r.0, r.2)).collect();
        assert_eq!(
            lines,
            [
                (1, None),
                (2, Some(Fault::UnclosedQuote)),
                (3, None),
                (4, Some(Fault::UnclosedQuote)),
                (5, None)
            ]
        );
        let got = read_all("name,phone\nA,\"oops\nB,\"a\"b\n");
        assert_eq!(got.len(), 3);
    }

    /// Reads `input` expecting `n` fields (`None`: no count given), as (line, fields, fault).
    fn read_expecting(input: &str, n: Option<usize>) -> Vec<(u64, Vec<String>, Option<Fault>)> {
        let mut r = RecordReader::new(input.as_bytes(), None).unwrap();
        if let Some(n) = n {
            r.expect_fields(n);
        }
        let mut rec = Record::default();
        let mut out = Vec::new();
        while r.read(&mut rec).unwrap() {
            out.push((rec.line, rec.fields_lossy(), rec.fault));
        }
        out
    }

    #[test]
    fn a_quote_closed_by_a_stray_in_another_column_is_cut_back() {
        // Line 2's quote is closed by the stray quote at the end of line 3: one record of
        // one field where the header has two, whose last line is a row of two fields.
        for input in [
            "a,b\n\"1,x\n2,y\"\n3,w\n",
            "a,b\r\n\"1,x\r\n2,y\"\r\n3,w\r\n",
        ] {
            assert_eq!(
                read_expecting(input, Some(2)),
                [
                    (1, fields(&["a", "b"]), None),
                    (2, fields(&["1,x"]), Some(Fault::UnclosedQuote)),
                    (3, fields(&["2", "y\""]), None),
                    (4, fields(&["3", "w"]), None),
                ],
                "{input:?}"
            );
            // Without a count the record stands (RFC 4180 allows it).
            let whole = read_expecting(input, None);
            assert_eq!(whole.len(), 3, "{input:?}");
            assert_eq!(whole[1].0, 2);
            assert_eq!(whole[1].2, None);
        }
    }

    #[test]
    fn a_multi_line_cell_in_a_ragged_row_stays_whole() {
        // The last line, `2,y",z`, is no row of two fields: the cell `x⏎2,y` stands, and the
        // record's three fields are the contact reader's to report as ragged.
        assert_eq!(
            read_expecting("a,b\n1,\"x\n2,y\",z\n3,w\n", Some(2)),
            [
                (1, fields(&["a", "b"]), None),
                (2, fields(&["1", "x\n2,y", "z"]), None),
                (4, fields(&["3", "w"]), None),
            ]
        );
        // A multi-line cell in a row of the expected count is never touched.
        assert_eq!(
            read_expecting("a,b\r\n1,\"x\r\ny, z\"\r\n", Some(2)),
            [
                (1, fields(&["a", "b"]), None),
                (2, fields(&["1", "x\r\ny, z"]), None),
            ]
        );
    }

    #[test]
    fn unclosed_quote_beyond_the_line_limit_is_recovered() {
        let mut s = String::from("a,b\n1,\"open\n");
        for i in 0..100 {
            s.push_str(&format!("{i},v\n"));
        }
        let got = read_all(&s);
        assert_eq!(got.len(), 102);
        assert_eq!(got[1].2, Some(Fault::UnclosedQuote));
        assert!(got[2..].iter().all(|r| r.2.is_none()));
        assert_eq!(got[101].0, 102);
    }

    #[test]
    fn invalid_utf8_is_a_fault_and_delimiters_are_sniffed() {
        // After valid UTF-8 beyond ASCII, invalid bytes are a damaged row.
        let mut r = RecordReader::new(&b"a;\xc3\xa9\n1;\xff\n"[..], None).unwrap();
        assert_eq!(r.delimiter(), b';');
        let mut rec = Record::default();
        assert!(r.read(&mut rec).unwrap());
        assert!(r.read(&mut rec).unwrap());
        assert_eq!((rec.fault, rec.assumed), (Some(Fault::InvalidUtf8), None));
        // Before any, they make the file a Windows-1252 one.
        let mut r = RecordReader::new(&b"a;b\n1;\xff\n"[..], None).unwrap();
        assert!(r.read(&mut rec).unwrap());
        assert!(r.read(&mut rec).unwrap());
        assert_eq!(rec.fault, None);
        assert_eq!(rec.field(1), Some("ÿ"));
        assert_eq!(rec.assumed, Some(encoding_rs::WINDOWS_1252));
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c\n"), b',');
    }

    #[test]
    fn last_line_without_newline() {
        let got = read_all("a,b\n1,2");
        assert_eq!(got[1], (2, fields(&["1", "2"]), None));
    }

    /// A quoted multi-line cell longer than the record limit is said to be past the limit
    /// (not merely unclosed), and the lines after it are still read.
    #[test]
    fn a_quoted_cell_past_the_limit_says_so() {
        let cell = "word ".repeat(60);
        let text =
            format!("phone,note\n+14155552671,\"{cell}\n{cell}\n{cell}\"\n+14155552672,ok\n");
        let mut r = RecordReader::new(text.as_bytes(), None)
            .unwrap()
            .with_record_limit(400);
        let mut rec = Record::default();
        assert!(r.read(&mut rec).unwrap());
        assert!(r.read(&mut rec).unwrap());
        assert_eq!((rec.line, rec.fault), (2, Some(Fault::QuotePastLimit)));
        assert!(Fault::QuotePastLimit.describe().contains("record_bytes"));
        let mut last = rec.line;
        while r.read(&mut rec).unwrap() {
            last = rec.line;
        }
        assert_eq!(last, 5, "the row after the cell is read");
        // Within the limit, the same cell is one record.
        let mut r = RecordReader::new(text.as_bytes(), None).unwrap();
        assert!(r.read(&mut rec).unwrap() && r.read(&mut rec).unwrap());
        assert_eq!((rec.line, rec.fault), (2, None));
    }

    #[test]
    fn a_line_is_read_with_a_bound() {
        let mut text = b"phone\n".to_vec();
        text.extend(std::iter::repeat_n(b'9', 3 * MAX_RECORD_BYTES));
        text.extend_from_slice(b"\n+14155552671\n");
        let mut r = RecordReader::new(&text[..], None).unwrap();
        let mut rec = Record::default();
        assert!(r.read(&mut rec).unwrap());
        assert!(r.read(&mut rec).unwrap());
        assert_eq!((rec.line, rec.fault), (2, Some(Fault::LineTooLong)));
        assert!(rec.raw.len() <= MAX_RECORD_BYTES + 1);
        assert!(r.read(&mut rec).unwrap());
        assert_eq!(
            (rec.line, rec.fault, rec.field(0)),
            (3, None, Some("+14155552671"))
        );
        // No line end for longer than any text file has: an error, not a growing buffer.
        let endless =
            std::io::Read::take(std::io::repeat(b'0'), (MAX_LINE_BYTES + (1 << 20)) as u64);
        let mut r = RecordReader::new(std::io::BufReader::new(endless), None).unwrap();
        let err = r.read(&mut rec).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }
}
