//! The `eyrie` command line: parse arguments, read files, call the crates, print.

mod cli;
mod cmd;
mod output;

use std::process::ExitCode;

use clap::Parser;

/// Any error the binary reports; printed once with its chain of causes.
pub type CliResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cmd::dispatch(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            let mut src = e.source();
            while let Some(s) = src {
                eprintln!("  caused by: {s}");
                src = s.source();
            }
            ExitCode::from(2)
        }
    }
}
