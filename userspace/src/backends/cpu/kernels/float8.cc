#include "float8.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rnpu::cpu {

namespace {

struct Format {
  int mbits;         // stored mantissa bits
  int bias;          // exponent bias
  bool uz;           // "unsigned zero": 0x80 is the only NaN, no -0, no infinity
  bool has_inf;      // float8e5m2 only
  uint8_t max_code;  // largest finite magnitude
};

Format format(DType t) {
  switch (t) {
    case DType::kF8E4M3FN:
      return {3, 7, false, false, 0x7e};  // 448; S.1111.111 is NaN
    case DType::kF8E4M3FNUZ:
      return {3, 8, true, false, 0x7f};  // 240
    case DType::kF8E5M2:
      return {2, 15, false, true, 0x7b};  // 57344; S.11111.00 is infinity
    default:
      return {2, 16, true, false, 0x7f};  // float8e5m2fnuz: 57344
  }
}

uint8_t nan_code(const Format& f, uint8_t sign) {
  return f.uz ? 0x80 : uint8_t(sign | 0x7f);
}

}  // namespace

bool float8_is_nan(uint8_t b, DType t) {
  Format f = format(t);
  if (f.uz) return b == 0x80;
  if (f.has_inf) return (b & 0x7f) > 0x7c;
  return (b & 0x7f) == 0x7f;
}

float float8_to_float(uint8_t b, DType t) {
  Format f = format(t);
  if (float8_is_nan(b, t)) return std::numeric_limits<float>::quiet_NaN();
  bool neg = b & 0x80;
  if (f.has_inf && (b & 0x7f) == 0x7c)
    return neg ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  int e = (b & 0x7f) >> f.mbits;
  int m = b & ((1 << f.mbits) - 1);
  // Subnormals (e == 0) have no implicit bit and the exponent of e == 1.
  float v = e == 0 ? std::ldexp(float(m), 1 - f.bias - f.mbits)
                   : std::ldexp(float(m + (1 << f.mbits)), e - f.bias - f.mbits);
  return neg ? -v : v;
}

uint8_t float_to_float8(float x, DType t, bool saturate) {
  Format f = format(t);
  uint8_t sign = std::signbit(x) ? 0x80 : 0;
  if (std::isnan(x)) return nan_code(f, sign);
  uint8_t overflow = saturate    ? uint8_t(sign | f.max_code)
                     : f.has_inf ? uint8_t(sign | 0x7c)
                                 : nan_code(f, sign);
  if (std::isinf(x)) return overflow;
  double a = std::fabs(double(x));
  if (a == 0) return f.uz ? 0 : sign;
  int e2;
  std::frexp(a, &e2);
  int emin = 1 - f.bias;  // exponent of the smallest normal number
  int q = std::max(e2 - 1, emin) - f.mbits;
  // a / 2^q has at most 24 significant bits: exact in double, so
  // nearbyint's round-to-nearest-even is the only rounding.
  double k = std::nearbyint(std::ldexp(a, -q));
  if (k == 0) return f.uz ? 0 : sign;
  // Codes are contiguous in magnitude: the biased exponent field counts
  // binades above the subnormals, and a mantissa carry moves into it.
  double code = std::ldexp(double(std::max(e2 - 1, emin) - emin), f.mbits) + k;
  if (code > f.max_code) return overflow;
  return uint8_t(sign | uint8_t(code));
}

int8_t float_to_int4(float f) {
  if (std::isnan(f)) return 0;
  return int8_t(std::nearbyint(std::clamp(f, -8.0f, 7.0f)));
}

uint8_t float_to_uint4(float f) {
  if (std::isnan(f)) return 0;
  return uint8_t(std::nearbyint(std::clamp(f, 0.0f, 15.0f)));
}

}  // namespace rnpu::cpu
