// Gemm and MatMul (batched, broadcast batches, transposes through strides).
#include "ops.h"

namespace rnpu::vk {

void emit_gemm(Lowerer& L, const GemmDesc& d, Ref a, Ref b, Ref c, Ref y, ir::DType t,
               std::vector<uint32_t> spec) {
  spec.push_back(c ? 1 : 0);
  int64_t batch = d.bd[0] * d.bd[1] * d.bd[2];
  bool cpu = L.caps().cpu_kernels;
  bool small = d.m < (cpu ? 8 : 16);
  bool dense_out = d.o_off == 0 && d.o_rs < 0 && d.o_zs < 0;
  if (!dense_out) small = false;
  bool reg = (cpu && !small) || !dense_out;
  if (reg) {
    // Vector loads need rows that are contiguous and 16-byte aligned.
    auto all4 = [](std::initializer_list<int64_t> v) {
      for (int64_t x : v)
        if (x % 4) return false;
      return true;
    };
    spec.push_back(d.b_cs == 1 && all4({d.n, d.b_rs, d.sb[0], d.sb[1], d.sb[2]}) ? 1 : 0);
    spec.push_back(d.a_cs == 1 && all4({d.k, d.a_rs, d.sa[0], d.sa[1], d.sa[2]}) ? 1 : 0);
  }
  Kernel k(L, L.shader(small ? "matmul_small" : reg ? "matmul_reg" : "matmul", t));
  k.spec(std::move(spec)).in(0, a).in(1, b).out(3, y);
  if (c) k.in(2, c);
  k.u32(uint64_t(d.m)).u32(uint64_t(d.n)).u32(uint64_t(d.k));
  k.u32(uint64_t(d.bd[1])).u32(uint64_t(d.bd[2]));
  for (int i = 0; i < 3; ++i) k.u32(uint64_t(d.sa[i]));
  for (int i = 0; i < 3; ++i) k.u32(uint64_t(d.sb[i]));
  k.u32(uint64_t(d.a_rs)).u32(uint64_t(d.a_cs)).u32(uint64_t(d.b_rs)).u32(uint64_t(d.b_cs));
  k.u32(uint64_t(d.c_rs)).u32(uint64_t(d.c_cs)).f32(d.alpha).f32(d.beta);
  if (reg) {
    k.u32(uint64_t(d.o_off)).u32(uint64_t(d.o_rs < 0 ? d.n : d.o_rs));
    k.u32(uint64_t(d.o_zs < 0 ? d.m * d.n : d.o_zs));
  }
  if (small) {
    uint64_t total = uint64_t(batch * d.m * d.n);
    k.u32(total).grid(total, 64);
  } else if (reg) {
    k.groups(uint32_t((d.n + 255) / 256), uint32_t((d.m + 7) / 8), uint32_t(batch));
  } else {
    k.groups(uint32_t((d.n + 63) / 64), uint32_t((d.m + 63) / 64), uint32_t(batch));
  }
  k.emit();
}

namespace {

Support check_gemm(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (n.inputs.size() < 2 || n.outputs.size() != 1) return Support::no("expects A, B[, C] -> Y");
  if (!float_types(g, n, caps, &why, {0, 1, 2})) return Support::no(why);
  for (size_t i = 0; i < 2; ++i) {
    const ir::Shape& s = g.value(n.inputs[i]).shape;
    if (!s.has_rank || s.rank() != 2) return Support::no("A and B must be 2-D");
  }
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) {
    const ir::Shape& s = g.value(n.inputs[2]).shape;
    if (!s.has_rank || s.rank() > 2) return Support::no("C rank > 2");
  }
  return Support::yes();
}

void lower_gemm(Lowerer& L, const ir::Node& n) {
  const auto& ad = L.dims(n.inputs[0]);
  const auto& bd = L.dims(n.inputs[1]);
  bool ta = n.attrs.get_int("transA", 0) != 0, tb = n.attrs.get_int("transB", 0) != 0;
  GemmDesc d;
  d.m = ta ? ad[1] : ad[0];
  d.k = ta ? ad[0] : ad[1];
  d.n = tb ? bd[0] : bd[1];
  if ((tb ? bd[1] : bd[0]) != d.k) L.fail("inner dimensions differ");
  d.a_rs = ta ? 1 : d.k;
  d.a_cs = ta ? d.m : 1;
  d.b_rs = tb ? 1 : d.n;
  d.b_cs = tb ? d.k : 1;
  d.alpha = n.attrs.get_float("alpha", 1.0f);
  d.beta = n.attrs.get_float("beta", 1.0f);
  Ref c;
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) {
    std::vector<int64_t> cd = pad_dims(L.dims(n.inputs[2]), 2);
    if ((cd[0] != 1 && cd[0] != d.m) || (cd[1] != 1 && cd[1] != d.n))
      L.fail("C does not broadcast to [M, N]");
    d.c_rs = cd[0] == 1 ? 0 : cd[1];
    d.c_cs = cd[1] == 1 ? 0 : 1;
    c = L.ref(n.inputs[2]);
  }
  std::vector<uint32_t> spec;
  if (!activation_spec(n, &spec)) L.fail("unknown fused activation");
  emit_gemm(L, d, L.ref(n.inputs[0]), L.ref(n.inputs[1]), c, L.ref(n.outputs[0]),
            L.dtype(n.outputs[0]), std::move(spec));
}

Support check_matmul(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (n.inputs.size() != 2 || n.outputs.size() != 1) return Support::no("expects A, B -> Y");
  if (!float_types(g, n, caps, &why, {0, 1})) return Support::no(why);
  for (size_t i = 0; i < 2; ++i) {
    const ir::Shape& s = g.value(n.inputs[i]).shape;
    if (!s.has_rank || s.rank() < 1 || s.rank() > 5) return Support::no("rank outside 1..5");
  }
  return Support::yes();
}

void lower_matmul(Lowerer& L, const ir::Node& n) {
  std::vector<int64_t> ad = L.dims(n.inputs[0]), bd = L.dims(n.inputs[1]);
  if (ad.size() == 1) ad.insert(ad.begin(), 1);
  if (bd.size() == 1) bd.push_back(1);
  GemmDesc d;
  d.m = ad[ad.size() - 2];
  d.k = ad.back();
  d.n = bd.back();
  if (bd[bd.size() - 2] != d.k) L.fail("inner dimensions differ");
  std::vector<int64_t> ab(ad.begin(), ad.end() - 2), bb(bd.begin(), bd.end() - 2);
  size_t r = std::max(ab.size(), bb.size());
  ab = pad_dims(ab, r);
  bb = pad_dims(bb, r);
  std::vector<int64_t> ob(r), sa(r), sb(r);
  int64_t as = d.m * d.k, bs = d.k * d.n;
  for (size_t i = r; i-- > 0;) {
    if (ab[i] != bb[i] && ab[i] != 1 && bb[i] != 1) L.fail("batch dims do not broadcast");
    ob[i] = std::max(ab[i], bb[i]);
    sa[i] = ab[i] == 1 ? 0 : as;
    sb[i] = bb[i] == 1 ? 0 : bs;
    as *= ab[i];
    bs *= bb[i];
  }
  d.a_rs = d.k;
  d.a_cs = 1;
  d.b_rs = d.n;
  d.b_cs = 1;
  int64_t bprod = 1, bbprod = 1;
  for (int64_t x : ob) bprod *= x;
  for (int64_t x : bb) bbprod *= x;
  // B shared by every batch and A contiguous: one tall GEMM fills tiles better.
  bool a_full = true;
  for (size_t i = 0; i < r; ++i) a_full &= ab[i] == ob[i];
  if (bbprod == 1 && a_full) {
    d.m *= bprod;
    r = 0;
  }
  // Drop batch dims of size 1, then fold to at most 3.
  std::vector<int64_t> rb, rsa, rsb;
  for (size_t i = 0; i < r; ++i)
    if (ob[i] != 1) {
      rb.push_back(ob[i]);
      rsa.push_back(sa[i]);
      rsb.push_back(sb[i]);
    }
  while (rb.size() > 3) {
    // Merge the two outermost dims when both operands are contiguous over them.
    if (rsa[0] == rsa[1] * rb[1] && rsb[0] == rsb[1] * rb[1]) {
      rb[1] *= rb[0];
      rb.erase(rb.begin());
      rsa.erase(rsa.begin());
      rsb.erase(rsb.begin());
    } else {
      L.fail("more than 3 non-mergeable batch dims");
    }
  }
  size_t lead = 3 - rb.size();
  for (size_t i = 0; i < rb.size(); ++i) {
    d.bd[lead + i] = rb[i];
    d.sa[lead + i] = rsa[i];
    d.sb[lead + i] = rsb[i];
  }
  std::vector<uint32_t> spec;
  if (!activation_spec(n, &spec)) L.fail("unknown fused activation");
  emit_gemm(L, d, L.ref(n.inputs[0]), L.ref(n.inputs[1]), Ref{}, L.ref(n.outputs[0]),
            L.dtype(n.outputs[0]), std::move(spec));
}

}  // namespace

std::vector<OpEntry> gemm_ops() {
  return {{"Gemm", {check_gemm, lower_gemm, true}}, {"MatMul", {check_matmul, lower_matmul, true}}};
}

}  // namespace rnpu::vk
