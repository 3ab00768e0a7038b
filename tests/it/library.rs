//! The library front door (`walint::linter::Linter`): the same report as the `check`
//! command, from a reader or by path, without spawning a process.

use walint::config::Config;
use walint::linter::Linter;

use crate::support::{self, fixture, walint};

#[test]
fn a_linter_from_the_demo_config_reports_what_the_command_does() {
    let config = Config::load(&fixture("demo/walint.toml")).unwrap();
    let report = Linter::with_config(config).check_paths(&[]).unwrap();
    let command = support::json_report(
        walint().current_dir(support::root()).args([
            "check",
            "--config",
            "fixtures/demo/walint.toml",
            "--format",
            "json",
        ]),
        1,
    );
    let summary = report.summary();
    assert_eq!(summary.rows, 201);
    assert_eq!(summary.messages, 201);
    assert_eq!(
        report.diagnostics.len(),
        command["diagnostics"].as_array().unwrap().len() as u64
    );
    assert_eq!(
        serde_json::to_value(&summary.by_code).unwrap(),
        command["summary"]["by_code"]
    );
}

#[test]
fn a_list_from_a_reader_with_a_selection() {
    let list = "phone\n+91 98765 43210\n\n+9198123\n";
    let all = Linter::new()
        .check_contacts("upload.csv", list.as_bytes())
        .unwrap();
    assert_eq!(all.diagnostics.len(), 2);
    let only = Linter::new()
        .select(&["WAC002"])
        .check_contacts("upload.csv", list.as_bytes())
        .unwrap();
    let found = only.diagnostics.to_vec().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code(), "WAC002");
    assert_eq!(found[0].location.path(), "upload.csv");
    assert!(Linter::new().with_default_region("XX").is_err());
}

/// The JSON report of a library `Report`, as `walint check --format json` writes it.
fn json_of(report: &walint::report::Report) -> serde_json::Value {
    let mut out = Vec::new();
    walint::report::json::write(report, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

/// Payloads and a registry from readers: the command's report for the same files.
#[test]
fn payloads_and_a_registry_from_readers() {
    let demo = fixture("demo");
    let payloads = std::fs::read(demo.join("payloads/order_updates.ndjson")).unwrap();
    let registry = std::fs::read(demo.join("registry.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("registry.json"), &registry).unwrap();
    std::fs::write(
        dir.path().join("walint.toml"),
        "registry = [\"registry.json\"]\n",
    )
    .unwrap();
    let config = Config::load(&dir.path().join("walint.toml")).unwrap();
    let report = Linter::with_config(config)
        .check_payloads("order_updates.ndjson", payloads.as_slice())
        .unwrap();
    std::fs::write(dir.path().join("order_updates.ndjson"), &payloads).unwrap();
    let command = support::json_report(
        walint().current_dir(dir.path()).args([
            "check",
            "--offline",
            "--format",
            "json",
            "order_updates.ndjson",
        ]),
        1,
    );
    assert!(report.messages > 0);
    assert_eq!(json_of(&report), command);
    let linted = Linter::new()
        .check_registry("registry.json", registry.as_slice())
        .unwrap();
    let command = support::json_report(
        walint().current_dir(dir.path()).args([
            "check",
            "--no-config",
            "--format",
            "json",
            "registry.json",
        ]),
        if linted.diagnostics.is_empty() { 0 } else { 1 },
    );
    assert_eq!(json_of(&linted), command);
}

/// A list from a reader checked as a campaign's: the rows' findings of
/// `walint check --campaign`.
#[test]
fn a_list_from_a_reader_as_a_campaign() {
    let config = Config::load(&fixture("demo/walint.toml")).unwrap();
    let list = std::fs::read(fixture("demo/contacts.csv")).unwrap();
    let report = Linter::with_config(config)
        .check_campaign("diwali-offer", "contacts.csv", list.as_slice())
        .unwrap();
    let command = support::json_report(
        walint().current_dir(fixture("demo")).args([
            "check",
            "--campaign",
            "diwali-offer",
            "--format",
            "json",
        ]),
        1,
    );
    let rows = |report: &serde_json::Value| support::findings_in(report, "contacts.csv");
    let served = json_of(&report);
    assert!(!rows(&command).is_empty());
    assert_eq!(rows(&served), rows(&command));
    assert_eq!(served["summary"]["messages"], 201);
    let unknown = Linter::new().check_campaign("nope", "c.csv", list.as_slice());
    assert!(unknown.is_err());
}

/// `fix::run_with_results` with `rejected_only` writes exactly the rejected rows' lines of
/// the full results, in order.
#[test]
fn results_of_the_rejected_rows_only() {
    let dir = tempfile::tempdir().unwrap();
    let options = walint::check::CheckOptions::from_config(
        &Config::default(),
        walint::check::Overrides {
            default_region: walint::phone::RegionCode::parse("IN"),
            ..Default::default()
        },
    )
    .unwrap();
    let paths = walint::fix::FixPaths {
        input: fixture("demo/contacts.csv"),
        clean: Some(dir.path().join("clean.csv")),
        rejects: dir.path().join("rejects.csv"),
        in_place: false,
        form: walint::fix::OutputForm::default(),
    };
    let lines = |rejected_only: bool| -> Vec<String> {
        let mut out = Vec::new();
        let results = walint::fix::Results {
            out: &mut out,
            rejected_only,
        };
        walint::fix::run_with_results(&options, &paths, Some(results)).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let all = lines(false);
    let rejected = lines(true);
    assert_eq!(all.len(), 201);
    let expected: Vec<String> = all
        .into_iter()
        .filter(|l| l.contains("\"status\":\"rejected\""))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(rejected, expected);
}
