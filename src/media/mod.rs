//! Media links: what kinds of media WhatsApp takes and how big (§4 of the fact sheet), the
//! links a run's messages use ([`MediaLinks`], each distinct link once with where it is
//! used), and what probing a link found ([`probe::Probe`]). The HTTP side is
//! [`probe`]; what is wrong with a link is decided by the `WAM` rules in `rules::media`.

use std::collections::HashMap;

use crate::diagnostic::Location;

pub mod address;
pub mod cache;
pub mod links;
pub mod probe;
pub mod signed_url;
pub mod sniff;

/// How a link is used: the media object it stands in (`image`, `video`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MediaKind {
    /// `image`: JPEG or PNG.
    Image,
    /// `video`: MP4 or 3GPP.
    Video,
    /// `audio`: AAC, AMR, MP3, MP4 audio, OGG/Opus.
    Audio,
    /// `document`: PDF, plain text and the Office formats.
    Document,
    /// `sticker`: WebP only.
    Sticker,
}

/// One megabyte as walint counts it: decimal (10^6 bytes). Whether Meta means 10^6 or 2^20
/// is UNCONFIRMED (fact sheet §4); decimal is the smaller, so the safe side.
pub const MB: u64 = 1_000_000;

impl MediaKind {
    /// The kind named by a media object key or message `type` (`image`, `video`…); a
    /// template's `gif` header parameter is an MP4 video.
    pub fn from_name(name: &str) -> Option<MediaKind> {
        Some(match name {
            "image" => MediaKind::Image,
            "video" | "gif" => MediaKind::Video,
            "audio" => MediaKind::Audio,
            "document" => MediaKind::Document,
            "sticker" => MediaKind::Sticker,
            _ => return None,
        })
    }

    /// The name, as in payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
        }
    }

    /// The MIME types WhatsApp accepts for this kind; a template header document takes
    /// PDF only.
    pub fn allowed_types(self, in_header: bool) -> &'static [&'static str] {
        match self {
            MediaKind::Image => &["image/jpeg", "image/png"],
            MediaKind::Video => &["video/mp4", "video/3gpp"],
            MediaKind::Audio => &[
                "audio/aac",
                "audio/amr",
                "audio/mpeg",
                "audio/mp4",
                "audio/ogg",
            ],
            MediaKind::Document if in_header => &["application/pdf"],
            MediaKind::Document => &[
                "text/plain",
                "application/pdf",
                "application/msword",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.ms-excel",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ],
            MediaKind::Sticker => &["image/webp"],
        }
    }

    /// The largest file WhatsApp takes for this kind, in bytes. A sticker is 100 KB when
    /// static and 500 KB when animated.
    pub fn max_bytes(self, animated: bool) -> u64 {
        match self {
            MediaKind::Image => 5 * MB,
            MediaKind::Video | MediaKind::Audio => 16 * MB,
            MediaKind::Document => 100 * MB,
            MediaKind::Sticker if animated => 500_000,
            MediaKind::Sticker => 100_000,
        }
    }
}

/// Where a link is used as a given kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkKey {
    /// The link, as written.
    pub url: String,
    /// The media object it stands in.
    pub kind: MediaKind,
    /// Whether it is a template header (documents: PDF only).
    pub in_header: bool,
}

/// Every use of one link as one kind.
#[derive(Debug, Clone)]
pub struct LinkUses {
    /// The first place it is used (findings about the link are reported here).
    pub first: Location,
    /// How many messages or rows use it.
    pub count: u64,
    /// The latest `send_at` of the campaigns that use it, if any says when it goes out.
    pub send_at: Option<jiff::Timestamp>,
}

/// Uses of a link as a [`MediaLinks::record`] takes them.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    /// The link.
    pub url: &'a str,
    /// The media object it stands in.
    pub kind: MediaKind,
    /// Whether it is a template header.
    pub in_header: bool,
    /// How many uses.
    pub count: u64,
    /// When the campaign using it goes out, if known.
    pub send_at: Option<jiff::Timestamp>,
    /// The (path, line) of the place, to keep the earliest as the first.
    pub order: (&'a str, u64),
}

/// The distinct links of a run, in the order first met; each with its earliest place
/// (by path and line, so the result does not depend on which thread met it first).
#[derive(Debug, Default)]
pub struct MediaLinks {
    /// URL → the indexes in `links` of its (kind, header) uses.
    index: HashMap<String, Vec<usize>>,
    links: Vec<(LinkKey, LinkUses)>,
}

impl MediaLinks {
    /// Records `seen.count` uses of a link at once. `location` is only called when the
    /// link is new or `seen.order` is earlier than its first place (a hot path: most uses
    /// of a shared link build no location).
    pub fn record(&mut self, seen: Seen<'_>, location: impl FnOnce() -> Location) {
        if seen.count == 0 {
            return;
        }
        let found = self.index.get(seen.url).and_then(|uses| {
            uses.iter().copied().find(|&i| {
                let key = &self.links[i].0;
                key.kind == seen.kind && key.in_header == seen.in_header
            })
        });
        if let Some(i) = found {
            let uses = &mut self.links[i].1;
            uses.count += seen.count;
            uses.send_at = uses.send_at.max(seen.send_at);
            if seen.order < (uses.first.path(), uses.first.line()) {
                uses.first = location();
            }
            return;
        }
        self.index
            .entry(seen.url.to_string())
            .or_default()
            .push(self.links.len());
        self.links.push((
            LinkKey {
                url: seen.url.to_string(),
                kind: seen.kind,
                in_header: seen.in_header,
            },
            LinkUses {
                first: location(),
                count: seen.count,
                send_at: seen.send_at,
            },
        ));
    }

    /// Adds every use recorded in `other`.
    pub fn merge(&mut self, other: MediaLinks) {
        for (key, uses) in other.links {
            let order = (uses.first.path().to_string(), uses.first.line());
            let seen = Seen {
                url: &key.url,
                kind: key.kind,
                in_header: key.in_header,
                count: uses.count,
                send_at: uses.send_at,
                order: (&order.0, order.1),
            };
            self.record(seen, || uses.first);
        }
    }

    /// The links and their uses, in the order first met.
    pub fn iter(&self) -> impl Iterator<Item = (&LinkKey, &LinkUses)> {
        self.links.iter().map(|(k, u)| (k, u))
    }

    /// The distinct URLs (a URL used as two kinds is probed once), in the order first met.
    pub fn urls(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.links
            .iter()
            .map(|(k, _)| k.url.as_str())
            .filter(|u| seen.insert(*u))
            .map(str::to_string)
            .collect()
    }

    /// Whether no link was met.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}

/// The link without any `user:password@` in it, for reports (the prober never sends them
/// either).
pub fn redacted(link: &str) -> std::borrow::Cow<'_, str> {
    match url::Url::parse(link) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            std::borrow::Cow::Owned(url.to_string())
        }
        _ => std::borrow::Cow::Borrowed(link),
    }
}

/// The host of a link, lowercased, if it has one.
pub fn host_of(link: &str) -> Option<String> {
    url::Url::parse(link)
        .ok()?
        .host_str()
        .map(str::to_ascii_lowercase)
}

/// The media type part of a Content-Type value, lowercased (`image/jpeg; q=1` →
/// `image/jpeg`).
pub fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn at(line: u64) -> Location {
        Location::File {
            path: Arc::from("walint.toml"),
            line: Some(line),
        }
    }

    #[test]
    fn links_are_kept_once_per_kind_with_their_first_place() {
        let mut links = MediaLinks::default();
        let seen = |kind, count, line| Seen {
            url: "https://a.example/x.jpg",
            kind,
            in_header: true,
            count,
            send_at: None,
            order: ("walint.toml", line),
        };
        for line in 1..=3 {
            links.record(seen(MediaKind::Image, 1, line), || at(line));
        }
        links.record(seen(MediaKind::Sticker, 10, 9), || at(9));
        links.record(seen(MediaKind::Image, 1, 0), || at(0));
        links.record(seen(MediaKind::Image, 0, 0), || {
            unreachable!("no uses, no place")
        });
        let all: Vec<_> = links.iter().collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].1.count, 4);
        assert_eq!(
            all[0].1.first,
            at(0),
            "the earliest place wins, whenever it is met"
        );
        assert_eq!(all[1].1.count, 10);
        assert_eq!(links.urls(), ["https://a.example/x.jpg"]);
    }

    #[test]
    fn limits_follow_the_fact_sheet() {
        assert_eq!(MediaKind::Image.max_bytes(false), 5_000_000);
        assert_eq!(MediaKind::Sticker.max_bytes(false), 100_000);
        assert_eq!(MediaKind::Sticker.max_bytes(true), 500_000);
        assert_eq!(MediaKind::Document.allowed_types(true), ["application/pdf"]);
        assert!(!MediaKind::Image.allowed_types(true).contains(&"image/webp"));
        assert_eq!(essence("Image/JPEG ; charset=x"), "image/jpeg");
        assert_eq!(
            redacted("https://u:p@cdn.example/x.jpg"),
            "https://cdn.example/x.jpg"
        );
        assert_eq!(
            redacted("https://cdn.example/x.jpg?a=1"),
            "https://cdn.example/x.jpg?a=1"
        );
    }
}
