//! Message payload files: reads Cloud API `/messages` bodies one at a time as
//! [`PayloadItem`]s — from a file holding one message object, a JSON array of them, or NDJSON
//! (`.ndjson`/`.jsonl`, one message a line, blank lines skipped). Each item keeps what is
//! needed to place a finding in the file: the pointer of the message in the document, the
//! line and column it starts on, and its source text for [`json_locate`].
//! Text that is not JSON becomes an item carrying the parser's reason and position, so the
//! caller reports it and reads on. NDJSON is read line by line (memory stays flat however
//! many lines); a `.json` document is read whole, then handed out one element at a time.
//! This module never judges a message: that is the payload rules' job.

use std::io::BufRead;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::json_locate;
use crate::diagnostic::Location;

/// Why an item is not JSON, and where (1-based line and column, in characters, in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// The parser's reason, without its position (`trailing comma`, `EOF while parsing…`).
    pub message: String,
    /// 1-based line in the file.
    pub line: u64,
    /// 1-based column (in characters) in that line.
    pub col: u64,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (line {}, column {})",
            self.message, self.line, self.col
        )
    }
}

/// How a payload file frames its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One JSON document: a message object, or an array of them.
    Document,
    /// NDJSON: one message per line.
    Lines,
}

impl Framing {
    /// `Lines` for `.ndjson` and `.jsonl` files (any case), `Document` otherwise.
    pub fn for_path(path: &Path) -> Framing {
        let lines = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("ndjson") || e.eq_ignore_ascii_case("jsonl"));
        if lines {
            Framing::Lines
        } else {
            Framing::Document
        }
    }
}

/// One message read from a payload file, or the reason it could not be read.
#[derive(Debug, Clone)]
pub struct PayloadItem {
    /// The message, or why its text is not JSON.
    pub value: Result<Value, JsonError>,
    /// The pointer of the message in its document: `""` for a lone object or an NDJSON
    /// line, `"/3"` for the fourth element of an array.
    pub pointer_base: String,
    /// The 1-based line where the item starts.
    pub line_base: u64,
    /// The 1-based column (in characters) where the item starts on that line.
    pub col_base: u64,
    /// The source text the item is in (the NDJSON line, or the whole document), to locate
    /// values with; `None` when there is nothing to locate in (text that is not UTF-8).
    pub text: Option<Arc<str>>,
    /// The item's bytes in `text`.
    span: Range<usize>,
}

impl PayloadItem {
    /// The pointer in the file of a value given by its pointer relative to the message.
    pub fn pointer(&self, relative: &str) -> String {
        let mut p = String::with_capacity(self.pointer_base.len() + relative.len());
        p.push_str(&self.pointer_base);
        p.push_str(relative);
        p
    }

    /// The item's own source text (the message's JSON), when there is one.
    pub fn source(&self) -> Option<&str> {
        self.text.as_deref().map(|t| &t[self.span.clone()])
    }

    /// The 1-based line and column in the file of the value at `relative` (a pointer
    /// relative to the message). For an item that is not JSON, `""` gives the error's place.
    pub fn position(&self, relative: &str) -> Option<(u64, u64)> {
        if let Err(e) = &self.value {
            return relative.is_empty().then_some((e.line, e.col));
        }
        let source = self.source()?;
        let offset = json_locate::offset_of(source, relative)?;
        let (line, col) = json_locate::position_at(source, offset);
        Some(if line == 1 {
            (self.line_base, self.col_base + col - 1)
        } else {
            (self.line_base + line - 1, col)
        })
    }

    /// The report location of the value at `relative` in the file `path`: its pointer in
    /// the file and, when it can be found, its line and column.
    pub fn location(&self, path: &Arc<str>, relative: &str) -> Location {
        let place = self.position(relative);
        Location::Json {
            path: Arc::clone(path),
            pointer: self.pointer(relative),
            line: place.map(|p| p.0),
            col: place.map(|p| p.1),
        }
    }
}

/// Reads the messages of a payload stream framed as `framing`, one at a time.
pub fn read<R: BufRead>(input: R, framing: Framing) -> PayloadReader<R> {
    match framing {
        Framing::Lines => PayloadReader::Lines(LineItems::new(input)),
        Framing::Document => PayloadReader::Document {
            input: Some(input),
            items: None,
        },
    }
}

/// The items of a payload stream (see [`read`]). An `Err` is an I/O failure of the stream
/// itself; text that is not JSON is an `Ok` item whose `value` is the error.
pub enum PayloadReader<R> {
    /// NDJSON, read line by line.
    Lines(LineItems<R>),
    /// One document, read whole on the first call.
    Document {
        /// The stream, until it has been read.
        input: Option<R>,
        /// The document's items, once read.
        items: Option<DocumentItems>,
    },
}

impl<R: BufRead> Iterator for PayloadReader<R> {
    type Item = std::io::Result<PayloadItem>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            PayloadReader::Lines(lines) => lines.next(),
            PayloadReader::Document { input, items } => {
                if let Some(mut input) = input.take() {
                    match DocumentItems::read(&mut input) {
                        Ok(read) => *items = Some(read),
                        Err(e) => return Some(Err(e)),
                    }
                }
                items.as_mut()?.next().map(Ok)
            }
        }
    }
}

/// The messages of an NDJSON stream, one per non-blank line.
pub struct LineItems<R> {
    input: R,
    line: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> LineItems<R> {
    /// Reads `input` as NDJSON.
    pub fn new(input: R) -> LineItems<R> {
        LineItems {
            input,
            line: 0,
            buf: Vec::with_capacity(1024),
        }
    }

    /// Appends the next non-blank line, unparsed and without its line ending, to `out`;
    /// returns its 1-based line number and its range in `out`. Lets a caller gather lines
    /// into batches for other threads, which parse them with [`line_item_shared`].
    pub fn next_line_into(
        &mut self,
        out: &mut Vec<u8>,
    ) -> Option<std::io::Result<(u64, Range<usize>)>> {
        let start = out.len();
        loop {
            out.truncate(start);
            match self.input.read_until(b'\n', out) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
            self.line += 1;
            let mut line = &out[start..];
            line = line.strip_suffix(b"\n").unwrap_or(line);
            line = line.strip_suffix(b"\r").unwrap_or(line);
            let blank = line
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(line)
                .iter()
                .all(u8::is_ascii_whitespace);
            if !blank {
                let end = start + line.len();
                out.truncate(end);
                return Some(Ok((self.line, start..end)));
            }
        }
    }
}

impl<R: BufRead> Iterator for LineItems<R> {
    type Item = std::io::Result<PayloadItem>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let next = self
            .next_line_into(&mut buf)
            .map(|read| read.map(|(line, range)| line_item(&buf[range], line)));
        self.buf = buf;
        next
    }
}

/// Parses one NDJSON line (`line` is its 1-based number; a byte-order mark is dropped on
/// line 1) into an item.
pub fn line_item(bytes: &[u8], line: u64) -> PayloadItem {
    match std::str::from_utf8(bytes) {
        Ok(text) => line_item_shared(&Arc::from(text), 0..text.len(), line),
        Err(_) => {
            let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
                Some(rest) if line == 1 => rest,
                _ => bytes,
            };
            let valid = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |t| t.len());
            not_utf8(bytes, valid, line)
        }
    }
}

/// Parses one NDJSON line held in a larger shared text (a batch of lines): like
/// [`line_item`], but the item points into `text` instead of copying its line.
pub fn line_item_shared(text: &Arc<str>, range: Range<usize>, line: u64) -> PayloadItem {
    let mut source = &text[range.clone()];
    let mut from = range.start;
    if line == 1
        && let Some(rest) = source.strip_prefix('\u{feff}')
    {
        source = rest;
        from += '\u{feff}'.len_utf8();
    }
    let start = json_locate::skip_ws(source.as_bytes(), 0);
    let value = serde_json::from_str(source).map_err(|e| {
        let e = json_error(source, &e, 0..source.len());
        JsonError {
            line: line + e.line - 1,
            ..e
        }
    });
    PayloadItem {
        value,
        pointer_base: String::new(),
        line_base: line,
        col_base: 1 + json_locate::char_count(&source.as_bytes()[..start]),
        span: from + start..from + source.trim_end().len(),
        text: Some(Arc::clone(text)),
    }
}

/// The messages of one JSON document: the document itself, or each element of a top-level
/// array. The text is held whole; each element is parsed only when it is asked for.
pub struct DocumentItems {
    text: Arc<str>,
    state: DocumentState,
}

enum DocumentState {
    /// The whole document is the one item.
    Single,
    /// An array: the next element's index, where to look for it, and the line count so far
    /// (the line and the offset where it starts, as of offset `counted`).
    Array {
        index: usize,
        pos: usize,
        line: u64,
        line_start: usize,
        counted: usize,
    },
    /// An item that is not JSON, to hand out once.
    Failed(JsonError),
    Done,
}

impl DocumentItems {
    /// Reads a whole document from `input` (a leading byte-order mark is dropped).
    pub fn read<R: BufRead>(input: &mut R) -> std::io::Result<DocumentItems> {
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes)?;
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        Ok(match String::from_utf8(bytes) {
            Ok(text) => DocumentItems::new(Arc::from(text)),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let error = not_utf8(&bytes, valid, 1).value.unwrap_err();
                DocumentItems {
                    text: Arc::from(""),
                    state: DocumentState::Failed(error),
                }
            }
        })
    }

    /// The items of a document already in memory (without a byte-order mark).
    pub fn new(text: Arc<str>) -> DocumentItems {
        let bytes = text.as_bytes();
        let start = json_locate::skip_ws(bytes, 0);
        let state = if bytes.get(start) != Some(&b'[') {
            DocumentState::Single
        } else {
            // Check the whole array first, so that elements can be cut out by scanning and a
            // broken document is one finding where the parser stopped, as for an object.
            match serde_json::from_str::<serde::de::IgnoredAny>(&text) {
                Ok(_) => DocumentState::Array {
                    index: 0,
                    pos: start + 1,
                    line: 1,
                    line_start: 0,
                    counted: 0,
                },
                Err(e) => DocumentState::Failed(json_error(&text, &e, 0..text.len())),
            }
        };
        DocumentItems { text, state }
    }

    fn single(&self) -> PayloadItem {
        let text = &*self.text;
        let start = json_locate::skip_ws(text.as_bytes(), 0);
        let (line_base, col_base) = json_locate::position_at(text, start);
        PayloadItem {
            value: serde_json::from_str(text).map_err(|e| json_error(text, &e, 0..text.len())),
            pointer_base: String::new(),
            line_base,
            col_base,
            span: start..text.trim_end().len(),
            text: Some(Arc::clone(&self.text)),
        }
    }

    fn failed(error: JsonError) -> PayloadItem {
        PayloadItem {
            pointer_base: String::new(),
            line_base: error.line,
            col_base: error.col,
            value: Err(error),
            text: None,
            span: 0..0,
        }
    }
}

impl Iterator for DocumentItems {
    type Item = PayloadItem;

    fn next(&mut self) -> Option<PayloadItem> {
        match std::mem::replace(&mut self.state, DocumentState::Done) {
            DocumentState::Done => None,
            DocumentState::Single => Some(self.single()),
            DocumentState::Failed(error) => Some(DocumentItems::failed(error)),
            DocumentState::Array {
                index,
                pos,
                mut line,
                mut line_start,
                counted,
            } => {
                let bytes = self.text.as_bytes();
                let start = json_locate::skip_ws(bytes, pos);
                if bytes.get(start).is_none_or(|&b| b == b']') {
                    return None;
                }
                // The array was checked whole, so every element is well formed.
                let end = json_locate::skip_value(bytes, start)?;
                for (i, _) in bytes[counted..start]
                    .iter()
                    .enumerate()
                    .filter(|&(_, &b)| b == b'\n')
                {
                    line += 1;
                    line_start = counted + i + 1;
                }
                let col_base = 1 + json_locate::char_count(&bytes[line_start..start]);
                let source = &self.text[start..end];
                let value = serde_json::from_str(source)
                    .map_err(|e| json_error(&self.text, &e, start..end));
                let after = json_locate::skip_ws(bytes, end);
                let next = if bytes.get(after) == Some(&b',') {
                    after + 1
                } else {
                    after
                };
                self.state = DocumentState::Array {
                    index: index + 1,
                    pos: next,
                    line,
                    line_start,
                    counted: start,
                };
                Some(PayloadItem {
                    value,
                    pointer_base: format!("/{index}"),
                    line_base: line,
                    col_base,
                    text: Some(Arc::clone(&self.text)),
                    span: start..end,
                })
            }
        }
    }
}

/// A parser error in `text[span]` (its line and byte column count from the span's start),
/// placed in `text` with the column in characters.
fn json_error(text: &str, e: &serde_json::Error, span: Range<usize>) -> JsonError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    let source = &text.as_bytes()[span.clone()];
    // serde_json counts lines at '\n' and columns in bytes, the offending byte included.
    let line_start = if e.line() <= 1 {
        0
    } else {
        source
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .nth(e.line() - 2)
            .map_or(source.len(), |(i, _)| i + 1)
    };
    let offset = span.start + line_start + e.column().saturating_sub(1);
    let (line, col) = json_locate::position_at(text, offset);
    JsonError { message, line, col }
}

/// The item for a line (or document) that is not UTF-8: the error is at the first bad byte.
fn not_utf8(bytes: &[u8], valid_up_to: usize, line: u64) -> PayloadItem {
    let before = &bytes[..valid_up_to];
    let newlines = before.iter().filter(|&&b| b == b'\n').count() as u64;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = 1 + json_locate::char_count(&before[line_start..]);
    DocumentItems::failed(JsonError {
        message: "the text is not valid UTF-8".to_string(),
        line: line + newlines,
        col,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str, framing: Framing) -> Vec<PayloadItem> {
        read(text.as_bytes(), framing)
            .collect::<std::io::Result<Vec<_>>>()
            .unwrap()
    }

    const ONE: &str = "{\n  \"messaging_product\": \"whatsapp\",\n  \"to\": \"+447400123456\",\n  \"type\": \"text\",\n  \"text\": {\"body\": \"hi\"}\n}\n";

    #[test]
    fn framing_by_extension() {
        assert_eq!(Framing::for_path(Path::new("a.ndjson")), Framing::Lines);
        assert_eq!(Framing::for_path(Path::new("dir/a.JSONL")), Framing::Lines);
        assert_eq!(Framing::for_path(Path::new("a.json")), Framing::Document);
        assert_eq!(Framing::for_path(Path::new("-")), Framing::Document);
    }

    #[test]
    fn a_lone_object() {
        let got = items(ONE, Framing::Document);
        assert_eq!(got.len(), 1);
        let item = &got[0];
        assert_eq!(item.value.as_ref().unwrap()["to"], "+447400123456");
        assert_eq!(
            (item.pointer_base.as_str(), item.line_base, item.col_base),
            ("", 1, 1)
        );
        assert_eq!(item.position(""), Some((1, 1)));
        assert_eq!(item.position("/to"), Some((3, 9)));
        assert_eq!(item.position("/text/body"), Some((5, 20)));
        assert_eq!(item.position("/nope"), None);
        let loc = item.location(&Arc::from("a.json"), "/text/body");
        assert_eq!(
            loc,
            Location::Json {
                path: Arc::from("a.json"),
                pointer: "/text/body".into(),
                line: Some(5),
                col: Some(20)
            }
        );
    }

    #[test]
    fn an_array_hands_out_each_element() {
        let text = "\u{feff}[\n  {\"messaging_product\": \"whatsapp\", \"to\": \"1\"},\n  {\"messaging_product\": \"whatsapp\",\n   \"to\": \"2\"}, {\"to\": \"3\"}\n]";
        let got: Vec<_> = read(text.as_bytes(), Framing::Document)
            .map(Result::unwrap)
            .collect();
        assert_eq!(got.len(), 3);
        let bases: Vec<_> = got
            .iter()
            .map(|i| (i.pointer_base.as_str(), i.line_base, i.col_base))
            .collect();
        assert_eq!(bases, [("/0", 2, 3), ("/1", 3, 3), ("/2", 4, 16)]);
        assert_eq!(got[1].value.as_ref().unwrap()["to"], "2");
        assert_eq!(got[0].position("/to"), Some((2, 43)));
        assert_eq!(got[1].position("/to"), Some((4, 10)));
        assert_eq!(got[2].position("/to"), Some((4, 23)));
        assert_eq!(got[2].pointer("/to"), "/2/to");
        assert_eq!(got[2].source(), Some("{\"to\": \"3\"}"));
        assert!(items("[]", Framing::Document).is_empty());
        assert!(items(" [ ] ", Framing::Document).is_empty());
    }

    #[test]
    fn a_broken_document_is_one_item_with_the_place() {
        let got = items("[\n  {\"a\": 1},\n  {\"b\": 2,}\n]", Framing::Document);
        assert_eq!(got.len(), 1);
        let e = got[0].value.as_ref().unwrap_err();
        assert_eq!((e.line, e.col), (3, 11), "{e}");
        assert_eq!(e.message, "key must be a string");
        assert_eq!(got[0].position(""), Some((3, 11)));
        let got = items("{\"é\": \"ü\" \"x\": 1}", Framing::Document);
        let e = got[0].value.as_ref().unwrap_err();
        assert_eq!((e.line, e.col), (1, 11), "column in characters: {e}");
        let got = items("", Framing::Document);
        assert!(got[0].value.is_err());
        let got = items("{\"a\": 1}\n{\"a\": 2}\n", Framing::Document);
        assert!(
            got[0]
                .value
                .as_ref()
                .unwrap_err()
                .message
                .contains("trailing")
        );
    }

    #[test]
    fn ndjson_line_by_line() {
        let text = "{\"to\": \"1\"}\r\n\n   \n  {\"to\": \"2\", \"x\": [1,]}\n{\"to\": \"3\"}";
        let got = items(text, Framing::Lines);
        assert_eq!(got.len(), 3, "blank lines are skipped");
        assert_eq!(got[0].line_base, 1);
        assert_eq!(got[0].value.as_ref().unwrap()["to"], "1");
        assert_eq!(got[0].source(), Some("{\"to\": \"1\"}"));
        let e = got[1].value.as_ref().unwrap_err();
        assert_eq!((got[1].line_base, e.line, e.col), (4, 4, 23), "{e}");
        assert_eq!(got[2].line_base, 5);
        assert_eq!(got[2].position("/to"), Some((5, 8)));
        assert_eq!(
            got[2].pointer("/to"),
            "/to",
            "NDJSON lines are their own documents"
        );
        let indented = items("\n   {\"to\": \"4\"}", Framing::Lines);
        assert_eq!(indented[0].position("/to"), Some((2, 11)));
        assert_eq!(indented[0].position(""), Some((2, 4)));
    }

    #[test]
    fn ndjson_with_a_bom_and_bad_utf8() {
        let mut bytes = b"\xEF\xBB\xBF{\"to\": \"1\"}\n{\"to\": \"".to_vec();
        bytes.extend_from_slice(b"\xFF\"}\n{\"to\": \"3\"}\n");
        let got: Vec<_> = read(&bytes[..], Framing::Lines)
            .map(Result::unwrap)
            .collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].position("/to"), Some((1, 8)));
        let e = got[1].value.as_ref().unwrap_err();
        assert_eq!((e.line, e.col), (2, 9));
        assert!(e.message.contains("UTF-8"));
        assert!(got[2].value.is_ok());
        let doc: Vec<_> = read(&b"{\n\"a\": \"\xC3\x28\"}"[..], Framing::Document)
            .map(Result::unwrap)
            .collect();
        let e = doc[0].value.as_ref().unwrap_err();
        assert_eq!((e.line, e.col), (2, 7));
    }

    #[test]
    fn shared_lines_read_as_copied_ones() {
        let text =
            "\u{feff}  {\"to\": \"1\", \"x\": [1, {\"é\": 2}]}  \n{\"to\": 1,}\n\t{\"a\": \"ü\"}";
        let shared: Arc<str> = Arc::from(text);
        let mut start = 0;
        for (i, line) in text.split('\n').enumerate() {
            let range = start..start + line.len();
            start = range.end + 1;
            let n = i as u64 + 1;
            let a = line_item(line.as_bytes(), n);
            let b = line_item_shared(&shared, range, n);
            assert_eq!(a.value, b.value, "line {n}");
            assert_eq!(a.source(), b.source(), "line {n}");
            for pointer in ["", "/to", "/x/1/é", "/a"] {
                assert_eq!(a.position(pointer), b.position(pointer), "{n} {pointer}");
            }
        }
    }

    #[test]
    fn io_errors_surface() {
        struct Failing;
        impl std::io::Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk on fire"))
            }
        }
        for framing in [Framing::Lines, Framing::Document] {
            let mut r = read(std::io::BufReader::new(Failing), framing);
            assert!(r.next().unwrap().is_err());
        }
    }
}
