//! The on-disk form of a sorted run of findings (see `findings`): a compact binary record
//! per finding, written and read back by the same run, never by another program.
//!
//! What many findings share — the rule, the file's path, the column's name, a help text
//! that is a static string — is kept once in a [`Shared`] table that lives beside the runs
//! and is named by index in each record, so a record holds only what is particular to its
//! finding (message, line, fix) and reading one back allocates only for those. Each record
//! is framed by its length, so a stretch of a run can be cut into records without decoding
//! them and decoded in parallel. Integers are little-endian; a string is its length (`u32`)
//! and its UTF-8 bytes.

use std::borrow::Cow;
use std::io::{self, Read, Write};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::diagnostic::{Diagnostic, Fix, Location, Severity, SheetCell};
use crate::rules::Rule;

/// A string many findings share: a path or column (an `Arc` the table keeps alive) or a
/// static help text.
#[derive(Debug, Clone)]
enum Text {
    Arc(Arc<str>),
    Static(&'static str),
}

/// The rules and strings the records of every run name by index.
///
/// Strings are found again by address: the table holds each `Arc` it names (so its address
/// cannot be reused while the table lives) and static strings never move.
#[derive(Debug, Default)]
pub struct Shared {
    rules: Vec<&'static Rule>,
    texts: Vec<Text>,
    by_address: FxHashMap<(usize, usize), u32>,
}

// Flags of a record.
const WA_ERROR: u8 = 1;
const HELP: u8 = 1 << 1;
const HELP_SHARED: u8 = 1 << 2;
const FIX: u8 = 1 << 3;
const SUBJECT: u8 = 1 << 4;

// Location kinds and their flags.
const CSV: u8 = 0;
const JSON: u8 = 1;
const FILE: u8 = 2;
const LINE: u8 = 1 << 4;
const COL: u8 = 1 << 5;
const COLUMN: u8 = 1 << 6;
const SHEET: u8 = 1 << 7;

impl Shared {
    fn rule(&mut self, rule: &'static Rule) -> u32 {
        let at = self.rules.iter().position(|r| std::ptr::eq(*r, rule));
        index(at.unwrap_or_else(|| {
            self.rules.push(rule);
            self.rules.len() - 1
        }))
    }

    fn text(&mut self, text: Text) -> u32 {
        let s: &str = match &text {
            Text::Arc(a) => a,
            Text::Static(s) => s,
        };
        let key = (s.as_ptr() as usize, s.len());
        if let Some(&i) = self.by_address.get(&key) {
            return i;
        }
        let i = index(self.texts.len());
        self.texts.push(text);
        self.by_address.insert(key, i);
        i
    }

    /// Writes one finding's record, framed by its length, to `out`; `scratch` is reused
    /// between calls.
    pub fn write(
        &mut self,
        d: &Diagnostic,
        scratch: &mut Vec<u8>,
        out: &mut impl Write,
    ) -> io::Result<()> {
        scratch.clear();
        self.encode(d, scratch)?;
        let len = u32::try_from(scratch.len())
            .map_err(|_| io::Error::other("a finding's record over 4 GiB"))?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(scratch)
    }

    fn encode(&mut self, d: &Diagnostic, out: &mut Vec<u8>) -> io::Result<()> {
        let mut flags = 0;
        if d.wa_error.is_some() {
            flags |= WA_ERROR;
        }
        match &d.help {
            Some(Cow::Borrowed(_)) => flags |= HELP | HELP_SHARED,
            Some(Cow::Owned(_)) => flags |= HELP,
            None => {}
        }
        if d.fix.is_some() {
            flags |= FIX;
        }
        if d.subject.is_some() {
            flags |= SUBJECT;
        }
        let rule = self.rule(d.rule);
        out.write_all(&[flags, severity_byte(d.severity)])?;
        out.write_all(&rule.to_le_bytes())?;
        if let Some(code) = d.wa_error {
            out.write_all(&code.to_le_bytes())?;
        }
        if let Some(subject) = d.subject {
            out.write_all(&subject.to_le_bytes())?;
        }
        write_str(out, &d.message)?;
        match &d.help {
            Some(Cow::Borrowed(help)) => {
                let i = self.text(Text::Static(help));
                out.write_all(&i.to_le_bytes())?;
            }
            Some(Cow::Owned(help)) => write_str(out, help)?,
            None => {}
        }
        match &d.location {
            Location::Csv {
                path,
                line,
                row,
                column,
                sheet,
            } => {
                let kind = CSV
                    | if column.is_some() { COLUMN } else { 0 }
                    | if sheet.is_some() { SHEET } else { 0 };
                out.write_all(&[kind])?;
                self.write_arc(out, path)?;
                out.write_all(&line.to_le_bytes())?;
                out.write_all(&row.to_le_bytes())?;
                if let Some(column) = column {
                    self.write_arc(out, column)?;
                }
                if let Some(sheet) = sheet {
                    self.write_arc(out, &sheet.sheet)?;
                    write_str(out, &sheet.cell)?;
                }
            }
            Location::Json {
                path,
                pointer,
                line,
                col,
            } => {
                let kind = JSON
                    | if line.is_some() { LINE } else { 0 }
                    | if col.is_some() { COL } else { 0 };
                out.write_all(&[kind])?;
                self.write_arc(out, path)?;
                write_str(out, pointer)?;
                for n in [line, col].into_iter().flatten() {
                    out.write_all(&n.to_le_bytes())?;
                }
            }
            Location::File { path, line } => {
                out.write_all(&[FILE | if line.is_some() { LINE } else { 0 }])?;
                self.write_arc(out, path)?;
                if let Some(line) = line {
                    out.write_all(&line.to_le_bytes())?;
                }
            }
        }
        if let Some(fix) = &d.fix {
            write_str(out, &fix.replacement)?;
        }
        Ok(())
    }

    fn write_arc(&mut self, out: &mut impl Write, s: &Arc<str>) -> io::Result<()> {
        let i = self.text(Text::Arc(Arc::clone(s)));
        out.write_all(&i.to_le_bytes())
    }

    /// Reads the next record of a run into `record` and decodes it, or gives `None` at the
    /// end of the run.
    pub fn read(
        &self,
        input: &mut impl Read,
        record: &mut Vec<u8>,
    ) -> io::Result<Option<Diagnostic>> {
        let mut len = [0u8; 4];
        let mut got = 0;
        while got < len.len() {
            match input.read(&mut len[got..]) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => return Err(corrupt("length")),
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        // Read up to the length rather than allocating it first: a damaged length must not
        // become a huge allocation.
        let len = u64::from(u32::from_le_bytes(len));
        record.clear();
        input.take(len).read_to_end(record)?;
        if record.len() as u64 != len {
            return Err(corrupt("length"));
        }
        self.decode(record).map(Some)
    }

    /// Decodes one record (without its length).
    pub fn decode(&self, record: &[u8]) -> io::Result<Diagnostic> {
        let input = &mut &record[..];
        let d = self.decode_from(input)?;
        if input.is_empty() {
            Ok(d)
        } else {
            Err(corrupt("length"))
        }
    }

    fn decode_from(&self, input: &mut &[u8]) -> io::Result<Diagnostic> {
        let head = take(input, 2)?;
        let (flags, severity) = (head[0], head[1]);
        let rule = *self
            .rules
            .get(read_u32(input)? as usize)
            .ok_or_else(|| corrupt("rule"))?;
        let wa_error = if flags & WA_ERROR != 0 {
            Some(read_u32(input)?)
        } else {
            None
        };
        let subject = if flags & SUBJECT != 0 {
            Some(read_u64(input)?)
        } else {
            None
        };
        let message = read_string(input)?;
        let help = match (flags & HELP != 0, flags & HELP_SHARED != 0) {
            (false, _) => None,
            (true, true) => match self.texts.get(read_u32(input)? as usize) {
                Some(Text::Static(s)) => Some(Cow::Borrowed(*s)),
                _ => return Err(corrupt("help")),
            },
            (true, false) => Some(Cow::Owned(read_string(input)?)),
        };
        let kind = take(input, 1)?[0];
        let path = self.read_arc(input)?;
        let location = match kind & 0x0F {
            CSV => Location::Csv {
                path,
                line: read_u64(input)?,
                row: read_u64(input)?,
                column: if kind & COLUMN != 0 {
                    Some(self.read_arc(input)?)
                } else {
                    None
                },
                sheet: if kind & SHEET != 0 {
                    Some(SheetCell {
                        sheet: self.read_arc(input)?,
                        cell: read_string(input)?,
                    })
                } else {
                    None
                },
            },
            JSON => Location::Json {
                path,
                pointer: read_string(input)?,
                line: if kind & LINE != 0 {
                    Some(read_u64(input)?)
                } else {
                    None
                },
                col: if kind & COL != 0 {
                    Some(read_u64(input)?)
                } else {
                    None
                },
            },
            FILE => Location::File {
                path,
                line: if kind & LINE != 0 {
                    Some(read_u64(input)?)
                } else {
                    None
                },
            },
            _ => return Err(corrupt("location")),
        };
        let fix = if flags & FIX != 0 {
            Some(Fix {
                replacement: read_string(input)?,
            })
        } else {
            None
        };
        Ok(Diagnostic {
            rule,
            severity: severity_from(severity)?,
            wa_error,
            message,
            help,
            location,
            fix,
            subject,
        })
    }

    fn read_arc(&self, input: &mut &[u8]) -> io::Result<Arc<str>> {
        match self.texts.get(read_u32(input)? as usize) {
            Some(Text::Arc(a)) => Ok(Arc::clone(a)),
            _ => Err(corrupt("path or column")),
        }
    }
}

/// The records (each without its length) of a stretch of a run that holds whole records
/// only.
pub fn records(mut block: &[u8]) -> io::Result<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !block.is_empty() {
        let len = whole_record(block).ok_or_else(|| corrupt("length"))?;
        out.push(&block[4..len]);
        block = &block[len..];
    }
    Ok(out)
}

/// The length, framing included, of the record `bytes` starts with, if it holds all of it.
pub fn whole_record(bytes: &[u8]) -> Option<usize> {
    let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize + 4;
    (bytes.len() >= len).then_some(len)
}

fn index(i: usize) -> u32 {
    // More than four billion distinct rules or strings cannot be held in memory anyway.
    u32::try_from(i).expect("fewer than 2^32 shared strings")
}

fn severity_byte(s: Severity) -> u8 {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

fn severity_from(b: u8) -> io::Result<Severity> {
    match b {
        0 => Ok(Severity::Info),
        1 => Ok(Severity::Warning),
        2 => Ok(Severity::Error),
        _ => Err(corrupt("severity")),
    }
}

fn write_str(out: &mut impl Write, s: &str) -> io::Result<()> {
    let len =
        u32::try_from(s.len()).map_err(|_| io::Error::other("a finding's text over 4 GiB"))?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(s.as_bytes())
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> io::Result<&'a [u8]> {
    if input.len() < n {
        return Err(corrupt("length"));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

fn read_u32(input: &mut &[u8]) -> io::Result<u32> {
    Ok(u32::from_le_bytes(
        take(input, 4)?.try_into().expect("4 bytes"),
    ))
}

fn read_u64(input: &mut &[u8]) -> io::Result<u64> {
    Ok(u64::from_le_bytes(
        take(input, 8)?.try_into().expect("8 bytes"),
    ))
}

fn read_string(input: &mut &[u8]) -> io::Result<String> {
    let len = read_u32(input)? as usize;
    let bytes = take(input, len)?;
    String::from_utf8(bytes.to_vec()).map_err(|_| corrupt("text"))
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("a stored finding's {what} does not read back (the temporary file was changed)"),
    )
}
