//! Readers: turn input bytes into walint's model and never judge it. `csv_records` frames
//! CSV, `contacts` reads contact lists, `suppression` reads opt-out lists, and `kind`
//! recognises what a file is by its content.

pub mod contacts;
pub mod csv_records;
pub mod kind;
pub mod suppression;
