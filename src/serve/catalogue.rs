//! `GET /v1/rules`, `GET /v1/explain/{code}` and `GET /v1/campaigns`: the rule catalogue as `walint rules
//! --format json` prints it, and a rule's or a WhatsApp error code's explanation as
//! `walint explain` prints it (Markdown text), and the loaded walint.toml's campaigns.

use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::api_error;
use crate::explain;

/// The `GET /v1/rules` handler: a JSON array (code, name, family, severity, wa_error,
/// summary).
pub(super) async fn rules() -> Response {
    let mut body = Vec::new();
    match explain::write_rules(true, &mut body) {
        Ok(()) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(_) => api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the rule catalogue could not be written",
        ),
    }
}

/// The `GET /v1/explain/{code}` handler: a rule (`WAC001`, `phone-not-e164`) or a
/// WhatsApp error code (`131026`); 404 for anything else.
pub(super) async fn explain(code: Result<Path<String>, PathRejection>) -> Response {
    let code = match code {
        Ok(Path(code)) => code,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, &e.body_text()),
    };
    match explain::explain(&code) {
        Some(text) => (
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            text,
        )
            .into_response(),
        None => api_error(
            StatusCode::NOT_FOUND,
            &format!(
                "'{}' is neither a rule nor a known WhatsApp error code (see GET /v1/rules)",
                crate::report::text::printable(&code)
            ),
        ),
    }
}

/// The `GET /v1/campaigns` handler: the campaigns of the loaded walint.toml, by name (an
/// upload can be checked as one's contact list with `?campaign=NAME`).
pub(super) async fn campaigns(
    axum::extract::State(shared): axum::extract::State<std::sync::Arc<super::Shared>>,
) -> Response {
    let config = shared.config();
    let names: Vec<&str> = config.campaigns.iter().map(|c| c.name.as_str()).collect();
    axum::Json(serde_json::json!({ "campaigns": names })).into_response()
}
