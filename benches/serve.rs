//! Load on `walint serve` (`cargo bench --bench serve`), on loopback only: the release
//! binary serves on an ephemeral port, then
//! 1. 50 uploads of a 10,000-row list at once (`WALINT_SERVE_SMALL`, default 50), and
//! 2. 5 uploads of a 1,000,000-row list at once (`WALINT_SERVE_BIG`, default 5),
//!
//! each `POST /v1/check?region=IN` with the JSON report read to its end. The lists are
//! Indian mobiles in the spellings people type, 30% needing a fix (the contacts bench's
//! one-country list). For each phase it prints the requests that failed (any status but
//! 200 is a failure), the latency of each upload from its first byte sent to its report's
//! last byte received (p50, p99, max), the rows per second over the phase, the service's
//! CPU time against the wall time, and its peak resident memory in that phase (VmHWM,
//! reset between phases through /proc/PID/clear_refs) — which must not grow with the
//! upload's size, since uploads and reports are spooled to disk. Each phase is bounded
//! (`WALINT_SERVE_LIMIT_SECONDS`, default 600): past it the bench fails. Nothing here
//! asserts a time; the figures are for the README.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod harness;

use harness::env_number;

/// The service's clock ticks per second (`getconf CLK_TCK`), for /proc/PID/stat.
fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// The service's user + system CPU time so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Duration::from_secs_f64((ticks(11) + ticks(12)) / ticks_per_second())
}

/// A value of /proc/PID/status in MiB (VmRSS, VmHWM).
fn status_mib(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Starts `walint serve` on a free loopback port; returns it and its address.
fn serve(bin: &Path) -> (Child, String) {
    let mut child = Command::new(bin)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-config",
            "--no-access-log",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("walint serve starts");
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, addr)
}

/// One phase's figures.
struct Phase {
    latencies: Vec<Duration>,
    failures: Vec<String>,
    wall: Duration,
    cpu: Duration,
    peak_mib: f64,
    report_bytes: u64,
}

/// `count` uploads of `list` at once.
fn phase(
    runtime: &tokio::runtime::Runtime,
    url: &str,
    pid: u32,
    list: Arc<Vec<u8>>,
    count: usize,
    limit: Duration,
) -> Phase {
    // The peak resident set from here on (Linux: writing 5 to clear_refs resets VmHWM).
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
    let cpu_before = cpu_time(pid);
    let started = Instant::now();
    let client = reqwest::Client::new();
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..count {
            let client = client.clone();
            let url = url.to_string();
            let list = list.clone();
            tasks.push(tokio::spawn(async move {
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .header("content-type", "text/csv")
                    .body(list.as_ref().clone())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status();
                let mut response = response;
                let mut bytes = 0u64;
                while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
                    bytes += chunk.len() as u64;
                }
                if status != 200 {
                    return Err(format!("status {status}"));
                }
                Ok::<_, String>((sent.elapsed(), bytes))
            }));
        }
        let all = async {
            let mut results = Vec::new();
            for task in tasks {
                results.push(task.await.map_err(|e| e.to_string()).and_then(|r| r));
            }
            results
        };
        tokio::time::timeout(limit, all)
            .await
            .unwrap_or_else(|_| panic!("the phase took longer than {} s", limit.as_secs()))
    });
    let wall = started.elapsed();
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    let mut report_bytes = 0;
    for result in results {
        match result {
            Ok((latency, bytes)) => {
                latencies.push(latency);
                report_bytes = report_bytes.max(bytes);
            }
            Err(e) => failures.push(e),
        }
    }
    latencies.sort();
    Phase {
        latencies,
        failures,
        wall,
        cpu: cpu_time(pid).saturating_sub(cpu_before),
        peak_mib: status_mib(pid, "VmHWM:"),
        report_bytes,
    }
}

/// The latency at quantile `q` (nearest rank).
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn print(name: &str, rows: usize, count: usize, p: &Phase) {
    println!(
        "{name}: {count} uploads of {rows} rows at once: {} failed; latency p50 {:.2} s, p99 {:.2} s, max {:.2} s; {:.0} rows/s over {:.2} s; service CPU {:.2} s ({:.2} cores busy); peak RSS {:.0} MiB; report {:.1} MB each",
        p.failures.len(),
        quantile(&p.latencies, 0.5).as_secs_f64(),
        quantile(&p.latencies, 0.99).as_secs_f64(),
        p.latencies
            .last()
            .copied()
            .unwrap_or_default()
            .as_secs_f64(),
        (rows * p.latencies.len()) as f64 / p.wall.as_secs_f64(),
        p.wall.as_secs_f64(),
        p.cpu.as_secs_f64(),
        p.cpu.as_secs_f64() / p.wall.as_secs_f64(),
        p.peak_mib,
        p.report_bytes as f64 / 1e6,
    );
    for failure in p.failures.iter().take(5) {
        println!("  failed: {failure}");
    }
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_walint"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp/bench-serve");
    std::fs::create_dir_all(&dir).unwrap();
    let small_rows = 10_000;
    let big_rows = env_number("WALINT_BENCH_ROWS", 1_000_000);
    let small_count = env_number("WALINT_SERVE_SMALL", 50);
    let big_count = env_number("WALINT_SERVE_BIG", 5);
    let limit = Duration::from_secs(env_number("WALINT_SERVE_LIMIT_SECONDS", 600) as u64);
    let list = |rows: usize| {
        let path = dir.join(format!("india-{rows}.csv"));
        if !path.exists() {
            harness::one_country_list(&path, rows);
        }
        Arc::new(std::fs::read(&path).unwrap())
    };
    let (small, big) = (list(small_rows), list(big_rows));
    let (mut child, addr) = serve(&bin);
    let pid = child.id();
    let url = format!("http://{addr}/v1/check?region=IN");
    // The client on one thread: the service has the cores.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "walint serve on {addr} ({} cores), idle RSS {:.0} MiB",
        harness::cores(),
        status_mib(pid, "VmRSS:")
    );
    let first = phase(&runtime, &url, pid, small, small_count, limit);
    print("small", small_rows, small_count, &first);
    let second = phase(&runtime, &url, pid, big, big_count, limit);
    print("large", big_rows, big_count, &second);
    // SIGTERM: the service finishes what is under way and stops.
    // SAFETY: kill has no memory preconditions.
    unsafe {
        libc::kill(pid as i32, libc::SIGTERM);
    }
    let _ = child.wait();
    let failed = first.failures.len() + second.failures.len();
    assert_eq!(failed, 0, "{failed} uploads failed");
}
