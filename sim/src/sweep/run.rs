//! Running a sweep's points on a local rayon pool, with pure results cached.
//!
//! Each point is resolved again from its values (the plan keeps only values
//! and ids, so memory stays flat in the number of points), its network is
//! prepared once per distinct (network, batch, recipe) and shared, and each
//! layer is simulated through a bounded cache keyed by (architecture hash,
//! layer shape and compression hash, seed): a layer result is a pure function
//! of those, so repeated layer shapes (VGG, ResNet blocks) and axes that do
//! not touch the architecture (network, batch, recipe) reuse earlier work.
//! Results are handed to the caller's `on_done` as each point finishes, in
//! completion order; the caller streams them out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use toml::Value;

use eyrie_arch::Arch;
use eyrie_workloads::Layer;
use eyrie_workloads::compress::{CompressedNetwork, LayerCompression};

use super::SweepError;
use super::id::fnv1a64;
use super::plan::PlanPoint;
use super::recipe;
use super::spec::Sweep;
use crate::{LayerResult, RunOptions, SimResult};

/// How one layer is simulated: [`crate::simulate_layer`] in production.
pub type LayerFn = fn(&Arch, &Layer, &LayerCompression, &RunOptions) -> LayerResult;

/// A finished point.
#[derive(Debug, Clone, PartialEq)]
pub struct PointOutcome {
    /// Position in the plan.
    pub index: usize,
    /// Its id.
    pub id: u64,
    /// Its axis values.
    pub values: Vec<Value>,
    /// The simulation, or why the point could not be set up.
    pub result: Result<SimResult, String>,
    /// Silicon area, when the architecture states one ([`area_mm2`]).
    pub area_mm2: Option<f64>,
}

/// The area an architecture file states: its top-level `area_mm2`, else `[bit_serial]
/// area_mm2` (the Stripes and DaDianNao presets quote their papers'). eyrie has no area
/// model.
pub fn area_mm2(arch: &Arch) -> Option<f64> {
    arch.area_mm2.or_else(|| arch.bit_serial.as_ref().and_then(|b| b.area_mm2))
}

/// Most layer results kept; the cache is emptied when it fills, so memory stays bounded.
pub const LAYER_CACHE_ENTRIES: usize = 16_384;

struct Prepared {
    net: CompressedNetwork,
    /// Hash of each layer's shape (name excluded) and compression.
    keys: Vec<u64>,
}

type PrepSlot = Arc<OnceLock<Result<Arc<Prepared>, String>>>;

/// Runs points; holds the caches for one sweep.
pub struct Runner<'a> {
    sweep: &'a Sweep,
    layer_fn: LayerFn,
    layers: Mutex<HashMap<(u64, u64, u64), LayerResult>>,
    preps: Mutex<HashMap<u64, PrepSlot>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<'a> Runner<'a> {
    /// A runner for `sweep` simulating layers with `layer_fn`.
    pub fn new(sweep: &'a Sweep, layer_fn: LayerFn) -> Runner<'a> {
        Runner {
            sweep,
            layer_fn,
            layers: Mutex::new(HashMap::new()),
            preps: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Layer-cache hits and misses so far.
    pub fn cache_stats(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    fn prepared(&self, r: &super::plan::Resolved) -> Result<Arc<Prepared>, String> {
        let text = r.recipe.as_ref().and_then(|p| self.sweep.recipes.get(p)).map(String::as_str);
        let key = recipe::prep_key(r, text);
        let slot = {
            let mut m = self.preps.lock().map_err(|_| "a worker thread panicked".to_string())?;
            if m.len() >= 256 && !m.contains_key(&key) {
                m.clear();
            }
            m.entry(key).or_default().clone()
        };
        slot.get_or_init(|| {
            let net = self.sweep.nets.get(&r.net).ok_or_else(|| format!("network `{}` was not loaded", r.net))?;
            let cnet = recipe::prepare(net, r, text)?;
            let keys = cnet
                .network
                .layers
                .iter()
                .zip(&cnet.layers)
                .map(|(l, c)| {
                    let shape = Layer { name: String::new(), ..l.clone() };
                    fnv1a64(format!("{shape:?}{c:?}").as_bytes())
                })
                .collect();
            Ok(Arc::new(Prepared { net: cnet, keys }))
        })
        .clone()
    }

    /// Simulate one point; also returns the area its architecture states.
    pub fn run_point(&self, p: &PlanPoint) -> (Result<SimResult, String>, Option<f64>) {
        self.run_point_sharing(p, false)
    }

    /// [`Runner::run_point`]; `share` when other points of its group will run
    /// on this thread ([`RunOptions::share_searches`]).
    fn run_point_sharing(&self, p: &PlanPoint, share: bool) -> (Result<SimResult, String>, Option<f64>) {
        match self.sweep.resolve(&p.values) {
            Ok(r) => (self.simulate(p, &r, share), area_mm2(&r.arch)),
            Err(d) => (Err(d.to_string()), None),
        }
    }

    fn simulate(&self, p: &PlanPoint, r: &super::plan::Resolved, share: bool) -> Result<SimResult, String> {
        let prep = self.prepared(r)?;
        let opts = RunOptions { seed: r.seed, share_searches: share };
        let net = &prep.net;
        let mut layers = Vec::with_capacity(net.layers.len());
        for ((layer, comp), key) in net.network.layers.iter().zip(&net.layers).zip(&prep.keys) {
            let k = (p.arch_fnv, *key, r.seed);
            let cached = self.layers.lock().ok().and_then(|m| m.get(&k).cloned());
            let mut res = match cached {
                Some(res) => {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    res
                }
                None => {
                    self.misses.fetch_add(1, Ordering::Relaxed);
                    let res = (self.layer_fn)(&r.arch, layer, comp, &opts);
                    if let Ok(mut m) = self.layers.lock() {
                        if m.len() >= LAYER_CACHE_ENTRIES {
                            m.clear();
                        }
                        m.insert(k, res.clone());
                    }
                    res
                }
            };
            res.layer = layer.name.clone();
            layers.push(res);
        }
        Ok(SimResult::from_layers(&r.arch.name, &net.network.name, net.network.batch, r.arch.clock_mhz, layers))
    }

    /// Run `points` (plan position, point) on `pool`, calling `on_done` as each finishes.
    /// Stops at the first error `on_done` returns.
    pub fn run_all(
        &self,
        pool: &rayon::ThreadPool,
        points: &[(usize, &PlanPoint)],
        on_done: &(dyn Fn(PointOutcome) -> Result<(), String> + Sync),
    ) -> Result<(), SweepError> {
        // Points of one group (equal but for shared buffer sizes) run one after
        // another, groups in order of first appearance; results do not depend on it.
        let mut first: HashMap<u64, (usize, usize)> = HashMap::new();
        for (k, (_, p)) in points.iter().enumerate() {
            first.entry(p.group).or_insert((k, 0)).1 += 1;
        }
        let mut order: Vec<(usize, bool, &(usize, &PlanPoint))> = points
            .iter()
            .enumerate()
            .map(|(k, x)| {
                let (g, n) = first.get(&x.1.group).copied().unwrap_or((k, 1));
                (g, n > 1, x)
            })
            .collect();
        order.sort_by_key(|(g, _, x)| (*g, x.0));
        pool.install(|| {
            order.par_iter().with_max_len(1).try_for_each(|(_, share, (index, p))| {
                let (result, area_mm2) = self.run_point_sharing(p, *share);
                on_done(PointOutcome { index: *index, id: p.id, values: p.values.clone(), result, area_mm2 })
            })
        })
        .map_err(SweepError::Output)
    }
}

/// A local pool of `threads` workers (0: one per core).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, SweepError> {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(SweepError::Pool)
}
