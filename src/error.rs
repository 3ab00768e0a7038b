//! walint's own failures — not findings about the inputs, but reasons it cannot do its job
//! (a missing file, a broken config, a CSV with no phone column). Each prints as one line
//! naming the file and, where known, the line; all of them end the run with exit code 2.

use std::fmt;

/// A number of bytes as a message says it: `256 MiB` when it is whole mebibytes, else
/// exactly (`1048577 bytes`).
pub fn bytes_shown(n: u64) -> String {
    match n % (1 << 20) {
        0 => format!("{} MiB", n >> 20),
        _ => format!("{n} bytes"),
    }
}

/// A reason walint cannot lint.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// An input cannot be linted at all (as opposed to a row that can be reported).
    #[error("{}: {reason}", Place(path, *line))]
    Input {
        /// The file.
        path: String,
        /// The line, where known.
        line: Option<u64>,
        /// Why.
        reason: String,
    },
    /// The configuration is invalid.
    #[error("{}: {reason}", Place(path, *line))]
    Config {
        /// The config file (or `command line`).
        path: String,
        /// The line, where known.
        line: Option<u64>,
        /// Why.
        reason: String,
    },
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// A remote service walint relies on (the Graph API, for `walint registry pull`)
    /// refused or failed; the line says why and what to do.
    #[error("{0}")]
    Remote(String),
}

impl Error {
    /// What kind of failure this is, as the JSON error report names it: `io`, `input`,
    /// `config`, `usage` or `remote`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Input { .. } => "input",
            Error::Config { .. } => "config",
            Error::Usage(_) => "usage",
            Error::Remote(_) => "remote",
        }
    }

    /// The file the failure is about, and its line, where known.
    pub fn place(&self) -> (Option<&str>, Option<u64>) {
        match self {
            Error::Io { path, .. } => (Some(path), None),
            Error::Input { path, line, .. } | Error::Config { path, line, .. } => {
                (Some(path), *line)
            }
            Error::Usage(_) | Error::Remote(_) => (None, None),
        }
    }

    /// A failure while reading `path`: the input's own fault (a line past every bound, a
    /// workbook that cannot be read to its end: `InvalidData`) is an input error, anything
    /// else (the disk, a pipe) an I/O error.
    pub fn reading(path: &str, source: std::io::Error) -> Error {
        if source.kind() == std::io::ErrorKind::InvalidData {
            Error::input(path, None, source.to_string())
        } else {
            Error::Io {
                path: path.to_string(),
                source,
            }
        }
    }

    /// An input error.
    pub fn input(path: &str, line: Option<u64>, reason: impl Into<String>) -> Error {
        Error::Input {
            path: path.to_string(),
            line,
            reason: reason.into(),
        }
    }

    /// A config error.
    pub fn config(path: &str, line: Option<u64>, reason: impl Into<String>) -> Error {
        Error::Config {
            path: path.to_string(),
            line,
            reason: reason.into(),
        }
    }
}

struct Place<'a>(&'a str, Option<u64>);

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(line) => write!(f, "{}:{line}", self.0),
            None => f.write_str(self.0),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn sizes_are_shown_in_mebibytes_when_whole() {
        assert_eq!(bytes_shown(256 << 20), "256 MiB");
        assert_eq!(bytes_shown((1 << 20) + 1), "1048577 bytes");
    }

    use super::*;

    #[test]
    fn one_line_with_place() {
        let e = Error::input("a.csv", Some(3), "broken");
        assert_eq!(e.to_string(), "a.csv:3: broken");
        let e = Error::config("walint.toml", None, "bad");
        assert_eq!(e.to_string(), "walint.toml: bad");
    }
}
