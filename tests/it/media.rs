//! Media links probed against a real HTTP server on 127.0.0.1 (`media_server`): each case
//! gets exactly its findings, each distinct link is fetched once, private hosts are
//! refused without a request, `--offline` probes nothing and says so, and the media cache
//! is reused. No test here touches the internet.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use walint::config::MediaConfig;
use walint::report::Report;

use crate::media_server::{MediaServer, shared};
use crate::support;

/// Media flags for probing the test server: private hosts allowed, a short timeout.
fn probing() -> MediaConfig {
    MediaConfig {
        allow_private_hosts: true,
        timeout: Some(Duration::from_millis(1500)),
        ..MediaConfig::default()
    }
}

/// An NDJSON file with one media message per (kind, link).
fn payloads(dir: &Path, cases: &[(&str, String)]) -> std::path::PathBuf {
    let mut text = String::new();
    for (kind, link) in cases {
        text.push_str(&format!(
            "{{\"messaging_product\":\"whatsapp\",\"to\":\"+919876543210\",\"type\":\"{kind}\",\"{kind}\":{{\"link\":\"{link}\"}}}}\n"
        ));
    }
    let path = dir.join("media.ndjson");
    std::fs::write(&path, text).unwrap();
    path
}

/// A server of its own (so its request counts are the test's) and an NDJSON file of one
/// image message per link; a link starting with `/` is a path on that server.
fn serve_images(links: &[&str]) -> (MediaServer, tempfile::TempDir, std::path::PathBuf) {
    let server = MediaServer::start(Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, String)> = links
        .iter()
        .map(|l| match l.starts_with('/') {
            true => ("image", server.url(l)),
            false => ("image", l.to_string()),
        })
        .collect();
    let file = payloads(dir.path(), &cases);
    (server, dir, file)
}

/// The codes of a report's findings, in report order.
fn codes(report: &Report) -> Vec<&'static str> {
    report
        .diagnostics
        .to_vec()
        .unwrap()
        .iter()
        .map(|d| d.code())
        .collect()
}

/// The WAM codes per line (WAM007, plain HTTP, fires on every test link and is left out).
fn wam_by_line(report: &Report) -> BTreeMap<u64, Vec<&'static str>> {
    let mut by_line: BTreeMap<u64, Vec<&'static str>> = BTreeMap::new();
    for d in report.diagnostics.to_vec().unwrap() {
        if d.code().starts_with("WAM") && d.code() != "WAM007" {
            by_line.entry(d.location.line()).or_default().push(d.code());
        }
    }
    by_line
}

#[test]
fn each_case_gets_exactly_its_findings() {
    let server = MediaServer::start(Duration::ZERO);
    let cases: Vec<(&str, &str, &[&str])> = vec![
        ("image", "/ok.jpg", &[]),
        ("image", "/ok.png", &[]),
        ("video", "/ok.mp4", &[]),
        ("document", "/ok.pdf", &[]),
        ("sticker", "/ok.webp", &[]),
        ("image", "/ok.webp", &["WAM003"]),
        ("image", "/png-as-jpeg.jpg", &["WAM005"]),
        ("image", "/big.jpg", &["WAM004"]),
        ("image", "/forbidden.jpg", &["WAM002"]),
        ("image", "/missing.jpg", &["WAM002"]),
        ("image", "/flaky.jpg", &[]),
        ("image", "/busy.jpg", &[]),
        ("image", "/moved.jpg", &["WAM006"]),
        ("image", "/chain/3", &["WAM006"]),
        ("image", "/chain/6", &["WAM001"]),
        ("image", "/loop-a", &["WAM001"]),
        ("image", "/no-head.jpg", &[]),
        ("image", "/no-length.jpg", &["WAM010"]),
        ("image", "/slow.jpg", &["WAM001"]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let links: Vec<(&str, String)> = cases.iter().map(|(k, p, _)| (*k, server.url(p))).collect();
    let file = payloads(dir.path(), &links);
    let report = support::check_with_media(&[&file], None, probing()).unwrap();
    let found = wam_by_line(&report);
    for (i, (kind, path, expected)) in cases.iter().enumerate() {
        let got = found.get(&(i as u64 + 1)).cloned().unwrap_or_default();
        assert_eq!(&got, expected, "{kind} {path}");
    }
    let all = report.diagnostics.to_vec().unwrap();
    let message = |path: &str| {
        all.iter()
            .find(|d| d.code() != "WAM007" && d.message.contains(&server.url(path)))
            .map(|d| d.message.clone())
            .unwrap_or_default()
    };
    assert!(
        message("/slow.jpg").contains("timed out"),
        "{}",
        message("/slow.jpg")
    );
    assert!(
        message("/loop-a").contains("redirect loop"),
        "{}",
        message("/loop-a")
    );
    assert!(
        message("/chain/6").contains("more than 5 redirects"),
        "{}",
        message("/chain/6")
    );
    assert!(message("/forbidden.jpg").contains("credentials"));
    assert!(message("/ok.webp").contains("only as a sticker"));
    let moved = all.iter().find(|d| d.code() == "WAM006").unwrap();
    assert_eq!(
        moved.fix.as_ref().unwrap().replacement,
        server.url("/ok.jpg")
    );
    // Retried: the first GET got 500 (503 with Retry-After), the next 200.
    assert_eq!(server.hits("GET", "/flaky.jpg"), 2);
    assert_eq!(server.hits("GET", "/busy.jpg"), 2);
    // The WebP used as a sticker and as an image is fetched once.
    assert_eq!(server.hits("GET", "/ok.webp"), 1);
    assert_eq!(server.hits("HEAD", "/ok.webp"), 1);
    let media = report.summary().media.unwrap();
    assert_eq!((media.links, media.probed, media.not_probed), (18, 18, 0));
}

#[test]
fn private_hosts_are_refused_without_a_request() {
    let (server, _dir, file) = serve_images(&["/ok.jpg"]);
    let refused = MediaConfig {
        allow_private_hosts: false,
        ..probing()
    };
    let report = support::check_with_media(&[&file], None, refused).unwrap();
    let codes = codes(&report);
    assert!(codes.contains(&"WAM011"), "{codes:?}");
    assert_eq!(server.total(), 0, "a refused host gets no request");
    let media = report.summary().media.unwrap();
    assert_eq!((media.probed, media.refused, media.not_probed), (0, 1, 0));
    let report = support::check_with_media(&[&file], None, probing()).unwrap();
    assert!(wam_by_line(&report).is_empty());
}

#[test]
fn offline_probes_nothing_and_says_so() {
    let (server, _dir, file) = serve_images(&[
        "/missing.jpg",
        "/ok.jpg",
        "http://169.254.169.254/latest/meta-data/",
    ]);
    let offline = MediaConfig {
        allow_private_hosts: true,
        ..support::offline()
    };
    let report = support::check_with_media(&[&file], None, offline).unwrap();
    assert_eq!(server.total(), 0);
    let media = report.summary().media.unwrap();
    assert_eq!((media.links, media.probed, media.not_probed), (3, 0, 3));
    assert!(media.offline);
    assert_eq!(
        codes(&report),
        ["WAM007", "WAM007", "WAM007"],
        "the rules that need no network still run"
    );
    // Without --allow-private-hosts, address literals that are not public are known to
    // fail without a request: the metadata address, and here the test server's.
    let report = support::check(&[&file], None).unwrap();
    let refused = codes(&report).iter().filter(|c| **c == "WAM011").count();
    assert_eq!(refused, 3);
    assert_eq!(server.total(), 0);
    let mut text = Vec::new();
    walint::report::text::write(&report, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("0 probed, 3 refused (not public)"), "{text}");
}

#[test]
fn the_media_cache_is_reused_within_its_ttl() {
    let (server, dir, file) = serve_images(&["/forbidden.jpg"]);
    let cached = MediaConfig {
        cache: Some(dir.path().join("media-cache.json")),
        ..probing()
    };
    let first = support::check_with_media(&[&file], None, cached.clone()).unwrap();
    let requests = server.total();
    assert!(requests >= 2);
    let second = support::check_with_media(&[&file], None, cached.clone()).unwrap();
    assert_eq!(
        server.total(),
        requests,
        "the second run takes the cached result"
    );
    assert_eq!(second.summary().media.unwrap().cached, 1);
    assert_eq!(wam_by_line(&first), wam_by_line(&second));
    let expired = MediaConfig {
        cache_ttl: Some(Duration::ZERO),
        ..cached
    };
    support::check_with_media(&[&file], None, expired).unwrap();
    assert!(
        server.total() > requests,
        "a result older than the TTL is probed again"
    );
}

#[test]
fn a_campaign_probes_each_distinct_link_once() {
    let server = shared();
    let dir = tempfile::tempdir().unwrap();
    let root = support::fixture("demo");
    std::fs::copy(root.join("registry.json"), dir.path().join("registry.json")).unwrap();
    let mut csv = String::from("first_name,phone,coupon,image\n");
    for i in 0..300 {
        let image = server.url(&format!("/b/campaign-{}.jpg", i % 3));
        csv.push_str(&format!(
            "Asha,+9198765{:05},DIWALI{:02},{image}\n",
            i,
            i % 100
        ));
    }
    std::fs::write(dir.path().join("contacts.csv"), csv).unwrap();
    std::fs::write(
        dir.path().join("walint.toml"),
        r#"registry = ["registry.json"]
[[campaign]]
name = "diwali"
contacts = "contacts.csv"
template = "diwali_offer"
language = "en"
body = ["first_name", "first_name", "coupon"]
header = { column = "image" }
buttons = [{ index = 0, column = "coupon" }]
"#,
    )
    .unwrap();
    let report =
        support::check_campaign_with_media(&dir.path().join("walint.toml"), "diwali", probing())
            .unwrap();
    for i in 0..3 {
        let path = format!("/b/campaign-{i}.jpg");
        assert_eq!(server.hits("HEAD", &path), 1, "{path}");
        assert_eq!(server.hits("GET", &path), 1, "{path}");
    }
    let media = report.summary().media.unwrap();
    assert_eq!((media.links, media.probed), (3, 3));
    // Plain HTTP is reported once per link, at the first row using it, naming its column.
    let http: Vec<_> = report
        .diagnostics
        .to_vec()
        .unwrap()
        .into_iter()
        .filter(|d| d.code() == "WAM007")
        .collect();
    assert_eq!(http.len(), 3);
    assert_eq!(http[0].location.line(), 2);
    assert!(
        http[0].message.contains("used by 100 messages"),
        "{}",
        http[0].message
    );
}

#[test]
fn the_cli_reports_media_in_every_format() {
    let server = shared();
    let dir = tempfile::tempdir().unwrap();
    let file = payloads(dir.path(), &[("image", server.url("/missing.jpg"))]);
    let json = support::json_report(
        support::walint()
            .args([
                "check",
                "--no-config",
                "--allow-private-hosts",
                "--format",
                "json",
            ])
            .arg(&file),
        1,
    );
    assert_eq!(json["summary"]["media"]["probed"], 1);
    assert_eq!(json["summary"]["by_code"]["WAM002"], 1);
    let out = support::walint()
        .args(["check", "--no-config", "--offline", "--allow-private-hosts"])
        .arg(&file)
        .assert()
        .code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("1 NOT probed (--offline)"), "{text}");
}

#[test]
fn the_budget_bounds_the_probing_and_counts_what_it_left() {
    let (_server, _dir, file) = serve_images(&["/slow.jpg", "/ok.jpg"]);
    let hurried = MediaConfig {
        budget: Some(Duration::from_secs(1)),
        timeout: Some(Duration::from_secs(10)),
        ..probing()
    };
    // The slow link answers after 4 s, within its 10 s timeout: only the 1 s budget can
    // leave it unprobed.
    let report = support::check_with_media(&[&file], None, hurried).unwrap();
    let media = report.summary().media.unwrap();
    assert_eq!((media.links, media.probed, media.not_probed), (2, 1, 1));
    assert!(
        wam_by_line(&report).is_empty(),
        "a link not probed is no finding, only counted"
    );
}

#[test]
fn no_credentials_cookies_or_referer_are_sent_or_reported() {
    let server = MediaServer::start(Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let secret = server
        .url("/cookie-then-move.jpg?X-Amz-Signature=SECRET")
        .replace("http://", "http://user:hunter2@");
    let file = payloads(dir.path(), &[("image", secret)]);
    let report = support::check_with_media(&[&file], None, probing()).unwrap();
    assert!(
        server.hits_any("/ok.jpg") >= 2,
        "the redirects were followed"
    );
    assert_eq!(
        server.leaks(),
        0,
        "no request carried a Referer, Cookie or Authorization header"
    );
    for d in report.diagnostics.to_vec().unwrap() {
        let fix = d
            .fix
            .as_ref()
            .map(|f| f.replacement.clone())
            .unwrap_or_default();
        assert!(
            !d.message.contains("hunter2") && !fix.contains("hunter2"),
            "{}: {} {fix}",
            d.code(),
            d.message
        );
    }
}

#[test]
fn bad_media_numbers_stop_the_run() {
    for (flag, value) in [
        ("--media-timeout", "0"),
        ("--media-timeout", "-5"),
        ("--media-budget", "nan"),
        ("--media-budget", "1e12"),
        ("--media-concurrency", "0"),
        ("--media-per-host", "65537"),
        ("--media-cache-ttl", "-1"),
    ] {
        let out = support::walint()
            .args(["check", "--no-config", &format!("{flag}={value}")])
            .arg("fixtures/demo/contacts.csv")
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            err.contains(flag) && err.lines().count() <= 4,
            "{flag} {value}: {err}"
        );
    }
}
