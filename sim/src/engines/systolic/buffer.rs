//! A double-buffered (ping-pong) SRAM partition, seen from DRAM.
//!
//! One half of the partition feeds the array while the other is filled from
//! DRAM. Words are fetched in the order the array first asks for them; the
//! active half holds every word fetched since the last swap, so a word asked
//! for again is read from the SRAM. When the half is full the halves swap:
//! the next words land in the other half, and what the old half held is
//! overwritten by later prefetches, so a word needed after the swap is
//! fetched again. This is the double-buffered scratchpad of SCALE-Sim
//! (Samajdar et al., ISPASS 2020, Sec. III-C: "double buffered SRAMs"; its
//! "estimate bandwidth" mode also empties the whole working set when it is
//! full), which is why eyrie's DRAM reads follow SCALE-Sim's closely.
//!
//! The buffer works on *units*: runs of words that are always asked for
//! together (all channels of one input position, one filter, ...), so the
//! cost is per unit, not per word. A unit may straddle a swap; the part that
//! landed before the swap is then missing and is fetched again when the
//! unit is next asked for.

/// A double-buffered partition tracking which units the active half holds.
#[derive(Debug, Clone)]
pub struct DoubleBuffer {
    /// Capacity of one half, in words.
    half_words: u64,
    /// Number of the current active half (increments on every swap).
    epoch: u32,
    /// Words fetched into the active half so far.
    filled: u64,
    /// Per unit: the epoch it was last fetched in and how many of its words that half holds.
    units: Vec<(u32, u32)>,
    /// Swaps so far.
    swaps: u64,
    /// The most words the active half ever held.
    max_filled: u64,
}

impl DoubleBuffer {
    /// A buffer whose halves hold `half_words` words each (at least one), for `units` units.
    pub fn new(half_words: u64, units: usize) -> DoubleBuffer {
        DoubleBuffer {
            half_words: half_words.max(1),
            epoch: 0,
            filled: 0,
            units: vec![(u32::MAX, 0); units],
            swaps: 0,
            max_filled: 0,
        }
    }

    /// The array asks for unit `unit` of `size` words; returns the words fetched from DRAM.
    pub fn demand(&mut self, unit: usize, size: u64) -> u64 {
        let Some(&(epoch, held)) = self.units.get(unit) else { return 0 };
        let have = if epoch == self.epoch { u64::from(held) } else { 0 };
        if have >= size {
            return 0;
        }
        let fetched = size - have;
        let mut missing = fetched;
        let mut resident = have;
        loop {
            let room = self.half_words - self.filled;
            if missing < room {
                self.filled += missing;
                resident += missing;
                break;
            }
            // This fetch fills the active half: swap, and the words already
            // fetched for this unit are now in the half that is being recycled.
            missing -= room;
            self.max_filled = self.half_words;
            self.filled = 0;
            self.epoch = self.epoch.wrapping_add(1);
            self.swaps += 1;
            resident = 0;
            if missing == 0 {
                break;
            }
        }
        self.max_filled = self.max_filled.max(self.filled);
        if let Some(u) = self.units.get_mut(unit) {
            *u = (self.epoch, u32::try_from(resident).unwrap_or(u32::MAX));
        }
        fetched
    }

    /// Swaps so far.
    pub fn swaps(&self) -> u64 {
        self.swaps
    }

    /// The most words the active half ever held (never more than one half).
    pub fn max_filled(&self) -> u64 {
        self.max_filled
    }

    /// Capacity of one half, in words.
    pub fn half_words(&self) -> u64 {
        self.half_words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_units_hit_until_the_half_fills() {
        let mut b = DoubleBuffer::new(10, 4);
        assert_eq!(b.demand(0, 4), 4);
        assert_eq!(b.demand(0, 4), 0);
        assert_eq!(b.demand(1, 4), 4);
        // 8 of 10 words used; unit 2 needs 4: 2 fill the half, swap, 2 land in the new half.
        assert_eq!(b.demand(2, 4), 4);
        assert_eq!(b.swaps(), 1);
        // Units 0 and 1 were in the old half: fetched again.
        assert_eq!(b.demand(0, 4), 4);
        // Unit 2 has only its last 2 words in the active half: the other 2 are fetched.
        assert_eq!(b.demand(2, 4), 2);
        assert_eq!(b.demand(2, 4), 0);
        assert_eq!(b.max_filled(), 10);
    }

    #[test]
    fn a_unit_larger_than_a_half_streams_through() {
        let mut b = DoubleBuffer::new(10, 1);
        assert_eq!(b.demand(0, 25), 25);
        assert_eq!(b.swaps(), 2);
        // 5 words remain in the active half; the other 20 are fetched again.
        assert_eq!(b.demand(0, 25), 20);
    }
}
