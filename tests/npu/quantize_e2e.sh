#!/usr/bin/env bash
# rnpu quantize end to end: a small float CNN (generated with python3-onnx)
# is calibrated on random samples and rewritten in QDQ form; the result
# must hold Q/DQ nodes and int8 weights, run entirely on the sim backend
# (int8 on the NPU) and stay close to the float model on the cpu backend;
# the same model with its weights as external data quantises identically.
#   quantize_e2e.sh RNPU RNPU_NPY_COMPARE
set -euo pipefail
rnpu=$1
compare=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" <<'PY'
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
d = sys.argv[1]
rng = np.random.default_rng(3)
def w(name, *shape):
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.2).astype(np.float32), name)
nodes = [
    helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2]),
    helper.make_node("Relu", ["c2"], ["r2"]),
    helper.make_node("GlobalAveragePool", ["r2"], ["p"]),
    helper.make_node("Flatten", ["p"], ["f"]),
    helper.make_node("Gemm", ["f", "w3", "b3"], ["y"], transB=1),
]
g = helper.make_graph(nodes, "cnn",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 16, 16])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
    [w("w1", 16, 4, 3, 3), w("b1", 16), w("w2", 32, 16, 3, 3), w("b2", 32), w("w3", 10, 32), w("b3", 10)])
model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
onnx.save(model, d + "/cnn.onnx")
# The same model with every weight in a side file (as large exports are).
import os
os.makedirs(d + "/ext")
onnx.save(model, d + "/ext/cnn.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
          location="cnn.weights", size_threshold=0)
os.makedirs(d + "/calib")
for i in range(3):
    np.save(f"{d}/calib/{i}.npy", rng.standard_normal((1, 4, 16, 16)).astype(np.float32))
np.save(d + "/x.npy", rng.standard_normal((1, 4, 16, 16)).astype(np.float32))
PY
"$rnpu" quantize "$work/cnn.onnx" --calibration "$work/calib" -o "$work/q.onnx"
/usr/bin/python3 - "$work/q.onnx" <<'PY'
import sys, onnx
m = onnx.load(sys.argv[1])
ops = [n.op_type for n in m.graph.node]
int8 = [t.name for t in m.graph.initializer if t.data_type == onnx.TensorProto.INT8 and len(t.dims) > 1]
assert ops.count("QuantizeLinear") >= 3, ops
assert len(int8) == 3, int8
assert not any(t.data_type == onnx.TensorProto.FLOAT and len(t.dims) > 1 for t in m.graph.initializer), "float weights left"
print("QDQ model:", ops.count("QuantizeLinear"), "QuantizeLinear,", len(int8), "int8 weight tensors")
PY
"$rnpu" run "$work/q.onnx" --backend sim --no-fallback -i "x=$work/x.npy" -o "$work/sim" | grep -E '^(backend|  MACs)'
"$rnpu" run "$work/cnn.onnx" --backend cpu -i "x=$work/x.npy" -o "$work/cpu" > /dev/null
# int8 against the float model: within a few per cent of the logits' range.
"$compare" "$work/sim" "$work/cpu" --abs 0.15 --rel 0.05
# External data: the quantiser reads the side file through librnpu's tensor
# reader and writes the weights inline, so both quantised models are the same.
(cd "$work/ext" && "$rnpu" quantize cnn.onnx --calibration ../calib -o ../q_ext.onnx)
cmp "$work/q.onnx" "$work/q_ext.onnx"
echo "external-data model quantises to the same QDQ model"
