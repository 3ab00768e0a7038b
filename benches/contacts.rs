//! Contact-list throughput benchmark (`cargo bench --bench contacts`).
//!
//! Generates a deterministic contact list (default 1,000,000 rows; `WALINT_BENCH_ROWS` to
//! change) mixing every region the phone metadata has an example mobile number for, with
//! about 10% malformed rows and about 2% duplicates, then runs the release `walint check`
//! binary on it several times (`WALINT_BENCH_RUNS`, default 5) and reports the median wall
//! time, rows/s, and the peak RSS of the walint process (ru_maxrss). It also times a 1-row
//! file, and a second list of the same size from one country — Indian mobiles in the
//! spellings people type (`+91 98765 43210`, `098765 43210`, `0091…`, `91…`), 30% of them
//! needing a fix — checked with `--default-region IN`, the usual upload, which must keep
//! both cores busy: for it the bench also prints the CPU time (user + system) against the
//! wall time, and its JSON report (300,316 findings, 164 MB) is written to a real file, as a
//! CI job would write it (the other lists' reports go to `/dev/null`). Not a test: nothing here asserts a time, since the machine is shared and
//! noisy; it prints figures for the README.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

mod harness;

use harness::{Rng, cores, env_number, time_runs};

const SMALL_RUNS: usize = 21;

/// Writes the benchmark list; returns its region count.
fn generate(path: &Path, rows: usize) -> usize {
    let examples = walint::phone::example_mobile_numbers();
    let mut rng = Rng(0x5EED_CAFE_F00D_BEEF);
    let mut out = String::with_capacity(rows * 48);
    out.push_str("name,phone,city\n");
    let mut previous: Vec<String> = Vec::new();
    for i in 0..rows {
        let (_, e164) = &examples[rng.below(examples.len() as u64) as usize];
        // Vary the last five digits so numbers differ, keeping only valid variants (a few
        // tries; the example itself is valid), so the malformed share is the one chosen below.
        let number = (0..8)
            .map(|_| format!("{}{:05}", &e164[..e164.len() - 5], rng.below(100_000)))
            .find(|n| walint::phone::analyse(n, None).number.is_ok())
            .unwrap_or_else(|| e164.clone());
        let roll = rng.below(1000);
        let cell = match roll {
            0..=9 => previous
                .get(rng.below(previous.len().max(1) as u64) as usize)
                .cloned()
                .unwrap_or_default(),
            20..=39 => format!("{} {} {}", &number[..3], &number[3..7], &number[7..]),
            40..=54 => number[1..].to_string(),
            55..=69 => format!("00{}", &number[1..]),
            70..=79 => String::new(),
            80..=89 => number[..6].to_string(),
            90..=99 => format!("{}x1", &number),
            100..=104 => "\"+1 (650) 253-0000\"".to_string(),
            _ => number.clone(),
        };
        if previous.len() < 4096 {
            previous.push(number);
        } else {
            let slot = rng.below(4096) as usize;
            previous[slot] = number;
        }
        let _ = writeln!(out, "Customer {i},{cell},City {}", i % 977);
    }
    std::fs::write(path, out).expect("write benchmark list");
    examples.len()
}

/// `walint check --format json` of `input`, the report written to `output`.
fn walint(bin: &Path, input: &Path, region: Option<&str>, output: &Path) -> Command {
    let mut command = Command::new(bin);
    command
        .args(["check", "--no-config", "--format", "json", "--output"])
        .arg(output);
    if let Some(region) = region {
        command.args(["--default-region", region]);
    }
    command.arg(input);
    command
}

fn main() {
    let rows = env_number("WALINT_BENCH_ROWS", 1_000_000);
    let runs = env_number("WALINT_BENCH_RUNS", 5);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_walint"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-contacts");
    std::fs::create_dir_all(&dir).expect("bench dir");

    let small = dir.join("one-row.csv");
    std::fs::write(&small, "name,phone\nAsha,+919876543210\n").expect("write 1-row list");
    let null = Path::new("/dev/null");
    let small_runs = time_runs(|| walint(&bin, &small, None, null), SMALL_RUNS);

    let big = dir.join(format!("contacts-{rows}.csv"));
    let regions = generate(&big, rows);
    let bytes = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
    let timings = time_runs(|| walint(&bin, &big, None, null), runs);

    let india = dir.join(format!("contacts-in-{rows}.csv"));
    harness::one_country_list(&india, rows);
    // The one-country report (164 MB: 300,316 findings) goes to a real file, as a CI job
    // would write it.
    let report = dir.join("report-in.json");
    let one_country = time_runs(|| walint(&bin, &india, Some("IN"), &report), runs);

    println!("walint contacts benchmark ({} cores)", cores());
    println!(
        "  list: {rows} rows, {regions} regions, {:.1} MB, ~10% malformed, ~2% duplicates",
        bytes as f64 / 1e6
    );
    timings.print(rows, "rows");
    println!(
        "  one-country list: {rows} Indian mobiles, 30% needing a fix, --default-region IN, \
         report to a file"
    );
    one_country.print(rows, "rows");
    println!(
        "  1-row file: median {:.1} ms over {SMALL_RUNS} runs",
        small_runs.median().as_secs_f64() * 1e3
    );
}
