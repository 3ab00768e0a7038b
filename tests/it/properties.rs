//! Property tests (proptest) for the promises that hold for every input, not just the
//! fixtures: reading a phone cell never panics and only ever yields well-formed E.164 that
//! reads back as itself; checking any bytes as a contact list never panics and keeps its
//! findings inside the file and in report order; and a contact list never loses a row,
//! however its rows are broken. This file owns those properties and their generators.

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
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
        for d in &report.diagnostics {
            let line = d.location.line();
            prop_assert!(
                (2..=lines).contains(&line),
                "{} on line {} of a {}-line file: {}", d.code, line, lines, d.message
            );
        }
        for pair in report.diagnostics.windows(2) {
            let key = |d: &walint::diagnostic::Diagnostic| {
                (d.location.path().to_string(), d.location.line(), d.code)
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
}

impl RowKind {
    fn malformed(self) -> bool {
        self != RowKind::Normal
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
        .iter()
        .filter(|d| d.code == "WAC000")
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
    /// own unreadable row and the rows after it are still read.
    #[test]
    fn never_loses_a_row(rows in prop::collection::vec(row(), 1..200)) {
        assert_no_row_lost(&rows)?;
    }
}

/// A fixed case of what `never_loses_a_row` finds (its minimised case is two `a,"oops`
/// lines in a row): an unclosed quote followed, within 64 lines, by another row holding a
/// quote. The CSV reader takes the second quote as closing the first, so every line from
/// the first to the second is one record, reported once as "text follows a field's
/// closing quote"; the rows in between (here B's valid number) and the second row's own
/// fault are never checked. Fails until the reader recovers from such a record as it does
/// from an unclosed quote (reading its lines again one by one).
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
