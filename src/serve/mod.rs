//! `walint serve`: walint as an HTTP service for the web apps that take contact-list
//! uploads. It owns the service's shape — the routes, the shared state (the loaded
//! walint.toml, reloaded on SIGHUP or `POST /v1/reload`), the limits every request passes
//! (a bearer token, an upload size, a concurrency limit with a queue, a timeout) and the
//! server's life (bind, serve, stop on SIGINT/SIGTERM). What a route does lives beside it:
//! `upload` spools request bodies to disk, `check` and `fix` run the library on them,
//! `catalogue` serves the rules, `metrics` and `access_log` watch, `page` is the upload
//! page at `/`.
//!
//! The judging is the library's, unchanged: an upload is checked exactly as
//! `walint check` and `walint fix` check a file, so the service and the command give the
//! same findings. Uploads are spooled to a temporary directory a chunk at a time (memory
//! flat in their size) and removed when the request ends, also when the client goes away.
//! Media links are not probed unless a request asks (`probe_media=true`), and then never
//! on private or loopback addresses, whatever walint.toml says.

mod access_log;
mod admission;
mod catalogue;
mod check;
mod connections;
mod fix;
mod incoming;
mod metrics;
mod page;
mod params;
mod spools;
mod upload;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::config::Config;
use crate::error::Error;

pub use admission::{Limits, UPLOAD_GRACE};
pub use connections::{ConnectionLimits, MAX_HEAD_BYTES};

/// How `walint serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to listen on (`--addr`).
    pub addr: SocketAddr,
    /// The walint.toml to load (and reload); `None`: the defaults.
    pub config: Option<PathBuf>,
    /// The limits every request passes.
    pub limits: Limits,
    /// The limits every connection is held to.
    pub connections: ConnectionLimits,
    /// The bearer token `/v1/*` and `/metrics` require (`None`: open).
    pub token: Option<String>,
    /// Where uploads are spooled (`None`: the system's temporary directory).
    pub spool_dir: Option<PathBuf>,
    /// Write an access log line per request to standard error.
    pub access_log: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            config: None,
            limits: Limits::default(),
            connections: ConnectionLimits::default(),
            token: None,
            spool_dir: None,
            access_log: true,
        }
    }
}

/// The state every request shares.
struct Shared {
    options: ServeOptions,
    config: RwLock<Arc<Config>>,
    metrics: metrics::Metrics,
    admission: admission::Admission,
    spools: spools::SpoolRoot,
}

impl Shared {
    /// The walint.toml as last loaded.
    fn config(&self) -> Arc<Config> {
        self.config
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// A running service's state: build it once, then [`Service::router`] or [`serve`].
#[derive(Clone)]
pub struct Service {
    shared: Arc<Shared>,
}

impl Service {
    /// Loads the config (if any) and sets up the limits; fails as `walint check` does on a
    /// bad walint.toml.
    pub fn new(options: ServeOptions) -> Result<Service, Error> {
        let config = load(&options.config)?;
        let admission = admission::Admission::new(&options.limits);
        let spools = spools::SpoolRoot::create(options.spool_dir.as_deref()).map_err(|source| {
            Error::Io {
                path: options.spool_dir.as_deref().map_or_else(
                    || "<temporary directory>".into(),
                    |p| p.display().to_string(),
                ),
                source,
            }
        })?;
        if spools.removed > 0 {
            eprintln!(
                "walint: removed the spool directories of {} service(s) that had stopped without cleaning up",
                spools.removed
            );
        }
        Ok(Service {
            shared: Arc::new(Shared {
                options,
                config: RwLock::new(Arc::new(config)),
                metrics: metrics::Metrics::default(),
                admission,
                spools,
            }),
        })
    }

    /// Loads walint.toml again; on an error the previous settings stay.
    pub fn reload(&self) -> Result<(), Error> {
        let config = load(&self.shared.options.config)?;
        *self
            .shared
            .config
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new(config);
        self.shared.metrics.reloads.inc();
        Ok(())
    }

    /// The routes, with the token check, the limits and the access log around them.
    pub fn router(&self) -> Router {
        let state = self.shared.clone();
        let guarded = Router::new()
            .route("/v1/check", post(check::handle))
            .route("/v1/fix", post(fix::handle))
            .route("/v1/rules", get(catalogue::rules))
            .route("/v1/campaigns", get(catalogue::campaigns))
            .route("/v1/explain/{code}", get(catalogue::explain))
            .route("/v1/reload", post(reload))
            .route("/metrics", get(metrics::handle))
            .route_layer(middleware::from_fn_with_state(
                state.clone(),
                admission::require_token,
            ));
        Router::new()
            .route("/", get(page::index))
            .route("/assets/page.js", get(page::script))
            .route("/assets/page.css", get(page::style))
            .route("/healthz", get(healthz))
            .merge(guarded)
            .fallback(not_found)
            .method_not_allowed_fallback(method_not_allowed)
            // Uploads are counted against --max-upload-bytes as they are spooled.
            .layer(DefaultBodyLimit::disable())
            .layer(middleware::from_fn_with_state(
                state.clone(),
                access_log::record,
            ))
            .with_state(state)
    }
}

/// Loads walint.toml, or the defaults.
fn load(path: &Option<PathBuf>) -> Result<Config, Error> {
    path.as_deref()
        .map_or_else(|| Ok(Config::default()), Config::load)
}

/// Serves `service` on `listener` until `shutdown` completes; requests under way get the
/// shutdown timeout to finish (see `connections`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: Service,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = service.shared.options.connections;
    let router = service.router();
    connections::serve(listener, router, limits, service.shared, shutdown).await
}

/// `walint serve`: binds, serves until SIGINT or SIGTERM, reloads walint.toml on SIGHUP.
pub fn run(mut options: ServeOptions) -> Result<(), Error> {
    cap_malloc_arenas();
    let descriptors = raise_descriptor_limit();
    // Each connection is a descriptor; uploads, reports and spreadsheet readers need more.
    let room = descriptors.saturating_sub(DESCRIPTORS_KEPT);
    if options.connections.max_connections > room {
        eprintln!(
            "walint: note: --max-connections {} lowered to {room}: the process may open {descriptors} files (ulimit -n)",
            options.connections.max_connections
        );
        options.connections.max_connections = room.max(1);
    }
    let service = Service::new(options.clone())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("walint-serve")
        .build()
        .map_err(|source| Error::Io {
            path: "<runtime>".into(),
            source,
        })?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .map_err(|source| Error::Io {
                path: options.addr.to_string(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Io {
            path: options.addr.to_string(),
            source,
        })?;
        eprintln!(
            "walint: serving on http://{addr}/ (stop with Ctrl-C; SIGHUP reloads walint.toml)"
        );
        if options.token.is_none() {
            eprintln!(
                "walint: note: no token set (--token-env): /v1/* and /metrics answer anyone who can reach {addr}"
            );
        }
        let signals = |kind| {
            tokio::signal::unix::signal(kind).map_err(|source| Error::Io {
                path: "<signals>".into(),
                source,
            })
        };
        use tokio::signal::unix::SignalKind;
        let mut hangup = signals(SignalKind::hangup())?;
        let mut interrupt = signals(SignalKind::interrupt())?;
        let mut terminate = signals(SignalKind::terminate())?;
        let reloader = service.clone();
        tokio::spawn(async move {
            while hangup.recv().await.is_some() {
                match reloader.reload() {
                    Ok(()) => eprintln!("walint: SIGHUP: walint.toml reloaded"),
                    Err(e) => eprintln!(
                        "walint: SIGHUP: the settings are unchanged: {}",
                        crate::report::text::printable(&e.to_string())
                    ),
                }
            }
        });
        let shutdown = async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            eprintln!("walint: stopping: finishing the requests under way");
        };
        serve(listener, service, shutdown)
            .await
            .map_err(|source| Error::Io {
                path: addr.to_string(),
                source,
            })
    })
}

/// Descriptors kept for what is not a connection: spooled uploads, reports, spreadsheet
/// readers' pipes, the media prober's sockets.
const DESCRIPTORS_KEPT: usize = 256;

/// Raises the soft limit on open files to the hard limit (as Go's runtime does for every
/// program): a service's connections each take one, and the usual soft limit of 1,024 is
/// met by a thousand idle clients. Returns the limit now in force.
fn raise_descriptor_limit() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read and write the struct given.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
                let raised = libc::rlimit {
                    rlim_cur: limit.rlim_max,
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
                return usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
            }
        }
    }
    usize::MAX
}

/// Caps glibc's malloc arenas at the number of cores. Every check starts threads (the
/// phone workers), and glibc gives new threads arenas of their own, up to eight per core,
/// each keeping memory an earlier check freed: under 50 uploads at once the service's
/// peak RSS was 158 MiB with the default and 92 MiB capped (benches/serve.rs).
fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // SAFETY: mallopt only sets a tunable of the allocator; called before the
        // service's threads start.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, cores.min(i32::MAX as usize) as i32);
        }
    }
}

/// `GET /healthz`: the process answers.
async fn healthz() -> &'static str {
    "ok\n"
}

/// `POST /v1/reload`: loads walint.toml again (token required; refused when the service
/// has none, as anyone could then make it re-read files).
async fn reload(State(shared): State<Arc<Shared>>) -> Response {
    if shared.options.token.is_none() {
        return api_error(
            StatusCode::FORBIDDEN,
            "reload over HTTP needs a token (walint serve --token-env VAR): send SIGHUP instead",
        );
    }
    let service = Service { shared };
    match tokio::task::spawn_blocking(move || service.reload()).await {
        Ok(Ok(())) => axum::Json(serde_json::json!({ "reloaded": true })).into_response(),
        // The request is fine; the service's own walint.toml is not.
        Ok(Err(e)) => {
            let mut response = walint_error(&e, None);
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
        Err(_) => api_error(StatusCode::INTERNAL_SERVER_ERROR, "the reload failed"),
    }
}

async fn method_not_allowed() -> Response {
    api_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "this endpoint takes another method: POST for /v1/check, /v1/fix and /v1/reload, GET for the others",
    )
}

async fn not_found() -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "no such endpoint: see GET /v1/rules, POST /v1/check, POST /v1/fix",
    )
}

/// A refusal as a JSON error document of the JSON error report's shape (`version`, `tool`,
/// `error: {kind, message}`), its kind following the status.
fn api_error(status: StatusCode, message: &str) -> Response {
    let kind = match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "auth",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::SERVICE_UNAVAILABLE => "busy",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method",
        s if s.is_server_error() => "internal",
        _ => "usage",
    };
    let mut body = Vec::new();
    // Writing into a Vec fails only on a serialisation bug.
    let _ = crate::report::json::write_refusal(kind, message, &mut body);
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// walint's own error as a response: the JSON error report (`kind`, `message`, `path`,
/// `line`), 400 for what the request asked or sent, 500 for walint's own failures. Paths
/// under the upload's spool directory are shown as the uploaded names. In answer to an
/// upload (`spool` given), a failure on one of the service's own files (walint.toml, a
/// registry, a suppression list: a path outside the spool) is a 500 that names no path;
/// the log has it.
fn walint_error(error: &Error, spool: Option<&std::path::Path>) -> Response {
    let (path, _) = error.place();
    // The upload's files are in its spool directory (`walint fix` names them so); the
    // service's own files are elsewhere.
    let uploaded = |p: &str| spool.is_some_and(|dir| std::path::Path::new(p).starts_with(dir));
    let server_side =
        path.is_some_and(|p| !uploaded(p) && (p.starts_with('/') || p.starts_with("..")));
    if spool.is_some() && server_side {
        eprintln!(
            "walint: error: {}",
            crate::report::text::printable(&error.to_string())
        );
        return api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "one of the service's own files (walint.toml, a registry, a suppression list) could not be used: its log says which",
        );
    }
    let status = match error {
        Error::Io { .. } | Error::Remote(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Error::Input { .. } | Error::Config { .. } | Error::Usage(_) => StatusCode::BAD_REQUEST,
    };
    let mut body = Vec::new();
    // Writing into a Vec fails only on a serialisation bug.
    let _ = crate::report::json::write_error(error, &mut body);
    let mut text = String::from_utf8_lossy(&body).into_owned();
    if let Some(dir) = spool {
        let prefix = format!("{}/", dir.display());
        text = text.replace(&prefix, "");
    }
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response()
}

/// Takes an upload in: gives it a place among the uploads arriving (503 when none can be
/// made), spools its body within the request timeout and its pace (408 past either, 413
/// past the size limit; 503 when a faster upload needed its place), then admits it among
/// the requests waiting (503 when they are full) and waits for a turn to run (503 when none
/// comes within the timeout).
async fn receive(
    shared: &Shared,
    request: axum::extract::Request,
    params: &params::Params,
    max_files: usize,
) -> Result<Taken, Response> {
    let Some(arriving) = shared.admission.arrive() else {
        return Err(admission::busy(
            "too many uploads arriving at once: try again shortly",
        ));
    };
    let limits = &shared.options.limits;
    let deadline = tokio::time::Instant::now() + limits.timeout;
    let pace = upload::Pace {
        arrival: arriving.arrival.clone(),
        rate: limits.min_upload_rate,
        grace: limits.upload_grace,
    };
    let spooling = upload::spool(
        request,
        shared.spools.path(),
        limits.max_upload_bytes,
        params.name.as_deref(),
        max_files,
        pace,
    );
    let spooled = tokio::select! {
        spooled = tokio::time::timeout_at(deadline, spooling) => spooled,
        () = arriving.arrival.cut_off() => {
            return Err(admission::busy(
                "too many uploads arriving at once: this one, among the slowest, made room for another",
            ));
        }
    };
    let spool = match spooled {
        Err(_) => {
            return Err(api_error(
                StatusCode::REQUEST_TIMEOUT,
                &format!(
                    "the upload did not arrive within the request timeout ({} s)",
                    limits.timeout.as_secs_f64()
                ),
            ));
        }
        Ok(Err(refused)) => return Err(refused.response()),
        Ok(Ok(spool)) => spool,
    };
    drop(arriving);
    shared.metrics.upload_bytes.inc_by(spool.bytes);
    let Some(ticket) = shared.admission.admit() else {
        return Err(admission::busy(
            "too many uploads waiting for a check: try again shortly",
        ));
    };
    let turn = tokio::time::timeout_at(deadline, shared.admission.turn())
        .await
        .map_err(|_| {
            admission::busy("the service is busy: no turn came within the request timeout")
        })?;
    Ok(Taken {
        spool,
        turn,
        ticket,
    })
}

/// The most files a form sent to `/v1/check` may hold.
const MAX_FORM_FILES: usize = 32;

/// An upload taken in, with its place among the admitted requests and its turn to run.
struct Taken {
    spool: upload::Spool,
    turn: tokio::sync::OwnedSemaphorePermit,
    ticket: admission::Ticket,
}

impl Taken {
    /// Runs `job` over the upload on the blocking pool, holding the place and the turn
    /// until it ends — a check under way runs to its end even when its client has gone
    /// (`--max-concurrent` bounds them) — and removes the spool there, off the async
    /// threads. walint's errors become responses.
    async fn run<T: Send + 'static>(
        self,
        job: impl FnOnce(&upload::Spool) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Box<Response>> {
        let Taken {
            spool,
            turn,
            ticket,
        } = self;
        let done = tokio::task::spawn_blocking(move || {
            let _running = (turn, ticket);
            let result = job(&spool).map_err(|e| Box::new(walint_error(&e, Some(spool.dir()))));
            drop(spool);
            result
        })
        .await;
        done.unwrap_or_else(|_| {
            Err(Box::new(api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the job stopped unexpectedly",
            )))
        })
    }
}

/// A reader as a response body, read 64 KiB at a time as the client takes it.
fn streamed(reader: impl tokio::io::AsyncRead + Send + 'static) -> axum::body::Body {
    axum::body::Body::from_stream(tokio_util::io::ReaderStream::with_capacity(reader, 1 << 16))
}

/// How long a request may take to arrive and wait for its turn.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
