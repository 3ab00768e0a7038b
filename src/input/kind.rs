//! Recognises what an input is — a contact list, message payloads, a template registry or
//! a walint config — once per path, from its content (DESIGN: CSV = contacts; JSON with
//! `messaging_product` = payloads; template objects = registry), and lists the files under
//! a directory that walint reads. It opens each path once and reads only its first bytes:
//! the reader it recognised is the one the check then streams.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::input::contacts::ColumnChoice;
use crate::input::payloads::Framing;
use crate::input::spreadsheet::{self, SheetRows};

/// What an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A contact list (CSV): anything that does not start like JSON or a spreadsheet.
    Contacts,
    /// A contact list in a spreadsheet (`.xlsx`, `.xls`, `.ods`…, recognised by its first
    /// bytes: see `spreadsheet::is_spreadsheet`).
    Spreadsheet,
    /// Message payloads: NDJSON (by its file ending), or a JSON document that names
    /// `messaging_product` within its first [`SNIFF_BYTES`].
    Payloads,
    /// A template registry: any other JSON document (a Graph API export or a bare array).
    Registry,
    /// A walint config (`*.toml`): given with `--config`, not checked as an input.
    Config,
    /// One of walint's own outputs (a JSON report, a baseline, SARIF, GitLab Code
    /// Quality): committed beside the lists, passed over.
    WalintOutput,
}

/// How many bytes of a JSON document are looked at to tell payloads from a registry.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Text file endings walint picks up when it walks a directory (spreadsheets, by
/// `spreadsheet::EXTENSIONS`, too).
pub const WALKED_EXTENSIONS: &[&str] = &["csv", "tsv", "json", "ndjson", "jsonl"];

/// A buffered input.
pub type Input = Box<dyn BufRead + Send>;

/// Recognises a stream from its first bytes (and, for NDJSON and configs, the path's
/// ending), without consuming any of it.
pub fn recognise<R: BufRead>(path: &Path, input: &mut R) -> std::io::Result<Kind> {
    let toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if toml {
        return Ok(Kind::Config);
    }
    let head = input.fill_buf()?;
    if spreadsheet::is_spreadsheet(head) {
        return Ok(Kind::Spreadsheet);
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if !matches!(
        head.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    ) {
        return Ok(Kind::Contacts);
    }
    if Framing::for_path(path) == Framing::Lines {
        return Ok(Kind::Payloads);
    }
    let head = &head[..head.len().min(SNIFF_BYTES)];
    if is_walint_output(head) {
        return Ok(Kind::WalintOutput);
    }
    Ok(if head.windows(19).any(|w| w == b"\"messaging_product\"") {
        Kind::Payloads
    } else {
        Kind::Registry
    })
}

/// Whether the start of a JSON document is one walint writes: a report or a baseline
/// (`"tool": {"name": "walint"`), SARIF (a `$schema` naming sarif, or `"runs"` whose
/// driver is walint), GitLab Code Quality (`"check_name"` beside `"fingerprint"`).
fn is_walint_output(head: &[u8]) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    let compact: Vec<u8> = head
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let tight = |needle: &[u8]| memchr::memmem::find(&compact, needle).is_some();
    tight(br#""tool":{"name":"walint""#)
        || (tight(br#""driver":{"#) && tight(br#""name":"walint""#))
        || (has(br#""$schema""#) && has(b"sarif"))
        || (tight(br#""check_name":"#) && tight(br#""fingerprint":"#) && !has(b"messaging_product"))
}

/// Opens a file (or `-` for standard input) for reading, buffered.
pub fn open(path: &Path) -> Result<Input, Error> {
    if path == Path::new("-") {
        return Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            std::io::stdin(),
        )));
    }
    Ok(Box::new(BufReader::with_capacity(
        1 << 16,
        open_file(path)?,
    )))
}

fn open_file(path: &Path) -> Result<File, Error> {
    File::open(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// A contact list's input: CSV text, or a spreadsheet's sheet.
pub enum ContactInput<R> {
    /// CSV (or TSV) text.
    Text(R),
    /// The rows of a spreadsheet's sheet.
    Sheet(SheetRows),
}

/// Opens a contact list (or `-`) as text or, when it is one, as a sheet of a spreadsheet
/// (`columns.sheet`, else the first).
pub fn open_contacts(path: &Path, columns: &ColumnChoice) -> Result<ContactInput<Input>, Error> {
    let mut input = open(path)?;
    let head = input.fill_buf().map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    if !spreadsheet::is_spreadsheet(head) {
        return Ok(ContactInput::Text(input));
    }
    sheet_of(path, input, columns)
}

/// The sheet of a spreadsheet: its file read in place, or (standard input, a pipe) its
/// bytes copied to an unnamed temporary file first.
fn sheet_of(
    path: &Path,
    mut input: Input,
    columns: &ColumnChoice,
) -> Result<ContactInput<Input>, Error> {
    let shown = path.display().to_string();
    let limits = columns.sheet_limits();
    let file = spreadsheet::workbook_file(&shown, path, &mut input, &limits)?;
    Ok(ContactInput::Sheet(SheetRows::open(
        &shown,
        file,
        columns.sheet.as_deref(),
        &limits,
    )?))
}

/// A path whose kind is known, and the input to read it from.
pub struct Recognised {
    /// The path as given (`-` for standard input).
    pub path: PathBuf,
    /// What it is.
    pub kind: Kind,
    held: Held,
}

/// What is kept of an input between its recognition and its check.
enum Held {
    /// The reader it was recognised from (standard input, which is read once only).
    Reader(Input),
    /// The file, back at its start: a descriptor, no buffer.
    File(File),
    /// Nothing: too many inputs were held already, so it is opened again (its kind is known).
    Closed,
}

/// How many files are kept open between recognition and check; past that, paths are
/// opened again when checked, so a walk of thousands of files needs no more descriptors.
const HELD_FILES: usize = 256;

impl Recognised {
    /// Opens `path` and recognises it; `held` counts the files kept open so far.
    pub fn open(path: &Path, held: &mut usize) -> Result<Recognised, Error> {
        let io = |source| Error::Io {
            path: path.display().to_string(),
            source,
        };
        if path == Path::new("-") {
            let mut input = open(path)?;
            let kind = recognise(path, &mut input).map_err(io)?;
            return Ok(Recognised {
                path: path.to_path_buf(),
                kind,
                held: Held::Reader(input),
            });
        }
        let mut input = BufReader::with_capacity(1 << 16, open_file(path)?);
        let kind = recognise(path, &mut input).map_err(io)?;
        let mut file = input.into_inner();
        let held = if *held < HELD_FILES && file.rewind().is_ok() {
            *held += 1;
            Held::File(file)
        } else {
            Held::Closed
        };
        Ok(Recognised {
            path: path.to_path_buf(),
            kind,
            held,
        })
    }

    /// A contact list's input: its text, or (for [`Kind::Spreadsheet`]) the sheet
    /// `columns.sheet`.
    pub fn into_contacts(self, columns: &ColumnChoice) -> Result<ContactInput<Input>, Error> {
        let spreadsheet = self.kind == Kind::Spreadsheet;
        let path = self.path.clone();
        let input = self.into_input()?;
        if spreadsheet {
            sheet_of(&path, input, columns)
        } else {
            Ok(ContactInput::Text(input))
        }
    }

    /// The input, from its start.
    pub fn into_input(self) -> Result<Input, Error> {
        match self.held {
            Held::Reader(input) => Ok(input),
            Held::File(file) => Ok(Box::new(BufReader::with_capacity(1 << 16, file))),
            Held::Closed => open(&self.path),
        }
    }
}

/// A path to check, and whether it was found by walking a directory (not named).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The path.
    pub path: PathBuf,
    /// Found by walking: a file walint cannot read is skipped with a note, not an error.
    pub walked: bool,
}

/// Expands the paths to check: files stay as given (in order), directories are walked
/// recursively in name order for the endings in [`WALKED_EXTENSIONS`] and the
/// spreadsheets' (`spreadsheet::EXTENSIONS`), as ripgrep walks
/// (the `ignore` crate): `.gitignore` and `.ignore` files are respected, hidden entries
/// skipped, links not followed (so a link loop cannot loop), and only regular files taken
/// (a FIFO named `*.csv` would block the read forever). A named path that does not exist
/// is an error; one that is not a regular file or directory is refused.
/// Globs in `exclude` (gitignore syntax) leave files and directories out of the walks;
/// named paths are always taken.
pub fn expand(paths: &[PathBuf], exclude: &[String]) -> Result<Vec<Found>, Error> {
    let mut out = Vec::new();
    for path in paths {
        let named = |path: &Path| Found {
            path: path.to_path_buf(),
            walked: false,
        };
        if path == Path::new("-") || path.is_file() {
            out.push(named(path));
        } else if path.is_dir() {
            let excluded = exclusions(path, exclude).map_err(Error::Usage)?;
            walk(path, excluded, &mut out)?;
        } else if path.exists() {
            return Err(Error::Io {
                path: path.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a regular file or directory (a FIFO, socket or device)",
                ),
            });
        } else {
            return Err(Error::Io {
                path: path.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file or directory",
                ),
            });
        }
    }
    // A file both named and found by walking (`x.csv .`) is checked once, as named.
    let mut seen = std::collections::HashSet::new();
    let key = |f: &Found| f.path.canonicalize().unwrap_or_else(|_| f.path.clone());
    let named: std::collections::HashSet<PathBuf> =
        out.iter().filter(|f| !f.walked).map(key).collect();
    out.retain(|f| (!f.walked || !named.contains(&key(f))) && seen.insert(key(f)));
    Ok(out)
}

/// The walk overrides that leave out what `exclude`'s globs match under `dir`; the reason
/// for a glob that is not one.
pub fn exclusions(dir: &Path, exclude: &[String]) -> Result<ignore::overrides::Override, String> {
    let mut builder = ignore::overrides::OverrideBuilder::new(dir);
    for glob in exclude {
        if glob.is_empty() || glob.starts_with('!') {
            return Err(format!(
                "exclude: '{glob}' is not a glob of paths to leave out (give e.g. node_modules or *.bak.csv)"
            ));
        }
        // In an override, `!glob` ignores what it matches (a bare glob would whitelist).
        builder.add(&format!("!{glob}")).map_err(|e| {
            // The glob as given, not as negated for the override.
            let why = e
                .to_string()
                .replace(&format!("'!{glob}'"), &format!("'{glob}'"));
            format!("exclude: '{glob}' is not a glob: {why}")
        })?;
    }
    builder.build().map_err(|e| format!("exclude: {e}"))
}

fn walk(
    dir: &Path,
    excluded: ignore::overrides::Override,
    out: &mut Vec<Found>,
) -> Result<(), Error> {
    let walker = ignore::WalkBuilder::new(dir)
        .overrides(excluded)
        .follow_links(false)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| Error::Io {
            path: dir.display().to_string(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let regular = entry.file_type().is_some_and(|t| t.is_file());
        let wanted = spreadsheet::has_spreadsheet_ending(entry.path())
            || entry
                .path()
                .extension()
                .is_some_and(|e| WALKED_EXTENSIONS.iter().any(|w| e.eq_ignore_ascii_case(w)));
        if regular && wanted {
            out.push(Found {
                path: entry.into_path(),
                walked: true,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn kind(path: &str, text: &[u8]) -> Kind {
        recognise(Path::new(path), &mut &text[..]).unwrap()
    }

    #[test]
    fn recognises_by_content() {
        assert_eq!(kind("a.csv", b"phone\n+1"), Kind::Contacts);
        assert_eq!(kind("a.txt", b""), Kind::Contacts);
        assert_eq!(kind("a.json", b"name,phone\n"), Kind::Contacts);
        let payload = br#"{"messaging_product":"whatsapp","to":"1"}"#;
        assert_eq!(kind("p.json", payload), Kind::Payloads);
        assert_eq!(kind("p.ndjson", b"\n[1]"), Kind::Payloads);
        assert_eq!(kind("p.jsonl", b"{\"a\":1}"), Kind::Payloads);
        assert_eq!(
            kind("r.json", b"\xEF\xBB\xBF  {\"data\":[]}"),
            Kind::Registry
        );
        assert_eq!(kind("r.json", br#"[{"name":"t"}]"#), Kind::Registry);
        assert_eq!(kind("walint.toml", b"registry = []"), Kind::Config);
    }

    #[test]
    fn a_recognised_file_is_read_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        std::fs::write(&path, r#"{"messaging_product":"whatsapp"}"#).unwrap();
        let mut held = 0;
        let found = Recognised::open(&path, &mut held).unwrap();
        assert_eq!((found.kind, held), (Kind::Payloads, 1));
        let mut text = String::new();
        found
            .into_input()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert!(text.starts_with("{\"messaging_product\""));
    }

    #[test]
    fn walks_directories_in_order() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b.csv", "a.csv", "notes.md", ".hidden.csv", "sub/c.json"] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let got = expand(&[dir.path().to_path_buf()], &[]).unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|f| f.path.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            [PathBuf::from("a.csv"), "b.csv".into(), "sub/c.json".into()]
        );
        assert!(expand(&[dir.path().join("missing.csv")], &[]).is_err());
    }
}
