//! Worker threads that check payload messages in parallel: the reading thread cuts a
//! payload file into batches (raw NDJSON lines, or the parsed elements of a JSON array)
//! and the workers parse and judge them, each batch's findings coming back as one reply.
//! Batches in flight are bounded, so memory stays flat however long the file. This module
//! owns the threads and the hand-off; what is checked is `check::json::check_item`.

use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::Scope;

use crate::diagnostic::Diagnostic;
use crate::input::payloads::{self, PayloadItem};
use crate::media::MediaLinks;
use crate::rules::{self, RuleSettings};
use crate::template::TemplateRegistry;

/// Lines per batch: large enough that hand-off costs nothing, small enough to balance.
pub const BATCH_LINES: usize = 512;

/// Batches of one file in flight at once, per worker.
const IN_FLIGHT_PER_WORKER: usize = 3;

/// Messages to check, as read.
pub enum Batch {
    /// NDJSON lines, unparsed.
    Lines(LineBatch),
    /// Items already cut out of a document.
    Items(Vec<PayloadItem>),
}

/// NDJSON lines: their bytes back to back, and each line's number and byte range.
pub struct LineBatch {
    /// The lines' bytes.
    pub bytes: Vec<u8>,
    /// Each line's 1-based number and its range in `bytes`.
    pub lines: Vec<(u64, Range<usize>)>,
}

impl LineBatch {
    /// An empty batch, with room for [`BATCH_LINES`] lines of a typical size.
    pub fn new() -> LineBatch {
        LineBatch {
            bytes: Vec::with_capacity(BATCH_LINES * 512),
            lines: Vec::with_capacity(BATCH_LINES),
        }
    }

    /// Whether it is full.
    pub fn is_full(&self) -> bool {
        self.lines.len() >= BATCH_LINES
    }
}

impl Default for LineBatch {
    fn default() -> LineBatch {
        LineBatch::new()
    }
}

impl Batch {
    /// How many messages it holds.
    pub fn len(&self) -> usize {
        match self {
            Batch::Lines(batch) => batch.lines.len(),
            Batch::Items(items) => items.len(),
        }
    }

    /// Whether it holds no message.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a worker sends back for a batch: how many messages it held and the findings
/// (severity overrides applied, disabled rules dropped).
pub struct Checked {
    /// Messages in the batch.
    pub messages: u64,
    /// Their findings.
    pub diagnostics: Vec<Diagnostic>,
    /// Their media links.
    pub media: MediaLinks,
}

struct Job {
    file: Arc<str>,
    batch: Batch,
    reply: SyncSender<Checked>,
}

/// A fixed set of worker threads living for one `check` run.
pub struct PayloadWorkers {
    jobs: SyncSender<Job>,
    workers: usize,
}

impl PayloadWorkers {
    /// Starts one worker per available core (at least one, at most eight), checking
    /// against `templates` with `settings`.
    pub fn start<'scope, 'env>(
        scope: &'scope Scope<'scope, 'env>,
        templates: &'env TemplateRegistry,
        settings: &'env RuleSettings,
    ) -> PayloadWorkers {
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let (jobs, queue) = sync_channel::<Job>(workers);
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..workers {
            let queue = Arc::clone(&queue);
            scope.spawn(move || work(&queue, templates, settings));
        }
        PayloadWorkers { jobs, workers }
    }

    /// Starts checking one file's batches; see [`FileRun`].
    pub fn file(&self, file: Arc<str>) -> FileRun<'_> {
        let (reply, replies) = sync_channel(self.workers * IN_FLIGHT_PER_WORKER);
        FileRun {
            workers: self,
            file,
            reply,
            replies,
            in_flight: 0,
        }
    }
}

/// One file's batches on their way through the workers.
pub struct FileRun<'w> {
    workers: &'w PayloadWorkers,
    file: Arc<str>,
    reply: SyncSender<Checked>,
    replies: Receiver<Checked>,
    in_flight: usize,
}

impl FileRun<'_> {
    /// Hands a batch to the workers; when too many are in flight, first waits for one and
    /// passes its findings to `done`.
    pub fn submit(&mut self, batch: Batch, done: &mut impl FnMut(Checked)) {
        if batch.is_empty() {
            return;
        }
        while self.in_flight >= self.workers.workers * IN_FLIGHT_PER_WORKER {
            self.wait_one(done);
        }
        let job = Job {
            file: Arc::clone(&self.file),
            batch,
            reply: self.reply.clone(),
        };
        self.workers
            .jobs
            .send(job)
            .expect("payload workers live as long as the run");
        self.in_flight += 1;
    }

    /// Waits for every batch still in flight.
    pub fn finish(mut self, done: &mut impl FnMut(Checked)) {
        while self.in_flight > 0 {
            self.wait_one(done);
        }
    }

    fn wait_one(&mut self, done: &mut impl FnMut(Checked)) {
        let checked = self
            .replies
            .recv()
            .expect("a payload worker answers every batch");
        self.in_flight -= 1;
        done(checked);
    }
}

fn work(queue: &Mutex<Receiver<Job>>, templates: &TemplateRegistry, settings: &RuleSettings) {
    let checks = rules::payloads::enabled_checks(settings, None);
    let collect_media = rules::media::any_enabled(settings);
    loop {
        // The lock is held only while taking a job, never while checking one.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(Job { file, batch, reply }) = job else {
            return;
        };
        let mut diagnostics = Vec::new();
        let mut media = MediaLinks::default();
        let messages = batch.len() as u64;
        let mut check = |item: &PayloadItem| {
            let out = (&mut diagnostics, collect_media.then_some(&mut media));
            super::json::check_item(item, &file, templates, &checks, settings, out);
        };
        match batch {
            Batch::Lines(LineBatch { bytes, lines }) => match String::from_utf8(bytes) {
                // The usual case: items point into one shared copy of the batch.
                Ok(text) => {
                    let text: Arc<str> = Arc::from(text);
                    for (line, range) in lines {
                        check(&payloads::line_item_shared(&text, range, line));
                    }
                }
                Err(e) => {
                    let bytes = e.into_bytes();
                    for (line, range) in lines {
                        check(&payloads::line_item(&bytes[range], line));
                    }
                }
            },
            Batch::Items(items) => items.iter().for_each(check),
        }
        // A reader that stopped early (an I/O error) no longer listens; the worker goes
        // on serving other files.
        let _ = reply.send(Checked {
            messages,
            diagnostics,
            media,
        });
    }
}
