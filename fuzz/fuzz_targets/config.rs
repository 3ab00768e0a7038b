//! Any text as walint.toml: the config parser and its validation (regions, rule codes,
//! numeric ranges, campaigns).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use walint::config::Config;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Config::parse("walint.toml", text, Path::new("/nonexistent"));
    }
});
