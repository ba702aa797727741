// ai.onnx.ml LabelEncoder for numeric keys and values: keys_int64s /
// keys_floats / keys_tensor mapped to values_int64s / values_floats /
// values_tensor, unknown keys to the default.  Forms with strings (opset 1's
// classes_strings, keys_strings, values_strings, string tensors) need
// string tensors, which librnpu does not have, and are refused.
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "ml.h"

namespace rnpu::cpu {
namespace {

// Keys and values as read from whichever attribute form the node uses.
// Integers stay int64 (a double would merge keys above 2^53); floats are
// doubles.  Each entry is the 64 bits of one or the other.
struct Table {
  DType key_type = DType::kUndefined, value_type = DType::kUndefined;
  std::vector<uint64_t> keys, values;
  uint64_t fallback = 0;
};

uint64_t from_int(int64_t v) {
  return uint64_t(v);
}
// Float keys: every NaN is one key and -0 equals 0, as a lookup table's
// author expects.
uint64_t from_double(double v) {
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
  if (v == 0) v = 0;
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
double as_double(uint64_t b) {
  double v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// Element i of t in the representation of type `as` (int or float).
uint64_t element(const Tensor& t, int64_t i, DType as) {
  return dtype_is_int(as) ? from_int(tensor_get_int(t, i)) : from_double(tensor_get_double(t, i));
}

std::vector<uint64_t> elements(const Tensor& t) {
  std::vector<uint64_t> r(size_t(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) r[size_t(i)] = element(t, i, t.dtype);
  return r;
}

const char* const kStrings =
    "LabelEncoder with string keys or values: string tensors are not supported";

Table read_table(const Attrs& a) {
  if (a.has("classes_strings") || a.has("keys_strings") || a.has("values_strings") ||
      a.has("default_string"))
    fail(kStrings);
  Table t;
  int forms = 0;
  if (a.has("keys_int64s")) {
    for (int64_t k : a.get_ints("keys_int64s")) t.keys.push_back(from_int(k));
    t.key_type = DType::kI64;
    ++forms;
  }
  if (a.has("keys_floats")) {
    for (float k : a.get_floats("keys_floats")) t.keys.push_back(from_double(k));
    t.key_type = DType::kF32;
    ++forms;
  }
  if (const Tensor* k = a.get_tensor("keys_tensor")) {
    if (k->dtype == DType::kString) fail(kStrings);
    if (!dtype_in_class(k->dtype, kFloatTypes | kIntTypes))
      fail(std::string("LabelEncoder: keys of type ") + dtype_name(k->dtype) +
           " are not supported");
    t.keys = elements(*k);
    t.key_type = k->dtype;
    ++forms;
  }
  if (forms != 1) fail("LabelEncoder needs exactly one of keys_int64s, keys_floats, keys_tensor");
  forms = 0;
  if (a.has("values_int64s")) {
    for (int64_t v : a.get_ints("values_int64s")) t.values.push_back(from_int(v));
    t.value_type = DType::kI64;
    t.fallback = from_int(a.get_int("default_int64", -1));
    ++forms;
  }
  if (a.has("values_floats")) {
    for (float v : a.get_floats("values_floats")) t.values.push_back(from_double(v));
    t.value_type = DType::kF32;
    t.fallback = from_double(a.get_float("default_float", -0.f));
    ++forms;
  }
  if (const Tensor* v = a.get_tensor("values_tensor")) {
    if (v->dtype == DType::kString) fail(kStrings);
    if (!dtype_in_class(v->dtype, kFloatTypes | kIntTypes))
      fail(std::string("LabelEncoder: values of type ") + dtype_name(v->dtype) +
           " are not supported");
    t.values = elements(*v);
    t.value_type = v->dtype;
    // The defaults the operator documents: -1 for integers, -0.0 for floats.
    t.fallback = dtype_is_int(v->dtype) ? from_int(-1) : from_double(-0.0);
    if (const Tensor* d = a.get_tensor("default_tensor")) {
      if (d->dtype != v->dtype || d->numel() != 1)
        fail("LabelEncoder: default_tensor must be one element of values_tensor's type");
      t.fallback = element(*d, 0, d->dtype);
    }
    ++forms;
  }
  if (forms != 1)
    fail("LabelEncoder needs exactly one of values_int64s, values_floats, values_tensor");
  check_len("LabelEncoder", "values", t.values.size(), t.keys.size(), "one per key");
  return t;
}

void k_label_encoder(KernelContext& c) {
  const Tensor& x = c.in(0);
  Table t = read_table(c.attrs());
  if (x.dtype != t.key_type)
    fail(std::string("LabelEncoder: X is ") + dtype_name(x.dtype) + " but the keys are " +
         dtype_name(t.key_type));
  // Later duplicates win, as building a dict from the pairs does.
  std::unordered_map<uint64_t, uint64_t> map;
  for (size_t i = 0; i < t.keys.size(); ++i) map[t.keys[i]] = t.values[i];
  Tensor& y = c.out(0, t.value_type, x.shape);
  const bool int_values = dtype_is_int(t.value_type);
  dispatch<kFloatTypes | kIntTypes>(t.value_type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* d = y.as<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      auto it = map.find(element(x, i, t.key_type));
      uint64_t v = it == map.end() ? t.fallback : it->second;
      d[i] = int_values ? T(int64_t(v)) : T(as_double(v));
    }
  });
}

std::string check_label_encoder(const NodeInfo& n) {
  Table t = read_table(n.attrs);
  if (!n.input_types.empty() && n.input_types[0] != DType::kUndefined &&
      n.input_types[0] != t.key_type)
    return std::string("LabelEncoder: X is ") + dtype_name(n.input_types[0]) +
           " but the keys are " + dtype_name(t.key_type);
  return "";
}

}  // namespace

void register_ml_label_encoder(KernelRegistry& r) {
  r.add({ml_key("LabelEncoder"), k_label_encoder, 0, check_label_encoder});
}

}  // namespace rnpu::cpu
