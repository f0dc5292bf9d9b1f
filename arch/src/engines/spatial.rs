//! `[spatial]`: settings of the dense spatial (Eyeriss-style) engine.
//!
//! Beyond the memory levels themselves, a spatial accelerator decides which
//! tensors each level holds, how long it holds them, which transfers overlap
//! with computation, and how wide the networks between the global buffer and
//! the PE array are. Eyeriss (Chen et al., JSSC 2017, Sec. V-A/B) is the
//! model: its 108 kB global buffer holds ifmaps and psums for reuse across
//! processing passes but only *stages* the filters of the next pass (8 kB),
//! the filter and psum networks are 64 bits wide and the ifmap network 16
//! bits, and zeros in the ifmaps gate the PE and are run-length coded in
//! DRAM (Sec. IV-B, V-C).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{MemLevel, Operand};

/// Per-tensor bandwidth (words per cycle) of the networks between the
/// level above the PE array and the PEs; absent = unlimited.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NocBandwidth {
    /// Filter network (Eyeriss: 64-bit GIN, 4 words/cycle).
    pub weights: Option<f64>,
    /// Ifmap network (Eyeriss: 16-bit GIN, 1 word/cycle).
    pub inputs: Option<f64>,
    /// Psum networks, each direction (Eyeriss: 64-bit GIN and GON, 4 words/cycle each).
    pub psums: Option<f64>,
}

impl NocBandwidth {
    /// Bandwidth for one operand (outputs and psums share the psum networks).
    pub fn get(&self, op: Operand) -> Option<f64> {
        match op {
            Operand::Weights => self.weights,
            Operand::Inputs => self.inputs,
            Operand::Outputs | Operand::Psums => self.psums,
            Operand::Metadata => None,
        }
    }
}

/// Dense spatial engine settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpatialParams {
    /// Skip MAC and filter-scratchpad energy for zero input activations.
    #[serde(default)]
    pub zero_gating: bool,
    /// Run-length code activations in DRAM.
    #[serde(default)]
    pub rlc: bool,
    /// Bits of a run length (Eyeriss: 5, runs up to 31 zeros).
    #[serde(default = "rlc_run_bits")]
    pub rlc_run_bits: u32,
    /// Run/level pairs packed per RLC word (Eyeriss: 3).
    #[serde(default = "rlc_pairs")]
    pub rlc_pairs_per_word: u32,
    /// Bits of one RLC word (Eyeriss: 64; 3 × (5 + 16) = 63 plus a last-word flag).
    #[serde(default = "rlc_word_bits")]
    pub rlc_word_bits: u32,
    /// Per level name, the tensors that skip that level (`weights`, `inputs`, `psums`).
    #[serde(default)]
    pub bypass: BTreeMap<String, Vec<Operand>>,
    /// Per level name, the tensors the level only stages for one iteration of
    /// its own loops (no reuse across them), e.g. Eyeriss's filters in the GLB.
    #[serde(default)]
    pub stage: BTreeMap<String, Vec<Operand>>,
    /// Per level name, the tensors whose next tile is fetched while the
    /// current one is in use (double buffering: transfers overlap compute).
    #[serde(default)]
    pub prefetch: BTreeMap<String, Vec<Operand>>,
    /// Widths of the networks between the level above the array and the PEs.
    #[serde(default)]
    pub noc_words_per_cycle: NocBandwidth,
}

fn rlc_run_bits() -> u32 {
    5
}
fn rlc_pairs() -> u32 {
    3
}
fn rlc_word_bits() -> u32 {
    64
}

/// The tensors a `bypass`/`stage`/`prefetch` list may name.
const TENSORS: [Operand; 4] = [Operand::Weights, Operand::Inputs, Operand::Outputs, Operand::Psums];

impl SpatialParams {
    /// Whether `op` is listed for `level` in one of the per-level maps.
    pub fn lists(map: &BTreeMap<String, Vec<Operand>>, level: &str, op: Operand) -> bool {
        let same = |a: Operand, b: Operand| {
            a == b || matches!((a, b), (Operand::Outputs, Operand::Psums) | (Operand::Psums, Operand::Outputs))
        };
        map.get(level).is_some_and(|ops| ops.iter().any(|&o| same(o, op)))
    }

    pub(crate) fn validate(&self, out: &mut Vec<(String, String)>) {
        if self.rlc_run_bits == 0 || self.rlc_run_bits > 16 {
            out.push(("spatial.rlc_run_bits".into(), format!("must be 1..=16, got {}", self.rlc_run_bits)));
        }
        if self.rlc_pairs_per_word == 0 {
            out.push(("spatial.rlc_pairs_per_word".into(), "must be at least 1".into()));
        }
        if self.rlc_word_bits == 0 || self.rlc_word_bits > 1024 {
            out.push(("spatial.rlc_word_bits".into(), format!("must be 1..=1024, got {}", self.rlc_word_bits)));
        }
        for (name, map) in [("bypass", &self.bypass), ("stage", &self.stage), ("prefetch", &self.prefetch)] {
            for (level, ops) in map {
                if let Some(bad) = ops.iter().find(|o| !TENSORS.contains(o)) {
                    out.push((
                        format!("spatial.{name}.{level}"),
                        format!("`{}` is not a tensor of a loop nest; allowed: weights, inputs, psums", bad.as_str()),
                    ));
                }
            }
        }
        let n = &self.noc_words_per_cycle;
        for (k, v) in [("weights", n.weights), ("inputs", n.inputs), ("psums", n.psums)] {
            if let Some(x) = v
                && !(x.is_finite() && x > 0.0)
            {
                out.push((format!("spatial.noc_words_per_cycle.{k}"), format!("must be positive, got {x}")));
            }
        }
    }

    /// Problems that need the memory levels: every level named must exist, and
    /// a tensor cannot both bypass and be staged at the same level.
    pub fn validate_levels(&self, levels: &[MemLevel], out: &mut Vec<(String, String)>) {
        let names: Vec<&str> = levels.iter().map(|l| l.name.as_str()).collect();
        for (name, map) in [("bypass", &self.bypass), ("stage", &self.stage), ("prefetch", &self.prefetch)] {
            for level in map.keys() {
                if !names.contains(&level.as_str()) {
                    out.push((
                        format!("spatial.{name}.{level}"),
                        format!("no memory level named `{level}`; levels: {}", names.join(", ")),
                    ));
                }
            }
        }
        for (level, ops) in &self.stage {
            for &op in ops {
                if Self::lists(&self.bypass, level, op) {
                    out.push((
                        format!("spatial.stage.{level}"),
                        format!("`{}` cannot both bypass and be staged at `{level}`", op.as_str()),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Arch, ArchError, presets};

    fn problems(extra: &str) -> Vec<(String, String)> {
        let text = format!("{}\n{extra}", presets::get("eyeriss").unwrap_or_default().replace("[spatial]", "[old]"));
        let text = text.split("[old]").next().unwrap_or_default().to_string() + extra;
        match Arch::from_toml("e.toml", &text) {
            Ok(_) => Vec::new(),
            Err(ArchError::Invalid(d)) => d.0.into_iter().map(|d| (d.key, d.message)).collect(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn eyeriss_spatial_section_is_valid_and_lists_operands() {
        assert!(problems("[spatial]\nzero_gating = true\nstage = { glb = [\"weights\"] }\n").is_empty());
        let a = Arch::load("eyeriss", &[]).ok().and_then(|a| a.spatial);
        let s = a.unwrap_or_default();
        assert!(super::SpatialParams::lists(&s.stage, "glb", crate::Operand::Weights));
        assert!(!super::SpatialParams::lists(&s.stage, "glb", crate::Operand::Inputs));
        assert_eq!(s.noc_words_per_cycle.get(crate::Operand::Outputs), Some(4.0));
    }

    #[test]
    fn unknown_levels_and_bad_operands_are_reported_with_their_keys() {
        let p = problems("[spatial]\nbypass = { sram = [\"weights\"] }\nprefetch = { glb = [\"metadata\"] }\n");
        assert!(p.iter().any(|(k, m)| k == "spatial.bypass.sram" && m.contains("levels: dram, glb, spad")), "{p:?}");
        assert!(p.iter().any(|(k, m)| k == "spatial.prefetch.glb" && m.contains("metadata")), "{p:?}");
        let p = problems(
            "[spatial]\nbypass = { glb = [\"weights\"] }\nstage = { glb = [\"weights\"] }\nrlc_run_bits = 0\n",
        );
        assert!(p.iter().any(|(k, _)| k == "spatial.stage.glb"), "{p:?}");
        assert!(p.iter().any(|(k, _)| k == "spatial.rlc_run_bits"), "{p:?}");
    }
}
