//! `walint registry pull` against a scripted Graph API on 127.0.0.1 (an ephemeral port,
//! plain `std::net`, a thread per connection): pages are followed to the end with the
//! token in the header and never in a link, Graph's errors become one line without the
//! token, rate limits are retried, a pull that fails half-way leaves the existing file,
//! and `paging.next` never takes the token to another host. What a hostile server can make
//! a pull take is bounded: pages that never end stop at `--max-total-bytes` or the page
//! limit, and a large registry is pulled holding about one page in memory (the walint
//! process's peak resident memory is measured, never a time). No test here touches the
//! internet; retries wait a millisecond.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use walint::registry_pull::{self, PullOptions, Token};

use crate::graph_server::{Graph, Reply};
use crate::support::walint;

const TOKEN: &str = "EAAGtestSECRETtoken0123456789";

/// A valid template object.
fn template(name: &str, language: &str) -> String {
    format!(
        r#"{{"name":"{name}","language":"{language}","status":"APPROVED","category":"UTILITY","parameter_format":"POSITIONAL","id":"9{}","components":[{{"type":"BODY","text":"Your order has shipped."}}]}}"#,
        name.len()
    )
}

/// A 200 page with these templates and, when given, a `paging.next` to `after=CURSOR` on
/// `base` — carrying `access_token`, as Graph's links do.
fn page(templates: &[(&str, &str)], base: &str, next: Option<&str>) -> Reply {
    let data: Vec<String> = templates.iter().map(|(n, l)| template(n, l)).collect();
    let paging = match next {
        Some(cursor) => format!(
            r#","paging":{{"cursors":{{"after":"{cursor}"}},"next":"{base}/v23.0/1234/message_templates?access_token={TOKEN}&fields=name&limit=2&after={cursor}"}}"#
        ),
        None => String::new(),
    };
    Reply(
        200,
        vec![],
        format!(r#"{{"data":[{}]{paging}}}"#, data.join(",")),
    )
}

/// A Graph error body.
fn graph_error(status: u16, code: u32, message: &str) -> Reply {
    Reply(
        status,
        vec![],
        format!(
            r#"{{"error":{{"message":"{message}","type":"OAuthException","code":{code},"fbtrace_id":"AxYz"}}}}"#
        ),
    )
}

/// Three pages: two templates, two, one (the third has no `next`).
fn three_pages(base: String) -> impl Fn(&str, usize) -> Reply + Send + Sync {
    move |target, _| {
        if target.contains("after=P2") {
            page(
                &[("order_update", "es"), ("welcome", "en_US")],
                &base,
                Some("P3"),
            )
        } else if target.contains("after=P3") {
            page(&[("welcome", "es")], &base, None)
        } else {
            page(
                &[("order_update", "en_US"), ("alert", "en")],
                &base,
                Some("P2"),
            )
        }
    }
}

/// Starts a server whose script needs its own base URL.
fn start_with_base<F>(script: impl FnOnce(String) -> F) -> Graph
where
    F: Fn(&str, usize) -> Reply + Send + Sync + 'static,
{
    let slot: Arc<Mutex<Option<F>>> = Arc::default();
    let inner = Arc::clone(&slot);
    let graph = Graph::start(move |t, n| (inner.lock().unwrap().as_ref().unwrap())(t, n));
    *slot.lock().unwrap() = Some(script(graph.url()));
    graph
}

/// `walint registry pull` against `graph`, writing `out`, with the test token and tiny
/// retry waits.
fn pull_cmd(graph: &Graph, out: &Path) -> assert_cmd::Command {
    let mut cmd = walint();
    cmd.env("WHATSAPP_TOKEN", TOKEN).args([
        "registry",
        "pull",
        "--waba-id",
        "1234",
        "--graph-url",
        &graph.url(),
        "--retry-base-ms",
        "1",
        "-o",
    ]);
    cmd.arg(out);
    cmd
}

/// The library's options for `graph`, with tiny retry waits.
fn options(graph: &Graph, out: &Path) -> PullOptions {
    let mut o = PullOptions::new("1234", Token::new(TOKEN), out);
    o.graph_url = graph.url();
    o.backoff = Duration::from_millis(1);
    o
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn three_pages_are_followed_and_the_file_reads_back_as_a_registry() {
    let graph = start_with_base(three_pages);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("templates").join("registry.json");
    let run = pull_cmd(&graph, &out).output().unwrap();
    let stderr = stderr_of(&run);
    assert!(run.status.success(), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "walint: pulled 5 templates in 3 languages (3 pages) from WABA 1234 into {}",
            out.display()
        )
    );
    assert!(run.stdout.is_empty());

    let seen = graph.seen();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    for s in &seen {
        assert_eq!(
            s.authorization.as_deref(),
            Some(&*format!("Bearer {TOKEN}"))
        );
        assert!(!s.target.contains("access_token"), "{}", s.target);
        assert!(!s.target.contains(TOKEN), "{}", s.target);
    }
    let first = &seen[0].target;
    assert!(
        first.starts_with("/v23.0/1234/message_templates?fields="),
        "{first}"
    );
    for field in [
        "name",
        "language",
        "status",
        "category",
        "parameter_format",
        "components",
    ] {
        assert!(first.contains(field), "{first} lacks {field}");
    }
    assert!(first.contains("limit=100"), "{first}");
    assert!(seen[1].target.ends_with("fields=name&limit=2&after=P2"));

    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains(TOKEN) && !text.contains("paging"));
    let templates = walint::input::registry::read("registry.json", &text).unwrap();
    let names: Vec<(&str, &str)> = templates
        .iter()
        .map(|t| (t.name.as_str(), t.language.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("alert", "en"),
            ("order_update", "en_US"),
            ("order_update", "es"),
            ("welcome", "en_US"),
            ("welcome", "es")
        ]
    );
    // `walint check --registry` reads it: a message using a template of page 3 is clean,
    // one naming a template that is not there is WAT001.
    for (name, expect) in [("welcome", 0), ("not_pulled", 1)] {
        let payload = dir.path().join(format!("{name}.json"));
        std::fs::write(
            &payload,
            format!(
                r#"{{"messaging_product":"whatsapp","to":"+919876543210","type":"template","template":{{"name":"{name}","language":{{"code":"es"}}}}}}"#
            ),
        )
        .unwrap();
        let check = walint()
            .args(["check", "--no-config", "--offline", "--registry"])
            .args([&out, &payload])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&check.stdout);
        assert_eq!(
            check.status.code(),
            Some(expect),
            "{stdout}{}",
            stderr_of(&check)
        );
        assert_eq!(stdout.contains("WAT001"), expect == 1, "{stdout}");
    }
}

#[test]
fn an_expired_token_is_one_line_without_the_token_and_writes_nothing() {
    let graph = Graph::start(|_, _| {
        graph_error(
            401,
            190,
            &format!("Error validating access token {TOKEN}: Session has expired"),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new").join("registry.json");
    let run = pull_cmd(&graph, &out).output().unwrap();
    let stderr = stderr_of(&run);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "walint: error: the Graph API refused the access token in WHATSAPP_TOKEN (code 190"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("refresh the token"), "{stderr}");
    assert!(stderr.contains("[fbtrace_id AxYz]"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "{stderr}");
    assert!(!String::from_utf8_lossy(&run.stdout).contains(TOKEN));
    assert_eq!(graph.seen().len(), 1, "a token error is never retried");
    assert!(
        files_in(dir.path()).is_empty(),
        "nothing written, no directory made"
    );
}

#[test]
fn rate_limits_are_retried_then_the_file_is_written() {
    // HTTP 429 with Retry-After, then the page.
    let graph = Graph::start(|_, nth| match nth {
        1 => Reply(429, vec![("Retry-After", "0".into())], "{}".into()),
        _ => page(&[("alert", "en")], "", None),
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("registry.json");
    let run = pull_cmd(&graph, &out).output().unwrap();
    let stderr = stderr_of(&run);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("(1 page, 1 retry)"), "{stderr}");
    assert_eq!(graph.seen().len(), 2);
    assert!(std::fs::read_to_string(&out).unwrap().contains("\"alert\""));

    // Graph's WABA rate limit (code 80007, HTTP 400) twice, then the page.
    let graph = Graph::start(|_, nth| match nth {
        1 | 2 => graph_error(400, 80007, "Rate limit hit"),
        _ => page(&[("alert", "en"), ("welcome", "en")], "", None),
    });
    let summary = registry_pull::pull(&options(&graph, &out)).unwrap();
    assert_eq!(
        (summary.templates, summary.pages, summary.retries),
        (2, 1, 2)
    );
    assert_eq!(graph.seen().len(), 3);
}

#[test]
fn a_rate_limit_that_lasts_ends_after_a_bounded_number_of_attempts() {
    let graph = Graph::start(|_, _| graph_error(400, 130429, "Rate limit hit"));
    let dir = tempfile::tempdir().unwrap();
    let e = registry_pull::pull(&options(&graph, &dir.path().join("r.json"))).unwrap_err();
    assert_eq!(graph.seen().len(), 5);
    assert!(
        e.to_string()
            .starts_with("the Graph API is still refusing after 5 attempts (HTTP 400, code 130429"),
        "{e}"
    );
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_pull_that_fails_half_way_leaves_the_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("registry.json");
    std::fs::write(&out, "OLD").unwrap();
    for fail in [
        Reply(500, vec![], "oops".into()),
        graph_error(401, 190, "Session has expired"),
    ] {
        let graph = start_with_base(move |base| {
            move |target: &str, _| match target.contains("after=P2") {
                true => fail.clone(),
                false => page(&[("alert", "en")], &base, Some("P2")),
            }
        });
        let run = pull_cmd(&graph, &out).output().unwrap();
        let stderr = stderr_of(&run);
        assert_eq!(run.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("(page 2)"), "{stderr}");
        assert!(!stderr.contains(TOKEN), "{stderr}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "OLD");
        assert_eq!(
            files_in(dir.path()),
            std::slice::from_ref(&out),
            "no temporary file left"
        );
        let retried = match stderr.contains("HTTP 500") {
            true => 5,
            false => 1,
        };
        assert_eq!(graph.hits("after=P2"), retried, "{stderr}");
    }
}

#[test]
fn a_next_link_to_another_host_is_refused() {
    let elsewhere = Graph::start(|_, _| page(&[("stolen", "en")], "", None));
    for target in [
        elsewhere.url(),
        "https://graph.evil.example".to_string(),
        "http://localhost:1".to_string(),
    ] {
        let graph = Graph::start(move |_, _| page(&[("alert", "en")], &target, Some("P2")));
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("registry.json");
        let run = pull_cmd(&graph, &out).output().unwrap();
        let stderr = stderr_of(&run);
        assert_eq!(run.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.starts_with("walint: error: refusing to follow page 1's `paging.next` to "),
            "{stderr}"
        );
        assert!(!stderr.contains(TOKEN), "{stderr}");
        assert_eq!(graph.seen().len(), 1);
        assert!(!out.exists());
    }
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
}

#[test]
fn paging_that_repeats_itself_stops() {
    let graph =
        start_with_base(|base| move |_: &str, _| page(&[("alert", "en")], &base, Some("P2")));
    let dir = tempfile::tempdir().unwrap();
    let e = registry_pull::pull(&options(&graph, &dir.path().join("r.json"))).unwrap_err();
    assert!(
        e.to_string().contains("paging did not end after 2 pages"),
        "{e}"
    );
    assert_eq!(graph.seen().len(), 2);
}

#[test]
fn permission_and_id_errors_say_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let graph = Graph::start(|_, _| graph_error(403, 200, "Permissions error"));
    let e = registry_pull::pull(&options(&graph, &out)).unwrap_err();
    assert_eq!(e.kind(), "remote");
    assert!(
        e.to_string().contains("needs whatsapp_business_management"),
        "{e}"
    );
    let graph = Graph::start(|_, _| graph_error(400, 100, "Unsupported get request."));
    let e = registry_pull::pull(&options(&graph, &out)).unwrap_err();
    assert!(e.to_string().contains("check that --waba-id 1234"), "{e}");
}

#[test]
fn the_token_comes_only_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let base = [
        "registry",
        "pull",
        "--waba-id",
        "1234",
        "--graph-url",
        "http://127.0.0.1:9",
        "-o",
    ];
    let run = walint()
        .env_remove("WHATSAPP_TOKEN")
        .args(base)
        .arg(&out)
        .output()
        .unwrap();
    let stderr = stderr_of(&run);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("walint: error: WHATSAPP_TOKEN is not set: "),
        "{stderr}"
    );
    let run = walint()
        .env("WHATSAPP_TOKEN", TOKEN)
        .env("CI_WA_TOKEN", "")
        .args(base)
        .arg(&out)
        .args(["--token-env", "CI_WA_TOKEN"])
        .output()
        .unwrap();
    assert!(stderr_of(&run).starts_with("walint: error: CI_WA_TOKEN is empty"));
    let run = walint()
        .env("WHATSAPP_TOKEN", TOKEN)
        .args(["registry", "pull", "--waba-id", "12-34", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr_of(&run).contains("--waba-id: '12-34' is not a WhatsApp Business Account id"));
    assert!(!out.exists());
}

/// The `paging.next` of a page, carrying `access_token` as Graph's links do.
fn next_link(base: &str, cursor: &str) -> String {
    format!("{base}/v23.0/1234/message_templates?access_token={TOKEN}&limit=100&after={cursor}")
}

/// The templates of page `n` of a large registry: about `bytes` of them, each with a
/// 64 KiB body, named so that later pages sort first.
fn large_templates(n: usize, bytes: usize) -> Vec<serde_json::Value> {
    let text = "Your order has shipped. ".repeat(64 << 10 >> 5);
    (0..bytes / text.len())
        .map(|i| {
            let language = ["en", "es", "pt_BR"][i % 3];
            serde_json::json!({
                "name": format!("t{:04}_{i:03}", 10_000 - n),
                "language": language,
                "status": "APPROVED",
                "category": "UTILITY",
                "id": format!("{n}{i:03}"),
                "components": [{"type": "BODY", "text": text}],
            })
        })
        .collect()
}

/// Page `n` (from 1) of a large registry: [`large_templates`] and, unless it is the
/// last, a `next` link to page `n + 1` (`after=P{n+1}`), a new one each time.
fn large_page(n: usize, bytes: usize, base: &str, last: Option<usize>) -> Reply {
    let mut page = serde_json::json!({ "data": large_templates(n, bytes) });
    if last != Some(n) {
        page["paging"] = serde_json::json!({
            "cursors": {"after": format!("P{}", n + 1)},
            "next": next_link(base, &format!("P{}", n + 1)),
        });
    }
    Reply(200, vec![], page.to_string())
}

/// A Graph API serving pages of about `bytes` each, ending with page `last` (or never).
fn large_registry(bytes: usize, last: Option<usize>) -> Graph {
    start_with_base(move |base| {
        move |target: &str, _| {
            let n = target
                .split_once("after=P")
                .map_or(1, |(_, n)| n.parse().unwrap());
            large_page(n, bytes, &base, last)
        }
    })
}

/// Runs `walint registry pull` against `graph` into `out` with `extra` arguments: its
/// exit code, standard error and peak resident memory in bytes (the walint process's own,
/// from `wait4`: other tests' children do not count).
fn pull_measured(graph: &Graph, out: &Path, extra: &[&str]) -> (Option<i32>, String, u64) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_walint"));
    command
        .env("WHATSAPP_TOKEN", TOKEN)
        .args(["registry", "pull", "--waba-id", "1234", "--graph-url"])
        .arg(graph.url())
        .arg("-o")
        .arg(out)
        .args(extra);
    let run = crate::support::run_measured(command, u64::MAX, std::time::Duration::from_secs(300));
    (run.code, run.stderr, run.peak_rss_bytes)
}

const MIB: u64 = 1 << 20;

/// A server that sends ~8 MB pages without end, each with a new `next` link: the pull
/// stops at `--max-total-bytes` (32 MiB: during page 5) with one line naming the limit,
/// writes nothing, leaves no temporary file and the previous file as it was, and holds
/// about one page at a time.
#[test]
fn endless_pages_stop_at_the_total_limit_holding_one_page_at_a_time() {
    let graph = large_registry(8_000_000, None);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("registry.json");
    std::fs::write(&out, "OLD").unwrap();
    let (code, stderr, peak) = pull_measured(&graph, &out, &["--max-total-bytes", "33554432"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "walint: error: the Graph API sent more than 32 MiB (--max-total-bytes) by page 5, "
        ),
        "{stderr}"
    );
    assert!(
        stderr.trim_end().ends_with("nothing was written"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN), "{stderr}");
    assert_eq!(graph.seen().len(), 5, "no page asked for past the limit");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "OLD");
    assert_eq!(
        files_in(dir.path()),
        std::slice::from_ref(&out),
        "no temporary file left"
    );
    // Four pages (32 MB) were taken in full; holding them, parsed, takes well over 64 MiB.
    assert!(peak < 48 * MIB, "peak RSS {} MiB", peak / MIB);
}

/// 20 pages of ~4 MB (80 MB in all) are pulled with memory for about one page, and the
/// file is byte for byte the whole registry rendered at once: `{"data": [...]}` sorted by
/// name, language and id, indented by two spaces, with a final line break.
#[test]
fn a_large_registry_is_pulled_holding_one_page_at_a_time() {
    const PAGE: usize = 4_000_000;
    let graph = large_registry(PAGE, Some(20));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("registry.json");
    std::fs::write(&out, "OLD").unwrap();
    let (code, stderr, peak) = pull_measured(&graph, &out, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let per_page = large_templates(1, PAGE).len();
    assert_eq!(
        stderr.trim(),
        format!(
            "walint: pulled {} templates in 3 languages (20 pages) from WABA 1234 into {}",
            20 * per_page,
            out.display()
        )
    );
    assert_eq!(graph.seen().len(), 20);
    assert_eq!(files_in(dir.path()), std::slice::from_ref(&out));
    let mut all: Vec<serde_json::Value> = (1..=20).flat_map(|n| large_templates(n, PAGE)).collect();
    let key = |t: &serde_json::Value| {
        let field = |name: &str| t[name].as_str().unwrap().to_string();
        (field("name"), field("language"), field("id"))
    };
    all.sort_by_cached_key(key);
    let mut expected = serde_json::to_string_pretty(&serde_json::json!({ "data": all })).unwrap();
    expected.push('\n');
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.len() > 80_000_000);
    assert!(
        written == expected,
        "the file is not the registry rendered at once"
    );
    // All 20 pages held, parsed, would take several times 80 MB.
    assert!(peak < 40 * MIB, "peak RSS {} MiB", peak / MIB);
}

#[test]
fn paging_stops_at_the_page_limit() {
    let graph = start_with_base(|base| {
        move |target: &str, _| {
            let n: usize = target
                .split_once("after=P")
                .map_or(1, |(_, n)| n.parse().unwrap());
            page(&[("alert", "en")], &base, Some(&format!("P{}", n + 1)))
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&graph, &dir.path().join("r.json"));
    o.max_pages = 3;
    let e = registry_pull::pull(&o).unwrap_err().to_string();
    assert!(
        e.starts_with("the Graph API's paging did not end after 3 pages, the most walint follows"),
        "{e}"
    );
    assert_eq!(graph.seen().len(), 3);
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn the_total_limit_is_range_checked_and_a_page_is_at_most_16_mib() {
    let graph = Graph::start(|_, _| page(&[("alert", "en")], "", None));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    for (value, said) in [
        (
            "1000",
            "1000 is not a number of bytes from 1048576 (1 MiB) to 4294967296 (4 GiB)",
        ),
        ("32MiB", "`32MiB` is not a whole number of bytes"),
    ] {
        let run = pull_cmd(&graph, &out)
            .args(["--max-total-bytes", value])
            .output()
            .unwrap();
        let stderr = stderr_of(&run);
        assert_eq!(run.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(said), "{stderr}");
    }
    assert!(graph.seen().is_empty());
    let mut o = options(&graph, &out);
    o.max_total_bytes = 5 << 30;
    let e = registry_pull::pull(&o).unwrap_err().to_string();
    assert!(e.starts_with("--max-total-bytes: 5368709120 is not"), "{e}");
    assert!(graph.seen().is_empty());

    let huge = Graph::start(|_, _| {
        Reply(
            200,
            vec![],
            format!(r#"{{"data":[],"x":"{}"}}"#, "x".repeat(17 << 20)),
        )
    });
    let e = registry_pull::pull(&options(&huge, &out))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "the Graph API sent an answer larger than 16 MiB for page 1; nothing was written"
    );
    assert!(files_in(dir.path()).is_empty());
}
