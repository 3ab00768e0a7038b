//! The one fixture runner for every rule family: each rule of the catalogue fires on its
//! `fixtures/rules/<CODE>/fires.*` and stays silent on its near miss `passes.*` (a contact
//! CSV, a payload file, or a registry export, each recognised by content, or the campaign of
//! that name in the folder's walint.toml), checked through the library with the folder's
//! walint.toml; and each fixture's full findings — code, severity, WhatsApp error, message,
//! help, location, fix — are kept as an insta snapshot (`snapshots/`), so any change in what
//! a rule reports shows up in review.

use std::path::Path;

use walint::config::MediaConfig;
use walint::diagnostic::Diagnostic;
use walint::rules::{Check, all};

use crate::support;

/// The fixture `stem.*` (csv or json) in a rule's folder.
fn fixture_file(dir: &Path, stem: &str) -> std::path::PathBuf {
    ["csv", "json", "ndjson"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("missing fixture {}/{stem}.*", dir.display()))
}

/// The findings on a rule's `fires` or `passes` fixture: the campaign of that name when
/// the folder's walint.toml defines one (rules that need a campaign's context), else the
/// file `stem.*` checked with that config.
fn findings(dir: &Path, stem: &str) -> Vec<Diagnostic> {
    let config = dir.join("walint.toml");
    let config = config.is_file().then_some(config.as_path());
    let campaign = config.is_some_and(|c| {
        walint::config::Config::load(c).is_ok_and(|c| c.campaigns.iter().any(|k| k.name == stem))
    });
    let report = match (config, campaign) {
        (Some(config), true) => support::check_campaign(config, stem),
        _ if dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("WAM")) =>
        {
            support::check_with_media(
                &[fixture_file(dir, stem).as_path()],
                config,
                media_flags(dir, stem),
            )
        }
        _ => support::check(&[fixture_file(dir, stem).as_path()], config),
    }
    .unwrap_or_else(|e| panic!("{}/{stem} could not be checked: {e}", dir.display()));
    report.diagnostics.to_vec().unwrap()
}

/// Media fixtures link to `http://media.test/…`, answered by the test media server (see
/// `support::check_with_media`). The folder's walint.toml says whether private hosts are
/// allowed (or whether to probe at all); WAM011's near miss is its `fires` link checked
/// with `--allow-private-hosts`.
fn media_flags(dir: &Path, stem: &str) -> MediaConfig {
    MediaConfig {
        allow_private_hosts: dir.ends_with("WAM011") && stem == "passes",
        ..MediaConfig::default()
    }
}

/// The findings as the snapshot keeps them: one JSON object a line, paths relative to the
/// crate root and the test server's port written as `PORT`.
fn snapshot_text(found: &[Diagnostic]) -> String {
    let root = format!("{}/", support::root().display());
    let port = format!(":{}", crate::media_server::shared().addr.port());
    found
        .iter()
        .map(|d| {
            serde_json::to_string(d)
                .unwrap()
                .replace(&root, "")
                .replace(&port, ":PORT")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_rule_fires_on_its_fixture_and_not_on_its_near_miss() {
    for rule in all() {
        let dir = support::fixture(&format!("rules/{}", rule.code));
        let fires = findings(&dir, "fires");
        let codes: Vec<&str> = fires.iter().map(Diagnostic::code).collect();
        assert!(
            codes.contains(&rule.code),
            "{} did not fire on its fires fixture (got {codes:?})",
            rule.code
        );
        // A registry or template fixture is made to trip its rule and nothing else.
        if matches!(rule.check, Check::Definition(_)) {
            assert!(
                codes.iter().all(|c| *c == rule.code),
                "{}'s fires fixture trips other rules too: {codes:?}",
                rule.code
            );
        }
        let passes = findings(&dir, "passes");
        assert!(
            !passes.iter().any(|d| d.rule == *rule),
            "{} fired on its near miss (got {:?})",
            rule.code,
            passes.iter().map(Diagnostic::code).collect::<Vec<_>>()
        );
        insta::assert_snapshot!(format!("{}_fires", rule.code), snapshot_text(&fires));
        insta::assert_snapshot!(format!("{}_passes", rule.code), snapshot_text(&passes));
    }
}

#[test]
fn the_registry_export_passes_every_registry_rule() {
    let export = support::fixture("registry/graph_export.json");
    let found = support::check(&[export.as_path()], None)
        .unwrap()
        .diagnostics
        .to_vec()
        .unwrap();
    assert!(found.is_empty(), "{}", snapshot_text(&found));
}

#[test]
fn fixtures_fire_exactly_where_expected() {
    let lines = |code: &str| -> Vec<u64> {
        let dir = support::fixture(&format!("rules/{code}"));
        let config = dir.join("walint.toml");
        let config = config.is_file().then_some(config.as_path());
        let report = support::check(&[dir.join("fires.csv").as_path()], config).unwrap();
        report
            .diagnostics
            .to_vec()
            .unwrap()
            .iter()
            .filter(|d| d.code() == code)
            .map(|d| d.location.line())
            .collect()
    };
    // Ragged (3), text after a quote (4), unclosed quote (5); line 6 is read again.
    assert_eq!(lines("WAC000"), [3, 4, 5]);
    // Line 4 (digits alone) and 5 (`whatsapp:`), 6 (a float), 7 (scientific notation).
    assert_eq!(lines("WAC001"), [2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(lines("WAC004"), [4]);
    assert_eq!(lines("WAC006"), [2, 3]);
    // Suppression list (2), "no" (3), empty opt-in (4).
    assert_eq!(lines("WAC008"), [2, 3, 4]);
}

#[test]
fn no_folder_without_a_rule() {
    let dir = support::fixture("rules");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_dir() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                walint::rules::find(&name).is_some(),
                "fixtures/rules/{name} names no rule"
            );
        }
    }
}
