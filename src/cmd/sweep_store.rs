//! A sweep's output directory: streamed, resumable CSV files and a manifest.
//!
//! `points.csv` and `layers.csv` are appended to as points finish, with one
//! `write` per file per point and no user-space buffer, so a killed sweep
//! keeps every row it finished (layer rows are written before the point's
//! row, so a point counts as done only once all its layers are on disk). On
//! `--resume` both files are read back, a torn last line and any layer rows
//! of unfinished points are dropped, and the cleaned files are written in
//! place (through a temporary file and a rename) before appending. On
//! completion both are sorted by id and the `pareto` column is filled, again
//! through a rename, so the final bytes do not depend on thread count or on
//! interruptions. `sweep.json` records what the directory holds.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use eyrie_reports::csv_table::{Table, encode};
use eyrie_reports::sweep_csv::{self, Columns};
use eyrie_sim::sweep::PlotSpec;

use crate::CliResult;

/// Version of the manifest format.
pub const MANIFEST_FORMAT: u32 = 1;

/// `sweep.json`: what a sweep output directory holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// Manifest format version.
    pub format: u32,
    /// The eyrie version that wrote it.
    pub eyrie_version: String,
    /// Sweep name.
    pub sweep: String,
    /// FNV-1a 64 of the plan's ids in order: equal for runs and shards of the same plan.
    pub plan_fnv: String,
    /// Points in the whole plan.
    pub points_in_plan: usize,
    /// `i/N` when this directory holds one shard.
    pub shard: Option<String>,
    /// Points this directory is meant to hold.
    pub points_expected: usize,
    /// Whether every expected point has a row.
    pub complete: bool,
    /// Rows by status.
    pub ok: usize,
    /// Rows with some layers that could not run.
    pub partial: usize,
    /// Rows of points that could not run.
    pub failed: usize,
    /// Objectives of the `pareto` column.
    pub pareto: Vec<String>,
    /// Figures drawn on completion.
    pub plots: Vec<PlotSpec>,
}

impl Manifest {
    /// Read `dir/sweep.json`, if there is one.
    pub fn read(dir: &Path) -> CliResult<Option<Manifest>> {
        let p = dir.join("sweep.json");
        match fs::read_to_string(&p) {
            Ok(t) => Ok(Some(serde_json::from_str(&t).map_err(|e| format!("{}: {e}", p.display()))?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", p.display()).into()),
        }
    }

    /// Write `dir/sweep.json` (through a temporary file).
    pub fn write(&self, dir: &Path) -> CliResult<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        replace(&dir.join("sweep.json"), text.as_bytes())
    }
}

/// Write `path` whole, through a temporary file in the same directory and a rename.
pub fn replace(path: &Path, bytes: &[u8]) -> CliResult<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    if let Err(e) = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", path.display()).into());
    }
    Ok(())
}

/// What resuming found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Resumed {
    /// Ids with a row in `points.csv`.
    pub done: HashSet<String>,
    /// Torn or malformed lines dropped (both files).
    pub torn_lines: usize,
    /// Layer rows dropped (of unfinished points, or repeated).
    pub dropped_layer_rows: usize,
}

/// The open output files of a running sweep.
pub struct Store {
    dir: PathBuf,
    points: File,
    layers: File,
    columns: Columns,
}

fn read_table(path: &Path, header: &[String]) -> CliResult<(Table, usize)> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (t, rec) = Table::parse(&bytes)?;
    if t.header != header {
        return Err(format!(
            "{} has other columns than this sweep writes (was it written by another sweep file?); \
             use another --out, or remove the directory to start over",
            path.display()
        )
        .into());
    }
    Ok((t, usize::from(rec.torn_bytes > 0) + rec.bad_rows))
}

fn open_append(path: &Path) -> CliResult<File> {
    OpenOptions::new().append(true).open(path).map_err(|e| format!("cannot open {}: {e}", path.display()).into())
}

impl Store {
    /// Open `dir` for writing: fresh files, or (with `resume`) the cleaned existing ones.
    pub fn open(dir: &Path, columns: Columns, resume: bool) -> CliResult<(Store, Resumed)> {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let (pp, lp) = (dir.join("points.csv"), dir.join("layers.csv"));
        let (ph, lh) = (columns.points_header(), columns.layers_header());
        let mut resumed = Resumed::default();
        if pp.exists() && !resume {
            return Err(format!(
                "{} exists: pass --resume to continue that sweep, or choose another --out",
                pp.display()
            )
            .into());
        }
        if resume && pp.exists() {
            let (points, torn) = read_table(&pp, &ph)?;
            resumed.torn_lines += torn;
            resumed.done = sweep_csv::ids(&points)?;
            let (mut layers, ltorn) = if lp.exists() { read_table(&lp, &lh)? } else { (Table::new(lh.clone()), 0) };
            resumed.torn_lines += ltorn;
            resumed.dropped_layer_rows = sweep_csv::keep_layers_of(&mut layers, &resumed.done)?;
            if torn > 0 || ltorn > 0 || resumed.dropped_layer_rows > 0 || !lp.exists() {
                replace(&pp, &points.to_bytes()?)?;
                replace(&lp, &layers.to_bytes()?)?;
            }
        } else {
            replace(&pp, &encode(&[ph])?)?;
            replace(&lp, &encode(&[lh])?)?;
        }
        let store = Store { dir: dir.to_path_buf(), points: open_append(&pp)?, layers: open_append(&lp)?, columns };
        Ok((store, resumed))
    }

    /// Append one finished point (its layer rows first).
    pub fn write(&mut self, o: &eyrie_sim::sweep::PointOutcome) -> CliResult<()> {
        let id = eyrie_sim::sweep::id::format_id(o.id);
        let values: Vec<String> = o.values.iter().map(eyrie_sim::sweep::axis::cell).collect();
        let layers = encode(&self.columns.layer_rows(&id, &values, &o.result))?;
        let point = encode(&[self.columns.point_row(&id, &values, &o.result, o.area_mm2)])?;
        let err = |f: &str, e: std::io::Error| format!("cannot write {}: {e}", self.dir.join(f).display());
        self.layers.write_all(&layers).map_err(|e| err("layers.csv", e))?;
        self.points.write_all(&point).map_err(|e| err("points.csv", e))?;
        Ok(())
    }

    /// Sort both files by id, fill `pareto`, and return the points table.
    pub fn finish(self, pareto: &[String]) -> CliResult<Table> {
        finish_dir(&self.dir, &self.columns.points_header(), &self.columns.layers_header(), pareto)
    }
}

/// Sort `dir`'s files and fill the `pareto` column (used at completion and after a merge).
pub fn finish_dir(dir: &Path, ph: &[String], lh: &[String], pareto: &[String]) -> CliResult<Table> {
    let (pp, lp) = (dir.join("points.csv"), dir.join("layers.csv"));
    let (mut points, _) = read_table(&pp, ph)?;
    sweep_csv::finish_points(&mut points, pareto)?;
    let header = encode(&[lh.to_vec()])?;
    let cannot_read = |e: std::io::Error| format!("cannot read {}: {e}", lp.display());
    let mut file = File::open(&lp).map_err(cannot_read)?;
    let mut head = Vec::with_capacity(header.len());
    (&mut file).take(header.len() as u64).read_to_end(&mut head).map_err(cannot_read)?;
    if head != header {
        return Err(format!("{} has other columns than this sweep writes", lp.display()).into());
    }
    // Sorted by streaming into a temporary file beside it, then renamed over it.
    let name = lp.file_name().and_then(|n| n.to_str()).unwrap_or("layers.csv");
    let tmp = lp.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let sorted = (|| -> Result<(), String> {
        let f = File::create(&tmp).map_err(|e| e.to_string())?;
        sweep_csv::sort_layers(file, std::io::BufWriter::new(f)).map_err(|e| match e {
            eyrie_reports::ReportError::Io(io) => io.to_string(),
            other => eyrie_sim::sweep::spec::chain(&other),
        })?;
        fs::rename(&tmp, &lp).map_err(|e| e.to_string())
    })();
    if let Err(e) = sorted {
        let _ = fs::remove_file(&tmp);
        return Err(format!("cannot sort {}: {e}", lp.display()).into());
    }
    replace(&pp, &points.to_bytes()?)?;
    Ok(points)
}

/// Rows of a points table by status: (ok, partial, failed).
pub fn status_counts(points: &Table) -> (usize, usize, usize) {
    let Some(c) = points.col("status") else { return (0, 0, 0) };
    let n = |s: &str| points.rows.iter().filter(|r| r[c] == s).count();
    (n("ok"), n("partial"), n("failed"))
}
