//! `--format json`: the report contract of DESIGN.md, described by
//! `schemas/report.schema.json`. Written straight to the output, one pass.

use std::io::{self, Write};

use std::cell::RefCell;

use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};

use super::findings::Sorted;
use super::{Report, Summary};

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
    diagnostics: Stream<'a>,
}

/// The findings, serialised as a JSON array straight from the (possibly on-disk) merge,
/// never collected.
struct Stream<'a>(RefCell<Option<Sorted<'a>>>);

impl Serialize for Stream<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        if let Some(sorted) = self.0.borrow_mut().take() {
            for d in sorted {
                seq.serialize_element(&*d.map_err(S::Error::custom)?)?;
            }
        }
        seq.end()
    }
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
        diagnostics: Stream(RefCell::new(Some(report.diagnostics.sorted()?))),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
