//! Pareto fronts: the points no other point beats on every objective.
//!
//! All objectives are minimized. Point `a` dominates `b` when `a ≤ b` in
//! every objective and `a < b` in at least one. Points are sorted
//! lexicographically; a point can only be dominated by one before it, and
//! if it is dominated at all it is dominated by a point already on the front
//! (dominance is transitive), so each point is compared with the front only:
//! O(n log n + n·f) for a front of f points (Kung, Luccio and Preparata,
//! "On finding the maxima of a set of vectors", JACM 1975, in its simple
//! form). Points with equal objectives are all kept. Missing or non-finite
//! values never reach the front.

use crate::ReportError;
use crate::csv_table::Table;

fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

/// For each point, whether it is on the front (`None` points never are).
pub fn front(points: &[Option<Vec<f64>>]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..points.len())
        .filter(|i| points[*i].as_ref().is_some_and(|p| !p.is_empty() && p.iter().all(|x| x.is_finite())))
        .collect();
    let key = |i: &usize| points[*i].as_deref().unwrap_or(&[]);
    order.sort_by(|a, b| key(a).partial_cmp(key(b)).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(b)));
    let mut on = vec![false; points.len()];
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        if !kept.iter().any(|k| dominates(key(k), key(&i))) {
            kept.push(i);
            on[i] = true;
        }
    }
    on
}

/// The objective values of every row (`None` where a value is missing, or the row's
/// `status` column exists and is not `ok`).
pub fn objectives(t: &Table, columns: &[String]) -> Result<Vec<Option<Vec<f64>>>, ReportError> {
    let cols = columns.iter().map(|c| t.need(c)).collect::<Result<Vec<_>, _>>()?;
    let status = t.col("status");
    Ok((0..t.rows.len())
        .map(|r| {
            if status.is_some_and(|s| t.cell(r, s) != "ok") {
                return None;
            }
            cols.iter().map(|c| t.num(r, *c)).collect::<Option<Vec<f64>>>()
        })
        .collect())
}

/// Fill the `pareto` column (`true` / `false`) of a points table; returns the front size.
/// Objectives that are empty for every row (e.g. `area_mm2` when no area model applies) are skipped.
pub fn mark(t: &mut Table, columns: &[String]) -> Result<usize, ReportError> {
    let col = t.need("pareto")?;
    let used: Vec<String> = columns
        .iter()
        .filter(|c| t.col(c).is_some_and(|i| (0..t.rows.len()).any(|r| t.num(r, i).is_some())))
        .cloned()
        .collect();
    let on = if used.is_empty() { vec![false; t.rows.len()] } else { front(&objectives(t, &used)?) };
    for (row, on) in t.rows.iter_mut().zip(&on) {
        row[col] = on.to_string();
    }
    Ok(on.iter().filter(|x| **x).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pts: &[(f64, f64)]) -> Vec<bool> {
        front(&pts.iter().map(|(a, b)| Some(vec![*a, *b])).collect::<Vec<_>>())
    }

    #[test]
    fn hand_made_front() {
        // (1,5) (2,3) (4,1) are the front; (3,4) is beaten by (2,3); (4,2) by (4,1); (5,5) by all.
        let pts = [(3.0, 4.0), (1.0, 5.0), (4.0, 2.0), (2.0, 3.0), (5.0, 5.0), (4.0, 1.0)];
        assert_eq!(f(&pts), [false, true, false, true, false, true]);
    }

    #[test]
    fn ties_and_missing_values() {
        // Equal points are both kept; a point equal in one objective and worse in the other is not.
        assert_eq!(f(&[(1.0, 1.0), (1.0, 1.0), (1.0, 2.0)]), [true, true, false]);
        let pts = vec![Some(vec![1.0, f64::NAN]), None, Some(vec![2.0, 2.0])];
        assert_eq!(front(&pts), [false, false, true]);
    }

    #[test]
    fn three_objectives_match_brute_force() {
        // A deterministic pseudo-random cloud checked against the O(n²) definition.
        let mut x = 12345u64;
        let mut next = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((x >> 33) % 20) as f64
        };
        let pts: Vec<Option<Vec<f64>>> = (0..300).map(|_| Some(vec![next(), next(), next()])).collect();
        let fast = front(&pts);
        for (i, p) in pts.iter().enumerate() {
            let p = p.as_deref().unwrap_or(&[]);
            let brute = !pts.iter().any(|q| dominates(q.as_deref().unwrap_or(&[]), p));
            assert_eq!(fast[i], brute, "point {i}");
        }
    }

    #[test]
    fn mark_skips_failed_rows_and_empty_objectives() {
        let mut t = Table {
            header: ["status", "energy_pj", "latency_ms", "area_mm2", "pareto"].map(String::from).to_vec(),
            rows: vec![
                ["ok", "1", "9", "", ""].map(String::from).to_vec(),
                ["ok", "5", "5", "", ""].map(String::from).to_vec(),
                ["failed", "0", "0", "", ""].map(String::from).to_vec(),
                ["ok", "6", "6", "", ""].map(String::from).to_vec(),
            ],
        };
        let cols = ["energy_pj", "latency_ms", "area_mm2"].map(String::from);
        assert_eq!(mark(&mut t, &cols).ok(), Some(2));
        let col: Vec<&str> = t.rows.iter().map(|r| r[4].as_str()).collect();
        assert_eq!(col, ["true", "true", "false", "false"]);
    }
}
