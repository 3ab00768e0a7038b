//! Who gets in and when: the bearer token `/v1/*` and `/metrics` require, and the
//! concurrency limit on checks — so many run at once (each uses every core), so many more
//! wait their turn, and a request beyond both is answered at once with 503 and
//! `Retry-After` instead of piling up.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{Shared, api_error};

/// The limits of `walint serve`.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest upload accepted (`--max-upload-bytes`); a larger one gets 413.
    pub max_upload_bytes: u64,
    /// Checks run at once (`--max-concurrent`).
    pub max_concurrent: usize,
    /// Requests that may wait for a turn (`--max-queued`); one more gets 503.
    pub max_queued: usize,
    /// How long a request may take to arrive and to wait for its turn
    /// (`--request-timeout`): 408 for an upload that takes longer, 503 for a wait.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_upload_bytes: 256 << 20,
            max_concurrent: 2,
            max_queued: 64,
            timeout: super::DEFAULT_TIMEOUT,
        }
    }
}

/// The seconds a client refused as busy is told to wait.
const RETRY_AFTER_SECONDS: &str = "2";

/// Counts the requests admitted (running or waiting) and hands out turns.
pub(super) struct Admission {
    turns: Arc<Semaphore>,
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

/// A request admitted; dropping it frees its place: when the request ends, or when its
/// client goes away while it is still arriving or waiting. A check under way holds its
/// place to its end.
pub(super) struct Ticket {
    admitted: Arc<AtomicUsize>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Admission {
    pub(super) fn new(limits: &Limits) -> Admission {
        let running = limits.max_concurrent.max(1);
        Admission {
            turns: Arc::new(Semaphore::new(running)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: running + limits.max_queued,
        }
    }

    /// A place among the running and waiting requests, or `None` when all are taken.
    pub(super) fn admit(&self) -> Option<Ticket> {
        let taken = self.admitted.fetch_add(1, Ordering::AcqRel);
        let ticket = Ticket {
            admitted: self.admitted.clone(),
        };
        (taken < self.capacity).then_some(ticket)
    }

    /// Waits for a turn to run (the permit is held by the check until it ends).
    pub(super) async fn turn(&self) -> OwnedSemaphorePermit {
        self.turns
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }

    /// Requests admitted now (running or waiting).
    pub(super) fn admitted(&self) -> usize {
        self.admitted.load(Ordering::Acquire)
    }
}

/// 503 with `Retry-After`: too many requests at once, or a wait past the timeout.
pub(super) fn busy(message: &str) -> Response {
    let mut response = api_error(StatusCode::SERVICE_UNAVAILABLE, message);
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECONDS),
    );
    response
}

/// Lets a request through when the service has no token, or when it carries
/// `Authorization: Bearer TOKEN`; else 401 with `WWW-Authenticate`.
pub(super) async fn require_token(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(token) = &shared.options.token else {
        return next.run(request).await;
    };
    // The scheme is case-insensitive (RFC 9110, 11.1).
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    // Compared as digests: the time taken says nothing about how much of it matched.
    let message = match given {
        Some(g) if Sha256::digest(g) == Sha256::digest(token) => {
            return next.run(request).await;
        }
        Some(_) => "the bearer token is not this service's",
        None => "this service needs `Authorization: Bearer TOKEN`",
    };
    let mut response = api_error(StatusCode::UNAUTHORIZED, message);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"walint\""),
    );
    response.into_response()
}
