//! A real HTTP/1.1 server on 127.0.0.1 (an ephemeral port) serving the media cases the
//! prober must tell apart, for the media tests and the media benchmark (which includes
//! this file). Plain `std::net` and a thread per connection, so every byte and header is
//! under the test's control: a HEAD refused with 405, a body without Content-Length, a
//! 500 before a 200, redirect chains and loops, a response slower than the timeout. It
//! counts the requests it gets, per path and method.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A JPEG's first bytes (SOI, APP0 JFIF), padded to a small file.
pub fn jpeg() -> Vec<u8> {
    file(
        &[
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
        ],
        6000,
    )
}

/// A PNG's signature and IHDR, padded.
pub fn png() -> Vec<u8> {
    file(
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x02\0\0\0\x02\0\x08\x06\0\0\0",
        5000,
    )
}

/// An MP4 `ftyp` box, padded.
pub fn mp4() -> Vec<u8> {
    file(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom", 9000)
}

/// A PDF header, padded.
pub fn pdf() -> Vec<u8> {
    file(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", 7000)
}

/// A static WebP (VP8), padded.
pub fn webp() -> Vec<u8> {
    file(b"RIFF\x24\x10\0\0WEBPVP8 \x18\x10\0\0", 4200)
}

fn file(head: &[u8], len: usize) -> Vec<u8> {
    let mut bytes = head.to_vec();
    bytes.resize(len, 0x55);
    bytes
}

/// The running server.
pub struct MediaServer {
    /// Where it listens.
    pub addr: SocketAddr,
    hits: Arc<Mutex<HashMap<(String, String), u64>>>,
    total: Arc<AtomicU64>,
    leaks: Arc<AtomicU64>,
}

impl MediaServer {
    /// Starts the server; every response is held back by `delay` first.
    pub fn start(delay: Duration) -> MediaServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let hits: Arc<Mutex<HashMap<(String, String), u64>>> = Arc::default();
        let total = Arc::new(AtomicU64::new(0));
        let leaks = Arc::new(AtomicU64::new(0));
        let (h, t, l) = (Arc::clone(&hits), Arc::clone(&total), Arc::clone(&leaks));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (h, t, l) = (Arc::clone(&h), Arc::clone(&t), Arc::clone(&l));
                std::thread::spawn(move || serve(stream, delay, &h, &t, &l));
            }
        });
        MediaServer {
            addr,
            hits,
            total,
            leaks,
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Requests with `method` to `path` so far.
    pub fn hits(&self, method: &str, path: &str) -> u64 {
        let hits = self.hits.lock().unwrap();
        hits.get(&(method.to_string(), path.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Requests to `path`, any method.
    pub fn hits_any(&self, path: &str) -> u64 {
        self.hits("HEAD", path) + self.hits("GET", path)
    }

    /// Requests that carried a Referer, Cookie or Authorization header.
    pub fn leaks(&self) -> u64 {
        self.leaks.load(Ordering::SeqCst)
    }

    /// Every request so far.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::SeqCst)
    }

    /// Distinct paths requested so far.
    pub fn distinct_paths(&self) -> usize {
        let hits = self.hits.lock().unwrap();
        let mut paths: Vec<&String> = hits.keys().map(|(_, p)| p).collect();
        paths.sort();
        paths.dedup();
        paths.len()
    }
}

struct Request {
    method: String,
    path: String,
    range_end: Option<usize>,
    /// Whether it carried a Referer, Cookie or Authorization header.
    leaks: bool,
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut range_end = None;
    let mut leaks = false;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let name = name.trim().to_ascii_lowercase();
            if name == "range" {
                range_end = value
                    .trim()
                    .strip_prefix("bytes=0-")
                    .and_then(|n| n.parse().ok());
            }
            leaks |= matches!(name.as_str(), "referer" | "cookie" | "authorization");
        }
    }
    Some(Request {
        method,
        path,
        range_end,
        leaks,
    })
}

fn serve(
    stream: TcpStream,
    delay: Duration,
    hits: &Mutex<HashMap<(String, String), u64>>,
    total: &AtomicU64,
    leaks: &AtomicU64,
) {
    // Responses go out in several small writes: without this, Nagle's algorithm holds
    // each back until the client's delayed ACK (about 40 ms on Linux).
    let _ = stream.set_nodelay(true);
    let Ok(write) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut out = write;
    while let Some(request) = read_request(&mut reader) {
        let seen = {
            let mut hits = hits.lock().unwrap();
            let n = hits
                .entry((request.method.clone(), request.path.clone()))
                .or_default();
            *n += 1;
            *n
        };
        total.fetch_add(1, Ordering::SeqCst);
        if request.leaks {
            leaks.fetch_add(1, Ordering::SeqCst);
        }
        std::thread::sleep(delay);
        let keep = respond(&request, seen, &mut out);
        if !keep || out.flush().is_err() {
            return;
        }
    }
    // Drain, so the client sees a clean close.
    let _ = reader.read(&mut [0; 1]);
}

/// Writes the response; returns whether the connection stays open.
fn respond(req: &Request, seen: u64, out: &mut TcpStream) -> bool {
    let head = req.method == "HEAD";
    let path = req.path.split('?').next().unwrap_or("");
    let body =
        |bytes: Vec<u8>, ctype: &str, out: &mut TcpStream| send_file(req, &bytes, ctype, None, out);
    match path {
        "/ok.jpg" => body(jpeg(), "image/jpeg", out),
        "/ok.png" => body(png(), "image/png", out),
        "/ok.mp4" => body(mp4(), "video/mp4", out),
        "/ok.pdf" => body(pdf(), "application/pdf", out),
        "/ok.webp" => body(webp(), "image/webp", out),
        "/png-as-jpeg.jpg" => body(png(), "image/jpeg", out),
        "/big.jpg" => send_file(req, &jpeg(), "image/jpeg", Some(6_000_000), out),
        "/forbidden.jpg" => status(403, "Forbidden", out),
        "/missing.jpg" => status(404, "Not Found", out),
        "/flaky.jpg" if seen == 1 => status(500, "Internal Server Error", out),
        "/flaky.jpg" => body(jpeg(), "image/jpeg", out),
        "/busy.jpg" if seen == 1 => {
            let _ = write!(
                out,
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"
            );
            true
        }
        "/busy.jpg" => body(jpeg(), "image/jpeg", out),
        "/no-head.jpg" if head => status(405, "Method Not Allowed", out),
        "/no-head.jpg" => body(jpeg(), "image/jpeg", out),
        "/no-length.jpg" => {
            // No Content-Length, no Range: the body ends when the connection closes.
            let _ = write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nConnection: close\r\n\r\n"
            );
            if !head {
                let _ = out.write_all(&jpeg());
            }
            false
        }
        "/slow.jpg" => {
            std::thread::sleep(Duration::from_secs(4));
            body(jpeg(), "image/jpeg", out)
        }
        "/moved.jpg" => redirect("/hop.jpg", out),
        "/cookie-then-move.jpg" => {
            let _ = write!(
                out,
                "HTTP/1.1 302 Found\r\nSet-Cookie: session=abc; Path=/\r\nLocation: /hop.jpg\r\nContent-Length: 0\r\n\r\n"
            );
            true
        }
        "/hop.jpg" => redirect("/ok.jpg", out),
        "/loop-a" => redirect("/loop-b", out),
        "/loop-b" => redirect("/loop-a", out),
        p if p.starts_with("/chain/") => {
            let n: u32 = p[7..].parse().unwrap_or(0);
            if n == 0 {
                redirect("/ok.jpg", out)
            } else {
                redirect(&format!("/chain/{}", n - 1), out)
            }
        }
        p if p.starts_with("/b/") => body(jpeg(), "image/jpeg", out),
        _ => status(404, "Not Found", out),
    }
}

fn status(code: u16, reason: &str, out: &mut TcpStream) -> bool {
    write!(out, "HTTP/1.1 {code} {reason}\r\nContent-Length: 0\r\n\r\n").is_ok()
}

fn redirect(to: &str, out: &mut TcpStream) -> bool {
    write!(
        out,
        "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n"
    )
    .is_ok()
}

/// The file, honouring `Range: bytes=0-N`; `claimed` overrides the size the headers state.
fn send_file(
    req: &Request,
    bytes: &[u8],
    ctype: &str,
    claimed: Option<u64>,
    out: &mut TcpStream,
) -> bool {
    let size = claimed.unwrap_or(bytes.len() as u64);
    let head = req.method == "HEAD";
    let result = match req.range_end {
        Some(end) if !head => {
            let part = &bytes[..(end + 1).min(bytes.len())];
            write!(
                out,
                "HTTP/1.1 206 Partial Content\r\nContent-Type: {ctype}\r\nContent-Range: bytes 0-{}/{size}\r\nContent-Length: {}\r\n\r\n",
                part.len() - 1,
                part.len()
            )
            .and_then(|()| out.write_all(part))
        }
        _ => write!(
            out,
            "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {size}\r\n\r\n"
        )
        .and_then(|()| if head { Ok(()) } else { out.write_all(bytes) }),
    };
    // A claimed size larger than the bytes sent cannot be kept alive honestly.
    result.is_ok() && (claimed.is_none() || head || req.range_end.is_some())
}

/// One server for the whole test binary (no delay).
pub fn shared() -> &'static MediaServer {
    static SERVER: std::sync::OnceLock<MediaServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| MediaServer::start(Duration::ZERO))
}
