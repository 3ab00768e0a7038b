//! Reading a line with a bound. The standard library's `read_until` has none, so a file
//! with no line end (`/dev/zero`, a minified dump) would be read whole into memory; here a
//! line is kept up to a limit (the rest skipped, and said so), and a line past a second,
//! larger limit ends the read with an error: no text input has one. The CSV reader and
//! the NDJSON payload reader both read their lines through here.

use std::io::{self, BufRead};

/// Bytes of one line past which the input is taken not to be text: 16 MiB.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// What [`read_line`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRead {
    /// Bytes consumed from the input (0 at the end of the input).
    pub consumed: usize,
    /// Whether the line was longer than the bytes kept (the rest was skipped; its
    /// terminator, if it had one, is still appended).
    pub cut: bool,
}

/// Appends the next line of `input`, up to and including `terminator`, to `out`, keeping
/// at most `keep` bytes of it. A line past [`MAX_LINE_BYTES`] is an `InvalidData` error
/// saying it is not `what` (e.g. "a text contact list").
pub fn read_line(
    input: &mut impl BufRead,
    terminator: u8,
    out: &mut Vec<u8>,
    keep: usize,
    what: &str,
) -> io::Result<LineRead> {
    let start = out.len();
    let mut read = LineRead {
        consumed: 0,
        cut: false,
    };
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(read);
        }
        let (take, done) = match memchr::memchr(terminator, buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = keep.saturating_sub(out.len() - start);
        if take <= room {
            out.extend_from_slice(&buf[..take]);
        } else {
            out.extend_from_slice(&buf[..room]);
            read.cut = true;
            if done {
                out.push(terminator);
            }
        }
        input.consume(take);
        read.consumed += take;
        if done {
            return Ok(read);
        }
        if read.consumed > MAX_LINE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a line longer than 16 MiB: this is not {what}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_kept_up_to_the_bound() {
        let mut input = &b"abcdef\nxy\nlast"[..];
        let mut out = b"prefix".to_vec();
        let read = read_line(&mut input, b'\n', &mut out, 3, "text").unwrap();
        assert_eq!(
            read,
            LineRead {
                consumed: 7,
                cut: true
            }
        );
        assert_eq!(out, b"prefixabc\n");
        out.clear();
        let read = read_line(&mut input, b'\n', &mut out, 3, "text").unwrap();
        assert_eq!(
            (read, out.as_slice()),
            (
                LineRead {
                    consumed: 3,
                    cut: false
                },
                &b"xy\n"[..]
            )
        );
        out.clear();
        let read = read_line(&mut input, b'\n', &mut out, 3, "text").unwrap();
        assert_eq!((read.consumed, out.as_slice()), (4, &b"las"[..]));
        let read = read_line(&mut input, b'\n', &mut out, 3, "text").unwrap();
        assert_eq!(read.consumed, 0);
    }

    #[test]
    fn an_endless_line_is_an_error() {
        let mut zeros =
            io::BufReader::new(io::Read::take(io::repeat(0), (MAX_LINE_BYTES * 2) as u64));
        let mut out = Vec::new();
        let e = read_line(&mut zeros, b'\n', &mut out, 10, "a payload file").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("not a payload file"), "{e}");
        assert_eq!(out.len(), 10);
    }
}
