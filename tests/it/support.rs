//! Shared helpers for the integration tests: paths to fixtures and the binary, and running
//! the library's check on a file with a given config.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use walint::check::{self, CheckOptions, Overrides};
use walint::config::{Config, MediaConfig};
use walint::report::Report;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// A command running the walint binary, in the crate root, with colour off.
pub fn walint() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("walint").expect("walint binary");
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// Media flags for tests that do not probe: nothing here may touch the network.
pub fn offline() -> MediaConfig {
    MediaConfig {
        offline: true,
        ..MediaConfig::default()
    }
}

/// Checks `paths` through the library with the config at `config` (or none), offline.
pub fn check(paths: &[&Path], config: Option<&Path>) -> Result<Report, walint::error::Error> {
    check_with_media(paths, config, offline())
}

/// The test media server answers for `media.test` (the rule fixtures' media host).
fn media_test_host() -> Vec<(String, std::net::SocketAddr)> {
    vec![("media.test".to_string(), crate::media_server::shared().addr)]
}

/// Checks `paths` through the library with the config at `config` and these media flags.
pub fn check_with_media(
    paths: &[&Path],
    config: Option<&Path>,
    media: MediaConfig,
) -> Result<Report, walint::error::Error> {
    let config = match config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    let overrides = Overrides {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        media,
        resolve: media_test_host(),
        ..Overrides::default()
    };
    check::run(&CheckOptions::from_config(&config, overrides)?)
}

/// Checks the campaign `name` of the config at `config` through the library, offline.
pub fn check_campaign(config: &Path, name: &str) -> Result<Report, walint::error::Error> {
    check_campaign_with_media(config, name, offline())
}

/// Checks the campaign `name` with these media flags.
pub fn check_campaign_with_media(
    config: &Path,
    name: &str,
    media: MediaConfig,
) -> Result<Report, walint::error::Error> {
    let config = Config::load(config)?;
    let overrides = Overrides {
        campaign: Some(name.to_string()),
        media,
        resolve: media_test_host(),
        ..Overrides::default()
    };
    check::run(&CheckOptions::from_config(&config, overrides)?)
}

/// Runs `command`, asserts its exit code, and returns its standard output as JSON (the
/// report of `--format json`).
pub fn json_report(command: &mut assert_cmd::Command, code: i32) -> serde_json::Value {
    let out = command.assert().code(code);
    serde_json::from_slice(&out.get_output().stdout).expect("a JSON report on stdout")
}

/// What `walint fix --no-config list.csv --clean clean.csv --rejects rejects.csv` did with a
/// list: its exit code and both outputs (empty when not written).
pub struct FixRun {
    /// The exit code.
    pub code: Option<i32>,
    /// clean.csv.
    pub clean: String,
    /// rejects.csv.
    pub rejects: String,
}

/// Writes `list` as `list.csv` in `dir` and runs `walint fix` on it with `extra` flags.
pub fn fix_list(dir: &Path, list: impl AsRef<[u8]>, extra: &[&str]) -> FixRun {
    std::fs::write(dir.join("list.csv"), list).unwrap();
    let out = walint()
        .current_dir(dir)
        .args(["fix", "--no-config", "list.csv"])
        .args(["--clean", "clean.csv", "--rejects", "rejects.csv"])
        .args(extra)
        .output()
        .unwrap();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    FixRun {
        code: out.status.code(),
        clean: read("clean.csv"),
        rejects: read("rejects.csv"),
    }
}

/// Writes `text` to `name` in `dir`.
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Checks `path` with no config and the JSON report; returns the rows read and each
/// finding as (code, line, message).
pub fn findings(path: &Path, exit: i32) -> (u64, Vec<(String, u64, String)>) {
    let report = json_report(
        walint()
            .args(["check", "--no-config", "--offline", "--format", "json"])
            .arg(path),
        exit,
    );
    let found = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["location"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (report["summary"]["rows"].as_u64().unwrap(), found)
}

/// The (code, line) of each of a JSON report's findings, in report order.
pub fn code_lines(report: &serde_json::Value) -> Vec<(&str, u64)> {
    report["diagnostics"]
        .as_array()
        .expect("a diagnostics array")
        .iter()
        .map(|d| {
            let line = d["location"]["line"].as_u64().expect("a line");
            (d["code"].as_str().expect("a code"), line)
        })
        .collect()
}

/// The codes of a JSON report's findings, in report order.
pub fn codes(report: &serde_json::Value) -> Vec<&str> {
    report["diagnostics"]
        .as_array()
        .expect("a diagnostics array")
        .iter()
        .map(|d| d["code"].as_str().expect("a code"))
        .collect()
}

/// The (code, line) pairs of `found`.
pub fn places(found: &[(String, u64, String)]) -> Vec<(&str, u64)> {
    found.iter().map(|(c, l, _)| (c.as_str(), *l)).collect()
}

/// Copies the demo folder (list, config, registry, opt-outs) into a temp dir.
pub fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "contacts.csv",
        "walint.toml",
        "registry.json",
        "optouts.txt",
    ] {
        std::fs::copy(fixture(&format!("demo/{name}")), dir.path().join(name)).unwrap();
    }
    dir
}

/// `walint fix --format json` of the demo list as the demo campaign's, in a copy of the
/// demo: the copy (holding `contacts.clean.csv` and `contacts.rejects.csv`) and the
/// result lines the command printed.
pub fn fix_demo_campaign() -> (tempfile::TempDir, Vec<u8>) {
    let dir = demo_copy();
    let out = walint()
        .current_dir(dir.path())
        .args([
            "fix",
            "contacts.csv",
            "--campaign",
            "diwali-offer",
            "--clean",
            "contacts.clean.csv",
            "--rejects",
            "contacts.rejects.csv",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    (dir, out.stdout)
}

/// The findings of a JSON report located in `path`.
pub fn findings_in(report: &serde_json::Value, path: &str) -> Vec<serde_json::Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["location"]["path"] == path)
        .cloned()
        .collect()
}

/// A finished process: its exit code, output, and the peak resident memory of it and the
/// children it waited for (`wait4`'s `ru_maxrss`).
#[derive(Debug)]
pub struct Measured {
    /// The exit code (`None`: stopped by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Peak resident memory, in bytes.
    pub peak_rss_bytes: u64,
}

/// Runs `command` with an address space of `address_space` bytes (`ulimit -v`), killing it
/// (and failing the test) if it runs past `hung`: a bound for a test that would otherwise
/// hang, not a measure of speed.
///
/// Its peak memory is its own: a process started by this (large) test process takes the
/// test process's peak as its own when it starts (Linux keeps the peak of the memory the
/// new program replaces), so `sh` starts it instead — in the background, from its own small
/// memory — and exits; the test process, made a subreaper, inherits it and reaps it with
/// `wait4`.
// The processes are reaped by `wait4` (which gives their own rusage), not `Child::wait`.
#[allow(clippy::zombie_processes)]
pub fn run_measured(
    command: std::process::Command,
    address_space: u64,
    hung: std::time::Duration,
) -> Measured {
    use std::io::Read;
    use std::process::Stdio;
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
    let kib = address_space / 1024;
    let limit = if kib >= u64::MAX / 1024 {
        "unlimited".to_string()
    } else {
        kib.to_string()
    };
    let pid_file = tempfile::NamedTempFile::new().unwrap();
    let mut started = std::process::Command::new("sh");
    started
        .arg("-c")
        .arg(format!(
            "ulimit -v {limit} || exit 99; \"$0\" \"$@\" </dev/null & echo $! > '{}'",
            pid_file.path().display()
        ))
        .arg(command.get_program())
        .args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        started.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => started.env(key, value),
            None => started.env_remove(key),
        };
    }
    let mut sh = started
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh starts");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(sh.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(sh.stderr.take().expect("stderr")));
    let status = sh.wait().expect("sh ends");
    assert!(status.success(), "sh could not start it: {status}");
    let pid: libc::pid_t = std::fs::read_to_string(pid_file.path())
        .unwrap()
        .trim()
        .parse()
        .expect("its process id");
    let started = std::time::Instant::now();
    // SAFETY: a zeroed rusage is a valid value; wait4 reaps the process (inherited as
    // this subreaper's child) and writes only into the status and rusage it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut status = 0;
    loop {
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(
            reaped >= 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if reaped == pid {
            break;
        }
        if started.elapsed() > hung {
            // SAFETY: kill has no memory preconditions.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the process ran past {hung:?}: it hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Measured {
        code,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        peak_rss_bytes: (usage.ru_maxrss.max(0) as u64) * 1024,
    }
}

/// Writes an .xlsx with one sheet `name`: each row a list of cells, a number where the
/// cell parses as `f64` and is written bare (`#` prefix: keep it as text).
pub fn xlsx(path: &Path, name: &str, rows: &[&[&str]]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name(name).unwrap();
    for (r, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match (cell.strip_prefix('#'), cell.parse::<f64>()) {
                (Some(text), _) => sheet.write_string(r, c, text).unwrap(),
                (None, Ok(n)) => sheet.write_number(r, c, n).unwrap(),
                (None, Err(_)) if cell.is_empty() => sheet,
                (None, Err(_)) => sheet.write_string(r, c, *cell).unwrap(),
            };
        }
    }
    book.save(path).unwrap();
}
