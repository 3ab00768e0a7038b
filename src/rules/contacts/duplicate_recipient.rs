//! WAC004 duplicate-recipient: the same number on an earlier row.

use std::sync::Arc;

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
    first: FirstPlaces,
}

impl SeenNumbers {
    /// Starts a file: rows checked from now on are in `path`.
    pub fn enter(&mut self, path: &Arc<str>) {
        self.files.push(Arc::clone(path));
    }

    /// Readies the table for the recipients `keys` of the rows about to be checked: room
    /// for all of them, and their places read into the cache together (a million-row list's
    /// table is far bigger than the cache, and one miss after another was most of this
    /// rule's time).
    pub fn prepare(&mut self, keys: impl Iterator<Item = u64> + Clone) {
        self.first.reserve(keys.clone().count());
        self.first.touch(keys);
    }

    /// Records a row's recipient (in the file last entered); returns where it was first
    /// seen, if earlier.
    fn first_place(&mut self, key: u64, line: u64) -> Option<(&Arc<str>, u64)> {
        // Past 65,535 files in one campaign the file named for an earlier row is the last
        // one counted; no real campaign comes near.
        let file = (self.files.len().saturating_sub(1) as u64).min(0xFFFF);
        let here = (file << 48) | (line & 0xFFFF_FFFF_FFFF);
        let first = self.first.first(key, here);
        (first != here).then(|| {
            (
                &self.files[(first >> 48) as usize],
                first & 0xFFFF_FFFF_FFFF,
            )
        })
    }
}

/// E.164 key → the first place it was seen: open addressing with linear probing over one
/// array of (key + 1, place) pairs, at most 7/8 full, slots chosen by Fibonacci hashing.
///
/// Hand-written rather than a `HashMap` because it lets [`FirstPlaces::touch`] read a whole
/// chunk's slots before any is written, so the cache misses overlap instead of queueing:
/// measured on this project's 2-core machine (1M Indian mobile keys, 8,192-key chunks,
/// medians of 3): `FxHashMap` entry 207 ms, `FxHashMap` with a `contains_key` pass first
/// 197 ms, this table without the touch pass 180 ms, with it 128 ms; at 880,000 keys (a
/// table 84% full) `FxHashMap` 88 ms and this one 111 ms. Inside `walint check`
/// of the 1M one-country list of `cargo bench --bench contacts` the rule's share of the
/// run's CPU samples (`perf record`) fell from 11.7% to 3.6–4.9%.
#[derive(Debug)]
struct FirstPlaces {
    /// (key + 1, place); a stored 0 is an empty slot (an E.164 key has at most 15 digits,
    /// so key + 1 never wraps to 0).
    slots: Vec<(u64, u64)>,
    len: usize,
}

impl Default for FirstPlaces {
    fn default() -> Self {
        FirstPlaces {
            slots: vec![(0, 0); 1 << 10],
            len: 0,
        }
    }
}

impl FirstPlaces {
    fn slot(&self, stored: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (stored.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// Grows, if needed, so `more` keys fit with the table at most 7/8 full (as full as
    /// hashbrown lets its tables get, so the memory is the same: 16 MB up to 917,504
    /// numbers, 32 MB up to twice that).
    fn reserve(&mut self, more: usize) {
        let need = (self.len + more).saturating_mul(8).div_ceil(7);
        if need <= self.slots.len() {
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![(0, 0); need.next_power_of_two()]);
        self.len = 0;
        for (stored, place) in old {
            if stored != 0 {
                self.insert_new(stored, place);
            }
        }
    }

    /// Reads the slot each key hashes to, all before any write.
    fn touch(&self, keys: impl Iterator<Item = u64>) {
        let mut sum = 0u64;
        for key in keys {
            sum = sum.wrapping_add(self.slots[self.slot(key.wrapping_add(1))].0);
        }
        std::hint::black_box(sum);
    }

    /// The place `key` was first seen at, recording `here` when it is new.
    fn first(&mut self, key: u64, here: u64) -> u64 {
        debug_assert!(key < u64::MAX, "an E.164 key has at most 15 digits");
        self.reserve(1);
        let stored = key.wrapping_add(1);
        let mask = self.slots.len() - 1;
        let mut i = self.slot(stored);
        loop {
            match self.slots[i] {
                (0, _) => {
                    self.slots[i] = (stored, here);
                    self.len += 1;
                    return here;
                }
                (k, place) if k == stored => return place,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Stores a key known to be absent (while growing).
    fn insert_new(&mut self, stored: u64, place: u64) {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(stored);
        while self.slots[i].0 != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (stored, place);
        self.len += 1;
    }
}

/// The finding for a recipient already on an earlier row (of this file or, in a campaign,
/// of an earlier file).
pub fn check(cx: &RowCheck, seen: &mut SeenNumbers) -> Option<Diagnostic> {
    // A number in an old form (WAC013) is the contact its current form is.
    let number = cx.facts?.recipient()?;
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

    proptest::proptest! {
        /// The table answers as a map that keeps each key's first place, through growth.
        #[test]
        fn first_places_keep_the_first(
            keys in proptest::collection::vec(0u64..5000, 0..3000),
            prepare in proptest::bool::ANY,
        ) {
            let mut table = super::FirstPlaces::default();
            let mut model = std::collections::HashMap::new();
            for chunk in keys.chunks(700) {
                if prepare {
                    table.reserve(chunk.len());
                    table.touch(chunk.iter().copied());
                }
                for (i, &key) in chunk.iter().enumerate() {
                    let here = i as u64 + 1;
                    let want = *model.entry(key).or_insert(here);
                    proptest::prop_assert_eq!(table.first(key, here), want);
                }
            }
            proptest::prop_assert_eq!(table.len, model.len());
        }
    }
}
