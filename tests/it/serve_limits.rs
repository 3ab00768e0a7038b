//! `walint serve` against clients that never finish: idle connections and slow headers
//! closed at the header timeout, the oldest idle connection closed to make room at the
//! connection limit, long heads refused, a form's endless part header refused, uploads
//! that drip cut off at the minimum rate and made to give their place to faster ones, a
//! stop that ends within its deadline whatever is half-sent, private spools and the
//! spools of stopped services removed, and `probe_media` refused when the service probes
//! nothing.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use walint::serve::{ConnectionLimits, Limits, ServeOptions};

use crate::serve::{eventually, half_upload, start};

/// Reads from `stream` until the service closes it (or `within` passes): what it sent.
fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
            Some(String::from_utf8_lossy(&answer).into_owned())
        }
        Err(_) => None,
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    TcpStream::connect(addr).unwrap()
}

fn quick_headers() -> ServeOptions {
    ServeOptions {
        connections: ConnectionLimits {
            header_timeout: Duration::from_millis(300),
            ..ConnectionLimits::default()
        },
        ..ServeOptions::default()
    }
}

#[test]
fn idle_connections_and_slow_headers_are_closed_at_the_header_timeout() {
    let service = start(quick_headers());
    let mut idle = connect(service.addr);
    let mut slow = connect(service.addr);
    slow.write_all(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Ty")
        .unwrap();
    // A keep-alive connection that answered one request and then waits.
    let mut kept = connect(service.addr);
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    for (what, stream) in [
        ("idle", &mut idle),
        ("slow", &mut slow),
        ("kept", &mut kept),
    ] {
        let answer = until_closed(stream, Duration::from_secs(10));
        assert!(answer.is_some(), "the {what} connection is closed");
    }
    assert_eq!(service.get("/healthz").status, 200);
}

#[test]
fn past_the_connection_limit_the_oldest_idle_connection_makes_room() {
    let service = start(ServeOptions {
        connections: ConnectionLimits {
            max_connections: 3,
            header_timeout: Duration::from_secs(60),
            ..ConnectionLimits::default()
        },
        ..ServeOptions::default()
    });
    let mut idle: Vec<TcpStream> = (0..3).map(|_| connect(service.addr)).collect();
    eventually("three connections are open", || {
        // The check's own connection makes a fourth: one idle one has made room for it.
        service.get("/healthz").status == 200
    });
    let closed = idle
        .iter_mut()
        .filter_map(|s| until_closed(s, Duration::from_millis(500)))
        .count();
    assert!(closed >= 1, "an idle connection was closed to make room");
    assert!(service.metric("walint_connections_evicted_total") >= 1.0);
}

#[test]
fn a_request_head_past_its_limit_is_refused() {
    let service = start(ServeOptions::default());
    let mut stream = connect(service.addr);
    // One header line longer than the head may be (the read buffer is larger).
    let long = "a".repeat(100_000);
    let _ = write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: {long}\r\n\r\n"
    );
    let answer = until_closed(&mut stream, Duration::from_secs(10)).expect("closed");
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
}

#[test]
fn a_form_part_header_that_never_ends_is_refused() {
    let service = start(ServeOptions::default());
    let mut stream = connect(service.addr);
    write!(
        stream,
        "POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=xyz\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    let head =
        b"--xyz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.csv\"\r\nX-Long: ";
    let mut sent = 0;
    let mut chunk = head.to_vec();
    // Up to 8 MiB of one header line; the service answers long before.
    while sent < 8 << 20 {
        if write!(stream, "{:x}\r\n", chunk.len()).is_err()
            || stream.write_all(&chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            break;
        }
        sent += chunk.len();
        chunk = vec![b'a'; 16 * 1024];
    }
    let answer = until_closed(&mut stream, Duration::from_secs(10)).expect("answered");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("part's headers"), "{answer}");
}

#[test]
fn an_upload_that_drips_is_cut_off_at_the_minimum_rate() {
    let service = start(ServeOptions {
        limits: Limits {
            min_upload_rate: 1024,
            upload_grace: Duration::from_millis(200),
            ..Limits::default()
        },
        ..ServeOptions::default()
    });
    let mut drip = half_upload(service.addr, "/v1/check", 100_000, b"phone\n");
    let answer = until_closed(&mut drip, Duration::from_secs(20)).expect("answered");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("1024 bytes a second"), "{answer}");
    eventually("the spool is empty", || service.spooled().is_empty());
}

#[test]
fn the_slowest_upload_gives_its_place_to_a_new_one() {
    let service = start(ServeOptions {
        limits: Limits {
            max_receiving: 1,
            ..Limits::default()
        },
        ..ServeOptions::default()
    });
    let mut drip = half_upload(service.addr, "/v1/check", 100_000, b"phone\n");
    eventually("the drip is arriving", || {
        service.metric("walint_uploads_admitted") == 1.0
    });
    // Once it has had a second, the drip is slower than the minimum rate.
    std::thread::sleep(Duration::from_millis(1200));
    let served = service.post("/v1/check", "text/csv", b"phone\n+14155552671\n".to_vec());
    assert_eq!(served.status, 200, "{}", served.text());
    let answer = until_closed(&mut drip, Duration::from_secs(10)).expect("answered");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
}

#[test]
fn a_stop_ends_within_its_deadline_whatever_is_half_sent() {
    let mut service = start(ServeOptions {
        connections: ConnectionLimits {
            header_timeout: Duration::from_secs(600),
            shutdown_timeout: Duration::from_millis(500),
            ..ConnectionLimits::default()
        },
        limits: Limits {
            min_upload_rate: 0,
            ..Limits::default()
        },
        ..ServeOptions::default()
    });
    let _half_body = half_upload(service.addr, "/v1/check", 100_000, b"phone\n");
    let mut half_head = connect(service.addr);
    half_head
        .write_all(b"POST /v1/check HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let _idle = connect(service.addr);
    eventually("the upload is arriving", || {
        service.metric("walint_uploads_admitted") == 1.0
    });
    let took = service.stop();
    assert!(
        took < Duration::from_secs(30),
        "the stop waited {took:?} for clients that never finish"
    );
}

#[cfg(unix)]
#[test]
fn spools_are_private_and_those_of_stopped_services_are_removed() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    // What a service killed mid-upload left behind: its lock is free.
    let stale = parent.path().join("walint-serve-killed");
    std::fs::create_dir_all(stale.join("walint-upload-1")).unwrap();
    std::fs::write(stale.join(".lock"), "").unwrap();
    std::fs::write(
        stale.join("walint-upload-1/list.csv"),
        "phone\n+14155552671\n",
    )
    .unwrap();
    let service = crate::serve::start_in(parent.path(), ServeOptions::default());
    assert!(!stale.exists(), "the stopped service's spool is removed");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&service.own_spool()), 0o700);
    let _held = half_upload(service.addr, "/v1/check", 100_000, b"phone\n+1415");
    eventually("the upload is spooled", || service.spooled().len() == 1);
    let upload = service.spooled().remove(0);
    assert_eq!(mode(&upload), 0o700);
    for file in std::fs::read_dir(&upload).unwrap() {
        assert_eq!(mode(&file.unwrap().path()), 0o600);
    }
}

#[test]
fn probe_media_is_refused_when_the_service_probes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("walint.toml");
    std::fs::write(&config, "[media]\noffline = true\n").unwrap();
    let service = start(ServeOptions {
        config: Some(config),
        ..ServeOptions::default()
    });
    let refused = service.post(
        "/v1/check?probe_media=true",
        "text/csv",
        b"phone\n+14155552671\n".to_vec(),
    );
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert!(refused.text().contains("offline"), "{}", refused.text());
    let plain = service.post("/v1/check", "text/csv", b"phone\n+14155552671\n".to_vec());
    assert_eq!(plain.status, 200);
}

#[test]
fn a_form_whose_boundary_has_capitals_is_read_and_held_to_its_limits() {
    let service = start(ServeOptions::default());
    let mut list = b"phone\n".to_vec();
    while list.len() < 40_000 {
        list.extend_from_slice(b"+14155552671\n");
    }
    // As browsers send it: ----WebKitFormBoundary and mixed case.
    let boundary = "----WebKitFormBoundaryXyZZy123";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(&list);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let answer = service.post("/v1/check", &content_type, form);
    assert_eq!(answer.status, 200, "{}", answer.text());
    // A decoy boundary in another case does not hide an endless part header.
    let mut decoy = b"--aaa\r\n\r\n".to_vec();
    decoy.extend_from_slice(
        b"--AAA\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.csv\"\r\nX: ",
    );
    decoy.extend(std::iter::repeat_n(b'a', 1 << 20));
    let answer = service.post("/v1/check", "multipart/form-data; boundary=AAA", decoy);
    assert_eq!(answer.status, 400, "{}", answer.text());
}

#[test]
fn a_burst_buys_no_long_silence() {
    let service = start(ServeOptions {
        limits: Limits {
            min_upload_rate: 1024,
            upload_grace: Duration::from_millis(300),
            ..Limits::default()
        },
        ..ServeOptions::default()
    });
    let mut burst = b"phone\n".to_vec();
    while burst.len() < 100_000 {
        burst.extend_from_slice(b"+14155552671\n");
    }
    // 100 KB at once would pay for 100 s of silence at 1 KiB/s: it buys a grace only.
    let mut stream = half_upload(service.addr, "/v1/check", 10_000_000, &burst);
    let answer = until_closed(&mut stream, Duration::from_secs(20)).expect("answered");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}
