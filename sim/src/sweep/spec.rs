//! The sweep file: parsing, checking and loading its inputs.
//!
//! ```toml
//! version = 1
//! name = "eyeriss-glb-pe"                 # default: the file stem
//!
//! [base]                                  # one design point everything starts from
//! arch = "eyeriss"                        # preset name or arch file (relative to this file)
//! net = "alexnet"                         # zoo name or network file
//! batch = 1                               # optional (default: the network's)
//! seed = 1                                # optional (default 1)
//! recipe = "prune.toml"                   # optional compression recipe
//! objective = "energy"                    # optional: energy | latency | edp (sets arch.mapper.objective)
//!
//! [fixed]                                 # optional: overrides applied to every point
//! "arch.spatial.rlc" = true
//!
//! [axes]                                  # the swept keys, combined as a full grid
//! "arch.pe_array.rows" = [8, 12, 16]
//! "arch.levels.glb.capacity_kb" = { range = [32, 256], step = 32 }
//! net = ["alexnet", "vgg16"]
//!
//! [points]                                # optional: how axes combine
//! zip = [["arch.pe_array.rows", "arch.pe_array.cols"]]
//! where = "arch.pe_array.rows * arch.pe_array.cols <= 256"
//! samples = 500                           # a seeded random subset
//! seed = 1
//!
//! [output]
//! pareto = ["energy_pj", "latency_ms"]    # objectives of the `pareto` column
//!
//! [[plot]]                                # figures drawn when the sweep completes
//! kind = "lines"
//! x = "arch.levels.glb.capacity_kb"
//! ```
//!
//! Every problem is reported at once with file, line and key, before any
//! point runs. Keys may be quoted (`"arch.pe_array.rows"`) or bare dotted
//! keys; both mean the same.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Value;
use toml::de::{DeTable, DeValue};

use eyrie_arch::Arch;
use eyrie_arch::config::{self, Diagnostic, Diagnostics, line_col};
use eyrie_arch::engines::Objective;
use eyrie_workloads::Network;

use super::SweepError;
use super::axis::{self, Axis, PLAIN_KEYS, Target, Values};
use super::expr::Expr;

/// The sweep file format version this build reads.
pub const SWEEP_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    version: u32,
    name: Option<String>,
    #[serde(default)]
    description: String,
    base: BaseSpec,
    #[serde(default)]
    fixed: toml::Table,
    #[serde(default)]
    axes: toml::Table,
    #[serde(default)]
    points: PointsSpec,
    #[serde(default)]
    output: OutputSpec,
    #[serde(default)]
    plot: Vec<PlotSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseSpec {
    arch: String,
    net: String,
    batch: Option<u64>,
    seed: Option<u64>,
    recipe: Option<String>,
    objective: Option<Objective>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PointsSpec {
    #[serde(default)]
    zip: Vec<Vec<String>>,
    #[serde(rename = "where")]
    where_: Option<Value>,
    samples: Option<u64>,
    seed: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutputSpec {
    pareto: Option<Vec<String>>,
}

/// A figure to draw when the sweep completes (`[[plot]]`); checked by the caller.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlotSpec {
    /// breakdown | layers | pareto | lines | roofline.
    pub kind: String,
    /// File name without extension; both `.png` and `.svg` are written.
    pub name: String,
    /// Which results: `points` (default) or `layers`.
    pub data: Option<String>,
    /// Column on the x axis.
    pub x: Option<String>,
    /// Column on the y axis.
    pub y: Option<String>,
    /// Column that colours (groups) the data.
    pub color: Option<String>,
    /// Logarithmic x axis.
    #[serde(default)]
    pub log_x: bool,
    /// Logarithmic y axis.
    #[serde(default)]
    pub log_y: bool,
    /// How `lines` combines points that share x and colour: min | mean | max.
    pub agg: Option<String>,
    /// Keep only rows where `COLUMN=VALUE`.
    #[serde(default)]
    pub filter: Vec<String>,
    /// A title above the figure (default none: papers caption figures themselves).
    pub title: Option<String>,
}

/// The base design point.
#[derive(Debug, Clone, PartialEq)]
pub struct Base {
    /// Arch preset name or resolved file path.
    pub arch: String,
    /// Zoo name or resolved network file path.
    pub net: String,
    /// Batch size (`None`: the network's own).
    pub batch: Option<u64>,
    /// Seed of synthetic data.
    pub seed: u64,
    /// Compression recipe file, if any.
    pub recipe: Option<String>,
    /// Mapper objective, if given.
    pub objective: Option<String>,
}

/// A `[fixed]` override.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// Key as written.
    pub key: String,
    /// What it sets.
    pub target: Target,
    /// The value.
    pub value: Value,
    /// 1-based line of the key.
    pub line: usize,
}

/// A `where` constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// The text as written.
    pub src: String,
    /// Parsed.
    pub expr: Expr,
    /// 1-based line.
    pub line: usize,
}

/// A loaded, checked sweep with its inputs (architectures, networks, recipes) read once.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file as given.
    pub file: String,
    /// Name (the file's `name`, or its stem).
    pub name: String,
    /// One line on what it explores.
    pub description: String,
    /// The base point.
    pub base: Base,
    /// Overrides of every point.
    pub fixed: Vec<Setting>,
    /// The axes, in file order.
    pub axes: Vec<Axis>,
    /// Axis groups varied together (a zip group, or one free axis), in file order.
    pub groups: Vec<Vec<usize>>,
    /// Constraints every point must meet.
    pub constraints: Vec<Constraint>,
    /// Random subset size, if sampling.
    pub samples: Option<u64>,
    /// Seed of the sampling.
    pub sample_seed: u64,
    /// Objectives of the `pareto` column (all minimized).
    pub pareto: Vec<String>,
    /// Figures to draw at the end.
    pub plots: Vec<PlotSpec>,
    /// Line of the `[axes]` table (for errors about whole points).
    pub axes_line: usize,
    /// Directory of the sweep file (relative paths in it are relative to this).
    pub dir: PathBuf,
    /// Base architectures by name, as parsed and as TOML tables (the starting point of overrides).
    pub(crate) archs: BTreeMap<String, (Arch, toml::Table)>,
    /// Networks by name.
    pub(crate) nets: BTreeMap<String, Network>,
    /// Recipe texts by path.
    pub(crate) recipes: BTreeMap<String, String>,
    /// FNV-1a 64 of each network's serialized layers (part of every point's id).
    pub(crate) net_fnv: BTreeMap<String, u64>,
}

fn looks_like_path(s: &str) -> bool {
    s.contains('/') || s.contains('\\') || [".toml", ".cfg", ".csv", ".onnx"].iter().any(|e| s.ends_with(e))
}

/// A name or a path relative to the sweep file's directory.
pub(crate) fn resolve_name(dir: &Path, s: &str) -> String {
    if looks_like_path(s) && Path::new(s).is_relative() && !dir.as_os_str().is_empty() {
        dir.join(s).display().to_string()
    } else {
        s.to_string()
    }
}

/// Span of the key reached by `segs` in the spanned document.
fn seg_pos(root: &DeTable<'_>, text: &str, segs: &[&str]) -> (usize, usize) {
    let mut table = root;
    let mut pos = None;
    for (i, s) in segs.iter().enumerate() {
        let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *s) else { break };
        pos = Some(k.span().start);
        match v.get_ref() {
            DeValue::Table(t) if i + 1 < segs.len() => table = t,
            _ => break,
        }
    }
    // Point at the start of the line, so `arch.pe_array.rows = []` is reported at column 1.
    pos.map_or((0, 0), |p| {
        let (line, _) = line_col(text, p);
        let indent = text.lines().nth(line - 1).map_or(0, |l| l.len() - l.trim_start().len());
        (line, indent + 1)
    })
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    root: Option<DeTable<'a>>,
    errs: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn pos(&self, segs: &[&str]) -> (usize, usize) {
        self.root.as_ref().map_or((0, 0), |r| seg_pos(r, self.text, segs))
    }
    fn err(&mut self, segs: &[&str], message: impl Into<String>) {
        let (line, col) = self.pos(segs);
        let key = segs.join(".");
        self.errs.push(Diagnostic { file: self.file.into(), line, col, key, message: message.into() });
    }
}

/// Leaves of a nested table: `(segments, value)`; `stop` says whether a table is itself a leaf.
fn leaves(
    t: &toml::Table,
    prefix: &mut Vec<String>,
    stop: &dyn Fn(&toml::Table) -> bool,
    out: &mut Vec<(Vec<String>, Value)>,
) {
    for (k, v) in t {
        prefix.push(k.clone());
        match v {
            Value::Table(sub) if !stop(sub) => leaves(sub, prefix, stop, out),
            _ => out.push((prefix.clone(), v.clone())),
        }
        prefix.pop();
    }
}

impl Sweep {
    /// Read and check a sweep file, then load its architectures, networks and recipes.
    pub fn load(path: &Path) -> Result<Sweep, SweepError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SweepError::Io { path: file.clone(), source })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("sweep").to_string();
        Sweep::from_toml(&file, &text, &dir, &stem)
    }

    /// Parse sweep text; `dir` resolves relative paths, `stem` is the default name.
    pub fn from_toml(file: &str, text: &str, dir: &Path, stem: &str) -> Result<Sweep, SweepError> {
        let spec: FileSpec = config::parse(file, text).map_err(|d| SweepError::Invalid(Diagnostics(vec![d])))?;
        let mut cx = Ctx { file, text, root: DeTable::parse(text).ok().map(|t| t.into_inner()), errs: Vec::new() };
        if spec.version != SWEEP_FORMAT_VERSION {
            cx.err(&["version"], format!("version {} is not supported; allowed: {SWEEP_FORMAT_VERSION}", spec.version));
        }
        let b = &spec.base;
        if b.batch == Some(0) {
            cx.err(&["base", "batch"], "must be at least 1");
        }
        let base = Base {
            arch: resolve_name(dir, &b.arch),
            net: resolve_name(dir, &b.net),
            batch: b.batch,
            seed: b.seed.unwrap_or(1),
            recipe: b.recipe.as_deref().map(|r| resolve_name(dir, r)),
            objective: b.objective.map(|o| objective_str(o).to_string()),
        };

        let mut fixed = Vec::new();
        let mut raw = Vec::new();
        leaves(&spec.fixed, &mut Vec::new(), &|_| false, &mut raw);
        for (segs, value) in raw {
            let key = segs.join(".");
            let mut full = vec!["fixed"];
            full.extend(segs.iter().map(String::as_str));
            match Target::parse(&key) {
                Some(target) => fixed.push(Setting { key, target, value, line: cx.pos(&full).0 }),
                None => cx.err(&full, unknown_key_msg(&key)),
            }
        }

        let mut axes = Vec::new();
        let mut raw = Vec::new();
        let is_gen = |t: &toml::Table| axis::GENERATORS.iter().any(|g| t.contains_key(*g)) || t.contains_key("step");
        leaves(&spec.axes, &mut Vec::new(), &is_gen, &mut raw);
        for (segs, value) in raw {
            let key = segs.join(".");
            let mut full = vec!["axes"];
            full.extend(segs.iter().map(String::as_str));
            let (line, col) = cx.pos(&full);
            let Some(target) = Target::parse(&key) else {
                cx.err(&full, unknown_key_msg(&key));
                continue;
            };
            let values = match &value {
                Value::Array(a) => axis::list(a),
                Value::Table(t) => axis::generate(t),
                v => Err(format!(
                    "an axis needs several values: a list like `[{v}, ...]`, or {{ range = [lo, hi], step = s }}, \
                     {{ linspace = [first, last, n] }}, {{ logspace = [first, last, n] }}, {{ pow2 = [lo, hi] }}; \
                     to fix one value for every point, put it under [fixed]"
                )),
            };
            match values {
                Ok(values) => axes.push(Axis { key, target, values, line, col }),
                Err(m) => cx.err(&full, m),
            }
        }
        axes.sort_by_key(|a| (a.line, a.col));
        for (i, a) in axes.iter().enumerate() {
            if let Some(b) = axes[..i].iter().find(|b| b.target == a.target) {
                let m = format!("sets the same thing as `{}` (line {})", b.key, b.line);
                cx.errs.push(Diagnostic {
                    file: file.into(),
                    line: a.line,
                    col: a.col,
                    key: a.key.clone(),
                    message: m,
                });
            }
        }

        let groups = group_axes(&mut cx, &axes, &spec.points.zip);
        if spec.points.samples == Some(0) {
            cx.err(&["points", "samples"], "must be at least 1");
        }
        for a in &axes {
            if matches!(a.values, Values::Uniform { .. }) && spec.points.samples.is_none() {
                let m = "continuous `uniform`/`loguniform` axes need `[points] samples = N`";
                cx.errs.push(Diagnostic {
                    file: file.into(),
                    line: a.line,
                    col: a.col,
                    key: a.key.clone(),
                    message: m.into(),
                });
            }
        }
        let constraints = parse_constraints(&mut cx, spec.points.where_.as_ref());
        let pareto = spec.output.pareto.clone().unwrap_or_else(|| vec!["energy_pj".into(), "latency_ms".into()]);
        if pareto.is_empty() {
            cx.err(&["output", "pareto"], "give at least one column to minimize");
        }
        let axes_line = cx.pos(&["axes"]).0;
        let mut sweep = Sweep {
            file: file.to_string(),
            name: spec.name.clone().unwrap_or_else(|| stem.to_string()),
            description: spec.description.clone(),
            base,
            fixed,
            axes,
            groups,
            constraints,
            samples: spec.points.samples,
            sample_seed: spec.points.seed.unwrap_or(1),
            pareto,
            plots: spec.plot.clone(),
            axes_line,
            dir: dir.to_path_buf(),
            archs: BTreeMap::new(),
            nets: BTreeMap::new(),
            recipes: BTreeMap::new(),
            net_fnv: BTreeMap::new(),
        };
        // Inputs load even when some axes are bad, so that every problem of the file is
        // reported in one go: then each value of each architecture axis is tried alone.
        let before = cx.errs.len();
        sweep.load_inputs(&mut cx, dir);
        if cx.errs.len() == before {
            cx.errs.extend(sweep.check_values());
            if cx.errs.is_empty() {
                sweep.check_constraints(&mut cx);
            }
        }
        cx.errs.sort_by_key(|d| (d.line, d.col));
        if cx.errs.is_empty() { Ok(sweep) } else { Err(SweepError::Invalid(Diagnostics(cx.errs))) }
    }

    /// Read every architecture, network and recipe the sweep names, once.
    fn load_inputs(&mut self, cx: &mut Ctx<'_>, dir: &Path) {
        let values_of = |t: &Target| -> Vec<(String, Vec<String>)> {
            self.axes
                .iter()
                .filter(|a| &a.target == t)
                .flat_map(|a| match &a.values {
                    Values::List(v) => {
                        v.iter().map(|x| (axis::cell(x), vec!["axes".to_string(), a.key.clone()])).collect()
                    }
                    Values::Uniform { .. } => Vec::new(),
                })
                .chain(
                    self.fixed
                        .iter()
                        .filter(|f| &f.target == t)
                        .map(|f| (axis::cell(&f.value), vec!["fixed".into(), f.key.clone()])),
                )
                .collect()
        };
        let mut archs = vec![(self.base.arch.clone(), vec!["base".to_string(), "arch".to_string()])];
        archs.extend(values_of(&Target::ArchFile).into_iter().map(|(v, k)| (resolve_name(dir, &v), k)));
        for (name, key) in archs {
            if self.archs.contains_key(&name) {
                continue;
            }
            let keyref: Vec<&str> = key.iter().map(String::as_str).collect();
            match Arch::load(&name, &[])
                .map_err(|e| chain(&e))
                .and_then(|a| toml::Table::try_from(&a).map(|t| (a, t)).map_err(|e| e.to_string()))
            {
                Ok(pair) => {
                    self.archs.insert(name, pair);
                }
                Err(m) => cx.err(&keyref, m),
            }
        }
        let mut nets = vec![(self.base.net.clone(), vec!["base".to_string(), "net".to_string()])];
        nets.extend(values_of(&Target::Net).into_iter().map(|(v, k)| (resolve_name(dir, &v), k)));
        for (name, key) in nets {
            if self.nets.contains_key(&name) {
                continue;
            }
            let keyref: Vec<&str> = key.iter().map(String::as_str).collect();
            match eyrie_workloads::load_network(&name) {
                Ok(n) => {
                    let h = super::id::fnv1a64(toml::to_string(&n).unwrap_or_default().as_bytes());
                    self.net_fnv.insert(name.clone(), h);
                    self.nets.insert(name, n);
                }
                Err(e) => cx.err(&keyref, chain(&e)),
            }
        }
        let mut recipes: Vec<(String, Vec<String>)> =
            self.base.recipe.iter().map(|r| (r.clone(), vec!["base".to_string(), "recipe".to_string()])).collect();
        recipes.extend(values_of(&Target::RecipeFile).into_iter().map(|(v, k)| (resolve_name(dir, &v), k)));
        for (path, key) in recipes {
            let keyref: Vec<&str> = key.iter().map(String::as_str).collect();
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    self.recipes.insert(path, text);
                }
                Err(e) => cx.err(&keyref, format!("cannot read recipe {path}: {e}")),
            }
        }
        let recipe_axes = self.axes.iter().any(|a| matches!(a.target, Target::Recipe(_)))
            || self.fixed.iter().any(|f| matches!(f.target, Target::Recipe(_)));
        if recipe_axes && self.recipes.is_empty() {
            cx.err(&["base"], "`recipe.*` keys need a compression recipe: set `recipe` in [base]");
        }
        if let Err(m) = super::recipe::check(self) {
            cx.err(&["base", "recipe"], m);
        }
    }

    /// Evaluate each constraint on the first grid point, so unknown names fail before anything runs.
    fn check_constraints(&self, cx: &mut Ctx<'_>) {
        let first: Vec<Value> = self
            .axes
            .iter()
            .map(|a| match &a.values {
                Values::List(v) => v.first().cloned().unwrap_or(Value::Integer(0)),
                Values::Uniform { lo, .. } => Value::Float(*lo),
            })
            .collect();
        for c in &self.constraints {
            if let Err(m) = c.expr.holds(&|n| self.lookup(&first, n)) {
                let d = Diagnostic {
                    file: self.file.clone(),
                    line: c.line,
                    col: 0,
                    key: "points.where".into(),
                    message: format!("`{}`: {m}", c.src),
                };
                cx.errs.push(d);
            }
        }
    }
}

fn objective_str(o: Objective) -> &'static str {
    match o {
        Objective::Energy => "energy",
        Objective::Latency => "latency",
        Objective::Edp => "edp",
    }
}

fn unknown_key_msg(key: &str) -> String {
    format!("unknown key `{key}`: keys start with `arch.` or `recipe.`, or are one of {PLAIN_KEYS}")
}

/// An error and its causes on one line each.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        s.push_str(&format!(": {x}"));
        src = x.source();
    }
    s
}

fn group_axes(cx: &mut Ctx<'_>, axes: &[Axis], zip: &[Vec<String>]) -> Vec<Vec<usize>> {
    let mut owner: Vec<Option<usize>> = vec![None; axes.len()];
    let mut zipped: Vec<Vec<usize>> = Vec::new();
    for (g, names) in zip.iter().enumerate() {
        let mut members = Vec::new();
        for n in names {
            match axes.iter().position(|a| &a.key == n) {
                None => cx.err(&["points", "zip"], format!("zip group {}: `{n}` is not an axis", g + 1)),
                Some(i) if owner[i].is_some() => cx.err(&["points", "zip"], format!("`{n}` is in two zip groups")),
                Some(i) if axes[i].values.len().is_none() => {
                    cx.err(&["points", "zip"], format!("`{n}` is continuous; only lists can be zipped"))
                }
                Some(i) => {
                    owner[i] = Some(g);
                    members.push(i);
                }
            }
        }
        let lens: Vec<usize> = members.iter().filter_map(|i| axes[*i].values.len()).collect();
        if lens.windows(2).any(|w| w[0] != w[1]) {
            let desc: Vec<String> = members
                .iter()
                .map(|i| format!("{} has {}", axes[*i].key, axes[*i].values.len().unwrap_or(0)))
                .collect();
            cx.err(&["points", "zip"], format!("zipped axes must have equal lengths: {}", desc.join(", ")));
        }
        zipped.push(members);
    }
    let mut groups = Vec::new();
    for (i, o) in owner.iter().enumerate() {
        match o {
            None => groups.push(vec![i]),
            Some(g) if zipped[*g].iter().min() == Some(&i) => {
                let mut m = zipped[*g].clone();
                m.sort_unstable();
                groups.push(m);
            }
            Some(_) => {}
        }
    }
    groups
}

fn parse_constraints(cx: &mut Ctx<'_>, w: Option<&Value>) -> Vec<Constraint> {
    let srcs: Vec<String> = match w {
        None => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) if a.iter().all(Value::is_str) => {
            a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
        }
        Some(_) => {
            cx.err(&["points", "where"], "must be a string or a list of strings, e.g. \"arch.pe_array.rows <= 16\"");
            Vec::new()
        }
    };
    let line = cx.pos(&["points", "where"]).0;
    let mut out = Vec::new();
    for src in srcs {
        match Expr::parse(&src) {
            Ok(expr) => out.push(Constraint { src, expr, line }),
            Err(m) => cx.err(&["points", "where"], format!("`{src}`: {m}")),
        }
    }
    out
}
