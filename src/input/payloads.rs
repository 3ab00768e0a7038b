//! Message payload files: reads Cloud API `/messages` bodies one at a time as
//! [`PayloadItem`]s — from a file holding one message object, a JSON array of them, or NDJSON
//! (`.ndjson`/`.jsonl`, one message a line, blank lines skipped). Each item keeps what is
//! needed to place a finding in the file: the pointer of the message in the document, the
//! line and column it starts on, and its source text for [`json_locate`].
//! Text that is not JSON becomes an item carrying the parser's reason and position, so the
//! caller reports it and reads on. Both are streamed, so memory stays flat in the file's
//! size: NDJSON line by line, a `.json` array element by element. One message is read up
//! to [`MAX_MESSAGE_BYTES`]; a longer one is an item saying so, and reading goes on.
//! This module never judges a message: that is the payload rules' job.

use std::io::BufRead;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

/// The most bytes of one message walint reads (an NDJSON line, an element of an array, a
/// lone document): 1 MiB. A longer one is a located finding (WAT000) and reading goes on;
/// a JSON value over 16 MiB ends the run (no payload file has one).
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

use super::{bounded, json_locate};
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
    read_limited(input, framing, MAX_MESSAGE_BYTES)
}

/// [`read`], reading at most `message_bytes` of one message (`[limits] message_bytes`).
pub fn read_limited<R: BufRead>(
    input: R,
    framing: Framing,
    message_bytes: usize,
) -> PayloadReader<R> {
    match framing {
        Framing::Lines => PayloadReader::Lines(LineItems {
            limit: message_bytes,
            ..LineItems::new(input)
        }),
        Framing::Document => PayloadReader::Document(DocumentItems {
            limit: message_bytes,
            ..DocumentItems::new(input)
        }),
    }
}

/// The items of a payload stream (see [`read`]). An `Err` is an I/O failure of the stream
/// itself; text that is not JSON is an `Ok` item whose `value` is the error.
pub enum PayloadReader<R> {
    /// NDJSON, read line by line.
    Lines(LineItems<R>),
    /// One document: a lone message, or an array streamed element by element.
    Document(DocumentItems<R>),
}

impl<R: BufRead> Iterator for PayloadReader<R> {
    type Item = std::io::Result<PayloadItem>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            PayloadReader::Lines(lines) => lines.next(),
            PayloadReader::Document(items) => items.next(),
        }
    }
}

/// The messages of an NDJSON stream, one per non-blank line.
pub struct LineItems<R> {
    input: R,
    line: u64,
    buf: Vec<u8>,
    /// The most bytes of one message.
    limit: usize,
}

impl<R: BufRead> LineItems<R> {
    /// Reads `input` as NDJSON.
    pub fn new(input: R) -> LineItems<R> {
        LineItems {
            input,
            line: 0,
            buf: Vec::with_capacity(1024),
            limit: MAX_MESSAGE_BYTES,
        }
    }

    /// Appends the next non-blank line, unparsed and without its line ending, to `out`;
    /// returns its 1-based line number and its range in `out`. Lets a caller gather lines
    /// into batches for other threads, which parse them with [`line_item_shared`]. A line
    /// over [`MAX_MESSAGE_BYTES`] is skipped and comes back `cut`, with nothing appended
    /// (its item is [`too_long`]); one over 16 MiB is an error (no payload file has one).
    pub fn next_line_into(&mut self, out: &mut Vec<u8>) -> Option<std::io::Result<LineSpan>> {
        let start = out.len();
        loop {
            out.truncate(start);
            let read = bounded::read_line(
                &mut self.input,
                b'\n',
                out,
                self.limit,
                "an NDJSON payload file",
            );
            match read {
                Ok(read) if read.consumed == 0 => return None,
                Ok(read) if read.cut => {
                    self.line += 1;
                    out.truncate(start);
                    return Some(Ok(LineSpan {
                        line: self.line,
                        range: start..start,
                        cut: true,
                    }));
                }
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
                return Some(Ok(LineSpan {
                    line: self.line,
                    range: start..end,
                    cut: false,
                }));
            }
        }
    }
}

/// A line of an NDJSON stream as [`LineItems::next_line_into`] cut it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineSpan {
    /// The 1-based line number.
    pub line: u64,
    /// The line's bytes in the caller's buffer (empty when `cut`).
    pub range: Range<usize>,
    /// The line was over [`MAX_MESSAGE_BYTES`] and skipped.
    pub cut: bool,
}

impl<R: BufRead> Iterator for LineItems<R> {
    type Item = std::io::Result<PayloadItem>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let next = self.next_line_into(&mut buf).map(|read| {
            read.map(|span| match span.cut {
                true => too_long(String::new(), span.line, 1, self.limit),
                false => line_item(&buf[span.range], span.line),
            })
        });
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

/// The messages of one JSON document, read as a stream: the document itself, or each
/// element of a top-level array. Only the element being read is held (at most
/// [`MAX_MESSAGE_BYTES`] of it), so memory stays flat however long the array. An element
/// that is not JSON is an item with the parser's reason at its place, and reading goes
/// on; where the array itself breaks (a missing `,`, a trailing comma, the end of the
/// file), that is the last item.
pub struct DocumentItems<R> {
    input: Replay<R>,
    /// The 1-based line and column (in characters) of the next unread byte.
    line: u64,
    col: u64,
    state: DocumentState,
    /// The bytes of the element being read.
    element: Vec<u8>,
    /// The most bytes of one message.
    limit: usize,
}

#[derive(Clone, Copy)]
enum DocumentState {
    /// Nothing read yet.
    Start,
    /// Inside the top-level array: the next element's index and what was last read.
    Array {
        index: usize,
        after: After,
    },
    Done,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    /// The opening `[`.
    Open,
    /// An element.
    Value,
    /// A `,`.
    Comma,
}

/// How an element's text is delimited while it is scanned.
struct Scan {
    /// `{`/`[` nesting depth (a string or a bare scalar at the top: 0).
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// A number or literal: ends before a delimiter.
    bare: bool,
}

impl Scan {
    fn new(first: u8) -> Scan {
        Scan {
            depth: 0,
            in_string: false,
            escaped: false,
            bare: !matches!(first, b'{' | b'[' | b'"'),
        }
    }

    /// Scans `buf`, the element's next bytes: how many belong to it, and whether it ends there.
    fn feed(&mut self, buf: &[u8]) -> (usize, bool) {
        for (i, &b) in buf.iter().enumerate() {
            if self.bare {
                if matches!(b, b',' | b']' | b'}' | b'[' | b'{' | b'"') || b.is_ascii_whitespace() {
                    return (i, true);
                }
                continue;
            }
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if self.depth == 0 {
                        return (i + 1, true);
                    }
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return (i + 1, true);
                    }
                }
                _ => {}
            }
        }
        (buf.len(), false)
    }
}

/// Moves a (line, column) position over `bytes` (columns in characters).
fn advance(line: &mut u64, col: &mut u64, bytes: &[u8]) {
    match memchr::memrchr(b'\n', bytes) {
        Some(last) => {
            *line += memchr::memchr_iter(b'\n', bytes).count() as u64;
            *col = 1 + json_locate::char_count(&bytes[last + 1..]);
        }
        None => *col += json_locate::char_count(bytes),
    }
}

impl<R: BufRead> DocumentItems<R> {
    /// Reads `input` as one JSON document (a leading byte-order mark is dropped).
    pub fn new(input: R) -> DocumentItems<R> {
        DocumentItems {
            input: Replay {
                inner: input,
                again: Vec::new(),
                pos: 0,
            },
            line: 1,
            col: 1,
            state: DocumentState::Start,
            element: Vec::new(),
            limit: MAX_MESSAGE_BYTES,
        }
    }

    /// Consumes whitespace; returns the next byte, unconsumed (`None`: the end).
    fn skip_ws(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            let buf = self.input.fill_buf()?;
            let Some(&first) = buf.first() else {
                return Ok(None);
            };
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if n == 0 {
                return Ok(Some(first));
            }
            advance(&mut self.line, &mut self.col, &buf[..n]);
            self.input.consume(n);
        }
    }

    /// Consumes one (ASCII) byte already seen by [`Self::skip_ws`].
    fn bump(&mut self) {
        self.input.consume(1);
        self.col += 1;
    }

    /// Reads the element starting at the next byte into `self.element` (at most
    /// [`MAX_MESSAGE_BYTES`] of it); returns whether it was longer, and whether the input
    /// ended inside it. With `to_end`, everything up to the end of the input is the element.
    fn read_element(&mut self, to_end: bool) -> std::io::Result<(bool, bool)> {
        self.element.clear();
        let mut scan: Option<Scan> = None;
        let mut consumed = 0usize;
        let mut cut = false;
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Ok((cut, true));
            }
            let scan = scan.get_or_insert_with(|| Scan::new(buf[0]));
            let (take, done) = if to_end {
                (buf.len(), false)
            } else {
                scan.feed(buf)
            };
            let room = self.limit.saturating_sub(self.element.len());
            cut |= take > room;
            self.element.extend_from_slice(&buf[..take.min(room)]);
            advance(&mut self.line, &mut self.col, &buf[..take]);
            self.input.consume(take);
            consumed += take;
            if done {
                return Ok((cut, false));
            }
            if consumed > bounded::MAX_LINE_BYTES {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "a JSON value longer than 16 MiB: this is not a payload file",
                ));
            }
        }
    }

    /// The element just read, which started at (`line`, `col`), still to be parsed.
    fn element(&mut self, pointer_base: String, line: u64, col: u64, cut: bool) -> Element {
        if cut {
            return Element::Ready(too_long(pointer_base, line, col, self.limit));
        }
        Element::Text {
            bytes: std::mem::take(&mut self.element),
            pointer_base,
            line,
            col,
        }
    }

    /// An item saying the document breaks here (the last one).
    fn broken(&mut self, message: &str) -> PayloadItem {
        self.state = DocumentState::Done;
        failed_at(message, self.line, self.col)
    }

    /// The next element, cut out of the stream but not parsed: a caller that judges
    /// elements on other threads parses them there ([`Element::parse`]), so the reading
    /// thread holds only their text.
    pub fn next_element(&mut self) -> Option<std::io::Result<Element>> {
        match self.next_raw() {
            Ok(element) => element.map(Ok),
            Err(e) => {
                self.state = DocumentState::Done;
                Some(Err(e))
            }
        }
    }

    fn next_raw(&mut self) -> std::io::Result<Option<Element>> {
        loop {
            match self.state {
                DocumentState::Done => return Ok(None),
                DocumentState::Start => {
                    let head = self.input.fill_buf()?;
                    if head.starts_with(b"\xEF\xBB\xBF") {
                        self.input.consume(3);
                    }
                    match self.skip_ws()? {
                        None => {
                            return Ok(Some(Element::Ready(
                                self.broken("EOF while parsing a value"),
                            )));
                        }
                        Some(b'[') => {
                            self.bump();
                            self.state = DocumentState::Array {
                                index: 0,
                                after: After::Open,
                            };
                        }
                        Some(_) => {
                            self.state = DocumentState::Done;
                            let (line, col) = (self.line, self.col);
                            let (cut, _) = self.read_element(true)?;
                            return Ok(Some(self.element(String::new(), line, col, cut)));
                        }
                    }
                }
                DocumentState::Array { index, after } => {
                    let next = self.skip_ws()?;
                    match (next, after) {
                        (None, _) => {
                            return Ok(Some(Element::Ready(
                                self.broken("EOF while parsing a list"),
                            )));
                        }
                        (Some(b']'), After::Comma) => {
                            return Ok(Some(Element::Ready(self.broken("trailing comma"))));
                        }
                        (Some(b']'), _) => {
                            self.bump();
                            self.state = DocumentState::Done;
                            if self.skip_ws()?.is_some() {
                                return Ok(Some(Element::Ready(
                                    self.broken("trailing characters"),
                                )));
                            }
                            return Ok(None);
                        }
                        (Some(b','), After::Value) => {
                            self.bump();
                            self.state = DocumentState::Array {
                                index,
                                after: After::Comma,
                            };
                        }
                        (Some(_), After::Value) => {
                            return Ok(Some(Element::Ready(self.broken("expected `,` or `]`"))));
                        }
                        (Some(b',' | b'}'), _) => {
                            return Ok(Some(Element::Ready(self.broken("expected value"))));
                        }
                        (Some(_), _) => {
                            let (line, col) = (self.line, self.col);
                            let (cut, ended) = self.read_element(false)?;
                            if !cut && let Some(next) = open_object_cut(&self.element) {
                                // An object left open (its `}` missing) swallowed the
                                // elements after it: it ends where the next one starts,
                                // and they are read again.
                                let again = self.element.split_off(next);
                                (self.line, self.col) = (line, col);
                                advance(&mut self.line, &mut self.col, &self.element);
                                self.input.put_back(again);
                                self.state = DocumentState::Array {
                                    index: index + 1,
                                    after: After::Comma,
                                };
                                let item = failed_at(
                                    "an object is not closed: `}` is missing before the next element",
                                    self.line,
                                    self.col,
                                );
                                return Ok(Some(Element::Ready(PayloadItem {
                                    pointer_base: format!("/{index}"),
                                    ..item
                                })));
                            }
                            self.state = match ended {
                                true => DocumentState::Done,
                                false => DocumentState::Array {
                                    index: index + 1,
                                    after: After::Value,
                                },
                            };
                            let element = self.element(format!("/{index}"), line, col, cut);
                            return Ok(Some(element));
                        }
                    }
                }
            }
        }
    }
}

/// Where an array element that does not parse because an object in it was left open
/// really ends: the parser stopped at a `{` where a key or a `,` was due (after a `,` or
/// a value, not a key) — the start of the next element. `None` for an element that parses, or fails
/// in another way (reported whole, as it stands).
fn open_object_cut(element: &[u8]) -> Option<usize> {
    let e = serde_json::from_slice::<serde::de::IgnoredAny>(element).err()?;
    let why = e.to_string();
    if !(why.starts_with("key must be a string") || why.starts_with("expected `,` or `}`")) {
        return None;
    }
    let line_start = match e.line() {
        0 | 1 => 0,
        n => memchr::memchr_iter(b'\n', element).nth(n - 2)? + 1,
    };
    let at = line_start + e.column().checked_sub(1)?;
    let before = (element.get(..at)?.iter())
        .rev()
        .find(|b| !b.is_ascii_whitespace())?;
    (at > 0 && element.get(at) == Some(&b'{') && !matches!(before, b':' | b'[' | b'{'))
        .then_some(at)
}

/// A stream with bytes put back in front of it (the elements an open object swallowed).
struct Replay<R> {
    inner: R,
    again: Vec<u8>,
    pos: usize,
}

impl<R> Replay<R> {
    /// Puts `bytes` back in front of what is still to be read.
    fn put_back(&mut self, mut bytes: Vec<u8>) {
        bytes.extend_from_slice(&self.again[self.pos..]);
        self.again = bytes;
        self.pos = 0;
    }
}

impl<R: BufRead> std::io::Read for Replay<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Replay<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos < self.again.len() {
            return Ok(&self.again[self.pos..]);
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if self.pos < self.again.len() {
            self.pos += n;
            if self.pos >= self.again.len() {
                self.again = Vec::new();
                self.pos = 0;
            }
        } else {
            self.inner.consume(n);
        }
    }
}

impl<R: BufRead> Iterator for DocumentItems<R> {
    type Item = std::io::Result<PayloadItem>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_element().map(|e| e.map(Element::parse))
    }
}

/// An element of a document as [`DocumentItems::next_element`] cuts it: its text and
/// place, to parse; or an item already made (the document breaks there, or the element is
/// over the limit).
#[derive(Debug)]
pub enum Element {
    /// An element's text, not yet parsed.
    Text {
        /// The element's bytes.
        bytes: Vec<u8>,
        /// Its pointer in the document (`/3`, or `""` for a lone document).
        pointer_base: String,
        /// The 1-based line and column where it starts.
        line: u64,
        /// See `line`.
        col: u64,
    },
    /// An item that needs no parsing.
    Ready(PayloadItem),
}

impl Element {
    /// Parses the element into its item (JSON errors placed in the file).
    pub fn parse(self) -> PayloadItem {
        let (bytes, pointer_base, line, col) = match self {
            Element::Ready(item) => return item,
            Element::Text {
                bytes,
                pointer_base,
                line,
                col,
            } => (bytes, pointer_base, line, col),
        };
        let place = |(l, c): (u64, u64)| {
            if l == 1 {
                (line, col + c - 1)
            } else {
                (line + l - 1, c)
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let mut item = not_utf8(e.as_bytes(), valid, 1);
                if let Err(error) = &mut item.value {
                    (error.line, error.col) = place((error.line, error.col));
                    (item.line_base, item.col_base) = (error.line, error.col);
                }
                item.pointer_base = pointer_base;
                return item;
            }
        };
        let value = serde_json::from_str(&text).map_err(|e| {
            let error = json_error(&text, &e, 0..text.len());
            let (line, col) = place((error.line, error.col));
            JsonError { line, col, ..error }
        });
        PayloadItem {
            value,
            pointer_base,
            line_base: line,
            col_base: col,
            span: 0..text.trim_end().len(),
            text: Some(Arc::from(text)),
        }
    }
}

/// An item that is not JSON: `message` at (`line`, `col`), with no text to locate in.
fn failed_at(message: &str, line: u64, col: u64) -> PayloadItem {
    PayloadItem {
        value: Err(JsonError {
            message: message.to_string(),
            line,
            col,
        }),
        pointer_base: String::new(),
        line_base: line,
        col_base: col,
        text: None,
        span: 0..0,
    }
}

/// The item for a message over `limit` bytes, which starts at (`line`, `col`):
/// skipped, and reported there.
pub fn too_long(pointer_base: String, line: u64, col: u64, limit: usize) -> PayloadItem {
    let message = format!(
        "the message is over {limit} bytes, the most walint reads of one message (a Cloud API message is a few kilobytes; `[limits] message_bytes` in walint.toml)"
    );
    let mut item = failed_at(&message, line, col);
    item.pointer_base = pointer_base;
    item
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
    failed_at("the text is not valid UTF-8", line + newlines, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parser's reason for an item that is not JSON.
    fn reason(item: &PayloadItem) -> &str {
        &item.value.as_ref().unwrap_err().message
    }

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
    fn a_broken_element_is_an_item_with_the_place_and_reading_goes_on() {
        let got = items(
            "[\n  {\"a\": 1},\n  {\"b\": 2,},\n  {\"c\": 3}\n]",
            Framing::Document,
        );
        assert_eq!(got.len(), 3);
        assert!(got[0].value.is_ok() && got[2].value.is_ok());
        let e = got[1].value.as_ref().unwrap_err();
        assert_eq!((e.line, e.col), (3, 11), "{e}");
        assert_eq!(e.message, "trailing comma");
        assert_eq!(got[1].position(""), Some((3, 11)));
        assert_eq!(got[1].pointer(""), "/1");
        assert_eq!(got[2].position("/c"), Some((4, 9)));
        let got = items("{\"é\": \"ü\" \"x\": 1}", Framing::Document);
        let e = got[0].value.as_ref().unwrap_err();
        assert_eq!((e.line, e.col), (1, 11), "column in characters: {e}");
        let got = items("", Framing::Document);
        assert!(got[0].value.is_err());
        let got = items("{\"a\": 1}\n{\"a\": 2}\n", Framing::Document);
        assert!(reason(&got[0]).contains("trailing"));
    }

    #[test]
    fn where_the_array_breaks_is_the_last_item() {
        let last = |text: &str| {
            let got = items(text, Framing::Document);
            let e = got.last().unwrap().value.clone().unwrap_err();
            (got.len(), e.message, e.line, e.col)
        };
        assert_eq!(last("[{\"a\": 1}, ]"), (2, "trailing comma".into(), 1, 12));
        assert_eq!(
            last("[{\"a\": 1} {\"b\": 1}]"),
            (2, "expected `,` or `]`".into(), 1, 11)
        );
        assert_eq!(
            last("[{\"a\": 1},\n"),
            (2, "EOF while parsing a list".into(), 2, 1)
        );
        assert_eq!(
            last("[{\"a\": 1}] x"),
            (2, "trailing characters".into(), 1, 12)
        );
        assert_eq!(last("[,]"), (1, "expected value".into(), 1, 2));
        assert_eq!(last("[}"), (1, "expected value".into(), 1, 2));
        let (n, _, line, col) = last("[{\"a\": \"x]}\"}, {\"b\": [1, 2");
        assert_eq!((n, line), (2, 1), "the open element ends the document");
        assert!(col > 1);
        // Scalars and strings with brackets and escapes are elements like any other.
        let got = items("[1, \"a]\\\"\", true, {\"s\": \"}\"}]", Framing::Document);
        assert_eq!(got.len(), 4);
        assert!(got.iter().all(|i| i.value.is_ok()));
        assert_eq!(got[1].value.as_ref().unwrap(), "a]\"");
    }

    /// An object left open (its `}` missing) does not swallow the rest of the array: it is
    /// one finding where the next element starts, and every later element is checked.
    #[test]
    fn an_object_left_open_ends_where_the_next_element_starts() {
        let text = "[\n  {\"to\": \"1\", \"text\": {\"body\": \"a\"},\n  {\"to\": \"2\"},\n  {\"to\": \"3\",\n  {\"to\": \"4\"}\n]\n";
        let got = items(text, Framing::Document);
        let summary: Vec<_> = got
            .iter()
            .map(|i| match &i.value {
                Ok(v) => (
                    i.pointer(""),
                    v["to"].as_str().unwrap().to_string(),
                    i.line_base,
                ),
                Err(e) => (i.pointer(""), e.message.clone(), e.line),
            })
            .collect();
        let open = "an object is not closed: `}` is missing before the next element".to_string();
        assert_eq!(
            summary,
            [
                ("/0".to_string(), open.clone(), 3),
                ("/1".into(), "2".into(), 3),
                ("/2".into(), open, 5),
                ("/3".into(), "4".into(), 5),
            ]
        );
        assert_eq!(got[3].position("/to"), Some((5, 10)));
        // A key missing its value, or a missing comma, is no open object: reported whole.
        let got = items(
            "[{\"a\": {\"b\": 1}}, {\"a\" {\"b\": 1}}, {\"c\": 1}]",
            Framing::Document,
        );
        assert_eq!(got.len(), 3);
        assert!(got[1].value.is_err() && got[2].value.is_ok());
    }

    #[test]
    fn a_message_over_the_limit_is_an_item_and_reading_goes_on() {
        let big = format!("{{\"to\": \"{}\"}}", "9".repeat(MAX_MESSAGE_BYTES));
        let text = format!("[\n{big},\n {{\"to\": \"1\"}}]");
        let got = items(&text, Framing::Document);
        assert_eq!(got.len(), 2);
        let e = got[0].value.as_ref().unwrap_err();
        assert!(e.message.contains("over 1048576 bytes"), "{e}");
        assert_eq!((e.line, e.col, got[0].pointer("")), (2, 1, "/0".into()));
        assert_eq!(got[1].position("/to"), Some((3, 9)));
        let lines = format!("{{\"to\": \"0\"}}\n{big}\n{{\"to\": \"1\"}}\n");
        let got = items(&lines, Framing::Lines);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].value.as_ref().unwrap_err().line, 2);
        assert_eq!(got[2].position("/to"), Some((3, 8)));
        let got = items(&big, Framing::Document);
        assert!(reason(&got[0]).contains("over 1048576 bytes"));
        // A value with no end (`/dev/zero` named .json) ends the read at 16 MiB.
        let zeros = std::io::Read::take(std::io::repeat(b'0'), 20 << 20);
        let mut r = read(std::io::BufReader::new(zeros), Framing::Document);
        assert!(r.next().unwrap().is_err());
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
