// What the NPU can run: ops, dtypes, shapes and attributes the command
// stream can express, with a short reason for everything else.  Never
// throws; compile() relies on these checks.
#include <cmath>
#include <cstring>

#include "npu/codegen_int.h"

namespace rnpu::npu {

namespace {

constexpr int64_t kMaxElems = int64_t(1) << 24;  // RNPU_MAX_TENSOR_ELEMS

bool is_float(const ir::Value& v) {
  return (v.dtype == DataType::kFloat32 || v.dtype == DataType::kFloat16) && !v.quant;
}
bool is_quant(const ir::Value& v) {
  return (v.dtype == DataType::kInt8 || v.dtype == DataType::kUInt8) && v.quant;
}

// A runtime (non-constant) tensor the device can hold.
std::string check_tensor(const ir::Value& v, const char* what) {
  if (!v.shape.is_static()) return std::string(what) + " shape not static";
  if (device_dtype(v) == RNPU_DT_INVALID)
    return std::string(what) + " dtype " + ir::dtype_name(v.dtype) +
           (v.quant ? " with per-channel quantisation" : "") + " unsupported";
  std::vector<int64_t> d = v.shape.values();
  int64_t n = 1;
  for (int64_t x : d) {
    if (x <= 0 || x > UINT32_MAX) return std::string(what) + " has an empty or huge dimension";
    n *= x;
    if (n > kMaxElems) return std::string(what) + " has more than 2^24 elements";
  }
  return {};
}

size_t rank(const ir::Value& v) {
  return v.shape.rank();
}

bool is_const(const ir::Graph& g, const ir::Node& n, size_t i) {
  return i < n.inputs.size() && n.inputs[i] != ir::kNoValue && g.value(n.inputs[i]).is_constant();
}
bool present(const ir::Node& n, size_t i) {
  return i < n.inputs.size() && n.inputs[i] != ir::kNoValue;
}

bool fits16(const std::vector<int64_t>& v) {
  for (int64_t x : v)
    if (x < 0 || x > 65535) return false;
  return true;
}

std::string check_conv(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& x = g.value(n.inputs[0]);
  if (!is_const(g, n, 1)) return "weights are not constant";
  const ir::Value& w = g.value(n.inputs[1]);
  size_t r = rank(x);
  if ((r != 4 && r != 3) || w.constant->dims.size() != r) return "only 1-D and 2-D convolutions";
  if (present(n, 2) && !is_const(g, n, 2)) return "bias is not constant";
  if (!fits16(n.attrs.get_ints("strides", {})) || !fits16(n.attrs.get_ints("dilations", {})) ||
      !fits16(n.attrs.get_ints("pads", {})) || n.attrs.get_int("group", 1) > 65535)
    return "stride/dilation/pad/group beyond 16 bits";
  for (int64_t s : n.attrs.get_ints("strides", {}))
    if (s < 1) return "stride < 1";
  if (is_quant(x)) {
    if (!is_quant(g.value(n.outputs[0])) || !w.quant ||
        (w.dtype != DataType::kInt8 && w.dtype != DataType::kUInt8))
      return "quantised conv needs int8 weights and output";
    const auto& q = *w.quant;
    if (q.scale.size() != 1 && (q.axis != 0 || q.scale.size() != size_t(w.constant->dims[0])))
      return "weight quantisation is not per-tensor or per output channel";
    for (int32_t z : q.zero_point)
      if (z != q.zero_point[0]) return "weight zero points differ per channel";
  } else if (!is_float(x) || !is_float(w) || !is_float(g.value(n.outputs[0]))) {
    return "mixed float/quantised operands";
  }
  return {};
}

std::string check_convt(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& x = g.value(n.inputs[0]);
  if (!is_float(x) || rank(x) != 4) return "float 2-D transposed convolution only";
  if (!is_const(g, n, 1) || (present(n, 2) && !is_const(g, n, 2))) return "weights not constant";
  ConvTGeom t;
  if (!convt_geom(g, n, &t)) return "padding larger than the dilated kernel";
  if (!fits16({t.d[0], t.d[1], t.groups})) return "dilation/group beyond 16 bits";
  int64_t z = t.n * t.c * t.zh * t.zw;
  if (z > kMaxElems) return "upsampled input has more than 2^24 elements";
  return {};
}

std::string check_gemm(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& a = g.value(n.inputs[0]);
  if (n.attrs.get_int("transA", 0)) return "transA";
  if (rank(a) != 2) return "A must be 2-D";
  bool quant = is_quant(a);
  float alpha = n.attrs.get_float("alpha", 1.f), beta = n.attrs.get_float("beta", 1.f);
  bool tb = n.attrs.get_int("transB", 0) != 0;
  const ir::Value& b = g.value(n.inputs[1]);
  int64_t N = g.value(n.outputs[0]).shape.values()[1];
  if (present(n, 2)) {
    if (!is_const(g, n, 2)) return "C is not constant";
    int64_t cn = g.value(n.inputs[2]).constant->numel();
    if (cn != N && !(cn == 1 && !quant)) return "C is not a per-column bias";
  }
  if (!b.is_constant() && (alpha != 1.f || quant)) return "scaled or quantised non-constant B";
  if (quant) {
    if (alpha != 1.f || beta != 1.f) return "quantised Gemm with alpha/beta";
    if (!is_quant(b) || !is_quant(g.value(n.outputs[0]))) return "mixed float/quantised operands";
    const auto& q = *b.quant;
    if (q.scale.size() != 1 && (!tb || q.axis != 0)) return "weight quantisation not per output";
    for (int32_t z : q.zero_point)
      if (z != q.zero_point[0]) return "weight zero points differ per channel";
  } else if (!is_float(b) || !is_float(g.value(n.outputs[0]))) {
    return "mixed float/quantised operands";
  }
  return {};
}

std::string check_matmul(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& a = g.value(n.inputs[0]);
  const ir::Value& b = g.value(n.inputs[1]);
  const ir::Value& y = g.value(n.outputs[0]);
  if (rank(a) < 2 || rank(b) < 2 || rank(y) > 4) return "operands must be 2-D to 4-D";
  if (b.is_constant() && !b.shape.is_static()) return "B shape not static";
  if (is_quant(a)) {
    if (!is_quant(b) || !is_quant(y)) return "mixed float/quantised operands";
    const auto& q = *b.quant;
    if (q.scale.size() != 1 && !(b.is_constant() && q.axis == int(rank(b)) - 1))
      return "B quantisation not per-tensor or per column";
    for (int32_t z : q.zero_point)
      if (z != q.zero_point[0]) return "B zero points differ per channel";
  } else if (!is_float(b) || !is_float(y)) {
    return "mixed float/quantised operands";
  }
  return {};
}

std::string check_binary(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.size() != 2) return "needs exactly two inputs";
  const ir::Value& y = g.value(n.outputs[0]);
  if (rank(y) > 4) return "rank > 4";
  bool q = is_quant(y);
  for (size_t i = 0; i < 2; ++i) {
    const ir::Value& v = g.value(n.inputs[i]);
    if (q ? !is_quant(v) : !is_float(v)) return "mixed float/quantised operands";
    if (q && v.quant->scale.size() != 1) return "per-channel operand";
    if (rank(v) > 4) return "rank > 4";
  }
  if (n.op == "Div" && (q || !is_const(g, n, 1))) return "only float division by a constant";
  return {};
}

std::string check_pool(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& x = g.value(n.inputs[0]);
  size_t r = rank(x);
  if (r != 4 && r != 3) return "only 1-D and 2-D pooling";
  if (n.outputs.size() > 1 && n.outputs[1] != ir::kNoValue) return "MaxPool Indices output";
  if (n.attrs.get_int("storage_order", 0)) return "storage_order";
  for (int64_t d : n.attrs.get_ints("dilations", {}))
    if (d != 1) return "dilated pooling";
  std::vector<int64_t> k = n.attrs.get_ints("kernel_shape", {});
  std::vector<int64_t> s = n.attrs.get_ints("strides", {});
  std::vector<int64_t> p = n.attrs.get_ints("pads", {});
  if (!fits16(k) || !fits16(s) || !fits16(p)) return "kernel/stride/pad beyond 16 bits";
  size_t sp = r - 2;
  const std::vector<int64_t> xd = x.shape.values(), yd = g.value(n.outputs[0]).shape.values();
  for (size_t i = 0; i < sp; ++i) {
    int64_t kk = k.at(i), ss = s.empty() ? 1 : s[i];
    int64_t pa = p.empty() ? 0 : p[i], pb = p.empty() ? 0 : p[i + sp];
    if (ss < 1 || kk < 1) return "kernel/stride < 1";
    // The end padding ceil_mode needs must stay below the kernel size.
    int64_t need = (yd[2 + i] - 1) * ss + kk - xd[2 + i] - pa;
    int64_t end = std::max(need, pb);
    if (pa >= kk || end >= kk) return "padding as large as the kernel";
    if (n.op == "AveragePool" && n.attrs.get_int("count_include_pad", 0) && need > pb)
      return "count_include_pad with ceil_mode";
  }
  return {};
}

std::string check_op(const ir::Graph& g, const ir::Node& n) {
  const std::string& op = n.op;
  const ir::Value& y = g.value(n.outputs[0]);
  if (op == "Conv") return check_conv(g, n);
  if (op == "Gemm") return check_gemm(g, n);
  if (op == "MatMul") return check_matmul(g, n);
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Min" || op == "Max" || op == "Div")
    return check_binary(g, n);
  const ir::Value& x = g.value(n.inputs[0]);
  if (op == "QuantizeLinear" || op == "DequantizeLinear") {
    bool q = op == "QuantizeLinear";
    if (q ? !(is_float(x) && is_quant(y)) : !(is_quant(x) && is_float(y)))
      return "not a per-tensor float/int8 conversion";
    return {};
  }
  bool same_class = is_quant(x) ? is_quant(y) : (is_float(x) && is_float(y));
  if (!same_class) return "mixed float/quantised operands";
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish" || op == "LeakyRelu" ||
      op == "HardSigmoid" || op == "Elu")
    return {};
  if (op == "ConvTranspose") return check_convt(g, n);
  if (op == "Gelu") return n.attrs.get_string("approximate", "none") == "none" ? "" : "tanh GELU";
  if (op == "Clip") {
    if ((present(n, 1) && !is_const(g, n, 1)) || (present(n, 2) && !is_const(g, n, 2)))
      return "bounds are not constant";
    return {};
  }
  if (op == "BatchNormalization") {
    if (is_quant(x) || rank(x) < 2 || rank(x) > 4) return "float, rank 2 to 4 only";
    for (size_t i = 1; i <= 4; ++i)
      if (!is_const(g, n, i)) return "statistics are not constant";
    if (n.outputs.size() > 1 || n.attrs.get_int("training_mode", 0)) return "training mode";
    return {};
  }
  if (op == "MaxPool" || op == "AveragePool") return check_pool(g, n);
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool")
    return rank(x) == 4 ? "" : "only 4-D global pooling";
  if (op == "ReduceMean") {
    std::vector<int64_t> axes = n.attrs.get_ints("axes", {});
    if (n.opset >= 18 || rank(x) != 4 || n.attrs.get_int("keepdims", 1) != 1)
      return "general reduction";
    for (int64_t& a : axes) a = a < 0 ? a + 4 : a;
    std::sort(axes.begin(), axes.end());
    return axes == std::vector<int64_t>{2, 3} ? "" : "reduction other than over H and W";
  }
  if (op == "Softmax") {
    if (rank(x) > 4) return "rank > 4";
    int64_t axis = n.attrs.get_int("axis", n.opset >= 13 ? -1 : 1);
    if (n.opset < 13 && axis != int64_t(rank(x)) - 1 && axis != -1)
      return "opset < 13 softmax over several axes";
    return {};
  }
  if (op == "LayerNormalization") {
    int64_t axis = n.attrs.get_int("axis", -1);
    if (axis != -1 && axis != int64_t(rank(x)) - 1)
      return "normalizes over more than the last axis";
    if (is_quant(x)) return "quantised layer norm";
    for (size_t i = 1; i < n.outputs.size(); ++i)
      if (n.outputs[i] != ir::kNoValue && !g.value(n.outputs[i]).consumers.empty())
        return "Mean/InvStdDev outputs used";
    for (size_t i = 1; i < n.inputs.size(); ++i)
      if (present(n, i) && (g.value(n.inputs[i]).shape.values().size() != 1))
        return "scale/bias not 1-D";
    return {};
  }
  if (op == "Resize") {
    if (rank(x) != 4) return "only 4-D resize";
    std::string mode = n.attrs.get_string("mode", "nearest");
    if (mode != "nearest" && mode != "linear") return "mode " + mode;
    std::string ct = n.attrs.get_string("coordinate_transformation_mode", "half_pixel");
    if (ct != "half_pixel" && ct != "align_corners" && ct != "asymmetric" &&
        ct != "pytorch_half_pixel")
      return "coordinate mode " + ct;
    if (n.attrs.get_int("antialias", 0)) return "antialias";
    if (n.attrs.has("axes")) return "axes attribute";
    std::string policy = n.attrs.get_string("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch") return "keep_aspect_ratio_policy " + policy;
    std::vector<int64_t> xd = x.shape.values(), yd = y.shape.values();
    if (xd[0] != yd[0] || xd[1] != yd[1]) return "resizes N or C";
    for (size_t i = 1; i < n.inputs.size(); ++i)
      if (present(n, i) && !is_const(g, n, i)) return "scales/sizes not constant";
    return {};
  }
  // Data movement of any rank: deeper copies become several DMAs.
  if (op == "Transpose" || op == "Concat" || op == "Split") return rank(x) <= 8 ? "" : "rank > 8";
  if (op == "Slice") {
    if (rank(x) > 8) return "rank > 8";
    for (size_t i = 1; i < n.inputs.size(); ++i)
      if (present(n, i) && !is_const(g, n, i)) return "starts/ends/axes/steps not constant";
    if (present(n, 4))
      for (int64_t s : g.value(n.inputs[4]).constant->to_ints())
        if (s < 1) return "negative or zero step";
    return {};
  }
  if (op == "Pad") {
    if (rank(x) > 8 || is_quant(x)) return "float, rank <= 8 only";
    if (n.attrs.get_string("mode", "constant") != "constant") return "non-constant pad mode";
    for (size_t i = 1; i < n.inputs.size(); ++i)
      if (present(n, i) && !is_const(g, n, i)) return "pads not constant";
    std::vector<int64_t> pads =
        n.opset < 11 ? n.attrs.get_ints("pads", {}) : g.value(n.inputs[1]).constant->to_ints();
    for (int64_t p : pads)
      if (p < 0) return "negative pads (cropping)";
    return {};
  }
  if (is_view_op(op)) {
    if (g.value(n.inputs[0]).is_constant()) return "view of a constant";
    if (op == "Dropout" && n.outputs.size() > 1 && n.outputs[1] != ir::kNoValue)
      return "mask output";
    return {};
  }
  return "op not supported by the npu";
}

}  // namespace

Support supports(const ir::Graph& g, const ir::Node& n) {
  if (!n.domain.empty() && n.domain != "ai.onnx") return Support::no("domain " + n.domain);
  if (n.layout == ir::Layout::kNHWC) return Support::no("NHWC layout");
  if (ir::DType t = ir::narrow_type_of(g, n); t != ir::DType::kUndefined)
    return Support::no(std::string("element type ") + ir::dtype_name(t));
  // Opset 21's blocked (de)quantisation has no device form.
  if (n.attrs.get_int("block_size", 0) != 0) return Support::no("blocked quantisation");
  for (const auto& [k, a] : n.attrs.all()) {
    (void)a;
    if (k.rfind("rnpu.", 0) == 0 && k != "rnpu.activation" && k != "rnpu.activation_alpha" &&
        k != "rnpu.activation_beta")
      return Support::no("attribute " + k);
  }
  if (n.inputs.empty() || n.outputs.empty() || n.inputs[0] == ir::kNoValue)
    return Support::no("no input");
  // Binary ops and Concat pack constant operands; others need a runtime input.
  bool packs_constants = n.op == "Concat" || n.op == "Add" || n.op == "Sub" || n.op == "Mul" ||
                         n.op == "Min" || n.op == "Max";
  if (g.value(n.inputs[0]).is_constant() && !packs_constants) return Support::no("constant input");
  for (ir::ValueId v : n.inputs) {
    if (v == ir::kNoValue) continue;
    const ir::Value& x = g.value(v);
    if (x.is_constant()) continue;
    if (std::string e = check_tensor(x, "input"); !e.empty()) return Support::no(e);
  }
  for (ir::ValueId v : n.outputs) {
    if (v == ir::kNoValue) continue;
    if (std::string e = check_tensor(g.value(v), "output"); !e.empty()) return Support::no(e);
  }
  std::string f = n.attrs.get_string("rnpu.activation", "");
  if (!f.empty() && f != "Relu" && f != "Clip" && f != "Sigmoid" && f != "Tanh" &&
      f != "HardSigmoid" && f != "HardSwish" && f != "Gelu" && f != "LeakyRelu")
    return Support::no("fused activation " + f);
  try {
    std::string e = check_op(g, n);
    return e.empty() ? Support::yes() : Support::no(e);
  } catch (const std::exception& e) {
    return Support::no(std::string("malformed attributes: ") + e.what());
  }
}

double estimate_cost_ns(const ir::Graph& g, const ir::Node& n, const HwConfig& hw) {
  const ir::Value& y = g.value(n.outputs[0]);
  if (!y.shape.is_static() || !hw.max_freq_hz) return -1;
  double out = double(y.shape.numel().value_or(0));
  bool q = is_quant(y);
  double cols = q ? hw.mac_cols : std::max(1u, hw.mac_cols / 2);
  double lanes = q ? hw.vec_lanes : std::max(1u, hw.vec_lanes / 2);
  double esize = q ? 1 : 2, compute = 0, bytes = out * esize;
  if (n.op == "Conv" && is_const(g, n, 1)) {
    const auto& w = g.value(n.inputs[1]).constant->dims;
    double red = 1;
    for (size_t i = 1; i < w.size(); ++i) red *= double(w[i]);
    double oc = double(w[0]);
    compute = out / oc * std::ceil(red / hw.mac_rows) * std::ceil(oc / cols);
    bytes += double(g.value(n.inputs[1]).constant->numel()) * esize;
  } else if (n.op == "MatMul" || n.op == "Gemm") {
    const ir::Value& a = g.value(n.inputs[0]);
    double k = a.shape.is_static() ? double(a.shape.values().back()) : 1;
    double N = double(y.shape.values().back());
    compute = out / N * std::ceil(k / hw.mac_rows) * std::ceil(N / cols);
  } else if (!is_view_op(n.op)) {
    compute = out / lanes;
  }
  for (ir::ValueId v : n.inputs)
    if (v != ir::kNoValue && g.value(v).shape.is_static() && !g.value(v).is_constant())
      bytes += double(g.value(v).shape.numel().value_or(0)) * esize;
  double cycles = hw.cmd_overhead + std::max(compute, bytes / hw.dram_bw);
  return cycles * 1e9 / double(hw.max_freq_hz);
}

}  // namespace rnpu::npu
