//! `eyrie validate`'s output: the published figure, the model's, the error and
//! the verdict, as a terminal table, CSV or JSON.
//!
//! Tables with many rows (SCALE-Sim parity: one row per layer shape,
//! dataflow and quantity) are summarised per quantity in the terminal; any
//! row outside its tolerance is still listed, and CSV and JSON hold every row.

use eyrie_sim::validate::{Check, Outcome, TABLES, Tolerance, Verdict};

use crate::ReportError;
use crate::table::render;

/// A table with more checks than this is summarised per quantity in the terminal.
const SUMMARISE_ABOVE: usize = 40;

/// A number in a width that suits its size.
pub fn fmt_value(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        "-".into()
    } else if a >= 1e4 {
        let s = format!("{:.0}", a);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 { format!("-{out}") } else { out }
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 || a == 0.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The tolerance in words: `±15 %`, `±14`, `exact`, `-`.
pub fn fmt_tolerance(t: &Tolerance) -> String {
    match t {
        Tolerance::Relative(f) => format!("±{} %", fmt_pct(100.0 * f)),
        Tolerance::Absolute(a) if *a == 0.0 => "exact".into(),
        Tolerance::Absolute(a) if a.fract() == 0.0 => format!("±{a:.0}"),
        Tolerance::Absolute(a) => format!("±{}", fmt_value(*a)),
        Tolerance::Context => "-".into(),
    }
}

fn fmt_pct(p: f64) -> String {
    if (p - p.round()).abs() < 1e-9 { format!("{p:.0}") } else { format!("{p:.1}") }
}

/// The signed relative error in percent, or `-`.
pub fn fmt_error(c: &Check) -> String {
    let e = c.error();
    if e.is_finite() { format!("{:+.1} %", 100.0 * e) } else { "-".into() }
}

fn paper_cell(c: &Check) -> String {
    match c.paper {
        Some(p) if c.confirmed => fmt_value(p),
        Some(p) => format!("{}*", fmt_value(p)),
        None => "-".into(),
    }
}

fn verdict_cell(c: &Check) -> String {
    match (c.verdict(), &c.documented) {
        (Verdict::Documented, Some(d)) => format!("documented ({})", d.doc.split('#').next().unwrap_or(d.doc)),
        (v, _) => v.as_str().to_string(),
    }
}

/// The columns of [`row`].
fn row_header() -> Vec<String> {
    ["quantity", "item", "paper", "eyrie", "error", "tolerance", "verdict"].iter().map(|s| s.to_string()).collect()
}

fn row(c: &Check) -> Vec<String> {
    vec![
        c.quantity.clone(),
        c.item.clone(),
        paper_cell(c),
        fmt_value(c.model),
        fmt_error(c),
        fmt_tolerance(&c.tolerance),
        verdict_cell(c),
    ]
}

/// Counts of verdicts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Within tolerance.
    pub within: usize,
    /// Documented misses.
    pub documented: usize,
    /// Unexplained misses.
    pub miss: usize,
    /// Context rows.
    pub context: usize,
}

impl Tally {
    /// Count the verdicts of `checks`.
    pub fn of<'a>(checks: impl IntoIterator<Item = &'a Check>) -> Tally {
        let mut t = Tally::default();
        for c in checks {
            match c.verdict() {
                Verdict::Within => t.within += 1,
                Verdict::Documented => t.documented += 1,
                Verdict::Miss => t.miss += 1,
                Verdict::Context => t.context += 1,
            }
        }
        t
    }
}

/// The terminal report: one block per table, then the totals.
pub fn render_table(out: &Outcome, origin: &str) -> String {
    let header = row_header();
    let mut s = String::new();
    for t in TABLES {
        let checks: Vec<&Check> = out.checks.iter().filter(|c| c.table == t.name).collect();
        let skipped = out.skipped.iter().filter(|k| k.table == t.name).count();
        if checks.is_empty() && skipped == 0 {
            continue;
        }
        s.push_str(&format!("{} [{}]\n  {}\n", t.title, t.name, t.command));
        if checks.len() > SUMMARISE_ABOVE {
            s.push_str(&summary_block(&checks));
        } else if !checks.is_empty() {
            let rows: Vec<Vec<String>> = checks.iter().map(|c| row(c)).collect();
            s.push_str(&render(&header, &rows));
        }
        s.push_str(&explanations(&checks));
        if skipped > 0 {
            s.push_str(&format!("  {skipped} figure(s) not in the reference set: left out (see --format json)\n"));
        }
        s.push('\n');
    }
    let t = Tally::of(&out.checks);
    s.push_str(&format!(
        "{} figures against {origin}: {} within tolerance, {} documented misses, {} unexplained misses, {} for context \
         (* = not confirmed in the paper: derived or recalled)\n",
        out.checks.len(),
        t.within,
        t.documented,
        t.miss,
        t.context
    ));
    s
}

/// Each explanation of the documented misses once, with the items it covers.
fn explanations(checks: &[&Check]) -> String {
    let mut groups: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for c in checks.iter().filter(|c| c.verdict() == Verdict::Documented) {
        let Some(d) = &c.documented else { continue };
        match groups.iter_mut().find(|g| g.0 == d.why) {
            Some(g) if !g.2.contains(&c.item.as_str()) => g.2.push(&c.item),
            Some(_) => {}
            None => groups.push((d.why, d.doc, vec![&c.item])),
        }
    }
    groups.iter().map(|(why, doc, items)| format!("  {}: {why} ({doc})\n", items.join(", "))).collect()
}

/// Per quantity: counts and the worst error; then every row outside its tolerance.
fn summary_block(checks: &[&Check]) -> String {
    let header: Vec<String> = ["quantity", "rows", "within", "misses", "worst error", "worst item", "tolerance"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut quantities: Vec<&str> = Vec::new();
    for c in checks {
        if !quantities.contains(&c.quantity.as_str()) {
            quantities.push(&c.quantity);
        }
    }
    let mut rows = Vec::new();
    for q in quantities {
        let sel: Vec<&Check> = checks.iter().copied().filter(|c| c.quantity == q).collect();
        let tally = Tally::of(sel.iter().copied());
        let worst = sel
            .iter()
            .filter(|c| c.error().is_finite() && c.error() != 0.0)
            .max_by(|a, b| a.error().abs().total_cmp(&b.error().abs()).then_with(|| b.item.cmp(&a.item)));
        rows.push(vec![
            q.to_string(),
            sel.len().to_string(),
            tally.within.to_string(),
            (tally.miss + tally.documented).to_string(),
            worst.map(|c| fmt_error(c)).unwrap_or_else(|| "0 (all)".into()),
            worst.map(|c| c.item.clone()).unwrap_or_default(),
            sel.first().map(|c| fmt_tolerance(&c.tolerance)).unwrap_or_default(),
        ]);
    }
    let mut s = render(&header, &rows);
    let misses: Vec<Vec<String>> =
        checks.iter().filter(|c| matches!(c.verdict(), Verdict::Miss | Verdict::Documented)).map(|c| row(c)).collect();
    if !misses.is_empty() {
        s.push_str("  outside the tolerance:\n");
        s.push_str(&render(&row_header(), &misses));
    }
    s
}

/// The CSV columns.
pub const CSV_HEADER: [&str; 15] = [
    "table",
    "quantity",
    "item",
    "paper",
    "eyrie",
    "error_pct",
    "tolerance",
    "verdict",
    "confirmed",
    "figure",
    "file",
    "note",
    "documented_in",
    "documented_why",
    "title",
];

fn num(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { String::new() }
}

/// Every check as a CSV row (`CSV_HEADER`); numbers unrounded, missing values empty.
pub fn write_csv<W: std::io::Write>(w: W, out: &Outcome) -> Result<(), ReportError> {
    let mut wr = csv::Writer::from_writer(w);
    wr.write_record(CSV_HEADER)?;
    for c in &out.checks {
        let title = TABLES.iter().find(|t| t.name == c.table).map_or("", |t| t.title);
        wr.write_record([
            c.table.to_string(),
            c.quantity.clone(),
            c.item.clone(),
            c.paper.map(num).unwrap_or_default(),
            num(c.model),
            num(100.0 * c.error()),
            fmt_tolerance(&c.tolerance),
            c.verdict().as_str().to_string(),
            c.confirmed.to_string(),
            c.figure.clone(),
            c.file.clone(),
            c.note.clone(),
            c.documented.as_ref().map(|d| d.doc.to_string()).unwrap_or_default(),
            c.documented.as_ref().map(|d| d.why.to_string()).unwrap_or_default(),
            title.to_string(),
        ])?;
    }
    wr.flush()?;
    Ok(())
}

/// Every check with its error and verdict, and the figures left out, as JSON.
pub fn write_json<W: std::io::Write>(w: W, out: &Outcome, origin: &str) -> Result<(), ReportError> {
    #[derive(serde::Serialize)]
    struct Row<'a> {
        #[serde(flatten)]
        check: &'a Check,
        error: Option<f64>,
        verdict: Verdict,
    }
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        reference: &'a str,
        checks: Vec<Row<'a>>,
        skipped: &'a [eyrie_sim::validate::Skipped],
    }
    let checks = out
        .checks
        .iter()
        .map(|c| Row { check: c, error: Some(c.error()).filter(|e| e.is_finite()), verdict: c.verdict() })
        .collect();
    serde_json::to_writer_pretty(w, &Doc { reference: origin, checks, skipped: &out.skipped })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use eyrie_sim::validate::{Documented, Skipped};

    fn check(table: &'static str, item: &str, paper: Option<f64>, model: f64, tol: Tolerance) -> Check {
        Check {
            table,
            quantity: "latency (us)".into(),
            item: item.into(),
            figure: "f[0]".into(),
            file: "docs/reference/eie.toml".into(),
            confirmed: item != "B",
            paper,
            model,
            tolerance: tol,
            documented: None,
            note: "n".into(),
        }
    }

    #[test]
    fn numbers_are_printed_to_a_width_that_suits_them() {
        assert_eq!(fmt_value(4_434_168.0), "4,434,168");
        assert_eq!(fmt_value(-12_345.0), "-12,345");
        assert_eq!(fmt_value(210.04), "210.0");
        assert_eq!(fmt_value(30.3), "30.30");
        assert_eq!(fmt_value(0.4471), "0.447");
        assert_eq!(fmt_value(f64::NAN), "-");
        assert_eq!(fmt_tolerance(&Tolerance::Relative(0.15)), "±15 %");
        assert_eq!(fmt_tolerance(&Tolerance::Relative(0.025)), "±2.5 %");
        assert_eq!(fmt_tolerance(&Tolerance::Absolute(0.0)), "exact");
        assert_eq!(fmt_tolerance(&Tolerance::Absolute(14.0)), "±14");
    }

    #[test]
    fn the_table_marks_misses_unconfirmed_figures_and_documented_ones() {
        let mut doc = check("eie-table4", "C", Some(10.0), 8.0, Tolerance::Relative(0.1));
        doc.documented = Some(Documented { doc: "docs/eie.md#x", why: "because", band: (-0.3, -0.1) });
        let out = Outcome {
            checks: vec![
                check("eie-table4", "A", Some(30.3), 28.76, Tolerance::Relative(0.1)),
                check("eie-table4", "B", Some(10.0), 12.0, Tolerance::Relative(0.1)),
                doc,
                check("eie-table4", "D", None, 3.0, Tolerance::Context),
            ],
            skipped: vec![Skipped { table: "eie-table4", figure: "eie:x".into() }],
        };
        let s = render_table(&out, "here");
        assert!(s.contains("28.76") && s.contains("-5.1 %") && s.contains("within"), "{s}");
        assert!(s.contains("10.00*") && s.contains("MISS"), "{s}");
        assert!(s.contains("documented (docs/eie.md)") && s.contains("  C: because (docs/eie.md#x)"), "{s}");
        assert!(s.contains("1 figure(s) not in the reference set"), "{s}");
        assert!(s.contains("4 figures against here: 1 within tolerance, 1 documented misses, 1 unexplained misses, 1 for context"), "{s}");
        let mut csv = Vec::new();
        if let Err(e) = write_csv(&mut csv, &out) {
            panic!("{e}");
        }
        let csv = String::from_utf8_lossy(&csv);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines[0].starts_with("table,quantity,item,paper,eyrie,error_pct"), "{}", lines[0]);
        assert!(lines[2].contains(",10,12,19.99999") || lines[2].contains(",10,12,20"), "{}", lines[2]);
        assert!(lines[4].contains(",,3,,-,context,"), "{}", lines[4]);
        let mut json = Vec::new();
        if let Err(e) = write_json(&mut json, &out, "here") {
            panic!("{e}");
        }
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap_or_default();
        assert_eq!(v["checks"][1]["verdict"], "miss");
        assert_eq!(v["checks"][3]["error"], serde_json::Value::Null);
        assert_eq!(v["skipped"][0]["figure"], "eie:x");
    }

    #[test]
    fn big_tables_are_summarised_but_their_misses_listed() {
        let mut checks: Vec<Check> = (0..50)
            .map(|i| check("scalesim-parity", &format!("L{i}"), Some(100.0), 100.0, Tolerance::Absolute(0.0)))
            .collect();
        checks[7].model = 101.0;
        let out = Outcome { checks, skipped: Vec::new() };
        let s = render_table(&out, "here");
        assert!(s.contains("latency (us)") && s.contains("50") && s.contains("49"), "{s}");
        assert!(s.contains("outside the tolerance") && s.contains("L7") && !s.contains("L8 "), "{s}");
    }
}
