#include "dtype.h"

namespace rnpu::cpu {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::kF32:
    case DType::kI32:
    case DType::kU32:
      return 4;
    case DType::kF64:
    case DType::kI64:
    case DType::kU64:
      return 8;
    case DType::kF16:
    case DType::kBF16:
    case DType::kI16:
    case DType::kU16:
      return 2;
    case DType::kI8:
    case DType::kU8:
    case DType::kBool:
    case DType::kF8E4M3FN:
    case DType::kF8E4M3FNUZ:
    case DType::kF8E5M2:
    case DType::kF8E5M2FNUZ:
    case DType::kU4:
    case DType::kI4:
      return 1;
    default:
      return 0;
  }
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kF32:
      return "float32";
    case DType::kF64:
      return "float64";
    case DType::kF16:
      return "float16";
    case DType::kBF16:
      return "bfloat16";
    case DType::kI8:
      return "int8";
    case DType::kU8:
      return "uint8";
    case DType::kI16:
      return "int16";
    case DType::kU16:
      return "uint16";
    case DType::kI32:
      return "int32";
    case DType::kU32:
      return "uint32";
    case DType::kI64:
      return "int64";
    case DType::kU64:
      return "uint64";
    case DType::kBool:
      return "bool";
    case DType::kString:
      return "string";
    case DType::kF8E4M3FN:
      return "float8e4m3fn";
    case DType::kF8E4M3FNUZ:
      return "float8e4m3fnuz";
    case DType::kF8E5M2:
      return "float8e5m2";
    case DType::kF8E5M2FNUZ:
      return "float8e5m2fnuz";
    case DType::kU4:
      return "uint4";
    case DType::kI4:
      return "int4";
    default:
      return "undefined";
  }
}

bool dtype_is_float(DType t) {
  return t == DType::kF32 || t == DType::kF64 || t == DType::kF16 || t == DType::kBF16;
}

bool dtype_is_float8(DType t) {
  return t == DType::kF8E4M3FN || t == DType::kF8E4M3FNUZ || t == DType::kF8E5M2 ||
         t == DType::kF8E5M2FNUZ;
}

bool dtype_is_int4(DType t) {
  return t == DType::kI4 || t == DType::kU4;
}

bool dtype_is_signed_int(DType t) {
  return t == DType::kI8 || t == DType::kI16 || t == DType::kI32 || t == DType::kI64;
}

bool dtype_is_unsigned_int(DType t) {
  return t == DType::kU8 || t == DType::kU16 || t == DType::kU32 || t == DType::kU64;
}

bool dtype_in_class(DType t, unsigned cls) {
  if (t == DType::kF32 || t == DType::kF64) return cls & kFloatTypes;
  if (dtype_is_signed_int(t)) return cls & kSignedTypes;
  if (dtype_is_unsigned_int(t)) return cls & kUnsignedTypes;
  if (t == DType::kBool) return cls & kBoolType;
  return false;
}

uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000) return uint16_t((x >> 16) | 0x40);
  x += 0x7fff + ((x >> 16) & 1);
  return uint16_t(x >> 16);
}

}  // namespace rnpu::cpu
