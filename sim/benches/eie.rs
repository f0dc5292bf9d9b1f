//! Speed of the EIE engine (run by scripts/bench-eie.sh: `cargo bench -p eyrie-sim --bench eie`).
//!
//! Goals (issue #6): the exact recurrence does AlexNet FC6 (9216 × 4096 at
//! 9 % weight density, ~3.4 M non-zeros, 35.1 % activation density) in
//! under 50 ms on one core, matrix generation excluded; all nine EIE
//! benchmark layers in under a second. Each phase is timed separately
//! (minimum and median of repeated runs, one thread): drawing the synthetic
//! matrix, slicing and encoding it for 64 PEs, the timing recurrence with
//! its access counts, and the whole engine per layer. The cycle-by-cycle
//! simulator is timed once on FC6 for comparison.

use std::hint::black_box;
use std::time::{Duration, Instant};

use eyrie_arch::Arch;
use eyrie_sim::RunOptions;
use eyrie_sim::engines::Engine;
use eyrie_sim::engines::eie::matrix::{PeSlices, synthetic_activations, synthetic_csc};
use eyrie_sim::engines::eie::{Eie, cycle, run_matrix};
use eyrie_workloads::compress::CompressedNetwork;
use eyrie_workloads::zoo;

/// Minimum and median of `reps` timed calls.
fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut v: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    v.sort();
    (v[0], v[v.len() / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let arch = match Arch::load("eie", &[]) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    };
    let Some(p) = arch.eie.clone() else { panic!("eie preset has no [eie]") };
    let pes = arch.pe_array.pes() as u32;

    let (gen_min, gen_med) = time(5, || synthetic_csc(4096, 9216, 1, 0.09, 1));
    let csc = match synthetic_csc(4096, 9216, 1, 0.09, 1) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let view = match csc.as_ref() {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    let (slice_min, slice_med) = time(5, || PeSlices::from_csc(view, pes, p.index_bits, p.act_rf_entries));
    let slices = match PeSlices::from_csc(view, pes, p.index_bits, p.act_rf_entries) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let acts = synthetic_activations(9216, 0.351, 2);
    let (rec_min, rec_med) = time(20, || run_matrix(&p, &slices, [&acts]));
    let run = run_matrix(&p, &slices, [&acts]);
    println!("AlexNet FC6 (9216 x 4096, {} non-zeros, {} active columns, 64 PEs):", slices.nonzeros(), acts.len());
    println!("  draw synthetic matrix   min {:8.2} ms  median {:8.2} ms", ms(gen_min), ms(gen_med));
    println!("  slice + encode (64 PEs) min {:8.2} ms  median {:8.2} ms", ms(slice_min), ms(slice_med));
    println!(
        "  recurrence + counts     min {:8.3} ms  median {:8.3} ms  ({} cycles)   goal < 50 ms",
        ms(rec_min),
        ms(rec_med),
        run.timing.cycles
    );
    let visits: Vec<Vec<u32>> = acts.iter().map(|&j| slices.counts(0, j).to_vec()).collect();
    let (cyc, _) = time(1, || cycle::simulate(pes as usize, p.queue_depth as usize, &visits));
    let exact = cycle::simulate(pes as usize, p.queue_depth as usize, &visits);
    println!(
        "  cycle-by-cycle          once {:8.2} ms            ({} cycles, same: {})",
        ms(cyc),
        exact.cycles,
        exact == run.timing
    );

    let net = zoo::eie_bench();
    let comp = CompressedNetwork::dense(net.clone(), arch.word_bits);
    let opts = RunOptions { seed: 1, ..RunOptions::default() };
    println!("Nine EIE benchmark layers, whole engine per layer (draw + slice + simulate), one thread:");
    let mut total_min = Duration::ZERO;
    for (l, c) in net.layers.iter().zip(&comp.layers) {
        let (min, med) = time(3, || Eie.run_layer(&arch, l, c, &opts));
        total_min += min;
        println!("  {:8} min {:8.2} ms  median {:8.2} ms", l.name, ms(min), ms(med));
    }
    println!("  all nine                {:8.2} ms (sum of minima)   goal < 1000 ms", ms(total_min));
}
