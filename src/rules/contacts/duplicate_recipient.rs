//! WAC004 duplicate-recipient: the same number on an earlier row.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A number that already appeared on an earlier row of the same file — or, in a
    /// campaign (`[[campaign]]` in walint.toml) with several contact files, of an earlier
    /// file of that campaign — compared after normalisation to E.164, so
    /// `+91 98765 43210` and `0091-9876543210` are the same recipient. The finding names the
    /// file and line of the first occurrence.
    ///
    /// ## Why it matters
    /// WhatsApp limits how often one business may message one user (about one message
    /// every 6 seconds, error 131056 pair rate limit), so a campaign that sends twice
    /// fails the second time — or, worse, delivers the same offer twice and is reported
    /// as spam, which lowers the number's quality rating.
    ///
    /// ## Example
    /// ```csv
    /// name,phone
    /// Asha,+919876543210
    /// Asha K,+91 98765 43210
    /// ```
    ///
    /// ## How to fix
    /// Remove the later rows (`walint fix` keeps the first), or merge the contacts.
    pub static RULE = {
        code: "WAC004", name: "duplicate-recipient", wa_error: Some(131056), severity: Warning,
        check: Check::RowInOrder(check),
    }
}

/// The first row of each recipient so far: across the files of one campaign, or one file.
#[derive(Debug, Default)]
pub struct SeenNumbers {
    /// The files entered, in order.
    files: Vec<Arc<str>>,
    /// E.164 key → (file index << 48) | line.
    first: FxHashMap<u64, u64>,
}

impl SeenNumbers {
    /// Starts a file: rows checked from now on are in `path`.
    pub fn enter(&mut self, path: &Arc<str>) {
        self.files.push(Arc::clone(path));
    }

    /// Records a row's recipient (in the file last entered); returns where it was first
    /// seen, if earlier.
    fn first_place(&mut self, key: u64, line: u64) -> Option<(&Arc<str>, u64)> {
        let here = ((self.files.len().saturating_sub(1) as u64) << 48) | (line & 0xFFFF_FFFF_FFFF);
        let first = *self.first.entry(key).or_insert(here);
        (first != here).then(|| {
            (
                &self.files[(first >> 48) as usize],
                first & 0xFFFF_FFFF_FFFF,
            )
        })
    }
}

/// The finding for a recipient already on an earlier row (of this file or, in a campaign,
/// of an earlier file).
pub fn check(cx: &RowCheck, seen: &mut SeenNumbers) -> Option<Diagnostic> {
    let number = cx.number()?;
    let (file, line) = seen.first_place(number.key, cx.row.line)?;
    let place = if file == cx.path {
        format!("line {line}")
    } else {
        format!("{file}, line {line}")
    };
    let message = match cx.campaign {
        Some(c) if file != cx.path => {
            format!(
                "the same recipient is on {place}, in the same campaign `{}`",
                c.name
            )
        }
        _ => format!("the same recipient is on {place}"),
    };
    Some(RULE.diagnostic(message, cx.phone_cell()).with_help(
        "remove the later row (`walint fix` keeps the first), or merge the two contacts",
    ))
}

#[cfg(test)]
mod tests {
    use crate::rules::contacts::{ContactPolicy, test_support::findings_rows};

    #[test]
    fn two_spellings_are_one_recipient() {
        let p = ContactPolicy::default();
        let d = findings_rows(
            &super::RULE,
            &["+919876543210", "+447911123456", "0091 98765-43210"],
            &p,
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "the same recipient is on line 2");
        assert_eq!(d[0].location.line(), 4);
        assert!(findings_rows(&super::RULE, &["+919876543210", "+919876543211"], &p).is_empty());
    }
}
