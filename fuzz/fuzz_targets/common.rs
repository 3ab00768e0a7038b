//! What the file targets share: an input written to a temporary file and checked through
//! the library as `walint check --offline` checks a file, with no config.

use std::path::Path;

use walint::check::{self, CheckOptions, Overrides};
use walint::config::{Config, MediaConfig};

/// Writes `data` as `name` in a fresh directory and checks it (with `registry` given, if
/// any). An error (an unreadable file) is an answer too; only a panic or a hang is a find.
pub fn check_file(name: &str, data: &[u8], registry: Option<&Path>, config: &Config) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("write input");
    let overrides = Overrides {
        paths: vec![path],
        registry: registry.map(Path::to_path_buf).into_iter().collect(),
        media: MediaConfig {
            offline: true,
            ..MediaConfig::default()
        },
        ..Overrides::default()
    };
    if let Ok(options) = CheckOptions::from_config(config, overrides) {
        let _ = check::run(&options).map(|report| report.diagnostics.to_vec());
    }
}
