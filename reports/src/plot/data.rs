//! From a results table to the numbers a figure shows (scaled to readable units).

use std::collections::BTreeMap;

use super::style::{pretty, scale};
use super::{Agg, Kind, Options, Roof};
use crate::ReportError;
use crate::csv_table::Table;
use crate::pareto;

/// Most bars in one bar chart.
pub const MAX_BARS: usize = 40;

/// One named series of values.
pub(crate) struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

/// Stacked bars.
pub(crate) struct Bars {
    pub categories: Vec<String>,
    pub x_title: String,
    pub y_title: String,
    pub series: Vec<Series>,
}

/// Bar panels sharing the categories (one series each).
pub(crate) struct Panels {
    pub categories: Vec<String>,
    pub x_title: String,
    /// (axis title, values; NaN where missing).
    pub panels: Vec<(String, Vec<f64>)>,
}

/// Points or lines in a plane.
pub(crate) struct Group {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub names: Vec<String>,
}

/// An x–y figure.
pub(crate) struct Xy {
    pub x_title: String,
    pub y_title: String,
    /// Names of categorical x positions 0, 1, ….
    pub x_categories: Option<Vec<String>>,
    pub legend_title: Option<String>,
    /// Legend label of an uncoloured figure's points.
    pub single_label: String,
    pub groups: Vec<Group>,
    /// The Pareto front to join, in x order.
    pub front: Option<Vec<(f64, f64)>>,
    pub roof: Option<Roof>,
    /// Join each group's points with lines.
    pub lines: bool,
    /// Write each point's name beside it.
    pub point_labels: bool,
    /// Draw the line y = x (parity figures).
    pub diagonal: bool,
}

/// One panel of grouped bars.
pub(crate) struct GroupedPanel {
    pub y_title: String,
    /// Values per series, per category (NaN where missing).
    pub values: Vec<Vec<f64>>,
    /// A band (lo, hi) around the first series' bar, per category (a tolerance).
    pub bands: Vec<Option<(f64, f64)>>,
}

/// Bars side by side (one per series) for every category, in panels sharing the categories.
pub(crate) struct Grouped {
    pub categories: Vec<String>,
    pub x_title: String,
    /// Legend labels of the series.
    pub series: Vec<String>,
    pub panels: Vec<GroupedPanel>,
}

/// What to draw.
pub(crate) enum Figure {
    Bars(Bars),
    Panels(Panels),
    Grouped(Grouped),
    Xy(Xy),
}

/// Columns before `id`: the swept axes of sweep outputs.
fn axis_cols(t: &Table) -> Vec<String> {
    t.col("id").map(|i| t.header[..i].to_vec()).unwrap_or_default()
}

/// Rows whose `status` is ok (all rows if there is no status column).
fn ok_rows(t: &Table, warn: &mut Vec<String>) -> Vec<usize> {
    let Some(s) = t.col("status") else { return (0..t.rows.len()).collect() };
    let rows: Vec<usize> = (0..t.rows.len()).filter(|r| t.cell(*r, s) == "ok").collect();
    if rows.len() < t.rows.len() {
        warn.push(format!("{} of {} rows left out: status is not ok", t.rows.len() - rows.len(), t.rows.len()));
    }
    rows
}

/// Per-layer tables from a sweep hold many points: keep the first unless filtered.
fn one_point(t: &Table, warn: &mut Vec<String>) -> Result<Table, ReportError> {
    let Some(c) = t.col("id") else { return Ok(t.clone()) };
    let Some(first) = t.rows.first().map(|r| r[c].clone()) else { return Ok(t.clone()) };
    let n = t.rows.iter().map(|r| &r[c]).collect::<std::collections::BTreeSet<_>>().len();
    if n > 1 {
        warn.push(format!("the file holds {n} points; showing point {first} (choose one with --filter id=…)"));
    }
    t.filter(&[("id".into(), first)])
}

fn need_rows(n: usize) -> Result<(), ReportError> {
    if n == 0 {
        Err(ReportError::Invalid("nothing to plot: no row has the values this figure needs".into()))
    } else {
        Ok(())
    }
}

/// Energy component columns, bottom of the stack first: MAC, levels innermost first, NoC, leakage.
///
/// Per-tensor columns (`glb_weights_energy_pj`) are parts of their level's
/// total (`glb_energy_pj`); where the total is present they are left out, so
/// the stack adds up to the layer's energy instead of counting levels twice.
pub(crate) fn components(t: &Table) -> Vec<String> {
    const TENSORS: [&str; 5] = ["weights", "inputs", "outputs", "psums", "metadata"];
    let is_part_of_a_level = |h: &str| {
        let Some(stem) = h.strip_suffix("_energy_pj") else { return false };
        TENSORS.iter().any(|op| {
            stem.strip_suffix(op)
                .and_then(|l| l.strip_suffix('_'))
                .is_some_and(|level| t.col(&format!("{level}_energy_pj")).is_some())
        })
    };
    let mut levels: Vec<String> = t
        .header
        .iter()
        .filter(|h| {
            h.ends_with("_energy_pj")
                && !["energy_pj", "mac_energy_pj", "noc_energy_pj", "leakage_energy_pj"].contains(&h.as_str())
                && !is_part_of_a_level(h)
        })
        .cloned()
        .collect();
    levels.reverse();
    let mut out = vec!["mac_energy_pj".to_string()];
    out.extend(levels);
    out.extend(["noc_energy_pj".to_string(), "leakage_energy_pj".to_string()]);
    out.into_iter().filter(|c| t.col(c).is_some()).collect()
}

/// Row labels for bars: the layer name, the `x` column, or the swept values.
fn bar_labels(t: &Table, rows: &[usize], x: Option<&str>) -> Result<(Vec<String>, String), ReportError> {
    if let Some(x) = x {
        let c = t.need(x)?;
        return Ok((rows.iter().map(|r| t.cell(*r, c).to_string()).collect(), scale(x, 0.0).1));
    }
    if let Some(c) = t.col("layer") {
        return Ok((rows.iter().map(|r| t.cell(*r, c).to_string()).collect(), "layer".into()));
    }
    let axes = axis_cols(t);
    if axes.is_empty() {
        let c = t.need("id")?;
        return Ok((rows.iter().map(|r| t.cell(*r, c).to_string()).collect(), "design point".into()));
    }
    let idx: Vec<usize> = axes.iter().filter_map(|a| t.col(a)).collect();
    let labels = rows.iter().map(|r| idx.iter().map(|c| t.cell(*r, *c)).collect::<Vec<_>>().join("/")).collect();
    Ok((labels, axes.iter().map(|a| pretty(a)).collect::<Vec<_>>().join(" / ")))
}

/// Rows ordered by their swept values (numbers as numbers), so bars read like the grid.
fn sorted_by_axes(t: &Table, mut rows: Vec<usize>) -> Vec<usize> {
    let cols: Vec<usize> = axis_cols(t).iter().filter_map(|a| t.col(a)).collect();
    rows.sort_by(|a, b| {
        for c in &cols {
            let o = match (t.num(*a, *c), t.num(*b, *c)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                _ => t.cell(*a, *c).cmp(t.cell(*b, *c)),
            };
            if o.is_ne() {
                return o;
            }
        }
        a.cmp(b)
    });
    rows
}

fn cap_bars(t: &Table, mut rows: Vec<usize>, warn: &mut Vec<String>) -> Vec<usize> {
    if rows.len() > MAX_BARS
        && let Some(p) = t.col("pareto")
    {
        let front: Vec<usize> = rows.iter().copied().filter(|r| t.cell(*r, p) == "true").collect();
        if !front.is_empty() {
            warn.push(format!("{} points: showing the {} on the Pareto front", rows.len(), front.len().min(MAX_BARS)));
            rows = front;
        }
    }
    if rows.len() > MAX_BARS {
        warn.push(format!("{} bars: showing the first {MAX_BARS} (narrow it with --filter)", rows.len()));
        rows.truncate(MAX_BARS);
    }
    rows
}

fn breakdown(t: &Table, o: &Options, warn: &mut Vec<String>) -> Result<Figure, ReportError> {
    let t = if t.col("layer").is_some() { one_point(t, warn)? } else { t.clone() };
    let rows =
        if t.col("layer").is_some() { (0..t.rows.len()).collect() } else { sorted_by_axes(&t, ok_rows(&t, warn)) };
    let rows = cap_bars(&t, rows, warn);
    need_rows(rows.len())?;
    let (categories, x_title) = bar_labels(&t, &rows, o.x.as_deref())?;
    let comps = components(&t);
    if comps.is_empty() {
        return Err(ReportError::Invalid("no energy columns (`*_energy_pj`) to stack".into()));
    }
    let raw: Vec<Vec<f64>> = comps
        .iter()
        .map(|c| {
            let i = t.col(c).unwrap_or(0);
            rows.iter().map(|r| t.num(*r, i).unwrap_or(0.0).max(0.0)).collect()
        })
        .collect();
    let max = (0..rows.len()).map(|j| raw.iter().map(|v| v[j]).sum::<f64>()).fold(0.0, f64::max);
    let (div, y_title) = scale("energy_pj", max);
    let series = comps
        .iter()
        .zip(raw)
        .filter(|(_, v)| v.iter().any(|x| *x > 0.0))
        .map(|(c, v)| Series { label: pretty(c), values: v.iter().map(|x| x / div).collect() })
        .collect::<Vec<_>>();
    if series.is_empty() {
        return Err(ReportError::Invalid("nothing to plot: every energy value is zero or missing".into()));
    }
    Ok(Figure::Bars(Bars { categories, x_title, y_title, series }))
}

fn layers(t: &Table, o: &Options, warn: &mut Vec<String>) -> Result<Figure, ReportError> {
    if t.col("layer").is_none() {
        return Err(ReportError::Invalid(
            "the `layers` figure needs a per-layer file (a `layer` column), e.g. layers.csv".into(),
        ));
    }
    let t = one_point(t, warn)?;
    let rows: Vec<usize> = (0..t.rows.len()).collect();
    need_rows(rows.len())?;
    let (categories, x_title) = bar_labels(&t, &rows, o.x.as_deref())?;
    let cols: Vec<String> =
        o.y.as_deref().unwrap_or("latency_ms,energy_pj").split(',').map(|s| s.trim().to_string()).collect();
    let ran = |r: usize| t.col("status").is_none_or(|s| t.cell(r, s) == "ok");
    need_rows(rows.iter().filter(|r| ran(**r)).count())?;
    let mut panels = Vec::new();
    for c in &cols {
        let i = t.need(c)?;
        let v: Vec<f64> =
            rows.iter().map(|r| if ran(*r) { t.num(*r, i).unwrap_or(f64::NAN) } else { f64::NAN }).collect();
        let (div, title) = scale(c, v.iter().copied().filter(|x| x.is_finite()).fold(0.0, f64::max));
        panels.push((title, v.iter().map(|x| x / div).collect()));
    }
    if let Some(s) = t.col("status") {
        let failed: Vec<&str> =
            rows.iter().filter(|r| t.cell(**r, s) != "ok").map(|r| t.cell(*r, t.col("layer").unwrap_or(0))).collect();
        if !failed.is_empty() {
            warn.push(format!("layers that did not run are drawn empty: {}", failed.join(", ")));
        }
    }
    Ok(Figure::Panels(Panels { categories, x_title, panels }))
}

/// Group rows by a colouring column: categories as they are, numbers with many values in six bins.
fn color_groups(t: &Table, rows: &[usize], col: Option<&str>) -> Result<Vec<(String, Vec<usize>)>, ReportError> {
    let Some(col) = col else { return Ok(vec![(String::new(), rows.to_vec())]) };
    let c = t.need(col)?;
    let numeric = t.is_numeric(c);
    let mut distinct: Vec<String> = Vec::new();
    for r in rows {
        let v = t.cell(*r, c).to_string();
        if !distinct.contains(&v) {
            distinct.push(v);
        }
    }
    if numeric {
        distinct.sort_by(|a, b| a.parse::<f64>().unwrap_or(0.0).total_cmp(&b.parse::<f64>().unwrap_or(0.0)));
    }
    if numeric && distinct.len() > 8 {
        let vals: Vec<f64> = rows.iter().filter_map(|r| t.num(*r, c)).collect();
        let (lo, hi) = (
            vals.iter().copied().fold(f64::INFINITY, f64::min),
            vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        let bins = 6;
        let w = (hi - lo) / bins as f64;
        let mut groups: Vec<(String, Vec<usize>)> = (0..bins)
            .map(|b| {
                (
                    format!(
                        "{}–{}",
                        super::style::fmt_num(lo + w * b as f64),
                        super::style::fmt_num(lo + w * (b + 1) as f64)
                    ),
                    Vec::new(),
                )
            })
            .collect();
        for r in rows {
            if let Some(v) = t.num(*r, c) {
                let b = (((v - lo) / w) as usize).min(bins - 1);
                groups[b].1.push(*r);
            }
        }
        groups.retain(|g| !g.1.is_empty());
        return Ok(groups);
    }
    Ok(distinct
        .into_iter()
        .map(|v| {
            let members = rows.iter().copied().filter(|r| t.cell(*r, c) == v).collect();
            (v, members)
        })
        .collect())
}

fn pareto_fig(t: &Table, o: &Options, warn: &mut Vec<String>) -> Result<Figure, ReportError> {
    let (xc, yc) =
        (o.x.clone().unwrap_or_else(|| "energy_pj".into()), o.y.clone().unwrap_or_else(|| "latency_ms".into()));
    let (xi, yi) = (t.need(&xc)?, t.need(&yc)?);
    let rows: Vec<usize> =
        ok_rows(t, warn).into_iter().filter(|r| t.num(*r, xi).is_some() && t.num(*r, yi).is_some()).collect();
    need_rows(rows.len())?;
    let xmax = rows.iter().filter_map(|r| t.num(*r, xi)).fold(0.0, f64::max);
    let ymax = rows.iter().filter_map(|r| t.num(*r, yi)).fold(0.0, f64::max);
    let ((xd, x_title), (yd, y_title)) = (scale(&xc, xmax), scale(&yc, ymax));
    let pt = |r: usize| (t.num(r, xi).unwrap_or(0.0) / xd, t.num(r, yi).unwrap_or(0.0) / yd);
    let objs: Vec<Option<Vec<f64>>> = rows.iter().map(|r| Some(vec![pt(*r).0, pt(*r).1])).collect();
    let on = pareto::front(&objs);
    let mut front: Vec<(f64, f64)> = rows.iter().zip(&on).filter(|(_, o)| **o).map(|(r, _)| pt(*r)).collect();
    front.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let groups = color_groups(t, &rows, o.color.as_deref())?
        .into_iter()
        .map(|(label, rs)| Group { label, points: rs.iter().map(|r| pt(*r)).collect(), names: Vec::new() })
        .collect();
    Ok(Figure::Xy(Xy {
        x_title,
        y_title,
        x_categories: None,
        legend_title: o.color.as_deref().map(pretty),
        single_label: "design points".into(),
        groups,
        front: Some(front),
        roof: None,
        lines: false,
        point_labels: false,
        diagonal: false,
    }))
}

fn lines(t: &Table, o: &Options, warn: &mut Vec<String>) -> Result<Figure, ReportError> {
    // Defaults: x is the axis with the most values, colour the other axis with the fewest.
    let mut axes: Vec<(usize, String)> = axis_cols(t)
        .into_iter()
        .map(|a| {
            let c = t.col(&a).unwrap_or(0);
            (t.rows.iter().map(|r| &r[c]).collect::<std::collections::BTreeSet<_>>().len(), a)
        })
        .collect();
    axes.sort_by_key(|a| std::cmp::Reverse(a.0));
    let xc =
        o.x.clone()
            .or_else(|| axes.first().map(|a| a.1.clone()))
            .ok_or_else(|| ReportError::Invalid("give the x column (--x)".into()))?;
    let yc = o.y.clone().unwrap_or_else(|| "energy_pj".into());
    let color = o.color.clone().or_else(|| axes.iter().rev().find(|a| a.1 != xc).map(|a| a.1.clone()));
    let (xi, yi) = (t.need(&xc)?, t.need(&yc)?);
    let rows: Vec<usize> = ok_rows(t, warn).into_iter().filter(|r| t.num(*r, yi).is_some()).collect();
    need_rows(rows.len())?;
    let numeric = t.is_numeric(xi);
    let mut cats: Vec<String> = Vec::new();
    for r in &rows {
        let v = t.cell(*r, xi).to_string();
        if !numeric && !cats.contains(&v) {
            cats.push(v);
        }
    }
    let xval = |r: usize| {
        if numeric {
            t.num(r, xi).unwrap_or(f64::NAN)
        } else {
            cats.iter().position(|c| c == t.cell(r, xi)).unwrap_or(0) as f64
        }
    };
    let ymax = rows.iter().filter_map(|r| t.num(*r, yi)).fold(0.0, f64::max);
    let (yd, y_title) = scale(&yc, ymax);
    let xmax = if numeric { rows.iter().map(|r| xval(*r)).fold(0.0, f64::max) } else { 0.0 };
    let (xd, x_title) = if numeric { scale(&xc, xmax) } else { (1.0, pretty(&xc)) };
    let mut combined = false;
    let mut groups = Vec::new();
    for (label, rs) in color_groups(t, &rows, color.as_deref())? {
        let mut by_x: BTreeMap<u64, (f64, Vec<f64>)> = BTreeMap::new();
        for r in rs {
            let x = xval(r);
            // Key by the bits of x (order by value): equal x values share a point.
            let e = by_x.entry(x.to_bits() ^ if x < 0.0 { u64::MAX } else { 1 << 63 }).or_insert((x, Vec::new()));
            e.1.push(t.num(r, yi).unwrap_or(0.0));
        }
        let points: Vec<(f64, f64)> = by_x
            .values()
            .map(|(x, ys)| {
                combined |= ys.len() > 1;
                let y = match o.agg {
                    Agg::Min => ys.iter().copied().fold(f64::INFINITY, f64::min),
                    Agg::Max => ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    Agg::Mean => ys.iter().sum::<f64>() / ys.len() as f64,
                };
                (x / xd, y / yd)
            })
            .collect();
        groups.push(Group { label, points, names: Vec::new() });
    }
    let y_title = if combined {
        let how = match o.agg {
            Agg::Min => "min",
            Agg::Mean => "mean",
            Agg::Max => "max",
        };
        warn.push(format!("several rows share each x and colour: plotting their {how} (--agg min|mean|max)"));
        format!("{how} {y_title}")
    } else {
        y_title
    };
    Ok(Figure::Xy(Xy {
        x_title,
        y_title,
        x_categories: (!numeric).then_some(cats),
        legend_title: color.as_deref().map(pretty),
        single_label: pretty(&yc),
        groups,
        front: None,
        roof: None,
        lines: true,
        point_labels: false,
        diagonal: false,
    }))
}

fn roofline(t: &Table, o: &Options, warn: &mut Vec<String>) -> Result<Figure, ReportError> {
    let roof = o.roof.clone().ok_or_else(|| {
        ReportError::Invalid("a roofline needs the architecture's peak and DRAM bandwidth (--arch)".into())
    })?;
    let t = if t.col("layer").is_some() { one_point(t, warn)? } else { t.clone() };
    let (mi, li) = (t.need("macs")?, t.need("latency_ms")?);
    let bytes = |r: usize| match t.col("dram_bytes") {
        Some(c) => t.num(r, c),
        None => Some(t.num(r, t.col("dram_read_bytes")?)? + t.num(r, t.col("dram_write_bytes")?)?),
    };
    let name_col = t.col("layer").or_else(|| t.col("id"));
    let mut rows = Vec::new();
    for r in ok_rows(&t, warn) {
        match (t.num(r, mi), t.num(r, li), bytes(r)) {
            (Some(m), Some(l), Some(b)) if m > 0.0 && l > 0.0 && b > 0.0 => {
                rows.push((r, 2.0 * m / b, 2.0 * m / (l * 1e6)))
            }
            (Some(m), _, _) if m > 0.0 => warn.push(format!(
                "{} left out: no DRAM traffic or no latency",
                name_col.map_or("a row", |c| t.cell(r, c))
            )),
            _ => {}
        }
    }
    need_rows(rows.len())?;
    let groups = color_groups(&t, &rows.iter().map(|r| r.0).collect::<Vec<_>>(), o.color.as_deref())?
        .into_iter()
        .map(|(label, rs)| {
            let pts: Vec<&(usize, f64, f64)> = rs.iter().filter_map(|r| rows.iter().find(|x| x.0 == *r)).collect();
            Group {
                label,
                points: pts.iter().map(|p| (p.1, p.2)).collect(),
                names: pts.iter().map(|p| name_col.map_or(String::new(), |c| t.cell(p.0, c).to_string())).collect(),
            }
        })
        .collect();
    Ok(Figure::Xy(Xy {
        x_title: "operational intensity (ops/DRAM byte)".into(),
        y_title: "performance (GOPS)".into(),
        x_categories: None,
        legend_title: o.color.as_deref().map(pretty),
        single_label: if t.col("layer").is_some() { "layers".into() } else { "design points".into() },
        groups,
        front: None,
        roof: Some(roof),
        lines: false,
        point_labels: rows.len() <= 24,
        diagonal: false,
    }))
}

/// Most panels in a `reference` figure.
const MAX_PANELS: usize = 4;

/// A relative tolerance written `±15 %` (validate's CSV), as a fraction.
fn relative_tolerance(cell: &str) -> Option<f64> {
    let v = cell.trim().strip_prefix('±')?.strip_suffix('%')?.trim().parse::<f64>().ok()?;
    Some(v / 100.0)
}

/// Published values beside the model's: `eyrie validate --format csv` (columns `quantity`,
/// `item`, `paper`, `eyrie`; `tolerance` drawn as a band around the paper's bar), one panel
/// per quantity sharing the items.
fn reference(t: &Table, o: &Options, warn: &mut Vec<String>) -> Result<Figure, ReportError> {
    let (qi, ii, pi, ei) = (t.need("quantity")?, t.need(o.x.as_deref().unwrap_or("item"))?, t.need("paper")?, t.need("eyrie")?);
    let ti = t.col("tolerance");
    let rows: Vec<usize> = (0..t.rows.len()).filter(|r| t.num(*r, ei).is_some()).collect();
    need_rows(rows.len())?;
    let mut quantities: Vec<String> = Vec::new();
    let mut categories: Vec<String> = Vec::new();
    for r in &rows {
        let (q, i) = (t.cell(*r, qi).to_string(), t.cell(*r, ii).to_string());
        if !quantities.contains(&q) {
            quantities.push(q);
        }
        if !categories.contains(&i) {
            categories.push(i);
        }
    }
    if quantities.len() > MAX_PANELS {
        return Err(ReportError::Invalid(format!(
            "{} quantities in one figure (at most {MAX_PANELS}); choose with --filter quantity=…: {}",
            quantities.len(),
            quantities.join("; ")
        )));
    }
    if categories.len() > MAX_BARS {
        return Err(ReportError::Invalid(format!(
            "{} items in one figure (at most {MAX_BARS}); narrow it with --filter, or use --kind parity",
            categories.len()
        )));
    }
    let mut panels = Vec::new();
    for q in &quantities {
        let mut values = vec![vec![f64::NAN; categories.len()]; 2];
        let mut bands = vec![None; categories.len()];
        for r in rows.iter().filter(|r| t.cell(**r, qi) == q) {
            let Some(j) = categories.iter().position(|c| c == t.cell(*r, ii)) else { continue };
            let paper = t.num(*r, pi).unwrap_or(f64::NAN);
            values[0][j] = paper;
            values[1][j] = t.num(*r, ei).unwrap_or(f64::NAN);
            if let Some(f) = ti.and_then(|c| relative_tolerance(t.cell(*r, c)))
                && paper.is_finite()
            {
                bands[j] = Some((paper * (1.0 - f), paper * (1.0 + f)));
            }
        }
        panels.push(GroupedPanel { y_title: q.clone(), values, bands });
    }
    if rows.iter().any(|r| t.num(*r, pi).is_none()) {
        warn.push("items without a published value are drawn with eyrie's bar only".into());
    }
    let x_title = if o.x.is_some() { pretty(o.x.as_deref().unwrap_or_default()) } else { String::new() };
    Ok(Figure::Grouped(Grouped { categories, x_title, series: vec!["paper".into(), "eyrie".into()], panels }))
}

/// The model's value against the reference's on log–log axes, with y = x: `eyrie validate
/// --format csv` (`paper`, `eyrie`), or any two columns (`--x`, `--y`); coloured by `quantity`.
fn parity(t: &Table, o: &Options, warn: &mut Vec<String>) -> Result<Figure, ReportError> {
    let (xc, yc) = (o.x.clone().unwrap_or_else(|| "paper".into()), o.y.clone().unwrap_or_else(|| "eyrie".into()));
    let (xi, yi) = (t.need(&xc)?, t.need(&yc)?);
    let rows: Vec<usize> = (0..t.rows.len())
        .filter(|r| t.num(*r, xi).is_some_and(|v| !o.log_x || v > 0.0) && t.num(*r, yi).is_some_and(|v| !o.log_y || v > 0.0))
        .collect();
    if rows.len() < t.rows.len() {
        warn.push(format!("{} rows left out: a value is missing (or not positive on a log axis)", t.rows.len() - rows.len()));
    }
    need_rows(rows.len())?;
    let color = o.color.clone().or_else(|| t.col("quantity").map(|_| "quantity".to_string()));
    let groups = color_groups(t, &rows, color.as_deref())?
        .into_iter()
        .map(|(label, rs)| Group {
            label,
            points: rs.iter().map(|r| (t.num(*r, xi).unwrap_or(0.0), t.num(*r, yi).unwrap_or(0.0))).collect(),
            names: Vec::new(),
        })
        .collect();
    let name = |c: &str| if c == "paper" { "published / reference value".to_string() } else if c == "eyrie" { "eyrie".to_string() } else { pretty(c) };
    Ok(Figure::Xy(Xy {
        x_title: name(&xc),
        y_title: name(&yc),
        x_categories: None,
        legend_title: color.as_deref().map(pretty),
        single_label: "figures".into(),
        groups,
        front: None,
        roof: None,
        lines: false,
        point_labels: false,
        diagonal: true,
    }))
}

/// The figure for `opts` from `t`.
pub(crate) fn prepare(t: &Table, o: &Options, warn: &mut Vec<String>) -> Result<Figure, ReportError> {
    match o.kind {
        Kind::Breakdown => breakdown(t, o, warn),
        Kind::Layers => layers(t, o, warn),
        Kind::Pareto => pareto_fig(t, o, warn),
        Kind::Lines => lines(t, o, warn),
        Kind::Roofline => roofline(t, o, warn),
        Kind::Reference => reference(t, o, warn),
        Kind::Parity => parity(t, o, warn),
    }
}
