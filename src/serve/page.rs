//! The upload page at `/`: one HTML page, its script and its style, compiled into the
//! binary (no CDN, works offline). A marketer drops a CSV or a spreadsheet, picks a
//! campaign or a region, and sees the rejected rows by WhatsApp error code as a bar chart,
//! the rejected rows with their reasons in a table, and links to download the clean list
//! and the rejects — all from one `POST /v1/fix`. The page is served with a strict
//! Content-Security-Policy: only its own script and style run.

use axum::http::header;
use axum::response::IntoResponse;

/// Only the page's own files, and requests to this service.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// `GET /`.
pub(super) async fn index() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        include_str!("page/index.html"),
    )
}

/// `GET /assets/page.js`.
pub(super) async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        include_str!("page/page.js"),
    )
}

/// `GET /assets/page.css`.
pub(super) async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        include_str!("page/page.css"),
    )
}
