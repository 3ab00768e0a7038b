//! Workbooks built to hurt: a few kilobytes that expand without end, reference cells past
//! the sheet's edge, or never end, in each format (.xlsx, .xls, .ods). Each is generated
//! here (a ZIP archive written part by part, an OLE compound file sector by sector) and
//! checked by the walint binary with an address space of 4 GiB, as a service would run it:
//! every one must end (a finding at its row, exit 1, or one clear line, exit 2), with the
//! peak memory of walint and its reader process under 512 MB. A legit workbook in each
//! format, made by the same generators, is read as the list it is.

use std::path::Path;
use std::time::Duration;

use crate::support::{self, Measured};
use crate::workbooks::*;

/// The address space walint runs in (`ulimit -v 4G`).
const ADDRESS_SPACE: u64 = 4 << 30;
/// The most memory a hostile workbook may make walint (and its reader) hold.
const MOST_RSS: u64 = 512 * 1000 * 1000;
/// Past this a run is taken as hung (the reader's own budget is seconds).
const HUNG: Duration = Duration::from_secs(120);

/// Runs `walint check --format json FILE --default-region IN` in `dir` (with its
/// walint.toml, if any) under the address-space limit, and asserts it stayed under the
/// memory bound.
fn check(dir: &Path, name: &str, bytes: &[u8]) -> Measured {
    let file = dir.join(name);
    std::fs::write(&file, bytes).expect("the workbook");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_walint"));
    command
        .current_dir(dir)
        .args(["check", "--format", "json", "--default-region", "IN"])
        .arg(&file);
    let run = support::run_measured(command, ADDRESS_SPACE, HUNG);
    assert!(
        run.peak_rss_bytes < MOST_RSS,
        "{name}: peak RSS {} bytes",
        run.peak_rss_bytes
    );
    run
}

/// The JSON report of a run that found something (exit 1).
fn report(run: &Measured) -> serde_json::Value {
    assert_eq!(run.code, Some(1), "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout).expect("a JSON report")
}

/// The one-line failure of a run that stopped (exit 2).
fn failure(run: &Measured) -> &str {
    assert_eq!(
        run.code,
        Some(2),
        "stdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    let line = run.stderr.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    line
}

/// The codes and rows of a report's findings.
fn findings(report: &serde_json::Value) -> Vec<(String, u64)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["location"]["row"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn legit_workbooks_in_every_format_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let xls_bad_row = {
        let mut cells = good_xls_cells();
        cells.extend([label(2, 0, "Ravi"), label(2, 1, "12345")]);
        cells
    };
    for (name, bytes) in [
        (
            "list.xlsx",
            xlsx(
                once(
                    good_rows()
                        + &format!(
                            r#"<row r="3">{}{}</row>"#,
                            cell("A3", "Ravi"),
                            cell("B3", "12345")
                        ),
                ),
                None,
            ),
        ),
        (
            "list.ods",
            ods(once(format!(
                "{}{}{}{}{ODS_TAIL}",
                ods_head(),
                ods_row(&["name", "phone"]),
                ods_row(&["Asha", "+919876543210"]),
                ods_row(&["Ravi", "12345"])
            ))),
        ),
        ("list.xls", cfb(&xls_stream(&xls_bad_row), None)),
    ] {
        let run = check(dir.path(), name, &bytes);
        let report = report(&run);
        assert_eq!(report["summary"]["rows"], 2, "{name}: {report}");
        let found = findings(&report);
        assert!(
            found
                .iter()
                .any(|(code, row)| code == "WAC001" && *row == 2),
            "{name}: the second row's number is not E.164: {found:?}"
        );
    }
}

#[test]
fn a_cell_past_the_last_column_is_a_finding_at_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let rows = good_rows() + &format!(r#"<row r="3">{}</row>"#, cell("FXSHRXW3", "x"));
    let run = check(dir.path(), "wide.xlsx", &xlsx(once(rows), None));
    let report = report(&run);
    assert_eq!(findings(&report), [("WAC000".to_string(), 2)], "{report}");
    let message = report["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("past the last column"), "{message}");
}

#[test]
fn a_cell_with_more_text_than_a_record_is_a_finding_at_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let huge = std::iter::once(br#"<row r="3"><c r="A3" t="inlineStr"><is><t>"#.to_vec())
        .chain(repeated("x", 64 << 20))
        .chain(std::iter::once(b"</t></is></c></row>".to_vec()));
    let rows = once(good_rows()).chain(huge);
    let run = check(dir.path(), "long.xlsx", &xlsx(Box::new(rows), None));
    let report = report(&run);
    assert_eq!(findings(&report), [("WAC000".to_string(), 2)], "{report}");
}

#[test]
fn a_workbook_that_expands_past_sheet_bytes_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("walint.toml"),
        "[limits]\nsheet_bytes = 1048576\n",
    )
    .unwrap();
    let rows = once(good_rows()).chain(repeated("<row/>", 400_000));
    let line = failure(&check(dir.path(), "bomb.xlsx", &xlsx(Box::new(rows), None))).to_string();
    assert!(
        line.contains("expands to") && line.contains("sheet_bytes"),
        "{line}"
    );
    assert!(line.contains("bomb.xlsx"), "{line}");
}

#[test]
fn a_part_larger_than_its_directory_says_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rows = once(good_rows()).chain(repeated("<row/>", 400_000));
    let mut bytes = xlsx(Box::new(rows), None);
    // The sheet's declared size, in its local header and its directory entry, set to 100.
    let name = b"xl/worksheets/sheet1.xml";
    for (signature, size_at) in [(&b"PK\x03\x04"[..], 22), (&b"PK\x01\x02"[..], 24)] {
        let at = (0..bytes.len() - 46)
            .find(|&i| {
                bytes[i..].starts_with(signature) && {
                    let name_at = if size_at == 22 { 30 } else { 46 };
                    bytes[i + name_at..].starts_with(name)
                }
            })
            .expect("the sheet's header");
        bytes[at + size_at..at + size_at + 4].copy_from_slice(&100u32.to_le_bytes());
    }
    let run = check(dir.path(), "lying.xlsx", &bytes);
    failure(&run);
}

#[test]
fn millions_of_empty_shared_strings_stop_at_the_reader_memory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("walint.toml"),
        "[limits]\nsheet_memory = 134217728\n",
    )
    .unwrap();
    let strings = std::iter::once(format!(r#"{XML}<sst xmlns="{MAIN}">"#).into_bytes())
        .chain(repeated("<si><t/></si>", 8_000_000))
        .chain(std::iter::once(b"</sst>".to_vec()));
    let shared: Part = ("xl/sharedStrings.xml", Box::new(strings));
    let bytes = xlsx(once(good_rows()), Some(shared));
    let line = failure(&check(dir.path(), "strings.xlsx", &bytes)).to_string();
    assert!(
        line.contains("needs more memory") && line.contains("sheet_memory"),
        "{line}"
    );
}

#[test]
fn an_ods_table_never_closed_ends_within_its_budget() {
    let dir = tempfile::tempdir().unwrap();
    let content = format!(
        "{}{}{}",
        ods_head(),
        ods_row(&["name", "phone"]),
        ods_row(&["Asha", "+919876543210"])
    );
    let line = failure(&check(dir.path(), "open.ods", &ods(once(content)))).to_string();
    assert!(line.contains("processor-time budget"), "{line}");
}

#[test]
fn repeated_rows_and_columns_stop_at_the_reader_memory() {
    let dir = tempfile::tempdir().unwrap();
    let content = format!(
        r#"{}{}<table:table-row table:number-rows-repeated="6000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>{ODS_TAIL}"#,
        ods_head(),
        ods_row(&["name", "phone"]),
    );
    let run = check(dir.path(), "repeated.ods", &ods(once(content)));
    let line = failure(&run).to_string();
    assert!(
        line.contains("needs more memory") && line.contains("sheet_memory"),
        "{line}"
    );
}

#[test]
fn xls_cells_at_the_far_corner_stop_at_the_reader_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut cells = good_xls_cells();
    cells.push(number(u16::MAX, u16::MAX, 1.0));
    let run = check(dir.path(), "corner.xls", &cfb(&xls_stream(&cells), None));
    let line = failure(&run).to_string();
    assert!(
        line.contains("needs more memory") && line.contains("sheet_memory"),
        "{line}"
    );
}

#[test]
fn xls_sector_chains_that_loop_end() {
    let dir = tempfile::tempdir().unwrap();
    let stream = xls_stream(&good_xls_cells());
    // The directory's sector leads back to itself: its chain never ends.
    let directory: Tamper<'_> = &|fat, _| fat[1] = 1;
    // The stream's last sector leads back to its first, and it says it is 4 GiB long.
    let stream_loop: Tamper<'_> = &|fat, entries| {
        let last = fat.iter().rposition(|&n| n == END_OF_CHAIN).unwrap();
        fat[last] = 2;
        entries[128 + 120..128 + 124].copy_from_slice(&u32::MAX.to_le_bytes());
    };
    for (name, tamper) in [("directory.xls", directory), ("stream.xls", stream_loop)] {
        let line = failure(&check(dir.path(), name, &cfb(&stream, Some(tamper)))).to_string();
        assert!(line.contains(name), "{line}");
    }
}

#[test]
fn formulas_in_text_cells_are_inert_in_the_csv_fix_writes() {
    let dir = tempfile::tempdir().unwrap();
    let rows = format!(
        r#"<row r="1">{}{}</row><row r="2">{}{}</row><row r="3">{}{}</row><row r="4">{}{}</row>"#,
        cell("A1", "name"),
        cell("B1", "phone"),
        cell(
            "A2",
            "=HYPERLINK(&quot;http://evil.test&quot;,&quot;x&quot;)"
        ),
        cell("B2", "+919876543210"),
        cell("A3", "@SUM(1+1)*cmd|' /C calc'!A0"),
        cell("B3", "+919812345678"),
        cell("A4", "-3"),
        cell("B4", "+919898989898"),
    );
    std::fs::write(dir.path().join("list.xlsx"), xlsx(once(rows), None)).unwrap();
    support::walint()
        .current_dir(dir.path())
        .args([
            "fix",
            "--no-config",
            "list.xlsx",
            "--clean",
            "clean.csv",
            "--rejects",
            "rejects.csv",
        ])
        .assert()
        .success();
    let clean = std::fs::read_to_string(dir.path().join("clean.csv")).unwrap();
    assert!(
        clean.contains("\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",+919876543210"),
        "{clean}"
    );
    assert!(
        clean.contains("'@SUM(1+1)*cmd|' /C calc'!A0,+919812345678"),
        "{clean}"
    );
    assert!(clean.contains("\n-3,+919898989898"), "{clean}");
    // A CSV input is copied byte for byte, whatever its cells hold.
    let csv = "name,phone\n=HYPERLINK(\"x\"),+919876543210\n";
    std::fs::write(dir.path().join("list.csv"), csv).unwrap();
    support::walint()
        .current_dir(dir.path())
        .args([
            "fix",
            "--no-config",
            "list.csv",
            "--clean",
            "clean2.csv",
            "--rejects",
            "rejects2.csv",
        ])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("clean2.csv")).unwrap(),
        csv
    );
}

/// Writes the spreadsheet fuzz targets' seeds (fuzz/README.md) into
/// `$WALINT_FUZZ_SEEDS/{xlsx,xls,ods}/`: each format's legit workbook and each hostile one
/// of this file (at a size a fuzzer can mutate), whole (a first byte 0) and, where the
/// target builds the container itself, as its parts (a first byte 1).
#[test]
#[ignore = "writes fuzz seeds: WALINT_FUZZ_SEEDS=DIR cargo test --test it fuzz_seeds -- --ignored"]
fn fuzz_seeds() {
    let Some(dir) = std::env::var_os("WALINT_FUZZ_SEEDS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let write = |target: &str, name: &str, mode: u8, bytes: &[u8]| {
        let at = dir.join(target);
        std::fs::create_dir_all(&at).unwrap();
        let mut seed = vec![mode];
        seed.extend(bytes);
        std::fs::write(at.join(name), seed).unwrap();
    };
    let sheets = [
        ("good", good_rows()),
        (
            "wide",
            good_rows() + &format!(r#"<row r="3">{}</row>"#, cell("FXSHRXW3", "x")),
        ),
        (
            "late",
            good_rows() + &format!(r#"<row r="1048577">{}</row>"#, cell("A1048577", "x")),
        ),
        (
            "long",
            good_rows() + &format!(r#"<row r="3">{}</row>"#, cell("A3", &"x".repeat(4096))),
        ),
    ];
    for (name, rows) in &sheets {
        write(
            "xlsx",
            &format!("{name}.xlsx"),
            0,
            &xlsx(once(rows.clone()), None),
        );
        write("xlsx", &format!("{name}-parts"), 1, rows.as_bytes());
    }
    let strings = format!(r#"{XML}<sst xmlns="{MAIN}"><si><t>name</t></si><si><t/></si></sst>"#);
    let shared_rows =
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>"#;
    write(
        "xlsx",
        "shared-parts",
        1,
        format!("{shared_rows}\n--\n{strings}").as_bytes(),
    );
    let good_ods = format!(
        "{}{}{}{ODS_TAIL}",
        ods_head(),
        ods_row(&["name", "phone"]),
        ods_row(&["Asha", "+919876543210"])
    );
    let open_ods = format!("{}{}", ods_head(), ods_row(&["name", "phone"]));
    let repeated_ods = format!(
        r#"{}<table:table-row table:number-rows-repeated="60"><table:table-cell table:number-columns-repeated="160" office:value-type="float" office:value="1"/></table:table-row>{ODS_TAIL}"#,
        ods_head()
    );
    for (name, content) in [
        ("good", good_ods),
        ("open", open_ods),
        ("repeated", repeated_ods),
    ] {
        write(
            "ods",
            &format!("{name}.ods"),
            0,
            &ods(once(content.clone())),
        );
        write("ods", &format!("{name}-parts"), 1, content.as_bytes());
    }
    let stream = xls_stream(&good_xls_cells());
    let mut corner = good_xls_cells();
    corner.push(number(u16::MAX, u16::MAX, 1.0));
    let looped: Tamper<'_> = &|fat, _| fat[1] = 1;
    write("xls", "good.xls", 0, &cfb(&stream, None));
    write("xls", "good-parts", 1, &stream);
    write("xls", "corner-parts", 1, &xls_stream(&corner));
    write("xls", "loop.xls", 0, &cfb(&stream, Some(looped)));
}

#[test]
fn a_sheet_name_longer_than_any_is_cut_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let name = "n".repeat(200_000);
    let run = check(
        dir.path(),
        "named.xlsx",
        &xlsx_named(&name, once(good_rows()), None),
    );
    // Read as the list it is, its sheet's name cut.
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["rows"], 1, "{report}");
}

#[test]
fn cells_spread_wider_than_the_workbook_accounts_for_stop_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    // Every row has a cell in column XFC, the 16,383rd: a few bytes of XML, thousands of
    // cells.
    let rows = once(good_rows()).chain(Box::new((3..5003).map(|r| {
        format!(
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>+9198765{r:05}</t></is></c>{}</row>"#,
            cell(&format!("XFC{r}"), "x")
        )
        .into_bytes()
    })));
    let line = failure(&check(dir.path(), "wide.xlsx", &xlsx(Box::new(rows), None))).to_string();
    assert!(line.contains("wider than its size accounts for"), "{line}");
}

#[test]
fn a_padded_ods_that_never_ends_stops_within_a_budget_for_what_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let content = format!("{}{}", ods_head(), ods_row(&["name", "phone"]));
    // Parts calamine never reads (an image) do not buy processor time; parts it may read
    // (a 60 MiB one here) buy a little, bounded for any workbook of the default size.
    let bytes = zip_of(vec![
        part("mimetype", ODS_MIME),
        part(
            "META-INF/manifest.xml",
            format!(
                r#"{XML}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIME}"/></manifest:manifest>"#
            ),
        ),
        ("Pictures/padding.png", repeated("\0", 200 << 20)),
        ("padding.xml", repeated("\0", 60 << 20)),
        ("content.xml", once(content)),
    ]);
    let line = failure(&check(dir.path(), "padded.ods", &bytes)).to_string();
    assert!(line.contains("processor-time budget (3 s"), "{line}");
}
