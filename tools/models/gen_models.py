#!/usr/bin/python3
"""Generates the synthetic benchmark/test models into a directory.

  gen_models.py OUTDIR                      every model below
  gen_models.py --fix-input IN OUT NAME=DIMS [...]
                                            copy of IN with fixed input dims

Models (float32, opset 17, deterministic random weights, He-initialised):
  mobilenetv2.onnx    MobileNetV2-1.0 architecture, input [1,3,224,224]
  resnet18.onnx       ResNet-18 architecture (BN folded into conv biases)
  encoder.onnx        one BERT-base encoder layer (12 heads, FF 3072) on [1,128,768],
                      layer norm and GELU decomposed as exporters write them
  *_qdq.onnx          int8 QDQ variants (per-channel weights, calibrated activations)
  *_dyn.onnx          symbolic batch (and sequence) dims
Needs Debian's python3-onnx and python3-numpy only.
"""
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import np_reference  # noqa: E402
import qdq  # noqa: E402
from onnx_builder import GraphBuilder, rename_output, set_input_dims  # noqa: E402


def mobilenetv2():
    b = GraphBuilder("mobilenetv2", seed=2)
    y = b.relu6(b.conv("input", 3, 32, 3, stride=2))
    cin = 32
    # (expansion, channels, repeats, first stride) from the MobileNetV2 paper.
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            z = y if t == 1 else b.relu6(b.conv(y, cin, hidden, 1))
            z = b.relu6(b.conv(z, hidden, hidden, 3, stride=stride, group=hidden))
            z = b.conv(z, hidden, c, 1)
            if stride == 1 and cin == c:
                z = b.op("Add", [y, z])
            y, cin = z, c
    y = b.relu6(b.conv(y, cin, 1280, 1))
    y = b.op("Flatten", [b.op("GlobalAveragePool", [y])], axis=1)
    y = b.gemm(y, 1280, 1000)
    m = b.model([("input", [1, 3, 224, 224])], [(y, [1, 1000])])
    rename_output(m, y, "logits")
    return m


def resnet18():
    b = GraphBuilder("resnet18", seed=18)
    y = b.op("Relu", [b.conv("input", 3, 64, 7, stride=2)])
    y = b.op("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for c, s in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        for i in range(2):
            stride = s if i == 0 else 1
            z = b.op("Relu", [b.conv(y, cin, c, 3, stride=stride)])
            z = b.conv(z, c, c, 3)
            short = y if (stride == 1 and cin == c) else b.conv(y, cin, c, 1, stride=stride)
            y = b.op("Relu", [b.op("Add", [z, short])])
            cin = c
    y = b.op("Flatten", [b.op("GlobalAveragePool", [y])], axis=1)
    y = b.gemm(y, 512, 1000)
    m = b.model([("input", [1, 3, 224, 224])], [(y, [1, 1000])])
    rename_output(m, y, "logits")
    return m


def encoder(seq=128, hidden=768, heads=12, ff=3072):
    b = GraphBuilder("encoder", seed=12)
    d = hidden // heads

    def split_heads(z, perm):
        r = b.op("Reshape", [z, b.const(np.array([0, 0, heads, d], np.int64), "shape")])
        return b.op("Transpose", [r], perm=perm)

    def layer_norm(z):
        mean = b.op("ReduceMean", [z], axes=[-1])
        dev = b.op("Sub", [z, mean])
        var = b.op("ReduceMean", [b.op("Pow", [dev, b.const(np.float32(2), "two")])], axes=[-1])
        std = b.op("Sqrt", [b.op("Add", [var, b.const(np.float32(1e-12), "eps")])])
        n = b.op("Div", [dev, std])
        gamma = (1 + 0.1 * b.rng.standard_normal(hidden)).astype(np.float32)
        beta = (0.1 * b.rng.standard_normal(hidden)).astype(np.float32)
        return b.op("Add", [b.op("Mul", [n, b.const(gamma, "gamma")]), b.const(beta, "beta")])

    x = "input"
    q = split_heads(b.linear(x, hidden, hidden), [0, 2, 1, 3])
    kt = split_heads(b.linear(x, hidden, hidden), [0, 2, 3, 1])
    v = split_heads(b.linear(x, hidden, hidden), [0, 2, 1, 3])
    scores = b.op("Div", [b.op("MatMul", [q, kt]), b.const(np.float32(np.sqrt(d)), "sqrt_d")])
    ctx = b.op("MatMul", [b.op("Softmax", [scores], axis=-1), v])
    ctx = b.op("Reshape", [b.op("Transpose", [ctx], perm=[0, 2, 1, 3]),
                           b.const(np.array([0, 0, hidden], np.int64), "shape")])
    a = layer_norm(b.op("Add", [x, b.linear(ctx, hidden, hidden)]))
    f = b.linear(a, hidden, ff)
    erf = b.op("Erf", [b.op("Div", [f, b.const(np.float32(np.sqrt(2.0)), "sqrt2")])])
    gelu = b.op("Mul", [b.op("Mul", [f, b.op("Add", [erf, b.const(np.float32(1), "one")])]),
                        b.const(np.float32(0.5), "half")])
    y = layer_norm(b.op("Add", [a, b.linear(gelu, ff, hidden)]))
    m = b.model([("input", [1, seq, hidden])], [(y, [1, seq, hidden])])
    rename_output(m, y, "output")
    return m


def calibrated_qdq(model):
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = np.random.default_rng(7).uniform(-1, 1, shape).astype(np.float32)
    vals = np_reference.run(model, {model.graph.input[0].name: x})
    ranges = {k: float(np.abs(v).max()) for k, v in vals.items() if v.dtype == np.float32}
    q = onnx.ModelProto()
    q.CopyFrom(model)
    return qdq.quantise(q, ranges)


def dynamic(model, dims):
    d = onnx.ModelProto()
    d.CopyFrom(model)
    set_input_dims(d, {d.graph.input[0].name: dims})
    out = d.graph.output[0].type.tensor_type.shape
    for i, v in enumerate(dims[:len(out.dim) - 1]):
        if isinstance(v, str):
            out.dim[i].ClearField("dim_value")
            out.dim[i].dim_param = v
    onnx.checker.check_model(d)
    return d


def save(model, outdir, name):
    path = os.path.join(outdir, name)
    onnx.save(model, path + ".tmp")
    os.replace(path + ".tmp", path)
    print(path)


def main(argv):
    if len(argv) >= 4 and argv[1] == "--fix-input":
        m = onnx.load(argv[2])
        dims = {}
        for spec in argv[4:]:
            name, _, text = spec.partition("=")
            dims[name] = [int(v) for v in text.split("x")]
        set_input_dims(m, dims)
        onnx.save(m, argv[3])
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name, build, dyn in [("mobilenetv2", mobilenetv2, ["N", 3, 224, 224]),
                             ("resnet18", resnet18, None),
                             ("encoder", encoder, ["N", "S", 768])]:
        m = build()
        save(m, outdir, name + ".onnx")
        save(calibrated_qdq(m), outdir, name + "_qdq.onnx")
        if dyn:
            save(dynamic(m, dyn), outdir, name + "_dyn.onnx")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
