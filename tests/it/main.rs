//! walint's integration tests: one binary, a module per topic (as in ripgrep).

mod browser;
mod campaigns;
mod cli;
mod csv_reading;
mod first_hour;
mod fix;
mod formats;
mod graph_server;
mod hardening;
mod hostile_sheets;
mod library;
mod media;
mod media_server;
mod properties;
mod real_world;
mod realworld_corpus;
mod reference;
mod registry_pull;
mod rule_fixtures;
mod schema;
mod serve;
mod serve_limits;
mod support;
mod workbooks;
