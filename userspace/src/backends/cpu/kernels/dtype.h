// Element types of the CPU kernels and the compile-time dispatch over them.
// The numbering follows ONNX TensorProto.DataType so mapping from any
// ONNX-derived IR is a cast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "ir/fp16.h"

namespace rnpu::cpu {

enum class DType : uint8_t {
  kUndefined = 0,
  kF32 = 1,
  kU8 = 2,
  kI8 = 3,
  kU16 = 4,
  kI16 = 5,
  kI32 = 6,
  kI64 = 7,
  kString = 8,
  kBool = 9,
  kF16 = 10,
  kF64 = 11,
  kU32 = 12,
  kU64 = 13,
  kBF16 = 16,
  // One byte per element in memory: float8 bit patterns, and int4/uint4
  // sign- or zero-extended into an int8/uint8.  No arithmetic class holds
  // them; Cast, (De)QuantizeLinear and byte-moving kernels do.
  kF8E4M3FN = 17,
  kF8E4M3FNUZ = 18,
  kF8E5M2 = 19,
  kF8E5M2FNUZ = 20,
  kU4 = 21,
  kI4 = 22,
};

size_t dtype_size(DType t);
const char* dtype_name(DType t);
bool dtype_is_float(DType t);  // f16, bf16, f32, f64
bool dtype_is_float8(DType t);
bool dtype_is_int4(DType t);  // int4, uint4
bool dtype_is_signed_int(DType t);
bool dtype_is_unsigned_int(DType t);
inline bool dtype_is_int(DType t) {
  return dtype_is_signed_int(t) || dtype_is_unsigned_int(t);
}

// IEEE binary16 and bfloat16 storage types; arithmetic happens in float.
struct Half {
  uint16_t bits;
};
struct BFloat16 {
  uint16_t bits;
};

using ir::float_to_half;  // ir/fp16.h: librnpu's one converter
using ir::half_to_float;
inline float bf16_to_float(uint16_t b) {
  uint32_t u = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint16_t float_to_bf16(float f);  // round to nearest even

template <class T>
struct TypeTag {
  using type = T;
};

template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return DType::kF32;
  if constexpr (std::is_same_v<T, double>) return DType::kF64;
  if constexpr (std::is_same_v<T, Half>) return DType::kF16;
  if constexpr (std::is_same_v<T, BFloat16>) return DType::kBF16;
  if constexpr (std::is_same_v<T, int8_t>) return DType::kI8;
  if constexpr (std::is_same_v<T, uint8_t>) return DType::kU8;
  if constexpr (std::is_same_v<T, int16_t>) return DType::kI16;
  if constexpr (std::is_same_v<T, uint16_t>) return DType::kU16;
  if constexpr (std::is_same_v<T, int32_t>) return DType::kI32;
  if constexpr (std::is_same_v<T, uint32_t>) return DType::kU32;
  if constexpr (std::is_same_v<T, int64_t>) return DType::kI64;
  if constexpr (std::is_same_v<T, uint64_t>) return DType::kU64;
  if constexpr (std::is_same_v<T, bool>) return DType::kBool;
  return DType::kUndefined;
}

// Type classes a kernel can be dispatched over.  Half and bfloat16 are not in
// the arithmetic classes: kernels that accept them widen to float first
// (see widen.h), so every arithmetic kernel is instantiated once per real
// C++ arithmetic type.
constexpr unsigned kFloatTypes = 1u << 0;     // float, double
constexpr unsigned kSignedTypes = 1u << 1;    // int8..int64
constexpr unsigned kUnsignedTypes = 1u << 2;  // uint8..uint64
constexpr unsigned kBoolType = 1u << 3;
constexpr unsigned kIntTypes = kSignedTypes | kUnsignedTypes;
constexpr unsigned kNumericTypes = kFloatTypes | kIntTypes;
constexpr unsigned kAllTypes = kNumericTypes | kBoolType;

bool dtype_in_class(DType t, unsigned cls);

// Calls f(TypeTag<T>{}) for the C++ type of `t` if `t` belongs to `cls`;
// returns false otherwise.  Only the classes named in Cls are instantiated.
template <unsigned Cls, class F>
bool dispatch(DType t, F&& f) {
  switch (t) {
#define RNPU_CPU_CASE(E, T, C)   \
  case DType::E:                 \
    if constexpr ((Cls) & (C)) { \
      f(TypeTag<T>{});           \
      return true;               \
    }                            \
    return false;
    RNPU_CPU_CASE(kF32, float, kFloatTypes)
    RNPU_CPU_CASE(kF64, double, kFloatTypes)
    RNPU_CPU_CASE(kI8, int8_t, kSignedTypes)
    RNPU_CPU_CASE(kI16, int16_t, kSignedTypes)
    RNPU_CPU_CASE(kI32, int32_t, kSignedTypes)
    RNPU_CPU_CASE(kI64, int64_t, kSignedTypes)
    RNPU_CPU_CASE(kU8, uint8_t, kUnsignedTypes)
    RNPU_CPU_CASE(kU16, uint16_t, kUnsignedTypes)
    RNPU_CPU_CASE(kU32, uint32_t, kUnsignedTypes)
    RNPU_CPU_CASE(kU64, uint64_t, kUnsignedTypes)
    RNPU_CPU_CASE(kBool, bool, kBoolType)
#undef RNPU_CPU_CASE
    default:
      return false;
  }
}

// Dispatch on element size only, for kernels that move bytes (transpose,
// gather, concat, ...).  Calls f(TypeTag<uintN_t>{}).
template <class F>
bool dispatch_bytes(DType t, F&& f) {
  switch (dtype_size(t)) {
    case 1:
      f(TypeTag<uint8_t>{});
      return true;
    case 2:
      f(TypeTag<uint16_t>{});
      return true;
    case 4:
      f(TypeTag<uint32_t>{});
      return true;
    case 8:
      f(TypeTag<uint64_t>{});
      return true;
    default:
      return false;
  }
}

}  // namespace rnpu::cpu
