//! Content sniffing: the media type a file really is, from its first bytes, whatever its
//! server says. Covers the types WhatsApp accepts (JPEG, PNG, WebP, MP4/3GPP, OGG, AMR,
//! AAC, MP3, PDF, the Office formats) and a few it does not but servers often hand out
//! instead (GIF, HTML error pages). Knows nothing of HTTP or of limits.

/// How many leading bytes are enough to tell every type this module knows.
pub const SNIFF_BYTES: usize = 4096;

/// The media type the bytes start like, as a MIME type, or `None` when they match nothing
/// known. Office files are ZIP (OOXML) or OLE2 (legacy) containers; which Office format
/// a container holds is read from the OOXML part names when the prefix shows them.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some("image/gif");
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Some("image/webp");
    }
    if starts(b"%PDF-") {
        return Some("application/pdf");
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return Some(match bytes.get(8..11) {
            Some(b"3gp") | Some(b"3g2") => "video/3gpp",
            _ if bytes.get(8..11) == Some(b"M4A") => "audio/mp4",
            _ => "video/mp4",
        });
    }
    if starts(b"OggS") {
        return Some("audio/ogg");
    }
    if starts(b"#!AMR") {
        return Some("audio/amr");
    }
    if starts(b"ID3") || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) {
        // ADTS AAC frames start 0xFFF with layer bits 00; MPEG audio (MP3) has other layers.
        if bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF0 {
            return Some("audio/aac");
        }
        return Some("audio/mpeg");
    }
    if starts(b"PK\x03\x04") {
        return Some(office_zip(bytes));
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // OLE2 compound file: .doc, .xls or .ppt; the prefix cannot tell which.
        return Some("application/x-ole-storage");
    }
    let text = trim_start(bytes);
    let lower: Vec<u8> = text.iter().take(16).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html") {
        return Some("text/html");
    }
    None
}

/// The OOXML type of a ZIP container, from the part names in its first entries.
fn office_zip(bytes: &[u8]) -> &'static str {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if has(b"word/") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else if has(b"xl/") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if has(b"ppt/") {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    } else {
        "application/zip"
    }
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Whether a sniffed type agrees with a declared one (the Content-Type's essence): the
/// same type, or a container that could hold the declared Office or 3GPP format.
pub fn agrees(sniffed: &str, declared: &str) -> bool {
    if sniffed == declared {
        return true;
    }
    match sniffed {
        "application/x-ole-storage" => matches!(
            declared,
            "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint"
        ),
        "application/zip" => declared.starts_with("application/vnd.openxmlformats-officedocument."),
        // An MP4 container is also what audio/mp4 and 3GPP files are.
        "video/mp4" => matches!(declared, "audio/mp4" | "video/3gpp"),
        "audio/mp4" => declared == "video/mp4",
        "video/3gpp" => declared == "video/mp4",
        // MP3 frame sync and ADTS share their first bits.
        "audio/mpeg" | "audio/aac" => matches!(declared, "audio/mpeg" | "audio/aac"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_accepted_types_apart() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some("image/jpeg")
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42\0\0\0\0"), Some("video/mp4"));
        assert_eq!(sniff(b"\0\0\0\x14ftyp3gp5\0\0\0\0"), Some("video/3gpp"));
        assert_eq!(sniff(b"\0\0\0\x1cftypM4A \0\0\0\0"), Some("audio/mp4"));
        assert_eq!(sniff(b"OggS\0\x02"), Some("audio/ogg"));
        assert_eq!(sniff(b"#!AMR\n"), Some("audio/amr"));
        assert_eq!(sniff(b"ID3\x04\0"), Some("audio/mpeg"));
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x64]), Some("audio/mpeg"));
        assert_eq!(sniff(&[0xFF, 0xF1, 0x50, 0x80]), Some("audio/aac"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(
            sniff(b"PK\x03\x04\x14\0\x06\0word/document.xml"),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        assert_eq!(
            sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Some("application/x-ole-storage")
        );
        assert_eq!(sniff(b"\n  <!DOCTYPE html><html>"), Some("text/html"));
        assert_eq!(sniff(b"GIF89a\x01\0"), Some("image/gif"));
    }

    #[test]
    fn unknown_and_short_inputs_give_none() {
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"hello"), None);
        assert_eq!(sniff(&[0xFF]), None);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), None);
    }

    #[test]
    fn containers_agree_with_the_formats_they_hold() {
        assert!(agrees("image/png", "image/png"));
        assert!(!agrees("image/png", "image/jpeg"));
        assert!(agrees("application/x-ole-storage", "application/msword"));
        assert!(agrees("video/mp4", "video/3gpp"));
        assert!(!agrees("text/html", "image/jpeg"));
    }
}
