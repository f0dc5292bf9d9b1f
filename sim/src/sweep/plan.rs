//! From a sweep to its list of points: expansion, constraints, resolution and ids.
//!
//! 1. Expand the axis groups: the full grid (the last axis in the file
//!    varies fastest, like nested loops), or, with `samples`, a seeded random
//!    subset (ChaCha8 seeded with `[points] seed`: distinct grid points for
//!    list axes, independent draws when an axis is continuous).
//! 2. Drop the points that fail a `where` constraint.
//! 3. Resolve every point (apply the overrides to its base architecture,
//!    deserialize and validate) so that an unknown key, a wrong type or an
//!    invalid value is reported with its line before anything runs.
//! 4. Give each point its id: FNV-1a 64 of its canonical TOML (the
//!    `eyrie run --config` form of the resolved point, plus hashes of the
//!    network and recipe contents). Points whose resolved configuration
//!    equals an earlier one are dropped as duplicates.

use std::collections::{BTreeMap, HashSet};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use toml::Value;

use eyrie_arch::Arch;
use eyrie_arch::config::{Diagnostic, Diagnostics, apply_set};

use super::SweepError;
use super::axis::{Target, Values, cell, round12};
use super::id::fnv1a64;
use super::spec::{Sweep, resolve_name};

/// Most points one sweep may hold (the plan keeps each point's values in memory).
pub const MAX_POINTS: u128 = 5_000_000;

/// One point of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanPoint {
    /// One value per axis, in axis order.
    pub values: Vec<Value>,
    /// The stable id.
    pub id: u64,
    /// Hash of the resolved architecture (the layer cache key).
    pub arch_fnv: u64,
    /// Hash of the architecture without the sizes of its shared on-chip
    /// buffers: points with equal groups run one after another, so that the
    /// mapper's work that does not depend on those sizes is done once.
    pub group: u64,
}

/// The points of a sweep, in expansion order.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The points kept.
    pub points: Vec<PlanPoint>,
    /// Size of the full grid of list axes.
    pub grid_points: u128,
    /// Points dropped by `where`.
    pub rejected: u64,
    /// Points dropped because an earlier point has the same resolved configuration.
    pub duplicates: u64,
    /// Memory level names of all points' architectures, first seen first.
    pub levels: Vec<String>,
}

/// A point with every override applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The architecture.
    pub arch: Arch,
    /// Network: zoo name or resolved file path.
    pub net: String,
    /// Batch size (`None`: the network's).
    pub batch: Option<u64>,
    /// Seed of synthetic data.
    pub seed: u64,
    /// Compression recipe file, if any.
    pub recipe: Option<String>,
    /// Recipe overrides `(dotted path without "recipe.", value)`, for the compressor.
    pub recipe_overrides: Vec<(String, Value)>,
}

#[derive(Serialize)]
struct CanonRun<'a> {
    net: &'a str,
    batch: u64,
    seed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    recipe: Option<&'a str>,
}

#[derive(Serialize)]
struct Canon<'a> {
    run: CanonRun<'a>,
    #[serde(skip_serializing_if = "toml::Table::is_empty")]
    recipe_overrides: toml::Table,
    arch: &'a Arch,
}

impl Sweep {
    /// `key=value, ...` of a point, for messages.
    pub fn describe(&self, values: &[Value]) -> String {
        let v: Vec<String> = self.axes.iter().zip(values).map(|(a, v)| format!("{}={}", a.key, cell(v))).collect();
        if v.is_empty() { "the base point".into() } else { v.join(", ") }
    }

    fn diag(&self, line: usize, key: &str, message: String) -> Diagnostic {
        Diagnostic { file: self.file.clone(), line, col: 0, key: key.to_string(), message }
    }

    /// Apply a point's overrides to its base architecture and inputs, and validate.
    pub fn resolve(&self, values: &[Value]) -> Result<Resolved, Diagnostic> {
        let arch_name = self.arch_name(values);
        let (_, base) = self.archs.get(&arch_name).ok_or_else(|| {
            self.diag(self.axes_line, "base.arch", format!("architecture `{arch_name}` was not loaded"))
        })?;
        let mut doc = base.clone();
        let mut net = self.base.net.clone();
        let mut batch = self.base.batch;
        let mut seed = self.base.seed;
        let mut recipe = self.base.recipe.clone();
        let mut recipe_overrides = Vec::new();
        if let Some(o) = &self.base.objective {
            apply_set(&mut doc, "mapper.objective", o).map_err(|m| self.diag(0, "base.objective", m))?;
        }
        let settings = self
            .fixed
            .iter()
            .map(|f| (format!("fixed.{}", f.key), &f.target, &f.value, f.line))
            .chain(self.axes.iter().zip(values).map(|(a, v)| (format!("axes.{}", a.key), &a.target, v, a.line)));
        for (key, target, value, line) in settings {
            let key = key.as_str();
            let bad = |what: &str| self.diag(line, key, format!("`{}` must be {what}", cell(value)));
            match target {
                Target::Arch(path) => {
                    apply_set(&mut doc, path, &value.to_string()).map_err(|m| self.diag(line, key, m))?
                }
                Target::Objective => {
                    apply_set(&mut doc, "mapper.objective", &value.to_string()).map_err(|m| self.diag(line, key, m))?
                }
                Target::Net => net = resolve_name(&self.dir, value.as_str().ok_or_else(|| bad("a network name"))?),
                Target::RecipeFile => {
                    recipe = Some(resolve_name(&self.dir, value.as_str().ok_or_else(|| bad("a file name"))?))
                }
                Target::Batch => {
                    batch = Some(value.as_integer().filter(|b| *b >= 1).ok_or_else(|| bad("an integer ≥ 1"))? as u64)
                }
                Target::Seed => {
                    seed = value.as_integer().filter(|s| *s >= 0).ok_or_else(|| bad("an integer ≥ 0"))? as u64
                }
                Target::Recipe(path) => recipe_overrides.push((path.clone(), value.clone())),
                Target::ArchFile => {}
            }
        }
        let mut arch: Arch = Value::Table(doc).try_into().map_err(|e: toml::de::Error| {
            self.diag(self.axes_line, "axes", format!("point {}: {}", self.describe(values), e.message().trim()))
        })?;
        arch.resolve_per_pe();
        let problems = arch.validate(&|k, m| {
            let axis = self.axes.iter().find(|a| a.target == Target::Arch(k.to_string()));
            let fixed = self.fixed.iter().find(|f| f.target == Target::Arch(k.to_string()));
            let (line, key) = match (axis, fixed) {
                (Some(a), _) => (a.line, format!("axes.{}", a.key)),
                (None, Some(f)) => (f.line, format!("fixed.{}", f.key)),
                _ => (self.axes_line, "axes".to_string()),
            };
            self.diag(line, &key, format!("point {}: arch `{k}`: {m}", self.describe(values)))
        });
        if let Some(first) = problems.into_iter().next() {
            return Err(first);
        }
        Ok(Resolved { arch, net, batch, seed, recipe, recipe_overrides })
    }

    /// The canonical TOML of a resolved point: the `eyrie run --config` form.
    pub fn canonical(&self, r: &Resolved) -> String {
        let batch = r.batch.or_else(|| self.nets.get(&r.net).map(|n| n.batch)).unwrap_or(1);
        let canon = Canon {
            run: CanonRun { net: &r.net, batch, seed: r.seed, recipe: r.recipe.as_deref() },
            recipe_overrides: r.recipe_overrides.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            arch: &r.arch,
        };
        toml::to_string(&canon).unwrap_or_default()
    }

    /// Id text of a resolved point: its canonical TOML and the hashes of its input files' contents.
    fn id_of(&self, r: &Resolved, canonical: &str) -> u64 {
        let net = self.net_fnv.get(&r.net).copied();
        let recipe = r.recipe.as_ref().and_then(|p| self.recipes.get(p)).map(|t| fnv1a64(t.as_bytes()));
        let mut text = canonical.to_string();
        text.push_str(&format!("\n# network {:016x}\n# recipe {:016x}\n", net.unwrap_or(0), recipe.unwrap_or(0)));
        fnv1a64(text.as_bytes())
    }

    fn group_len(&self, g: &[usize]) -> Option<usize> {
        g.first().and_then(|a| self.axes[*a].values.len())
    }

    /// Size of the grid of list axes (continuous axes count as one).
    pub fn grid_size(&self) -> u128 {
        self.groups.iter().map(|g| self.group_len(g).unwrap_or(1) as u128).product()
    }

    /// The values of grid point `idx` (mixed radix, last group fastest).
    pub fn grid_point(&self, mut idx: u128) -> Vec<Value> {
        let mut values = vec![Value::Integer(0); self.axes.len()];
        for g in self.groups.iter().rev() {
            let n = self.group_len(g).unwrap_or(1) as u128;
            let k = (idx % n) as usize;
            idx /= n;
            for &a in g {
                if let Values::List(l) = &self.axes[a].values {
                    values[a] = l[k].clone();
                }
            }
        }
        values
    }

    fn accepted(&self, values: &[Value]) -> Result<bool, Diagnostic> {
        for c in &self.constraints {
            let ok = c.expr.holds(&|n| self.lookup(values, n)).map_err(|m| {
                self.diag(c.line, "points.where", format!("`{}` at point {}: {m}", c.src, self.describe(values)))
            })?;
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The candidate points after `where`, in order, and how many were rejected.
    fn expand(&self) -> Result<(Vec<Vec<Value>>, u64), Diagnostic> {
        let total = self.grid_size();
        let continuous = self.axes.iter().any(|a| a.values.len().is_none());
        let mut rng = ChaCha8Rng::seed_from_u64(self.sample_seed);
        let mut out = Vec::new();
        let mut rejected = 0u64;
        let mut take = |v: Vec<Value>, out: &mut Vec<Vec<Value>>| -> Result<(), Diagnostic> {
            if self.accepted(&v)? {
                out.push(v);
            } else {
                rejected += 1;
            }
            Ok(())
        };
        match self.samples {
            Some(n) if continuous => {
                // Independent draws; give up after 100 × n tries if `where` rejects most.
                let mut tries = 0u64;
                while (out.len() as u64) < n && tries < n.saturating_mul(100) {
                    tries += 1;
                    let v = self.draw(&mut rng);
                    take(v, &mut out)?;
                }
            }
            Some(n) if (n as u128) < total => {
                if total > MAX_POINTS * 4 {
                    // Huge grid: rejection-sample distinct indices.
                    let mut seen = HashSet::new();
                    let mut tries = 0u64;
                    let mut idx = Vec::new();
                    while (idx.len() as u64) < n && tries < n.saturating_mul(100) {
                        tries += 1;
                        let i = rng.random_range(0..total);
                        if !seen.insert(i) {
                            continue;
                        }
                        if self.accepted(&self.grid_point(i))? {
                            idx.push(i);
                        } else {
                            rejected += 1;
                        }
                    }
                    idx.sort_unstable();
                    out = idx.into_iter().map(|i| self.grid_point(i)).collect();
                } else {
                    // A seeded Fisher–Yates shuffle of the grid, taken until n points pass.
                    let mut perm: Vec<u64> = (0..total as u64).collect();
                    let mut idx = Vec::new();
                    for i in 0..perm.len() {
                        if idx.len() as u64 >= n {
                            break;
                        }
                        let j = rng.random_range(i..perm.len());
                        perm.swap(i, j);
                        if self.accepted(&self.grid_point(u128::from(perm[i])))? {
                            idx.push(perm[i]);
                        } else {
                            rejected += 1;
                        }
                    }
                    idx.sort_unstable();
                    out = idx.into_iter().map(|i| self.grid_point(u128::from(i))).collect();
                }
            }
            _ => {
                if total > MAX_POINTS {
                    let m = format!(
                        "the grid has {total} points; at most {MAX_POINTS} run in one sweep: \
                         sample them with [points] samples = N, or split the sweep"
                    );
                    return Err(self.diag(self.axes_line, "axes", m));
                }
                for i in 0..total {
                    take(self.grid_point(i), &mut out)?;
                }
            }
        }
        Ok((out, rejected))
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> Vec<Value> {
        let mut values = vec![Value::Integer(0); self.axes.len()];
        for g in &self.groups {
            match &self.axes[g[0]].values {
                Values::List(l) => {
                    let k = rng.random_range(0..l.len());
                    for &a in g {
                        if let Values::List(l) = &self.axes[a].values {
                            values[a] = l[k].clone();
                        }
                    }
                }
                Values::Uniform { lo, hi, log } => {
                    let u: f64 = rng.random();
                    let x = if *log { (lo.ln() + u * (hi.ln() - lo.ln())).exp() } else { lo + u * (hi - lo) };
                    // Six significant digits: readable in the CSV, identical on every machine.
                    let x = format!("{:.5e}", round12(x)).parse().unwrap_or(x);
                    values[g[0]] = Value::Float(x);
                }
            }
        }
        values
    }

    /// Each list value of each architecture axis and fixed override, applied alone
    /// to the base: unknown keys and wrong types are reported at their own line, once
    /// per axis and problem with the values that have it.
    pub(crate) fn check_values(&self) -> Vec<Diagnostic> {
        let mut out: Vec<(Diagnostic, Vec<String>)> = Vec::new();
        let singles = self
            .fixed
            .iter()
            .map(|f| (format!("fixed.{}", f.key), &f.target, vec![f.value.clone()], f.line))
            .chain(self.axes.iter().map(|a| match &a.values {
                Values::List(l) => (format!("axes.{}", a.key), &a.target, l.clone(), a.line),
                Values::Uniform { lo, .. } => (format!("axes.{}", a.key), &a.target, vec![Value::Float(*lo)], a.line),
            }));
        for (key, target, values, line) in singles {
            let path = match target {
                Target::Arch(p) => p.as_str(),
                Target::Objective => "mapper.objective",
                _ => continue,
            };
            for (_, table) in self.archs.values() {
                for v in &values {
                    let mut doc = table.clone();
                    let res = apply_set(&mut doc, path, &v.to_string()).and_then(|()| {
                        Value::Table(doc).try_into::<Arch>().map(|_| ()).map_err(|e| e.message().trim().to_string())
                    });
                    if let Err(m) = res {
                        let d = Diagnostic { col: 1, ..self.diag(line, &key, m) };
                        match out.iter_mut().find(|(e, _)| *e == d) {
                            Some((_, vs)) if !vs.contains(&cell(v)) => vs.push(cell(v)),
                            Some(_) => {}
                            None => out.push((d, vec![cell(v)])),
                        }
                    }
                }
            }
        }
        out.into_iter()
            .map(|(d, vs)| {
                let which = if vs.len() == 1 { "value" } else { "values" };
                let list = vs.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
                Diagnostic { message: format!("{which} {list}: {}", d.message), ..d }
            })
            .collect()
    }
}

/// A resolved point's id, architecture hash, group and level names.
type Identified = (u64, u64, u64, Vec<String>);

/// Most distinct problems listed before the rest are counted.
const MAX_LISTED: usize = 20;

impl Plan {
    /// Expand, filter, resolve and identify every point, on `pool`.
    pub fn build(sweep: &Sweep, pool: &rayon::ThreadPool) -> Result<Plan, SweepError> {
        let (candidates, rejected) = sweep.expand().map_err(|d| SweepError::Invalid(Diagnostics(vec![d])))?;
        let resolved: Vec<Result<Identified, Diagnostic>> = pool.install(|| {
            candidates
                .par_iter()
                .map(|v| {
                    let r = sweep.resolve(v)?;
                    let canonical = sweep.canonical(&r);
                    let arch_fnv = fnv1a64(toml::to_string(&r.arch).unwrap_or_default().as_bytes());
                    let mut shape = r.arch.clone();
                    for l in shape.levels.iter_mut().filter(|l| l.instances == 1 && !l.off_chip) {
                        l.capacity_kb = None;
                        l.partition = None;
                    }
                    let group = fnv1a64(toml::to_string(&shape).unwrap_or_default().as_bytes());
                    let levels = r.arch.levels.iter().map(|l| l.name.clone()).collect();
                    Ok((sweep.id_of(&r, &canonical), arch_fnv, group, levels))
                })
                .collect()
        });
        let mut errs: Vec<Diagnostic> = Vec::new();
        let mut more = 0usize;
        let mut seen = HashSet::new();
        let mut levels: Vec<String> = Vec::new();
        let mut level_sets: BTreeMap<Vec<String>, ()> = BTreeMap::new();
        let mut points = Vec::with_capacity(candidates.len());
        let mut duplicates = 0;
        for (values, res) in candidates.into_iter().zip(resolved) {
            match res {
                Err(d) => {
                    // One message per (line, problem) with the point stripped, so 10 000
                    // points with the same bad value give one line.
                    let same = errs.iter().any(|e| {
                        e.line == d.line && e.key == d.key && strip_point(&e.message) == strip_point(&d.message)
                    });
                    if same || errs.len() >= MAX_LISTED {
                        more += 1;
                    } else {
                        errs.push(d);
                    }
                }
                Ok((id, arch_fnv, group, lv)) => {
                    if level_sets.insert(lv.clone(), ()).is_none() {
                        for l in lv {
                            if !levels.contains(&l) {
                                levels.push(l);
                            }
                        }
                    }
                    if seen.insert(id) {
                        points.push(PlanPoint { values, id, arch_fnv, group });
                    } else {
                        duplicates += 1;
                    }
                }
            }
        }
        if !errs.is_empty() {
            if more > 0 {
                let m = format!(
                    "{more} more points fail the same way{}",
                    if sweep.constraints.is_empty() {
                        "; a `where` constraint in [points] can skip invalid combinations"
                    } else {
                        ""
                    }
                );
                errs.push(Diagnostic {
                    file: sweep.file.clone(),
                    line: sweep.axes_line,
                    col: 0,
                    key: "axes".into(),
                    message: m,
                });
            }
            return Err(SweepError::Invalid(Diagnostics(errs)));
        }
        Ok(Plan { points, grid_points: sweep.grid_size(), rejected, duplicates, levels })
    }
}

fn strip_point(m: &str) -> &str {
    // "point a=1, b=2: arch `x`: msg" → "arch `x`: msg"
    m.strip_prefix("point ").and_then(|r| r.split_once(": ").map(|(_, rest)| rest)).unwrap_or(m)
}
