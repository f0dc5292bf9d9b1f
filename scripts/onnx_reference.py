#!/usr/bin/env python3
"""Reference MACs, MAC-layer counts and weight counts of ONNX models, computed
independently of eyrie with the `onnx` Python package's own shape inference
(onnx.shape_inference.infer_shapes with data propagation; where that leaves
a MAC operand's shape unknown, e.g. behind a Reshape whose target shape is
computed with Shape/Cast/Slice/Concat, the model is executed once with the
package's onnx.reference.ReferenceEvaluator on random inputs and the actual
shapes are read off).

For each MODEL[:NAME=DIMS[,NAME=DIMS...]] argument it fixes the given graph
inputs' shapes, runs ONNX shape inference and, for every MAC operator,
counts multiply-accumulates from the inferred shapes:

  Conv, ConvInteger, QLinearConv  prod(Y.shape) * prod(W.shape[1:])
  ConvTranspose                   prod(X.shape) * prod(W.shape[1:])
  Gemm                            M * K * N
  MatMul (numpy semantics)        prod(Y.shape) * K
  LSTM / GRU / RNN                D * T * B * G*H * (I + H), G = 4 / 3 / 1

It writes JSON: per model the total MACs, the MAC layers eyrie should build
(one per Conv/ConvTranspose/Gemm/MatMul node, two per direction of a
recurrent node), the number of weight values stored in the file for those
nodes (constant operands only), the pooling/reduction node count, and the
MACs of every MAC node by name.

Usage: onnx_reference.py --out reference.json model.onnx:x=1x3x48x192 other.onnx
"""

import argparse
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference

POOL_OPS = {
    "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "ArgMax", "ArgMin",
    "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
    "ReduceLogSumExp", "ReduceSumSquare",
}
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def fix_inputs(model, shapes):
    inits = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in inits]
    for name, dims in shapes.items():
        target = [i for i in inputs if i.name == name] if name else inputs[:1]
        if not target:
            sys.exit(f"no graph input named {name}")
        shape = target[0].type.tensor_type.shape
        if len(shape.dim) != len(dims):
            sys.exit(f"input {target[0].name} has rank {len(shape.dim)}, got {dims}")
        symbols = {}
        for d, v in zip(shape.dim, dims):
            if d.dim_param:
                symbols[d.dim_param] = v
            d.ClearField("dim_param")
            d.dim_value = v
        # Symbolic dimensions with the same name elsewhere take the same value.
        for other in inputs:
            for d in other.type.tensor_type.shape.dim:
                if d.dim_param in symbols:
                    v = symbols[d.dim_param]
                    d.ClearField("dim_param")
                    d.dim_value = v


def executed_shapes(model):
    """Run the model on seeded random inputs; the shape of every intermediate tensor."""
    from onnx.reference import ReferenceEvaluator

    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    have = {o.name for o in g.output}
    for n in g.node:
        for o in n.output:
            if o and o not in have:
                g.output.append(onnx.helper.make_empty_tensor_value_info(o))
                have.add(o)
    inits = {t.name for t in g.initializer}
    rng = np.random.default_rng(0)
    feeds = {}
    for i in g.input:
        if i.name in inits:
            continue
        tt = i.type.tensor_type
        dims = [d.dim_value for d in tt.shape.dim]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(tt.elem_type)
        feeds[i.name] = (rng.standard_normal(dims) if dtype.kind == "f" else np.zeros(dims)).astype(dtype)
    outs = ReferenceEvaluator(m).run(None, feeds)
    return {o.name: list(np.shape(v)) for o, v in zip(g.output, outs)}


def reference(path, shapes):
    model = onnx.load(path)
    fix_inputs(model, shapes)
    inferred = shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    g = inferred.graph
    known = {}
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        dims = vi.type.tensor_type.shape.dim
        if vi.type.tensor_type.HasField("shape") and all(d.HasField("dim_value") for d in dims):
            known[vi.name] = [d.dim_value for d in dims]
    # Constant tensors: initializers, Constant nodes, and whatever is computed
    # from constants alone (e.g. a Slice or Unsqueeze of a weight).
    consts = {t.name: list(t.dims) for t in g.initializer}
    for n in g.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    consts[n.output[0]] = list(a.t.dims)
    for name, dims in consts.items():
        known.setdefault(name, dims)
    const_names = set(consts)
    for n in g.node:
        if n.op_type != "Constant" and n.input and all(i in const_names for i in n.input if i):
            const_names.update(o for o in n.output if o)

    def const_shape(name, node):
        return shape(name, node) if name in const_names else None

    def size(dims):
        return int(np.prod(dims)) if dims is not None else 0

    source = ["onnx shape inference"]

    def shape(name, node):
        if name not in known:
            if len(source) == 1:
                source.append("onnx ReferenceEvaluator (executed)")
                known.update(executed_shapes(model))
            if name not in known:
                sys.exit(f"{path}: `{name}` (an operand of node {node.name} {node.op_type}) has no known shape")
        return known[name]

    nodes, total, layers, weights, pools = {}, 0, 0, 0, 0
    for i, n in enumerate(g.node):
        op = n.op_type
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
        name = n.name or f"{op}_{i}"
        if op in POOL_OPS:
            pools += 1
        if op in ("Conv", "ConvInteger", "QLinearConv"):
            w = n.input[3 if op == "QLinearConv" else 1]
            macs = int(np.prod(shape(n.output[0], n))) * int(np.prod(shape(w, n)[1:]))
            params = size(const_shape(w, n))
            layers += 1
        elif op == "ConvTranspose":
            macs = int(np.prod(shape(n.input[0], n))) * int(np.prod(shape(n.input[1], n)[1:]))
            params = size(const_shape(n.input[1], n))
            layers += 1
        elif op == "Gemm":
            a, b = shape(n.input[0], n), shape(n.input[1], n)
            m, k = (a[1], a[0]) if attrs.get("transA", 0) else (a[0], a[1])
            nn = b[0] if attrs.get("transB", 0) else b[1]
            macs = m * k * nn
            params = next((size(const_shape(x, n)) for x in (n.input[1], n.input[0]) if x in const_names), 0)
            layers += 1
        elif op in ("MatMul", "MatMulInteger", "QLinearMatMul"):
            ai, bi = (0, 3) if op == "QLinearMatMul" else (0, 1)
            k = shape(n.input[ai], n)[-1]
            macs = int(np.prod(shape(n.output[0], n))) * k
            params = next((size(const_shape(x, n)) for x in (n.input[bi], n.input[ai]) if x in const_names), 0)
            layers += 1
        elif op in GATES:
            x, w, r = shape(n.input[0], n), shape(n.input[1], n), shape(n.input[2], n)
            t, b = (x[0], x[1]) if attrs.get("layout", 0) == 0 else (x[1], x[0])
            d, gh, h = w[0], w[1], r[2]
            macs = d * t * b * gh * (x[2] + h)
            params = sum(size(const_shape(v, n)) for v in (n.input[1], n.input[2]))
            layers += 2 * d
        else:
            continue
        nodes[name] = {"op": op, "macs": macs}
        total += macs
        weights += params
    return {
        "input_shapes": {k or "": v for k, v in shapes.items()},
        "macs": total,
        "mac_layers": layers,
        "weights_in_file": weights,
        "pool_nodes": pools,
        "nodes": nodes,
        "shape_source": " + ".join(source),
        "onnx_version": onnx.__version__,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("models", nargs="+", help="MODEL.onnx[:NAME=DIMS,...] (NAME may be omitted for the first input)")
    args = ap.parse_args()
    out = {}
    for spec in args.models:
        path, _, rest = spec.partition(":")
        shapes = {}
        for part in filter(None, rest.split(",")):
            name, _, dims = part.rpartition("=")
            shapes[name] = [int(d) for d in dims.split("x")]
        key = path.rsplit("/", 1)[-1]
        out[key] = reference(path, shapes)
        print(f"{key}: {out[key]['macs']:,} MACs, {out[key]['mac_layers']} MAC layers, "
              f"{out[key]['weights_in_file']:,} weights", file=sys.stderr)
    with open(args.out + ".tmp", "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    import os
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
