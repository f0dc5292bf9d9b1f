//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// eyrie: a cycle-approximate simulator and design-space explorer for DNN accelerators.
#[derive(Debug, Parser)]
#[command(name = "eyrie", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text table.
    Table,
    /// CSV, one row per layer.
    Csv,
    /// JSON with layers and total.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate one design point: a network on an architecture, per-layer table.
    Run(RunArgs),
    /// List the built-in networks with layer count, MACs and weights.
    Zoo,
    /// List the built-in architecture presets.
    Presets,
    /// Run networks on several architectures; per-layer and total speedup and energy efficiency.
    Compare(CompareArgs),
    /// Compress a network with a recipe: the Deep Compression table per layer.
    Compress(CompressArgs),
    /// Run a design-space sweep described in a TOML file (see README, "Design-space exploration").
    Sweep(SweepArgs),
    /// Merge the output directories of sweep shards into one.
    Merge(MergeArgs),
    /// Print and write the Pareto-optimal points of a points.csv.
    Pareto(ParetoArgs),
    /// Draw a figure (PNG or SVG) from a results CSV.
    Plot(PlotArgs),
    /// Show an imported network (an ONNX model, or any --net value): layers, shapes,
    /// MACs, weights, and what was folded, moved or skipped.
    Inspect(InspectArgs),
    /// Compare every published figure eyrie models (Eyeriss, EIE, Stripes, Deep Compression,
    /// SCALE-Sim) with the model: paper, eyrie, error, tolerance. Exits 1 if any figure is
    /// outside its tolerance.
    Validate(ValidateArgs),
}

/// Arguments of `eyrie run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Architecture: a TOML file, a SCALE-Sim .cfg file, or a preset name (see `eyrie presets`).
    #[arg(long, default_value = crate::cmd::run::DEFAULT_ARCH)]
    pub arch: String,
    /// Network: a zoo name (see `eyrie zoo`), a network .toml or a SCALE-Sim topology .csv.
    #[arg(long, default_value = "alexnet")]
    pub net: String,
    /// Batch size (images per run); default: the network's own.
    #[arg(long)]
    pub batch: Option<u64>,
    /// Override an architecture field by dotted path, e.g. `pe_array.rows=16` or
    /// `levels.sram.partition.inputs_kb=128`; repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write layers.csv, summary.json and config.toml into this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Rerun a resolved configuration written by `--out` (config.toml); `--set` still applies.
    #[arg(long, conflicts_with_all = ["arch", "net"])]
    pub config: Option<PathBuf>,
    /// Seed for synthetic data (activations); results depend only on inputs and seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Per-layer activation precisions: a built-in profile (`stripes`, `stripes-99`: the
    /// Stripes paper's, recalled values) or a profile TOML file.
    #[arg(long, value_name = "NAME|FILE")]
    pub precision_profile: Option<String>,
    /// Compress the network with this recipe (TOML) before simulating it.
    #[arg(long, conflicts_with = "compressed")]
    pub recipe: Option<PathBuf>,
    /// Weights for `--recipe` (.npy, .npz, .safetensors); default: seeded synthetic weights.
    #[arg(long, requires = "recipe")]
    pub weights: Option<PathBuf>,
    /// Simulate a compressed network written by `eyrie compress --out` (compressed.eyc).
    #[arg(long, conflicts_with_all = ["net", "config"])]
    pub compressed: Option<PathBuf>,
    /// What the mapper minimizes (spatial engine); default: the arch's `[mapper] objective`.
    #[arg(long, value_enum)]
    pub objective: Option<ObjectiveArg>,
    /// Print the chosen mapping of one layer (loop nest, buffer occupancy, accesses) and exit.
    #[arg(long, value_name = "LAYER")]
    pub explain: Option<String>,
    /// Also draw breakdown.{png,svg} and layers.{png,svg} into --out.
    #[arg(long, requires = "out")]
    pub plot: bool,
    /// ONNX: shape of a graph input left symbolic, e.g. `1x3x224x224` (first input)
    /// or `NAME=1x3x224x224`; repeatable.
    #[arg(long = "input-shape", value_name = "[NAME=]DIMS")]
    pub input_shapes: Vec<eyrie_workloads::onnx::InputShape>,
    /// ONNX: count operators eyrie cannot lower as no-MAC layers (listed once per type) instead of failing.
    #[arg(long)]
    pub skip_unknown: bool,
}

/// Arguments of `eyrie compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// An architecture (preset or TOML file), optionally with overrides after commas:
    /// `stripes,bit_serial.dynamic_precision=true`. Repeat; the first is the baseline.
    #[arg(long = "arch", value_name = "ARCH[,PATH=VALUE...]", required = true)]
    pub archs: Vec<String>,
    /// A network (zoo name or file); repeat for several, then a summary with means follows.
    #[arg(long = "net", default_value = "alexnet")]
    pub nets: Vec<String>,
    /// Per-layer activation precisions (see `eyrie run --precision-profile`).
    #[arg(long, value_name = "NAME|FILE")]
    pub precision_profile: Option<String>,
    /// Batch size; default: each network's own.
    #[arg(long)]
    pub batch: Option<u64>,
    /// Seed for synthetic activations (dynamic precision).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print only the per-network summary, not the per-layer tables.
    #[arg(long)]
    pub summary: bool,
    /// Compare the summary with a paper's published figures (built in: `stripes`).
    #[arg(long, value_name = "NAME")]
    pub reference: Option<String>,
}

/// Arguments of `eyrie compress`.
#[derive(Debug, clap::Args)]
pub struct CompressArgs {
    /// Network: a zoo name (see `eyrie zoo`), a network .toml or a SCALE-Sim topology .csv.
    #[arg(long)]
    pub net: String,
    /// Weights file (.npy, .npz, .safetensors); default: seeded synthetic weights.
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// The compression recipe (TOML).
    #[arg(long)]
    pub recipe: PathBuf,
    /// Write compressed.eyc (read by `eyrie run --compressed`), report.csv, report.json
    /// and recipe.toml into this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Seed for synthetic weights, k-means and sample inputs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// What the mapper minimizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveArg {
    /// Total energy.
    Energy,
    /// Total cycles.
    Latency,
    /// Energy × delay.
    Edp,
}

/// Arguments of `eyrie sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// The sweep file (TOML).
    pub file: PathBuf,
    /// Output directory (default: out/sweep-<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long = "jobs")]
    pub jobs: Option<usize>,
    /// Continue an interrupted sweep in --out: skip the points it already has.
    #[arg(long)]
    pub resume: bool,
    /// Run only shard i of N (1 ≤ i ≤ N), e.g. 2/8; merge the shards with `eyrie merge`.
    #[arg(long, value_name = "i/N")]
    pub shard: Option<String>,
    /// Print the number of points and the first ones; run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// No progress bar or notes (also when the CI environment variable is set).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Arguments of `eyrie merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Sweep output directories (e.g. one per shard).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Directory for the merged points.csv, layers.csv and figures.
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `eyrie pareto`.
#[derive(Debug, clap::Args)]
pub struct ParetoArgs {
    /// A points.csv (or any CSV with the objective columns).
    pub file: PathBuf,
    /// Columns to minimize, comma separated.
    #[arg(long, default_value = "energy_pj,latency_ms", value_name = "COLS")]
    pub minimize: String,
    /// Where to write the Pareto-optimal rows (default: pareto.csv beside FILE).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `eyrie plot`.
#[derive(Debug, clap::Args)]
pub struct PlotArgs {
    /// A results CSV: points.csv or layers.csv of a sweep, or layers.csv of `eyrie run --out`.
    pub file: PathBuf,
    /// breakdown | layers | pareto | lines | roofline.
    #[arg(long)]
    pub kind: String,
    /// Column on the x axis.
    #[arg(long)]
    pub x: Option<String>,
    /// Column on the y axis (`layers`: comma-separated columns, one panel each).
    #[arg(long)]
    pub y: Option<String>,
    /// Column that colours the data (one line or colour per value).
    #[arg(long)]
    pub color: Option<String>,
    /// Logarithmic x axis.
    #[arg(long)]
    pub log_x: bool,
    /// Logarithmic y axis.
    #[arg(long)]
    pub log_y: bool,
    /// How `lines` combines rows with equal x and colour: min | mean | max.
    #[arg(long, default_value = "min")]
    pub agg: String,
    /// Keep only rows where COLUMN=VALUE (or, with COLUMN!=VALUE, where it differs); repeatable,
    /// all must hold.
    #[arg(long = "filter", value_name = "COLUMN=VALUE")]
    pub filters: Vec<String>,
    /// Title above the figure.
    #[arg(long)]
    pub title: Option<String>,
    /// Output file, .png or .svg; without an extension both are written
    /// (default: <FILE stem>-<kind>.png beside FILE).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Architecture for the roofline's roofs (default: config.toml beside FILE).
    #[arg(long)]
    pub arch: Option<String>,
    /// Override an architecture field of --arch; repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Width in pixels (height is two thirds of it).
    #[arg(long, default_value_t = 1200)]
    pub width: u32,
}

/// Arguments of `eyrie inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The network: an .onnx model, a network .toml, a SCALE-Sim .csv or a zoo name.
    pub net: String,
    /// ONNX: shape of a graph input left symbolic, e.g. `1x3x224x224` (first input)
    /// or `NAME=1x3x224x224`; repeatable.
    #[arg(long = "input-shape", value_name = "[NAME=]DIMS")]
    pub input_shapes: Vec<eyrie_workloads::onnx::InputShape>,
    /// ONNX: count operators eyrie cannot lower as no-MAC layers (listed once per type) instead of failing.
    #[arg(long)]
    pub skip_unknown: bool,
    /// Table (text) or JSON (network, import report, weight shapes).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `eyrie validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// A directory of reference files to compare against instead of the built-in copy
    /// (docs/reference/): `*.toml` files of `[[figure]]` tables, and `scalesim/results.csv`
    /// with `scalesim/scale.cfg`. Figures it lacks are left out and counted.
    #[arg(long, value_name = "DIR")]
    pub reference: Option<PathBuf>,
    /// Only this table (repeatable); `--list` names them.
    #[arg(long, value_name = "TABLE")]
    pub only: Vec<String>,
    /// List the tables and the command each reproduces, then exit.
    #[arg(long)]
    pub list: bool,
    /// Table (text, large tables summarised), CSV or JSON (every figure).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write validate.csv and validate.json (every figure) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Exit 0 when the only figures outside their tolerance are documented misses
    /// (explained in docs/ and inside the band the explanation predicts).
    #[arg(long)]
    pub allow_documented: bool,
    /// Seed of every synthetic input (weights, activations).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
