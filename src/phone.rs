//! Phone numbers: the one module that talks to the phone-number library (`rlibphonenumber`,
//! a port of Google's libphonenumber). It reads one cell into [`PhoneFacts`] — whether the
//! text is strictly E.164, the E.164 number it can be read as, its region and line type, or
//! why it cannot be read — and never judges: the contact rules decide what is a finding.
//! Nothing outside this module names an `rlibphonenumber` type.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rlibphonenumber::{
    PHONE_NUMBER_UTIL, ParseError, PhoneNumber, PhoneNumberFormat, PhoneNumberType,
    PhoneNumberUtil, Region, ValidationError,
};

thread_local! {
    /// This thread's own copy of the phone library, for the numbers of a list's dominant
    /// calling code.
    static OWN: PhoneNumberUtil = PhoneNumberUtil::new().expect("the built-in metadata loads");
}

/// Which copy of the phone library reads a number.
///
/// The library's compiled patterns keep their match caches in a pool whose fast path
/// belongs to the first thread that used the pattern; a second thread using the same
/// pattern at the same time fights over that pool's state (measured: two threads on one
/// country slower than one). A one-country list — the usual upload, read in parallel —
/// would hit exactly that. So the numbers of the calling code the caller names (a chunk's
/// dominant one, which `phone_workers` deals over every worker) are read with each thread's
/// own copy of the library, whose patterns that thread alone uses; every other number with
/// the one shared copy, so a list of many countries compiles each country's patterns once. Both copies hold the same metadata
/// and give the same answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lib {
    /// The process-wide copy.
    Shared,
    /// This thread's copy.
    Own,
}

impl Lib {
    /// The copy for numbers of calling code `cc` when `hot` is read with [`Lib::Own`].
    fn for_code(cc: i32, hot: Option<i32>) -> Lib {
        if hot == Some(cc) {
            Lib::Own
        } else {
            Lib::Shared
        }
    }

    fn with<T>(self, f: impl FnOnce(&PhoneNumberUtil) -> T) -> T {
        match self {
            Lib::Shared => f(&PHONE_NUMBER_UTIL),
            Lib::Own => OWN.with(f),
        }
    }
}

/// The calling code of the default region (national numbers are parsed in it).
fn hot_code(default_region: Option<RegionCode>) -> Option<i32> {
    PHONE_NUMBER_UTIL.get_country_code_for_region(default_region?.to_region()?)
}

/// The libphonenumber metadata release carried by the pinned `rlibphonenumber` version.
pub const METADATA_VERSION: &str = "9.0.42";
/// The `rlibphonenumber` crate version (pinned in Cargo.toml so the line above stays true).
pub const LIBRARY_VERSION: &str = "rlibphonenumber 2.2.15";

/// A region (ISO 3166-1 alpha-2, upper case), or `001` for non-geographic numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode([u8; 3]);

impl RegionCode {
    /// The region's country calling code.
    pub fn calling_code(self) -> Option<u16> {
        hot_code(Some(self)).and_then(|cc| u16::try_from(cc).ok())
    }

    /// Parses a region code the phone metadata knows (`IN`, `gb`, `001`…).
    pub fn parse(code: &str) -> Option<RegionCode> {
        let region = Region::from_str(code.trim()).ok()?;
        let known = PHONE_NUMBER_UTIL
            .get_country_code_for_region(region)
            .is_some()
            || region == Region::World;
        known.then(|| RegionCode::from_region(region))
    }

    fn from_region(region: Region) -> RegionCode {
        let s = region.as_region_str();
        let mut buf = [b' '; 3];
        buf[..s.len()].copy_from_slice(s.as_bytes());
        RegionCode(buf)
    }

    fn to_region(self) -> Option<Region> {
        Region::from_str(self.as_str()).ok()
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        let len = if self.0[2] == b' ' { 2 } else { 3 };
        std::str::from_utf8(&self.0[..len]).unwrap_or("??")
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every example number libphonenumber's metadata gives, by region and line type, in
/// E.164 (about 2,000): for tests that hold a property over every numbering plan.
pub fn example_numbers() -> Vec<(RegionCode, String)> {
    let types = [
        PhoneNumberType::FixedLine,
        PhoneNumberType::Mobile,
        PhoneNumberType::TollFree,
        PhoneNumberType::PremiumRate,
        PhoneNumberType::SharedCost,
        PhoneNumberType::VoIP,
        PhoneNumberType::PersonalNumber,
        PhoneNumberType::Pager,
        PhoneNumberType::UAN,
        PhoneNumberType::VoiceMail,
    ];
    let mut out = Vec::new();
    for region in PHONE_NUMBER_UTIL.get_supported_regions() {
        for t in types {
            if let Ok(n) = PHONE_NUMBER_UTIL.get_example_number_for_type_and_region(region, t) {
                let e164 = PHONE_NUMBER_UTIL
                    .format(&n, PhoneNumberFormat::E164)
                    .into_owned();
                out.push((RegionCode::from_region(region), e164));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The main region of a calling code (`US` for 1, `GB` for 44, `DE` for 49), when it is
/// assigned: the region whose plan reads its national numbers.
pub fn main_region_of(calling_code: u16) -> Option<RegionCode> {
    PHONE_NUMBER_UTIL
        .get_region_for_country_code(i32::from(calling_code))
        .map(RegionCode::from_region)
        .filter(|r| r.as_str() != "ZZ")
}

/// Every region the metadata knows, sorted.
pub fn supported_regions() -> Vec<RegionCode> {
    let mut all: Vec<RegionCode> = PHONE_NUMBER_UTIL
        .get_supported_regions()
        .map(RegionCode::from_region)
        .collect();
    all.sort();
    all
}

/// What kind of line a valid number is, as far as the numbering plan tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineType {
    /// A mobile number.
    Mobile,
    /// A fixed-line (landline) number.
    FixedLine,
    /// The plan cannot tell fixed-line from mobile (the US, for example).
    FixedLineOrMobile,
    /// A toll-free number.
    TollFree,
    /// A premium-rate number.
    PremiumRate,
    /// A shared-cost number.
    SharedCost,
    /// A VoIP number.
    Voip,
    /// A personal (follow-me) number.
    Personal,
    /// A pager.
    Pager,
    /// A universal access number (a company's one number).
    Uan,
    /// A voicemail access number.
    Voicemail,
}

impl LineType {
    /// A human name for messages.
    pub fn describe(self) -> &'static str {
        match self {
            LineType::Mobile => "mobile",
            LineType::FixedLine => "fixed-line",
            LineType::FixedLineOrMobile => "fixed-line or mobile",
            LineType::TollFree => "toll-free",
            LineType::PremiumRate => "premium-rate",
            LineType::SharedCost => "shared-cost",
            LineType::Voip => "VoIP",
            LineType::Personal => "personal",
            LineType::Pager => "pager",
            LineType::Uan => "universal access (UAN)",
            LineType::Voicemail => "voicemail",
        }
    }

    fn from_lib(t: PhoneNumberType) -> Option<LineType> {
        Some(match t {
            PhoneNumberType::Mobile => LineType::Mobile,
            PhoneNumberType::FixedLine => LineType::FixedLine,
            PhoneNumberType::FixedLineOrMobile => LineType::FixedLineOrMobile,
            PhoneNumberType::TollFree => LineType::TollFree,
            PhoneNumberType::PremiumRate => LineType::PremiumRate,
            PhoneNumberType::SharedCost => LineType::SharedCost,
            PhoneNumberType::VoIP => LineType::Voip,
            PhoneNumberType::PersonalNumber => LineType::Personal,
            PhoneNumberType::Pager => LineType::Pager,
            PhoneNumberType::UAN => LineType::Uan,
            PhoneNumberType::VoiceMail => LineType::Voicemail,
            PhoneNumberType::Unknown => return None,
        })
    }
}

/// A valid number in canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number {
    /// The E.164 digits (country code and national number) as one integer: the identity
    /// of the number. E.164 has at most 15 digits and never starts with 0, so this is exact.
    pub key: u64,
    /// The country calling code.
    pub country_code: u16,
    /// Its line type.
    pub line_type: LineType,
}

impl Number {
    /// The number in E.164 text form, `+` and digits.
    pub fn e164(&self) -> String {
        format!("+{}", self.key)
    }

    /// The main region of the number's calling code (`US` for +1, `NO` for +47), without
    /// matching the number against any plan: cheap, for messages.
    pub fn calling_code_region(&self) -> Option<RegionCode> {
        PHONE_NUMBER_UTIL
            .get_region_for_country_code(i32::from(self.country_code))
            .map(RegionCode::from_region)
    }

    /// The region the number belongs to. Cheap for a calling code that serves one region;
    /// for a shared one (+1, +7, +44…) it matches the number against each region's plan,
    /// which is why it is computed on demand rather than for every row.
    pub fn region(&self) -> Option<RegionCode> {
        let mut regions =
            PHONE_NUMBER_UTIL.get_regions_for_country_calling_code(i32::from(self.country_code))?;
        if regions.len() == 1 {
            return regions.next().map(RegionCode::from_region);
        }
        let digits = self.key.to_string();
        let national = digits.get(cc_len(self.country_code)..)?;
        let parsed = phone_number(i32::from(self.country_code), national).ok()?;
        PHONE_NUMBER_UTIL
            .get_region_for_number(&parsed)
            .map(RegionCode::from_region)
    }
}

fn cc_len(cc: u16) -> usize {
    match cc {
        0..=9 => 1,
        10..=99 => 2,
        _ => 3,
    }
}

/// Why a text cannot be read as a valid phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Invalid {
    /// Letters, an extension mark or other characters that no phone number has.
    ForeignCharacters,
    /// Only digits, but no country code, and no default region to read it in.
    NoCountryCode,
    /// The country calling code is not assigned.
    UnknownCountryCode,
    /// Shorter than any number of its country.
    TooShort,
    /// Longer than any number of its country (or than E.164's 15 digits).
    TooLong,
    /// A length between its country's shortest and longest that no number has.
    InvalidLength,
    /// A possible length, but no number pattern of the country matches.
    NoPatternMatch,
    /// The text holds no digits at all.
    NotANumber,
    /// Scientific notation that kept too few digits (`9.19876E+11`): the rest are gone.
    DigitsLost,
    /// A mobile number in an old form that WhatsApp IDs (`wa_id`) and old lists still
    /// carry, not valid as written, whose current form is the number given.
    Legacy(LegacyForm, Number),
    /// Digits alone that read as a valid number two ways: as a national number of the
    /// region they are read in (the first), and with their own country code (the second).
    /// Which is meant, only the list's owner knows.
    Ambiguous(Number, Number),
}

/// Old forms of mobile numbers, each with one current form (see WAC013's documentation
/// for the sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegacyForm {
    /// Mexico's `+52 1` + 10 digits: the `1` for mobiles was abolished on 3 August 2019;
    /// webhooks still report such `wa_id`s.
    MexicoMobileOne,
    /// Brazil's `+55` + area code + 8 digits for a mobile: the ninth digit (`9`) was
    /// added to every mobile by 2016.
    BrazilNinthDigit,
}

impl LegacyForm {
    /// The form, in words.
    pub fn describe(self) -> &'static str {
        match self {
            LegacyForm::MexicoMobileOne => {
                "a Mexican mobile in the old `52 1` form WhatsApp IDs carry (the 1 was dropped in August 2019)"
            }
            LegacyForm::BrazilNinthDigit => {
                "a Brazilian mobile without its ninth digit (a 9 after the area code since 2016)"
            }
        }
    }
}

impl Invalid {
    /// Why, in words, for a message.
    pub fn describe(self) -> &'static str {
        match self {
            Invalid::ForeignCharacters => {
                "it holds characters no phone number has (letters, an extension or other symbols)"
            }
            Invalid::NoCountryCode => {
                "it has no country code and no default region is set (`--default-region`)"
            }
            Invalid::UnknownCountryCode => "its country calling code is not assigned",
            Invalid::TooShort => "it is too short for its country",
            Invalid::TooLong => "it is too long for its country",
            Invalid::InvalidLength => "its length fits no number of its country",
            Invalid::NoPatternMatch => "no number pattern of its country matches it",
            Invalid::NotANumber => "it holds no phone number",
            Invalid::Legacy(form, _) => form.describe(),
            Invalid::Ambiguous(..) => {
                "it reads as a valid number both as a national number and with its own country code"
            }
            Invalid::DigitsLost => {
                "scientific notation kept only its first digits and the rest are lost"
            }
        }
    }
}

/// How the cell's text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// Nothing but white space.
    Empty,
    /// Strictly `+` and 1 to 15 digits, the first not 0.
    E164,
    /// Anything else; the reason it is not E.164.
    NotE164(ShapeFault),
}

/// The first reason a text is not strict E.164.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShapeFault {
    /// Spaces, dashes, dots, slashes or brackets between the digits (or around them).
    Formatting,
    /// Written with the `00` international prefix instead of `+`.
    DoubleZeroPrefix,
    /// Digits only, without the leading `+`.
    MissingPlus,
    /// A `0` right after the `+`.
    LeadingZero,
    /// More than 15 digits.
    TooManyDigits,
    /// Characters other than digits and formatting.
    ForeignCharacters,
    /// A lone `+` or no digits.
    NoDigits,
    /// A `whatsapp:` or `tel:` prefix (Twilio's and RFC 3966's forms) before the number.
    Prefix,
    /// A decimal number: the digits then `.0` (a spreadsheet or pandas float column).
    DecimalNumber,
    /// Scientific notation (`9.19876E+11`), as Excel shows and exports a long number.
    ScientificNotation,
}

impl ShapeFault {
    /// Why, in words, for a message.
    pub fn describe(self) -> &'static str {
        match self {
            ShapeFault::Formatting => "it holds spaces, dashes, dots or brackets",
            ShapeFault::DoubleZeroPrefix => "it starts with the 00 prefix instead of +",
            ShapeFault::MissingPlus => "it has no leading +",
            ShapeFault::LeadingZero => "a 0 follows the +",
            ShapeFault::TooManyDigits => "it has more than 15 digits",
            ShapeFault::ForeignCharacters => "it holds characters other than digits",
            ShapeFault::NoDigits => "it holds no digits",
            ShapeFault::Prefix => "it starts with a `whatsapp:` or `tel:` prefix",
            ShapeFault::DecimalNumber => {
                "it is written as a decimal number ending `.0` (or `,0`), as a float column is"
            }
            ShapeFault::ScientificNotation => {
                "it is in scientific notation, as Excel shows a long number"
            }
        }
    }
}

/// Everything walint knows about one phone cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhoneFacts {
    /// How the text is written.
    pub shape: Shape,
    /// The valid number it reads as, or why it does not read as one.
    pub number: Result<Number, Invalid>,
    /// Digits alone that read as two valid numbers, settled by the numbering plans: read
    /// with their own country code they are a mobile, read as a national number a line no
    /// WhatsApp account is on (a fixed line, a toll-free number…); the mobile is the number.
    /// The national reading's line type, when so.
    pub settled: Option<LineType>,
}

impl PhoneFacts {
    /// The number the cell reaches, as one contact: the valid number, or the current
    /// form of a number in an old form ([`Invalid::Legacy`]), so that a contact written
    /// both ways is one recipient.
    pub fn recipient(&self) -> Option<&Number> {
        match &self.number {
            Ok(number) | Err(Invalid::Legacy(_, number)) => Some(number),
            Err(_) => None,
        }
    }
}

/// The longest phone cell read: anything longer is not a number (and is not parsed).
const MAX_CELL_CHARS: usize = 64;

/// How a cell that states no country (no `+`, no `00`) is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Reading {
    /// The region its digits are read in as a national number (the row's country, else
    /// `--default-region`); `None`: none.
    pub region: Option<RegionCode>,
    /// Every number of the list starts with its country code (`--assume-international`):
    /// digits alone are read with their own country code only; a number written with a
    /// trunk prefix (a leading `0`) is still read as national.
    pub international: bool,
}

impl Reading {
    /// Digits read as national numbers of `region` (when given), else as international.
    pub fn in_region(region: Option<RegionCode>) -> Reading {
        Reading {
            region,
            international: false,
        }
    }
}

/// Reads a cell. `default_region` is used for numbers written without a country code.
pub fn analyse(cell: &str, default_region: Option<RegionCode>) -> PhoneFacts {
    analyse_with_own(cell, Reading::in_region(default_region), None)
}

/// Reads a cell as `reading` says; numbers of calling code `own` are read with this
/// thread's own copy of the phone library rather than the shared one — for the calling code
/// most of a list is in, read on several threads at once. Gives the same facts as
/// [`analyse`] for the same reading.
pub fn analyse_with_own(cell: &str, reading: Reading, own: Option<u16>) -> PhoneFacts {
    let text = trim(cell);
    if let Some((fault, inner)) = artefact(text) {
        let facts = inner.map(|inner| analyse_with_own(&inner, reading, own));
        return PhoneFacts {
            shape: Shape::NotE164(fault),
            number: facts.map_or(Err(Invalid::DigitsLost), |f| f.number),
            settled: facts.and_then(|f| f.settled),
        };
    }
    let shape = shape_of(text);
    let hot = own.map(i32::from);
    let (number, settled) = match shape {
        Shape::Empty => (Err(Invalid::NotANumber), None),
        Shape::E164 => (read_e164(&text[1..], hot), None),
        Shape::NotE164(ShapeFault::ForeignCharacters) => (Err(Invalid::ForeignCharacters), None),
        Shape::NotE164(ShapeFault::NoDigits) => (Err(Invalid::NotANumber), None),
        Shape::NotE164(_) => read_loose(text, reading, hot),
    };
    PhoneFacts {
        shape,
        number,
        settled,
    }
}

/// Reads a number that should be international (as in a payload's `to`): a leading `+`
/// is assumed when the text has none.
pub fn analyse_international(cell: &str) -> PhoneFacts {
    let text = trim(cell);
    if let Some((fault, inner)) = artefact(text) {
        let number = match inner {
            Some(inner) => analyse_international(&inner).number,
            None => Err(Invalid::DigitsLost),
        };
        return PhoneFacts {
            shape: Shape::NotE164(fault),
            number,
            settled: None,
        };
    }
    let shape = shape_of(text);
    let number = match shape {
        Shape::Empty => Err(Invalid::NotANumber),
        Shape::NotE164(ShapeFault::ForeignCharacters) => Err(Invalid::ForeignCharacters),
        Shape::NotE164(ShapeFault::NoDigits) => Err(Invalid::NotANumber),
        // `+digits`, or digits alone (Meta's own examples): read as written, no parser.
        Shape::E164 => read_e164(&text[1..], None),
        Shape::NotE164(ShapeFault::MissingPlus) if !text.starts_with('0') => read_e164(text, None),
        _ => read_loose(text, Reading::default(), None).0,
    };
    PhoneFacts {
        shape,
        number,
        settled: None,
    }
}

/// What a tool wrapped around a number: the fault, and the number's own text (`None` when
/// scientific notation lost digits). `None` for a cell with none of these forms.
fn artefact(text: &str) -> Option<(ShapeFault, Option<Cow<'_, str>>)> {
    // Most cells hold none of `:`, `.`, `,`, `e`: they are let through at once.
    if !text
        .bytes()
        .any(|b| matches!(b, b':' | b'.' | b',' | b'e' | b'E'))
    {
        return None;
    }
    for prefix in ["whatsapp:", "tel:"] {
        // A `tel:` URI with parameters (`;phone-context=`, `;ext=`) is no plain number.
        if text.len() > prefix.len()
            && text.is_char_boundary(prefix.len())
            && text[..prefix.len()].eq_ignore_ascii_case(prefix)
            && !text.contains(';')
        {
            let inner = trim(&text[prefix.len()..]);
            return Some((ShapeFault::Prefix, Some(Cow::Borrowed(inner))));
        }
    }
    // `919876543210.0`, or with a decimal comma (`919876543210,0`, as German, French,
    // Spanish and Portuguese Excel writes it; one or two zeros, never a thousands group).
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    if let Some((whole, fraction)) = unsigned.split_once(['.', ',']) {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let comma = unsigned.as_bytes()[whole.len()] == b',';
        if digits(whole)
            && digits(fraction)
            && fraction.bytes().all(|b| b == b'0')
            && (!comma || fraction.len() <= 2)
        {
            let inner = &text[..text.len() - fraction.len() - 1];
            return Some((ShapeFault::DecimalNumber, Some(Cow::Borrowed(inner))));
        }
    }
    scientific(text).map(|digits| (ShapeFault::ScientificNotation, digits.map(Cow::Owned)))
}

/// `d.dddE+nn` (or `e`, with or without the exponent's `+`): the integer it stands for when
/// the mantissa kept every digit (`Some(Some(digits))`), `Some(None)` when digits were lost,
/// `None` when the text is not an integer in scientific notation.
fn scientific(text: &str) -> Option<Option<String>> {
    let (mantissa, exponent) = text.split_once(['e', 'E'])?;
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    if exponent.is_empty() || exponent.len() > 2 || !exponent.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let exponent: usize = exponent.parse().ok()?;
    // The mantissa's decimal separator is `.` or, in comma-decimal locales, `,`.
    let (lead, fraction) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
    if lead.len() != 1
        || lead == "0"
        || !lead.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{lead}{fraction}");
    match digits.len().cmp(&(exponent + 1)) {
        std::cmp::Ordering::Equal => Some(Some(digits)),
        std::cmp::Ordering::Less => Some(None),
        // A fraction: not an integer, so not a number written by a spreadsheet.
        std::cmp::Ordering::Greater => None,
    }
}

/// Whether a cell is written as phone numbers are — `+` and digits, or digits with
/// formatting, a `00` prefix or none — with 7 to 15 digits, valid or not (no parsing). For
/// telling a header-less file's first row from a header.
pub fn looks_like_number(cell: &str) -> bool {
    let text = trim(cell);
    (7..=15).contains(&text.bytes().filter(u8::is_ascii_digit).count())
        && matches!(
            shape_of(text),
            Shape::E164
                | Shape::NotE164(
                    ShapeFault::Formatting
                        | ShapeFault::MissingPlus
                        | ShapeFault::DoubleZeroPrefix
                        | ShapeFault::LeadingZero
                )
        )
}

/// Whether a cell states its country: its first `+` or digit is a `+`, or its digits start
/// with the `00` international prefix. A number without either is read as international
/// only by assumption.
pub fn states_country(cell: &str) -> bool {
    let rest = cell.trim_start_matches(|c: char| !c.is_ascii_digit() && c != '+');
    rest.starts_with('+') || rest.starts_with("00")
}

/// `cell.trim()`, without decoding characters when the cell starts and ends with a
/// printable ASCII one (nearly every phone cell; measured at 3.5% of a check's CPU before).
fn trim(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

fn is_formatting(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' | '\u{2010}'..='\u{2015}'
    ) || c.is_whitespace()
}

fn shape_of(text: &str) -> Shape {
    if text.is_empty() {
        return Shape::Empty;
    }
    let bytes = text.as_bytes();
    if bytes[0] == b'+' && bytes.len() > 1 && bytes[1..].iter().all(u8::is_ascii_digit) {
        return match bytes.len() - 1 {
            _ if bytes[1] == b'0' => Shape::NotE164(ShapeFault::LeadingZero),
            n if n > 15 => Shape::NotE164(ShapeFault::TooManyDigits),
            _ => Shape::E164,
        };
    }
    let mut digits = 0usize;
    let mut formatting = false;
    let mut plus_allowed = true;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            plus_allowed = false;
        } else if c == '+' && plus_allowed {
            plus_allowed = false;
        } else if is_formatting(c) {
            formatting = true;
        } else {
            return Shape::NotE164(ShapeFault::ForeignCharacters);
        }
    }
    let fault = if digits == 0 {
        ShapeFault::NoDigits
    } else if text.starts_with("00") {
        ShapeFault::DoubleZeroPrefix
    } else if formatting {
        ShapeFault::Formatting
    } else if digits > 15 {
        ShapeFault::TooManyDigits
    } else {
        ShapeFault::MissingPlus
    };
    Shape::NotE164(fault)
}

/// The calling code a cell most likely carries (no validation): the leading calling code of
/// its digits when written with `+`, `00` or no prefix, else the default region's. Lets
/// callers spread work by country so that each worker uses its own countries' patterns.
pub fn calling_code_hint(cell: &str, default_region: Option<RegionCode>) -> Option<u16> {
    let text = trim(cell);
    let cc = if let Some(digits) = text
        .strip_prefix('+')
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
    {
        split_calling_code(digits)?.0
    } else {
        let mut digits = [0u8; 8];
        let mut n = 0;
        for b in text.bytes().filter(u8::is_ascii_digit).take(digits.len()) {
            digits[n] = b;
            n += 1;
        }
        let digits = std::str::from_utf8(&digits[..n]).ok()?;
        match (
            digits.strip_prefix("00"),
            default_region.and_then(RegionCode::to_region),
        ) {
            (Some(rest), _) => split_calling_code(rest)?.0,
            (None, Some(region)) => PHONE_NUMBER_UTIL.get_country_code_for_region(region)?,
            (None, None) => split_calling_code(digits)?.0,
        }
    };
    u16::try_from(cc).ok()
}

/// Splits E.164 digits into the assigned calling code (the first 1–3 digits that form one)
/// and the national number.
fn split_calling_code(digits: &str) -> Option<(i32, &str)> {
    (1..=3).find_map(|len| {
        let code: i32 = digits.get(..len)?.parse().ok()?;
        PHONE_NUMBER_UTIL
            .get_regions_for_country_calling_code(code)
            .map(|_| (code, &digits[len..]))
    })
}

/// Reads strict E.164 digits (after the `+`) exactly as written: the country code is the
/// first 1–3 digits that form an assigned calling code, the rest is the national number,
/// and nothing is stripped — unlike a lenient parse, which would drop a national prefix
/// (`+44 0…`) that WhatsApp would keep and fail on. It also skips the parser's
/// pattern matching, the costliest part of reading a well-formed list.
fn read_e164(digits: &str, hot: Option<i32>) -> Result<Number, Invalid> {
    read_e164_as_written(digits, hot).map_err(|why| legacy_form(digits, hot).unwrap_or(why))
}

fn read_e164_as_written(digits: &str, hot: Option<i32>) -> Result<Number, Invalid> {
    let (cc, national) = split_calling_code(digits).ok_or(Invalid::UnknownCountryCode)?;
    classify(&phone_number(cc, national)?, Lib::for_code(cc, hot))
}

/// E.164 digits that are not a valid number but an old form of one (see [`LegacyForm`]):
/// `52 1` + 10 digits whose `52` + 10 digits is a valid mobile; `55` + area code + 8
/// digits starting 6, 8 or 9 whose form with a 9 before them is a valid mobile. (An
/// 8-digit number starting 7 is still a valid mobile range in libphonenumber's data, and
/// Argentina's `54` without the mobile `9` is a valid fixed line: neither is certain.)
fn legacy_form(digits: &str, hot: Option<i32>) -> Option<Invalid> {
    let b = digits.as_bytes();
    let (form, current) = match b.len() {
        13 if digits.starts_with("521") => {
            (LegacyForm::MexicoMobileOne, format!("52{}", &digits[3..]))
        }
        12 if digits.starts_with("55") && matches!(b[4], b'6' | b'8' | b'9') => (
            LegacyForm::BrazilNinthDigit,
            format!("55{}9{}", &digits[2..4], &digits[4..]),
        ),
        _ => return None,
    };
    let number = read_e164_as_written(&current, hot).ok()?;
    matches!(
        number.line_type,
        LineType::Mobile | LineType::FixedLineOrMobile
    )
    .then_some(Invalid::Legacy(form, number))
}

/// An Argentine fixed-line number whose form with the mobile `9` after +54 is a valid
/// mobile: that form, which WhatsApp IDs of Argentine mobiles use. Not certain (the
/// number may be the fixed line it reads as), so only ever a hint.
pub fn argentine_mobile_form(number: &Number) -> Option<Number> {
    if number.country_code != 54 || number.line_type != LineType::FixedLine {
        return None;
    }
    let digits = number.key.to_string();
    let mobile = read_e164_as_written(&format!("549{}", &digits[2..]), None).ok()?;
    (mobile.line_type == LineType::Mobile).then_some(mobile)
}

/// Builds a number from its calling code and national digits, as libphonenumber's parser
/// would for `+` input, without stripping anything.
fn phone_number(cc: i32, national: &str) -> Result<PhoneNumber, Invalid> {
    if national.len() < 2 {
        return Err(Invalid::TooShort);
    }
    let mut parsed = PhoneNumber {
        country_code: cc,
        national_number: national.parse().map_err(|_| Invalid::TooLong)?,
        ..PhoneNumber::default()
    };
    // Leading zeros of the national number (Italy and others), as libphonenumber's parser
    // records them: all of them, except the last when the number is nothing but zeros.
    let zeros = national.bytes().take_while(|&b| b == b'0').count();
    if zeros > 0 {
        parsed.italian_leading_zero = Some(true);
        let zeros = if zeros == national.len() {
            zeros - 1
        } else {
            zeros
        };
        if zeros > 1 {
            parsed.number_of_leading_zeros = Some(zeros as i32);
        }
    }
    Ok(parsed)
}

/// Parses `+digits` (no region needed) with `lib`.
fn read_international(text: &str, lib: Lib) -> Result<Number, Invalid> {
    match lib.with(|u| u.parse(text, None)) {
        Ok(parsed) => classify(&parsed, lib),
        Err(e) => Err(parse_failure(&e)),
    }
}

/// Reads a loosely written number: strips formatting, turns `00` into `+`, and for bare
/// digits tries the default region's national form before assuming a missing `+`.
/// Reads digits that are not strict E.164; the number (or why none), and whether the
/// national reading's line type when the numbering plans settled two readings (see
/// [`PhoneFacts::settled`]).
fn read_loose(
    text: &str,
    reading: Reading,
    hot: Option<i32>,
) -> (Result<Number, Invalid>, Option<LineType>) {
    if text.chars().count() > MAX_CELL_CHARS {
        return (Err(Invalid::TooLong), None);
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let plus = text
        .trim_start_matches(|c: char| c != '+' && is_formatting(c))
        .starts_with('+');
    // Digits that state their country, or that the list says all start with their
    // country code: read with it.
    if plus || (reading.international && !digits.starts_with('0')) {
        return (read_international_digits(&digits, hot), None);
    }
    let default_region = reading.region;
    let region = default_region.and_then(RegionCode::to_region);
    let mut national_failure = None;
    if let Some(region) = region {
        let lib = match hot_code(default_region) {
            Some(cc) => Lib::for_code(cc, hot),
            None => Lib::Shared,
        };
        match lib.with(|u| u.parse(&digits, Some(region))) {
            Ok(parsed) => match classify(&parsed, lib) {
                Ok(national) => return unless_ambiguous(national, text, &digits, hot),
                Err(why) => national_failure = Some(why),
            },
            Err(e) => national_failure = Some(parse_failure(&e)),
        }
    }
    let international = match digits.strip_prefix("00") {
        Some(rest) => read_international_digits(rest, hot),
        None if region.is_none() && digits.starts_with('0') => Err(Invalid::NoCountryCode),
        None => read_international_digits(&digits, hot),
    };
    let number = match (international, national_failure) {
        (Ok(number), _) => Ok(number),
        // An old form of a mobile (a `wa_id`) says more than how the digits fail otherwise.
        (Err(legacy @ Invalid::Legacy(..)), _) => Err(legacy),
        (Err(_), Some(national)) => Err(national),
        (Err(Invalid::UnknownCountryCode), None) => Err(Invalid::NoCountryCode),
        // Digits alone that do not read as international: no country code is the finding,
        // not how they fail to read as some country's number.
        (Err(_), None) if region.is_none() && !digits.starts_with("00") => {
            Err(Invalid::NoCountryCode)
        }
        (Err(why), None) => Err(why),
    };
    (number, None)
}

/// The national reading of digits, unless they also read as a different valid number
/// with their own country code (`4915123456789` in Germany: a fixed line of Leer, or the
/// mobile +49 151…; `919876543210` in Germany: a fixed line, or the Indian mobile +91…;
/// `15123456789` in Germany: the mobile 0151…, or a number of Austin, Texas). Then the
/// plans settle it only when the number read with its own country code is a mobile and the
/// national one is not (no one sends WhatsApp messages to a fixed line): that reading is
/// taken, and said to be settled. Otherwise the digits are ambiguous. Digits written with a
/// trunk or international prefix (a leading `0`) start with no country code, so have one
/// reading; so do digits grouped in a way that does not set a country code apart
/// (`(479) 912-3456` is a US area code, not +47: its first group is not a calling code),
/// while `91 98765 43210` may still be +91.
fn unless_ambiguous(
    national: Number,
    text: &str,
    digits: &str,
    hot: Option<i32>,
) -> (Result<Number, Invalid>, Option<LineType>) {
    if digits.starts_with('0') {
        return (Ok(national), None);
    }
    let first_group: String = text
        .trim_start_matches(is_formatting)
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let grouped = first_group.len() < digits.len();
    match read_international_digits(digits, hot) {
        Ok(international) if grouped && first_group != international.country_code.to_string() => {
            (Ok(national), None)
        }
        Ok(international) if international.key != national.key => {
            // Lines no WhatsApp account lives on (VoIP and personal numbers may have one).
            let unmessaged = matches!(
                national.line_type,
                LineType::FixedLine
                    | LineType::TollFree
                    | LineType::PremiumRate
                    | LineType::SharedCost
                    | LineType::Uan
                    | LineType::Pager
                    | LineType::Voicemail
            );
            if international.line_type == LineType::Mobile && unmessaged {
                (Ok(international), Some(national.line_type))
            } else {
                (Err(Invalid::Ambiguous(national, international)), None)
            }
        }
        _ => (Ok(national), None),
    }
}

fn read_international_digits(digits: &str, hot: Option<i32>) -> Result<Number, Invalid> {
    if digits.len() > 15 {
        return Err(Invalid::TooLong);
    }
    if digits.is_empty() {
        return Err(Invalid::NotANumber);
    }
    let mut text = String::with_capacity(digits.len() + 1);
    text.push('+');
    text.push_str(digits);
    let lib = match split_calling_code(digits) {
        Some((cc, _)) => Lib::for_code(cc, hot),
        None => Lib::Shared,
    };
    read_international(&text, lib).map_err(|why| legacy_form(digits, hot).unwrap_or(why))
}

fn parse_failure(e: &ParseError) -> Invalid {
    match e {
        ParseError::InvalidCountryCode => Invalid::UnknownCountryCode,
        ParseError::TooShortAfterIdd | ParseError::TooShortNsn => Invalid::TooShort,
        ParseError::TooLongNsn => Invalid::TooLong,
        ParseError::NotANumber(_) => Invalid::NotANumber,
    }
}

fn classify(parsed: &PhoneNumber, lib: Lib) -> Result<Number, Invalid> {
    let Some(line_type) = LineType::from_lib(lib.with(|u| u.get_number_type(parsed))) else {
        return Err(why_invalid(parsed, lib));
    };
    let e164 = lib.with(|u| u.format(parsed, PhoneNumberFormat::E164).into_owned());
    let key = e164
        .strip_prefix('+')
        .and_then(|d| d.parse::<u64>().ok())
        .ok_or(Invalid::TooLong)?;
    if e164.len() > 16 {
        return Err(Invalid::TooLong);
    }
    Ok(Number {
        key,
        country_code: u16::try_from(parsed.country_code)
            .map_err(|_| Invalid::UnknownCountryCode)?,
        line_type,
    })
}

fn why_invalid(parsed: &PhoneNumber, lib: Lib) -> Invalid {
    match lib.with(|u| u.is_possible_number_with_reason(parsed)) {
        Ok(_) => Invalid::NoPatternMatch,
        Err(ValidationError::InvalidCountryCode) => Invalid::UnknownCountryCode,
        Err(ValidationError::TooShort) => Invalid::TooShort,
        Err(ValidationError::TooLong) => Invalid::TooLong,
        Err(ValidationError::InvalidLength) => Invalid::InvalidLength,
    }
}

/// An example valid mobile number (E.164) for each region that has one; for benchmarks,
/// generated test data and the documentation's examples.
pub fn example_mobile_numbers() -> Vec<(RegionCode, String)> {
    supported_regions()
        .into_iter()
        .filter_map(|code| {
            let region = code.to_region()?;
            let number = PHONE_NUMBER_UTIL
                .get_example_number_for_type_and_region(region, PhoneNumberType::Mobile)
                .ok()?;
            Some((code, number.format_as(PhoneNumberFormat::E164).into_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_tools_wrap_around_a_number_is_named_and_unwrapped() {
        let read = |cell: &str| {
            let f = analyse(cell, None);
            (f.shape, f.number.map(|n| n.e164()))
        };
        let fault = |f| Shape::NotE164(f);
        let ok = |s: &str| Ok(s.to_string());
        assert_eq!(
            read("whatsapp:+14155552671"),
            (fault(ShapeFault::Prefix), ok("+14155552671"))
        );
        assert_eq!(
            read("TEL: +1 415 555 2671"),
            (fault(ShapeFault::Prefix), ok("+14155552671"))
        );
        assert_eq!(
            read("447911123456.0"),
            (fault(ShapeFault::DecimalNumber), ok("+447911123456"))
        );
        assert_eq!(
            read("+447911123456.00"),
            (fault(ShapeFault::DecimalNumber), ok("+447911123456"))
        );
        assert_eq!(
            read("4.47911123456E+11"),
            (fault(ShapeFault::ScientificNotation), ok("+447911123456"))
        );
        assert_eq!(
            read("4.47911E+11"),
            (
                fault(ShapeFault::ScientificNotation),
                Err(Invalid::DigitsLost)
            )
        );
        // Comma-decimal locales (German, French, Spanish Excel).
        assert_eq!(
            read("447911123456,0"),
            (fault(ShapeFault::DecimalNumber), ok("+447911123456"))
        );
        assert_eq!(
            read("4,47911E+11"),
            (
                fault(ShapeFault::ScientificNotation),
                Err(Invalid::DigitsLost)
            )
        );
        // Near misses: a thousands group, a real decimal, a fraction in scientific
        // notation, a word with `e`.
        assert_ne!(read("447911,000").0, fault(ShapeFault::DecimalNumber));
        assert_eq!(read("4479111234.5").0, fault(ShapeFault::Formatting));
        assert_eq!(read("4.479E+2").0, fault(ShapeFault::ForeignCharacters));
        assert_eq!(read("telephone").0, fault(ShapeFault::ForeignCharacters));
        assert_eq!(read("+447911123456").0, Shape::E164);
        // A payload's `to` is unwrapped the same way.
        assert_eq!(
            analyse_international("whatsapp:+447911123456")
                .number
                .map(|n| n.key),
            Ok(447911123456)
        );
    }

    #[test]
    fn a_cell_states_its_country_with_plus_or_00() {
        for cell in [
            "+44 7911",
            "(+44) 7911",
            "tel:+1415",
            "0044 7911",
            "whatsapp:+1",
        ] {
            assert!(states_country(cell), "{cell}");
        }
        for cell in [
            "447911123456",
            "07911 123456",
            "(415) 555-2671",
            "4.4E+11",
            "",
        ] {
            assert!(!states_country(cell), "{cell}");
        }
    }

    #[test]
    fn digits_without_a_country_fail_as_no_country_code() {
        // `4155552671` read as international is +41 (Switzerland) and too short; the finding
        // is that no country is stated, not how Switzerland rejects it.
        assert_eq!(
            analyse("(415) 555-2671", None).number,
            Err(Invalid::NoCountryCode)
        );
        assert_eq!(
            analyse("(415) 555-2671", region("US"))
                .number
                .map(|n| n.key),
            Ok(14155552671)
        );
    }

    proptest::proptest! {
        #[test]
        fn the_quick_trim_is_trim(cell in "[ \t\u{a0}\u{3000}a+0-9é\n]{0,6}") {
            proptest::prop_assert_eq!(trim(&cell), cell.trim());
        }
    }

    fn region(code: &str) -> Option<RegionCode> {
        RegionCode::parse(code)
    }

    #[test]
    fn strict_e164_valid_mobile() {
        let facts = analyse("+919876543210", None);
        assert_eq!(facts.shape, Shape::E164);
        let n = facts.number.unwrap();
        assert_eq!(n.key, 919876543210);
        assert_eq!(n.region().unwrap().as_str(), "IN");
        let shared = |s: &str| analyse(s, None).number.unwrap().region().unwrap();
        assert_eq!(shared("+447400123456").as_str(), "GB");
        assert_eq!(shared("+447911123456").as_str(), "GG");
        assert_eq!(shared("+16502530000").as_str(), "US");
        assert_eq!(shared("+14165550123").as_str(), "CA");
        assert_eq!(n.line_type, LineType::Mobile);
        assert_eq!(n.e164(), "+919876543210");
    }

    #[test]
    fn formatted_numbers_read_as_the_same_number() {
        for text in [
            "+91 98765 43210",
            "+91-98765-43210",
            "0091 98765 43210",
            "919876543210",
        ] {
            let facts = analyse(text, None);
            assert!(matches!(facts.shape, Shape::NotE164(_)), "{text}");
            assert_eq!(facts.number.unwrap().key, 919876543210, "{text}");
        }
        let national = analyse("098765 43210", region("IN"));
        assert_eq!(national.number.unwrap().key, 919876543210);
        let us = analyse("(650) 253-0000", region("US"));
        assert_eq!(us.number.unwrap().e164(), "+16502530000");
    }

    #[test]
    fn shape_faults() {
        let fault = |t: &str| match shape_of(t) {
            Shape::NotE164(f) => Some(f),
            _ => None,
        };
        assert_eq!(fault("+44 7911 123456"), Some(ShapeFault::Formatting));
        assert_eq!(fault("00447911123456"), Some(ShapeFault::DoubleZeroPrefix));
        assert_eq!(fault("447911123456"), Some(ShapeFault::MissingPlus));
        assert_eq!(fault("+0447911123456"), Some(ShapeFault::LeadingZero));
        assert_eq!(fault("+1234567890123456"), Some(ShapeFault::TooManyDigits));
        assert_eq!(
            fault("+44 7911 12345a"),
            Some(ShapeFault::ForeignCharacters)
        );
        assert_eq!(fault("+"), Some(ShapeFault::NoDigits));
        assert_eq!(shape_of(""), Shape::Empty);
        assert_eq!(shape_of("+447911123456"), Shape::E164);
    }

    #[test]
    fn letters_never_read_as_a_number() {
        assert_eq!(
            analyse("+1 800 FLOWERS", None).number,
            Err(Invalid::ForeignCharacters)
        );
        assert_eq!(
            analyse("+4479111234x5", None).number,
            Err(Invalid::ForeignCharacters)
        );
    }

    #[test]
    fn invalid_reasons() {
        assert_eq!(analyse("+44791", None).number, Err(Invalid::TooShort));
        assert_eq!(
            analyse("+999123456789", None).number,
            Err(Invalid::UnknownCountryCode)
        );
        assert_eq!(
            analyse("0791112345", None).number,
            Err(Invalid::NoCountryCode)
        );
        assert!(analyse("+4479111234567890", None).number.is_err());
    }

    #[test]
    fn strict_e164_is_read_as_written() {
        // A national prefix after the country code is not stripped: WhatsApp would keep it.
        assert!(analyse("+4407400123456", None).number.is_err());
        assert_eq!(
            analyse("+44 07400 123456", None).number.unwrap().key,
            447400123456
        );
        // Italian numbers keep their leading zero.
        assert_eq!(
            analyse("+390236618300", None).number.unwrap().key,
            390236618300
        );
        assert_eq!(
            analyse("+999123", None).number,
            Err(Invalid::UnknownCountryCode)
        );
        assert_eq!(analyse("+441", None).number, Err(Invalid::TooShort));
    }

    #[test]
    fn line_types() {
        let t = |s: &str| analyse(s, None).number.unwrap().line_type;
        assert_eq!(t("+18002530000"), LineType::TollFree);
        assert_eq!(t("+442071838750"), LineType::FixedLine);
    }

    #[test]
    fn regions() {
        assert_eq!(region("gb").unwrap().as_str(), "GB");
        assert!(region("XX").is_none());
        assert!(region("").is_none());
        assert!(supported_regions().len() > 230);
        assert!(example_mobile_numbers().len() > 230);
    }
}
