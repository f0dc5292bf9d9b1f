//! The sparse weight matrix as EIE stores it: rows interleaved over PEs,
//! each PE's slice in CSC with relative row indices and filler zeros.
//!
//! EIE (Han et al., ISCA 2016, Sec. III-B/C): row `i` of the `rows × cols`
//! matrix lives on PE `i mod N` as its local row `i / N`. Each PE stores its
//! slice column by column; an entry holds a codebook index and the number of
//! zeros since the previous entry of the column, in `index_bits` bits. A gap
//! of `2^index_bits` or more zeros is bridged by a filler zero entry (value 0,
//! relative index `2^index_bits − 1`), so a gap `g` costs `g >> index_bits`
//! fillers (Sec. III-B's example: `[0,0,1,2,0×18,3]` → `v=[1,2,0,3]`,
//! `z=[2,0,15,2]`). When a PE's rows exceed its destination register file
//! (`batch_rows` entries, Sec. IV "Activation Read/Write"), the rows run in
//! batches and each batch is its own CSC, so relative indices restart.
//!
//! The engine needs only the structure: for each (batch, column, PE) the
//! number of entries the PE's arithmetic unit processes (non-zeros plus
//! fillers) and where they start in the PE's sparse-matrix SRAM. Weight
//! values do not change timing, so [`PeSlices::from_csc`] takes any CSC
//! structure: the compressor's, or [`synthetic_csc`]'s seeded one.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A malformed sparse structure or one too large for the engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatrixError {
    /// The CSC arrays are inconsistent.
    #[error("malformed CSC matrix: {0}")]
    Malformed(String),
    /// A dimension or count exceeds what the engine indexes with 32 bits.
    #[error("matrix too large for the EIE engine: {0}")]
    TooLarge(String),
}

/// A borrowed CSC structure: for column `j`, the row indices of its
/// non-zeros are `row_idx[col_ptr[j]..col_ptr[j+1]]`, strictly increasing.
#[derive(Debug, Clone, Copy)]
pub struct CscRef<'a> {
    rows: u32,
    cols: u32,
    col_ptr: &'a [u32],
    row_idx: &'a [u32],
}

impl<'a> CscRef<'a> {
    /// Check and wrap CSC arrays (`col_ptr` has `cols + 1` entries from 0 to `row_idx.len()`).
    pub fn new(rows: u32, cols: u32, col_ptr: &'a [u32], row_idx: &'a [u32]) -> Result<CscRef<'a>, MatrixError> {
        let bad = |m: String| Err(MatrixError::Malformed(m));
        if col_ptr.len() != cols as usize + 1 {
            return bad(format!("col_ptr has {} entries, expected cols + 1 = {}", col_ptr.len(), cols as u64 + 1));
        }
        if col_ptr[0] != 0 || col_ptr[cols as usize] as usize != row_idx.len() {
            return bad(format!(
                "col_ptr must run from 0 to the number of non-zeros {}, got {}..{}",
                row_idx.len(),
                col_ptr[0],
                col_ptr[cols as usize]
            ));
        }
        for j in 0..cols as usize {
            let (a, b) = (col_ptr[j] as usize, col_ptr[j + 1] as usize);
            if a > b {
                return bad(format!("col_ptr decreases at column {j}"));
            }
            let mut prev: Option<u32> = None;
            for &i in &row_idx[a..b] {
                if i >= rows {
                    return bad(format!("column {j} has row index {i} ≥ rows = {rows}"));
                }
                if prev.is_some_and(|p| i <= p) {
                    return bad(format!("row indices of column {j} are not strictly increasing"));
                }
                prev = Some(i);
            }
        }
        Ok(CscRef { rows, cols, col_ptr, row_idx })
    }

    /// Rows (output length).
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Columns (input length).
    pub fn cols(&self) -> u32 {
        self.cols
    }

    /// Number of non-zeros.
    pub fn nnz(&self) -> u64 {
        self.row_idx.len() as u64
    }

    /// Row indices of column `j`'s non-zeros.
    pub fn column(&self, j: u32) -> &'a [u32] {
        &self.row_idx[self.col_ptr[j as usize] as usize..self.col_ptr[j as usize + 1] as usize]
    }
}

/// An owned CSC structure (see [`CscRef`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Csc {
    /// Rows (output length).
    pub rows: u32,
    /// Columns (input length).
    pub cols: u32,
    /// Column start offsets into `row_idx`, `cols + 1` entries.
    pub col_ptr: Vec<u32>,
    /// Row index of every non-zero, column by column, increasing within a column.
    pub row_idx: Vec<u32>,
}

impl Csc {
    /// Checked borrowed view.
    pub fn as_ref(&self) -> Result<CscRef<'_>, MatrixError> {
        CscRef::new(self.rows, self.cols, &self.col_ptr, &self.row_idx)
    }

    /// A CSC structure from a dense row-major matrix (non-zero = `!= 0.0`); for tests and small inputs.
    pub fn from_dense(rows: u32, cols: u32, row_major: &[f32]) -> Result<Csc, MatrixError> {
        if row_major.len() != rows as usize * cols as usize {
            return Err(MatrixError::Malformed(format!(
                "dense matrix has {} values, expected {rows} × {cols}",
                row_major.len()
            )));
        }
        let mut col_ptr = vec![0u32];
        let mut row_idx = Vec::new();
        for j in 0..cols as usize {
            for i in 0..rows as usize {
                if row_major[i * cols as usize + j] != 0.0 {
                    row_idx.push(i as u32);
                }
            }
            col_ptr.push(row_idx.len() as u32);
        }
        Ok(Csc { rows, cols, col_ptr, row_idx })
    }
}

/// A seeded random sparsity pattern of a `rows × cols` matrix.
///
/// Every position is non-zero independently with probability `density`
/// (Bernoulli, uniform over positions: EIE Sec. VII-A describes the pruned
/// weights as "random distribution"), drawn with geometric skips in
/// column-major order from `ChaCha8Rng::seed_from_u64(seed)`. With `groups >
/// 1` the matrix is block-diagonal: column block `g` (of `cols / groups`)
/// only has rows in row block `g` (of `rows / groups`), as a grouped
/// convolution lowered to one matrix.
pub fn synthetic_csc(rows: u32, cols: u32, groups: u32, density: f64, seed: u64) -> Result<Csc, MatrixError> {
    let groups = groups.max(1);
    if !rows.is_multiple_of(groups) || !cols.is_multiple_of(groups) {
        return Err(MatrixError::Malformed(format!("{groups} groups must divide rows {rows} and cols {cols}")));
    }
    let (rpg, cpg) = (u64::from(rows / groups), u64::from(cols / groups));
    if rpg.checked_mul(cpg).is_none_or(|b| b > 1 << 62) {
        return Err(MatrixError::TooLarge(format!("{rows} × {cols} positions")));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let d = density.clamp(0.0, 1.0);
    let expected = (d * f64::from(rows) * f64::from(cols) / f64::from(groups)).ceil() as usize;
    let mut row_idx: Vec<u32> = Vec::with_capacity(expected + expected / 64 + 16);
    let mut col_ptr = Vec::with_capacity(cols as usize + 1);
    col_ptr.push(0u32);
    let log_q = (1.0 - d).ln();
    for g in 0..u64::from(groups) {
        let block = rpg * cpg;
        let (mut col, mut row) = (0u64, 0u64);
        let mut first = true;
        if d > 0.0 && block > 0 {
            loop {
                // Zeros before the next non-zero: geometric, P(skip = s) = (1 − d)^s d.
                let skip = if d >= 1.0 {
                    0
                } else {
                    let u = 1.0 - rng.random::<f64>(); // (0, 1]
                    let s = (u.ln() / log_q).floor();
                    if s.is_finite() && s < block as f64 { s as u64 } else { block }
                };
                // Advance (col, row) in column-major order without dividing.
                row += skip + u64::from(!first);
                first = false;
                if row >= rpg {
                    col += row / rpg;
                    row %= rpg;
                }
                if col >= cpg {
                    break;
                }
                while (col_ptr.len() as u64) <= g * cpg + col {
                    col_ptr.push(row_idx.len() as u32);
                }
                if row_idx.len() >= u32::MAX as usize {
                    return Err(MatrixError::TooLarge("more than 2^32 − 1 non-zeros".into()));
                }
                row_idx.push((g * rpg + row) as u32);
            }
        }
        while (col_ptr.len() as u64) <= (g + 1) * cpg {
            col_ptr.push(row_idx.len() as u32);
        }
    }
    Ok(Csc { rows, cols, col_ptr, row_idx })
}

/// The non-zero positions of a seeded sparse activation vector, increasing.
///
/// Exactly `round(density × len)` of the `len` positions are non-zero,
/// chosen uniformly (Knuth's selection sampling, Algorithm S) with
/// `ChaCha8Rng::seed_from_u64(seed)`, so a layer's activation density is the
/// published one exactly.
pub fn synthetic_activations(len: u32, density: f64, seed: u64) -> Vec<u32> {
    let want = (density.clamp(0.0, 1.0) * f64::from(len)).round() as u64;
    if want >= u64::from(len) {
        return (0..len).collect();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(want as usize);
    let mut left = u64::from(len);
    for i in 0..len {
        let need = want - out.len() as u64;
        if need == 0 {
            break;
        }
        if rng.random::<f64>() * (left as f64) < need as f64 {
            out.push(i);
        }
        left -= 1;
    }
    out
}

/// The matrix as EIE's PEs hold it: per (output batch, column, PE) the
/// number of entries (non-zeros plus fillers) and their offset in that PE's
/// sparse-matrix SRAM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeSlices {
    pes: u32,
    rows: u32,
    cols: u32,
    batches: u32,
    batch_rows: u32,
    index_bits: u32,
    /// Entries at `(b * cols + j) * pes + k`.
    counts: Vec<u32>,
    /// Offset of those entries in PE `k`'s SRAM (batch-major, then column), same layout.
    offsets: Vec<u32>,
    /// Entries stored per PE (non-zeros plus fillers).
    pe_entries: Vec<u64>,
    /// Non-zeros per column (all PEs and batches).
    col_nnz: Vec<u32>,
    nonzeros: u64,
    fillers: u64,
}

impl PeSlices {
    /// Interleave the rows of `csc` over `pes` PEs (row `i` on PE `i mod pes`),
    /// split each PE's rows into batches of `batch_rows`, and encode every
    /// (batch, column) of every PE with `index_bits`-bit relative row indices,
    /// inserting a filler zero wherever a gap reaches `2^index_bits` zeros.
    pub fn from_csc(csc: CscRef<'_>, pes: u32, index_bits: u32, batch_rows: u32) -> Result<PeSlices, MatrixError> {
        if pes == 0 || batch_rows == 0 || !(1..=31).contains(&index_bits) {
            return Err(MatrixError::Malformed(format!(
                "need pes ≥ 1, batch_rows ≥ 1, index_bits 1..=31; got {pes}, {batch_rows}, {index_bits}"
            )));
        }
        let (rows, cols) = (csc.rows(), csc.cols());
        let rows_per_pe = rows.div_ceil(pes).max(1);
        let batches = rows_per_pe.div_ceil(batch_rows);
        let size = u64::from(batches) * u64::from(cols) * u64::from(pes);
        if size > (1u64 << 31) {
            return Err(MatrixError::TooLarge(format!(
                "{batches} batches × {cols} columns × {pes} PEs = {size} PE-columns (limit 2^31)"
            )));
        }
        let (n, nb, ncols) = (pes as usize, batches as usize, cols as usize);
        let mut counts = vec![0u32; size as usize];
        let mut pe_entries = vec![0u64; n];
        let mut fillers = 0u64;
        // Per row: its (batch, PE) slot `b·n + k`, and its row within the batch.
        let place: Vec<(u32, u32)> = (0..rows)
            .map(|i| {
                let local = i / pes;
                ((local / batch_rows) * pes + i % pes, local % batch_rows)
            })
            .collect();
        // One past the last row (within its batch) seen in the current column, per slot.
        let mut next_row = vec![0u32; nb * n];
        for j in 0..cols {
            next_row.fill(0);
            let col_base = j as usize * n;
            for &i in csc.column(j) {
                let (slot, rb) = place[i as usize];
                let slot = slot as usize;
                let gap = rb - next_row[slot];
                let fill = gap >> index_bits;
                let (b, k) = (slot / n, slot % n);
                counts[b * ncols * n + col_base + k] += 1 + fill;
                pe_entries[k] += 1 + u64::from(fill);
                fillers += u64::from(fill);
                next_row[slot] = rb + 1;
            }
        }
        let mut offsets = vec![0u32; counts.len()];
        let mut run = vec![0u64; n];
        for (chunk_c, chunk_o) in counts.chunks_exact(n).zip(offsets.chunks_exact_mut(n)) {
            for k in 0..n {
                chunk_o[k] = run[k] as u32;
                run[k] += u64::from(chunk_c[k]);
            }
        }
        if run.iter().any(|&r| r > u64::from(u32::MAX)) {
            return Err(MatrixError::TooLarge("a PE holds more than 2^32 − 1 entries".into()));
        }
        Ok(PeSlices {
            pes,
            rows,
            cols,
            batches,
            batch_rows,
            index_bits,
            counts,
            offsets,
            pe_entries,
            col_nnz: (0..cols).map(|j| csc.column(j).len() as u32).collect(),
            nonzeros: csc.nnz(),
            fillers,
        })
    }

    /// Number of PEs.
    pub fn pes(&self) -> u32 {
        self.pes
    }
    /// Rows of the matrix (outputs).
    pub fn rows(&self) -> u32 {
        self.rows
    }
    /// Columns of the matrix (inputs).
    pub fn cols(&self) -> u32 {
        self.cols
    }
    /// Output batches (each a full pass over the non-zero activations).
    pub fn batches(&self) -> u32 {
        self.batches
    }
    /// Local rows per PE per batch.
    pub fn batch_rows(&self) -> u32 {
        self.batch_rows
    }
    /// Relative index width used for the encoding.
    pub fn index_bits(&self) -> u32 {
        self.index_bits
    }
    /// Non-zero weights of the matrix.
    pub fn nonzeros(&self) -> u64 {
        self.nonzeros
    }
    /// Filler zeros inserted by the encoding.
    pub fn fillers(&self) -> u64 {
        self.fillers
    }
    /// Entries stored on each PE (non-zeros plus fillers).
    pub fn pe_entries(&self) -> &[u64] {
        &self.pe_entries
    }

    /// Non-zero weights of column `j` (all PEs and batches).
    pub fn column_nonzeros(&self, j: u32) -> u32 {
        self.col_nnz.get(j as usize).copied().unwrap_or(0)
    }

    /// Entries of column `j` in batch `b`, one per PE.
    pub fn counts(&self, b: u32, j: u32) -> &[u32] {
        let at = (b as usize * self.cols as usize + j as usize) * self.pes as usize;
        &self.counts[at..at + self.pes as usize]
    }

    /// SRAM offsets of column `j` in batch `b`, one per PE.
    pub fn offsets(&self, b: u32, j: u32) -> &[u32] {
        let at = (b as usize * self.cols as usize + j as usize) * self.pes as usize;
        &self.offsets[at..at + self.pes as usize]
    }
}
