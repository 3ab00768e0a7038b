//! Redaction of phone numbers in what walint prints: a contact list is personal data and a
//! CI log is widely readable, so the `sarif`, `github`, `junit` and `gitlab` formats (and
//! any format with `--redact`) show a number as its country code and last two digits
//! (`+91********34`). walint's messages never repeat a cell's number; what carries one is a
//! finding's fix (the number in E.164 form), and the masking also covers any `+` and 7 to
//! 15 digits a message or help text might hold (digits grouped by spaces, dashes, dots or
//! brackets included).

use std::borrow::Cow;

use crate::diagnostic::{Diagnostic, Fix};
use crate::phone;

/// The finding as a redacted format shows it: numbers in its message, help and fix masked.
pub fn redacted(d: &Diagnostic) -> Cow<'_, Diagnostic> {
    let message = mask_numbers(&d.message);
    let help = d.help.as_deref().map(mask_numbers);
    let fix = d.fix.as_ref().map(|f| mask_numbers(&f.replacement));
    let changed = matches!(message, Cow::Owned(_))
        || matches!(help, Some(Cow::Owned(_)))
        || matches!(fix, Some(Cow::Owned(_)));
    if !changed {
        return Cow::Borrowed(d);
    }
    let mut out = d.clone();
    out.message = message.into_owned();
    out.help = help.map(|h| Cow::Owned(h.into_owned()));
    out.fix = fix.map(|f| Fix {
        replacement: f.into_owned(),
    });
    Cow::Owned(out)
}

/// `text` with every phone number written with `+` masked to its country code and last two
/// digits.
pub fn mask_numbers(text: &str) -> Cow<'_, str> {
    if !text.contains('+') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'+'
            && let Some(end) = number_end(bytes, i + 1)
        {
            out.push_str(&text[copied..i]);
            out.push_str(&mask(&text[i..end]));
            copied = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// A phone cell as a page may show it: a number written with `+` masked to its country
/// code and last two digits, any other cell to its last two digits (`*******10`); `None`
/// for a cell with no digit.
pub fn masked_cell(cell: &str) -> Option<String> {
    let cell = cell.trim();
    let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    if cell.starts_with('+') && (7..=15).contains(&digits.len()) {
        return Some(mask(cell));
    }
    let shown = digits.len().min(2);
    Some(format!(
        "{}{}",
        "*".repeat(digits.len() - shown),
        &digits[digits.len() - shown..]
    ))
}

/// Where a number that starts at `start` (just after its `+`) ends, when it has 7 to 15
/// digits, allowing up to two separators between digit groups (`+1 (415) 555-2671`).
fn number_end(bytes: &[u8], start: usize) -> Option<usize> {
    let separator = |b: u8| matches!(b, b' ' | b'-' | b'.' | b'(' | b')');
    let mut digits = 0;
    let mut end = start;
    let mut i = start;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            digits += 1;
            i += 1;
            end = i;
            continue;
        }
        let run = bytes[i..].iter().take_while(|b| separator(**b)).count();
        let next_is_digit = bytes.get(i + run).is_some_and(u8::is_ascii_digit);
        if run == 0 || run > 2 || !next_is_digit {
            break;
        }
        i += run;
    }
    (7..=15).contains(&digits).then_some(end)
}

/// `+` and the country code, the middle digits as `*`, the last two digits.
fn mask(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let code_len = phone::calling_code_hint(&format!("+{digits}"), None)
        .map_or(0, |cc| cc.to_string().len())
        .min(digits.len().saturating_sub(2));
    let hidden = digits.len() - code_len - 2;
    format!(
        "+{}{}{}",
        &digits[..code_len],
        "*".repeat(hidden),
        &digits[digits.len() - 2..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_keeps_its_country_code_and_last_two_digits() {
        assert_eq!(mask_numbers("+916511964134"), "+91********34");
        assert_eq!(mask_numbers("+14155552671"), "+1********71");
        assert_eq!(mask_numbers("+447911123456"), "+44********56");
        assert_eq!(
            mask_numbers("call +1 (415) 555-2671 now"),
            "call +1********71 now"
        );
    }

    #[test]
    fn a_cell_shows_no_more_than_its_country_code_and_last_two_digits() {
        assert_eq!(
            masked_cell("+91 65119 64134").as_deref(),
            Some("+91********34")
        );
        assert_eq!(masked_cell("098765 43210").as_deref(), Some("*********10"));
        assert_eq!(masked_cell("+12").as_deref(), Some("12"));
        assert_eq!(masked_cell("7").as_deref(), Some("7"));
        assert_eq!(masked_cell("call me"), None);
        assert_eq!(masked_cell(""), None);
    }

    #[test]
    fn text_without_a_number_is_left_alone() {
        for text in [
            "body is 1150 characters, limit 1024",
            "error 131026",
            "a + b",
            "+123",
            "line 1234567",
        ] {
            assert!(matches!(mask_numbers(text), Cow::Borrowed(_)), "{text}");
        }
    }
}
