//! `GET /metrics`: what the service has done, for Prometheus — requests by endpoint and
//! status, their durations, bytes uploaded, rows and messages checked, findings by rule
//! code, rejected rows by code, requests under way and reloads — in the OpenMetrics text
//! format Prometheus scrapes. No label carries a phone number or a file name.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::Shared;
use super::access_log::Counted;

/// A request's labels: the route and the status answered.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RequestLabels {
    /// The route (`/v1/check`, `/v1/explain/{code}`…; `other` for unknown paths).
    pub(super) endpoint: &'static str,
    /// The HTTP status.
    pub(super) status: u16,
}

/// A route.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct EndpointLabels {
    pub(super) endpoint: &'static str,
}

/// A rule code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: &'static str,
}

/// The service's metrics.
pub(super) struct Metrics {
    registry: Registry,
    pub(super) requests: Family<RequestLabels, Counter>,
    pub(super) durations: Family<EndpointLabels, Histogram>,
    pub(super) in_flight: Gauge,
    admitted: Gauge,
    pub(super) upload_bytes: Counter,
    pub(super) reloads: Counter,
    pub(super) connections_open: Gauge,
    pub(super) connections_evicted: Counter,
    pub(super) connections_refused: Counter,
    rows: Counter,
    findings: Family<CodeLabels, Counter>,
    rejected: Family<CodeLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("walint");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by endpoint and status",
            requests.clone(),
        );
        let durations =
            Family::<EndpointLabels, Histogram>::new_with_constructor(duration_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its response's headers (a check's whole run)",
            durations.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "Requests being answered now",
            in_flight.clone(),
        );
        let admitted = Gauge::default();
        registry.register(
            "uploads_admitted",
            "Uploads being received, waiting for a turn or being checked",
            admitted.clone(),
        );
        let upload_bytes = Counter::default();
        registry.register(
            "upload_bytes",
            "Bytes of uploads received",
            upload_bytes.clone(),
        );
        let reloads = Counter::default();
        registry.register(
            "config_reloads",
            "Successful reloads of walint.toml",
            reloads.clone(),
        );
        let connections_open = Gauge::default();
        registry.register(
            "connections_open",
            "TCP connections open now",
            connections_open.clone(),
        );
        let connections_evicted = Counter::default();
        registry.register(
            "connections_evicted",
            "Idle connections closed to make room at --max-connections",
            connections_evicted.clone(),
        );
        let connections_refused = Counter::default();
        registry.register(
            "connections_refused",
            "Connections closed at once at --max-connections (every open one busy)",
            connections_refused.clone(),
        );
        let rows = Counter::default();
        registry.register(
            "rows_checked",
            "Contact rows and messages checked or split",
            rows.clone(),
        );
        let findings = Family::<CodeLabels, Counter>::default();
        registry.register(
            "findings",
            "Findings reported by /v1/check, by rule code",
            findings.clone(),
        );
        let rejected = Family::<CodeLabels, Counter>::default();
        registry.register(
            "rows_rejected",
            "Rows /v1/fix rejected, by the rule codes that rejected them",
            rejected.clone(),
        );
        Metrics {
            registry,
            requests,
            durations,
            in_flight,
            admitted,
            upload_bytes,
            reloads,
            connections_open,
            connections_evicted,
            connections_refused,
            rows,
            findings,
            rejected,
        }
    }
}

/// Buckets from 5 ms to about 80 s.
fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 15))
}

impl Metrics {
    /// Counts a check's rows and findings.
    pub(super) fn checked(&self, counted: &Counted, by_code: &[(&'static str, u64)]) {
        self.rows.inc_by(counted.rows);
        for &(code, n) in by_code {
            self.findings.get_or_create(&CodeLabels { code }).inc_by(n);
        }
    }

    /// Counts a fix's rows and rejected rows.
    pub(super) fn fixed(
        &self,
        counted: &Counted,
        rejected_by_code: &std::collections::BTreeMap<&'static str, u64>,
    ) {
        self.rows.inc_by(counted.rows);
        for (&code, &n) in rejected_by_code {
            self.rejected.get_or_create(&CodeLabels { code }).inc_by(n);
        }
    }
}

/// The `GET /metrics` handler.
pub(super) async fn handle(State(shared): State<Arc<Shared>>) -> Response {
    let admitted = shared.admission.admitted();
    shared.metrics.admitted.set(admitted as i64);
    let mut text = String::new();
    match prometheus_client::encoding::text::encode(&mut text, &shared.metrics.registry) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
