//! Worker threads that read the phone cells of a chunk of contact rows in parallel — the
//! one hand-written pool left, kept because rayon lost to it (figures below).
//!
//! The phone library keeps one compiled pattern set shared by all threads, and each
//! pattern hands out its match cache fastest to the first thread that used it; when two
//! threads take turns on the same patterns, they fight over it (measured: two threads
//! slower than one). So rows are spread by **calling code**: every country's patterns are
//! used by one worker only — fast, and with one cache per pattern, so memory stays as for
//! one thread. Cells that are not strict E.164 go by the calling code they most likely
//! carry (see `phone::calling_code_hint`); only the full parser's few general patterns are
//! then shared. A calling code that holds more than a quarter of a chunk's rows (a
//! one-country list, the usual upload) is dealt over every worker instead, each reading it
//! with its own copy of the phone library (`phone::analyse_with_own`), so such a list uses
//! every core too. A list's rows are read (and dealt to the workers) on a thread of their
//! own, a few chunks ahead of the one being judged, so reading the file is off the path of
//! the judging and reporting. This module owns the threads, the split and the chunked stream
//! of a list through them ([`PhoneWorkers::stream`]), not the reading of a number (that is
//! `phone`).
//!
//! Why not rayon here (the rest of the check runs on rayon's pool): measured with
//! `cargo bench --bench contacts` on this project's 2-core machine, the same day, medians of
//! 5 runs, the 1M-row mixed list / the 1M-row one-country list took 3.51 s / 2.94 s with
//! these pinned workers (before the dominant-country split) against 4.90 s / 3.74 s with the
//! phone reading on rayon (shards pinned with `rayon::broadcast` for mixed chunks,
//! work-stealing tasks with per-thread libraries for one-country chunks, joined with the
//! in-order step); work-stealing tasks alone on the mixed list: 4.60 s and 6.8 s CPU against
//! 3.52 s and 5.1 s pinned.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use std::io::BufRead;

use crate::input::contacts::{ContactReader, ContactRow};
use crate::phone::{self, PhoneFacts, Reading};

/// Rows read and validated per step. Big enough to keep both cores busy, small enough that
/// memory does not grow with the file.
pub const CHUNK_ROWS: usize = 8192;

type Job = (
    Arc<Vec<ContactRow>>,
    Vec<u32>,
    Option<u16>,
    SyncSender<Vec<(u32, Option<PhoneFacts>)>>,
);

/// How many chunks the reading thread may have read and handed to the workers beyond the one
/// being judged.
const AHEAD: usize = 2;

/// The least share of a chunk's rows one calling code must have to be dealt over every
/// worker (each with its own copy of the phone library) rather than kept on one.
const DOMINANT_SHARE: usize = 4;

/// Chunks smaller than this are not dealt (a per-thread copy of the library costs about as
/// much to build as reading a few thousand numbers).
const DEAL_FROM_ROWS: usize = 2048;

/// A fixed set of worker threads living for one `check` run.
pub struct PhoneWorkers<'scope> {
    senders: Vec<SyncSender<Job>>,
    _handles: Vec<ScopedJoinHandle<'scope, ()>>,
    reading: Reading,
}

impl<'scope> PhoneWorkers<'scope> {
    /// Starts one worker per available core (at least one, at most eight).
    pub fn start<'env>(
        scope: &'scope Scope<'scope, 'env>,
        reading: Reading,
    ) -> PhoneWorkers<'scope> {
        let n = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let mut senders = Vec::with_capacity(n);
        let mut handles = Vec::with_capacity(n);
        for _ in 0..n {
            let (tx, rx) = sync_channel::<Job>(4);
            senders.push(tx);
            handles.push(scope.spawn(move || work(&rx, reading)));
        }
        PhoneWorkers {
            senders,
            _handles: handles,
            reading,
        }
    }

    /// Streams a contact list through the workers a chunk at a time: a reading thread reads
    /// the rows and hands each chunk's phone cells to the workers, up to [`AHEAD`] chunks
    /// ahead, while this thread passes each read chunk, in order, to `each` (its rows with
    /// their facts, `None` for unreadable rows). `each` may give back the buffers of a
    /// chunk it is done with, to be filled again. Returns the number of rows read.
    pub fn stream<R: BufRead + Send>(
        &self,
        reader: &mut ContactReader<R>,
        mut each: impl FnMut(Vec<ContactRow>, Vec<Option<PhoneFacts>>) -> Option<Spent>,
    ) -> std::io::Result<u64> {
        std::thread::scope(|scope| {
            let (chunks, read) = sync_channel::<std::io::Result<Pending>>(AHEAD);
            let (spent, spares) = std::sync::mpsc::channel::<Vec<ContactRow>>();
            scope.spawn(move || {
                loop {
                    let mut chunk = spares
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(CHUNK_ROWS));
                    let next = match reader.read_chunk(&mut chunk, CHUNK_ROWS) {
                        Ok(0) => return,
                        Ok(_) => Ok(self.submit(chunk)),
                        Err(e) => Err(e),
                    };
                    let failed = next.is_err();
                    // A closed channel: the run stopped taking chunks (an error); so do we.
                    if chunks.send(next).is_err() || failed {
                        return;
                    }
                }
            });
            let mut rows_read = 0;
            let mut spare_facts = Vec::new();
            for pending in read {
                let mut facts = spare_facts.pop().unwrap_or_default();
                let rows = pending?.wait(&mut facts);
                rows_read += rows.len() as u64;
                if let Some((mut rows, mut facts)) = each(rows, facts) {
                    rows.clear();
                    facts.clear();
                    spare_facts.push(facts);
                    // The reader may have finished: then the rows are simply dropped.
                    let _ = spent.send(rows);
                }
            }
            Ok(rows_read)
        })
    }

    /// Hands the rows' phone cells to the workers and returns at once; [`Pending::wait`]
    /// gives the facts (`None` for unreadable rows) in row order and the rows back.
    pub fn submit(&self, rows: Vec<ContactRow>) -> Pending {
        let n = self.senders.len();
        let hints: Vec<Option<u16>> = rows
            .iter()
            .map(|row| {
                row.fault
                    .is_none()
                    .then(|| {
                        phone::calling_code_hint(&row.phone, row.region.or(self.reading.region))
                    })
                    .flatten()
            })
            .collect();
        let dominant = dominant_code(&hints);
        let mut shards: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut dealt = 0usize;
        for (i, (row, hint)) in rows.iter().zip(&hints).enumerate() {
            if row.fault.is_none() {
                let shard = match hint {
                    Some(cc) if Some(*cc) == dominant => {
                        dealt += 1;
                        dealt % n
                    }
                    Some(cc) => usize::from(*cc) % n,
                    None => 0,
                };
                shards[shard].push(i as u32);
            }
        }
        let rows = Arc::new(rows);
        let (reply, replies) = sync_channel(n);
        let mut sent = 0;
        for (sender, shard) in self.senders.iter().zip(shards) {
            if !shard.is_empty() {
                sender
                    .send((Arc::clone(&rows), shard, dominant, reply.clone()))
                    .expect("phone workers live as long as the run");
                sent += 1;
            }
        }
        Pending {
            rows,
            replies,
            sent,
        }
    }
}

/// A chunk's buffers, done with and given back to be filled again.
pub type Spent = (Vec<ContactRow>, Vec<Option<PhoneFacts>>);

/// Rows whose phone cells the workers are reading.
pub struct Pending {
    rows: Arc<Vec<ContactRow>>,
    replies: Receiver<Vec<(u32, Option<PhoneFacts>)>>,
    sent: usize,
}

impl Pending {
    /// Waits for the workers; fills `facts` (one per row) and returns the rows.
    pub fn wait(self, facts: &mut Vec<Option<PhoneFacts>>) -> Vec<ContactRow> {
        facts.clear();
        facts.resize(self.rows.len(), None);
        for result in self.replies.iter().take(self.sent) {
            for (i, f) in result {
                facts[i as usize] = f;
            }
        }
        // Every worker dropped its handle on the rows before replying.
        Arc::try_unwrap(self.rows).unwrap_or_else(|shared| (*shared).clone())
    }
}

/// The calling code of more than a [`DOMINANT_SHARE`]th of a large enough chunk's rows.
fn dominant_code(hints: &[Option<u16>]) -> Option<u16> {
    if hints.len() < DEAL_FROM_ROWS {
        return None;
    }
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

fn work(jobs: &Receiver<Job>, reading: Reading) {
    for (rows, indices, own, reply) in jobs {
        let out: Vec<(u32, Option<PhoneFacts>)> = indices
            .iter()
            .map(|&i| {
                let row = &rows[i as usize];
                // A row's own country (`country_column`) before the default region.
                let reading = Reading {
                    region: row.region.or(reading.region),
                    ..reading
                };
                (i, Some(phone::analyse_with_own(&row.phone, reading, own)))
            })
            .collect();
        drop(rows);
        // Nobody waits for a chunk whose stream stopped on an error; the worker stays for
        // the run's next list.
        let _ = reply.send(out);
    }
}
