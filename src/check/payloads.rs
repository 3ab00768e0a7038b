//! Payload checking: streams a payload file (a message, an array, or NDJSON) through the
//! `WAT` rules on rayon's pool, a batch of messages at a time — while one batch is parsed
//! and judged in parallel, this thread's side of the join takes in the findings of the batch
//! before it and cuts the next — turning each rule's JSON pointer into a location with line
//! and column, and recording the media links the messages use. Batches in flight are
//! bounded, so memory stays flat however long the file. Readers read, rules judge; this
//! module only connects them.

use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location};
use crate::error::Error;
use crate::input::payloads::{self, PayloadItem};
use crate::media::{MediaLinks, Seen, links};
use crate::report::Report;
use crate::rules::payloads::{FileCheck, MessageFn, NotJson, PayloadCheck, enabled_checks};
use crate::rules::{Check, RuleSettings};
use crate::template::TemplateRegistry;

/// Messages per batch: enough work for both cores between two hand-offs.
const BATCH_MESSAGES: usize = 4096;

/// Messages judged as one task of the pool.
const TASK_MESSAGES: usize = 128;

/// What every payload file of a run is checked with, worked out once.
pub struct PayloadRun<'a> {
    templates: &'a TemplateRegistry,
    settings: &'a RuleSettings,
    checks: Vec<MessageFn>,
    /// The checks of the enabled rules for a message that is not JSON.
    unreadable: Vec<FileCheck>,
    /// Media links are collected only when a media rule runs.
    collect_media: bool,
    /// The most bytes of one message read.
    message_bytes: usize,
}

impl<'a> PayloadRun<'a> {
    /// Checks against `templates` with the rules `settings` enables.
    pub fn new(templates: &'a TemplateRegistry, settings: &'a RuleSettings) -> PayloadRun<'a> {
        PayloadRun {
            templates,
            settings,
            checks: enabled_checks(settings, |_| true),
            unreadable: crate::rules::enabled(settings)
                .filter_map(|rule| match rule.check {
                    Check::File(check) => Some(check),
                    _ => None,
                })
                .collect(),
            collect_media: crate::rules::media::any_enabled(settings),
            message_bytes: payloads::MAX_MESSAGE_BYTES,
        }
    }

    /// Reads at most `bytes` of one message (`[limits] message_bytes`).
    pub fn with_message_limit(mut self, bytes: usize) -> PayloadRun<'a> {
        self.message_bytes = bytes;
        self
    }
}

/// Messages to check, as read.
enum Batch {
    /// NDJSON lines, unparsed: their bytes back to back, and each line's 1-based number
    /// and range in the bytes.
    Lines(Vec<u8>, Vec<payloads::LineSpan>),
    /// Elements cut out of a document, unparsed.
    Elements(Vec<payloads::Element>),
}

impl Batch {
    fn len(&self) -> usize {
        match self {
            Batch::Lines(_, lines) => lines.len(),
            Batch::Elements(elements) => elements.len(),
        }
    }
}

/// What a batch's messages gave: how many, their findings (settings applied) and links.
#[derive(Default)]
struct Checked {
    messages: u64,
    diagnostics: Vec<Diagnostic>,
    media: MediaLinks,
}

impl Checked {
    fn add(&mut self, other: Checked) {
        self.messages += other.messages;
        self.diagnostics.extend(other.diagnostics);
        self.media.merge(other.media);
    }
}

/// Checks every message of a payload stream; adds the messages and findings to `report`,
/// and the media links to `media`.
pub fn check_payloads<R: BufRead + Send>(
    shown: &str,
    path: &Path,
    input: R,
    run: &PayloadRun,
    report: &mut Report,
    media: &mut MediaLinks,
) -> Result<(), Error> {
    let io = |source| Error::reading(shown, source);
    let file: Arc<str> = Arc::from(shown);
    let framing = payloads::Framing::for_path(path);
    let mut reader = payloads::read_limited(input, framing, run.message_bytes);
    let mut next = read_batch(&mut reader).map_err(io)?;
    let mut judged: Option<Checked> = None;
    while next.len() > 0 || judged.is_some() {
        let batch = std::mem::replace(&mut next, Batch::Elements(Vec::new()));
        let previous = judged.take();
        let (now, read) = rayon::join(
            || (batch.len() > 0).then(|| judge(batch, &file, run)),
            || {
                if let Some(checked) = previous {
                    report.messages += checked.messages;
                    report.diagnostics.extend(checked.diagnostics);
                    media.merge(checked.media);
                }
                read_batch(&mut reader)
            },
        );
        judged = now;
        next = read.map_err(io)?;
    }
    report.files += 1;
    Ok(())
}

/// Cuts the next batch: raw lines for NDJSON, parsed items for a document.
fn read_batch<R: BufRead>(reader: &mut payloads::PayloadReader<R>) -> std::io::Result<Batch> {
    match reader {
        payloads::PayloadReader::Lines(lines) => {
            let mut bytes = Vec::with_capacity(BATCH_MESSAGES * 512);
            let mut spans = Vec::with_capacity(BATCH_MESSAGES);
            while spans.len() < BATCH_MESSAGES {
                match lines.next_line_into(&mut bytes) {
                    Some(read) => spans.push(read?),
                    None => break,
                }
            }
            Ok(Batch::Lines(bytes, spans))
        }
        payloads::PayloadReader::Document(document) => {
            let mut elements = Vec::with_capacity(BATCH_MESSAGES);
            while elements.len() < BATCH_MESSAGES {
                match document.next_element() {
                    Some(element) => elements.push(element?),
                    None => break,
                }
            }
            Ok(Batch::Elements(elements))
        }
    }
}

/// Parses and judges a batch's messages in parallel tasks, keeping their order.
fn judge(batch: Batch, file: &Arc<str>, run: &PayloadRun) -> Checked {
    let check = |items: &mut dyn Iterator<Item = PayloadItem>| {
        let mut checked = Checked::default();
        for item in items {
            checked.messages += 1;
            let media = run.collect_media.then_some(&mut checked.media);
            check_item(&item, file, run, (&mut checked.diagnostics, media));
        }
        checked
    };
    // Each task parses its own lines; a line cut at the limit is its finding.
    let lines_checked =
        |lines: &[payloads::LineSpan],
         parse: &(dyn Fn(&payloads::LineSpan) -> PayloadItem + Sync)| {
            lines
                .par_chunks(TASK_MESSAGES)
                .map(|part| {
                    check(&mut part.iter().map(|span| match span.cut {
                        true => payloads::too_long(String::new(), span.line, 1, run.message_bytes),
                        false => parse(span),
                    }))
                })
                .collect()
        };
    let parts: Vec<Checked> = match batch {
        Batch::Lines(bytes, lines) => match String::from_utf8(bytes) {
            // The usual case: items point into one shared copy of the batch.
            Ok(text) => {
                let text: Arc<str> = Arc::from(text);
                lines_checked(&lines, &|span| {
                    payloads::line_item_shared(&text, span.range.clone(), span.line)
                })
            }
            Err(e) => {
                let bytes = e.into_bytes();
                lines_checked(&lines, &|span| {
                    payloads::line_item(&bytes[span.range.clone()], span.line)
                })
            }
        },
        // Parsed in the tasks, as lines are: the reading side holds only their text.
        Batch::Elements(elements) => elements
            .into_par_iter()
            .chunks(TASK_MESSAGES)
            .map(|part| check(&mut part.into_iter().map(payloads::Element::parse)))
            .collect(),
    };
    let mut all = Checked::default();
    for part in parts {
        all.add(part);
    }
    all
}

/// Checks one message with the run's rules; pushes its findings (severity overrides
/// applied) to `out`, and its media links to `media` when they are collected.
fn check_item(
    item: &PayloadItem,
    file: &Arc<str>,
    run: &PayloadRun,
    (out, media): (&mut Vec<Diagnostic>, Option<&mut MediaLinks>),
) {
    let mut found: Vec<Diagnostic> = Vec::new();
    match &item.value {
        Err(e) => {
            let fault = NotJson {
                reason: e.message.clone(),
                location: Location::Json {
                    path: Arc::clone(file),
                    pointer: item.pointer(""),
                    line: Some(e.line),
                    col: Some(e.col),
                },
            };
            found.extend(run.unreadable.iter().map(|check| check(&fault)));
        }
        Ok(message) => {
            let locate = |relative: &str| item.location(file, relative);
            let cx = PayloadCheck::new(message, run.templates, &locate);
            for check in &run.checks {
                check(&cx, &mut found);
            }
            if let Some(media) = media {
                record_links(message, file, item, &locate, media);
            }
        }
    }
    out.extend(found.into_iter().filter_map(|d| run.settings.apply(d)));
}

/// Records the media links of a payload message, each at its JSON pointer.
fn record_links(
    message: &serde_json::Value,
    file: &str,
    item: &PayloadItem,
    locate: &dyn Fn(&str) -> Location,
    media: &mut MediaLinks,
) {
    for link in links::find(message) {
        let seen = Seen {
            url: link.url,
            kind: link.kind,
            in_header: link.in_header,
            count: 1,
            send_at: None,
            // The item's first line: values inside it come after any earlier item.
            order: (file, item.line_base),
        };
        media.record(seen, || locate(&link.pointer));
    }
}
