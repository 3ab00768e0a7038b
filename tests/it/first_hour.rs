//! A new user's first hour, as the lists marketing teams export arrive: fixes that never
//! change a recipient on a list with a default region, …

use crate::support::{self, fix_list, walint};

/// With a default region, digits that also read with their own country code are fixed only
/// when the numbering plans settle which is meant, and otherwise rejected saying both
/// readings — in a CSV and in an Excel number cell alike.
#[test]
fn a_default_region_never_fixes_a_number_into_another() {
    let dir = tempfile::tempdir().unwrap();
    let list =
        "name,phone\nAnna,4915123456789\nAsha,919876543210\nJonas,015112345678\nMia,15123456789\n";
    let run = fix_list(dir.path(), list, &["--default-region", "DE"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.clean, "name,phone\nAnna,+4915123456789\nAsha,+919876543210\nJonas,+4915112345678\n",
        "the German and Indian mobiles keep their country codes; the national number is German"
    );
    assert!(
        run.rejects.contains("Mia,15123456789,")
            && run.rejects.contains("two different valid numbers"),
        "{}",
        run.rejects
    );
    // An Excel number cell holds the same digits.
    let book = dir.path().join("list.xlsx");
    support::xlsx(
        &book,
        "Kunden",
        &[
            &["name", "phone"],
            &["Anna", "4915123456789"],
            &["Mia", "15123456789"],
        ],
    );
    let out = walint()
        .current_dir(dir.path())
        .args(["fix", "--no-config", "list.xlsx", "--default-region", "DE"])
        .args(["--clean", "clean-book.csv", "--rejects", "rejects-book.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let clean = std::fs::read_to_string(dir.path().join("clean-book.csv")).unwrap();
    assert!(
        clean.ends_with("name,phone\nAnna,+4915123456789\n"),
        "{clean}"
    );
    // --assume-international: every number starts with its country code.
    let run = fix_list(
        dir.path(),
        "phone\n15123456789\n4915123456789\n",
        &["--default-region", "DE", "--assume-international"],
    );
    assert_eq!(run.clean, "phone\n+15123456789\n+4915123456789\n");
}

/// A list of many countries with a column saying each contact's country: each row's
/// national number is read in its own country; rows without one use the default region.
#[test]
fn a_country_column_reads_each_row_in_its_country() {
    let dir = tempfile::tempdir().unwrap();
    let list = "name,phone,land\n\
                Jonas,0151 12345678,Deutschland\n\
                Asha,098765 43210,India\n\
                Ana,(11) 91234-5678,Brasil\n\
                Tom,07911 123456,UK\n\
                Mia,(415) 555-2671,+1\n\
                Ravi,098123 45678,\n\
                Zed,0151 12345678,Atlantis\n";
    let run = fix_list(
        dir.path(),
        list,
        &["--country-column", "land", "--default-region", "IN"],
    );
    assert_eq!(
        run.clean,
        "name,phone,land\n\
         Jonas,+4915112345678,Deutschland\n\
         Asha,+919876543210,India\n\
         Ana,+5511912345678,Brasil\n\
         Tom,+447911123456,UK\n\
         Mia,+14155552671,+1\n\
         Ravi,+919812345678,\n"
    );
    // A country walint does not know: the row's number is read as no country's.
    assert!(
        run.rejects.contains("Zed,0151 12345678,Atlantis,"),
        "{}",
        run.rejects
    );
    // Set in walint.toml.
    std::fs::write(
        dir.path().join("walint.toml"),
        "country_column = \"land\"\n",
    )
    .unwrap();
    let out = walint()
        .current_dir(dir.path())
        .args(["check", "list.csv", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fixes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["fix"]["replacement"].as_str())
        .collect();
    assert!(fixes.contains(&"+5511912345678"), "{fixes:?}");
    // A country column the header lacks is a clear error naming it.
    walint()
        .current_dir(dir.path())
        .args([
            "check",
            "--no-config",
            "list.csv",
            "--country-column",
            "pais",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "the country column 'pais' is not in the header",
        ));
}

/// An upload's own faults are the uploader's (4xx naming the fault) on every endpoint:
/// a list without the column walint.toml's `opt_in_column` names, a workbook that cannot
/// be read to its end. The service's own faults stay 500.
#[test]
fn an_uploads_faults_are_4xx_on_every_endpoint() {
    use walint::serve::ServeOptions;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("walint.toml");
    std::fs::write(&config, "opt_in_column = \"consent\"\n").unwrap();
    let service = crate::serve::start(ServeOptions {
        config: Some(config),
        ..ServeOptions::default()
    });
    let list = b"name,phone\nAsha,+919876543210\n".to_vec();
    for path in ["/v1/check", "/v1/fix"] {
        let answer = service.post(path, "text/csv", list.clone());
        assert_eq!(answer.status, 400, "{path}: {}", answer.text());
        let message = answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            message.contains("opt-in column 'consent'"),
            "{path}: {message}"
        );
        assert!(!message.contains("/tmp"), "{path}: {message}");
        let form = service.post_files(path, &[("list.csv", &list)]);
        assert_eq!(form.status, 400, "{path} (form): {}", form.text());
    }
    // A workbook whose table never ends: the reader stops it, and the upload is at fault.
    let open = crate::workbooks::ods(crate::workbooks::once(format!(
        "{}{}",
        crate::workbooks::ods_head(),
        crate::workbooks::ods_row(&["name", "phone"])
    )));
    walint::input::spreadsheet::read_workbooks(walint::input::spreadsheet::Reading::Process(
        env!("CARGO_BIN_EXE_walint").into(),
    ));
    for path in ["/v1/check", "/v1/fix"] {
        let answer = service.post_files(path, &[("open.ods", &open)]);
        assert_eq!(answer.status, 400, "{path}: {}", answer.text());
        assert!(
            answer.text().contains("processor-time budget"),
            "{path}: {}",
            answer.text()
        );
    }
}

/// The service takes a country column too.
#[test]
fn the_service_reads_a_country_column() {
    let service = crate::serve::start(walint::serve::ServeOptions::default());
    let list = b"phone,land\n0151 12345678,Deutschland\n098765 43210,IN\n".to_vec();
    let answer = service.post("/v1/check?country_column=land", "text/csv", list);
    assert_eq!(answer.status, 200, "{}", answer.text());
    let fixes: Vec<String> = answer.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["fix"]["replacement"].as_str().map(str::to_string))
        .collect();
    assert_eq!(fixes, ["+4915112345678", "+919876543210"]);
}

/// Opt-in cells say yes in the languages headers are recognised in; a team's own values
/// replace walint's (`opt_in_values`); a value that is neither a yes nor a no says so.
#[test]
fn opt_in_cells_say_yes_in_many_languages() {
    let dir = tempfile::tempdir().unwrap();
    let list = "phone,consent\n\
                +5511912345678,sim\n\
                +33612345678,Oui\n\
                +4915112345678,ja\n\
                +4915112345679,nein\n\
                +919876543210,VERDADERO\n\
                +919876543211,maybe\n";
    std::fs::write(dir.path().join("list.csv"), list).unwrap();
    std::fs::write(
        dir.path().join("walint.toml"),
        "opt_in_column = \"consent\"\n",
    )
    .unwrap();
    let report = |dir: &std::path::Path| -> Vec<(u64, String)> {
        let out = walint()
            .current_dir(dir)
            .args([
                "check", "list.csv", "--format", "json", "--select", "WAC008",
            ])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["location"]["row"].as_u64().unwrap(),
                    d["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let found = report(dir.path());
    assert_eq!(
        found.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        [4, 6],
        "{found:?}"
    );
    assert!(found[1].1.contains("neither a yes nor a no"), "{found:?}");
    // The team's own values.
    std::fs::write(
        dir.path().join("walint.toml"),
        "opt_in_column = \"consent\"\nopt_in_values = [\"maybe\", \"sim\"]\n",
    )
    .unwrap();
    let rows: Vec<u64> = report(dir.path()).iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, [2, 3, 4, 5], "only sim and maybe say yes now");
}

/// What `walint fix` writes is what a BSP's import takes: the input's own form by default
/// (Windows-1252 and semicolons stay so), UTF-8 with or without a byte order mark and
/// another delimiter when asked, and a spreadsheet's CSV Excel-safe (UTF-8 with a byte
/// order mark) by default.
#[test]
fn fix_writes_the_encoding_and_delimiter_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let (legacy, _, _) = encoding_rs::WINDOWS_1252
        .encode("name;phone;city\r\nMüller, Hans;0151 12345678;München\r\n");
    std::fs::write(dir.path().join("list.csv"), &legacy).unwrap();
    let fix = |extra: &[&str]| {
        walint()
            .current_dir(dir.path())
            .args(["fix", "--no-config", "list.csv", "--default-region", "DE"])
            .args(["--clean", "clean.csv", "--rejects", "rejects.csv"])
            .args(extra)
            .assert()
            .success();
        std::fs::read(dir.path().join("clean.csv")).unwrap()
    };
    let (same, _, _) = encoding_rs::WINDOWS_1252
        .encode("name;phone;city\r\nMüller, Hans;+4915112345678;München\r\n");
    assert_eq!(fix(&[]), same.as_ref());
    assert_eq!(
        fix(&["--output-encoding", "utf-8-bom", "--output-delimiter", ","]),
        "\u{feff}name,phone,city\r\n\"Müller, Hans\",+4915112345678,München\r\n".as_bytes()
    );
    assert_eq!(
        fix(&["--output-encoding", "utf-8", "--output-delimiter", "tab"]),
        "name\tphone\tcity\r\nMüller, Hans\t+4915112345678\tMünchen\r\n".as_bytes()
    );
    // A spreadsheet: UTF-8 with a byte order mark unless told otherwise.
    support::xlsx(
        &dir.path().join("list.xlsx"),
        "Kunden",
        &[&["name", "phone"], &["Jürgen", "#0151 12345678"]],
    );
    let book = |extra: &[&str]| {
        walint()
            .current_dir(dir.path())
            .args(["fix", "--no-config", "list.xlsx", "--default-region", "DE"])
            .args(["--clean", "book.csv", "--rejects", "book-rejects.csv"])
            .args(extra)
            .assert()
            .success();
        std::fs::read_to_string(dir.path().join("book.csv")).unwrap()
    };
    assert_eq!(book(&[]), "\u{feff}name,phone\nJürgen,+4915112345678\n");
    assert_eq!(
        book(&["--output-encoding", "utf-8", "--output-delimiter", ";"]),
        "name;phone\nJürgen;+4915112345678\n"
    );
    // --in-place keeps the file's own form.
    walint()
        .current_dir(dir.path())
        .args([
            "fix",
            "--no-config",
            "list.csv",
            "--in-place",
            "--rejects",
            "r.csv",
        ])
        .args(["--output-encoding", "utf-8"])
        .assert()
        .code(2);
}

/// A campaign's findings give walint.toml's help, not a payload's JSON.
#[test]
fn campaign_help_speaks_walint_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("registry.json"),
        r#"[{"name":"hello","language":"en","status":"APPROVED","category":"UTILITY","parameter_format":"NAMED",
             "components":[{"type":"HEADER","format":"TEXT","text":"News from {{city}}"},
                           {"type":"BODY","text":"Hi {{customer_name}}, your order is ready."}]}]"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("list.csv"),
        "phone,first_name\n+919876543210,Asha\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("walint.toml"),
        "registry = [\"registry.json\"]\n\n[[campaign]]\nname = \"hello\"\ncontacts = \"list.csv\"\ntemplate = \"hello\"\nlanguage = \"en\"\nbody = { customer = \"first_name\" }\n",
    )
    .unwrap();
    let out = walint()
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let helps: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["help"].as_str().map(str::to_string))
        .collect();
    assert!(
        helps
            .iter()
            .any(|h| h.contains("header = { text_column = ")),
        "{helps:?}"
    );
    assert!(
        helps
            .iter()
            .any(|h| h.contains("body = { customer_name = ")),
        "{helps:?}"
    );
    assert!(!helps.iter().any(|h| h.contains("\"type\"")), "{helps:?}");
}

/// A directory walk passes over a file that is no contact list (said on standard error)
/// and checks the rest; the same file named is an error.
#[test]
fn a_walk_goes_on_past_a_file_that_is_no_contact_list() {
    let dir = tempfile::tempdir().unwrap();
    let lists = dir.path().join("lists");
    std::fs::create_dir(&lists).unwrap();
    std::fs::write(lists.join("a-products.csv"), "sku,price\nA1,10\n").unwrap();
    std::fs::write(
        lists.join("b-contacts.csv"),
        "phone\n+919876543210\n+9198765\n",
    )
    .unwrap();
    let out = walint()
        .current_dir(dir.path())
        .args(["check", "--no-config", "lists", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a-products.csv") && stderr.contains("no phone column"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["rows"], 2);
    assert_eq!(report["diagnostics"][0]["code"], "WAC002");
    walint()
        .current_dir(dir.path())
        .args(["check", "--no-config", "lists/a-products.csv"])
        .assert()
        .code(2);
}

/// What the pre-commit hooks run: walint's own outputs committed beside the lists are
/// passed over, and a campaign's contact list is checked once (by the campaigns hook), not
/// again as a plain list by the `walint` hook.
#[test]
fn the_hooks_check_each_file_once_and_skip_walints_own_outputs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("list.csv"), "phone\n+9198765\n").unwrap();
    std::fs::write(dir.path().join("other.csv"), "phone\n+9198766\n").unwrap();
    std::fs::write(
        dir.path().join("walint.toml"),
        "[[campaign]]\nname = \"news\"\ncontacts = \"list.csv\"\ntext = \"Hello\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        walint()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    // walint's outputs, as a team commits them.
    assert_eq!(
        run(&["check", "--write-baseline", ".walint-baseline.json"])
            .status
            .code(),
        Some(0)
    );
    run(&["check", "--format", "sarif", "-o", "walint.sarif"]);
    run(&["check", "--format", "json", "-o", "report.json"]);
    run(&["check", "--format", "gitlab", "-o", "gl-code-quality.json"]);
    // The `walint` hook, on every file the commit touched.
    let hook = run(&[
        "check",
        "--skip-campaign-files",
        "list.csv",
        "other.csv",
        ".walint-baseline.json",
        "walint.sarif",
        "report.json",
        "gl-code-quality.json",
        "--format",
        "json",
    ]);
    let stderr = String::from_utf8_lossy(&hook.stderr);
    assert_eq!(hook.status.code(), Some(1), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&hook.stdout).unwrap();
    let paths: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["other.csv"],
        "list.csv is the campaign hook's: {stderr}"
    );
    for own in [
        ".walint-baseline.json",
        "walint.sarif",
        "report.json",
        "gl-code-quality.json",
    ] {
        assert!(stderr.contains(own), "{own} passed over: {stderr}");
    }
    // The campaigns hook tells list.csv's finding, once.
    let campaigns = run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&campaigns.stdout).unwrap();
    let paths: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["list.csv"]);
}

/// A run over a template registry alone counts the templates it checked, not "0 rows".
#[test]
fn a_registry_only_run_counts_templates() {
    let out = walint()
        .args(["check", "fixtures/demo/registry.json"])
        .current_dir(support::root())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("1 file, 2 templates"), "{text}");
    assert!(!text.contains("row"), "{text}");
}

/// `walint fix --format json` says whose row each result is, masked (what the upload page's
/// rejects table shows), and how the outputs are written (what it reads them with).
#[test]
fn fix_results_name_the_number_masked_and_the_outputs_form() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("list.csv"),
        "name;phone\nAna;+55 11 96123-4567\nBo;0987654321\nCy;\n",
    )
    .unwrap();
    let out = walint()
        .current_dir(dir.path())
        .args(["fix", "--no-config", "list.csv", "--format", "json"])
        .args(["--clean", "clean.csv", "--rejects", "rejects.csv"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let phones: Vec<&serde_json::Value> = lines[..3].iter().map(|l| &l["phone"]).collect();
    assert_eq!(
        phones,
        [
            &serde_json::json!("+55*********67"),
            &serde_json::json!("********21"),
            &serde_json::Value::Null
        ]
    );
    assert_eq!(lines[3]["summary"]["delimiter"], ";");
}
