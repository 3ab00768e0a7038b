//! `--format json`: the report contract of DESIGN.md, described by
//! `schemas/report.schema.json`. Written straight to the output, one pass: the findings
//! come from the (possibly on-disk) merge a batch at a time, each batch's entries are
//! formatted in parallel on rayon's pool and written in order, never all collected; the
//! merge, the formatting and the writing of successive batches overlap.

use std::io::{self, Write};
use std::sync::mpsc::{SyncSender, sync_channel};

use std::borrow::Cow;

use rayon::prelude::*;
use serde::Serialize;

use super::findings::{Block, Findings};
use super::{Report, Shown, Summary};
use crate::diagnostic::{Diagnostic, Location};

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

/// Why a run could not produce its report (exit code 2), as `check --format json -o FILE`
/// writes it in place of the report, so a CI step that reads the file learns why.
#[derive(Serialize)]
struct ErrorDocument<'e> {
    version: u32,
    tool: Tool,
    error: ErrorBody<'e>,
}

#[derive(Serialize)]
struct ErrorBody<'e> {
    kind: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'e str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
}

fn tool() -> Tool {
    Tool {
        name: "walint",
        version: env!("CARGO_PKG_VERSION"),
    }
}

/// Writes the JSON error report for a run that failed with `error`: the format version,
/// the tool and `error` (`kind`, `message`, and `path`/`line` where known) in place of
/// `summary` and `diagnostics` (schemas/report.schema.json).
pub fn write_error(error: &crate::error::Error, out: &mut dyn Write) -> io::Result<()> {
    let (path, line) = error.place();
    let doc = ErrorDocument {
        version: FORMAT_VERSION,
        tool: tool(),
        error: ErrorBody {
            kind: error.kind(),
            message: error.to_string(),
            path,
            line,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Writes an error document of the same shape as [`write_error`]'s for a failure that is
/// not one of walint's own errors (`walint serve`'s refusals: `auth`, `too_large`,
/// `busy`, `timeout`, `not_found`, `method`, `internal`, and `usage` for a bad request).
pub fn write_refusal(kind: &'static str, message: &str, out: &mut dyn Write) -> io::Result<()> {
    let doc = ErrorDocument {
        version: FORMAT_VERSION,
        tool: tool(),
        error: ErrorBody {
            kind,
            message: message.to_string(),
            path: None,
            line: None,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Findings formatted per parallel batch.
const BATCH: usize = 4096;

/// Writes the report as one JSON document (pretty-printed, newline-terminated), exactly as
/// `serde_json::to_writer_pretty` writes it with the findings in place.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_shown(report, &Shown::default(), out)
}

/// Writes the report as [`write`] does, phone numbers masked when `shown.redact`
/// (`--redact`).
pub fn write_shown(report: &Report, shown: &Shown, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        version: FORMAT_VERSION,
        tool: tool(),
        summary: report.summary(),
        diagnostics: [],
    };
    let head = serde_json::to_vec_pretty(&doc).map_err(io::Error::other)?;
    // The document ends `"diagnostics": []\n}`: the array is written in place of `[]`.
    let head = head
        .strip_suffix(b"[]\n}")
        .ok_or_else(|| io::Error::other("unexpected JSON layout"))?;
    out.write_all(head)?;
    // Three stages at once: a thread reads the findings in report order a batch at a
    // time, another formats each batch on rayon's pool, and this one writes.
    let findings = &report.diagnostics;
    std::thread::scope(|scope| {
        let (batches, to_format) = sync_channel::<io::Result<Batch>>(2);
        let (texts, to_write) = sync_channel::<io::Result<Vec<Vec<u8>>>>(2);
        scope.spawn(move || read_batches(findings, &batches));
        scope.spawn(move || {
            for batch in to_format {
                if texts
                    .send(batch.and_then(|b| format(findings, b, shown)))
                    .is_err()
                {
                    return;
                }
            }
        });
        let mut first = true;
        for formatted in to_write {
            for text in formatted? {
                // Each text starts with the separator `,` that only the first entry must drop.
                out.write_all(if first { b"[" } else { b"," })?;
                out.write_all(&text[1..])?;
                first = false;
            }
        }
        out.write_all(if first { b"[]\n}\n" } else { b"\n  ]\n}\n" })
    })
}

/// Findings to be formatted together.
enum Batch<'a> {
    /// From the merge of runs and held findings.
    Merged(Vec<Cow<'a, Diagnostic>>),
    /// Records as a run stores them (findings added in report order need no merge).
    Stored(Vec<u8>),
    /// Held findings (likewise).
    Held(&'a [Diagnostic]),
}

/// Sends the findings in report order, a batch at a time, until they end, one fails to
/// read, or the channel closes (the writer stopped on an error).
fn read_batches<'a>(findings: &'a Findings, batches: &SyncSender<io::Result<Batch<'a>>>) {
    if let Some(blocks) = findings.blocks() {
        for block in blocks {
            let batch = block.map(|block| match block {
                Block::Stored(bytes) => Batch::Stored(bytes),
                Block::Held(held) => Batch::Held(held),
            });
            let failed = batch.is_err();
            if batches.send(batch).is_err() || failed {
                return;
            }
        }
        return;
    }
    let mut sorted = match findings.sorted() {
        Ok(sorted) => sorted,
        Err(e) => {
            let _ = batches.send(Err(e));
            return;
        }
    };
    loop {
        let batch: io::Result<Vec<_>> = sorted.by_ref().take(BATCH).collect();
        match batch {
            Ok(batch) if batch.is_empty() => return,
            Ok(batch) => {
                if batches.send(Ok(Batch::Merged(batch))).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = batches.send(Err(e));
                return;
            }
        }
    }
}

/// A batch's entries, formatted in parallel tasks (stored records decoded in them too).
fn format(findings: &Findings, batch: Batch, shown: &Shown) -> io::Result<Vec<Vec<u8>>> {
    match batch {
        Batch::Merged(batch) => batch
            .par_chunks(TASK)
            .map(|task| entries(task.iter().map(|d| &**d), shown))
            .collect(),
        Batch::Held(batch) => batch
            .par_chunks(TASK)
            .map(|task| entries(task.iter(), shown))
            .collect(),
        Batch::Stored(bytes) => Findings::records(&bytes)?
            .par_chunks(TASK)
            .map(|task| {
                let mut out = Vec::with_capacity(task.len() * 640);
                for record in task {
                    entry(&findings.decode(record)?, shown, &mut out)?;
                }
                Ok(out)
            })
            .collect(),
    }
}

/// Findings formatted as one task.
const TASK: usize = 256;

/// Findings as entries of the pretty-printed `diagnostics` array (two levels deep), each
/// preceded by `,` and its line break: exactly the bytes `serde_json::to_writer_pretty`
/// writes for them in the document (a test holds the two together), written by hand
/// because the layout is fixed and most strings need no escaping.
fn entries<'d>(
    batch: impl ExactSizeIterator<Item = &'d Diagnostic>,
    shown: &Shown,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(batch.len() * 640);
    for d in batch {
        entry(d, shown, &mut out)?;
    }
    Ok(out)
}

fn entry(d: &Diagnostic, shown: &Shown, out: &mut Vec<u8>) -> io::Result<()> {
    let d = shown.show(d);
    out.extend_from_slice(b",\n    {\n      \"code\": ");
    string(out, d.rule.code)?;
    out.extend_from_slice(b",\n      \"name\": ");
    string(out, d.rule.name)?;
    out.extend_from_slice(b",\n      \"severity\": ");
    string(out, d.severity.as_str())?;
    out.extend_from_slice(b",\n      \"wa_error\": ");
    match d.wa_error {
        Some(code) => number(out, code.into()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\n      \"message\": ");
    string(out, &d.message)?;
    if let Some(help) = &d.help {
        out.extend_from_slice(b",\n      \"help\": ");
        string(out, help)?;
    }
    out.extend_from_slice(b",\n      \"location\": {\n        \"path\": ");
    string(out, d.location.path())?;
    let field = |out: &mut Vec<u8>, name: &[u8]| {
        out.extend_from_slice(b",\n        \"");
        out.extend_from_slice(name);
        out.extend_from_slice(b"\": ");
    };
    match &d.location {
        Location::Csv {
            line,
            row,
            column,
            sheet,
            ..
        } => {
            field(out, b"line");
            number(out, *line);
            field(out, b"row");
            number(out, *row);
            if let Some(column) = column {
                field(out, b"column");
                string(out, column)?;
            }
            if let Some(sheet) = sheet {
                field(out, b"sheet");
                string(out, &sheet.sheet)?;
                field(out, b"cell");
                string(out, &sheet.cell)?;
            }
        }
        Location::Json {
            pointer, line, col, ..
        } => {
            field(out, b"pointer");
            string(out, pointer)?;
            if let Some(line) = line {
                field(out, b"line");
                number(out, *line);
            }
            if let Some(col) = col {
                field(out, b"col");
                number(out, *col);
            }
        }
        Location::File { line, .. } => {
            if let Some(line) = line {
                field(out, b"line");
                number(out, *line);
            }
        }
    }
    out.extend_from_slice(b"\n      }");
    if let Some(fix) = &d.fix {
        out.extend_from_slice(b",\n      \"fix\": {\n        \"replacement\": ");
        string(out, &fix.replacement)?;
        out.extend_from_slice(b"\n      }");
    }
    out.extend_from_slice(b"\n    }");
    Ok(())
}

/// A JSON string as serde_json writes it: as is between quotes when nothing in it needs
/// escaping (no quote, backslash or control character), else through serde_json's own
/// escaping.
fn string(out: &mut Vec<u8>, s: &str) -> io::Result<()> {
    // A fold rather than `any`: without the early exit the compiler checks many bytes at once.
    if s.bytes().fold(false, |escape, b| {
        escape | (b < 0x20) | (b == b'"') | (b == b'\\')
    }) {
        serde_json::to_writer(out, s).map_err(io::Error::other)
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        Ok(())
    }
}

fn number(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::{Severity, SheetCell};
    use crate::rules;

    /// The document serde_json writes for `diagnostics`, the layout `write` promises.
    fn by_serde(diagnostics: &[Diagnostic]) -> Vec<u8> {
        #[derive(Serialize)]
        struct Doc<'a> {
            diagnostics: &'a [Diagnostic],
        }
        let mut doc = serde_json::to_vec_pretty(&Doc { diagnostics }).unwrap();
        doc.push(b'\n');
        doc
    }

    /// The same document with the entries written by [`entries`].
    fn by_hand(diagnostics: &[Diagnostic]) -> Vec<u8> {
        let text = entries(diagnostics.iter(), &Shown::default()).unwrap();
        let mut doc = b"{\n  \"diagnostics\": ".to_vec();
        if text.is_empty() {
            doc.extend_from_slice(b"[]\n}\n");
        } else {
            doc.push(b'[');
            doc.extend_from_slice(&text[1..]);
            doc.extend_from_slice(b"\n  ]\n}\n");
        }
        doc
    }

    #[test]
    fn merged_and_in_order_findings_write_the_same_report() {
        let rule = rules::find("WAC001").unwrap();
        let all: Vec<Diagnostic> = (0..40u64)
            .map(|i| {
                let location = Location::Csv {
                    path: Arc::from(if i % 2 == 0 { "a.csv" } else { "b.csv" }),
                    line: 2 + i / 2,
                    row: 1 + i / 2,
                    column: Some(Arc::from("phone")),
                    sheet: None,
                };
                rule.diagnostic(format!("m{i}"), location).with_help("h")
            })
            .collect();
        let mut sorted = all.clone();
        sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let write_with = |findings: Vec<Diagnostic>| {
            let mut report = Report {
                diagnostics: super::super::findings::Findings::with_limit(7),
                ..Report::default()
            };
            report.diagnostics.extend(findings);
            let in_order = report.diagnostics.blocks().is_some();
            let mut out = Vec::new();
            write(&report, &mut out).unwrap();
            (in_order, out)
        };
        let (merged_in_order, merged) = write_with(all);
        let (in_order, direct) = write_with(sorted);
        assert!(!merged_in_order && in_order);
        assert_eq!(
            String::from_utf8(merged).unwrap(),
            String::from_utf8(direct).unwrap()
        );
    }

    fn text() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex("(.|[\"\\\\\\x00-\\x1f\\x7f\u{e9}\u{2028}\u{1F600}]){0,12}")
            .unwrap()
    }

    proptest::proptest! {
        #[test]
        fn entries_are_written_as_serde_json_writes_them(
            picks in proptest::collection::vec(
                (0usize..4, text(), proptest::option::of(text()), text(), 0u8..3,
                 proptest::option::of(text()), proptest::num::u64::ANY, proptest::option::of(1u64..999)),
                0..6,
            ),
        ) {
            let all: Vec<Diagnostic> = picks
                .into_iter()
                .map(|(rule, message, help, path, kind, extra, line, col)| {
                    let rule = rules::all()[rule * 7 % rules::all().len()];
                    let path: Arc<str> = Arc::from(path);
                    let location = match kind {
                        0 => Location::Csv {
                            path,
                            line,
                            row: line / 2,
                            column: extra.clone().map(Arc::from),
                            // A spreadsheet's cell on odd lines.
                            sheet: (line % 2 == 1).then(|| SheetCell {
                                sheet: Arc::from(message.as_str()),
                                cell: format!("B{line}"),
                            }),
                        },
                        1 => Location::Json {
                            path,
                            pointer: extra.clone().unwrap_or_default(),
                            line: col,
                            col: col.map(|c| c + 1),
                        },
                        _ => Location::File { path, line: col },
                    };
                    let mut d = rule.diagnostic(message, location);
                    d.help = help.map(Cow::Owned);
                    if let Some(fix) = extra {
                        d = d.with_fix(fix);
                    }
                    if line.is_multiple_of(3) {
                        d.wa_error = None;
                        d.severity = Severity::Info;
                    }
                    d
                })
                .collect();
            proptest::prop_assert_eq!(
                String::from_utf8(by_hand(&all)).unwrap(),
                String::from_utf8(by_serde(&all)).unwrap()
            );
        }
    }
}
