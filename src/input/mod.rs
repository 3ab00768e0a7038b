//! Readers: turn input bytes into walint's model and never judge it. `bounded` reads a
//! line with a size limit, `csv_records` frames
//! CSV, `encoding` reads a file's text encoding (UTF-16, legacy Windows-1252) as UTF-8,
//! `spreadsheet` reads Excel and OpenDocument sheets as rows, `contacts` reads contact lists (`country` reads a row's country cell), `suppression` reads opt-out lists, `payloads` reads
//! message payloads (JSON, arrays, NDJSON), `registry` reads template registries,
//! `json_locate` turns a JSON pointer into a line and column, `kind` recognises what a
//! file is by its content, and `quoted` says what an error message may quote of an input.

pub mod bounded;
pub mod contacts;
pub mod country;
pub mod csv_records;
pub mod encoding;
pub mod json_locate;
pub mod kind;
pub mod payloads;
pub mod quoted;
pub mod registry;
pub mod spreadsheet;
pub mod suppression;
