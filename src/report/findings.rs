//! The findings of a run, kept so they can be written in the report's order (path, line,
//! code) while memory stays flat however many there are.
//!
//! Findings arrive in whatever order the checks produce them. Up to [`HELD_FINDINGS`] are
//! held in memory; past that the held ones are sorted and written to an anonymous
//! temporary file as one sorted run (in `spill`'s compact binary form), and holding starts again. Reading
//! them back merges the runs and the held findings, so a million-row list with a finding
//! on every row costs a bounded amount of memory plus disk. The counts for the summary are
//! kept as findings arrive, so they never need a pass over the runs.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};

use super::spill::{self, Shared};
use crate::diagnostic::{Diagnostic, Severity};

/// How many findings are held in memory before they are written out as a sorted run
/// (about 250 bytes each, so some 16 MB).
pub const HELD_FINDINGS: usize = 65_536;

/// The running counts of the findings: by severity, rule and WhatsApp error code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Findings at `error`.
    pub errors: u64,
    /// Findings at `warning`.
    pub warnings: u64,
    /// Findings at `info`.
    pub infos: u64,
    /// Findings per rule code.
    pub by_code: BTreeMap<&'static str, u64>,
    /// Findings per WhatsApp error code.
    pub by_wa_error: BTreeMap<u32, u64>,
}

impl Tally {
    fn add(&mut self, d: &Diagnostic) {
        match d.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
        *self.by_code.entry(d.rule.code).or_default() += 1;
        if let Some(code) = d.wa_error {
            *self.by_wa_error.entry(code).or_default() += 1;
        }
    }

    /// All findings counted.
    pub fn total(&self) -> u64 {
        self.errors + self.warnings + self.infos
    }

    /// The most severe finding's severity, if there is any finding.
    pub fn worst(&self) -> Option<Severity> {
        if self.errors > 0 {
            Some(Severity::Error)
        } else if self.warnings > 0 {
            Some(Severity::Warning)
        } else if self.infos > 0 {
            Some(Severity::Info)
        } else {
            None
        }
    }
}

/// Every finding of a run, in memory up to a limit and in sorted runs on disk past it.
#[derive(Debug)]
pub struct Findings {
    held: Vec<Diagnostic>,
    runs: Vec<File>,
    /// What the runs' records name by index.
    shared: Shared,
    limit: usize,
    tally: Tally,
    /// Writing a run failed (no usable temporary directory, a full disk): from then on
    /// every finding is held, so none is lost, only memory is no longer bounded.
    spill_failed: bool,
    /// Every finding so far was added in report order (the usual case for one contact
    /// list): then the runs and the held findings follow each other and need no merge.
    in_order: bool,
    /// The last finding written to a run, to tell whether the next one keeps the order.
    last_spilled: Option<Diagnostic>,
}

impl Default for Findings {
    fn default() -> Self {
        Self::with_limit(HELD_FINDINGS)
    }
}

impl Findings {
    /// Findings that are written out once more than `limit` are held (at least one).
    pub fn with_limit(limit: usize) -> Self {
        Findings {
            held: Vec::new(),
            runs: Vec::new(),
            shared: Shared::default(),
            limit: limit.max(1),
            tally: Tally::default(),
            spill_failed: false,
            in_order: true,
            last_spilled: None,
        }
    }

    /// Adds a finding.
    pub fn push(&mut self, d: Diagnostic) {
        self.tally.add(&d);
        if self.in_order {
            let previous = self.held.last().or(self.last_spilled.as_ref());
            self.in_order = previous.is_none_or(|p| d.report_order(p).is_ge());
        }
        self.held.push(d);
        if self.held.len() >= self.limit && !self.spill_failed && self.spill().is_err() {
            self.spill_failed = true;
        }
    }

    /// How many findings there are.
    pub fn len(&self) -> u64 {
        self.tally.total()
    }

    /// Whether there is no finding.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The counts.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// How many sorted runs have been written to disk (0 while everything fits in memory).
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// The findings in report order as blocks to be read in turn — stretches of the runs
    /// as they are stored, then the held findings — when they were added in that order;
    /// `None` when they need [`Findings::sorted`]'s merge. A stored block is decoded with
    /// [`Findings::records`] and [`Findings::decode`], in any order or in parallel.
    pub fn blocks(&self) -> Option<impl Iterator<Item = io::Result<Block<'_>>> + Send + '_> {
        if !self.in_order {
            return None;
        }
        let stored = self.runs.iter().flat_map(|run| StoredBlocks {
            reader: RunReader { file: run, pos: 0 },
            carry: Vec::new(),
            done: false,
        });
        let held = self.held.chunks(BLOCK_FINDINGS).map(|h| Ok(Block::Held(h)));
        Some(stored.chain(held))
    }

    /// The records of a stored block, each to be decoded with [`Findings::decode`].
    pub fn records(block: &[u8]) -> io::Result<Vec<&[u8]>> {
        spill::records(block)
    }

    /// Decodes one record of a stored block.
    pub fn decode(&self, record: &[u8]) -> io::Result<Diagnostic> {
        self.shared.decode(record)
    }

    /// Every finding, sorted as the report contract says (path, line, code, message;
    /// findings that tie keep the order they were added in).
    pub fn sorted(&self) -> io::Result<Sorted<'_>> {
        let mut held: Vec<&Diagnostic> = self.held.iter().collect();
        held.sort_by(|a, b| a.report_order(b));
        let mut sources = Vec::with_capacity(self.runs.len() + 1);
        for run in &self.runs {
            let reader = RunReader { file: run, pos: 0 };
            sources.push(Source::Run(
                BufReader::with_capacity(1 << 16, reader),
                Vec::new(),
            ));
        }
        sources.push(Source::Held(held.into_iter()));
        let mut merge = Sorted {
            shared: &self.shared,
            heap: BinaryHeap::with_capacity(sources.len()),
            sources,
        };
        for i in 0..merge.sources.len() {
            merge.refill(i)?;
        }
        Ok(merge)
    }

    /// Every finding, sorted, as one vector (for tests and library callers that want them
    /// all at once; reads back the runs).
    pub fn to_vec(&self) -> io::Result<Vec<Diagnostic>> {
        self.sorted()?.map(|d| d.map(Cow::into_owned)).collect()
    }

    /// Sorts the held findings and writes them to a new run. On failure the held findings
    /// stay held (sorted, which changes nothing of the report's order).
    fn spill(&mut self) -> io::Result<()> {
        if !self.in_order {
            self.held.sort_by(|a, b| a.report_order(b));
        }
        let file = tempfile::tempfile()?;
        let mut out = BufWriter::with_capacity(1 << 16, &file);
        let mut scratch = Vec::new();
        for d in &self.held {
            self.shared.write(d, &mut scratch, &mut out)?;
        }
        out.flush()?;
        drop(out);
        self.runs.push(file);
        self.last_spilled = self.held.pop();
        self.held.clear();
        Ok(())
    }
}

impl Extend<Diagnostic> for Findings {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        for d in iter {
            self.push(d);
        }
    }
}

/// Held findings given per block by [`Findings::blocks`].
const BLOCK_FINDINGS: usize = 4096;

/// Bytes read from a run per stored block (then cut back to whole records).
const BLOCK_BYTES: usize = 1 << 20;

/// A stretch of the findings in report order (see [`Findings::blocks`]).
pub enum Block<'a> {
    /// Whole records as a run stores them (see [`Findings::records`]).
    Stored(Vec<u8>),
    /// Findings held in memory.
    Held(&'a [Diagnostic]),
}

/// A run read from its start a block of whole records at a time.
struct StoredBlocks<'a> {
    reader: RunReader<'a>,
    /// The start of a record the last block cut off.
    carry: Vec<u8>,
    done: bool,
}

impl<'a> Iterator for StoredBlocks<'a> {
    type Item = io::Result<Block<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        // Reads on until the block holds a whole record (one may be longer than a block)
        // or the run ends.
        let mut block = std::mem::take(&mut self.carry);
        while !self.done {
            let start = block.len();
            block.resize(start + BLOCK_BYTES, 0);
            let mut filled = start;
            while filled < block.len() {
                match self.reader.read(&mut block[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
            block.truncate(filled);
            self.done = filled < start + BLOCK_BYTES;
            // Cut after the last whole record; what follows starts the next block.
            let mut whole = 0;
            while let Some(len) = spill::whole_record(&block[whole..]) {
                whole += len;
            }
            if self.done && whole != block.len() {
                return Some(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a stored finding was cut short (the temporary file was changed)",
                )));
            }
            if whole > 0 {
                self.carry = block.split_off(whole);
                return Some(Ok(Block::Stored(block)));
            }
        }
        None
    }
}

/// Reads a run from its start with positioned reads, so any number of readers of the same
/// findings can be open at once without sharing a file offset.
struct RunReader<'a> {
    file: &'a File,
    pos: u64,
}

impl Read for RunReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

enum Source<'a> {
    Run(BufReader<RunReader<'a>>, Vec<u8>),
    Held(std::vec::IntoIter<&'a Diagnostic>),
}

/// The next finding of one source, ordered for a min-heap by (sort key, source): ties go
/// to the earlier source, and sources are in the order their findings were added.
struct Head<'a> {
    d: Cow<'a, Diagnostic>,
    source: usize,
}

impl Ord for Head<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .d
            .report_order(&self.d)
            .then(other.source.cmp(&self.source))
    }
}

impl PartialOrd for Head<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head<'_> {}

/// The findings in report order: a merge of the sorted runs and the held findings.
pub struct Sorted<'a> {
    shared: &'a Shared,
    sources: Vec<Source<'a>>,
    heap: BinaryHeap<Head<'a>>,
}

impl<'a> Sorted<'a> {
    /// Puts the next finding of source `i` on the heap, if it has one.
    fn refill(&mut self, i: usize) -> io::Result<()> {
        let next = match &mut self.sources[i] {
            Source::Held(held) => held.next().map(Cow::Borrowed),
            Source::Run(reader, record) => self.shared.read(reader, record)?.map(Cow::Owned),
        };
        if let Some(d) = next {
            self.heap.push(Head { d, source: i });
        }
        Ok(())
    }
}

impl<'a> Iterator for Sorted<'a> {
    type Item = io::Result<Cow<'a, Diagnostic>>;

    fn next(&mut self) -> Option<Self::Item> {
        let head = self.heap.pop()?;
        Some(self.refill(head.source).map(|()| head.d))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::{Location, SheetCell};
    use crate::rules;

    fn finding(path: &str, line: u64, code: &'static str, message: &str) -> Diagnostic {
        let rule = rules::find(code).expect("a rule");
        rule.diagnostic(
            message.to_string(),
            Location::Csv {
                path: Arc::from(path),
                line,
                row: line - 1,
                column: Some(Arc::from("phone")),
                sheet: None,
            },
        )
        .with_help("do something")
    }

    fn sample() -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for i in 0..50u64 {
            let line = 2 + (i * 37) % 23;
            let path = if i % 3 == 0 { "b.csv" } else { "a.csv" };
            let code = ["WAC001", "WAC004", "WAC002"][(i % 3) as usize];
            out.push(finding(path, line, code, &format!("m{}", i % 2)));
        }
        out
    }

    #[test]
    fn spilled_runs_read_back_as_one_stable_sort() {
        let all = sample();
        let mut expected = all.clone();
        expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        for limit in [1, 3, 7, 50, 1000] {
            let mut findings = Findings::with_limit(limit);
            findings.extend(all.iter().cloned());
            assert_eq!(findings.len(), 50);
            assert_eq!(
                findings.runs(),
                50 / limit.max(1) * usize::from(limit <= 50)
            );
            assert_eq!(
                findings.to_vec().expect("read back"),
                expected,
                "limit {limit}"
            );
        }
    }

    #[test]
    fn the_tally_counts_as_findings_arrive() {
        let mut findings = Findings::with_limit(4);
        findings.extend(sample());
        let tally = findings.tally();
        assert_eq!(tally.total(), 50);
        assert_eq!(tally.by_code.values().sum::<u64>(), 50);
        assert_eq!(tally.worst(), Some(Severity::Error));
        assert_eq!(Findings::default().tally().worst(), None);
    }

    #[test]
    fn reading_twice_gives_the_same_findings() {
        let mut findings = Findings::with_limit(8);
        findings.extend(sample());
        let first = findings.to_vec().expect("first read");
        assert_eq!(findings.to_vec().expect("second read"), first);
        // Two readers at once, taking turns.
        let (mut a, mut b) = (findings.sorted().unwrap(), findings.sorted().unwrap());
        for expected in &first {
            assert_eq!(&*a.next().unwrap().unwrap(), expected);
            assert_eq!(&*b.next().unwrap().unwrap(), expected);
        }
    }

    /// A finding of every shape a run stores: each location kind, with and without its
    /// optional parts, help static, owned or absent, a fix or none.
    fn shaped(path: &str, line: u64, code: &'static str, message: &str, shape: u8) -> Diagnostic {
        let rule = rules::find(code).expect("a rule");
        let path: Arc<str> = Arc::from(path);
        let location = match shape % 5 {
            0 => Location::Csv {
                path,
                line,
                row: line - 1,
                column: Some(Arc::from("phone")),
                sheet: None,
            },
            1 => Location::Csv {
                path,
                line,
                row: line - 1,
                column: None,
                sheet: Some(SheetCell {
                    sheet: Arc::from("Kunden's"),
                    cell: format!("{line}:{line}"),
                }),
            },
            2 => Location::Json {
                path,
                pointer: format!("/template/components/{line}/\u{1}~1é"),
                line: Some(line),
                col: line.is_multiple_of(2).then_some(7),
            },
            3 => Location::File {
                path,
                line: Some(line),
            },
            _ => Location::File { path, line: None },
        };
        let mut d = rule.diagnostic(format!("{message} \"é\"\n"), location);
        d = match shape % 3 {
            0 => d.with_help("do something"),
            1 => d.with_help(format!("do {message}")),
            _ => d,
        };
        if shape.is_multiple_of(4) {
            d = d.with_fix(format!("+{line}"));
        }
        if shape.is_multiple_of(7) {
            d.wa_error = None;
            d.severity = Severity::Info;
        }
        d
    }

    proptest::proptest! {
        #[test]
        fn any_findings_and_limit_read_back_as_a_stable_sort(
            picks in proptest::collection::vec(
                (0u8..3, 2u64..40, 0usize..3, 0u8..2, proptest::num::u8::ANY),
                0..300,
            ),
            limit in 1usize..64,
        ) {
            let all: Vec<Diagnostic> = picks
                .iter()
                .map(|&(file, line, code, message, shape)| {
                    let path = ["a.csv", "b.csv", "c.json"][usize::from(file)];
                    let code = ["WAC001", "WAC004", "WAT013"][code];
                    shaped(path, line, code, &format!("m{message}"), shape)
                })
                .collect();
            let mut expected = all.clone();
            expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            let mut findings = Findings::with_limit(limit);
            findings.extend(all);
            proptest::prop_assert_eq!(findings.runs(), picks.len() / limit);
            proptest::prop_assert_eq!(findings.to_vec().unwrap(), expected.clone());
            // Whenever the blocks are offered, they are the same findings in the same order;
            // added in report order, they always are.
            if let Some(blocks) = in_blocks(&findings) {
                proptest::prop_assert_eq!(blocks, expected.clone());
            }
            let mut in_order = Findings::with_limit(limit);
            in_order.extend(expected.iter().cloned());
            proptest::prop_assert_eq!(in_blocks(&in_order), Some(expected));
        }
    }

    /// The findings as [`Findings::blocks`] gives them, decoded.
    fn in_blocks(findings: &Findings) -> Option<Vec<Diagnostic>> {
        let mut out = Vec::new();
        for block in findings.blocks()? {
            match block.expect("a block") {
                Block::Stored(bytes) => {
                    for record in Findings::records(&bytes).expect("records") {
                        out.push(findings.decode(record).expect("decoded"));
                    }
                }
                Block::Held(held) => out.extend(held.iter().cloned()),
            }
        }
        Some(out)
    }

    #[test]
    fn findings_out_of_order_have_no_blocks() {
        let mut findings = Findings::with_limit(2);
        findings.extend([
            finding("a.csv", 5, "WAC001", "m"),
            finding("a.csv", 6, "WAC001", "m"),
            finding("a.csv", 7, "WAC001", "m"),
        ]);
        assert!(findings.blocks().is_some());
        // Sorts before the last finding spilled.
        findings.push(finding("a.csv", 6, "WAC001", "l"));
        assert!(findings.blocks().is_none());
        assert_eq!(findings.to_vec().unwrap()[1].message, "l");
    }

    #[test]
    fn a_record_bigger_than_a_block_reads_back() {
        let big = "x".repeat(BLOCK_BYTES + 10);
        let mut findings = Findings::with_limit(1);
        findings.extend([
            finding("a.csv", 2, "WAC001", "small"),
            finding("a.csv", 3, "WAC001", &big),
            finding("a.csv", 4, "WAC001", "small"),
        ]);
        let read = in_blocks(&findings).expect("in order");
        assert_eq!(read, findings.to_vec().unwrap());
        assert_eq!(read[1].message.len(), big.len());
    }
}
