//! EIE timing as an exact event recurrence (same cycles as [`super::cycle`]).
//!
//! The machine (Han et al., ISCA 2016, Sec. IV): the leading-non-zero
//! detector broadcasts one non-zero activation per cycle into every PE's
//! activation queue; the broadcast is disabled while any queue is full; each
//! PE works on the activation at the head of its queue, which leaves the
//! queue when its last entry has been issued. A visit `v` (one broadcast
//! activation, i.e. one column of one output batch) costs PE `k`
//! `w(k,v) = max(1, entries)` cycles: one entry per cycle through the
//! arithmetic unit, and at least the one cycle in which the pointer read
//! unit reads `p_j, p_j+1` to find the column empty (the pointer read of the
//! next column overlaps the last entry of the current one).
//!
//! With cycles numbered from 0, broadcast `B(v)`, start `S(k,v)` and
//! finish `F(k,v)` (the first cycle after the PE's last cycle on `v`):
//!
//! ```text
//! B(v)   = max( B(v−1) + 1,  max_k F(k, v−D) )   // one per cycle; a free slot in every queue of depth D
//! S(k,v) = max( B(v) + 1,    F(k, v−1) )         // visible the cycle after the broadcast
//! F(k,v) = S(k,v) + w(k,v)
//! ```
//!
//! with `B(−1) = −1` and `F(k, v<0) = 0`. The run ends at `max_k F(k, last)`.
//! Only `max_k F` of the last `D` visits and each PE's last `F` are kept,
//! so a visit costs O(PEs) time and the state is O(PEs + D).

use super::Timing;

/// The recurrence's state; feed visits in broadcast order, then [`Recurrence::finish`].
#[derive(Debug, Clone)]
pub struct Recurrence {
    depth: usize,
    /// `max_k F(k, v)` of the last `depth` visits, at index `v % depth`.
    ring: Vec<u64>,
    /// `F(k, v−1)` per PE.
    finish: Vec<u64>,
    busy: Vec<u64>,
    visits: u64,
    last_broadcast: Option<u64>,
    stall: u64,
}

impl Recurrence {
    /// A machine of `pes` PEs with activation queues of `queue_depth` (≥ 1) entries.
    pub fn new(pes: usize, queue_depth: usize) -> Recurrence {
        let depth = queue_depth.max(1);
        Recurrence {
            depth,
            // Grown on demand: a queue deeper than the number of visits never fills.
            ring: Vec::with_capacity(depth.min(4096)),
            finish: vec![0; pes],
            busy: vec![0; pes],
            visits: 0,
            last_broadcast: None,
            stall: 0,
        }
    }

    /// Broadcast one activation whose column holds `entries[k]` entries on PE `k`.
    #[inline]
    pub fn visit(&mut self, entries: &[u32]) {
        let earliest = self.last_broadcast.map_or(0, |b| b + 1);
        let slot = (self.visits % self.depth as u64) as usize;
        let free_at = self.ring.get(slot).copied().unwrap_or(0);
        let b = earliest.max(free_at);
        self.stall += b - earliest;
        let visible = b + 1;
        let mut max_f = 0;
        for ((f, busy), &e) in self.finish.iter_mut().zip(self.busy.iter_mut()).zip(entries) {
            let w = u64::from(e.max(1));
            *f = (*f).max(visible) + w;
            *busy += w;
            max_f = max_f.max(*f);
        }
        if slot < self.ring.len() {
            self.ring[slot] = max_f;
        } else {
            self.ring.push(max_f);
        }
        self.last_broadcast = Some(b);
        self.visits += 1;
    }

    /// Visits broadcast so far.
    pub fn visits(&self) -> u64 {
        self.visits
    }

    /// The timing of everything fed so far.
    pub fn finish(&self) -> Timing {
        Timing {
            cycles: self.finish.iter().copied().max().unwrap_or(0),
            broadcasts: self.visits,
            broadcast_stall_cycles: self.stall,
            pe_busy_cycles: self.busy.clone(),
        }
    }
}
