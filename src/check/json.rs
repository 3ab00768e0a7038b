//! The JSON side of `check`: loads template registries (the `--registry`/`registry`
//! files, and registries given as paths, which are also linted with the `WAR` rules) and
//! streams payload files (a message, an array, or NDJSON) through the `WAT` rules, turning
//! each rule's JSON pointer into a location with line and column. Readers read, rules
//! judge; this module only connects them.

use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::Arc;

use super::payload_workers::{BATCH_LINES, Batch, Checked, LineBatch, PayloadWorkers};
use crate::diagnostic::{Diagnostic, Location};
use crate::error::Error;
use crate::input::payloads::PayloadItem;
use crate::input::{json_locate, payloads, registry};
use crate::media::{MediaLinks, Seen, links};
use crate::report::Report;
use crate::rules::RuleSettings;
use crate::rules::payloads::{Check, PayloadCheck, invalid_json};
use crate::rules::registry::{RULES as REGISTRY_RULES, RegistryCheck};
use crate::template::{Template, TemplateRegistry, TemplateSource};

/// How many bytes of a `.json` file are looked at to tell payloads from a registry.
const SNIFF_BYTES: usize = 64 * 1024;

/// Whether a JSON stream holds message payloads (rather than a template registry): NDJSON
/// always does; a document does when `"messaging_product"` appears near its start.
pub fn is_payload_stream<R: BufRead>(path: &Path, input: &mut R) -> std::io::Result<bool> {
    if payloads::Framing::for_path(path) == payloads::Framing::Lines {
        return Ok(true);
    }
    let head = input.fill_buf()?;
    let head = &head[..head.len().min(SNIFF_BYTES)];
    Ok(head.windows(19).any(|w| w == b"\"messaging_product\""))
}

/// Template registry files read so far, with their text (to locate findings).
#[derive(Default)]
pub struct Registries {
    templates: Vec<Template>,
    linted: Vec<Template>,
    texts: HashMap<Arc<str>, Arc<str>>,
}

impl Registries {
    /// Reads a registry file; `lint` marks it for the `WAR` rules.
    pub fn add(&mut self, shown: &str, mut input: impl Read, lint: bool) -> Result<(), Error> {
        let mut text = String::new();
        input
            .read_to_string(&mut text)
            .map_err(|source| Error::Io {
                path: shown.to_string(),
                source,
            })?;
        let templates = registry::read(shown, &text)?;
        let path: Arc<str> = Arc::from(shown);
        self.texts.insert(Arc::clone(&path), Arc::from(text));
        if lint {
            self.linted.extend(templates.iter().cloned());
        }
        self.templates.extend(templates);
        Ok(())
    }

    /// Lints the registries given as paths; returns the registry payloads are checked against.
    pub fn finish(self, settings: &RuleSettings, report: &mut Report) -> TemplateRegistry {
        let texts = &self.texts;
        let locate = |source: &TemplateSource, relative: &str| {
            let pointer = format!("{}{relative}", source.pointer);
            json_location(&source.path, texts.get(&source.path).map(|t| &**t), pointer)
        };
        let cx = RegistryCheck {
            templates: &self.linted,
            locate: &locate,
        };
        let mut found = Vec::new();
        for (rule, check) in REGISTRY_RULES {
            if settings.enabled(rule) {
                check(&cx, &mut found);
            }
        }
        report
            .diagnostics
            .extend(found.into_iter().filter_map(|d| settings.apply(d)));
        TemplateRegistry::new(self.templates)
    }
}

fn json_location(path: &Arc<str>, text: Option<&str>, pointer: String) -> Location {
    let (line, col) = text
        .and_then(|t| json_locate::locate(t, &pointer))
        .map_or((None, None), |(l, c)| (Some(l), Some(c)));
    Location::Json {
        path: Arc::clone(path),
        pointer,
        line,
        col,
    }
}

/// Checks every message of a payload stream on the payload workers; adds the messages and
/// findings to `report`, and the media links to `media`.
pub fn check_payloads<R: BufRead>(
    shown: &str,
    path: &Path,
    input: R,
    workers: &PayloadWorkers,
    report: &mut Report,
    media: &mut MediaLinks,
) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: shown.to_string(),
        source,
    };
    let mut run = workers.file(Arc::from(shown));
    let mut done = |checked: Checked| {
        report.messages += checked.messages;
        report.diagnostics.extend(checked.diagnostics);
        media.merge(checked.media);
    };
    match payloads::read(input, payloads::Framing::for_path(path)) {
        payloads::PayloadReader::Lines(mut lines) => {
            let mut batch = LineBatch::new();
            while let Some(read) = lines.next_line_into(&mut batch.bytes) {
                batch.lines.push(read.map_err(io)?);
                if batch.is_full() {
                    run.submit(Batch::Lines(std::mem::take(&mut batch)), &mut done);
                }
            }
            run.submit(Batch::Lines(batch), &mut done);
        }
        mut document => {
            let mut batch = Vec::with_capacity(BATCH_LINES);
            for item in document.by_ref() {
                batch.push(item.map_err(io)?);
                if batch.len() == BATCH_LINES {
                    run.submit(Batch::Items(std::mem::take(&mut batch)), &mut done);
                }
            }
            run.submit(Batch::Items(batch), &mut done);
        }
    }
    run.finish(&mut done);
    report.files += 1;
    Ok(())
}

/// Checks one message with `checks` (the enabled payload rules); pushes its findings
/// (severity overrides applied) to `out`.
pub fn check_item(
    item: &PayloadItem,
    file: &Arc<str>,
    templates: &TemplateRegistry,
    checks: &[Check],
    settings: &RuleSettings,
    (out, media): (&mut Vec<Diagnostic>, Option<&mut MediaLinks>),
) {
    let mut found: Vec<Diagnostic> = Vec::new();
    match &item.value {
        Err(e) => found.push(
            invalid_json::RULE
                .diagnostic(
                    format!("not valid JSON: {}", e.message),
                    Location::Json {
                        path: Arc::clone(file),
                        pointer: item.pointer(""),
                        line: Some(e.line),
                        col: Some(e.col),
                    },
                )
                .with_help(
                    "correct the JSON at the position given; generate payloads with a JSON serializer",
                ),
        ),
        Ok(message) => {
            let locate = |relative: &str| item.location(file, relative);
            let cx = PayloadCheck::new(message, templates, &locate);
            for check in checks {
                check(&cx, &mut found);
            }
            // Links are collected only when a media rule runs.
            if let Some(media) = media {
                record_links(message, file, item, &locate, media);
            }
        }
    }
    out.extend(found.into_iter().filter_map(|d| settings.apply(d)));
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
