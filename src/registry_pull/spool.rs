//! The pulled templates on their way to the registry file, held on disk rather than in
//! memory. Each page's templates are, as the page arrives: read as a registry's (walint's
//! own reader, as `walint check --registry` will read them), searched for the access
//! token, and written — pretty-printed exactly as they will stand in the file — to an
//! anonymous scratch file (no name on disk, so nothing is left behind whatever happens),
//! beside the output when its directory exists. Memory keeps only each template's sort
//! key (name, language, id) and place in the scratch file, at most [`MAX_INDEX_BYTES`].
//! When the last page is in, the templates are copied in order into the output through
//! [`OutputFile`] — the one atomic write: a temporary file beside the target, synced,
//! renamed over it. The file is `{"data": [...]}` sorted by name, language and id (so a
//! pull that finds nothing new changes nothing in version control), indented as
//! `serde_json::to_string_pretty` indents the whole document, never larger than
//! [`super::PullOptions::max_total_bytes`].

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use memchr::memmem::Finder;
use serde_json::Value;

use crate::error::Error;
use crate::output::{self, OutputFile};

/// The most memory the sort keys take (each template's name, language and id and its
/// place in the scratch file): a real template needs under 100 bytes, so about 200,000
/// templates fit — Meta allows an account 6,000 at most.
pub(super) const MAX_INDEX_BYTES: usize = 16 << 20;

/// The file's start when it has templates: `{"data": [` as `to_string_pretty` writes it.
const HEAD: &[u8] = b"{\n  \"data\": [\n";

/// Between two templates.
const BETWEEN: &[u8] = b",\n";

/// The file's end when it has templates.
const TAIL: &[u8] = b"\n  ]\n}\n";

/// The whole file when it has none.
const EMPTY: &[u8] = b"{\n  \"data\": []\n}\n";

/// Each line of a template sits this deep in the file (inside `{"data": [`).
const INDENT: &[u8] = b"    ";

/// Where a template is in the scratch file, and what it is sorted by.
struct Entry {
    /// Its name, language and id, one after the other.
    key: Box<str>,
    /// Where the language starts in `key`.
    language_at: usize,
    /// Where the id starts in `key`.
    id_at: usize,
    /// Where its text starts in the scratch file.
    offset: u64,
    /// Its text's length.
    len: u64,
}

impl Entry {
    /// (name, language, id), compared as the registry is sorted.
    fn key(&self) -> (&str, &str, &str) {
        (
            &self.key[..self.language_at],
            &self.key[self.language_at..self.id_at],
            &self.key[self.id_at..],
        )
    }
}

/// What was written.
pub(super) struct Written {
    /// Templates in the file.
    pub templates: usize,
    /// Distinct languages among them.
    pub languages: usize,
}

/// The templates pulled so far.
pub(super) struct Spool<'a> {
    /// The scratch file, written through a buffer.
    scratch: BufWriter<File>,
    /// Bytes in the scratch file.
    spooled: u64,
    /// Each template's key and place, in Graph's order.
    entries: Vec<Entry>,
    /// Memory the entries take, counted against [`MAX_INDEX_BYTES`].
    index_bytes: usize,
    /// The largest file allowed.
    max_bytes: u64,
    /// The access token, never to be written.
    token: &'a str,
    /// Finds it.
    finder: Finder<'a>,
}

impl<'a> Spool<'a> {
    /// An empty spool for a registry going to `output` (its scratch file beside it when
    /// the directory exists, in the temporary directory otherwise), at most `max_bytes`
    /// long, that refuses templates holding `token`.
    pub(super) fn new(output: &Path, max_bytes: u64, token: &'a str) -> Result<Spool<'a>, Error> {
        let dir = output
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let scratch = match !output::is_stdout(output) && dir.is_dir() {
            true => tempfile::tempfile_in(dir),
            false => tempfile::tempfile(),
        }
        .map_err(|e| scratch_error(&e))?;
        Ok(Spool {
            scratch: BufWriter::with_capacity(1 << 16, scratch),
            spooled: 0,
            entries: Vec::new(),
            index_bytes: 0,
            max_bytes,
            token,
            finder: Finder::new(token.as_bytes()),
        })
    }

    /// Takes page `page`'s templates: each read as a registry's template, rendered into
    /// the scratch file and dropped.
    pub(super) fn add_page(&mut self, page: usize, templates: Vec<Value>) -> Result<(), Error> {
        for (i, template) in templates.into_iter().enumerate() {
            self.add(page, i, &template)?;
        }
        Ok(())
    }

    /// Takes the `i`th template (from 0) of page `page`.
    fn add(&mut self, page: usize, i: usize, template: &Value) -> Result<(), Error> {
        let offset = self.spooled;
        let mut out = Rendering {
            scratch: &mut self.scratch,
            written: 0,
            at_line_start: true,
            // The file's length without this template: the head, the templates before it,
            // a separator after each of them, the tail.
            before: (HEAD.len() + TAIL.len() + BETWEEN.len() * self.entries.len()) as u64 + offset,
            max_bytes: self.max_bytes,
            over: false,
            token: &self.finder,
            carry: Vec::new(),
            seam: Vec::new(),
            has_token: false,
        };
        let rendered = serde_json::to_writer_pretty(&mut out, template);
        let (len, over, has_token) = (out.written, out.over, out.has_token);
        self.spooled += len;
        if over {
            return Err(Error::Remote(format!(
                "the registry file would be larger than {} (--max-total-bytes) by page {page}, far more than an account's templates take; stopped, nothing was written",
                crate::error::bytes_shown(self.max_bytes)
            )));
        }
        if has_token {
            return Err(Error::Remote(
                "the Graph API's answer contains the access token; nothing was written".into(),
            ));
        }
        rendered.map_err(|e| match e.io_error_kind() {
            Some(_) => scratch_error(&io::Error::other(e)),
            None => Error::Remote(format!("the Graph API's templates: {e}")),
        })?;
        check(page, i, template, self.token)?;
        let field = |name: &str| template.get(name).and_then(Value::as_str).unwrap_or("");
        let (name, language, id) = (field("name"), field("language"), field("id"));
        let entry = Entry {
            key: [name, language, id].concat().into_boxed_str(),
            language_at: name.len(),
            id_at: name.len() + language.len(),
            offset,
            len,
        };
        self.index_bytes += size_of::<Entry>() + entry.key.len();
        if self.index_bytes > MAX_INDEX_BYTES {
            return Err(Error::Remote(format!(
                "the Graph API sent more templates than walint keeps in order ({} by page {page}, their names, languages and ids over {}); stopped, nothing was written",
                self.entries.len() + 1,
                crate::error::bytes_shown(MAX_INDEX_BYTES as u64)
            )));
        }
        self.entries.push(entry);
        Ok(())
    }

    /// Writes the registry to `path` (`-`: standard output) in order, through
    /// [`OutputFile`], creating a missing parent directory first; the scratch file goes.
    pub(super) fn write(self, path: &Path) -> Result<Written, Error> {
        let Spool {
            scratch,
            mut entries,
            token,
            ..
        } = self;
        if [HEAD, BETWEEN, TAIL, EMPTY]
            .iter()
            .any(|part| memchr::memmem::find(part, token.as_bytes()).is_some())
        {
            return Err(Error::Remote(
                "the registry file would contain the access token; nothing was written".into(),
            ));
        }
        let mut scratch = scratch.into_inner().map_err(|e| scratch_error(e.error()))?;
        // Stable: templates with the same key keep Graph's order.
        entries.sort_by(|a, b| a.key().cmp(&b.key()));
        let languages: HashSet<&str> = entries.iter().map(|e| e.key().1).collect();
        let written = Written {
            templates: entries.len(),
            languages: languages.len(),
        };
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent.filter(|p| !output::is_stdout(path) && !p.exists()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let mut file = OutputFile::create(path)?;
        if entries.is_empty() {
            file.write_all(EMPTY).map_err(|e| file.error(e))?;
        } else {
            file.write_all(HEAD).map_err(|e| file.error(e))?;
            for (i, entry) in entries.iter().enumerate() {
                if i > 0 {
                    file.write_all(BETWEEN).map_err(|e| file.error(e))?;
                }
                scratch
                    .seek(SeekFrom::Start(entry.offset))
                    .map_err(|e| scratch_error(&e))?;
                let copied = io::copy(&mut (&mut scratch).take(entry.len), &mut file)
                    .map_err(|e| file.error(e))?;
                if copied != entry.len {
                    return Err(scratch_error(&io::ErrorKind::UnexpectedEof.into()));
                }
            }
            file.write_all(TAIL).map_err(|e| file.error(e))?;
        }
        file.finish()?.persist()?;
        Ok(written)
    }
}

/// Reads a template as `walint check --registry` will read it in the file: refuses what
/// it would refuse, naming the page and the template's place on it.
fn check(page: usize, i: usize, template: &Value, token: &str) -> Result<(), Error> {
    let mut doc = b"{\"data\":[".to_vec();
    serde_json::to_writer(&mut doc, template)
        .map_err(|e| Error::Remote(format!("the Graph API's templates: {e}")))?;
    doc.extend_from_slice(b"]}");
    let text = String::from_utf8(doc)
        .map_err(|e| Error::Remote(format!("the Graph API's templates: {e}")))?;
    crate::input::registry::read("registry", &text)
        .map(drop)
        .map_err(|e| {
            let reason = match e {
                Error::Input { reason, .. } => reason,
                other => other.to_string(),
            };
            let what = match reason.strip_prefix("/data/0 ") {
                Some(rest) => format!("data[{i}] {rest}"),
                None => reason,
            };
            Error::Remote(format!(
                "the Graph API's templates do not read as a registry (page {page}, {}); nothing was written",
                super::graph_error::shown(&what, token)
            ))
        })
}

/// A failure of the scratch file.
fn scratch_error(e: &io::Error) -> Error {
    Error::Remote(format!(
        "keeping the Graph API's templates in a temporary file: {e}; nothing was written"
    ))
}

/// A template being written to the scratch file as it stands in the registry: each line
/// indented [`INDENT`] deeper (the renderer's only line breaks are its own: strings'
/// are escaped), counted against the file's limit, and searched for the token.
struct Rendering<'w> {
    /// The scratch file.
    scratch: &'w mut BufWriter<File>,
    /// Bytes of this template written.
    written: u64,
    /// Whether the next byte starts a line.
    at_line_start: bool,
    /// The file's length without this template.
    before: u64,
    /// The largest file allowed.
    max_bytes: u64,
    /// Whether the file went over `max_bytes` (writing then stopped).
    over: bool,
    /// Finds the access token.
    token: &'w Finder<'w>,
    /// The last bytes written, fewer than the token's: a token across two writes.
    carry: Vec<u8>,
    /// `carry` and the start of the bytes being written.
    seam: Vec<u8>,
    /// Whether the token was found (writing then stopped).
    has_token: bool,
}

impl Rendering<'_> {
    /// Writes `bytes` (no line break in them), counted and searched.
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.written += bytes.len() as u64;
        if self.before + self.written > self.max_bytes {
            self.over = true;
            return Err(io::Error::other("the registry is over its limit"));
        }
        let keep = self.token.needle().len().saturating_sub(1);
        self.seam.clear();
        self.seam.extend_from_slice(&self.carry);
        self.seam.extend_from_slice(&bytes[..bytes.len().min(keep)]);
        if self.token.find(&self.seam).is_some() || self.token.find(bytes).is_some() {
            self.has_token = true;
            return Err(io::Error::other("the access token is in a template"));
        }
        // The new carry: the last `keep` bytes of the carry and these.
        if bytes.len() >= keep {
            self.carry.clear();
            self.carry.extend_from_slice(&bytes[bytes.len() - keep..]);
        } else {
            let excess = (self.carry.len() + bytes.len()).saturating_sub(keep);
            self.carry.drain(..excess);
            self.carry.extend_from_slice(bytes);
        }
        self.scratch.write_all(bytes)
    }
}

impl Write for Rendering<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            if self.at_line_start {
                self.put(INDENT)?;
                self.at_line_start = false;
            }
            match memchr::memchr(b'\n', rest) {
                Some(at) => {
                    self.put(&rest[..=at])?;
                    self.at_line_start = true;
                    rest = &rest[at + 1..];
                }
                None => {
                    self.put(rest)?;
                    rest = &[];
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The file as it was written before templates were spooled: the whole document
    /// rendered at once.
    fn all_at_once(mut templates: Vec<Value>) -> Vec<u8> {
        let field = |t: &Value, name: &str| {
            t.get(name)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        templates.sort_by_cached_key(|t| (field(t, "name"), field(t, "language"), field(t, "id")));
        let mut text = serde_json::to_string_pretty(&json!({ "data": templates })).unwrap();
        text.push('\n');
        text.into_bytes()
    }

    fn spooled(pages: &[Vec<Value>], max_bytes: u64) -> Result<Vec<u8>, Error> {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.json");
        let mut spool = Spool::new(&out, max_bytes, "EAAsecret")?;
        for (n, page) in pages.iter().enumerate() {
            spool.add_page(n + 1, page.clone())?;
        }
        spool.write(&out)?;
        Ok(std::fs::read(&out).unwrap())
    }

    fn templates() -> Vec<Value> {
        vec![
            json!({"name": "welcome", "language": "es", "id": "2", "components": [
                {"type": "BODY", "text": "Hola {{1}}\nline\t\"quoted\" \u{1b}", "example": {"body_text": [["Ana"]]}},
                {"type": "BUTTONS", "buttons": []}
            ], "status": "APPROVED", "quality": {}}),
            json!({"name": "alert", "language": "en", "id": "1", "components": [], "n": 1.5e300}),
            json!({"name": "welcome", "language": "en_US", "components": [{"type": "FOOTER", "text": "ünï"}]}),
            json!({"name": "alert", "language": "en", "id": "0", "components": [], "extra": [[[[]]], {}, [1, {"a": null}]]}),
        ]
    }

    #[test]
    fn the_file_is_byte_for_byte_the_whole_document_rendered_at_once() {
        let all = templates();
        let pages = vec![all[..2].to_vec(), vec![], all[2..].to_vec()];
        assert_eq!(spooled(&pages, 1 << 20).unwrap(), all_at_once(all.clone()));
        assert_eq!(spooled(&[], 1 << 20).unwrap(), all_at_once(vec![]));
        let one = vec![all[1].clone()];
        assert_eq!(
            spooled(std::slice::from_ref(&one), 1 << 20).unwrap(),
            all_at_once(one)
        );
        let read = crate::input::registry::read(
            "r.json",
            &String::from_utf8(spooled(&pages, 1 << 20).unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(read[0].id.as_deref(), Some("0"));
    }

    #[test]
    fn the_file_stays_within_its_limit_to_the_byte() {
        let all = templates();
        let size = all_at_once(all.clone()).len() as u64;
        assert!(spooled(std::slice::from_ref(&all), size).is_ok());
        let e = spooled(&[all], size - 1).unwrap_err().to_string();
        assert!(
            e.starts_with("the registry file would be larger than "),
            "{e}"
        );
    }

    #[test]
    fn a_template_with_the_token_or_not_a_template_is_refused() {
        let leak = json!({"name": "a", "language": "en", "components": [{"type": "BODY", "text": "xEAAsecretx"}]});
        let e = spooled(&[vec![leak]], 1 << 20).unwrap_err().to_string();
        assert!(e.contains("contains the access token"), "{e}");
        let bad = json!({"name": "a", "language": "en", "components": 5});
        let e = spooled(&[vec![templates()[0].clone(), bad]], 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("the Graph API's templates do not read as a registry (page 1, data[1] is not a valid template: "), "{e}");
    }

    #[test]
    fn the_sort_keys_held_are_bounded() {
        let name = "n".repeat(1 << 20);
        let page: Vec<Value> = (0..20)
            .map(|i| json!({"name": format!("{name}{i}"), "language": "en", "components": []}))
            .collect();
        let e = spooled(&[page], 1 << 30).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "the Graph API sent more templates than walint keeps in order (16 by page 1, "
            ),
            "{e}"
        );
    }

    #[test]
    fn a_token_split_across_writes_is_found() {
        let mut scratch = BufWriter::new(tempfile::tempfile().unwrap());
        let token = Finder::new(b"EAAsecret");
        let mut out = Rendering {
            scratch: &mut scratch,
            written: 0,
            at_line_start: false,
            before: 0,
            max_bytes: 1 << 20,
            over: false,
            token: &token,
            carry: Vec::new(),
            seam: Vec::new(),
            has_token: false,
        };
        out.write_all(b"..EAA").unwrap();
        out.write_all(b"s").unwrap();
        out.write_all(b"ec").unwrap();
        assert!(out.write_all(b"ret..").is_err());
        assert!(out.has_token);
        // Not the token: its start, a break, its end.
        let mut scratch = BufWriter::new(tempfile::tempfile().unwrap());
        let mut out = Rendering {
            scratch: &mut scratch,
            written: 0,
            at_line_start: false,
            before: 0,
            max_bytes: 1 << 20,
            over: false,
            token: &token,
            carry: Vec::new(),
            seam: Vec::new(),
            has_token: false,
        };
        for part in [&b"EAAsec"[..], b"x", b"ret", b"EAAsecre", b"\n", b"t"] {
            out.write_all(part).unwrap();
        }
        assert!(!out.has_token);
    }
}
