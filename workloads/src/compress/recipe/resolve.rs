//! Checking a recipe's values and resolving one layer's plan from its merged settings.
//!
//! Range checks run on every section where it is written (so an error points
//! at the line that set the value); the plan of a layer is then built from
//! the defaults merged with every matching override, and values that only a
//! layer can judge (a rank larger than its matrix, a method missing a
//! required value) are reported at the key that last set that section.

use super::*;

/// Range checks of one section, at the keys where the values are written.
pub(super) fn check_settings(s: &Settings, at: &str, loc: &Located<'_>, errs: &mut Vec<Diagnostic>) {
    let mut bad = |key: &str, msg: String| errs.push(loc.at_key(&format!("{at}.{key}"), msg));
    if let Some(p) = &s.prune {
        if let Some(r) = p.rate.filter(|r| !(0.0..1.0).contains(r)) {
            bad("prune.rate", format!("rate must be in [0, 1) (the fraction of weights removed), got {r}"));
        }
        if let Some(q) = p.quality.filter(|q| !(q.is_finite() && *q >= 0.0)) {
            bad("prune.quality", format!("quality must be a non-negative number of standard deviations, got {q}"));
        }
        if let (Some(n), Some(m)) = (p.n, p.m)
            && (m == 0 || n == 0 || n > m)
        {
            bad("prune.n", format!("N:M pruning needs 1 ≤ n ≤ m, got {n}:{m}"));
        }
    }
    if let Some(q) = &s.quantize {
        if let Some(b) = q.bits {
            let max = match q.method {
                Some(QuantMethod::Kmeans | QuantMethod::Pq) => 16,
                _ => 32,
            };
            if b == 0 || b > max {
                let what = if max == 16 { " for k-means and product quantization (2^bits shared values)" } else { "" };
                bad("quantize.bits", format!("bits must be 1..={max}{what}, got {b}"));
            }
        }
        if q.iterations == Some(0) {
            bad("quantize.iterations", "iterations must be at least 1".into());
        }
        if q.subvector == Some(0) {
            bad("quantize.subvector", "subvector must be at least 1".into());
        }
    }
    if let Some(b) = s.encoding.as_ref().and_then(|e| e.index_bits).filter(|b| *b == 0 || *b > 32) {
        bad("encoding.index_bits", format!("index_bits must be 1..=32, got {b}"));
    }
    if let Some(r) = &s.lowrank {
        match (r.rank, r.energy) {
            (Some(_), Some(_)) => bad("lowrank", "give either `rank` or `energy`, not both".into()),
            (None, None) => bad("lowrank", "needs `rank = R` or `energy = E` (fraction of Σσ² kept)".into()),
            (Some(0), _) => bad("lowrank.rank", "rank must be at least 1".into()),
            (_, Some(e)) if !(e > 0.0 && e <= 1.0) => {
                bad("lowrank.energy", format!("energy must be in (0, 1], got {e}"))
            }
            _ => {}
        }
    }
    if let Some(b) = s.act_bits.filter(|b| *b == 0 || *b > 32) {
        bad("act_bits", format!("act_bits must be 1..=32, got {b}"));
    }
}

/// Build a layer's plan from its merged settings; missing required values are errors.
pub(super) fn resolve(
    s: &Settings,
    at: &Where,
    layer: &crate::Layer,
    errs: &mut Vec<(String, String, String)>,
) -> LayerPlan {
    if !layer.kind.has_macs() {
        // Pooling and element-wise layers have no weights: nothing to compress or check.
        return LayerPlan {
            prune: Prune::None,
            quant: Quant::None,
            format: Format::Dense,
            format_set: false,
            index_bits: 0,
            lowrank: None,
            huffman: false,
            act_bits: s.act_bits,
            keep_structure: None,
            skip: true,
            tensor: None,
        };
    }
    let mut need = |key: &str, what: &str| errs.push((key.to_string(), what.to_string(), layer.name.clone()));
    let p = s.prune.clone().unwrap_or_default();
    let rate = |need: &mut dyn FnMut(&str, &str), m: &str| {
        p.rate.unwrap_or_else(|| {
            need(&at.prune, &format!("prune method `{m}` needs `rate`"));
            0.0
        })
    };
    let prune = match p.method.unwrap_or(if p.rate.is_some() { PruneMethod::Magnitude } else { PruneMethod::None }) {
        PruneMethod::None => Prune::None,
        PruneMethod::Magnitude => {
            let r = rate(&mut need, "magnitude");
            if p.scope == Some(Scope::Global) { Prune::Global(r) } else { Prune::Magnitude(r) }
        }
        PruneMethod::Threshold => Prune::Threshold(p.quality.unwrap_or_else(|| {
            need(&at.prune, "prune method `threshold` needs `quality` (pruned: |w| < quality · σ)");
            0.0
        })),
        PruneMethod::Nm => match (p.n, p.m) {
            (Some(n), Some(m)) => Prune::NOfM(n, m),
            _ => {
                need(&at.prune, "prune method `nm` needs `n` and `m` (e.g. n = 2, m = 4)");
                Prune::None
            }
        },
        g @ (PruneMethod::Filter | PruneMethod::Channel | PruneMethod::Kernel | PruneMethod::Vector) => {
            let gran = match g {
                PruneMethod::Filter => Granularity::Filter,
                PruneMethod::Channel => Granularity::Channel,
                PruneMethod::Kernel => Granularity::Kernel,
                _ => Granularity::Vector,
            };
            Prune::Structured(gran, p.norm.unwrap_or_default(), rate(&mut need, "structured"))
        }
    };
    let q = s.quantize.clone().unwrap_or_default();
    let iterations = q.iterations.unwrap_or(100);
    let method = q.method.unwrap_or(if q.bits.is_some() { QuantMethod::Kmeans } else { QuantMethod::None });
    let bits = |need: &mut dyn FnMut(&str, &str), m: &str| {
        q.bits.unwrap_or_else(|| {
            need(&at.quantize, &format!("quantize method `{m}` needs `bits`"));
            8
        })
    };
    let quant = match method {
        QuantMethod::None => Quant::None,
        QuantMethod::Linear => Quant::Linear {
            bits: bits(&mut need, "linear"),
            per_channel: q.per_channel.unwrap_or(false),
            symmetric: q.symmetric.unwrap_or(true),
        },
        QuantMethod::Kmeans => {
            Quant::KMeans { bits: bits(&mut need, "kmeans").min(16), init: q.init.unwrap_or_default(), iterations }
        }
        QuantMethod::Binary => Quant::Binary,
        QuantMethod::Ternary => Quant::Ternary,
        QuantMethod::Pq => Quant::Product {
            bits: bits(&mut need, "pq").min(16),
            subvector: q.subvector.unwrap_or(4),
            iterations: q.iterations.unwrap_or(20),
        },
    };
    let e = s.encoding.clone().unwrap_or_default();
    let sparse_default = if prune == Prune::None && quant != Quant::Ternary { Format::Dense } else { Format::Csc };
    let format = e.format.unwrap_or(sparse_default);
    if matches!(quant, Quant::Product { .. }) && format != Format::Dense {
        need(&at.quantize, "product quantization codes every position; use encoding = { format = \"dense\" }");
    }
    // Deep Compression Sec. 2: 8-bit index differences for conv layers, 5-bit for FC layers.
    let index_bits = e.index_bits.unwrap_or(if layer.kind == crate::LayerKind::Conv { 8 } else { 5 });
    let rows = layer.k;
    let cols = layer.c_per_group() * layer.r * layer.s;
    let lowrank = s.lowrank.as_ref().and_then(|r| match (r.rank, r.energy) {
        (Some(rank), _) => {
            if u64::from(rank) > rows.min(cols) {
                need(
                    &format!("{}.rank", at.lowrank),
                    &format!(
                        "rank {rank} is larger than the layer allows: its weights are {rows} × {cols}, so rank ≤ {}",
                        rows.min(cols)
                    ),
                );
            }
            Some(RankTarget::Rank(rank as usize))
        }
        (None, Some(en)) => Some(RankTarget::Energy(en)),
        _ => None,
    });
    if lowrank.is_some() && matches!(prune, Prune::Structured(Granularity::Filter | Granularity::Channel, ..)) {
        need(&at.lowrank, "low-rank factorization cannot be combined with filter or channel pruning on one layer");
    }
    let _ = &at.encoding;
    LayerPlan {
        prune,
        quant,
        format,
        format_set: e.format.is_some(),
        index_bits,
        lowrank,
        huffman: s.huffman.unwrap_or(false),
        act_bits: s.act_bits,
        keep_structure: s.keep_structure,
        skip: s.skip.unwrap_or(false) || !layer.kind.has_macs(),
        tensor: None,
    }
}
