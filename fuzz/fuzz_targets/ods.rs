//! Any bytes as an .ods workbook: the container itself, or (odd mode byte) its
//! content.xml in a well-formed container.
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
    workbook::read(&workbooks::ods(body(rest.to_vec())));
});
