"""A numpy evaluator for the few ops the generated models use.

gen_models.py runs the float models once through it to calibrate the
scales of their QDQ (int8) variants from real activation ranges.  It is
not a general ONNX runtime: unknown ops raise.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from onnx import numpy_helper


def _attrs(node):
    out = {}
    for a in node.attribute:
        if a.type == a.INT:
            out[a.name] = a.i
        elif a.type == a.FLOAT:
            out[a.name] = a.f
        elif a.type == a.INTS:
            out[a.name] = list(a.ints)
        elif a.type == a.STRING:
            out[a.name] = a.s.decode()
    return out


def _windows(x, kh, kw, strides, pads, fill):
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])),
               constant_values=fill)
    win = sliding_window_view(x, (kh, kw), axis=(2, 3))  # N,C,Ho,Wo,kh,kw
    return win[:, :, ::strides[0], ::strides[1]]


def _conv(x, w, b, a):
    m, cg, kh, kw = w.shape
    g = a.get("group", 1)
    win = _windows(x, kh, kw, a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0]), 0)
    n, c, ho, wo = win.shape[:4]
    if g == 1:
        y = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))  # N,Ho,Wo,M
        y = y.transpose(0, 3, 1, 2)
    else:
        win = win.reshape(n, g, cg, ho, wo, kh, kw)
        wg = w.reshape(g, m // g, cg, kh, kw)
        y = np.einsum("ngchwij,gmcij->ngmhw", win, wg, optimize=True).reshape(n, m, ho, wo)
    if b is not None:
        y = y + b.reshape(1, -1, 1, 1)
    return y.astype(np.float32)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_erf = np.vectorize(math.erf, otypes=[np.float32])


def run(model, feeds):
    """Evaluates `model` on `feeds`; returns every value by name."""
    vals = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    vals.update(feeds)
    for node in model.graph.node:
        a = _attrs(node)
        x = [vals[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Conv":
            y = _conv(x[0], x[1], x[2] if len(x) > 2 else None, a)
        elif op == "Clip":
            y = np.clip(x[0], x[1], x[2])
        elif op == "Relu":
            y = np.maximum(x[0], 0)
        elif op in ("Add", "Sub", "Mul", "Div", "Pow"):
            f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide,
                 "Pow": np.power}[op]
            y = f(x[0], x[1]).astype(x[0].dtype)
        elif op == "Sqrt":
            y = np.sqrt(x[0])
        elif op == "Erf":
            y = _erf(x[0])
        elif op == "MatMul":
            y = np.matmul(x[0], x[1])
        elif op == "Gemm":
            b = x[1].T if a.get("transB", 0) else x[1]
            y = x[0] @ b + (x[2] if len(x) > 2 else 0)
        elif op == "GlobalAveragePool":
            y = x[0].mean(axis=(2, 3), keepdims=True)
        elif op == "MaxPool":
            k = a["kernel_shape"]
            y = _windows(x[0], k[0], k[1], a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0]),
                         -np.inf).max(axis=(4, 5))
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = x[0].reshape(int(np.prod(x[0].shape[:ax])), -1)
        elif op == "Reshape":
            shape = [x[0].shape[i] if d == 0 else int(d) for i, d in enumerate(x[1])]
            y = x[0].reshape(shape)
        elif op == "Transpose":
            y = x[0].transpose(a["perm"])
        elif op == "Softmax":
            y = _softmax(x[0], a.get("axis", -1))
        elif op == "ReduceMean":
            y = x[0].mean(axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))
        else:
            raise NotImplementedError(f"np_reference: op {op}")
        vals[node.output[0]] = np.asarray(y, dtype=np.float32)
    return vals
