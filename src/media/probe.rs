//! The prober: fetches what Meta's media fetcher would fetch, a little of it, for every
//! distinct link at once, and records what it found ([`Probe`]). The only module of walint
//! that touches the network.
//!
//! Per link: a `HEAD` and a `GET` with `Range: bytes=0-4095` go out together (one round
//! trip, so a slow CDN costs one latency, not two). The `HEAD` answer is taken first; the
//! `GET` supplies the first bytes to sniff, and stands in for the `HEAD` when that is
//! refused (405, 501, any error) or says too little (no Content-Type, no size). At most
//! [`SNIFF_BYTES`] of a body are read. Redirects are followed up to 5 times; loops stop
//! at once. Transport errors, 429 and 5xx answers are tried twice more with exponential
//! backoff, honouring `Retry-After`. Concurrency is bounded overall and per host, each
//! request has a timeout and the whole run a budget.
//!
//! Safety: no cookies (the client has no cookie store), no credentials (user and password
//! in a link are dropped before the request), no proxy, and by default no request at all
//! to a host that is, or resolves only to, a loopback, private, link-local or metadata
//! address ([`super::address`]); such a link is a [`Probe::Refused`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, HeaderMap, RANGE, RETRY_AFTER};
use reqwest::{Client, StatusCode, Url};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::address::{self, LookupFailed, PublicOnly, Refused};
use super::sniff::{self, SNIFF_BYTES};

/// How to probe.
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    /// Links probed at once (`--media-concurrency`).
    pub concurrency: usize,
    /// Links of one host probed at once (`--media-per-host`).
    pub per_host: usize,
    /// Timeout of each request (`--media-timeout`).
    pub timeout: Duration,
    /// Time for the whole probing (`--media-budget`); links not probed by then are
    /// reported as not probed.
    pub budget: Duration,
    /// Retries after the first attempt, for transport errors, 429 and 5xx.
    pub retries: u32,
    /// First backoff; doubled on each retry. `Retry-After` overrides it (up to the timeout).
    pub backoff: Duration,
    /// `--allow-private-hosts`: contact loopback, private and link-local addresses too.
    pub allow_private: bool,
    /// Host names answered with a fixed address instead of DNS (like curl's `--resolve`).
    pub resolve: Vec<(String, SocketAddr)>,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        ProbeSettings {
            concurrency: 64,
            per_host: 16,
            timeout: Duration::from_secs(10),
            budget: Duration::from_secs(300),
            retries: 2,
            backoff: Duration::from_millis(250),
            allow_private: false,
            resolve: Vec::new(),
        }
    }
}

/// Why a link could not be fetched at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The host name does not resolve.
    Dns,
    /// No connection (refused, unreachable, reset).
    Connect,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// No answer within the timeout.
    Timeout,
    /// More than 5 redirects, or a redirect loop.
    Redirects,
    /// Not an http(s) link, or another failure.
    Other,
}

impl Failure {
    /// A few words for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Failure::Dns => "DNS lookup failed",
            Failure::Connect => "connection failed",
            Failure::Tls => "TLS handshake failed",
            Failure::Timeout => "timed out",
            Failure::Redirects => "too many redirects",
            Failure::Other => "request failed",
        }
    }
}

/// What an answered probe found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fetched {
    /// The final HTTP status (after redirects).
    pub status: u16,
    /// Where the redirects ended, when there were any.
    pub final_url: Option<String>,
    /// The Content-Type, as sent.
    pub content_type: Option<String>,
    /// The size in bytes, from Content-Length or the total of Content-Range.
    pub size: Option<u64>,
    /// What the first bytes are (MIME type), when they were read and known.
    pub sniffed: Option<String>,
    /// Whether the first bytes show an animated WebP.
    pub animated: bool,
}

/// What probing one link found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Probe {
    /// Not contacted: the host is, or resolves only to, a non-public address.
    Refused {
        /// The host.
        host: String,
        /// The address.
        address: String,
        /// Why it is not public.
        why: String,
    },
    /// No HTTP answer.
    Unreachable {
        /// The kind of failure.
        failure: Failure,
        /// The underlying error, in words.
        detail: String,
    },
    /// An HTTP answer.
    Fetched(Fetched),
}

/// Probes every link, each once; returns the results of those probed within the budget.
/// `done` is called after each link (with whether it failed), for a progress display.
pub fn probe_all(
    urls: &[String],
    settings: &ProbeSettings,
    done: &(dyn Fn(bool) + Sync),
) -> Result<HashMap<String, Probe>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("starting the media prober: {e}"))?;
    let client = client(settings)?;
    let results = runtime.block_on(async {
        let deadline = Instant::now() + settings.budget;
        let all = Arc::new(Semaphore::new(settings.concurrency.max(1)));
        let hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>> = Arc::default();
        let mut tasks = tokio::task::JoinSet::new();
        for (i, url) in urls.iter().enumerate() {
            let (client, settings, all, hosts, url) = (
                client.clone(),
                settings.clone(),
                Arc::clone(&all),
                Arc::clone(&hosts),
                url.clone(),
            );
            tasks.spawn(async move {
                let host = host_key(&url);
                let per_host = {
                    let mut hosts = hosts.lock().unwrap_or_else(|p| p.into_inner());
                    Arc::clone(
                        hosts
                            .entry(host)
                            .or_insert_with(|| Arc::new(Semaphore::new(settings.per_host.max(1)))),
                    )
                };
                let probe = tokio::time::timeout_at(deadline, async {
                    // The host's slot first: a link waiting for its busy host must not hold
                    // a slot that links of other hosts could use.
                    let _host_slot = per_host.acquire().await;
                    let _slot = all.acquire().await;
                    probe(&client, &url, &settings).await
                })
                .await
                .ok();
                (i, probe)
            });
        }
        let mut results = HashMap::with_capacity(urls.len());
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((i, Some(probe))) => {
                    done(!matches!(&probe, Probe::Fetched(f) if (200..300).contains(&f.status)));
                    results.insert(urls[i].clone(), probe);
                }
                // Out of budget: not probed, and the summary says so.
                Ok((_, None)) => done(true),
                // A probe that panicked is walint's failure, never a link "not probed" in a
                // run that passes.
                Err(e) => return Err(format!("a media probe failed inside walint: {e}")),
            }
        }
        Ok(results)
    });
    // A DNS lookup still stuck in the system resolver (a blocking thread) must not hold
    // the run past its budget.
    runtime.shutdown_background();
    results
}

/// The refusal of a link whose host is a non-public address literal, known without any
/// request (so `--offline` reports it too); `None` for anything else.
pub fn refused_without_request(link: &str, allow_private: bool) -> Option<Probe> {
    let url = Url::parse(link).ok()?;
    literal_refusal(&url, allow_private, &[]).map(|r| refused_probe(&r))
}

fn host_key(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_default()
}

#[derive(Debug)]
struct RedirectStop(&'static str);

impl std::fmt::Display for RedirectStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for RedirectStop {}

/// The HTTP client: no cookies, no proxy, our redirect policy and resolver.
fn client(settings: &ProbeSettings) -> Result<Client, String> {
    // reqwest is built without a TLS crypto provider of its own; ring is ours.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let allow_private = settings.allow_private;
    let overrides = settings.resolve.clone();
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > 5 {
            return attempt.error(RedirectStop("more than 5 redirects"));
        }
        if attempt.previous().contains(attempt.url()) {
            return attempt.error(RedirectStop("a redirect loop"));
        }
        if let Some(refused) = literal_refusal(attempt.url(), allow_private, &overrides) {
            return attempt.error(refused);
        }
        attempt.follow()
    });
    let mut builder = Client::builder()
        .redirect(policy)
        .no_proxy()
        .connect_timeout(settings.timeout)
        .timeout(settings.timeout)
        .user_agent(concat!(
            "walint/",
            env!("CARGO_PKG_VERSION"),
            " (media check)"
        ))
        .pool_max_idle_per_host(settings.per_host.max(1))
        .referer(false)
        .dns_resolver(Arc::new(PublicOnly {
            allow_private,
            // Shorter than the request's timeout, so a stalled lookup is told as DNS.
            timeout: settings.timeout.mul_f32(0.8),
        }));
    for (host, addr) in &settings.resolve {
        builder = builder.resolve(host, *addr);
    }
    builder
        .build()
        .map_err(|e| format!("starting the media prober: {e}"))
}

/// A refusal for a link whose host is an address literal (or a `resolve` override) that
/// is not public; the DNS resolver covers host names.
fn literal_refusal(
    url: &Url,
    allow_private: bool,
    overrides: &[(String, SocketAddr)],
) -> Option<Refused> {
    if allow_private {
        return None;
    }
    let host = url.host_str()?;
    let ip: IpAddr = match url.host()? {
        url::Host::Ipv4(v4) => v4.into(),
        url::Host::Ipv6(v6) => v6.into(),
        url::Host::Domain(name) => overrides
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(name))
            .map(|(_, a)| a.ip())?,
    };
    address::refusal(ip).map(|why| Refused {
        host: host.to_string(),
        address: ip,
        why,
    })
}

/// Probes one link, with retries.
async fn probe(client: &Client, link: &str, settings: &ProbeSettings) -> Probe {
    let mut url = match Url::parse(link) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        Ok(url) => {
            return Probe::Unreachable {
                failure: Failure::Other,
                detail: format!("`{}:` is not an http or https link", url.scheme()),
            };
        }
        Err(e) => {
            return Probe::Unreachable {
                failure: Failure::Other,
                detail: format!("not a valid URL ({e})"),
            };
        }
    };
    // Never send credentials, even ones written into the link.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if let Some(refused) = literal_refusal(&url, settings.allow_private, &settings.resolve) {
        return refused_probe(&refused);
    }
    let mut attempt = 0;
    loop {
        let (probe, retry_after) = attempt_once(client, &url).await;
        let retryable = match &probe {
            Probe::Unreachable { failure, .. } => {
                !matches!(failure, Failure::Redirects | Failure::Tls | Failure::Other)
            }
            Probe::Fetched(f) => f.status == 429 || (500..600).contains(&f.status),
            Probe::Refused { .. } => false,
        };
        if !retryable || attempt >= settings.retries {
            return probe;
        }
        let backoff = settings.backoff * 2u32.pow(attempt);
        let wait = retry_after.map_or(backoff, |r| r.min(settings.timeout));
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

fn refused_probe(refused: &Refused) -> Probe {
    Probe::Refused {
        host: refused.host.clone(),
        address: refused.address.to_string(),
        why: refused.why.to_string(),
    }
}

/// One HEAD plus ranged GET; the result and any `Retry-After`.
async fn attempt_once(client: &Client, url: &Url) -> (Probe, Option<Duration>) {
    let head = client.head(url.clone()).send();
    let get = async {
        let mut response = client
            .get(url.clone())
            .header(RANGE, format!("bytes=0-{}", SNIFF_BYTES - 1))
            .send()
            .await?;
        let mut prefix = Vec::new();
        if response.status().is_success() {
            while prefix.len() < SNIFF_BYTES {
                match response.chunk().await? {
                    Some(chunk) => prefix.extend_from_slice(&chunk),
                    None => break,
                }
            }
        }
        Ok::<_, reqwest::Error>((response, prefix))
    };
    let (head, get) = tokio::join!(head, get);
    let (response, prefix) = match get {
        Ok(got) => got,
        Err(e) => {
            return match head {
                // The GET broke (a body cut short, a reset) but HEAD answered: take that.
                Ok(head) if head.status().is_success() => {
                    (Probe::Fetched(from_head(&head, url)), None)
                }
                _ => (failed(&e), None),
            };
        }
    };
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let head_ok = head.as_ref().ok().filter(|h| h.status().is_success());
    let mut fetched = Fetched {
        status: status.as_u16(),
        final_url: redirected_to(response.url(), url),
        ..Fetched::default()
    };
    if status.is_success() {
        let get_type = header_text(response.headers(), CONTENT_TYPE);
        let get_size = range_total(response.headers()).or_else(|| {
            (status == StatusCode::OK)
                .then(|| content_length(response.headers()))
                .flatten()
        });
        // HEAD's headers are taken first; where the GET (what Meta's fetcher does) says
        // otherwise, the GET's type and the larger size win.
        let head_type = head_ok.and_then(|h| header_text(h.headers(), CONTENT_TYPE));
        let head_size = head_ok.and_then(|h| content_length(h.headers()));
        fetched.content_type = get_type.or(head_type);
        fetched.size = match (head_size, get_size) {
            (Some(h), Some(g)) => Some(h.max(g)),
            (h, g) => h.or(g),
        };
        if let Some(kind) = sniff::sniff(&prefix) {
            fetched.sniffed = Some(kind.to_string());
            fetched.animated = kind == "image/webp" && animated_webp(&prefix);
        }
    }
    (Probe::Fetched(fetched), retry_after)
}

/// Where a request ended up, when that is another address than the one asked for: never
/// counting the fragment (`#x` is not sent, so it cannot be redirected away), and without
/// any `user:password@` a `Location` header carried (reports and the media cache keep no
/// credentials).
fn redirected_to(ended: &Url, asked: &Url) -> Option<String> {
    let mut ended = ended.clone();
    let mut asked = asked.clone();
    ended.set_fragment(None);
    asked.set_fragment(None);
    if ended == asked {
        return None;
    }
    let _ = ended.set_username("");
    let _ = ended.set_password(None);
    Some(ended.to_string())
}

fn from_head(head: &reqwest::Response, url: &Url) -> Fetched {
    Fetched {
        status: head.status().as_u16(),
        final_url: redirected_to(head.url(), url),
        content_type: header_text(head.headers(), CONTENT_TYPE),
        size: content_length(head.headers()),
        ..Fetched::default()
    }
}

/// The probe of a request that got no HTTP answer.
fn failed(error: &reqwest::Error) -> Probe {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    let mut innermost = error.to_string();
    let mut tls = false;
    while let Some(e) = source {
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return refused_probe(refused);
        }
        if let Some(dns) = e.downcast_ref::<LookupFailed>() {
            return Probe::Unreachable {
                failure: Failure::Dns,
                detail: dns.to_string(),
            };
        }
        if let Some(stop) = e.downcast_ref::<RedirectStop>() {
            return Probe::Unreachable {
                failure: Failure::Redirects,
                detail: stop.to_string(),
            };
        }
        tls |= e.downcast_ref::<rustls::Error>().is_some();
        innermost = e.to_string();
        source = e.source();
    }
    let lower = innermost.to_ascii_lowercase();
    tls |= lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake");
    let failure = if error.is_timeout() {
        Failure::Timeout
    } else if tls {
        Failure::Tls
    } else if error.is_connect() {
        Failure::Connect
    } else if error.is_redirect() {
        Failure::Redirects
    } else {
        Failure::Other
    };
    let detail = if failure == Failure::Timeout {
        "no answer within the timeout".to_string()
    } else {
        innermost
    };
    Probe::Unreachable { failure, detail }
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    header_text(headers, CONTENT_LENGTH)?.parse().ok()
}

/// The total of `Content-Range: bytes 0-4095/123456` (`*` when unknown).
fn range_total(headers: &HeaderMap) -> Option<u64> {
    header_text(headers, CONTENT_RANGE)?
        .rsplit('/')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// `Retry-After` in seconds, or as an HTTP date (also read by `registry_pull`).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = header_text(headers, RETRY_AFTER)?;
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(&value).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// Whether a WebP's first bytes carry the VP8X animation flag.
fn animated_webp(prefix: &[u8]) -> bool {
    prefix.get(12..16) == Some(b"VP8X") && prefix.get(20).is_some_and(|flags| flags & 0x02 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sizes_and_waits_from_headers() {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_RANGE, "bytes 0-4095/123456".parse().unwrap());
        h.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(range_total(&h), Some(123_456));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(CONTENT_RANGE, "bytes 0-4095/*".parse().unwrap());
        assert_eq!(range_total(&h), None);
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
    }

    #[test]
    fn animated_webp_is_told_by_its_vp8x_flag() {
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0".to_vec();
        webp.extend([0x02, 0, 0, 0]);
        assert!(animated_webp(&webp));
        webp[20] = 0x10;
        assert!(!animated_webp(&webp));
        assert!(!animated_webp(b"RIFF\0\0\0\0WEBPVP8 "));
    }

    #[test]
    fn address_literals_are_refused_unless_allowed() {
        let url = Url::parse("http://127.0.0.1:8080/x.jpg").unwrap();
        assert!(literal_refusal(&url, false, &[]).is_some());
        assert!(literal_refusal(&url, true, &[]).is_none());
        let meta = Url::parse("http://[fd00:ec2::254]/latest").unwrap();
        assert!(literal_refusal(&meta, false, &[]).is_some());
        let named = Url::parse("https://cdn.test/x.jpg").unwrap();
        assert!(literal_refusal(&named, false, &[]).is_none());
        let pinned = [("cdn.test".to_string(), "10.0.0.5:443".parse().unwrap())];
        assert!(literal_refusal(&named, false, &pinned).is_some());
    }

    #[test]
    fn a_redirect_is_another_address_without_credentials() {
        let url = |s: &str| Url::parse(s).unwrap();
        // A fragment is never sent, so it is no redirect.
        assert_eq!(
            redirected_to(
                &url("http://h.example/a.jpg"),
                &url("http://h.example/a.jpg#x")
            ),
            None
        );
        // A Location with credentials is reported without them.
        assert_eq!(
            redirected_to(
                &url("https://u:secret@cdn.example/b.jpg"),
                &url("https://h.example/a.jpg")
            ),
            Some("https://cdn.example/b.jpg".to_string())
        );
    }
}
