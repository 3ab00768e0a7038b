//! Any bytes as the contact list of the demo campaign: every row hydrated into the
//! template's message and checked by the payload and campaign rules.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use walint::check::{self, CheckOptions, Overrides};
use walint::config::{Config, MediaConfig};

fuzz_target!(|data: &[u8]| {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/demo");
    let dir = tempfile::tempdir().expect("temp dir");
    for file in ["registry.json", "optouts.txt"] {
        std::fs::copy(demo.join(file), dir.path().join(file)).expect("copy demo file");
    }
    let toml = std::fs::read_to_string(demo.join("walint.toml")).expect("demo config");
    std::fs::write(dir.path().join("contacts.csv"), data).expect("write list");
    let Ok(config) = Config::parse("walint.toml", &toml, dir.path()) else {
        return;
    };
    let overrides = Overrides {
        campaign: Some("diwali-offer".into()),
        media: MediaConfig {
            offline: true,
            ..MediaConfig::default()
        },
        ..Overrides::default()
    };
    if let Ok(options) = CheckOptions::from_config(&config, overrides) {
        let _ = check::run(&options).map(|report| report.diagnostics.to_vec());
    }
});
