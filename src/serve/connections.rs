//! The service's connections: accepted, served over HTTP/1.1 by hyper, and bounded — so
//! clients that connect and never finish cannot exhaust the service. A request's headers
//! must arrive within `--header-timeout`, and a keep-alive connection that waits longer than
//! that for its next request is closed (hyper's one timer covers both); headers are read
//! into a buffer of at most [`MAX_HEAD_BYTES`] (431 past it). At most `--max-connections`
//! are open: a new one past the limit closes the oldest connection that has no request
//! under way (an idle one, or one still sending its headers), so idle and slow-header
//! clients cannot lock out the rest; when every connection has a request under way, the
//! new one is closed at once. On shutdown the listener closes, idle connections close,
//! requests under way get `--shutdown-timeout` to finish, and then the rest are dropped.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use super::Shared;

/// The most bytes of a request's head (request line and headers) read: browsers and HTTP
/// clients send a few kilobytes; a longer head is answered 431 and the connection closed.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// How connections are bounded.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time for a request's headers to arrive, and for an idle keep-alive connection to
    /// send its next request (`--header-timeout`).
    pub header_timeout: Duration,
    /// Connections open at once (`--max-connections`).
    pub max_connections: usize,
    /// Time requests under way get to finish once the service is told to stop
    /// (`--shutdown-timeout`).
    pub shutdown_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// One open connection, as the accept loop sees it.
struct Connection {
    /// Requests under way on it (their responses not yet sent whole).
    busy: AtomicUsize,
    /// Told to close (it was idle when the limit was reached).
    evict: Notify,
}

/// The open connections, oldest first.
#[derive(Default)]
struct Open {
    next: u64,
    by_age: BTreeMap<u64, Arc<Connection>>,
}

impl Open {
    /// Makes room for one more connection under `max`: closes the oldest idle one when
    /// full; `false` when every open connection has a request under way.
    fn make_room(&mut self, max: usize) -> bool {
        if self.by_age.len() < max {
            return true;
        }
        let idle = self
            .by_age
            .iter()
            .find(|(_, c)| c.busy.load(Ordering::Acquire) == 0)
            .map(|(&id, _)| id);
        match idle.and_then(|id| self.by_age.remove(&id)) {
            Some(oldest) => {
                oldest.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, within `limits` (see the
/// module's documentation).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let metrics = &shared.metrics;
    let open = Arc::new(Mutex::new(Open::default()));
    let all_closed = Arc::new(Notify::new());
    let (stopping, stop) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors or memory, or a connection reset before it was
                // taken: not the service's end. Wait a moment for connections to close.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let connection = Arc::new(Connection {
            busy: AtomicUsize::new(0),
            evict: Notify::new(),
        });
        let id = {
            let mut open = lock(&open);
            if !open.make_room(limits.max_connections) {
                metrics.connections_refused.inc();
                continue;
            }
            open.next += 1;
            let id = open.next;
            open.by_age.insert(id, connection.clone());
            id
        };
        metrics.connections_open.inc();
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let open = open.clone();
        let all_closed = all_closed.clone();
        let mut stop = stop.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            let metrics = &shared.metrics;
            let on_request = connection.clone();
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let busy = Busy::new(on_request.clone());
                let router = router.clone();
                async move {
                    let response = router.oneshot(request.map(Body::new)).await;
                    // The connection is busy until the response's body is sent whole.
                    response.map(|r| {
                        r.map(|body| {
                            Body::new(body.map_frame(move |f| {
                                let _ = &busy;
                                f
                            }))
                        })
                    })
                }
            });
            let mut served = std::pin::pin!(
                hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.header_timeout)
                    .max_buf_size(MAX_HEAD_BYTES)
                    .max_header_size(MAX_HEAD_BYTES)
                    .serve_connection(TokioIo::new(stream), service)
            );
            let mut stopping = *stop.borrow();
            loop {
                if stopping {
                    served.as_mut().graceful_shutdown();
                }
                tokio::select! {
                    _ = served.as_mut() => break,
                    () = connection.evict.notified() => {
                        metrics.connections_evicted.inc();
                        break;
                    }
                    changed = stop.changed(), if !stopping => {
                        stopping = changed.is_err() || *stop.borrow();
                    }
                }
            }
            metrics.connections_open.dec();
            let mut open = lock(&open);
            open.by_age.remove(&id);
            if open.by_age.is_empty() {
                all_closed.notify_one();
            }
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    let wait = async {
        loop {
            let closed = all_closed.notified();
            if lock(&open).by_age.is_empty() {
                return;
            }
            closed.await;
        }
    };
    // Past the deadline the connections left are dropped with the runtime.
    let _ = tokio::time::timeout(limits.shutdown_timeout, wait).await;
    Ok(())
}

fn lock(open: &Mutex<Open>) -> std::sync::MutexGuard<'_, Open> {
    open.lock().unwrap_or_else(|p| p.into_inner())
}

/// A request under way on a connection: counted while it lives.
struct Busy(Arc<Connection>);

impl Busy {
    fn new(connection: Arc<Connection>) -> Busy {
        connection.busy.fetch_add(1, Ordering::AcqRel);
        Busy(connection)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(busy: usize) -> Arc<Connection> {
        Arc::new(Connection {
            busy: AtomicUsize::new(busy),
            evict: Notify::new(),
        })
    }

    #[test]
    fn a_full_house_closes_its_oldest_idle_connection() {
        let mut open = Open::default();
        for (id, busy) in [(1, 1), (2, 0), (3, 0)] {
            open.by_age.insert(id, connection(busy));
        }
        assert!(open.make_room(4), "room left");
        assert_eq!(open.by_age.len(), 3);
        assert!(open.make_room(3));
        assert_eq!(open.by_age.keys().copied().collect::<Vec<_>>(), [1, 3]);
        open.by_age.insert(4, connection(1));
        open.by_age
            .get(&3)
            .unwrap()
            .busy
            .store(1, Ordering::Release);
        assert!(!open.make_room(3), "every connection is busy");
    }
}
