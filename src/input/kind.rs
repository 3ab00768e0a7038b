//! Recognises what an input file is by its content (DESIGN: CSV = contacts; JSON with
//! `messaging_product` = payloads; template objects = registry) and lists the files under a
//! directory that walint reads. It reads only a file's first bytes and never parses it whole.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// What an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A contact list (CSV).
    Contacts,
    /// A JSON document (message payloads or a template registry).
    Json,
}

/// File endings walint picks up when it walks a directory.
pub const WALKED_EXTENSIONS: &[&str] = &["csv", "tsv", "json", "ndjson", "jsonl"];

/// Recognises a stream by its first non-blank byte: `{` or `[` is JSON, anything else CSV.
pub fn sniff<R: BufRead>(input: &mut R) -> std::io::Result<Kind> {
    let head = input.fill_buf()?;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    Ok(match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => Kind::Json,
        _ => Kind::Contacts,
    })
}

/// Opens a file (or `-` for standard input) for reading, buffered.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>, Error> {
    if path == Path::new("-") {
        return Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            std::io::stdin(),
        )));
    }
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
}

/// Expands the paths to check: files stay as given (in order), directories are walked
/// recursively in name order for the endings in [`WALKED_EXTENSIONS`]. A path that does
/// not exist is an error.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for path in paths {
        if path == Path::new("-") || path.is_file() {
            out.push(path.clone());
        } else if path.is_dir() {
            walk(path, &mut out)?;
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
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for entry in entries {
        let hidden = entry
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if entry.is_dir() {
            walk(&entry, out)?;
        } else if entry
            .extension()
            .is_some_and(|e| WALKED_EXTENSIONS.iter().any(|w| e.eq_ignore_ascii_case(w)))
        {
            out.push(entry);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_first_byte() {
        assert_eq!(sniff(&mut &b"phone\n+1"[..]).unwrap(), Kind::Contacts);
        assert_eq!(
            sniff(&mut &b"\xEF\xBB\xBF  {\"a\":1}"[..]).unwrap(),
            Kind::Json
        );
        assert_eq!(sniff(&mut &b"\n[1]"[..]).unwrap(), Kind::Json);
        assert_eq!(sniff(&mut &b""[..]).unwrap(), Kind::Contacts);
    }

    #[test]
    fn walks_directories_in_order() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b.csv", "a.csv", "notes.md", ".hidden.csv", "sub/c.json"] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let got = expand(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            [PathBuf::from("a.csv"), "b.csv".into(), "sub/c.json".into()]
        );
        assert!(expand(&[dir.path().join("missing.csv")]).is_err());
    }
}
