//! The upload page in a real browser: Debian's Chromium, headless, driven over WebDriver
//! (chromedriver) uploads the demo list as the demo campaign's, reads the totals, the bar
//! chart and the rejects table off the page, downloads the clean list and the rejects, and
//! checks all of it against `walint fix`. With `WALINT_UPDATE_DOCS=1` it also stores the
//! page's picture as docs/serve-page.png (the README shows it).
//!
//! It needs /usr/bin/chromedriver and /usr/bin/chromium (`apt-get install chromium
//! chromium-driver`; `.ci/run` installs them and sets `WALINT_REQUIRE_BROWSER=1`, which
//! makes their absence a failure). Without them, and not required, it says so and passes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::serve::start;
use crate::support::{fix_demo_campaign, fixture, root, walint};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A WebDriver session on a chromedriver of the test's own.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    client: Wire,
}

/// WebDriver's wire protocol: JSON over HTTP, through reqwest's async client on a runtime
/// of its own (reqwest is built without its blocking client).
struct Wire {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Wire {
    fn new() -> Wire {
        Wire {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::new(),
        }
    }

    /// Sends a WebDriver command; its `value`, or the error WebDriver gave.
    fn call(&self, method: &str, url: &str, body: Option<Value>) -> Result<Value, String> {
        self.runtime.block_on(async {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let mut request = self.client.request(method, url);
            if let Some(body) = body {
                request = request
                    .header("content-type", "application/json")
                    .body(serde_json::to_vec(&body).unwrap());
            }
            let response = request.send().await.map_err(|e| e.to_string())?;
            let ok = response.status().is_success();
            let bytes = response.bytes().await.map_err(|e| e.to_string())?;
            let answer: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
            if ok {
                Ok(answer["value"].clone())
            } else {
                Err(answer["value"].to_string())
            }
        })
    }
}

/// WebDriver's key for an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    fn start(downloads: &Path, profile: &Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = Wire::new();
        wait_for("chromedriver to be ready", Duration::from_secs(20), || {
            client
                .call("GET", &format!("{base}/status"), None)
                .is_ok_and(|v| v["ready"] == true)
        });
        // The flags that keep a headless Chromium off the network (this machine's is
        // closed) and quiet.
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1100,1500",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                },
            },
        }}});
        let session = client
            .call("POST", &format!("{base}/session"), Some(capabilities))
            .expect("a browser session");
        let session = session["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {session}"))
            .to_string();
        Browser {
            driver,
            base,
            session,
            client,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        self.client
            .call(method, &url, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn element(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("{css}: {found}"))
            .to_string()
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Runs a script in the page and returns what it returns.
    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    fn screenshot(&self) -> Vec<u8> {
        let encoded = self.call("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap())
            .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.client.call(
            "DELETE",
            &format!("{}/session/{}", self.base, self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether the browser is here; when it is not and not required, the test says so.
fn browser_available() -> bool {
    let here = Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists();
    if !here {
        assert!(
            std::env::var_os("WALINT_REQUIRE_BROWSER").is_none(),
            "WALINT_REQUIRE_BROWSER is set but {CHROMEDRIVER} or {CHROMIUM} is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "note: the browser test did not run: no {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
        );
    }
    here
}

#[test]
fn the_upload_page_shows_and_downloads_what_fix_writes() {
    if !browser_available() {
        return;
    }
    let service = start(walint::serve::ServeOptions {
        config: Some(fixture("demo/walint.toml")),
        ..Default::default()
    });
    let work = tempfile::tempdir().unwrap();
    let downloads = work.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    let browser = Browser::start(&downloads, &work.path().join("profile"));
    browser.open(&service.url("/"));
    // The campaigns come from the service.
    wait_for("the campaign list", Duration::from_secs(10), || {
        browser.script("return document.querySelectorAll('#campaign option').length") == json!(2)
    });
    let contacts = fixture("demo/contacts.csv");
    browser.type_into("#file", &contacts.display().to_string());
    browser.click("#campaign option[value='diwali-offer']");
    browser.click("#check");
    wait_for("the result", Duration::from_secs(30), || {
        browser.script("return document.getElementById('result').hidden") == json!(false)
    });
    let page = browser.script(
        "const text = (id) => document.getElementById(id).textContent;
         return {
           status: text('status'),
           rows: text('total-rows'), clean: text('total-clean'),
           fixed: text('total-fixed'), rejected: text('total-rejected'),
           bars: [...document.querySelectorAll('#chart li')]
             .map((li) => [li.dataset.code, Number(li.dataset.count)]),
           table: [...document.querySelectorAll('#rejects tbody tr')]
             .map((tr) => [...tr.cells].map((td) => td.textContent)),
         };",
    );

    // What `walint fix` writes for the same list and campaign.
    let (dir, results) = fix_demo_campaign();
    let lines: Vec<Value> = String::from_utf8(results)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (summary, rows) = lines.split_last().unwrap();
    let summary = &summary["summary"];
    assert_eq!(
        [
            &page["rows"],
            &page["clean"],
            &page["fixed"],
            &page["rejected"]
        ],
        [
            &json!(summary["rows"].to_string()),
            &json!(summary["clean"].to_string()),
            &json!(summary["fixed"].to_string()),
            &json!(summary["rejected"].to_string()),
        ],
        "{page}"
    );
    // A bar per WhatsApp error code (and per walint-only code), as the summary counts.
    let mut expected_bars: Vec<(String, u64)> = summary["rejected_by_wa_error"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(code, n)| (format!("WhatsApp {code}"), n.as_u64().unwrap()))
        .collect();
    let catalogue: Value = serde_json::from_slice(
        &walint()
            .args(["rules", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    for (code, n) in summary["rejected_by_code"].as_object().unwrap() {
        let rule = catalogue
            .as_array()
            .unwrap()
            .iter()
            .find(|r| &r["code"] == code)
            .unwrap();
        if rule["wa_error"].is_null() {
            expected_bars.push((format!("walint {code}"), n.as_u64().unwrap()));
        }
    }
    let mut bars: Vec<(String, u64)> = page["bars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b[0].as_str().unwrap().to_string(), b[1].as_u64().unwrap()))
        .collect();
    bars.sort();
    expected_bars.sort();
    assert_eq!(bars, expected_bars);
    // The table: every rejected row with its name (the list's `name` cell, read here
    // from the list itself by data row), its number masked, codes and reasons, in order.
    let names: Vec<String> = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&contacts)
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let expected_table: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r["status"] == "rejected")
        .map(|r| {
            let strings = |key: &str| -> Vec<String> {
                r[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect()
            };
            vec![
                r["row"].to_string(),
                names[r["row"].as_u64().unwrap() as usize - 1].clone(),
                r["phone"].as_str().unwrap_or("").to_string(),
                strings("codes").join(" "),
                strings("reasons").join("; "),
            ]
        })
        .collect();
    let table: Vec<Vec<String>> = serde_json::from_value(page["table"].clone()).unwrap();
    assert_eq!(table, expected_table);
    assert!(
        table.iter().all(|r| !r[1].is_empty())
            && table
                .iter()
                .any(|r| r[2].starts_with("+91") && r[2].contains("**")),
        "every rejected row of the demo has a name, and a number shows masked: {table:?}"
    );
    // Both downloads, byte for byte.
    browser.click("#download-clean");
    browser.click("#download-rejects");
    let downloaded = |name: &str| downloads.join(name);
    wait_for("both downloads", Duration::from_secs(20), || {
        let done = |p: PathBuf| p.exists() && !p.with_extension("csv.crdownload").exists();
        done(downloaded("contacts.clean.csv")) && done(downloaded("contacts.rejects.csv"))
    });
    for name in ["contacts.clean.csv", "contacts.rejects.csv"] {
        assert_eq!(
            std::fs::read(downloaded(name)).unwrap(),
            std::fs::read(dir.path().join(name)).unwrap(),
            "{name}"
        );
    }
    let picture = browser.screenshot();
    assert!(picture.starts_with(b"\x89PNG\r\n\x1a\n"));
    // On a phone's width nothing runs off the side (the table scrolls inside its box).
    browser.call(
        "POST",
        "/window/rect",
        Some(json!({ "width": 390, "height": 844 })),
    );
    let overflow = browser.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    assert_eq!(
        overflow,
        json!(0),
        "the page is wider than a phone's screen"
    );
    let phone = browser.screenshot();
    if std::env::var_os("WALINT_UPDATE_DOCS").is_some() {
        std::fs::write(root().join("docs/serve-page.png"), picture).unwrap();
        std::fs::write(root().join("docs/serve-page-phone.png"), phone).unwrap();
    }
}

/// With a token, the page asks for it, then loads the campaigns and checks with it.
#[test]
fn the_upload_page_asks_for_the_token() {
    if !browser_available() {
        return;
    }
    let service = start(walint::serve::ServeOptions {
        config: Some(fixture("demo/walint.toml")),
        token: Some("s3cret".into()),
        ..Default::default()
    });
    let work = tempfile::tempdir().unwrap();
    let browser = Browser::start(work.path(), &work.path().join("profile"));
    browser.open(&service.url("/"));
    wait_for("the token field", Duration::from_secs(10), || {
        browser.script("return document.getElementById('token-field').hidden") == json!(false)
    });
    // Nothing was tried yet: the page asks for the token, and shows no error.
    let status = browser.script(
        "const s = document.getElementById('status'); return [s.textContent, s.classList.contains('error')]",
    );
    assert_eq!(status[1], json!(false), "{status}");
    assert!(
        status[0].as_str().unwrap().contains("access token"),
        "{status}"
    );
    // A wrong token is an error.
    browser.type_into("#token", "wrong");
    browser.click("#region");
    wait_for("the refusal", Duration::from_secs(10), || {
        browser.script("return document.getElementById('status').classList.contains('error')")
            == json!(true)
    });
    browser.script("document.getElementById('token').value = ''; return null");
    browser.type_into("#token", "s3cret");
    // Leaving the field (a change event) loads what the token opens.
    browser.click("#region");
    wait_for("the campaign list", Duration::from_secs(10), || {
        browser.script("return document.querySelectorAll('#campaign option').length") == json!(2)
    });
    browser.type_into("#file", &fixture("demo/contacts.csv").display().to_string());
    browser.type_into("#region", "IN");
    browser.click("#check");
    wait_for("the result", Duration::from_secs(30), || {
        browser.script("return document.getElementById('result').hidden") == json!(false)
    });
    let rejected = browser.script("return document.getElementById('total-rejected').textContent");
    assert_eq!(rejected, json!("13"), "the demo list without its campaign");
}
