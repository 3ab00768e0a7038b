//! The stream of a contact list through the checks, a chunk of rows at a time, in three
//! overlapping stages: the phone workers (`phone_workers`, pinned by calling code) read one
//! chunk's phone cells; for the chunk before, the per-row work the caller gives (the
//! contact rules that read a row on its own, a campaign row's message) runs on rayon's
//! pool; and for the chunk before that, the caller's in-order step (duplicates, the report
//! or `fix`'s outputs) runs on this thread. Memory is
//! bounded by a few chunks whatever the file's size. It owns the data flow, not the
//! judgement (rules) nor the reading of a number (`phone`).

use std::io::{self, BufRead};
use std::sync::mpsc::{channel, sync_channel};

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::input::contacts::{ContactReader, ContactRow};
use crate::phone::PhoneFacts;
use crate::phone_workers::{PhoneWorkers, Spent};
use crate::rules::contacts::ContactLinter;
use crate::rules::contacts::duplicate_recipient::SeenNumbers;

/// Rows judged as one task of the pool.
const TASK_ROWS: usize = 512;

/// A chunk of rows in file order, with their phone facts and what the per-row work found.
pub struct Chunk<'a> {
    /// The rows.
    pub rows: &'a [ContactRow],
    /// Each row's phone facts (`None` for an unreadable row).
    pub facts: &'a [Option<PhoneFacts>],
    /// The findings, in row order.
    pub found: Vec<Diagnostic>,
}

impl Chunk<'_> {
    /// Runs `linter`'s in-order rules (duplicates, with the recipients `seen` so far) over
    /// the chunk's rows, then puts all its findings in row order.
    pub fn check_in_order(&mut self, linter: &ContactLinter, seen: &mut SeenNumbers) {
        if linter.has_in_order_rules() {
            seen.prepare(
                self.facts
                    .iter()
                    .filter_map(|f| f.as_ref()?.recipient().map(|n| n.key)),
            );
            for (row, facts) in self.rows.iter().zip(self.facts) {
                linter.check_in_order(seen, row, facts.as_ref(), &mut self.found);
            }
        }
        self.order_findings();
    }

    /// Puts the findings in row order, and within a row in rule-code order, keeping the
    /// order of findings of the same rule (for `fix`'s reasons and the report's ties).
    pub fn order_findings(&mut self) {
        self.found.sort_by_key(|d| (d.location.line(), d.rule.code));
        self.name_subjects();
    }

    /// Gives each finding of a row its subject (see [`Diagnostic::subject`]): the row's
    /// recipient as a normalised number, else a hash of the phone cell as written.
    fn name_subjects(&mut self) {
        let mut rows = self.rows.iter().zip(self.facts).peekable();
        for d in &mut self.found {
            let line = d.location.line();
            while rows.next_if(|(row, _)| row.line < line).is_some() {}
            if let Some((row, facts)) = rows.peek().filter(|(row, _)| row.line == line) {
                d.subject = Some(match facts.as_ref().and_then(|f| f.recipient()) {
                    Some(number) => number.key,
                    None => crate::report::fingerprint::text_subject(&row.phone),
                });
            }
        }
    }
}

/// The per-row work: judges one row (with its phone facts), pushing findings to `out`.
pub type PerRow<'a> = dyn Fn(&ContactRow, Option<&PhoneFacts>, &mut Vec<Diagnostic>) + Sync + 'a;

/// Streams a contact list through the run's phone `workers`, `per_row` (in parallel, rows
/// in any order) and then `in_order` (a chunk at a time, in file order, on this thread).
/// The two overlap: while this thread runs `in_order` on one chunk, a judging thread
/// already runs `per_row` over the next on rayon's pool, so the in-order step (serial by
/// nature) leaves no core idle. Returns the rows read.
pub fn stream<R: BufRead + Send>(
    reader: &mut ContactReader<R>,
    workers: &PhoneWorkers,
    per_row: &PerRow,
    in_order: &mut dyn FnMut(&mut Chunk),
) -> io::Result<u64> {
    std::thread::scope(|scope| {
        // One judged chunk waits while this thread works on the one before.
        let (judged, to_order) = sync_channel::<(Spent, Vec<Diagnostic>)>(1);
        let (spent, spares) = channel::<Spent>();
        let judging = scope.spawn(move || {
            workers.stream(reader, |rows, facts| {
                let found = judge(&rows, &facts, per_row);
                // A closed channel: the in-order step stopped (it panicked); the rows
                // left are read and dropped.
                let _ = judged.send(((rows, facts), found));
                spares.try_recv().ok()
            })
        });
        for ((rows, facts), found) in to_order {
            let mut chunk = Chunk {
                rows: &rows,
                facts: &facts,
                found,
            };
            in_order(&mut chunk);
            // The judging thread may have finished: then the buffers are simply dropped.
            let _ = spent.send((rows, facts));
        }
        judging
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Runs `per_row` over a chunk in parallel tasks; the findings in row order.
fn judge(rows: &[ContactRow], facts: &[Option<PhoneFacts>], per_row: &PerRow) -> Vec<Diagnostic> {
    let parts: Vec<Vec<Diagnostic>> = rows
        .par_chunks(TASK_ROWS)
        .zip(facts.par_chunks(TASK_ROWS))
        .map(|(rows, facts)| {
            let mut found = Vec::new();
            for (row, f) in rows.iter().zip(facts) {
                per_row(row, f.as_ref(), &mut found);
            }
            found
        })
        .collect();
    parts.concat()
}
