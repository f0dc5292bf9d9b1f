//! End-to-end tests of the compressor on small networks, and property tests.

use proptest::prelude::*;

use super::encoding::{Bitmask, RelativeCsc, Rle, SparseMatrix, decode_relative, encode_relative};
use super::huffman::{HuffmanCode, entropy_bits};
use super::*;
use crate::layer::Layer;
use crate::network::Network;

fn recipe(text: &str) -> Recipe {
    match Recipe::parse("t.toml", text) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

fn run(net: &Network, text: &str, seed: u64) -> (CompressedNetwork, Report) {
    match compress(net, &WeightSource::synthetic(), &recipe(text), seed) {
        Ok(x) => x,
        Err(e) => panic!("{e}"),
    }
}

const DC: &str = "version = 1\nname = \"dc\"\n[defaults]\nprune = { method = \"magnitude\", rate = 0.9 }\n\
                  quantize = { method = \"kmeans\", bits = 4 }\nencoding = { format = \"csc\", index_bits = 4 }\n\
                  huffman = true\nact_bits = 8\n";

#[test]
fn lenet_300_100_deep_compression_end_to_end() {
    let net = crate::zoo::lenet_300_100();
    let (cn, rep) = run(&net, DC, 3);
    assert_eq!(cn.layers.len(), 3);
    for (l, c) in cn.network.layers.iter().zip(&cn.layers) {
        let n = l.weights();
        let kept = n - (0.9 * n as f64).round() as u64;
        let Some(m) = &c.sparse else { panic!("{}: FC layers keep their structure", l.name) };
        assert_eq!(m.nnz() as u64, kept, "{}", l.name);
        assert!(m.check().is_empty());
        assert_eq!((m.rows as u64, m.cols as u64), (l.k, l.c));
        assert_eq!(m.codebook.len(), 16);
        assert!(m.codebook.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!((c.weight_bits, c.index_bits, c.act_bits), (4, 4, Some(8)));
        assert!((c.weight_density - kept as f64 / n as f64).abs() < 1e-12);
        // The stored bytes: every entry (non-zeros and fillers) has 4 + 4 bits, plus
        // column pointers wide enough for the entry count, plus 16 shared weights × 32 bits.
        let entries: u64 = (0..m.cols as usize).map(|j| super::encoding::relative_entries(m.column(j).0, 4)).sum();
        let width = 64 - u64::from(entries.leading_zeros());
        let bits = entries * 8 + (u64::from(m.cols) + 1) * width + 16 * 32;
        assert_eq!(c.encoded_bytes, bits.div_ceil(8), "{}", l.name);
        // Huffman pays for its code tables (one byte per symbol): it wins on large layers only.
        if n > 10_000 {
            assert!(c.huffman_bytes.is_some_and(|h| h < c.encoded_bytes), "{}", l.name);
        }
        // The CSC round-trips through the relative encoding.
        assert_eq!(&RelativeCsc::encode(m, 4).decode(), m);
    }
    assert_eq!(rep.layers.len(), 3);
    assert_eq!(rep.total.kept, cn.layers.iter().map(|c| c.sparse.as_ref().map_or(0, |m| m.nnz() as u64)).sum::<u64>());
    assert!(rep.total.sqnr_weights_db.is_finite() && rep.total.sqnr_weights_db > 0.0);
}

#[test]
fn same_result_for_any_thread_count() {
    let net = crate::zoo::lenet5();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().map(|p| p.install(|| run(&net, DC, 9)));
    let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().map(|p| p.install(|| run(&net, DC, 9)));
    let (Ok(one), Ok(two)) = (one, two) else { panic!("thread pools") };
    assert_eq!(one.0, two.0);
    assert_eq!(one.1, two.1);
    let other_seed = run(&net, DC, 10);
    assert_ne!(one.0, other_seed.0);
}

#[test]
fn filter_pruning_shrinks_the_next_layer() {
    let net = crate::zoo::lenet5();
    let text = "version = 1\n[[layers]]\nmatch = \"conv1\"\nprune = { method = \"filter\", rate = 0.25, norm = \"l2\" }\n\
                [[layers]]\nmatch = \"conv2\"\nprune = { method = \"filter\", rate = 0.5 }\n";
    let (cn, rep) = run(&net, text, 1);
    let l = &cn.network.layers;
    // conv1: 20 filters -> 15; pool1 carries 15 channels; conv2 takes 15 inputs, keeps 25 of 50;
    // ip1 takes 25 × 4 × 4 = 400 inputs.
    assert_eq!((l[0].k, l[1].c, l[1].k, l[2].c, l[2].k, l[3].c, l[4].c), (15, 15, 15, 15, 25, 25, 400));
    assert!(l.iter().all(|x| x.check().is_empty()));
    // Rates stay relative to the original layers: removed weights count as pruned.
    assert_eq!((rep.layers[1].weights, rep.layers[1].kept), (50 * 20 * 25, 25 * 15 * 25));
    assert_eq!((rep.layers[2].weights, rep.layers[2].kept), (500 * 800, 500 * 400));
    assert_eq!(cn.layers[2].weight_density, 1.0);
    assert_eq!(cn.layers[2].format, Format::Dense);
    assert!(rep.layers[2].note.contains("input channels removed"), "{}", rep.layers[2].note);
    // The last layer cannot shrink: its pruned filters are zeroed, shapes kept.
    let text = "version = 1\n[[layers]]\nmatch = \"ip2\"\nprune = { method = \"filter\", rate = 0.5 }\n";
    let (cn, rep) = run(&net, text, 1);
    assert_eq!(cn.network.layers[5].k, 10);
    assert_eq!(rep.layers[3].kept, 5 * 500);
    assert!(rep.layers[3].note.contains("zeroes"), "{}", rep.layers[3].note);
}

#[test]
fn global_magnitude_pruning_keeps_the_exact_total() {
    let net = crate::zoo::lenet_300_100();
    let text = "version = 1\n[defaults]\nprune = { method = \"magnitude\", rate = 0.8, scope = \"global\" }\n";
    let (_, rep) = run(&net, text, 2);
    let n = net.weights();
    assert_eq!(rep.total.kept, n - (0.8 * n as f64).round() as u64);
    // He-scaled weights are larger in narrow layers, so they keep more than 20 %.
    assert!(rep.layers[2].kept_pct() > rep.layers[0].kept_pct());
}

#[test]
fn low_rank_replaces_one_layer_by_two() {
    let net = Network::new("t", vec![Layer::fc("fc", 64, 32), Layer::fc("out", 32, 10)]);
    let text = "version = 1\n[[layers]]\nmatch = \"fc\"\nlowrank = { rank = 8 }\n";
    let (cn, rep) = run(&net, text, 1);
    let names: Vec<&str> = cn.network.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["fc.v", "fc.u", "out"]);
    assert_eq!((cn.network.layers[0].k, cn.network.layers[0].c), (8, 64));
    assert_eq!((cn.network.layers[1].k, cn.network.layers[1].c), (32, 8));
    assert_eq!(rep.layers[0].weights + rep.layers[1].weights, 8 * 64 + 32 * 8);
    assert!(rep.layers[0].note.contains("low rank 8 of 32"), "{}", rep.layers[0].note);
}

#[test]
fn other_quantizers_through_the_pipeline() {
    let net = Network::new("t", vec![Layer::fc("a", 256, 64), Layer::conv("b", 8, 8, 8, 16, 3, 3, 1, 1)]);
    for (q, bits) in [
        ("{ method = \"linear\", bits = 8 }", 8),
        ("{ method = \"linear\", bits = 6, per_channel = true, symmetric = false }", 6),
        ("{ method = \"binary\" }", 1),
        ("{ method = \"ternary\" }", 1),
    ] {
        let (cn, rep) = run(&net, &format!("version = 1\n[defaults]\nquantize = {q}\n"), 1);
        assert_eq!(cn.layers[0].weight_bits, bits, "{q}");
        assert!(rep.total.sqnr_weights_db > 0.0, "{q}");
        if q.contains("ternary") {
            // TWN's threshold 0.7·E|w| zeroes about 42 % of normal weights; stored sparse.
            assert!((0.5..0.65).contains(&cn.layers[0].weight_density), "{}", cn.layers[0].weight_density);
            assert_eq!(cn.layers[0].format, Format::Csc);
        }
    }
    let (cn, rep) = run(&net, "version = 1\n[defaults]\nquantize = { method = \"pq\", bits = 4, subvector = 4 }\n", 1);
    // fc a: 64 rows × 64 sub-vectors × 4 bits + 64 codebooks × 16 × 4 × 32 bits.
    assert_eq!(cn.layers[0].encoded_bytes, (64 * 64 * 4 + 64 * 16 * 4 * 32) / 8);
    assert!(rep.layers[0].note.contains("product quantization"));
}

#[test]
fn compressed_file_round_trips_and_rejects_damage() {
    let (cn, _) = run(&crate::zoo::lenet_300_100(), DC, 1);
    let Ok(bytes) = file::to_bytes(&cn) else { panic!("serialize") };
    let back = file::from_bytes("x.eyc", &bytes);
    assert_eq!(back.as_ref().ok(), Some(&cn));
    let e = file::from_bytes("x.eyc", &bytes[..bytes.len() - 3]).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("x.eyc") && e.contains("truncated"), "{e}");
    let mut bad = bytes.clone();
    bad[8] = 9;
    let e = file::from_bytes("x.eyc", &bad).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("version 9"), "{e}");
}

#[test]
fn eie_paper_relative_index_example() {
    // EIE Sec. III-B: [0,0,1,2,0×18,3] -> v = [1,2,0,3], z = [2,0,15,2].
    let e = encode_relative(&[2, 3, 22], &[1, 2, 3], 4);
    let z: Vec<u32> = e.iter().map(|x| x.zeros).collect();
    let v: Vec<Option<u16>> = e.iter().map(|x| x.code).collect();
    assert_eq!(z, vec![2, 0, 15, 2]);
    assert_eq!(v, vec![Some(1), Some(2), None, Some(3)]);
}

/// A random sparse matrix from a density and a seed-like vector of draws.
fn arb_matrix() -> impl Strategy<Value = SparseMatrix> {
    (1u32..40, 1u32..40, prop::collection::vec((0u32..1000, 0u16..32), 0..400)).prop_map(|(rows, cols, draws)| {
        let mut entries: Vec<(u32, u32, u16)> =
            draws.iter().map(|&(p, q)| ((p % rows), (p / rows) % cols, q)).collect();
        entries.sort_by_key(|e| (e.0, e.1));
        entries.dedup_by_key(|e| (e.0, e.1));
        SparseMatrix::from_row_major(rows, cols, &entries, (0..32).map(|i| i as f32 - 16.0).collect())
    })
}

proptest! {
    #[test]
    fn every_encoding_round_trips(m in arb_matrix(), bits in 1u32..9) {
        prop_assert!(m.check().is_empty());
        prop_assert_eq!(&RelativeCsc::encode(&m, bits).decode(), &m);
        prop_assert_eq!(&RelativeCsc::encode_rows(&m, bits).decode().transpose(), &m);
        prop_assert_eq!(&Rle::encode(&m, bits).decode(), &m);
        prop_assert_eq!(&Bitmask::encode(&m).decode(), &m);
        for j in 0..m.cols as usize {
            let (rows, codes) = m.column(j);
            let e = encode_relative(rows, codes, bits);
            prop_assert!(e.iter().all(|x| x.zeros < (1 << bits)));
            let (p, q) = decode_relative(&e);
            prop_assert_eq!((p.as_slice(), q.as_slice()), (rows, codes));
        }
    }

    #[test]
    fn huffman_average_is_between_h_and_h_plus_1(freqs in prop::collection::vec(0u64..10_000, 2..64)) {
        prop_assume!(freqs.iter().filter(|&&f| f > 0).count() >= 2);
        let h = HuffmanCode::from_frequencies(&freqs);
        let avg = h.average_bits(&freqs);
        let ent = entropy_bits(&freqs);
        prop_assert!(avg >= ent - 1e-9 && avg < ent + 1.0, "avg {} entropy {}", avg, ent);
        let syms: Vec<u32> = freqs.iter().enumerate().filter(|(_, f)| **f > 0).map(|(s, _)| s as u32).collect();
        let (bytes, bits) = h.encode(&syms).unwrap_or_default();
        prop_assert_eq!(bits, syms.iter().map(|&s| u64::from(h.lengths[s as usize])).sum::<u64>());
        prop_assert_eq!(h.decode(&bytes, syms.len()), Some(syms));
    }

    #[test]
    fn magnitude_pruning_keeps_the_expected_count(w in prop::collection::vec(-4.0f32..4.0, 1..500), rate in 0.0f64..1.0) {
        // Coarse values make ties common.
        let w: Vec<f32> = w.iter().map(|x| (x * 4.0).round() / 4.0).collect();
        let keep = prune::magnitude(&w, rate);
        let expected = w.len() - (rate * w.len() as f64).round() as usize;
        prop_assert_eq!(keep.iter().filter(|&&k| k).count(), expected);
        // Every kept magnitude is at least every pruned one.
        let min_kept = w.iter().zip(&keep).filter(|(_, k)| **k).map(|(x, _)| x.abs()).fold(f32::INFINITY, f32::min);
        let max_pruned = w.iter().zip(&keep).filter(|(_, k)| !**k).map(|(x, _)| x.abs()).fold(0.0, f32::max);
        prop_assert!(keep.iter().all(|&k| k) || keep.iter().all(|&k| !k) || min_kept >= max_pruned);
    }

    #[test]
    fn kmeans_codebook_sorted_and_assignment_nearest(v in prop::collection::vec(-10.0f32..10.0, 1..300), bits in 1u32..6) {
        let kept = quantize::Kept { cols: vec![0; v.len()], row_ptr: vec![0, v.len()], values: v.clone() };
        let q = quantize::kmeans(&kept, bits, kmeans::Init::Linear, 100, 1);
        let Some(cb) = q.codebook() else { return Err(TestCaseError::fail("no codebook")) };
        prop_assert!(cb.windows(2).all(|w| w[0] <= w[1]));
        for (i, &x) in v.iter().enumerate() {
            let d = (x - cb[q.codes[i] as usize]).abs();
            prop_assert!(cb.iter().all(|&c| d <= (x - c).abs() + 1e-5));
        }
    }
}
