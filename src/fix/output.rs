//! How `walint fix` writes its clean and rejects files: in the input's own form by default
//! — its encoding (UTF-16 with its byte order mark, a legacy Windows-1252 export), its
//! delimiter, each row copied byte for byte — or in the form a BSP's import wants
//! (`--output-encoding utf-8|utf-8-bom`, `--output-delimiter`), rows then written again
//! field by field with the new delimiter (a field that holds it quoted). A spreadsheet has
//! no encoding of its own: its CSV is UTF-8 with a byte order mark unless told otherwise,
//! so that Excel shows `München`, not `MÃ¼nchen`.

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::input::encoding::EncodingSeen;
use crate::output::{Finished, OutputFile};

/// The encoding `walint fix` writes (`--output-encoding`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OutputEncoding {
    /// The input's (for a spreadsheet, UTF-8 with a byte order mark).
    #[default]
    Same,
    /// UTF-8 without a byte order mark.
    Utf8,
    /// UTF-8 with a byte order mark (what Excel needs to read UTF-8).
    Utf8Bom,
}

impl OutputEncoding {
    /// Parses `same`, `utf-8` (`utf8`) or `utf-8-bom` (`utf8-bom`), in any case.
    pub fn parse(text: &str) -> Option<OutputEncoding> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "same" => Some(OutputEncoding::Same),
            "utf-8" | "utf8" => Some(OutputEncoding::Utf8),
            "utf-8-bom" | "utf8-bom" | "utf-8-sig" => Some(OutputEncoding::Utf8Bom),
            _ => None,
        }
    }
}

/// Parses an output delimiter: `,` (`comma`), `;` (`semicolon`), a tab (`tab`, `\t`),
/// `|` (`pipe`), or `same` (`None`: the input's).
pub fn parse_delimiter(text: &str) -> Option<Option<u8>> {
    Some(Some(
        match text.trim_matches(' ').to_ascii_lowercase().as_str() {
            "same" => return Some(None),
            "," | "comma" => b',',
            ";" | "semicolon" => b';',
            "\t" | "\\t" | "tab" => b'\t',
            "|" | "pipe" => b'|',
            _ => return None,
        },
    ))
}

/// How the outputs are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutputForm {
    /// Their encoding.
    pub encoding: OutputEncoding,
    /// Their delimiter (`None`: the input's; `,` for a spreadsheet).
    pub delimiter: Option<u8>,
}

/// An output of `walint fix` ([`OutputFile`]: a temporary file beside its target,
/// renamed into place once both outputs are on disk; `-` is standard output).
pub(super) struct Output {
    out: OutputFile,
    /// The input's encoding, when the output follows it (unset: UTF-8).
    encoding: EncodingSeen,
    /// Written as UTF-8, with a byte order mark or without, whatever the input's.
    utf8: Option<bool>,
    /// Whether anything was written yet (a byte order mark goes first).
    started: bool,
    /// Text encoded for writing.
    encoded: Vec<u8>,
    /// The input's delimiter and the output's, when they differ (rows are written again).
    reframe: Option<(u8, u8)>,
    /// A row written again.
    framed: Vec<u8>,
}

impl Output {
    pub(super) fn create(path: &Path) -> Result<Output, Error> {
        Ok(Output {
            out: OutputFile::create(path)?,
            encoding: EncodingSeen::default(),
            utf8: None,
            started: false,
            encoded: Vec::new(),
            reframe: None,
            framed: Vec::new(),
        })
    }

    /// Sets the form once the input's is known (`delimiter`, `encoding`; `sheet`: the
    /// input is a spreadsheet).
    pub(super) fn set_form(
        &mut self,
        form: OutputForm,
        delimiter: u8,
        encoding: &EncodingSeen,
        sheet: bool,
    ) {
        self.encoding = encoding.clone();
        self.utf8 = match form.encoding {
            OutputEncoding::Same if sheet => Some(true),
            OutputEncoding::Same => None,
            OutputEncoding::Utf8 => Some(false),
            OutputEncoding::Utf8Bom => Some(true),
        };
        self.reframe = form
            .delimiter
            .filter(|&d| d != delimiter)
            .map(|d| (delimiter, d));
    }

    /// The output's delimiter.
    pub(super) fn delimiter(&self, input: u8) -> u8 {
        self.reframe.map_or(input, |(_, to)| to)
    }

    fn io(&self, source: std::io::Error) -> Error {
        self.out.error(source)
    }

    /// Writes text as read (UTF-8, or bytes that were not) in the output's encoding.
    pub(super) fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        match self.utf8 {
            Some(bom) => {
                let mut bytes = bytes;
                if !self.started {
                    self.started = true;
                    // A byte order mark the input had is kept or dropped as asked.
                    bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                    if bom {
                        self.out
                            .write_all(b"\xEF\xBB\xBF")
                            .map_err(|e| self.io(e))?;
                    }
                }
                self.out.write_all(bytes).map_err(|e| self.io(e))
            }
            None => {
                let Some(encoding) = self.encoding.get().copied() else {
                    self.started = true;
                    return self.out.write_all(bytes).map_err(|e| self.io(e));
                };
                self.encoded.clear();
                if !self.started {
                    self.started = true;
                    self.encoded.extend_from_slice(encoding.bom());
                }
                encoding.encode(bytes, &mut self.encoded);
                let written = self.out.write_all(&self.encoded);
                written.map_err(|e| self.io(e))
            }
        }
    }

    /// Writes a whole record as read (its line ending included), with the output's
    /// delimiter.
    pub(super) fn write_record(&mut self, raw: &[u8]) -> Result<(), Error> {
        match self.reframe {
            None => self.write(raw),
            Some((from, to)) => {
                let mut framed = std::mem::take(&mut self.framed);
                framed.clear();
                reframe(raw, from, to, &mut framed);
                let written = self.write(&framed);
                self.framed = framed;
                written
            }
        }
    }

    /// Writes a record read with `delimiter`, with fields added at its end (quoted), before
    /// its line ending.
    pub(super) fn write_with_fields(
        &mut self,
        raw: &[u8],
        delimiter: u8,
        fields: &[&[u8]],
    ) -> Result<(), Error> {
        let body = raw.strip_suffix(b"\n").unwrap_or(raw);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        let ending = match &raw[body.len()..] {
            b"" => b"\n".as_slice(),
            ending => ending,
        };
        let delimiter = self.delimiter(delimiter);
        self.write_record(body)?;
        for field in fields {
            self.write(&[delimiter, b'"'])?;
            for part in field.split(|&b| b == b'"').enumerate() {
                if part.0 > 0 {
                    self.write(b"\"\"")?;
                }
                self.write(part.1)?;
            }
            self.write(b"\"")?;
        }
        self.write(ending)
    }

    /// Flushes and syncs the output: on disk, not yet in place.
    pub(super) fn finish(mut self) -> Result<Finished, Error> {
        if !self.started {
            // An empty output still carries its byte order mark.
            self.started = true;
            let bom: &[u8] = match (self.utf8, self.encoding.get()) {
                (Some(true), _) => b"\xEF\xBB\xBF",
                (None, Some(encoding)) => encoding.bom(),
                _ => b"",
            };
            self.out.write_all(bom).map_err(|e| self.io(e))?;
        }
        self.out.finish()
    }
}

/// `raw`, a CSV record (RFC 4180: fields quoted or not, `""` inside quotes) separated by
/// `from`, written with `to` instead: a field that holds `to`, a quote or a line break is
/// quoted, one that was quoted stays so, and the line ending stays.
fn reframe(raw: &[u8], from: u8, to: u8, out: &mut Vec<u8>) {
    let body_end = raw
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map_or(0, |i| i + 1);
    let (body, ending) = raw.split_at(body_end);
    let mut field = Vec::new();
    let mut i = 0;
    let mut first = true;
    loop {
        field.clear();
        let mut quoted = false;
        if body.get(i) == Some(&b'"') {
            quoted = true;
            i += 1;
            while i < body.len() {
                match (body[i], body.get(i + 1)) {
                    (b'"', Some(b'"')) => {
                        field.push(b'"');
                        i += 2;
                    }
                    (b'"', _) => {
                        i += 1;
                        break;
                    }
                    (b, _) => {
                        field.push(b);
                        i += 1;
                    }
                }
            }
            // Text after a closing quote (a malformed field) stays in the field.
            while i < body.len() && body[i] != from {
                field.push(body[i]);
                i += 1;
            }
        } else {
            while i < body.len() && body[i] != from {
                field.push(body[i]);
                i += 1;
            }
        }
        if !first {
            out.push(to);
        }
        first = false;
        let quote = quoted
            || field
                .iter()
                .any(|&b| b == to || b == b'"' || b == b'\n' || b == b'\r');
        if quote {
            out.push(b'"');
            for &b in &field {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(&field);
        }
        if i >= body.len() {
            break;
        }
        i += 1; // the delimiter
        if i == body.len() {
            // A record that ends with a delimiter has an empty last field.
            out.push(to);
            break;
        }
    }
    out.extend_from_slice(ending);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reframed(raw: &str, from: u8, to: u8) -> String {
        let mut out = Vec::new();
        reframe(raw.as_bytes(), from, to, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn records_are_written_again_with_another_delimiter() {
        assert_eq!(
            reframed("Müller, Hans;+4915112345678;Köln\r\n", b';', b','),
            "\"Müller, Hans\",+4915112345678,Köln\r\n"
        );
        assert_eq!(
            reframed("\"a;b\";\"say \"\"hi\"\"\";\n", b';', b','),
            "\"a;b\",\"say \"\"hi\"\"\",\n"
        );
        assert_eq!(reframed("a,b\tc,d\n", b',', b'\t'), "a\t\"b\tc\"\td\n");
        assert_eq!(
            reframed("\"two\nlines\";x\n", b';', b','),
            "\"two\nlines\",x\n"
        );
        assert_eq!(reframed("", b';', b','), "");
    }

    #[test]
    fn choices_parse() {
        assert_eq!(
            OutputEncoding::parse("UTF-8-BOM"),
            Some(OutputEncoding::Utf8Bom)
        );
        assert_eq!(OutputEncoding::parse("utf8"), Some(OutputEncoding::Utf8));
        assert_eq!(OutputEncoding::parse("latin1"), None);
        assert_eq!(parse_delimiter(";"), Some(Some(b';')));
        assert_eq!(parse_delimiter("tab"), Some(Some(b'\t')));
        assert_eq!(parse_delimiter("same"), Some(None));
        assert_eq!(parse_delimiter("x"), None);
    }
}
