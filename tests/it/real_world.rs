//! Contact files as people really upload them (issue: "Contact files as people really
//! upload them"): each test is one real-world form — an export from Excel in each of its
//! encodings, old Mac line ends, long quoted cells, lists with no header or with headers in
//! other languages, the messes spreadsheets and scripts make of numbers, WhatsApp IDs — and
//! asserts the exact findings, the exact exit-2 message, or the exact bytes `walint fix`
//! writes. The files are generated in the test. Spawns the real binary.

use std::path::Path;

use crate::support::{self, FixRun, findings, fix_list, json_report, places, walint, write};

/// `text` in UTF-16 LE, with its byte order mark when `bom`.
fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mark: &[u8] = if bom { b"\xFF\xFE" } else { b"" };
    let units = text.encode_utf16().flat_map(u16::to_le_bytes);
    mark.iter().copied().chain(units).collect()
}

/// The bytes of `name` in `dir`.
fn bytes(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

/// The columns `walint fix` adds to a rejected row: `,"ROW","LINE","CODES","REASONS"`.
fn reasons(delimiter: char, (row, line): (u64, u64), codes: &str, reasons: &str) -> String {
    let d = delimiter;
    format!("{d}\"{row}\"{d}\"{line}\"{d}\"{codes}\"{d}\"{reasons}\"")
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

/// `4799123456` is a US number (area code 479) or a Norwegian mobile: with no region and no
/// word that numbers start with their country code, `fix` must not choose a country.
#[test]
fn digits_that_state_no_country_are_never_fixed_into_one() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| fix_list(dir.path(), "phone\n4799123456\n", extra);
    let FixRun {
        code,
        clean,
        rejects,
    } = run(&[]);
    assert_eq!(code, Some(1));
    assert_eq!(clean, "phone\n");
    assert!(
        rejects.starts_with("phone,\"walint_row\",\"walint_line\",\"walint_codes\",\"walint_reasons\"\n4799123456,\"1\",\"2\",\"WAC001\",")
            && rejects.contains("calling code +47 (NO)"),
        "{rejects}"
    );
    // In the US the bare digits are also a number of area code 479: two valid readings,
    // so the row is still rejected, saying both; written as a US number, it is fixed.
    let FixRun {
        code,
        clean,
        rejects,
    } = run(&["--default-region", "US"]);
    assert_eq!((code, clean.as_str()), (Some(1), "phone\n"));
    assert!(rejects.contains("two different valid numbers"), "{rejects}");
    let FixRun { code, clean, .. } = fix_list(
        dir.path(),
        "phone\n(479) 912-3456\n",
        &["--default-region", "US"],
    );
    assert_eq!((code, clean.as_str()), (Some(0), "phone\n+14799123456\n"));
    let FixRun { code, clean, .. } = run(&["--assume-international"]);
    assert_eq!((code, clean.as_str()), (Some(0), "phone\n+4799123456\n"));
}

/// A row with fields missing is padded in the rejects, so its codes and reasons stand
/// under `walint_codes` and `walint_reasons` (a row with fields too many keeps them all).
#[test]
fn a_short_row_is_padded_in_the_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let run = fix_list(
        dir.path(),
        "name,phone,city\nAsha\nRavi,+919812345678,Pune\n",
        &[],
    );
    assert_eq!(run.code, Some(1));
    let rejects = run.rejects;
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(
        lines[0],
        "name,phone,city,\"walint_row\",\"walint_line\",\"walint_codes\",\"walint_reasons\""
    );
    assert!(
        lines[1].starts_with("Asha,\"\",\"\",\"1\",\"2\",\"WAC000\",\""),
        "{rejects}"
    );
}

/// A UTF-8 byte order mark stays at the start of both outputs (Excel needs it to show
/// `Zoë` rather than `ZoÃ«`).
#[test]
fn the_byte_order_mark_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let run = fix_list(
        dir.path(),
        "\u{feff}name,phone\nZoë,+919812345678\nAsha,x\n",
        &[],
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(run.clean, "\u{feff}name,phone\nZoë,+919812345678\n");
    assert!(
        run.rejects
            .starts_with("\u{feff}name,phone,\"walint_row\",\"walint_line\",\"walint_codes\""),
        "{}",
        run.rejects
    );
}

/// Excel's "CSV (Comma delimited)" on Windows writes Windows-1252 (`Zoë` is one byte,
/// 0xEB): every row is read (the file is reported once, at the first line that is not
/// UTF-8), and `fix` writes both outputs back in Windows-1252, rows byte for byte.
#[test]
fn a_windows_1252_export() {
    let dir = tempfile::tempdir().unwrap();
    let list = b"name,phone\r\nAnn,+14155552671\r\nZo\xEB,+1415555267\r\nRen\xE9e,+14155552673\r\n";
    let path = write(dir.path(), "list.csv", list);
    let (rows, found) = findings(&path, 1);
    assert_eq!(rows, 3);
    assert_eq!(places(&found), [("WAC002", 3), ("WAC011", 3)]);
    assert_eq!(
        found[1].2,
        "the file is not UTF-8: read as windows-1252 from this line on (the lines before it are plain ASCII)"
    );
    let run = fix_list(dir.path(), list, &[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        bytes(dir.path(), "clean.csv"),
        b"name,phone\r\nAnn,+14155552671\r\nRen\xE9e,+14155552673\r\n"
    );
    let why = reasons(
        ',',
        (2, 3),
        "WAC002",
        "WAC002: phone is not a valid number: it is too short for its country",
    );
    let rejects = [
        &b"name,phone,\"walint_row\",\"walint_line\",\"walint_codes\",\"walint_reasons\"\r\n"[..],
        b"Zo\xEB,+1415555267",
        why.as_bytes(),
        b"\r\n",
    ]
    .concat();
    assert_eq!(bytes(dir.path(), "rejects.csv"), rejects);
    // Stated, the file is read so without a word; a label that is no encoding is exit 2.
    let report = json_report(
        walint()
            .args([
                "check",
                "--no-config",
                "--format",
                "json",
                "--encoding",
                "latin1",
            ])
            .arg(&path),
        1,
    );
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 1);
    walint()
        .args(["check", "--no-config", "--encoding", "klingon"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "'klingon' is not an encoding label",
        ));
}

/// A UTF-8 file with a damaged row is not taken for a legacy one: valid UTF-8 came first,
/// so the bad row alone is WAC000.
#[test]
fn a_damaged_utf8_file() {
    let dir = tempfile::tempdir().unwrap();
    let list = b"name,phone\nZo\xC3\xAB,+14155552671\nAnn\xFF,+14155552672\n";
    let (rows, found) = findings(&write(dir.path(), "list.csv", list), 1);
    assert_eq!(rows, 2);
    assert_eq!(places(&found), [("WAC000", 3)]);
    assert_eq!(found[0].2, "row cannot be read: the row is not valid UTF-8");
}

/// Excel's "Unicode text" is UTF-16 LE with a byte order mark, tab-delimited, CRLF: read
/// as such, and `fix` writes UTF-16 LE with the mark; UTF-16 BE and a file without the
/// mark read the same.
#[test]
fn a_utf16_unicode_text_export() {
    let dir = tempfile::tempdir().unwrap();
    let header = "phone\tname\r\n";
    let good = "+14155552671\tZoë\r\n";
    let bad = "+1415555267\tAnn\r\n";
    let list = utf16le(&format!("{header}{good}{bad}"), true);
    let path = write(dir.path(), "list.txt", &list);
    let (rows, found) = findings(&path, 1);
    assert_eq!((rows, places(&found)), (2, vec![("WAC002", 3)]));
    let run = fix_list(dir.path(), &list, &[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        bytes(dir.path(), "clean.csv"),
        utf16le(&format!("{header}{good}"), true)
    );
    let why = reasons(
        '\t',
        (2, 3),
        "WAC002",
        "WAC002: phone is not a valid number: it is too short for its country",
    );
    let rejects = format!(
        "phone\tname\t\"walint_row\"\t\"walint_line\"\t\"walint_codes\"\t\"walint_reasons\"\r\n+1415555267\tAnn{why}\r\n"
    );
    assert_eq!(bytes(dir.path(), "rejects.csv"), utf16le(&rejects, true));
    // Big-endian with its mark, and little-endian with none.
    let be: Vec<u8> = b"\xFE\xFF"
        .iter()
        .copied()
        .chain(
            format!("{header}{good}")
                .encode_utf16()
                .flat_map(u16::to_be_bytes),
        )
        .collect();
    let (rows, found) = findings(&write(dir.path(), "be.txt", be), 0);
    assert_eq!((rows, found.len()), (1, 0));
    let unmarked = utf16le(&format!("{header}{good}"), false);
    let (rows, found) = findings(&write(dir.path(), "le.txt", unmarked), 0);
    assert_eq!((rows, found.len()), (1, 0));
    // The byte order mark wins over a stated encoding (as in WHATWG decoding).
    let report = json_report(
        walint()
            .args([
                "check",
                "--no-config",
                "--format",
                "json",
                "--encoding",
                "windows-1252",
            ])
            .arg(dir.path().join("list.txt")),
        1,
    );
    assert_eq!(report["summary"]["rows"], 2);
}

/// Headers in the languages lists come in, with `;` (Excel in most of Europe) and a
/// second candidate column named in a warning.
#[test]
fn headers_in_other_languages_and_two_candidate_columns() {
    let dir = tempfile::tempdir().unwrap();
    for header in [
        "Telefon",
        "Teléfono",
        "Celular",
        "Móvil",
        "Phone Number (with country code)",
        "WhatsApp No.",
    ] {
        let list = format!("Nombre;{header}\nAna;+34612345678\n");
        let (rows, found) = findings(&write(dir.path(), "list.csv", list), 0);
        assert_eq!((rows, found.len()), (1, 0), "{header}");
    }
    let list = "Nombre;Teléfono;Móvil\nAna;+34912345678;+34612345678\n";
    let (_, found) = findings(&write(dir.path(), "two.csv", list), 0);
    assert_eq!(places(&found), [("WAC003", 2), ("WAC012", 2)]);
    assert_eq!(
        found[1].2,
        "two columns could be the phone column: 'Teléfono' is read, 'Móvil' is not"
    );
    // Named, it is silent and the named column is read.
    let report = json_report(
        walint()
            .args([
                "check",
                "--no-config",
                "--format",
                "json",
                "--phone-column",
                "Móvil",
            ])
            .arg(dir.path().join("two.csv")),
        0,
    );
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 0);
}

/// A file with no header whose first row holds no phone number: exit 2, saying what to
/// do, with no number in the message; with `--no-header --phone-column 2` it is read.
#[test]
fn a_header_less_file_whose_first_row_has_no_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "list.csv", "Asha,unknown\nRavi,+14155552671\n");
    let out = walint()
        .args(["check", "--no-config", "--no-header"])
        .arg(&path)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("no cell of the first row reads as a phone number")
            && stderr.contains("--phone-column N")
            && !stderr.contains("4155552671"),
        "{stderr}"
    );
    let report = json_report(
        walint()
            .args(["check", "--no-config", "--format", "json", "--no-header"])
            .args(["--phone-column", "2"])
            .arg(&path),
        1,
    );
    assert_eq!(report["summary"]["rows"], 2);
    assert_eq!(report["diagnostics"][0]["location"]["line"], 1);
}

/// What spreadsheets and scripts make of a number: each gets a message that says what
/// happened, and a fix where the number is whole.
#[test]
fn numbers_as_spreadsheets_and_scripts_write_them() {
    let dir = tempfile::tempdir().unwrap();
    let list = "name,phone\n\
                A,9.19876E+11\n\
                B,919876543210.0\n\
                C,whatsapp:+919876543211\n\
                D,tel:+14155552671\n\
                E,(415) 555-2672\n";
    let (_, found) = findings(&write(dir.path(), "list.csv", list), 1);
    let messages: Vec<&str> = found.iter().map(|(_, _, m)| m.as_str()).collect();
    assert_eq!(
        messages,
        [
            "phone is not E.164 (it is in scientific notation, as Excel shows a long number): \
             scientific notation kept only its first digits and the rest are lost",
            "phone is not E.164 (it is written as a decimal number ending `.0` (or `,0`), as \
             a float column is) and names no country: read as international it starts with calling \
             code +91 (IN)",
            "phone is not E.164 (it starts with a `whatsapp:` or `tel:` prefix); it reads as a \
             valid number",
            "phone is not E.164 (it starts with a `whatsapp:` or `tel:` prefix); it reads as a \
             valid number",
            "phone is not E.164 (it holds spaces, dashes, dots or brackets) and cannot be read \
             as a valid number: it has no country code and no default region is set \
             (`--default-region`)",
        ]
    );
    let run = fix_list(dir.path(), list, &["--assume-international"]);
    assert_eq!(
        run.clean,
        "name,phone\nB,+919876543210\nC,+919876543211\nD,+14155552671\n"
    );
    let run = fix_list(dir.path(), list, &["--default-region", "US"]);
    assert!(run.clean.ends_with("E,+14155552672\n"), "{}", run.clean);
    // Excel in comma-decimal locales writes `;` lists with `,0` and `9,19876E+11`.
    let list = "name;phone\nA;9,19876E+11\nB;919876543210,0\n";
    let (_, found) = findings(&write(dir.path(), "de.csv", list), 1);
    assert!(found[0].2.contains("the rest are lost"), "{found:?}");
    let run = fix_list(dir.path(), list, &["--assume-international"]);
    assert_eq!(run.clean, "name;phone\nB;+919876543210\n");
}

/// WhatsApp IDs from webhooks: Mexico's `521…` and Brazil's eight-digit mobiles get their
/// current form (fixed where the country is certain), and are the same contact as it;
/// Argentina's number without the mobile 9 is only a hint.
#[test]
fn whatsapp_id_forms() {
    let dir = tempfile::tempdir().unwrap();
    let list = "wa_id\n5215512345678\n+551191234567\n+5511991234567\n+541112345678\n";
    let (_, found) = findings(&write(dir.path(), "list.csv", list), 1);
    assert_eq!(
        places(&found),
        [("WAC013", 2), ("WAC013", 3), ("WAC004", 4), ("WAC003", 5)]
    );
    let run = fix_list(dir.path(), list, &["--assume-international"]);
    assert_eq!(
        run.clean,
        "wa_id\n+525512345678\n+5511991234567\n+541112345678\n"
    );
    assert!(
        run.rejects
            .contains("+5511991234567,\"3\",\"4\",\"WAC004\""),
        "{}",
        run.rejects
    );
    // Without a word on the country, the bare wa_id is not rewritten.
    let run = fix_list(dir.path(), "wa_id\n5215512345678\n", &[]);
    assert_eq!(run.clean, "wa_id\n");
}

/// Whitespace-only lines are not rows: `check` passes over them, and `fix` keeps them in
/// the clean file where they stood and counts them.
#[test]
fn whitespace_only_lines_are_kept_by_fix() {
    let dir = tempfile::tempdir().unwrap();
    let list = "phone,name\n+14155552671,A\n\n\t\n+1415555267,B\n+14155552672,C\n \n";
    let (rows, _) = findings(&write(dir.path(), "list.csv", list), 1);
    assert_eq!(rows, 3);
    let out = walint()
        .current_dir(dir.path())
        .args([
            "fix",
            "--no-config",
            "list.csv",
            "--clean",
            "c.csv",
            "--rejects",
            "r.csv",
        ])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("3 blank lines (not rows) kept in the clean file where they stood"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("c.csv")).unwrap(),
        "phone,name\n+14155552671,A\n\n\t\n+14155552672,C\n \n"
    );
    let FixRun { rejects, .. } = fix_list(dir.path(), list, &[]);
    assert!(rejects.starts_with("phone,name,\"walint_row\",\"walint_line\",\"walint_codes\",\"walint_reasons\"\n+1415555267,B,"));
}

/// An Excel workbook: numbers stored as numbers keep every digit (Excel may *show*
/// `9.19876E+11`), empty rows are not rows, findings point at the sheet's cells, and `fix`
/// writes CSV.
#[test]
fn an_excel_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.xlsx");
    support::xlsx(
        &path,
        "Kunden",
        &[
            &["name", "phone", "city"],
            &["Asha", "919876543210", "Pune"],
            &["Ravi", "+91 98123 45678", "Delhi, \"Old\""],
            &["", "", ""],
            &["Meera", "#12345", "Mumbai"],
            // Excel stores no empty cell: this row is two cells wide, not a ragged row.
            &["Dev", "#+919833333333"],
        ],
    );
    let report = json_report(
        walint()
            .args([
                "check",
                "--no-config",
                "--format",
                "json",
                "--default-region",
                "IN",
            ])
            .arg(&path),
        1,
    );
    assert_eq!(report["summary"]["rows"], 4);
    let schema = crate::schema::validator("report.schema.json");
    crate::schema::assert_valid(&schema, &report, "a spreadsheet's report");
    let located: Vec<(String, u64, String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let at = &d["location"];
            (
                d["code"].as_str().unwrap().to_string(),
                at["line"].as_u64().unwrap(),
                at["sheet"].as_str().unwrap().to_string(),
                at["cell"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("WAC001", 2, "Kunden", "B2"),
        ("WAC001", 3, "Kunden", "B3"),
        ("WAC001", 5, "Kunden", "B5"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(c, l, s, x)| (c.to_string(), *l, s.to_string(), x.to_string()))
        .collect();
    assert_eq!(located, want);
    // The text format names the cell as Excel does.
    let out = walint()
        .args(["check", "--no-config", "--default-region", "IN"])
        .arg(&path)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("list.xlsx:Kunden!B5: WAC001"), "{stdout}");
    // fix: CSV outputs, said so.
    let out = walint()
        .current_dir(dir.path())
        .args(["fix", "--no-config", "list.xlsx", "--default-region", "IN"])
        .args(["--clean", "clean.csv", "--rejects", "rejects.csv"])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("read sheet 'Kunden' of the spreadsheet; both outputs are CSV"),
        "{stdout}"
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    // UTF-8 with a byte order mark, so that Excel reads it as UTF-8.
    assert_eq!(
        read("clean.csv"),
        "\u{feff}name,phone,city\nAsha,+919876543210,Pune\nRavi,+919812345678,\"Delhi, \"\"Old\"\"\"\nDev,+919833333333,\n"
    );
    assert!(read("rejects.csv").starts_with(
        "\u{feff}name,phone,city,\"walint_row\",\"walint_line\",\"walint_codes\",\"walint_reasons\"\nMeera,12345,Mumbai,\"3\",\"5\",\"WAC001\""
    ),
        "{}",
        read("rejects.csv")
    );
    // Another sheet by name; one the workbook lacks is exit 2 naming those it has.
    walint()
        .args(["check", "--no-config", "--sheet", "Sheet9"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no sheet 'Sheet9' (the workbook has: Kunden)",
        ));
}
