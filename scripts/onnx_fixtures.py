#!/usr/bin/python3
"""Writes the hand-built ONNX fixtures of tests/models/network/onnx_import_test.cc.

Each graph is small and built node by node with onnx.helper (Debian's
python3-onnx), so it holds exactly the ops a test is about:
  ops.onnx        Pad + Conv (asymmetric pads), MaxPool, x*sigmoid(x), HardSwish,
                  squeeze-excite (GlobalAveragePool, HardSigmoid, Mul), Clip(0,6),
                  Split + Concat, ReduceMean, Flatten, MatMul + Add, Relu
  quant.onnx      QuantizeLinear/DequantizeLinear around a Conv's weight and input
  unsupported.onnx  a Conv followed by Softmax
  bad_clip.onnx, bad_bn.onnx, bad_transpose.onnx  mapped ops used in ways coda
                  cannot map (Clip to [0, 1], a BatchNormalization after a
                  MaxPool, a Transpose outside a channel shuffle)
Run: /usr/bin/python3 scripts/onnx_fixtures.py tests/fixtures/onnx
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def weight(name, *dims):
    return numpy_helper.from_array(np.zeros(dims, dtype=np.float32), name)


def const(name, values, dtype=np.int64):
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


def model(nodes, inits, c=3, hw=16, name="g"):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, hw, hw])],
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, [])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


def ops():
    n = helper.make_node
    nodes = [
        n("Pad", ["x", "pads"], ["xp"], name="pad", mode="constant"),
        n("Conv", ["xp", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], strides=[2, 2],
          pads=[0, 0, 1, 1]),
        n("Sigmoid", ["c1"], ["s1"], name="sig1"),
        n("Mul", ["c1", "s1"], ["a1"], name="swish1"),
        n("MaxPool", ["a1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        n("Conv", ["p1", "w2"], ["c2"], name="conv2", kernel_shape=[1, 1]),
        n("HardSwish", ["c2"], ["h2"], name="hswish2"),
        n("GlobalAveragePool", ["h2"], ["g"], name="se.pool"),
        n("Conv", ["g", "w3", "b3"], ["c3"], name="se.fc", kernel_shape=[1, 1]),
        n("HardSigmoid", ["c3"], ["gate"], name="se.gate", alpha=1.0 / 6, beta=0.5),
        n("Mul", ["gate", "h2"], ["se"], name="se.scale"),
        n("Clip", ["se", "zero", "six"], ["r6"], name="relu6"),
        n("Split", ["r6", "halves"], ["left", "right"], name="split", axis=1),
        n("Conv", ["right", "w4"], ["c4"], name="branch", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
          group=8),
        n("Concat", ["left", "c4"], ["cat"], name="cat", axis=1),
        n("ReduceMean", ["cat"], ["m"], name="mean", axes=[2, 3], keepdims=0),
        n("Flatten", ["m"], ["f"], name="flatten", axis=1),
        n("MatMul", ["f", "w5"], ["mm"], name="fc"),
        n("Add", ["mm", "b5"], ["fcb"], name="fc.bias"),
        n("Relu", ["fcb"], ["y"], name="relu"),
    ]
    inits = [const("pads", [0, 0, 1, 0, 0, 0, 0, 1]), weight("w1", 8, 3, 3, 3), weight("b1", 8),
             weight("w2", 16, 8, 1, 1), weight("w3", 16, 16, 1, 1), weight("b3", 16),
             const("zero", 0.0, np.float32), const("six", 6.0, np.float32),
             const("halves", [8, 8]), weight("w4", 8, 1, 3, 3), weight("w5", 16, 10),
             weight("b5", 10)]
    return model(nodes, inits)


def quant():
    n = helper.make_node
    nodes = [
        n("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="x.q"),
        n("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="x.dq"),
        n("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], name="w.dq"),
        n("Conv", ["xd", "wd"], ["y"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    ]
    inits = [const("xs", 1.0 / 16, np.float32), const("xz", 0, np.uint8),
             numpy_helper.from_array(np.zeros((4, 3, 3, 3), dtype=np.int8), "wq"),
             const("ws", 1.0 / 64, np.float32), const("wz", 0, np.int8)]
    return model(nodes, inits, hw=8)


def unsupported():
    n = helper.make_node
    nodes = [n("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[1, 1]),
             n("Softmax", ["c"], ["y"], name="head/softmax", axis=1)]
    return model(nodes, [weight("w", 4, 3, 1, 1)], hw=4)


def bad_clip():
    n = helper.make_node
    nodes = [n("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[1, 1]),
             n("Clip", ["c", "zero", "one"], ["y"], name="clip")]
    return model(nodes, [weight("w", 4, 3, 1, 1), const("zero", 0.0, np.float32),
                         const("one", 1.0, np.float32)], hw=4)


def bad_bn():
    n = helper.make_node
    nodes = [n("MaxPool", ["x"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
             n("BatchNormalization", ["p", "s", "b", "m", "v"], ["y"], name="bn")]
    return model(nodes, [weight(k, 3) for k in "sbmv"], hw=4)


def bad_transpose():
    n = helper.make_node
    nodes = [n("Transpose", ["x"], ["y"], name="nhwc", perm=[0, 2, 3, 1])]
    return model(nodes, [], hw=4)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, build in [("ops", ops), ("quant", quant), ("unsupported", unsupported),
                        ("bad_clip", bad_clip), ("bad_bn", bad_bn),
                        ("bad_transpose", bad_transpose)]:
        m = build()
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(out, name + ".onnx"))


if __name__ == "__main__":
    main()
