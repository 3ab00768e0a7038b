//! Who gets in and when: the bearer token `/v1/*` and `/metrics` require, and the places
//! an upload takes on its way — so many arrive at once (an upload that arrives slower than
//! `--min-upload-rate` is cut off; when every place is taken, the upload furthest behind
//! that pace, or else the slowest, makes room for the new one, so slow clients cannot hold
//! the door), then so many checks run at once (each uses every core) and so many more
//! received uploads wait their turn; a request beyond those is answered at once with 503
//! and `Retry-After` instead of piling up.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::{Shared, api_error};

/// The limits of `walint serve`.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest upload accepted (`--max-upload-bytes`); a larger one gets 413.
    pub max_upload_bytes: u64,
    /// Checks run at once (`--max-concurrent`).
    pub max_concurrent: usize,
    /// Received uploads that may wait for a turn (`--max-queued`); one more gets 503.
    pub max_queued: usize,
    /// Uploads arriving at once (`--max-receiving`); past it the slowest makes room.
    pub max_receiving: usize,
    /// The pace an upload must keep after its first `upload_grace`, in bytes a second
    /// (`--min-upload-rate`); 408 for one that falls behind.
    pub min_upload_rate: u64,
    /// The time an upload has before `min_upload_rate` applies (a client's first bytes
    /// come after its connection, TLS and request line): [`UPLOAD_GRACE`].
    pub upload_grace: Duration,
    /// How long a request may take to arrive and to wait for its turn
    /// (`--request-timeout`): 408 for an upload that takes longer, 503 for a wait.
    pub timeout: Duration,
    /// The most time a check may spend probing media links (`--max-probe-seconds`),
    /// whatever walint.toml's `[media] budget` says.
    pub probe_budget: Duration,
}

/// The time an upload has by default before `--min-upload-rate` applies.
pub const UPLOAD_GRACE: Duration = Duration::from_secs(10);

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_upload_bytes: 256 << 20,
            max_concurrent: 2,
            max_queued: 64,
            max_receiving: 256,
            min_upload_rate: 16 << 10,
            upload_grace: UPLOAD_GRACE,
            timeout: super::DEFAULT_TIMEOUT,
            probe_budget: Duration::from_secs(30),
        }
    }
}

/// The seconds a client refused as busy is told to wait.
const RETRY_AFTER_SECONDS: &str = "2";

/// Counts the uploads arriving and the requests admitted (running or waiting), and hands
/// out turns.
pub(super) struct Admission {
    turns: Arc<Semaphore>,
    admitted: Arc<AtomicUsize>,
    capacity: usize,
    arriving: Arc<Mutex<Vec<Arc<Arrival>>>>,
    arriving_capacity: usize,
    min_rate: u64,
    grace: Duration,
}

/// A request admitted; dropping it frees its place: when the request ends, or when its
/// client goes away while it is waiting. A check under way holds its place to its end.
pub(super) struct Ticket {
    admitted: Arc<AtomicUsize>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An upload arriving: how far it has come, and a way to cut it off.
pub(super) struct Arrival {
    started: Instant,
    grace: Duration,
    /// Bytes received so far.
    received: AtomicU64,
    cut: Notify,
}

impl Arrival {
    /// Counts `n` more bytes received.
    pub(super) fn add(&self, n: u64) {
        self.received.fetch_add(n, Ordering::Relaxed);
    }

    /// When the next bytes are due at `rate` bytes a second: the grace, then the bytes
    /// received so far at that rate — and never later than a grace after now (a burst
    /// buys no long silence) — or never, at a rate of 0.
    pub(super) fn due(&self, rate: u64) -> Instant {
        let never = self.started + Duration::from_secs(10 * 365 * 86_400);
        if rate == 0 {
            return never;
        }
        let paced = self.received.load(Ordering::Relaxed) as f64 / rate as f64;
        let paced = Duration::try_from_secs_f64(paced)
            .ok()
            .and_then(|d| (self.started + self.grace).checked_add(d))
            .unwrap_or(never);
        paced.min(Instant::now().max(self.started) + self.grace)
    }

    /// Bytes a second since it started.
    fn rate(&self, now: Instant) -> f64 {
        let seconds = now.saturating_duration_since(self.started).as_secs_f64();
        self.received.load(Ordering::Relaxed) as f64 / seconds.max(0.001)
    }

    /// Completes when the upload is cut off to make room for another.
    pub(super) async fn cut_off(&self) {
        self.cut.notified().await;
    }
}

/// A place among the uploads arriving; dropping it frees the place.
pub(super) struct Arriving {
    pub(super) arrival: Arc<Arrival>,
    places: Arc<Mutex<Vec<Arc<Arrival>>>>,
}

impl Drop for Arriving {
    fn drop(&mut self) {
        lock(&self.places).retain(|a| !Arc::ptr_eq(a, &self.arrival));
    }
}

fn lock(places: &Mutex<Vec<Arc<Arrival>>>) -> std::sync::MutexGuard<'_, Vec<Arc<Arrival>>> {
    places.lock().unwrap_or_else(|p| p.into_inner())
}

/// A new upload gets no place by evicting one that started less than this ago: its rate
/// says nothing yet.
const SETTLED: Duration = Duration::from_secs(1);

impl Admission {
    pub(super) fn new(limits: &Limits) -> Admission {
        let running = limits.max_concurrent.max(1);
        Admission {
            turns: Arc::new(Semaphore::new(running)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: running + limits.max_queued,
            arriving: Arc::default(),
            arriving_capacity: limits.max_receiving.max(1),
            min_rate: limits.min_upload_rate,
            grace: limits.upload_grace,
        }
    }

    /// A place among the uploads arriving; when all are taken, the slowest upload that
    /// has had a second and is slower than the minimum rate is cut off to make room;
    /// `None` when none is.
    pub(super) fn arrive(&self) -> Option<Arriving> {
        let now = Instant::now();
        let mut places = lock(&self.arriving);
        if places.len() >= self.arriving_capacity {
            let slowest = places
                .iter()
                .enumerate()
                .filter(|(_, a)| now.saturating_duration_since(a.started) >= SETTLED)
                .map(|(i, a)| (i, a.rate(now)))
                .filter(|&(_, rate)| rate < self.min_rate as f64)
                .min_by(|(_, a), (_, b)| a.total_cmp(b))
                .map(|(i, _)| i)?;
            let cut = places.swap_remove(slowest);
            cut.cut.notify_one();
        }
        let arrival = Arc::new(Arrival {
            started: now,
            grace: self.grace,
            received: AtomicU64::new(0),
            cut: Notify::new(),
        });
        places.push(arrival.clone());
        Some(Arriving {
            arrival,
            places: self.arriving.clone(),
        })
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

    /// Uploads arriving, and requests admitted (running or waiting), now.
    pub(super) fn admitted(&self) -> usize {
        lock(&self.arriving).len() + self.admitted.load(Ordering::Acquire)
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
