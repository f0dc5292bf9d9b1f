//! Bit accounting of a layer's stored streams: weights, relative indices,
//! fillers, pointers, and their Huffman-coded sizes.
//!
//! Sizes follow Deep Compression (Han et al., ICLR 2016): each stored entry of
//! a relative-index format costs its weight bits plus its index bits (Sec. 2,
//! Fig. 2), filler zeros included; CSC/CSR add `cols + 1` column pointers, each
//! as wide as the entry count needs (the paper's "2a + n + 1 numbers", with
//! the `a` indices shrunk to relative ones); the codebook costs 32 bits per
//! shared weight (Sec. 3). With Huffman coding the weight-index and
//! relative-index streams are replaced by their canonical Huffman codes plus
//! one byte per symbol for each code table (Sec. 4).

use super::encoding::{SparseMatrix, for_each_relative, max_zeros};
use super::huffman::HuffmanCode;
use super::quantize::{self, Quantized};
use super::recipe::{LayerPlan, Quant};

/// Bit counts of one layer's stored streams.
pub(crate) struct Accounting {
    pub(crate) weight_bits: u32,
    pub(crate) rel_bits: u32,
    pub(crate) index_bits: u32,
    pub(crate) entries: u64,
    pub(crate) fillers: u64,
    pub(crate) fixed_bits: u64,
    pub(crate) weight_freq: Option<Vec<u64>>,
    pub(crate) index_freq: Option<Vec<u64>>,
    pub(crate) huffman: bool,
}

impl Accounting {
    pub(crate) fn new(alphabet: Option<usize>, plan: &LayerPlan) -> Accounting {
        let weight_bits = match plan.quant {
            Quant::None | Quant::Product { .. } => 32,
            Quant::Linear { bits, .. } | Quant::KMeans { bits, .. } => bits,
            Quant::Binary | Quant::Ternary => 1,
        };
        Accounting {
            weight_bits,
            rel_bits: plan.index_bits,
            index_bits: 0,
            entries: 0,
            fillers: 0,
            fixed_bits: 0,
            // One extra symbol for the zero of fillers and of pruned dense positions.
            weight_freq: if plan.huffman { alphabet.map(|k| vec![0; k + 1]) } else { None },
            index_freq: None,
            huffman: plan.huffman,
        }
    }

    pub(crate) fn relative_columns(&mut self, m: &SparseMatrix, pointers: bool) {
        let b = self.plan_index_bits();
        self.index_bits = b;
        if self.huffman && b <= 16 {
            self.index_freq = Some(vec![0; max_zeros(b) as usize + 1]);
        }
        let filler = self.weight_freq.as_ref().map_or(0, |f| f.len() - 1);
        for j in 0..m.cols as usize {
            let (rows, codes) = m.column(j);
            for_each_relative(rows, b, |z, i| self.entry(z, i.map_or(filler, |i| codes[i] as usize), i.is_none()));
        }
        if pointers {
            // Column pointers: cols + 1 offsets, each wide enough for the entry count.
            let width = 64 - self.entries.leading_zeros().min(63);
            self.fixed_bits += (u64::from(m.cols) + 1) * u64::from(width);
        }
    }

    pub(crate) fn relative_flat(&mut self, m: &SparseMatrix) {
        let b = self.plan_index_bits();
        self.index_bits = b;
        if self.huffman && b <= 16 {
            self.index_freq = Some(vec![0; max_zeros(b) as usize + 1]);
        }
        let filler = self.weight_freq.as_ref().map_or(0, |f| f.len() - 1);
        let pos = super::encoding::flat_positions(m);
        for_each_relative(&pos, b, |z, i| self.entry(z, i.map_or(filler, |i| m.code[i] as usize), i.is_none()));
    }

    pub(crate) fn bitmask(&mut self, m: &SparseMatrix, n: u64) {
        self.fixed_bits += n;
        self.index_bits = 0;
        for &c in &m.code {
            self.entries += 1;
            if let Some(f) = &mut self.weight_freq {
                f[c as usize] += 1;
            }
        }
    }

    pub(crate) fn dense(&mut self, q: &Quantized, n: u64, nnz: u64) {
        // Pruned positions stored densely need a code for zero: one more symbol.
        if nnz < n && matches!(q.dequant, quantize::Dequant::Codebook(_)) {
            let k = (1u64 << self.weight_bits) + 1;
            self.weight_bits = 64 - (k - 1).leading_zeros();
        }
        self.entries = n;
        if let Some(f) = &mut self.weight_freq {
            for &c in &q.codes {
                f[c as usize] += 1;
            }
            let zero = f.len() - 1;
            f[zero] += n - nnz;
        }
    }

    fn entry(&mut self, z: u32, sym: usize, filler: bool) {
        self.entries += 1;
        if filler {
            self.fillers += 1;
        }
        if let Some(f) = &mut self.index_freq {
            f[z as usize] += 1;
        }
        if let Some(f) = &mut self.weight_freq {
            f[sym] += 1;
        }
    }

    fn plan_index_bits(&self) -> u32 {
        self.rel_bits
    }

    /// (P+Q bits, P+Q+H bits) including `overhead` (codebook, scales).
    pub(crate) fn totals(&self, overhead: u64) -> (u64, u64) {
        let pq = self.entries * u64::from(self.weight_bits + self.index_bits) + self.fixed_bits + overhead;
        let hw = self.huffman_weight_bits();
        let hi = self.huffman_index_bits();
        (pq, hw + hi + self.fixed_bits + overhead)
    }

    pub(crate) fn huffman_weight_bits(&self) -> u64 {
        match &self.weight_freq {
            Some(f) => {
                let h = HuffmanCode::from_frequencies(f);
                h.encoded_bits(f) + h.table_bits()
            }
            None => self.entries * u64::from(self.weight_bits),
        }
    }

    pub(crate) fn huffman_index_bits(&self) -> u64 {
        match &self.index_freq {
            Some(f) => {
                let h = HuffmanCode::from_frequencies(f);
                h.encoded_bits(f) + h.table_bits()
            }
            None => self.entries * u64::from(self.index_bits),
        }
    }
}
