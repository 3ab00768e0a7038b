//! The exchange with the Graph API for `walint registry pull`: builds the first
//! `message_templates` request, sends each page's request with the token in an
//! `Authorization: Bearer` header (never in the address), retries rate limits and server
//! errors with exponential backoff, and follows `paging.next` to the end — only to the
//! scheme, host and port of `--graph-url`, with any `access_token` taken out of the link,
//! never to a page already fetched and never past [`super::PullOptions::max_pages`].
//! Redirects are not followed (the token must not leave for another address). What it
//! reads is bounded: one answer at most [`MAX_PAGE_BYTES`], all answers together at most
//! [`super::PullOptions::max_total_bytes`], and only the page at hand is held — its
//! template objects, as Graph sent them, are handed to the caller page by page (checking
//! and writing them is the caller's) and the page is dropped before the next is asked for.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Client, Url};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::graph_error::{self, Context, GraphError};
use super::{FIELDS, PullOptions};
use crate::error::Error;

/// The most of one answer's body read: a page of 100 templates is a few hundred
/// kilobytes, a megabyte or two with carousels. Parsed, a page takes several times its
/// size, so this bounds what one page costs in memory.
pub(super) const MAX_PAGE_BYTES: usize = 16 << 20;

/// How the paging went.
pub(super) struct Paged {
    /// Pages fetched.
    pub pages: usize,
    /// Requests retried, over all pages.
    pub retries: u32,
}

/// Fetches every page of the account's templates from `base` (the `--graph-url`), handing
/// each page's template objects, in Graph's order, to `each_page` with the page's number
/// (from 1) before the next page is asked for.
pub(super) fn fetch_all(
    options: &PullOptions,
    base: &Url,
    mut each_page: impl FnMut(usize, Vec<Value>) -> Result<(), Error>,
) -> Result<Paged, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Remote(format!("starting the Graph API client: {e}")))?;
    let client = client(options, base)?;
    let mut bearer = HeaderValue::from_str(&format!("Bearer {}", options.token.expose()))
        .map_err(|_| Error::Usage(format!("{} holds characters an access token cannot have (a line break, a non-ASCII letter?)", options.token_env)))?;
    bearer.set_sensitive(true);
    runtime.block_on(async {
        let mut url = first_page(base, options);
        // Pages asked for, by their link's SHA-256: a few bytes each however long a link.
        let digest = |url: &Url| -> [u8; 32] { Sha256::digest(url.as_str()).into() };
        let mut seen = HashSet::from([digest(&url)]);
        let mut paged = Paged {
            pages: 0,
            retries: 0,
        };
        // Bytes of every answer's body so far (retried ones too).
        let mut received = 0;
        loop {
            paged.pages += 1;
            let (page, retries) =
                fetch_page(&client, &url, &bearer, options, paged.pages, &mut received).await?;
            paged.retries += retries;
            let next = page.paging.and_then(|p| p.next);
            each_page(paged.pages, page.data)?;
            let Some(next) = next else {
                return Ok(paged);
            };
            url = next_page(&next, base, options, paged.pages)?;
            let pages = paged.pages;
            if pages >= options.max_pages {
                return Err(Error::Remote(format!(
                    "the Graph API's paging did not end after {pages} pages, the most walint follows (an account's templates take a few pages of 100); nothing was written"
                )));
            }
            if !seen.insert(digest(&url)) {
                return Err(Error::Remote(format!(
                    "the Graph API's paging did not end after {pages} pages: page {pages}'s `next` link repeats an earlier page; nothing was written"
                )));
            }
        }
    })
}

/// The HTTP client: no redirects, no referer, a timeout; no proxy for a loopback
/// `--graph-url` (a local test server), the environment's proxy otherwise.
fn client(options: &PullOptions, base: &Url) -> Result<Client, Error> {
    // reqwest is built without a TLS crypto provider of its own; ring is ours.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .connect_timeout(options.timeout.min(Duration::from_secs(10)))
        .timeout(options.timeout)
        .user_agent(concat!(
            "walint/",
            env!("CARGO_PKG_VERSION"),
            " (registry pull)"
        ));
    if super::is_loopback(base) {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| Error::Remote(format!("starting the Graph API client: {e}")))
}

/// `{base}/{version}/{waba_id}/message_templates?fields=…&limit=…`.
fn first_page(base: &Url, options: &PullOptions) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend([
            options.api_version.as_str(),
            options.waba_id.as_str(),
            "message_templates",
        ]);
    }
    url.query_pairs_mut()
        .append_pair("fields", FIELDS)
        .append_pair("limit", &options.page_size.to_string());
    url
}

/// A page's `paging.next`, checked and cleaned: on the scheme, host and port of `base`
/// (else refused), without `access_token` (the token goes only in the header), user
/// information or fragment.
pub(super) fn next_page(
    next: &str,
    base: &Url,
    options: &PullOptions,
    page: usize,
) -> Result<Url, Error> {
    let mut url = Url::parse(next).map_err(|_| {
        Error::Remote(format!(
            "the Graph API's page {page} has a `paging.next` that is not a URL; nothing was written"
        ))
    })?;
    let origin = url.origin().ascii_serialization();
    if url.origin() != base.origin() {
        return Err(Error::Remote(format!(
            "refusing to follow page {page}'s `paging.next` to {}: the access token in {} is only sent to {} (--graph-url); nothing was written",
            graph_error::shown(&origin, options.token.expose()),
            options.token_env,
            base.origin().ascii_serialization()
        )));
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "access_token")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);
    Ok(url)
}

/// One page of `message_templates`.
#[derive(Deserialize)]
struct Page {
    data: Vec<Value>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    next: Option<String>,
}

/// Why one request did not bring a page.
enum Failure {
    /// No HTTP answer (connection, timeout, a body cut short).
    Transport(String),
    /// An HTTP answer that is an error.
    Answer {
        status: u16,
        error: Option<GraphError>,
        retry_after: Option<Duration>,
    },
    /// A success whose body is not a page.
    NotAPage(String),
    /// The answers together came to more than `--max-total-bytes`.
    OverTotal,
}

/// Fetches one page, retrying what [`graph_error::retryable`] allows; the page and the
/// number of retries.
async fn fetch_page(
    client: &Client,
    url: &Url,
    bearer: &HeaderValue,
    options: &PullOptions,
    page: usize,
    received: &mut u64,
) -> Result<(Page, u32), Error> {
    let mut attempts = 1;
    loop {
        let failure = match attempt(client, url, bearer, options, received).await {
            Ok(got) => return Ok((got, attempts - 1)),
            Err(failure) => failure,
        };
        let (retry, retry_after) = match &failure {
            Failure::Transport(_) => (true, None),
            Failure::Answer {
                status,
                error,
                retry_after,
            } => (
                graph_error::retryable(*status, error.as_ref()),
                *retry_after,
            ),
            Failure::NotAPage(_) | Failure::OverTotal => (false, None),
        };
        if !retry || attempts >= options.attempts {
            return Err(final_error(failure, options, page, attempts));
        }
        let backoff = options.backoff.saturating_mul(1 << (attempts - 1).min(16));
        let wait = retry_after.unwrap_or(backoff).min(options.max_wait);
        tokio::time::sleep(wait).await;
        attempts += 1;
    }
}

/// One request for a page; `received` counts the bytes of the body against
/// `--max-total-bytes`. The body is dropped once parsed.
async fn attempt(
    client: &Client,
    url: &Url,
    bearer: &HeaderValue,
    options: &PullOptions,
    received: &mut u64,
) -> Result<Page, Failure> {
    let transport = |e: reqwest::Error| Failure::Transport(transport_detail(&e.without_url()));
    let mut response = client
        .get(url.clone())
        .header(AUTHORIZATION, bearer.clone())
        .send()
        .await
        .map_err(transport)?;
    let status = response.status().as_u16();
    let retry_after = crate::media::probe::retry_after(response.headers());
    // Room for the body as announced, within the limits (the bytes are what count).
    let announced = response.content_length().unwrap_or(0);
    let room = announced
        .min(MAX_PAGE_BYTES as u64)
        .min(options.max_total_bytes.saturating_sub(*received));
    let mut body = Vec::with_capacity(room as usize);
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_PAGE_BYTES {
            return Err(Failure::NotAPage(format!(
                "an answer larger than {} MiB",
                MAX_PAGE_BYTES >> 20
            )));
        }
        *received += chunk.len() as u64;
        if *received > options.max_total_bytes {
            return Err(Failure::OverTotal);
        }
        body.extend_from_slice(&chunk);
    }
    let error = GraphError::from_body(&body);
    if !(200..300).contains(&status) || error.is_some() {
        return Err(Failure::Answer {
            status,
            error,
            retry_after,
        });
    }
    serde_json::from_slice::<Page>(&body).map_err(|e| {
        Failure::NotAPage(match serde_json::from_slice::<Value>(&body) {
            Err(_) => "an answer that is not JSON".to_string(),
            Ok(_) => format!("an answer that is not a page of templates ({e})"),
        })
    })
}

/// The line for the failure that ended the retries.
fn final_error(failure: Failure, options: &PullOptions, page: usize, attempts: u32) -> Error {
    let token = options.token.expose();
    let cx = Context {
        token_env: &options.token_env,
        token,
        waba_id: &options.waba_id,
        page,
        attempts,
    };
    Error::Remote(match failure {
        Failure::Transport(detail) => format!(
            "could not reach the Graph API (page {page}, {attempts} attempts): {}",
            graph_error::shown(&detail, token)
        ),
        Failure::Answer { status, .. } if (300..400).contains(&status) => format!(
            "the Graph API answered HTTP {status} (a redirect) for page {page}: walint does not follow redirects with the token; check --graph-url"
        ),
        Failure::Answer { status, error, .. } => graph_error::describe(status, error.as_ref(), &cx),
        Failure::NotAPage(what) => {
            format!("the Graph API sent {what} for page {page}; nothing was written")
        }
        Failure::OverTotal => format!(
            "the Graph API sent more than {} (--max-total-bytes) by page {page}, far more than an account's templates take; stopped, nothing was written",
            crate::error::bytes_shown(options.max_total_bytes)
        ),
    })
}

/// A transport error in words: its innermost cause, without the request's address.
fn transport_detail(error: &reqwest::Error) -> String {
    let mut innermost = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        innermost = e.to_string();
        source = e.source();
    }
    match error.is_timeout() {
        true => "no answer within the timeout".to_string(),
        false => innermost,
    }
}
