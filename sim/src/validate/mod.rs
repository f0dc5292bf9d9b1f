//! Published figures against the model: the catalogue behind `eyrie validate`.
//!
//! Each [`Table`] reproduces one published table or figure: it runs the
//! model the way a user would (presets, zoo networks, recipes, seed) and
//! pairs every modelled number with the paper's, read by id from the
//! reference files (`docs/reference/*.toml`, compiled in; or the files of a
//! directory given with `--reference`). Tolerances were fixed by the issues
//! before the comparisons were run and live here, next to each check, not in
//! the reference files (which hold figures only).
//!
//! A figure outside its tolerance is a miss. Some misses are understood and
//! explained in `docs/` (say, EIE's VGG-6, whose published time implies more
//! work than its published densities allow): those carry the explanation and
//! the band of errors the explanation predicts. A documented miss that drifts
//! out of its band is reported as a plain miss. Nothing here adjusts the
//! model to a figure.

mod deep_compression;
mod eie;
mod eyeriss;
mod reference;
mod scalesim;
mod stripes;

use rayon::prelude::*;

pub use reference::{Lookup, References, Sel};

/// Errors of the validation itself (not misses: those are results).
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// A reference file could not be read or parsed.
    #[error("{path}: {message}")]
    Reference {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// `--only` named a table that does not exist.
    #[error("no validation table `{name}`; tables: {known}")]
    UnknownTable {
        /// The name given.
        name: String,
        /// The names that exist.
        known: String,
    },
    /// The model could not be run (a built-in input failed to load).
    #[error("{table}: {message}")]
    Model {
        /// The table being reproduced.
        table: String,
        /// What failed.
        message: String,
    },
}

/// How far the model may be from the paper.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Tolerance {
    /// |model / paper − 1| ≤ the fraction.
    Relative(f64),
    /// |model − paper| ≤ the amount, in the figure's unit.
    Absolute(f64),
    /// No tolerance: the figure is context (unconfirmed, derived, or an input).
    Context,
}

/// A miss that `docs/` explains, with the errors the explanation allows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Documented {
    /// Where the explanation is (`docs/eie.md`).
    pub doc: &'static str,
    /// The explanation, in one line.
    pub why: &'static str,
    /// The relative errors (model / paper − 1) the explanation predicts.
    pub band: (f64, f64),
}

/// What a comparison came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Within the tolerance.
    Within,
    /// Outside the tolerance, explained in `docs/`, and within the explanation's band.
    Documented,
    /// Outside the tolerance and not explained (or out of its documented band).
    Miss,
    /// No tolerance: printed for context.
    Context,
}

impl Verdict {
    /// Short name for tables and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Within => "within",
            Verdict::Documented => "documented miss",
            Verdict::Miss => "MISS",
            Verdict::Context => "context",
        }
    }
}

/// One published figure and the model's value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Check {
    /// The table it belongs to ([`Table::name`]).
    pub table: &'static str,
    /// What is measured, with its unit (`DRAM accesses (MB)`).
    pub quantity: String,
    /// Which row of the published table (`CONV1`, `Alex-6`).
    pub item: String,
    /// The figure's id in the reference files, with the element taken (empty: no published value).
    pub figure: String,
    /// The reference file it was read from (empty: no published value).
    pub file: String,
    /// Whether the reference file marks the figure as read in the paper.
    pub confirmed: bool,
    /// The published value; `None` for a model value shown beside published ones
    /// (e.g. each dataflow's ratio where the paper gives only the range).
    pub paper: Option<f64>,
    /// The model's value.
    pub model: f64,
    /// The tolerance.
    pub tolerance: Tolerance,
    /// The explanation of a known miss, if any.
    pub documented: Option<Documented>,
    /// How the model's value was obtained, or other context.
    pub note: String,
}

impl Check {
    /// model / paper − 1 (NaN without a published value or when it is 0).
    pub fn error(&self) -> f64 {
        match self.paper {
            Some(p) if p != 0.0 => self.model / p - 1.0,
            _ => f64::NAN,
        }
    }

    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        let Some(paper) = self.paper else { return Verdict::Context };
        let within = match self.tolerance {
            Tolerance::Context => return Verdict::Context,
            Tolerance::Relative(t) => self.error().abs() <= t + 1e-12,
            Tolerance::Absolute(t) => (self.model - paper).abs() <= t + 1e-12,
        };
        if within {
            return Verdict::Within;
        }
        match &self.documented {
            Some(d) if (d.band.0..=d.band.1).contains(&self.error()) => Verdict::Documented,
            _ => Verdict::Miss,
        }
    }
}

/// A figure of a reference file that the reference set given does not have.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The table that needed it.
    pub table: &'static str,
    /// The figure ids tried, `file:id`.
    pub figure: String,
}

/// What a table's reproduction produced.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct Outcome {
    /// The comparisons.
    pub checks: Vec<Check>,
    /// Figures the reference set lacks (their checks were left out).
    pub skipped: Vec<Skipped>,
}

/// One published table or figure and how the model reproduces it.
pub struct Table {
    /// Short name (`eie-table4`), used by `--only` and the reproduction scripts.
    pub name: &'static str,
    /// The paper and table, in words.
    pub title: &'static str,
    /// The eyrie command that reproduces it.
    pub command: &'static str,
    run: fn(&mut Ctx<'_>) -> Result<(), ValidateError>,
}

/// Every table, in the order `eyrie validate` prints them.
pub const TABLES: &[Table] = &[
    Table {
        name: "eyeriss-jssc-alexnet",
        title: "Eyeriss JSSC 2017 Table V: the chip on AlexNet CONV1-5, batch 4",
        command: "eyrie run --arch eyeriss --net alexnet --batch 4",
        run: eyeriss::jssc_alexnet,
    },
    Table {
        name: "eyeriss-jssc-vgg16",
        title: "Eyeriss JSSC 2017 Table VI: the chip on VGG-16 CONV layers, batch 3",
        command: "eyrie run --arch eyeriss --net vgg16 --batch 3",
        run: eyeriss::jssc_vgg16,
    },
    Table {
        name: "eyeriss-isca-dataflows",
        title: "Eyeriss ISCA 2016: energy of RS against WS, OSA, OSB, OSC and NLR, AlexNet batch 16, 256 PEs",
        command: "eyrie run --arch docs/reference/isca2016/DATAFLOW.toml --net alexnet --batch 16",
        run: eyeriss::isca_dataflows,
    },
    Table {
        name: "eie-table4",
        title: "EIE ISCA 2016 Table IV: latency of the nine benchmark layers, 64 PEs",
        command: "eyrie run --arch eie --net eie-bench",
        run: eie::table4,
    },
    Table {
        name: "eie-scaling",
        title: "EIE ISCA 2016 Sec. VI-C and VIII: load balance at queue depth 1, 256 against 64 PEs, energy per layer",
        command: "eyrie run --arch eie --net eie-bench --set eie.queue_depth=1 (and pe_array.cols=256)",
        run: eie::scaling,
    },
    Table {
        name: "stripes",
        title: "Stripes MICRO 2016: Stripes over DaDianNao on six networks (conv layers)",
        command: "eyrie compare --arch dadiannao --arch stripes --precision-profile stripes --net alexnet --net nin ...",
        run: stripes::headline,
    },
    Table {
        name: "deep-compression-alexnet",
        title: "Deep Compression ICLR 2016 Table 4: AlexNet compression rate per layer (synthetic weights)",
        command: "eyrie compress --net alexnet --recipe workloads/recipes/deep-compression-alexnet.toml",
        run: deep_compression::table4,
    },
    Table {
        name: "scalesim-parity",
        title: "SCALE-Sim 3.0.0 parity: cycles, SRAM and DRAM traffic of AlexNet, ResNet-50 and odd shapes, os/ws/is",
        command: "eyrie run --arch docs/reference/scalesim/scale.cfg --net docs/reference/scalesim/Resnet50.csv",
        run: scalesim::parity,
    },
];

/// Names of all tables, for messages.
pub fn table_names() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.name).collect()
}

/// The state a table's reproduction builds up: the references, the seed, the results.
pub(crate) struct Ctx<'a> {
    refs: &'a References,
    seed: u64,
    table: &'static str,
    out: Outcome,
}

impl Ctx<'_> {
    /// The figure at `at`, or `None` (recorded as skipped) when the reference set lacks it.
    pub(crate) fn paper(&mut self, at: &[Lookup]) -> Result<Option<(f64, String, String, bool)>, ValidateError> {
        match self.refs.number(at)? {
            Some(f) => Ok(Some(f)),
            None => {
                let tried: Vec<String> = at.iter().map(|l| format!("{}:{}", l.file, l.id)).collect();
                self.out.skipped.push(Skipped { table: self.table, figure: tried.join(" or ") });
                Ok(None)
            }
        }
    }

    /// Compare the model's `model` with the figure at `at`; skipped when the figure is absent.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check(
        &mut self,
        at: &[Lookup],
        quantity: &str,
        item: &str,
        model: f64,
        tolerance: Tolerance,
        documented: Option<Documented>,
        note: &str,
    ) -> Result<(), ValidateError> {
        let Some((paper, figure, file, confirmed)) = self.paper(at)? else { return Ok(()) };
        self.push(Check {
            table: self.table,
            quantity: quantity.to_string(),
            item: item.to_string(),
            figure,
            file,
            confirmed,
            paper: Some(paper),
            model,
            tolerance,
            documented,
            note: note.to_string(),
        });
        Ok(())
    }

    /// A model value with no published counterpart, shown beside those that have one.
    pub(crate) fn model_only(&mut self, quantity: &str, item: &str, model: f64, note: &str) {
        self.push(Check {
            table: self.table,
            quantity: quantity.to_string(),
            item: item.to_string(),
            figure: String::new(),
            file: String::new(),
            confirmed: false,
            paper: None,
            model,
            tolerance: Tolerance::Context,
            documented: None,
            note: note.to_string(),
        });
    }

    /// Add a finished check.
    pub(crate) fn push(&mut self, c: Check) {
        self.out.checks.push(c);
    }

    /// Simulate `net` on `arch` with the table's seed. Every layer of the built-in inputs
    /// runs, so a layer that does not is an error of the validation, not a result.
    pub(crate) fn simulate(
        &self,
        arch: &eyrie_arch::Arch,
        net: &eyrie_workloads::compress::CompressedNetwork,
    ) -> Result<crate::SimResult, ValidateError> {
        let r = crate::simulate(arch, net, &crate::RunOptions { seed: self.seed, ..crate::RunOptions::default() });
        match r.layers.iter().find(|l| l.status != crate::Status::Ok) {
            Some(l) => Err(self.fail(format!("{}: layer {} did not run: {:?}", r.network, l.layer, l.status))),
            None => Ok(r),
        }
    }

    /// A model error for this table.
    pub(crate) fn fail(&self, message: impl std::fmt::Display) -> ValidateError {
        ValidateError::Model { table: self.table.to_string(), message: message.to_string() }
    }
}

/// Reproduce the tables named in `only` (all when empty), in catalogue order.
///
/// Tables run in parallel; each is deterministic in `seed`, so the result is
/// the same for any thread count.
pub fn validate(refs: &References, only: &[String], seed: u64) -> Result<Outcome, ValidateError> {
    for name in only {
        if !TABLES.iter().any(|t| t.name == name) {
            return Err(ValidateError::UnknownTable { name: name.clone(), known: table_names().join(", ") });
        }
    }
    let chosen: Vec<&Table> = TABLES.iter().filter(|t| only.is_empty() || only.iter().any(|o| o == t.name)).collect();
    let parts: Vec<Result<Outcome, ValidateError>> = chosen
        .par_iter()
        .map(|t| {
            let mut ctx = Ctx { refs, seed, table: t.name, out: Outcome::default() };
            (t.run)(&mut ctx)?;
            Ok(ctx.out)
        })
        .collect();
    let mut out = Outcome::default();
    for p in parts {
        let p = p?;
        out.checks.extend(p.checks);
        out.skipped.extend(p.skipped);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
