//! `eyrie sweep`: run a design-space sweep, stream its results, draw its figures.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use eyrie_reports::csv_table::Table;
use eyrie_reports::sweep_csv::Columns;
use eyrie_sim::sweep::axis::cell;
use eyrie_sim::sweep::id::{fnv1a64, format_id};
use eyrie_sim::sweep::{LayerFn, Plan, PlanPoint, Runner, Shard, Sweep, pool};

use super::plot;
use super::sweep_store::{Manifest, Store, status_counts};
use crate::CliResult;
use crate::cli::SweepArgs;

/// Points listed by `--dry-run`.
const DRY_RUN_POINTS: usize = 10;

/// FNV-1a 64 over the plan's ids in order: names the plan in `sweep.json`.
pub fn plan_fnv(plan: &Plan) -> String {
    let ids: String = plan.points.iter().map(|p| format_id(p.id)).collect::<Vec<_>>().join("\n");
    format_id(fnv1a64(ids.as_bytes()))
}

fn quiet(a: &SweepArgs) -> bool {
    a.quiet || std::env::var_os("CI").is_some()
}

/// Run the sweep of `a`, simulating each layer with `layer_fn`.
pub fn sweep(a: &SweepArgs, layer_fn: LayerFn) -> CliResult<ExitCode> {
    let sweep = Sweep::load(&a.file)?;
    plot::check_specs(&sweep.plots, &a.file)?;
    let shard: Shard = match &a.shard {
        Some(s) => s.parse().map_err(|e: String| format!("--shard {e}"))?,
        None => Shard::ALL,
    };
    if a.jobs == Some(0) {
        return Err("-j must be at least 1".into());
    }
    let pool = pool(a.jobs.unwrap_or(0))?;
    let t0 = Instant::now();
    let plan = Plan::build(&sweep, &pool)?;
    let plan_s = t0.elapsed().as_secs_f64();
    let mine: Vec<(usize, &PlanPoint)> = plan.points.iter().enumerate().filter(|(i, _)| shard.contains(*i)).collect();
    let columns = Columns { axes: sweep.axes.iter().map(|x| x.key.clone()).collect(), levels: plan.levels.clone() };
    let mut what = format!("sweep {}: {} points", sweep.name, plan.points.len());
    if plan.rejected > 0 || plan.duplicates > 0 || plan.grid_points != plan.points.len() as u128 {
        what.push_str(&format!(
            " (grid {}, {} rejected by `where`, {} duplicates)",
            plan.grid_points, plan.rejected, plan.duplicates
        ));
    }
    if shard != Shard::ALL {
        what.push_str(&format!("; shard {shard}: {} points", mine.len()));
    }
    if a.dry_run {
        println!("{what}");
        print_points(&sweep, &mine);
        return Ok(ExitCode::SUCCESS);
    }

    let safe: String =
        sweep.name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("out").join(format!("sweep-{safe}")));
    let (store, resumed) = Store::open(&out, columns, a.resume)?;
    let todo: Vec<(usize, &PlanPoint)> =
        mine.iter().copied().filter(|(_, p)| !resumed.done.contains(&format_id(p.id))).collect();
    let mut manifest = Manifest {
        format: super::sweep_store::MANIFEST_FORMAT,
        eyrie_version: env!("CARGO_PKG_VERSION").to_string(),
        sweep: sweep.name.clone(),
        plan_fnv: plan_fnv(&plan),
        points_in_plan: plan.points.len(),
        shard: (shard != Shard::ALL).then(|| shard.to_string()),
        points_expected: mine.len(),
        complete: false,
        ok: 0,
        partial: 0,
        failed: 0,
        pareto: sweep.pareto.clone(),
        plots: sweep.plots.clone(),
    };
    manifest.write(&out)?;
    let q = quiet(a);
    println!("{what}");
    if !q && a.resume && !resumed.done.is_empty() {
        eprintln!(
            "resuming {}: {} points done, {} to run{}",
            out.display(),
            mine.len() - todo.len(),
            todo.len(),
            if resumed.torn_lines > 0 {
                format!("; dropped {} torn line(s)", resumed.torn_lines)
            } else {
                String::new()
            }
        );
    }

    let bar = if q { ProgressBar::hidden() } else { ProgressBar::new(todo.len() as u64) };
    let style = ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} points  {per_sec}  ETA {eta}")
        .map(|s| s.progress_chars("=> "));
    if let Ok(s) = style {
        bar.set_style(s);
    }
    let store = Mutex::new(store);
    let runner = Runner::new(&sweep, layer_fn);
    let t1 = Instant::now();
    let res = runner.run_all(&pool, &todo, &|o| {
        let mut st = store.lock().map_err(|_| "a worker thread panicked".to_string())?;
        st.write(&o).map_err(|e| e.to_string())?;
        bar.inc(1);
        Ok(())
    });
    bar.finish_and_clear();
    res?;
    let run_s = t1.elapsed().as_secs_f64();
    let store = store.into_inner().map_err(|_| "a worker thread panicked")?;
    let points = store.finish(&sweep.pareto)?;
    let (ok, partial, failed) = status_counts(&points);
    let ids =
        points.col("id").map(|c| points.rows.iter().map(|r| r[c].clone()).collect::<std::collections::HashSet<_>>());
    manifest.complete = ids.is_some_and(|ids| mine.iter().all(|(_, p)| ids.contains(&format_id(p.id))));
    (manifest.ok, manifest.partial, manifest.failed) = (ok, partial, failed);
    manifest.write(&out)?;

    let mut figures = Vec::new();
    if shard == Shard::ALL {
        let roof = |t: &Table| roof_for(&sweep, &plan, t);
        figures = plot::draw_specs(&out, &sweep.plots, &roof, q)?;
    } else if !sweep.plots.is_empty() && !q {
        eprintln!("figures are drawn when the shards are merged (`eyrie merge`)");
    }

    let (hits, misses) = runner.cache_stats();
    println!(
        "ran {} points in {:.1} s ({:.1} points/s, {} threads; plan {:.1} s); layer cache {} hits of {}",
        todo.len(),
        run_s,
        todo.len() as f64 / run_s.max(1e-9),
        pool.current_num_threads(),
        plan_s,
        hits,
        hits + misses
    );
    println!("ok {ok}, partial {partial}, failed {failed}");
    if let Some((id, err)) = first_failure(&points) {
        println!("first failure: point {id}: {err}");
    }
    let mut files = vec![out.join("points.csv"), out.join("layers.csv"), out.join("sweep.json")];
    files.extend(figures);
    println!("wrote {}", files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "));
    Ok(if partial + failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn first_failure(points: &Table) -> Option<(String, String)> {
    let (s, e, i) = (points.col("status")?, points.col("error")?, points.col("id")?);
    points.rows.iter().find(|r| r[s] != "ok").map(|r| (r[i].clone(), r[e].clone()))
}

fn print_points(sweep: &Sweep, points: &[(usize, &PlanPoint)]) {
    let mut header = vec!["#".to_string(), "id".to_string()];
    header.extend(sweep.axes.iter().map(|a| a.key.clone()));
    let rows: Vec<Vec<String>> = points
        .iter()
        .take(DRY_RUN_POINTS)
        .map(|(i, p)| {
            let mut r = vec![(i + 1).to_string(), format_id(p.id)];
            r.extend(p.values.iter().map(cell));
            r
        })
        .collect();
    print!("{}", eyrie_reports::table::render(&header, &rows));
    if points.len() > DRY_RUN_POINTS {
        println!("... and {} more", points.len() - DRY_RUN_POINTS);
    }
}

/// Roofs for a roofline of one point of this sweep: the architecture of the point the
/// table shows (its first id), else the base point's.
fn roof_for(sweep: &Sweep, plan: &Plan, t: &Table) -> Option<eyrie_reports::plot::Roof> {
    let id = t.col("id").and_then(|c| t.rows.first().map(|r| r[c].clone()));
    let point = id.and_then(|id| plan.points.iter().find(|p| format_id(p.id) == id)).or(plan.points.first())?;
    sweep.resolve(&point.values).ok().map(|r| plot::roof_of(&r.arch))
}

#[cfg(test)]
mod tests;
