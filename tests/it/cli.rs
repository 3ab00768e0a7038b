//! The command line as a user meets it: exit codes (0 clean, 1 findings, 2 walint failed),
//! both output formats, `--output`, `--fail-on`, `--select`/`--ignore`, standard input, bad
//! input and bad configuration, `rules`, `explain` and `--version`. Spawns the real binary.

use predicates::prelude::*;
use predicates::str::contains;

use crate::support::{fixture, json_report, walint};

fn clean_csv(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("clean.csv");
    std::fs::write(&p, "name,phone\nAsha,+919876543210\nRavi,+447400123456\n").unwrap();
    p
}

#[test]
fn clean_list_exits_0_with_one_quiet_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = walint()
        .args(["check", "--no-config"])
        .arg(clean_csv(dir.path()))
        .assert()
        .code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout, "All checks passed: 1 file, 2 rows, no findings.\n");
}

#[test]
fn findings_exit_1_and_text_names_place_rule_help_and_fix() {
    let out = walint()
        .args(["check", "--no-config"])
        .arg(fixture("rules/WAC001/fires.csv"))
        .assert()
        .code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour when NO_COLOR is set or not a terminal"
    );
    let rel = "fixtures/rules/WAC001/fires.csv";
    let shown = stdout.replace(
        &fixture("rules/WAC001/fires.csv").display().to_string(),
        rel,
    );
    insta::assert_snapshot!("text_wac001", shown);
}

#[test]
fn json_report_is_the_contract() {
    let report = json_report(
        walint().args([
            "check",
            "--no-config",
            "--format",
            "json",
            "fixtures/rules/WAC004/fires.csv",
        ]),
        1,
    );
    insta::assert_json_snapshot!("json_wac004", report, {".tool.version" => "[version]"});
    assert_eq!(report["summary"]["by_code"]["WAC004"], 1);
    assert_eq!(report["diagnostics"][0]["location"]["row"], 3);
}

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.json");
    walint()
        .args(["check", "--no-config", "--format", "json", "--output"])
        .arg(&target)
        .arg(fixture("rules/WAC005/fires.csv"))
        .assert()
        .code(1)
        .stdout("");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(target).unwrap()).unwrap();
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn fail_on_sets_the_threshold() {
    // Only a warning (a duplicate): passes by default, fails with --fail-on warning.
    let dir = tempfile::tempdir().unwrap();
    let warn_only = dir.path().join("dup.csv");
    std::fs::write(&warn_only, "phone\n+919876543210\n+919876543210\n").unwrap();
    walint()
        .args(["check", "--no-config"])
        .arg(&warn_only)
        .assert()
        .code(0)
        .stdout(contains("WAC004"));
    walint()
        .args(["check", "--no-config", "--fail-on", "warning"])
        .arg(&warn_only)
        .assert()
        .code(1);
}

#[test]
fn select_and_ignore() {
    let f = fixture("rules/WAC001/fires.csv");
    walint()
        .args(["check", "--no-config", "--ignore", "WAC001"])
        .arg(&f)
        .assert()
        .code(0);
    walint()
        .args(["check", "--no-config", "--select", "WAC005,phone-invalid"])
        .arg(&f)
        .assert()
        .code(0);
    walint()
        .args(["check", "--no-config", "--select", "WAZ"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(contains("'WAZ' names no rule"));
}

#[test]
fn reads_standard_input() {
    walint()
        .args(["check", "--no-config", "-"])
        .write_stdin("phone\n+91 98765 43210\n")
        .assert()
        .code(1)
        .stdout(contains("<stdin>:2: WAC001"));
}

#[test]
fn default_region_reads_national_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("national.csv");
    std::fs::write(&p, "phone\n098765 43210\n").unwrap();
    walint()
        .args(["check", "--no-config", "--default-region", "IN"])
        .arg(&p)
        .assert()
        .code(1)
        .stdout(contains("fix: +919876543210"));
    walint()
        .args(["check", "--no-config", "--default-region", "XX"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(contains("not a region code"));
}

#[test]
fn phone_column_flag_and_unrecognised_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("odd.csv");
    std::fs::write(&p, "customer,reach_at\nAsha,+919876543210\n").unwrap();
    walint()
        .args(["check", "--no-config"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(contains(
            "no phone column recognised in the header (saw: customer, reach_at)",
        ))
        .stderr(
            predicate::str::ends_with("\n")
                .and(predicate::function(|s: &str| s.lines().count() == 1)),
        );
    walint()
        .args(["check", "--no-config", "--phone-column", "reach_at"])
        .arg(&p)
        .assert()
        .code(0);
}

#[test]
fn missing_file_and_bad_config_exit_2_with_one_line() {
    walint()
        .args(["check", "--no-config", "nope.csv"])
        .assert()
        .code(2)
        .stderr(contains("walint: error: nope.csv:"));
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("walint.toml");
    std::fs::write(&cfg, "default_region = \"IN\"\nsendr = \"+1\"\n").unwrap();
    walint()
        .args(["check", "--config"])
        .arg(&cfg)
        .arg(clean_csv(dir.path()))
        .assert()
        .code(2)
        .stderr(contains("walint.toml:2: unknown field `sendr`"));
    walint().args(["check"]).assert().code(2);
    walint()
        .args(["check", "--no-config", "--format", "yaml", "x.csv"])
        .assert()
        .code(2);
}

#[test]
fn config_is_found_upwards_from_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("walint.toml"),
        "blocked_countries = [\"IN\"]\n",
    )
    .unwrap();
    let nested = dir.path().join("lists/2026");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("c.csv"), "phone\n+919876543210\n").unwrap();
    walint()
        .current_dir(&nested)
        .args(["check", "c.csv"])
        .assert()
        .code(1)
        .stdout(contains("WAC006"));
}

#[test]
fn demo_campaign_shows_every_contact_rule() {
    // No paths: the campaigns of walint.toml are checked (the README's first command).
    let report = json_report(
        walint().args([
            "check",
            "--config",
            "fixtures/demo/walint.toml",
            "--format",
            "json",
        ]),
        1,
    );
    // WAC010 needs a free-form campaign; the demo sends a template. WAC011 and WAC012 are
    // about how a file is written (its encoding, two phone columns) and WAC013 about
    // numbers from Mexican and Brazilian WhatsApp IDs: their fixtures show them.
    let not_in_demo = ["WAC010", "WAC011", "WAC012", "WAC013"];
    for rule in walint::rules::all()
        .iter()
        .filter(|r| r.family() == "contacts" && !not_in_demo.contains(&r.code))
    {
        assert!(
            report["summary"]["by_code"][rule.code]
                .as_u64()
                .unwrap_or(0)
                > 0,
            "{} not in the demo",
            rule.code
        );
    }
    // Per-row message findings, each at the cell that supplied the value.
    for (code, row, column) in [
        ("WAT014", 31, Some("coupon")),
        ("WAT013", 57, Some("first_name")),
        ("WAT011", 88, None),
        ("WAT013", 120, Some("first_name")),
    ] {
        let found = report["diagnostics"].as_array().unwrap().iter().any(|d| {
            d["code"] == code
                && d["location"]["row"] == row
                && d["location"]["column"].as_str() == column
        });
        assert!(found, "{code} at row {row} {column:?}");
    }
    assert_eq!(report["summary"]["rows"], 201);
    assert_eq!(report["summary"]["files"], 1);
}

#[test]
fn demo_payloads_and_registry() {
    let report = json_report(
        walint()
            .args([
                "check",
                "--config",
                "fixtures/demo/walint.toml",
                "--format",
                "json",
            ])
            .args(["fixtures/demo/payloads", "fixtures/demo/registry.json"]),
        1,
    );
    assert_eq!(report["summary"]["messages"], 4);
    let codes = crate::support::codes(&report);
    // A missing named value, en_US for an `en` template, and a 00 recipient.
    assert_eq!(codes, ["WAT008", "WAT002", "WAT017"], "{report:#}");
}

/// A key written twice in a payload: the finding is about the value Meta reads (the last),
/// and its location points there, not at the first.
#[test]
fn a_repeated_key_is_located_at_the_value_that_counts() {
    let dir = tempfile::tempdir().unwrap();
    let payload = dir.path().join("p.json");
    std::fs::write(
        &payload,
        "{\n  \"messaging_product\": \"whatsapp\",\n  \"to\": \"+919876543210\",\n  \"type\": \"text\",\n  \"text\": {\"body\": \"hi\"},\n  \"to\": \"+9198\"\n}\n",
    )
    .unwrap();
    let report = json_report(
        walint()
            .args(["check", "--no-config", "--offline", "--format", "json"])
            .arg(&payload),
        1,
    );
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "WAT017", "{report:#}");
    assert_eq!(d["location"]["line"], 6, "{report:#}");
}

/// A registry export with no template is a registry: a template sent against it does not
/// exist (WAT001, 132001), and the registry says it is empty (WAR009).
#[test]
fn an_empty_registry_is_a_registry() {
    let dir = tempfile::tempdir().unwrap();
    for empty in [r#"{"data": []}"#, "[]"] {
        let registry = dir.path().join("registry.json");
        std::fs::write(&registry, empty).unwrap();
        let report = json_report(
            walint()
                .args(["check", "--no-config", "--offline", "--format", "json"])
                .arg("--registry")
                .arg(&registry)
                .arg(fixture(
                    "reference/templates/payload_pywa_order_confirmation_ok.json",
                )),
            1,
        );
        // Findings are ordered by path, and the registry (a temporary folder) and the
        // payload (the checkout) sort either way round depending on where the checkout is.
        let mut codes = crate::support::codes(&report);
        codes.sort_unstable();
        assert_eq!(codes, ["WAR009", "WAT001"], "{empty}: {report:#}");
    }
}

#[test]
fn payloads_are_checked_against_the_registry_with_json_locations() {
    let report = json_report(
        walint()
            .args(["check", "--no-config", "--format", "json", "--registry"])
            .arg(fixture("reference/templates/registry_pywa.json"))
            .arg(fixture(
                "reference/templates/payload_pywa_seasonal_lang_en_GB.json",
            ))
            .arg(fixture("reference/templates/payload_pywa_seasonal_ok.json")),
        1,
    );
    assert_eq!(report["summary"]["messages"], 2);
    let d = &report["diagnostics"].as_array().unwrap();
    // The reference's `seasonal_ok` was assembled with Meta's placeholder recipient, a US
    // number; its template is MARKETING, which Meta no longer delivers to US numbers
    // (since April 2025): WAT019, 131049.
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[1]["code"], "WAT019");
    assert_eq!(d[1]["wa_error"], 131049);
    assert_eq!(d[0]["code"], "WAT002");
    assert_eq!(d[0]["wa_error"], 132001);
    assert!(
        d[0]["location"]["pointer"]
            .as_str()
            .unwrap()
            .starts_with("/template")
    );
    assert!(d[0]["location"]["line"].as_u64().unwrap() > 1);
}

#[test]
fn invalid_json_is_a_finding_and_other_lines_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("batch.ndjson");
    std::fs::write(
        &p,
        "{\"messaging_product\":\"whatsapp\",\"to\":\"919876543210\",\"type\":\"text\",\"text\":{\"body\":\"hi\"}}\n{\"messaging_product\": \"whatsapp\",}\n{\"messaging_product\":\"whatsapp\",\"to\":\"919876543210\",\"type\":\"txt\"}\n",
    )
    .unwrap();
    walint()
        .args(["check", "--no-config"])
        .arg(&p)
        .assert()
        .code(1)
        .stdout(contains(":2:"))
        .stdout(contains("WAT000"))
        .stdout(contains("WAT015"))
        .stdout(contains("3 messages"));
}

#[test]
fn rules_explain_and_version() {
    walint()
        .arg("rules")
        .assert()
        .code(0)
        .stdout(contains("WAC001  phone-not-e164"));
    let rules = json_report(walint().args(["rules", "--format", "json"]), 0);
    assert_eq!(rules.as_array().unwrap().len(), walint::rules::all().len());
    walint()
        .args(["explain", "WAC004"])
        .assert()
        .code(0)
        .stdout(contains("## How to fix"));
    walint()
        .args(["explain", "131050"])
        .assert()
        .code(0)
        .stdout(contains("WAC008 suppressed-recipient"));
    walint().args(["explain", "424242"]).assert().code(2);
    walint()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(contains("libphonenumber metadata 9.0.42"));
}
