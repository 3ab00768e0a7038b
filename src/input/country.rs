//! A contact list's country cell (`country_column`) as the region its row's national
//! numbers are read in: an ISO 3166-1 code (`DE`, `deu`), a country's name in the languages
//! walint recognises phone headers in (`Germany`, `Deutschland`, `Alemania`, `Allemagne`,
//! `Duitsland`, `Germania`, `Alemanha`, `Almanya`, `Jerman`; the ISO short and long names
//! and common unofficial ones, `UK`, `USA`), or a calling code (`49`, `+49`, `0049`; one
//! that several regions share, `+1`, in its main region, whose plan reads the same
//! numbers). Case, accents, spaces and punctuation do not count. The names are data
//! (`country_names.tsv`, written by `scripts/country-names` from the `keshvar` crate's CLDR
//! names); this module only looks them up.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::phone::RegionCode;

/// Every code and name, folded (see [`fold`]), to its region.
fn names() -> &'static HashMap<String, RegionCode> {
    static NAMES: OnceLock<HashMap<String, RegionCode>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut map = HashMap::new();
        for line in include_str!("country_names.tsv").lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let Some(region) = fields.next().and_then(RegionCode::parse) else {
                continue;
            };
            for name in fields {
                map.entry(fold(name)).or_insert(region);
            }
        }
        map
    })
}

/// The region a country cell names, if it names one the phone metadata knows.
pub fn region_of(cell: &str) -> Option<RegionCode> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    let digits = cell
        .strip_prefix('+')
        .or_else(|| cell.strip_prefix("00"))
        .unwrap_or(cell)
        .trim();
    if !digits.is_empty() && digits.len() <= 3 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.parse().ok().and_then(crate::phone::main_region_of);
    }
    if cell.len() == 2
        && let Some(region) = RegionCode::parse(&cell.to_ascii_uppercase())
    {
        return Some(region);
    }
    names().get(&fold(cell)).copied()
}

/// A name as it is compared: lower case, Latin letters without their accents, and
/// nothing but letters and digits (`Côte d'Ivoire` → `cotedivoire`), a leading "the" left
/// out.
fn fold(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let lower = lower.strip_prefix("the ").unwrap_or(&lower);
    let mut out = String::with_capacity(lower.len());
    for c in lower.chars() {
        let plain = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ğ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ı' | 'ī' | 'į' | 'i' => "i",
            'ł' | 'ľ' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'œ' => "oe",
            'ř' => "r",
            'ś' | 'š' | 'ş' | 'ș' => "s",
            'ß' => "ss",
            'ť' | 'ț' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            c if c.is_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => continue,
        };
        out.push_str(plain);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(cell: &str) -> Option<String> {
        region_of(cell).map(|r| r.to_string())
    }

    #[test]
    fn codes_names_and_calling_codes_name_a_region() {
        for (cell, want) in [
            ("DE", "DE"),
            ("de", "DE"),
            ("DEU", "DE"),
            ("Germany", "DE"),
            ("Deutschland", "DE"),
            ("alemania", "DE"),
            ("Allemagne", "DE"),
            ("Duitsland", "DE"),
            ("Almanya", "DE"),
            ("Jerman", "DE"),
            ("49", "DE"),
            ("+49", "DE"),
            ("0049", "DE"),
            ("India", "IN"),
            ("Índia", "IN"),
            ("Hindistan", "IN"),
            ("+91", "IN"),
            ("United Kingdom", "GB"),
            ("UK", "GB"),
            ("Royaume-Uni", "GB"),
            ("USA", "US"),
            ("Estados Unidos", "US"),
            ("+1", "US"),
            ("Côte d'Ivoire", "CI"),
            ("cote divoire", "CI"),
            ("México", "MX"),
            ("Brasil", "BR"),
            ("the Netherlands", "NL"),
        ] {
            assert_eq!(region(cell).as_deref(), Some(want), "{cell}");
        }
        for unknown in ["", "  ", "Atlantis", "999", "XX", "+"] {
            assert_eq!(region(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn every_name_in_the_table_is_read() {
        for line in include_str!("country_names.tsv").lines().skip(1) {
            let fields: Vec<&str> = line.split('\t').collect();
            if RegionCode::parse(fields[0]).is_none() {
                continue; // a region without a numbering plan (Antarctica)
            }
            for name in &fields[1..] {
                assert!(region_of(name).is_some(), "{name} ({})", fields[0]);
            }
        }
    }
}
