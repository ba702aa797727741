// Cast and CastLike between string tensors and numbers or bools.  Strings
// parse as decimal or scientific numbers, "NaN", "INF", "+INF" and "-INF"
// matched case-insensitively (the ONNX Cast specification); a string that
// is not a number is a run-time error naming the element, since the
// specification defines no value for it.  Numbers format as the shortest
// decimal that reads back to the same value ("0.1", not "0.100000001").
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "kernels/dtype.h"
#include "string_run.h"

namespace rnpu::cpu::str {

namespace {

using ir::DType;

bool is_float(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
         t == DType::kBFloat16;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(const std::string& s) {
  size_t b = 0, e = s.size();
  auto sp = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (b < e && sp(s[b])) ++b;
  while (e > b && sp(s[e - 1])) --e;
  return std::string_view(s).substr(b, e - b);
}

[[noreturn]] void unparsable(const std::string& s, size_t i, DType to) {
  std::string shown = s.size() > 40 ? s.substr(0, 40) + "..." : s;
  fail("element " + std::to_string(i) + " '" + shown + "' is not a " + ir::dtype_name(to) +
       " number");
}

// The reserved literals, else from_chars (locale-independent, correctly
// rounded), which takes no leading '+'.
template <class F>
bool parse_float(std::string_view v, F* out) {
  if (iequals(v, "NaN")) {
    *out = std::numeric_limits<F>::quiet_NaN();
    return true;
  }
  if (iequals(v, "INF") || iequals(v, "+INF")) {
    *out = std::numeric_limits<F>::infinity();
    return true;
  }
  if (iequals(v, "-INF")) {
    *out = -std::numeric_limits<F>::infinity();
    return true;
  }
  if (!v.empty() && v[0] == '+') v.remove_prefix(1);
  if (v.empty() || v[0] == '-' && v.size() > 1 && v[1] == '+') return false;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  // Overflow to infinity is what a float cast of a huge value gives.
  if (ec == std::errc::result_out_of_range) {
    *out = v[0] == '-' ? -std::numeric_limits<F>::infinity() : std::numeric_limits<F>::infinity();
    return p == v.data() + v.size();
  }
  return ec == std::errc() && p == v.data() + v.size();
}

// Integers: exact when written as an integer, else the number truncated
// toward zero ("100.5" -> 100, as the specification's example).
template <class I>
I parse_int(const std::string& s, size_t i, DType to) {
  std::string_view v = trim(s);
  if (!v.empty() && v[0] == '+') v.remove_prefix(1);
  I x{};
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec == std::errc() && p == v.data() + v.size()) return x;
  if (ec == std::errc::result_out_of_range)
    fail("element " + std::to_string(i) + " '" + s + "' is out of range for " + ir::dtype_name(to));
  double d = 0;
  if (!parse_float(v, &d) || !std::isfinite(d)) unparsable(s, i, to);
  d = std::trunc(d);
  if (!(d >= double(std::numeric_limits<I>::min()) && d <= double(std::numeric_limits<I>::max())))
    fail("element " + std::to_string(i) + " '" + s + "' is out of range for " + ir::dtype_name(to));
  return I(d);
}

template <class I>
void store_ints(const ir::Strings& x, DType to, void* dst) {
  auto* o = static_cast<I*>(dst);
  for (size_t i = 0; i < x.size(); ++i) {
    // Parse as 64 bits, then check the target's range.
    if constexpr (std::is_signed_v<I>) {
      int64_t v = parse_int<int64_t>(x[i], i, to);
      if (v < int64_t(std::numeric_limits<I>::min()) || v > int64_t(std::numeric_limits<I>::max()))
        fail("element " + std::to_string(i) + " '" + x[i] + "' is out of range for " +
             ir::dtype_name(to));
      o[i] = I(v);
    } else {
      std::string_view t = trim(x[i]);
      if (!t.empty() && t[0] == '-') {
        // "-0" and "-0.5" truncate to 0; any other negative is out of range.
        double d = 0;
        if (!parse_float(t, &d)) unparsable(x[i], i, to);
        if (std::trunc(d) != 0)
          fail("element " + std::to_string(i) + " '" + x[i] + "' is out of range for " +
               ir::dtype_name(to));
        o[i] = 0;
        continue;
      }
      uint64_t v = parse_int<uint64_t>(x[i], i, to);
      if (v > uint64_t(std::numeric_limits<I>::max()))
        fail("element " + std::to_string(i) + " '" + x[i] + "' is out of range for " +
             ir::dtype_name(to));
      o[i] = I(v);
    }
  }
}

void from_strings(const ir::Strings& x, DType to, void* dst) {
  switch (to) {
    case DType::kFloat32:
    case DType::kFloat16:
    case DType::kBFloat16:
      for (size_t i = 0; i < x.size(); ++i) {
        float f = 0;
        if (!parse_float(trim(x[i]), &f)) unparsable(x[i], i, to);
        if (to == DType::kFloat32)
          static_cast<float*>(dst)[i] = f;
        else
          static_cast<uint16_t*>(dst)[i] =
              to == DType::kFloat16 ? float_to_half(f) : float_to_bf16(f);
      }
      return;
    case DType::kFloat64:
      for (size_t i = 0; i < x.size(); ++i)
        if (!parse_float(trim(x[i]), &static_cast<double*>(dst)[i])) unparsable(x[i], i, to);
      return;
    case DType::kBool:
      for (size_t i = 0; i < x.size(); ++i) {
        std::string_view v = trim(x[i]);
        double d = 0;
        if (iequals(v, "true"))
          d = 1;
        else if (iequals(v, "false"))
          d = 0;
        else if (!parse_float(v, &d))
          unparsable(x[i], i, to);
        static_cast<uint8_t*>(dst)[i] = d != 0;
      }
      return;
    case DType::kInt8:
      return store_ints<int8_t>(x, to, dst);
    case DType::kInt16:
      return store_ints<int16_t>(x, to, dst);
    case DType::kInt32:
      return store_ints<int32_t>(x, to, dst);
    case DType::kInt64:
      return store_ints<int64_t>(x, to, dst);
    case DType::kUInt8:
      return store_ints<uint8_t>(x, to, dst);
    case DType::kUInt16:
      return store_ints<uint16_t>(x, to, dst);
    case DType::kUInt32:
      return store_ints<uint32_t>(x, to, dst);
    case DType::kUInt64:
      return store_ints<uint64_t>(x, to, dst);
    default:
      fail(std::string("cannot cast strings to ") + ir::dtype_name(to));
  }
}

// The shortest %g form that reads back as the same value of its type
// (float32 needs at most 9 digits, float64 17).
std::string format_float(double v, bool single) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "INF" : "-INF";
  char buf[40];
  int p = 1;
  for (; p <= (single ? 9 : 17); ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, v);
    if (single ? std::strtof(buf, nullptr) == float(v) : std::strtod(buf, nullptr) == v) break;
  }
  // %g goes scientific once the exponent reaches the precision ("1e+03");
  // below 1e16 write the integer digits out ("1000"), as numpy does.
  if (const char* e = std::strchr(buf, 'e')) {
    int exp = std::atoi(e + 1);
    if (exp >= p && exp < 16) std::snprintf(buf, sizeof buf, "%.*g", exp + 1, v);
  }
  return buf;
}

}  // namespace

std::string cast_check(DType from, DType to) {
  if (from == DType::kString && to == DType::kString) return {};
  DType other = from == DType::kString ? to : from;
  if (!numeric_type(other))
    return std::string("Cast between string and ") + ir::dtype_name(other) + " unsupported";
  return {};
}

void cast_strings(Run& r) {
  const HostTensor& x = r.in(0);
  DType to = r.out_dtype(0);
  if (x.dtype == DType::kString) {
    const ir::Strings& s = r.strings(0);
    if (to == DType::kString) return r.out_strings(0, x.shape, s);
    void* dst = r.out_tensor(0, to, x.shape);
    from_strings(s, to, dst);
    return;
  }
  int64_t n = numel_of(x.shape);
  ir::Strings out(static_cast<size_t>(n), std::string());
  for (int64_t i = 0; i < n; ++i) {
    std::string& o = out[size_t(i)];
    if (is_float(x.dtype))
      o = format_float(load_double(x.dtype, x.data, i), x.dtype != DType::kFloat64);
    else if (x.dtype == DType::kBool)
      o = load_int(x.dtype, x.data, i) ? "True" : "False";
    else if (x.dtype == DType::kUInt64)
      o = std::to_string(static_cast<const uint64_t*>(x.data)[i]);
    else
      o = std::to_string(load_int(x.dtype, x.data, i));
  }
  r.out_strings(0, x.shape, std::move(out));
}

}  // namespace rnpu::cpu::str
