//! Uploads to disk: a request body — one file as the body, or a `multipart/form-data`
//! form with one or more files — is written a chunk at a time into a temporary directory
//! of its own (0700, its files 0600, under the service's spool directory: `spools`), so
//! memory stays flat whatever the upload's size. Each file keeps its uploaded name
//! (reduced to a safe one), which is how the findings name it. The bytes are counted
//! against the upload limit as they arrive (413), the body must keep its pace (408) and a
//! form's part headers their size (400, see `incoming`), a malformed form is refused
//! (400), and a client that goes away mid-upload leaves nothing behind: the directory is
//! removed when the request is dropped.

use std::path::{Path, PathBuf};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use axum::response::Response;
use http_body_util::{BodyExt, Limited};
use tokio::io::AsyncWriteExt;

use super::admission::Arrival;
use super::api_error;
use super::incoming::{FormHeads, MAX_PART_HEAD_BYTES, Paced, Stopped};

/// An upload on disk; the directory goes when this is dropped.
pub(super) struct Spool {
    dir: tempfile::TempDir,
    /// The files, in the order they came.
    pub(super) files: Vec<Spooled>,
    /// Bytes received.
    pub(super) bytes: u64,
}

/// One uploaded file.
pub(super) struct Spooled {
    /// Where it is on disk (inside the spool directory).
    pub(super) path: PathBuf,
    /// Its name as the findings show it.
    pub(super) name: String,
}

impl Spool {
    /// The spool directory.
    pub(super) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A path in the spool directory for an output of the request.
    pub(super) fn output(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!(".out-{name}"))
    }
}

/// Creates an output file of a request in its spool directory (never over one there),
/// readable by the service's user alone.
pub(super) fn create(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::File::options();
    options.create_new(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Why an upload was not taken.
pub(super) enum Refused {
    /// Larger than the limit.
    TooLarge(u64),
    /// Not a well-formed body (a broken multipart form, no file in it, a field that is
    /// not a file).
    Malformed(String),
    /// The body stopped arriving (the client went away or sent a broken stream).
    Broken(String),
    /// The body arrived slower than the minimum rate (bytes a second) after the grace.
    TooSlow(u64, std::time::Duration),
    /// The spool directory could not be written.
    Disk(std::io::Error),
}

impl Refused {
    /// The response for the client (when one is still there).
    pub(super) fn response(&self) -> Response {
        match self {
            Refused::TooLarge(limit) => api_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the upload is larger than this service takes ({limit} bytes)"),
            ),
            Refused::Malformed(why) => api_error(StatusCode::BAD_REQUEST, why),
            Refused::Broken(why) => api_error(
                StatusCode::BAD_REQUEST,
                &format!("the upload did not arrive whole: {why}"),
            ),
            Refused::TooSlow(rate, grace) => api_error(
                StatusCode::REQUEST_TIMEOUT,
                &format!(
                    "the upload arrived slower than this service takes ({rate} bytes a second after its first {} s)",
                    grace.as_secs_f64()
                ),
            ),
            Refused::Disk(e) => api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("the upload could not be stored: {e}"),
            ),
        }
    }
}

/// The length a request declares (`Content-Length`), when it declares one.
pub(super) fn declared_length(headers: &axum::http::HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// How an upload must arrive.
pub(super) struct Pace {
    /// The upload's place among those arriving (its bytes are counted into it).
    pub(super) arrival: Arc<Arrival>,
    /// The minimum rate after the grace, in bytes a second (`--min-upload-rate`).
    pub(super) rate: u64,
    /// The time before the rate applies.
    pub(super) grace: std::time::Duration,
}

/// Writes the request's file or files into a new directory under `parent` (the service's
/// spool directory). `name` names a file sent as the whole body (else `upload` with an
/// ending from its `Content-Type`).
pub(super) async fn spool(
    request: Request,
    parent: &Path,
    limit: u64,
    name: Option<&str>,
    max_files: usize,
    pace: Pace,
) -> Result<Spool, Refused> {
    if declared_length(request.headers()).is_some_and(|n| n > limit) {
        return Err(Refused::TooLarge(limit));
    }
    // As sent: a form's boundary is case-sensitive.
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let dir = super::spools::private_dir("walint-upload-")
        .tempdir_in(parent)
        .map_err(Refused::Disk)?;
    let mut spool = Spool {
        dir,
        files: Vec::new(),
        bytes: 0,
    };
    let stopped = Arc::new(Stopped::default());
    let (rate, grace) = (pace.rate, pace.grace);
    let watched = stopped.clone();
    let request = request.map(move |body| Body::new(Paced::new(body, pace.arrival, rate, watched)));
    // Why the body stopped, when one of the limits stopped it.
    let refusal = |stopped: &Stopped| {
        if stopped.slow() {
            Some(Refused::TooSlow(rate, grace))
        } else if stopped.long_head() {
            Some(Refused::Malformed(format!(
                "a broken multipart form: the text before its first part or a part's headers run past {MAX_PART_HEAD_BYTES} bytes"
            )))
        } else {
            None
        }
    };
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        // Every byte of the form counts against the limit, its framing and part headers
        // too (the parser holds a part's header until it ends).
        let received = Arc::new(AtomicU64::new(0));
        let counter = received.clone();
        let boundary = multer::parse_boundary(&content_type).ok();
        let watched = stopped.clone();
        let request = request.map(move |body| {
            let counted = body.map_frame(move |frame| {
                if let Some(data) = frame.data_ref() {
                    counter.fetch_add(data.len() as u64, Ordering::Relaxed);
                }
                frame
            });
            let counted = Body::new(counted);
            // Without a boundary the form parser refuses the request before reading it.
            let heads = match &boundary {
                Some(boundary) => Body::new(FormHeads::new(counted, boundary, watched)),
                None => counted,
            };
            Body::new(Limited::new(
                heads,
                usize::try_from(limit).unwrap_or(usize::MAX),
            ))
        });
        let over = || received.load(Ordering::Relaxed) > limit;
        let mut form = Multipart::from_request(request, &())
            .await
            .map_err(|e| Refused::Malformed(format!("not a multipart form: {}", e.body_text())))?;
        loop {
            let field = form.next_field().await.map_err(|e| {
                refusal(&stopped).unwrap_or_else(|| match over() {
                    true => Refused::TooLarge(limit),
                    false => {
                        Refused::Malformed(format!("a broken multipart form: {}", e.body_text()))
                    }
                })
            })?;
            let Some(mut field) = field else { break };
            if spool.files.len() == max_files {
                return Err(Refused::Malformed(format!(
                    "this endpoint takes at most {max_files} file{} per request",
                    if max_files == 1 { "" } else { "s" }
                )));
            }
            let Some(file_name) = field.file_name().map(str::to_string) else {
                return Err(Refused::Malformed(format!(
                    "multipart field '{}' is not a file: give options in the query string (?region=IN)",
                    field.name().unwrap_or("")
                )));
            };
            let mut file = spool.create(&file_name, None).await?;
            loop {
                let chunk = field.chunk().await.map_err(|e| {
                    refusal(&stopped).unwrap_or_else(|| match over() {
                        true => Refused::TooLarge(limit),
                        false => Refused::Broken(e.to_string()),
                    })
                })?;
                let Some(chunk) = chunk else { break };
                spool.write(&mut file, &chunk, limit).await?;
            }
            file.flush().await.map_err(Refused::Disk)?;
        }
        if spool.files.is_empty() {
            return Err(Refused::Malformed(
                "the multipart form has no file in it".into(),
            ));
        }
        return Ok(spool);
    }
    let mut file = spool
        .create(name.unwrap_or("upload"), Some(&content_type))
        .await?;
    let mut body = request.into_body();
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| refusal(&stopped).unwrap_or_else(|| Refused::Broken(e.to_string())))?;
        if let Ok(data) = frame.into_data() {
            spool.write(&mut file, &data, limit).await?;
        }
    }
    file.flush().await.map_err(Refused::Disk)?;
    Ok(spool)
}

impl Spool {
    /// Creates the file for an upload named `name`: its last path part, characters other
    /// than letters, digits, `.`, `-` and `_` replaced, made unique in the spool.
    async fn create(
        &mut self,
        name: &str,
        content_type: Option<&str>,
    ) -> Result<tokio::fs::File, Refused> {
        let mut safe = safe_name(name);
        if let Some(ending) = content_type.map(ending_for)
            && !safe.contains('.')
        {
            safe.push_str(ending);
        }
        // Files are few (at most the endpoint's limit), so a scan per try is cheap.
        let mut unique = safe.clone();
        let mut n = 1;
        while self.files.iter().any(|f| f.name == unique) {
            n += 1;
            unique = match safe.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}-{n}.{ext}"),
                None => format!("{safe}-{n}"),
            };
        }
        let path = self.dir.path().join(&unique);
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options.open(&path).await.map_err(Refused::Disk)?;
        self.files.push(Spooled { path, name: unique });
        Ok(file)
    }

    async fn write(
        &mut self,
        file: &mut tokio::fs::File,
        data: &[u8],
        limit: u64,
    ) -> Result<(), Refused> {
        self.bytes += data.len() as u64;
        if self.bytes > limit {
            return Err(Refused::TooLarge(limit));
        }
        file.write_all(data).await.map_err(Refused::Disk)
    }
}

/// The ending a body's `Content-Type` implies, for a body sent without a name (walint
/// recognises inputs by content, but NDJSON by its ending).
fn ending_for(content_type: &str) -> &'static str {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let essence = essence.as_str();
    match essence {
        "application/x-ndjson"
        | "application/ndjson"
        | "application/jsonl"
        | "application/jsonlines" => ".ndjson",
        "application/json" => ".json",
        "text/tab-separated-values" => ".tsv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        "application/vnd.ms-excel" => ".xls",
        "application/vnd.oasis.opendocument.spreadsheet" => ".ods",
        _ => ".csv",
    }
}

/// An uploaded name made safe as a file name: its last path part, at most 100 characters
/// of letters, digits, `.`, `-` and `_`, never starting with `.`.
fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let safe: String = last
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => c,
            _ => '_',
        })
        .take(100)
        .collect();
    let safe = safe.trim_start_matches('.');
    if safe.is_empty() {
        "upload".to_string()
    } else {
        safe.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_become_safe_file_names() {
        assert_eq!(safe_name("contacts.csv"), "contacts.csv");
        assert_eq!(
            safe_name("C:\\Users\\asha\\Kunden Liste.xlsx"),
            "Kunden_Liste.xlsx"
        );
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name(".."), "upload");
        assert_eq!(safe_name(".hidden"), "hidden");
        assert_eq!(safe_name("é.csv"), "_.csv");
        assert_eq!(safe_name(&"a".repeat(300)).len(), 100);
    }

    #[test]
    fn a_nameless_body_gets_the_ending_of_its_type() {
        assert_eq!(ending_for("application/x-ndjson"), ".ndjson");
        assert_eq!(ending_for("application/json; charset=utf-8"), ".json");
        assert_eq!(ending_for("text/csv"), ".csv");
        assert_eq!(ending_for(""), ".csv");
    }
}
