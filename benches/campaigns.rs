//! Campaign throughput benchmark (`cargo bench --bench campaigns`).
//!
//! Generates a deterministic campaign: a 1,000,000-row contact CSV (`WALINT_BENCH_ROWS` to
//! change) of Indian customers with a first name, city and coupon per row — about 3% of rows
//! with a problem (empty coupon, a tab or five spaces in a name, an address pasted into the
//! city that pushes the body past 1024 characters, a malformed number) — and a walint.toml
//! sending the demo registry's `diwali_offer` (`fixtures/demo/registry.json`: a MARKETING
//! template with an image header, three body values and a copy-code button). It runs
//! `walint check --offline` (no paths: the campaign; its header link is on an example
//! domain, so it is not probed) after a warm-up, `WALINT_BENCH_RUNS` times
//! (default 5), and reports the median wall time, rows/s and the peak RSS of the walint
//! process. Every row is hydrated into its message and all rules run. Nothing here asserts
//! a time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

mod harness;

use harness::{Rng, cores, env_number, time_runs};

const CONFIG: &str = r#"registry = ["registry.json"]
default_region = "IN"

[[campaign]]
name = "bench"
contacts = "contacts.csv"
template = "diwali_offer"
language = "en"
body = ["first_name", "city", "coupon"]
header = { media_url = "https://cdn.luckyshrub.example/diwali.jpg" }
buttons = [{ index = 0, column = "coupon" }]
send_at = "2026-10-28T04:30:00Z"
"#;

const NAMES: &[&str] = &[
    "Riya", "Ayaan", "Farhan", "Aadhya", "Imran", "Ananya", "Kabir", "Meera",
];
const CITIES: &[&str] = &[
    "Chennai",
    "Hyderabad",
    "Mumbai",
    "Pune",
    "Jaipur",
    "Kochi",
    "Delhi",
];

/// Writes the contact list; returns how many rows carry a deliberate problem.
fn generate(path: &Path, rows: usize) -> usize {
    let mut rng = Rng(0x00D1_A110_FFE5);
    let mut out = String::with_capacity(rows * 64);
    out.push_str("first_name,phone,city,coupon\n");
    let address =
        "Flat 12B Shanti Kunj Apartments Plot 44 Sector 17 near the old water tank ".repeat(14);
    let mut problems = 0;
    for _ in 0..rows {
        let mut name = NAMES[rng.below(NAMES.len() as u64) as usize].to_string();
        let mut city = CITIES[rng.below(CITIES.len() as u64) as usize].to_string();
        let mut coupon = format!("DIWALI{:02}", rng.below(100));
        // Indian mobile numbers: 6-9 then nine digits.
        let mut phone = format!("+91{}{:09}", 6 + rng.below(4), rng.below(1_000_000_000));
        match rng.below(1000) {
            0..=4 => coupon.clear(),
            5..=9 => name.push_str("\t(VIP)"),
            10..=14 => name.push_str("     ji"),
            15..=19 => city = address.clone(),
            20..=24 => phone = phone[3..].to_string(),
            25..=29 => phone.truncate(8),
            _ => {}
        }
        if phone.len() != 13 || coupon.is_empty() || name.len() > 8 || city.len() > 20 {
            problems += 1;
        }
        let _ = writeln!(out, "{name},{phone},{city},{coupon}");
    }
    std::fs::write(path, out).expect("write contacts");
    problems
}

fn walint(bin: &Path, config: &Path) -> Command {
    let mut command = Command::new(bin);
    // The header link is on an example domain: no probing (the media bench measures that).
    command
        .args(["check", "--offline", "--config"])
        .arg(config)
        .args(["--format", "json", "--output", "/dev/null"]);
    command
}

fn main() {
    let rows = env_number("WALINT_BENCH_ROWS", 1_000_000);
    let runs = env_number("WALINT_BENCH_RUNS", 5);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_walint"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-campaign-{rows}"));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/registry.json");
    std::fs::copy(demo, dir.join("registry.json")).expect("copy the demo registry");
    let config = dir.join("walint.toml");
    std::fs::write(&config, CONFIG).expect("write config");
    let contacts = dir.join("contacts.csv");
    let problems = generate(&contacts, rows);
    let bytes = std::fs::metadata(&contacts).map(|m| m.len()).unwrap_or(0);
    let timings = time_runs(|| walint(&bin, &config), runs);

    println!("walint campaign benchmark ({} cores)", cores());
    println!(
        "  campaign: {rows} rows, {:.1} MB, {problems} ({:.1}%) with a problem; MARKETING template, image header, 3 body values, copy-code button",
        bytes as f64 / 1e6,
        100.0 * problems as f64 / rows.max(1) as f64
    );
    timings.print(rows, "rows");
}
