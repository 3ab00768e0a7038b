//! One structured line per request on standard error — time, method, route, status,
//! duration, the declared `Content-Length`, rows and findings — and the request metrics
//! (a request whose client goes away before the answer is neither logged nor counted). The line holds
//! no query string, no file name and no cell: nothing of a contact list reaches the log.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::Shared;
use super::metrics::{EndpointLabels, RequestLabels};

/// What a check or fix counted, attached to its response for the log.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Counted {
    /// Rows (and messages) read.
    pub(super) rows: u64,
    /// Findings (check) or rejected rows (fix).
    pub(super) findings: u64,
}

/// The route a path is served by, as the log and the metrics name it.
fn endpoint(path: &str) -> &'static str {
    match path {
        "/" => "/",
        "/assets/page.js" | "/assets/page.css" => "/assets",
        "/healthz" => "/healthz",
        "/metrics" => "/metrics",
        "/v1/check" => "/v1/check",
        "/v1/fix" => "/v1/fix",
        "/v1/rules" => "/v1/rules",
        "/v1/campaigns" => "/v1/campaigns",
        "/v1/reload" => "/v1/reload",
        p if p.starts_with("/v1/explain/") => "/v1/explain/{code}",
        _ => "other",
    }
}

/// Runs the request, then logs it and counts it.
pub(super) async fn record(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let endpoint = endpoint(request.uri().path());
    let declared = super::upload::declared_length(request.headers());
    shared.metrics.in_flight.inc();
    // Counted down also when the client goes away and the request is dropped.
    struct InFlight<'a>(&'a prometheus_client::metrics::gauge::Gauge);
    impl Drop for InFlight<'_> {
        fn drop(&mut self) {
            self.0.dec();
        }
    }
    let guard = InFlight(&shared.metrics.in_flight);
    let response = next.run(request).await;
    drop(guard);
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    shared
        .metrics
        .requests
        .get_or_create(&RequestLabels { endpoint, status })
        .inc();
    shared
        .metrics
        .durations
        .get_or_create(&EndpointLabels { endpoint })
        .observe(elapsed.as_secs_f64());
    if shared.options.access_log {
        let counted = response.extensions().get::<Counted>();
        let line = serde_json::json!({
            "ts": jiff::Timestamp::now().to_string(),
            "method": method.as_str(),
            "endpoint": endpoint,
            "status": status,
            "ms": (elapsed.as_secs_f64() * 1e4).round() / 10.0,
            "content_length": declared,
            "rows": counted.map(|c| c.rows),
            "findings": counted.map(|c| c.findings),
        });
        eprintln!("{line}");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::endpoint;

    #[test]
    fn paths_are_logged_as_their_route_only() {
        assert_eq!(endpoint("/v1/check"), "/v1/check");
        assert_eq!(endpoint("/v1/explain/WAC001"), "/v1/explain/{code}");
        assert_eq!(endpoint("/assets/page.js"), "/assets");
        // Whatever else a client asks for is one label, not a new series per path.
        assert_eq!(endpoint("/v1/check/+919876543210"), "other");
        assert_eq!(endpoint("/wp-admin"), "other");
    }
}
