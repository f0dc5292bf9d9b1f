//! `eyrie merge`: join the output directories of a sweep's shards.

use std::path::PathBuf;
use std::process::ExitCode;

use eyrie_reports::csv_table::Table;
use eyrie_reports::sweep_csv;

use super::sweep_store::{Manifest, replace, status_counts};
use crate::CliResult;
use crate::cli::MergeArgs;

fn read(path: &std::path::Path) -> CliResult<Table> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Table::parse_whole(&bytes, &path.display().to_string())?)
}

/// Merge sweep output directories into `a.out`: same columns, no point twice, sorted by id.
pub fn merge(a: &MergeArgs) -> CliResult<ExitCode> {
    let mut points = Vec::new();
    let mut layers = Vec::new();
    let mut manifests: Vec<(PathBuf, Manifest)> = Vec::new();
    for d in &a.dirs {
        let name = d.display().to_string();
        points.push((format!("{name}/points.csv"), read(&d.join("points.csv"))?));
        layers.push((format!("{name}/layers.csv"), read(&d.join("layers.csv"))?));
        if let Some(m) = Manifest::read(d)? {
            manifests.push((d.clone(), m));
        }
    }
    let mut merged_points = sweep_csv::merge(&points, "id", true)?;
    let mut merged_layers = sweep_csv::merge(&layers, "id", false)?;

    // Manifests: the same plan, distinct shards, each complete.
    let mut notes = Vec::new();
    let first = manifests.first().map(|(_, m)| m.clone());
    let mut shards = Vec::new();
    for (d, m) in &manifests {
        if let Some(f) = &first
            && m.plan_fnv != f.plan_fnv
        {
            return Err(format!(
                "{} holds another sweep's points (plan {} vs {})",
                d.display(),
                m.plan_fnv,
                f.plan_fnv
            )
            .into());
        }
        if !m.complete {
            notes.push(format!("{} is incomplete (rerun it with --resume)", d.display()));
        }
        if let Some(s) = &m.shard {
            if shards.contains(s) {
                return Err(format!("shard {s} is given twice").into());
            }
            shards.push(s.clone());
        }
    }
    let pareto =
        first.as_ref().map(|m| m.pareto.clone()).unwrap_or_else(|| vec!["energy_pj".into(), "latency_ms".into()]);
    sweep_csv::finish_points(&mut merged_points, &pareto)?;
    sweep_csv::finish_layers(&mut merged_layers)?;

    std::fs::create_dir_all(&a.out).map_err(|e| format!("cannot create {}: {e}", a.out.display()))?;
    replace(&a.out.join("layers.csv"), &merged_layers.to_bytes()?)?;
    replace(&a.out.join("points.csv"), &merged_points.to_bytes()?)?;
    let mut written = vec![a.out.join("points.csv"), a.out.join("layers.csv")];
    if let Some(mut m) = first {
        let (ok, partial, failed) = status_counts(&merged_points);
        m.shard = None;
        m.points_expected = m.points_in_plan;
        m.complete = merged_points.rows.len() == m.points_in_plan && notes.is_empty();
        (m.ok, m.partial, m.failed) = (ok, partial, failed);
        if !m.complete {
            notes.push(format!("{} of the plan's {} points are present", merged_points.rows.len(), m.points_in_plan));
        }
        m.write(&a.out)?;
        written.push(a.out.join("sweep.json"));
        written.extend(super::plot::draw_specs(&a.out, &m.plots, &|_| None, false)?);
    }
    for n in &notes {
        eprintln!("note: {n}");
    }
    println!("merged {} directories: {} points", a.dirs.len(), merged_points.rows.len());
    println!("wrote {}", written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "));
    Ok(if notes.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
