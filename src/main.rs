//! The countersign binary: parses the command line and hands off to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = countersign::cli::Cli::parse();
    countersign::git::configure_process();
    match countersign::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("countersign: {}", countersign::commands::error_line(&e));
            ExitCode::from(2)
        }
    }
}
