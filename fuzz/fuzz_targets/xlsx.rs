//! Any bytes as an .xlsx workbook: the container itself, or (odd mode byte) its sheet XML
//! and shared strings in a well-formed container.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "workbook.rs"]
mod workbook;

use workbook::{body, workbooks};

fuzz_target!(init: workbook::quiet_panics(), |data: &[u8]| {
    let Some((assembled, rest)) = workbook::mode(data) else {
        return;
    };
    if !assembled {
        return workbook::read(rest);
    }
    let mut parts = workbook::parts(rest).into_iter();
    let sheet = parts.next().unwrap_or_default();
    let shared = parts
        .next()
        .map(|strings| -> workbooks::Part { ("xl/sharedStrings.xml", body(strings)) });
    workbook::read(&workbooks::xlsx(body(sheet), shared));
});
