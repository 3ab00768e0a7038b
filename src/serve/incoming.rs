//! What an upload's body is held to as it arrives, before any parser sees it: its pace
//! ([`Paced`]: after a grace period it must keep `--min-upload-rate`, or it is cut off
//! with 408 — a client that drips a byte every few seconds holds nothing for long), and,
//! for a `multipart/form-data` form, the size of what comes before its first part and of
//! each part's headers ([`FormHeads`]: the form parser holds those whole until their end,
//! so an endless one would take the service's memory; past [`MAX_PART_HEAD_BYTES`] the
//! form is refused with 400).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use http_body::{Body as HttpBody, Frame, SizeHint};
use memchr::memmem;
use tokio::time::Sleep;

use super::admission::Arrival;

/// The most bytes of a form's preamble (before its first boundary) and of one part's
/// headers: browsers send a few hundred bytes.
pub const MAX_PART_HEAD_BYTES: usize = 16 * 1024;

/// Why a body stopped arriving, when it was one of ours.
#[derive(Debug, Default)]
pub(super) struct Stopped(AtomicU8);

impl Stopped {
    const SLOW: u8 = 1;
    const HEAD: u8 = 2;

    /// It fell behind the minimum pace.
    pub(super) fn slow(&self) -> bool {
        self.0.load(Ordering::Acquire) == Self::SLOW
    }

    /// A form's preamble or a part's headers ran past their limit.
    pub(super) fn long_head(&self) -> bool {
        self.0.load(Ordering::Acquire) == Self::HEAD
    }

    fn set(&self, why: u8) -> axum::Error {
        self.0.store(why, Ordering::Release);
        axum::Error::new(match why {
            Self::SLOW => "the upload fell behind the minimum rate",
            _ => "a form part's headers are too long",
        })
    }
}

/// A body that must keep a pace: the next bytes are due by the time the arrival's pace
/// says, else the body ends with an error (and `stopped` says it was too slow). Every
/// byte is counted into the arrival, which the admission reads to pick the slowest.
pub(super) struct Paced {
    inner: Body,
    arrival: Arc<Arrival>,
    rate: u64,
    due: Pin<Box<Sleep>>,
    stopped: Arc<Stopped>,
}

impl Paced {
    pub(super) fn new(
        inner: Body,
        arrival: Arc<Arrival>,
        rate: u64,
        stopped: Arc<Stopped>,
    ) -> Paced {
        let due = Box::pin(tokio::time::sleep_until(arrival.due(rate)));
        Paced {
            inner,
            arrival,
            rate,
            due,
            stopped,
        }
    }
}

impl HttpBody for Paced {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.arrival.add(data.len() as u64);
                    let due = this.arrival.due(this.rate);
                    this.due.as_mut().reset(due);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => match this.due.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(this.stopped.set(Stopped::SLOW)))),
                Poll::Pending => Poll::Pending,
            },
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Where a form's bytes are, for [`FormHeads`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Before the first boundary: bytes counted so far.
    Preamble(usize),
    /// Just after a boundary: `--` closes the form, else a part's headers follow.
    Boundary,
    /// In a part's headers: bytes counted so far.
    Headers(usize),
    /// In a part's body, looking for the next boundary.
    Body,
    /// After the closing boundary.
    Done,
}

/// A form body whose preamble and part headers are measured as they pass: each must end
/// (the first boundary, the blank line after a part's headers) within
/// [`MAX_PART_HEAD_BYTES`], else the body ends with an error (and `stopped` says why).
/// The bytes themselves pass unchanged.
pub(super) struct FormHeads {
    inner: Body,
    /// `\r\n--boundary`: what ends a part's body.
    delimiter: Vec<u8>,
    place: Place,
    /// The last bytes seen, which may be the start of a delimiter or `\r\n\r\n` cut by a
    /// frame's end.
    carry: Vec<u8>,
    stopped: Arc<Stopped>,
}

impl FormHeads {
    pub(super) fn new(inner: Body, boundary: &str, stopped: Arc<Stopped>) -> FormHeads {
        let mut delimiter = b"\r\n--".to_vec();
        delimiter.extend(boundary.as_bytes());
        // The first boundary may open the body, with no line before it.
        FormHeads {
            inner,
            delimiter,
            place: Place::Preamble(0),
            carry: b"\r\n".to_vec(),
            stopped,
        }
    }

    /// Follows `data` through the form; `false` once a head is too long.
    fn follow(&mut self, data: &[u8]) -> bool {
        let mut seen = std::mem::take(&mut self.carry);
        seen.extend_from_slice(data);
        let mut at = 0;
        loop {
            let rest = &seen[at..];
            // What ends this place, and the place after it.
            let (end, next) = match self.place {
                Place::Done => {
                    at = seen.len();
                    break;
                }
                Place::Boundary => {
                    if rest.len() < 2 {
                        break;
                    }
                    self.place = if rest.starts_with(b"--") {
                        Place::Done
                    } else {
                        Place::Headers(0)
                    };
                    continue;
                }
                Place::Preamble(_) | Place::Body => (&self.delimiter[..], Place::Boundary),
                Place::Headers(_) => (&b"\r\n\r\n"[..], Place::Body),
            };
            let counted = match self.place {
                Place::Preamble(n) | Place::Headers(n) => Some(n),
                _ => None,
            };
            match memmem::find(rest, end) {
                Some(i) => {
                    if counted.is_some_and(|n| n + i > MAX_PART_HEAD_BYTES) {
                        return false;
                    }
                    at += i + end.len();
                    self.place = next;
                }
                None => {
                    // Keep what could be the start of `end`, cut by the frame's end.
                    let keep = (end.len() - 1).min(rest.len());
                    let passed = rest.len() - keep;
                    if let Some(n) = counted {
                        let n = n + passed;
                        if n > MAX_PART_HEAD_BYTES {
                            return false;
                        }
                        self.place = match self.place {
                            Place::Preamble(_) => Place::Preamble(n),
                            _ => Place::Headers(n),
                        };
                    }
                    at += passed;
                    break;
                }
            }
        }
        self.carry = seen.split_off(at);
        true
    }
}

impl HttpBody for FormHeads {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref()
                    && !this.follow(data)
                {
                    return Poll::Ready(Some(Err(this.stopped.set(Stopped::HEAD))));
                }
                Poll::Ready(Some(Ok(frame)))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads() -> FormHeads {
        FormHeads::new(Body::empty(), "xyz", Arc::default())
    }

    /// Feeds `form` in frames of `size` bytes; whether every head stayed within the limit.
    fn fits(form: &[u8], size: usize) -> bool {
        let mut heads = heads();
        form.chunks(size).all(|chunk| heads.follow(chunk))
    }

    #[test]
    fn forms_with_short_heads_pass_however_they_are_cut() {
        let body = "x".repeat(100_000);
        let form = format!(
            "--xyz\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.csv\"\r\n\r\n{body}\r\n--xyz\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b.csv\"\r\n\r\n{body}\r\n--xyz--\r\n{}",
            "epilogue ".repeat(10_000)
        );
        for size in [1, 2, 3, 7, 100, 65_536, form.len()] {
            assert!(fits(form.as_bytes(), size), "frames of {size}");
        }
    }

    #[test]
    fn a_long_preamble_or_part_head_is_refused_however_it_is_cut() {
        let long = "a".repeat(MAX_PART_HEAD_BYTES + 10);
        let preamble = format!("{long}\r\n--xyz\r\n\r\nbody\r\n--xyz--");
        let header = format!("--xyz\r\nX-Long: {long}\r\n\r\nbody\r\n--xyz--");
        let second = format!("--xyz\r\n\r\nbody\r\n--xyz\r\nX-Long: {long}\r\n\r\n\r\n--xyz--");
        for form in [preamble, header, second] {
            for size in [1, 5, 4096, form.len()] {
                assert!(!fits(form.as_bytes(), size), "frames of {size}");
            }
        }
    }

    #[test]
    fn an_endless_head_is_refused_holding_little() {
        let mut heads = heads();
        heads.follow(b"--xyz\r\nContent-Disposition: form-data; name=\"a\"");
        let chunk = vec![b'a'; 4096];
        let refused = (0..100).position(|_| !heads.follow(&chunk));
        assert_eq!(refused, Some(3));
        assert!(heads.carry.len() < 8);
    }
}
