//! `[bit_serial]`: node organisation of DaDianNao and Stripes.
//!
//! DaDianNao (Chen et al., MICRO 2014) as the Toronto group models it
//! (Albericio et al., Bit-Pragmatic, MICRO 2017, Sec. 4.2): `tiles` tiles,
//! each with `filters_per_tile` inner-product units of `terms_per_filter`
//! multipliers; one brick of `terms_per_filter` activations is broadcast to
//! all tiles per cycle. Stripes (Judd et al., MICRO 2016) replaces each unit
//! by a row of serial inner-product units (SIPs), one per window, so a tile
//! processes `windows` windows × `filters_per_tile` filters × `terms_per_filter`
//! terms, one activation bit per cycle.
//!
//! For these kinds the `[pe_array]` table is one tile's grid: `rows` are the
//! filters, `cols` the windows (1 on DaDianNao). `filters_per_tile` and
//! `windows` may be repeated here, but must then agree with it.

use serde::{Deserialize, Serialize};

use crate::{Arch, PeKind};

/// How output windows are grouped into the windows processed together (a pallet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowOrder {
    /// Row-major over all P × Q output positions; a pallet may span two output rows.
    #[default]
    Flat,
    /// Within one output row only; each row starts a new pallet.
    Row,
}

/// Which activations share one dynamic-precision detector (Dynamic Stripes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrecisionGroup {
    /// One brick: the `terms_per_filter` activations of one window. The SIP
    /// columns run in lockstep, so a step lasts as long as its slowest brick.
    #[default]
    Brick,
    /// The whole pallet (all windows of the step) shares one precision.
    Pallet,
}

/// Settings of the bit-parallel (DaDianNao) and bit-serial (Stripes) engines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BitSerialParams {
    /// Tiles per node; all tiles see the same activations and hold different filters.
    pub tiles: u32,
    /// Filters per tile; absent: `pe_array.rows`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters_per_tile: Option<u32>,
    /// Input terms (activation/weight pairs) each filter unit takes per cycle.
    pub terms_per_filter: u32,
    /// Windows processed concurrently per tile (SIP columns); absent: `pe_array.cols`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows: Option<u32>,
    /// Activation precision (bits) for layers whose network sets none (no profile,
    /// no compressor precision); absent: `word_bits`. Ignored by the bit-parallel engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act_bits: Option<u32>,
    /// Fully-connected layers take weights bit-serially, so their time scales with
    /// the weight precision (Tartan/Loom style); Stripes as published: false.
    #[serde(default)]
    pub serial_weights: bool,
    /// Windows that share one synapse-buffer read of a weight brick. Stripes
    /// shares each read among its `windows` SIP columns by construction; on
    /// DaDianNao this is 1 as Chen et al. describe the NFU, and 16 to give it the
    /// same weight reuse as Stripes (Pragmatic Sec. 6.1's methodology).
    #[serde(default = "one")]
    pub weight_reuse_windows: u32,
    /// How windows are grouped into pallets.
    #[serde(default)]
    pub window_order: WindowOrder,
    /// Detect the precision per group of concurrently processed activations at run
    /// time (Dynamic Stripes, Delmas et al. 2017), measured on the activation data.
    #[serde(default)]
    pub dynamic_precision: bool,
    /// Which activations share one detector.
    #[serde(default)]
    pub precision_group: PrecisionGroup,
    /// Trim trailing zero bits as well as leading ones (false: leading zeros only).
    #[serde(default = "yes")]
    pub trim_trailing_zeros: bool,
    /// Memory level holding inter-layer activations (the neuron memory, NM).
    #[serde(default = "nm")]
    pub nm_level: String,
    /// Memory level holding the weights (the synapse buffers, SB).
    #[serde(default = "sb")]
    pub sb_level: String,
    /// Per-tile input buffer level (NBin).
    #[serde(default = "nbin")]
    pub nbin_level: String,
    /// Per-tile output buffer level (NBout).
    #[serde(default = "nbout")]
    pub nbout_level: String,
    /// Node area (mm²), reported as given; not computed by eyrie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_mm2: Option<f64>,
    /// Where the area figure comes from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub area_source: String,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}
fn nm() -> String {
    "nm".into()
}
fn sb() -> String {
    "sb".into()
}
fn nbin() -> String {
    "nbin".into()
}
fn nbout() -> String {
    "nbout".into()
}

/// The resolved geometry of one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileGeometry {
    /// Tiles per node.
    pub tiles: u64,
    /// Filters per tile.
    pub filters_per_tile: u64,
    /// Terms per filter unit per cycle.
    pub terms: u64,
    /// Windows per tile (SIP columns).
    pub windows: u64,
}

impl TileGeometry {
    /// Filters the node processes at once (`tiles × filters_per_tile`).
    pub fn filters_per_pass(&self) -> u64 {
        self.tiles * self.filters_per_tile
    }

    /// Multiplier (or SIP) lanes of the node.
    pub fn lanes(&self) -> u64 {
        self.tiles * self.filters_per_tile * self.terms * self.windows
    }
}

impl BitSerialParams {
    /// The geometry, with `filters_per_tile` and `windows` taken from the PE array when absent.
    pub fn geometry(&self, pe: &crate::PeArray) -> TileGeometry {
        TileGeometry {
            tiles: u64::from(self.tiles),
            filters_per_tile: u64::from(self.filters_per_tile.unwrap_or(pe.rows)),
            terms: u64::from(self.terms_per_filter),
            windows: u64::from(self.windows.unwrap_or(pe.cols)),
        }
    }

    /// Every problem, as (key path, message); `arch` gives the PE array, levels and word width.
    pub(crate) fn validate_in(&self, arch: &Arch, out: &mut Vec<(String, String)>) {
        let mut bad = |k: &str, m: String| out.push((format!("bit_serial.{k}"), m));
        for (k, v) in [
            ("tiles", self.tiles),
            ("terms_per_filter", self.terms_per_filter),
            ("weight_reuse_windows", self.weight_reuse_windows),
        ] {
            if v == 0 {
                bad(k, "must be at least 1".into());
            }
        }
        for (k, v, pe_key, pe_v) in [
            ("filters_per_tile", self.filters_per_tile, "rows", arch.pe_array.rows),
            ("windows", self.windows, "cols", arch.pe_array.cols),
        ] {
            if let Some(v) = v
                && v != pe_v
            {
                bad(
                    k,
                    format!(
                        "is {v} but pe_array.{pe_key} is {pe_v}; for kinds stripes and dadiannao the PE \
                         array is one tile (rows = filters, cols = windows): set pe_array.{pe_key} instead"
                    ),
                );
            }
        }
        if let Some(b) = self.act_bits
            && !(1..=arch.word_bits).contains(&b)
        {
            bad("act_bits", format!("must be 1..={} bits (the word width), got {b}", arch.word_bits));
        }
        let names: Vec<&str> = arch.levels.iter().map(|l| l.name.as_str()).collect();
        for (k, v) in [
            ("nm_level", &self.nm_level),
            ("sb_level", &self.sb_level),
            ("nbin_level", &self.nbin_level),
            ("nbout_level", &self.nbout_level),
        ] {
            if !names.contains(&v.as_str()) {
                bad(k, format!("`{v}` names no memory level; levels: {}", names.join(", ")));
            }
        }
        if let Some(a) = self.area_mm2
            && !(a.is_finite() && a > 0.0)
        {
            bad("area_mm2", format!("must be a positive number of mm², got {a}"));
        }
        if arch.pe_array.kind == PeKind::Dadiannao && self.dynamic_precision {
            bad("dynamic_precision", "is a bit-serial feature; kind dadiannao is bit-parallel".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Arch, ArchError, presets};

    fn errs(text: &str) -> Vec<crate::Diagnostic> {
        match Arch::from_toml("a.toml", text) {
            Ok(_) => Vec::new(),
            Err(ArchError::Invalid(d)) => d.0,
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    fn stripes() -> String {
        presets::get("stripes").unwrap_or_default().to_string()
    }

    #[test]
    fn presets_resolve_to_the_published_node() {
        for (name, windows) in [("dadiannao", 1), ("stripes", 16)] {
            let a = Arch::load(name, &[]).map_err(|e| e.to_string());
            let Ok(a) = a else { panic!("{a:?}") };
            let Some(b) = &a.bit_serial else { panic!("{name}: no [bit_serial]") };
            let g = b.geometry(&a.pe_array);
            assert_eq!((g.tiles, g.filters_per_tile, g.terms, g.windows), (16, 16, 16, windows));
            assert_eq!(g.filters_per_pass(), 256);
            // Weights: 16 × 2 MB eDRAM SB; activations: 4 MB NM (Pragmatic Sec. 4.2).
            assert_eq!(
                a.levels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
                ["dram", "nm", "sb", "nbin", "nbout"]
            );
            assert_eq!((a.levels[2].capacity_kb, a.levels[2].instances), (Some(2048.0), 16));
            assert_eq!(a.levels[1].capacity_kb, Some(4096.0));
        }
    }

    #[test]
    fn geometry_must_agree_with_the_pe_array() {
        let t = stripes().replace("tiles = 16", "tiles = 16\nwindows = 8");
        let d = errs(&t);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].key, "bit_serial.windows");
        assert!(d[0].message.contains("is 8 but pe_array.cols is 16"), "{}", d[0].message);
        let line = t.lines().position(|l| l == "windows = 8").map(|i| i + 1);
        assert_eq!(Some(d[0].line), line);
    }

    #[test]
    fn bad_values_are_located() {
        let t = stripes()
            .replace("tiles = 16", "tiles = 0\nact_bits = 17\nnm_level = \"glb\"")
            .replace("terms_per_filter = 16", "terms_per_filter = 16\nweight_reuse_windows = 0");
        let keys: Vec<String> = errs(&t).into_iter().map(|d| d.key).collect();
        assert_eq!(
            keys,
            ["bit_serial.tiles", "bit_serial.weight_reuse_windows", "bit_serial.act_bits", "bit_serial.nm_level"]
        );
        let t = stripes().replace("precision_group = \"brick\"", "precision_group = \"window\"");
        let d = errs(&t);
        assert!(d[0].message.contains("unknown variant `window`, expected `brick` or `pallet`"), "{}", d[0].message);
        let t = presets::get("dadiannao")
            .unwrap_or_default()
            .replace("[bit_serial]", "[bit_serial]\ndynamic_precision = true");
        assert_eq!(errs(&t)[0].key, "bit_serial.dynamic_precision");
    }

    #[test]
    fn a_missing_section_is_reported() {
        let t = stripes();
        let start = t.find("[bit_serial]").unwrap_or(0);
        let end = t.find("[[levels]]").unwrap_or(t.len());
        let t = format!("{}{}", &t[..start], &t[end..]);
        let d = errs(&t);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].key, "bit_serial");
        assert!(d[0].message.contains("need a [bit_serial] table"));
    }
}
