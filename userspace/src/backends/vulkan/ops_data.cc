// Data movement: Reshape & co (no copy), Transpose, Concat, Slice, Split,
// Expand, Tile, Gather, Pad, DepthToSpace/SpaceToDepth, Resize/Upsample.
#include <algorithm>
#include <cmath>
#include <utility>

#include "ops.h"

namespace rnpu::vk {

namespace {

// Data moved by kernels: float32, and float16 with 16-bit storage.
// Integer tensors here are shape arithmetic (Shape -> Gather -> Concat ->
// Reshape) of a few elements: cheaper on the host than a device round
// trip, so they are left to the cpu backend.
bool movable(ir::DType t, const Caps& caps, std::string* why) {
  if (t == ir::DType::kFloat32 || (t == ir::DType::kFloat16 && caps.fp16_storage)) return true;
  *why = std::string("dtype ") + ir::dtype_name(t) + " unsupported for data movement";
  return false;
}

Support check_move(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (n.inputs.empty() || n.outputs.empty()) return Support::no("missing input/output");
  if (!movable(g.value(n.inputs[0]).dtype, caps, &why)) return Support::no(why);
  if (!g.value(n.inputs[0]).shape.has_rank) return Support::no("unknown rank");
  return Support::yes();
}

// A strided copy over `dims` (element units), merged and split into words.
void emit_copy(Lowerer& L, Ref x, Ref y, ir::DType t, std::vector<int64_t> dims,
               std::vector<int64_t> is, std::vector<int64_t> os, int64_t ibase, int64_t obase) {
  size_t esz = ir::dtype_size(t);
  if (esz == 8) {
    for (auto& s : is) s *= 2;
    for (auto& s : os) s *= 2;
    ibase *= 2;
    obase *= 2;
    dims.push_back(2);
    is.push_back(1);
    os.push_back(1);
  }
  std::vector<int64_t> md, mi, mo;
  int64_t n = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    n *= dims[d];
    if (dims[d] == 1) continue;
    if (!md.empty() && mi.back() == is[d] * dims[d] && mo.back() == os[d] * dims[d]) {
      md.back() *= dims[d];
      mi.back() = is[d];
      mo.back() = os[d];
      continue;
    }
    md.push_back(dims[d]);
    mi.push_back(is[d]);
    mo.push_back(os[d]);
  }
  if (n == 0) return;
  if (md.size() > 6) L.fail("copy over more than 6 independent dims");
  Kernel k(L, esz == 2 ? "copy_f16" : "copy");
  k.in(0, x).out(3, y).u32(uint64_t(n));
  size_t lead = 6 - md.size();
  for (size_t i = 0; i < 6; ++i) k.u32(i < lead ? 1 : uint64_t(md[i - lead]));
  for (size_t i = 0; i < 6; ++i) k.i32(i < lead ? 0 : mi[i - lead]);
  for (size_t i = 0; i < 6; ++i) k.i32(i < lead ? 0 : mo[i - lead]);
  k.i32(ibase).i32(obase).grid(uint64_t(n)).emit();
}

void lower_alias(Lowerer& L, const ir::Node& n) {
  L.alias(n.outputs[0], n.inputs[0]);
}

// ---- Transpose ----

void lower_transpose(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  size_t r = x.size();
  std::vector<int64_t> perm = n.attrs.get_ints("perm");
  if (perm.empty())
    for (size_t i = 0; i < r; ++i) perm.push_back(int64_t(r - 1 - i));
  if (perm.size() != r) L.fail("perm length differs from the rank");
  std::vector<int64_t> xs = strides_of(x), od(r), is(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t p = perm[i] < 0 ? perm[i] + int64_t(r) : perm[i];
    if (p < 0 || p >= int64_t(r)) L.fail("perm out of range");
    od[i] = x[size_t(p)];
    is[i] = xs[size_t(p)];
  }
  emit_copy(L, L.ref(n.inputs[0]), L.ref(n.outputs[0]), L.dtype(n.inputs[0]), od, is,
            strides_of(od), 0, 0);
}

// ---- Concat / Split ----

Support check_concat(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  for (ir::ValueId v : n.inputs)
    if (v != ir::kNoValue && !movable(g.value(v).dtype, caps, &why)) return Support::no(why);
  if (!g.value(n.outputs[0]).shape.has_rank) return Support::no("unknown rank");
  return Support::yes();
}

int64_t norm_axis(Lowerer& L, int64_t axis, size_t rank) {
  if (axis < 0) axis += int64_t(rank);
  if (axis < 0 || axis >= int64_t(rank)) L.fail("axis out of range");
  return axis;
}

// Element counts before and after `axis`: a Concat/Split along it copies
// `outer` rows of (extent along axis) * `inner` elements.
std::pair<int64_t, int64_t> around_axis(const std::vector<int64_t>& d, int64_t axis) {
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < d.size(); ++i) {
    if (int64_t(i) < axis) outer *= d[i];
    if (int64_t(i) > axis) inner *= d[i];
  }
  return {outer, inner};
}

void lower_concat(Lowerer& L, const ir::Node& n) {
  const auto& y = L.dims(n.outputs[0]);
  int64_t axis = norm_axis(L, n.attrs.get_int("axis", 0), y.size());
  auto [outer, inner] = around_axis(y, axis);
  int64_t off = 0;
  for (ir::ValueId v : n.inputs) {
    if (v == ir::kNoValue) continue;
    int64_t a = L.dims(v)[size_t(axis)];
    emit_copy(L, L.ref(v), L.ref(n.outputs[0]), L.dtype(v), {outer, a * inner}, {a * inner, 1},
              {y[size_t(axis)] * inner, 1}, 0, off * inner);
    off += a;
  }
}

void lower_split(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  int64_t axis = norm_axis(L, n.attrs.get_int("axis", 0), x.size());
  auto [outer, inner] = around_axis(x, axis);
  int64_t off = 0;
  for (ir::ValueId v : n.outputs) {
    if (v == ir::kNoValue) continue;  // unused outputs still advance below? no size known
    int64_t a = L.dims(v)[size_t(axis)];
    emit_copy(L, L.ref(n.inputs[0]), L.ref(v), L.dtype(v), {outer, a * inner},
              {x[size_t(axis)] * inner, 1}, {a * inner, 1}, off * inner, 0);
    off += a;
  }
}

Support check_split(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  Support s = check_move(g, n, caps);
  if (!s.ok) return s;
  for (ir::ValueId v : n.outputs)
    if (v == ir::kNoValue) return Support::no("unused outputs");
  return Support::yes();
}

// ---- Slice ----

bool slice_params(const ir::Graph& g, const ir::Node& n, std::vector<int64_t>* starts,
                  std::vector<int64_t>* ends, std::vector<int64_t>* axes,
                  std::vector<int64_t>* steps) {
  if (n.opset < 10) {
    *starts = n.attrs.get_ints("starts");
    *ends = n.attrs.get_ints("ends");
    *axes = n.attrs.get_ints("axes");
    steps->clear();
  } else {
    if (n.inputs.size() < 3 || !const_ints(g, n.inputs[1], starts) ||
        !const_ints(g, n.inputs[2], ends))
      return false;
    axes->clear();
    steps->clear();
    if (n.inputs.size() > 3 && n.inputs[3] != ir::kNoValue && !const_ints(g, n.inputs[3], axes))
      return false;
    if (n.inputs.size() > 4 && n.inputs[4] != ir::kNoValue && !const_ints(g, n.inputs[4], steps))
      return false;
  }
  if (axes->empty())
    for (size_t i = 0; i < starts->size(); ++i) axes->push_back(int64_t(i));
  if (steps->empty()) steps->assign(starts->size(), 1);
  return starts->size() == ends->size() && axes->size() == starts->size() &&
         steps->size() == starts->size();
}

Support check_slice(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  Support s = check_move(g, n, caps);
  if (!s.ok) return s;
  std::vector<int64_t> a, b, c, d;
  if (!slice_params(g, n, &a, &b, &c, &d))
    return Support::no("non-constant starts/ends/axes/steps");
  for (int64_t st : d)
    if (st == 0) return Support::no("zero step");
  return Support::yes();
}

void lower_slice(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  const auto& y = L.dims(n.outputs[0]);
  std::vector<int64_t> starts, ends, axes, steps;
  slice_params(L.graph(), n, &starts, &ends, &axes, &steps);
  size_t r = x.size();
  std::vector<int64_t> xs = strides_of(x), is = xs, start(r, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t ax = norm_axis(L, axes[i], r);
    int64_t dim = x[size_t(ax)], st = steps[i], s = starts[i];
    if (s < 0) s += dim;
    // ONNX clamping: [0, dim] for positive steps, [0, dim-1] for negative.
    s = st > 0 ? std::clamp<int64_t>(s, 0, dim) : std::clamp<int64_t>(s, 0, dim - 1);
    start[size_t(ax)] = s;
    is[size_t(ax)] = xs[size_t(ax)] * st;
  }
  int64_t base = 0;
  for (size_t i = 0; i < r; ++i) base += start[i] * xs[i];
  emit_copy(L, L.ref(n.inputs[0]), L.ref(n.outputs[0]), L.dtype(n.inputs[0]), y, is, strides_of(y),
            base, 0);
}

// ---- Expand / Tile ----

void lower_expand(Lowerer& L, const ir::Node& n) {
  const auto& y = L.dims(n.outputs[0]);
  std::vector<int64_t> x = pad_dims(L.dims(n.inputs[0]), y.size());
  std::vector<int64_t> is = strides_of(x);
  for (size_t i = 0; i < y.size(); ++i)
    if (x[i] == 1 && y[i] != 1) is[i] = 0;
  emit_copy(L, L.ref(n.inputs[0]), L.ref(n.outputs[0]), L.dtype(n.inputs[0]), y, is, strides_of(y),
            0, 0);
}

Support check_tile(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  Support s = check_move(g, n, caps);
  if (!s.ok) return s;
  std::vector<int64_t> rep;
  if (n.inputs.size() < 2 || !const_ints(g, n.inputs[1], &rep))
    return Support::no("non-constant repeats");
  return Support::yes();
}

void lower_tile(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  std::vector<int64_t> rep;
  const_ints(L.graph(), n.inputs[1], &rep);
  if (rep.size() != x.size()) L.fail("repeats length differs from the rank");
  // Output viewed as [rep0, x0, rep1, x1, ...]: repeats read with stride 0.
  std::vector<int64_t> xs = strides_of(x), dims, is, os;
  std::vector<int64_t> y = L.dims(n.outputs[0]);
  std::vector<int64_t> ys = strides_of(y);
  for (size_t i = 0; i < x.size(); ++i) {
    dims.push_back(rep[i]);
    is.push_back(0);
    os.push_back(ys[i] * x[i]);
    dims.push_back(x[i]);
    is.push_back(xs[i]);
    os.push_back(ys[i]);
  }
  emit_copy(L, L.ref(n.inputs[0]), L.ref(n.outputs[0]), L.dtype(n.inputs[0]), dims, is, os, 0, 0);
}

// ---- Gather ----

Support check_gather(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  Support s = check_move(g, n, caps);
  if (!s.ok) return s;
  ir::DType it = g.value(n.inputs[1]).dtype;
  if (it != ir::DType::kInt64 && it != ir::DType::kInt32) return Support::no("index dtype");
  return Support::yes();
}

void lower_gather(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  int64_t axis = norm_axis(L, n.attrs.get_int("axis", 0), x.size());
  auto [outer, inner] = around_axis(x, axis);
  ir::ValueId iv = n.inputs[1];
  int64_t m = L.numel(iv), a = x[size_t(axis)];
  size_t esz = ir::dtype_size(L.dtype(n.inputs[0]));
  Ref idx;
  bool idx64 = false;
  const ir::Value& ival = L.graph().value(iv);
  if (ival.constant) {
    std::vector<int32_t> v(size_t(std::max<int64_t>(m, 1)));
    for (int64_t j = 0; j < m; ++j) {
      int64_t k = ival.constant->get_int(j);
      if (k < -a || k >= a) L.fail("index " + std::to_string(k) + " out of range");
      v[size_t(j)] = int32_t(k);
    }
    idx = L.constant(v.data(), v.size() * 4);
  } else {
    idx = L.ref(iv);
    idx64 = L.dtype(iv) == ir::DType::kInt64;
  }
  int64_t words = esz == 8 ? 2 : 1;
  int64_t total = outer * m * inner * words;
  if (total == 0) return;
  Kernel(L, esz == 2 ? "gather_f16" : "gather")
      .spec({0, 0, 0, idx64 ? 1u : 0u})
      .in(0, L.ref(n.inputs[0]))
      .in(1, idx)
      .out(3, L.ref(n.outputs[0]))
      .u32(uint64_t(total))
      .u32(uint64_t(a))
      .u32(uint64_t(m))
      .u32(uint64_t(inner * words))
      .grid(uint64_t(total))
      .emit();
}

// ---- Pad ----

bool pad_params(const ir::Graph& g, const ir::Node& n, std::vector<int64_t>* pads, float* value) {
  *value = 0;
  if (n.opset < 11) {
    *pads = n.attrs.get_ints("pads");
    *value = n.attrs.get_float("value", 0.0f);
    return true;
  }
  if (n.inputs.size() < 2 || !const_ints(g, n.inputs[1], pads)) return false;
  if (n.inputs.size() > 3 && n.inputs[3] != ir::kNoValue) return false;  // axes
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) {
    const ir::Value& cv = g.value(n.inputs[2]);
    if (!cv.constant || cv.constant->numel() != 1) return false;
    *value = float(cv.constant->get_double(0));
  }
  return true;
}

Support check_pad(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (!float_types(g, n, caps, &why)) return Support::no(why);
  std::vector<int64_t> pads;
  float v;
  if (!pad_params(g, n, &pads, &v)) return Support::no("non-constant pads/value or axes given");
  std::string mode = n.attrs.get_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge") return Support::no("mode " + mode);
  const ir::Shape& x = g.value(n.inputs[0]).shape;
  if (!x.has_rank || x.rank() > 6) return Support::no("rank > 6");
  return Support::yes();
}

void lower_pad(Lowerer& L, const ir::Node& n) {
  std::vector<int64_t> pads;
  float value;
  pad_params(L.graph(), n, &pads, &value);
  const auto& x = L.dims(n.inputs[0]);
  const auto& y = L.dims(n.outputs[0]);
  size_t r = x.size();
  if (pads.size() != 2 * r) L.fail("pads length is not twice the rank");
  std::string mode = n.attrs.get_string("mode", "constant");
  uint32_t m = mode == "constant" ? 0 : mode == "reflect" ? 1 : 2;
  if (m != 0)
    for (int64_t d : x)
      if (d == 0) L.fail("reflect/edge padding of an empty dim");
  std::vector<int64_t> od = pad_dims(y, 6), id = pad_dims(x, 6), before(6, 0);
  for (size_t i = 0; i < r; ++i) before[6 - r + i] = pads[i];
  int64_t total = L.numel(n.outputs[0]);
  Kernel k(L, L.shader("pad", L.dtype(n.outputs[0])));
  k.spec({0, 0, 0, m}).in(0, L.ref(n.inputs[0])).out(3, L.ref(n.outputs[0])).u32(uint64_t(total));
  for (int64_t d : od) k.u32(uint64_t(d));
  for (int64_t d : id) k.u32(uint64_t(d));
  for (int64_t b : before) k.i32(b);
  k.f32(value).grid(uint64_t(total)).emit();
}

// ---- DepthToSpace / SpaceToDepth ----

Support check_d2s(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  Support s = check_move(g, n, caps);
  if (!s.ok) return s;
  if (g.value(n.inputs[0]).shape.rank() != 4) return Support::no("input must be 4-D");
  return Support::yes();
}

void lower_d2s(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  int64_t b = n.attrs.get_int("blocksize", 0);
  if (b <= 0) L.fail("blocksize must be positive");
  int64_t N = x[0], C = x[1], H = x[2], W = x[3];
  std::vector<int64_t> dims, is, os;
  if (n.op == "DepthToSpace") {
    int64_t c = C / (b * b);
    bool crd = n.attrs.get_string("mode", "DCR") == "CRD";
    // Output [N, c, H, b1, W, b2]; input channel = DCR: (b1*b + b2)*c + ci,
    // CRD: ci*b*b + b1*b + b2.
    dims = {N, c, H, b, W, b};
    int64_t hw = H * W;
    int64_t s_ci = crd ? b * b * hw : hw, s_b1 = crd ? b * hw : b * c * hw,
            s_b2 = crd ? hw : c * hw;
    is = {C * hw, s_ci, W, s_b1, 1, s_b2};
    os = strides_of({N, c, H, b, W, b});
  } else {
    // Output [N, C*b*b, H/b, W/b], channel = (b1*b + b2)*C + c.
    int64_t h = H / b, w = W / b;
    dims = {N, b, b, C, h, w};
    is = {C * H * W, W, 1, H * W, b * W, b};
    std::vector<int64_t> ys = strides_of({N, b * b * C, h, w});
    os = {ys[0], b * C * ys[1], C * ys[1], ys[1], ys[2], ys[3]};
  }
  emit_copy(L, L.ref(n.inputs[0]), L.ref(n.outputs[0]), L.dtype(n.inputs[0]), dims, is, os, 0, 0);
}

// ---- Resize / Upsample ----

struct ResizeSpec {
  bool linear = false;
  uint32_t coord = 0, nearest = 0;
};

bool resize_spec(const ir::Graph& g, const ir::Node& n, ResizeSpec* rs, std::string* why) {
  std::string mode = n.attrs.get_string("mode", "nearest");
  if (mode == "linear" || mode == "bilinear")
    rs->linear = true;
  else if (mode != "nearest") {
    *why = "mode " + mode;
    return false;
  }
  if (n.op == "Upsample" || n.opset < 11) {
    rs->coord = 1;    // asymmetric
    rs->nearest = 2;  // floor
    return true;
  }
  std::string ct = n.attrs.get_string("coordinate_transformation_mode", "half_pixel");
  static const char* coords[] = {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel",
                                 "tf_half_pixel_for_nearest"};
  rs->coord = 99;
  for (uint32_t i = 0; i < 5; ++i)
    if (ct == coords[i]) rs->coord = i;
  if (rs->coord == 99) {
    *why = "coordinate_transformation_mode " + ct;
    return false;
  }
  std::string nm = n.attrs.get_string("nearest_mode", "round_prefer_floor");
  static const char* nms[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  rs->nearest = 99;
  for (uint32_t i = 0; i < 4; ++i)
    if (nm == nms[i]) rs->nearest = i;
  if (rs->nearest == 99) {
    *why = "nearest_mode " + nm;
    return false;
  }
  if (n.attrs.get_int("antialias", 0)) {
    *why = "antialias";
    return false;
  }
  if (n.attrs.has("axes")) {
    *why = "axes attribute";
    return false;
  }
  // The shaders take their scale from the output extent, which a kept
  // aspect ratio rounds.
  std::string policy = n.attrs.get_string("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch") {
    *why = "keep_aspect_ratio_policy " + policy;
    return false;
  }
  (void)g;
  return true;
}

// Scales as given (ONNX uses them, not output/input, when present).
bool resize_scales(const ir::Graph& g, const ir::Node& n, std::vector<float>* scales) {
  scales->clear();
  ir::ValueId sv = ir::kNoValue;
  if (n.op == "Upsample") {
    if (n.attrs.has("scales")) {
      *scales = n.attrs.get_floats("scales");
      return true;
    }
    sv = n.inputs.size() > 1 ? n.inputs[1] : ir::kNoValue;
  } else if (n.opset < 11) {
    sv = n.inputs.size() > 1 ? n.inputs[1] : ir::kNoValue;
  } else {
    sv = n.inputs.size() > 2 ? n.inputs[2] : ir::kNoValue;
  }
  if (sv == ir::kNoValue) return true;  // sizes given: derive from shapes
  const ir::Value& v = g.value(sv);
  if (!v.constant) return false;
  for (int64_t i = 0; i < v.constant->numel(); ++i)
    scales->push_back(float(v.constant->get_double(i)));
  return true;
}

Support check_resize(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (!float_types(g, n, caps, &why)) return Support::no(why);
  const ir::Shape& x = g.value(n.inputs[0]).shape;
  if (!x.has_rank || x.rank() != 4) return Support::no("only 4-D inputs");
  ResizeSpec rs;
  if (!resize_spec(g, n, &rs, &why)) return Support::no(why);
  std::vector<float> sc;
  if (!resize_scales(g, n, &sc)) return Support::no("non-constant scales");
  if (!sc.empty() && (sc.size() != 4 || sc[0] != 1 || sc[1] != 1))
    return Support::no("only H/W are resized");
  if (n.opset >= 11 && n.op == "Resize" && sc.empty()) {
    if (n.inputs.size() < 4 || n.inputs[3] == ir::kNoValue)
      return Support::no("no scales or sizes");
  }
  if (n.opset >= 11 && n.op == "Resize" && rs.coord == 99) return Support::no("coordinate mode");
  return Support::yes();
}

void lower_resize(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  const auto& y = L.dims(n.outputs[0]);
  if (x[0] != y[0] || x[1] != y[1]) L.fail("only H/W are resized");
  ResizeSpec rs;
  std::string why;
  if (!resize_spec(L.graph(), n, &rs, &why)) L.fail(why);
  std::vector<float> sc;
  resize_scales(L.graph(), n, &sc);
  float sh = sc.empty() ? float(y[2]) / float(x[2]) : sc[2];
  float sw = sc.empty() ? float(y[3]) / float(x[3]) : sc[3];
  int64_t total = L.numel(n.outputs[0]);
  Kernel(L, L.shader("resize", L.dtype(n.outputs[0])))
      .spec({0, 0, 0, rs.linear ? 1u : 0u, rs.coord, rs.nearest})
      .in(0, L.ref(n.inputs[0]))
      .out(3, L.ref(n.outputs[0]))
      .u32(uint64_t(x[2]))
      .u32(uint64_t(x[3]))
      .u32(uint64_t(y[2]))
      .u32(uint64_t(y[3]))
      .f32(sh)
      .f32(sw)
      .u32(uint64_t(total))
      .f32(float(double(x[2]) * sh))
      .f32(float(double(x[3]) * sw))
      .grid(uint64_t(total))
      .emit();
}

Support check_alias(const ir::Graph& g, const ir::Node& n, const Caps&) {
  if (n.inputs.empty() || n.outputs.size() != 1) return Support::no("expects 1 output");
  (void)g;
  return Support::yes();
}

}  // namespace

std::vector<OpEntry> data_ops() {
  return {{"Reshape", {check_alias, lower_alias, false}},
          {"Flatten", {check_alias, lower_alias, false}},
          {"Squeeze", {check_alias, lower_alias, false}},
          {"Unsqueeze", {check_alias, lower_alias, false}},
          {"Transpose", {check_move, lower_transpose, false}},
          {"Concat", {check_concat, lower_concat, false}},
          {"Split", {check_split, lower_split, false}},
          {"Slice", {check_slice, lower_slice, false}},
          {"Expand", {check_move, lower_expand, false}},
          {"Tile", {check_tile, lower_tile, false}},
          {"Gather", {check_gather, lower_gather, false}},
          {"Pad", {check_pad, lower_pad, false}},
          {"DepthToSpace", {check_d2s, lower_d2s, false}},
          {"SpaceToDepth", {check_d2s, lower_d2s, false}},
          {"Resize", {check_resize, lower_resize, false}},
          {"Upsample", {check_resize, lower_resize, false}}};
}

}  // namespace rnpu::vk
