//! Accelerator descriptions for eyrie.
//!
//! An [`Arch`] is read from TOML (`arch/presets/*.toml` or a user file),
//! checked by [`Arch::validate`], which reports every problem at once with
//! its file, line and key, and then handed, immutable, to the engines.
//! SCALE-Sim `.cfg` files are accepted too ([`scalesim_cfg`]).

#![warn(missing_docs)]

pub mod config;
pub mod engines;
pub mod operand;
pub mod presets;
pub mod scalesim_cfg;
pub mod tech;

use serde::{Deserialize, Serialize};

pub use config::{Diagnostic, Diagnostics};
pub use engines::{BitSerialParams, EieParams, MapperParams, SpatialParams};
pub use engines::{NocBandwidth, Objective};
pub use engines::{PrecisionGroup, TileGeometry, WindowOrder};
pub use operand::{Operand, PerOperand};

/// The version of the architecture file format this build reads.
pub const ARCH_FORMAT_VERSION: u32 = 1;

/// Errors from loading an architecture.
#[derive(Debug, thiserror::Error)]
pub enum ArchError {
    /// The file could not be read.
    #[error("cannot read architecture file {path}")]
    Io {
        /// Path as given.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid (syntax, unknown key, wrong type or bad value).
    #[error("invalid architecture:\n{0}")]
    Invalid(Diagnostics),
    /// A `--set` override does not fit the schema.
    #[error("--set {path}: {message}")]
    BadOverride {
        /// The dotted path given.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A name that is neither a file nor a preset.
    #[error("no architecture file or preset named `{name}`; presets: {presets}")]
    UnknownPreset {
        /// The name given.
        name: String,
        /// The built-in presets, comma separated.
        presets: String,
    },
}

/// The kind of processing element, which selects the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeKind {
    /// A systolic array (TPU-like, SCALE-Sim compatible).
    Systolic,
    /// A spatial array of PEs with private scratchpads (Eyeriss-like).
    Spatial,
    /// EIE sparse PEs for compressed fully-connected layers.
    Eie,
    /// Stripes bit-serial units.
    Stripes,
    /// DaDianNao bit-parallel tiles.
    Dadiannao,
}

impl PeKind {
    /// The name used in TOML.
    pub fn as_str(self) -> &'static str {
        match self {
            PeKind::Systolic => "systolic",
            PeKind::Spatial => "spatial",
            PeKind::Eie => "eie",
            PeKind::Stripes => "stripes",
            PeKind::Dadiannao => "dadiannao",
        }
    }
}

/// How operands are kept and moved in the array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataflow {
    /// Output stationary.
    Os,
    /// Weight stationary.
    Ws,
    /// Input stationary.
    Is,
    /// Row stationary (Eyeriss).
    Rs,
    /// No local reuse (ISCA 2016 Sec. IV).
    Nlr,
    /// Output stationary, single output channel, multiple output pixels (SOC-MOP; ISCA 2016 OSA).
    Osa,
    /// Output stationary, multiple channels, multiple pixels (MOC-MOP; ISCA 2016 OSB).
    Osb,
    /// Output stationary, multiple channels, single pixel (MOC-SOP; ISCA 2016 OSC).
    Osc,
    /// Dataflow chosen by the engine (EIE, Stripes, DaDianNao have one each).
    Native,
}

impl Dataflow {
    /// The name used in TOML.
    pub fn as_str(self) -> &'static str {
        match self {
            Dataflow::Os => "os",
            Dataflow::Ws => "ws",
            Dataflow::Is => "is",
            Dataflow::Rs => "rs",
            Dataflow::Nlr => "nlr",
            Dataflow::Osa => "osa",
            Dataflow::Osb => "osb",
            Dataflow::Osc => "osc",
            Dataflow::Native => "native",
        }
    }
}

/// The PE array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeArray {
    /// Rows of PEs.
    pub rows: u32,
    /// Columns of PEs.
    pub cols: u32,
    /// PE kind; selects the engine.
    pub kind: PeKind,
    /// Dataflow.
    pub dataflow: Dataflow,
}

impl PeArray {
    /// Number of PEs.
    pub fn pes(&self) -> u64 {
        u64::from(self.rows) * u64::from(self.cols)
    }
}

/// Capacity reserved for each tensor in a partitioned buffer (KiB).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    /// Weights, KiB.
    pub weights_kb: Option<f64>,
    /// Input activations, KiB.
    pub inputs_kb: Option<f64>,
    /// Outputs (and partial sums unless `psums_kb` is given), KiB.
    pub outputs_kb: Option<f64>,
    /// Partial sums, KiB.
    pub psums_kb: Option<f64>,
    /// Metadata, KiB.
    pub metadata_kb: Option<f64>,
}

impl Partition {
    /// Capacity for one operand in bytes, if reserved.
    pub fn bytes(&self, op: Operand) -> Option<f64> {
        let kb = match op {
            Operand::Weights => self.weights_kb,
            Operand::Inputs => self.inputs_kb,
            Operand::Outputs => self.outputs_kb,
            Operand::Psums => self.psums_kb.or(self.outputs_kb),
            Operand::Metadata => self.metadata_kb,
        };
        kb.map(|k| k * 1024.0)
    }
}

/// One level of the memory hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemLevel {
    /// Name (unique), used in reports and CSV columns (`<name>_reads`).
    pub name: String,
    /// Capacity of one instance in KiB; absent means unbounded (DRAM).
    pub capacity_kb: Option<f64>,
    /// Number of instances (e.g. one scratchpad per PE).
    #[serde(default = "one")]
    pub instances: u32,
    /// One instance per PE: `instances` is set to `pe_array.rows × cols` whenever the
    /// architecture is loaded or changed (`--set`, sweeps), so a per-PE scratchpad follows
    /// the array's size.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_pe: bool,
    /// Bandwidth in words per cycle (all instances together); absent means unlimited.
    pub bandwidth_words_per_cycle: Option<f64>,
    /// Energy per word read (pJ); absent: from the technology table by capacity.
    pub read_energy_pj: Option<f64>,
    /// Energy per word written (pJ); absent: equal to the read energy.
    pub write_energy_pj: Option<f64>,
    /// Static power of all instances (mW).
    #[serde(default)]
    pub leakage_mw: f64,
    /// Per-tensor partitioning of the capacity, where the design has it.
    pub partition: Option<Partition>,
    /// True for off-chip memory (DRAM traffic is counted at this level).
    #[serde(default)]
    pub off_chip: bool,
}

fn one() -> u32 {
    1
}

fn default_word_bits() -> u32 {
    16
}

/// Energy parameters that are not per memory level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyParams {
    /// Energy of one multiply-accumulate (pJ).
    pub mac_pj: f64,
    /// Energy of one word moved between neighbouring PEs (pJ).
    #[serde(default)]
    pub noc_hop_pj: f64,
    /// Static power of the logic (mW), charged for the whole run time.
    #[serde(default)]
    pub leakage_mw: f64,
    /// Where the figures come from.
    #[serde(default)]
    pub source: String,
}

/// An accelerator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arch {
    /// File format version; must be 1.
    pub version: u32,
    /// Name, shown in reports.
    pub name: String,
    /// One line on what it is.
    #[serde(default)]
    pub description: String,
    /// Core clock (MHz).
    pub clock_mhz: f64,
    /// Width of a data word (bits).
    #[serde(default = "default_word_bits")]
    pub word_bits: u32,
    /// Technology node label, e.g. "45nm".
    #[serde(default)]
    pub technology: String,
    /// Silicon area (mm²) as the design's source states it. eyrie has no area model: this
    /// is carried into sweep results (`area_mm2`) for Pareto fronts and budgets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_mm2: Option<f64>,
    /// The PE array.
    pub pe_array: PeArray,
    /// Memory levels, from DRAM inward.
    pub levels: Vec<MemLevel>,
    /// MAC, NoC and leakage energy.
    pub energy: EnergyParams,
    /// Mapper settings for the dense spatial engine.
    pub mapper: Option<MapperParams>,
    /// Dense spatial (Eyeriss) settings.
    pub spatial: Option<SpatialParams>,
    /// EIE settings.
    pub eie: Option<EieParams>,
    /// Stripes / DaDianNao settings.
    pub bit_serial: Option<BitSerialParams>,
}

impl Arch {
    /// Give every `per_pe` level one instance per PE of the array. Loading and `--set`
    /// do this; code that deserializes an `Arch` itself must call it before `validate`.
    pub fn resolve_per_pe(&mut self) {
        let pes = self.pe_array.rows.saturating_mul(self.pe_array.cols);
        for l in self.levels.iter_mut().filter(|l| l.per_pe) {
            l.instances = pes;
        }
    }

    /// Parse and validate an architecture from TOML text; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Arch, ArchError> {
        Self::from_toml_with_sets(file, text, &[])
    }

    /// Like [`Arch::from_toml`], then apply `--set path=value` overrides and validate again.
    pub fn from_toml_with_sets(file: &str, text: &str, sets: &[(String, String)]) -> Result<Arch, ArchError> {
        let mut arch: Arch = config::parse(file, text).map_err(|d| ArchError::Invalid(Diagnostics(vec![d])))?;
        arch.resolve_per_pe();
        let located = config::Located::new(file, text);
        let problems = arch.validate(&|key, msg| located.at_key(key, msg));
        if !problems.is_empty() {
            return Err(ArchError::Invalid(Diagnostics(problems)));
        }
        if sets.is_empty() {
            return Ok(arch);
        }
        arch.with_sets(sets)
    }

    /// A copy with `--set` overrides applied (paths may start with `arch.`), validated.
    pub fn with_sets(&self, sets: &[(String, String)]) -> Result<Arch, ArchError> {
        let mut doc = toml::Table::try_from(self)
            .map_err(|e| ArchError::BadOverride { path: String::new(), message: e.to_string() })?;
        for (path, value) in sets {
            let p = path.strip_prefix("arch.").unwrap_or(path);
            config::apply_set(&mut doc, p, value)
                .map_err(|message| ArchError::BadOverride { path: path.clone(), message })?;
        }
        let mut arch: Arch = toml::Value::Table(doc).try_into().map_err(|e: toml::de::Error| {
            let (path, _) = sets.last().cloned().unwrap_or_default();
            ArchError::BadOverride { path, message: e.message().trim().to_string() }
        })?;
        arch.resolve_per_pe();
        let problems = arch.validate(&|key, msg| Diagnostic {
            file: "--set".into(),
            line: 0,
            col: 0,
            key: key.to_string(),
            message: msg.to_string(),
        });
        if !problems.is_empty() {
            return Err(ArchError::Invalid(Diagnostics(problems)));
        }
        Ok(arch)
    }

    /// Load from a file path, a `.cfg` SCALE-Sim file, or a preset name.
    pub fn load(path_or_preset: &str, sets: &[(String, String)]) -> Result<Arch, ArchError> {
        let path = std::path::Path::new(path_or_preset);
        if path.exists() {
            let text = std::fs::read_to_string(path)
                .map_err(|source| ArchError::Io { path: path_or_preset.to_string(), source })?;
            if path.extension().is_some_and(|e| e == "cfg") {
                let arch = scalesim_cfg::parse(path_or_preset, &text)?.arch;
                return if sets.is_empty() { Ok(arch) } else { arch.with_sets(sets) };
            }
            return Self::from_toml_with_sets(path_or_preset, &text, sets);
        }
        let name = path_or_preset.trim_end_matches(".toml");
        let name = name.rsplit('/').next().unwrap_or(name);
        match presets::get(name) {
            Some(text) if !path_or_preset.contains('/') || path_or_preset.starts_with("arch/presets/") => {
                Self::from_toml_with_sets(&format!("arch/presets/{name}.toml"), text, sets)
            }
            _ if path_or_preset.contains('/')
                || path_or_preset.ends_with(".toml")
                || path_or_preset.ends_with(".cfg") =>
            {
                Err(ArchError::Io {
                    path: path_or_preset.to_string(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
                })
            }
            _ => {
                Err(ArchError::UnknownPreset { name: path_or_preset.to_string(), presets: presets::names().join(", ") })
            }
        }
    }

    /// Every problem with the values, each located through `at(key, message)`.
    pub fn validate(&self, at: &dyn Fn(&str, &str) -> Diagnostic) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut bad = |key: &str, msg: String| out.push(at(key, &msg));
        if self.version != ARCH_FORMAT_VERSION {
            bad("version", format!("version {} is not supported; allowed: {ARCH_FORMAT_VERSION}", self.version));
        }
        if !(self.clock_mhz.is_finite() && self.clock_mhz > 0.0) {
            bad("clock_mhz", format!("must be a positive number of MHz, got {}", self.clock_mhz));
        }
        if let Some(a) = self.area_mm2
            && !(a.is_finite() && a > 0.0)
        {
            bad("area_mm2", format!("must be a positive number of mm², got {a}"));
        }
        if !(1..=64).contains(&self.word_bits) {
            bad("word_bits", format!("must be 1..=64 bits, got {}", self.word_bits));
        }
        if self.pe_array.rows == 0 {
            bad("pe_array.rows", "must be at least 1".into());
        }
        if self.pe_array.cols == 0 {
            bad("pe_array.cols", "must be at least 1".into());
        }
        let allowed: &[Dataflow] = match self.pe_array.kind {
            PeKind::Systolic => &[Dataflow::Os, Dataflow::Ws, Dataflow::Is],
            PeKind::Spatial => {
                &[Dataflow::Rs, Dataflow::Ws, Dataflow::Os, Dataflow::Nlr, Dataflow::Osa, Dataflow::Osb, Dataflow::Osc]
            }
            PeKind::Eie | PeKind::Stripes | PeKind::Dadiannao => &[Dataflow::Native],
        };
        if !allowed.contains(&self.pe_array.dataflow) {
            let names: Vec<&str> = allowed.iter().map(|d| d.as_str()).collect();
            bad(
                "pe_array.dataflow",
                format!(
                    "dataflow `{}` is not available on kind `{}`; allowed: {}",
                    self.pe_array.dataflow.as_str(),
                    self.pe_array.kind.as_str(),
                    names.join(", ")
                ),
            );
        }
        if self.levels.is_empty() {
            bad("levels", "at least one memory level (DRAM) is required".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, l) in self.levels.iter().enumerate() {
            let key =
                |f: &str| format!("levels.{}.{f}", if l.name.is_empty() { i.to_string() } else { l.name.clone() });
            if l.name.is_empty() {
                bad(&key("name"), "must not be empty".into());
            } else if !l.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                bad(&key("name"), format!("`{}`: use letters, digits and `_` only (it becomes a CSV column)", l.name));
            } else if !seen.insert(l.name.clone()) {
                bad(&key("name"), format!("level `{}` is defined twice", l.name));
            }
            let positive = |v: Option<f64>| v.is_none_or(|x| x.is_finite() && x > 0.0);
            let nonneg = |v: Option<f64>| v.is_none_or(|x| x.is_finite() && x >= 0.0);
            if !positive(l.capacity_kb) {
                bad(
                    &key("capacity_kb"),
                    format!("must be a positive number of KiB, got {}", l.capacity_kb.unwrap_or(0.0)),
                );
            }
            if l.instances == 0 {
                bad(&key("instances"), "must be at least 1".into());
            }
            if !positive(l.bandwidth_words_per_cycle) {
                bad(
                    &key("bandwidth_words_per_cycle"),
                    format!("must be positive, got {}", l.bandwidth_words_per_cycle.unwrap_or(0.0)),
                );
            }
            if !nonneg(l.read_energy_pj) {
                bad(&key("read_energy_pj"), "must be ≥ 0 pJ".into());
            }
            if !nonneg(l.write_energy_pj) {
                bad(&key("write_energy_pj"), "must be ≥ 0 pJ".into());
            }
            if !(l.leakage_mw.is_finite() && l.leakage_mw >= 0.0) {
                bad(&key("leakage_mw"), "must be ≥ 0 mW".into());
            }
            if let Some(p) = &l.partition {
                for op in Operand::ALL {
                    let v = match op {
                        Operand::Weights => p.weights_kb,
                        Operand::Inputs => p.inputs_kb,
                        Operand::Outputs => p.outputs_kb,
                        Operand::Psums => p.psums_kb,
                        Operand::Metadata => p.metadata_kb,
                    };
                    if !positive(v) {
                        bad(&key(&format!("partition.{}_kb", op.as_str())), "must be a positive number of KiB".into());
                    }
                }
            }
        }
        // A bounded off-chip memory is allowed (e.g. HBM of a given size).
        let e = &self.energy;
        for (k, v) in
            [("energy.mac_pj", e.mac_pj), ("energy.noc_hop_pj", e.noc_hop_pj), ("energy.leakage_mw", e.leakage_mw)]
        {
            if !(v.is_finite() && v >= 0.0) {
                bad(k, format!("must be ≥ 0, got {v}"));
            }
        }
        let mut sub = Vec::new();
        if let Some(m) = &self.mapper {
            m.validate(&mut sub);
        }
        if let Some(s) = &self.spatial {
            s.validate(&mut sub);
        }
        if let Some(s) = &self.spatial {
            s.validate_levels(&self.levels, &mut sub);
        }
        if let Some(x) = &self.eie {
            x.validate(&mut sub);
        }
        if let Some(x) = &self.bit_serial {
            x.validate_in(self, &mut sub);
        }
        if matches!(self.pe_array.kind, PeKind::Stripes | PeKind::Dadiannao) && self.bit_serial.is_none() {
            sub.push((
                "bit_serial".into(),
                "kinds stripes and dadiannao need a [bit_serial] table (tiles, terms_per_filter)".into(),
            ));
        }
        engines::validate_eie_arch(self, &mut sub);
        for (k, m) in sub {
            bad(&k, m);
        }
        out
    }

    /// Index of a level by name.
    pub fn level_index(&self, name: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.name == name)
    }

    /// Capacity of one instance of level `i` in bytes (`None`: unbounded).
    pub fn level_bytes(&self, i: usize) -> Option<f64> {
        self.levels.get(i).and_then(|l| l.capacity_kb).map(|kb| kb * 1024.0)
    }

    /// Energy per word read at level `i` (pJ), from the file or the 45 nm table.
    pub fn read_pj(&self, i: usize) -> f64 {
        let Some(l) = self.levels.get(i) else { return 0.0 };
        l.read_energy_pj.unwrap_or_else(|| match l.capacity_kb {
            None => tech::dram_access_pj(self.word_bits),
            Some(kb) => tech::sram_access_pj_45nm(kb * 1024.0, self.word_bits),
        })
    }

    /// Energy per word written at level `i` (pJ).
    pub fn write_pj(&self, i: usize) -> f64 {
        self.levels.get(i).and_then(|l| l.write_energy_pj).unwrap_or_else(|| self.read_pj(i))
    }

    /// Bytes per data word.
    pub fn word_bytes(&self) -> f64 {
        f64::from(self.word_bits) / 8.0
    }

    /// Seconds per cycle.
    pub fn cycle_seconds(&self) -> f64 {
        1e-6 / self.clock_mhz
    }

    /// The resolved configuration as TOML (enough to rerun the point).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
