//! What walint's own messages (an exit-2 line, a service's 400 body, a reader's error) may
//! quote of an input: a contact list is personal data, and such messages end up in CI logs
//! and web servers' logs. A quoted value with five digits or more is shown as `<digits>`
//! (it may be a phone number), one with an `@` as `<email>`; one longer than [`MOST_CHARS`] as its length only (a header
//! line read in the wrong encoding is one huge "cell" holding every row, which re-encoded
//! would give back the file); a list shows its first [`MOST_VALUES`] values. A message
//! another library made from an input (calamine's, the zip crate's) is masked the same way
//! and cut to [`MOST_MESSAGE_CHARS`]. Findings are not quoted here: they name cells by place.

use std::borrow::Cow;

/// The longest value quoted as it is.
pub const MOST_CHARS: usize = 40;
/// The most values of a list quoted.
pub const MOST_VALUES: usize = 16;
/// The longest message of another library's passed on.
pub const MOST_MESSAGE_CHARS: usize = 240;
/// Digits in a value from which it is not quoted.
const MOST_DIGITS: usize = 4;

/// A value from an input as a message may quote it.
pub fn quote(value: &str) -> Cow<'_, str> {
    if value.bytes().filter(u8::is_ascii_digit).count() > MOST_DIGITS {
        return Cow::Borrowed("<digits>");
    }
    if value.contains('@') {
        return Cow::Borrowed("<email>");
    }
    match value.chars().count() {
        n if n > MOST_CHARS => Cow::Owned(format!("<{n} characters>")),
        _ => Cow::Borrowed(value),
    }
}

/// Values from an input as a message may list them: each quoted, comma-separated, the
/// first [`MOST_VALUES`] and how many more.
pub fn quote_list<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut more = 0usize;
    for (i, value) in values.into_iter().enumerate() {
        if i >= MOST_VALUES {
            more += 1;
            continue;
        }
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&quote(value));
    }
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// A message made from an input by another library: every run of five digits or more
/// (with the separators phone numbers are written with) as `<digits>`, cut to
/// [`MOST_MESSAGE_CHARS`].
pub fn masked(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MOST_MESSAGE_CHARS + 8));
    let mut run = String::new();
    let mut digits = 0;
    let flush = |out: &mut String, run: &mut String, digits: &mut usize| {
        if *digits > MOST_DIGITS {
            // The separators the run ended on are not the number's.
            let end = run.rfind(|c: char| c.is_ascii_digit()).map_or(0, |i| i + 1);
            out.push_str("<digits>");
            out.push_str(&run[end..]);
        } else {
            out.push_str(run);
        }
        run.clear();
        *digits = 0;
    };
    for (count, c) in message.chars().enumerate() {
        if count == MOST_MESSAGE_CHARS {
            flush(&mut out, &mut run, &mut digits);
            out.push('…');
            return out;
        }
        let in_number =
            c.is_ascii_digit() || (digits > 0 && matches!(c, ' ' | '-' | '.' | '(' | ')'));
        if in_number || (c == '+' && run.is_empty()) {
            if c.is_ascii_digit() {
                digits += 1;
            }
            run.push(c);
            continue;
        }
        flush(&mut out, &mut run, &mut digits);
        out.push(c);
    }
    flush(&mut out, &mut run, &mut digits);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_with_numbers_or_too_long_are_not_quoted() {
        assert_eq!(quote("phone"), "phone");
        assert_eq!(quote("+919876543210"), "<digits>");
        assert_eq!(quote("2024"), "2024");
        assert_eq!(quote("asha@example.com"), "<email>");
        let garbled = "敮敭瀬潨敮ਬ獁慨⬬ㄹ㠹㘷㐵㈳〱".repeat(10);
        assert_eq!(quote(&garbled), "<150 characters>");
    }

    #[test]
    fn lists_show_their_first_values() {
        let many: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
        let listed = quote_list(many.iter().map(String::as_str));
        assert!(listed.starts_with("c0, c1, "), "{listed}");
        assert!(listed.ends_with("c15 and 4 more"), "{listed}");
        assert_eq!(quote_list(["name", "+14155552671"]), "name, <digits>");
    }

    #[test]
    fn messages_lose_their_numbers_and_their_length() {
        assert_eq!(
            masked("bad cell +91 98765 43210 at row 12"),
            "bad cell <digits> at row 12"
        );
        assert_eq!(
            masked("xml error at position 123456"),
            "xml error at position <digits>"
        );
        let long = "x".repeat(1000);
        assert_eq!(masked(&long).chars().count(), MOST_MESSAGE_CHARS + 1);
    }
}
