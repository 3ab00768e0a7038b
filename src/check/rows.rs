//! The stream of a contact list through the checks, a chunk of rows at a time, on rayon's
//! pool: while one chunk's rows are judged in parallel — each row's phone cell read into
//! [`PhoneFacts`] and the per-row work the caller gives (the contact rules that read a row
//! on its own, a campaign row's message) — the other side of a `rayon::join` hands the
//! chunk before it to the caller's in-order step (duplicates, the report or `fix`'s
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

/// The least share of a chunk's rows one calling code must have for the chunk to be read
/// by work-stealing tasks, that code's numbers with each thread's own copy of the library.
const DOMINANT_SHARE: usize = 4;

/// Rows judged as one work-stealing task.
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

/// What one task or shard gave: each of its rows' index and phone facts, and its findings.
type Judged = (Vec<(u32, Option<PhoneFacts>)>, Vec<Diagnostic>);

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

/// Reads every row's phone cell and runs `per_row`, in parallel tasks.
///
/// The phone library's compiled patterns are slow when two threads use one at once (see
/// `phone::Lib`), so how the rows are spread depends on the chunk:
/// - when one calling code holds more than a [`DOMINANT_SHARE`]th of the rows (a
///   one-country list), the rows go to rayon's work-stealing tasks of [`TASK_ROWS`] rows,
///   and that code's numbers are read with each thread's own copy of the library;
/// - otherwise (a list of many countries) the rows are split into one shard per thread by
///   calling code and `rayon::broadcast` runs shard *i* on thread *i* for every chunk, so
///   each country's patterns stay with one thread. Measured on the 1M-row mixed list of
///   `cargo bench --bench contacts` (one run each, same machine): work-stealing tasks
///   4.60 s wall, 6.8 s CPU; pinned shards 3.52 s wall, 5.1 s CPU (and 175 vs 177 MB).
///
/// Findings come back grouped by task or shard; [`Chunk::order_findings`] puts them in
/// row order.
fn judge(rows: Vec<ContactRow>, default_region: Option<RegionCode>, per_row: &PerRow) -> Chunk {
    let hints: Vec<Option<u16>> = rows
        .iter()
        .map(|row| {
            row.fault
                .is_none()
                .then(|| phone::calling_code_hint(&row.phone, default_region))
                .flatten()
        })
        .collect();
    let dominant = dominant_code(&hints);
    let judge_rows = |indices: &mut dyn Iterator<Item = usize>| {
        let mut facts = Vec::new();
        let mut found = Vec::new();
        for i in indices {
            let row = &rows[i];
            let f = row
                .fault
                .is_none()
                .then(|| phone::analyse_with_own(&row.phone, default_region, dominant));
            per_row(row, f.as_ref(), &mut found);
            facts.push((i as u32, f));
        }
        (facts, found)
    };
    let parts: Vec<Judged> = if dominant.is_some() {
        let starts: Vec<usize> = (0..rows.len()).step_by(TASK_ROWS).collect();
        starts
            .into_par_iter()
            .map(|start| judge_rows(&mut (start..(start + TASK_ROWS).min(rows.len()))))
            .collect()
    } else {
        let shards = rayon::current_num_threads().max(1);
        let mut split: Vec<Vec<u32>> = vec![Vec::new(); shards];
        for (i, hint) in hints.iter().enumerate() {
            let shard = hint.map_or(0, |cc| usize::from(cc) % shards);
            split[shard].push(i as u32);
        }
        rayon::broadcast(|ctx| {
            judge_rows(&mut split[ctx.index() % shards].iter().map(|&i| i as usize))
        })
    };
    let mut chunk = Chunk {
        facts: vec![None; rows.len()],
        rows,
        found: Vec::new(),
    };
    for (facts, found) in parts {
        for (i, f) in facts {
            chunk.facts[i as usize] = f;
        }
        chunk.found.extend(found);
    }
    chunk
}

/// The calling code of more than a [`DOMINANT_SHARE`]th of the rows, if one is.
fn dominant_code(hints: &[Option<u16>]) -> Option<u16> {
    let mut counts: rustc_hash::FxHashMap<u16, usize> = Default::default();
    for cc in hints.iter().flatten() {
        *counts.entry(*cc).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(cc, n)| (n, std::cmp::Reverse(cc)))
        .filter(|&(_, n)| n * DOMINANT_SHARE > hints.len())
        .map(|(cc, _)| cc)
}
