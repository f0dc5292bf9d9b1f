//! Sparse encodings of a pruned, quantized weight matrix.
//!
//! The canonical form is [`SparseMatrix`]: compressed sparse columns (CSC)
//! with absolute row indices and one codebook index per non-zero. From it
//! eyrie builds the stored formats and counts their bits:
//!
//! * relative-index CSC / CSR ([`RelativeCsc`]): per column (row) the gap to
//!   the previous non-zero in `b` bits; a gap that does not fit gets a
//!   *filler zero* (Deep Compression, Han et al. ICLR 2016, Sec. 2 and
//!   Fig. 2; EIE, Han et al. ISCA 2016, Sec. III-A: "if more than 15 zeros
//!   appear before a non-zero entry we add a zero in vector v");
//! * a bitmask ([`Bitmask`]): one presence bit per position plus the codes;
//! * run-length coding ([`Rle`]): Eyeriss-style (run of zeros, value) pairs
//!   over the whole column-major stream, with no column pointers.
//!
//! Every format decodes back to exactly the same [`SparseMatrix`].
//!
//! The relative index `z` of an entry is the number of zero positions
//! between it and the previous entry of the same column (or the column
//! start), so `0 ≤ z ≤ 2^b − 1`. When `z` would exceed that, a filler entry
//! with `z = 2^b − 1` is stored first; the filler itself occupies a position.

use serde::{Deserialize, Serialize};

/// A sparse weight matrix in compressed sparse columns with codebook indices.
///
/// `rows × cols` is the layer's weight matrix: rows are output channels
/// (filters, FC outputs), columns are the flattened inputs of one output
/// (`c/groups × r × s` for a convolution, the input neurons of an FC or
/// matmul layer). Column `j` holds `row_idx[col_ptr[j]..col_ptr[j + 1]]` in
/// increasing order, with codebook indices `code[..]` at the same positions;
/// the value of a stored entry is `codebook[code]`. Positions that are not
/// stored are zero.
///
/// The EIE engine builds its per-PE interleaved CSC from this: output row
/// `i` goes to PE `i % n_pe` as local row `i / n_pe` ([`split_column_by_pe`]);
/// for each column, the local rows of one PE are relative-encoded with
/// [`encode_relative`] (its `b`-bit indices and filler zeros). When weights
/// are not quantized to a codebook (no quantization or linear quantization
/// above 16 bits), `codebook` is empty and `code` holds zeros; only the
/// positions are meaningful then.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SparseMatrix {
    /// Number of rows (outputs).
    pub rows: u32,
    /// Number of columns (inputs).
    pub cols: u32,
    /// `cols + 1` offsets into `row_idx` / `code`.
    pub col_ptr: Vec<u32>,
    /// Row index of every stored entry, increasing within a column.
    pub row_idx: Vec<u32>,
    /// Codebook index of every stored entry.
    pub code: Vec<u16>,
    /// The shared weights (32-bit floats); empty when the weights are not codebook-quantized.
    pub codebook: Vec<f32>,
}

impl SparseMatrix {
    /// Number of stored (non-zero) entries.
    pub fn nnz(&self) -> usize {
        self.row_idx.len()
    }

    /// Row indices and codes of column `j`.
    pub fn column(&self, j: usize) -> (&[u32], &[u16]) {
        let (a, b) = (self.col_ptr[j] as usize, self.col_ptr[j + 1] as usize);
        (&self.row_idx[a..b], &self.code[a..b])
    }

    /// Build from row-major entries `(row, col, code)` sorted by row then column.
    pub fn from_row_major(rows: u32, cols: u32, entries: &[(u32, u32, u16)], codebook: Vec<f32>) -> SparseMatrix {
        let mut counts = vec![0u32; cols as usize + 1];
        for &(_, c, _) in entries {
            counts[c as usize + 1] += 1;
        }
        for j in 0..cols as usize {
            counts[j + 1] += counts[j];
        }
        let col_ptr = counts.clone();
        let mut next = counts;
        let mut row_idx = vec![0u32; entries.len()];
        let mut code = vec![0u16; entries.len()];
        for &(r, c, q) in entries {
            let at = next[c as usize] as usize;
            row_idx[at] = r;
            code[at] = q;
            next[c as usize] += 1;
        }
        SparseMatrix { rows, cols, col_ptr, row_idx, code, codebook }
    }

    /// The transpose, also in CSC: the CSR form of `self`.
    pub fn transpose(&self) -> SparseMatrix {
        let mut entries = Vec::with_capacity(self.nnz());
        for j in 0..self.cols as usize {
            let (rows, codes) = self.column(j);
            for (&r, &q) in rows.iter().zip(codes) {
                entries.push((j as u32, r, q));
            }
        }
        // Column-major order of `self` is row-major order of the transpose's (col, row) pairs
        // once sorted by the new row (old column), which it already is.
        SparseMatrix::from_row_major(self.cols, self.rows, &entries, self.codebook.clone())
    }

    /// Structure problems (unsorted rows, bad pointers), as messages.
    pub fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.col_ptr.len() != self.cols as usize + 1 {
            out.push(format!("col_ptr has {} entries, expected {}", self.col_ptr.len(), self.cols + 1));
            return out;
        }
        if self.row_idx.len() != self.code.len() || self.col_ptr.last().copied() != Some(self.row_idx.len() as u32) {
            out.push("row_idx, code and col_ptr disagree on the entry count".into());
            return out;
        }
        for j in 0..self.cols as usize {
            if self.col_ptr[j] > self.col_ptr[j + 1] {
                out.push(format!("col_ptr decreases at column {j}"));
                return out;
            }
            let (rows, codes) = self.column(j);
            if rows.windows(2).any(|w| w[0] >= w[1]) || rows.iter().any(|&r| r >= self.rows) {
                out.push(format!("column {j}: row indices not increasing or out of range"));
            }
            if !self.codebook.is_empty() && codes.iter().any(|&q| q as usize >= self.codebook.len()) {
                out.push(format!("column {j}: code outside the codebook of {}", self.codebook.len()));
            }
        }
        out
    }
}

/// One stored entry of a relative-index stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelEntry {
    /// Zero positions skipped before this entry (the `b`-bit relative index).
    pub zeros: u32,
    /// Codebook index, or `None` for a filler zero. In hardware a filler is a
    /// weight index whose value is 0; it is kept apart here so that all `2^bits`
    /// codebook entries can hold non-zero shared weights (Deep Compression uses
    /// 32 shared weights for 5-bit FC layers). Storage accounting charges a
    /// filler the same weight and index bits as a real entry.
    pub code: Option<u16>,
}

/// Visit the relative-index entries of increasing `positions` with `index_bits`-bit
/// indices: `f(zeros, Some(i))` for the `i`-th position, `f(max, None)` for a filler.
pub fn for_each_relative(positions: &[u32], index_bits: u32, mut f: impl FnMut(u32, Option<usize>)) {
    let max = max_zeros(index_bits);
    let mut next: u64 = 0; // first position not yet covered
    for (i, &p) in positions.iter().enumerate() {
        let mut gap = u64::from(p) - next;
        while gap > u64::from(max) {
            f(max, None);
            gap -= u64::from(max) + 1;
        }
        f(gap as u32, Some(i));
        next = u64::from(p) + 1;
    }
}

/// Largest relative index representable in `index_bits` bits.
pub fn max_zeros(index_bits: u32) -> u32 {
    if index_bits >= 32 { u32::MAX } else { (1u32 << index_bits) - 1 }
}

/// Relative-encode one column (or one PE's slice of a column).
///
/// `positions` are the increasing row indices of the non-zeros (for EIE, the
/// PE-local rows `i / n_pe` of the rows `i` that PE owns), `codes` their
/// codebook indices, `index_bits` the width `b` of the relative index (EIE:
/// 4). Returns the entries in storage order, filler zeros included: each
/// entry costs `weight_bits + index_bits` bits and one PE cycle in EIE.
///
/// ```
/// use eyrie_workloads::compress::encoding::{encode_relative, RelEntry};
/// // Non-zeros at rows 1 and 20 with 4-bit indices: row 20 is 18 zeros after
/// // row 1, more than 15, so a filler zero goes in first (at row 17).
/// let e = encode_relative(&[1, 20], &[3, 7], 4);
/// assert_eq!(e, vec![
///     RelEntry { zeros: 1, code: Some(3) },
///     RelEntry { zeros: 15, code: None },
///     RelEntry { zeros: 2, code: Some(7) },
/// ]);
/// ```
pub fn encode_relative(positions: &[u32], codes: &[u16], index_bits: u32) -> Vec<RelEntry> {
    let mut out = Vec::with_capacity(positions.len());
    for_each_relative(positions, index_bits, |zeros, i| out.push(RelEntry { zeros, code: i.map(|i| codes[i]) }));
    out
}

/// Split one column's entries over `n_pe` processing elements the EIE way:
/// row `i` goes to PE `i % n_pe` as its local row `i / n_pe` (EIE Sec. III-C).
/// Returns, per PE, the increasing local rows and their codes, ready for
/// [`encode_relative`].
pub fn split_column_by_pe(rows: &[u32], codes: &[u16], n_pe: u32) -> Vec<(Vec<u32>, Vec<u16>)> {
    let n_pe = n_pe.max(1);
    let mut out = vec![(Vec::new(), Vec::new()); n_pe as usize];
    for (&r, &q) in rows.iter().zip(codes) {
        let pe = &mut out[(r % n_pe) as usize];
        pe.0.push(r / n_pe);
        pe.1.push(q);
    }
    out
}

/// Invert [`encode_relative`]: the positions and codes of the real entries.
pub fn decode_relative(entries: &[RelEntry]) -> (Vec<u32>, Vec<u16>) {
    let mut pos = Vec::new();
    let mut codes = Vec::new();
    let mut next: u64 = 0;
    for e in entries {
        let p = next + u64::from(e.zeros);
        if let Some(q) = e.code {
            pos.push(p as u32);
            codes.push(q);
        }
        next = p + 1;
    }
    (pos, codes)
}

/// Number of stored entries (real plus fillers) of one relative-encoded stream.
pub fn relative_entries(positions: &[u32], index_bits: u32) -> u64 {
    let mut n = 0;
    for_each_relative(positions, index_bits, |_, _| n += 1);
    n
}

/// Relative-index CSC (or CSR, of the transpose) with column pointers.
#[derive(Debug, Clone, PartialEq)]
pub struct RelativeCsc {
    /// Rows of the matrix.
    pub rows: u32,
    /// Width of the relative index.
    pub index_bits: u32,
    /// `cols + 1` offsets into `entries`.
    pub col_ptr: Vec<u32>,
    /// All columns' entries, fillers included.
    pub entries: Vec<RelEntry>,
    /// The codebook, carried through.
    pub codebook: Vec<f32>,
}

impl RelativeCsc {
    /// Encode every column of `m`.
    pub fn encode(m: &SparseMatrix, index_bits: u32) -> RelativeCsc {
        let mut col_ptr = Vec::with_capacity(m.cols as usize + 1);
        let mut entries = Vec::with_capacity(m.nnz());
        col_ptr.push(0);
        for j in 0..m.cols as usize {
            let (rows, codes) = m.column(j);
            for_each_relative(rows, index_bits, |zeros, i| entries.push(RelEntry { zeros, code: i.map(|i| codes[i]) }));
            col_ptr.push(entries.len() as u32);
        }
        RelativeCsc { rows: m.rows, index_bits, col_ptr, entries, codebook: m.codebook.clone() }
    }

    /// The CSR form of `m`: relative indices along rows.
    pub fn encode_rows(m: &SparseMatrix, index_bits: u32) -> RelativeCsc {
        RelativeCsc::encode(&m.transpose(), index_bits)
    }

    /// Decode back to the sparse matrix that was encoded.
    pub fn decode(&self) -> SparseMatrix {
        let cols = self.col_ptr.len().saturating_sub(1);
        let mut col_ptr = vec![0u32];
        let mut row_idx = Vec::new();
        let mut code = Vec::new();
        for j in 0..cols {
            let (p, q) = decode_relative(&self.entries[self.col_ptr[j] as usize..self.col_ptr[j + 1] as usize]);
            row_idx.extend(p);
            code.extend(q);
            col_ptr.push(row_idx.len() as u32);
        }
        SparseMatrix { rows: self.rows, cols: cols as u32, col_ptr, row_idx, code, codebook: self.codebook.clone() }
    }

    /// Filler entries.
    pub fn fillers(&self) -> u64 {
        self.entries.iter().filter(|e| e.code.is_none()).count() as u64
    }
}

/// Bitmask encoding: one bit per position (column-major) plus the codes of the set bits.
#[derive(Debug, Clone, PartialEq)]
pub struct Bitmask {
    /// Rows of the matrix.
    pub rows: u32,
    /// Columns of the matrix.
    pub cols: u32,
    /// Presence bits, position `j * rows + i` at bit `p % 64` of word `p / 64`.
    pub mask: Vec<u64>,
    /// Codes of the present positions in column-major order.
    pub codes: Vec<u16>,
    /// The codebook, carried through.
    pub codebook: Vec<f32>,
}

impl Bitmask {
    /// Encode `m`.
    pub fn encode(m: &SparseMatrix) -> Bitmask {
        let total = u64::from(m.rows) * u64::from(m.cols);
        let mut mask = vec![0u64; total.div_ceil(64) as usize];
        for j in 0..m.cols as usize {
            for &r in m.column(j).0 {
                let p = j as u64 * u64::from(m.rows) + u64::from(r);
                mask[(p / 64) as usize] |= 1 << (p % 64);
            }
        }
        Bitmask { rows: m.rows, cols: m.cols, mask, codes: m.code.clone(), codebook: m.codebook.clone() }
    }

    /// Decode back to the sparse matrix.
    pub fn decode(&self) -> SparseMatrix {
        let mut col_ptr = vec![0u32];
        let mut row_idx = Vec::with_capacity(self.codes.len());
        for j in 0..u64::from(self.cols) {
            for i in 0..u64::from(self.rows) {
                let p = j * u64::from(self.rows) + i;
                if self.mask[(p / 64) as usize] >> (p % 64) & 1 == 1 {
                    row_idx.push(i as u32);
                }
            }
            col_ptr.push(row_idx.len() as u32);
        }
        SparseMatrix {
            rows: self.rows,
            cols: self.cols,
            col_ptr,
            row_idx,
            code: self.codes.clone(),
            codebook: self.codebook.clone(),
        }
    }
}

/// Run-length coding of the whole column-major stream: (zeros before, code) pairs
/// with `run_bits`-bit runs and filler zeros, no column pointers (Eyeriss JSSC 2017, Sec. V-B).
#[derive(Debug, Clone, PartialEq)]
pub struct Rle {
    /// Rows of the matrix.
    pub rows: u32,
    /// Columns of the matrix.
    pub cols: u32,
    /// Width of a run.
    pub run_bits: u32,
    /// The pairs, fillers included.
    pub entries: Vec<RelEntry>,
    /// The codebook, carried through.
    pub codebook: Vec<f32>,
}

impl Rle {
    /// Encode `m`; positions beyond `u32::MAX` are not supported (matrices above 4 G entries).
    pub fn encode(m: &SparseMatrix, run_bits: u32) -> Rle {
        let positions = flat_positions(m);
        Rle {
            rows: m.rows,
            cols: m.cols,
            run_bits,
            entries: encode_relative(&positions, &m.code, run_bits),
            codebook: m.codebook.clone(),
        }
    }

    /// Decode back to the sparse matrix.
    pub fn decode(&self) -> SparseMatrix {
        let (pos, codes) = decode_relative(&self.entries);
        let rows = self.rows.max(1);
        let mut col_ptr = vec![0u32; self.cols as usize + 1];
        let mut row_idx = Vec::with_capacity(pos.len());
        for &p in &pos {
            col_ptr[(p / rows) as usize + 1] += 1;
            row_idx.push(p % rows);
        }
        for j in 0..self.cols as usize {
            col_ptr[j + 1] += col_ptr[j];
        }
        SparseMatrix {
            rows: self.rows,
            cols: self.cols,
            col_ptr,
            row_idx,
            code: codes,
            codebook: self.codebook.clone(),
        }
    }
}

/// Column-major flat positions `j * rows + i` of the stored entries.
pub fn flat_positions(m: &SparseMatrix) -> Vec<u32> {
    let mut out = Vec::with_capacity(m.nnz());
    for j in 0..m.cols as usize {
        out.extend(m.column(j).0.iter().map(|&r| (j as u64 * u64::from(m.rows) + u64::from(r)) as u32));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 5×3 matrix: column 0 rows {0, 4}, column 1 empty, column 2 rows {1, 2, 3}.
    fn small() -> SparseMatrix {
        let entries = [(0, 0, 1), (1, 2, 2), (2, 2, 0), (3, 2, 3), (4, 0, 1)];
        SparseMatrix::from_row_major(5, 3, &entries, vec![-1.0, -0.5, 0.5, 1.0])
    }

    #[test]
    fn csc_from_row_major_sorts_by_column() {
        let m = small();
        assert_eq!(m.col_ptr, vec![0, 2, 2, 5]);
        assert_eq!(m.row_idx, vec![0, 4, 1, 2, 3]);
        assert_eq!(m.code, vec![1, 1, 2, 0, 3]);
        assert!(m.check().is_empty());
        let t = m.transpose();
        assert_eq!((t.rows, t.cols), (3, 5));
        assert_eq!(t.col_ptr, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(t.row_idx, vec![0, 2, 2, 2, 0]);
        assert_eq!(t.transpose(), m);
    }

    #[test]
    fn fillers_follow_eie_rule() {
        // 2-bit indices: at most 3 zeros before an entry. Row 9 after nothing:
        // filler at row 3 (z=3), filler at row 7 (z=3), entry at 9 (z=1).
        let e = encode_relative(&[9], &[5], 2);
        assert_eq!(
            e,
            vec![
                RelEntry { zeros: 3, code: None },
                RelEntry { zeros: 3, code: None },
                RelEntry { zeros: 1, code: Some(5) }
            ]
        );
        assert_eq!(decode_relative(&e), (vec![9], vec![5]));
        // Exactly 3 zeros fits without a filler; 4 needs one.
        assert_eq!(relative_entries(&[3], 2), 1);
        assert_eq!(relative_entries(&[4], 2), 2);
        assert_eq!(relative_entries(&[0, 1, 2], 2), 3);
    }

    #[test]
    fn eie_interleaving_by_pe() {
        // Rows 0, 3, 4, 9 over 4 PEs: PE 0 gets rows 0 and 4 (local 0, 1), PE 1 gets 9 (local 2),
        // PE 3 gets 3 (local 0).
        let s = split_column_by_pe(&[0, 3, 4, 9], &[1, 2, 3, 4], 4);
        assert_eq!(s[0], (vec![0, 1], vec![1, 3]));
        assert_eq!(s[1], (vec![2], vec![4]));
        assert_eq!(s[2], (vec![], vec![]));
        assert_eq!(s[3], (vec![0], vec![2]));
    }

    #[test]
    fn every_format_round_trips_exactly() {
        let m = small();
        for b in [1, 2, 4, 8] {
            assert_eq!(RelativeCsc::encode(&m, b).decode(), m, "csc {b}");
            assert_eq!(RelativeCsc::encode_rows(&m, b).decode().transpose(), m, "csr {b}");
            assert_eq!(Rle::encode(&m, b).decode(), m, "rle {b}");
        }
        assert_eq!(Bitmask::encode(&m).decode(), m);
        // CSC with 1-bit indices: column 0 rows {0, 4}: entry z=0, then 3 zeros:
        // filler (z=1, row 2), entry (z=1, row 4) -> 3 entries; column 2 rows 1,2,3:
        // z=1, 0, 0 -> 3 entries.
        let c = RelativeCsc::encode(&m, 1);
        assert_eq!(c.col_ptr, vec![0, 3, 3, 6]);
        assert_eq!(c.fillers(), 1);
    }
}
