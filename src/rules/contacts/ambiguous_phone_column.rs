//! WAC012 ambiguous-phone-column: two columns could be the phone column and none was named.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A contact list with two columns that could each be the phone column, when none was
    /// named. Two recognised header names (`Phone` and `Mobile`, `Telefon` and `Handy`),
    /// or, in a file with no header, two cells of the first row that read as phone numbers,
    /// with no `--phone-column` or `phone_column` in walint.toml: walint reads the first by
    /// its order of preference (`phone` before `mobile` before `whatsapp`…, then the
    /// left-most) and says so once, at the first row, naming both.
    ///
    /// ## Why it matters
    /// A list with a landline column beside the mobile one, or a company number beside the
    /// contact's, is checked and sent on whichever column is taken: the wrong one reaches
    /// no WhatsApp account (131026) or the wrong person, and every finding is about the
    /// wrong numbers.
    ///
    /// ## Example
    /// ```csv
    /// name,phone,mobile
    /// Asha,+912225551234,+919876543210
    /// ```
    ///
    /// ## How to fix
    /// Name the column to send to: `--phone-column mobile` (or its number, `--phone-column
    /// 3`), or `phone_column = "mobile"` in walint.toml.
    pub static RULE = {
        code: "WAC012", name: "ambiguous-phone-column", wa_error: None, severity: Warning,
        check: Check::Row(check),
    }
}

/// The finding on the first row of a file with a second candidate phone column.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let other = cx.row.second_phone_column.as_ref()?;
    Some(
        RULE.diagnostic(
            format!(
                "two columns could be the phone column: '{}' is read, '{other}' is not",
                cx.phone_column
            ),
            cx.phone_cell(),
        )
        .with_help("name the column to send to with --phone-column (its header or number)"),
    )
}

#[cfg(test)]
mod tests {
    use crate::input::contacts::{ColumnChoice, ContactReader, ContactRow};

    fn second(csv: &str, choice: &ColumnChoice) -> Vec<Option<String>> {
        let mut reader = ContactReader::open("t.csv", csv.as_bytes(), choice).unwrap();
        let mut row = ContactRow::default();
        let mut out = Vec::new();
        while reader.read_row(&mut row).unwrap() {
            out.push(row.second_phone_column.as_deref().map(str::to_string));
        }
        out
    }

    #[test]
    fn names_the_other_column_on_the_first_row_only() {
        let headed = "name,Mobile,Phone\nA,+919876543210,+912225551234\nB,+919876543211,\n";
        assert_eq!(
            second(headed, &ColumnChoice::default()),
            [Some("Mobile".to_string()), None]
        );
        // Header-less: two cells of the first row read as numbers.
        let csv = "+919876543210,Asha,+912225551234\n";
        assert_eq!(
            second(csv, &ColumnChoice::default()),
            [Some("column 3".to_string())]
        );
        // Near misses: one candidate, or the column named.
        assert_eq!(
            second("name,phone,email\nA,+1,a@x\n", &ColumnChoice::default()),
            [None]
        );
        let named = ColumnChoice {
            phone: Some("Mobile".into()),
            ..ColumnChoice::default()
        };
        assert_eq!(second(headed, &named), [None, None]);
    }
}
