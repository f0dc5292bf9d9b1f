//! `eyrie run --explain LAYER`: the spatial engine's mapping of one layer.
//!
//! Prints the chosen mapping as a loop nest (outermost first, one block per
//! memory level, the array's two axes in between), what each buffer holds,
//! the accesses per level and tensor with their energy, the pass-level
//! timing, and how the search went.

use std::fmt::Write as _;
use std::process::ExitCode;

use eyrie_arch::{Arch, Objective, Operand, PeKind};
use eyrie_reports::table::{render, thousands};
use eyrie_sim::engines::spatial::mapping::{Block, Mapping};
use eyrie_sim::engines::spatial::problem::Dim;
use eyrie_sim::engines::spatial::{Plan, plan};
use eyrie_workloads::{Layer, Network};

use crate::CliResult;
use crate::cli::ObjectiveArg;

/// The arch with `--objective` applied to its `[mapper]` section.
pub fn with_objective(mut arch: Arch, o: Option<ObjectiveArg>) -> Arch {
    if let Some(o) = o {
        let mut m = arch.mapper.clone().unwrap_or_default();
        m.objective = match o {
            ObjectiveArg::Energy => Objective::Energy,
            ObjectiveArg::Latency => Objective::Latency,
            ObjectiveArg::Edp => Objective::Edp,
        };
        arch.mapper = Some(m);
    }
    arch
}

/// Print the mapping of layer `name` of `net` on `arch`.
pub fn explain(arch: &Arch, net: &Network, name: &str) -> CliResult<ExitCode> {
    let Some(layer) = net.layers.iter().find(|l| l.name == name) else {
        let names: Vec<&str> = net.layers.iter().map(|l| l.name.as_str()).collect();
        return Err(format!("--explain: no layer `{name}` in {}; layers: {}", net.name, names.join(", ")).into());
    };
    if arch.pe_array.kind != PeKind::Spatial {
        return Err(format!(
            "--explain shows mappings of the spatial engine; `{}` has PE kind `{}`",
            arch.name,
            arch.pe_array.kind.as_str()
        )
        .into());
    }
    if !layer.kind.has_macs() {
        println!(
            "{} is a {} layer: no MACs and no mapping; it streams its inputs and outputs once (the no-MAC model).",
            layer.name,
            layer.kind.as_str()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let plan = plan(arch, layer)?;
    print!("{}", render_plan(arch, layer, &plan));
    Ok(ExitCode::SUCCESS)
}

fn shape(layer: &Layer, plan: &Plan) -> String {
    let mut s = String::new();
    for d in Dim::ALL {
        let _ = write!(s, "{} {}  ", d.name().to_uppercase(), plan.problem.dim(d));
    }
    let _ = write!(
        s,
        "stride {}x{}  dilation {}x{}  padding {}x{}  input density {:.3}",
        layer.stride_h, layer.stride_w, layer.dil_h, layer.dil_w, layer.pad_h, layer.pad_w, layer.act_density
    );
    s
}

/// The mapping as an indented loop nest.
pub fn loop_nest(plan: &Plan, names: &[String]) -> String {
    let m: &Mapping = &plan.mapping;
    let t = m.tiling(&plan.problem);
    let h = &plan.hierarchy;
    let mut out = String::new();
    let mut depth = 0;
    let level_of = |b: Block| -> String {
        match b {
            Block::Dram => format!("tiles of `{}`", h.glb.map(|i| names[i].as_str()).unwrap_or("the array")),
            Block::Glb => "processing passes".into(),
            Block::Pe => format!("tiles of `{}`, per PE", h.rf.map(|i| names[i].as_str()).unwrap_or("scratchpad")),
            Block::Rf => "words in the scratchpad".into(),
            _ => String::new(),
        }
    };
    for b in Block::ALL {
        let bi = b.idx();
        match b.temporal_idx() {
            Some(ti) => {
                let mut first = true;
                for &d in &m.order[ti] {
                    let f = m.factors[bi][d.idx()];
                    if f <= 1 {
                        continue;
                    }
                    let exact = (t.eff[bi][d.idx()] - f64::from(f)).abs() < 1e-9;
                    let note = if exact { String::new() } else { format!(" (last of {f} partial)") };
                    let tag = if first { format!("   # {}: {}", b.name(), level_of(b)) } else { String::new() };
                    let _ = writeln!(out, "{}for {} in 0..{f}{note}{tag}", "  ".repeat(depth), d.name());
                    first = false;
                    depth += 1;
                }
            }
            None => {
                let parts: Vec<String> = Dim::ALL
                    .iter()
                    .filter(|d| m.factors[bi][d.idx()] > 1)
                    .map(|d| format!("{} {}", d.name(), m.factors[bi][d.idx()]))
                    .collect();
                if !parts.is_empty() {
                    let axis = if b == Block::SpatialY { "rows (psums accumulate down columns)" } else { "columns" };
                    let _ = writeln!(
                        out,
                        "{}parallel {}   # {}: across {axis}",
                        "  ".repeat(depth),
                        parts.join(" x "),
                        b.name()
                    );
                    depth += 1;
                }
            }
        }
    }
    let _ = writeln!(out, "{}mac", "  ".repeat(depth));
    out
}

fn render_plan(arch: &Arch, layer: &Layer, plan: &Plan) -> String {
    let h = &plan.hierarchy;
    let names = &h.names;
    let m = &plan.mapping;
    let t = m.tiling(&plan.problem);
    let mut out = String::new();
    let objective = match plan.objective {
        Objective::Energy => "energy",
        Objective::Latency => "latency",
        Objective::Edp => "edp",
    };
    let _ = writeln!(out, "{} on {}: {} dataflow, objective {objective}", layer.name, arch.name, h.df.name);
    let _ = writeln!(out, "{}\n", shape(layer, plan));
    let _ = writeln!(out, "mapping (outermost loop first):");
    out.push_str(&loop_nest(plan, names));
    let (rows, cols) = m.array_use();
    let _ = writeln!(
        out,
        "array: {rows} x {cols} of {} x {} PEs used, {:.1} doing useful work\n",
        arch.pe_array.rows,
        arch.pe_array.cols,
        t.active_pes()
    );
    // Buffer occupancy.
    let wb = arch.word_bytes();
    let header: Vec<String> =
        ["level", "weights", "inputs", "outputs", "used KiB", "capacity KiB"].iter().map(|s| s.to_string()).collect();
    let mut rows_t = Vec::new();
    for (i, name) in names.iter().enumerate().skip(1) {
        let occ = plan.occupancy[i];
        let cell = |ti: usize| {
            let role = h.role[i][ti];
            match role {
                eyrie_sim::engines::spatial::model::Role::Bypass => "-".to_string(),
                eyrie_sim::engines::spatial::model::Role::Stage => {
                    format!("{} (staged)", thousands(occ[ti].round() as u64))
                }
                eyrie_sim::engines::spatial::model::Role::Keep => thousands(occ[ti].round() as u64),
            }
        };
        let used: f64 = occ.iter().sum::<f64>() * wb / 1024.0;
        rows_t.push(vec![
            name.clone(),
            cell(0),
            cell(1),
            cell(2),
            format!("{used:.2}"),
            arch.levels[i].capacity_kb.map(|c| format!("{c:.2}")).unwrap_or_else(|| "-".into()),
        ]);
    }
    let _ = writeln!(out, "buffer occupancy per instance (words; double-buffered tiles twice):");
    out.push_str(&render(&header, &rows_t));
    // Accesses and energy.
    let mut r = plan.result(arch);
    eyrie_sim::accounting::price(arch, &mut r);
    let header: Vec<String> =
        ["level", "tensor", "reads", "writes", "energy µJ"].iter().map(|s| s.to_string()).collect();
    let mut rows_a = Vec::new();
    for (i, l) in r.levels.iter().enumerate() {
        for op in Operand::ALL {
            let (rd, wr) = (*l.reads.get(op), *l.writes.get(op));
            if rd == 0 && wr == 0 {
                continue;
            }
            rows_a.push(vec![
                names[i].clone(),
                op.as_str().to_string(),
                thousands(rd),
                thousands(wr),
                format!("{:.3}", l.energy_pj.get(op) / 1e6),
            ]);
        }
    }
    for op in Operand::ALL {
        let w = *r.noc_words.get(op);
        if w > 0 {
            rows_a.push(vec![
                "array (NoC)".into(),
                op.as_str().into(),
                thousands(w),
                "-".into(),
                format!("{:.3}", w as f64 * arch.energy.noc_hop_pj / 1e6),
            ]);
        }
    }
    rows_a.push(vec![
        "MAC".into(),
        "-".into(),
        format!("{} of {}", thousands(r.effective_macs), thousands(plan.counts.macs.round() as u64)),
        "-".into(),
        format!("{:.3}", r.energy.mac_pj / 1e6),
    ]);
    let _ = writeln!(out, "\naccesses (words) and energy:");
    out.push_str(&render(&header, &rows_a));
    let _ = writeln!(out, "total energy {:.3} µJ", r.energy.total_pj / 1e6);
    if plan.traffic.rlc_inputs < 1.0 || plan.traffic.rlc_outputs < 1.0 {
        let _ = writeln!(
            out,
            "DRAM activations run-length coded: inputs x{:.3}, outputs x{:.3}",
            plan.traffic.rlc_inputs, plan.traffic.rlc_outputs
        );
    }
    let tm = &plan.timing;
    let _ = writeln!(
        out,
        "\ntiming: {} passes x ({:.0} fill + max({} compute, {:.0} transfer) + {:.0} drain) = {} cycles; {} stall cycles waiting for DRAM",
        tm.passes,
        tm.fill_per_pass,
        tm.compute_per_pass,
        tm.transfer_per_pass,
        tm.drain_per_pass,
        tm.compute_cycles,
        tm.stall_cycles
    );
    let _ = writeln!(
        out,
        "latency {:.4} ms at {} MHz ({:.4} ms with DRAM overlapped)",
        (tm.compute_cycles + tm.stall_cycles) as f64 / (arch.clock_mhz * 1e3),
        arch.clock_mhz,
        tm.compute_cycles as f64 / (arch.clock_mhz * 1e3)
    );
    let s = &plan.stats;
    if s.evaluated > 0 {
        let _ = writeln!(
            out,
            "search: {} inner configurations, {} mappings priced{}",
            s.inner_configs,
            s.evaluated,
            if s.exhaustive { ", exhaustive" } else { ", pruned/sampled (fixed seed)" }
        );
    }
    out
}
