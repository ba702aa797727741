"""Small helper for writing ONNX graphs node by node (used by gen_models.py).

Weights are drawn from a numpy Generator seeded by the caller, so every
model is byte-for-byte reproducible from these scripts.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class GraphBuilder:
    def __init__(self, name, seed):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.initializers = []
        self.counter = {}

    def fresh(self, prefix):
        n = self.counter.get(prefix, 0)
        self.counter[prefix] = n + 1
        return f"{prefix}_{n}"

    def const(self, array, prefix="c"):
        name = self.fresh(prefix)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type, inputs, num_outputs=1, name=None, **attrs):
        node_name = name or self.fresh(op_type.lower())
        outs = [f"{node_name}_out{i}" if num_outputs > 1 else f"{node_name}_out"
                for i in range(num_outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=node_name, **attrs))
        return outs if num_outputs > 1 else outs[0]

    # Layers with deterministic random weights (He initialisation, so
    # activations keep a similar scale through deep stacks).
    def conv(self, x, cin, cout, k, stride=1, group=1, pads=None, bias=True):
        fan_in = cin // group * k * k
        w = (self.rng.standard_normal((cout, cin // group, k, k)) *
             np.sqrt(2.0 / fan_in)).astype(np.float32)
        ins = [x, self.const(w, "w")]
        if bias:
            ins.append(self.const((self.rng.standard_normal(cout) * 0.05).astype(np.float32), "b"))
        p = [k // 2] * 4 if pads is None else pads
        return self.op("Conv", ins, kernel_shape=[k, k], strides=[stride, stride], pads=p,
                       group=group)

    def relu6(self, x):
        return self.op("Clip", [x, self.const(np.float32(0), "lo"), self.const(np.float32(6), "hi")])

    def linear(self, x, cin, cout, std=None):
        s = np.sqrt(1.0 / cin) if std is None else std
        w = (self.rng.standard_normal((cin, cout)) * s).astype(np.float32)
        b = (self.rng.standard_normal(cout) * 0.02).astype(np.float32)
        return self.op("Add", [self.op("MatMul", [x, self.const(w, "w")]), self.const(b, "b")])

    def gemm(self, x, cin, cout):
        w = (self.rng.standard_normal((cout, cin)) * np.sqrt(1.0 / cin)).astype(np.float32)
        b = (self.rng.standard_normal(cout) * 0.02).astype(np.float32)
        return self.op("Gemm", [x, self.const(w, "w"), self.const(b, "b")], transB=1)

    def model(self, inputs, outputs):
        """inputs/outputs: lists of (name, shape); shape entries may be str (symbolic)."""
        def vi(name, shape):
            return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
        graph = helper.make_graph(self.nodes, self.name, [vi(n, s) for n, s in inputs],
                                  [vi(n, s) for n, s in outputs], self.initializers)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="rnpu tools/models")
        m.ir_version = 8
        onnx.checker.check_model(m)
        return m


def rename_output(model, old, new):
    for n in model.graph.node:
        n.output[:] = [new if o == old else o for o in n.output]
        n.input[:] = [new if i == old else i for i in n.input]
    for o in model.graph.output:
        if o.name == old:
            o.name = new


def set_input_dims(model, dims_by_input):
    """Replaces input dims: ints fix them, strings make them symbolic."""
    for inp in model.graph.input:
        if inp.name not in dims_by_input:
            continue
        shape = inp.type.tensor_type.shape
        for d, v in zip(shape.dim, dims_by_input[inp.name]):
            if isinstance(v, str):
                d.ClearField("dim_value")
                d.dim_param = v
            else:
                d.ClearField("dim_param")
                d.dim_value = v
    # Shapes recorded for intermediates belong to the old input shape.
    del model.graph.value_info[:]
