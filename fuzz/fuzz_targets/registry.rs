//! Any bytes as a template registry: the registry reader and every WAR rule.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    // A JSON document is recognised as a registry when it names no `messaging_product`.
    if data.windows(19).any(|w| w == b"\"messaging_product\"") {
        return;
    }
    common::check_file("registry.json", data, None, &Default::default());
});
