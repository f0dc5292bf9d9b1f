//! The compressor's pipeline: network + weights + recipe + seed → compressed network + table.
//!
//! Deep Compression's order (Han et al., ICLR 2016, Fig. 1), per layer:
//! (optional low-rank split) → prune → quantize → encode → Huffman, then
//! the accounting of every stored bit and the reconstruction error.
//! Layers run in parallel (rayon), each from its own seeded weights, and
//! results keep network order, so the output is the same for any thread
//! count. Two steps look across layers and run first: structured filter or
//! channel pruning that physically removes channels (the neighbour layer
//! shrinks with it, see [`super::structure`]), and global magnitude pruning
//! (one threshold over all layers, from summed radix histograms).
//!
//! No dense copy of the weights outlives its layer's task: the result keeps
//! per layer only the summary and, when asked, the [`SparseMatrix`].

use rayon::prelude::*;

use super::encoding::SparseMatrix;
use super::prune::{self, Cut, FilterShape};
use super::quantize::{self, Kept, Quantized};
use super::recipe::{Format, LayerPlan, Prune, Quant, Recipe};
use super::report::{LayerReport, Report, sqnr_db};
use super::storage::Accounting;
use super::structure;
use super::weights::{WeightSource, mix_seed};
use super::{CompressError, CompressedNetwork, LayerCompression, lowrank, pq};
use crate::layer::{Layer, LayerKind};
use crate::network::Network;

/// Sample input vectors per layer for the output SQNR.
const OUTPUT_SAMPLES: usize = 4;

/// Compress `network` with `recipe`, weights from `weights`, everything seeded by `seed`.
pub fn compress(
    network: &Network,
    weights: &WeightSource,
    recipe: &Recipe,
    seed: u64,
) -> Result<(CompressedNetwork, Report), CompressError> {
    let mut plans = recipe.plan(network).map_err(CompressError::Recipe)?;
    let tensors: Vec<Option<String>> = plans.iter().map(|p| p.tensor.clone()).collect();
    let load = |i: usize| weights.layer_weights(&network.layers[i], i, tensors[i].as_deref(), seed);
    // 1. Structured pruning that removes channels across two layers.
    let drops = structure::plan(network, &plans, &load)?;
    for (i, d) in drops.iter().enumerate() {
        if d.realized {
            // The pruned filters or channels are gone: what remains is dense.
            plans[i].prune = Prune::None;
            if !plans[i].format_set {
                plans[i].format = Format::Dense;
            }
        }
    }
    let shaped = structure::reshape(network, &drops);
    let load_shaped = |i: usize| -> Result<Vec<f32>, CompressError> {
        let w = load(i)?;
        Ok(structure::apply(&network.layers[i], &w, &drops[i]))
    };
    // 2. Global magnitude pruning: one cut over all `scope = "global"` layers of one rate.
    let cuts = global_cuts(&shaped, &plans, &load_shaped)?;
    // 3. Every layer on its own.
    let per_layer: Vec<Result<Vec<Piece>, CompressError>> = (0..shaped.layers.len())
        .into_par_iter()
        .map(|i| {
            let layer = &shaped.layers[i];
            let plan = &plans[i];
            if plan.skip {
                return Ok(vec![skipped(layer, plan)]);
            }
            let w = load_shaped(i)?;
            let item_seed = mix_seed(seed, &[i as u64]);
            let mut pieces = match plan.lowrank {
                None => vec![compress_matrix(layer, &w, plan, cuts[i], item_seed)],
                Some(target) => split_low_rank(layer, &w, plan, target, item_seed)?,
            };
            // Removed filters and channels count as pruned: rates stay relative to the original layer.
            if plan.lowrank.is_none() && (drops[i].rows.is_some() || drops[i].inputs.is_some()) {
                let orig = network.layers[i].weights();
                for p in &mut pieces {
                    p.report.weights = orig;
                    p.report.dense_bytes = 4 * orig;
                }
            }
            if let Some(n) = &drops[i].note {
                for p in &mut pieces {
                    p.report.note = join_note(n, &p.report.note);
                }
            }
            Ok(pieces)
        })
        .collect();
    let mut layers = Vec::new();
    let mut comps = Vec::new();
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for (i, r) in per_layer.into_iter().enumerate() {
        for p in r? {
            if p.layer.kind.has_macs() && !plans[i].skip {
                rows.push(p.report);
            } else if p.layer.kind.has_macs() {
                skipped.push(p.layer.name.clone());
            }
            layers.push(p.layer);
            comps.push(p.comp);
        }
    }
    let net = Network { name: network.name.clone(), batch: network.batch, layers };
    let mut report = Report::new(&network.name, &recipe.name, seed, rows);
    report.skipped = skipped;
    Ok((CompressedNetwork { network: net, layers: comps }, report))
}

fn join_note(a: &str, b: &str) -> String {
    if b.is_empty() { a.to_string() } else { format!("{a}; {b}") }
}

/// One output layer of the pipeline.
struct Piece {
    layer: Layer,
    comp: LayerCompression,
    report: LayerReport,
}

fn skipped(layer: &Layer, plan: &LayerPlan) -> Piece {
    let n = layer.weights();
    let comp = LayerCompression { act_bits: plan.act_bits, ..LayerCompression::dense_layer(layer, 32) };
    let report = LayerReport {
        layer: layer.name.clone(),
        weights: n,
        kept: n,
        entries: n,
        weight_bits: 32.0,
        weight_bits_huffman: 32.0,
        dense_bytes: 4 * n,
        compressed_bytes: 4 * n,
        huffman_bytes: 4 * n,
        sqnr_weights_db: f64::INFINITY,
        sqnr_output_db: f64::INFINITY,
        note: "skipped (dense 32-bit)".into(),
        ..LayerReport::default()
    };
    Piece { layer: layer.clone(), comp, report }
}

/// The cut of every `Prune::Global` layer (layers sharing one rate share one threshold).
fn global_cuts(
    net: &Network,
    plans: &[LayerPlan],
    load: &(dyn Fn(usize) -> Result<Vec<f32>, CompressError> + Sync),
) -> Result<Vec<Option<Cut>>, CompressError> {
    let mut cuts = vec![None; plans.len()];
    let mut rates: Vec<f64> =
        plans.iter().filter_map(|p| if let Prune::Global(r) = p.prune { Some(r) } else { None }).collect();
    rates.sort_by(f64::total_cmp);
    rates.dedup();
    for rate in rates {
        let members: Vec<usize> = (0..plans.len())
            .filter(|&i| plans[i].prune == Prune::Global(rate) && plans[i].lowrank.is_none() && !plans[i].skip)
            .collect();
        let total: u64 = members.iter().map(|&i| net.layers[i].weights()).sum();
        let n_prune = (rate * total as f64).round() as u64;
        if n_prune == 0 {
            continue;
        }
        let hists: Vec<Vec<u64>> =
            members.par_iter().map(|&i| load(i).map(|w| prune::high_histogram(&w))).collect::<Result<_, _>>()?;
        let sum = sum_hists(&hists);
        let rank = n_prune - 1;
        let (hi, before_hi) = prune::find_bucket(&sum, rank);
        let lows: Vec<Vec<u64>> =
            members.par_iter().map(|&i| load(i).map(|w| prune::low_histogram(&w, hi))).collect::<Result<_, _>>()?;
        let (lo, before_lo) = prune::find_bucket(&sum_hists(&lows), rank - before_hi);
        let key = hi << 16 | lo;
        // Ties at the cut are pruned in layer order, then position order.
        let mut ties = rank - before_hi - before_lo + 1;
        for (m, &i) in members.iter().enumerate() {
            let here = lows[m][lo as usize].min(ties);
            ties -= here;
            cuts[i] = Some(Cut { key, ties: here });
        }
    }
    Ok(cuts)
}

fn sum_hists(h: &[Vec<u64>]) -> Vec<u64> {
    let mut s = vec![0u64; 1 << 16];
    for x in h {
        for (a, b) in s.iter_mut().zip(x) {
            *a += b;
        }
    }
    s
}

/// Replace a layer by its two low-rank factors and compress each.
fn split_low_rank(
    layer: &Layer,
    w: &[f32],
    plan: &LayerPlan,
    target: lowrank::RankTarget,
    seed: u64,
) -> Result<Vec<Piece>, CompressError> {
    let rows = layer.k as usize;
    let cols = (layer.c_per_group() * layer.r * layer.s) as usize;
    if layer.groups > 1 {
        return Err(CompressError::Layer {
            layer: layer.name.clone(),
            message: "low-rank factorization of grouped convolutions is not supported".into(),
        });
    }
    let f = lowrank::factor(w, rows, cols, target).ok_or_else(|| CompressError::Layer {
        layer: layer.name.clone(),
        message: "the SVD did not converge".into(),
    })?;
    let r = f.rank as u64;
    let first = Layer { name: format!("{}.v", layer.name), k: r, ..layer.clone() };
    let second = match layer.kind {
        LayerKind::Conv => Layer {
            name: format!("{}.u", layer.name),
            n: layer.n,
            ..Layer::conv("", r, layer.p, layer.q, layer.k, 1, 1, 1, 0)
        },
        LayerKind::Matmul => Layer { name: format!("{}.u", layer.name), ..Layer::matmul("", layer.n, r, layer.k) },
        _ => Layer { name: format!("{}.u", layer.name), n: layer.n, ..Layer::fc("", r, layer.k) },
    };
    let second = Layer { act_density: 1.0, ..second };
    // How well the factors alone approximate the layer.
    let (mut sig, mut err) = (0.0f64, 0.0f64);
    for i in 0..rows {
        for j in 0..cols {
            let approx: f32 = (0..f.rank).map(|t| f.second[i * f.rank + t] * f.first[t * cols + j]).sum();
            sig += f64::from(w[i * cols + j]).powi(2);
            err += f64::from(w[i * cols + j] - approx).powi(2);
        }
    }
    let plan = LayerPlan {
        prune: if let Prune::Global(x) = plan.prune { Prune::Magnitude(x) } else { plan.prune },
        ..plan.clone()
    };
    let note = format!(
        "low rank {} of {}: {:.1}% of Σσ² kept, factor SQNR {:.1} dB",
        r,
        rows.min(cols),
        100.0 * f.energy_kept,
        sqnr_db(sig, err)
    );
    let mut a = compress_matrix(&first, &f.first, &plan, None, mix_seed(seed, &[1]));
    let b = compress_matrix(&second, &f.second, &plan, None, mix_seed(seed, &[2]));
    a.report.note = join_note(&note, &a.report.note);
    Ok(vec![a, b])
}

/// Prune, quantize, encode and account one weight matrix (row-major `k × c/g·r·s`).
fn compress_matrix(layer: &Layer, w: &[f32], plan: &LayerPlan, cut: Option<Cut>, seed: u64) -> Piece {
    let rows = layer.k as usize;
    let cols = (layer.c_per_group() * layer.r * layer.s) as usize;
    let shape = FilterShape { k: rows, c: layer.c_per_group() as usize, r: layer.r as usize, s: layer.s as usize };
    // 1. Prune.
    let mut keep = match plan.prune {
        Prune::None => vec![true; w.len()],
        Prune::Magnitude(r) => prune::magnitude(w, r),
        Prune::Global(_) => prune::apply_cut(w, cut),
        Prune::Threshold(q) => prune::threshold(w, q),
        Prune::Structured(g, norm, r) => prune::structured(w, shape, g, norm, r),
        Prune::NOfM(n, m) => prune::n_of_m(w, cols, n as usize, m as usize),
    };
    if plan.quant == Quant::Ternary {
        let kept_vals: Vec<f32> = w.iter().zip(&keep).filter(|(_, k)| **k).map(|(x, _)| *x).collect();
        let delta = quantize::ternary_threshold(&kept_vals);
        for (k, x) in keep.iter_mut().zip(w) {
            *k = *k && x.abs() > delta;
        }
    }
    let kept = gather(w, &keep, rows, cols);
    drop(keep);
    // 2. Quantize (product quantization is its own dense path).
    if let Quant::Product { bits, subvector, iterations } = plan.quant {
        return product_piece(layer, w, &kept, plan, bits, subvector as usize, iterations, seed);
    }
    let q = match plan.quant {
        Quant::None | Quant::Product { .. } => Quantized::float(),
        Quant::Linear { bits, per_channel, symmetric } => quantize::linear(&kept, bits, per_channel, symmetric),
        Quant::KMeans { bits, init, iterations } => quantize::kmeans(&kept, bits, init, iterations, seed),
        Quant::Binary => quantize::binary(&kept),
        Quant::Ternary => quantize::ternary(&kept),
    };
    // 3. Encode and count.
    let n = w.len() as u64;
    let nnz = kept.values.len() as u64;
    let alphabet = q.alphabet();
    let codebook = q.codebook().unwrap_or_default();
    let want_matrix = plan.format != Format::Dense || keep_structure(layer, plan, nnz, n);
    let m = want_matrix.then(|| to_sparse(rows, cols, &kept, &q, codebook.clone()));
    let mut acc = Accounting::new(alphabet, plan);
    match (plan.format, &m) {
        (Format::Csc, Some(m)) => acc.relative_columns(m, true),
        (Format::Csr, Some(m)) => acc.relative_columns(&m.transpose(), true),
        (Format::Rle, Some(m)) => acc.relative_flat(m),
        (Format::Bitmask, Some(m)) => acc.bitmask(m, n),
        _ => acc.dense(&q, n, nnz),
    }
    let (pq_bits, h_bits) = acc.totals(q.overhead_bits);
    // 4. Reconstruction quality.
    let e = errors(w, &kept, rows, cols, layer, seed, |row, i, orig| q.value(row, i, orig));
    let sparse = if keep_structure(layer, plan, nnz, n) { m } else { None };
    finish(layer, plan, n, nnz, &acc, pq_bits, h_bits, e, sparse)
}

/// Keep the sparse structure? Recipe's word, else FC and matmul layers that are pruned.
fn keep_structure(layer: &Layer, plan: &LayerPlan, nnz: u64, n: u64) -> bool {
    plan.keep_structure.unwrap_or(matches!(layer.kind, LayerKind::Fc | LayerKind::Matmul) && nnz < n)
}

/// Row-major list of the kept weights.
fn gather(w: &[f32], keep: &[bool], rows: usize, cols: usize) -> Kept {
    let count = keep.iter().filter(|&&k| k).count();
    let mut kept = Kept {
        values: Vec::with_capacity(count),
        cols: Vec::with_capacity(count),
        row_ptr: Vec::with_capacity(rows + 1),
    };
    kept.row_ptr.push(0);
    for r in 0..rows {
        for c in 0..cols {
            if keep[r * cols + c] {
                kept.values.push(w[r * cols + c]);
                kept.cols.push(c as u32);
            }
        }
        kept.row_ptr.push(kept.values.len());
    }
    kept
}

/// CSC of the kept weights with 16-bit codes (0 when not codebook-quantized).
fn to_sparse(rows: usize, cols: usize, kept: &Kept, q: &Quantized, codebook: Vec<f32>) -> SparseMatrix {
    let mut col_ptr = vec![0u32; cols + 1];
    for &c in &kept.cols {
        col_ptr[c as usize + 1] += 1;
    }
    for j in 0..cols {
        col_ptr[j + 1] += col_ptr[j];
    }
    let mut next = col_ptr.clone();
    let nnz = kept.values.len();
    let mut row_idx = vec![0u32; nnz];
    let mut code = vec![0u16; nnz];
    let coded = !codebook.is_empty();
    for r in 0..rows {
        for i in kept.row_ptr[r]..kept.row_ptr[r + 1] {
            let c = kept.cols[i] as usize;
            let at = next[c] as usize;
            row_idx[at] = r as u32;
            code[at] = if coded { q.codes[i] as u16 } else { 0 };
            next[c] += 1;
        }
    }
    SparseMatrix { rows: rows as u32, cols: cols as u32, col_ptr, row_idx, code, codebook }
}

/// Signal and noise energies of the weights and of the outputs on sample inputs.
#[derive(Debug, Clone, Copy, Default)]
struct Errors {
    w_sig: f64,
    w_err: f64,
    y_sig: f64,
    y_err: f64,
}

/// Sample inputs: `|N(0, 1)|` with probability `act_density`, else 0 (post-ReLU activations).
fn sample_inputs(cols: usize, density: f64, seed: u64) -> Vec<f32> {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let normal = statrs::distribution::Normal::standard();
    (0..cols * OUTPUT_SAMPLES)
        .map(|_| {
            let on = rng.random::<f64>() < density;
            let v = rand::distr::Distribution::sample(&normal, &mut rng).abs() as f32;
            if on { v } else { 0.0 }
        })
        .collect()
}

/// Errors of the reconstruction `value(row, kept index, original)` (0 where pruned).
fn errors(
    w: &[f32],
    kept: &Kept,
    rows: usize,
    cols: usize,
    layer: &Layer,
    seed: u64,
    value: impl Fn(usize, usize, f32) -> f32 + Sync,
) -> Errors {
    let x = sample_inputs(cols, layer.act_density, mix_seed(seed, &[0xAC7]));
    // Fixed blocks of rows, summed in order: the same sums for any thread count.
    let blocks: Vec<Errors> = (0..rows.div_ceil(64))
        .into_par_iter()
        .map(|b| {
            let mut e = Errors::default();
            for r in b * 64..((b + 1) * 64).min(rows) {
                let mut y = [0f64; OUTPUT_SAMPLES];
                let mut yh = [0f64; OUTPUT_SAMPLES];
                let mut i = kept.row_ptr[r];
                for c in 0..cols {
                    let orig = w[r * cols + c];
                    let hat = if i < kept.row_ptr[r + 1] && kept.cols[i] as usize == c {
                        i += 1;
                        value(r, i - 1, orig)
                    } else {
                        0.0
                    };
                    e.w_sig += f64::from(orig) * f64::from(orig);
                    e.w_err += f64::from(orig - hat) * f64::from(orig - hat);
                    for s in 0..OUTPUT_SAMPLES {
                        let xv = f64::from(x[s * cols + c]);
                        y[s] += f64::from(orig) * xv;
                        yh[s] += f64::from(hat) * xv;
                    }
                }
                for s in 0..OUTPUT_SAMPLES {
                    e.y_sig += y[s] * y[s];
                    e.y_err += (y[s] - yh[s]) * (y[s] - yh[s]);
                }
            }
            e
        })
        .collect();
    blocks.iter().fold(Errors::default(), |a, b| Errors {
        w_sig: a.w_sig + b.w_sig,
        w_err: a.w_err + b.w_err,
        y_sig: a.y_sig + b.y_sig,
        y_err: a.y_err + b.y_err,
    })
}

#[allow(clippy::too_many_arguments)]
fn product_piece(
    layer: &Layer,
    w: &[f32],
    kept: &Kept,
    plan: &LayerPlan,
    bits: u32,
    d: usize,
    iterations: u32,
    seed: u64,
) -> Piece {
    let rows = layer.k as usize;
    let cols = w.len() / rows.max(1);
    // Pruned positions are zeros of the matrix that product quantization then codes.
    let mut dense = vec![0f32; w.len()];
    for r in 0..rows {
        for i in kept.row_ptr[r]..kept.row_ptr[r + 1] {
            dense[r * cols + kept.cols[i] as usize] = kept.values[i];
        }
    }
    let p = pq::product_quantize(&dense, rows, cols, d, bits, iterations, seed);
    let all = gather(&dense, &vec![true; dense.len()], rows, cols);
    let e = errors(w, &all, rows, cols, layer, seed, |r, i, _| p.value(r, i - r * cols));
    let n = w.len() as u64;
    let bits_total = p.storage_bits(bits);
    let acc = Accounting {
        weight_bits: bits,
        rel_bits: 0,
        index_bits: 0,
        entries: rows as u64 * cols.div_ceil(d) as u64,
        fillers: 0,
        fixed_bits: 0,
        weight_freq: None,
        index_freq: None,
        huffman: false,
    };
    let mut piece = finish(layer, plan, n, kept.values.len() as u64, &acc, bits_total, bits_total, e, None);
    piece.report.note =
        format!("product quantization: {} sub-spaces of {d}, {} centroids", cols.div_ceil(d), p.centroids);
    piece
}

#[allow(clippy::too_many_arguments)]
fn finish(
    layer: &Layer,
    plan: &LayerPlan,
    n: u64,
    nnz: u64,
    acc: &Accounting,
    pq_bits: u64,
    h_bits: u64,
    e: Errors,
    sparse: Option<SparseMatrix>,
) -> Piece {
    let entries = acc.entries.max(1) as f64;
    let hw = acc.huffman_weight_bits() as f64 / entries;
    let hi = if acc.index_bits == 0 { 0.0 } else { acc.huffman_index_bits() as f64 / entries };
    let comp = LayerCompression {
        weight_density: if n > 0 { nnz as f64 / n as f64 } else { 1.0 },
        weight_bits: acc.weight_bits,
        index_bits: acc.index_bits,
        act_bits: plan.act_bits,
        encoded_bytes: pq_bits.div_ceil(8),
        huffman_bytes: plan.huffman.then(|| h_bits.div_ceil(8)),
        format: plan.format,
        sparse,
    };
    let report = LayerReport {
        layer: layer.name.clone(),
        weights: n,
        kept: nnz,
        entries: acc.entries,
        fillers: acc.fillers,
        weight_bits: f64::from(acc.weight_bits),
        weight_bits_huffman: if plan.huffman { hw } else { f64::from(acc.weight_bits) },
        index_bits: f64::from(acc.index_bits),
        index_bits_huffman: if plan.huffman { hi } else { f64::from(acc.index_bits) },
        dense_bytes: 4 * n,
        compressed_bytes: pq_bits.div_ceil(8),
        huffman_bytes: if plan.huffman { h_bits.div_ceil(8) } else { pq_bits.div_ceil(8) },
        sqnr_weights_db: sqnr_db(e.w_sig, e.w_err),
        sqnr_output_db: sqnr_db(e.y_sig, e.y_err),
        note: String::new(),
        weight_signal: e.w_sig,
        weight_noise: e.w_err,
        output_signal: e.y_sig,
        output_noise: e.y_err,
    };
    Piece { layer: layer.clone(), comp, report }
}
