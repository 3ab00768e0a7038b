//! Media prober benchmark (`cargo bench --bench media`).
//!
//! Starts the test media server (`tests/it/media_server.rs`) on 127.0.0.1 with 50 ms added
//! to every response, then:
//! 1. probes 10,000 distinct links (`WALINT_BENCH_LINKS` to change) from an NDJSON payload
//!    file with `--media-concurrency 256 --media-per-host 256`, `WALINT_BENCH_RUNS` times
//!    (default 3; fresh links each run, so nothing is reused), reporting the median wall
//!    time of the whole `walint check` process;
//! 2. checks a 1,000,000-row campaign (`WALINT_BENCH_ROWS`) whose rows share 50 image
//!    links, and counts at the server the requests each link got.
//!
//! Nothing here asserts a time; the counts are printed for the README.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod harness;
#[path = "../tests/it/media_server.rs"]
mod media_server;

use harness::{cores, env_number, median};
use media_server::MediaServer;

fn payloads(path: &Path, server: &MediaServer, run: usize, links: usize) {
    let mut out = String::with_capacity(links * 160);
    for i in 0..links {
        let link = server.url(&format!("/b/run{run}-{i}.jpg"));
        let _ = writeln!(
            out,
            r#"{{"messaging_product":"whatsapp","to":"+919876543210","type":"image","image":{{"link":"{link}"}}}}"#
        );
    }
    std::fs::write(path, out).expect("write payloads");
}

fn campaign(dir: &Path, server: &MediaServer, rows: usize) -> PathBuf {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/registry.json");
    std::fs::copy(demo, dir.join("registry.json")).expect("copy the demo registry");
    let mut csv = String::with_capacity(rows * 80);
    csv.push_str("first_name,phone,city,coupon,image\n");
    for i in 0..rows {
        let image = server.url(&format!("/b/shared-{}.jpg", i % 50));
        let _ = writeln!(csv, "Riya,+9198{:08},Pune,DIWALI{:02},{image}", i, i % 100);
    }
    std::fs::write(dir.join("contacts.csv"), csv).expect("write contacts");
    let config = dir.join("walint.toml");
    std::fs::write(
        &config,
        r#"registry = ["registry.json"]
[[campaign]]
name = "shared-media"
contacts = "contacts.csv"
template = "diwali_offer"
language = "en"
body = ["first_name", "city", "coupon"]
header = { column = "image" }
buttons = [{ index = 0, column = "coupon" }]
"#,
    )
    .expect("write config");
    config
}

fn walint(bin: &Path) -> Command {
    let mut command = Command::new(bin);
    command.args([
        "check",
        "--allow-private-hosts",
        "--media-concurrency",
        "256",
        "--media-per-host",
        "256",
        "--format",
        "json",
        "--output",
        "/dev/null",
    ]);
    command
}

fn main() {
    let links = env_number("WALINT_BENCH_LINKS", 10_000);
    let rows = env_number("WALINT_BENCH_ROWS", 1_000_000);
    let runs = env_number("WALINT_BENCH_RUNS", 3);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_walint"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-media");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let server = MediaServer::start(Duration::from_millis(50));

    println!(
        "walint media benchmark ({} cores; server adds 50 ms to every response)",
        cores()
    );
    let mut times = Vec::new();
    for run in 0..runs {
        let file = dir.join(format!("links-{run}.ndjson"));
        payloads(&file, &server, run, links);
        let before = server.total();
        let start = Instant::now();
        let status = walint(&bin)
            .arg("--no-config")
            .arg(&file)
            .status()
            .expect("run walint");
        let took = start.elapsed();
        println!(
            "  run {run}: {links} distinct links in {:.3}s ({} requests, exit {})",
            took.as_secs_f64(),
            server.total() - before,
            status.code().unwrap_or(-1)
        );
        times.push(took);
    }
    let m = median(times);
    println!(
        "  median: {:.3}s = {:.0} links/s at concurrency 256",
        m.as_secs_f64(),
        links as f64 / m.as_secs_f64()
    );

    let config = campaign(&dir, &server, rows);
    let before = server.total();
    let paths_before = server.distinct_paths();
    let start = Instant::now();
    let status = walint(&bin)
        .arg("--config")
        .arg(&config)
        .status()
        .expect("run walint");
    let took = start.elapsed();
    let heads: u64 = (0..50)
        .map(|i| server.hits("HEAD", &format!("/b/shared-{i}.jpg")))
        .sum();
    let gets: u64 = (0..50)
        .map(|i| server.hits("GET", &format!("/b/shared-{i}.jpg")))
        .sum();
    println!(
        "  campaign: {rows} rows sharing 50 links in {:.2}s (exit {}): {} links probed, {} HEAD + {} GET requests, {} requests in all",
        took.as_secs_f64(),
        status.code().unwrap_or(-1),
        server.distinct_paths() - paths_before,
        heads,
        gets,
        server.total() - before
    );
}
