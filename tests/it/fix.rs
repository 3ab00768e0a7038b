//! `walint fix`: the demo list split into clean and rejects, rows copied byte for byte
//! (quoting and line endings kept, only a fixable phone cell rewritten), outputs never
//! over the input unless `--in-place`, and campaign rules with `--campaign`.

use std::path::Path;

use crate::support::{demo_copy, json_report, walint};

fn data_rows(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    csv_rows(&text)
}

/// Rows after the header, read with walint's own CSV reader (a quoted cell may span lines).
fn csv_rows(text: &str) -> usize {
    let mut reader = walint::input::csv_records::RecordReader::new(text.as_bytes(), None).unwrap();
    let mut record = walint::input::csv_records::Record::default();
    let mut n = 0;
    while reader.read(&mut record).unwrap() {
        n += 1;
    }
    n - 1
}

#[test]
fn the_demo_splits_into_clean_and_rejects() {
    let dir = demo_copy();
    let out = walint()
        .current_dir(dir.path())
        .args([
            "fix",
            "contacts.csv",
            "--clean",
            "clean.csv",
            "--rejects",
            "rejects.csv",
        ])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with(
            "201 rows in: 188 clean (4 fixed) -> clean.csv, 13 rejected -> rejects.csv"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("WAC004  duplicate-recipient"), "{stdout}");
    assert_eq!(data_rows(&dir.path().join("clean.csv")), 188);
    assert_eq!(data_rows(&dir.path().join("rejects.csv")), 13);
    let rejects = std::fs::read_to_string(dir.path().join("rejects.csv")).unwrap();
    assert!(rejects.starts_with(
        "name,phone,city,opt_in,first_name,coupon,\"walint_row\",\"walint_line\",\"walint_codes\",\"walint_reasons\"\n"
    ));
    // The clean list passes a check with the same config: nothing at error left.
    let report = json_report(
        walint().current_dir(dir.path()).args([
            "check",
            "--format",
            "json",
            "--fail-on",
            "error",
            "clean.csv",
        ]),
        0,
    );
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");
    assert_eq!(report["summary"]["rows"], 188);
}

#[test]
fn rows_are_copied_byte_for_byte_but_the_fixed_cell() {
    let dir = tempfile::tempdir().unwrap();
    let input = "name,phone,note\r\n\
                 \"Asha, K\",098765 43210,\"said \"\"hi\"\"\"\r\n\
                 Ravi,\"+91 98123 45678\",\"two\nlines\"\r\n\
                 Dup,+919876543210,x\r\n\
                 Bad,12,x\r\n";
    std::fs::write(dir.path().join("in.csv"), input).unwrap();
    walint()
        .current_dir(dir.path())
        .args(["fix", "--no-config", "--default-region", "IN", "in.csv"])
        .args(["--clean", "clean.csv", "--rejects", "rejects.csv"])
        .assert()
        .code(1);
    let clean = std::fs::read_to_string(dir.path().join("clean.csv")).unwrap();
    assert_eq!(
        clean,
        "name,phone,note\r\n\
         \"Asha, K\",+919876543210,\"said \"\"hi\"\"\"\r\n\
         Ravi,+919812345678,\"two\nlines\"\r\n"
    );
    let rejects = std::fs::read_to_string(dir.path().join("rejects.csv")).unwrap();
    let lines: Vec<&str> = rejects.split("\r\n").collect();
    assert!(
        lines[1].starts_with(
            "Dup,+919876543210,x,\"3\",\"5\",\"WAC004\",\"WAC004: the same recipient is on line 2\""
        ),
        "{rejects}"
    );
    assert!(
        lines[2].starts_with("Bad,12,x,\"4\",\"6\",\"WAC001"),
        "{rejects}"
    );
    assert_eq!(csv_rows(&rejects), 2);
}

#[test]
fn outputs_never_overwrite_the_input_unless_in_place() {
    let dir = demo_copy();
    let before = std::fs::read(dir.path().join("contacts.csv")).unwrap();
    walint()
        .current_dir(dir.path())
        .args([
            "fix",
            "contacts.csv",
            "--clean",
            "contacts.csv",
            "--rejects",
            "r.csv",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is the input"));
    walint()
        .current_dir(dir.path())
        .args([
            "fix",
            "contacts.csv",
            "--clean",
            "r.csv",
            "--rejects",
            "r.csv",
        ])
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read(dir.path().join("contacts.csv")).unwrap(),
        before
    );
    assert!(!dir.path().join("r.csv").exists());
    walint()
        .current_dir(dir.path())
        .args([
            "fix",
            "contacts.csv",
            "--in-place",
            "--rejects",
            "rejects.csv",
        ])
        .assert()
        .code(1);
    assert_eq!(
        std::fs::read(dir.path().join("contacts.csv.bak")).unwrap(),
        before
    );
    assert_eq!(data_rows(&dir.path().join("contacts.csv")), 188);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_campaign_rejects_rows_whose_message_fails() {
    let dir = demo_copy();
    let out = walint()
        .current_dir(dir.path())
        .args(["fix", "contacts.csv", "--campaign", "diwali-offer"])
        .args(["--clean", "clean.csv", "--rejects", "rejects.csv"])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with("201 rows in: 185 clean (3 fixed)"),
        "{stdout}"
    );
    for code in ["WAC009", "WAT011", "WAT013", "WAT014"] {
        assert!(stdout.contains(code), "{code} in {stdout}");
    }
    assert_eq!(
        data_rows(&dir.path().join("clean.csv")) + data_rows(&dir.path().join("rejects.csv")),
        201
    );
}

#[test]
fn json_results_give_every_row_its_status_and_agree_with_the_outputs() {
    let dir = demo_copy();
    let d = dir.path();
    let out = walint()
        .current_dir(d)
        .args(["fix", "--campaign", "diwali-offer", "contacts.csv"])
        .args([
            "--clean",
            "clean.csv",
            "--rejects",
            "rejects.csv",
            "--format",
            "json",
        ])
        .assert()
        .code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let (summary, rows) = lines.split_last().unwrap();
    let summary = &summary["summary"];
    // One result per row, in row order, each with its physical line.
    assert_eq!(rows.len() as u64, summary["rows"].as_u64().unwrap());
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["row"], i as u64 + 1);
        assert!(r["line"].as_u64().unwrap() > i as u64);
    }
    let count = |status: &str| rows.iter().filter(|r| r["status"] == status).count();
    assert_eq!(count("rejected"), data_rows(&d.join("rejects.csv")));
    assert_eq!(
        count("clean") + count("fixed"),
        data_rows(&d.join("clean.csv"))
    );
    assert_eq!(count("fixed") as u64, summary["fixed"].as_u64().unwrap());
    assert_eq!(
        count("rejected") as u64,
        summary["rejected"].as_u64().unwrap()
    );
    // A fixed row carries the number written into the clean file; a rejected one its codes.
    let clean = std::fs::read_to_string(d.join("clean.csv")).unwrap();
    for r in rows.iter().filter(|r| r["status"] == "fixed") {
        let number = r["fixed"].as_str().unwrap();
        assert!(number.starts_with('+') && clean.contains(number), "{r}");
    }
    for r in rows.iter().filter(|r| r["status"] == "rejected") {
        assert!(!r["codes"].as_array().unwrap().is_empty(), "{r}");
    }
    // The same counts as the text summary of a plain run.
    let text = walint()
        .current_dir(d)
        .args(["fix", "--campaign", "diwali-offer", "contacts.csv"])
        .args(["--clean", "clean2.csv", "--rejects", "rejects2.csv"])
        .assert()
        .code(1);
    let text = String::from_utf8(text.get_output().stdout.clone()).unwrap();
    let expected = format!(
        "{} rows in: {} clean ({} fixed)",
        summary["rows"], summary["clean"], summary["fixed"]
    );
    assert!(text.starts_with(&expected), "{text} / {expected}");
    // Results go to standard output, so an output there is refused.
    walint()
        .current_dir(d)
        .args([
            "fix",
            "contacts.csv",
            "--clean",
            "-",
            "--rejects",
            "r.csv",
            "--format",
            "json",
        ])
        .assert()
        .code(2);
}

#[test]
fn fix_reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = walint()
        .current_dir(dir.path())
        .args([
            "fix",
            "--no-config",
            "-",
            "--clean",
            "c.csv",
            "--rejects",
            "r.csv",
        ])
        .args(["--format", "json"])
        .write_stdin("phone\n+14155552671\n+1 415 555 2672\n+1415555267\n")
        .assert()
        .code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let statuses: Vec<String> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["status"].as_str().map(str::to_string))
        .collect();
    assert_eq!(statuses, ["clean", "fixed", "rejected"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("c.csv")).unwrap(),
        "phone\n+14155552671\n+14155552672\n"
    );
}
