//! A spreadsheet cell's value as the text a contact list means by it: the digits of a
//! number exactly, dates in ISO 8601, booleans and error values as Excel writes them; and
//! as a CSV file may hold it without turning into a formula there. It knows nothing of
//! where the cell came from (see `workbook`).

use std::borrow::Cow;

use calamine::{Data, DataRef};

/// A cell's value as the text the list means (see the module's documentation).
pub(super) fn text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) => date_time(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// A whole-range cell (xls, xlsb, ods) as the cell reader gives xlsx cells.
pub(super) fn data_ref(d: &Data) -> DataRef<'_> {
    match d {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(t) => DataRef::DateTime(*t),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

/// An Excel date serial (days since 1899-12-30, the 1900 date system) as ISO 8601 local
/// date-time text, to the second.
fn date_time(serial: f64) -> String {
    let seconds = (serial * 86_400.0).round();
    let epoch = jiff::civil::date(1899, 12, 30).at(0, 0, 0, 0);
    match jiff::SignedDuration::try_from_secs_f64(seconds)
        .ok()
        .and_then(|d| epoch.checked_add(d).ok())
    {
        Some(t) => t.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
        None => number(serial),
    }
}

/// A numeric cell as text: a whole number below 10^15 (every phone number) as its digits,
/// anything else as Rust's shortest exact decimal.
fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A cell's text as a CSV file written from a spreadsheet holds it: inert. A text cell
/// holding `=HYPERLINK(...)` or `@SUM(...)` is text in the workbook, but a spreadsheet
/// program opening the CSV runs it as a formula (CSV injection). As OWASP's guidance on CSV
/// injection says, a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// gets a leading `'`, which spreadsheet programs show as text — except a number or a phone
/// number (`+919876543210`, `-3`, `+1 (415) 555-2671`: a sign, then only digits and the
/// spaces, dots, dashes, slashes and brackets numbers are written with), which no program
/// runs and which must reach the list unchanged.
pub fn inert_in_csv(cell: &str) -> Cow<'_, str> {
    let Some(first) = cell.chars().next() else {
        return Cow::Borrowed(cell);
    };
    let live = match first {
        '=' | '@' | '\t' | '\r' => true,
        '+' | '-' => !cell[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '/' | '(' | ')' | ',')),
        _ => false,
    };
    if live {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_digits() {
        assert_eq!(number(919876543210.0), "919876543210");
        assert_eq!(number(14155552671.0), "14155552671");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(1e20), "100000000000000000000");
        assert_eq!(date_time(45627.5), "2024-12-01T12:00:00");
    }

    #[test]
    fn formulas_are_made_inert_and_numbers_are_not() {
        for live in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "@SUM(A1:A2)",
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(inert_in_csv(live), format!("'{live}"), "{live:?}");
        }
        for kept in [
            "+919876543210",
            "+1 (415) 555-2671",
            "-3",
            "-1.5",
            "Asha",
            "a=b",
            "",
            "2024-12-01",
        ] {
            assert_eq!(inert_in_csv(kept), kept, "{kept:?}");
        }
    }
}
