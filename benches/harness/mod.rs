//! What the benchmarks share: a deterministic generator for their inputs, and the timing
//! of repeated runs of the release `walint` binary — wall time of each run, the median,
//! and the peak resident memory of the walint process (the children's `ru_maxrss`).
//! The number of timed runs is `WALINT_BENCH_RUNS` (default 5), after one warm-up.
//! Nothing here asserts a time: the machine is shared and noisy; the figures are printed
//! for the README.

#![allow(dead_code)] // each bench uses its own part of the harness

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift64*), so inputs are the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    /// The next value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An environment variable read as a number, or `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The timed runs of one command.
pub struct Timings {
    /// Wall time of each run, in order.
    pub walls: Vec<Duration>,
    /// CPU time (user + system) of each run, in order.
    pub cpus: Vec<Duration>,
    /// The largest resident set of the walint process over the runs, in KiB.
    pub peak_rss_kib: i64,
}

impl Timings {
    /// The median wall time.
    pub fn median(&self) -> Duration {
        median(self.walls.clone())
    }

    /// Each run's wall time, `1.234s 1.301s …`.
    pub fn runs(&self) -> String {
        self.walls
            .iter()
            .map(|w| format!("{:.3}s", w.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The peak resident set in MB.
    pub fn peak_mb(&self) -> f64 {
        self.peak_rss_kib as f64 / 1024.0
    }

    /// Prints each run, the median as `count` `unit` per second, the median CPU time and
    /// how many cores that kept busy, and the peak RSS.
    pub fn print(&self, count: usize, unit: &str) {
        let median = self.median().as_secs_f64();
        let cpu = median_or_zero(self.cpus.clone()).as_secs_f64();
        println!("  runs: {}", self.runs());
        println!(
            "  median: {median:.3}s = {:.0} {unit}/s",
            count as f64 / median
        );
        println!(
            "  CPU (user + system), median: {cpu:.3}s = {:.2} cores busy",
            cpu / median
        );
        println!(
            "  peak RSS (walint process, max over runs): {:.1} MB",
            self.peak_mb()
        );
    }
}

/// Runs `command()` once to warm up, then `runs` times, timing each; walint must exit 0 or
/// 1 (findings are expected). The peak RSS is the largest of the timed runs' own (each
/// child's `ru_maxrss`, from `wait4`), so earlier commands do not mask it.
pub fn time_runs(mut command: impl FnMut() -> Command, runs: usize) -> Timings {
    run_once(&mut command);
    let mut walls = Vec::with_capacity(runs);
    let mut cpus = Vec::with_capacity(runs);
    let mut peak_rss_kib = 0;
    for _ in 0..runs {
        let run = run_once(&mut command);
        walls.push(run.wall);
        cpus.push(run.cpu);
        peak_rss_kib = peak_rss_kib.max(run.max_rss_kib);
    }
    Timings {
        walls,
        cpus,
        peak_rss_kib,
    }
}

fn median_or_zero(v: Vec<Duration>) -> Duration {
    if v.is_empty() {
        Duration::ZERO
    } else {
        median(v)
    }
}

/// One run of a child: its wall time, CPU time and peak resident set.
struct Run {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: i64,
}

// The child is reaped by `wait4` (which gives its own rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_once(command: &mut impl FnMut() -> Command) -> Run {
    let start = Instant::now();
    let child = command().spawn().expect("run walint");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 reaps this child (whose handle is then dropped unwaited) and only
    // writes into the two values we pass.
    let reaped = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert!(reaped > 0, "wait4 failed");
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    assert!(matches!(code, Some(0 | 1)), "walint failed: {status:#x}");
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Run {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
    }
}

/// The median of some durations.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// How many cores the machine offers.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Writes a list of Indian mobile numbers, 30% of them written in a form that needs a
/// fix (spaces, dashes, `0` national prefix, `0091`, no `+`).
pub fn one_country_list(path: &std::path::Path, rows: usize) {
    let mut rng = Rng(0x1D1A_0000_CAFE_0091);
    let mut out = String::with_capacity(rows * 40);
    out.push_str("name,phone,city\n");
    for i in 0..rows {
        // A valid Indian mobile: a few tries at random subscriber digits after a first
        // digit of 6-9 (some ranges are unassigned), else a known-valid one.
        let national = (0..8)
            .map(|_| format!("{}{:09}", 6 + rng.below(4), rng.below(1_000_000_000)))
            .find(|n| {
                walint::phone::analyse(&format!("+91{n}"), None)
                    .number
                    .is_ok_and(|n| n.line_type == walint::phone::LineType::Mobile)
            })
            .unwrap_or_else(|| "9876543210".to_string());
        let (a, b) = national.split_at(5);
        let cell = match rng.below(100) {
            0..=5 => format!("+91 {a} {b}"),
            6..=11 => format!("0{a} {b}"),
            12..=17 => format!("91{national}"),
            18..=23 => format!("0091{national}"),
            24..=29 => format!("+91-{a}-{b}"),
            _ => format!("+91{national}"),
        };
        let _ = writeln!(out, "Customer {i},{cell},City {}", i % 977);
    }
    std::fs::write(path, out).expect("write one-country list");
}
