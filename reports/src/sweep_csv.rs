//! The two result files of a sweep: `points.csv` and `layers.csv`.
//!
//! `points.csv` has one row per point: the swept values (one column per
//! axis, named by its key, before `id`), then `id, status, error, engine,
//! cycles, latency_ms, energy_pj, mac_energy_pj, noc_energy_pj,
//! leakage_energy_pj, <level>_energy_pj…, dram_read_bytes,
//! dram_write_bytes, dram_bytes, area_mm2, utilization, macs,
//! effective_macs, pes, clock_mhz, layers, failed_layers, pareto`.
//! `status` is `ok`, `partial` (some layers could not run; the totals cover
//! the layers that did) or `failed` (nothing ran; `error` says why).
//! `layers.csv` has one row per point and layer: the swept values, `id,
//! layer_index`, then the per-layer columns of `eyrie run`'s CSV, with the
//! engine-specific figures in one `extra` column (`name=value;…`).
//! Complete files are sorted by id (and layer index), so the bytes do not
//! depend on the thread count or on interruptions.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom, Write};

use eyrie_sim::{LayerResult, SimResult, Status};

use crate::ReportError;
use crate::csv_table::Table;
use crate::pareto;

/// The column layout of one sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// Axis keys, in file order.
    pub axes: Vec<String>,
    /// Memory level names of every point's architecture.
    pub levels: Vec<String>,
}

impl Columns {
    /// Header of `points.csv`.
    pub fn points_header(&self) -> Vec<String> {
        let mut h = self.axes.clone();
        h.extend(
            [
                "id",
                "status",
                "error",
                "engine",
                "cycles",
                "latency_ms",
                "energy_pj",
                "mac_energy_pj",
                "noc_energy_pj",
                "leakage_energy_pj",
            ]
            .map(String::from),
        );
        h.extend(self.levels.iter().map(|l| format!("{l}_energy_pj")));
        h.extend(
            [
                "dram_read_bytes",
                "dram_write_bytes",
                "dram_bytes",
                "area_mm2",
                "utilization",
                "macs",
                "effective_macs",
                "pes",
                "clock_mhz",
                "layers",
                "failed_layers",
                "pareto",
            ]
            .map(String::from),
        );
        h
    }

    /// Header of `layers.csv`.
    pub fn layers_header(&self) -> Vec<String> {
        let mut h = self.axes.clone();
        h.extend(["id", "layer_index", "layer", "engine", "status", "error"].map(String::from));
        h.extend(crate::csv_out::FIGURE_COLUMNS.map(String::from));
        for l in &self.levels {
            h.extend([format!("{l}_reads"), format!("{l}_writes"), format!("{l}_energy_pj")]);
        }
        h.push("extra".into());
        h
    }

    /// The `points.csv` row of a point (`pareto` left empty until the sweep completes).
    pub fn point_row(
        &self,
        id: &str,
        values: &[String],
        result: &Result<SimResult, String>,
        area_mm2: Option<f64>,
    ) -> Vec<String> {
        let mut row: Vec<String> = values.to_vec();
        row.push(id.to_string());
        let n = self.points_header().len();
        let r = match result {
            Err(e) => {
                row.extend(["failed".to_string(), e.clone()]);
                row.resize(n, String::new());
                return row;
            }
            Ok(r) => r,
        };
        let failed = r.failed_layers();
        let (status, error) = match r.layers.iter().find_map(|l| match &l.status {
            Status::Failed(m) => Some(format!("layer {}: {m}", l.layer)),
            Status::Ok => None,
        }) {
            None => ("ok", String::new()),
            Some(m) if failed < r.layers.len() => ("partial", m),
            Some(m) => ("failed", m),
        };
        row.extend([status.to_string(), error, r.total.engine.clone()]);
        if status == "failed" {
            row.resize(n, String::new());
            let last = row.len() - 3;
            row[last] = r.layers.len().to_string();
            row[last + 1] = failed.to_string();
            return row;
        }
        let t = &r.total;
        row.extend([
            t.cycles.to_string(),
            format!("{:.6}", t.latency_ms),
            format!("{:.3}", t.energy.total_pj),
            format!("{:.3}", t.energy.mac_pj),
            format!("{:.3}", t.energy.noc_pj),
            format!("{:.3}", t.energy.leakage_pj),
        ]);
        for l in &self.levels {
            let e = t.levels.iter().position(|s| &s.name == l).and_then(|i| t.energy.levels_pj.get(i));
            row.push(e.map(|e| format!("{e:.3}")).unwrap_or_default());
        }
        row.extend([
            t.dram_read_bytes.to_string(),
            t.dram_write_bytes.to_string(),
            (t.dram_read_bytes + t.dram_write_bytes).to_string(),
            area_mm2.map(|a| format!("{a}")).unwrap_or_default(),
            format!("{:.6}", t.utilization()),
            t.macs.to_string(),
            t.effective_macs.to_string(),
            t.pes.to_string(),
            format!("{}", r.clock_mhz),
            r.layers.len().to_string(),
            failed.to_string(),
            String::new(),
        ]);
        row
    }

    /// The `layers.csv` rows of a point (none if it could not be set up).
    pub fn layer_rows(&self, id: &str, values: &[String], result: &Result<SimResult, String>) -> Vec<Vec<String>> {
        let Ok(r) = result else { return Vec::new() };
        r.layers.iter().enumerate().map(|(i, l)| self.layer_row(id, values, i, l)).collect()
    }

    fn layer_row(&self, id: &str, values: &[String], index: usize, l: &LayerResult) -> Vec<String> {
        let mut row: Vec<String> = values.to_vec();
        let (status, error) = match &l.status {
            Status::Ok => ("ok".to_string(), String::new()),
            Status::Failed(m) => ("failed".to_string(), m.clone()),
        };
        row.extend([id.to_string(), index.to_string(), l.layer.clone(), l.engine.clone(), status, error]);
        row.extend(crate::csv_out::figure_cells(l));
        for name in &self.levels {
            match l.levels.iter().position(|s| &s.name == name) {
                Some(i) => row.extend([
                    l.levels[i].total_reads().to_string(),
                    l.levels[i].total_writes().to_string(),
                    format!("{:.3}", l.energy.levels_pj.get(i).copied().unwrap_or(0.0)),
                ]),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
        }
        let extra: Vec<String> = l.extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
        row.push(extra.join(";"));
        row
    }
}

/// The ids in a points table.
pub fn ids(t: &Table) -> Result<HashSet<String>, ReportError> {
    let c = t.need("id")?;
    Ok(t.rows.iter().map(|r| r[c].clone()).collect())
}

/// Keep only the layer rows of points that are in `done` and drop repeated (id, layer) rows;
/// returns how many rows were dropped.
pub fn keep_layers_of(t: &mut Table, done: &HashSet<String>) -> Result<usize, ReportError> {
    let (c, li) = (t.need("id")?, t.need("layer_index")?);
    let before = t.rows.len();
    let mut seen = HashSet::new();
    t.rows.retain(|r| done.contains(&r[c]) && seen.insert((r[c].clone(), r[li].clone())));
    Ok(before - t.rows.len())
}

/// Sort a points table by id and fill its `pareto` column; returns the front size.
pub fn finish_points(t: &mut Table, objectives: &[String]) -> Result<usize, ReportError> {
    let c = t.need("id")?;
    t.rows.sort_by(|a, b| a[c].cmp(&b[c]));
    pareto::mark(t, objectives)
}

/// Sort a layers table by (id, layer index).
pub fn finish_layers(t: &mut Table) -> Result<(), ReportError> {
    let (c, li) = (t.need("id")?, t.need("layer_index")?);
    t.rows.sort_by(|a, b| {
        a[c].cmp(&b[c]).then(a[li].parse::<u64>().unwrap_or(0).cmp(&b[li].parse::<u64>().unwrap_or(0)))
    });
    Ok(())
}

/// [`sort_layers`] of a file held in memory.
pub fn sort_layers_bytes(bytes: &[u8]) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::with_capacity(bytes.len() + 1);
    sort_layers(std::io::Cursor::new(bytes), &mut out)?;
    Ok(out)
}

/// Write the records of a layers CSV sorted by `id`, then numerically by
/// `layer_index` (ties keep file order), the header first. Streams: one pass
/// notes where each record is (a few words per record), a second copies the
/// records in order, so memory does not grow with the file's text.
pub fn sort_layers<R: Read + Seek, W: Write>(mut input: R, mut out: W) -> Result<(), ReportError> {
    input.seek(SeekFrom::Start(0))?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&mut input);
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec)? {
        return Ok(());
    }
    let header_end = rdr.position().byte();
    let header = rec.clone();
    let find = |name: &str| {
        header.iter().position(|f| f == name.as_bytes()).ok_or_else(|| ReportError::Column {
            name: name.into(),
            available: header.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect::<Vec<_>>().join(","),
        })
    };
    let (c, li) = (find("id")?, find("layer_index")?);
    // Ids are interned (a sweep has one per point, with many layer records each).
    let mut ids: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut spans: Vec<(u32, u64, u64, u64)> = Vec::new();
    let mut start = header_end;
    while rdr.read_byte_record(&mut rec)? {
        let end = rdr.position().byte();
        let id = rec.get(c).unwrap_or_default();
        let next = ids.len() as u32;
        let k = match ids.get(id) {
            Some(&k) => k,
            None => {
                ids.insert(id.to_vec(), next);
                next
            }
        };
        let index = std::str::from_utf8(rec.get(li).unwrap_or_default()).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
        spans.push((k, index, start, end));
        start = end;
    }
    drop(rdr);
    let mut by_name: Vec<(&Vec<u8>, u32)> = ids.iter().map(|(k, v)| (k, *v)).collect();
    by_name.sort();
    let mut rank = vec![0u32; by_name.len()];
    for (r, (_, k)) in by_name.iter().enumerate() {
        rank[*k as usize] = r as u32;
    }
    spans.sort_by_key(|&(k, index, _, _)| (rank[k as usize], index));
    let mut buf = vec![0u8; header_end as usize];
    input.seek(SeekFrom::Start(0))?;
    input.read_exact(&mut buf)?;
    out.write_all(&buf)?;
    // Copy runs of records that are adjacent in the file in one go, adding a
    // newline after a run that lacks one (with LF line ends, as eyrie writes,
    // only the file's last record can; a CR-only file gets LF after runs).
    let mut i = 0;
    while i < spans.len() {
        let (s, mut e) = (spans[i].2, spans[i].3);
        let mut j = i + 1;
        while j < spans.len() && spans[j].2 == e {
            e = spans[j].3;
            j += 1;
        }
        buf.resize((e - s) as usize, 0);
        input.seek(SeekFrom::Start(s))?;
        input.read_exact(&mut buf)?;
        out.write_all(&buf)?;
        if buf.last() != Some(&b'\n') {
            out.write_all(b"\n")?;
        }
        i = j;
    }
    out.flush()?;
    Ok(())
}

/// Concatenate tables with the same header; an id present twice is an error naming both sources.
pub fn merge(parts: &[(String, Table)], id_col: &str, unique: bool) -> Result<Table, ReportError> {
    let Some((first_name, first)) = parts.first() else { return Ok(Table::default()) };
    let mut out = Table::new(first.header.clone());
    let mut owner: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for (name, t) in parts {
        if t.header != first.header {
            return Err(ReportError::Invalid(format!(
                "{name} has other columns than {first_name}; only outputs of the same sweep can be merged"
            )));
        }
        let c = t.need(id_col)?;
        for r in &t.rows {
            if unique && let Some(prev) = owner.insert(r[c].clone(), name) {
                return Err(ReportError::Invalid(format!("point {} is in both {prev} and {name}", r[c])));
            }
            out.rows.push(r.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_records_sort_by_id_then_numeric_index() {
        let bytes = b"a,id,layer_index,x\n\"q,1\",b,10,z\n1,a,2,y\n1,b,9,\"w \"\"q\"\"\"\n1,a,1,x\n";
        let out = sort_layers_bytes(bytes).unwrap_or_default();
        let want = "a,id,layer_index,x\n1,a,1,x\n1,a,2,y\n1,b,9,\"w \"\"q\"\"\"\n\"q,1\",b,10,z\n";
        assert_eq!(String::from_utf8_lossy(&out), want);
        assert!(sort_layers_bytes(b"a,b\n1,2\n").is_err());
        // Runs of records adjacent in the file are copied together; the file's
        // last record, without its newline, gets one.
        let out = sort_layers_bytes(b"id,layer_index\nb,0\nb,1\na,0\na,1").unwrap_or_default();
        assert_eq!(String::from_utf8_lossy(&out), "id,layer_index\na,0\na,1\nb,0\nb,1\n");
    }

    #[test]
    fn merge_refuses_duplicates_and_other_columns() {
        let t = |h: &[&str], rows: &[&[&str]]| Table {
            header: h.iter().map(|s| s.to_string()).collect(),
            rows: rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect(),
        };
        let a = t(&["id", "v"], &[&["1", "x"]]);
        let b = t(&["id", "v"], &[&["2", "y"], &["1", "z"]]);
        let err = merge(&[("A".into(), a.clone()), ("B".into(), b)], "id", true);
        assert_eq!(err.err().map(|e| e.to_string()), Some("point 1 is in both A and B".into()));
        let c = t(&["id", "w"], &[]);
        assert!(merge(&[("A".into(), a), ("C".into(), c)], "id", true).is_err());
    }
}
