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
