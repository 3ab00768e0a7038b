//! Any bytes as an .xls workbook: the OLE compound file itself, or (odd mode byte) its
//! Workbook stream of BIFF8 records in a well-formed compound file.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "workbook.rs"]
mod workbook;

use workbook::workbooks;

fuzz_target!(init: workbook::quiet_panics(), |data: &[u8]| {
    let Some((assembled, rest)) = workbook::mode(data) else {
        return;
    };
    if !assembled {
        return workbook::read(rest);
    }
    // One FAT sector holds at most 126 stream sectors.
    let stream = &rest[..rest.len().min(126 * 512)];
    workbook::read(&workbooks::cfb(stream, None));
});
