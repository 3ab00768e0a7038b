//! Reading contact lists whose quoting is off, as a user meets it: a quote opened by
//! mistake and closed by a stray quote some rows further on costs only its own row (the
//! rows it swallowed are read and checked one by one, and `walint fix` keeps them), while a
//! legitimate multi-line cell stays one row, in a well-formed row or a ragged one; LF and
//! CRLF files alike. Spawns the real binary.

use std::path::{Path, PathBuf};

use crate::support::{fix_list, json_report, walint};

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

/// Writes `text` to `name` in `dir`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Checks `path` with no config and the JSON report; returns the rows read and each
/// finding as (code, line, message).
fn findings(path: &Path, exit: i32) -> (u64, Vec<(String, u64, String)>) {
    let report = json_report(
        walint()
            .args(["check", "--no-config", "--offline", "--format", "json"])
            .arg(path),
        exit,
    );
    let found = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["location"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (report["summary"]["rows"].as_u64().unwrap(), found)
}

/// The (code, line) pairs of `found`.
fn places(found: &[(String, u64, String)]) -> Vec<(&str, u64)> {
    found.iter().map(|(c, l, _)| (c.as_str(), *l)).collect()
}

#[test]
fn a_stray_quote_costs_only_its_own_row() {
    let dir = tempfile::tempdir().unwrap();
    for crlf in [false, true] {
        let path = write(dir.path(), "list.csv", &with_line_ends(STRAY_QUOTE, crlf));
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
        lines[1].starts_with("\"Asha,+919876543210,Pune,\"WAC000\""),
        "{rejects}"
    );
    assert!(
        lines[2].starts_with("Ravi,98111,Delhi,\"WAC001\""),
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
        let path = write(dir.path(), "list.csv", &with_line_ends(text, crlf));
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
        let path = write(dir.path(), "list.csv", &with_line_ends(text, crlf));
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

/// Classic Mac OS line ends (a lone CR): every row is read, with its line, and `fix`
/// keeps the CRs in both outputs.
#[test]
fn cr_only_line_ends_are_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = "phone,name\r12345,A\rnot-a-phone,B\r+919876543210,\"C\rD\"\r";
    let path = write(dir.path(), "list.csv", text);
    let (rows, found) = findings(&path, 1);
    assert_eq!(rows, 3);
    assert_eq!(places(&found), [("WAC001", 2), ("WAC001", 3)]);
    let run = fix_list(dir.path(), text, &[]);
    assert_eq!(run.code, Some(1));
    let (clean, rejects) = (run.clean, run.rejects);
    assert_eq!(clean, "phone,name\r+919876543210,\"C\rD\"\r");
    assert_eq!(rejects.matches('\r').count(), 3, "{rejects:?}");
    assert!(!rejects.contains('\n'), "{rejects:?}");
}

/// A list with no header row: recognised from a first row whose cell reads as a phone
/// number, or stated with `--no-header`; `--phone-column` takes a column's number; an
/// exit-2 message never repeats a phone number.
#[test]
fn header_less_lists_and_column_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "list.csv", "+14155552671,Asha\nnot,Meera\n");
    let (rows, found) = findings(&path, 1);
    assert_eq!(rows, 2);
    assert_eq!(places(&found), [("WAC001", 2)]);
    // Stated, with the phone in the second column, given by number.
    let path = write(
        dir.path(),
        "names.csv",
        "Asha,Mumbai,+14155552671\nRavi,Pune,x\n",
    );
    let report = json_report(
        walint()
            .args(["check", "--no-config", "--format", "json", "--no-header"])
            .args(["--phone-column", "3"])
            .arg(&path),
        1,
    );
    assert_eq!(report["summary"]["rows"], 2);
    let d = &report["diagnostics"][0];
    assert_eq!(d["location"]["line"], 2);
    assert_eq!(d["location"]["column"], "column 3");
    // A header with a number-like cell but no phone column: the number is not echoed.
    let path = write(dir.path(), "odd.csv", "name,id 4155552671x\nAsha,1\n");
    let out = walint()
        .args(["check", "--no-config"])
        .arg(&path)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("saw: name, <digits>") && !stderr.contains("4155552671"),
        "{stderr}"
    );
}

/// A valid quoted cell of 70 lines (a long address from a CRM export) is one row.
#[test]
fn a_long_quoted_cell_is_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let address: Vec<String> = (1..=70).map(|i| format!("line {i}")).collect();
    let text = format!(
        "name,phone,address\nAsha,+919876543210,\"{}\"\nRavi,+919812345678,Pune\n",
        address.join("\n")
    );
    let path = write(dir.path(), "list.csv", &text);
    let (rows, found) = findings(&path, 0);
    assert_eq!(rows, 2);
    assert!(found.is_empty(), "{found:?}");
}
