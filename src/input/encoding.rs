//! Text encodings of contact files: what a file is written in, and reading it as UTF-8.
//!
//! A file is read as the encoding it states or is stated in, in this order:
//! 1. a UTF-16 byte order mark (Excel's "Unicode text" export), which wins over a stated
//!    encoding as in WHATWG decoding;
//! 2. `--encoding LABEL` (any WHATWG label: `windows-1252`, `latin1`, `utf-16le`, `shift_jis`…);
//!    with neither, a file whose first two bytes are an ASCII character and a NUL is
//!    UTF-16 LE (the reverse, BE);
//! 3. UTF-8 (a UTF-8 byte order mark is the CSV framing's to skip and keep), with a
//!    fallback: a file whose first line that is not plain ASCII is not valid UTF-8 either
//!    is a legacy single-byte file (Excel's "CSV" export on Windows writes Windows-1252),
//!    and is read as Windows-1252 from that line on. The lines before it are plain ASCII,
//!    which reads the same in both, so no line is read two ways. A file that has valid
//!    UTF-8 first and invalid bytes later is a damaged UTF-8 file: its bad rows are reported
//!    (WAC000), not guessed at.
//!
//! Bytes that are not valid in a decoded file's encoding (a broken Shift_JIS sequence, an
//! unpaired UTF-16 surrogate) come out as U+FFFD, and the record holding one is unreadable
//! (WAC000); `walint fix` then writes that row to the rejects with the character in its
//! place. Decoding is lossless for the encodings Excel writes (every Windows-1252 byte has a
//! character in the WHATWG index, so encoding the text back gives the same bytes), which
//! is what lets `walint fix` write a legacy file's rows back byte for byte
//! ([`TextEncoding::encode`]). The crate is `encoding_rs`, Firefox's decoder.

use std::io::{self, BufRead, Read};
use std::sync::{Arc, OnceLock};

use encoding_rs::{Decoder, Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The encoding a file was read in, when it is not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEncoding {
    /// The encoding.
    pub encoding: &'static Encoding,
    /// Whether the file started with its byte order mark (UTF-16), which outputs keep.
    pub bom: bool,
}

impl TextEncoding {
    /// Encodes UTF-8 text (a row as read, or walint's own cells) back into this encoding.
    /// Text that did not come from this encoding may hold characters it cannot write:
    /// encoding_rs writes those as HTML numeric references (`&#8594;`).
    pub fn encode(&self, utf8: &[u8], out: &mut Vec<u8>) {
        let text = String::from_utf8_lossy(utf8);
        if self.encoding == UTF_16LE {
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        } else if self.encoding == UTF_16BE {
            out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        } else {
            out.extend_from_slice(&self.encoding.encode(&text).0);
        }
    }

    /// The byte order mark outputs start with (empty unless the input had one).
    pub fn bom(&self) -> &'static [u8] {
        match (self.bom, self.encoding) {
            (true, e) if e == UTF_16LE => b"\xFF\xFE",
            (true, e) if e == UTF_16BE => b"\xFE\xFF",
            _ => b"",
        }
    }
}

/// The encoding a file turned out to be in, shared with the writers of its rows: unset
/// while the file reads as UTF-8; set once, when the file is opened (a stated or marked
/// encoding) or at the line that makes it a legacy file.
pub type EncodingSeen = Arc<OnceLock<TextEncoding>>;

/// Parses an encoding label (`--encoding`, `encoding` in walint.toml), as WHATWG labels go.
pub fn from_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// A byte stream read as UTF-8: as it is (UTF-8, possibly with the legacy fallback applied
/// line by line, see [`Fallback`]), or decoded from the encoding it is in.
pub enum TextInput<R> {
    /// UTF-8 or taken for it: bytes pass through untouched.
    Utf8(R),
    /// Another encoding, decoded as the bytes are read.
    Decoded(Box<DecodeReader<R>>),
}

impl<R: BufRead> TextInput<R> {
    /// Opens `inner` in the `stated` encoding, or the one its first bytes show (UTF-16);
    /// `seen` is set when that is not UTF-8. Returns whether lines must still be watched
    /// for the legacy fallback (UTF-8 not stated).
    pub fn open(
        mut inner: R,
        stated: Option<&'static Encoding>,
        seen: &EncodingSeen,
    ) -> io::Result<(TextInput<R>, bool)> {
        let head = inner.fill_buf()?;
        let marked = match head {
            [0xFF, 0xFE, ..] => Some((UTF_16LE, true)),
            [0xFE, 0xFF, ..] => Some((UTF_16BE, true)),
            [a, 0, ..] if a.is_ascii() && *a != 0 => Some((UTF_16LE, false)),
            [0, b, ..] if b.is_ascii() && *b != 0 => Some((UTF_16BE, false)),
            _ => None,
        };
        // A byte order mark wins over a stated encoding, as in WHATWG decoding.
        let (encoding, bom) = match (stated, marked) {
            (_, Some((m, true))) => (m, true),
            (Some(e), _) => (e, false),
            (None, Some(marked)) => marked,
            (None, None) => return Ok((TextInput::Utf8(inner), true)),
        };
        if encoding == UTF_8 {
            return Ok((TextInput::Utf8(inner), false));
        }
        if bom {
            inner.consume(2);
        }
        let _ = seen.set(TextEncoding { encoding, bom });
        let reader = DecodeReader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            out: vec![0; 1 << 16].into_boxed_slice(),
            start: 0,
            end: 0,
            done: false,
        };
        Ok((TextInput::Decoded(Box::new(reader)), false))
    }
}

impl<R> TextInput<R> {
    /// Whether the text is decoded from another encoding (so a U+FFFD in it stands for
    /// bytes that were not valid there).
    pub fn is_decoded(&self) -> bool {
        matches!(self, TextInput::Decoded(_))
    }
}

impl<R: BufRead> Read for TextInput<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for TextInput<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            TextInput::Utf8(r) => r.fill_buf(),
            TextInput::Decoded(d) => d.fill_buf(),
        }
    }

    fn consume(&mut self, n: usize) {
        match self {
            TextInput::Utf8(r) => r.consume(n),
            TextInput::Decoded(d) => d.start = (d.start + n).min(d.end),
        }
    }
}

/// A stream in another encoding, decoded to UTF-8 a buffer at a time.
pub struct DecodeReader<R> {
    inner: R,
    decoder: Decoder,
    out: Box<[u8]>,
    start: usize,
    end: usize,
    done: bool,
}

impl<R: BufRead> DecodeReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.start == self.end && !self.done {
            let src = self.inner.fill_buf()?;
            let last = src.is_empty();
            let (_, read, written, _) = self.decoder.decode_to_utf8(src, &mut self.out, last);
            self.inner.consume(read);
            self.start = 0;
            self.end = written;
            self.done = last;
        }
        Ok(&self.out[self.start..self.end])
    }
}

/// The legacy fallback of a file read as UTF-8, applied one physical line at a time.
#[derive(Debug, Clone)]
pub struct Fallback {
    state: Watch,
    seen: EncodingSeen,
    /// The decoded line, swapped with the line read (both buffers are reused).
    scratch: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Watch {
    /// Every line so far was plain ASCII.
    Ascii,
    /// A line was valid UTF-8 beyond ASCII: the file is UTF-8 (or damaged UTF-8).
    Utf8,
    /// A line was neither: the file is Windows-1252 from there on.
    Legacy,
    /// The encoding was stated or marked: nothing to watch.
    Off,
}

impl Fallback {
    /// A fallback that watches (`watch`) or not, reporting into `seen`.
    pub fn new(watch: bool, seen: EncodingSeen) -> Fallback {
        let state = if watch { Watch::Ascii } else { Watch::Off };
        Fallback {
            state,
            seen,
            scratch: Vec::new(),
        }
    }

    /// Takes one physical line as read; decodes it in place when the file is a legacy one.
    /// Returns the encoding assumed when this line is the one that decided it.
    pub fn line(&mut self, line: &mut Vec<u8>) -> Option<&'static Encoding> {
        match self.state {
            Watch::Utf8 | Watch::Off => None,
            _ if line.is_ascii() => None,
            Watch::Ascii if std::str::from_utf8(line).is_ok() => {
                self.state = Watch::Utf8;
                None
            }
            Watch::Ascii => {
                self.state = Watch::Legacy;
                let _ = self.seen.set(TextEncoding {
                    encoding: WINDOWS_1252,
                    bom: false,
                });
                decode_into(line, &mut self.scratch);
                Some(WINDOWS_1252)
            }
            Watch::Legacy => {
                decode_into(line, &mut self.scratch);
                None
            }
        }
    }
}

/// Replaces a Windows-1252 line with its UTF-8 text (each byte is at most 3 in UTF-8).
fn decode_into(line: &mut Vec<u8>, scratch: &mut Vec<u8>) {
    scratch.clear();
    scratch.resize(line.len() * 3, 0);
    let mut decoder = WINDOWS_1252.new_decoder_without_bom_handling();
    let (_, _, written, _) = decoder.decode_to_utf8(line, scratch, true);
    scratch.truncate(written);
    std::mem::swap(line, scratch);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], stated: Option<&'static Encoding>) -> (String, Option<TextEncoding>) {
        let seen = EncodingSeen::default();
        let (mut input, watch) = TextInput::open(bytes, stated, &seen).unwrap();
        let mut fallback = Fallback::new(watch, seen.clone());
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            if input.read_until(b'\n', &mut line).unwrap() == 0 {
                break;
            }
            fallback.line(&mut line);
            out.extend(line);
        }
        (
            String::from_utf8_lossy(&out).into_owned(),
            seen.get().copied(),
        )
    }

    #[test]
    fn utf16_with_and_without_a_mark() {
        let text = "phone\tname\n+14155552671\tZoë\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let marked = [&b"\xFF\xFE"[..], &le].concat();
        assert_eq!(
            read(&marked, None),
            (
                text.to_string(),
                Some(TextEncoding {
                    encoding: UTF_16LE,
                    bom: true
                })
            )
        );
        assert_eq!(read(&le, None).0, text);
        assert_eq!(read(&[&b"\xFE\xFF"[..], &be].concat(), None).0, text);
        assert_eq!(read(&be, None).1.unwrap().encoding, UTF_16BE);
    }

    #[test]
    fn legacy_fallback_from_the_first_line_that_is_not_utf8() {
        let (text, seen) = read(b"phone,name\n+1,Ann\n+2,Zo\xEB\n+3,\x93q\x94\n", None);
        assert_eq!(text, "phone,name\n+1,Ann\n+2,Zoë\n+3,\u{201C}q\u{201D}\n");
        assert_eq!(seen.unwrap().encoding, WINDOWS_1252);
        // Valid UTF-8 first: a damaged UTF-8 file, its bad bytes are left for WAC000.
        let (text, seen) = read(b"phone,name\n+1,Zo\xC3\xAB\n+2,Zo\xEB\n", None);
        assert_eq!(
            (text.as_str(), seen),
            ("phone,name\n+1,Zoë\n+2,Zo\u{FFFD}\n", None)
        );
        // Stated: no watching.
        let (text, seen) = read(b"a,Zo\xEB\n", Some(WINDOWS_1252));
        assert_eq!((text.as_str(), seen.unwrap().bom), ("a,Zoë\n", false));
    }

    #[test]
    fn encoding_back_gives_the_same_bytes() {
        let every_byte: Vec<u8> = (1..=255u8).filter(|b| *b != b'\n').collect();
        let text = WINDOWS_1252.decode_without_bom_handling(&every_byte).0;
        let mut back = Vec::new();
        TextEncoding {
            encoding: WINDOWS_1252,
            bom: false,
        }
        .encode(text.as_bytes(), &mut back);
        assert_eq!(back, every_byte);
    }
}
