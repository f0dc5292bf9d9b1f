//! The look of every figure: bundled font, colour-blind-safe palette, sizes
//! for a one-column paper figure, readable names and units for columns.
//!
//! * Font: Liberation Sans 2.1.5 (SIL OFL 1.1, `reports/assets/fonts/`),
//!   compiled into the binary and registered with plotters' ab_glyph backend,
//!   so no system font is used; metric-compatible with Arial/Helvetica.
//! * Palette: Okabe & Ito, "Color Universal Design" (2008), the eight
//!   colours distinguishable under the common colour-vision deficiencies;
//!   markers also differ in shape, so figures survive black-and-white print.
//! * Size: 1200 × 800 px with 36–40 px text. Scaled to a 3.3 in column,
//!   that is 8–9 pt text, the size of a paper's caption.

use std::sync::Once;

use plotters::style::{FontStyle, RGBColor, register_font};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");
static FONTS: Once = Once::new();

/// Register the bundled font under the generic family names (once per process).
pub fn init_fonts() {
    FONTS.call_once(|| {
        for fam in ["sans-serif", "serif", "monospace"] {
            // The bytes are the committed TTF files; registration can only fail on corrupt data,
            // which would show as missing text in the first figure.
            let _ = register_font(fam, FontStyle::Normal, REGULAR);
            let _ = register_font(fam, FontStyle::Bold, BOLD);
        }
    });
}

/// The font family every figure uses.
pub const FONT: &str = "sans-serif";

/// Okabe–Ito colours, in the order series take them.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];

/// Colour of series `i`.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Grey for context (points off the Pareto front, grid lines).
pub const GREY: RGBColor = RGBColor(170, 170, 170);

/// Pixel sizes of a figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sizes {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Tick labels.
    pub tick: f64,
    /// Axis titles.
    pub label: f64,
    /// Legend entries.
    pub legend: f64,
    /// Marker radius.
    pub marker: i32,
    /// Line width.
    pub line: u32,
}

impl Sizes {
    /// Sizes for a `width` × `height` canvas (text scales with the width).
    pub fn new(width: u32, height: u32) -> Sizes {
        let s = f64::from(width) / 1200.0;
        Sizes {
            width,
            height,
            tick: 34.0 * s,
            label: 38.0 * s,
            legend: 34.0 * s,
            marker: (9.0 * s).round().max(2.0) as i32,
            line: (4.0 * s).round().max(1.0) as u32,
        }
    }
}

/// Marker shapes, in the order series take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Filled circle.
    Circle,
    /// Filled square.
    Square,
    /// Filled triangle (point up).
    Triangle,
    /// Filled diamond.
    Diamond,
    /// Hollow circle.
    Ring,
    /// Cross (×).
    Cross,
}

/// Marker of series `i`.
pub fn marker(i: usize) -> Marker {
    [Marker::Circle, Marker::Square, Marker::Triangle, Marker::Diamond, Marker::Ring, Marker::Cross][i % 6]
}

/// A readable name for a column or axis key (without unit).
pub fn pretty(col: &str) -> String {
    let known = [
        ("energy_pj", "energy"),
        ("latency_ms", "latency"),
        ("cycles", "cycles"),
        ("dram_bytes", "DRAM traffic"),
        ("dram_read_bytes", "DRAM reads"),
        ("dram_write_bytes", "DRAM writes"),
        ("utilization", "PE utilization"),
        ("area_mm2", "area"),
        ("mac_energy_pj", "MAC"),
        ("noc_energy_pj", "NoC"),
        ("leakage_energy_pj", "leakage"),
        ("macs", "MACs"),
        ("effective_macs", "effective MACs"),
        ("pe_array.rows", "PE rows"),
        ("pe_array.cols", "PE columns"),
        ("net", "network"),
        ("pes", "PEs"),
        ("base.arch", "architecture"),
        ("eie.queue_depth", "queue depth"),
        ("bit_serial.act_bits", "activation bits"),
        ("recipe.defaults.prune.rate", "pruning rate"),
        ("recipe.defaults.quantize.bits", "weight bits"),
    ];
    let key = col.strip_prefix("arch.").unwrap_or(col);
    if let Some((_, p)) = known.iter().find(|(k, _)| *k == key) {
        return (*p).to_string();
    }
    if let Some(level) = key.strip_suffix("_energy_pj") {
        return level.to_string();
    }
    // levels.glb.capacity_kb → "glb capacity"; recipe.defaults.prune.rate → "prune rate".
    let key = key.strip_prefix("levels.").or_else(|| key.strip_prefix("recipe.defaults.")).unwrap_or(key);
    let key = key.strip_prefix("recipe.").unwrap_or(key);
    let mut words: Vec<String> = key.split(['.', '_']).map(str::to_string).collect();
    if let Some(last) = words.last()
        && ["kb", "pj", "ms", "mhz", "bytes", "mm2", "mw"].contains(&last.as_str())
        && words.len() > 1
    {
        words.pop();
    }
    words.join(" ")
}

/// Unit of a column from its suffix, before scaling.
fn base_unit(col: &str) -> Option<&'static str> {
    let suffixes = [
        ("_pj", "pJ"),
        ("_ms", "ms"),
        ("_kb", "KiB"),
        ("_mhz", "MHz"),
        ("_bytes", "B"),
        ("_mm2", "mm²"),
        ("_mw", "mW"),
    ];
    suffixes.iter().find(|(s, _)| col.ends_with(s)).map(|(_, u)| *u)
}

/// A scale for a column's values up to `max`: (divide by, axis title with unit).
pub fn scale(col: &str, max: f64) -> (f64, String) {
    let name = pretty(col);
    let steps: &[(f64, &str)] = match base_unit(col) {
        Some("pJ") => &[(1.0, "pJ"), (1e3, "nJ"), (1e6, "µJ"), (1e9, "mJ"), (1e12, "J")],
        Some("ms") => &[(1e-3, "µs"), (1.0, "ms"), (1e3, "s")],
        Some("B") => &[(1.0, "B"), (1e3, "kB"), (1e6, "MB"), (1e9, "GB")],
        Some(u) => return (1.0, format!("{name} ({u})")),
        None if col == "utilization" => return (0.01, format!("{name} (%)")),
        None if col.ends_with("cycles") || col.ends_with("macs") => {
            return match max {
                m if m >= 1e9 => (1e9, format!("{name} (×10⁹)")),
                m if m >= 1e6 => (1e6, format!("{name} (×10⁶)")),
                m if m >= 1e4 => (1e3, format!("{name} (×10³)")),
                _ => (1.0, name),
            };
        }
        None => return (1.0, name),
    };
    let mut pick = steps[0];
    for s in steps {
        if max.abs() >= s.0 {
            pick = *s;
        }
    }
    (pick.0, format!("{name} ({})", pick.1))
}

/// A tick label: at most 4 significant digits, no trailing zeros.
pub fn fmt_num(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.1e}");
        return s.replace(".0e", "e");
    }
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Tick positions for a logarithmic axis: 1, 2, 5 × 10^k inside [lo, hi] (1 × 10^k only if many decades).
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo) {
        return vec![lo.max(f64::MIN_POSITIVE)];
    }
    let (e0, e1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let decades = (hi / lo).log10();
    let mults: &[f64] = if decades > 3.0 {
        &[1.0]
    } else if decades > 1.5 {
        &[1.0, 3.0]
    } else {
        &[1.0, 2.0, 5.0]
    };
    // Over many decades every other one, so the labels do not run into each other.
    let step = if decades > 5.0 { 2 } else { 1 };
    let mut out = Vec::new();
    for e in (e0..=e1).filter(|e| (e - e0) % step == 0) {
        for m in mults {
            let v = m * 10f64.powi(e);
            if v >= lo * 0.999 && v <= hi * 1.001 {
                out.push(v);
            }
        }
    }
    if out.len() < 3 {
        // Less than a decade: evenly spaced round numbers read better.
        out = nice_ticks(lo, hi, 5).into_iter().filter(|v| *v > 0.0).collect();
    }
    out
}

/// About `target` tick positions at 1, 2, 2.5 or 5 × 10^k steps inside [lo, hi].
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || !lo.is_finite() || !hi.is_finite() {
        return vec![lo];
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw * 0.999).unwrap_or(10.0 * mag);
    let mut v = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while v <= hi + step * 1e-9 {
        // Snap away floating-point dust (0.30000000000000004 → 0.3).
        out.push(crate::plot::style::snap(v, step));
        v += step;
    }
    out
}

/// `v` rounded to a tenth of `step`'s magnitude.
pub fn snap(v: f64, step: f64) -> f64 {
    let q = 10f64.powf(step.log10().floor() - 1.0);
    (v / q).round() * q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_units() {
        assert_eq!(pretty("arch.levels.glb.capacity_kb"), "glb capacity");
        assert_eq!(pretty("arch.pe_array.rows"), "PE rows");
        assert_eq!(pretty("recipe.defaults.prune.rate"), "pruning rate");
        assert_eq!(pretty("recipe.layers.fc6.bits"), "layers fc6 bits");
        assert_eq!(pretty("glb_energy_pj"), "glb");
        assert_eq!(scale("energy_pj", 3.2e8), (1e6, "energy (µJ)".to_string()));
        assert_eq!(scale("latency_ms", 0.5), (1e-3, "latency (µs)".to_string()));
        assert_eq!(scale("dram_bytes", 5e6), (1e6, "DRAM traffic (MB)".to_string()));
        assert_eq!(scale("arch.levels.glb.capacity_kb", 10.0).1, "glb capacity (KiB)");
        assert_eq!(scale("cycles", 2.5e7), (1e6, "cycles (×10⁶)".to_string()));
    }

    #[test]
    fn tick_labels() {
        assert_eq!(fmt_num(250.0), "250");
        assert_eq!(fmt_num(0.30000000000000004), "0.3");
        assert_eq!(fmt_num(12.5), "12.5");
        assert_eq!(fmt_num(2e7), "2e7");
        assert_eq!(nice_ticks(0.0, 1.0, 5), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(3.0, 97.0, 5), [20.0, 40.0, 60.0, 80.0]);
        assert_eq!(log_ticks(16.0, 1024.0), [30.0, 100.0, 300.0, 1000.0]);
        assert_eq!(log_ticks(2.0, 40.0), [2.0, 5.0, 10.0, 20.0]);
        assert_eq!(log_ticks(4.4, 5.9), [4.5, 5.0, 5.5]);
    }
}
