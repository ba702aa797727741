#include "string_ops.h"

#include <chrono>

#include "kernels/broadcast.h"
#include "kernels/dtype.h"
#include "string_run.h"

namespace rnpu::cpu {

namespace str {

void fail(const std::string& why) {
  throw StrError{why};
}

const HostTensor& Run::in(size_t i) const {
  if (!has(i)) fail("input " + std::to_string(i) + " is missing");
  return ctx_.tensor(s_.inputs[i]);
}

const ir::Strings& Run::strings(size_t i) const {
  const HostTensor& h = in(i);
  if (h.dtype != ir::DType::kString || !h.strings)
    fail("input " + std::to_string(i) + " is not a string tensor");
  if (int64_t(h.strings->size()) != numel_of(h.shape))
    fail("input " + std::to_string(i) + " holds " + std::to_string(h.strings->size()) +
         " strings for shape " + ir::Shape(h.shape).str());
  return *h.strings;
}

int64_t Run::numel(size_t i) const {
  return numel_of(in(i).shape);
}

void Run::out_strings(size_t i, std::vector<int64_t> shape, ir::Strings elems) {
  if (!has_out(i)) return;
  HostTensor& h = ctx_.tensor(s_.outputs[i]);
  h.dtype = ir::DType::kString;
  h.shape = std::move(shape);
  h.data = nullptr;
  h.size = 0;
  h.strings = std::make_shared<const ir::Strings>(std::move(elems));
}

void* Run::out_tensor(size_t i, ir::DType dt, const std::vector<int64_t>& shape) {
  if (!has_out(i)) return nullptr;
  return ctx_.allocate(s_.outputs[i], dt, shape);
}

int64_t numel_of(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

bool numeric_type(ir::DType t) {
  switch (t) {
    case ir::DType::kFloat32:
    case ir::DType::kFloat64:
    case ir::DType::kFloat16:
    case ir::DType::kBFloat16:
    case ir::DType::kInt8:
    case ir::DType::kInt16:
    case ir::DType::kInt32:
    case ir::DType::kInt64:
    case ir::DType::kUInt8:
    case ir::DType::kUInt16:
    case ir::DType::kUInt32:
    case ir::DType::kUInt64:
    case ir::DType::kBool:
      return true;
    default:
      return false;
  }
}

double load_double(ir::DType t, const void* p, int64_t i) {
  switch (t) {
    case ir::DType::kFloat32:
      return static_cast<const float*>(p)[i];
    case ir::DType::kFloat64:
      return static_cast<const double*>(p)[i];
    case ir::DType::kFloat16:
      return half_to_float(static_cast<const uint16_t*>(p)[i]);
    case ir::DType::kBFloat16:
      return bf16_to_float(static_cast<const uint16_t*>(p)[i]);
    case ir::DType::kUInt64:
      return double(static_cast<const uint64_t*>(p)[i]);
    default:
      return double(load_int(t, p, i));
  }
}

int64_t load_int(ir::DType t, const void* p, int64_t i) {
  switch (t) {
    case ir::DType::kInt8:
      return static_cast<const int8_t*>(p)[i];
    case ir::DType::kInt16:
      return static_cast<const int16_t*>(p)[i];
    case ir::DType::kInt32:
      return static_cast<const int32_t*>(p)[i];
    case ir::DType::kInt64:
      return static_cast<const int64_t*>(p)[i];
    case ir::DType::kUInt8:
    case ir::DType::kBool:
      return static_cast<const uint8_t*>(p)[i];
    case ir::DType::kUInt16:
      return static_cast<const uint16_t*>(p)[i];
    case ir::DType::kUInt32:
      return static_cast<const uint32_t*>(p)[i];
    case ir::DType::kUInt64:
      return int64_t(static_cast<const uint64_t*>(p)[i]);
    default:
      return int64_t(load_double(t, p, i));
  }
}

std::vector<int64_t> broadcast_index(const std::vector<int64_t>& in,
                                     const std::vector<int64_t>& out) {
  const size_t r = out.size();
  const std::vector<int64_t> stride = broadcast_strides(in, out);  // 0 along broadcast dims
  int64_t n = numel_of(out);
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::vector<int64_t> pos(r, 0);
  int64_t flat = 0;
  for (int64_t e = 0; e < n; ++e) {
    idx[size_t(e)] = flat;
    for (size_t k = r; k-- > 0;) {
      ++pos[k];
      flat += stride[k];
      if (pos[k] < out[k]) break;
      flat -= stride[k] * pos[k];
      pos[k] = 0;
    }
  }
  return idx;
}

bool utf8_decode(const std::string& s, std::u32string* out) {
  out->clear();
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned c = p[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || i + size_t(len) > n) return false;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; k < len; ++k) {
      if ((p[i + size_t(k)] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + size_t(k)] & 0x3f);
    }
    static const char32_t min_of[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_of[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    out->push_back(cp);
    i += size_t(len);
  }
  return true;
}

void utf8_append(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(char(c));
  } else if (c < 0x800) {
    out->push_back(char(0xc0 | (c >> 6)));
    out->push_back(char(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out->push_back(char(0xe0 | (c >> 12)));
    out->push_back(char(0x80 | ((c >> 6) & 0x3f)));
    out->push_back(char(0x80 | (c & 0x3f)));
  } else {
    out->push_back(char(0xf0 | (c >> 18)));
    out->push_back(char(0x80 | ((c >> 12) & 0x3f)));
    out->push_back(char(0x80 | ((c >> 6) & 0x3f)));
    out->push_back(char(0x80 | (c & 0x3f)));
  }
}

namespace {

// Identity shares the element list: it is immutable.
void identity(Run& r) {
  const HostTensor& x = r.in(0);
  r.strings(0);
  r.out_strings(0, x.shape, *x.strings);
}

using Fn = void (*)(Run&);

Fn find(const Step& s) {
  if (s.op == "StringNormalizer") return string_normalizer;
  if (s.op == "StringConcat") return string_concat;
  if (s.op == "StringSplit") return string_split;
  if (s.op == "RegexFullMatch") return regex_full_match;
  if (s.op == "Equal") return string_equal;
  if (s.op == "Cast" || s.op == "CastLike") return cast_strings;
  if (s.op == "Identity") return identity;
  if (s.op == "LabelEncoder") return label_encoder_strings;
  if (s.op == "TreeEnsembleClassifier") return tree_classifier_strings;
  if (s.op == "LinearClassifier") return linear_classifier_strings;
  if (s.op == "OneHotEncoder") return one_hot_encoder_strings;
  // ai.onnx only (kernel_key is the bare op name there).
  if (s.kernel == s.op && is_move_op(s.op)) return move_strings;
  return nullptr;
}

}  // namespace
}  // namespace str

Support string_support(const ir::Graph& g, const ir::Node& n) {
  using ir::DType;
  const bool ml = n.domain == "ai.onnx.ml";
  if (!n.domain.empty() && !ml) return Support::no("domain '" + n.domain + "' unsupported");
  if (n.layout != ir::Layout::kAny && n.layout != ir::Layout::kNCHW)
    return Support::no("NHWC node layout unsupported");
  for (const auto& [k, a] : n.attrs.all())
    if (k.rfind("rnpu.", 0) == 0) return Support::no("attribute '" + k + "' unsupported");
  auto type = [&](const std::vector<ir::ValueId>& l, size_t i) {
    return i < l.size() && l[i] != ir::kNoValue ? g.value(l[i]).dtype : DType::kUndefined;
  };
  for (const auto* list : {&n.inputs, &n.outputs})
    for (ir::ValueId v : *list)
      if (v != ir::kNoValue && g.value(v).quant) return Support::no("quantized values unsupported");
  const std::string& op = n.op;
  const bool in_str = type(n.inputs, 0) == DType::kString;
  std::string why;
  if (ml) {
    why = op == "LabelEncoder" ? str::label_encoder_check(n.attrs) : str::ml_string_check(g, n);
  } else if (op == "StringNormalizer") {
    why = in_str ? str::normalizer_check(n.attrs) : "input is not a string tensor";
  } else if (op == "StringConcat") {
    if (!in_str || type(n.inputs, 1) != DType::kString) why = "inputs are not string tensors";
  } else if (op == "StringSplit") {
    if (!in_str) why = "input is not a string tensor";
  } else if (op == "RegexFullMatch") {
    why = in_str ? str::regex_check(n.attrs) : "input is not a string tensor";
  } else if (op == "Equal") {
    if (!in_str || type(n.inputs, 1) != DType::kString)
      why = "Equal compares a string tensor only with a string tensor";
  } else if (op == "Cast" || op == "CastLike") {
    why = str::cast_check(type(n.inputs, 0), type(n.outputs, 0));
  } else if (op == "Identity") {
    if (!in_str) why = "input is not a string tensor";
  } else if (str::is_move_op(op)) {
    why = str::move_check(g, n);
  } else {
    return Support::no(op + " on string tensors unsupported");
  }
  if (!why.empty()) return Support::no(why);
  return Support::yes();
}

void run_string_step(const Step& s, RunContext& ctx) {
  auto t0 = std::chrono::steady_clock::now();
  str::Fn fn = str::find(s);
  if (!fn) throw Error(ErrorCode::kInternal, "no string kernel", s.name, s.op);
  str::Run r(s, ctx);
  try {
    fn(r);
  } catch (const str::StrError& e) {
    throw Error(ErrorCode::kRuntime, e.why, s.name, s.op);
  } catch (const KernelError& e) {  // the shared ml scoring (kernels/ml.h)
    throw Error(ErrorCode::kRuntime, e.what(), s.name, s.op);
  }
  record_step(s, ctx, t0);
}

}  // namespace rnpu::cpu
