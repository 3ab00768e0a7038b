//! `walint fix`: splits a contact list into a clean file and a rejects file. Every row
//! lands in exactly one of them, copied byte for byte (columns, quoting, line endings):
//! a row with an error finding, or a later copy of a recipient, goes to the rejects with
//! four added columns (`walint_row` and `walint_line`, where it stood in the input;
//! `walint_codes`, `walint_reasons`); a phone cell with a fix (a number
//! written loosely, such as `098765 43210`) is rewritten to E.164 in the clean file and
//! nothing else in the row changes. A file in another encoding (UTF-16, a legacy
//! Windows-1252 export) is written back in it, its byte order mark kept; whitespace-only
//! lines, which are not rows, are kept in the clean file where they stood. A spreadsheet's
//! rows are written as CSV (UTF-8, `,`), its cells as walint read them. Outputs are written to temporary files beside them and
//! renamed into place, and never over the input unless asked (`--in-place`, which keeps a
//! `.bak`). The judging is `check`'s; this module only sorts rows and writes.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::check::{self, CheckOptions, RowSink};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::error::Error;
use crate::input::contacts::{ContactRow, RowFault};
use crate::input::encoding::EncodingSeen;
use crate::input::{kind, spreadsheet};
use crate::output::OutputFile;
use crate::rules::contacts::duplicate_recipient;

mod output;

use output::Output;
pub use output::{OutputEncoding, OutputForm, parse_delimiter};

/// Where `walint fix` reads and writes.
#[derive(Debug, Clone)]
pub struct FixPaths {
    /// The contact list.
    pub input: PathBuf,
    /// The clean list (ignored with `in_place`: the input is rewritten).
    pub clean: Option<PathBuf>,
    /// The rejects.
    pub rejects: PathBuf,
    /// Rewrite the input, keeping the original as `INPUT.bak`.
    pub in_place: bool,
    /// How the outputs are written (their encoding and delimiter).
    pub form: OutputForm,
}

/// What `walint fix` did.
#[derive(Debug, Clone, Default)]
pub struct FixSummary {
    /// Rows read.
    pub rows: u64,
    /// Rows written to the clean file (fixed ones included).
    pub clean: u64,
    /// Clean rows whose phone cell was rewritten.
    pub fixed: u64,
    /// Rows written to the rejects file.
    pub rejected: u64,
    /// Whitespace-only lines (not rows) kept in the clean file where they stood.
    pub blank_lines: u64,
    /// The encoding the outputs are written in, when not UTF-8 without a byte order
    /// mark (the input's, or `UTF-8 with a byte order mark`).
    pub encoding: Option<&'static str>,
    /// The sheet read, when the input is a spreadsheet (the outputs are CSV).
    pub sheet: Option<String>,
    /// The outputs' delimiter (the input's, unless `--output-delimiter` chose another).
    pub delimiter: u8,
    /// Rejected rows by the codes that rejected them (a row counts once per code).
    pub rejected_by_code: BTreeMap<&'static str, u64>,
    /// Rejected rows by the WhatsApp error codes their rejecting findings prevent (a row
    /// counts once per error code; rows rejected only by findings with no WhatsApp code,
    /// such as an unreadable row, are not counted here).
    pub rejected_by_wa_error: BTreeMap<u32, u64>,
    /// Findings about the campaign's definition (with `--campaign`), placed in walint.toml.
    pub definition: Vec<Diagnostic>,
    /// The clean file written.
    pub clean_path: PathBuf,
}

/// What happens to one row.
#[derive(Debug)]
pub enum Verdict<'d> {
    /// Kept as it is (it may have warnings).
    Clean,
    /// Kept, its phone cell rewritten to this E.164 number (when the row has a phone cell).
    Fixed(&'d str),
    /// Rejected by these findings (errors without a fix, or a later copy of a recipient).
    Rejected(Vec<&'d Diagnostic>),
}

/// Receives a contact list split by [`split`]: the header, then every row in order with
/// its findings and its verdict, then the end. `walint fix` writes the clean and the
/// rejects files through one; a program can keep the rows however it likes.
pub trait SplitSink {
    /// The header row as it stands in the file (decoded; empty when the list has none),
    /// its delimiter, and the encoding the file turned out to be in, before any row.
    fn header(&mut self, raw: &[u8], delimiter: u8, encoding: &EncodingSeen) -> Result<(), Error>;
    /// One row, in order: its findings (severity settings applied) and what happens to it.
    fn row(
        &mut self,
        row: &ContactRow,
        findings: &[&Diagnostic],
        verdict: &Verdict<'_>,
    ) -> Result<(), Error>;
    /// The end of the list, with the whitespace-only lines after its last row.
    fn end(&mut self, blank_after: &[u8]) -> Result<(), Error>;
}

/// Splits a contact list as `walint fix` does — each row judged (with `options.campaign`,
/// as a row of that campaign) and given a [`Verdict`] — and hands the rows to `sink`
/// instead of writing files. Returns the campaign definition's findings (empty for a plain
/// list) and the rows read; the first error the sink returns stops the split.
pub fn split<R: std::io::BufRead + Send>(
    options: &CheckOptions,
    shown: &str,
    input: kind::ContactInput<R>,
    sink: &mut impl SplitSink,
) -> Result<(Vec<Diagnostic>, u64), Error> {
    let mut splitter = Splitter {
        sink,
        failure: None,
    };
    let judged = check::judge_list(options, shown, input, &mut splitter)?;
    match splitter.failure {
        Some(e) => Err(e),
        None => Ok(judged),
    }
}

/// Hands each judged row to a [`SplitSink`] with its verdict; keeps the sink's first error.
struct Splitter<'s, S> {
    sink: &'s mut S,
    failure: Option<Error>,
}

impl<S: SplitSink> RowSink for Splitter<'_, S> {
    fn header(&mut self, raw: &[u8], delimiter: u8, encoding: EncodingSeen) {
        if let Err(e) = self.sink.header(raw, delimiter, &encoding) {
            self.failure.get_or_insert(e);
        }
    }

    fn rows(&mut self, chunk: &[ContactRow], found: Vec<Diagnostic>) {
        if self.failure.is_some() {
            return;
        }
        let Some(first) = chunk.first().map(|r| r.row) else {
            return;
        };
        let mut by_row: Vec<Vec<&Diagnostic>> = vec![Vec::new(); chunk.len()];
        for d in &found {
            if let Location::Csv { row, .. } = &d.location
                && let Some(slot) = row
                    .checked_sub(first)
                    .and_then(|i| by_row.get_mut(i as usize))
            {
                slot.push(d);
            }
        }
        for (row, findings) in chunk.iter().zip(by_row) {
            if let Err(e) = self.sink.row(row, &findings, &verdict(&findings)) {
                self.failure = Some(e);
                return;
            }
        }
    }

    fn end(&mut self, blank_after: &[u8]) {
        if self.failure.is_none()
            && let Err(e) = self.sink.end(blank_after)
        {
            self.failure = Some(e);
        }
    }
}

/// Splits `paths.input` into clean and rejects, judged with `options`.
pub fn run(options: &CheckOptions, paths: &FixPaths) -> Result<FixSummary, Error> {
    run_with_results(options, paths, None)
}

/// One row's result, as `walint fix --format json` writes it (one JSON object per line).
#[derive(serde::Serialize)]
struct RowResult<'a> {
    /// The data row, from 1.
    row: u64,
    /// The physical line the row starts on.
    line: u64,
    /// `clean`, `fixed` or `rejected`.
    status: &'static str,
    /// The phone cell as written into the clean file, when it was rewritten.
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<&'a str>,
    /// The phone cell as the list has it, masked as `--redact` masks numbers (the country
    /// code and the last two digits), so a page can say whose row it is; absent when the
    /// cell is empty or the row unreadable.
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    /// The codes of every finding on the row (a clean row may have warnings).
    codes: Vec<&'static str>,
    /// Each finding as `CODE: message`.
    reasons: Vec<String>,
}

/// Where [`run_with_results`] writes the rows' results, and whose.
pub struct Results<'w> {
    /// The output: a JSON line per row.
    pub out: &'w mut dyn Write,
    /// Only the rejected rows' results (what an upload page lists).
    pub rejected_only: bool,
}

/// As [`run`], and writes each row's result to `results` as a line of JSON, in row order:
/// `{"row", "line", "status": "clean"|"fixed"|"rejected", "fixed"?, "phone"?, "codes", "reasons"}`
/// (`phone`: the cell masked to its country code and last two digits).
pub fn run_with_results(
    options: &CheckOptions,
    paths: &FixPaths,
    results: Option<Results<'_>>,
) -> Result<FixSummary, Error> {
    let clean_path = match (&paths.clean, paths.in_place) {
        (_, true) => paths.input.clone(),
        (Some(clean), false) => clean.clone(),
        (None, false) => {
            return Err(Error::Usage(
                "walint fix needs --clean FILE (or --in-place)".into(),
            ));
        }
    };
    refuse_overwrite(paths, &clean_path)?;
    // Nor over another file the run reads (a suppression list, a registry, the config).
    // A campaign's contact list may be an output: cleaning a raw export into it is the job.
    let inputs: Vec<PathBuf> = (options.suppression_files.iter())
        .chain(&options.registry)
        .chain(&options.config_file)
        .cloned()
        .collect();
    for out in [&clean_path, &paths.rejects] {
        if !(paths.in_place && out == &paths.input) {
            check::refuse_input_as_output(out, &inputs, "walint fix")?;
        }
    }
    let shown = paths.input.display().to_string();
    let input = kind::open_contacts(&paths.input, &options.columns)?;
    let sheet = match &input {
        kind::ContactInput::Sheet(rows) => Some(rows.sheet().name.to_string()),
        kind::ContactInput::Text(_) => None,
    };
    // The outputs are CSV: never written over a workbook or under a workbook's name.
    if sheet.is_some() && paths.in_place {
        return Err(Error::Usage(format!(
            "{} is a spreadsheet and walint fix writes CSV: give --clean FILE.csv instead of --in-place",
            paths.input.display()
        )));
    }
    for out in [&clean_path, &paths.rejects] {
        if spreadsheet::has_spreadsheet_ending(out) {
            return Err(Error::Usage(format!(
                "{}: walint fix writes CSV, so name its outputs .csv",
                out.display()
            )));
        }
    }
    if paths.in_place && paths.form != OutputForm::default() {
        return Err(Error::Usage(
            "--in-place keeps the file's own form: give --clean FILE to write another encoding or delimiter".into(),
        ));
    }
    let mut sorter = Sorter {
        clean: Output::create(&clean_path)?,
        rejects: Output::create(&paths.rejects)?,
        delimiter: b',',
        encoding: EncodingSeen::default(),
        form: paths.form,
        sheet: sheet.is_some(),
        summary: FixSummary::default(),
        results,
    };
    let (definition, rows) = split(options, &shown, input, &mut sorter)?;
    let delimiter = sorter.rejects.delimiter(sorter.delimiter);
    if paths.in_place {
        // The backup is written as the outputs are: never through a link at `.bak`.
        let backup = backup_path(&paths.input);
        let mut out = OutputFile::create(&backup)?;
        let mut original = std::fs::File::open(&paths.input).map_err(|source| Error::Io {
            path: shown.clone(),
            source,
        })?;
        std::io::copy(&mut original, &mut out).map_err(|e| out.error(e))?;
        out.finish()?.persist()?;
    }
    // Both outputs are on disk before either replaces anything: a failure (a full disk)
    // leaves the previous outputs as they were.
    let rejects = sorter.rejects.finish()?;
    let clean = sorter.clean.finish()?;
    rejects.persist()?;
    clean.persist()?;
    let mut summary = sorter.summary;
    summary.encoding = match (paths.form.encoding, sheet.is_some()) {
        (OutputEncoding::Same, false) => sorter.encoding.get().map(|e| e.encoding.name()),
        (OutputEncoding::Utf8, _) => None,
        (OutputEncoding::Same | OutputEncoding::Utf8Bom, _) => Some("UTF-8 with a byte order mark"),
    };
    summary.sheet = sheet;
    summary.delimiter = delimiter;
    summary.rows = rows;
    summary.definition = definition;
    summary.clean_path = clean_path;
    Ok(summary)
}

/// Outputs must not overwrite the input (unless in place) nor each other.
fn refuse_overwrite(paths: &FixPaths, clean: &Path) -> Result<(), Error> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if same(clean, &paths.rejects) {
        return Err(Error::Usage(
            "the clean and the rejects file must be different files".into(),
        ));
    }
    if paths.in_place && same(&paths.rejects, &backup_path(&paths.input)) {
        return Err(Error::Usage(format!(
            "{} is where --in-place keeps the original: give the rejects another name",
            paths.rejects.display()
        )));
    }
    if same(&paths.rejects, &paths.input) || (!paths.in_place && same(clean, &paths.input)) {
        return Err(Error::Usage(format!(
            "{} is the input: walint fix never writes over it (use --in-place to rewrite it, keeping a .bak)",
            paths.input.display()
        )));
    }
    Ok(())
}

fn backup_path(input: &Path) -> PathBuf {
    let mut name = input.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

/// Writes each judged row to the clean or the rejects file (and its result to `results`).
struct Sorter<'r> {
    clean: Output,
    rejects: Output,
    delimiter: u8,
    encoding: EncodingSeen,
    form: OutputForm,
    /// The input is a spreadsheet.
    sheet: bool,
    summary: FixSummary,
    results: Option<Results<'r>>,
}

impl SplitSink for Sorter<'_> {
    fn header(&mut self, raw: &[u8], delimiter: u8, encoding: &EncodingSeen) -> Result<(), Error> {
        self.delimiter = delimiter;
        for out in [&mut self.clean, &mut self.rejects] {
            out.set_form(self.form, delimiter, encoding, self.sheet);
        }
        self.encoding = encoding.clone();
        if raw.is_empty() {
            // A file with no header: the outputs have none either.
            return Ok(());
        }
        let added = [
            b"walint_row".as_slice(),
            b"walint_line".as_slice(),
            b"walint_codes".as_slice(),
            b"walint_reasons".as_slice(),
        ];
        self.clean.write_record(raw)?;
        self.rejects.write_with_fields(raw, delimiter, &added)
    }

    /// Writes the row to the clean or the rejects file (and its result line).
    fn row(
        &mut self,
        row: &ContactRow,
        findings: &[&Diagnostic],
        verdict: &Verdict<'_>,
    ) -> Result<(), Error> {
        let (clean, summary) = (&mut self.clean, &mut self.summary);
        if !row.blank_before.is_empty() {
            summary.blank_lines += count_lines(&row.blank_before);
            clean.write(&row.blank_before)?;
        }
        if let Some(results) = &mut self.results
            && (!results.rejected_only || matches!(verdict, Verdict::Rejected(_)))
        {
            write_result(row, findings, verdict, results.out)?;
        }
        match verdict {
            Verdict::Clean => {
                clean.write_record(&row.raw)?;
                summary.clean += 1;
            }
            Verdict::Fixed(phone) => {
                match &row.phone_raw {
                    Some(cell) => {
                        let mut line = Vec::with_capacity(row.raw.len());
                        line.extend_from_slice(&row.raw[..cell.start]);
                        line.extend_from_slice(phone.as_bytes());
                        line.extend_from_slice(&row.raw[cell.end..]);
                        clean.write_record(&line)?;
                        summary.fixed += 1;
                    }
                    None => clean.write_record(&row.raw)?,
                }
                summary.clean += 1;
            }
            Verdict::Rejected(why) => self.reject(row, why)?,
        }
        Ok(())
    }

    fn end(&mut self, blank_after: &[u8]) -> Result<(), Error> {
        self.summary.blank_lines += count_lines(blank_after);
        self.clean.write(blank_after)
    }
}

impl Sorter<'_> {
    /// Writes a rejected row with its row, line, codes and reasons, and counts it.
    fn reject(&mut self, row: &ContactRow, why: &[&Diagnostic]) -> Result<(), Error> {
        let summary = &mut self.summary;
        let mut codes: Vec<&str> = Vec::new();
        for d in why {
            if !codes.contains(&d.code()) {
                codes.push(d.code());
            }
        }
        for code in &codes {
            *summary.rejected_by_code.entry(code).or_default() += 1;
        }
        let mut wa_errors: Vec<u32> = why.iter().filter_map(|d| d.wa_error).collect();
        wa_errors.sort_unstable();
        wa_errors.dedup();
        for wa_error in wa_errors {
            *summary.rejected_by_wa_error.entry(wa_error).or_default() += 1;
        }
        let reasons: Vec<String> = why.iter().map(|d| reason(d)).collect();
        let codes = codes.join(" ");
        let reasons = reasons.join("; ");
        // A row with fields missing is padded with empty ones, so that its codes and
        // reasons stand under `walint_codes` and `walint_reasons`.
        let missing = match &row.fault {
            Some(RowFault::Ragged { expected, found }) => expected.saturating_sub(*found),
            _ => 0,
        };
        let (number, line) = (row.row.to_string(), row.line.to_string());
        let mut fields: Vec<&[u8]> = vec![b"".as_slice(); missing];
        fields.extend([
            number.as_bytes(),
            line.as_bytes(),
            codes.as_bytes(),
            reasons.as_bytes(),
        ]);
        self.rejects
            .write_with_fields(&row.raw, self.delimiter, &fields)?;
        summary.rejected += 1;
        Ok(())
    }
}

/// Physical lines in a run of whitespace-only lines (the last may lack its ending).
fn count_lines(blank: &[u8]) -> u64 {
    let ends = blank.iter().filter(|&&b| b == b'\n').count()
        + blank
            .windows(2)
            .filter(|w| w[0] == b'\r' && w[1] != b'\n')
            .count()
        + usize::from(blank.last() == Some(&b'\r'));
    let unended = !blank.is_empty() && !matches!(blank.last(), Some(b'\n' | b'\r'));
    (ends + usize::from(unended)) as u64
}

/// A finding as the rejects file and the JSON results give it: `CODE: message`.
fn reason(d: &Diagnostic) -> String {
    format!("{}: {}", d.code(), d.message)
}

/// Writes one row's result line.
fn write_result(
    row: &ContactRow,
    findings: &[&Diagnostic],
    verdict: &Verdict,
    out: &mut (dyn Write + '_),
) -> Result<(), Error> {
    let result = RowResult {
        row: row.row,
        line: row.line,
        status: match verdict {
            Verdict::Clean => "clean",
            Verdict::Fixed(_) if row.phone_raw.is_some() => "fixed",
            Verdict::Fixed(_) => "clean",
            Verdict::Rejected(_) => "rejected",
        },
        fixed: match verdict {
            Verdict::Fixed(phone) if row.phone_raw.is_some() => Some(phone),
            _ => None,
        },
        phone: crate::report::redact::masked_cell(&row.phone),
        codes: findings.iter().map(|d| d.code()).collect(),
        reasons: findings.iter().map(|d| reason(d)).collect(),
    };
    let io = |source| Error::Io {
        path: "<stdout>".into(),
        source,
    };
    serde_json::to_writer(&mut *out, &result).map_err(|e| io(e.into()))?;
    out.write_all(b"\n").map_err(io)
}

/// A row is rejected by an error finding it has no fix for, and by being a later copy of
/// a recipient; otherwise a phone cell with a fix is rewritten (only phone rules give
/// fixes for contact rows).
fn verdict<'d>(findings: &[&'d Diagnostic]) -> Verdict<'d> {
    let rejecting: Vec<&Diagnostic> = findings
        .iter()
        .copied()
        .filter(|d| {
            *d.rule == duplicate_recipient::RULE
                || (d.severity == Severity::Error && d.fix.is_none())
        })
        .collect();
    if !rejecting.is_empty() {
        return Verdict::Rejected(rejecting);
    }
    match findings.iter().find_map(|d| d.fix.as_ref()) {
        Some(fix) => Verdict::Fixed(&fix.replacement),
        None => Verdict::Clean,
    }
}

/// An output's name in the summary (`-` is standard output).
fn shown(path: &Path) -> String {
    match crate::output::is_stdout(path) {
        true => "standard output".to_string(),
        false => path.display().to_string(),
    }
}

/// The summary as the last line of `walint fix --format json`: `{"summary": {rows, clean,
/// fixed, rejected, blank_lines, rejected_by_code, rejected_by_wa_error, clean_path, rejects_path,
/// delimiter, encoding?, sheet?, definition: [findings]}}`.
pub fn write_summary_json(
    summary: &FixSummary,
    paths: &FixPaths,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let body = summary_json(
        summary,
        &summary.clean_path.display().to_string(),
        &paths.rejects.display().to_string(),
    );
    serde_json::to_writer(&mut *out, &serde_json::json!({ "summary": body }))?;
    out.write_all(b"\n")
}

/// The summary as a JSON object (the value of `walint fix --format json`'s last line),
/// the outputs named `clean` and `rejects`.
pub fn summary_json(summary: &FixSummary, clean: &str, rejects: &str) -> serde_json::Value {
    let mut body = serde_json::json!({
        "rows": summary.rows,
        "clean": summary.clean,
        "fixed": summary.fixed,
        "rejected": summary.rejected,
        "blank_lines": summary.blank_lines,
        "rejected_by_code": summary.rejected_by_code,
        "rejected_by_wa_error": summary.rejected_by_wa_error,
        "clean_path": clean,
        "rejects_path": rejects,
        "delimiter": char::from(summary.delimiter).to_string(),
        "definition": summary.definition,
    });
    if let Some(encoding) = summary.encoding {
        body["encoding"] = encoding.into();
    }
    if let Some(sheet) = &summary.sheet {
        body["sheet"] = sheet.as_str().into();
    }
    body
}

/// The counts, as `walint fix` prints them: rows in, clean, fixed, rejected by code.
pub fn write_summary(
    summary: &FixSummary,
    paths: &FixPaths,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let rows = if summary.rows == 1 { "row" } else { "rows" };
    writeln!(
        out,
        "{} {rows} in: {} clean ({} fixed) -> {}, {} rejected -> {}",
        summary.rows,
        summary.clean,
        summary.fixed,
        shown(&summary.clean_path),
        summary.rejected,
        shown(&paths.rejects)
    )?;
    if summary.blank_lines > 0 {
        writeln!(
            out,
            "  {} blank line{} (not rows) kept in the clean file where they stood",
            summary.blank_lines,
            if summary.blank_lines == 1 { "" } else { "s" }
        )?;
    }
    match (summary.encoding, paths.form.encoding, &summary.sheet) {
        (_, _, Some(sheet)) => writeln!(
            out,
            "  read sheet '{sheet}' of the spreadsheet; both outputs are CSV ({})",
            summary.encoding.unwrap_or("UTF-8")
        )?,
        (Some(name), OutputEncoding::Same, None) => {
            writeln!(out, "  written in {name}, as the input was read")?
        }
        (Some(name), _, None) => writeln!(out, "  written in {name}")?,
        (None, _, None) => {}
    }
    for (code, n) in &summary.rejected_by_code {
        let name = crate::rules::find(code).map_or("", |r| r.name);
        writeln!(out, "  {code}  {name:<28} {n}")?;
    }
    for d in &summary.definition {
        writeln!(out, "{}: {} {}", d.location.path(), d.code(), d.message)?;
    }
    Ok(())
}
