//! The template registries of a check: reads the `--registry`/`registry` files and the
//! registries given as paths (which are also linted with the `WAR` rules), keeping each
//! file's text to put line and column on the registry findings, and hands the payload and
//! campaign checks one [`TemplateRegistry`] to look templates up in. Reading is `input`'s,
//! judging the rules'; this module only connects them.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use crate::diagnostic::Location;
use crate::error::Error;
use crate::input::{json_locate, registry};
use crate::report::Report;
use crate::rules::RuleSettings;
use crate::rules::registry::{self as registry_rules, RegistryCheck};
use crate::template::{Template, TemplateRegistry, TemplateSource};

/// Template registry files read so far, with their text (to locate findings).
#[derive(Default)]
pub struct Registries {
    templates: Vec<Template>,
    linted: Vec<Template>,
    texts: HashMap<Arc<str>, Arc<str>>,
    /// Registry files read that hold no template.
    empty: Vec<Arc<str>>,
}

impl Registries {
    /// Reads a registry file; `lint` marks it for the `WAR` rules.
    pub fn add(&mut self, shown: &str, mut input: impl Read, lint: bool) -> Result<(), Error> {
        let mut text = String::new();
        input
            .read_to_string(&mut text)
            .map_err(|source| Error::Io {
                path: shown.to_string(),
                source,
            })?;
        let templates = registry::read(shown, &text)?;
        let path: Arc<str> = Arc::from(shown);
        if templates.is_empty() {
            self.empty.push(Arc::clone(&path));
        }
        self.texts.insert(Arc::clone(&path), Arc::from(text));
        if lint {
            self.linted.extend(templates.iter().cloned());
        }
        self.templates.extend(templates);
        Ok(())
    }

    /// Lints the registries given as paths; returns the registry payloads are checked against.
    pub fn finish(self, settings: &RuleSettings, report: &mut Report) -> TemplateRegistry {
        report.templates += self.linted.len() as u64;
        let texts = &self.texts;
        let locate = |source: &TemplateSource, relative: &str| {
            let pointer = format!("{}{relative}", source.pointer);
            json_location(&source.path, texts.get(&source.path).map(|t| &**t), pointer)
        };
        let cx = RegistryCheck {
            templates: &self.linted,
            locate: &locate,
            empty_files: &self.empty,
        };
        let mut found = Vec::new();
        registry_rules::run(&cx, settings, &mut found);
        report.diagnostics.extend(found);
        // A registry read, even an empty one, is a registry: templates sent against it are
        // checked (and, with none in it, not found). With none read, template rules rest.
        if self.texts.is_empty() {
            TemplateRegistry::default()
        } else {
            TemplateRegistry::new(self.templates)
        }
    }
}

fn json_location(path: &Arc<str>, text: Option<&str>, pointer: String) -> Location {
    let (line, col) = text
        .and_then(|t| json_locate::locate(t, &pointer))
        .map_or((None, None), |(l, c)| (Some(l), Some(c)));
    Location::Json {
        path: Arc::clone(path),
        pointer,
        line,
        col,
    }
}
