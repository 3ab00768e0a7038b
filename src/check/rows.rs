//! The stream of a contact list through the checks, a chunk of rows at a time, on rayon's
//! pool: while one chunk's rows are read and judged in parallel — each row's phone cell
//! read into [`PhoneFacts`] and the per-row work the caller gives (the contact rules that
//! read a row on its own, a campaign row's message) — this thread's side of the join hands
//! the chunk before it to the caller's in-order step (duplicates, the report or `fix`'s
//! outputs) and reads the chunk after it. Memory is bounded by three chunks whatever the
//! file's size. It owns the data flow, not the judgement (rules) nor the reading of a
//! number (`phone`).

use std::io::{self, BufRead};

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::input::contacts::{ContactReader, ContactRow};
use crate::phone::{self, PhoneFacts, RegionCode};

/// Rows read per step: large enough that both cores stay busy between hand-offs, small
/// enough that memory does not grow with the file.
pub const CHUNK_ROWS: usize = 8192;

/// Rows judged as one task of the pool: small enough to balance two cores.
const TASK_ROWS: usize = 512;

/// A chunk of rows in file order, with what the parallel step found.
#[derive(Default)]
pub struct Chunk {
    /// The rows.
    pub rows: Vec<ContactRow>,
    /// Each row's phone facts (`None` for an unreadable row).
    pub facts: Vec<Option<PhoneFacts>>,
    /// The findings of the per-row work, in row order.
    pub found: Vec<Diagnostic>,
}

impl Chunk {
    /// Puts the findings in row order, and within a row in rule-code order, keeping the
    /// order of findings of the same rule (for `fix`'s reasons and the report's ties).
    pub fn order_findings(&mut self) {
        self.found.sort_by_key(|d| (d.location.line(), d.rule.code));
    }
}

/// The per-row work: judges one row (with its phone facts), pushing findings to `out`.
pub type PerRow<'a> = dyn Fn(&ContactRow, Option<&PhoneFacts>, &mut Vec<Diagnostic>) + Sync + 'a;

/// Streams a contact list through `per_row` (in parallel) and then `in_order` (a chunk at
/// a time, in file order, on one thread at a time). Returns the number of rows read.
pub fn stream<R: BufRead + Send>(
    reader: &mut ContactReader<R>,
    default_region: Option<RegionCode>,
    per_row: &PerRow,
    in_order: &mut (dyn FnMut(&mut Chunk) + Send),
) -> io::Result<u64> {
    let mut rows_read = 0u64;
    let mut next = read(reader, Vec::new())?;
    let mut judged: Option<Chunk> = None;
    loop {
        if next.is_empty() && judged.is_none() {
            return Ok(rows_read);
        }
        rows_read += next.len() as u64;
        let previous = judged.take();
        let (now_judged, read_next) = rayon::join(
            || {
                (!next.is_empty())
                    .then(|| judge(std::mem::take(&mut next), default_region, per_row))
            },
            || {
                let spare = previous.map(|mut chunk| {
                    in_order(&mut chunk);
                    chunk.rows
                });
                read(reader, spare.unwrap_or_default())
            },
        );
        judged = now_judged;
        next = read_next?;
    }
}

/// Reads the next chunk into `rows` (emptied first, capacity kept).
fn read<R: BufRead>(
    reader: &mut ContactReader<R>,
    mut rows: Vec<ContactRow>,
) -> io::Result<Vec<ContactRow>> {
    reader.read_chunk(&mut rows, CHUNK_ROWS)?;
    Ok(rows)
}

/// Reads every row's phone cell and runs `per_row`, in parallel tasks, keeping row order.
fn judge(rows: Vec<ContactRow>, default_region: Option<RegionCode>, per_row: &PerRow) -> Chunk {
    let parts: Vec<(Vec<Option<PhoneFacts>>, Vec<Diagnostic>)> = rows
        .par_chunks(TASK_ROWS)
        .map(|part| {
            let mut facts = Vec::with_capacity(part.len());
            let mut found = Vec::new();
            for row in part {
                let f = row
                    .fault
                    .is_none()
                    .then(|| phone::analyse(&row.phone, default_region));
                per_row(row, f.as_ref(), &mut found);
                facts.push(f);
            }
            (facts, found)
        })
        .collect();
    let mut chunk = Chunk {
        facts: Vec::with_capacity(rows.len()),
        rows,
        found: Vec::new(),
    };
    for (facts, found) in parts {
        chunk.facts.extend(facts);
        chunk.found.extend(found);
    }
    chunk
}
