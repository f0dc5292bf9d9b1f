//! Stripes (Judd et al., MICRO 2016) over DaDianNao on the paper's six networks.
//!
//! Inputs: the presets as shipped and the `stripes` precision profile (the
//! paper's Table 2 as recalled: UNCONFIRMED values, used as inputs, never
//! compared). Speedups and energy efficiencies over conv layers, as the
//! Toronto papers report them. Tolerances from the Stripes issue: 5 % on the
//! average speedup and the Pragmatic terms fraction, 10 % on the range ends
//! and the energy efficiency. Explanations: `docs/stripes.md`.

use eyrie_arch::Arch;
use eyrie_workloads::compress::CompressedNetwork;
use eyrie_workloads::precision_profile;

use super::{Ctx, Documented, Lookup, Tolerance, ValidateError};
use crate::accounting::dram_index;
use crate::compare::{NetworkSummary, Side, mean, summarize};
use crate::SimResult;

/// The paper's six networks (zoo names).
const NETWORKS: [&str; 6] = ["alexnet", "nin", "googlenet", "vgg-m", "vgg-s", "vgg19"];
const DOC: &str = "docs/stripes.md#explanations-of-the-misses";

/// Each network on the baseline and on each of `others`, summarised against the baseline.
fn summaries(ctx: &Ctx<'_>, base: &Arch, others: &[&Arch]) -> Result<Vec<Vec<NetworkSummary>>, ValidateError> {
    let mut out = vec![Vec::new(); others.len()];
    for name in NETWORKS {
        let net = eyrie_workloads::load_network(name).map_err(|e| ctx.fail(e))?;
        let profile = precision_profile::builtin("stripes", &net).map_err(|e| ctx.fail(e))?;
        let is_conv: Vec<bool> = net.layers.iter().map(|l| l.kind.as_str() == "conv").collect();
        let run = |a: &Arch| -> Result<SimResult, ValidateError> {
            let mut cnet = CompressedNetwork::dense(net.clone(), a.word_bits);
            profile.apply(&mut cnet);
            ctx.simulate(a, &cnet)
        };
        let b = run(base)?;
        let base_side = Side { label: "dadiannao", result: &b, dram_level: dram_index(base) };
        for (i, a) in others.iter().enumerate() {
            let r = run(a)?;
            let side = Side { label: &a.name, result: &r, dram_level: dram_index(a) };
            out[i].push(summarize(&base_side, &side, &is_conv, base.word_bits));
        }
    }
    Ok(out)
}

/// The headline figures (abstract), the Pragmatic cross-checks and Dynamic Stripes.
pub(super) fn headline(ctx: &mut Ctx<'_>) -> Result<(), ValidateError> {
    let load = |name: &str, sets: &[(String, String)]| Arch::load(name, sets).map_err(|e| ctx.fail(e));
    let dadn = load("dadiannao", &[])?;
    let str_ = load("stripes", &[])?;
    let dynamic = load("stripes", &[("bit_serial.dynamic_precision".into(), "true".into())])?;
    let mut all = summaries(ctx, &dadn, &[&str_, &dynamic])?;
    let dyn_rows = all.pop().unwrap_or_default();
    let rows = all.pop().unwrap_or_default();
    let note = "conv layers; precisions from the recalled Table 2 profile (UNCONFIRMED input)";
    for s in &rows {
        ctx.model_only("speedup over DaDianNao", &s.network, s.speedup_conv, note);
    }
    for s in &rows {
        ctx.model_only("energy efficiency over DaDianNao", &s.network, s.energy_eff_conv, note);
    }
    for s in &rows {
        ctx.model_only("terms processed / DaDianNao's", &s.network, s.terms_fraction_conv, note);
    }
    let speed: Vec<f64> = rows.iter().map(|s| s.speedup_conv).collect();
    let lo = speed.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = speed.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let q = "speedup over DaDianNao";
    let avg = [Lookup::whole("stripes", "headline.speedup_avg"), Lookup::whole("stripes2", "headline.speedup_avg")];
    let note = "arithmetic mean over the six networks, conv layers";
    ctx.check(&avg, q, "average", mean(&rows, |s| s.speedup_conv), Tolerance::Relative(0.05), None, note)?;
    let min = [
        Lookup::whole("stripes", "headline.speedup_min"),
        Lookup::at("stripes", "headline.speedup_range", 0),
        Lookup::at("stripes2", "headline.speedup_range", 0),
    ];
    ctx.check(&min, q, "lowest network", lo, Tolerance::Relative(0.10), None, "lowest of the six")?;
    let max = [
        Lookup::whole("stripes", "headline.speedup_max"),
        Lookup::at("stripes", "headline.speedup_range", 1),
        Lookup::at("stripes2", "headline.speedup_range", 1),
    ];
    let documented = Documented {
        doc: DOC,
        why: "no layer of the recorded profiles is below 5 bits, so no network can exceed 16/5 = 3.2x",
        band: (-0.70, -0.29),
    };
    ctx.check(&max, q, "highest network", hi, Tolerance::Relative(0.10), Some(documented), "highest of the six")?;
    let eff = [
        Lookup::whole("stripes", "headline.energy_efficiency"),
        Lookup::whole("stripes2", "headline.energy_efficiency"),
    ];
    let documented = Documented {
        doc: DOC,
        why: "SB weight reads, DRAM and NM energy that Stripes does not change dominate on the 45 nm SRAM curve; \
              the paper's 65 nm power model is not available",
        band: (-0.40, -0.15),
    };
    let e = mean(&rows, |s| s.energy_eff_conv);
    let note = "DaDianNao energy / Stripes energy, conv layers, mean of six";
    let q = "energy efficiency over DaDianNao";
    ctx.check(&eff, q, "average", e, Tolerance::Relative(0.10), Some(documented), note)?;
    let terms = [
        Lookup::whole("stripes", "pragmatic.str_terms_fraction"),
        Lookup { file: "stripes2", id: "derived.mean_term_fraction_check", sel: super::Sel::Key("pragmatic_stated_str_term_fraction") },
    ];
    let t = mean(&rows, |s| s.terms_fraction_conv);
    let note = "sum MACs x p / sum MACs x 16, conv layers, mean of six (Pragmatic MICRO 2017 Sec. 2.2)";
    ctx.check(&terms, "terms processed / DaDianNao's", "average", t, Tolerance::Relative(0.05), None, note)?;
    let pra = [
        Lookup::whole("stripes", "pragmatic.str_speedup_conv"),
        Lookup::whole("stripes", "crossref.pragmatic_str_avg"),
        Lookup::whole("stripes2", "crossref.pragmatic_micro.str_avg_conv"),
    ];
    let note = "a second study of the same design (Pragmatic Sec. 6.2.1)";
    let q = "speedup over DaDianNao";
    ctx.check(&pra, q, "Pragmatic study", mean(&rows, |s| s.speedup_conv), Tolerance::Context, None, note)?;
    let over: Vec<f64> = dyn_rows.iter().zip(&rows).map(|(d, s)| d.speedup_conv / s.speedup_conv).collect();
    let dyn_mean = over.iter().sum::<f64>() / over.len().max(1) as f64;
    let ds = [
        Lookup::whole("stripes", "dstripes.speedup_over_stripes"),
        Lookup::whole("stripes2", "dstripes.speedup_over_stripes"),
    ];
    let note = "seeded synthetic activations: i.i.d. values leave little to trim (docs/stripes.md)";
    ctx.check(&ds, "Dynamic Stripes speedup over Stripes", "average", dyn_mean, Tolerance::Context, None, note)?;
    Ok(())
}
