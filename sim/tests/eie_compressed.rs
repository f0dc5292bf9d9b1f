//! EIE on the compressor's real sparse structure (not the synthetic pattern):
//! the engine must process exactly the non-zeros the compressor kept.

use eyrie_arch::Arch;
use eyrie_sim::{RunOptions, simulate_layer};
use eyrie_workloads::compress::{Recipe, WeightSource, compress};
use eyrie_workloads::zoo;

const RECIPE: &str = "version = 1\nname = \"eie\"\n[defaults]\nprune = { method = \"magnitude\", rate = 0.9 }\nquantize = { method = \"kmeans\", bits = 4 }\nencoding = { format = \"csc\", index_bits = 4 }\n";

#[test]
fn eie_runs_the_compressed_matrix_it_is_given() {
    let recipe = match Recipe::parse("r.toml", RECIPE) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let net = zoo::lenet_300_100();
    let (cn, _) = match compress(&net, &WeightSource::Synthetic(recipe.distribution), &recipe, 7) {
        Ok(x) => x,
        Err(e) => panic!("{e}"),
    };
    let arch = match Arch::load("eie", &[]) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    };
    for (layer, comp) in cn.network.layers.iter().zip(&cn.layers) {
        let Some(sm) = comp.sparse.as_ref() else { panic!("{}: the recipe keeps the sparse structure", layer.name) };
        // 90 % pruning keeps exactly 10 % of the weights (rounded by the pruner).
        let kept = sm.nnz() as f64 / layer.weights() as f64;
        assert!((kept - 0.1).abs() < 0.001, "{}: kept {kept}", layer.name);
        // Dense activations: every column is broadcast, so the useful MACs are the non-zeros.
        let dense = eyrie_workloads::Layer { act_density: 1.0, ..layer.clone() };
        let r = simulate_layer(&arch, &dense, comp, &RunOptions { seed: 3, ..RunOptions::default() });
        assert_eq!(r.status, eyrie_sim::Status::Ok, "{}", layer.name);
        assert_eq!(r.extra("useful_macs"), Some(sm.nnz() as f64), "{}", layer.name);
    }
}
