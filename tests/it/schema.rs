//! The published JSON Schemas hold: `schemas/report.schema.json` describes what
//! `walint check --format json` really writes (checked on a real run of the binary) and
//! rejects reports that break the contract, and `schemas/config.schema.json` accepts the
//! walint.toml files walint accepts and rejects unknown keys and bad values. Both are valid
//! draft 2020-12 schemas that document every property and agree with the rule catalogue.

use std::path::Path;

use jsonschema::Validator;
use serde_json::{Value, json};

use crate::support;

/// Reads a schema from `schemas/`.
fn schema(name: &str) -> Value {
    let path = support::root().join("schemas").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Compiles a schema from `schemas/` after checking it against the 2020-12 meta-schema.
pub fn validator(name: &str) -> Validator {
    let schema = schema(name);
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{name} declares draft 2020-12"
    );
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("{name} is not a valid JSON Schema: {e}");
    }
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name} does not compile: {e}"))
}

/// Every validation error of `instance`, one per line (empty when it is valid).
fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("at '{}': {e}", e.instance_path()))
        .collect()
}

pub fn assert_valid(validator: &Validator, instance: &Value, what: &str) {
    let errors = errors(validator, instance);
    assert!(
        errors.is_empty(),
        "{what} does not validate ({} errors):\n{}\ninstance:\n{}",
        errors.len(),
        errors.join("\n"),
        serde_json::to_string_pretty(instance).unwrap()
    );
}

fn assert_invalid(validator: &Validator, instance: &Value, what: &str) {
    assert!(
        !validator.is_valid(instance),
        "the schema accepts {what}:\n{}",
        serde_json::to_string_pretty(instance).unwrap()
    );
}

/// Every subschema under a `properties` keyword, with its place, found recursively.
fn properties<'a>(at: &str, value: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{key}");
                if key == "properties"
                    && let Value::Object(props) = child
                {
                    for (name, prop) in props {
                        out.push((format!("{here}/{name}"), prop));
                    }
                }
                properties(&here, child, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                properties(&format!("{at}/{i}"), child, out);
            }
        }
        _ => {}
    }
}

/// Asserts that every property of a schema is described, itself or by the definition it
/// refers to.
fn assert_every_property_described(name: &str) {
    let schema = schema(name);
    let mut props = Vec::new();
    properties("#", &schema, &mut props);
    assert!(!props.is_empty(), "{name} has no properties");
    for (at, prop) in props {
        let described = |s: &Value| s["description"].as_str().is_some_and(|d| d.len() > 3);
        let referred = prop["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .map(|def| &schema["$defs"][def]);
        assert!(
            described(prop) || referred.is_some_and(described),
            "{name}: property {at} has no description"
        );
    }
}

#[test]
fn schemas_are_valid_and_describe_every_property() {
    for name in ["report.schema.json", "config.schema.json"] {
        validator(name);
        assert_every_property_described(name);
    }
}

/// A contact list that makes most contact rules fire, with its walint.toml.
const CONTACTS: &str = "\
name,phone,opt_in
Asha,+919876543210,yes
Ravi,+91 98123 45678,yes
Empty,,yes
Short,+9198765,yes
Helpdesk,+18002530000,yes
Asha again,+919876543210,yes
Ragged,+447911123456
Ourselves,+16502530000,yes
Nadia,+971501234567,no
";
const DATA_ROWS: u64 = 9;
const CONFIG: &str = "\
opt_in_column = \"opt_in\"
sender = \"+16502530000\"
";

/// The rules the list above must trigger.
const EXPECTED_CODES: &[&str] = &[
    "WAC000", "WAC001", "WAC002", "WAC003", "WAC004", "WAC005", "WAC007", "WAC008",
];

/// Runs the binary with `--format json` and returns the parsed report.
fn json_report(config: &Path, csv: &Path) -> Value {
    let output = support::walint()
        .arg("check")
        .arg("--config")
        .arg(config)
        .args(["--format", "json"])
        .arg(csv)
        .output()
        .expect("run walint");
    assert_eq!(
        output.status.code(),
        Some(1),
        "errors were found, so walint exits 1; stderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn real_report_validates_against_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("contacts.csv");
    let config = dir.path().join("walint.toml");
    std::fs::write(&csv, CONTACTS).unwrap();
    std::fs::write(&config, CONFIG).unwrap();

    let report = json_report(&config, &csv);
    assert_valid(&validator("report.schema.json"), &report, "the real report");

    // The content, beyond its shape.
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let summary = &report["summary"];
    assert_eq!(summary["files"], 1);
    assert_eq!(summary["rows"], DATA_ROWS);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let count = |severity: &str| {
        diagnostics
            .iter()
            .filter(|d| d["severity"] == severity)
            .count() as u64
    };
    for (key, severity) in [
        ("errors", "error"),
        ("warnings", "warning"),
        ("infos", "info"),
    ] {
        assert_eq!(summary[key], count(severity), "summary.{key}");
    }
    let by_code = summary["by_code"].as_object().unwrap();
    for (code, n) in by_code {
        let found = diagnostics.iter().filter(|d| d["code"] == **code).count() as u64;
        assert_eq!(n, found, "summary.by_code.{code}");
    }
    let by_wa_error = summary["by_wa_error"].as_object().unwrap();
    for (wa, n) in by_wa_error {
        let code: u64 = wa.parse().unwrap();
        let found = diagnostics.iter().filter(|d| d["wa_error"] == code).count() as u64;
        assert_eq!(n, found, "summary.by_wa_error.{wa}");
    }
    let with_wa_error = diagnostics.iter().filter(|d| !d["wa_error"].is_null());
    assert_eq!(
        by_wa_error.values().filter_map(Value::as_u64).sum::<u64>(),
        with_wa_error.count() as u64,
        "every finding with a WhatsApp error code is counted once"
    );
    for code in EXPECTED_CODES {
        assert!(
            by_code.contains_key(*code),
            "{code} did not fire; codes: {:?}",
            by_code.keys().collect::<Vec<_>>()
        );
    }
    assert!(
        diagnostics
            .iter()
            .any(|d| d["fix"]["replacement"] == "+919812345678"),
        "the spaced number carries its E.164 fix"
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "WAC000" && d["location"].get("column").is_none()),
        "the ragged row is located as a whole row"
    );
    let shown = csv.display().to_string();
    for d in diagnostics {
        assert_eq!(d["location"]["path"], shown.as_str(), "{d}");
    }

    // Sorted by (path, line, code).
    let key = |d: &Value| {
        (
            d["location"]["path"].as_str().unwrap().to_string(),
            d["location"]["line"].as_u64().unwrap_or(0),
            d["code"].as_str().unwrap().to_string(),
        )
    };
    for pair in diagnostics.windows(2) {
        assert!(
            key(&pair[0]) <= key(&pair[1]),
            "diagnostics out of order:\n{}\n{}",
            pair[0],
            pair[1]
        );
    }
}

/// A hand-built report that follows the contract and uses every location shape.
fn good_report() -> Value {
    json!({
        "version": 1,
        "tool": {"name": "walint", "version": "0.1.0"},
        "summary": {
            "files": 3, "rows": 10, "messages": 1,
            "errors": 2, "warnings": 1, "infos": 0,
            "by_code": {"WAC001": 1, "WAC004": 1, "WAT003": 1},
            "by_wa_error": {"131026": 1, "131056": 1, "132000": 1}
        },
        "diagnostics": [
            {
                "code": "WAC001", "name": "phone-not-e164", "severity": "error",
                "wa_error": 131026, "message": "phone is not E.164", "help": "write + and digits",
                "location": {"path": "contacts.csv", "line": 13, "row": 12, "column": "phone"},
                "fix": {"replacement": "+919876543210"}
            },
            {
                "code": "WAC004", "name": "duplicate-recipient", "severity": "warning",
                "wa_error": null, "message": "the same recipient is on line 2",
                "location": {"path": "optouts.txt", "line": 4}
            },
            {
                "code": "WAT003", "name": "param-count-mismatch", "severity": "error",
                "wa_error": 132000, "message": "2 parameters, the template has 3",
                "location": {
                    "path": "payloads/a.json",
                    "pointer": "/template/components/1/parameters",
                    "line": 9, "col": 7
                }
            }
        ]
    })
}

#[test]
fn schema_rejects_reports_that_break_the_contract() {
    let validator = validator("report.schema.json");
    assert_valid(&validator, &good_report(), "the hand-built report");
    let mut whole_file = good_report();
    whole_file["diagnostics"][1]["location"] = json!({"path": "walint.toml"});
    assert_valid(&validator, &whole_file, "a whole-file location");
    let mut root_pointer = good_report();
    root_pointer["diagnostics"][2]["location"] = json!({"path": "a.json", "pointer": ""});
    assert_valid(&validator, &root_pointer, "a pointer to the whole document");
    let mut escaped = good_report();
    escaped["diagnostics"][2]["location"]["pointer"] = json!("/a~1b/~0c/0");
    assert_valid(&validator, &escaped, "an escaped pointer");

    let replaced = [
        ("code X1", "/diagnostics/0/code", json!("X1")),
        (
            "an unknown rule family",
            "/diagnostics/0/code",
            json!("WAX001"),
        ),
        ("a lowercase code", "/diagnostics/0/code", json!("wac001")),
        (
            "a camel-case name",
            "/diagnostics/0/name",
            json!("PhoneNotE164"),
        ),
        (
            "an unknown severity",
            "/diagnostics/0/severity",
            json!("fatal"),
        ),
        (
            "a wa_error as a string",
            "/diagnostics/0/wa_error",
            json!("131026"),
        ),
        ("a null help", "/diagnostics/0/help", Value::Null),
        ("a fix without replacement", "/diagnostics/0/fix", json!({})),
        (
            "a fix with an extra key",
            "/diagnostics/0/fix/why",
            json!("x"),
        ),
        (
            "an extra diagnostic key",
            "/diagnostics/0/url",
            json!("https://x"),
        ),
        ("a CSV row 0", "/diagnostics/0/location/row", json!(0)),
        ("a CSV line 0", "/diagnostics/0/location/line", json!(0)),
        (
            "both row and pointer",
            "/diagnostics/0/location/pointer",
            json!("/a"),
        ),
        (
            "a relative pointer",
            "/diagnostics/2/location/pointer",
            json!("a/b"),
        ),
        (
            "a bad pointer escape",
            "/diagnostics/2/location/pointer",
            json!("/a~2"),
        ),
        ("a JSON col 0", "/diagnostics/2/location/col", json!(0)),
        (
            "a file location with a column",
            "/diagnostics/1/location/column",
            json!("p"),
        ),
        ("a version other than 1", "/version", json!(2)),
        ("another tool", "/tool/name", json!("ruff")),
        ("an extra top-level key", "/extra", json!(true)),
        ("a negative count", "/summary/errors", json!(-1)),
        ("a fractional count", "/summary/rows", json!(1.5)),
        ("an extra summary key", "/summary/fixes", json!(1)),
        (
            "a by_code key that is no code",
            "/summary/by_code/X1",
            json!(1),
        ),
        (
            "a by_code count as a string",
            "/summary/by_code/WAC001",
            json!("1"),
        ),
        (
            "a non-numeric by_wa_error key",
            "/summary/by_wa_error/abc",
            json!(1),
        ),
        ("diagnostics as an object", "/diagnostics", json!({})),
    ];
    for (what, pointer, value) in replaced {
        let mut report = good_report();
        set(&mut report, pointer, Some(value));
        assert_invalid(&validator, &report, what);
    }
    let removed = [
        ("a missing wa_error", "/diagnostics/0/wa_error"),
        ("a missing message", "/diagnostics/0/message"),
        ("a missing location", "/diagnostics/0/location"),
        ("a location without a path", "/diagnostics/0/location/path"),
        (
            "a CSV location without line",
            "/diagnostics/0/location/line",
        ),
        (
            "a column without a row (neither row nor pointer)",
            "/diagnostics/0/location/row",
        ),
        (
            "a JSON location without pointer",
            "/diagnostics/2/location/pointer",
        ),
        ("a missing tool version", "/tool/version"),
        ("a missing summary count", "/summary/infos"),
        ("a missing by_wa_error", "/summary/by_wa_error"),
        ("a missing diagnostics list", "/diagnostics"),
    ];
    for (what, pointer) in removed {
        let mut report = good_report();
        set(&mut report, pointer, None);
        assert_invalid(&validator, &report, what);
    }
}

/// Sets (or with `None`, removes) the value at a JSON pointer, creating the last key.
fn set(doc: &mut Value, pointer: &str, value: Option<Value>) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = doc
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent} in the report"))
        .as_object_mut()
        .unwrap_or_else(|| panic!("{parent} is not an object"));
    match value {
        Some(v) => {
            parent.insert(key.to_string(), v);
        }
        None => {
            assert!(parent.remove(key).is_some(), "no {pointer} to remove");
        }
    }
}

/// A walint.toml that sets every key.
const FULL_CONFIG: &str = r#"
default_region = "in"
sender = "+91 98765 43210"
allowed_countries = ["IN", "ae", "GB"]
blocked_countries = ["PK"]
suppression = ["optouts.txt", "unsubscribed.csv"]
opt_in_column = "opt_in"
phone_column = "mobile"
select = ["ALL", "WAC", "WAC00", "WAC001", "phone-not-e164", "wac003"]
ignore = ["WAC003", "duplicate-recipient"]
fail_on = "warning"

[severity]
WAC004 = "error"
phone-not-mobile = "info"
wac002 = "warning"
"#;

fn toml_to_json(text: &str) -> Value {
    toml::from_str::<Value>(text).unwrap_or_else(|e| panic!("not TOML: {e}\n{text}"))
}

/// Runs `walint check` with a config on a small list; returns the exit code and stderr.
fn walint_with_config(dir: &Path, config_text: &str) -> (Option<i32>, String) {
    let config = dir.join("walint.toml");
    std::fs::write(&config, config_text).unwrap();
    let csv = dir.join("contacts.csv");
    std::fs::write(&csv, "name,mobile,opt_in\nAsha,+919812345678,yes\n").unwrap();
    let output = support::walint()
        .arg("check")
        .arg("--config")
        .arg(&config)
        .arg(&csv)
        .output()
        .expect("run walint");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn config_schema_accepts_a_full_config_that_walint_accepts() {
    let validator = validator("config.schema.json");
    assert_valid(
        &validator,
        &toml_to_json(FULL_CONFIG),
        "the full walint.toml",
    );
    assert_valid(&validator, &toml_to_json(""), "an empty walint.toml");

    // walint itself agrees: the same file loads (exit 0 or 1, not 2 for a config error).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("optouts.txt"),
        "# opt-outs\n+447911123456\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("unsubscribed.csv"),
        "phone\n+971501234567\n",
    )
    .unwrap();
    let (code, stderr) = walint_with_config(dir.path(), FULL_CONFIG);
    assert!(
        matches!(code, Some(0 | 1)),
        "walint rejects the full config (exit {code:?}):\n{stderr}"
    );
}

#[test]
fn config_schema_rejects_unknown_keys_and_bad_values() {
    let validator = validator("config.schema.json");
    let cases = [
        ("an unknown key", "sendr = \"+919876543210\"\n"),
        ("an unknown table", "[rules]\nWAC001 = \"error\"\n"),
        ("a three-letter region", "default_region = \"IND\"\n"),
        ("a region as a number", "default_region = 91\n"),
        ("a country list as a string", "allowed_countries = \"IN\"\n"),
        (
            "a bad country in a list",
            "blocked_countries = [\"PK\", \"Pakistan\"]\n",
        ),
        ("a sender as a number", "sender = 919876543210\n"),
        (
            "a suppression list as a string",
            "suppression = \"optouts.txt\"\n",
        ),
        ("an unknown fail_on", "fail_on = \"fatal\"\n"),
        ("a capitalised severity", "fail_on = \"Error\"\n"),
        ("an unknown severity", "[severity]\nWAC001 = \"loud\"\n"),
        (
            "a severity key that is no rule",
            "[severity]\nX1 = \"error\"\n",
        ),
        ("a selector that is no rule", "select = [\"WAX\"]\n"),
        ("an empty selector", "ignore = [\"\"]\n"),
        ("a selector as a number", "select = [1]\n"),
        (
            "an opt-in column as a list",
            "opt_in_column = [\"opt_in\"]\n",
        ),
    ];
    for (what, text) in cases {
        assert_invalid(&validator, &toml_to_json(text), what);
    }

    // walint itself agrees that an unknown key is an error.
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = walint_with_config(dir.path(), "sendr = \"+919876543210\"\n");
    assert_eq!(code, Some(2), "walint accepts an unknown key:\n{stderr}");
    assert!(stderr.contains("unknown field `sendr`"), "{stderr}");
}

#[test]
fn schemas_agree_with_the_rule_catalogue() {
    let report = schema("report.schema.json");
    let code = jsonschema::validator_for(&report["$defs"]["code"]).unwrap();
    let name =
        jsonschema::validator_for(&report["$defs"]["diagnostic"]["properties"]["name"]).unwrap();
    let config = validator("config.schema.json");
    for rule in walint::rules::all() {
        assert!(code.is_valid(&json!(rule.code)), "code {}", rule.code);
        assert!(name.is_valid(&json!(rule.name)), "name {}", rule.name);
        let severity = rule.severity.as_str();
        let uses = json!({
            "select": [rule.code, rule.name, &rule.code[..3]],
            "ignore": [rule.code.to_lowercase()],
            "severity": {rule.code: severity, rule.name: severity},
            "fail_on": severity,
        });
        assert_valid(&config, &uses, &format!("a config naming {}", rule.code));
    }
}

#[test]
fn config_schema_knows_campaigns() {
    let validator = validator("config.schema.json");
    let demo = std::fs::read_to_string(support::fixture("demo/walint.toml")).unwrap();
    assert_valid(&validator, &toml_to_json(&demo), "the demo walint.toml");
    let free_form = "[[campaign]]\nname = \"r\"\ncontacts = [\"a.csv\", \"b/*.csv\"]\n\
                     text = \"Hi {{first_name}}\"\nlast_inbound_column = \"last\"\n\
                     send_at = \"2026-11-30T09:00:00+05:30\"\n";
    assert_valid(&validator, &toml_to_json(free_form), "a free-form campaign");
    let named = "[[campaign]]\nname = \"o\"\ncontacts = \"a.csv\"\ntemplate = \"t\"\n\
                 language = \"en\"\nbody = { first_name = \"name\" }\n\
                 header = { text_column = \"city\" }\nbuttons = [{ index = 0, column = \"c\" }]\n";
    assert_valid(&validator, &toml_to_json(named), "a NAMED campaign");
    for (what, text) in [
        (
            "a template without language",
            "[[campaign]]\nname = \"a\"\ncontacts = \"a.csv\"\ntemplate = \"t\"\n",
        ),
        (
            "a template and a text",
            "[[campaign]]\nname = \"a\"\ncontacts = \"a.csv\"\ntemplate = \"t\"\nlanguage = \"en\"\ntext = \"x\"\n",
        ),
        (
            "two header sources",
            "[[campaign]]\nname = \"a\"\ncontacts = \"a.csv\"\ntemplate = \"t\"\nlanguage = \"en\"\nheader = { column = \"a\", media_url = \"b\" }\n",
        ),
        (
            "a button index of 10",
            "[[campaign]]\nname = \"a\"\ncontacts = \"a.csv\"\ntemplate = \"t\"\nlanguage = \"en\"\nbuttons = [{ index = 10, column = \"c\" }]\n",
        ),
        (
            "an unknown key",
            "[[campaign]]\nname = \"a\"\ncontacts = \"a.csv\"\ntext = \"x\"\nmedia = \"y\"\n",
        ),
        (
            "a send_at that is no time",
            "[[campaign]]\nname = \"a\"\ncontacts = \"a.csv\"\ntext = \"x\"\nsend_at = \"tomorrow\"\n",
        ),
    ] {
        assert!(
            !validator.is_valid(&toml_to_json(text)),
            "the config schema accepts {what}"
        );
        let dir = tempfile::tempdir().unwrap();
        let (code, stderr) = walint_with_config(dir.path(), text);
        assert_eq!(code, Some(2), "walint accepts {what}: {stderr}");
    }
}

#[test]
fn a_report_with_media_validates_against_the_schema() {
    let output = support::walint()
        .args([
            "check",
            "--format",
            "json",
            "--config",
            "fixtures/demo/walint.toml",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid(
        &validator("report.schema.json"),
        &report,
        "the demo's report",
    );
    assert_eq!(report["summary"]["media"]["links"], 1);
    assert_eq!(report["summary"]["media"]["offline"], true);
    let mut wrong = report.clone();
    wrong["summary"]["media"]["probed"] = Value::from(-1);
    assert_invalid(&validator("report.schema.json"), &wrong, "a negative count");
}
