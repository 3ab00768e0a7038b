//! WAC011 legacy-encoding: a contact list that is not UTF-8, read as Windows-1252.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A contact list that is neither UTF-8 nor marked as UTF-16: its first line that is
    /// not plain ASCII is not valid UTF-8 either. walint reads it as Windows-1252 (what
    /// Excel's "CSV (Comma delimited)" export writes on Windows, and what most legacy
    /// Western exports are) from that line on, and says so once per file, at that line. The
    /// lines before it are plain ASCII, which reads the same in both. A file that has
    /// valid UTF-8 first and invalid bytes later is a damaged UTF-8 file instead: its bad
    /// rows are WAC000.
    ///
    /// ## Why it matters
    /// Names and other values read in the wrong encoding reach customers garbled (`ZoÃ«`
    /// for `Zoë`) when they fill a template's parameters, and tools that need UTF-8 reject
    /// the upload or its rows. The guess is a guess: a file in another legacy encoding
    /// (Cyrillic, Greek, Turkish code pages) is read wrongly too, so state the encoding.
    ///
    /// ## Example
    /// ```text
    /// name,phone
    /// Zo\xEB,+14155552671      (0xEB is ë in Windows-1252; not UTF-8)
    /// ```
    ///
    /// ## How to fix
    /// Export the list as "CSV UTF-8" (Excel) or save it as UTF-8; or state its encoding
    /// with `--encoding windows-1252` (any WHATWG label), or `encoding` in walint.toml.
    /// `walint fix` writes a legacy file's rows back in the encoding they came in.
    pub static RULE = {
        code: "WAC011", name: "legacy-encoding", wa_error: None, severity: Warning,
        check: Check::Row(check),
    }
}

/// The finding for the row that showed the file is not UTF-8.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let encoding = cx.row.assumed_encoding?;
    Some(
        RULE.diagnostic(
            format!(
                "the file is not UTF-8: read as {} from this line on (the lines before it are plain ASCII)",
                encoding.name()
            ),
            cx.at(None),
        )
        .with_help("export the list as CSV UTF-8, or state its encoding with --encoding"),
    )
}

#[cfg(test)]
mod tests {
    use crate::input::contacts::{ColumnChoice, ContactReader, ContactRow};

    #[test]
    fn fires_once_at_the_first_line_that_is_not_utf8() {
        let csv = b"phone,name\n+14155552671,Ann\n+14155552672,Zo\xEB\n+14155552673,Ren\xE9e\n";
        let mut reader = ContactReader::open("t.csv", &csv[..], &ColumnChoice::default()).unwrap();
        let mut row = ContactRow::default();
        let mut assumed = Vec::new();
        while reader.read_row(&mut row).unwrap() {
            assumed.push((row.line, row.assumed_encoding.map(|e| e.name())));
            assert_eq!(row.fault, None);
        }
        assert_eq!(assumed, [(2, None), (3, Some("windows-1252")), (4, None)]);
        // Near miss: a UTF-8 file with the same names.
        let csv = "phone,name\n+14155552672,Zoë\n";
        let mut reader =
            ContactReader::open("t.csv", csv.as_bytes(), &ColumnChoice::default()).unwrap();
        assert!(reader.read_row(&mut row).unwrap());
        assert_eq!(row.assumed_encoding, None);
    }
}
