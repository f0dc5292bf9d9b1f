//! `--precision-profile`: per-layer activation precisions from a built-in profile or a file.

use eyrie_workloads::compress::CompressedNetwork;
use eyrie_workloads::precision_profile::{self, PrecisionProfile};

use crate::CliResult;

/// Resolve `flag` (a profile file path or a built-in name) for `net`'s network.
pub fn load(flag: &str, net: &CompressedNetwork) -> CliResult<PrecisionProfile> {
    let path = std::path::Path::new(flag);
    if path.exists() || flag.ends_with(".toml") {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read precision profile {flag}: {e}"))?;
        return Ok(precision_profile::resolve(flag, &text, None, &net.network)?);
    }
    Ok(precision_profile::builtin(flag, &net.network)?)
}

/// Apply the profile named by `flag`, if any; returns the network and the note tables must print.
pub fn apply(flag: Option<&str>, mut net: CompressedNetwork) -> CliResult<(CompressedNetwork, Option<String>)> {
    let Some(flag) = flag else { return Ok((net, None)) };
    let p = load(flag, &net)?;
    p.apply(&mut net);
    Ok((net, Some(p.note())))
}
