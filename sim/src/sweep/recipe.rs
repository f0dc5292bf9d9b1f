//! The hook between a sweep point and the compressor.
//!
//! A point carries its recipe file and its `recipe.*` overrides as
//! `(dotted path, value)` pairs ([`super::plan::Resolved::recipe_overrides`]).
//! [`prepare`] turns the point's network into the [`CompressedNetwork`] the
//! engines run, and [`prep_key`] says which inputs that depends on, so the
//! runner compresses each distinct (network, batch, recipe, overrides) once
//! and reuses it across architecture axes. Until the compressor's recipe
//! format lands, a sweep with a recipe is refused at load time by [`check`];
//! without one every point runs its network dense, exactly as `eyrie run`.

use eyrie_workloads::Network;
use eyrie_workloads::compress::CompressedNetwork;

use super::id::fnv1a64;
use super::plan::Resolved;
use super::spec::Sweep;

/// Whether this build can run the sweep's compression settings (called once, at load).
pub fn check(sweep: &Sweep) -> Result<(), String> {
    if sweep.base.recipe.is_some() || !sweep.recipes.is_empty() {
        return Err("compression recipes are not available in this version of eyrie yet; \
                    remove `recipe` from [base] and the `recipe.*` axes"
            .into());
    }
    Ok(())
}

/// What the prepared network depends on: the network, batch, word width, recipe and overrides.
/// (If the compressor comes to read other architecture fields, add them here.)
pub fn prep_key(r: &Resolved, recipe_text: Option<&str>) -> u64 {
    let text = format!(
        "{}\n{:?}\n{}\n{:?}\n{:016x}",
        r.net,
        r.batch,
        r.arch.word_bits,
        r.recipe_overrides,
        recipe_text.map_or(0, |t| fnv1a64(t.as_bytes()))
    );
    fnv1a64(text.as_bytes())
}

/// The compressed network of a point.
pub fn prepare(net: &Network, r: &Resolved, recipe_text: Option<&str>) -> Result<CompressedNetwork, String> {
    let net = match r.batch {
        Some(b) => net.with_batch(b),
        None => net.clone(),
    };
    match recipe_text {
        None => Ok(CompressedNetwork::dense(net, r.arch.word_bits)),
        Some(_) => Err("compression recipes are not available in this version of eyrie yet".into()),
    }
}
