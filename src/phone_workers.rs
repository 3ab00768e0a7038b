//! Worker threads that read the phone cells of a chunk of contact rows in parallel.
//!
//! The phone library keeps one compiled pattern set shared by all threads, and each
//! pattern hands out its match cache fastest to the first thread that used it; when two
//! threads take turns on the same patterns, they fight over it (measured: two threads
//! slower than one). So rows are spread by **calling code**: every country's patterns are
//! used by one worker only — fast, and with one cache per pattern, so memory stays as for
//! one thread. Cells that are not strict E.164 go by the calling code they most likely
//! carry (see `phone::calling_code_hint`); only the full parser's few general patterns are
//! then shared. A list of one country runs at one worker's
//! speed; a mixed list uses every core. This module owns the threads, the split and the
//! chunked stream of a list through them ([`PhoneWorkers::stream`]), not the reading of a
//! number (that is `phone`).

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use std::io::BufRead;

use crate::input::contacts::{ContactReader, ContactRow};
use crate::phone::{self, PhoneFacts, RegionCode};

/// Rows read and validated per step. Big enough to keep both cores busy, small enough that
/// memory does not grow with the file.
pub const CHUNK_ROWS: usize = 8192;

type Job = (
    Arc<Vec<ContactRow>>,
    Vec<u32>,
    SyncSender<Vec<(u32, Option<PhoneFacts>)>>,
);

/// A fixed set of worker threads living for one `check` run.
pub struct PhoneWorkers<'scope> {
    senders: Vec<SyncSender<Job>>,
    _handles: Vec<ScopedJoinHandle<'scope, ()>>,
    default_region: Option<RegionCode>,
}

impl<'scope> PhoneWorkers<'scope> {
    /// Starts one worker per available core (at least one, at most eight).
    pub fn start<'env>(
        scope: &'scope Scope<'scope, 'env>,
        default_region: Option<RegionCode>,
    ) -> PhoneWorkers<'scope> {
        let n = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let mut senders = Vec::with_capacity(n);
        let mut handles = Vec::with_capacity(n);
        for _ in 0..n {
            let (tx, rx) = sync_channel::<Job>(4);
            senders.push(tx);
            handles.push(scope.spawn(move || work(&rx, default_region)));
        }
        PhoneWorkers {
            senders,
            _handles: handles,
            default_region,
        }
    }

    /// Streams a contact list through the workers a chunk at a time: while they read one
    /// chunk's phone cells, this thread passes the chunk before it to `each` (its rows in
    /// order, with their facts, `None` for unreadable rows) and reads the one after it.
    /// Returns the number of rows read.
    pub fn stream<R: BufRead>(
        &self,
        reader: &mut ContactReader<R>,
        mut each: impl FnMut(&[ContactRow], &[Option<PhoneFacts>]),
    ) -> std::io::Result<u64> {
        let mut rows_read = 0;
        let mut facts = Vec::with_capacity(CHUNK_ROWS);
        let mut spare = Vec::with_capacity(CHUNK_ROWS);
        let mut pending: Option<Pending> = None;
        loop {
            let mut chunk = std::mem::take(&mut spare);
            let more = reader.read_chunk(&mut chunk, CHUNK_ROWS)? > 0;
            let submitted = more.then(|| self.submit(chunk));
            if let Some(previous) = pending.take() {
                let rows = previous.wait(&mut facts);
                each(&rows, &facts);
                rows_read += rows.len() as u64;
                spare = rows;
            }
            pending = submitted;
            if pending.is_none() {
                return Ok(rows_read);
            }
        }
    }

    /// Hands the rows' phone cells to the workers and returns at once; [`Pending::wait`]
    /// gives the facts (`None` for unreadable rows) in row order and the rows back.
    pub fn submit(&self, rows: Vec<ContactRow>) -> Pending {
        let n = self.senders.len();
        let mut shards: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, row) in rows.iter().enumerate() {
            if row.fault.is_none() {
                let hint = phone::calling_code_hint(&row.phone, self.default_region);
                shards[hint.map_or(0, |cc| usize::from(cc) % n)].push(i as u32);
            }
        }
        let rows = Arc::new(rows);
        let (reply, replies) = sync_channel(n);
        let mut sent = 0;
        for (sender, shard) in self.senders.iter().zip(shards) {
            if !shard.is_empty() {
                sender
                    .send((Arc::clone(&rows), shard, reply.clone()))
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

fn work(jobs: &Receiver<Job>, default_region: Option<RegionCode>) {
    for (rows, indices, reply) in jobs {
        let out: Vec<(u32, Option<PhoneFacts>)> = indices
            .iter()
            .map(|&i| {
                (
                    i,
                    Some(phone::analyse(&rows[i as usize].phone, default_region)),
                )
            })
            .collect();
        drop(rows);
        if reply.send(out).is_err() {
            return;
        }
    }
}
