//! Any bytes as a contact list: the CSV reader (encodings, quoting, line ends, header
//! detection) and every contact rule.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::check_file("contacts.csv", data, None, &Default::default());
});
