// Gemm and MatMul to XNNPACK fully-connected operators: constant weights are
// packed once at compile time (with a following bias Add folded in); products
// of two activations (attention) pack the right operand on every run.
#include <pthreadpool.h>

#include <cstring>

#include "compiler.h"
#include "lower.h"

namespace rnpu::cpu::fast {

namespace {

// Weight matrices above this size are split into column slices of about
// kSliceBytes of weights each.
constexpr int64_t kSliceAboveBytes = 1 << 20;
constexpr int64_t kSliceBytes = 512 << 10;

// If v's sole consumer is Add(v, c) with a constant c that only varies along
// the last axis (length n), fills `bias` and returns that Add (whose fused
// activation, if any, then applies to the product).
const ir::Node* fold_bias_add(Compiler& c, ir::ValueId v, int64_t n, std::vector<float>& bias) {
  const ir::Node* add = c.sole_user(v);
  if (!add || add->op != "Add" || add->inputs.size() != 2 || add->outputs.size() != 1)
    return nullptr;
  ir::ValueId other = add->inputs[0] == v ? add->inputs[1] : add->inputs[0];
  const Tensor* t = c.constant(other);
  if (!t || t->dtype != DType::kF32) return nullptr;
  if (t->rank() > c.info(v).shape.size()) return nullptr;
  if (t->numel() != n && t->numel() != 1) return nullptr;
  if (t->numel() == n && n != 1 && (t->rank() == 0 || t->shape.back() != n)) return nullptr;
  for (int64_t i = 0; i < n; ++i) bias[size_t(i)] += t->as<float>()[t->numel() == 1 ? 0 : i];
  c.absorb(add);
  return add;
}

// A [.., K] x constant B -> [.., N].
bool lower_fc(Compiler& c, const ir::Node& n, ir::ValueId a, const Tensor& b, bool b_is_nk,
              float alpha, std::vector<float> bias) {
  const Shape& as = c.info(a).shape;
  int64_t k = as.back();
  int64_t nn = b_is_nk ? b.shape[0] : b.shape[1];
  if ((b_is_nk ? b.shape[1] : b.shape[0]) != k) return false;
  int64_t rows = shape_numel(as) / std::max<int64_t>(k, 1);
  Shape want(as.begin(), as.end() - 1);
  want.push_back(nn);
  if (c.info(n.outputs[0]).shape != want) return false;
  std::vector<float> w(b.as<float>(), b.as<float>() + b.numel());
  if (alpha != 1.0f)
    for (float& x : w) x *= alpha;
  ir::ValueId out = n.outputs[0];
  const ir::Node* act_node = &n;  // whose rnpu.activation applies
  if (n.attrs.get_string("rnpu.activation", "").empty())
    if (const ir::Node* add = fold_bias_add(c, out, nn, bias)) {
      out = add->outputs[0];
      act_node = add;
    }
  OutPlan plan = c.plan_output(*act_node, out, true);
  // Weights as [N, K] rows so column slices are contiguous.
  if (!b_is_nk) {
    std::vector<float> t(w.size());
    for (int64_t r = 0; r < k; ++r)
      for (int64_t j = 0; j < nn; ++j) t[size_t(j * k + r)] = w[size_t(r * nn + j)];
    w.swap(t);
  }
  // Large weight matrices are split into column slices whose packed
  // weights stay in L2 while XNNPACK sweeps all rows (measured 5-8% faster
  // with cold caches, see docs/cpu-backend.md).
  int64_t nc = nn;
  if (k * nn * 4 > kSliceAboveBytes && nn > 64)
    nc = std::max<int64_t>(32, kSliceBytes / (k * 4) / 16 * 16);
  std::vector<XnnOp> ops;
  for (int64_t c0 = 0; c0 < nn; c0 += nc) {
    int64_t cn = std::min(nc, nn - c0);
    xnn_operator_t op = nullptr;
    if (xnn_create_fully_connected_nc_f32(size_t(k), size_t(cn), size_t(k), size_t(nn),
                                          w.data() + c0 * k, bias.data() + c0, plan.lo, plan.hi, 0,
                                          &op) != xnn_status_success)
      return false;
    ops.emplace_back(op);
  }
  TensorRef in = c.nchw(a);
  TensorRef o = c.define(plan.value, false);
  for (size_t i = 0; i < ops.size(); ++i) {
    int64_t c0 = int64_t(i) * nc;
    auto setup = [rows, c0](xnn_operator_t op, void* const* ptrs, pthreadpool* pool) {
      return xnn_setup_fully_connected_nc_f32(op, size_t(rows), static_cast<const float*>(ptrs[0]),
                                              static_cast<float*>(ptrs[1]) + c0, pool);
    };
    c.add_xnn_step(std::move(ops[i]), n, {in}, {o}, setup);
  }
  c.post_activation(plan, o, n);
  return true;
}

bool lower_gemm(Compiler& c, const ir::Node& n) {
  if (n.inputs.size() < 2 || n.outputs.size() != 1) return false;
  ir::ValueId a = n.inputs[0];
  const Tensor* b = c.constant(n.inputs[1]);
  if (!c.is_f32(a) || c.info(a).shape.size() != 2 || !b || b->dtype != DType::kF32 ||
      b->rank() != 2)
    return false;
  if (n.attrs.get_int("transA", 0) != 0) return false;
  bool tb = n.attrs.get_int("transB", 0) != 0;
  int64_t nn = tb ? b->shape[0] : b->shape[1];
  std::vector<float> bias(size_t(nn), 0.0f);
  float beta = n.attrs.get_float("beta", 1.0f);
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) {
    const Tensor* cc = c.constant(n.inputs[2]);
    if (!cc || cc->dtype != DType::kF32) return false;
    bool row = cc->numel() == nn && cc->rank() >= 1 && cc->shape.back() == nn &&
               (cc->rank() == 1 || cc->shape[0] == 1);
    if (!row && cc->numel() != 1) return false;
    for (int64_t i = 0; i < nn; ++i) bias[size_t(i)] = beta * cc->as<float>()[row ? i : 0];
  }
  return lower_fc(c, n, a, *b, tb, n.attrs.get_float("alpha", 1.0f), std::move(bias));
}

// Both operands are activations (attention): B is packed on every run.
// Batches run in parallel, one single-threaded operator each, because a
// head's product is too small to split across threads.
class DynMatMulStep : public FastStep {
 public:
  TensorRef a, b, y;
  int64_t m = 0, k = 0, n = 0;
  bool b_nk = false;                  // B stored [N, K] (a folded transpose)
  std::vector<int64_t> a_off, b_off;  // element offsets per output batch

  void run(FastState& st) override {
    Job j{this,
          static_cast<const float*>(a.ptr(st)),
          static_cast<const float*>(b.ptr(st)),
          static_cast<float*>(y.ptr(st)),
          {}};
    size_t batches = a_off.size();
    if (st.pool() && batches > 1) {
      pthreadpool_parallelize_1d(st.pool(), task, &j, batches, 0);
    } else {
      for (size_t i = 0; i < batches; ++i) task(&j, i);
    }
    if (!j.error.empty()) fail(j.error);
  }

 private:
  struct Job {
    const DynMatMulStep* s;
    const float* a;
    const float* b;
    float* y;
    std::string error;  // first failure; tasks cannot throw
  };
  static void task(void* ctx, size_t i) {
    auto& j = *static_cast<Job*>(ctx);
    const DynMatMulStep& s = *j.s;
    const float inf = std::numeric_limits<float>::infinity();
    xnn_operator_t op = nullptr;
    xnn_status st = xnn_create_fully_connected_nc_f32(
        size_t(s.k), size_t(s.n), size_t(s.k), size_t(s.n), j.b + s.b_off[i], nullptr, -inf, inf,
        s.b_nk ? 0 : XNN_FLAG_TRANSPOSE_WEIGHTS, &op);
    XnnOp holder(op);
    if (st == xnn_status_success)
      st = xnn_setup_fully_connected_nc_f32(op, size_t(s.m), j.a + s.a_off[i],
                                            j.y + int64_t(i) * s.m * s.n, nullptr);
    if (st == xnn_status_success) st = xnn_run_operator(op, nullptr);
    if (st != xnn_status_success && j.error.empty())
      j.error = "XNNPACK batched matmul failed (status " + std::to_string(int(st)) + ")";
  }
};

bool lower_matmul(Compiler& c, const ir::Node& n) {
  if (n.inputs.size() != 2 || n.outputs.size() != 1) return false;
  ir::ValueId a = n.inputs[0], bv = n.inputs[1];
  if (!c.is_f32(a) || !c.is_f32(bv)) return false;
  const Shape& as = c.info(a).shape;
  const Shape& bs = c.info(bv).shape;
  if (as.size() < 2 || bs.size() < 2) return false;
  if (const Tensor* b = c.constant(bv); b && bs.size() == 2)
    return lower_fc(c, n, a, *b, false, 1.0f, std::vector<float>(size_t(bs[1]), 0.0f));
  if (!n.attrs.get_string("rnpu.activation", "").empty()) return false;
  // Batch broadcasting, as numpy matmul.
  int64_t m = as[as.size() - 2], k = as.back(), nn = bs.back();
  if (bs[bs.size() - 2] != k) return false;
  // B = Transpose(t) swapping the last two axes: read t as [N, K] instead.
  ir::ValueId b_src = bv;
  bool b_nk = false;
  if (auto it = c.folded_transpose.find(bv); it != c.folded_transpose.end()) {
    b_src = it->second;
    b_nk = true;
  }
  Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  size_t r = std::max(ab.size(), bb.size());
  ab.insert(ab.begin(), r - ab.size(), 1);
  bb.insert(bb.begin(), r - bb.size(), 1);
  Shape batch(r);
  for (size_t i = 0; i < r; ++i) {
    if (ab[i] != bb[i] && ab[i] != 1 && bb[i] != 1) return false;
    batch[i] = std::max(ab[i], bb[i]);
  }
  Shape want = batch;
  want.push_back(m);
  want.push_back(nn);
  if (c.info(n.outputs[0]).shape != want) return false;
  auto step = std::make_unique<DynMatMulStep>();
  step->m = m;
  step->k = k;
  step->n = nn;
  std::vector<int64_t> sa = shape_strides(ab), sb = shape_strides(bb);
  int64_t nb = shape_numel(batch);
  std::vector<int64_t> idx(r, 0);
  for (int64_t i = 0; i < nb; ++i) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < r; ++d) {
      oa += (ab[d] == 1 ? 0 : idx[d]) * sa[d];
      ob += (bb[d] == 1 ? 0 : idx[d]) * sb[d];
    }
    step->a_off.push_back(oa * m * k);
    step->b_off.push_back(ob * k * nn);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  step->b_nk = b_nk;
  step->a = c.nchw(a);
  step->b = c.nchw(b_src);
  step->y = c.define(n.outputs[0], false);
  TensorRef ra = step->a, rb = step->b, ry = step->y;
  c.add_step(std::move(step), n, {ra, rb}, {ry});
  ++c.p.xnn_ops;
  return true;
}

}  // namespace

void fold_matmul_transposes(Compiler& c) {
  for (const ir::Node& n : c.g.nodes) {
    if (n.dead || n.op != "MatMul" || n.inputs.size() != 2 || n.outputs.size() != 1) continue;
    ir::ValueId bv = n.inputs[1];
    if (!c.is_f32(bv) || c.constant(bv) || c.sole_user(bv) != &n || n.inputs[0] == bv) continue;
    ir::NodeId pid = c.producer[size_t(bv)];
    if (pid == ir::kNoNode) continue;
    const ir::Node& t = c.g.node(pid);
    if (t.op != "Transpose" || t.inputs.size() != 1 || t.outputs.size() != 1 ||
        !t.attrs.get_string("rnpu.activation", "").empty() || !c.is_f32(t.inputs[0]))
      continue;
    int64_t r = int64_t(c.info(bv).shape.size());
    if (r < 2) continue;
    std::vector<int64_t> perm = t.attrs.get_ints("perm");
    std::vector<int64_t> want;
    for (int64_t i = 0; i < r - 2; ++i) want.push_back(i);
    want.push_back(r - 1);
    want.push_back(r - 2);
    if (perm != want) continue;
    c.folded_transpose[bv] = t.inputs[0];
    c.folded_transpose_node[bv] = pid;
    c.skip[size_t(pid)] = true;
  }
}

bool lower_matmul_family(Compiler& c, const ir::Node& n) {
  if (n.op == "Gemm") return lower_gemm(c, n);
  if (n.op == "MatMul") return lower_matmul(c, n);
  return false;
}

}  // namespace rnpu::cpu::fast
