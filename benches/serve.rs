//! Load on `walint serve` (`cargo bench --bench serve`), on loopback only: the release
//! binary (or `WALINT_BENCH_BIN`) serves on an ephemeral port, then
//! 1. 50 uploads of a 10,000-row list at once (`WALINT_SERVE_SMALL`, default 50),
//! 2. 5 uploads of a 1,000,000-row list at once (`WALINT_SERVE_BIG`, default 5), and
//! 3. clients that never finish — 2,000 idle connections (`WALINT_SERVE_IDLE`), 200 that
//!    send their headers a byte a second (`WALINT_SERVE_SLOW_HEADERS`) and 66 uploads that
//!    drip a byte every two seconds (`WALINT_SERVE_DRIPS`), each reconnecting whenever the
//!    service closes it — while 4 well-behaved clients check a 1,000-row list one after
//!    another for `WALINT_SERVE_HOSTILE_SECONDS` (default 60); then SIGTERM with all of
//!    them still connected, and the time the service takes to stop.
//!
//! Phases 1 and 2 are `POST /v1/check?region=IN` with the JSON report read to its end. The
//! lists are Indian mobiles in the spellings people type, 30% needing a fix (the contacts
//! bench's one-country list). For each phase it prints the requests that failed (any
//! status but 200 is a failure), the latency of each upload from its first byte sent to its
//! report's last byte received (p50, p99, max), the rows per second over the phase, the
//! service's CPU time against the wall time, and its peak resident memory in that phase
//! (VmHWM, reset between phases through /proc/PID/clear_refs) — which must not grow with the
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
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    stderr.read_line(&mut line).unwrap();
    // The rest is read and dropped: a closed pipe would make the service's next line fail.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
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
    let bin = std::env::var_os("WALINT_BENCH_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_walint")),
        PathBuf::from,
    );
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
    let mut failed = 0;
    if small_count > 0 {
        let first = phase(&runtime, &url, pid, small.clone(), small_count, limit);
        print("small", small_rows, small_count, &first);
        failed += first.failures.len();
    }
    if big_count > 0 {
        let second = phase(&runtime, &url, pid, big, big_count, limit);
        print("large", big_rows, big_count, &second);
        failed += second.failures.len();
    }
    let hostile_seconds = env_number("WALINT_SERVE_HOSTILE_SECONDS", 60);
    if hostile_seconds > 0 {
        let crowd = Crowd {
            idle: env_number("WALINT_SERVE_IDLE", 2000),
            slow_headers: env_number("WALINT_SERVE_SLOW_HEADERS", 200),
            drips: env_number("WALINT_SERVE_DRIPS", 66),
        };
        let thousand = list(1000);
        let p = hostile(
            &runtime,
            &addr,
            pid,
            &crowd,
            thousand,
            Duration::from_secs(hostile_seconds as u64),
        );
        print_hostile(&crowd, &p);
        failed += p.phase.failures.len();
        // SIGTERM with every hostile client still connected.
        let stopping = Instant::now();
        // SAFETY: kill has no memory preconditions.
        unsafe {
            libc::kill(pid as i32, libc::SIGTERM);
        }
        // Waited for at most two minutes, then killed.
        let stopped = loop {
            if let Ok(Some(_)) = child.try_wait() {
                break true;
            }
            if stopping.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                let _ = child.wait();
                break false;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        if stopped {
            println!(
                "  SIGTERM with them all connected: stopped in {:.2} s",
                stopping.elapsed().as_secs_f64()
            );
        } else {
            println!("  SIGTERM with them all connected: not stopped after 120 s (killed)");
        }
        runtime.block_on(async { p.stop.send_replace(true) });
    } else {
        // SIGTERM: the service finishes what is under way and stops.
        // SAFETY: kill has no memory preconditions.
        unsafe {
            libc::kill(pid as i32, libc::SIGTERM);
        }
        let _ = child.wait();
    }
    assert_eq!(failed, 0, "{failed} uploads failed");
}

/// The clients that never finish.
struct Crowd {
    idle: usize,
    slow_headers: usize,
    drips: usize,
}

/// What the hostile phase measured.
struct Hostile {
    phase: Phase,
    /// Connections the hostile clients made (each reconnects when closed).
    connects: u64,
    /// The hostile clients' connections refused or failed at connect.
    refused: u64,
    /// Open descriptors of the service at the end.
    descriptors: usize,
    stop: tokio::sync::watch::Sender<bool>,
}

/// Raises this process's open-file limit to its hard limit (thousands of clients here).
fn raise_descriptor_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// One hostile client's loop: connect, misbehave until the service closes the
/// connection, connect again — until told to stop.
async fn misbehave(
    addr: String,
    kind: u8,
    stop: tokio::sync::watch::Receiver<bool>,
    connects: Arc<std::sync::atomic::AtomicU64>,
    refused: Arc<std::sync::atomic::AtomicU64>,
) {
    use std::sync::atomic::Ordering;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    while !*stop.borrow() {
        let Ok(mut stream) = tokio::net::TcpStream::connect(&addr).await else {
            refused.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        connects.fetch_add(1, Ordering::Relaxed);
        let (mut read, mut write) = stream.split();
        let mut buf = [0u8; 4096];
        let misbehaving = async {
            match kind {
                // Idle: say nothing.
                0 => std::future::pending::<()>().await,
                // Slow headers: a byte a second, never a blank line.
                1 => {
                    let _ = write
                        .write_all(b"POST /v1/check HTTP/1.1\r\nHost: x\r\n")
                        .await;
                    loop {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        if write.write_all(b"a").await.is_err() {
                            return;
                        }
                    }
                }
                // Drip upload: a whole head, then a byte every two seconds.
                _ => {
                    let _ = write
                        .write_all(b"POST /v1/check?region=IN HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 1000000\r\n\r\nphone\n")
                        .await;
                    loop {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        if write.write_all(b"1").await.is_err() {
                            return;
                        }
                    }
                }
            }
        };
        let closed = async {
            loop {
                match read.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        let mut stopped = stop.clone();
        tokio::select! {
            () = misbehaving => {}
            () = closed => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

/// Phase 3: the crowd connected and misbehaving while 4 clients check `list` one after
/// another for `seconds`.
fn hostile(
    runtime: &tokio::runtime::Runtime,
    addr: &str,
    pid: u32,
    crowd: &Crowd,
    list: Arc<Vec<u8>>,
    seconds: Duration,
) -> Hostile {
    use std::sync::atomic::{AtomicU64, Ordering};
    raise_descriptor_limit();
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let connects = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let kinds = std::iter::repeat_n(0u8, crowd.idle)
        .chain(std::iter::repeat_n(1, crowd.slow_headers))
        .chain(std::iter::repeat_n(2, crowd.drips));
    for kind in kinds {
        runtime.spawn(misbehave(
            addr.to_string(),
            kind,
            stopped.clone(),
            connects.clone(),
            refused.clone(),
        ));
    }
    let url = format!("http://{addr}/v1/check?region=IN");
    let cpu_before = cpu_time(pid);
    let started = Instant::now();
    let results = runtime.block_on(async {
        // Let the crowd connect first.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let mut clients = Vec::new();
        for _ in 0..4 {
            let url = url.clone();
            let list = list.clone();
            clients.push(tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .unwrap();
                let until = Instant::now() + seconds;
                let mut results = Vec::new();
                while Instant::now() < until {
                    let sent = Instant::now();
                    let result = async {
                        let response = client
                            .post(&url)
                            .header("content-type", "text/csv")
                            .body(list.as_ref().clone())
                            .send()
                            .await
                            .map_err(|e| e.to_string())?;
                        let status = response.status();
                        let body = response.bytes().await.map_err(|e| e.to_string())?;
                        if status != 200 {
                            return Err(format!("status {status}"));
                        }
                        Ok((sent.elapsed(), body.len() as u64))
                    }
                    .await;
                    results.push(result);
                }
                results
            }));
        }
        let mut all = Vec::new();
        for client in clients {
            all.extend(client.await.unwrap_or_default());
        }
        all
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
    let descriptors = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
    Hostile {
        phase: Phase {
            latencies,
            failures,
            wall,
            cpu: cpu_time(pid).saturating_sub(cpu_before),
            peak_mib: status_mib(pid, "VmHWM:"),
            report_bytes,
        },
        connects: connects.load(Ordering::Relaxed),
        refused: refused.load(Ordering::Relaxed),
        descriptors,
        stop,
    }
}

fn print_hostile(crowd: &Crowd, h: &Hostile) {
    let p = &h.phase;
    println!(
        "hostile: {} idle, {} slow-header and {} drip clients (reconnecting: {} connections made, {} refused at connect), 4 clients checking 1,000 rows in turn: {} checks, {} failed; latency p50 {:.3} s, p99 {:.3} s, max {:.3} s; service CPU {:.2} s over {:.1} s; peak RSS {:.0} MiB; {} descriptors open at the end",
        crowd.idle,
        crowd.slow_headers,
        crowd.drips,
        h.connects,
        h.refused,
        p.latencies.len() + p.failures.len(),
        p.failures.len(),
        quantile(&p.latencies, 0.5).as_secs_f64(),
        quantile(&p.latencies, 0.99).as_secs_f64(),
        p.latencies
            .last()
            .copied()
            .unwrap_or_default()
            .as_secs_f64(),
        p.cpu.as_secs_f64(),
        p.wall.as_secs_f64(),
        p.peak_mib,
        h.descriptors,
    );
    for failure in p.failures.iter().take(5) {
        println!("  failed: {failure}");
    }
}
