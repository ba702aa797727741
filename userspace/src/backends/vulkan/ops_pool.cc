// Pooling (Max/Average, Global*) and the Reduce* family.
#include <algorithm>
#include <map>

#include "ops.h"
#include "shaders/opcodes.h"

namespace rnpu::vk {

// Shared with ops_norm.cc: [outer, r, inner] reduction.
void emit_reduce(Lowerer& L, int rop, Ref x, Ref y, int64_t outer, int64_t r, int64_t inner,
                 ir::DType t) {
  // A workgroup tree per row pays off for long rows; CPU implementations
  // run barriers slowly, so they loop per output unless rows are very long.
  bool rows = inner == 1 && r >= (L.caps().cpu_kernels ? 8192 : 64);
  Kernel k(L, L.shader("reduce", t));
  k.spec({0, 0, 0, uint32_t(rop), rows ? 1u : 0u}).in(0, x).out(3, y);
  k.u32(uint64_t(outer)).u32(uint64_t(r)).u32(uint64_t(inner));
  if (rows)
    k.grid(uint64_t(outer) * 256, 256);  // one workgroup per row
  else
    k.grid(uint64_t(outer * inner));
  k.emit();
}

namespace {

Support check_pool(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (n.inputs.size() != 1) return Support::no("expects 1 input");
  if (n.outputs.size() > 1 && n.outputs[1] != ir::kNoValue)
    return Support::no("Indices output unsupported");
  if (!float_types(g, n, caps, &why)) return Support::no(why);
  const ir::Shape& x = g.value(n.inputs[0]).shape;
  if (!x.has_rank || (x.rank() != 3 && x.rank() != 4)) return Support::no("only 1-D and 2-D");
  std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  if (ap != "NOTSET" && ap != "VALID" && ap != "SAME_UPPER" && ap != "SAME_LOWER")
    return Support::no("auto_pad " + ap);
  if (n.op == "MaxPool" && n.attrs.get_int("storage_order", 0) != 0)
    return Support::no("storage_order=1 unsupported");
  // pool2d.comp counts padding over the undilated window (AveragePool-19
  // added dilations).
  if (n.op == "AveragePool" && n.attrs.get_int("count_include_pad", 0) != 0)
    for (int64_t d : n.attrs.get_ints("dilations"))
      if (d != 1) return Support::no("count_include_pad with dilations");
  return Support::yes();
}

void lower_pool(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  const auto& y = L.dims(n.outputs[0]);
  size_t sp = x.size() - 2;
  auto k = n.attrs.get_ints("kernel_shape");
  auto s = n.attrs.get_ints("strides", std::vector<int64_t>(sp, 1));
  auto d = n.attrs.get_ints("dilations", std::vector<int64_t>(sp, 1));
  auto pads = n.attrs.get_ints("pads", std::vector<int64_t>(2 * sp, 0));
  if (k.size() != sp || s.size() != sp || d.size() != sp || pads.size() != 2 * sp)
    L.fail("kernel_shape/strides/dilations/pads do not match the spatial rank");
  std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  int64_t h = sp == 2 ? x[2] : 1, w = x.back(), oh = sp == 2 ? y[2] : 1, ow = y.back();
  int64_t kh = sp == 2 ? k[0] : 1, kw = k.back(), sh = sp == 2 ? s[0] : 1, sw = s.back();
  int64_t dh = sp == 2 ? d[0] : 1, dw = d.back();
  int64_t ph = sp == 2 ? pads[0] : 0, pw = pads[sp - 1];
  int64_t peh = sp == 2 ? pads[2] : 0, pew = pads[2 * sp - 1];
  auto same = [&](int64_t in, int64_t out, int64_t kk, int64_t ss, int64_t dd, int64_t* b,
                  int64_t* e) {
    int64_t total = std::max<int64_t>(0, (out - 1) * ss + (kk - 1) * dd + 1 - in);
    *b = ap == "SAME_UPPER" ? total / 2 : total - total / 2;
    *e = total - *b;
  };
  if (ap == "VALID") ph = pw = peh = pew = 0;
  if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
    if (sp == 2) same(h, oh, kh, sh, dh, &ph, &peh);
    same(w, ow, kw, sw, dw, &pw, &pew);
  }
  bool is_max = n.op == "MaxPool";
  bool count_pad = n.attrs.get_int("count_include_pad", 0) != 0;
  int64_t total = L.numel(n.outputs[0]);
  Kernel(L, L.shader("pool2d", L.dtype(n.outputs[0])))
      .spec({0, 0, 0, is_max ? 1u : 0u, count_pad ? 1u : 0u})
      .in(0, L.ref(n.inputs[0]))
      .out(3, L.ref(n.outputs[0]))
      .u32(uint64_t(h))
      .u32(uint64_t(w))
      .u32(uint64_t(oh))
      .u32(uint64_t(ow))
      .u32(uint64_t(kh))
      .u32(uint64_t(kw))
      .u32(uint64_t(sh))
      .u32(uint64_t(sw))
      .i32(ph)
      .i32(pw)
      .u32(uint64_t(dh))
      .u32(uint64_t(dw))
      .u32(uint64_t(peh))
      .u32(uint64_t(pew))
      .u32(uint64_t(total))
      .grid(uint64_t(total))
      .emit();
}

Support check_global_pool(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (!float_types(g, n, caps, &why)) return Support::no(why);
  const ir::Shape& x = g.value(n.inputs[0]).shape;
  if (!x.has_rank || x.rank() < 3) return Support::no("input rank < 3");
  return Support::yes();
}

void lower_global_pool(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  int64_t r = 1;
  for (size_t i = 2; i < x.size(); ++i) r *= x[i];
  emit_reduce(L, n.op == "GlobalMaxPool" ? ROP_MAX : ROP_MEAN, L.ref(n.inputs[0]),
              L.ref(n.outputs[0]), x[0] * x[1], r, 1, L.dtype(n.outputs[0]));
}

// ---- Reduce* ----

const std::map<std::string, int>& reduce_ops() {
  static const std::map<std::string, int> m = {
      {"ReduceSum", ROP_SUM}, {"ReduceMean", ROP_MEAN},       {"ReduceMax", ROP_MAX},
      {"ReduceMin", ROP_MIN}, {"ReduceSumSquare", ROP_SUMSQ}, {"ReduceL1", ROP_L1},
      {"ReduceL2", ROP_L2}};
  return m;
}

// Sorted, non-negative axes; empty = all (or none with noop_with_empty_axes).
bool reduce_axes(const ir::Graph& g, const ir::Node& n, size_t rank, std::vector<int64_t>* axes,
                 std::string* why) {
  axes->clear();
  if (n.attrs.has("axes")) {
    *axes = n.attrs.get_ints("axes");
  } else if (n.inputs.size() > 1 && n.inputs[1] != ir::kNoValue) {
    if (!const_ints(g, n.inputs[1], axes)) {
      *why = "non-constant axes";
      return false;
    }
  }
  if (axes->empty() && !n.attrs.get_int("noop_with_empty_axes", 0))
    for (size_t i = 0; i < rank; ++i) axes->push_back(int64_t(i));
  for (int64_t& a : *axes) {
    if (a < 0) a += int64_t(rank);
    if (a < 0 || a >= int64_t(rank)) {
      *why = "axis out of range";
      return false;
    }
  }
  std::sort(axes->begin(), axes->end());
  axes->erase(std::unique(axes->begin(), axes->end()), axes->end());
  for (size_t i = 1; i < axes->size(); ++i)
    if ((*axes)[i] != (*axes)[i - 1] + 1) {
      *why = "non-contiguous axes";
      return false;
    }
  return true;
}

Support check_reduce(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (!float_types(g, n, caps, &why)) return Support::no(why);
  const ir::Shape& x = g.value(n.inputs[0]).shape;
  if (!x.has_rank) return Support::no("unknown rank");
  std::vector<int64_t> axes;
  if (!reduce_axes(g, n, x.rank(), &axes, &why)) return Support::no(why);
  return Support::yes();
}

void lower_reduce(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  std::vector<int64_t> axes;
  std::string why;
  if (!reduce_axes(L.graph(), n, x.size(), &axes, &why)) L.fail(why);
  if (axes.empty()) {
    L.alias(n.outputs[0], n.inputs[0]);
    return;
  }
  int64_t outer = 1, r = 1, inner = 1;
  for (size_t i = 0; i < x.size(); ++i) {
    if (int64_t(i) < axes.front())
      outer *= x[i];
    else if (int64_t(i) <= axes.back())
      r *= x[i];
    else
      inner *= x[i];
  }
  emit_reduce(L, reduce_ops().at(n.op), L.ref(n.inputs[0]), L.ref(n.outputs[0]), outer, r, inner,
              L.dtype(n.outputs[0]));
}

}  // namespace

std::vector<OpEntry> pool_ops() {
  std::vector<OpEntry> v = {{"MaxPool", {check_pool, lower_pool, false}},
                            {"AveragePool", {check_pool, lower_pool, false}},
                            {"GlobalAveragePool", {check_global_pool, lower_global_pool, false}},
                            {"GlobalMaxPool", {check_global_pool, lower_global_pool, false}}};
  for (const auto& [name, op] : reduce_ops())
    v.push_back({name.c_str(), {check_reduce, lower_reduce, false}});
  return v;
}

}  // namespace rnpu::vk
