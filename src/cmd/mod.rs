//! One module per subcommand.

use std::process::ExitCode;

use crate::CliResult;
use crate::cli::{Cli, Command};

pub mod compare;
pub mod compress;
pub mod explain;
pub mod inspect;
pub mod list;
pub mod merge;
pub mod pareto;
pub mod plot;
pub mod profile;
pub mod run;
pub mod sweep;
pub mod sweep_store;
pub mod validate;

/// Run the chosen subcommand.
pub fn dispatch(cli: Cli) -> CliResult<ExitCode> {
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Zoo => list::zoo(),
        Command::Presets => list::presets(),
        Command::Compare(a) => compare::compare(a),
        Command::Compress(a) => compress::run(a),
        Command::Sweep(a) => sweep::sweep(&a, eyrie_sim::simulate_layer),
        Command::Merge(a) => merge::merge(&a),
        Command::Pareto(a) => pareto::pareto(&a),
        Command::Plot(a) => plot::plot(&a),
        Command::Inspect(a) => inspect::inspect(a),
        Command::Validate(a) => validate::validate(&a),
    }
}

/// Split `PATH=VALUE` overrides.
pub fn parse_sets(sets: &[String]) -> CliResult<Vec<(String, String)>> {
    sets.iter()
        .map(|s| match s.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
            _ => Err(format!("--set {s}: expected PATH=VALUE, e.g. pe_array.rows=16").into()),
        })
        .collect()
}
