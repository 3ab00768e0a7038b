//! WAC000 unreadable-row: a row walint cannot read as CSV.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::input::contacts::RowFault;
use crate::input::csv_records::Fault;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A row that cannot be read as CSV: a different number of fields from the header
    /// (a ragged row), broken quoting (a quoted field that never closes, or text after a
    /// closing quote), bytes that are not UTF-8, or a line longer than walint reads (1 MiB
    /// by default, `[limits] record_bytes` in walint.toml). In a spreadsheet: a row whose
    /// cells hold more text than that, or a cell or row past the last column (XFD) or row
    /// (1,048,576) a spreadsheet has, which only a malformed workbook holds. Linting goes
    /// on with the next line; a row swallowed by an unclosed quote is read again line by
    /// line, so no row is lost.
    ///
    /// ## Why it matters
    /// A bulk-send tool that meets such a row either stops the upload or shifts every
    /// later cell into the wrong column, so names land in the phone column and parameters
    /// in the wrong placeholder. Either way the row is not sent as intended.
    ///
    /// ## Example
    /// ```csv
    /// name,phone,city
    /// Asha,+919876543210
    /// "Ravi,+919812345678,Pune
    /// ```
    /// Line 2 has two fields where the header has three; line 3 opens a quote it never closes.
    ///
    /// ## How to fix
    /// Re-export the list as UTF-8 CSV from the spreadsheet, or repair the line: quote
    /// every field that holds the delimiter, double the quotes inside quoted fields.
    pub static RULE = {
        code: "WAC000", name: "unreadable-row", wa_error: None, severity: Error,
        check: Check::Row(check),
    }
}

/// The finding for a row whose CSV cannot be read.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let fault = cx.row.fault.as_ref()?;
    let help = match fault {
        RowFault::Framing(Fault::Sheet(_)) => {
            "save the workbook again from its spreadsheet program (or export the sheet as CSV), with no more text in a row than walint reads"
        }
        _ => {
            "re-export the file as UTF-8 CSV, or quote fields that hold the delimiter and double quotes inside them"
        }
    };
    Some(
        RULE.diagnostic(
            format!("row cannot be read: {}", fault.describe()),
            cx.at(None),
        )
        .with_help(help),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::input::contacts::ContactRow;
    use crate::rules::contacts::ContactPolicy;

    #[test]
    fn fires_on_a_faulty_row_only() {
        let policy = ContactPolicy::default();
        let path: Arc<str> = Arc::from("t.csv");
        let col: Arc<str> = Arc::from("phone");
        let mut row = ContactRow {
            fault: Some(RowFault::Ragged {
                expected: 3,
                found: 2,
            }),
            ..ContactRow::default()
        };
        let cx = |row: &ContactRow| {
            check(&RowCheck {
                row,
                facts: None,
                policy: &policy,
                path: &path,
                phone_column: &col,
                opt_in_column: None,
                campaign: None,
                sheet: None,
            })
        };
        let d = cx(&row).unwrap();
        assert!(d.message.contains("2 fields where the header has 3"));
        row.fault = None;
        assert!(cx(&row).is_none());
    }
}
