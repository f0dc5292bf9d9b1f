//! Figures for papers from any results CSV, as PNG or SVG (plotters).
//!
//! Kinds:
//! * `breakdown`: energy stacked by component (MAC, each memory level, NoC,
//!   leakage), one bar per layer (`layers.csv`, `eyrie run --out`) or per
//!   design point (`points.csv`).
//! * `layers`: per-layer latency and energy bars, one panel each (or the
//!   columns given with `y = "a,b"`).
//! * `pareto`: two metrics of every point, the non-dominated ones joined by
//!   the front's staircase.
//! * `lines`: a metric against a swept axis, one line per value of a
//!   colouring column, other axes combined by min, mean or max.
//! * `roofline`: operational intensity (ops per DRAM byte) against achieved
//!   performance, under the architecture's compute and DRAM roofs
//!   (Williams, Waterman and Patterson, CACM 2009).
//! * `reference`: published values beside eyrie's (`eyrie validate --format
//!   csv`), grouped bars per item, one panel per quantity, the tolerance as a
//!   band on the paper's bar.
//! * `parity`: eyrie's value against the reference's on log–log axes with
//!   the line y = x (many figures at once, e.g. SCALE-Sim parity).
//!
//! Logarithmic axes are drawn on log10 of the data with ticks at 1-2-5 ×
//! 10^k, labelled with the data's values. Look and units: [`style`].

mod data;
mod draw;
pub mod style;

use std::path::Path;
use std::str::FromStr;

use plotters::prelude::*;

use crate::ReportError;
use crate::csv_table::Table;

/// What kind of figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Stacked energy components per layer or per point.
    Breakdown,
    /// Per-layer latency and energy.
    Layers,
    /// Two metrics with the Pareto front.
    Pareto,
    /// A metric against a swept axis.
    Lines,
    /// Intensity against performance under the roofs.
    Roofline,
    /// Published values beside the model's.
    Reference,
    /// The model's values against the reference's, with y = x.
    Parity,
}

/// Names of the kinds, for messages.
pub const KINDS: &str = "breakdown, layers, pareto, lines, roofline, reference, parity";

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Kind, String> {
        Ok(match s {
            "breakdown" => Kind::Breakdown,
            "layers" => Kind::Layers,
            "pareto" => Kind::Pareto,
            "lines" => Kind::Lines,
            "roofline" => Kind::Roofline,
            "reference" => Kind::Reference,
            "parity" => Kind::Parity,
            _ => return Err(format!("unknown plot kind `{s}`; kinds: {KINDS}")),
        })
    }
}

/// How `lines` combines the rows that share an x value and a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Agg {
    /// The smallest value (the best design over the other axes, for costs).
    #[default]
    Min,
    /// The mean.
    Mean,
    /// The largest value.
    Max,
}

impl FromStr for Agg {
    type Err = String;
    fn from_str(s: &str) -> Result<Agg, String> {
        match s {
            "min" => Ok(Agg::Min),
            "mean" => Ok(Agg::Mean),
            "max" => Ok(Agg::Max),
            _ => Err(format!("unknown aggregation `{s}`; allowed: min, mean, max")),
        }
    }
}

/// The roofs of a roofline figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Roof {
    /// Peak compute (GOPS, 2 ops per MAC).
    pub peak_gops: f64,
    /// DRAM bandwidth (GB/s); `None` when unlimited.
    pub bandwidth_gb_s: Option<f64>,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The kind.
    pub kind: Kind,
    /// Column on the x axis (default depends on the kind).
    pub x: Option<String>,
    /// Column(s) on the y axis.
    pub y: Option<String>,
    /// Column that colours the data.
    pub color: Option<String>,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// Combination for `lines`.
    pub agg: Agg,
    /// A title above the figure.
    pub title: Option<String>,
    /// Roofs for `roofline`.
    pub roof: Option<Roof>,
    /// Canvas width in pixels.
    pub width: u32,
    /// Canvas height in pixels.
    pub height: u32,
}

impl Options {
    /// Defaults for a kind: 1200 × 800 px, no log axes, columns chosen from the data.
    pub fn new(kind: Kind) -> Options {
        Options {
            kind,
            x: None,
            y: None,
            color: None,
            log_x: false,
            log_y: false,
            agg: Agg::Min,
            title: None,
            roof: None,
            width: 1200,
            height: 800,
        }
    }
}

pub(crate) fn pe<E: std::fmt::Display>(e: E) -> ReportError {
    ReportError::Plot(e.to_string())
}

/// Draw `table` to `path` (`.png` or `.svg`); returns warnings (data left out, choices made).
pub fn render(table: &Table, opts: &Options, path: &Path) -> Result<Vec<String>, ReportError> {
    style::init_fonts();
    let mut warnings = Vec::new();
    let mut opts = opts.clone();
    if matches!(opts.kind, Kind::Roofline | Kind::Parity) {
        // Rooflines are read on log–log axes (Williams et al. 2009); parity spans decades too.
        (opts.log_x, opts.log_y) = (true, true);
    }
    let opts = &opts;
    let fig = data::prepare(table, opts, &mut warnings)?;
    // Stacked panels of grouped bars need more height than one chart.
    let height = match &fig {
        data::Figure::Grouped(g) if g.panels.len() > 1 => opts.height.max(opts.width * (8 + 7 * g.panels.len() as u32) / 30),
        _ => opts.height,
    };
    let size = (opts.width, height);
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("png") => {
            let root = BitMapBackend::new(path, size).into_drawing_area();
            draw::figure(&root, &fig, opts)?;
            root.present().map_err(pe)?;
        }
        Some("svg") => {
            let root = SVGBackend::new(path, size).into_drawing_area();
            draw::figure(&root, &fig, opts)?;
            root.present().map_err(pe)?;
        }
        _ => return Err(ReportError::Invalid(format!("{}: the file name must end in .png or .svg", path.display()))),
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests;
