//! A scripted Graph API for the `registry pull` tests: a real HTTP/1.1 server on
//! 127.0.0.1 (an ephemeral port), plain `std::net` and a thread per connection, one
//! request per connection. Each test gives it a script (the answer to a request target,
//! knowing how many times that target was asked for); it records every request's target
//! and `Authorization` header.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A request the server got.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Path and query, as sent.
    pub target: String,
    /// The Authorization header, if any.
    pub authorization: Option<String>,
}

/// An answer: status, extra headers, body.
#[derive(Clone)]
pub struct Reply(pub u16, pub Vec<(&'static str, String)>, pub String);

/// What the script is told of a request: its target and how many times (counting this
/// one) that target was asked for.
pub type Script = dyn Fn(&str, usize) -> Reply + Send + Sync;

/// The scripted Graph API.
pub struct Graph {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Graph {
    /// Starts the server with its script.
    pub fn start(script: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Graph {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let script: Arc<Script> = Arc::new(script);
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (log, script) = (Arc::clone(&log), Arc::clone(&script));
                std::thread::spawn(move || serve(stream, &log, &*script));
            }
        });
        Graph { addr, seen }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Requests whose target contains `part`.
    pub fn hits(&self, part: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.target.contains(part))
            .count()
    }
}

/// Answers one request per connection (`Connection: close`).
fn serve(stream: TcpStream, log: &Mutex<Vec<Seen>>, script: &Script) {
    let mut out = stream.try_clone().expect("clone stream");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut authorization = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("authorization")
        {
            authorization = Some(value.trim().to_string());
        }
    }
    let nth = {
        let mut log = log.lock().unwrap();
        log.push(Seen {
            target: target.clone(),
            authorization,
        });
        log.iter().filter(|s| s.target == target).count()
    };
    let Reply(status, headers, body) = script(&target, nth);
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let _ = out.write_all(format!("{head}\r\n{body}").as_bytes());
}
