//! Any bytes as message payloads (a JSON document, then NDJSON lines) checked against the
//! demo registry: the payload reader and every payload rule.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let registry = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/demo/registry.json");
    common::check_file("payload.json", data, Some(&registry), &Default::default());
    common::check_file("payloads.ndjson", data, Some(&registry), &Default::default());
});
