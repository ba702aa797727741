// Operator fusion (passes/fusion.h).  Every rewrite is checked against the
// caller's Accept (the backend that will run the fused node: one it cannot
// run is worse than the unfused graph) and only consumes intermediates
// nothing else reads.
#include "passes/fusion.h"

#include <cmath>
#include <set>

#include "ir/fused_activation.h"

namespace rnpu::passes {

namespace {

using ir::Node;
using ir::ValueId;

struct Fuser {
  ir::Graph& g;
  const Rewrite& rw;

  // Applies `edit` to a copy of n; keeps it only if rw accepts it.
  template <class F>
  bool try_rewrite(Node& n, F&& edit) {
    Node saved = n;
    edit(n);
    if (rw.accept(g, n)) return true;
    n = std::move(saved);
    return false;
  }

  void record(ir::NodeId result, std::vector<ir::NodeId> removed) {
    if (rw.log) rw.log->entries.push_back({result, std::move(removed)});
  }

  // Conv -> BatchNormalization (inference) folds into the conv's weights.
  bool conv_bn(Node& bn) {
    if (bn.op != "BatchNormalization" || bn.inputs.size() != 5) return false;
    if (bn.attrs.get_int("training_mode", 0) != 0) return false;
    for (size_t i = 1; i < bn.outputs.size(); ++i)
      if (bn.outputs[i] != ir::kNoValue && !g.value(bn.outputs[i]).consumers.empty()) return false;
    Node* conv = producer(g, bn.inputs[0]);
    if (!conv || conv->op != "Conv" || !conv->domain.empty() || !single_use(g, bn.inputs[0]))
      return false;
    const ir::ConstTensor* w =
        const_f32(g, conv->inputs.size() > 1 ? conv->inputs[1] : ir::kNoValue);
    const ir::ConstTensor* cb = conv->inputs.size() > 2 ? const_f32(g, conv->inputs[2]) : nullptr;
    if (!w || w->dims.empty() || (conv->inputs.size() > 2 && !cb)) return false;
    int64_t m = w->dims[0];
    const ir::ConstTensor* p[4];
    for (int i = 0; i < 4; ++i) {
      p[i] = const_f32(g, bn.inputs[size_t(i + 1)]);
      if (!p[i] || p[i]->numel() != m) return false;
    }
    if (cb && cb->numel() != m) return false;
    double eps = bn.attrs.get_float("epsilon", 1e-5f);
    auto nw = ir::ConstTensor::make(ir::DType::kFloat32, w->dims);
    auto nb = ir::ConstTensor::make(ir::DType::kFloat32, {m});
    int64_t per = m ? w->numel() / m : 0;
    for (int64_t o = 0; o < m; ++o) {
      double k = double(p[0]->as<float>()[o]) / std::sqrt(double(p[3]->as<float>()[o]) + eps);
      for (int64_t j = 0; j < per; ++j)
        static_cast<float*>(nw->mutable_data())[o * per + j] =
            float(w->as<float>()[o * per + j] * k);
      double b0 = cb ? cb->as<float>()[o] : 0.0;
      static_cast<float*>(nb->mutable_data())[o] =
          float((b0 - p[2]->as<float>()[o]) * k + p[1]->as<float>()[o]);
    }
    ValueId wv = g.add_constant(g.value(conv->inputs[1]).name + "_bnfold", nw);
    ValueId bv = g.add_constant(conv->name + "_bias_bnfold", nb);
    ValueId out = bn.outputs[0];
    Node& c = *conv;  // add_constant may not move nodes; values only
    bool ok = try_rewrite(c, [&](Node& x) {
      x.inputs = {x.inputs[0], wv, bv};
      x.outputs[0] = out;
    });
    if (ok) {
      bn.dead = true;
      record(id_of(g, &c), {id_of(g, &bn)});
    }
    return ok;
  }

  // Conv/Gemm without bias followed by Add of a per-channel constant.
  bool bias_add(Node& add) {
    if (add.op != "Add" || add.inputs.size() != 2 || !add.attrs.all().empty()) return false;
    for (int side = 0; side < 2; ++side) {
      ValueId a = add.inputs[size_t(side)], c = add.inputs[size_t(1 - side)];
      Node* p = producer(g, a);
      const ir::ConstTensor* bias = const_f32(g, c);
      if (!p || !bias || !single_use(g, a) || p->attrs.has("rnpu.activation")) continue;
      if (p->op == "Conv" && p->inputs.size() == 2) {
        const ir::ConstTensor* w = const_f32(g, p->inputs[1]);
        if (!w || w->dims.size() < 3) continue;
        int64_t m = w->dims[0];
        // Bias shape must be [M, 1, ...] / [1, M, 1, ...] over the spatial dims.
        std::vector<int64_t> d = bias->dims;
        while (!d.empty() && d.front() == 1 && d.size() > w->dims.size() - 1) d.erase(d.begin());
        if (d.size() != w->dims.size() - 1 || d[0] != m) continue;
        bool ones = true;
        for (size_t i = 1; i < d.size(); ++i) ones &= d[i] == 1;
        if (!ones) continue;
        auto flat = std::make_shared<ir::ConstTensor>(*bias);
        flat->dims = {m};
        ValueId bv = g.add_constant(g.value(c).name + "_flat", flat);
        ValueId out = add.outputs[0];
        if (try_rewrite(*p, [&](Node& x) {
              x.inputs.push_back(bv);
              x.outputs[0] = out;
            })) {
          add.dead = true;
          record(id_of(g, p), {id_of(g, &add)});
          return true;
        }
      } else if (p->op == "Gemm" && p->inputs.size() == 2 && g.value(a).shape.is_static()) {
        const ir::Shape& ys = g.value(a).shape;
        std::vector<int64_t> d = bias->dims;
        bool ok = d.size() <= 2;
        if (ok && d.size() >= 1 && d.back() != ys.dims[1].value && d.back() != 1) ok = false;
        if (ok && d.size() == 2 && d[0] != ys.dims[0].value && d[0] != 1) ok = false;
        if (!ok) continue;
        ValueId out = add.outputs[0];
        if (try_rewrite(*p, [&](Node& x) {
              x.inputs.push_back(c);
              x.attrs.set_float("beta", 1.0f);
              x.outputs[0] = out;
            })) {
          add.dead = true;
          record(id_of(g, p), {id_of(g, &add)});
          return true;
        }
      }
    }
    return false;
  }

  // Conv/ConvTranspose/Gemm/MatMul/Add followed by an activation.
  bool activation(Node& act) {
    static const std::set<std::string> acts = {"Relu", "LeakyRelu",   "Clip",      "Sigmoid",
                                               "Tanh", "HardSigmoid", "HardSwish", "Gelu"};
    static const std::set<std::string> hosts = {"Conv", "ConvTranspose", "Gemm", "MatMul", "Add"};
    if (!acts.count(act.op) || !act.domain.empty() || act.inputs.empty()) return false;
    Node* p = producer(g, act.inputs[0]);
    if (!p || !hosts.count(p->op) || !p->domain.empty() || p->attrs.has("rnpu.activation") ||
        !single_use(g, act.inputs[0]) || p->outputs[0] != act.inputs[0])
      return false;
    if (!ir::dtype_is_float(g.value(act.inputs[0]).dtype)) return false;
    float alpha = 0, beta = 0;
    bool has_alpha = false, has_beta = false;
    if (act.op == "LeakyRelu") {
      alpha = act.attrs.get_float("alpha", ir::activation_default_alpha(act.op));
      has_alpha = true;
    } else if (act.op == "HardSigmoid") {
      alpha = act.attrs.get_float("alpha", ir::activation_default_alpha(act.op));
      beta = act.attrs.get_float("beta", ir::activation_default_beta(act.op));
      has_alpha = has_beta = true;
    } else if (act.op == "Clip") {
      if (act.opset < 11) {
        alpha = act.attrs.get_float("min", -INFINITY);
        beta = act.attrs.get_float("max", INFINITY);
      } else {
        alpha = -INFINITY;
        beta = INFINITY;
        if (act.inputs.size() > 1 && act.inputs[1] != ir::kNoValue) {
          auto v = const_scalar(g, act.inputs[1]);
          if (!v) return false;
          alpha = float(*v);
        }
        if (act.inputs.size() > 2 && act.inputs[2] != ir::kNoValue) {
          auto v = const_scalar(g, act.inputs[2]);
          if (!v) return false;
          beta = float(*v);
        }
      }
      has_alpha = has_beta = true;
    } else if (act.op == "Gelu" && act.attrs.get_string("approximate", "none") != "none") {
      return false;
    }
    ValueId out = act.outputs[0];
    if (!try_rewrite(*p, [&](Node& x) {
          x.attrs.set_string("rnpu.activation", act.op);
          if (has_alpha) x.attrs.set_float("rnpu.activation_alpha", alpha);
          if (has_beta) x.attrs.set_float("rnpu.activation_beta", beta);
          x.outputs[0] = out;
        }))
      return false;
    act.dead = true;
    record(id_of(g, p), {id_of(g, &act)});
    return true;
  }

  static bool near(std::optional<double> v, double want) {
    return v && std::fabs(*v - want) <= 1e-4 * std::max(1.0, std::fabs(want));
  }

  std::optional<std::vector<int64_t>> reduce_axes(const Node& n) {
    if (n.op != "ReduceMean" || n.attrs.get_int("keepdims", 1) != 1) return std::nullopt;
    if (n.attrs.has("axes")) return n.attrs.get_ints("axes");
    if (n.inputs.size() > 1 && n.inputs[1] != ir::kNoValue && g.value(n.inputs[1]).constant)
      return g.value(n.inputs[1]).constant->to_ints();
    return std::nullopt;
  }

  // ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div[/Mul/Add] -> LayerNormalization,
  // matched from the final Div.
  bool layer_norm(Node& div) {
    if (div.op != "Div" || div.inputs.size() != 2) return false;
    ValueId d = div.inputs[0];
    Node* sqrt = producer(g, div.inputs[1]);
    Node* sub = producer(g, d);
    // Arity is checked too: shape inference lets some malformed nodes through.
    if (!sqrt || sqrt->op != "Sqrt" || sqrt->inputs.size() != 1 || !sub || sub->op != "Sub" ||
        sub->inputs.size() != 2)
      return false;
    Node* addeps = producer(g, sqrt->inputs[0]);
    if (!addeps || addeps->op != "Add" || addeps->inputs.size() != 2) return false;
    Node* var = nullptr;
    std::optional<double> eps;
    for (int s = 0; s < 2; ++s) {
      Node* cand = producer(g, addeps->inputs[size_t(s)]);
      if (cand && cand->op == "ReduceMean") {
        var = cand;
        eps = const_scalar(g, addeps->inputs[size_t(1 - s)]);
      }
    }
    if (!var || !eps || var->inputs.empty()) return false;
    Node* pow = producer(g, var->inputs[0]);
    if (!pow || pow->op != "Pow" || pow->inputs.size() != 2 || pow->inputs[0] != d ||
        !near(const_scalar(g, pow->inputs[1]), 2))
      return false;
    ValueId x = sub->inputs[0];
    Node* mean = producer(g, sub->inputs[1]);
    if (!mean || mean->op != "ReduceMean" || mean->inputs.empty() || mean->inputs[0] != x)
      return false;
    const ir::Shape& xs = g.value(x).shape;
    if (!xs.has_rank || xs.rank() == 0) return false;
    int64_t r = int64_t(xs.rank());
    auto a1 = reduce_axes(*mean), a2 = reduce_axes(*var);
    if (!a1 || !a2 || a1->size() != 1 || a2->size() != 1) return false;
    auto norm = [&](int64_t a) { return a < 0 ? a + r : a; };
    if (norm((*a1)[0]) != r - 1 || norm((*a2)[0]) != r - 1) return false;
    // Intermediates may only feed the pattern (d feeds Pow and Div).
    if (!single_use(g, sub->inputs[1]) || !single_use(g, pow->outputs[0]) ||
        !single_use(g, var->outputs[0]) || !single_use(g, addeps->outputs[0]) ||
        !single_use(g, sqrt->outputs[0]) || g.is_graph_output(d))
      return false;
    int d_uses = 0;
    for (ir::NodeId c : g.value(d).consumers)
      if (!g.node(c).dead) ++d_uses;
    if (d_uses != 2) return false;
    const ir::Dim& cdim = xs.dims.back();
    if (!cdim.known()) return false;
    int64_t c = cdim.value;
    // Optional affine tail: Mul(gamma) then Add(beta).
    ValueId out = div.outputs[0], gamma = ir::kNoValue, beta = ir::kNoValue;
    std::vector<Node*> tail;
    if (Node* mul = sole_consumer(g, out); mul && mul->op == "Mul") {
      ValueId gm = other_input(*mul, out);
      const ir::ConstTensor* gt = const_f32(g, gm);
      if (gt && gt->numel() == c && gt->dims.size() >= 1 && gt->dims.back() == c) {
        gamma = gm;
        out = mul->outputs[0];
        tail.push_back(mul);
        if (Node* add = sole_consumer(g, out); add && add->op == "Add") {
          ValueId bm = other_input(*add, out);
          const ir::ConstTensor* bt = const_f32(g, bm);
          if (bt && bt->numel() == c && bt->dims.back() == c) {
            beta = bm;
            out = add->outputs[0];
            tail.push_back(add);
          }
        }
      }
    }
    auto flat = [&](ValueId v, float fill, const std::string& hint) {
      std::shared_ptr<ir::ConstTensor> t;
      if (v != ir::kNoValue) {
        t = std::make_shared<ir::ConstTensor>(*g.value(v).constant);
      } else {
        t = ir::ConstTensor::make(ir::DType::kFloat32, {c});
        for (int64_t i = 0; i < c; ++i) static_cast<float*>(t->mutable_data())[i] = fill;
      }
      t->dims = {c};
      return g.add_constant(hint, t);
    };
    if (g.value(x).dtype != ir::DType::kFloat32) return false;
    ValueId gv = flat(gamma, 1.f, div.name + "_ln_scale");
    ValueId bv = flat(beta, 0.f, div.name + "_ln_bias");
    Node ln;
    ln.name = g.unique_node_name(div.name + "_layernorm");
    ln.op = "LayerNormalization";
    ln.opset = 17;
    ln.inputs = {x, gv, bv};
    ln.outputs = {out};
    ln.attrs.set_int("axis", -1);
    ln.attrs.set_float("epsilon", float(*eps));
    if (!rw.accept(g, ln)) return false;
    std::vector<ir::NodeId> removed;
    for (Node* n : {mean, sub, pow, var, addeps, sqrt, &div}) {
      n->dead = true;
      removed.push_back(id_of(g, n));
    }
    for (Node* n : tail) {
      n->dead = true;
      removed.push_back(id_of(g, n));
    }
    record(g.add_node(std::move(ln)), std::move(removed));  // pointers die here
    return true;
  }

  // x * clip(x + 3, 0, 6) / 6 -> HardSwish, matched from the Clip; the
  // division may come before or after the product, or be a product by 1/6.
  // (Exporters such as Paddle2ONNX decompose it; fused, the chain it sits
  // in is linear again, which the NPU's SRAM tiling needs.)
  bool hard_swish(Node& clip) {
    if (clip.op != "Clip" || clip.inputs.empty()) return false;
    std::optional<double> lo, hi;
    if (clip.inputs.size() > 2) {
      lo = const_scalar(g, clip.inputs[1]);
      hi = const_scalar(g, clip.inputs[2]);
    } else if (clip.inputs.size() == 1) {
      lo = clip.attrs.get_float("min", -1e30f);
      hi = clip.attrs.get_float("max", 1e30f);
    }
    if (!near(lo, 0) || !near(hi, 6)) return false;
    Node* add = producer(g, clip.inputs[0]);
    if (!add || add->op != "Add" || !single_use(g, clip.inputs[0]) || add->inputs.size() != 2)
      return false;
    ValueId x = add->inputs[0];
    if (!near(const_scalar(g, add->inputs[1]), 3)) {
      x = add->inputs[1];
      if (!near(const_scalar(g, add->inputs[0]), 3)) return false;
    }
    if (!ir::dtype_is_float(g.value(x).dtype)) return false;
    auto is_sixth = [&](Node* n, ValueId from) {
      return n &&
             ((n->op == "Div" && n->inputs[0] == from && near(const_scalar(g, n->inputs[1]), 6)) ||
              (n->op == "Mul" && near(const_scalar(g, other_input(*n, from)), 1.0 / 6)));
    };
    std::vector<Node*> dead = {add, &clip};
    Node* next = sole_consumer(g, clip.outputs[0]);
    ValueId out;
    if (is_sixth(next, clip.outputs[0])) {  // x * (clip / 6)
      Node* mul = sole_consumer(g, next->outputs[0]);
      if (!mul || mul->op != "Mul" || other_input(*mul, next->outputs[0]) != x) return false;
      dead.insert(dead.end(), {next, mul});
      out = mul->outputs[0];
    } else {  // (x * clip) / 6
      if (!next || next->op != "Mul" || other_input(*next, clip.outputs[0]) != x) return false;
      Node* six = sole_consumer(g, next->outputs[0]);
      if (!is_sixth(six, next->outputs[0])) return false;
      dead.insert(dead.end(), {next, six});
      out = six->outputs[0];
    }
    return replace_by_unary(dead, clip.name + "_hardswish", "HardSwish", 14, x, out, {});
  }

  // The nodes `dead` become one `op` node from x to out, if a backend
  // supports it.
  bool replace_by_unary(const std::vector<Node*>& dead, const std::string& name,
                        const std::string& op, int opset, ValueId x, ValueId out,
                        const std::vector<std::pair<std::string, std::string>>& string_attrs) {
    Node n;
    n.name = g.unique_node_name(name);
    n.op = op;
    n.opset = opset;
    n.inputs = {x};
    n.outputs = {out};
    for (const auto& [k, v] : string_attrs) n.attrs.set_string(k, v);
    if (!rw.accept(g, n)) return false;
    std::vector<ir::NodeId> removed;
    for (Node* d : dead) {
      d->dead = true;
      removed.push_back(id_of(g, d));
    }
    record(g.add_node(std::move(n)), std::move(removed));  // pointers die here
    return true;
  }

  // x * 0.5 * (1 + erf(x / sqrt(2))) -> Gelu, matched from the Erf.
  bool gelu(Node& erf) {
    if (erf.op != "Erf" || erf.inputs.size() != 1) return false;
    Node* scale = producer(g, erf.inputs[0]);
    if (!scale || !single_use(g, erf.inputs[0])) return false;
    ValueId x = scale->inputs[0];
    if (!((scale->op == "Div" && near(const_scalar(g, scale->inputs[1]), std::sqrt(2.0))) ||
          (scale->op == "Mul" && near(const_scalar(g, scale->inputs[1]), std::sqrt(0.5)))))
      return false;
    Node* add = sole_consumer(g, erf.outputs[0]);
    if (!add || add->op != "Add" || !near(const_scalar(g, other_input(*add, erf.outputs[0])), 1))
      return false;
    Node* m1 = sole_consumer(g, add->outputs[0]);
    if (!m1 || m1->op != "Mul") return false;
    ValueId other = other_input(*m1, add->outputs[0]);
    std::vector<Node*> dead = {scale, &erf, add, m1};
    ValueId out;
    if (other == x) {
      Node* m2 = sole_consumer(g, m1->outputs[0]);
      if (!m2 || m2->op != "Mul" || !near(const_scalar(g, other_input(*m2, m1->outputs[0])), 0.5))
        return false;
      dead.push_back(m2);
      out = m2->outputs[0];
    } else {
      Node* half = producer(g, other);
      if (!half || half->op != "Mul" || !single_use(g, other) ||
          other_input(*half, x) == ir::kNoValue ||
          !near(const_scalar(g, other_input(*half, x)), 0.5))
        return false;
      dead.push_back(half);
      out = m1->outputs[0];
    }
    if (!ir::dtype_is_float(g.value(x).dtype)) return false;
    return replace_by_unary(dead, erf.name + "_gelu", "Gelu", 17, x, out,
                            {{"approximate", "none"}});
  }
};

}  // namespace

int fuse(ir::Graph& g, const Rewrite& r) {
  Fuser f{g, r};
  int total = 0;
  // Each family to a fixed point; structural patterns first so activations
  // can then attach to their results (Gemm + Gelu, Conv(+BN) + Relu).
  using Rule = bool (Fuser::*)(ir::Node&);
  for (Rule rule : {&Fuser::gelu, &Fuser::hard_swish, &Fuser::layer_norm, &Fuser::conv_bn,
                    &Fuser::bias_add, &Fuser::activation}) {
    bool changed = true;
    while (changed) {
      changed = false;
      g.rebuild_links();
      for (ir::NodeId id : g.topo_order()) {
        if (g.node(id).dead || !g.node(id).domain.empty()) continue;
        if ((f.*rule)(g.node(id))) {
          ++total;
          changed = true;
          g.rebuild_links();
        }
      }
    }
  }
  if (total && r.compact) g.compact();
  return total;
}

}  // namespace rnpu::passes
