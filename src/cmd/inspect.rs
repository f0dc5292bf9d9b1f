//! `eyrie inspect`: what a network file becomes, layer by layer. For an ONNX
//! model it also shows each layer's source node, shapes, folded nodes, the
//! nodes followed as data movement, and the operators that were skipped.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use eyrie_reports::table::{render, thousands};
use eyrie_workloads::onnx::{self, ImportOptions, InputShape, OnnxImport};
use eyrie_workloads::{Layer, Network};

use std::fmt::Write as _;
use std::io::Write as _;

use crate::CliResult;

macro_rules! outln {
    ($o:expr, $($t:tt)*) => {{ let _ = writeln!($o, $($t)*); }};
}
macro_rules! outw {
    ($o:expr, $($t:tt)*) => {{ let _ = write!($o, $($t)*); }};
}
use crate::cli::{Format, InspectArgs};

fn is_onnx(net: &str) -> bool {
    Path::new(net).extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx"))
}

fn dims(s: &[u64]) -> String {
    if s.is_empty() { "scalar".to_string() } else { s.iter().map(u64::to_string).collect::<Vec<_>>().join("x") }
}

/// Warn once per skipped operator type (they are counted as no-MAC layers).
fn warn_skipped(imp: &OnnxImport) {
    for (op, nodes) in &imp.report.skipped {
        let shown: Vec<&str> = nodes.iter().take(5).map(String::as_str).collect();
        let more = if nodes.len() > 5 { format!(", … ({} more)", nodes.len() - 5) } else { String::new() };
        eprintln!(
            "warning: {}: skipped {} × {op} (unknown operator, counted as no-MAC layers): {}{more}",
            imp.report.file,
            nodes.len(),
            shown.join(", ")
        );
    }
}

/// Load `--net` for any command: ONNX with its options (warning about skipped
/// operators on stderr), anything else through `load_network`.
pub fn load_net(net: &str, input_shapes: &[InputShape], skip_unknown: bool) -> CliResult<Network> {
    let opts = ImportOptions { input_shapes: input_shapes.to_vec(), skip_unknown };
    if is_onnx(net) {
        let imp = onnx::import_file(Path::new(net), &opts)?;
        warn_skipped(&imp);
        return Ok(imp.network);
    }
    Ok(eyrie_workloads::load_network_with(net, &opts)?)
}

fn layer_row(i: usize, l: &Layer) -> Vec<String> {
    vec![
        i.to_string(),
        l.name.clone(),
        l.kind.as_str().to_string(),
        thousands(l.macs()),
        thousands(l.weights()),
        format!(
            "n{} k{} c{} g{} {}x{} r{}x{} p{}x{} s{}",
            l.n, l.k, l.c, l.groups, l.h, l.w, l.r, l.s, l.p, l.q, l.stride_h
        ),
    ]
}

fn totals(net: &Network) -> String {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &net.layers {
        *kinds.entry(l.kind.as_str()).or_default() += 1;
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    format!(
        "{} layers ({}), {} MAC layers, {} MACs, {} weights\n",
        net.layers.len(),
        kinds.join(", "),
        net.compute_layers(),
        thousands(net.macs()),
        thousands(net.weights())
    )
}

/// Print the imported network.
pub fn inspect(a: InspectArgs) -> CliResult<ExitCode> {
    let mut o = String::new();
    let code = describe(&a, &mut o)?;
    // A closed pipe (`eyrie inspect … | head`) is not an error.
    match std::io::stdout().lock().write_all(o.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(code),
    }
}

fn describe(a: &InspectArgs, o: &mut String) -> CliResult<ExitCode> {
    if !is_onnx(&a.net) {
        let net = load_net(&a.net, &a.input_shapes, a.skip_unknown)?;
        if a.format == Format::Json {
            outln!(o, "{}", serde_json::to_string_pretty(&serde_json::json!({ "network": net }))?);
            return Ok(ExitCode::SUCCESS);
        }
        let header: Vec<String> =
            ["#", "layer", "kind", "MACs", "weights", "loop nest"].iter().map(|s| s.to_string()).collect();
        let rows: Vec<Vec<String>> = net.layers.iter().enumerate().map(|(i, l)| layer_row(i, l)).collect();
        outln!(o, "{} (batch {})", net.name, net.batch);
        outw!(o, "{}", render(&header, &rows));
        outw!(o, "{}", totals(&net));
        return Ok(ExitCode::SUCCESS);
    }
    let opts = ImportOptions { input_shapes: a.input_shapes.clone(), skip_unknown: a.skip_unknown };
    let imp = onnx::import_file(Path::new(&a.net), &opts)?;
    warn_skipped(&imp);
    let (net, rep) = (&imp.network, &imp.report);
    if a.format == Format::Json {
        let shapes: BTreeMap<&String, &Vec<usize>> = imp.weights.iter().map(|(k, (s, _))| (k, s)).collect();
        let v = serde_json::json!({ "network": net, "report": rep, "weight_shapes": shapes });
        outln!(o, "{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        o,
        "{}: {} (IR {}, opset {}), {} nodes",
        rep.file,
        if rep.producer.is_empty() { "unknown producer" } else { &rep.producer },
        rep.ir_version,
        rep.opset,
        rep.nodes
    );
    for (name, s) in &rep.inputs {
        outln!(o, "  input  {name}: {}", dims(s));
    }
    for (name, s) in &rep.outputs {
        outln!(o, "  output {name}: {}", dims(s));
    }
    let header: Vec<String> =
        ["#", "layer", "kind", "op", "input", "output", "MACs", "weights", "from file", "folded / note"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    let rows: Vec<Vec<String>> = net
        .layers
        .iter()
        .zip(&rep.layers)
        .enumerate()
        .map(|(i, (l, o))| {
            let mut extra: Vec<String> = o.folded.iter().map(|f| format!("+{f}")).collect();
            extra.extend(o.note.clone());
            vec![
                i.to_string(),
                l.name.clone(),
                l.kind.as_str().to_string(),
                o.op.clone(),
                dims(&o.input_shape),
                dims(&o.output_shape),
                thousands(l.macs()),
                thousands(l.weights()),
                if o.real_weights {
                    "yes"
                } else if l.kind.has_macs() {
                    "no"
                } else {
                    ""
                }
                .to_string(),
                extra.join("; "),
            ]
        })
        .collect();
    outw!(o, "{}", render(&header, &rows));
    outw!(o, "{}", totals(net));
    let real: u64 = imp.weights.values().map(|(_, v)| v.len() as u64).sum();
    outln!(o, "real weights from the file: {} values in {} layers", thousands(real), imp.weights.len());
    let folded: usize = rep.layers.iter().map(|o| o.folded.len()).sum();
    outln!(o, "folded into MAC layers: {folded} nodes (BatchNormalization, bias Add)");
    outln!(o, "computed at import: {} constant nodes", rep.folded_constants);
    let mut moves: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &rep.data_movement {
        *moves.entry(m.op.as_str()).or_default() += 1;
    }
    let moves: Vec<String> = moves.iter().map(|(op, n)| format!("{op} ×{n}")).collect();
    outln!(
        o,
        "data movement (no layer, shapes followed): {}",
        if moves.is_empty() { "none".to_string() } else { moves.join(", ") }
    );
    if !rep.inlined_ifs.is_empty() {
        outln!(o, "inlined If nodes (constant condition): {}", rep.inlined_ifs.join(", "));
    }
    if rep.skipped.is_empty() {
        outln!(o, "skipped operators: none");
    } else {
        for (op, nodes) in &rep.skipped {
            outln!(o, "skipped {} × {op} (counted as no-MAC layers): {}", nodes.len(), nodes.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}
