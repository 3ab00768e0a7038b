//! `POST /v1/fix`: one uploaded contact list is split as `walint fix` splits it — the
//! clean file (fixable numbers rewritten to E.164), the rejects (with `walint_row`,
//! `walint_line`, `walint_codes`, `walint_reasons`) and a result per row — and all of it
//! comes back in one `multipart/form-data` response: the parts `summary` (JSON),
//! `results` (NDJSON, exactly `walint fix --format json`'s output), `clean` and
//! `rejects` (CSV, named after the upload). `?part=NAME` sends one part alone, as a
//! download; `?results=rejected` keeps only the rejected rows' results (what an upload
//! page shows). The outputs are written in the request's spool directory and streamed
//! from there.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::params::Params;
use super::upload::Spool;
use super::{Shared, access_log::Counted, api_error, upload};
use crate::config::Config;
use crate::error::Error;
use crate::fix::{FixPaths, FixSummary};

/// The parts of the response, in order.
const PARTS: [&str; 4] = ["summary", "results", "clean", "rejects"];

/// The `POST /v1/fix` handler.
pub(super) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let params = match Params::parse(request.uri()) {
        Ok(p) => p,
        Err(why) => return api_error(StatusCode::BAD_REQUEST, &why),
    };
    if params.format.is_some() || params.redact.is_some() {
        return api_error(
            StatusCode::BAD_REQUEST,
            "/v1/fix answers with its outputs (multipart): format and redact are /v1/check's; ?part=clean|rejects|results|summary sends one",
        );
    }
    let part = match params.part.as_deref() {
        None => None,
        Some(p) => match PARTS.iter().position(|&known| known == p) {
            Some(i) => Some(i),
            None => {
                return api_error(
                    StatusCode::BAD_REQUEST,
                    "part: one of summary, results, clean, rejects",
                );
            }
        },
    };
    let rejected_only = match params.results.as_deref() {
        None | Some("all") => false,
        Some("rejected") => true,
        Some(_) => return api_error(StatusCode::BAD_REQUEST, "results: all or rejected"),
    };
    // One list per request: a second file is refused as it arrives.
    let taken = match super::receive(&shared, request, &params, 1).await {
        Ok(taken) => taken,
        Err(refused) => return refused,
    };
    let config = shared.config();
    let probe_budget = shared.options.limits.probe_budget;
    let fixed = match taken
        .run(move |spool| fix(&config, &params, spool, rejected_only, probe_budget))
        .await
    {
        Ok(fixed) => fixed,
        Err(refused) => return *refused,
    };
    shared
        .metrics
        .fixed(&fixed.counted, &fixed.summary.rejected_by_code);
    let counts = [
        ("x-walint-rows", fixed.summary.rows),
        ("x-walint-fixed", fixed.summary.fixed),
        ("x-walint-rejected", fixed.summary.rejected),
    ];
    let counted = fixed.counted;
    let mut response = match part {
        Some(i) => one_part(fixed.parts.into_iter().nth(i).expect("four parts")),
        None => multipart(fixed.parts),
    };
    let headers = response.headers_mut();
    for (name, value) in counts {
        headers.insert(name, HeaderValue::from(value));
    }
    response.extensions_mut().insert(counted);
    response
}

/// One output of the fix.
struct Part {
    name: &'static str,
    /// Its file name in a multipart answer (the summary has none: a form value).
    file_name: Option<String>,
    /// Its file name when sent alone.
    download: String,
    content_type: &'static str,
    /// Its bytes.
    reader: Box<dyn AsyncRead + Send + Unpin>,
}

/// A fix done: its outputs, open, and its counts.
struct Fixed {
    parts: Vec<Part>,
    summary: FixSummary,
    counted: Counted,
}

/// Splits the spooled list, writing the outputs into the spool directory.
fn fix(
    config: &Config,
    params: &Params,
    spool: &Spool,
    rejected_only: bool,
    probe_budget: Duration,
) -> Result<Fixed, Error> {
    let options = params.options(config, spool, probe_budget)?;
    let upload = &spool.files[0];
    refuse_other_inputs(upload)?;
    let stem = match upload.name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => upload.name.as_str(),
    };
    let names = [
        format!("{stem}.results.ndjson"),
        format!("{stem}.clean.csv"),
        format!("{stem}.rejects.csv"),
    ];
    let paths = FixPaths {
        input: upload.path.clone(),
        clean: Some(spool.output(&names[1])),
        rejects: spool.output(&names[2]),
        in_place: false,
        form: params.output_form()?,
    };
    let io = |source| Error::Io {
        path: "<fix outputs>".into(),
        source,
    };
    let results_path = spool.output(&names[0]);
    let results = upload::create(&results_path).map_err(io)?;
    let mut results = std::io::BufWriter::with_capacity(1 << 16, results);
    let lines = crate::fix::Results {
        out: &mut results,
        rejected_only,
    };
    let summary = crate::fix::run_with_results(&options, &paths, Some(lines))?;
    let summary_json = crate::fix::summary_json(&summary, &names[1], &names[2]);
    serde_json::to_writer(
        &mut results,
        &serde_json::json!({ "summary": &summary_json }),
    )
    .map_err(|e| io(e.into()))?;
    results.write_all(b"\n").map_err(io)?;
    results.flush().map_err(io)?;
    drop(results);
    let summary_bytes = serde_json::to_vec_pretty(&summary_json).map_err(|e| io(e.into()))?;
    let open = |path: &std::path::Path| std::fs::File::open(path).map_err(io);
    let files = [
        open(&results_path)?,
        open(paths.clean.as_deref().expect("set above"))?,
        open(&paths.rejects)?,
    ];
    let mut parts = vec![Part {
        name: "summary",
        file_name: None,
        download: format!("{stem}.summary.json"),
        content_type: "application/json",
        reader: Box::new(std::io::Cursor::new(summary_bytes)),
    }];
    let kinds = [
        ("results", "application/x-ndjson"),
        ("clean", "text/csv"),
        ("rejects", "text/csv"),
    ];
    for ((file, name), (part, content_type)) in files.into_iter().zip(names).zip(kinds) {
        parts.push(Part {
            name: part,
            download: name.clone(),
            file_name: Some(name),
            content_type,
            reader: Box::new(tokio::fs::File::from_std(file)),
        });
    }
    let counted = Counted {
        rows: summary.rows,
        findings: summary.rejected,
    };
    Ok(Fixed {
        parts,
        summary,
        counted,
    })
}

/// `/v1/fix` splits contact lists: payloads and registries are refused with a word on
/// where they go.
fn refuse_other_inputs(upload: &super::upload::Spooled) -> Result<(), Error> {
    let file = std::fs::File::open(&upload.path).map_err(|source| Error::Io {
        path: upload.name.clone(),
        source,
    })?;
    let mut reader = std::io::BufReader::new(file);
    let kind =
        crate::input::kind::recognise(&upload.path, &mut reader).map_err(|source| Error::Io {
            path: upload.name.clone(),
            source,
        })?;
    use crate::input::kind::Kind;
    match kind {
        Kind::Contacts | Kind::Spreadsheet => Ok(()),
        Kind::Payloads | Kind::Registry | Kind::Config | Kind::WalintOutput => {
            Err(Error::Usage(format!(
                "{}: /v1/fix splits contact lists (CSV or a spreadsheet); send payloads and registries to /v1/check",
                upload.name
            )))
        }
    }
}

/// One part alone, as a download (`Content-Disposition: attachment`).
fn one_part(part: Part) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, part.content_type)],
        super::streamed(part.reader),
    )
        .into_response();
    // Upload names are reduced to letters, digits, `.`, `-` and `_`: safe in a header.
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", part.download))
    {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Every part in one `multipart/form-data` body, streamed from the files.
fn multipart(parts: Vec<Part>) -> Response {
    let boundary = boundary();
    let mut body: Box<dyn AsyncRead + Send + Unpin> = Box::new(std::io::Cursor::new(Vec::new()));
    for part in parts {
        let mut head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
            part.name
        );
        if let Some(name) = &part.file_name {
            head.push_str(&format!("; filename=\"{name}\""));
        }
        head.push_str(&format!("\r\nContent-Type: {}\r\n\r\n", part.content_type));
        body = Box::new(
            body.chain(std::io::Cursor::new(head.into_bytes()))
                .chain(part.reader)
                .chain(std::io::Cursor::new(b"\r\n".to_vec())),
        );
    }
    body = Box::new(body.chain(std::io::Cursor::new(
        format!("--{boundary}--\r\n").into_bytes(),
    )));
    let content_type = format!("multipart/form-data; boundary={boundary}");
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&content_type).expect("a boundary is a header value"),
        )],
        super::streamed(body),
    )
        .into_response()
}

/// A boundary no output contains in practice: 160 bits that differ per response.
fn boundary() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let digest = Sha256::digest(format!("{now}:{n}:{}", std::process::id()));
    let hex: String = digest[..20].iter().map(|b| format!("{b:02x}")).collect();
    format!("walint-{hex}")
}
