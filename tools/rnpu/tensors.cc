#include "tensors.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

namespace rnpu::cli {

float bfloat16_to_float(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

double element_as_double(DataType t, const void* data, size_t i) {
  auto at = [&]<class T>(T*) {
    T v;
    std::memcpy(&v, static_cast<const char*>(data) + i * sizeof(T), sizeof(T));
    return double(v);
  };
  switch (t) {
    case DataType::kFloat32:
      return at((float*)nullptr);
    case DataType::kFloat64:
      return at((double*)nullptr);
    case DataType::kInt8:
      return at((int8_t*)nullptr);
    case DataType::kUInt8:
      return at((uint8_t*)nullptr);
    case DataType::kInt16:
      return at((int16_t*)nullptr);
    case DataType::kUInt16:
      return at((uint16_t*)nullptr);
    case DataType::kInt32:
      return at((int32_t*)nullptr);
    case DataType::kUInt32:
      return at((uint32_t*)nullptr);
    case DataType::kInt64:
      return at((int64_t*)nullptr);
    case DataType::kUInt64:
      return at((uint64_t*)nullptr);
    case DataType::kBool:
      return at((uint8_t*)nullptr) != 0 ? 1.0 : 0.0;
    case DataType::kFloat16:
      return half_to_float(uint16_t(at((uint16_t*)nullptr)));
    case DataType::kBFloat16:
      return bfloat16_to_float(uint16_t(at((uint16_t*)nullptr)));
    default:
      return std::numeric_limits<double>::quiet_NaN();
  }
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
  return s + "]";
}

std::string format_bytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024)
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else if (bytes < (1u << 20))
    std::snprintf(buf, sizeof buf, "%.1f KiB", double(bytes) / 1024);
  else if (bytes < (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / (1 << 20));
  else
    std::snprintf(buf, sizeof buf, "%.2f GiB", double(bytes) / (1ull << 30));
  return buf;
}

NpyArray random_tensor(DataType t, const std::vector<int64_t>& shape, std::mt19937_64& rng) {
  NpyArray a;
  a.dtype = t;
  a.shape = shape;
  size_t n = 1;
  for (int64_t d : shape) n *= size_t(d);
  size_t es = data_type_size(t);
  if (!es || t == DataType::kString)
    throw std::runtime_error(std::string("cannot make random data of type ") + data_type_name(t));
  a.data.resize(n * es);
  std::uniform_real_distribution<float> uf(-1.0f, 1.0f);
  std::uniform_int_distribution<int> small(0, 9), byte(0, 255), bit(0, 1);
  auto put = [&]<class T>(size_t i, T v) {
    std::memcpy(a.data.data() + i * sizeof(T), &v, sizeof v);
  };
  for (size_t i = 0; i < n; ++i) {
    switch (t) {
      case DataType::kFloat32:
        put(i, uf(rng));
        break;
      case DataType::kFloat64:
        put(i, double(uf(rng)));
        break;
      case DataType::kFloat16:
        put(i, float_to_half(uf(rng)));
        break;
      case DataType::kBFloat16: {
        float f = uf(rng);
        uint32_t b;
        std::memcpy(&b, &f, 4);
        put(i, uint16_t(b >> 16));
        break;
      }
      case DataType::kInt8:
        put(i, int8_t(byte(rng) - 128));
        break;
      case DataType::kUInt8:
        put(i, uint8_t(byte(rng)));
        break;
      case DataType::kBool:
        put(i, uint8_t(bit(rng)));
        break;
      case DataType::kInt16:
        put(i, int16_t(small(rng)));
        break;
      case DataType::kUInt16:
        put(i, uint16_t(small(rng)));
        break;
      case DataType::kInt32:
        put(i, int32_t(small(rng)));
        break;
      case DataType::kUInt32:
        put(i, uint32_t(small(rng)));
        break;
      case DataType::kInt64:
        put(i, int64_t(small(rng)));
        break;
      case DataType::kUInt64:
        put(i, uint64_t(small(rng)));
        break;
      default:
        throw std::runtime_error("unreachable element type");
    }
  }
  return a;
}

Summary summarize(DataType t, const void* data, size_t count, size_t head) {
  Summary s;
  s.count = count;
  double sum = 0;
  size_t finite = 0;
  bool first = true;
  for (size_t i = 0; i < count; ++i) {
    double v = element_as_double(t, data, i);
    if (i < head) s.head.push_back(v);
    if (std::isnan(v)) {
      ++s.nan;
      continue;
    }
    if (std::isinf(v)) ++s.inf;
    if (first) s.min = s.max = v;
    first = false;
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
    if (!std::isinf(v)) {
      sum += v;
      ++finite;
    }
  }
  s.mean = finite ? sum / double(finite) : 0;
  return s;
}

std::string describe(const TensorView& v) {
  size_t es = data_type_size(v.dtype);
  size_t n = es ? v.size / es : 0;
  std::ostringstream os;
  os << data_type_name(v.dtype) << " " << shape_str(v.shape);
  if (!es) return os.str();
  Summary s = summarize(v.dtype, v.data, n);
  os.precision(6);
  if (n) {
    os << "  min " << s.min << " max " << s.max << " mean " << s.mean;
    if (s.nan) os << " nan " << s.nan;
    os << "  [";
    for (size_t i = 0; i < s.head.size(); ++i) os << (i ? ", " : "") << s.head[i];
    os << (n > s.head.size() ? ", ...]" : "]");
  }
  return os.str();
}

}  // namespace rnpu::cli
