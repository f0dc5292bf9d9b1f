//! `eyrie plot`, and the figures a sweep or merge draws from its `[[plot]]` entries.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use eyrie_arch::Arch;
use eyrie_arch::config::Located;
use eyrie_reports::csv_table::Table;
use eyrie_reports::plot::{Agg, Kind, Options, Roof, render};
use eyrie_sim::sweep::PlotSpec;

use super::sweep_store::replace;
use crate::CliResult;
use crate::cli::PlotArgs;

/// Roofs of an architecture: one MAC (2 ops) per PE per cycle at the clock, and the
/// off-chip level's bandwidth in words per cycle × bytes per word × clock.
pub fn roof_of(arch: &Arch) -> Roof {
    let ghz = arch.clock_mhz / 1e3;
    let dram = eyrie_sim::accounting::dram_index(arch);
    Roof {
        peak_gops: 2.0 * arch.pe_array.pes() as f64 * ghz,
        bandwidth_gb_s: arch
            .levels
            .get(dram)
            .and_then(|l| l.bandwidth_words_per_cycle)
            .map(|bw| bw * arch.word_bytes() * ghz),
    }
}

/// Split `COLUMN=VALUE` filters.
fn parse_filters(filters: &[String]) -> Result<Vec<(String, String)>, String> {
    filters
        .iter()
        .map(|f| match f.split_once('=') {
            Some((c, v)) if !c.trim().is_empty() => Ok((c.trim().to_string(), v.trim().to_string())),
            _ => Err(format!("filter `{f}`: expected COLUMN=VALUE, e.g. arch.pe_array.rows=12")),
        })
        .collect()
}

/// Read a results CSV; a torn last line (a sweep still running) is dropped with a note.
fn read_csv(path: &Path, quiet: bool) -> CliResult<Table> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (t, rec) = Table::parse(&bytes)?;
    if (rec.torn_bytes > 0 || rec.bad_rows > 0) && !quiet {
        eprintln!(
            "note: {}: ignored {} incomplete line(s)",
            path.display(),
            usize::from(rec.torn_bytes > 0) + rec.bad_rows
        );
    }
    if t.header.is_empty() {
        return Err(format!("{} is empty", path.display()).into());
    }
    Ok(t)
}

/// Render to `out` (.png or .svg; both when it has no extension), through temporary files.
fn write_figure(t: &Table, o: &Options, out: &Path) -> CliResult<(Vec<PathBuf>, Vec<String>)> {
    let targets: Vec<PathBuf> = match out.extension().and_then(|e| e.to_str()) {
        Some(_) => vec![out.to_path_buf()],
        None => vec![out.with_extension("png"), out.with_extension("svg")],
    };
    let mut warnings = Vec::new();
    for target in &targets {
        let ext = target.extension().and_then(|e| e.to_str()).unwrap_or("");
        let name = target.file_stem().and_then(|s| s.to_str()).unwrap_or("figure");
        let tmp = target.with_file_name(format!(".{name}.tmp-{}.{ext}", std::process::id()));
        let res = render(t, o, &tmp).and_then(|w| std::fs::rename(&tmp, target).map(|()| w).map_err(Into::into));
        match res {
            Ok(w) => warnings = w,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(format!("{}: {e}", target.display()).into());
            }
        }
    }
    Ok((targets, warnings))
}

/// Draw one figure from a results CSV.
pub fn plot(a: &PlotArgs) -> CliResult<ExitCode> {
    let kind: Kind = a.kind.parse()?;
    let table = read_csv(&a.file, false)?.filter(&parse_filters(&a.filters)?)?;
    let mut o = Options::new(kind);
    (o.x, o.y, o.color, o.title) = (a.x.clone(), a.y.clone(), a.color.clone(), a.title.clone());
    (o.log_x, o.log_y) = (a.log_x, a.log_y);
    o.agg = a.agg.parse::<Agg>()?;
    if a.width < 300 {
        return Err("--width must be at least 300 pixels".into());
    }
    (o.width, o.height) = (a.width, a.width * 2 / 3);
    if kind == Kind::Roofline {
        o.roof = Some(roof_of(&roof_arch(a)?));
    }
    let out = a.out.clone().unwrap_or_else(|| {
        let stem = a.file.file_stem().and_then(|s| s.to_str()).unwrap_or("results");
        a.file.with_file_name(format!("{stem}-{}.png", a.kind))
    });
    let (written, warnings) = write_figure(&table, &o, &out)?;
    for w in warnings {
        eprintln!("note: {w}");
    }
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The architecture of a roofline: --arch (with --set), else config.toml beside the CSV.
fn roof_arch(a: &PlotArgs) -> CliResult<Arch> {
    let sets = super::parse_sets(&a.sets)?;
    if let Some(arch) = &a.arch {
        return Ok(Arch::load(arch, &sets)?);
    }
    let cfg = a.file.with_file_name("config.toml");
    if cfg.exists() {
        let arch = super::run::load_config(&cfg)?.0;
        return Ok(if sets.is_empty() { arch } else { arch.with_sets(&sets)? });
    }
    Err(format!(
        "a roofline needs the architecture: pass --arch (and --set), or keep {} (written by `eyrie run --out`) beside the CSV",
        cfg.display()
    )
    .into())
}

/// Check `[[plot]]` entries before a sweep runs; errors name the sweep file, line and key.
pub fn check_specs(specs: &[PlotSpec], file: &Path) -> CliResult<()> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let loc = Located::new(&name, &text);
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, s) in specs.iter().enumerate() {
        let mut bad = |key: &str, m: String| problems.push(loc.at_key(&format!("plot.{i}.{key}"), m));
        if let Err(m) = s.kind.parse::<Kind>() {
            bad("kind", m);
        }
        if let Some(Err(m)) = s.agg.as_deref().map(str::parse::<Agg>) {
            bad("agg", m);
        }
        if !matches!(s.data.as_deref(), None | Some("points") | Some("layers")) {
            bad("data", "must be `points` or `layers`".into());
        }
        if s.name.is_empty() || !s.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            bad("name", format!("`{}`: use letters, digits, `-`, `_` and `.` (it becomes a file name)", s.name));
        } else if !seen.insert(s.name.clone()) {
            bad("name", format!("`{}` is used by two figures", s.name));
        }
        if let Err(m) = parse_filters(&s.filter) {
            bad("filter", m);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(eyrie_sim::sweep::SweepError::Invalid(eyrie_arch::Diagnostics(problems)).into())
    }
}

/// Draw `[[plot]]` figures from the CSVs in `dir` (PNG and SVG each); returns the files written.
/// A figure that cannot be drawn (e.g. every point failed) is reported and skipped.
pub fn draw_specs(
    dir: &Path,
    specs: &[PlotSpec],
    roof: &dyn Fn(&Table) -> Option<Roof>,
    quiet: bool,
) -> CliResult<Vec<PathBuf>> {
    let mut written = Vec::new();
    let mut tables: std::collections::HashMap<&str, Table> = std::collections::HashMap::new();
    for s in specs {
        let data =
            s.data.as_deref().unwrap_or(if s.kind == "layers" || s.kind == "roofline" { "layers" } else { "points" });
        if !tables.contains_key(data) {
            tables.insert(data, read_csv(&dir.join(format!("{data}.csv")), quiet)?);
        }
        let Some(table) = tables.get(data) else { continue };
        let drawn = (|| -> CliResult<(Vec<PathBuf>, Vec<String>)> {
            let t = table.filter(&parse_filters(&s.filter)?)?;
            let mut o = Options::new(s.kind.parse::<Kind>()?);
            (o.x, o.y, o.color, o.title) = (s.x.clone(), s.y.clone(), s.color.clone(), s.title.clone());
            (o.log_x, o.log_y) = (s.log_x, s.log_y);
            o.agg = s.agg.as_deref().unwrap_or("min").parse::<Agg>()?;
            if o.kind == Kind::Roofline {
                o.roof = roof(&t);
            }
            write_figure(&t, &o, &dir.join(&s.name))
        })();
        match drawn {
            Ok((files, warnings)) => {
                if !quiet {
                    for w in warnings {
                        eprintln!("note: figure {}: {w}", s.name);
                    }
                }
                written.extend(files);
            }
            Err(e) => eprintln!("warning: figure {} not drawn: {e}", s.name),
        }
    }
    Ok(written)
}

/// Write the CSV bytes of `t` to `path` (complete or absent).
pub fn write_table(t: &Table, path: &Path) -> CliResult<()> {
    replace(path, &t.to_bytes()?)
}
