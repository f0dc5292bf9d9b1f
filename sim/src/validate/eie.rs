//! EIE (Han et al., ISCA 2016) on its nine benchmark layers.
//!
//! Tolerance from the EIE issue: 10 % for every figure. The layers run
//! through the whole engine as `eyrie run --arch eie --net eie-bench` does
//! (synthetic matrices at the Table III densities, seeded). Explanations of
//! the misses: `docs/eie.md`.

use eyrie_arch::Arch;
use eyrie_workloads::compress::CompressedNetwork;
use eyrie_workloads::zoo;

use super::{Check, Ctx, Documented, Lookup, Tolerance, ValidateError};
use crate::SimResult;

const TOL: Tolerance = Tolerance::Relative(0.10);
const DOC: &str = "docs/eie.md";

/// The benchmark on the `eie` preset with `sets`.
fn run(ctx: &Ctx<'_>, sets: &[(&str, &str)]) -> Result<(Arch, SimResult), ValidateError> {
    let sets: Vec<(String, String)> = sets.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let a = Arch::load("eie", &sets).map_err(|e| ctx.fail(e))?;
    let net = zoo::eie_bench();
    let r = ctx.simulate(&a, &CompressedNetwork::dense(net, 16))?;
    Ok((a, r))
}

/// The paper's imbalance explanation does not cover these two layers (docs/eie.md).
fn work_miss(layer: &str) -> Option<Documented> {
    let why = match layer {
        "Alex-8" => "the paper's own theoretical time is 19 % more work than Table III's densities allow",
        "VGG-6" => "the paper's theoretical time is 1.9x the Table III work (and equals Alex-6's, maybe a typo)",
        _ => return None,
    };
    Some(Documented { doc: DOC, why, band: (-0.30, -0.10) })
}

/// Table IV: actual and theoretical latency per layer, 64 PEs, queue depth 8.
pub(super) fn table4(ctx: &mut Ctx<'_>) -> Result<(), ValidateError> {
    let (a, r) = run(ctx, &[])?;
    let actual = "table4_latency.eie.actual";
    let theory = "table4_latency.eie.theoretical";
    for (i, l) in r.layers.iter().enumerate() {
        let us = l.latency_ms * 1e3;
        let theo_us = l.extra("theoretical_cycles").unwrap_or(f64::NAN) / a.clock_mhz;
        let note = "cycle-exact on a seeded matrix at the Table III densities";
        let q = "latency (us)";
        ctx.check(&[Lookup::at("eie", actual, i)], q, &l.layer, us, TOL, work_miss(&l.layer), note)?;
        let note = "entries (non-zeros + fillers) / 64 PEs / 800 MHz";
        let q = "theoretical latency (us)";
        ctx.check(&[Lookup::at("eie", theory, i)], q, &l.layer, theo_us, TOL, work_miss(&l.layer), note)?;
    }
    Ok(())
}

/// Sec. VI-C (queue depth 1), Sec. VIII (256 against 64 PEs) and energy per layer (power × time).
pub(super) fn scaling(ctx: &mut Ctx<'_>) -> Result<(), ValidateError> {
    // "At FIFO size = 1, around half of the total cycles are idle": load-balance efficiency 0.5.
    let (_, q1) = run(ctx, &[("eie.queue_depth", "1")])?;
    let eff: Vec<f64> = q1.layers.iter().filter_map(|l| l.extra("load_balance_efficiency")).collect();
    let mean = eff.iter().sum::<f64>() / eff.len().max(1) as f64;
    let documented = Some(Documented {
        doc: DOC,
        why: "\"around half\" is words, not a measurement; with one slot each column costs the slowest PE's work",
        band: (-0.20, 0.0),
    });
    ctx.check(
        &[Lookup::whole("eie", "derived.load_balance_fifo1")],
        "load-balance efficiency at queue depth 1",
        "mean of the nine layers",
        mean,
        TOL,
        documented,
        "1 - starved PE-cycles / PE-cycles",
    )?;

    // "With 256 PEs, EIE has 3.25x more throughput than 64 PEs" (AlexNet FC7).
    let (_, p64) = run(ctx, &[])?;
    let (_, p256) = run(ctx, &[("pe_array.cols", "256")])?;
    let cycles = |r: &SimResult, name: &str| r.layers.iter().find(|l| l.layer == name).map(|l| l.cycles as f64);
    if let (Some(c64), Some(c256)) = (cycles(&p64, "Alex-7"), cycles(&p256, "Alex-7")) {
        let documented = Some(Documented {
            doc: DOC,
            why: "Table V implies 3.47x, not 3.25x; fillers of uniformly random sparsity vanish at 256 PEs",
            band: (0.05, 0.20),
        });
        let note = "Alex-7 cycles at 64 PEs / at 256 PEs";
        let q = "throughput 256 PEs / 64 PEs";
        ctx.check(&[Lookup::whole("eie", "headline.scaling_256pe")], q, "Alex-7", c64 / c256, TOL, documented, note)?;
    }

    // Energy per layer: the paper's is measured power × actual time (Sec. VI-B, Table V: 0.59 W).
    let power = [Lookup::at("eie", "table5_comparison.power_w", 6)];
    let Some((watts, pfig, pfile, pconf)) = ctx.paper(&power)? else { return Ok(()) };
    for (i, l) in p64.layers.iter().enumerate() {
        let Some((us, tfig, _, tconf)) = ctx.paper(&[Lookup::at("eie", "table4_latency.eie.actual", i)])? else {
            continue;
        };
        let documented = match l.layer.as_str() {
            "NT-Wd" | "NT-LSTM" => None,
            "VGG-6" => Some(Documented {
                doc: DOC,
                why: "VGG-6's 25,089 pointers need 50 KB per PE but the Ptr SRAM is 32 KB: eyrie streams them from DRAM",
                band: (5.0, 40.0),
            }),
            _ => Some(Documented {
                doc: DOC,
                why: "Spmat SRAM reads priced on Horowitz's 45 nm curve, and fewer entries per 64-bit read than \
                      the paper's 8",
                band: (0.20, 0.70),
            }),
        };
        ctx.push(Check {
            table: ctx.table,
            quantity: "energy (uJ)".into(),
            item: l.layer.clone(),
            figure: format!("{pfig} x {tfig}"),
            file: pfile.clone(),
            confirmed: pconf && tconf,
            paper: Some(watts * us),
            model: l.energy.total_pj / 1e6,
            tolerance: TOL,
            documented,
            note: "paper: 0.59 W x Table IV time (derived)".into(),
        });
    }
    Ok(())
}
