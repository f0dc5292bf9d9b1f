//! Activation precision for the bit-serial engine: per layer, and per group at run time.
//!
//! * Per layer (Stripes, Judd et al., MICRO 2016): the layer's
//!   [`LayerCompression::act_bits`] (set by a precision profile or by the
//!   compressor's fixed-point activations), else the arch's
//!   `bit_serial.act_bits`, else the word width (16 bits: no gain).
//! * Per group (Dynamic Stripes, Delmas et al., arXiv:1706.00504): the
//!   activations processed in one step need only the bits between the
//!   highest and the lowest set bit of their OR (leading and trailing zero
//!   bits are skipped), at least one cycle per step. Measured on activation
//!   data: real tensors can be passed to [`dynamic_steps_cycles`]; the
//!   command line uses [`synthetic_activations`].
//!
//! Synthetic activations (the documented generator): every value of the
//! layer's input tensor (`n × c × h × w`) is drawn i.i.d. from N(0, 1) by the
//! Box–Muller transform on a ChaCha8 stream seeded from (seed, layer name);
//! the values are shifted so that a fraction `act_density` of them is
//! positive (the empirical (1 − density) quantile becomes 0), ReLU'd, and
//! quantized linearly to `bits` bits with the tensor's largest value at full
//! scale `2^bits − 1` (round to nearest; small values may round to 0, as in
//! real fixed-point data). i.i.d. values have no spatial correlation, unlike
//! real feature maps, so measured group precisions are those of unstructured data.

use eyrie_arch::{Arch, BitSerialParams, PrecisionGroup, TileGeometry, WindowOrder};
use eyrie_workloads::Layer;
use eyrie_workloads::compress::LayerCompression;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::SimError;

/// Where a layer's activation precision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitsSource {
    /// The network: a precision profile or the compressor (`LayerCompression::act_bits`).
    Network,
    /// The arch's `bit_serial.act_bits`.
    Arch,
    /// Neither: the full word width.
    Word,
}

impl BitsSource {
    /// A number for `LayerResult::extra` (`act_bits_source`): 0 network, 1 arch, 2 word width.
    pub fn code(self) -> f64 {
        match self {
            BitsSource::Network => 0.0,
            BitsSource::Arch => 1.0,
            BitsSource::Word => 2.0,
        }
    }
}

/// The activation precision of a layer, checked against the word width.
pub fn layer_act_bits(
    arch: &Arch,
    params: &BitSerialParams,
    layer: &Layer,
    comp: &LayerCompression,
) -> Result<(u32, BitsSource), SimError> {
    let (bits, src) = match (comp.act_bits, params.act_bits) {
        (Some(b), _) => (b, BitsSource::Network),
        (None, Some(b)) => (b, BitsSource::Arch),
        (None, None) => (arch.word_bits, BitsSource::Word),
    };
    if !(1..=arch.word_bits).contains(&bits) {
        return Err(SimError::Arch(format!(
            "layer `{}`: activation precision {bits} bits is outside 1..={} (the word width)",
            layer.name, arch.word_bits
        )));
    }
    Ok((bits, src))
}

/// Cycles one group needs, from the OR of its values: highest set bit − lowest
/// set bit + 1 (or highest + 1 when trailing zeros are not trimmed); 0 for all-zero groups.
pub fn group_bits(or: u16, trim_trailing: bool) -> u32 {
    if or == 0 {
        return 0;
    }
    let width = 16 - or.leading_zeros();
    if trim_trailing { width - or.trailing_zeros() } else { width }
}

/// A 64-bit mix of the seed and a layer name (FNV-1a then SplitMix64), so every
/// layer gets its own stream whatever the thread that runs it.
pub fn layer_seed(seed: u64, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = seed ^ h;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The layer's input tensor (`n × c × h × w`, row-major), synthetic as the module documents.
pub fn synthetic_activations(layer: &Layer, bits: u32, seed: u64) -> Vec<u16> {
    let len = (layer.n * layer.c * layer.h * layer.w) as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(layer_seed(seed, &layer.name));
    let mut x: Vec<f32> = Vec::with_capacity(len + 1);
    while x.len() < len {
        // Box–Muller: u1 in (0, 1] so the log is finite.
        let u1 = 1.0 - rng.random::<f64>();
        let u2 = rng.random::<f64>();
        let r = (-2.0 * u1.ln()).sqrt();
        let a = std::f64::consts::TAU * u2;
        x.push((r * a.cos()) as f32);
        x.push((r * a.sin()) as f32);
    }
    x.truncate(len);
    if len == 0 {
        return Vec::new();
    }
    let density = layer.act_density.clamp(0.0, 1.0);
    let k = (((1.0 - density) * len as f64).floor() as usize).min(len - 1);
    let mut sorted = x.clone();
    let (_, t, _) = sorted.select_nth_unstable_by(k, f32::total_cmp);
    let t = *t;
    let max = x.iter().fold(0.0f32, |m, &v| m.max(v - t));
    let full = f64::from((1u32 << bits.min(16)) - 1);
    x.iter()
        .map(|&v| {
            let y = f64::from((v - t).max(0.0));
            if max > 0.0 { (y / f64::from(max) * full).round() as u16 } else { 0 }
        })
        .collect()
}

/// The windows of one image grouped into pallets of `per_pallet`, as `(p, q)` output positions.
pub fn pallets(p: u64, q: u64, per_pallet: u64, order: WindowOrder) -> Vec<Vec<(u64, u64)>> {
    let per = per_pallet.max(1) as usize;
    match order {
        WindowOrder::Flat => {
            let all: Vec<(u64, u64)> = (0..p).flat_map(|y| (0..q).map(move |x| (y, x))).collect();
            all.chunks(per).map(<[_]>::to_vec).collect()
        }
        WindowOrder::Row => (0..p)
            .flat_map(|y| {
                let row: Vec<(u64, u64)> = (0..q).map(|x| (y, x)).collect();
                row.chunks(per).map(<[_]>::to_vec).collect::<Vec<_>>()
            })
            .collect(),
    }
}

/// Cycles of one pass of a conv layer (one filter set, every image and group)
/// with per-group dynamic precision, on the input tensor `acts` (`n × c × h × w`).
///
/// Per pallet and per step (filter tap `r, s` and brick of `terms` channels)
/// the step lasts the precision of its group: with [`PrecisionGroup::Brick`]
/// the slowest window's brick (the SIP columns run in lockstep), with
/// [`PrecisionGroup::Pallet`] the OR of all the pallet's bricks; at least 1.
pub fn dynamic_steps_cycles(
    layer: &Layer,
    acts: &[u16],
    geo: &TileGeometry,
    order: WindowOrder,
    group: PrecisionGroup,
    trim_trailing: bool,
) -> Result<u64, SimError> {
    let (c, h, w) = (layer.c, layer.h, layer.w);
    let need = layer.n * c * h * w;
    if acts.len() as u64 != need {
        return Err(SimError::Arch(format!(
            "layer `{}`: activation tensor has {} values, the layer's input needs {need}",
            layer.name,
            acts.len()
        )));
    }
    let groups = layer.groups.max(1);
    let cg = c / groups;
    let terms = geo.terms.max(1);
    let chunks = cg.div_ceil(terms);
    let plist = pallets(layer.p, layer.q, geo.windows, order);
    let mut total = 0u64;
    let mut or_map = vec![0u16; (chunks * h * w) as usize];
    for img in 0..layer.n {
        for g in 0..groups {
            // 1. OR of each brick (the `terms` channels of one chunk at one input position).
            or_map.iter_mut().for_each(|v| *v = 0);
            for ci in 0..cg {
                let base = ((img * c + g * cg + ci) * h * w) as usize;
                let row = ((ci / terms) * h * w) as usize;
                for (o, a) in or_map[row..row + (h * w) as usize].iter_mut().zip(&acts[base..base + (h * w) as usize]) {
                    *o |= *a;
                }
            }
            // 2. Every step of every pallet lasts its group's precision.
            for pal in &plist {
                for r in 0..layer.r {
                    for s in 0..layer.s {
                        for ch in 0..chunks {
                            let mut step = 0u32;
                            let mut pallet_or = 0u16;
                            for &(py, px) in pal {
                                let y = (py * layer.stride_h + r * layer.dil_h) as i64 - layer.pad_h as i64;
                                let x = (px * layer.stride_w + s * layer.dil_w) as i64 - layer.pad_w as i64;
                                let v = if y < 0 || x < 0 || y >= h as i64 || x >= w as i64 {
                                    0
                                } else {
                                    or_map[((ch * h + y as u64) * w + x as u64) as usize]
                                };
                                match group {
                                    PrecisionGroup::Brick => step = step.max(group_bits(v, trim_trailing)),
                                    PrecisionGroup::Pallet => pallet_or |= v,
                                }
                            }
                            if group == PrecisionGroup::Pallet {
                                step = group_bits(pallet_or, trim_trailing);
                            }
                            total += u64::from(step.max(1));
                        }
                    }
                }
            }
        }
    }
    Ok(total)
}
