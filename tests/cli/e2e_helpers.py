#!/usr/bin/python3
"""Helpers for tests/suites/23-cli.sh (Debian's python3-onnx and numpy).

  pb2npy TESTDIR OUTDIR         the test's input_N.pb as OUTDIR/<name>.npy;
                                prints the --input arguments for rnpu run
  compare TESTDIR OUTDIR        OUTDIR/<output>.npy against output_N.pb
  same OUTDIR_A OUTDIR_B        every .npy in A equals (within 1e-4) the one in B
  model KIND PATH               writes a small model: cnn | qdq | dynamic | float16
  check-bench FILE ITERATIONS   rnpu bench --json output is complete and sane
  check-trace FILE              rnpu profile output is a Chrome trace with op events
Exit status 0 when the check holds; the reason is printed otherwise.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def graph_inputs(model):
    inits = {t.name for t in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in inits]


def safe(name):
    s = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return s if s and s[0] != "." else "tensor" + s


def pb2npy(testdir, outdir):
    model = onnx.load(os.path.join(testdir, "model.onnx"))
    names = graph_inputs(model)
    data = os.path.join(testdir, "test_data_set_0")
    args = []
    for i, name in enumerate(names):
        t = onnx.TensorProto()
        with open(os.path.join(data, f"input_{i}.pb"), "rb") as f:
            t.ParseFromString(f.read())
        path = os.path.join(outdir, f"in{i}.npy")
        np.save(path, numpy_helper.to_array(t))
        args += ["--input", f"{name}={path}"]
    print(" ".join(args))
    return 0


def compare(testdir, outdir):
    model = onnx.load(os.path.join(testdir, "model.onnx"))
    data = os.path.join(testdir, "test_data_set_0")
    for i, out in enumerate(model.graph.output):
        t = onnx.TensorProto()
        with open(os.path.join(data, f"output_{i}.pb"), "rb") as f:
            t.ParseFromString(f.read())
        want = numpy_helper.to_array(t)
        got = np.load(os.path.join(outdir, safe(out.name) + ".npy"))
        if got.dtype != want.dtype or got.shape != want.shape:
            print(f"{out.name}: got {got.dtype}{list(got.shape)}, want {want.dtype}{list(want.shape)}")
            return 1
        if want.dtype.kind == "f":
            ok = np.allclose(got, want, rtol=1e-4, atol=1e-4, equal_nan=True)
        else:
            ok = np.array_equal(got, want)
        if not ok:
            print(f"{out.name}: values differ, max abs diff "
                  f"{np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))}")
            return 1
    return 0


def same(a, b):
    files = sorted(f for f in os.listdir(a) if f.endswith(".npy"))
    if not files:
        print(f"no .npy files in {a}")
        return 1
    for f in files:
        x, y = np.load(os.path.join(a, f)), np.load(os.path.join(b, f))
        if x.shape != y.shape or x.dtype != y.dtype:
            print(f"{f}: {x.dtype}{list(x.shape)} vs {y.dtype}{list(y.shape)}")
            return 1
        d = float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))) if x.size else 0.0
        if d > 1e-4:
            print(f"{f}: max abs diff {d}")
            return 1
    return 0


def const(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def model(kind, path):
    rng = np.random.default_rng(0)
    f32 = TensorProto.FLOAT
    if kind == "cnn":
        nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
                 helper.make_node("Relu", ["c"], ["r"], name="relu"),
                 helper.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
                 helper.make_node("Flatten", ["p"], ["f"], name="flat"),
                 helper.make_node("Gemm", ["f", "fc", "fb"], ["logits"], name="fc", transB=1),
                 helper.make_node("ArgMax", ["logits"], ["class"], name="argmax", axis=1)]
        inits = [const("w", rng.standard_normal((8, 3, 3, 3)).astype(np.float32) * 0.3),
                 const("b", rng.standard_normal(8).astype(np.float32) * 0.1),
                 const("fc", rng.standard_normal((5, 8)).astype(np.float32)),
                 const("fb", rng.standard_normal(5).astype(np.float32))]
        ins = [helper.make_tensor_value_info("x", f32, [1, 3, 16, 16])]
        outs = [helper.make_tensor_value_info("logits", f32, [1, 5]),
                helper.make_tensor_value_info("class", TensorProto.INT64, [1, 1])]
    elif kind == "qdq":
        w = rng.integers(-127, 128, (4, 3, 3, 3)).astype(np.int8)
        nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["xq"], name="qx"),
                 helper.make_node("DequantizeLinear", ["xq", "s", "z"], ["xd"], name="dqx"),
                 helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], name="dqw",
                                  axis=0),
                 helper.make_node("Conv", ["xd", "wd"], ["c"], name="conv", pads=[1, 1, 1, 1]),
                 helper.make_node("QuantizeLinear", ["c", "so", "z"], ["cq"], name="qc"),
                 helper.make_node("DequantizeLinear", ["cq", "so", "z"], ["y"], name="dqc")]
        inits = [const("s", np.float32(1 / 64)), const("z", np.int8(0)), const("wq", w),
                 const("ws", np.full(4, 1 / 256, np.float32)), const("wz", np.zeros(4, np.int8)),
                 const("so", np.float32(1 / 16))]
        ins = [helper.make_tensor_value_info("x", f32, [1, 3, 8, 8])]
        outs = [helper.make_tensor_value_info("y", f32, [1, 4, 8, 8])]
    elif kind == "dynamic":
        nodes = [helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
                 helper.make_node("Softmax", ["m"], ["y"], name="sm", axis=-1)]
        inits = [const("w", rng.standard_normal((4, 6)).astype(np.float32))]
        ins = [helper.make_tensor_value_info("x", f32, ["batch", 4])]
        outs = [helper.make_tensor_value_info("y", f32, ["batch", 6])]
    elif kind == "float16":
        nodes = [helper.make_node("Cast", ["x"], ["xf"], name="up", to=f32),
                 helper.make_node("Mul", ["xf", "two"], ["m"], name="mul"),
                 helper.make_node("Cast", ["m"], ["y"], name="down", to=TensorProto.FLOAT16)]
        inits = [const("two", np.float32(2))]
        ins = [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [2, 3])]
        outs = [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [2, 3])]
    else:
        print(f"unknown model kind {kind}")
        return 2
    g = helper.make_graph(nodes, kind, ins, outs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return 0


def check_bench(path, iterations):
    with open(path) as f:
        r = json.load(f)
    lat = r["latency_ms"]
    checks = [
        (r["iterations"] == int(iterations), "iterations"),
        (0 < lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"], "percentile order"),
        (r["throughput_per_s"] > 0, "throughput"),
        (r["peak_rss_bytes"] > 1 << 20, "peak RSS"),
        (r["arena_bytes"] >= 0, "arena"),
        (sum(r["ops"].values()) > 0, "ops per backend"),
        (r["threads"] >= 1, "threads"),
    ]
    for ok, what in checks:
        if not ok:
            print(f"bench json: bad {what}: {r}")
            return 1
    return 0


def check_trace(path):
    with open(path) as f:
        t = json.load(f)
    ev = t["traceEvents"]
    ops = [e for e in ev if e.get("ph") == "X" and e.get("cat") != "run"]
    runs = [e for e in ev if e.get("ph") == "X" and e.get("cat") == "run"]
    if not ops or not runs:
        print(f"trace: {len(ops)} op events, {len(runs)} run events")
        return 1
    for e in ops:
        if not all(k in e for k in ("name", "ts", "dur", "pid", "tid")) or e["dur"] < 0:
            print(f"trace: bad event {e}")
            return 1
    return 0


def main(argv):
    cmds = {"pb2npy": pb2npy, "compare": compare, "same": same, "model": model,
            "check-bench": check_bench, "check-trace": check_trace}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__)
        return 2
    return cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
