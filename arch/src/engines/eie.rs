//! `[eie]`: settings of the EIE sparse engine (Han et al., ISCA 2016, Sec. III–IV).
//!
//! Every PE-level parameter of EIE is a key here, with the published value
//! as its default: activation queue depth (8, Sec. VI-C), relative row index
//! and codebook index widths (4 and 4 bits, Sec. III), pointer width (16
//! bits, Sec. IV), sparse-matrix SRAM read width (64 bits, Sec. VI-C), the
//! destination register file (64 entries, Sec. IV), the arithmetic pipeline
//! (4 stages, Sec. VI) and the leading-non-zero-detection fan-in (4 PEs per
//! LNZD unit, Sec. IV). The PE count is `pe_array.rows × pe_array.cols` and
//! the clock is `clock_mhz`.
//!
//! An EIE architecture names its memories by role: levels called `spmat`,
//! `ptr` and `act_rf` are required; `act_sram`, `codebook` and `act_queue`
//! are counted when present; an off-chip level holds what does not fit.

use serde::{Deserialize, Serialize};

use crate::{Arch, PeKind};

/// Memory levels an EIE architecture must have, by name.
pub const EIE_REQUIRED_LEVELS: [&str; 3] = ["spmat", "ptr", "act_rf"];
/// Memory levels the EIE engine counts when present, by name.
pub const EIE_OPTIONAL_LEVELS: [&str; 3] = ["act_sram", "codebook", "act_queue"];

/// EIE engine settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EieParams {
    /// Activation queue (FIFO) depth per PE; the activation being processed
    /// stays at the head of the queue until its last entry is issued.
    pub queue_depth: u32,
    /// Bits of a relative row index; a gap of `2^index_bits` or more zeros
    /// needs a filler zero entry.
    pub index_bits: u32,
    /// Bits of a codebook (weight-sharing) index; the codebook has `2^codebook_bits` entries.
    pub codebook_bits: u32,
    /// Bits of a column pointer in the pointer SRAM.
    #[serde(default = "default_pointer_bits")]
    pub pointer_bits: u32,
    /// Width of one sparse-matrix SRAM read (bits); holds
    /// `spmat_width_bits / (index_bits + codebook_bits)` entries.
    #[serde(default = "default_spmat_width_bits")]
    pub spmat_width_bits: u32,
    /// Entries of the destination activation register file per PE; longer
    /// output vectors run in batches of this many rows per PE.
    #[serde(default = "default_act_rf_entries")]
    pub act_rf_entries: u32,
    /// Arithmetic pipeline stages (drain cycles after the last entry = stages − 1).
    #[serde(default = "default_pipeline_stages")]
    pub pipeline_stages: u32,
    /// PEs (or child nodes) per leading-non-zero-detection unit of the quadtree.
    #[serde(default = "default_lnzd_fanin")]
    pub lnzd_fanin: u32,
    /// Run convolutions as matrix–vector products (im2col, one pass per
    /// output pixel) instead of rejecting them.
    #[serde(default)]
    pub lower_conv: bool,
}

fn default_pointer_bits() -> u32 {
    16
}
fn default_spmat_width_bits() -> u32 {
    64
}
fn default_act_rf_entries() -> u32 {
    64
}
fn default_pipeline_stages() -> u32 {
    4
}
fn default_lnzd_fanin() -> u32 {
    4
}

impl EieParams {
    /// The published EIE design (ISCA 2016): FIFO 8, 4-bit indices, 4-bit codebook.
    pub fn paper() -> EieParams {
        EieParams {
            queue_depth: 8,
            index_bits: 4,
            codebook_bits: 4,
            pointer_bits: default_pointer_bits(),
            spmat_width_bits: default_spmat_width_bits(),
            act_rf_entries: default_act_rf_entries(),
            pipeline_stages: default_pipeline_stages(),
            lnzd_fanin: default_lnzd_fanin(),
            lower_conv: false,
        }
    }

    /// Bits of one sparse-matrix entry (codebook index + relative row index).
    pub fn entry_bits(&self) -> u32 {
        self.index_bits + self.codebook_bits
    }

    /// Entries delivered by one sparse-matrix SRAM read (at least 1 once validated).
    pub fn entries_per_read(&self) -> u32 {
        (self.spmat_width_bits / self.entry_bits().max(1)).max(1)
    }

    /// LNZD units of the quadtree over `pes` PEs (EIE Sec. VI: 16 + 4 + 1 = 21 for 64 PEs).
    pub fn lnzd_units(&self, pes: u64) -> u64 {
        let fanin = u64::from(self.lnzd_fanin.max(2));
        let mut units = 0;
        let mut nodes = pes.max(1);
        loop {
            let parents = nodes.div_ceil(fanin);
            units += parents;
            if parents <= 1 {
                break;
            }
            nodes = parents;
        }
        units
    }

    pub(crate) fn validate(&self, out: &mut Vec<(String, String)>) {
        let mut bad = |k: &str, m: String| out.push((format!("eie.{k}"), m));
        if !(1..=1 << 20).contains(&self.queue_depth) {
            bad("queue_depth", format!("must be 1..=1048576 entries, got {}", self.queue_depth));
        }
        if !(1..=16).contains(&self.index_bits) {
            bad("index_bits", format!("must be 1..=16, got {}", self.index_bits));
        }
        if !(1..=16).contains(&self.codebook_bits) {
            bad("codebook_bits", format!("must be 1..=16, got {}", self.codebook_bits));
        }
        if !(1..=64).contains(&self.pointer_bits) {
            bad("pointer_bits", format!("must be 1..=64, got {}", self.pointer_bits));
        }
        if self.spmat_width_bits < self.entry_bits() || self.spmat_width_bits > 4096 {
            bad(
                "spmat_width_bits",
                format!(
                    "must hold at least one entry of index_bits + codebook_bits = {} bits and be at most 4096, got {}",
                    self.entry_bits(),
                    self.spmat_width_bits
                ),
            );
        }
        if self.act_rf_entries == 0 {
            bad("act_rf_entries", "must be at least 1".into());
        }
        if !(1..=64).contains(&self.pipeline_stages) {
            bad("pipeline_stages", format!("must be 1..=64, got {}", self.pipeline_stages));
        }
        if !(2..=1024).contains(&self.lnzd_fanin) {
            bad("lnzd_fanin", format!("must be 2..=1024, got {}", self.lnzd_fanin));
        }
    }
}

/// Checks that need the whole architecture: an `eie` PE kind needs an
/// `[eie]` table and the memory levels the engine counts.
pub fn validate_arch(arch: &Arch, out: &mut Vec<(String, String)>) {
    if arch.pe_array.kind != PeKind::Eie {
        return;
    }
    if arch.eie.is_none() {
        out.push((
            "pe_array.kind".into(),
            "kind = \"eie\" needs an [eie] table (queue_depth, index_bits, codebook_bits; see arch/presets/eie.toml)"
                .into(),
        ));
    }
    let missing: Vec<&str> = EIE_REQUIRED_LEVELS.iter().copied().filter(|n| arch.level_index(n).is_none()).collect();
    if !missing.is_empty() {
        out.push((
            "levels".into(),
            format!(
                "an EIE architecture needs memory levels named {}; missing: {} (optional: {})",
                EIE_REQUIRED_LEVELS.join(", "),
                missing.join(", "),
                EIE_OPTIONAL_LEVELS.join(", ")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lnzd_units_match_the_paper() {
        // EIE Sec. VI: 16 + 4 + 1 = 21 LNZD units for 64 PEs.
        assert_eq!(EieParams::paper().lnzd_units(64), 21);
        assert_eq!(EieParams::paper().lnzd_units(256), 64 + 16 + 4 + 1);
        assert_eq!(EieParams::paper().lnzd_units(1), 1);
        assert_eq!(EieParams::paper().lnzd_units(5), 2 + 1);
    }

    #[test]
    fn entries_per_read_of_the_paper() {
        // EIE Sec. IV: a 64-bit read delivers eight 8-bit (v, x) entries.
        assert_eq!(EieParams::paper().entries_per_read(), 8);
    }

    fn problems(text: &str) -> Vec<crate::Diagnostic> {
        match Arch::from_toml("eie.toml", text) {
            Ok(_) => Vec::new(),
            Err(crate::ArchError::Invalid(d)) => d.0,
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    #[test]
    fn preset_is_the_paper_design() {
        let a = Arch::load("eie", &[]).map_err(|e| e.to_string());
        let Ok(a) = a else { panic!("{a:?}") };
        assert_eq!((a.pe_array.pes(), a.clock_mhz), (64, 800.0));
        assert_eq!(a.eie, Some(EieParams::paper()));
    }

    #[test]
    fn eie_kind_needs_its_levels_and_table() {
        let text = crate::presets::get("eie").unwrap_or_default();
        let d = problems(&text.replace("name = \"ptr\"", "name = \"pointers\""));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].key, "levels");
        assert!(d[0].message.contains("missing: ptr"), "{}", d[0].message);
        let cut = text.find("[eie]").unwrap_or(text.len());
        let d = problems(&text[..cut]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].key, "pe_array.kind");
        assert!(d[0].message.contains("[eie]"), "{}", d[0].message);
        let line = text.lines().position(|l| l.starts_with("kind = \"eie\"")).map(|i| i + 1);
        assert_eq!(Some(d[0].line), line);
        let d = problems(&text.replace("spmat_width_bits = 64", "spmat_width_bits = 6"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].key, "eie.spmat_width_bits");
        let line = text.lines().position(|l| l.starts_with("spmat_width_bits")).map(|i| i + 1);
        assert_eq!(Some(d[0].line), line);
    }

    #[test]
    fn bad_values_are_all_reported() {
        let mut p = EieParams::paper();
        p.queue_depth = 0;
        p.spmat_width_bits = 4;
        p.lnzd_fanin = 1;
        let mut out = Vec::new();
        p.validate(&mut out);
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["eie.queue_depth", "eie.spmat_width_bits", "eie.lnzd_fanin"]);
    }
}
