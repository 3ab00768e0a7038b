//! `--format json`: the report contract of DESIGN.md, described by
//! `schemas/report.schema.json`. Written straight to the output, one pass.

use std::io::{self, Write};

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
struct Document<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    diagnostics: &'a [Diagnostic],
}

/// Writes the report as one JSON document (pretty-printed, newline-terminated).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        version: FORMAT_VERSION,
        tool: Tool {
            name: "walint",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: report.summary(),
        diagnostics: &report.diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
