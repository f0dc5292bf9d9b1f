//! The import walk: graph inputs and initializers into the environment, then
//! every node in dependency order: computed when constant, lowered to a
//! layer, folded into the layer before it, or followed as data movement.

use super::node::{Info, Node, check_shape};
use super::proto::GraphProto;
use super::proto::type_proto;
use super::{Ctx, DataMove, OnnxError, fold, is_data_move, lower, shapes, supported, topo_order, weights};

impl Ctx<'_> {
    fn node_err(&self, node: &Node, msg: impl Into<String>) -> OnnxError {
        OnnxError::Node { file: self.file.clone(), node: node.name.clone(), op: node.op().to_string(), msg: msg.into() }
    }

    /// Initializers (of the main graph or an inlined branch) become constants.
    pub(super) fn add_initializers(&mut self, g: &GraphProto) -> Result<(), OnnxError> {
        for t in &g.initializer {
            let c = weights::decode(t, self.dir).map_err(|msg| OnnxError::Tensor {
                file: self.file.clone(),
                tensor: t.name().to_string(),
                msg,
            })?;
            let info = Info::constant(c);
            check_shape(&info.shape).map_err(|msg| OnnxError::Tensor {
                file: self.file.clone(),
                tensor: t.name().to_string(),
                msg,
            })?;
            self.env.insert(t.name().to_string(), info);
        }
        Ok(())
    }

    /// Shapes of the graph inputs: declared, bound by name, or given in the options.
    pub(super) fn bind_inputs(&mut self, g: &GraphProto) -> Result<(), OnnxError> {
        let inits: std::collections::HashSet<&str> = g.initializer.iter().map(|t| t.name()).collect();
        let inputs: Vec<_> = g.input.iter().filter(|i| !inits.contains(i.name())).collect();
        let mut declared = Vec::new();
        for i in &inputs {
            let Some(type_proto::Value::TensorType(t)) = i.r#type.as_ref().and_then(|t| t.value.as_ref()) else {
                return Err(
                    self.input_err(format!("input `{}` is not a tensor; eyrie imports tensor inputs only", i.name()))
                );
            };
            let dims: Vec<Result<u64, String>> = t
                .shape
                .as_ref()
                .map(|s| {
                    s.dim
                        .iter()
                        .map(|d| match &d.value {
                            Some(super::proto::tensor_shape_proto::dimension::Value::DimValue(v)) if *v > 0 => {
                                Ok(*v as u64)
                            }
                            Some(super::proto::tensor_shape_proto::dimension::Value::DimParam(p)) => Err(p.clone()),
                            _ => Err(String::new()),
                        })
                        .collect()
                })
                .unwrap_or_default();
            declared.push((i.name().to_string(), dims, t.shape.is_some()));
        }
        let show = |dims: &[Result<u64, String>]| {
            let parts: Vec<String> = dims
                .iter()
                .map(|d| d.as_ref().map_or_else(|p| if p.is_empty() { "?".into() } else { p.clone() }, u64::to_string))
                .collect();
            format!("[{}]", parts.join(", "))
        };
        // Shapes from the options: by name, or the first input.
        let mut given: Vec<Option<Vec<u64>>> = vec![None; declared.len()];
        for s in &self.opts.input_shapes {
            let idx = match &s.name {
                Some(n) => declared.iter().position(|(name, _, _)| name == n).ok_or_else(|| {
                    let names: Vec<&str> = declared.iter().map(|d| d.0.as_str()).collect();
                    self.input_err(format!(
                        "--input-shape names `{n}`, which is not a graph input; inputs: {}",
                        names.join(", ")
                    ))
                })?,
                None if declared.is_empty() => {
                    return Err(self.input_err("--input-shape given, but the graph has no inputs".into()));
                }
                None => 0,
            };
            let (name, dims, has) = &declared[idx];
            if *has && dims.len() != s.dims.len() {
                return Err(self.input_err(format!(
                    "input `{name}` has rank {} {}, but --input-shape gives {} dimensions",
                    dims.len(),
                    show(dims),
                    s.dims.len()
                )));
            }
            given[idx] = Some(s.dims.clone());
        }
        // Symbolic dimensions named the same take the same value.
        let mut symbols = std::collections::HashMap::new();
        for (i, (_, dims, _)) in declared.iter().enumerate() {
            if let Some(g) = &given[i] {
                for (d, &v) in dims.iter().zip(g) {
                    if let Err(p) = d
                        && !p.is_empty()
                    {
                        symbols.insert(p.clone(), v);
                    }
                }
            }
        }
        let mut missing = Vec::new();
        let mut example = None;
        for (i, (name, dims, has)) in declared.iter().enumerate() {
            let shape: Option<Vec<u64>> = match &given[i] {
                Some(g) => Some(g.clone()),
                None if !has => None,
                None => dims
                    .iter()
                    .map(|d| {
                        d.as_ref().ok().copied().or_else(|| d.as_ref().err().and_then(|p| symbols.get(p).copied()))
                    })
                    .collect(),
            };
            if let Some(s) = &shape {
                check_shape(s).map_err(|m| self.input_err(format!("input `{name}`: {m}")))?;
            }
            match shape {
                Some(s) => {
                    self.report.inputs.push((name.clone(), s.clone()));
                    self.env.insert(name.clone(), Info::shape(s));
                }
                None => {
                    missing
                        .push(format!("`{name}` {}", if *has { show(dims) } else { "(no shape in the file)".into() }));
                    if *has && example.is_none() {
                        let e: Vec<String> =
                            dims.iter().map(|d| d.as_ref().map_or("1".into(), u64::to_string)).collect();
                        example = Some(format!("{name}={}", e.join("x")));
                    }
                }
            }
        }
        if !missing.is_empty() {
            let example = example.unwrap_or_else(|| "NAME=1x3x224x224".into());
            return Err(self.input_err(format!(
                "the shape of input {} is not fixed; give it with --input-shape [NAME=]DIMS, e.g. --input-shape {example} (choose the sizes of the symbolic dimensions)",
                missing.join(", ")
            )));
        }
        Ok(())
    }

    fn input_err(&self, msg: String) -> OnnxError {
        OnnxError::Input { file: self.file.clone(), msg }
    }

    /// Walk the nodes of a graph in dependency order.
    pub(super) fn run_graph(&mut self, g: &GraphProto) -> Result<(), OnnxError> {
        let order = topo_order(g).map_err(|msg| OnnxError::Model { file: self.file.clone(), msg })?;
        for i in order {
            let node = Node::new(&g.node[i], i);
            self.report.nodes += 1;
            self.visit(&node)?;
        }
        Ok(())
    }

    fn set(&mut self, name: &str, info: Info) {
        if !name.is_empty() {
            self.env.insert(name.to_string(), info);
        }
    }

    fn visit(&mut self, node: &Node) -> Result<(), OnnxError> {
        // Inputs: known, omitted (empty name), or downstream of an unlowerable node.
        let mut missing = None;
        for name in node.inputs().iter().filter(|n| !n.is_empty()) {
            if !self.env.contains_key(name) {
                missing = Some(name.clone());
            }
        }
        if let Some(m) = missing {
            if self.poisoned.contains(&m) {
                self.poisoned.extend(node.outputs().iter().cloned());
                if !supported(node) {
                    self.unknown.push((node.name.clone(), node.op().to_string()));
                }
                return Ok(());
            }
            return Err(self.node_err(node, format!("reads `{m}`, which no node, input or initializer provides")));
        }
        if node.outputs().iter().all(String::is_empty) {
            return Err(self.node_err(node, "has no outputs"));
        }
        if !supported(node) {
            return self.unknown_op(node);
        }
        let infos: Vec<Option<Info>> =
            node.inputs().iter().map(|n| if n.is_empty() { None } else { self.env.get(n).cloned() }).collect();
        let ins: Vec<Option<&Info>> = infos.iter().map(Option::as_ref).collect();
        match node.op() {
            "Constant" => {
                let c = fold::constant(node, self.dir).map_err(|m| self.node_err(node, m))?;
                let info = Info::constant(c);
                check_shape(&info.shape).map_err(|m| self.node_err(node, m))?;
                self.report.folded_constants += 1;
                if let Some(out) = node.outputs().first() {
                    self.set(out, info);
                }
                return Ok(());
            }
            "If" => return self.inline_if(node, &ins),
            _ => {}
        }
        if let Some(consts) = fold::fold(node, &ins).map_err(|m| self.node_err(node, m))? {
            self.report.folded_constants += 1;
            for (name, c) in node.outputs().iter().zip(consts) {
                self.set(name, Info::constant(c));
            }
            return Ok(());
        }
        let outs = shapes::infer(node, &ins).map_err(|m| self.node_err(node, m))?;
        for o in &outs {
            check_shape(o).map_err(|m| self.node_err(node, format!("its output {m}")))?;
        }
        let op = node.op();
        let mut layer_out = None;
        if lower::is_mac(op) {
            layer_out = self.b.mac(node, &ins, &outs).map_err(|m| self.node_err(node, m))?;
        } else if self.try_fold(node, &ins, &outs) {
            layer_out = ins.first().copied().flatten().and_then(|i| i.layer);
        } else if is_data_move(op) {
            let output_shape = outs.first().cloned().unwrap_or_default();
            self.report.data_movement.push(DataMove { node: node.name.clone(), op: op.to_string(), output_shape });
        } else if outs.first().is_some_and(|s| s.iter().product::<u64>() > 0) {
            if lower::is_pool(op) {
                self.b.pool(node, &ins, &outs).map_err(|m| self.node_err(node, m))?;
            } else {
                self.b.eltwise(node, &ins, &outs, None).map_err(|m| self.node_err(node, m))?;
            }
        }
        for (k, (name, shape)) in node.outputs().iter().zip(outs).enumerate() {
            self.set(name, Info { shape, value: None, layer: if k == 0 { layer_out } else { None } });
        }
        Ok(())
    }

    /// An operator eyrie cannot lower: listed, or (with `skip_unknown`) a no-MAC layer.
    fn unknown_op(&mut self, node: &Node) -> Result<(), OnnxError> {
        let label =
            if node.domain().is_empty() { node.op().to_string() } else { format!("{}.{}", node.domain(), node.op()) };
        if !self.opts.skip_unknown {
            self.unknown.push((node.name.clone(), label));
            self.poisoned.extend(node.outputs().iter().cloned());
            return Ok(());
        }
        self.report.skipped.entry(label).or_default().push(node.name.clone());
        let shape = node.inputs().iter().find_map(|n| self.env.get(n)).map(|i| i.shape.clone()).unwrap_or_default();
        let outs = vec![shape; node.outputs().len()];
        let note = Some(
            "unknown operator: counted as a no-MAC layer; outputs assumed shaped like its first input".to_string(),
        );
        let infos: Vec<Option<Info>> = node.inputs().iter().map(|n| self.env.get(n).cloned()).collect();
        let ins: Vec<Option<&Info>> = infos.iter().map(Option::as_ref).collect();
        self.b.eltwise(node, &ins, &outs, note).map_err(|m| self.node_err(node, m))?;
        for (name, s) in node.outputs().iter().zip(outs) {
            self.set(name, Info::shape(s));
        }
        Ok(())
    }

    /// Fold BatchNormalization or a per-channel bias `Add` into the MAC layer before it.
    fn try_fold(&mut self, node: &Node, ins: &[Option<&Info>], outs: &[Vec<u64>]) -> bool {
        let sole = |i: &Info, name: &str| i.layer.is_some() && self.consumers.get(name).copied() == Some(1);
        let out = outs.first().cloned().unwrap_or_default();
        match node.op() {
            "BatchNormalization" if node.outputs().len() == 1 => {
                let Some(x) = ins.first().copied().flatten().filter(|x| sole(x, &node.inputs()[0])) else {
                    return false;
                };
                let v =
                    |i: usize| ins.get(i).copied().flatten().and_then(|t| t.value.as_ref()).and_then(|c| c.to_f32());
                let (Some(scale), Some(var), Some(li)) = (v(1), v(4), x.layer) else { return false };
                let eps = node.float("epsilon").unwrap_or(1e-5);
                if scale.len() != var.len() {
                    return false;
                }
                let f: Vec<f32> = scale.iter().zip(&var).map(|(s, v)| s / (v + eps).sqrt()).collect();
                let (ch, axis) = self.b.channels(li);
                axis == 1 && ch as usize == f.len() && self.b.fold_into(li, node, Some(&f))
            }
            "Add" if ins.len() == 2 => {
                let (a, b) = (ins[0], ins[1]);
                let (act, bias, name) = match (a, b) {
                    (Some(x), Some(c)) if c.value.is_some() && x.value.is_none() => (x, c, &node.inputs()[0]),
                    (Some(c), Some(x)) if c.value.is_some() && x.value.is_none() => (x, c, &node.inputs()[1]),
                    _ => return false,
                };
                let Some(li) = act.layer.filter(|_| sole(act, name)) else { return false };
                let (ch, axis) = self.b.channels(li);
                act.shape == out && lower::per_channel(&bias.shape, &out, ch, axis) && self.b.fold_into(li, node, None)
            }
            _ => false,
        }
    }

    /// `If` with a constant condition: run the chosen branch in place.
    fn inline_if(&mut self, node: &Node, ins: &[Option<&Info>]) -> Result<(), OnnxError> {
        let cond = ins.first().copied().flatten().and_then(|c| c.value.as_ref()).and_then(|v| v.to_i64());
        let Some(cond) = cond.and_then(|v| v.first().copied()) else {
            return Err(self.node_err(
                node,
                "its condition depends on the input data, so eyrie cannot tell which branch runs; export the model without data-dependent control flow",
            ));
        };
        let branch = if cond != 0 { "then_branch" } else { "else_branch" };
        let g = node.graph(branch).ok_or_else(|| self.node_err(node, format!("has no `{branch}`")))?;
        if g.output.len() != node.outputs().len() {
            return Err(
                self.node_err(node, format!("`{branch}` has {} outputs for {}", g.output.len(), node.outputs().len()))
            );
        }
        self.report.inlined_ifs.push(format!("{} ({branch})", node.name));
        self.add_initializers(g)?;
        self.run_graph(g)?;
        for (inner, outer) in g.output.iter().zip(node.outputs()) {
            if let Some(info) = self.env.get(inner.name()).cloned() {
                self.set(outer, Info { layer: None, ..info });
            } else if self.poisoned.contains(inner.name()) {
                self.poisoned.insert(outer.clone());
            }
        }
        Ok(())
    }
}
