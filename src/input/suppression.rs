//! Suppression (opt-out) lists: reads a file of numbers that must never be messaged into a
//! set of E.164 keys. A file whose header names a phone column is read as CSV; anything
//! else as one number per line (blank lines and `#` comments skipped). An entry that is
//! not a phone number stops the run with its file and line: a silently skipped opt-out
//! would message someone who said stop.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use rustc_hash::FxHashSet;

use super::contacts::{ColumnChoice, ContactReader, ContactRow, recognise_phone_column};
use super::csv_records::{Record, RecordReader};
use crate::error::Error;
use crate::phone::{self, RegionCode};

/// Reads one suppression list into `set`.
pub fn read_into(
    path: &Path,
    default_region: Option<RegionCode>,
    set: &mut FxHashSet<u64>,
) -> Result<(), Error> {
    let shown = path.display().to_string();
    let io = |source| Error::Io {
        path: shown.clone(),
        source,
    };
    let open = || File::open(path).map(BufReader::new).map_err(io);
    let mut header = Record::default();
    let is_csv = RecordReader::new(open()?, None)
        .and_then(|mut r| r.read(&mut header))
        .map_err(io)?
        && recognise_phone_column(&header.fields_lossy()).is_some();
    let add = |set: &mut FxHashSet<u64>, text: &str, line: u64| {
        let number = phone::analyse(text, default_region).number.map_err(|why| {
            Error::input(
                &shown,
                Some(line),
                format!(
                    "suppression entry is not a phone number: {}",
                    why.describe()
                ),
            )
        })?;
        set.insert(number.key);
        Ok::<(), Error>(())
    };
    if is_csv {
        let mut reader = ContactReader::open(&shown, open()?, &ColumnChoice::default())?;
        let mut row = ContactRow::default();
        while reader.read_row(&mut row).map_err(io)? {
            if let Some(fault) = &row.fault {
                return Err(Error::input(&shown, Some(row.line), fault.describe()));
            }
            if !row.phone.trim().is_empty() {
                add(set, &row.phone, row.line)?;
            }
        }
    } else {
        for (i, line) in open()?.lines().enumerate() {
            let line = line.map_err(io)?;
            let entry = line.trim().trim_start_matches('\u{feff}');
            if !entry.is_empty() && !entry.starts_with('#') {
                add(set, entry, i as u64 + 1)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(content: &str) -> Result<FxHashSet<u64>, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("optouts.txt");
        std::fs::write(&path, content).unwrap();
        let mut set = FxHashSet::default();
        read_into(&path, RegionCode::parse("IN"), &mut set)?;
        Ok(set)
    }

    #[test]
    fn plain_list_and_csv() {
        let set = read("# opt-outs\n+919876543210\n\n+44 7911 123456\n").unwrap();
        assert!(set.contains(&919876543210) && set.contains(&447911123456));
        let set = read("name,phone\nA,09876543210\n").unwrap();
        assert!(set.contains(&919876543210));
    }

    #[test]
    fn a_bad_entry_names_its_line() {
        let e = read("+919876543210\nnot a number\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("optouts.txt:2: suppression entry is not a phone number"),
            "{e}"
        );
    }
}
