//! `eyrie pareto`: the non-dominated rows of a results CSV.

use std::process::ExitCode;

use eyrie_reports::csv_table::Table;
use eyrie_reports::pareto::{front, objectives};

use super::plot::write_table;
use crate::CliResult;
use crate::cli::ParetoArgs;

/// Print and write the Pareto-optimal points of `a.file`.
pub fn pareto(a: &ParetoArgs) -> CliResult<ExitCode> {
    let bytes = std::fs::read(&a.file).map_err(|e| format!("cannot read {}: {e}", a.file.display()))?;
    let t = Table::parse_whole(&bytes, &a.file.display().to_string())?;
    let cols: Vec<String> = a.minimize.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    if cols.is_empty() {
        return Err("--minimize: give at least one column".into());
    }
    let objs = objectives(&t, &cols)?;
    let usable = objs.iter().filter(|o| o.is_some()).count();
    let on = front(&objs);
    let mut out = Table::new(t.header.clone());
    out.rows = t.rows.iter().zip(&on).filter(|(_, o)| **o).map(|(r, _)| r.clone()).collect();
    // Show the front in order of the first objective.
    let c0 = t.need(&cols[0])?;
    out.rows.sort_by(|x, y| {
        let v = |r: &Vec<String>| r[c0].parse::<f64>().unwrap_or(f64::INFINITY);
        v(x).total_cmp(&v(y))
    });
    let path = a.out.clone().unwrap_or_else(|| a.file.with_file_name("pareto.csv"));
    write_table(&out, &path)?;

    // The table shows the swept values (columns before `id`), the id and the objectives.
    let mut show: Vec<usize> = t.col("id").map(|i| (0..=i).collect()).unwrap_or_default();
    for c in &cols {
        let i = t.need(c)?;
        if !show.contains(&i) {
            show.push(i);
        }
    }
    let header: Vec<String> = show.iter().map(|i| t.header[*i].clone()).collect();
    let rows: Vec<Vec<String>> = out.rows.iter().map(|r| show.iter().map(|i| r[*i].clone()).collect()).collect();
    print!("{}", eyrie_reports::table::render(&header, &rows));
    println!(
        "{} of {} points are Pareto-optimal (minimizing {}; left out, not ok or missing a value: {})",
        out.rows.len(),
        t.rows.len(),
        cols.join(", "),
        t.rows.len() - usable
    );
    println!("wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}
