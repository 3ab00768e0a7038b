//! Fingerprints of findings: a value that names one finding across runs even when the
//! file around it changes, for SARIF's `partialFingerprints`, GitLab Code Quality's
//! `fingerprint` and baselines (`report::baseline`).
//!
//! A fingerprint is made from the rule, the file's path as shown, and what the finding is
//! about — the row's recipient ([`Diagnostic::subject`]: the normalised number, or the cell
//! as written) and column, else the JSON pointer and message of a payload finding, else the
//! message — never from the line (nor a row finding's message, which may name a line), so inserting a row at the top of a list does not make every later finding
//! new. Findings that share all of that (two empty phone cells) are told apart by their
//! order among themselves: the first is `…:1`, the next `…:2`. The hash is SHA-256, the
//! same on every machine and release; a number's digits are never written in the clear,
//! though a hash of a phone number can be found by trying every number of a country, so a
//! fingerprint is no stronger a secret than the redacted output it travels with.

use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, Location};

/// The subject of a row whose phone cell is not a valid number: a hash of the cell as
/// written (see [`Diagnostic::subject`]).
pub fn text_subject(cell: &str) -> u64 {
    let digest = Sha256::new()
        .chain_update(b"walint-cell\0")
        .chain_update(cell.trim().as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    // The top bit set: never equal to a number's key (E.164 has at most 15 digits).
    u64::from_le_bytes(first) | 1 << 63
}

/// The fingerprint of one finding without its occurrence number: 32 hex digits.
pub fn base(d: &Diagnostic) -> String {
    hex(&digest(d))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest(d: &Diagnostic) -> [u8; 16] {
    let mut hash = Sha256::new()
        .chain_update(d.rule.code.as_bytes())
        .chain_update(b"\0")
        .chain_update(d.location.path().as_bytes())
        .chain_update(b"\0");
    match (&d.subject, &d.location) {
        // Not the message: some name other rows by line ("the same recipient is on
        // line 14"), which moves when a row is inserted. A row's findings of one rule are
        // told apart by their order (`:1`, `:2`).
        (Some(subject), Location::Csv { column, .. }) => {
            hash.update(b"row\0");
            hash.update(column.as_deref().unwrap_or_default().as_bytes());
            hash.update(b"\0");
            hash.update(subject.to_le_bytes());
        }
        (_, Location::Json { pointer, .. }) => {
            hash.update(b"json\0");
            hash.update(pointer.as_bytes());
            hash.update(b"\0");
            hash.update(d.message.as_bytes());
        }
        _ => {
            hash.update(b"message\0");
            hash.update(d.message.as_bytes());
        }
    }
    let mut first = [0u8; 16];
    first.copy_from_slice(&hash.finalize()[..16]);
    first
}

/// Gives successive findings (in report order) their fingerprints, numbering those that
/// share a [`base`].
#[derive(Debug, Default)]
pub struct Fingerprints {
    seen: FxHashMap<[u8; 16], u32>,
}

impl Fingerprints {
    /// The fingerprint of the next finding: its [`base`] and its occurrence, `base:n`.
    pub fn next(&mut self, d: &Diagnostic) -> String {
        let digest = digest(d);
        let n = self.seen.entry(digest).or_default();
        *n += 1;
        format!("{}:{n}", hex(&digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;

    fn finding(line: u64, subject: Option<u64>, message: &str) -> Diagnostic {
        let rule = rules::all().first().copied().unwrap();
        let mut d = rule.diagnostic(
            message,
            Location::Csv {
                path: "list.csv".into(),
                line,
                row: line - 1,
                column: Some("phone".into()),
                sheet: None,
            },
        );
        d.subject = subject;
        d
    }

    #[test]
    fn the_line_does_not_change_a_fingerprint_but_the_subject_does() {
        let a = base(&finding(2, Some(919876543210), "m"));
        assert_eq!(a, base(&finding(900, Some(919876543210), "m")));
        assert_ne!(a, base(&finding(2, Some(919876543211), "m")));
        assert_eq!(a.len(), 32);
        // A row finding's message may name a line that moves with an inserted row.
        assert_eq!(
            base(&finding(5, Some(1), "the same recipient is on line 2")),
            base(&finding(6, Some(1), "the same recipient is on line 3"))
        );
    }

    #[test]
    fn findings_that_share_everything_are_numbered() {
        let mut prints = Fingerprints::default();
        let first = prints.next(&finding(2, None, "empty"));
        let second = prints.next(&finding(3, None, "empty"));
        assert!(
            first.ends_with(":1") && second.ends_with(":2"),
            "{first} {second}"
        );
        assert_eq!(first[..32], second[..32]);
    }

    #[test]
    fn a_cell_subject_never_equals_a_number_key() {
        assert!(text_subject("abc") >= 1 << 63);
        assert_ne!(text_subject("abc"), text_subject("abd"));
        assert_eq!(text_subject(" abc "), text_subject("abc"));
    }
}
