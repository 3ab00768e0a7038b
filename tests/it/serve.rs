//! `walint serve` over real HTTP on an ephemeral loopback port: every endpoint, the
//! service's answers against the command's for the same files, the limits (413, 503,
//! 408, 401), malformed forms, and a client that goes away mid-upload.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use walint::serve::{Limits, ServeOptions, Service};

use crate::support::{findings_in, fix_demo_campaign, fixture, walint};

/// A service running on a loopback port for one test.
pub struct Running {
    pub addr: SocketAddr,
    runtime: tokio::runtime::Runtime,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Where the service spools (its own directory is made in it).
    pub spool: PathBuf,
    _spool_dir: Option<tempfile::TempDir>,
    client: reqwest::Client,
}

/// An answer, read whole.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Starts a service with `options` (its spool directory a fresh one of the test's).
pub fn start(options: ServeOptions) -> Running {
    let spool = tempfile::tempdir().unwrap();
    let mut running = start_in(spool.path(), options);
    running._spool_dir = Some(spool);
    running
}

/// Starts a service with `options`, spooling in `spool`.
pub fn start_in(spool: &Path, mut options: ServeOptions) -> Running {
    let _ = rustls::crypto::ring::default_provider().install_default();
    options.spool_dir = Some(spool.to_path_buf());
    options.access_log = false;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let service = Service::new(options).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = runtime.spawn(walint::serve::serve(listener, service, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        runtime,
        stop: Some(stop),
        served: Some(served),
        spool: spool.to_path_buf(),
        _spool_dir: None,
        client: reqwest::Client::new(),
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Running {
    /// Tells the service to stop and waits until it has: how long that took.
    pub fn stop(&mut self) -> Duration {
        let started = Instant::now();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            self.runtime.block_on(served).unwrap().unwrap();
        }
        started.elapsed()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends a request built from the client, and reads the whole answer.
    pub fn send(&self, build: impl FnOnce(&reqwest::Client) -> reqwest::RequestBuilder) -> Answer {
        self.runtime.block_on(async {
            let response = build(&self.client).send().await.unwrap();
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await.unwrap().to_vec();
            Answer {
                status,
                headers,
                body,
            }
        })
    }

    pub fn get(&self, path: &str) -> Answer {
        self.send(|c| c.get(self.url(path)))
    }

    pub fn post(&self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        self.send(|c| {
            c.post(self.url(path))
                .header("content-type", content_type)
                .body(body)
        })
    }

    /// A `multipart/form-data` POST of files (name, bytes).
    pub fn post_files(&self, path: &str, files: &[(&str, &[u8])]) -> Answer {
        let (content_type, body) = form(files);
        self.post(path, &content_type, body)
    }

    /// The files left in the spool directory.
    pub fn spooled(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.own_spool())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.ends_with(".lock"))
            .collect()
    }

    /// The service's own directory in the spool directory, where uploads wait.
    pub fn own_spool(&self) -> PathBuf {
        let mine: Vec<PathBuf> = std::fs::read_dir(&self.spool)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(mine.len(), 1, "one service's directory: {mine:?}");
        mine[0].clone()
    }

    /// A metric's value, summed over its label sets.
    pub fn metric(&self, name: &str) -> f64 {
        let text = self.get("/metrics").text();
        text.lines()
            .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }
}

/// A multipart form of files, as a browser sends it.
pub fn form(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----walint-test-boundary-7d1";
    let mut body = Vec::new();
    for (name, bytes) in files {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .unwrap();
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The parts of a `multipart/form-data` answer: (name, file name, bytes).
pub fn parts(answer: &Answer) -> Vec<(String, Option<String>, Vec<u8>)> {
    let content_type = answer.header("content-type");
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a multipart answer");
    let delimiter = format!("\r\n--{boundary}");
    let body = [b"\r\n".as_slice(), &answer.body].concat();
    let mut found = Vec::new();
    let mut rest = &body[..];
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let head_end = find(rest, b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        let content = &rest[head_end + 4..];
        let end = find(content, delimiter.as_bytes()).unwrap();
        let quoted = |key: &str| {
            head.split(&format!("{key}=\""))
                .nth(1)
                .map(|v| v.split('"').next().unwrap().to_string())
        };
        found.push((
            quoted(" name").unwrap(),
            quoted("filename"),
            content[..end].to_vec(),
        ));
        rest = &content[end..];
    }
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn demo_options() -> ServeOptions {
    ServeOptions {
        config: Some(fixture("demo/walint.toml")),
        ..ServeOptions::default()
    }
}

fn demo_contacts() -> Vec<u8> {
    std::fs::read(fixture("demo/contacts.csv")).unwrap()
}

/// `walint check` run in `dir`, its standard output.
fn command_output(dir: &Path, args: &[&str]) -> Vec<u8> {
    walint()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
        .stdout
}

#[test]
fn the_small_endpoints_answer() {
    let service = start(demo_options());
    let health = service.get("/healthz");
    assert_eq!((health.status, health.text().as_str()), (200, "ok\n"));
    let rules = service.get("/v1/rules");
    assert_eq!(rules.status, 200);
    let command = command_output(Path::new("."), &["rules", "--format", "json"]);
    assert_eq!(
        rules.body, command,
        "/v1/rules is `walint rules --format json`"
    );
    let explained = service.get("/v1/explain/131026");
    assert_eq!(explained.status, 200);
    assert!(explained.text().starts_with("WhatsApp error 131026"));
    assert_eq!(
        service.get("/v1/explain/WAC001").body,
        command_output(Path::new("."), &["explain", "WAC001"])
    );
    let unknown = service.get("/v1/explain/NOPE1");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"]["kind"], "not_found");
    assert_eq!(
        service.get("/v1/campaigns").json(),
        serde_json::json!({ "campaigns": ["diwali-offer"] })
    );
    let page = service.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-security-policy")
            .contains("default-src 'none'")
    );
    assert!(page.text().contains("<label for=\"file\""));
    assert_eq!(service.get("/assets/page.js").status, 200);
    assert_eq!(service.get("/assets/page.css").status, 200);
    assert_eq!(service.get("/nothing-here").status, 404);
    let method = service.get("/v1/fix");
    assert_eq!(method.status, 405);
    assert_eq!(method.json()["error"]["kind"], "method");
    let metrics = service.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .text()
            .contains("walint_http_requests_total{endpoint=\"/v1/rules\",status=\"200\"} 1"),
        "{}",
        metrics.text()
    );
}

/// A list sent as the body gets the report `walint check` writes for the same file.
#[test]
fn check_reports_what_the_command_reports() {
    let service = start(ServeOptions::default());
    let answer = service.post(
        "/v1/check?region=IN&name=contacts.csv",
        "text/csv",
        demo_contacts(),
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("content-type"), "application/json");
    let command = command_output(
        &fixture("demo"),
        &[
            "check",
            "--no-config",
            "--default-region",
            "IN",
            "--format",
            "json",
            "contacts.csv",
        ],
    );
    assert_eq!(answer.text(), String::from_utf8(command).unwrap());
    let summary = &answer.json()["summary"];
    assert_eq!(answer.header("x-walint-rows"), "201");
    assert_eq!(
        answer.header("x-walint-errors"),
        summary["errors"].to_string()
    );
    assert!(service.spooled().is_empty(), "the upload is removed");
    // Rows and findings are counted for /metrics.
    assert_eq!(service.metric("walint_rows_checked_total"), 201.0);
    let findings = summary["by_code"]["WAC001"].as_u64().unwrap() as f64;
    let text = service.get("/metrics").text();
    assert!(
        text.contains(&format!(
            "walint_findings_total{{code=\"WAC001\"}} {findings}"
        )),
        "{text}"
    );
}

/// Several files in one form: each is recognised by its content, as by the command.
#[test]
fn a_form_with_several_files_is_checked_as_the_command_checks_them() {
    let service = start(ServeOptions::default());
    let payloads = std::fs::read(fixture("demo/payloads/order_updates.ndjson")).unwrap();
    let registry = std::fs::read(fixture("demo/registry.json")).unwrap();
    let answer = service.post_files(
        "/v1/check?region=IN&select=WAC,WAT",
        &[
            ("contacts.csv", &demo_contacts()),
            ("order_updates.ndjson", &payloads),
            ("registry.json", &registry),
        ],
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("demo/contacts.csv"),
        dir.path().join("contacts.csv"),
    )
    .unwrap();
    std::fs::write(dir.path().join("order_updates.ndjson"), &payloads).unwrap();
    std::fs::write(dir.path().join("registry.json"), &registry).unwrap();
    let command = command_output(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--default-region",
            "IN",
            "--select",
            "WAC,WAT",
            "--format",
            "json",
            "contacts.csv",
            "order_updates.ndjson",
            "registry.json",
        ],
    );
    assert_eq!(answer.text(), String::from_utf8(command).unwrap());
    assert_eq!(answer.json()["summary"]["files"], 3);
}

#[test]
fn check_writes_every_report_format_asked_for() {
    let service = start(ServeOptions::default());
    let sarif = service.post(
        "/v1/check?format=sarif&region=IN",
        "text/csv",
        demo_contacts(),
    );
    assert_eq!(sarif.status, 200);
    assert_eq!(sarif.header("content-type"), "application/sarif+json");
    assert_eq!(sarif.json()["version"], "2.1.0");
    // SARIF masks numbers by default, as the command does; asked, it shows them.
    let results = |a: &Answer| a.json()["runs"][0]["results"].to_string();
    let shown = service.post(
        "/v1/check?format=sarif&region=IN&redact=false",
        "text/csv",
        demo_contacts(),
    );
    assert_ne!(results(&sarif), results(&shown));
    assert!(
        results(&sarif).contains("+91*******"),
        "{}",
        results(&sarif)
    );
    let junit = service.post(
        "/v1/check?format=junit&region=IN",
        "text/csv",
        demo_contacts(),
    );
    assert!(junit.text().starts_with("<?xml"));
    let gitlab = service.post("/v1/check?format=gitlab", "text/csv", demo_contacts());
    assert!(gitlab.json().is_array());
    let text = service.post(
        "/v1/check?format=text&region=IN",
        "text/csv",
        demo_contacts(),
    );
    assert!(text.text().contains("WAC001"), "{}", text.text());
    assert!(
        !text.text().contains('\x1b'),
        "no terminal styles in a response"
    );
    for bad in [
        "format=github",
        "format=pdf",
        "colour=red",
        "region=India",
        "part=clean",
        "no_header=maybe",
    ] {
        let refused = service.post(&format!("/v1/check?{bad}"), "text/csv", demo_contacts());
        assert_eq!(refused.status, 400, "{bad}: {}", refused.text());
        assert!(refused.json()["error"]["message"].is_string());
    }
}

/// `?campaign=NAME`: the upload is that campaign's contact list, judged with its message.
#[test]
fn a_campaign_checks_the_upload_as_its_contact_list() {
    let service = start(demo_options());
    let answer = service.post(
        "/v1/check?campaign=diwali-offer&name=contacts.csv",
        "text/csv",
        demo_contacts(),
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let command = command_output(
        &fixture("demo"),
        &["check", "--campaign", "diwali-offer", "--format", "json"],
    );
    let command: serde_json::Value = serde_json::from_slice(&command).unwrap();
    // The rows' findings are the command's; the definition's place (walint.toml) is shown
    // from elsewhere.
    let rows = |report: &serde_json::Value| findings_in(report, "contacts.csv");
    let served = answer.json();
    assert!(!rows(&command).is_empty());
    assert_eq!(rows(&served), rows(&command));
    assert_eq!(
        served["summary"]["messages"],
        command["summary"]["messages"]
    );
    let unknown = service.post("/v1/check?campaign=nope", "text/csv", demo_contacts());
    assert_eq!(unknown.status, 400);
    assert!(
        unknown.text().contains("no such campaign"),
        "{}",
        unknown.text()
    );
}

/// `/v1/fix` answers with the summary, the results, the clean file and the rejects —
/// byte for byte what `walint fix` writes.
#[test]
fn fix_returns_what_the_command_writes() {
    let service = start(demo_options());
    let answer = service.post_files(
        "/v1/fix?campaign=diwali-offer",
        &[("contacts.csv", &demo_contacts())],
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(
        answer
            .header("content-type")
            .starts_with("multipart/form-data; boundary=")
    );
    let parts = parts(&answer);
    let names: Vec<(&str, Option<&str>)> = parts
        .iter()
        .map(|(n, f, _)| (n.as_str(), f.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("summary", None),
            ("results", Some("contacts.results.ndjson")),
            ("clean", Some("contacts.clean.csv")),
            ("rejects", Some("contacts.rejects.csv")),
        ]
    );
    let (dir, results) = fix_demo_campaign();
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    assert_eq!(parts[2].2, read("contacts.clean.csv"));
    assert_eq!(parts[3].2, read("contacts.rejects.csv"));
    assert_eq!(
        String::from_utf8(parts[1].2.clone()).unwrap(),
        String::from_utf8(results).unwrap(),
        "the results are `walint fix --format json`'s"
    );
    let summary: serde_json::Value = serde_json::from_slice(&parts[0].2).unwrap();
    assert_eq!(
        (&summary["rows"], &summary["rejected"]),
        (&serde_json::json!(201), &serde_json::json!(16))
    );
    assert_eq!(answer.header("x-walint-rejected"), "16");
    // One part alone, as a download; only the rejected rows' results.
    let clean = service.post_files(
        "/v1/fix?campaign=diwali-offer&part=clean",
        &[("contacts.csv", &demo_contacts())],
    );
    assert_eq!(clean.body, read("contacts.clean.csv"));
    assert_eq!(
        clean.header("content-disposition"),
        "attachment; filename=\"contacts.clean.csv\""
    );
    let rejected = service.post(
        "/v1/fix?campaign=diwali-offer&results=rejected&part=results",
        "text/csv",
        demo_contacts(),
    );
    let lines: Vec<serde_json::Value> = rejected
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 16 + 1, "the rejected rows, then the summary");
    assert!(lines[..16].iter().all(|l| l["status"] == "rejected"));
    // One list per request.
    let two = service.post_files(
        "/v1/fix",
        &[("a.csv", b"phone\n+14155552671\n"), ("b.csv", b"phone\n")],
    );
    assert_eq!(two.status, 400);
    // Payloads are not a contact list.
    let payloads = std::fs::read(fixture("demo/payloads/order_updates.ndjson")).unwrap();
    let not_a_list = service.post_files("/v1/fix", &[("order_updates.ndjson", &payloads)]);
    assert_eq!(not_a_list.status, 400);
    assert!(
        not_a_list
            .text()
            .contains("send payloads and registries to /v1/check")
    );
    assert!(service.spooled().is_empty());
}

#[test]
fn an_upload_over_the_limit_gets_413() {
    let service = start(ServeOptions {
        limits: Limits {
            max_upload_bytes: 1000,
            ..Limits::default()
        },
        ..ServeOptions::default()
    });
    // Declared too large up front, and found too large as it streams in (chunked), as a
    // body and as a form.
    let declared = service.post("/v1/check", "text/csv", demo_contacts());
    assert_eq!(declared.status, 413, "{}", declared.text());
    assert_eq!(declared.json()["error"]["kind"], "too_large");
    let (form_type, form_body) = form(&[("contacts.csv", &demo_contacts())]);
    for (content_type, body) in [
        ("text/csv", demo_contacts()),
        (form_type.as_str(), form_body),
    ] {
        let answer = chunked(service.addr, "/v1/fix", content_type, &body);
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "{content_type}: {answer}"
        );
    }
    let small = service.post("/v1/check", "text/csv", b"phone\n+14155552671\n".to_vec());
    assert_eq!(small.status, 200);
    assert!(service.spooled().is_empty());
}

/// Sends a request with a chunked body (no length) on a connection of its own; the answer.
fn chunked(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    // The service answers and closes once the limit is passed: later writes may fail.
    for chunk in body.chunks(300) {
        let _ = write!(stream, "{:x}\r\n", chunk.len());
        let _ = stream.write_all(chunk);
        let _ = stream.write_all(b"\r\n");
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// Opens a connection and sends a request's head and part of its body, then holds it.
pub fn half_upload(addr: SocketAddr, path: &str, declared: usize, sent: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/csv\r\nContent-Length: {declared}\r\n\r\n"
    )
    .unwrap();
    stream.write_all(sent).unwrap();
    stream.flush().unwrap();
    stream
}

/// Polls `done` for up to ten seconds.
pub fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(10), "never: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_full_service_answers_503_with_retry_after() {
    let service = start(ServeOptions {
        limits: Limits {
            max_concurrent: 1,
            max_queued: 0,
            max_receiving: 1,
            // No pace: the upload held is never cut off to make room.
            min_upload_rate: 0,
            ..Limits::default()
        },
        ..ServeOptions::default()
    });
    let held = half_upload(service.addr, "/v1/check", 100_000, b"phone\n");
    eventually("the first upload is admitted", || {
        service.metric("walint_uploads_admitted") == 1.0
    });
    let refused = service.post("/v1/check", "text/csv", b"phone\n+14155552671\n".to_vec());
    assert_eq!(refused.status, 503, "{}", refused.text());
    assert_eq!(refused.header("retry-after"), "2");
    assert_eq!(refused.json()["error"]["kind"], "busy");
    drop(held);
    eventually("the place is free again", || {
        service
            .post("/v1/check", "text/csv", b"phone\n+14155552671\n".to_vec())
            .status
            == 200
    });
}

#[test]
fn a_client_that_goes_away_mid_upload_leaves_nothing_behind() {
    let service = start(ServeOptions::default());
    let mut list = b"phone\n".to_vec();
    for i in 0..2000 {
        writeln!(list, "+1415555{:04}", i).unwrap();
    }
    let stream = half_upload(service.addr, "/v1/check", 10_000_000, &list);
    eventually("the upload is being spooled", || {
        service.spooled().len() == 1 && service.metric("walint_uploads_admitted") == 1.0
    });
    drop(stream);
    eventually("the spool is empty and the place free", || {
        service.spooled().is_empty() && service.metric("walint_uploads_admitted") == 0.0
    });
    // The gauge of requests under way counts only the /metrics request asking.
    assert_eq!(service.metric("walint_http_requests_in_flight"), 1.0);
    let after = service.post("/v1/check", "text/csv", list);
    assert_eq!(after.status, 200);
    assert_eq!(after.header("x-walint-rows"), "2000");
}

#[test]
fn an_upload_slower_than_the_timeout_gets_408() {
    let service = start(ServeOptions {
        limits: Limits {
            timeout: Duration::from_millis(500),
            ..Limits::default()
        },
        ..ServeOptions::default()
    });
    let mut stream = half_upload(service.addr, "/v1/check", 1000, b"phone\n");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    eventually("the spool is empty", || service.spooled().is_empty());
}

#[test]
fn malformed_forms_are_refused() {
    let service = start(ServeOptions::default());
    let garbage = service.post(
        "/v1/check",
        "multipart/form-data; boundary=xyz",
        b"this is not a form".to_vec(),
    );
    assert_eq!(garbage.status, 400, "{}", garbage.text());
    let truncated = service.post(
        "/v1/check",
        "multipart/form-data; boundary=xyz",
        b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nphone\n+1415"
            .to_vec(),
    );
    assert_eq!(truncated.status, 400, "{}", truncated.text());
    let no_boundary = service.post("/v1/check", "multipart/form-data", b"--x--".to_vec());
    assert_eq!(no_boundary.status, 400);
    let empty = service.post(
        "/v1/check",
        "multipart/form-data; boundary=xyz",
        b"--xyz--\r\n".to_vec(),
    );
    assert_eq!(empty.status, 400);
    assert!(empty.text().contains("no file"), "{}", empty.text());
    let field = service.post(
        "/v1/check",
        "multipart/form-data; boundary=xyz",
        b"--xyz\r\nContent-Disposition: form-data; name=\"region\"\r\n\r\nIN\r\n--xyz--\r\n"
            .to_vec(),
    );
    assert_eq!(field.status, 400);
    assert!(field.text().contains("not a file"), "{}", field.text());
    let list = b"phone\n+14155552671\n".as_slice();
    let many: Vec<(&str, &[u8])> = (0..33).map(|_| ("a.csv", list)).collect();
    let too_many = service.post_files("/v1/check", &many);
    assert_eq!(too_many.status, 400);
    assert!(
        too_many.text().contains("at most 32 files"),
        "{}",
        too_many.text()
    );
    assert_eq!(service.post_files("/v1/check", &many[..32]).status, 200);
    eventually("the spool is empty", || service.spooled().is_empty());
}

#[test]
fn a_token_guards_the_api_and_reload() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("walint.toml");
    std::fs::write(&config, "default_region = \"IN\"\n").unwrap();
    let service = start(ServeOptions {
        config: Some(config.clone()),
        token: Some("s3cret".into()),
        ..ServeOptions::default()
    });
    let bare = service.get("/v1/rules");
    assert_eq!(bare.status, 401);
    assert_eq!(bare.header("www-authenticate"), "Bearer realm=\"walint\"");
    let wrong = service.send(|c| c.get(service.url("/v1/rules")).bearer_auth("guess"));
    assert_eq!(wrong.status, 401);
    assert_eq!(service.get("/metrics").status, 401);
    assert_eq!(
        wrong.json()["error"]["message"],
        "the bearer token is not this service's"
    );
    let right = service.send(|c| c.get(service.url("/v1/rules")).bearer_auth("s3cret"));
    assert_eq!(right.status, 200);
    // The scheme's case does not matter (RFC 9110).
    let lower = service.send(|c| {
        c.get(service.url("/v1/rules"))
            .header("authorization", "bearer s3cret")
    });
    assert_eq!(lower.status, 200);
    // The health check and the page stay open (the page asks for the token).
    assert_eq!(service.get("/healthz").status, 200);
    assert_eq!(service.get("/").status, 200);
    // A reload picks up a changed walint.toml; a broken one leaves the settings as they were.
    std::fs::write(
        &config,
        std::fs::read_to_string(fixture("demo/walint.toml"))
            .unwrap()
            .replace(
                "\"contacts.csv\"",
                &format!("{:?}", fixture("demo/contacts.csv")),
            )
            .replace(
                "[\"registry.json\"]",
                &format!("[{:?}]", fixture("demo/registry.json")),
            )
            .replace(
                "[\"optouts.txt\"]",
                &format!("[{:?}]", fixture("demo/optouts.txt")),
            ),
    )
    .unwrap();
    let campaigns = || {
        service
            .send(|c| c.get(service.url("/v1/campaigns")).bearer_auth("s3cret"))
            .json()
    };
    assert_eq!(campaigns(), serde_json::json!({ "campaigns": [] }));
    assert_eq!(
        service.post("/v1/reload", "text/plain", Vec::new()).status,
        401
    );
    let reloaded = service.send(|c| c.post(service.url("/v1/reload")).bearer_auth("s3cret"));
    assert_eq!(reloaded.status, 200, "{}", reloaded.text());
    assert_eq!(
        campaigns(),
        serde_json::json!({ "campaigns": ["diwali-offer"] })
    );
    std::fs::write(&config, "default_region = 12\n").unwrap();
    let broken = service.send(|c| c.post(service.url("/v1/reload")).bearer_auth("s3cret"));
    assert_eq!(broken.status, 500, "the service's own settings are broken");
    assert_eq!(broken.json()["error"]["kind"], "config");
    assert_eq!(
        campaigns(),
        serde_json::json!({ "campaigns": ["diwali-offer"] })
    );
}

#[test]
fn reload_over_http_needs_a_token() {
    let service = start(ServeOptions::default());
    let refused = service.post("/v1/reload", "text/plain", Vec::new());
    assert_eq!(refused.status, 403);
}

/// Media links are not probed unless asked; asked, a link to a private address is refused
/// whatever the config allows (the SSRF guard).
#[test]
fn uploads_never_make_the_service_fetch_from_its_own_network() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("walint.toml");
    std::fs::write(&config, "[media]\nallow_private_hosts = true\n").unwrap();
    let service = start(ServeOptions {
        config: Some(config),
        ..ServeOptions::default()
    });
    // A local server the upload points at: it must never be asked.
    let local = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    local.set_nonblocking(true).unwrap();
    let link = format!("http://{}/lamps.jpg", local.local_addr().unwrap());
    let payload = serde_json::json!({
        "messaging_product": "whatsapp",
        "to": "+14155552671",
        "type": "image",
        "image": { "link": link }
    });
    let body = format!("{payload}\n").into_bytes();
    let offline = service.post(
        "/v1/check?name=m.ndjson",
        "application/x-ndjson",
        body.clone(),
    );
    assert_eq!(offline.json()["summary"]["media"]["offline"], true);
    let probed = service.post(
        "/v1/check?name=m.ndjson&probe_media=true",
        "application/x-ndjson",
        body,
    );
    assert_eq!(probed.status, 200, "{}", probed.text());
    let media = &probed.json()["summary"]["media"];
    assert_eq!(media["refused"], 1, "{media}");
    assert!(local.accept().is_err(), "the private address was contacted");
}
