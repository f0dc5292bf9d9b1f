//! Parity with SCALE-Sim 3.0.0 (`docs/reference/scalesim/`): every layer shape of
//! its AlexNet and ResNet-50 topologies and six odd shapes, in os, ws and is.
//!
//! Each row of `results.csv` (the real simulator's numbers) runs through
//! eyrie the way a SCALE-Sim user would run it: the `.cfg` through the config
//! importer with the row's dataflow, the shape through the topology importer.
//! Tolerances from the foundation issue: compute cycles and SRAM reads exact,
//! DRAM traffic within 10 % (README, "How eyrie differs from SCALE-Sim").

use eyrie_arch::scalesim_cfg;
use eyrie_workloads::compress::CompressedNetwork;
use eyrie_workloads::{Network, scalesim_csv};

use super::{Check, Ctx, Tolerance, ValidateError};
use crate::{RunOptions, simulate_layer};

/// (column of results.csv, quantity, tolerance).
const COLUMNS: [(&str, &str, Tolerance); 6] = [
    ("compute_cycles", "compute cycles", Tolerance::Absolute(0.0)),
    ("ifmap_sram_reads", "ifmap SRAM reads (words)", Tolerance::Absolute(0.0)),
    ("filter_sram_reads", "filter SRAM reads (words)", Tolerance::Absolute(0.0)),
    ("dram_ifmap_reads", "ifmap DRAM reads (words)", Tolerance::Relative(0.10)),
    ("dram_filter_reads", "filter DRAM reads (words)", Tolerance::Relative(0.10)),
    ("dram_ofmap_writes", "ofmap DRAM writes (words)", Tolerance::Relative(0.10)),
];

const SHAPE: [&str; 7] = ["ifmap_h", "ifmap_w", "filt_h", "filt_w", "channels", "num_filters", "stride"];

/// Every row of SCALE-Sim's results, compared column by column.
pub(super) fn parity(ctx: &mut Ctx<'_>) -> Result<(), ValidateError> {
    let refs = ctx.refs;
    let (Some((csv_path, csv_text)), Some((cfg_path, cfg_text))) =
        (refs.extra("scalesim/results.csv"), refs.extra("scalesim/scale.cfg"))
    else {
        let figure = "scalesim/results.csv and scalesim/scale.cfg".to_string();
        ctx.out.skipped.push(super::Skipped { table: ctx.table, figure });
        return Ok(());
    };
    let bad = |message: String| ValidateError::Reference { path: csv_path.to_string(), message };
    let cfg = scalesim_cfg::parse(cfg_path, cfg_text).map_err(|e| ctx.fail(e))?;
    let mut rd = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = rd.headers().map_err(|e| bad(e.to_string()))?.iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).ok_or_else(|| bad(format!("no column `{name}`")));
    let (net_c, layer_c, df_c) = (col("network")?, col("layer_name")?, col("dataflow")?);
    let shape_c: Vec<usize> = SHAPE.iter().map(|c| col(c)).collect::<Result<_, _>>()?;
    let value_c: Vec<usize> = COLUMNS.iter().map(|(c, ..)| col(c)).collect::<Result<_, _>>()?;
    for (n, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let line = n + 2;
        let get = |c: usize| rec.get(c).unwrap_or("");
        let (network, layer, dataflow) = (get(net_c), get(layer_c), get(df_c));
        let shape: Vec<&str> = shape_c.iter().map(|&c| get(c)).collect();
        let topo = format!("Layer name,H,W,R,S,C,K,Stride,\n{layer},{},\n", shape.join(","));
        let l = scalesim_csv::parse(&format!("{csv_path} line {line}"), &topo, network)
            .map_err(|e| ctx.fail(e))?
            .layers
            .remove(0);
        let arch = cfg.arch.with_sets(&[("pe_array.dataflow".into(), dataflow.into())]).map_err(|e| ctx.fail(e))?;
        let net = CompressedNetwork::dense(Network::new(network, vec![l.clone()]), arch.word_bits);
        let r = simulate_layer(&arch, &l, &net.layers[0], &RunOptions { seed: ctx.seed, ..RunOptions::default() });
        if r.status != crate::Status::Ok {
            return Err(ctx.fail(format!("{network} {layer} {dataflow}: {:?}", r.status)));
        }
        let (dram, sram) = (&r.levels[0], &r.levels[1]);
        let ours = [
            r.compute_cycles,
            sram.reads.inputs,
            sram.reads.weights,
            dram.reads.inputs,
            dram.reads.weights,
            dram.writes.outputs + dram.writes.psums,
        ];
        for (((column, quantity, tolerance), &c), model) in COLUMNS.iter().zip(&value_c).zip(ours) {
            let paper: f64 = get(c).parse().map_err(|_| bad(format!("line {line}: {column} is not a number")))?;
            ctx.push(Check {
                table: ctx.table,
                quantity: quantity.to_string(),
                item: format!("{network} {layer} {dataflow}"),
                figure: format!("line {line}: {column}"),
                file: csv_path.to_string(),
                confirmed: true,
                paper: Some(paper),
                model: model as f64,
                tolerance: *tolerance,
                documented: None,
                note: "SCALE-Sim 3.0.0 run on this shape (docs/reference/scalesim/README.md)".into(),
            });
        }
    }
    Ok(())
}
