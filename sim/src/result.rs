//! Simulation results: per-layer figures that add up to the network's.
//!
//! Every engine fills the same [`LayerResult`]: cycles split into compute
//! and stalls, MACs dense and performed, reads and writes per memory level
//! and per operand, inter-PE transfers, and the energy that
//! [`crate::accounting::price`] derives from those counts. Results are plain
//! data: `Serialize`, and `Add` so a network's total is the sum of its layers.

use serde::{Deserialize, Serialize};

use eyrie_arch::PerOperand;

/// Accesses at one memory level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LevelStats {
    /// Level name (from the arch).
    pub name: String,
    /// Words read, per operand.
    pub reads: PerOperand<u64>,
    /// Words written, per operand.
    pub writes: PerOperand<u64>,
    /// Energy of these accesses (pJ), per operand; set by the pricing step.
    pub energy_pj: PerOperand<f64>,
}

impl LevelStats {
    /// Total words read.
    pub fn total_reads(&self) -> u64 {
        self.reads.total()
    }
    /// Total words written.
    pub fn total_writes(&self) -> u64 {
        self.writes.total()
    }
    /// Total energy at this level (pJ).
    pub fn total_energy_pj(&self) -> f64 {
        self.energy_pj.total()
    }
}

/// Energy split by component (pJ). `total_pj` is the sum of all others.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnergyBreakdown {
    /// Multiply-accumulates performed.
    pub mac_pj: f64,
    /// Inter-PE network.
    pub noc_pj: f64,
    /// Static power × time (logic and memories).
    pub leakage_pj: f64,
    /// Memory accesses, per level in arch order.
    pub levels_pj: Vec<f64>,
    /// The sum of all of the above.
    pub total_pj: f64,
}

/// Whether a layer ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "error")]
pub enum Status {
    /// Simulated.
    #[default]
    Ok,
    /// Not simulated; the message says why.
    Failed(String),
}

/// The result of one layer (or the sum of several).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerResult {
    /// Layer name ("total" for sums).
    pub layer: String,
    /// Engine that produced it.
    pub engine: String,
    /// Ok, or why not.
    pub status: Status,
    /// Cycles the array computes, fill and drain included.
    pub compute_cycles: u64,
    /// Cycles lost waiting for memory.
    pub stall_cycles: u64,
    /// `compute_cycles + stall_cycles`.
    pub cycles: u64,
    /// Wall time at the arch's clock (ms).
    pub latency_ms: f64,
    /// PEs in the array (for utilization).
    pub pes: u64,
    /// Sum over compute cycles of busy PEs (utilization numerator).
    pub busy_pe_cycles: f64,
    /// Dense multiply-accumulates of the layer.
    pub macs: u64,
    /// MACs actually performed (zero operands skipped or gated).
    pub effective_macs: u64,
    /// Accesses per memory level, in arch order (DRAM first).
    pub levels: Vec<LevelStats>,
    /// Words moved between PEs, per operand.
    pub noc_words: PerOperand<u64>,
    /// Bytes read from off-chip memory.
    pub dram_read_bytes: u64,
    /// Bytes written to off-chip memory.
    pub dram_write_bytes: u64,
    /// Energy by component.
    pub energy: EnergyBreakdown,
    /// Engine-specific figures (name, value), e.g. EIE load balance.
    pub extra: Vec<(String, f64)>,
}

impl LayerResult {
    /// Fraction of PE-cycles doing useful work during compute (0..=1).
    pub fn utilization(&self) -> f64 {
        let denom = self.compute_cycles as f64 * self.pes as f64;
        if denom > 0.0 { (self.busy_pe_cycles / denom).min(1.0) } else { 0.0 }
    }

    /// An empty result carrying a failure.
    pub fn failed(layer: &str, engine: &str, message: String) -> LayerResult {
        LayerResult {
            layer: layer.to_string(),
            engine: engine.to_string(),
            status: Status::Failed(message),
            ..LayerResult::default()
        }
    }

    /// Value of an engine-specific figure.
    pub fn extra(&self, name: &str) -> Option<f64> {
        self.extra.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

fn add_levels(a: &mut Vec<LevelStats>, b: &[LevelStats]) {
    for (i, l) in b.iter().enumerate() {
        if i >= a.len() {
            a.push(LevelStats { name: l.name.clone(), ..LevelStats::default() });
        }
        let t = &mut a[i];
        t.reads += l.reads;
        t.writes += l.writes;
        t.energy_pj += l.energy_pj;
    }
}

impl std::ops::AddAssign<&LayerResult> for LayerResult {
    fn add_assign(&mut self, o: &LayerResult) {
        self.compute_cycles += o.compute_cycles;
        self.stall_cycles += o.stall_cycles;
        self.cycles += o.cycles;
        self.latency_ms += o.latency_ms;
        self.pes = self.pes.max(o.pes);
        self.busy_pe_cycles += o.busy_pe_cycles;
        self.macs += o.macs;
        self.effective_macs += o.effective_macs;
        add_levels(&mut self.levels, &o.levels);
        self.noc_words += o.noc_words;
        self.dram_read_bytes += o.dram_read_bytes;
        self.dram_write_bytes += o.dram_write_bytes;
        let e = &mut self.energy;
        e.mac_pj += o.energy.mac_pj;
        e.noc_pj += o.energy.noc_pj;
        e.leakage_pj += o.energy.leakage_pj;
        if e.levels_pj.len() < o.energy.levels_pj.len() {
            e.levels_pj.resize(o.energy.levels_pj.len(), 0.0);
        }
        for (i, v) in o.energy.levels_pj.iter().enumerate() {
            e.levels_pj[i] += v;
        }
        e.total_pj += o.energy.total_pj;
        if let (Status::Ok, Status::Failed(m)) = (&self.status, &o.status) {
            self.status = Status::Failed(format!("layer {}: {m}", o.layer));
        }
    }
}

/// The result of a network on an architecture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SimResult {
    /// Architecture name.
    pub arch: String,
    /// Network name.
    pub network: String,
    /// Batch size.
    pub batch: u64,
    /// Clock (MHz).
    pub clock_mhz: f64,
    /// Per layer, in network order.
    pub layers: Vec<LayerResult>,
    /// Sum over the layers that ran.
    pub total: LayerResult,
}

impl SimResult {
    /// Build from per-layer results; the total sums the layers.
    pub fn from_layers(arch: &str, network: &str, batch: u64, clock_mhz: f64, layers: Vec<LayerResult>) -> SimResult {
        let mut total = LayerResult { layer: "total".into(), ..LayerResult::default() };
        for l in &layers {
            total += l;
        }
        total.engine = layers.first().map(|l| l.engine.clone()).unwrap_or_default();
        SimResult { arch: arch.to_string(), network: network.to_string(), batch, clock_mhz, layers, total }
    }

    /// Number of layers that failed.
    pub fn failed_layers(&self) -> usize {
        self.layers.iter().filter(|l| l.status != Status::Ok).count()
    }
}
