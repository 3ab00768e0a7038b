//! When a signed link stops working, read from its query string: AWS SigV4
//! (`X-Amz-Date` + `X-Amz-Expires`), Google Cloud Storage V4 (`X-Goog-Date` +
//! `X-Goog-Expires`), Azure SAS (`se=`, an ISO 8601 time) and the generic `Expires=`
//! (Unix seconds: CloudFront, legacy S3 and GCS signatures). No network, no clock: the
//! caller compares the time with when the campaign goes out.

use jiff::Timestamp;
use jiff::civil::DateTime;

/// Which signing scheme a link uses, and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    /// `AWS`, `Google Cloud Storage`, `Azure SAS` or `Expires=`.
    pub scheme: &'static str,
    /// When the signature stops being accepted.
    pub at: Timestamp,
}

/// The expiry of a signed link, when its query string carries one that can be read.
pub fn expiry(url: &str) -> Option<Expiry> {
    let query = url.split_once('?')?.1.split('#').next().unwrap_or("");
    let params: Vec<(String, String)> = query
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((k.to_ascii_lowercase(), percent_decode(v)))
        })
        .collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let signed = |date: &str, expires: &str, scheme| {
        let start = compact_time(get(date)?)?;
        let seconds: i64 = get(expires)?.trim().parse().ok()?;
        Some(Expiry {
            scheme,
            at: start
                .checked_add(jiff::SignedDuration::from_secs(seconds))
                .ok()?,
        })
    };
    if let Some(e) = signed("x-amz-date", "x-amz-expires", "AWS") {
        return Some(e);
    }
    if let Some(e) = signed("x-goog-date", "x-goog-expires", "Google Cloud Storage") {
        return Some(e);
    }
    if let Some(se) = get("se")
        && get("sig").is_some()
    {
        let at = se.parse::<Timestamp>().ok().or_else(|| {
            se.parse::<DateTime>()
                .ok()?
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
        })?;
        return Some(Expiry {
            scheme: "Azure SAS",
            at,
        });
    }
    let seconds: i64 = get("expires")?.trim().parse().ok()?;
    Some(Expiry {
        scheme: "Expires=",
        at: Timestamp::from_second(seconds).ok()?,
    })
}

/// `20261130T090000Z` (the SigV4 / GCS V4 date form).
fn compact_time(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i16>().ok();
    let date = jiff::civil::Date::new(num(0..4)?, num(4..6)? as i8, num(6..8)? as i8).ok()?;
    let time = jiff::civil::Time::new(num(9..11)? as i8, num(11..13)? as i8, num(13..15)? as i8, 0)
        .ok()?;
    DateTime::from_parts(date, time)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// Decodes `%XX` escapes (and `+` as a space) in a query value; bad escapes stay as written.
fn percent_decode(value: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', h, l]) => hex(*h).zip(hex(*l)).map(|(h, l)| (h * 16 + l) as u8),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, other) => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn reads_each_scheme() {
        let aws = "https://b.s3.amazonaws.com/x.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261130T090000Z&X-Amz-Expires=3600&X-Amz-Signature=ab";
        assert_eq!(expiry(aws).unwrap().at, at("2026-11-30T10:00:00Z"));
        assert_eq!(expiry(aws).unwrap().scheme, "AWS");
        let gcs = "https://storage.googleapis.com/b/x.jpg?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Date=20261130T090000Z&X-Goog-Expires=60&X-Goog-Signature=ab";
        assert_eq!(expiry(gcs).unwrap().at, at("2026-11-30T09:01:00Z"));
        let azure = "https://a.blob.core.windows.net/c/x.jpg?sv=2022-11-02&se=2026-12-01T08%3A00%3A00Z&sr=b&sp=r&sig=abc";
        assert_eq!(expiry(azure).unwrap().at, at("2026-12-01T08:00:00Z"));
        let cloudfront =
            "https://d1.cloudfront.net/x.jpg?Expires=1796000000&Signature=x&Key-Pair-Id=K";
        assert_eq!(
            expiry(cloudfront).unwrap().at,
            Timestamp::from_second(1_796_000_000).unwrap()
        );
    }

    #[test]
    fn plain_and_malformed_links_have_no_expiry() {
        assert_eq!(expiry("https://cdn.example.com/x.jpg"), None);
        assert_eq!(expiry("https://cdn.example.com/x.jpg?v=3"), None);
        assert_eq!(expiry("https://x/y?X-Amz-Date=2026&X-Amz-Expires=60"), None);
        assert_eq!(
            expiry("https://x/y?X-Amz-Date=20261399T990000Z&X-Amz-Expires=60"),
            None
        );
        assert_eq!(
            expiry("https://x/y?se=2026-12-01"),
            None,
            "se= without sig= is not SAS"
        );
        assert_eq!(expiry("https://x/y?Expires=soon"), None);
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%3A%zz+"), ":%zz ");
    }
}
