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
            .par_iter()
            .map(|d| entry(d))
            .collect::<io::Result<_>>()?;
        for text in texts {
            out.write_all(if first { b"[\n    " } else { b",\n    " })?;
            out.write_all(&text)?;
            first = false;
        }
    }
    out.write_all(if first { b"[]\n}\n" } else { b"\n  ]\n}\n" })
}

/// One finding as an entry of the pretty-printed `diagnostics` array (two levels deep).
fn entry(d: &Diagnostic) -> io::Result<Vec<u8>> {
    let text = serde_json::to_vec_pretty(d).map_err(io::Error::other)?;
    let mut indented = Vec::with_capacity(text.len() + text.len() / 8);
    // JSON strings hold no raw newline, so every newline is layout.
    for &b in &text {
        indented.push(b);
        if b == b'\n' {
            indented.extend_from_slice(b"    ");
        }
    }
    Ok(indented)
}
