//! Property tests (proptest) for the promises that hold for every input, not just the
//! fixtures: reading a phone cell never panics and only ever yields well-formed E.164 that
//! reads back as itself; checking any bytes as a contact list never panics and keeps its
//! findings inside the file and in report order; a contact list never loses a row,
//! however its rows are broken, and `walint fix` writes each row to exactly one file;
//! and no JSON — arbitrary, or shaped like payloads and
//! template registries — panics the payload and registry readers, the rules or the JSON
//! locator. This file owns those properties and their generators.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::{Map, Value};
use walint::check::{CheckOptions, Overrides};
use walint::diagnostic::Location;
use walint::input::{json_locate, registry};
use walint::phone::{self, RegionCode, Shape};
use walint::report::Report;

use crate::support;

/// Cases for the cheap, in-memory properties.
const CHEAP_CASES: u32 = 256;
/// Cases for the properties that write and check a file.
const FILE_CASES: u32 = 64;

/// A config with `cases` and no failure files written next to the sources (a failing case
/// is printed, minimised, in the test output instead).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// Phone cells
// ---------------------------------------------------------------------------------------

/// Text a phone cell might hold: arbitrary Unicode (short and long), phone-like text in
/// every arrangement of digits and formatting, long digit runs, and real numbers written
/// loosely (so that a good share of cases read as a number and idempotence is exercised).
fn phone_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => loose_real_number(),
        1 => any::<String>(),
        1 => prop::collection::vec(any::<char>(), 0..300).prop_map(|v| v.into_iter().collect()),
        1 => "[+0-9 ()./\\-]{0,40}",
        1 => "[ ]?(\\+|00|0|\\+ 00|\\+0)?[0-9]{1,20}[ ]?",
        1 => "[0-9]{0,100}",
        1 => "\\+[1-9][0-9]{0,16}",
        1 => "(\\+|00)?[1-9][0-9]{0,3}[ .\\-][0-9]{2,5}[ .\\-][0-9]{2,6}",
        1 => "[+0-9\u{a0}\u{2010}-\u{2015}\u{3000}\u{ff0b}\u{ff10}-\u{ff19}a-zA-Z;:*#]{0,30}",
    ]
}

/// An example mobile number of some region, perhaps with one digit changed, written with
/// `+`, `00`, `+ ` or no prefix and with separators in random places.
fn loose_real_number() -> impl Strategy<Value = String> {
    let examples: Vec<String> = phone::example_mobile_numbers()
        .into_iter()
        .map(|(_, e164)| e164)
        .collect();
    let separator = prop::sample::select(vec![' ', '-', '.', '/', '(', ')', '\u{a0}']);
    (
        prop::sample::select(examples),
        prop::sample::select(vec!["+", "00", "", "+ ", " +"]),
        prop::collection::vec((any::<prop::sample::Index>(), separator), 0..4),
        prop::option::of((any::<prop::sample::Index>(), 0u8..10)),
    )
        .prop_map(|(e164, prefix, separators, change)| {
            let mut digits: Vec<char> = e164.trim_start_matches('+').chars().collect();
            if let Some((at, digit)) = change {
                let at = at.index(digits.len());
                digits[at] = char::from(b'0' + digit);
            }
            for (at, sep) in separators {
                let at = at.index(digits.len() + 1);
                digits.insert(at, sep);
            }
            let body: String = digits.into_iter().collect();
            format!("{prefix}{body}")
        })
}

/// No region, or any region the metadata knows (and the non-geographic `001`).
fn default_region() -> impl Strategy<Value = Option<RegionCode>> {
    let mut regions = phone::supported_regions();
    regions.extend(RegionCode::parse("001"));
    prop::option::of(prop::sample::select(regions))
}

/// Checks the promises of one reading of `cell`.
fn check_reading(cell: &str, region: Option<RegionCode>) -> Result<(), TestCaseError> {
    let facts = phone::analyse(cell, region);
    let Ok(number) = facts.number else {
        return Ok(());
    };
    let e164 = number.e164();
    let digits = e164.strip_prefix('+').unwrap_or_default();
    prop_assert!(
        e164.starts_with('+')
            && (1..=15).contains(&digits.len())
            && !digits.starts_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit()),
        "{cell:?} in {region:?} read as malformed {e164:?}"
    );
    for again_in in [None, region] {
        let again = phone::analyse(&e164, again_in);
        prop_assert_eq!(again.shape, Shape::E164, "{:?}", e164);
        prop_assert_eq!(
            again.number.map(|n| n.key),
            Ok(number.key),
            "{:?} in {:?} read as {}, which in {:?} reads differently",
            cell,
            region,
            e164,
            again_in
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(CHEAP_CASES))]

    /// Any text, with and without a default region: no panic, and a number read is
    /// well-formed E.164 that reads back as the same number (idempotence).
    #[test]
    fn any_phone_cell_reads_safely(cell in phone_text(), region in default_region()) {
        check_reading(&cell, None)?;
        check_reading(&cell, region)?;
    }
}

// ---------------------------------------------------------------------------------------
// Any bytes as a contact list
// ---------------------------------------------------------------------------------------

/// Writes `bytes` to a fresh file and checks it with the default config.
fn check_bytes(bytes: &[u8]) -> (tempfile::TempDir, Result<Report, walint::error::Error>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("contacts.csv");
    std::fs::write(&path, bytes).expect("write temp file");
    let result = support::check(&[path.as_path()], None);
    (dir, result)
}

/// Physical lines as the CSV reader counts them: `\n`-terminated, plus an unterminated last.
fn physical_lines(bytes: &[u8]) -> u64 {
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    newlines + u64::from(bytes.last().is_some_and(|&b| b != b'\n'))
}

/// Bytes weighted towards what matters to a CSV reader: delimiters, quotes, line ends,
/// digits and `+`, with arbitrary bytes (invalid UTF-8 included) in between.
fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => any::<u8>(),
        4 => prop::sample::select(b",;\t\"\n\r +0123456789 ".to_vec()),
        1 => prop::sample::select(b"abc{[\xEF\xBB\xBF\xFF".to_vec()),
    ];
    (any::<bool>(), prop::collection::vec(byte, 0..2000)).prop_map(|(header, body)| {
        let mut bytes = if header {
            b"name,phone\n".to_vec()
        } else {
            Vec::new()
        };
        bytes.extend(body);
        bytes
    })
}

proptest! {
    #![proptest_config(config(FILE_CASES))]

    /// Any bytes: no panic; either an error (no header, no phone column, JSON…) or a
    /// report whose findings lie on data lines of the file, in (path, line, code) order.
    #[test]
    fn any_bytes_check_safely(bytes in csv_bytes()) {
        let (_dir, result) = check_bytes(&bytes);
        let Ok(report) = result else {
            return Ok(());
        };
        let lines = physical_lines(&bytes);
        prop_assert_eq!(report.files, 1);
        prop_assert!(report.rows < lines, "{} rows in {} lines", report.rows, lines);
        let found = report.diagnostics.to_vec().unwrap();
        for d in &found {
            let line = d.location.line();
            prop_assert!(
                (2..=lines).contains(&line),
                "{} on line {} of a {}-line file: {}", d.code(), line, lines, d.message
            );
        }
        for pair in found.windows(2) {
            let key = |d: &walint::diagnostic::Diagnostic| {
                (d.location.path().to_string(), d.location.line(), d.code())
            };
            prop_assert!(key(&pair[0]) <= key(&pair[1]), "out of order: {:?}", pair);
        }
    }
}

// ---------------------------------------------------------------------------------------
// No row is ever lost
// ---------------------------------------------------------------------------------------

/// How a generated row is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    /// `name,phone`.
    Normal,
    /// `name,phone,extra`: a field too many.
    Ragged,
    /// `name,"oops`: a quote that never closes.
    UnclosedQuote,
    /// `name,"a"b`: text after a closing quote.
    TextAfterQuote,
    /// `name",phone`: a stray quote at the end of the name — plain text in a row of its own,
    /// but it closes the quote of an `UnclosedQuote` row above it (within 64 lines) into a
    /// record with a field too many, which the reader must cut back.
    StrayQuote,
}

impl RowKind {
    fn malformed(self) -> bool {
        !matches!(self, RowKind::Normal | RowKind::StrayQuote)
    }
}

/// A phone cell without commas, quotes or line breaks: strict, spaced, empty or garbage.
fn phone_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\+[1-9][0-9]{6,13}",
        Just("+447400123456".to_string()),
        "\\+[1-9][0-9] [0-9]{3,5} [0-9]{3,6}",
        "[ ]{0,2}",
        "[a-zA-Z#*;!?x0-9 ]{1,12}",
    ]
}

fn row() -> impl Strategy<Value = (String, String, RowKind)> {
    let kind = prop_oneof![
        6 => Just(RowKind::Normal),
        1 => Just(RowKind::Ragged),
        1 => Just(RowKind::UnclosedQuote),
        1 => Just(RowKind::TextAfterQuote),
        1 => Just(RowKind::StrayQuote),
    ];
    ("[A-Za-z][A-Za-z ]{0,11}", phone_cell(), kind)
}

/// The file for `rows`: header `name,phone`, then exactly one physical line per row.
fn contact_list(rows: &[(String, String, RowKind)]) -> String {
    let mut text = String::from("name,phone\n");
    for (name, phone, kind) in rows {
        let line = match kind {
            RowKind::Normal => format!("{name},{phone}"),
            RowKind::Ragged => format!("{name},{phone},extra"),
            RowKind::UnclosedQuote => format!("{name},\"oops"),
            RowKind::TextAfterQuote => format!("{name},\"a\"b"),
            RowKind::StrayQuote => format!("{name}\",{phone}"),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// Checks that every generated row is read as one row, and that exactly the malformed
/// ones are reported as unreadable (WAC000), on their own lines.
fn assert_no_row_lost(rows: &[(String, String, RowKind)]) -> Result<(), TestCaseError> {
    let text = contact_list(rows);
    let (_dir, result) = check_bytes(text.as_bytes());
    let report = result.map_err(|e| TestCaseError::fail(format!("check failed: {e}")))?;
    prop_assert_eq!(report.rows, rows.len() as u64, "rows read from\n{}", text);
    let unreadable: Vec<u64> = report
        .diagnostics
        .to_vec()
        .unwrap()
        .iter()
        .filter(|d| d.code() == "WAC000")
        .map(|d| d.location.line())
        .collect();
    let malformed: Vec<u64> = (2..)
        .zip(rows)
        .filter(|(_, (_, _, kind))| kind.malformed())
        .map(|(line, _)| line)
        .collect();
    prop_assert_eq!(unreadable, malformed, "WAC000 lines in\n{}", text);
    Ok(())
}

proptest! {
    #![proptest_config(config(FILE_CASES))]

    /// However rows are broken, each physical line is one row: an unclosed quote is its
    /// own unreadable row and the rows after it are still read, also when a stray quote
    /// further on closes it.
    #[test]
    fn never_loses_a_row(rows in prop::collection::vec(row(), 1..200)) {
        assert_no_row_lost(&rows)?;
    }
}

/// A fixed case of what `never_loses_a_row` found (its minimised case was two `a,"oops`
/// lines in a row): an unclosed quote followed, within 64 lines, by another row holding a
/// quote. The second quote closes the first with text after it; the reader once took every
/// line from the first to the second as one record, reported once as "text follows a
/// field's closing quote", so the rows in between (here B's valid number) and the second
/// row's own fault were never checked. It now cuts such a record back to its first line
/// and reads the others again one by one, as after an unclosed quote.
#[test]
fn unclosed_quote_then_another_quoted_row_loses_no_row() {
    let rows = [
        ("A", "+447400123456", RowKind::UnclosedQuote),
        ("B", "+447400123456", RowKind::Normal),
        ("C", "+447400123457", RowKind::UnclosedQuote),
        ("D", "+447400123458", RowKind::Normal),
    ]
    .map(|(n, p, k)| (n.to_string(), p.to_string(), k));
    if let Err(e) = assert_no_row_lost(&rows) {
        panic!("{e}");
    }
}

/// A fixed case of the stray-quote path: A's quote is closed by the stray quote after D's
/// name, three lines on (C's ragged row in between), into one record with a field too
/// many. The reader cuts it back to A's line and reads B, C and D again: A and C are
/// unreadable, B and D are rows like any other (in `check` and in `walint fix`).
#[test]
fn a_stray_quote_closing_an_unclosed_one_loses_no_row() {
    let rows = [
        ("A", "+447400123456", RowKind::UnclosedQuote),
        ("B", "+447400123457", RowKind::Normal),
        ("C", "+447400123458", RowKind::Ragged),
        ("D", "+447400123459", RowKind::StrayQuote),
        ("E", "+447400123450", RowKind::Normal),
    ]
    .map(|(n, p, k)| (n.to_string(), p.to_string(), k));
    if let Err(e) = assert_no_row_lost(&rows) {
        panic!("{e}");
    }
    if let Err(e) = assert_fix_keeps_every_row(&rows) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------------------
// `walint fix` puts every row in exactly one file
// ---------------------------------------------------------------------------------------

/// Runs `walint fix` (the library) on `bytes` with no config; returns the summary and the
/// clean and rejects files' bytes.
fn fix_bytes(
    bytes: &[u8],
) -> Result<(walint::fix::FixSummary, Vec<u8>, Vec<u8>), walint::error::Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("contacts.csv");
    std::fs::write(&input, bytes).expect("write temp file");
    let options = CheckOptions::from_config(&Default::default(), Overrides::default())?;
    let paths = walint::fix::FixPaths {
        input,
        clean: Some(dir.path().join("clean.csv")),
        rejects: dir.path().join("rejects.csv"),
        in_place: false,
        form: walint::fix::OutputForm::default(),
    };
    let summary = walint::fix::run(&options, &paths)?;
    let clean = std::fs::read(dir.path().join("clean.csv")).expect("clean written");
    let rejects = std::fs::read(dir.path().join("rejects.csv")).expect("rejects written");
    Ok((summary, clean, rejects))
}

/// A phone cell for `walint fix`: the `phone_cell` kinds plus numbers it can rewrite.
fn fixable_phone_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => phone_cell(),
        1 => Just("0044 7400 123456".to_string()),
        1 => r"\+44 7400 1234[0-9]{2}",
    ]
}

/// Checks that each generated row (one physical line, led by its id) is in exactly one
/// output; a clean row is the input line itself, or with only the phone cell rewritten.
fn assert_fix_keeps_every_row(rows: &[(String, String, RowKind)]) -> Result<(), TestCaseError> {
    let mut text = String::from("id,name,phone\n");
    let mut lines = Vec::new();
    for (id, line) in contact_list(rows).lines().skip(1).enumerate() {
        lines.push(format!("{id},{line}"));
        text.push_str(&lines[id]);
        text.push('\n');
    }
    let (summary, clean, rejects) =
        fix_bytes(text.as_bytes()).map_err(|e| TestCaseError::fail(format!("fix failed: {e}")))?;
    prop_assert_eq!(summary.rows, rows.len() as u64);
    prop_assert_eq!(summary.clean + summary.rejected, summary.rows);
    let clean = String::from_utf8(clean).expect("clean is the input's text");
    let rejects = String::from_utf8(rejects).expect("rejects is text");
    let mut seen = vec![0u32; rows.len()];
    for (file, out) in [("clean", &clean), ("rejects", &rejects)] {
        for line in out.lines().skip(1) {
            let id: usize = line
                .split(',')
                .next()
                .and_then(|i| i.parse().ok())
                .ok_or_else(|| TestCaseError::fail(format!("{file} line without an id: {line}")))?;
            prop_assert!(id < rows.len(), "{} has an unknown row {}", file, id);
            seen[id] += 1;
            if file == "clean" && line != lines[id] {
                let (head, phone) = lines[id].rsplit_once(',').expect("three fields");
                let (out_head, out_phone) = line.rsplit_once(',').expect("three fields");
                prop_assert_eq!(head, out_head, "only the phone cell may change");
                // E.164: the reader may drop a national prefix written after the country
                // code (`+7 8 900…`), so the digits are not compared one for one.
                prop_assert!(
                    out_phone != phone
                        && out_phone.starts_with('+')
                        && (8..=16).contains(&out_phone.len())
                        && out_phone[1..].bytes().all(|b| b.is_ascii_digit()),
                    "a rewritten phone cell is E.164: {} -> {}",
                    phone,
                    out_phone
                );
            }
        }
    }
    prop_assert!(
        seen.iter().all(|&n| n == 1),
        "rows not written exactly once: {:?}\n{}",
        seen,
        text
    );
    prop_assert_eq!(clean.lines().count() as u64, summary.clean + 1);
    Ok(())
}

proptest! {
    #![proptest_config(config(FILE_CASES))]

    /// `walint fix` never loses or duplicates a row: rows in = clean + rejects, and each
    /// row, however broken, is in exactly one of the two files.
    #[test]
    fn fix_puts_every_row_in_exactly_one_file(
        rows in prop::collection::vec(
            ("[A-Za-z][A-Za-z ]{0,11}", fixable_phone_cell(), prop_oneof![
                6 => Just(RowKind::Normal),
                1 => Just(RowKind::Ragged),
                1 => Just(RowKind::UnclosedQuote),
                1 => Just(RowKind::TextAfterQuote),
                1 => Just(RowKind::StrayQuote),
            ]),
            1..150,
        )
    ) {
        assert_fix_keeps_every_row(&rows)?;
    }

    /// For any bytes with a phone header, the counts add up and nothing panics.
    #[test]
    fn fix_counts_add_up_for_any_bytes(body in csv_bytes()) {
        let mut bytes = b"name,phone\n".to_vec();
        bytes.extend_from_slice(&body);
        if let Ok((summary, _, _)) = fix_bytes(&bytes) {
            prop_assert_eq!(summary.clean + summary.rejected, summary.rows);
            let (_dir, checked) = check_bytes(&bytes);
            if let Ok(report) = checked {
                prop_assert_eq!(report.rows, summary.rows);
            }
        }
    }
}

/// How a generated contact file is written: its encoding and line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileForm {
    /// UTF-8, with or without a byte order mark; LF, CRLF, or both mixed row by row.
    Utf8 { bom: bool, crlf: LineEnds },
    /// UTF-8 with classic Mac OS line ends (a lone CR) throughout.
    CrOnly,
    /// Windows-1252 (Excel's CSV export on Windows), CRLF.
    Windows1252,
    /// UTF-16 LE with its byte order mark (Excel's "Unicode text"), CRLF.
    Utf16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnds {
    Lf,
    Crlf,
    Mixed,
}

/// One generated row: a name (possibly a long quoted multi-line cell with quotes and
/// commas in it), a phone cell, and the whitespace-only lines before it.
#[derive(Debug, Clone)]
struct FormRow {
    name: String,
    multi_line: Vec<String>,
    phone: String,
    blank_before: Vec<&'static str>,
}

fn form_row() -> impl Strategy<Value = FormRow> {
    (
        prop::sample::select(vec![
            "Ann",
            "Zoë",
            "Renée",
            "Muñoz",
            "Jürgen €",
            "Ravi, \"R\"",
        ]),
        prop_oneof![
            4 => Just(Vec::new()),
            1 => prop::collection::vec("[a-z ,\"]{0,12}", 2..90),
        ],
        fixable_phone_cell(),
        prop::collection::vec(prop::sample::select(vec!["", " ", "\t", " \t "]), 0..3),
    )
        .prop_map(|(name, multi_line, phone, blank_before)| FormRow {
            name: name.to_string(),
            multi_line,
            phone,
            blank_before,
        })
}

fn file_form() -> impl Strategy<Value = FileForm> {
    prop_oneof![
        3 => (any::<bool>(), prop::sample::select(vec![LineEnds::Lf, LineEnds::Crlf, LineEnds::Mixed]))
            .prop_map(|(bom, crlf)| FileForm::Utf8 { bom, crlf }),
        1 => Just(FileForm::CrOnly),
        1 => Just(FileForm::Windows1252),
        1 => Just(FileForm::Utf16),
    ]
}

/// A CSV field: quoted when it must be, quotes doubled.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

impl FileForm {
    /// The line ending of row `i` (the header is row 0).
    fn ending(self, i: usize) -> &'static str {
        match self {
            FileForm::Utf8 {
                crlf: LineEnds::Lf, ..
            } => "\n",
            FileForm::Utf8 {
                crlf: LineEnds::Mixed,
                ..
            } if i % 2 == 1 => "\n",
            FileForm::CrOnly => "\r",
            _ => "\r\n",
        }
    }

    /// Text in this form's encoding (with its byte order mark when `first`).
    fn encode(self, text: &str, first: bool) -> Vec<u8> {
        match self {
            FileForm::Utf8 { bom: true, .. } if first => {
                [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat()
            }
            FileForm::Windows1252 => encoding_rs::WINDOWS_1252.encode(text).0.into_owned(),
            FileForm::Utf16 => {
                let mark: &[u8] = if first { b"\xFF\xFE" } else { b"" };
                mark.iter()
                    .copied()
                    .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect()
            }
            _ => text.as_bytes().to_vec(),
        }
    }

    /// An output's bytes as text.
    fn decode(self, bytes: &[u8]) -> String {
        match self {
            FileForm::Windows1252 => encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            FileForm::Utf16 => {
                let body = bytes
                    .strip_prefix(b"\xFF\xFE")
                    .expect("UTF-16 output keeps its mark");
                let units: Vec<u16> = body
                    .chunks(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16(&units).expect("UTF-16 output")
            }
            _ => String::from_utf8(
                bytes
                    .strip_prefix(b"\xEF\xBB\xBF")
                    .unwrap_or(bytes)
                    .to_vec(),
            )
            .expect("UTF-8 output"),
        }
    }
}

/// The rows as one file of `form`: each row's text (blank lines before it excluded) and
/// the whole file's bytes.
fn form_file(form: FileForm, rows: &[FormRow]) -> (String, Vec<String>, Vec<u8>) {
    let header = format!("id,name,phone{}", form.ending(0));
    let mut text = header.clone();
    let mut row_texts = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let eol = form.ending(i + 1);
        for blank in &row.blank_before {
            text.push_str(blank);
            text.push_str(eol);
        }
        let name = if row.multi_line.is_empty() {
            row.name.clone()
        } else {
            format!("{}{eol}{}", row.name, row.multi_line.join(eol))
        };
        let line = format!("{i},{},{}{eol}", csv_field(&name), row.phone);
        text.push_str(&line);
        row_texts.push(line);
    }
    let bytes = form.encode(&text, true);
    (header, row_texts, bytes)
}

/// Parses CSV text with the `csv` crate (any line ends, ragged records allowed), dropping
/// whitespace-only records (blank lines); returns the records and how many were dropped.
fn parse_csv(text: &str) -> Result<(Vec<Vec<String>>, u64), TestCaseError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut blank = 0;
    for record in reader.records() {
        let record = record.map_err(|e| TestCaseError::fail(format!("not CSV: {e}")))?;
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if fields.iter().all(|f| f.trim().is_empty()) {
            blank += 1;
        } else {
            records.push(fields);
        }
    }
    Ok((records, blank))
}

/// `walint fix` on a file of any form: both outputs are read back by the `csv` crate with
/// every row in exactly one of them; the clean file is the input's header, blank lines and
/// clean rows byte for byte in the input's encoding (a fixed row's phone cell excepted);
/// a rejected row keeps its cells.
fn assert_fix_keeps_every_form(form: FileForm, rows: &[FormRow]) -> Result<(), TestCaseError> {
    let (header, row_texts, bytes) = form_file(form, rows);
    let (summary, clean, rejects) =
        fix_bytes(&bytes).map_err(|e| TestCaseError::fail(format!("fix failed: {e}")))?;
    prop_assert_eq!(summary.rows, rows.len() as u64);
    prop_assert_eq!(summary.clean + summary.rejected, summary.rows);
    let blank_lines: u64 = rows.iter().map(|r| r.blank_before.len() as u64).sum();
    prop_assert_eq!(summary.blank_lines, blank_lines);
    let (clean_records, _) = parse_csv(&form.decode(&clean))?;
    let (reject_records, _) = parse_csv(&form.decode(&rejects))?;
    prop_assert_eq!(&clean_records[0], &vec!["id", "name", "phone"]);
    prop_assert_eq!(
        &reject_records[0],
        &vec![
            "id",
            "name",
            "phone",
            "walint_row",
            "walint_line",
            "walint_codes",
            "walint_reasons"
        ]
    );
    let mut seen = vec![0u32; rows.len()];
    let mut expected_clean = header;
    let mut clean_phone = std::collections::HashMap::new();
    for record in &clean_records[1..] {
        let id: usize = record[0]
            .parse()
            .map_err(|_| TestCaseError::fail("an id"))?;
        seen[id] += 1;
        prop_assert_eq!(record.len(), 3);
        clean_phone.insert(id, record[2].clone());
    }
    for record in &reject_records[1..] {
        let id: usize = record[0]
            .parse()
            .map_err(|_| TestCaseError::fail("an id"))?;
        seen[id] += 1;
        prop_assert_eq!(
            record.len(),
            7,
            "a rejected row keeps its three cells and adds four"
        );
        prop_assert_eq!(&record[2], &rows[id].phone);
        // The rows are numbered from 1 in the order written (blank lines are not rows).
        prop_assert_eq!(&record[3], &(id + 1).to_string());
    }
    prop_assert!(
        seen.iter().all(|&n| n == 1),
        "rows not written exactly once: {:?}",
        seen
    );
    for (i, (row, text)) in rows.iter().zip(&row_texts).enumerate() {
        let eol = form.ending(i + 1);
        for blank in &row.blank_before {
            expected_clean.push_str(blank);
            expected_clean.push_str(eol);
        }
        if let Some(phone) = clean_phone.get(&i) {
            let body = text.strip_suffix(eol).unwrap_or(text);
            let kept = body
                .strip_suffix(row.phone.as_str())
                .expect("the phone is last");
            expected_clean.push_str(kept);
            expected_clean.push_str(phone);
            expected_clean.push_str(eol);
        }
    }
    prop_assert!(
        clean == form.encode(&expected_clean, true),
        "the clean file is not the input's rows byte for byte:\n{:?}\n{:?}",
        form.decode(&clean),
        expected_clean
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(FILE_CASES))]

    /// `walint fix` keeps every row of a file in any form it meets — UTF-8 with or
    /// without a byte order mark, Windows-1252, UTF-16; LF, CRLF, mixed or CR-only line
    /// ends; long quoted multi-line cells; whitespace-only lines — in exactly one output,
    /// byte for byte, and both outputs parse back with the `csv` crate.
    #[test]
    fn fix_keeps_every_row_of_every_file_form(
        form in file_form(),
        rows in prop::collection::vec(form_row(), 1..40),
    ) {
        assert_fix_keeps_every_form(form, &rows)?;
    }
}

// ---------------------------------------------------------------------------------------
// Any JSON as payloads and registries
// ---------------------------------------------------------------------------------------

/// Cases for the in-memory JSON properties.
const JSON_CASES: u32 = 128;

/// Template names and languages shared by the payload and registry generators, so that
/// generated messages find their definitions and the template rules run.
const TEMPLATE_NAMES: &[&str] = &["order_update", "promo", "otp_code", "Bad-Name"];
const LANGUAGES: &[&str] = &["en_US", "en", "pt_BR"];

/// Strings that matter to walint, or anything (Unicode included).
fn json_string() -> BoxedStrategy<String> {
    let special = prop::sample::select(vec![
        "",
        " ",
        "  padded  ",
        "{{1}}",
        "{{ 2 }}",
        "{{first_name}}",
        "{{",
        "}}",
        "é\u{301}ü",
        "\u{feff}",
        "a\nb",
        "\t",
        "\"",
        "~0~1/",
        "+447400123456",
        "messaging_product",
        "template",
        "https://example.com/{{1}}",
        "\u{1F600}\u{200D}\u{1F600}",
    ])
    .prop_map(String::from);
    prop_oneof![
        3 => any::<String>(),
        2 => special,
        1 => "[a-z_]{0,12}",
        1 => "[ \\t]{0,2}[^{}]{0,20}\\{\\{[^{}]{0,4}\\}\\}[^{}]{0,20}",
        1 => (".{0,3}", 0usize..1400).prop_map(|(s, n)| s.repeat(n)),
    ]
    .boxed()
}

/// Object keys: the ones walint reads, or anything.
fn json_key() -> BoxedStrategy<String> {
    let known = prop::sample::select(vec![
        "messaging_product",
        "to",
        "type",
        "template",
        "name",
        "language",
        "code",
        "components",
        "parameters",
        "sub_type",
        "index",
        "text",
        "data",
        "status",
        "parameter_format",
        "buttons",
        "cards",
        "format",
        "example",
        "parameter_name",
        "error",
        "message",
        "",
        "a/b",
        "m~n",
    ])
    .prop_map(String::from);
    prop_oneof![2 => known, 1 => any::<String>()].boxed()
}

/// A JSON scalar.
fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-3i64..5).prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        json_string().prop_map(Value::String),
    ]
    .boxed()
}

/// Any JSON value, nested a few levels deep.
fn any_json() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((json_key(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
        .boxed()
}

/// A value from `shaped` most of the time, else any JSON value.
fn mostly(shaped: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![5 => shaped, 1 => any_json()].boxed()
}

/// A string from `choices` (most of the time) or any JSON value.
fn one_of(choices: &[&'static str]) -> BoxedStrategy<Value> {
    mostly(prop::sample::select(choices.to_vec()).prop_map(Value::from))
}

/// An object from optional fields, plus a few arbitrary members.
fn object(fields: Vec<(&'static str, BoxedStrategy<Option<Value>>)>) -> BoxedStrategy<Value> {
    object_with(fields, json_key())
}

/// An object from optional fields, plus a few arbitrary members under keys from `keys`.
fn object_with(
    fields: Vec<(&'static str, BoxedStrategy<Option<Value>>)>,
    keys: BoxedStrategy<String>,
) -> BoxedStrategy<Value> {
    let extra = prop::collection::vec((keys, any_json()), 0..2);
    (fields, extra, any::<bool>())
        .prop_map(|(fields, extra, extra_first)| {
            let mut map = Map::new();
            let fields = fields
                .into_iter()
                .filter_map(|(k, v)| Some((k.to_string(), v?)));
            if extra_first {
                map.extend(extra);
                map.extend(fields);
            } else {
                map.extend(fields);
                map.extend(extra);
            }
            Value::Object(map)
        })
        .boxed()
}

/// A field that is present with probability 1 - 1/`absent_one_in`.
fn field(
    name: &'static str,
    value: BoxedStrategy<Value>,
    absent_one_in: u32,
) -> (&'static str, BoxedStrategy<Option<Value>>) {
    let present = absent_one_in.saturating_sub(1).max(1);
    let strategy = prop_oneof![
        present => value.prop_map(Some),
        1 => Just(None),
    ]
    .boxed();
    (name, strategy)
}

/// One parameter a message sends.
fn sent_parameter() -> BoxedStrategy<Value> {
    let text = prop_oneof![
        3 => json_string().prop_map(Value::String),
        1 => any_json(),
    ]
    .boxed();
    let media = object(vec![field(
        "link",
        one_of(&["https://x/a.png", "", "ftp://"]),
        4,
    )]);
    mostly(object(vec![
        field(
            "type",
            one_of(&[
                "text",
                "TEXT",
                "currency",
                "date_time",
                "image",
                "video",
                "document",
                "payload",
                "coupon_code",
                "action",
                "location",
            ]),
            8,
        ),
        field("text", text.clone(), 3),
        field(
            "parameter_name",
            one_of(&["first_name", "1", "order", ""]),
            3,
        ),
        field("image", media.clone(), 4),
        field("video", media.clone(), 6),
        field("document", media, 6),
        field("payload", text.clone(), 5),
        field("coupon_code", text.clone(), 6),
        field(
            "currency",
            object(vec![field("fallback_value", text.clone(), 3)]),
            6,
        ),
        field(
            "date_time",
            object(vec![field("fallback_value", text, 3)]),
            6,
        ),
    ]))
}

/// A list of at most `max` values of `element`, or any JSON value.
fn list(element: BoxedStrategy<Value>, max: usize) -> BoxedStrategy<Value> {
    mostly(prop::collection::vec(element, 0..=max).prop_map(Value::Array))
}

/// One component a message sends (`cards`: whether it may hold carousel cards).
fn sent_component(cards: bool) -> BoxedStrategy<Value> {
    let mut fields = vec![
        field(
            "type",
            one_of(&[
                "header",
                "body",
                "BODY",
                "button",
                "footer",
                "carousel",
                "limited_time_offer",
            ]),
            10,
        ),
        field(
            "sub_type",
            one_of(&[
                "url",
                "quick_reply",
                "copy_code",
                "flow",
                "catalog",
                "voice_call",
                "URL",
            ]),
            2,
        ),
        field(
            "index",
            mostly(prop_oneof![
                (0i64..4).prop_map(Value::from),
                prop::sample::select(vec!["0", "1", "x", "-1"]).prop_map(Value::from),
            ]),
            2,
        ),
        field("parameters", list(sent_parameter(), 4), 5),
    ];
    if cards {
        let card = object(vec![
            field("card_index", mostly((0i64..3).prop_map(Value::from)), 3),
            field("components", list(sent_component(false), 3), 5),
        ]);
        fields.push(field("cards", list(card, 3), 4));
    }
    mostly(object(fields))
}

/// A message payload: a template message most of the time, reaching the template rules.
fn payload() -> BoxedStrategy<Value> {
    let to = mostly(prop_oneof![
        json_string().prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        "\\+?[0-9 ]{0,16}".prop_map(Value::String),
    ]);
    let language = mostly(object(vec![
        field("code", one_of(LANGUAGES), 10),
        field("policy", one_of(&["deterministic"]), 3),
    ]));
    let template = mostly(object(vec![
        field("name", one_of(TEMPLATE_NAMES), 10),
        field("language", language, 10),
        field("components", list(sent_component(true), 5), 6),
    ]));
    let text = object(vec![field(
        "body",
        mostly(json_string().prop_map(Value::String)),
        6,
    )]);
    object(vec![
        field("messaging_product", one_of(&["whatsapp"]), 20),
        field("recipient_type", one_of(&["individual"]), 3),
        field("to", to, 10),
        field(
            "type",
            mostly(prop_oneof![
                4 => Just(Value::from("template")),
                1 => prop::sample::select(vec!["text", "image", "interactive"]).prop_map(Value::from),
            ]),
            8,
        ),
        field("template", template, 8),
        field("text", text, 4),
    ])
}

/// The messages of a payload file: one message, an array of them, or any JSON.
fn payload_document() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => payload(),
        3 => prop::collection::vec(payload(), 0..5).prop_map(Value::Array),
        1 => prop::collection::vec(mostly(payload()), 0..5).prop_map(Value::Array),
        1 => any_json(),
    ]
    .boxed()
}

/// A value from `shaped` nearly always, else any JSON value: template definitions must
/// mostly be read for the rules to judge them.
fn rarely(shaped: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![3000 => shaped, 1 => any_json()].boxed()
}

/// A string from `choices` nearly always, else any JSON value.
fn rarely_one_of(choices: &[&'static str]) -> BoxedStrategy<Value> {
    rarely(prop::sample::select(choices.to_vec()).prop_map(Value::from))
}

/// A list of at most `max` values of `element`, nearly always.
fn rarely_list(element: BoxedStrategy<Value>, max: usize) -> BoxedStrategy<Value> {
    rarely(prop::collection::vec(element, 0..=max).prop_map(Value::Array))
}

/// An object from optional fields, plus arbitrary members under arbitrary keys.
fn quiet_object(fields: Vec<(&'static str, BoxedStrategy<Option<Value>>)>) -> BoxedStrategy<Value> {
    object_with(fields, any::<String>().boxed())
}

/// A template text: placeholders, braces and words in any order.
fn template_text() -> BoxedStrategy<Value> {
    let piece = prop_oneof![
        4 => prop::sample::select(vec![
            "{{1}}",
            "{{ 2 }}",
            "{{3}}",
            "{{0}}",
            "{{10}}",
            "{{first_name}}",
            "{{ order_id }}",
            "{{First-Name}}",
            "{{ }}",
            "{{",
            "}}",
            "{",
            "Hello ",
            " ",
            "\n",
            "é",
            "*bold*",
        ])
        .prop_map(String::from),
        1 => json_string(),
    ];
    rarely(prop::collection::vec(piece, 0..8).prop_map(|p| Value::String(p.concat())))
}

/// A button of a BUTTONS component, with arbitrary extra members.
fn template_button() -> BoxedStrategy<Value> {
    rarely(quiet_object(vec![
        field(
            "type",
            rarely_one_of(&[
                "URL",
                "QUICK_REPLY",
                "PHONE_NUMBER",
                "COPY_CODE",
                "OTP",
                "FLOW",
                "url",
            ]),
            10,
        ),
        field("text", template_text(), 5),
        field(
            "url",
            rarely(
                prop::sample::select(vec![
                    "https://x.com/{{1}}",
                    "https://x.com/",
                    "https://x.com/{{1}}/{{2}}",
                    "{{1}}",
                ])
                .prop_map(Value::from),
            ),
            2,
        ),
        field("phone_number", rarely_one_of(&["+447400123456", ""]), 4),
        field("example", any_json(), 4),
    ]))
}

/// One component of a template definition (`cards`: whether it may hold carousel cards).
fn template_component(cards: bool) -> BoxedStrategy<Value> {
    let mut fields = vec![
        field(
            "type",
            rarely_one_of(&[
                "HEADER",
                "BODY",
                "FOOTER",
                "BUTTONS",
                "CAROUSEL",
                "LIMITED_TIME_OFFER",
                "body",
            ]),
            12,
        ),
        field(
            "format",
            rarely_one_of(&["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION", "text"]),
            2,
        ),
        field("text", template_text(), 4),
        field("buttons", rarely_list(template_button(), 4), 3),
        field("example", any_json(), 4),
    ];
    if cards {
        let card = quiet_object(vec![field(
            "components",
            rarely_list(template_component(false), 3),
            6,
        )]);
        fields.push(field("cards", rarely_list(card, 3), 4));
    }
    rarely(quiet_object(fields))
}

/// A template definition.
fn template_definition() -> BoxedStrategy<Value> {
    quiet_object(vec![
        field("name", rarely_one_of(TEMPLATE_NAMES), 20),
        field("language", rarely_one_of(LANGUAGES), 10),
        field(
            "status",
            rarely_one_of(&["APPROVED", "PENDING", "REJECTED", "PAUSED", "approved"]),
            5,
        ),
        field(
            "category",
            rarely_one_of(&["MARKETING", "UTILITY", "AUTHENTICATION"]),
            3,
        ),
        field(
            "parameter_format",
            rarely_one_of(&["POSITIONAL", "NAMED", "named", "OTHER"]),
            2,
        ),
        field("components", rarely_list(template_component(true), 5), 10),
        field("id", rarely_one_of(&["1234567890"]), 3),
    ])
}

/// A template definition with one member (of the template, or of its first component or
/// that component's first button) replaced by any JSON value: mostly a wrong type.
fn broken_template_definition() -> BoxedStrategy<Value> {
    let key = prop::sample::select(vec![
        "name",
        "language",
        "status",
        "parameter_format",
        "components",
        "type",
        "format",
        "text",
        "buttons",
        "cards",
        "url",
    ]);
    (template_definition(), 0usize..3, key, any_json())
        .prop_map(|(mut t, depth, key, value)| {
            let at = ["", "/components/0", "/components/0/buttons/0"][depth];
            if let Some(obj) = t.pointer_mut(at).and_then(Value::as_object_mut) {
                obj.insert(key.to_string(), value);
            }
            t
        })
        .boxed()
}

/// A registry document: mostly a Graph API export, sometimes the other shapes or any JSON.
fn registry_document() -> BoxedStrategy<Value> {
    let element = prop_oneof![
        16 => template_definition(),
        1 => broken_template_definition(),
        1 => any_json(),
    ];
    let items = prop::collection::vec(element, 0..5);
    prop_oneof![
        6 => (items.clone(), prop::option::of(any_json())).prop_map(|(items, paging)| {
            let mut map = Map::new();
            map.insert("data".into(), Value::Array(items));
            if let Some(paging) = paging {
                map.insert("paging".into(), paging);
            }
            Value::Object(map)
        }),
        1 => items.prop_map(Value::Array),
        1 => template_definition(),
        1 => any_json(),
    ]
    .boxed()
}

/// The one-line-per-element NDJSON form of `value` (the value itself when not an array).
fn ndjson(value: &Value) -> String {
    match value {
        Value::Array(items) => items.iter().map(|v| format!("{v}\n")).collect(),
        other => format!("{other}\n"),
    }
}

/// The files to check a document as: compact and pretty `.json`, and `.ndjson`.
fn write_forms(dir: &std::path::Path, stem: &str, value: &Value) -> Vec<std::path::PathBuf> {
    let forms = [
        (format!("{stem}.json"), value.to_string()),
        (
            format!("{stem}-pretty.json"),
            serde_json::to_string_pretty(value).expect("serialise"),
        ),
        (format!("{stem}.ndjson"), ndjson(value)),
    ];
    forms
        .into_iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text).expect("write temp file");
            path
        })
        .collect()
}

/// Checks the findings of a report: every JSON location has a pointer (`""` or starting
/// with `/`), and a line and column of at least 1 when it has them.
fn assert_json_locations(report: &Report) -> Result<(), TestCaseError> {
    for d in &report.diagnostics.to_vec().unwrap() {
        if let Location::Json {
            pointer, line, col, ..
        } = &d.location
        {
            prop_assert!(
                pointer.is_empty() || pointer.starts_with('/'),
                "{} at malformed pointer {:?}: {}",
                d.code(),
                pointer,
                d.message
            );
            prop_assert!(
                line.is_none_or(|l| l >= 1),
                "{} at line 0: {:?}",
                d.code(),
                d
            );
            prop_assert!(
                col.is_none_or(|c| c >= 1),
                "{} at column 0: {:?}",
                d.code(),
                d
            );
        }
    }
    Ok(())
}

/// Runs the check over `paths` with `registry` files, and checks what it reports.
fn check_json(
    paths: Vec<std::path::PathBuf>,
    registry: Vec<std::path::PathBuf>,
) -> Result<(), TestCaseError> {
    let overrides = Overrides {
        paths,
        registry,
        ..Overrides::default()
    };
    let options = CheckOptions::from_config(&walint::config::Config::default(), overrides)
        .map_err(|e| TestCaseError::fail(format!("options: {e}")))?;
    match walint::check::run(&options) {
        Ok(report) => assert_json_locations(&report),
        Err(_) => Ok(()),
    }
}

proptest! {
    #![proptest_config(config(FILE_CASES))]

    /// Any JSON, and payload-shaped JSON above all, as a payload file (compact, pretty and
    /// NDJSON): no panic, and every finding's location is well formed.
    #[test]
    fn any_payload_file_checks_safely(messages in payload_document()) {
        let dir = tempfile::tempdir().expect("temp dir");
        for path in write_forms(dir.path(), "messages", &messages) {
            if let Ok(report) = support::check(&[path.as_path()], None) {
                assert_json_locations(&report)?;
            }
        }
    }

    /// Any registry document given as a path (linted with the registry rules): no panic,
    /// and every finding's location is well formed.
    #[test]
    fn any_registry_file_checks_safely(registry in registry_document()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("templates.json");
        std::fs::write(&path, serde_json::to_string_pretty(&registry).expect("serialise"))
            .expect("write temp file");
        check_json(vec![path], Vec::new())?;
    }

    /// Payloads checked against a registry: payloads written for its templates (with
    /// values missing, extra, long, blank or of the wrong type) or sharing its template
    /// names and languages, so that the template rules run deep. No panic, and
    /// well-formed locations.
    #[test]
    fn payloads_against_any_registry_check_safely(
        (registry, messages) in prop_oneof![
            3 => registry_and_matching_payloads(),
            1 => (registry_document(), payload_document()),
        ],
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let registry_path = dir.path().join("registry.json");
        std::fs::write(&registry_path, registry.to_string()).expect("write temp file");
        for path in write_forms(dir.path(), "messages", &messages) {
            check_json(vec![path], vec![registry_path.clone()])?;
        }
        // The registry also linted as a path, next to the payloads.
        let paths = vec![registry_path.clone(), dir.path().join("messages.ndjson")];
        check_json(paths, vec![registry_path])?;
    }
}

/// Text that is JSON, JSON cut short or with a byte changed, or anything at all.
fn json_text() -> BoxedStrategy<String> {
    let doc = prop_oneof![registry_document(), payload_document(), any_json()];
    prop_oneof![
        2 => (doc.clone(), any::<bool>()).prop_map(|(v, pretty)| if pretty {
            serde_json::to_string_pretty(&v).expect("serialise")
        } else {
            v.to_string()
        }),
        1 => (doc.clone(), any::<Index>()).prop_map(|(v, cut)| {
            let text = v.to_string();
            let mut at = cut.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text[..at].to_string()
        }),
        1 => (doc, any::<Index>(), prop::sample::select(vec!['"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', '~', '/']))
            .prop_map(|(v, at, c)| {
                let mut chars: Vec<char> = v.to_string().chars().collect();
                let at = at.index(chars.len() + 1);
                if at < chars.len() {
                    chars[at] = c;
                } else {
                    chars.push(c);
                }
                chars.into_iter().collect()
            }),
        1 => any::<String>(),
        1 => "[\u{feff}]?[ \\n]*[\\[{\"a-z0-9:,\\]}\\\\ ~/]{0,40}",
    ]
    .boxed()
}

/// An RFC 6901 pointer, well formed or not.
fn any_pointer() -> BoxedStrategy<String> {
    let token = prop_oneof![
        json_key(),
        prop::sample::select(vec![
            "0",
            "1",
            "2",
            "01",
            "-",
            "~",
            "~0",
            "~1",
            "~2",
            "a~",
            "99999999999999999999999",
            "18446744073709551615",
        ])
        .prop_map(String::from),
    ];
    prop_oneof![
        3 => prop::collection::vec(token, 0..6).prop_map(|t| t.iter().map(|t| format!("/{t}")).collect()),
        1 => any::<String>(),
        1 => Just(String::new()),
    ]
    .boxed()
}

/// Every pointer into `value` (the document's own, `""`, included).
fn pointers_of(value: &Value, base: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers_of(v, format!("{base}/{}", json_locate::escape_token(k)), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers_of(v, format!("{base}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(base);
}

proptest! {
    #![proptest_config(config(JSON_CASES))]

    /// The registry reader takes any text: no panic; each template it reads stands at a
    /// pointer that is found in the text.
    #[test]
    fn registry_reader_takes_any_text(text in json_text()) {
        if let Ok(templates) = registry::read("t.json", &text) {
            for t in &templates {
                prop_assert_eq!(&*t.source.path, "t.json");
                prop_assert!(
                    json_locate::locate(&text, &t.source.pointer).is_some(),
                    "template at {:?} not found in {}", t.source.pointer, text
                );
            }
        }
    }

    /// Arbitrary strings, too.
    #[test]
    fn registry_reader_takes_any_string(text in any::<String>()) {
        let _ = registry::read("t.json", &text);
    }

    /// Locating any pointer in any text never panics, and a position found is 1-based.
    #[test]
    fn locate_takes_any_text_and_pointer(text in json_text(), pointer in any_pointer()) {
        if let Some((line, col)) = json_locate::locate(&text, &pointer) {
            prop_assert!(line >= 1 && col >= 1, "({}, {}) for {:?}", line, col, pointer);
        }
    }

    /// In a JSON document (compact or pretty, perhaps with a byte-order mark), every value
    /// is found, where the value parses.
    #[test]
    fn locate_finds_every_value(
        value in prop_oneof![any_json(), payload_document(), registry_document()],
        pretty in any::<bool>(),
        bom in any::<bool>(),
        pick in any::<Index>(),
    ) {
        let body = if pretty {
            serde_json::to_string_pretty(&value).expect("serialise")
        } else {
            value.to_string()
        };
        let text = if bom { format!("\u{feff}{body}") } else { body.clone() };
        // Compare with the text read back (floats need not survive a round trip exactly).
        let parsed: Value = serde_json::from_str(&body).expect("own output parses");
        let mut all = Vec::new();
        pointers_of(&parsed, String::new(), &mut all);
        let pointer = &all[pick.index(all.len())];
        let place = json_locate::locate(&text, pointer);
        prop_assert!(place.is_some_and(|(l, c)| l >= 1 && c >= 1), "{:?} not found in {}", pointer, text);
        let offset = json_locate::offset_of(&text, pointer).expect("found above");
        let found = serde_json::Deserializer::from_str(&text[offset..])
            .into_iter::<Value>()
            .next()
            .expect("a value")
            .expect("valid JSON at the offset");
        prop_assert_eq!(Some(&found), parsed.pointer(pointer), "{:?} in {}", pointer, text);
    }
}

/// The parameters a message sends for `placeholders` (by position or by name), with one
/// perhaps dropped or one extra, and values that are long, blank, padded or anything.
fn parameters_for(placeholders: Vec<String>, named: bool) -> BoxedStrategy<Value> {
    let value = prop_oneof![
        4 => json_string().prop_map(Value::String),
        1 => any_json(),
    ];
    let n = placeholders.len();
    (
        prop::collection::vec((value, prop::sample::select(vec!["text", "text", "text", "currency", "image"])), n..=n),
        prop::option::of(any::<Index>()),
        prop::option::of(sent_parameter()),
    )
        .prop_map(move |(values, drop, extra)| {
            let mut params: Vec<Value> = values
                .into_iter()
                .zip(&placeholders)
                .map(|((text, kind), name)| {
                    let mut p = Map::new();
                    p.insert("type".into(), kind.into());
                    if kind == "currency" {
                        p.insert("currency".into(), serde_json::json!({"fallback_value": text, "code": "USD", "amount_1000": 1000}));
                    } else {
                        p.insert("text".into(), text);
                    }
                    if named {
                        p.insert("parameter_name".into(), name.clone().into());
                    }
                    Value::Object(p)
                })
                .collect();
            if let Some(at) = drop.filter(|_| !params.is_empty()) {
                params.remove(at.index(params.len()));
            }
            params.extend(extra);
            Value::Array(params)
        })
        .boxed()
}

/// A template message for the definition `t`: its name and language, and the components
/// its placeholders call for, filled with generated values.
fn payload_for(t: &Value) -> BoxedStrategy<Value> {
    let named = t["parameter_format"]
        .as_str()
        .is_some_and(|f| f.eq_ignore_ascii_case("NAMED"));
    let names = |text: &Value| -> Vec<String> {
        text.as_str()
            .map(walint::template::placeholders)
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    let mut components: Vec<BoxedStrategy<Value>> = Vec::new();
    for c in t["components"].as_array().into_iter().flatten() {
        let kind = c["type"].as_str().unwrap_or_default().to_ascii_lowercase();
        match kind.as_str() {
            "header" | "body" => {
                let kind = kind.clone();
                components.push(
                    parameters_for(names(&c["text"]), named)
                        .prop_map(move |ps| serde_json::json!({"type": kind, "parameters": ps}))
                        .boxed(),
                );
            }
            "buttons" => {
                for (i, b) in c["buttons"].as_array().into_iter().flatten().enumerate() {
                    let url = names(&b["url"]);
                    if url.is_empty() {
                        continue;
                    }
                    components.push(
                        parameters_for(url, false)
                            .prop_map(move |ps| {
                                serde_json::json!({"type": "button", "sub_type": "url", "index": i, "parameters": ps})
                            })
                            .boxed(),
                    );
                }
            }
            _ => {}
        }
    }
    let head = serde_json::json!({
        "messaging_product": "whatsapp",
        "to": "+447400123456",
        "type": "template",
        "template": {"name": t["name"], "language": {"code": t["language"]}},
    });
    (components, any::<bool>())
        .prop_map(move |(components, with_components)| {
            let mut message = head.clone();
            if with_components || !components.is_empty() {
                message["template"]["components"] = Value::Array(components);
            }
            message
        })
        .boxed()
}

/// A registry and payloads written for its templates (some of them mistaken), so that
/// every template rule gets to judge.
fn registry_and_matching_payloads() -> BoxedStrategy<(Value, Value)> {
    registry_document()
        .prop_flat_map(|registry| {
            let templates: Vec<Value> = match &registry {
                Value::Object(o) if o.contains_key("data") => {
                    o["data"].as_array().cloned().unwrap_or_default()
                }
                Value::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            let mut choices: Vec<BoxedStrategy<Value>> = templates
                .iter()
                .filter(|t| t["name"].is_string() && t["language"].is_string())
                .map(payload_for)
                .collect();
            choices.push(payload());
            let message = prop::strategy::Union::new(choices);
            let messages = prop_oneof![
                1 => message.clone(),
                3 => prop::collection::vec(message, 1..5).prop_map(Value::Array),
            ];
            (Just(registry), messages)
        })
        .boxed()
}

proptest! {
    #![proptest_config(config(CHEAP_CASES))]

    /// Any bytes sniff without a panic, and a type is only named from a known signature.
    #[test]
    fn any_bytes_sniff_safely(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Some(kind) = walint::media::sniff::sniff(&bytes) {
            prop_assert!(kind.contains('/'), "{kind}");
        }
    }

    /// Any link (signed-looking or not) is read for an expiry without a panic.
    #[test]
    fn any_link_reads_its_expiry_safely(
        query in "(X-Amz-Date=[0-9T]{0,17}Z?|X-Amz-Expires=-?[0-9]{0,20}|se=[0-9:%A-Z-]{0,24}|sig=x|Expires=-?[0-9]{0,22}|%[0-9a-zA-Z]{0,2}|&|=|\\+){0,6}",
    ) {
        let _ = walint::media::signed_url::expiry(&format!("https://cdn.example/x.jpg?{query}"));
    }

    /// Any JSON gives media links whose pointers lead to the link itself.
    #[test]
    fn any_message_gives_links_that_point_at_themselves(
        message in prop_oneof![any_json(), media_message()],
    ) {
        for link in walint::media::links::find(&message) {
            prop_assert_eq!(message.pointer(&link.pointer).and_then(Value::as_str), Some(link.url));
        }
    }
}

/// Media messages and template headers with any values where links go.
fn media_message() -> BoxedStrategy<Value> {
    let kind = one_of(&["image", "video", "audio", "document", "sticker", "text"]);
    (kind.clone(), any_json(), kind, any_json())
        .prop_map(|(kind, link, header_kind, header_link)| {
            let kind = kind.as_str().unwrap_or("image").to_string();
            let header_kind = header_kind.as_str().unwrap_or("image").to_string();
            serde_json::json!({
                "type": "template",
                "image": {"link": link.clone()},
                "template": {"components": [
                    {"type": "header", "parameters": [
                        {"type": header_kind, header_kind.clone(): {"link": header_link}}
                    ]},
                    {"type": "carousel", "cards": [{"components": [
                        {"type": "HEADER", "parameters": [{"type": kind, kind.clone(): {"link": link}}]}
                    ]}]}
                ]}
            })
        })
        .boxed()
}
