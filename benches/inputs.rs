//! Contact files in the forms they are uploaded in (`cargo bench --bench inputs`).
//!
//! Writes the same deterministic list (default 1,000,000 rows; `WALINT_BENCH_ROWS` to
//! change) — names with accents (`Zoë Müller`), Indian mobiles, 20% of them written in a
//! form that needs a fix — three ways: UTF-8 CSV, Windows-1252 CSV (Excel's "CSV" on
//! Windows: read through the legacy fallback, so every row with an accent is decoded) and
//! an Excel `.xlsx` workbook with the phone column stored as numbers (read with calamine,
//! streamed cell by cell). Each is checked with the release binary
//! (`walint check --default-region IN --format json`, report to `/dev/null`)
//! `WALINT_BENCH_RUNS` times (default 5) after a warm-up; the bench prints the median wall
//! time, rows/s, CPU time and the peak RSS of the walint process. Not a test: nothing here
//! asserts a time (the machine is shared and noisy).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

mod harness;

use harness::{Rng, cores, env_number, time_runs};

/// One row of the list: a name, the phone cell as text, the phone as a number (for the
/// workbook, where a number cell is what Excel makes of a typed number), and a city.
struct Row {
    name: String,
    phone: String,
    number: Option<f64>,
    city: String,
}

fn rows(n: usize) -> impl Iterator<Item = Row> {
    let mut rng = Rng(0x00E1_CA5E_1252_0091);
    let names = [
        "Zoë Müller",
        "Renée Faÿ",
        "Asha Rao",
        "José Muñoz",
        "Ravi Kumar",
    ];
    (0..n).map(move |i| {
        let national = format!("{}{:09}", 7 + rng.below(3), rng.below(1_000_000_000));
        let (phone, number) = match rng.below(10) {
            0 => (format!("0{national}"), None),
            1 => (
                format!("91{national}"),
                national.parse::<f64>().ok().map(|n| n + 91e10),
            ),
            _ => (format!("+91{national}"), None),
        };
        Row {
            name: format!("{} {i}", names[i % names.len()]),
            phone,
            number,
            city: format!("Pune {}", i % 977),
        }
    })
}

/// The list as CSV text.
fn csv_text(n: usize) -> String {
    let mut out = String::with_capacity(n * 48);
    out.push_str("name,phone,city\r\n");
    for row in rows(n) {
        let _ = write!(out, "{},{},{}\r\n", row.name, row.phone, row.city);
    }
    out
}

/// The list as an .xlsx workbook (written in constant memory).
fn write_xlsx(path: &Path, n: usize) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book
        .add_worksheet_with_constant_memory()
        .expect("a worksheet")
        .set_name("Contacts")
        .expect("sheet name");
    for (c, h) in ["name", "phone", "city"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for (i, row) in rows(n).enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &row.name).expect("cell");
        match row.number {
            Some(number) => sheet.write_number(r, 1, number).expect("cell"),
            None => sheet.write_string(r, 1, &row.phone).expect("cell"),
        };
        sheet.write_string(r, 2, &row.city).expect("cell");
    }
    book.save(path).expect("save workbook");
}

fn walint(bin: &Path, input: &Path) -> Command {
    let mut command = Command::new(bin);
    command
        .args([
            "check",
            "--no-config",
            "--default-region",
            "IN",
            "--format",
            "json",
        ])
        .args(["--output", "/dev/null"])
        .arg(input);
    command
}

fn main() {
    let n = env_number("WALINT_BENCH_ROWS", 1_000_000);
    let runs = env_number("WALINT_BENCH_RUNS", 5);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_walint"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-inputs");
    std::fs::create_dir_all(&dir).expect("bench dir");

    let text = csv_text(n);
    let utf8 = dir.join(format!("contacts-utf8-{n}.csv"));
    std::fs::write(&utf8, &text).expect("write UTF-8 list");
    let legacy = dir.join(format!("contacts-1252-{n}.csv"));
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable, "the list is Windows-1252 text");
    std::fs::write(&legacy, &bytes).expect("write Windows-1252 list");
    let xlsx = dir.join(format!("contacts-{n}.xlsx"));
    write_xlsx(&xlsx, n);
    let size = |p: &Path| std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1e6);

    println!(
        "walint input-forms benchmark ({} cores), {n} rows each",
        cores()
    );
    for (what, path) in [
        ("UTF-8 CSV", &utf8),
        ("Windows-1252 CSV (legacy fallback)", &legacy),
        ("Excel .xlsx (phone column partly numeric)", &xlsx),
    ] {
        let timings = time_runs(|| walint(&bin, path), runs);
        println!("  {what}: {:.1} MB", size(path));
        timings.print(n, "rows");
    }
}
