"""Static int8 quantisation of a float model in QDQ form, as exporters write it.

Conv, Gemm and MatMul get QuantizeLinear/DequantizeLinear pairs on their
activation inputs and outputs (per-tensor, symmetric int8, scales from the
activation ranges of one calibration run), int8 weights with per-channel
scales and int32 biases, each behind a DequantizeLinear.  Everything else
stays float between the pairs.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

QUANTISED = ("Conv", "Gemm", "MatMul")


def quantise(model, ranges):
    """ranges: value name -> max |x| seen in calibration."""
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    new_nodes, new_inits = [], []
    dq_of = {}  # float tensor -> name of its dequantised copy
    counter = [0]

    def fresh(p):
        counter[0] += 1
        return f"{p}{counter[0]}"

    def add_const(prefix, arr):
        name = fresh(prefix)
        new_inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def act_scale(name):
        return np.float32(max(float(ranges[name]), 1e-6) / 127.0)

    def qdq_pair(src, dst, scale):
        s = add_const("scale", np.float32(scale))
        z = add_const("zp", np.int8(0))
        q = fresh("q")
        new_nodes.append(helper.make_node("QuantizeLinear", [src, s, z], [q], name=q))
        new_nodes.append(helper.make_node("DequantizeLinear", [q, s, z], [dst], name=fresh("dq")))

    def quantised_input(name):
        if name not in dq_of:
            dst = fresh(name + "_dq")
            qdq_pair(name, dst, act_scale(name))
            dq_of[name] = dst
        return dq_of[name]

    def dequantised_weight(name, axis):
        w = numpy_helper.to_array(inits[name])
        other = tuple(i for i in range(w.ndim) if i != axis)
        scale = (np.maximum(np.abs(w).max(axis=other), 1e-8) / 127.0).astype(np.float32)
        shape = [1] * w.ndim
        shape[axis] = -1
        wq = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
        out = fresh(name + "_dq")
        new_nodes.append(helper.make_node(
            "DequantizeLinear",
            [add_const("wq", wq), add_const("wscale", scale),
             add_const("wzp", np.zeros(scale.shape, np.int8))], [out], name=fresh("dqw"),
            axis=axis))
        return out, scale

    def dequantised_bias(name, in_scale, w_scale):
        b = numpy_helper.to_array(inits[name])
        scale = (in_scale * w_scale).astype(np.float32)
        bq = np.round(b / scale).astype(np.int32)
        out = fresh(name + "_dq")
        new_nodes.append(helper.make_node(
            "DequantizeLinear",
            [add_const("bq", bq), add_const("bscale", scale),
             add_const("bzp", np.zeros(scale.shape, np.int32))], [out], name=fresh("dqb"),
            axis=0))
        return out

    for node in g.node:
        if node.op_type not in QUANTISED:
            new_nodes.append(node)
            continue
        ins = list(node.input)
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        x = ins[0]
        new_ins = [quantised_input(x)]
        if ins[1] in inits:
            if node.op_type == "Conv" or (node.op_type == "Gemm" and attrs.get("transB", 0)):
                axis = 0
            else:
                axis = 1  # MatMul / Gemm B is [K, N]: a scale per output column
            wdq, wscale = dequantised_weight(ins[1], axis)
            new_ins.append(wdq)
            if len(ins) > 2 and ins[2] in inits:
                new_ins.append(dequantised_bias(ins[2], act_scale(x), wscale))
        else:
            new_ins.append(quantised_input(ins[1]))
            wscale = None
        raw = fresh(node.output[0] + "_raw")
        q = helper.make_node(node.op_type, new_ins, [raw], name=node.name)
        q.attribute.extend(node.attribute)
        new_nodes.append(q)
        # The op's output is consumed as a dequantised tensor under its old name.
        qdq_pair(raw, node.output[0], act_scale(node.output[0]))
        dq_of[node.output[0]] = node.output[0]

    used = {i for n in new_nodes for i in n.input}
    keep = [t for t in g.initializer if t.name in used]
    del g.node[:]
    g.node.extend(new_nodes)
    del g.initializer[:]
    g.initializer.extend(keep + new_inits)
    onnx.checker.check_model(model)
    return model
