//! Campaigns (`[[campaign]]` in walint.toml): each row checked as the message it sends,
//! POSITIONAL and NAMED mappings, media and text headers, definitions checked once at the
//! campaign, bad definitions as one-line errors, recipients compared across files.

use std::path::{Path, PathBuf};

use walint::diagnostic::{Diagnostic, Location};

use crate::support::{self, json_report, walint};

const REGISTRY: &str = r#"{"data": [
  {"name": "diwali_offer", "language": "en", "status": "APPROVED", "category": "MARKETING",
   "components": [
     {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["https://e.x/h.jpg"]}},
     {"type": "BODY", "text": "Happy Diwali, {{1}}! Use code {{2}} for 20% off.",
      "example": {"body_text": [["Riya", "DIWALI20"]]}},
     {"type": "BUTTONS", "buttons": [{"type": "COPY_CODE", "example": "DIWALI20"},
       {"type": "URL", "text": "Shop", "url": "https://shop.example/{{1}}", "example": ["https://shop.example/d"]}]}]},
  {"name": "order_update", "language": "en", "status": "APPROVED", "category": "UTILITY",
   "parameter_format": "NAMED",
   "components": [
     {"type": "HEADER", "format": "TEXT", "text": "Order for {{city}}",
      "example": {"header_text_named_params": [{"param_name": "city", "example": "Pune"}]}},
     {"type": "BODY", "text": "Hi {{first_name}}, order {{order_id}} ships today.",
      "example": {"body_text_named_params": [{"param_name": "first_name", "example": "Riya"},
                                             {"param_name": "order_id", "example": "A-1"}]}}]}
]}"#;

/// A folder holding walint.toml (`config`), registry.json and the given CSV files.
fn setup(config: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("walint.toml"), config).unwrap();
    std::fs::write(dir.path().join("registry.json"), REGISTRY).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn config_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("walint.toml")
}

fn run(dir: &tempfile::TempDir, campaign: &str) -> Vec<Diagnostic> {
    support::check_campaign(&config_path(dir), campaign)
        .unwrap()
        .diagnostics
        .to_vec()
        .unwrap()
}

/// (code, row, column) of CSV findings; (code, 0, "walint.toml:LINE") of config ones.
fn places(ds: &[Diagnostic]) -> Vec<(&'static str, u64, String)> {
    ds.iter()
        .map(|d| match &d.location {
            Location::Csv { row, column, .. } => {
                (d.code(), *row, column.as_deref().unwrap_or("-").to_string())
            }
            Location::File { path, line } => (
                d.code(),
                0,
                format!(
                    "{}:{}",
                    Path::new(&**path).file_name().unwrap().to_string_lossy(),
                    line.unwrap_or(0)
                ),
            ),
            Location::Json { pointer, .. } => (d.code(), 0, pointer.clone()),
        })
        .collect()
}

const POSITIONAL: &str = r#"registry = ["registry.json"]
default_region = "IN"

[[campaign]]
name = "diwali"
contacts = "list.csv"
template = "diwali_offer"
language = "en"
body = ["first_name", "coupon"]
header = { column = "image_url" }
buttons = [{ index = 0, column = "coupon" }, { index = 1, column = "slug" }]
"#;

#[test]
fn positional_rows_are_checked_as_their_messages() {
    let long = "x".repeat(1010);
    let list = format!(
        "first_name,phone,coupon,image_url,slug\n\
         Riya,+919876543210,DIWALI20,https://cdn.example/a.jpg,lamps\n\
         Ayaan,+919812345678,,https://cdn.example/a.jpg,lamps\n\
         {long},+919812345670,DIWALI20,https://cdn.example/a.jpg,lamps\n\
         \"Imran\tK\",+919812345671,DIWALI20,https://cdn.example/a.jpg,lamps\n"
    );
    let dir = setup(POSITIONAL, &[("list.csv", &list)]);
    let got = places(&run(&dir, "diwali"));
    assert_eq!(
        got,
        [
            ("WAT014", 2, "coupon".to_string()),
            ("WAT014", 2, "coupon".to_string()),
            ("WAT011", 3, "-".to_string()),
            ("WAT013", 4, "first_name".to_string()),
        ],
        "{got:?}"
    );
}

#[test]
fn named_mapping_and_text_header() {
    let config = r#"registry = ["registry.json"]
[[campaign]]
name = "orders"
contacts = "list.csv"
template = "order_update"
language = "en"
body = { first_name = "name", order_id = "order" }
header = { text_column = "city" }
"#;
    let list = "name,phone,order,city\nRiya,+919876543210,A-1,Pune\nAyaan,+919812345678,A-2,  \n";
    let dir = setup(config, &[("list.csv", list)]);
    let got = places(&run(&dir, "orders"));
    // Only the blank city: the definition fits the template.
    assert_eq!(got, [("WAT014", 2, "city".to_string())], "{got:?}");

    // A name the template does not have is a definition finding, once, at the campaign.
    let wrong = config.replace("order_id = \"order\"", "order_no = \"order\"");
    let dir = setup(&wrong, &[("list.csv", list)]);
    let got = places(&run(&dir, "orders"));
    assert!(
        got.iter()
            .all(|(_, _, place)| place == "walint.toml:2" || place == "city"),
        "{got:?}"
    );
    assert_eq!(
        got.iter().filter(|(c, ..)| *c == "WAT008").count(),
        2,
        "a missing and an extra name: {got:?}"
    );
}

#[test]
fn definition_findings_are_reported_once_at_the_campaign() {
    let rows = "first_name,phone,coupon,image_url,slug\n\
                Riya,+919876543210,A,https://e.x/a.jpg,s\n\
                Ayaan,+919812345678,B,https://e.x/a.jpg,s\n";
    // Unknown template: WAT001 once, no per-row template findings.
    let dir = setup(
        &POSITIONAL.replace("\"diwali_offer\"", "\"diwali_offers\""),
        &[("list.csv", rows)],
    );
    let ds = run(&dir, "diwali");
    assert_eq!(places(&ds), [("WAT001", 0, "walint.toml:4".to_string())]);
    assert!(
        ds[0].message.starts_with("campaign `diwali`: "),
        "{}",
        ds[0].message
    );
    assert!(ds[0].message.contains("did you mean `diwali_offer`"));
    // One body column for two placeholders: WAT003 once.
    let dir = setup(
        &POSITIONAL.replace(
            r#"body = ["first_name", "coupon"]"#,
            r#"body = ["first_name"]"#,
        ),
        &[("list.csv", rows)],
    );
    assert_eq!(
        places(&run(&dir, "diwali")),
        [("WAT003", 0, "walint.toml:4".to_string())]
    );
    // A text column for an image header.
    let dir = setup(
        &POSITIONAL.replace("header = { column = ", "header = { text_column = "),
        &[("list.csv", rows)],
    );
    let got = places(&run(&dir, "diwali"));
    assert!(
        !got.is_empty() && got.iter().all(|(_, row, _)| *row == 0),
        "{got:?}"
    );
}

#[test]
fn bad_definitions_are_one_line_errors() {
    let rows = "first_name,phone,coupon,image_url,slug\nRiya,+919876543210,A,https://e.x/a.jpg,s\n";
    let cases = [
        (
            POSITIONAL.replace(r#""first_name", "coupon""#, r#""first_name", "coupn""#),
            "the value column 'coupn' is not in the header",
        ),
        (
            POSITIONAL.replace("language = \"en\"\n", ""),
            "walint.toml:4: campaign `diwali`: `language` is required with `template`",
        ),
        (
            POSITIONAL.replace(
                "header = { column = \"image_url\" }",
                "header = { column = \"image_url\", media_url = \"https://e.x/a.jpg\" }",
            ),
            "`header` takes exactly one of",
        ),
        (
            POSITIONAL.replace("\"list.csv\"", "\"lists/*.csv\""),
            "`contacts` pattern",
        ),
        (
            POSITIONAL.replace("{ index = 1,", "{ index = 12,"),
            "button index 12 is out of range",
        ),
    ];
    for (config, expected) in cases {
        let dir = setup(&config, &[("list.csv", rows)]);
        let out = walint()
            .args(["check", "--config"])
            .arg(config_path(&dir))
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains(expected), "{expected:?} not in {stderr:?}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    // --campaign names a campaign that does not exist.
    let dir = setup(POSITIONAL, &[("list.csv", rows)]);
    walint()
        .args(["check", "--campaign", "nope", "--config"])
        .arg(config_path(&dir))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("the config has: diwali"));
}

#[test]
fn recipients_are_compared_across_the_campaigns_files() {
    let config = POSITIONAL.replace("\"list.csv\"", "\"lists/*.csv\"");
    let header = "first_name,phone,coupon,image_url,slug\n";
    let dir = setup(&config, &[]);
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    std::fs::write(
        dir.path().join("lists/a.csv"),
        format!("{header}Riya,+919876543210,A,https://e.x/a.jpg,s\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("lists/b.csv"),
        format!("{header}Riya M,098765 43210,A,https://e.x/a.jpg,s\n"),
    )
    .unwrap();
    let report = support::check_campaign(&config_path(&dir), "diwali").unwrap();
    assert_eq!(report.files, 2);
    assert_eq!(report.rows, 2);
    let dup: Vec<_> = report
        .diagnostics
        .to_vec()
        .unwrap()
        .into_iter()
        .filter(|d| d.code() == "WAC004")
        .collect();
    assert_eq!(dup.len(), 1);
    assert!(dup[0].location.path().ends_with("b.csv"));
    assert!(
        dup[0].message.contains("a.csv, line 2") && dup[0].message.contains("`diwali`"),
        "{}",
        dup[0].message
    );
}

#[test]
fn no_paths_checks_every_campaign_and_json_names_the_cells() {
    let rows = "first_name,phone,coupon,image_url,slug\nRiya,+919876543210,,https://e.x/a.jpg,s\n";
    let dir = setup(POSITIONAL, &[("list.csv", rows)]);
    let report = json_report(
        walint()
            .args(["check", "--offline", "--format", "json", "--config"])
            .arg(config_path(&dir)),
        1,
    );
    assert_eq!(report["summary"]["rows"], 1);
    assert_eq!(report["diagnostics"][0]["location"]["column"], "coupon");
    assert_eq!(report["diagnostics"][0]["location"]["row"], 1);
}
