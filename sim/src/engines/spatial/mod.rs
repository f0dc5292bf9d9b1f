//! The dense spatial engine: Eyeriss-style PE arrays with a mapper.
//!
//! A MAC layer becomes the loop nest of [`problem`]; the architecture
//! becomes a [`model::Hierarchy`] (DRAM, an optional global buffer, an
//! optional per-PE scratchpad, the array between them); the dataflow becomes
//! [`dataflows::Constraints`] on [`mapping::Mapping`]s. The [`mapper`]
//! searches the legal mappings for the best one under the arch's objective,
//! [`model`] counts its accesses per level and tensor, [`timing`] times it
//! pass by pass, and [`sparsity`] applies Eyeriss's zero gating and RLC.
//! Pooling and element-wise layers go to the shared no-MAC model.
//!
//! References: Chen, Emer, Sze, "Eyeriss: A Spatial Architecture for
//! Energy-Efficient Dataflow for CNNs", ISCA 2016 (dataflows, energy model);
//! Chen, Krishna, Emer, Sze, "Eyeriss: An Energy-Efficient Reconfigurable
//! Accelerator for Deep CNNs", JSSC 2017 (the chip, passes, NoC, RLC).
//! Mapper results are cached per (layer shape, densities, arch, objective,
//! budget) for the life of the process; in sweeps
//! ([`RunOptions::share_searches`]) the search's buffer-size-independent part
//! is also kept per (layer, arch without the global buffer's size). The
//! caches only save time.

pub mod dataflows;
pub mod mapper;
pub mod mapping;
pub mod model;
pub mod problem;
pub mod reference;
pub mod space;
pub mod sparsity;
pub mod timing;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use eyrie_arch::{Arch, Objective, Operand, PerOperand};
use eyrie_workloads::Layer;
use eyrie_workloads::compress::LayerCompression;

use super::Engine;
use crate::accounting::{empty_levels, read, write};
use crate::{LayerResult, RunOptions, SimError};
use mapper::SearchStats;
use mapping::Mapping;
use model::{Counts, Hierarchy, MAX_LEVELS, Traffic, slot};
use problem::Problem;
use timing::Timing;

/// The dense spatial engine.
pub struct Spatial;

/// Everything the engine decided and counted for one layer.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The architecture as the engine sees it.
    pub hierarchy: Hierarchy,
    /// The layer's loop nest.
    pub problem: Problem,
    /// The chosen mapping.
    pub mapping: Mapping,
    /// Its access counts.
    pub counts: Counts,
    /// Its array and DRAM traffic.
    pub traffic: Traffic,
    /// Its cycles.
    pub timing: Timing,
    /// Words held per instance of each level, per tensor (weights, inputs, outputs).
    pub occupancy: [[f64; 3]; MAX_LEVELS],
    /// How the search went.
    pub stats: SearchStats,
    /// The objective searched for.
    pub objective: Objective,
}

type CacheMap = HashMap<String, (Mapping, SearchStats)>;

fn cache() -> &'static Mutex<CacheMap> {
    static CACHE: OnceLock<Mutex<CacheMap>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Entries kept before the cache is cleared (it only saves time).
const CACHE_LIMIT: usize = 4096;

/// Search (or recall) the mapping of a MAC layer and count it.
pub fn plan(arch: &Arch, layer: &Layer) -> Result<Plan, SimError> {
    plan_with_sharing(arch, layer, false)
}

/// [`plan`]; with `share`, the search keeps its buffer-size-independent part
/// for other architectures that differ only in the global buffer (sweeps).
pub fn plan_with_sharing(arch: &Arch, layer: &Layer, share: bool) -> Result<Plan, SimError> {
    let hierarchy = Hierarchy::new(arch).map_err(SimError::Arch)?;
    let problem = Problem::from_layer(layer);
    let params = arch.mapper.clone().unwrap_or_default();
    let key = format!("{problem:?}|{:?}|{}|{arch:?}", params.objective, params.budget);
    let hit = cache().lock().ok().and_then(|c| c.get(&key).cloned());
    let (mapping, stats) = match hit {
        Some(x) => x,
        None => {
            let (best, stats) = mapper::search_with(&hierarchy, &problem, params.objective, params.budget, share)
                .map_err(|reason| SimError::NoMapping { layer: layer.name.clone(), reason })?;
            if let Ok(mut c) = cache().lock() {
                if c.len() >= CACHE_LIMIT {
                    c.clear();
                }
                c.insert(key, (best.mapping.clone(), stats.clone()));
            }
            (best.mapping, stats)
        }
    };
    Ok(plan_with(hierarchy, problem, mapping, stats, params.objective))
}

/// Count and time a given mapping (no search): for tests and for checking published mappings.
pub fn plan_mapping(arch: &Arch, layer: &Layer, mapping: Mapping) -> Result<Plan, SimError> {
    let hierarchy = Hierarchy::new(arch).map_err(SimError::Arch)?;
    let problem = Problem::from_layer(layer);
    let t = mapping.tiling(&problem);
    let occ = model::occupancy(&hierarchy, &problem, &t);
    if let Err(o) = model::fits(&hierarchy, &mapping, &occ) {
        let level = hierarchy.names.get(o.level).cloned().unwrap_or_else(|| "pe_array".into());
        let wb = f64::from(arch.word_bits) / 8.0;
        return Err(SimError::BufferTooSmall {
            layer: layer.name.clone(),
            level,
            needed_bytes: (o.needed_words * wb).ceil() as u64,
            capacity_bytes: (o.capacity_words * wb).floor() as u64,
        });
    }
    let objective = arch.mapper.as_ref().map(|m| m.objective).unwrap_or_default();
    Ok(plan_with(hierarchy, problem, mapping, SearchStats::default(), objective))
}

fn plan_with(h: Hierarchy, p: Problem, mapping: Mapping, stats: SearchStats, objective: Objective) -> Plan {
    let (counts, traffic) = model::evaluate(&h, &p, &mapping);
    let timing = timing::time(&h, &mapping, &counts, &traffic);
    let occupancy = model::occupancy(&h, &p, &mapping.tiling(&p));
    Plan { hierarchy: h, problem: p, mapping, counts, traffic, timing, occupancy, stats, objective }
}

impl Plan {
    /// The counts as a [`LayerResult`] (not yet priced).
    pub fn result(&self, arch: &Arch) -> LayerResult {
        let c = &self.counts;
        let mut levels = empty_levels(arch);
        for i in 0..levels.len().min(MAX_LEVELS) {
            for op in Operand::ALL {
                read(&mut levels, i, op, c.reads[i][slot(op)].round() as u64);
                write(&mut levels, i, op, c.writes[i][slot(op)].round() as u64);
            }
        }
        let noc = PerOperand::default().map(|op, _: &u64| c.noc[slot(op)].round() as u64);
        let t = self.mapping.tiling(&self.problem);
        LayerResult {
            compute_cycles: self.timing.compute_cycles,
            stall_cycles: self.timing.stall_cycles,
            pes: arch.pe_array.pes(),
            busy_pe_cycles: c.macs,
            effective_macs: c.effective_macs.round() as u64,
            levels,
            noc_words: noc,
            extra: vec![
                ("active_pes".into(), t.active_pes()),
                ("passes".into(), self.timing.passes as f64),
                ("cycles_per_pass".into(), self.timing.compute_per_pass as f64),
                ("fill_cycles_per_pass".into(), self.timing.fill_per_pass),
                ("rlc_input_ratio".into(), self.traffic.rlc_inputs),
                ("rlc_output_ratio".into(), self.traffic.rlc_outputs),
                ("mappings_evaluated".into(), self.stats.evaluated as f64),
            ],
            ..LayerResult::default()
        }
    }
}

impl Engine for Spatial {
    fn name(&self) -> &'static str {
        "spatial"
    }
    fn description(&self) -> &'static str {
        "dense spatial array (RS/WS/OS/NLR) with a mapper, pass-level timing, zero gating and RLC"
    }
    fn check(&self, arch: &Arch, _layer: &Layer) -> Result<(), SimError> {
        Hierarchy::new(arch).map(|_| ()).map_err(SimError::Arch)
    }
    fn run_layer(
        &self,
        arch: &Arch,
        layer: &Layer,
        _comp: &LayerCompression,
        opts: &RunOptions,
    ) -> Result<LayerResult, SimError> {
        if !layer.kind.has_macs() {
            return Ok(super::nomac::run(arch, layer));
        }
        Ok(plan_with_sharing(arch, layer, opts.share_searches)?.result(arch))
    }
}

#[cfg(test)]
mod tests;
