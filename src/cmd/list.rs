//! `eyrie zoo` and `eyrie presets`.

use std::process::ExitCode;

use eyrie_arch::{Arch, presets};
use eyrie_reports::table::{render, thousands};
use eyrie_workloads::zoo;

use crate::CliResult;

/// List the zoo.
pub fn zoo() -> CliResult<ExitCode> {
    let header: Vec<String> =
        ["network", "layers", "MAC layers", "MACs", "weights", "description"].iter().map(|s| s.to_string()).collect();
    let mut rows = Vec::new();
    for (name, desc) in zoo::NETWORKS {
        let Some(n) = zoo::get(name) else { continue };
        rows.push(vec![
            name.to_string(),
            n.layers.len().to_string(),
            n.compute_layers().to_string(),
            thousands(n.macs()),
            thousands(n.weights()),
            desc.to_string(),
        ]);
    }
    print!("{}", render(&header, &rows));
    Ok(ExitCode::SUCCESS)
}

/// List the presets.
pub fn presets() -> CliResult<ExitCode> {
    let header: Vec<String> = ["preset", "kind", "dataflow", "PEs", "clock MHz", "levels", "description"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut rows = Vec::new();
    for (name, text) in presets::PRESETS {
        let a = Arch::from_toml(&format!("arch/presets/{name}.toml"), text)?;
        rows.push(vec![
            name.to_string(),
            a.pe_array.kind.as_str().to_string(),
            a.pe_array.dataflow.as_str().to_string(),
            format!("{}x{}", a.pe_array.rows, a.pe_array.cols),
            format!("{}", a.clock_mhz),
            a.levels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(" > "),
            a.description.clone(),
        ]);
    }
    print!("{}", render(&header, &rows));
    Ok(ExitCode::SUCCESS)
}
