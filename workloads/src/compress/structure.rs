//! Structured pruning across layers: removing filters shrinks the next layer.
//!
//! Removing filter `f` of a layer removes output channel `f`, so the layer
//! that consumes it loses input channel `f` (for a convolution, `f`'s
//! `r × s` kernel in every filter; for an FC layer after a convolution, the
//! `p × q` inputs of that channel). Channel pruning of a consumer is the
//! same cut seen from the other side (Li et al., "Pruning filters for
//! efficient ConvNets", ICLR 2017, Sec. 3.1; Mao et al. CVPRW 2017).
//!
//! The network is a list, not a graph, so eyrie removes channels only
//! where producer and consumer are unambiguous: consecutive compute layers
//! with only pooling between them, both ungrouped. Elsewhere (residual
//! additions, grouped or depthwise layers, the network's last layer) the
//! pruned filters or channels are zeroed instead, shapes stay, and the
//! table's note says so. At least one channel always survives.

use rayon::prelude::*;

use super::CompressError;
use super::prune::{self, FilterShape, Granularity};
use super::recipe::{LayerPlan, Prune};
use crate::layer::{Layer, LayerKind};
use crate::network::Network;

/// What one layer loses to structured pruning of itself or its neighbour.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Drops {
    /// Filters (rows) removed.
    pub rows: Option<Vec<bool>>,
    /// Input channels removed, each covering `span` consecutive columns.
    pub inputs: Option<(Vec<bool>, usize)>,
    /// This layer's own filter/channel pruning was done by removal.
    pub realized: bool,
    /// What happened, for the report.
    pub note: Option<String>,
}

fn shape_of(l: &Layer) -> FilterShape {
    FilterShape { k: l.k as usize, c: l.c_per_group() as usize, r: l.r as usize, s: l.s as usize }
}

/// Can filters of `net.layers[i]` be removed together with input channels of `net.layers[j]`?
fn link_ok(net: &Network, i: usize, j: usize) -> Result<(), String> {
    let (a, b) = (&net.layers[i], &net.layers[j]);
    if a.groups > 1 || b.groups > 1 {
        return Err("grouped layer".into());
    }
    if let Some(l) = net.layers[i + 1..j].iter().find(|l| l.kind != LayerKind::Pool) {
        return Err(format!("`{}` lies between `{}` and `{}`", l.name, a.name, b.name));
    }
    let fits = match b.kind {
        LayerKind::Conv => b.c == a.k,
        _ => b.c % a.k == 0,
    };
    if fits { Ok(()) } else { Err(format!("`{}` does not consume the {} channels of `{}`", b.name, a.k, a.name)) }
}

/// Decide which channels are removed, loading the weights of the layers that prune structurally.
pub fn plan(
    net: &Network,
    plans: &[LayerPlan],
    load: &(dyn Fn(usize) -> Result<Vec<f32>, CompressError> + Sync),
) -> Result<Vec<Drops>, CompressError> {
    let n = net.layers.len();
    let mut drops = vec![Drops::default(); n];
    let todo: Vec<usize> = (0..n)
        .filter(|&i| {
            !plans[i].skip
                && matches!(plans[i].prune, Prune::Structured(Granularity::Filter | Granularity::Channel, ..))
        })
        .collect();
    let groups: Vec<(usize, Vec<bool>)> = todo
        .par_iter()
        .map(|&i| {
            let Prune::Structured(g, norm, rate) = plans[i].prune else { return Ok((i, Vec::new())) };
            let w = load(i)?;
            Ok((i, prune::structured_groups(&w, shape_of(&net.layers[i]), g, norm, rate)))
        })
        .collect::<Result<_, CompressError>>()?;
    let macs: Vec<usize> = (0..n).filter(|&i| net.layers[i].kind.has_macs()).collect();
    // removed[i]: filters of producer i removed through some link.
    let mut removed: Vec<Option<Vec<bool>>> = vec![None; n];
    for (i, groups) in groups {
        let pos = macs.iter().position(|&m| m == i).unwrap_or(0);
        let Prune::Structured(g, ..) = plans[i].prune else { continue };
        let (producer, consumer) = match g {
            Granularity::Filter => (Some(i), macs.get(pos + 1).copied()),
            _ => (if pos > 0 { Some(macs[pos - 1]) } else { None }, Some(i)),
        };
        let link = match (producer, consumer) {
            (Some(p), Some(c)) => link_ok(net, p, c).map(|()| (p, c)),
            _ => Err("no neighbouring layer to shrink with it".into()),
        };
        match link {
            Ok((p, _)) => {
                let k = net.layers[p].k as usize;
                let mut groups = groups;
                if groups.len() == k && groups.iter().all(|&x| x) {
                    groups[0] = false; // keep one channel
                }
                let r = removed[p].get_or_insert_with(|| vec![false; k]);
                for (a, b) in r.iter_mut().zip(&groups) {
                    *a |= *b;
                }
                drops[i].realized = true;
            }
            Err(why) => {
                drops[i].note = Some(format!("{} pruning zeroes weights, shapes kept: {why}", gran_name(g)));
            }
        }
    }
    for p in 0..n {
        let Some(r) = removed[p].take() else { continue };
        let count = r.iter().filter(|&&x| x).count();
        let pos = macs.iter().position(|&m| m == p).unwrap_or(0);
        let c = macs[pos + 1];
        let span = (net.layers[c].c_per_group() * net.layers[c].r * net.layers[c].s) as usize / r.len();
        let k = r.len();
        drops[c].inputs = Some((r.clone(), span));
        add_note(&mut drops[c], format!("{count} of {k} input channels removed with `{}`", net.layers[p].name));
        add_note(&mut drops[p], format!("{count} of {k} filters removed (SQNR over the remaining weights)"));
        drops[p].rows = Some(r);
    }
    Ok(drops)
}

fn add_note(d: &mut Drops, s: String) {
    d.note = Some(match d.note.take() {
        Some(a) => format!("{a}; {s}"),
        None => s,
    });
}

fn gran_name(g: Granularity) -> &'static str {
    match g {
        Granularity::Filter => "filter",
        Granularity::Channel => "channel",
        Granularity::Kernel => "kernel",
        Granularity::Vector => "vector",
    }
}

/// The network with removed channels taken out of every affected layer.
pub fn reshape(net: &Network, drops: &[Drops]) -> Network {
    let mut out = net.clone();
    for (i, d) in drops.iter().enumerate() {
        if let Some(rows) = &d.rows {
            let removed = rows.iter().filter(|&&x| x).count() as u64;
            out.layers[i].k -= removed;
            // Pooling layers up to the consumer carry the same channels.
            for l in out.layers[i + 1..].iter_mut() {
                if l.kind != LayerKind::Pool {
                    break;
                }
                l.c -= removed;
                l.k -= removed;
                l.groups = l.c;
            }
        }
        if let Some((mask, span)) = &d.inputs {
            let removed = mask.iter().filter(|&&x| x).count() as u64;
            let l = &mut out.layers[i];
            let per_channel = (*span as u64 / (l.r * l.s).max(1)).max(1);
            l.c -= removed * per_channel;
        }
    }
    out
}

/// Take removed rows and input channels out of a layer's row-major weights.
pub fn apply(layer: &Layer, w: &[f32], d: &Drops) -> Vec<f32> {
    if d.rows.is_none() && d.inputs.is_none() {
        return w.to_vec();
    }
    let cols = (layer.c_per_group() * layer.r * layer.s) as usize;
    let mut out = Vec::with_capacity(w.len());
    for r in 0..layer.k as usize {
        if d.rows.as_ref().is_some_and(|rows| rows[r]) {
            continue;
        }
        for c in 0..cols {
            if d.inputs.as_ref().is_some_and(|(m, span)| m[c / span]) {
                continue;
            }
            out.push(w[r * cols + c]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_removal_shrinks_the_next_layer_through_pooling() {
        let net = Network::new(
            "t",
            vec![
                Layer::conv("c1", 3, 8, 8, 4, 3, 3, 1, 1),
                Layer::pool("p1", 4, 8, 8, 2, 2, 0),
                Layer::conv("c2", 4, 4, 4, 6, 3, 3, 1, 1),
                Layer::fc("fc", 6 * 16, 10),
            ],
        );
        let d = vec![
            Drops { rows: Some(vec![false, true, false, true]), realized: true, ..Drops::default() },
            Drops::default(),
            Drops { inputs: Some((vec![false, true, false, true], 9)), ..Drops::default() },
            Drops::default(),
        ];
        let s = reshape(&net, &d);
        assert_eq!((s.layers[0].k, s.layers[1].c, s.layers[1].k, s.layers[2].c), (2, 2, 2, 2));
        assert!(s.layers.iter().all(|l| l.check().is_empty()));
        // c2's weights: 6 filters × 4 channels × 9 -> 6 × 2 × 9, channels 0 and 2 kept.
        let w: Vec<f32> = (0..6 * 36).map(|x| x as f32).collect();
        let a = apply(&net.layers[2], &w, &d[2]);
        assert_eq!(a.len(), 6 * 18);
        assert_eq!(&a[..2], &[0.0, 1.0]);
        assert_eq!(a[9], 18.0); // channel 2 starts at column 18
    }
}
