//! Hostile files, paths and settings (the hardening issue's reproducers): `walint fix` never
//! writes through a link or over a special file, never over its input or its backup, and
//! leaves no temporary file behind; `check -o` never writes over an input and never puts
//! colour codes in a file; settings out of range are a one-line error, not a panic; texts
//! built to be slow (`{{` repeated, a 40,000-character template name) are not; a payload's
//! recipient is not echoed. Spawns the real binary. The time limits here are hang guards
//! (minutes), not performance assertions.

use std::path::Path;
use std::time::Duration;

use predicates::prelude::*;

use crate::support::{walint, write};

const LIST: &str = "phone\n+14155552671\n+1415555267\n";

/// `walint fix` on `list.csv` in `dir` with these flags.
fn fix(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    walint()
        .current_dir(dir)
        .args(["fix", "--no-config", "list.csv"])
        .args(args)
        .assert()
}

/// The names of the files in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// No temporary output (`.walint-*.tmp`) is left in `dir`.
fn assert_no_temporaries(dir: &Path) {
    let left: Vec<String> = names(dir)
        .into_iter()
        .filter(|n| n.contains("walint"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn fix_never_writes_through_a_link_or_over_a_special_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "list.csv", LIST);
    write(d, "victim.txt", "keep me\n");
    std::os::unix::fs::symlink("victim.txt", d.join("link.csv")).unwrap();
    let assert = fix(d, &["--clean", "link.csv", "--rejects", "r.csv"]).code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(d.join("victim.txt")).unwrap(),
        "keep me\n"
    );
    // A character device and a FIFO are written into, never replaced: /dev/null stays
    // the device, a named pipe carries the clean rows to its reader.
    fix(d, &["--clean", "/dev/null", "--rejects", "r.csv"]).code(1);
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = std::fs::metadata("/dev/null").unwrap().file_type();
        assert!(kind.is_char_device());
    }
    let made = std::process::Command::new("mkfifo")
        .arg(d.join("pipe.csv"))
        .status();
    if made.is_ok_and(|s| s.success()) {
        let pipe = d.join("pipe.csv");
        let reader = std::thread::spawn(move || std::fs::read_to_string(pipe).unwrap());
        fix(d, &["--clean", "pipe.csv", "--rejects", "r.csv"]).code(1);
        assert_eq!(reader.join().unwrap(), "phone\n+14155552671\n");
        std::fs::remove_file(d.join("pipe.csv")).unwrap();
    }
    // A directory is refused.
    std::fs::create_dir(d.join("dir.csv")).unwrap();
    fix(d, &["--clean", "dir.csv", "--rejects", "r.csv"])
        .code(2)
        .stderr(predicates::str::contains("not a regular file"));
    std::fs::remove_dir(d.join("dir.csv")).unwrap();
    std::fs::remove_file(d.join("r.csv")).unwrap();
    // Nothing written, no temporary file left behind.
    assert_no_temporaries(d);
}

#[test]
fn fix_never_writes_over_its_input_its_backup_or_a_linked_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "list.csv", LIST);
    fix(d, &["--in-place", "--rejects", "list.csv.bak"])
        .code(2)
        .stderr(predicates::str::contains("keeps the original"));
    assert_eq!(std::fs::read_to_string(d.join("list.csv")).unwrap(), LIST);
    std::os::unix::fs::symlink("list.csv", d.join("alias.csv")).unwrap();
    walint()
        .current_dir(d)
        .args([
            "fix",
            "--no-config",
            "alias.csv",
            "--in-place",
            "--rejects",
            "r.csv",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("symbolic link"));
    assert!(d.join("alias.csv").is_symlink());
    // A successful run leaves exactly its outputs.
    fix(d, &["--clean", "c.csv", "--rejects", "r.csv"]).code(1);
    assert_eq!(names(d), ["alias.csv", "c.csv", "list.csv", "r.csv"]);
}

#[test]
fn check_output_is_never_an_input_and_never_coloured() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let list = write(d, "list.csv", LIST);
    walint()
        .args(["check", "--no-config", "-o"])
        .arg(&list)
        .arg(&list)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is an input"));
    assert_eq!(std::fs::read_to_string(&list).unwrap(), LIST);
    let report = d.join("report.txt");
    walint()
        .env("CLICOLOR_FORCE", "1")
        .args(["check", "--no-config", "-o"])
        .arg(&report)
        .arg(&list)
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains("WAC002") && !text.contains('\u{1b}'),
        "{text:?}"
    );
}

#[test]
fn settings_out_of_range_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let list = write(d, "list.csv", LIST);
    walint()
        .args(["check", "--no-config", "--media-budget", "1e19"])
        .arg(&list)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ten years"));
    for setting in [
        "concurrency = 9223372036854775807",
        "per_host = 9223372036854775807",
        "budget = 1e19",
    ] {
        let config = write(d, "walint.toml", format!("[media]\n{setting}\n"));
        let assert = walint()
            .arg("check")
            .arg("--config")
            .arg(&config)
            .arg(&list)
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert_eq!(stderr.lines().count(), 1, "{setting}: {stderr}");
    }
}

#[test]
fn texts_built_to_be_slow_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 200 KB of `{{` in a template body: quadratic once (87 s).
    let body = "{{".repeat(100_000);
    let registry = serde_json::json!([{"name": "t", "language": "en", "status": "APPROVED",
        "components": [{"type": "BODY", "text": body}]}]);
    let registry = write(d, "registry.json", registry.to_string());
    walint()
        .args(["check", "--no-config", "--offline"])
        .arg(&registry)
        .timeout(Duration::from_secs(120))
        .assert()
        .code(1);
    // A 40,000-character template name against 20 near misses (47 s in did-you-mean).
    let names: Vec<serde_json::Value> = (0..20)
        .map(|i| {
            serde_json::json!({"name": format!("{}{i}", "a".repeat(39_999)), "language": "en",
                "status": "APPROVED", "components": [{"type": "BODY", "text": "Hi"}]})
        })
        .collect();
    let registry = write(d, "names.json", serde_json::Value::Array(names).to_string());
    let payload = serde_json::json!({"messaging_product": "whatsapp", "to": "+14155552671",
        "type": "template", "template": {"name": "a".repeat(40_000), "language": {"code": "en"}}});
    let payload = write(d, "p.json", payload.to_string());
    walint()
        .args(["check", "--no-config", "--offline", "--registry"])
        .arg(&registry)
        .arg(&payload)
        .timeout(Duration::from_secs(120))
        .assert()
        .code(1)
        .stdout(predicates::str::contains("WAT001"));
}

#[test]
fn a_payload_recipient_is_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let payload = write(
        dir.path(),
        "p.json",
        r#"{"messaging_product":"whatsapp","to":"0016505551234","type":"text","text":{"body":"hi"}}"#,
    );
    let out = walint()
        .args(["check", "--no-config", "--offline"])
        .arg(&payload)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let findings: Vec<&str> = stdout.lines().filter(|l| l.contains("WAT017")).collect();
    assert!(!findings.is_empty(), "{stdout}");
    assert!(
        findings.iter().all(|l| !l.contains("6505551234")),
        "{stdout}"
    );
}

#[test]
fn endless_lines_are_read_with_a_bound() {
    // Standard input from /dev/zero: one endless line. Once it aborted on allocation.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_walint"))
        .args(["check", "--no-config", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("walint kept reading /dev/zero");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a text contact list"), "{stderr}");
    // A suppression list that is /dev/zero (it grew to 4.8 GB in 10 s).
    let dir = tempfile::tempdir().unwrap();
    let list = write(dir.path(), "list.csv", LIST);
    let config = write(dir.path(), "walint.toml", "suppression = [\"/dev/zero\"]\n");
    walint()
        .arg("check")
        .arg("--config")
        .arg(&config)
        .arg(&list)
        .timeout(Duration::from_secs(120))
        .assert()
        .code(2);
    // A 3 MiB line in a list is one unreadable row; the rows after it are read.
    let long = format!("phone\n{}\n+14155552671\n", "9".repeat(3 << 20));
    let path = write(dir.path(), "long.csv", long);
    let (rows, found) = crate::support::findings(&path, 1);
    assert_eq!(rows, 2);
    assert_eq!(crate::support::places(&found), [("WAC000", 2)]);
}

#[test]
fn directory_walks_skip_loops_special_files_ignored_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("lists")).unwrap();
    write(&d.join("lists"), "a.csv", LIST);
    // Two links back to the folder (a walk that followed them never ended).
    std::os::unix::fs::symlink(".", d.join("lists/s1")).unwrap();
    std::os::unix::fs::symlink(".", d.join("lists/s2")).unwrap();
    // A FIFO named like a list (reading it blocked forever).
    let _ = std::process::Command::new("mkfifo")
        .arg(d.join("lists/pipe.csv"))
        .status();
    // An unrelated JSON file (it stopped the run with exit 2), and a git-ignored folder.
    write(
        &d.join("lists"),
        "package.json",
        r#"{"name": "shop", "version": "1.0.0"}"#,
    );
    std::fs::create_dir_all(d.join("lists/node_modules/pkg")).unwrap();
    write(
        &d.join("lists/node_modules/pkg"),
        "data.csv",
        "phone\nnot-a-number\n",
    );
    write(&d.join("lists"), ".gitignore", "node_modules/\n");
    let out = walint()
        .args(["check", "--no-config", "--offline", "--format", "json"])
        .arg(d.join("lists"))
        .timeout(Duration::from_secs(120))
        .assert()
        .code(1);
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["summary"]["files"], 1, "{report:#}");
    assert_eq!(report["summary"]["rows"], 2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("skipped") && stderr.contains("package.json"),
        "{stderr}"
    );
    // Named, a FIFO is refused rather than read.
    if d.join("lists/pipe.csv").exists() {
        walint()
            .args(["check", "--no-config"])
            .arg(d.join("lists/pipe.csv"))
            .timeout(Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(predicates::str::contains("not a regular file"));
    }
}

#[test]
fn control_characters_are_escaped_and_exit_codes_survive_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    // A header cell with a terminal escape (it recoloured the terminal, raw).
    let list = write(dir.path(), "esc.csv", "name,\u{1b}[31mred\u{7}\nAsha,x\n");
    let out = walint()
        .args(["check", "--no-config"])
        .arg(&list)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        !stderr.contains('\u{1b}') && stderr.contains("\\u{1b}"),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 1);
    // A template name with one, in a finding.
    let payload = write(
        dir.path(),
        "p.json",
        "{\"messaging_product\":\"whatsapp\",\"to\":\"+14155552671\",\"type\":\"template\",\
         \"template\":{\"name\":\"x\\u001b[2Jy\",\"language\":{\"code\":\"en\"}}}",
    );
    let registry = write(dir.path(), "r.json", "[]");
    let out = walint()
        .args(["check", "--no-config", "--offline", "--registry"])
        .arg(&registry)
        .arg(&payload)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    // A reader that closes the pipe early: the exit code still says there were findings,
    // in text and in JSON (JSON once exited 2, text 0).
    let big = "phone\n".to_string() + &"x\n".repeat(50_000);
    let list = write(dir.path(), "big.csv", big);
    for format in ["text", "json"] {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -o pipefail; {} check --no-config --format {format} {} | head -c 10 >/dev/null",
                env!("CARGO_BIN_EXE_walint"),
                list.display()
            ))
            .status()
            .unwrap();
        assert_eq!(out.code(), Some(1), "{format}");
    }
}

#[test]
fn backups_reports_and_standard_output_are_written_safely() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "list.csv", LIST);
    write(d, "victim.txt", "keep me\n");
    // `--in-place` never writes its backup through a link at `list.csv.bak`.
    std::os::unix::fs::symlink("victim.txt", d.join("list.csv.bak")).unwrap();
    fix(d, &["--in-place", "--rejects", "r.csv"])
        .code(2)
        .stderr(predicates::str::contains("symbolic link"));
    assert_eq!(
        std::fs::read_to_string(d.join("victim.txt")).unwrap(),
        "keep me\n"
    );
    assert_eq!(std::fs::read_to_string(d.join("list.csv")).unwrap(), LIST);
    // Nor does `check -o`, and a device is not replaced by a report.
    std::os::unix::fs::symlink("victim.txt", d.join("report.txt")).unwrap();
    walint()
        .current_dir(d)
        .args(["check", "--no-config", "-o", "report.txt", "list.csv"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("symbolic link"));
    assert_eq!(
        std::fs::read_to_string(d.join("victim.txt")).unwrap(),
        "keep me\n"
    );
    // A report to /dev/null is written into the device, which stays one.
    walint()
        .current_dir(d)
        .args(["check", "--no-config", "-o", "/dev/null", "list.csv"])
        .assert()
        .code(1)
        .stdout("");
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = std::fs::metadata("/dev/null").unwrap().file_type();
        assert!(kind.is_char_device());
    }
    // `-` is standard output: the report for `check -o -`, the rows for `fix --clean -`
    // (whose summary then goes to standard error).
    walint()
        .current_dir(d)
        .args(["check", "--no-config", "-o", "-", "list.csv"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("WAC002"));
    let out = fix(d, &["--clean", "-", "--rejects", "r.csv"]).code(1);
    let out = out.get_output();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "phone\n+14155552671\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 rejected -> r.csv"));
    let out = fix(d, &["--clean", "c.csv", "--rejects", "-"]).code(1);
    let rejects = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        rejects.starts_with("phone,\"walint_row\",\"walint_line\",\"walint_codes\",\"walint_reasons\"\n+1415555267,\"2\",\"3\",\"WAC002\""),
        "{rejects}"
    );
    fix(d, &["--clean", "-", "--rejects", "-"])
        .code(2)
        .stderr(predicates::str::contains("different files"));
    assert_no_temporaries(d);
}

/// Exit 2 with `--format json -o FILE` writes a JSON error report (valid against the
/// report schema) to FILE, so a CI step that reads the report learns why there is none;
/// never over an input.
#[test]
fn a_failed_run_writes_a_json_error_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "walint.toml",
        "fail_on = \"error\"\nsendr = \"+919876543210\"\n",
    );
    write(d, "list.csv", LIST);
    walint()
        .current_dir(d)
        .args(["check", "--format", "json", "-o", "r.json", "list.csv"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown field `sendr`"));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    crate::schema::assert_valid(
        &crate::schema::validator("report.schema.json"),
        &report,
        "an error report",
    );
    assert_eq!(report["error"]["kind"], "config", "{report:#}");
    assert_eq!(report["error"]["line"], 2, "{report:#}");
    assert!(
        report["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sendr")
    );
    assert!(report.get("diagnostics").is_none());
    // A missing input is an `io` error report naming the file.
    walint()
        .current_dir(d)
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "-o",
            "r.json",
            "gone.csv",
        ])
        .assert()
        .code(2);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    assert_eq!(report["error"]["path"], "gone.csv", "{report:#}");
    // Arguments that do not parse leave an error report too, never the previous report.
    walint()
        .current_dir(d)
        .args([
            "check",
            "--format=json",
            "--media-timeout",
            "0",
            "-o",
            "r.json",
            "list.csv",
        ])
        .assert()
        .code(2);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    assert_eq!(report["error"]["kind"], "usage", "{report:#}");
    assert!(
        report["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--media-timeout"),
        "{report:#}"
    );
    // `-o` naming an input is refused, and the input is not replaced by an error report.
    walint()
        .current_dir(d)
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "-o",
            "list.csv",
            "list.csv",
        ])
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(d.join("list.csv")).unwrap(), LIST);
}

/// A run killed while writing (SIGTERM, SIGINT) removes its temporary outputs, which hold
/// copies of the contact list, and exits 128 + the signal (130, 143, 129), also when it was
/// started with SIGINT ignored (a background job); the previous outputs stay as they were.
#[test]
fn an_interrupted_fix_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Long enough that the run is still going when the signal arrives.
    let mut list = String::from("phone,name\n");
    for i in 0..400_000u64 {
        list.push_str(&format!("+1415{:07},n{i}\n", 5_550_000 + i % 4_000_000));
    }
    write(d, "list.csv", &list);
    write(d, "c.csv", "previous clean\n");
    for (signal, code, ignoring) in [
        ("TERM", 143, false),
        ("INT", 130, false),
        ("HUP", 129, true),
    ] {
        // `trap '' INT` then exec: walint starts with SIGINT ignored, as a background job does.
        let trap = if ignoring { "trap '' INT; " } else { "" };
        let mut child = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{trap}exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_walint"))
            .current_dir(d)
            .args([
                "fix",
                "--no-config",
                "list.csv",
                "--clean",
                "c.csv",
                "--rejects",
                "r.csv",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while names(d).iter().filter(|n| n.ends_with(".tmp")).count() < 2 {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "no temporary files"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let killed = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "SIG{signal}: {status:?}");
        assert_eq!(names(d), ["c.csv", "list.csv"], "SIG{signal}");
        assert_eq!(
            std::fs::read_to_string(d.join("c.csv")).unwrap(),
            "previous clean\n"
        );
    }
}

/// The peak resident memory (VmHWM, KiB) of a running process, read from /proc while it
/// runs: the last value read before it exits is its peak.
fn peak_kib_until_exit(child: &mut std::process::Child) -> (u64, std::process::ExitStatus) {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kib = line.split_whitespace().nth(1).and_then(|n| n.parse().ok());
            peak = peak.max(kib.unwrap_or(0));
        }
        if let Some(exit) = child.try_wait().unwrap() {
            return (peak, exit);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A JSON array of messages is streamed element by element: checking a 48 MiB array takes
/// no more memory than checking an 8 MiB one (the array was held whole, twice over), and
/// every element is checked.
#[test]
fn a_json_array_is_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let message = r#"{"messaging_product": "whatsapp", "to": "+14155552671", "type": "text", "text": {"body": "Your order has shipped and will arrive on Tuesday. Reply STOP to opt out."}}"#;
    let mut peaks = Vec::new();
    for mib in [8, 48] {
        let count = (mib << 20) / (message.len() + 4);
        let mut text = String::with_capacity(mib << 20);
        text.push_str("[\n");
        for i in 0..count {
            text.push_str("  ");
            text.push_str(message);
            text.push_str(if i + 1 < count { ",\n" } else { "\n" });
        }
        text.push_str("]\n");
        let file = write(d, "messages.json", &text);
        drop(text);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_walint"))
            .args([
                "check",
                "--no-config",
                "--offline",
                "--format",
                "json",
                "-o",
            ])
            .arg(d.join("report.json"))
            .arg(&file)
            .spawn()
            .unwrap();
        let (peak, status) = peak_kib_until_exit(&mut child);
        assert_eq!(status.code(), Some(0), "{status:?}");
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("report.json")).unwrap()).unwrap();
        assert_eq!(report["summary"]["messages"], count as u64);
        peaks.push(peak);
    }
    // 40 MiB more file, and not even a third of that more memory.
    assert!(
        peaks[1] < peaks[0] + (12 << 10),
        "peak {} KiB for 8 MiB, {} KiB for 48 MiB: memory grows with the array",
        peaks[0],
        peaks[1]
    );
}

/// `--exclude GLOB` (and `exclude` in walint.toml) leaves files and directories out of a
/// walk, in gitignore syntax; a path named on the command line is still checked; a glob
/// that is not one is a one-line error naming its line.
#[test]
fn excluded_paths_are_left_out_of_walks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("lists/vendor")).unwrap();
    std::fs::create_dir_all(d.join("lists/archive/2025")).unwrap();
    write(d, "lists/good.csv", "phone\n+14155552671\n");
    write(d, "lists/vendor/bad.csv", "phone\n+1415555267\n");
    write(d, "lists/archive/2025/bad.csv", "phone\n+1415555267\n");
    write(d, "lists/old.bak.csv", "phone\n+1415555267\n");
    let files = |args: &[&str]| {
        let assert = walint()
            .current_dir(d)
            .args(["check", "--no-config", "--format", "json"])
            .args(args)
            .assert();
        let report: serde_json::Value =
            serde_json::from_slice(&assert.get_output().stdout).unwrap();
        let mut paths: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["location"]["path"].as_str().unwrap().replace('\\', "/"))
            .collect();
        paths.dedup();
        (report["summary"]["files"].as_u64().unwrap(), paths)
    };
    assert_eq!(files(&["lists"]).0, 4);
    // A file named and also reached by the walk is checked once.
    let (n, paths) = files(&["lists/old.bak.csv", "lists"]);
    assert_eq!(n, 4);
    assert_eq!(
        paths.iter().filter(|p| p.ends_with("old.bak.csv")).count(),
        1,
        "{paths:?}"
    );
    let (n, paths) = files(&[
        "--exclude",
        "vendor",
        "--exclude",
        "archive/**",
        "--exclude",
        "*.bak.csv",
        "lists",
    ]);
    assert_eq!((n, paths), (1, vec![]));
    // Named, an excluded file is checked all the same.
    let (n, paths) = files(&["--exclude", "*.bak.csv", "lists/old.bak.csv"]);
    assert_eq!((n, paths), (1, vec!["lists/old.bak.csv".to_string()]));
    // From walint.toml, with --exclude added to it.
    write(d, "walint.toml", "exclude = [\"vendor\"]\n");
    let assert = walint()
        .current_dir(d)
        .args([
            "check",
            "--format",
            "json",
            "--exclude",
            "archive",
            "--exclude",
            "*.bak.csv",
            "lists",
        ])
        .assert()
        .code(0);
    let report: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(report["summary"]["files"], 1);
    write(
        d,
        "walint.toml",
        "fail_on = \"error\"\nexclude = [\n  \"ok\",\n  \"a[\",\n]\n",
    );
    walint()
        .current_dir(d)
        .args(["check", "lists"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "walint.toml:4: exclude: 'a[' is not a glob",
        ));
    walint()
        .current_dir(d)
        .args(["check", "--no-config", "--exclude", "a[", "lists"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("'a[' is not a glob"));
}

/// A campaign's `contacts` pattern that would walk the whole filesystem stops after a
/// bounded number of entries with a one-line error naming the campaign's line (it walked
/// everything under `/`, following links).
#[test]
fn a_contacts_pattern_walks_a_bounded_tree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "walint.toml",
        "[[campaign]]\nname = \"everything\"\ncontacts = \"/**/*.zzz\"\ntext = \"hi\"\n",
    );
    let started = std::time::Instant::now();
    let assert = walint().current_dir(d).arg("check").assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("walint.toml:1: campaign `everything`: `contacts` pattern '/**/*.zzz'")
            && (stderr.contains("walks more than 100000 entries under /")
                || stderr.contains("matches no file")),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(120), "hang guard");
}

/// `[limits]` in walint.toml sets how much of one record and one message is read: past
/// it, the record (WAC000) or message (WAT000) is a finding at its place and the rest is
/// still read; a limit out of range is a one-line error with its line.
#[test]
fn size_limits_are_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let long = "x".repeat(3000);
    write(
        d,
        "list.csv",
        format!("phone,note\n+14155552671,{long}\n+14155552672,ok\n"),
    );
    let message = |text: &str| {
        format!(
            r#"{{"messaging_product": "whatsapp", "to": "+14155552671", "type": "text", "text": {{"body": "{text}"}}}}"#
        )
    };
    write(
        d,
        "messages.ndjson",
        format!("{}\n{}\n", message(&long), message("hi")),
    );
    write(
        d,
        "walint.toml",
        "[limits]\nrecord_bytes = 2048\nmessage_bytes = 2048\n",
    );
    let assert = walint()
        .current_dir(d)
        .args([
            "check",
            "--offline",
            "--format",
            "json",
            "list.csv",
            "messages.ndjson",
        ])
        .assert()
        .code(1);
    let report: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let found = crate::support::code_lines(&report);
    assert_eq!(found, [("WAC000", 2), ("WAT000", 1)], "{report:#}");
    assert_eq!(report["summary"]["rows"], 2);
    assert_eq!(report["summary"]["messages"], 2);
    // The defaults (1 MiB) read both whole.
    walint()
        .current_dir(d)
        .args([
            "check",
            "--no-config",
            "--offline",
            "list.csv",
            "messages.ndjson",
        ])
        .assert()
        .code(0);
    write(
        d,
        "walint.toml",
        "[limits]\nmessage_bytes = 2048\nrecord_bytes = 100\n",
    );
    walint()
        .current_dir(d)
        .args(["check", "list.csv"])
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("walint.toml:3").and(predicates::str::contains(
                "100 is not a number of bytes from 1024 to 16777216",
            )),
        );
}

/// When the disk fills up while the outputs are written (here: a file-size limit, so the
/// clean list's writes fail), neither output replaces the previous one: both are written
/// and synced before either is renamed (the rejects were already replaced while the clean
/// list kept the previous run's rows).
#[test]
fn a_full_disk_leaves_both_previous_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut list = String::from("phone\n+1415555267\n");
    for i in 0..20_000 {
        list.push_str(&format!("+1415{:07}\n", 5_550_000 + i));
    }
    write(d, "list.csv", &list);
    write(d, "c.csv", "previous clean\n");
    write(d, "r.csv", "previous rejects\n");
    // SIGXFSZ ignored: a write past the limit fails with EFBIG instead of killing walint.
    let status = std::process::Command::new("sh")
        .current_dir(d)
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 100 && exec \"$0\" fix --no-config list.csv --clean c.csv --rejects r.csv")
        .arg(env!("CARGO_BIN_EXE_walint"))
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2), "{status:?}");
    assert_eq!(
        std::fs::read_to_string(d.join("c.csv")).unwrap(),
        "previous clean\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("r.csv")).unwrap(),
        "previous rejects\n"
    );
    assert_eq!(names(d), ["c.csv", "list.csv", "r.csv"]);
}

/// `check -o` never writes over any file the run reads — a file found by walking, a
/// campaign's contact list, a suppression list, walint.toml — and `fix` never writes over
/// a suppression list or the config (a suppression list lost means opted-out people get
/// messaged).
#[test]
fn outputs_are_never_any_input_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("lists")).unwrap();
    write(d, "lists/a.csv", LIST);
    write(d, "contacts.csv", LIST);
    write(d, "optouts.txt", "+14155550000\n");
    let toml = "suppression = [\"optouts.txt\"]\n\n[[campaign]]\nname = \"c\"\ncontacts = \"contacts.csv\"\ntext = \"hi\"\n";
    write(d, "walint.toml", toml);
    let refused = |args: &[&str]| {
        walint()
            .current_dir(d)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("is an input of this run"));
    };
    refused(&["check", "-o", "lists/a.csv", "lists"]);
    refused(&["check", "-o", "contacts.csv"]);
    refused(&["check", "--campaign", "c", "-o", "contacts.csv"]);
    refused(&["check", "-o", "optouts.txt", "lists"]);
    refused(&["check", "-o", "walint.toml", "lists"]);
    refused(&[
        "fix",
        "lists/a.csv",
        "--clean",
        "c.csv",
        "--rejects",
        "optouts.txt",
    ]);
    refused(&[
        "fix",
        "lists/a.csv",
        "--clean",
        "walint.toml",
        "--rejects",
        "r.csv",
    ]);
    for (file, text) in [
        ("lists/a.csv", LIST),
        ("contacts.csv", LIST),
        ("optouts.txt", "+14155550000\n"),
        ("walint.toml", toml),
    ] {
        assert_eq!(
            std::fs::read_to_string(d.join(file)).unwrap(),
            text,
            "{file}"
        );
    }
    // A campaign's contact list may be fix's clean output (cleaning a raw export into it).
    write(d, "raw.csv", LIST);
    walint()
        .current_dir(d)
        .args([
            "fix",
            "raw.csv",
            "--clean",
            "contacts.csv",
            "--rejects",
            "r.csv",
        ])
        .assert()
        .code(1);
}

/// One element of a JSON array with its `}` missing no longer hides every element after
/// it: it is reported where the next element starts, and a bad recipient 1,000 elements
/// later is still found.
#[test]
fn an_open_object_in_an_array_hides_no_later_element() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("[\n");
    for i in 0..3000 {
        let to = if i == 2500 { "12" } else { "+14155552671" };
        let close = if i == 1500 { "" } else { "}" };
        let comma = if i < 2999 { "," } else { "" };
        text.push_str(&format!(
            "  {{\"messaging_product\": \"whatsapp\", \"to\": \"{to}\", \"type\": \"text\", \"text\": {{\"body\": \"hi\"}}{close}{comma}\n"
        ));
    }
    text.push_str("]\n");
    let file = write(dir.path(), "messages.json", &text);
    let report = crate::support::json_report(
        walint()
            .args(["check", "--no-config", "--offline", "--format", "json"])
            .arg(&file),
        1,
    );
    let found: Vec<(&str, u64, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["location"]["line"].as_u64().unwrap(),
                d["location"]["pointer"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("WAT000", 1503, "/1500"), ("WAT017", 2502, "/2500/to")],
        "{report:#}"
    );
    assert_eq!(report["summary"]["messages"], 3000);
}

/// Links to addresses that are not on the public internet are refused without a request,
/// whatever form the address takes: IPv4-compatible and -mapped IPv6, NAT64, 6to4,
/// site-local, documentation (TEST-NET) and benchmarking ranges, as well as the usual
/// loopback and private ones. A public address is left to the prober.
#[test]
fn special_purpose_addresses_are_refused_in_every_form() {
    let dir = tempfile::tempdir().unwrap();
    let refused = [
        "http://[::127.0.0.1]/a.jpg",
        "http://[::ffff:10.0.0.1]/a.jpg",
        "http://[64:ff9b::7f00:1]/a.jpg",
        "http://[64:ff9b:1::a9fe:a9fe]/a.jpg",
        "http://[2002:c0a8:101::1]/a.jpg",
        "http://[fec0::1]/a.jpg",
        "http://[fd00::1]/a.jpg",
        "http://192.0.2.10/a.jpg",
        "http://198.51.100.7/a.jpg",
        "http://203.0.113.9/a.jpg",
        "http://198.18.0.1/a.jpg",
        "http://100.64.0.1/a.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/a.jpg",
    ];
    let mut lines = String::new();
    for link in refused.iter().chain(&["https://8.8.8.8/a.jpg"]) {
        lines.push_str(&format!(
            "{{\"messaging_product\": \"whatsapp\", \"to\": \"+14155552671\", \"type\": \"image\", \"image\": {{\"link\": \"{link}\"}}}}\n"
        ));
    }
    let file = write(dir.path(), "messages.ndjson", &lines);
    let report = crate::support::json_report(
        walint()
            .args(["check", "--no-config", "--offline", "--format", "json"])
            .arg(&file),
        1,
    );
    let wam011: Vec<u64> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "WAM011")
        .map(|d| d["location"]["line"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = (1..=refused.len() as u64).collect();
    assert_eq!(wam011, expected, "{report:#}");
    assert_eq!(report["summary"]["media"]["refused"], refused.len());
}

/// A list read in the wrong encoding is one huge header "cell" holding every row; the
/// error that says no phone column was found must not give the rows back (re-encoded, the
/// garbled text is the file), in the one-line error nor in the JSON error report.
#[test]
fn an_error_quotes_no_list_data_however_the_file_is_misread() {
    let dir = tempfile::tempdir().unwrap();
    let mut list = String::from("name,phone,city\n");
    for i in 0..200 {
        list.push_str(&format!("Asha Rao {i},+9198765{i:05},Pune\n"));
    }
    let path = dir.path().join("list.csv");
    std::fs::write(&path, &list).unwrap();
    let out = walint()
        .args([
            "check",
            "--no-config",
            "--encoding",
            "utf-16le",
            "--format",
            "json",
        ])
        .arg(&path)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(said.len() < 2000, "{} bytes: {said}", said.len());
    // Re-encoded as the misread bytes, what was said holds no row of the file.
    let bytes: Vec<u8> = said.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let again = String::from_utf8_lossy(&bytes);
    for needle in ["Asha", "98765", "Pune"] {
        assert!(
            !said.contains(needle) && !again.contains(needle),
            "{needle}: {said}"
        );
    }
}
