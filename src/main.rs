//! The `walint` binary: parses the command line, runs it through the library and maps the
//! outcome to the exit code — 0 clean, 1 findings, 2 walint itself failed. A closed pipe
//! (`walint check … | head`) is not a failure; a run stopped by SIGINT/SIGTERM removes its
//! temporary outputs and exits 128 + the signal's number.

use std::process::ExitCode;

use walint::cli::{self, Outcome};
use walint::error::Error;

fn main() -> ExitCode {
    let cli = cli::parse();
    if cli.writes_outputs() {
        walint::output::remove_temporaries_on_signals();
    }
    // Workbooks are strangers' files: each is read in a process of its own, under limits.
    walint::input::spreadsheet::read_workbooks(walint::input::spreadsheet::Reading::this_program());
    match cli::run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            // One line, whatever the input put in it (a header cell, a path).
            eprintln!(
                "walint: error: {}",
                walint::report::text::printable(&e.to_string())
            );
            ExitCode::from(2)
        }
    }
}
