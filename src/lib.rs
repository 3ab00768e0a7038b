//! walint — a pre-send linter for WhatsApp Business (Cloud API) campaigns.
//!
//! The library face: [`linter::Linter`] checks a contact list from any reader, or files by
//! path, into a [`report::Report`] of [`diagnostic::Diagnostic`]s, each naming the WhatsApp
//! error code it prevents ([`check::run`] underneath, as the `check` command runs it).
//! [`fix::run_with_results`] splits a list into clean and rejects with a result per row. Readers
//! (`input`) turn bytes into the model, rules (`rules`) judge it, emitters (`report`) only
//! format. The binary in `main.rs` is a thin shell over [`cli::run`].

#![warn(missing_docs)]

pub mod campaign;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod error;
pub mod explain;
pub mod fix;
pub mod input;
pub mod linter;
pub mod media;
pub mod output;
pub mod phone;
pub mod phone_workers;
pub mod registry_pull;
pub mod report;
pub mod rules;
pub mod serve;
pub mod template;
pub mod wa_error;
