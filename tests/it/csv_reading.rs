//! Reading contact lists whose quoting is off, as a user meets it: a quote opened by
//! mistake and closed by a stray quote some rows further on costs only its own row (the
//! rows it swallowed are read and checked one by one, and `walint fix` keeps them), while a
//! legitimate multi-line cell stays one row, in a well-formed row or a ragged one; LF and
//! CRLF files alike. Spawns the real binary.

use crate::support::{findings, places, walint, write};

/// A list whose line 2 opens a quote by mistake; the stray quote at the end of line 4
/// closes it, so read as RFC 4180 lines 2–4 are one record of one field. Line 3 has a bad
/// number, line 5 a quote inside a name (plain text).
const STRAY_QUOTE: &str = "name,phone,city\n\
                           \"Asha,+919876543210,Pune\n\
                           Ravi,98111,Delhi\n\
                           Meera,+919811111111,Mumbai\"\n\
                           Dev \"D\",+919833333333,Chennai\n";

/// `text` with LF line ends, or the same with CRLF.
fn with_line_ends(text: &str, crlf: bool) -> String {
    if crlf {
        text.replace('\n', "\r\n")
    } else {
        text.to_string()
    }
}

#[test]
fn a_stray_quote_costs_only_its_own_row() {
    let dir = tempfile::tempdir().unwrap();
    for crlf in [false, true] {
        let path = write(dir.path(), "list.csv", with_line_ends(STRAY_QUOTE, crlf));
        let (rows, found) = findings(&path, 1);
        // Line 2 is unreadable; lines 3–5 are rows of their own again, so Ravi's bad
        // number (line 3) is found and Meera's and Dev's rows are checked and pass.
        assert_eq!(rows, 4, "crlf: {crlf}");
        assert_eq!(
            places(&found),
            [("WAC000", 2), ("WAC001", 3)],
            "crlf: {crlf}: {found:?}"
        );
        assert!(
            found[0].2.ends_with("a quoted field is never closed"),
            "{found:?}"
        );
    }
}

#[test]
fn fix_keeps_the_rows_a_stray_quote_swallowed() {
    let dir = tempfile::tempdir().unwrap();
    let input = with_line_ends(STRAY_QUOTE, true);
    let path = write(dir.path(), "list.csv", &input);
    let out = walint()
        .current_dir(dir.path())
        .args(["fix", "--no-config", "list.csv"])
        .args(["--clean", "clean.csv", "--rejects", "rejects.csv"])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with("4 rows in: 2 clean (0 fixed) -> clean.csv, 2 rejected"),
        "{stdout}"
    );
    // Meera's and Dev's rows, byte for byte (the stray quotes are their text).
    let clean = std::fs::read_to_string(dir.path().join("clean.csv")).unwrap();
    assert_eq!(
        clean,
        "name,phone,city\r\nMeera,+919811111111,Mumbai\"\r\nDev \"D\",+919833333333,Chennai\r\n"
    );
    // Asha's and Ravi's lines, each once, in the rejects.
    let rejects = std::fs::read_to_string(dir.path().join("rejects.csv")).unwrap();
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(lines.len(), 3, "{rejects}");
    assert!(
        lines[1].starts_with("\"Asha,+919876543210,Pune,\"1\",\"2\",\"WAC000\""),
        "{rejects}"
    );
    assert!(
        lines[2].starts_with("Ravi,98111,Delhi,\"2\",\"3\",\"WAC001\""),
        "{rejects}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), input);
}

#[test]
fn a_multi_line_cell_is_one_row() {
    let dir = tempfile::tempdir().unwrap();
    for crlf in [false, true] {
        // A quoted address over two lines, in a row of the header's count; the quote in
        // `Asha "Ace` is inside a field, so plain text.
        let text = "name,phone,city\n\
                    Asha \"Ace,+919876543210,\"Flat 2, Block B\nMG Road, Pune\"\n\
                    Ravi,+919812345678,Delhi\n";
        let path = write(dir.path(), "list.csv", with_line_ends(text, crlf));
        assert_eq!(findings(&path, 0), (2, vec![]), "crlf: {crlf}");
    }
}

#[test]
fn a_multi_line_cell_in_a_ragged_row_is_one_ragged_row() {
    let dir = tempfile::tempdir().unwrap();
    for crlf in [false, true] {
        // A field too many after the address: the line that closes the address
        // (`MG Road",extra`) is no row of three fields, so the record stands and is
        // reported once, as ragged, on the line it starts on.
        let text = "name,phone,city\n\
                    Asha,+919876543210,\"Flat 2\nMG Road\",extra\n\
                    Ravi,+919812345678,Delhi\n";
        let path = write(dir.path(), "list.csv", with_line_ends(text, crlf));
        let (rows, found) = findings(&path, 1);
        assert_eq!(rows, 2, "crlf: {crlf}");
        assert_eq!(places(&found), [("WAC000", 2)], "crlf: {crlf}");
        assert!(
            found[0]
                .2
                .ends_with("the row has 4 fields where the header has 3"),
            "{found:?}"
        );
    }
}
