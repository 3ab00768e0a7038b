//! `POST /v1/check`: the upload (a CSV, a spreadsheet, payloads as JSON or NDJSON, a
//! registry, or several of them in a multipart form) is checked as `walint check FILES`
//! checks files, or as a campaign's contact list (`?campaign=NAME`), and the report comes
//! back in the format asked (`?format=json`, the default, or sarif, junit, gitlab,
//! text). The status is 200 whatever the findings; the headers `X-Walint-Rows`,
//! `X-Walint-Findings` and `X-Walint-Errors` carry the counts, so a backend can decide
//! without parsing. The report is written to the request's spool directory and streamed
//! from there: a large report is never held in memory.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clap::ValueEnum;

use super::params::Params;
use super::upload::Spool;
use super::{Shared, access_log::Counted, api_error, upload};
use crate::cli::Format;
use crate::config::Config;
use crate::error::Error;
use crate::report::Shown;

/// The `POST /v1/check` handler.
pub(super) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let params = match Params::parse(request.uri()) {
        Ok(p) => p,
        Err(why) => return api_error(StatusCode::BAD_REQUEST, &why),
    };
    if params.is_fix_only() {
        return api_error(
            StatusCode::BAD_REQUEST,
            "part, results, output_encoding and output_delimiter are /v1/fix's options: /v1/check answers with the report (?format=json, sarif, junit, gitlab, text)",
        );
    }
    let format = match params.format.as_deref().map(|f| Format::from_str(f, true)) {
        None => Format::Json,
        Some(Ok(Format::Github)) | Some(Err(_)) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "format: one of json, sarif, junit, gitlab, text",
            );
        }
        Some(Ok(format)) => format,
    };
    let taken = match super::receive(&shared, request, &params, super::MAX_FORM_FILES).await {
        Ok(taken) => taken,
        Err(refused) => return refused,
    };
    let config = shared.config();
    let probe_budget = shared.options.limits.probe_budget;
    // The open report stays readable once the spool is gone.
    let checked = match taken
        .run(move |spool| check(&config, &params, format, spool, probe_budget))
        .await
    {
        Ok(checked) => checked,
        Err(refused) => return *refused,
    };
    shared.metrics.checked(&checked.counted, &checked.by_code);
    let body = super::streamed(tokio::fs::File::from_std(checked.report));
    let mut response = ([(header::CONTENT_TYPE, content_type(format))], body).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-walint-rows", checked.rows),
        ("x-walint-messages", checked.messages),
        ("x-walint-findings", checked.counted.findings),
        ("x-walint-errors", checked.errors),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
    response.extensions_mut().insert(checked.counted);
    response
}

/// A check done: its report, open, and its counts.
struct Checked {
    report: std::fs::File,
    counted: Counted,
    rows: u64,
    messages: u64,
    errors: u64,
    by_code: Vec<(&'static str, u64)>,
}

/// Checks the spooled files and writes the report into the spool directory.
fn check(
    config: &Config,
    params: &Params,
    format: Format,
    spool: &Spool,
    probe_budget: Duration,
) -> Result<Checked, Error> {
    let options = params.options(config, spool, probe_budget)?;
    let report = crate::check::run(&options)?;
    let shown = Shown {
        redact: params.redact.unwrap_or_else(|| format.redacts_by_default()),
        base_uri: None,
        fail_on: crate::diagnostic::Severity::Error,
    };
    let path = spool.output("report");
    let io = |source| Error::Io {
        path: "<report>".into(),
        source,
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, upload::create(&path).map_err(io)?);
    if format == Format::Text {
        // No terminal reads it: the text report's styles are left out.
        let mut plain = anstream::StripStream::new(&mut out as &mut dyn Write);
        format.write(&report, &shown, &mut plain).map_err(io)?;
        plain.flush().map_err(io)?;
    } else {
        format.write(&report, &shown, &mut out).map_err(io)?;
    }
    out.flush().map_err(io)?;
    drop(out);
    let file = std::fs::File::open(&path).map_err(io)?;
    let summary = report.summary();
    Ok(Checked {
        report: file,
        counted: Counted {
            // A campaign's rows are also its messages: counted once.
            rows: report.rows.max(report.messages),
            findings: report.diagnostics.len(),
        },
        rows: report.rows,
        messages: report.messages,
        errors: summary.errors,
        by_code: summary.by_code.into_iter().collect(),
    })
}

/// The media type of a report format.
fn content_type(format: Format) -> &'static str {
    match format {
        Format::Json | Format::Gitlab => "application/json",
        Format::Sarif => "application/sarif+json",
        Format::Junit => "application/xml",
        Format::Text | Format::Github => "text/plain; charset=utf-8",
    }
}
