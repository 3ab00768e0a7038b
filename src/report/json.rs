//! `--format json`: the report contract of DESIGN.md, described by
//! `schemas/report.schema.json`. Written straight to the output, one pass: the findings
//! come from the (possibly on-disk) merge a batch at a time, each batch's entries are
//! formatted in parallel on rayon's pool and written in order, never all collected.

use std::io::{self, Write};

use std::borrow::Cow;

use rayon::prelude::*;
use serde::Serialize;

use super::{Report, Summary};
use crate::diagnostic::Diagnostic;

/// The version of the report format; bumped only on an incompatible change.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Document {
    version: u32,
    tool: Tool,
    summary: Summary,
    diagnostics: [(); 0],
}

/// Findings formatted per parallel batch.
const BATCH: usize = 4096;

/// Writes the report as one JSON document (pretty-printed, newline-terminated), exactly as
/// `serde_json::to_writer_pretty` writes it with the findings in place.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        version: FORMAT_VERSION,
        tool: Tool {
            name: "walint",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: report.summary(),
        diagnostics: [],
    };
    let head = serde_json::to_vec_pretty(&doc).map_err(io::Error::other)?;
    // The document ends `"diagnostics": []\n}`: the array is written in place of `[]`.
    let head = head
        .strip_suffix(b"[]\n}")
        .ok_or_else(|| io::Error::other("unexpected JSON layout"))?;
    out.write_all(head)?;
    let mut sorted = report.diagnostics.sorted()?;
    let mut first = true;
    loop {
        let batch: Vec<Cow<Diagnostic>> = sorted.by_ref().take(BATCH).collect::<io::Result<_>>()?;
        if batch.is_empty() {
            break;
        }
        let texts: Vec<Vec<u8>> = batch
            .par_chunks(TASK)
            .map(entries)
            .collect::<io::Result<_>>()?;
        for text in texts {
            // Each text starts with the separator `,` that only the first entry must drop.
            out.write_all(if first { b"[" } else { b"," })?;
            out.write_all(&text[1..])?;
            first = false;
        }
    }
    out.write_all(if first { b"[]\n}\n" } else { b"\n  ]\n}\n" })
}

/// Findings formatted as one task.
const TASK: usize = 256;

/// Findings as entries of the pretty-printed `diagnostics` array (two levels deep), each
/// preceded by `,` and its line break.
fn entries(batch: &[Cow<Diagnostic>]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(batch.len() * 640);
    for d in batch {
        out.extend_from_slice(b",\n    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Indented::default());
        d.serialize(&mut ser).map_err(io::Error::other)?;
    }
    Ok(out)
}

/// serde_json's pretty layout (two spaces an indent) for a value that starts two levels
/// deep, so an entry is written in place without re-indenting it.
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Default for Indented {
    fn default() -> Self {
        Indented {
            depth: 2,
            has_value: false,
        }
    }
}

impl Indented {
    fn indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        for _ in 0..self.depth {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }

    /// Opens an array or object with `bracket`.
    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    /// Closes an array or object with `bracket`, on a line of its own unless it is empty.
    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(bracket)
    }

    /// Starts an element or a key on a line of its own.
    fn next<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.next(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.next(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}
