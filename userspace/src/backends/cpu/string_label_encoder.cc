// ai.onnx.ml LabelEncoder where keys or values are strings (keys_strings,
// values_strings, default_string, string keys_tensor / values_tensor, and
// opset 1's classes_strings).  Numeric-only tables run in
// kernels/ml_label_encoder.cc.
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "kernels/dtype.h"
#include "string_run.h"

namespace rnpu::cpu::str {

namespace {

using ir::DType;

// One side of the table: strings, or numbers kept as int64 (integers) or
// double (floats) so no key above 2^53 merges with its neighbour.
struct Column {
  enum Kind { kNone, kStr, kInt, kFloat } kind = kNone;
  ir::Strings s;
  std::vector<int64_t> i;
  std::vector<double> f;
  size_t size() const { return kind == kStr ? s.size() : kind == kInt ? i.size() : f.size(); }
};

// Key text for the hash map: the string itself, or a number's 8 bytes with
// every NaN one key and -0 equal to 0.
std::string num_key(double v) {
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
  if (v == 0) v = 0;
  return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}
std::string int_key(int64_t v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}

void from_tensor(const ir::ConstTensor& t, Column* c) {
  if (t.dtype == DType::kString) {
    c->kind = Column::kStr;
    c->s = t.strings ? *t.strings : ir::Strings{};
    return;
  }
  if (!numeric_type(t.dtype))
    fail(std::string("tensor of ") + ir::dtype_name(t.dtype) + " unsupported");
  bool fl = t.dtype == DType::kFloat32 || t.dtype == DType::kFloat64 ||
            t.dtype == DType::kFloat16 || t.dtype == DType::kBFloat16;
  c->kind = fl ? Column::kFloat : Column::kInt;
  for (int64_t k = 0; k < t.numel(); ++k) {
    if (fl)
      c->f.push_back(load_double(t.dtype, t.data, k));
    else
      c->i.push_back(load_int(t.dtype, t.data, k));
  }
}

const ir::ConstTensor* tensor_attr(const ir::Attributes& a, const char* name) {
  const ir::Attribute* t = a.find(name);
  return t && t->kind == ir::Attribute::Kind::kTensor && t->t ? t->t.get() : nullptr;
}

struct Table {
  Column keys, values;
  Column fallback;  // one entry
};

Table read_table(const ir::Attributes& a) {
  Table t;
  int forms = 0;
  if (const ir::Attribute* k = a.find("keys_strings")) {
    t.keys.kind = Column::kStr;
    t.keys.s = k->strings;
    ++forms;
  }
  if (const ir::Attribute* k = a.find("keys_int64s")) {
    t.keys.kind = Column::kInt;
    t.keys.i = k->ints;
    ++forms;
  }
  if (const ir::Attribute* k = a.find("keys_floats")) {
    t.keys.kind = Column::kFloat;
    t.keys.f.assign(k->floats.begin(), k->floats.end());
    ++forms;
  }
  if (const ir::ConstTensor* k = tensor_attr(a, "keys_tensor")) {
    from_tensor(*k, &t.keys);
    ++forms;
  }
  if (forms != 1) fail("needs exactly one of keys_strings, keys_int64s, keys_floats, keys_tensor");
  forms = 0;
  if (const ir::Attribute* v = a.find("values_strings")) {
    t.values.kind = Column::kStr;
    t.values.s = v->strings;
    t.fallback.kind = Column::kStr;
    t.fallback.s = {a.get_string("default_string", "_Unused")};
    ++forms;
  }
  if (const ir::Attribute* v = a.find("values_int64s")) {
    t.values.kind = Column::kInt;
    t.values.i = v->ints;
    t.fallback.kind = Column::kInt;
    t.fallback.i = {a.get_int("default_int64", -1)};
    ++forms;
  }
  if (const ir::Attribute* v = a.find("values_floats")) {
    t.values.kind = Column::kFloat;
    t.values.f.assign(v->floats.begin(), v->floats.end());
    t.fallback.kind = Column::kFloat;
    t.fallback.f = {a.get_float("default_float", -0.f)};
    ++forms;
  }
  if (const ir::ConstTensor* v = tensor_attr(a, "values_tensor")) {
    from_tensor(*v, &t.values);
    // The operator's defaults for values_tensor: "_Unused", -1, -0.0.
    t.fallback.kind = t.values.kind;
    t.fallback.s = {"_Unused"};
    t.fallback.i = {-1};
    t.fallback.f = {-0.0};
    if (const ir::ConstTensor* d = tensor_attr(a, "default_tensor")) {
      if (d->dtype != v->dtype || d->numel() != 1)
        fail("default_tensor must be one element of values_tensor's type");
      t.fallback = Column{};
      from_tensor(*d, &t.fallback);
    }
    ++forms;
  }
  if (forms != 1)
    fail("needs exactly one of values_strings, values_int64s, values_floats, values_tensor");
  if (t.values.size() != t.keys.size())
    fail("has " + std::to_string(t.values.size()) + " values for " + std::to_string(t.keys.size()) +
         " keys");
  return t;
}

std::string key_of(const Column& c, size_t k) {
  return c.kind == Column::kStr   ? c.s[k]
         : c.kind == Column::kInt ? int_key(c.i[k])
                                  : num_key(c.f[k]);
}

void store(DType t, void* dst, size_t e, const Column& c, size_t k) {
  double d = c.kind == Column::kFloat ? c.f[k] : double(c.i[k]);
  int64_t i = c.kind == Column::kFloat ? int64_t(c.f[k]) : c.i[k];
  switch (t) {
    case DType::kFloat32:
      static_cast<float*>(dst)[e] = float(d);
      break;
    case DType::kFloat64:
      static_cast<double*>(dst)[e] = d;
      break;
    case DType::kFloat16:
      static_cast<uint16_t*>(dst)[e] = float_to_half(float(d));
      break;
    case DType::kBFloat16:
      static_cast<uint16_t*>(dst)[e] = float_to_bf16(float(d));
      break;
    case DType::kInt8:
      static_cast<int8_t*>(dst)[e] = int8_t(i);
      break;
    case DType::kInt16:
      static_cast<int16_t*>(dst)[e] = int16_t(i);
      break;
    case DType::kInt32:
      static_cast<int32_t*>(dst)[e] = int32_t(i);
      break;
    case DType::kInt64:
    case DType::kUInt64:
      static_cast<int64_t*>(dst)[e] = i;
      break;
    case DType::kUInt8:
    case DType::kBool:
      static_cast<uint8_t*>(dst)[e] = uint8_t(i);
      break;
    case DType::kUInt16:
      static_cast<uint16_t*>(dst)[e] = uint16_t(i);
      break;
    case DType::kUInt32:
      static_cast<uint32_t*>(dst)[e] = uint32_t(i);
      break;
    default:
      fail(std::string("output of ") + ir::dtype_name(t) + " unsupported");
  }
}

// Opset 1: classes_strings maps strings to their index and indices back.
void classes_form(Run& r) {
  const ir::Attributes& a = r.attrs();
  const std::vector<std::string>& classes = a.find("classes_strings")->strings;
  const HostTensor& x = r.in(0);
  int64_t n = numel_of(x.shape);
  if (x.dtype == DType::kString) {
    const ir::Strings& s = r.strings(0);
    std::unordered_map<std::string, int64_t> index;
    for (size_t k = 0; k < classes.size(); ++k) index.emplace(classes[k], int64_t(k));
    int64_t dflt = a.get_int("default_int64", -1);
    auto* o = static_cast<int64_t*>(r.out_tensor(0, DType::kInt64, x.shape));
    for (int64_t e = 0; e < n; ++e) {
      auto it = index.find(s[size_t(e)]);
      o[e] = it == index.end() ? dflt : it->second;
    }
    return;
  }
  std::string dflt = a.get_string("default_string", "_Unused");
  ir::Strings out(static_cast<size_t>(n), std::string());
  for (int64_t e = 0; e < n; ++e) {
    int64_t k = load_int(x.dtype, x.data, e);
    out[size_t(e)] = k >= 0 && size_t(k) < classes.size() ? classes[size_t(k)] : dflt;
  }
  r.out_strings(0, x.shape, std::move(out));
}

}  // namespace

std::string label_encoder_check(const ir::Attributes& a) {
  if (a.has("classes_strings")) return {};
  Table t;
  try {
    t = read_table(a);
  } catch (const StrError& e) {
    return "LabelEncoder " + e.why;
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

void label_encoder_strings(Run& r) {
  if (r.attrs().has("classes_strings")) return classes_form(r);
  Table t = read_table(r.attrs());
  std::unordered_map<std::string, size_t> index;
  for (size_t k = 0; k < t.keys.size(); ++k) index.emplace(key_of(t.keys, k), k);
  const HostTensor& x = r.in(0);
  const int64_t n = numel_of(x.shape);
  const bool x_str = x.dtype == DType::kString;
  if (x_str != (t.keys.kind == Column::kStr))
    fail(std::string("input of ") + ir::dtype_name(x.dtype) + " does not match the keys' type");
  const ir::Strings* xs = x_str ? &r.strings(0) : nullptr;
  auto lookup = [&](int64_t e) -> std::pair<const Column*, size_t> {
    std::string k = x_str                         ? (*xs)[size_t(e)]
                    : t.keys.kind == Column::kInt ? int_key(load_int(x.dtype, x.data, e))
                                                  : num_key(load_double(x.dtype, x.data, e));
    auto it = index.find(k);
    return it == index.end() ? std::pair{&t.fallback, size_t(0)} : std::pair{&t.values, it->second};
  };
  if (t.values.kind == Column::kStr) {
    ir::Strings out(static_cast<size_t>(n), std::string());
    for (int64_t e = 0; e < n; ++e) {
      auto [c, k] = lookup(e);
      out[size_t(e)] = c->s[k];
    }
    return r.out_strings(0, x.shape, std::move(out));
  }
  DType ot = r.out_dtype(0);
  void* dst = r.out_tensor(0, ot, x.shape);
  for (int64_t e = 0; e < n; ++e) {
    auto [c, k] = lookup(e);
    store(ot, dst, size_t(e), *c, k);
  }
}

}  // namespace rnpu::cpu::str
