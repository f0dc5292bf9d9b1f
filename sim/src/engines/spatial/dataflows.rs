//! Dataflows as constraints on mappings.
//!
//! Chen, Emer, Sze, ISCA 2016, Sec. IV–V and VI-A define the dataflows of a
//! spatial array by what each PE keeps and which loops spread across PEs:
//!
//! * **RS** (row stationary, Sec. V): a PE runs 1-D convolutions of a filter
//!   row and an ifmap row: the whole filter row (`S`) plus `p` filters (`K`)
//!   and `q` channels (`C`) interleaved in the scratchpad; the ofmap row
//!   (`Q`) and `n` images (`N`) stream through the PE. A logical PE set is
//!   `R × E`: filter rows (`R`, complete) down the columns, where psums
//!   accumulate, ofmap rows (`P`) across; sets too wide are folded into
//!   segments stacked vertically; `t` sets of different filters replicate on
//!   either axis, `r` sets of different channels only vertically, because
//!   their psums are summed over the local network that links consecutive
//!   rows of a column (JSSC 2017 Sec. IV-A, V-B3). All three tensors live
//!   in the scratchpad.
//! * **WS** (weight stationary, Sec. VI-A): each PE holds one weight; filter
//!   taps, channels and filters spread over the array; the PE then runs all
//!   batch and output-pixel iterations that use its weight; psums pass to the
//!   neighbour or back to the global buffer every cycle; ifmaps are
//!   broadcast/forwarded between PEs.
//! * **OS** (output stationary): each PE accumulates one ofmap pixel in its
//!   scratchpad over channels and filter taps. `osa` (SOC-MOP) spreads pixels
//!   of one channel over the array, `osb` (MOC-MOP, the variant ISCA
//!   models, and what `os` means here) spreads filters down and pixels of a
//!   row across, `osc` (MOC-SOP) spreads filters only. OSA and OSB forward
//!   ifmaps between neighbours for convolutional reuse.
//! * **NLR** (no local reuse): PEs are bare ALUs; groups of PEs read the same
//!   ifmap value with different filters (`K` across) and groups cover
//!   different channels (`C`), whose psums are summed in the array. Every
//!   operand comes from the global buffer.

use eyrie_arch::Dataflow;

use super::problem::{Dim, DimSet, Tensor};

/// What a dataflow allows in a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constraints {
    /// Name shown in reports.
    pub name: &'static str,
    /// Tensors the dataflow keeps in the PE scratchpad (weights, inputs, outputs).
    pub rf_keeps: [bool; 3],
    /// Dimensions that may loop inside the scratchpad (`rf` block).
    pub rf_dims: DimSet,
    /// Dimensions that must be complete in the `rf` block.
    pub rf_full: DimSet,
    /// Dimensions that may loop per PE over scratchpad tiles (`pe` block).
    pub pe_dims: DimSet,
    /// Dimensions that must be complete in the `pe` block (given the `rf` block).
    pub pe_full: DimSet,
    /// Dimensions that may spread down the columns (`spatial_y`).
    pub y_dims: DimSet,
    /// Dimensions that must be complete on `spatial_y` (given the inner blocks).
    pub y_full: DimSet,
    /// Dimensions that may spread across the rows (`spatial_x`).
    pub x_dims: DimSet,
    /// Ifmap values are forwarded between neighbouring PEs, so the array
    /// keeps the overlap of consecutive sliding windows.
    pub forwarding: bool,
}

impl Constraints {
    /// The constraints of a dataflow, or `None` if the spatial engine does not model it.
    pub fn of(df: Dataflow) -> Option<Constraints> {
        use Dim::*;
        let all_out = DimSet::of(&[C, R, S]);
        Some(match df {
            Dataflow::Rs => Constraints {
                name: "rs",
                rf_keeps: [true, true, true],
                rf_dims: DimSet::of(&[K, C, S]),
                rf_full: DimSet::of(&[S]),
                pe_dims: DimSet::of(&[N, Q]),
                pe_full: DimSet::of(&[Q]),
                y_dims: DimSet::of(&[R, P, C, K, G]),
                y_full: DimSet::of(&[R]),
                x_dims: DimSet::of(&[P, K, G]),
                forwarding: false,
            },
            Dataflow::Ws => Constraints {
                name: "ws",
                rf_keeps: [true, false, false],
                rf_dims: DimSet::default(),
                rf_full: DimSet::default(),
                pe_dims: DimSet::of(&[N, P, Q]),
                pe_full: DimSet::default(),
                y_dims: DimSet::of(&[R, S, C, K, G]),
                y_full: DimSet::default(),
                x_dims: DimSet::of(&[R, S, C, K, G]),
                forwarding: true,
            },
            Dataflow::Osa => Constraints {
                name: "osa",
                rf_keeps: [false, false, true],
                rf_dims: all_out,
                rf_full: DimSet::default(),
                pe_dims: DimSet::default(),
                pe_full: DimSet::default(),
                y_dims: DimSet::of(&[P, Q]),
                y_full: DimSet::default(),
                x_dims: DimSet::of(&[P, Q]),
                forwarding: true,
            },
            Dataflow::Os | Dataflow::Osb => Constraints {
                name: "osb",
                rf_keeps: [false, false, true],
                rf_dims: all_out,
                rf_full: DimSet::default(),
                pe_dims: DimSet::default(),
                pe_full: DimSet::default(),
                y_dims: DimSet::of(&[K, G]),
                y_full: DimSet::default(),
                x_dims: DimSet::of(&[Q, P]),
                forwarding: true,
            },
            Dataflow::Osc => Constraints {
                name: "osc",
                rf_keeps: [false, false, true],
                rf_dims: all_out,
                rf_full: DimSet::default(),
                pe_dims: DimSet::default(),
                pe_full: DimSet::default(),
                y_dims: DimSet::of(&[K, G]),
                y_full: DimSet::default(),
                x_dims: DimSet::of(&[K, G]),
                forwarding: false,
            },
            Dataflow::Nlr => Constraints {
                name: "nlr",
                rf_keeps: [false, false, false],
                rf_dims: DimSet::default(),
                rf_full: DimSet::default(),
                pe_dims: DimSet::default(),
                pe_full: DimSet::default(),
                y_dims: DimSet::of(&[C, K, G]),
                y_full: DimSet::default(),
                x_dims: DimSet::of(&[K, C, G]),
                forwarding: false,
            },
            Dataflow::Is | Dataflow::Native => return None,
        })
    }

    /// Whether the scratchpad holds tensor `t` under this dataflow.
    pub fn keeps(&self, t: Tensor) -> bool {
        self.rf_keeps[t.idx()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rs_keeps_everything_and_nlr_nothing() {
        let rs = Constraints::of(Dataflow::Rs).map(|c| c.rf_keeps);
        assert_eq!(rs, Some([true, true, true]));
        let nlr = Constraints::of(Dataflow::Nlr).map(|c| c.rf_keeps);
        assert_eq!(nlr, Some([false, false, false]));
        assert_eq!(Constraints::of(Dataflow::Os).map(|c| c.name), Some("osb"));
        assert!(Constraints::of(Dataflow::Is).is_none());
    }
}
