//! A results CSV in memory: header, rows, typed access, and recovery of a torn tail.
//!
//! Every CSV eyrie writes has one record per line (cells never hold a line
//! break; see [`one_line`]), so a file cut short by a killed process is
//! recognised by its missing final newline: [`Table::parse`] drops the
//! partial last line and any record with the wrong number of fields, and
//! says how many bytes of the file are clean, so a resumed run can truncate
//! to that length and append.

use crate::ReportError;

/// A CSV file: a header and rows of text cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

/// What [`Table::parse`] dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Bytes after the last complete line (a torn record), dropped.
    pub torn_bytes: usize,
    /// Complete lines whose field count differs from the header's, dropped.
    pub bad_rows: usize,
    /// Length of the clean prefix of the input (complete lines only).
    pub clean_len: usize,
}

/// A cell made safe for one-line records: line breaks become `; `.
pub fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\n', '\r']) { s.replace("\r\n", "; ").replace(['\n', '\r'], "; ").into() } else { s.into() }
}

/// CSV bytes of rows (no header).
pub fn encode(rows: &[Vec<String>]) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    for r in rows {
        w.write_record(r.iter().map(|c| match one_line(c) {
            std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
            std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
        }))?;
    }
    w.into_inner().map_err(|e| ReportError::Io(e.into_error()))
}

impl Table {
    /// An empty table with this header.
    pub fn new(header: Vec<String>) -> Table {
        Table { header, rows: Vec::new() }
    }

    /// Parse CSV bytes with a header line, dropping a torn last line and malformed records.
    pub fn parse(bytes: &[u8]) -> Result<(Table, Recovery), ReportError> {
        let clean_len = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let mut rec = Recovery { torn_bytes: bytes.len() - clean_len, bad_rows: 0, clean_len };
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&bytes[..clean_len]);
        let mut records = rdr.records();
        let header: Vec<String> = match records.next() {
            Some(r) => r?.iter().map(str::to_string).collect(),
            None => return Ok((Table::default(), rec)),
        };
        let mut rows = Vec::new();
        for r in records {
            let r = r?;
            if r.len() == header.len() {
                rows.push(r.iter().map(str::to_string).collect());
            } else {
                rec.bad_rows += 1;
            }
        }
        Ok((Table { header, rows }, rec))
    }

    /// Parse CSV bytes that must be whole: a torn or malformed record is an error naming `what`.
    pub fn parse_whole(bytes: &[u8], what: &str) -> Result<Table, ReportError> {
        let (t, rec) = Table::parse(bytes)?;
        if rec.bad_rows > 0 || rec.torn_bytes > 0 {
            return Err(ReportError::Invalid(format!(
                "{what}: {} malformed and {} torn record(s); rerun the sweep with --resume to repair it",
                rec.bad_rows,
                usize::from(rec.torn_bytes > 0)
            )));
        }
        Ok(t)
    }

    /// Index of a column.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Index of a column, or an error listing the columns there are.
    pub fn need(&self, name: &str) -> Result<usize, ReportError> {
        self.col(name).ok_or_else(|| ReportError::Column { name: name.to_string(), available: self.header.join(", ") })
    }

    /// A cell as a number (`None` when empty or not a number).
    pub fn num(&self, row: usize, col: usize) -> Option<f64> {
        self.rows.get(row).and_then(|r| r.get(col)).and_then(|c| c.trim().parse::<f64>().ok()).filter(|x| x.is_finite())
    }

    /// A cell as text.
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(col)).map_or("", String::as_str)
    }

    /// Whether every non-empty cell of a column is a number.
    pub fn is_numeric(&self, col: usize) -> bool {
        let mut any = false;
        for r in &self.rows {
            let c = r.get(col).map_or("", |c| c.trim());
            if !c.is_empty() {
                if c.parse::<f64>().is_err() {
                    return false;
                }
                any = true;
            }
        }
        any
    }

    /// Keep the rows where every `(column, value)` pair matches (values compared as text,
    /// or as numbers when both parse). A column written `name!` keeps the rows that do
    /// *not* match (`--filter name!=value`).
    pub fn filter(&self, pairs: &[(String, String)]) -> Result<Table, ReportError> {
        let cols = pairs
            .iter()
            .map(|(c, v)| match c.strip_suffix('!') {
                Some(name) if self.col(c).is_none() => Ok((self.need(name)?, v, false)),
                _ => Ok((self.need(c)?, v, true)),
            })
            .collect::<Result<Vec<_>, ReportError>>()?;
        let same =
            |a: &str, b: &str| a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y);
        let rows =
            self.rows.iter().filter(|r| cols.iter().all(|(c, v, want)| same(&r[*c], v) == *want)).cloned().collect();
        Ok(Table { header: self.header.clone(), rows })
    }

    /// CSV bytes, header first.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ReportError> {
        let mut out = encode(std::slice::from_ref(&self.header))?;
        out.extend(encode(&self.rows)?);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_tail_and_short_rows_are_dropped() {
        let bytes = b"a,b\n1,2\n3\n4,5\n6,";
        let (t, rec) = Table::parse(bytes).unwrap_or_default();
        assert_eq!(t.rows, [["1", "2"], ["4", "5"]]);
        assert_eq!(rec, Recovery { torn_bytes: 2, bad_rows: 1, clean_len: 14 });
        assert!(Table::parse_whole(bytes, "x.csv").is_err());
    }

    #[test]
    fn filters_match_or_exclude() {
        let t = Table {
            header: vec!["q".into(), "v".into()],
            rows: vec![vec!["a".into(), "1".into()], vec!["b".into(), "2.0".into()], vec!["c".into(), "2".into()]],
        };
        let keep = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs.iter().map(|(c, v)| (c.to_string(), v.to_string())).collect();
            t.filter(&pairs).map(|t| t.rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>()).unwrap_or_default()
        };
        assert_eq!(keep(&[("v", "2")]), ["b", "c"]);
        assert_eq!(keep(&[("q!", "b")]), ["a", "c"]);
        assert_eq!(keep(&[("q!", "b"), ("v", "2")]), ["c"]);
        assert!(t.filter(&[("nope!".into(), "x".into())]).is_err());
    }

    #[test]
    fn cells_stay_on_one_line_and_round_trip() {
        let t = Table { header: vec!["a".into(), "err".into()], rows: vec![vec!["1".into(), "x\ny, \"z\"".into()]] };
        let bytes = t.to_bytes().unwrap_or_default();
        assert_eq!(bytes.iter().filter(|b| **b == b'\n').count(), 2);
        let back = Table::parse_whole(&bytes, "t").unwrap_or_default();
        assert_eq!(back.rows[0][1], "x; y, \"z\"");
    }

    #[test]
    fn filter_compares_numbers_as_numbers() {
        let t = Table {
            header: vec!["n".into(), "k".into()],
            rows: vec![vec!["64".into(), "a".into()], vec!["64.0".into(), "b".into()], vec!["32".into(), "c".into()]],
        };
        let f = t.filter(&[("n".into(), "64".into())]).unwrap_or_default();
        assert_eq!(f.rows.len(), 2);
        assert!(t.filter(&[("m".into(), "1".into())]).is_err());
    }
}
