//! EIE timing simulated cycle by cycle: the reference for [`super::recurrence`].
//!
//! Each cycle, in order (Han et al., ISCA 2016, Sec. IV):
//! 1. The central control unit broadcasts the next non-zero activation to
//!    every PE's queue unless some queue is full (queue lengths as at the
//!    start of the cycle); a broadcast becomes workable the next cycle.
//! 2. Every PE whose queue head is workable spends the cycle on it: one
//!    entry through the arithmetic unit, or the pointer read that finds the
//!    column empty. When its last entry is issued the head leaves the queue,
//!    so the slot is free at the start of the next cycle.
//!
//! It costs O(cycles × PEs) and is used to check the recurrence.

use std::collections::VecDeque;

use super::Timing;

/// One queued activation: the first cycle it may be worked on, and the cycles of work left.
#[derive(Debug, Clone, Copy)]
struct Slot {
    visible: u64,
    left: u64,
}

/// Simulate visits (per visit, the entries of its column on each PE) on `pes` PEs with queues of `queue_depth`.
pub fn simulate(pes: usize, queue_depth: usize, visits: &[Vec<u32>]) -> Timing {
    let depth = queue_depth.max(1);
    let mut queues: Vec<VecDeque<Slot>> = vec![VecDeque::with_capacity(depth); pes];
    let mut busy = vec![0u64; pes];
    let mut next = 0usize;
    let mut stall = 0u64;
    let mut t = 0u64;
    while next < visits.len() || queues.iter().any(|q| !q.is_empty()) {
        if next < visits.len() {
            if queues.iter().all(|q| q.len() < depth) {
                for (q, &e) in queues.iter_mut().zip(&visits[next]) {
                    q.push_back(Slot { visible: t + 1, left: u64::from(e.max(1)) });
                }
                next += 1;
            } else {
                stall += 1;
            }
        }
        for (q, b) in queues.iter_mut().zip(busy.iter_mut()) {
            if let Some(head) = q.front_mut()
                && head.visible <= t
            {
                head.left -= 1;
                *b += 1;
                if head.left == 0 {
                    q.pop_front();
                }
            }
        }
        t += 1;
    }
    Timing { cycles: t, broadcasts: visits.len() as u64, broadcast_stall_cycles: stall, pe_busy_cycles: busy }
}
