//! Folds of a GEMM on a `rows × cols` systolic array: cycles, SRAM accesses, utilization.
//!
//! The fold model of SCALE-Sim v2/v3 (Samajdar et al., "A Systematic
//! Methodology for Characterizing Scalability of DNN Accelerators using
//! SCALE-Sim", ISPASS 2020, Sec. III-B), checked number for number against
//! `scalesim==3.0.0`. Each dataflow keeps one GEMM dimension in the array's
//! rows (`S_r`), one in its columns (`S_c`) and streams the third in time (`T`):
//!
//! | dataflow | `S_r` | `S_c` | `T` | cycles of one fold |
//! |---|---|---|---|---|
//! | output stationary (os) | M (pixels) | N (filters) | K (window) | `T + rows + cols − 2` |
//! | weight stationary (ws) | K | N | M | `rows + T + rows + cols − 2` |
//! | input stationary (is)  | K | M | N | `rows + T + rows + cols − 2` |
//!
//! OS streams both operands in skewed (`rows − 1` and `cols − 1` cycles of
//! skew) and drains the outputs in the same window. WS and IS first load the
//! stationary block (`rows` cycles), then stream the other operand (`T`
//! cycles plus `rows − 1` of skew) while partial sums flow down and out
//! (`cols − 1`). The array processes `⌈S_r/rows⌉ · ⌈S_c/cols⌉` folds one
//! after the other (column folds outer, row folds inner); a partial fold at
//! the edge takes as long as a full one. SCALE-Sim reports the index of the
//! last cycle, `folds · fold_cycles − 1`, and so does eyrie.
//!
//! SRAM traffic counts every operand element the array consumes, without
//! de-duplication (an input pixel read by several windows is read each
//! time), and every output block it emits: WS and IS emit one (partial)
//! output block per row fold, OS one final block per fold.

use eyrie_arch::Dataflow;

use super::gemm::Gemm;

/// How a GEMM is folded onto the array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Folding {
    /// The dataflow.
    pub dataflow: Dataflow,
    /// Array rows.
    pub rows: u64,
    /// Array columns.
    pub cols: u64,
    /// GEMM extent mapped onto the rows.
    pub sr: u64,
    /// GEMM extent mapped onto the columns.
    pub sc: u64,
    /// GEMM extent streamed in time.
    pub t: u64,
    /// `⌈sr / rows⌉`.
    pub row_folds: u64,
    /// `⌈sc / cols⌉`.
    pub col_folds: u64,
    /// Cycles of one fold, fill and drain included.
    pub fold_cycles: u64,
}

impl Folding {
    /// Fold `g` onto a `rows × cols` array with `dataflow` (os, ws or is).
    pub fn new(g: &Gemm, rows: u64, cols: u64, dataflow: Dataflow) -> Folding {
        let (sr, sc, t) = match dataflow {
            Dataflow::Os => (g.m, g.n, g.k),
            Dataflow::Is => (g.k, g.m, g.n),
            _ => (g.k, g.n, g.m),
        };
        let fold_cycles = match dataflow {
            Dataflow::Os => t + rows + cols - 2,
            _ => rows + t + rows + cols - 2,
        };
        Folding {
            dataflow,
            rows,
            cols,
            sr,
            sc,
            t,
            row_folds: sr.div_ceil(rows),
            col_folds: sc.div_ceil(cols),
            fold_cycles,
        }
    }

    /// Number of folds.
    pub fn folds(&self) -> u64 {
        self.row_folds * self.col_folds
    }

    /// Rows of the array in use in row fold `fr`.
    pub fn used_rows(&self, fr: u64) -> u64 {
        self.rows.min(self.sr - fr * self.rows)
    }

    /// Columns of the array in use in column fold `fc`.
    pub fn used_cols(&self, fc: u64) -> u64 {
        self.cols.min(self.sc - fc * self.cols)
    }

    /// SCALE-Sim's compute cycles: the index of the last cycle, `folds · fold_cycles − 1`.
    pub fn compute_cycles(&self) -> u64 {
        (self.folds() * self.fold_cycles).saturating_sub(1)
    }

    /// Input (IFMAP) elements read from the SRAM by the array.
    pub fn ifmap_sram_reads(&self) -> u64 {
        match self.dataflow {
            // The whole IFMAP matrix (M x K) is streamed (os) or re-streamed (ws) once per column fold.
            Dataflow::Os | Dataflow::Ws => self.col_folds * self.sr * self.t,
            // Stationary: each element is loaded once.
            _ => self.sr * self.sc,
        }
    }

    /// Filter elements read from the SRAM by the array.
    pub fn filter_sram_reads(&self) -> u64 {
        match self.dataflow {
            Dataflow::Os => self.row_folds * self.t * self.sc,
            Dataflow::Is => self.col_folds * self.t * self.sr,
            _ => self.sr * self.sc,
        }
    }

    /// Output words the array writes into the SRAM: `(final, partial)`.
    ///
    /// OS writes each output once. WS and IS write the whole output block
    /// once per row fold; all but the last are partial sums. (SCALE-Sim
    /// 3.0.0's report adds `rows + cols` phantom writes per fold in OS; eyrie
    /// counts only real ones.)
    pub fn ofmap_sram_writes(&self) -> (u64, u64) {
        let outputs = match self.dataflow {
            Dataflow::Os => self.sr * self.sc,
            _ => self.t * self.sc,
        };
        match self.dataflow {
            Dataflow::Os => (outputs, 0),
            _ => (outputs, outputs * (self.row_folds - 1)),
        }
    }

    /// Output words emitted by fold (`fr`, `fc`); the second is true when they are partial sums.
    pub fn fold_outputs(&self, fr: u64, fc: u64) -> (u64, bool) {
        match self.dataflow {
            Dataflow::Os => (self.used_rows(fr) * self.used_cols(fc), false),
            _ => (self.t * self.used_cols(fc), fr + 1 < self.row_folds),
        }
    }

    /// SCALE-Sim's mapping efficiency: the mean over folds of the fraction of PEs mapped.
    pub fn mapping_efficiency(&self) -> f64 {
        (self.sr * self.sc) as f64 / (self.folds() * self.rows * self.cols) as f64
    }

    /// SCALE-Sim's "compute utilization": mean over folds of the mapped fraction
    /// times `T / L`, with `L` = the fold length for OS and, as SCALE-Sim 3.0.0
    /// computes it, `T + 2·rows + 2·cols − 3` for WS and IS (`cols − 1` more than the fold).
    pub fn scalesim_compute_util(&self) -> f64 {
        let l = match self.dataflow {
            Dataflow::Os => self.fold_cycles,
            _ => self.t + 2 * self.rows + 2 * self.cols - 3,
        };
        self.mapping_efficiency() * self.t as f64 / l as f64
    }

    /// Words forwarded from PE to PE, per operand: `(inputs, weights, outputs, psums)`.
    ///
    /// A streamed word crosses the whole array dimension it enters along (idle
    /// PEs of a partial fold still forward it); a stationary word loaded from
    /// the edge travels to its row; a result leaves through the PEs between it
    /// and the edge (OS) or accumulates down every row (WS, IS).
    pub fn noc_words(&self) -> (u64, u64, u64, u64) {
        let (rows, cols) = (self.rows, self.cols);
        let (mut inputs, mut weights, mut outputs, mut psums) = (0u64, 0u64, 0u64, 0u64);
        for fc in 0..self.col_folds {
            let uc = self.used_cols(fc);
            for fr in 0..self.row_folds {
                let ur = self.used_rows(fr);
                // Sum of (rows - 1 - i) and of i over the used rows 0..ur.
                let below: u64 = ur * (rows - 1) - ur * (ur - 1) / 2;
                let above: u64 = ur * (ur - 1) / 2;
                match self.dataflow {
                    Dataflow::Os => {
                        inputs += ur * self.t * (cols - 1);
                        weights += uc * self.t * (rows - 1);
                        outputs += below * uc;
                    }
                    Dataflow::Ws => {
                        weights += above * uc;
                        inputs += ur * self.t * (cols - 1);
                        psums += self.t * uc * (rows - 1);
                    }
                    _ => {
                        inputs += above * uc;
                        weights += ur * self.t * (cols - 1);
                        psums += self.t * uc * (rows - 1);
                    }
                }
            }
        }
        (inputs, weights, outputs, psums)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eyrie_workloads::Layer;

    fn fold(l: &Layer, rows: u64, cols: u64, df: Dataflow) -> Folding {
        Folding::new(&Gemm::of_group(l), rows, cols, df)
    }

    /// A 5x5x3 input, eight 3x3 filters, on 32x32: one fold in every dataflow.
    /// M = 9 pixels, K = 27, N = 8 (the worked example in the module docs of systolic.rs).
    #[test]
    fn single_fold_cycles_by_hand() {
        let l = Layer::conv("small", 3, 5, 5, 8, 3, 3, 1, 0);
        // os: T = K = 27; 27 + 32 + 32 - 2 = 89 cycles, last index 88.
        let os = fold(&l, 32, 32, Dataflow::Os);
        assert_eq!((os.sr, os.sc, os.t, os.folds(), os.compute_cycles()), (9, 8, 27, 1, 88));
        // ws: 32 (weight load) + 9 + 32 + 32 - 2 = 103, last index 102.
        let ws = fold(&l, 32, 32, Dataflow::Ws);
        assert_eq!((ws.sr, ws.sc, ws.t, ws.compute_cycles()), (27, 8, 9, 102));
        // is: 32 + 8 + 62 = 102, last index 101.
        let is = fold(&l, 32, 32, Dataflow::Is);
        assert_eq!((is.sr, is.sc, is.t, is.compute_cycles()), (27, 9, 8, 101));
        for f in [os, ws, is] {
            // 9 x 27 input elements, 27 x 8 weights, 9 x 8 outputs, one fold: each read once.
            assert_eq!(f.ifmap_sram_reads(), 243);
            assert_eq!(f.filter_sram_reads(), 216);
            assert_eq!(f.ofmap_sram_writes(), (72, 0));
        }
    }

    /// A 4x4 array, M = 6, K = 5, N = 9 (a 6-row matmul): several folds, partial ones at the edge.
    #[test]
    fn multi_fold_counts_by_hand() {
        let l = Layer::matmul("mm", 6, 5, 9);
        // os: S_r = 6 -> 2 row folds, S_c = 9 -> 3 col folds; fold = 5 + 4 + 4 - 2 = 11 cycles.
        let os = fold(&l, 4, 4, Dataflow::Os);
        assert_eq!((os.row_folds, os.col_folds, os.fold_cycles, os.compute_cycles()), (2, 3, 11, 65));
        // The IFMAP (6 x 5) streams once per column fold, each filter column once per row fold.
        assert_eq!((os.ifmap_sram_reads(), os.filter_sram_reads(), os.ofmap_sram_writes()), (90, 90, (54, 0)));
        // ws: S_r = K = 5 -> 2, S_c = 9 -> 3; fold = 4 + 6 + 4 + 4 - 2 = 16 cycles; 6 folds.
        let ws = fold(&l, 4, 4, Dataflow::Ws);
        assert_eq!((ws.row_folds, ws.col_folds, ws.fold_cycles, ws.compute_cycles()), (2, 3, 16, 95));
        // Each weight loaded once; inputs once per column fold; outputs once per row fold.
        assert_eq!((ws.ifmap_sram_reads(), ws.filter_sram_reads(), ws.ofmap_sram_writes()), (90, 45, (54, 54)));
        // is: S_r = 5 -> 2, S_c = M = 6 -> 2; fold = 4 + 9 + 6 = 19; 4 folds.
        let is = fold(&l, 4, 4, Dataflow::Is);
        assert_eq!((is.row_folds, is.col_folds, is.fold_cycles, is.compute_cycles()), (2, 2, 19, 75));
        assert_eq!((is.ifmap_sram_reads(), is.filter_sram_reads(), is.ofmap_sram_writes()), (30, 90, (54, 54)));
        // Mapping efficiency: 54 of the 6 x 16 PE slots (os), 45 of them (ws).
        assert!((os.mapping_efficiency() - 54.0 / 96.0).abs() < 1e-12);
        assert!((ws.mapping_efficiency() - 45.0 / 96.0).abs() < 1e-12);
    }

    #[test]
    fn partial_sums_come_from_all_but_the_last_row_fold() {
        let l = Layer::matmul("mm", 6, 5, 9);
        let ws = fold(&l, 4, 4, Dataflow::Ws);
        assert_eq!(ws.fold_outputs(0, 2), (6, true));
        assert_eq!(ws.fold_outputs(1, 0), (24, false));
        let os = fold(&l, 4, 4, Dataflow::Os);
        assert_eq!(os.fold_outputs(1, 2), (2, false));
    }
}
