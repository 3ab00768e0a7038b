//! The reader process's answer, as bytes on its standard output: a frame per message —
//! its processor-time budget, the sheet it reads, each row, then the end or why it failed.
//! Both sides are here so they cannot drift apart. The reading side trusts nothing: every
//! length is checked against the limits before anything is allocated, so even a reader
//! process gone wrong cannot make walint hold more than one row's bytes.
//!
//! Layout (integers little-endian): `B` u32 seconds; `S` u32 length, name; `R` u64 row
//! number, u8 fault, u32 cells, then each cell as u32 length and UTF-8 bytes; `E` (end of
//! the sheet); `F` u32 length, message (the workbook cannot be read).

use std::io::{self, BufRead, Read, Write};

use super::workbook::MAX_COLUMNS;
use super::{SheetFault, SheetRow};

/// A message from the reader process.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Frame {
    /// The processor time it may use, in seconds (sent before it reads the sheet).
    Budget(u32),
    /// The name of the sheet it reads.
    Sheet(String),
    /// A row.
    Row(SheetRow),
    /// The sheet ended.
    End,
    /// The workbook cannot be read, and why.
    Failed(String),
}

/// The longest sheet name or message taken (Excel's names have at most 31 characters).
const MAX_TEXT: usize = 64 * 1024;

/// Writes a frame.
pub(super) fn write(out: &mut impl Write, frame: &Frame) -> io::Result<()> {
    match frame {
        Frame::Budget(seconds) => {
            out.write_all(b"B")?;
            out.write_all(&seconds.to_le_bytes())
        }
        Frame::Sheet(name) => text(out, b'S', name),
        Frame::Row(row) => {
            out.write_all(b"R")?;
            out.write_all(&row.number.to_le_bytes())?;
            out.write_all(&[fault_byte(row.fault)])?;
            out.write_all(&length(row.cells.len())?.to_le_bytes())?;
            for cell in &row.cells {
                out.write_all(&length(cell.len())?.to_le_bytes())?;
                out.write_all(cell.as_bytes())?;
            }
            Ok(())
        }
        Frame::End => out.write_all(b"E"),
        Frame::Failed(why) => {
            let cut = why
                .char_indices()
                .nth(MAX_TEXT / 4)
                .map_or(why.len(), |(i, _)| i);
            text(out, b'F', &why[..cut])
        }
    }
}

fn text(out: &mut impl Write, tag: u8, value: &str) -> io::Result<()> {
    out.write_all(&[tag])?;
    out.write_all(&length(value.len())?.to_le_bytes())?;
    out.write_all(value.as_bytes())
}

fn length(n: usize) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| io::Error::other("a frame too long to send"))
}

fn fault_byte(fault: Option<SheetFault>) -> u8 {
    match fault {
        None => 0,
        Some(SheetFault::PastLastColumn) => 1,
        Some(SheetFault::PastLastRow) => 2,
        Some(SheetFault::TooLong) => 3,
    }
}

/// Reads the next frame; `None` when the stream ends between frames. A row's cells may
/// hold at most `row_bytes` bytes in all (the limit the reader process was given).
pub(super) fn read(input: &mut impl BufRead, row_bytes: usize) -> io::Result<Option<Frame>> {
    let mut tag = [0u8; 1];
    if input.fill_buf()?.is_empty() {
        return Ok(None);
    }
    input.read_exact(&mut tag)?;
    Ok(Some(match tag[0] {
        b'B' => Frame::Budget(u32_from(input)?),
        b'S' => Frame::Sheet(read_text(input, MAX_TEXT)?),
        b'F' => Frame::Failed(read_text(input, MAX_TEXT)?),
        b'E' => Frame::End,
        b'R' => {
            let mut number = [0u8; 8];
            input.read_exact(&mut number)?;
            let mut fault = [0u8; 1];
            input.read_exact(&mut fault)?;
            let fault = match fault[0] {
                0 => None,
                1 => Some(SheetFault::PastLastColumn),
                2 => Some(SheetFault::PastLastRow),
                3 => Some(SheetFault::TooLong),
                _ => return Err(malformed()),
            };
            let count = u32_from(input)? as usize;
            if count > MAX_COLUMNS {
                return Err(malformed());
            }
            let mut cells = Vec::with_capacity(count);
            let mut left = row_bytes;
            for _ in 0..count {
                let cell = read_text(input, left)?;
                left = left.saturating_sub(cell.len() + 1);
                cells.push(cell);
            }
            Frame::Row(SheetRow {
                number: u64::from_le_bytes(number),
                cells,
                fault,
            })
        }
        _ => return Err(malformed()),
    }))
}

fn u32_from(input: &mut impl Read) -> io::Result<u32> {
    let mut bytes = [0u8; 4];
    input.read_exact(&mut bytes)?;
    Ok(u32::from_le_bytes(bytes))
}

/// A length-prefixed UTF-8 text of at most `most` bytes.
fn read_text(input: &mut impl Read, most: usize) -> io::Result<String> {
    let n = u32_from(input)? as usize;
    if n > most {
        return Err(malformed());
    }
    let mut bytes = vec![0u8; n];
    input.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(|_| malformed())
}

fn malformed() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the spreadsheet reader's answer is malformed",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(frame: Frame, row_bytes: usize) -> io::Result<Option<Frame>> {
        let mut bytes = Vec::new();
        write(&mut bytes, &frame).unwrap();
        read(&mut bytes.as_slice(), row_bytes)
    }

    #[test]
    fn frames_read_back_as_written() {
        let row = SheetRow {
            number: 7,
            cells: vec!["Asha".into(), String::new(), "+919876543210".into()],
            fault: None,
        };
        for frame in [
            Frame::Budget(12),
            Frame::Sheet("Kunden".into()),
            Frame::Row(row.clone()),
            Frame::Row(SheetRow {
                number: 9,
                cells: Vec::new(),
                fault: Some(SheetFault::TooLong),
            }),
            Frame::End,
            Frame::Failed("no sheet 'x'".into()),
        ] {
            let shown = format!("{frame:?}");
            assert_eq!(
                round_trip(frame, 1024).unwrap().map(|f| format!("{f:?}")),
                Some(shown)
            );
        }
        assert_eq!(read(&mut &b""[..], 1024).unwrap(), None);
    }

    #[test]
    fn lengths_past_the_limits_are_refused_before_allocating() {
        let long = SheetRow {
            number: 1,
            cells: vec!["x".repeat(600), "y".repeat(600)],
            fault: None,
        };
        assert!(round_trip(Frame::Row(long), 1000).is_err());
        let mut lying = b"R".to_vec();
        lying.extend(1u64.to_le_bytes());
        lying.push(0);
        lying.extend(u32::MAX.to_le_bytes());
        assert!(read(&mut lying.as_slice(), 1 << 20).is_err());
        let mut huge = b"S".to_vec();
        huge.extend(u32::MAX.to_le_bytes());
        assert!(read(&mut huge.as_slice(), 1 << 20).is_err());
        assert!(read(&mut &b"Q"[..], 1 << 20).is_err());
        // A stream cut inside a frame is an error, not an end.
        assert!(read(&mut &b"R\x01\x00"[..], 1 << 20).is_err());
    }
}
