//! Any text as a media link: link parsing, redaction and the address filter (for a link
//! whose host is an IP address literal, and for the text read as an address).
#![no_main]

use libfuzzer_sys::fuzz_target;
use walint::media::{address, host_of, redacted};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = redacted(text);
    if let Some(host) = host_of(text) {
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse() {
            let _ = address::non_public(ip);
        }
    }
    if let Ok(ip) = text.parse() {
        let _ = address::non_public(ip);
    }
});
