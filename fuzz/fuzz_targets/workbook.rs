//! What the spreadsheet targets share: a workbook's bytes read as walint reads a contact
//! list's sheet — surveyed, opened by calamine, every row read with walint's limits — in
//! this process (the fuzzer sees calamine's code; `walint` itself reads workbooks in a
//! process of their own, which `scripts/replay-workbooks` runs the findings through).
//! The fuzzer's bytes either are the whole container (mode byte even) or fill its parts
//! (odd): the workbook generators of the tests (`tests/it/workbooks.rs`) build the rest.

#![allow(dead_code)]

use std::io::{Seek, Write};

use walint::input::spreadsheet::{SheetLimits, SheetRows};

#[path = "../../tests/it/workbooks.rs"]
pub mod workbooks;

/// A panic in calamine unwinds the reading thread only, which walint reports as an
/// unreadable workbook (in the `walint` binary the reader is a process of its own, and a
/// panic ends it with the same report): not a crash of walint's. libFuzzer's hook would
/// abort on any panic, so the targets set a silent one; what is left to find is what
/// would take a process down (an allocation that fails, a stack overflow) or never end.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}

/// Splits the fuzzer's bytes into its mode byte and the rest; `None` when empty.
pub fn mode(data: &[u8]) -> Option<(bool, &[u8])> {
    let (&first, rest) = data.split_first()?;
    Some((first & 1 == 1, rest))
}

/// The parts of `data`, split at each `\n--\n`.
pub fn parts(data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(4).position(|w| w == b"\n--\n") {
        out.push(rest[..at].to_vec());
        rest = &rest[at + 4..];
    }
    out.push(rest.to_vec());
    out
}

/// Bytes as a one-chunk part body.
pub fn body(bytes: Vec<u8>) -> Box<dyn Iterator<Item = Vec<u8>>> {
    Box::new(std::iter::once(bytes))
}

/// Reads the first sheet of the workbook `bytes` to its end (or its first error). With
/// `WALINT_FUZZ_WORKBOOKS=DIR` set, writes the workbook into DIR instead (named by its
/// SHA-256), for `scripts/replay-workbooks` to run through the `walint` binary.
pub fn read(bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("WALINT_FUZZ_WORKBOOKS") {
        use sha2::Digest;
        let name: String = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        std::fs::write(std::path::Path::new(&dir).join(name), bytes).expect("write the workbook");
        return;
    }
    let mut file = tempfile::tempfile().expect("a temporary file");
    file.write_all(bytes).expect("the workbook");
    file.rewind().expect("rewind");
    let limits = SheetLimits::default();
    if let Ok(mut rows) = SheetRows::open("fuzz.xlsx", file, None, &limits) {
        while let Ok(Some(_)) = rows.next_row() {}
    }
}
