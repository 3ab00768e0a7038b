//! The CI formats and report options of `walint check`: SARIF validated against the
//! official SARIF 2.1.0 schema (`schemas/sarif/`), JUnit read back as XML, GitLab Code
//! Quality against its requirements (`schemas/gitlab-codequality.schema.json`), GitHub
//! annotations capped at 10 per type with the step summary, fingerprints that survive an
//! inserted row, baselines, redaction, `--quiet`, `--statistics`, `--exit-zero`,
//! `--color`, relative paths and `--path-base`, campaign message counts, completions and
//! the man page, and `docs/rules.md` kept current.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::{self, walint, write};

/// The standard output of `command`, which must exit with `code`.
fn stdout_of(command: &mut assert_cmd::Command, code: i32) -> String {
    let out = command.assert().code(code);
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// The demo campaign run from the repository root with these extra arguments.
fn demo(args: &[&str], code: i32) -> String {
    stdout_of(
        walint()
            .current_dir(support::root())
            .args(["check", "--config", "fixtures/demo/walint.toml"])
            .args(args),
        code,
    )
}

/// `walint check --no-config --format FORMAT FILE` in `dir`.
fn check_in(dir: &Path, format: &str, file: &str, code: i32) -> String {
    stdout_of(
        walint()
            .current_dir(dir)
            .args(["check", "--no-config", "--format", format, file]),
        code,
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The official SARIF 2.1.0 schema, compiled. Its two `language` patterns (of a run and
/// of a tool component), `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`, have a stray `]` that
/// ECMA-262 reads as a literal (non-Unicode mode) and Rust's regex engines reject; they are
/// compiled with that `]` escaped, which matches exactly the same strings. The file stays
/// unchanged.
fn sarif_validator() -> jsonschema::Validator {
    fn escape_stray_bracket(value: &mut Value, fixed: &mut usize) {
        const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
        match value {
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if key == "pattern" && v == STRAY {
                        *v = Value::from(STRAY.replace("}]?", "}\\]?"));
                        *fixed += 1;
                    } else {
                        escape_stray_bracket(v, fixed);
                    }
                }
            }
            Value::Array(items) => items
                .iter_mut()
                .for_each(|v| escape_stray_bracket(v, fixed)),
            _ => {}
        }
    }
    let path = support::root().join("schemas/sarif/sarif-schema-2.1.0.json");
    let mut schema = json(&std::fs::read_to_string(path).unwrap());
    let mut fixed = 0;
    escape_stray_bracket(&mut schema, &mut fixed);
    assert_eq!(fixed, 2);
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    let report = json(&demo(&["--format", "json"], 1));
    let sarif = json(&demo(&["--format", "sarif"], 1));
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("at '{}': {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The schema does reject a broken log.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));
    let run = &sarif["runs"][0];
    // Every rule of the catalogue, with help, help URI and the WhatsApp code.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), walint::rules::all().len());
    let wac001 = rules.iter().find(|r| r["id"] == "WAC001").unwrap();
    assert_eq!(wac001["properties"]["wa_error"], 131026);
    assert!(
        wac001["helpUri"]
            .as_str()
            .unwrap()
            .ends_with("docs/rules.md#wac001-phone-not-e164")
    );
    assert!(
        wac001["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why it matters")
    );
    // One result per finding, at a relative path, each with its fingerprint.
    let results = run["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        report["diagnostics"].as_array().unwrap().len()
    );
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert_eq!(uri, "fixtures/demo/contacts.csv");
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(r["partialFingerprints"]["walint/v1"].is_string());
    }
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("file:///")
    );
    // A clean run is a valid log with no results.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.csv", "phone\n+14155552671\n");
    let out = check_in(dir.path(), "sarif", "ok.csv", 0);
    let clean = json(&out);
    assert!(validator.is_valid(&clean));
    assert_eq!(clean["runs"][0]["results"].as_array().unwrap().len(), 0);
}

/// A fixable number, an empty cell, an invalid number, a clean row, another empty cell and a
/// duplicate of the first row's recipient (whose message names line 2).
const LIST: &str =
    "name,phone\nA,+91 98765 43210\nB,\nC,+1415555267\nD,+919876543211\nE,\nF,+919876543210\n";

/// The SARIF fingerprints of `list` checked in `dir`, by (rule, message).
fn fingerprints(dir: &Path, list: &str) -> Vec<(String, String)> {
    write(dir, "list.csv", list);
    let out = check_in(dir, "sarif", "list.csv", 1);
    let sarif = json(&out);
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["walint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn an_inserted_row_does_not_change_the_other_findings_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    let before = fingerprints(dir.path(), LIST);
    let inserted = LIST.replacen("name,phone\n", "name,phone\nZ,+44 7911 123456\n", 1);
    let after = fingerprints(dir.path(), &inserted);
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    for print in &before {
        assert!(after.contains(print), "{print:?} changed: {after:?}");
    }
    // Distinct findings have distinct fingerprints (the two empty cells are numbered).
    let mut unique: Vec<&String> = after.iter().map(|(_, p)| p).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), after.len());
}

#[test]
fn a_baseline_leaves_out_known_findings_and_counts_the_fixed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "list.csv", LIST);
    walint()
        .current_dir(d)
        .args([
            "check",
            "--no-config",
            "--write-baseline",
            "walint-baseline.json",
        ])
        .arg("list.csv")
        .assert()
        .code(0);
    let baseline = std::fs::read_to_string(d.join("walint-baseline.json")).unwrap();
    assert!(!baseline.contains("98765"), "the baseline holds no number");
    // Unchanged: nothing new, exit 0.
    walint()
        .current_dir(d)
        .args([
            "check",
            "--no-config",
            "--baseline",
            "walint-baseline.json",
            "list.csv",
        ])
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "5 known findings left out, 0 entries",
        ));
    // A bad row at the top: exactly one new finding, at its line.
    let inserted = LIST.replacen("name,phone\n", "name,phone\nZ,12\n", 1);
    write(d, "list.csv", &inserted);
    let report = support::json_report(
        walint().current_dir(d).args([
            "check",
            "--no-config",
            "--format",
            "json",
            "--baseline",
            "walint-baseline.json",
            "list.csv",
        ]),
        1,
    );
    assert_eq!(support::code_lines(&report), vec![("WAC001", 2)]);
    // A fixed row: its entry no longer occurs, and is counted.
    write(
        d,
        "list.csv",
        LIST.replace("C,+1415555267\n", "C,+14155552671\n"),
    );
    walint()
        .current_dir(d)
        .args([
            "check",
            "--no-config",
            "--baseline",
            "walint-baseline.json",
            "list.csv",
        ])
        .assert()
        .code(0)
        .stderr(predicates::str::contains("1 entries no longer occur"));
    // Run from another directory, no entry matches: said, as every finding is new.
    let sub = d.join("sub");
    std::fs::create_dir(&sub).unwrap();
    walint()
        .current_dir(&sub)
        .args([
            "check",
            "--no-config",
            "--baseline",
            "../walint-baseline.json",
            "../list.csv",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no entry of baseline"));
    // A file that is not a baseline is a clear error.
    write(d, "bad.json", "{}");
    walint()
        .current_dir(d)
        .args(["check", "--no-config", "--baseline", "bad.json", "list.csv"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a walint baseline"));
}

/// JUnit counts read back with an XML parser: (suites, cases, failures per suite).
fn junit_counts(xml: &str) -> (usize, usize, Vec<(String, u64)>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut suites, mut cases) = (0, 0);
    let mut failures = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "testsuite" => {
                    suites += 1;
                    let attr = |name: &str| {
                        let a = e.try_get_attribute(name).unwrap().unwrap();
                        let raw = a.value.to_string();
                        quick_xml::escape::unescape(&raw).unwrap().into_owned()
                    };
                    failures.push((attr("name"), attr("failures").parse().unwrap()));
                }
                "testcase" => cases += 1,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    (suites, cases, failures)
}

#[test]
fn junit_is_xml_with_a_case_per_file_and_rule() {
    let report = json(&demo(&["--format", "json"], 1));
    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut failing: BTreeMap<(String, String), bool> = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let key = (
            d["location"]["path"].as_str().unwrap().to_string(),
            d["code"].as_str().unwrap().to_string(),
        );
        *expected.entry(key.clone()).or_default() += 1;
        *failing.entry(key).or_default() |= d["severity"] == "error";
    }
    let xml = demo(&["--format", "junit"], 1);
    let (suites, cases, failures) = junit_counts(&xml);
    assert_eq!(suites, 1);
    assert_eq!(cases, expected.len());
    // A rule's case fails when one of its findings fails the run (--fail-on error).
    let errors = failing.values().filter(|f| **f).count() as u64;
    assert!(errors < expected.len() as u64, "the demo has warnings too");
    assert_eq!(
        failures,
        vec![("fixtures/demo/contacts.csv".to_string(), errors)]
    );
    let warnings = demo(&["--format", "junit", "--fail-on", "warning"], 1);
    let (_, _, failures) = junit_counts(&warnings);
    assert!(failures[0].1 > errors);
    assert!(xml.contains(
        r#"<testcase classname="fixtures/demo/contacts.csv" name="WAC001 phone-not-e164">"#
    ));
    assert!(xml.contains(r#"message="6 findings""#), "{xml}");
    // Control characters from an input cannot break the XML.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "l.csv", "phone,na\u{1}me\n+1415555267,x\n");
    let out = check_in(dir.path(), "junit", "l.csv", 1);
    junit_counts(&out);
    // A run with warnings only passes, as walint's exit code says; its findings are
    // listed in each case's output.
    write(dir.path(), "dup.csv", "phone\n+14155552671\n+14155552671\n");
    let out = check_in(dir.path(), "junit", "dup.csv", 0);
    let (_, cases, failures) = junit_counts(&out);
    assert_eq!((cases, failures[0].1), (1, 0), "{out}");
    assert!(out.contains("<system-out>line 3"), "{out}");
    // A clean run is one passing case.
    write(dir.path(), "ok.csv", "phone\n+14155552671\n");
    let out = check_in(dir.path(), "junit", "ok.csv", 0);
    let (suites, cases, failures) = junit_counts(&out);
    assert_eq!((suites, cases), (1, 1));
    assert_eq!(failures[0].1, 0);
}

#[test]
fn gitlab_matches_the_code_quality_format() {
    let schema = json(
        &std::fs::read_to_string(support::root().join("schemas/gitlab-codequality.schema.json"))
            .unwrap(),
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    let gitlab = json(&demo(&["--format", "gitlab"], 1));
    let errors: Vec<String> = validator
        .iter_errors(&gitlab)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let issues = gitlab.as_array().unwrap();
    assert_eq!(issues.len(), 26);
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), issues.len(), "fingerprints are unique");
    assert!(
        issues
            .iter()
            .all(|i| i["location"]["path"] == "fixtures/demo/contacts.csv")
    );
    // Nothing to report is an empty array.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.csv", "phone\n+14155552671\n");
    let out = check_in(dir.path(), "gitlab", "ok.csv", 0);
    assert_eq!(json(&out), serde_json::json!([]));
}

#[test]
fn github_annotates_at_most_ten_of_each_type_and_writes_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 25 invalid numbers (errors) and 12 toll-free numbers (warnings).
    let mut list = String::from("phone\n");
    for i in 0..25 {
        list.push_str(&format!("+1415555{i:03}\n"));
    }
    for i in 0..12 {
        list.push_str(&format!("+1800555{:04}\n", 1000 + i));
    }
    write(d, "list.csv", &list);
    let summary = d.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let stdout = stdout_of(
        walint()
            .current_dir(d)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args(["check", "--no-config", "--format", "github", "list.csv"]),
        1,
    );
    let count = |prefix: &str| stdout.lines().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("::error "), 10, "{stdout}");
    assert_eq!(count("::warning "), 10, "{stdout}");
    assert_eq!(count("::notice "), 1, "{stdout}");
    assert!(
        stdout.contains("::notice title=walint::17 more findings"),
        "{stdout}"
    );
    // Every finding is in the log: 20 annotations and 17 plain lines.
    assert_eq!(count("list.csv:"), 17);
    assert!(stdout.contains("::error file=list.csv,line=2,title=WAC002 phone-invalid"));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("earlier step\n## walint"), "appended: {md}");
    assert!(
        md.contains("| WAC002 | phone-invalid | 131026 | 25 |"),
        "{md}"
    );
    assert!(
        md.contains("| WAC003 | phone-not-mobile | 131026 | 12 |"),
        "{md}"
    );
    assert!(md.contains("| 131026 |"), "{md}");
    // A step summary file that cannot be written is a warning, not a failure.
    walint()
        .current_dir(d)
        .env("GITHUB_STEP_SUMMARY", d.join("no-such-dir/summary.md"))
        .args(["check", "--no-config", "--format", "github", "list.csv"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no step summary written"));
    // Under the cap: every finding an annotation, no notice.
    write(d, "few.csv", "phone\n+1415555000\n");
    let stdout = check_in(d, "github", "few.csv", 1);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("::")).count(),
        1,
        "{stdout}"
    );
}

#[test]
fn ci_formats_mask_phone_numbers_unless_told_not_to() {
    // The demo's fixes hold full E.164 numbers (+916511964134 on line 9).
    let full = "+916511964134";
    let masked = "+91********34";
    for format in ["sarif", "github", "junit", "gitlab"] {
        let out = demo(&["--format", format], 1);
        assert!(!out.contains(full), "{format} shows a number");
        if format != "github" && format != "gitlab" {
            assert!(out.contains(masked), "{format}: {out}");
        }
        assert!(
            demo(&["--format", format, "--no-redact"], 1).contains(full)
                || format == "github"
                || format == "gitlab"
        );
    }
    assert!(demo(&["--format", "json"], 1).contains(full));
    let redacted = demo(&["--format", "json", "--redact"], 1);
    assert!(!redacted.contains(full) && redacted.contains(masked));
    let text = demo(&["--redact"], 1);
    assert!(!text.contains(full) && text.contains(masked));
}

#[test]
fn quiet_statistics_exit_zero_and_colour() {
    let quiet = demo(&["--quiet"], 1);
    assert!(
        quiet.contains("WAC001") && !quiet.contains("Checked 1 file"),
        "{quiet}"
    );
    let stats = demo(&["--statistics"], 1);
    assert!(
        stats
            .lines()
            .next()
            .unwrap()
            .trim_start()
            .starts_with("6  WAC001"),
        "{stats}"
    );
    assert!(!stats.contains("fixtures/demo/contacts.csv:9"), "{stats}");
    assert!(
        stats.contains("Checked 1 file, 201 rows, 201 messages"),
        "{stats}"
    );
    demo(&["--exit-zero"], 0);
    demo(&["--exit-zero", "--format", "sarif"], 0);
    assert!(demo(&["--color", "always"], 1).contains('\u{1b}'));
    assert!(!demo(&["--color", "never"], 1).contains('\u{1b}'));
    // Statistics are text: asking for them in another format is a usage error.
    walint()
        .current_dir(support::root())
        .args([
            "check",
            "--config",
            "fixtures/demo/walint.toml",
            "--statistics",
            "--format",
            "json",
        ])
        .assert()
        .code(2);
}

#[test]
fn campaign_paths_are_relative_and_messages_counted() {
    // The config named by an absolute path, run from its own directory.
    let demo_dir = support::root().join("fixtures/demo");
    let report = support::json_report(
        walint()
            .current_dir(&demo_dir)
            .arg("check")
            .arg("--config")
            .arg(demo_dir.join("walint.toml"))
            .args(["--format", "json"]),
        1,
    );
    assert_eq!(report["summary"]["messages"], 201);
    assert_eq!(report["summary"]["rows"], 201);
    for d in report["diagnostics"].as_array().unwrap() {
        assert_eq!(d["location"]["path"], "contacts.csv");
    }
    // --path-base: relative to another directory.
    let report = support::json_report(
        walint().current_dir(&demo_dir).args([
            "check",
            "--config",
            "walint.toml",
            "--format",
            "json",
            "--path-base",
            "..",
        ]),
        1,
    );
    assert_eq!(
        report["diagnostics"][0]["location"]["path"],
        "demo/contacts.csv"
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_cli() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(walint().args(["completions", shell]), 0);
        assert!(
            script.contains("walint") && script.contains("baseline"),
            "{shell}"
        );
    }
    // Each subcommand's page, with its options.
    let page = stdout_of(walint().args(["man", "check"]), 0);
    assert!(
        page.contains(".TH walint-check 1") && page.contains("baseline"),
        "{page}"
    );
    walint().args(["man", "nope"]).assert().code(2);
    let man = stdout_of(walint().arg("man"), 0);
    assert!(
        man.contains(".TH walint 1") && man.contains("check"),
        "{man}"
    );
}

#[test]
fn docs_rules_md_is_current() {
    let path = support::root().join("docs/rules.md");
    let expected = walint::explain::rules_markdown();
    if std::env::var_os("WALINT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date: run `walint rules --format markdown > docs/rules.md` \
         (or the tests with WALINT_UPDATE_DOCS=1)"
    );
}
