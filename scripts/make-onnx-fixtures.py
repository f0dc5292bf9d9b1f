#!/usr/bin/env python3
"""Write the small hand-built ONNX fixtures of eyrie's import tests to
workloads/tests/fixtures/onnx/ (committed; rerun only to change them).

Needs the `onnx` Python package (pip install onnx==1.23.2). Each model covers
some lowered operators or one error; the expected figures are computed by
hand in workloads/tests/onnx_fixtures.rs. Weights are simple known numbers
so tests can check them exactly.

Usage: scripts/make-onnx-fixtures.py
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), "..", "workloads", "tests", "fixtures", "onnx")
F = TensorProto.FLOAT


def vi(name, dims, t=F):
    return helper.make_tensor_value_info(name, t, dims)


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def save(name, nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="eyrie-fixtures")
    m.ir_version = 8
    data = m.SerializeToString()
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(data)
    return data


def main():
    os.makedirs(OUT, exist_ok=True)
    N = helper.make_node
    U8 = TensorProto.UINT8
    i64 = lambda v: np.array(v, np.int64)  # noqa: E731

    # Conv (bias) + BatchNorm (folded) + Relu + MaxPool + Flatten + Gemm.
    # BN factor = gamma / sqrt(var + eps) = (k + 1) / 2 with var = 3, eps = 1.
    cnn = save(
        "cnn",
        [
            N("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
            N("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["bn1"], name="bn1", epsilon=1.0),
            N("Relu", ["bn1"], ["r1"], name="relu1"),
            N("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
            N("Flatten", ["p1"], ["f1"], name="flatten"),
            N("Gemm", ["f1", "w2", "b2"], ["y"], name="fc", transB=1),
        ],
        [vi("x", [1, 3, 8, 8])],
        [vi("y", [1, 10])],
        [
            init("w1", np.ones((8, 3, 3, 3), np.float32)),
            init("b1", np.zeros(8, np.float32)),
            init("gamma", np.arange(1, 9, dtype=np.float32)),
            init("beta", np.zeros(8, np.float32)),
            init("mean", np.zeros(8, np.float32)),
            init("var", np.full(8, 3.0, np.float32)),
            init("w2", np.arange(1280, dtype=np.float32).reshape(10, 128) / 1280),
            init("b2", np.zeros(10, np.float32)),
        ],
    )

    # Depthwise, dilated, strided conv; a conv with asymmetric padding; no names.
    save(
        "depthwise",
        [
            N("Conv", ["x", "wd"], ["d"], group=8, kernel_shape=[3, 3], dilations=[2, 2], strides=[2, 2], pads=[2, 2, 2, 2]),
            N("Conv", ["d", "wa"], ["y"], kernel_shape=[2, 2], pads=[0, 0, 1, 1]),
        ],
        [vi("x", [1, 8, 9, 9])],
        [vi("y", [1, 4, 5, 5])],
        [init("wd", np.ones((8, 1, 3, 3), np.float32)), init("wa", np.ones((4, 8, 2, 2), np.float32))],
    )

    # 1-D convolution (audio-style) with SAME_UPPER padding.
    save(
        "conv1d",
        [N("Conv", ["x", "w"], ["y"], name="conv1d", kernel_shape=[3], strides=[2], auto_pad="SAME_UPPER")],
        [vi("x", [1, 4, 16])],
        [vi("y", [1, 6, 8])],
        [init("w", np.ones((6, 4, 3), np.float32))],
    )

    # ConvTranspose k=2 s=2 with a per-channel bias Add (folded), then k=3 s=2 p=1 output_padding=1.
    save(
        "conv_transpose",
        [
            N("ConvTranspose", ["x", "wt1"], ["t1"], name="up1", kernel_shape=[2, 2], strides=[2, 2]),
            N("Add", ["t1", "bias"], ["a1"], name="up1_bias"),
            N("ConvTranspose", ["a1", "wt2"], ["y"], name="up2", kernel_shape=[3, 3], strides=[2, 2],
              pads=[1, 1, 1, 1], output_padding=[1, 1]),
        ],
        [vi("x", [1, 4, 5, 5])],
        [vi("y", [1, 3, 20, 20])],
        [
            init("wt1", np.arange(32, dtype=np.float32).reshape(4, 2, 2, 2)),
            init("bias", np.zeros((1, 2, 1, 1), np.float32)),
            init("wt2", np.ones((2, 3, 3, 3), np.float32)),
        ],
    )

    # MatMul with a weight matrix, batched activation x activation MatMul, Gemm with alpha.
    save(
        "matmul",
        [
            N("MatMul", ["x", "wm"], ["m1"], name="proj"),
            N("MatMul", ["x", "y"], ["m2"], name="attn"),
            N("Gemm", ["z", "wg"], ["g"], name="gemm", transB=1, alpha=2.0),
        ],
        [vi("x", [2, 5, 6]), vi("y", [2, 6, 3]), vi("z", [3, 6])],
        [vi("m1", [2, 5, 4]), vi("m2", [2, 5, 3]), vi("g", [3, 4])],
        [init("wm", np.arange(24, dtype=np.float32).reshape(6, 4)), init("wg", np.ones((4, 6), np.float32))],
    )

    # Bidirectional LSTM and a forward GRU on X [T=5, B=2, I=4], hidden 3.
    save(
        "recurrent",
        [
            N("LSTM", ["x", "lw", "lr"], ["ly"], name="lstm", hidden_size=3, direction="bidirectional"),
            N("GRU", ["x", "gw", "gr"], ["gy"], name="gru", hidden_size=3),
        ],
        [vi("x", [5, 2, 4])],
        [vi("ly", [5, 2, 2, 3]), vi("gy", [5, 1, 2, 3])],
        [
            init("lw", np.arange(96, dtype=np.float32).reshape(2, 12, 4)),
            init("lr", np.ones((2, 12, 3), np.float32)),
            init("gw", np.ones((1, 9, 4), np.float32)),
            init("gr", np.ones((1, 9, 3), np.float32)),
        ],
    )

    # Data movement with shapes followed, a Shape→Gather→Concat→Reshape chain,
    # pooling, a reduction and element-wise layers.
    save(
        "data_movement",
        [
            N("Relu", ["x"], ["a"], name="relu"),
            N("Transpose", ["a"], ["t"], name="nhwc", perm=[0, 2, 3, 1]),
            N("Split", ["t", "split"], ["s1", "s2"], name="split", axis=3),
            N("Concat", ["s2", "s1"], ["c"], name="concat", axis=3),
            N("Resize", ["c", "", "scales"], ["r"], name="resize", mode="nearest"),
            N("Slice", ["r", "starts", "ends", "axes"], ["sl"], name="slice"),
            N("Pad", ["sl", "pads"], ["p"], name="pad"),
            N("Shape", ["p"], ["shp"], name="shape"),
            N("Gather", ["shp", "zero"], ["n"], name="batch", axis=0),
            N("Concat", ["n", "minus1"], ["target"], name="target", axis=0),
            N("Reshape", ["p", "target"], ["flat"], name="reshape"),
            N("Unsqueeze", ["flat", "one"], ["u"], name="unsqueeze"),
            N("Squeeze", ["u", "one"], ["q"], name="squeeze"),
            N("Softmax", ["q"], ["sm"], name="softmax", axis=1),
            N("GlobalAveragePool", ["x"], ["gap"], name="gap"),
            N("ReduceMean", ["x", "hw"], ["rm"], name="mean", keepdims=0),
            N("Add", ["a", "x"], ["res"], name="residual"),
        ],
        [vi("x", [1, 4, 6, 6])],
        [vi("sm", [1, 480]), vi("gap", [1, 4, 1, 1]), vi("rm", [1, 4]), vi("res", [1, 4, 6, 6])],
        [
            init("split", i64([1, 3])),
            init("scales", np.array([1, 2, 2, 1], np.float32)),
            init("starts", i64([2])),
            init("ends", i64([10])),
            init("axes", i64([1])),
            init("pads", i64([0, 1, 0, 0, 0, 1, 0, 0])),
            init("zero", i64([0])),
            init("minus1", i64([-1])),
            init("one", i64([1])),
            init("hw", i64([2, 3])),
        ],
        opset=18,
    )

    # fp16 weights cast to fp32, and a Constant-node fp16 MatMul weight.
    w16 = np.array([0.5, -1.25, 2.0, 0.125, -0.5, 3.0], np.float16).reshape(2, 3, 1, 1)
    save(
        "fp16",
        [
            N("Cast", ["w16"], ["w32"], name="cast_w", to=F),
            N("Conv", ["x", "w32"], ["c"], name="conv", kernel_shape=[1, 1]),
            N("Flatten", ["c"], ["f"], name="flatten"),
            N("Constant", [], ["wm16"], name="wm", value=numpy_helper.from_array(np.full((8, 2), 0.25, np.float16))),
            N("Cast", ["wm16"], ["wm32"], name="cast_m", to=F),
            N("MatMul", ["f", "wm32"], ["y"], name="fc"),
        ],
        [vi("x", [1, 3, 2, 2])],
        [vi("y", [1, 2])],
        [init("w16", w16)],
    )

    # int8 weights: DequantizeLinear (per channel) into a Conv, and a QLinearConv.
    save(
        "int8",
        [
            N("DequantizeLinear", ["wq", "ws", "wz"], ["w"], name="dq", axis=0),
            N("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[1, 1]),
            N("QuantizeLinear", ["c", "ys", "yz"], ["cq"], name="q"),
            N("QLinearConv", ["cq", "ys", "yz", "wq2", "ws2", "wz2", "ys", "yz"], ["y"], name="qconv",
              kernel_shape=[1, 1]),
        ],
        [vi("x", [1, 3, 2, 2])],
        [vi("y", [1, 1, 2, 2], U8)],
        [
            init("wq", np.array([10, -10, 4, 8, 0, -2], np.int8).reshape(2, 3, 1, 1)),
            init("ws", np.array([0.5, 0.25], np.float32)),
            init("wz", np.array([0, 2], np.int8)),
            init("ys", np.array(0.1, np.float32)),
            init("yz", np.array(128, np.uint8)),
            init("wq2", np.array([3, -3], np.int8).reshape(1, 2, 1, 1)),
            init("ws2", np.array(0.5, np.float32)),
            init("wz2", np.array(1, np.int8)),
        ],
    )

    # Integer MatMul / Conv (no scale: q − zero point) and a QLinearMatMul.
    save(
        "integer_ops",
        [
            N("MatMulInteger", ["a", "bq", "", "bz"], ["m"], name="mmi"),
            N("ConvInteger", ["xq", "wq", "", "wz"], ["c"], name="convi", kernel_shape=[1, 1]),
            N("QLinearMatMul", ["a", "s", "z", "bq", "s", "z", "s", "z"], ["qm"], name="qmm"),
        ],
        [vi("a", [3, 2], U8), vi("xq", [1, 2, 3, 3], U8)],
        [vi("m", [3, 2], TensorProto.INT32), vi("c", [1, 2, 3, 3], TensorProto.INT32), vi("qm", [3, 2], U8)],
        [
            init("bq", np.array([[4, -4], [2, 6]], np.int8)),
            init("bz", np.array([1, 2], np.int8)),
            init("wq", np.array([5, 3, -1, 7], np.int8).reshape(2, 2, 1, 1)),
            init("wz", np.array(3, np.int8)),
            init("s", np.array(0.5, np.float32)),
            init("z", np.array(0, np.uint8)),
        ],
    )

    # AveragePool with ceil_mode and padding, a simple RNN, DepthToSpace, Tile, Expand, Gather.
    save(
        "more_ops",
        [
            N("AveragePool", ["x"], ["p"], name="avg", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1),
            N("DepthToSpace", ["p"], ["d"], name="d2s", blocksize=2),
            N("Tile", ["d", "reps"], ["t"], name="tile"),
            N("Expand", ["t", "eshape"], ["e"], name="expand"),
            N("Gather", ["e", "idx"], ["g"], name="gather", axis=1),
            N("Reshape", ["g", "seq"], ["s"], name="to_seq"),
            N("RNN", ["s", "rw", "rr"], ["y"], name="rnn", hidden_size=5),
        ],
        [vi("x", [1, 8, 6, 6])],
        [vi("y", None)],
        [
            init("reps", i64([1, 1, 1, 2])),
            init("eshape", i64([2, 1, 1, 1])),
            init("idx", i64([0, 1])),
            init("seq", i64([4, 8, 16])),
            init("rw", np.ones((1, 5, 16), np.float32)),
            init("rr", np.ones((1, 5, 5), np.float32)),
        ],
    )

    # If whose condition is computed from a shape (inlined: the then branch runs).
    then_g = helper.make_graph(
        [N("Conv", ["x", "wi"], ["yt"], name="then_conv", kernel_shape=[1, 1])], "then", [], [vi("yt", [1, 2, 5, 5])]
    )
    else_g = helper.make_graph([N("Relu", ["x"], ["ye"], name="else_relu")], "else", [], [vi("ye", [1, 4, 5, 5])])
    save(
        "if_const",
        [
            N("Shape", ["x"], ["s"], name="shape"),
            N("Gather", ["s", "one"], ["ch"], name="channels", axis=0),
            N("Equal", ["ch", "four"], ["cond"], name="is4"),
            N("If", ["cond"], ["y"], name="branch", then_branch=then_g, else_branch=else_g),
        ],
        [vi("x", [1, 4, 5, 5])],
        [vi("y", None)],
        [init("one", np.array(1, np.int64)), init("four", np.array(4, np.int64)), init("wi", np.ones((2, 4, 1, 1), np.float32))],
    )

    # Errors ------------------------------------------------------------------
    # Three operators eyrie cannot lower: a custom-domain op, Einsum, and NonZero after them.
    g = helper.make_graph(
        [
            N("Relu", ["x"], ["a"], name="relu"),
            N("FancyOp", ["a"], ["b"], name="fancy", domain="com.example"),
            N("Einsum", ["b", "b"], ["e"], name="einsum", equation="nchw,nchw->nchw"),
            N("NonZero", ["e"], ["nz"], name="nonzero"),
            N("Conv", ["a", "w"], ["y"], name="conv", kernel_shape=[1, 1]),
        ],
        "unknown_ops",
        [vi("x", [1, 3, 4, 4])],
        [vi("nz", None, TensorProto.INT64), vi("y", [1, 2, 4, 4])],
        [init("w", np.ones((2, 3, 1, 1), np.float32))],
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)])
    m.ir_version = 8
    open(os.path.join(OUT, "unknown_ops.onnx"), "wb").write(m.SerializeToString())

    # Symbolic input dimensions.
    save(
        "symbolic",
        [N("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3])],
        [vi("x", ["N", 3, "H", "W"])],
        [vi("y", ["N", 4, "H2", "W2"])],
        [init("w", np.ones((4, 3, 3, 3), np.float32))],
    )

    # A Reshape whose target shape is a graph input: data dependent.
    save(
        "dynamic_reshape",
        [N("Reshape", ["x", "shape"], ["y"], name="reshape"), N("Relu", ["y"], ["z"], name="relu")],
        [vi("x", [1, 4, 4]), vi("shape", [2], TensorProto.INT64)],
        [vi("z", None)],
    )

    # Opset 6: older than eyrie reads.
    save("old_opset", [N("Relu", ["x"], ["y"], name="relu")], [vi("x", [1, 4])], [vi("y", [1, 4])], opset=6)

    # A truncated copy of cnn.onnx and bytes that are not protobuf at all.
    open(os.path.join(OUT, "truncated.onnx"), "wb").write(cnn[: len(cnn) * 2 // 3])
    open(os.path.join(OUT, "corrupt.onnx"), "wb").write(b"\x0a\xff\xff\xff\xff\x0fnot an onnx model at all\x00\x01")
    open(os.path.join(OUT, "empty.onnx"), "wb").write(b"")
    for f in sorted(os.listdir(OUT)):
        print(f"{f}: {os.path.getsize(os.path.join(OUT, f))} bytes")


if __name__ == "__main__":
    main()
