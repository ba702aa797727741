#include "dtype.h"

#include "ir/dtype.h"

namespace rnpu::cpu {

// The kernels' DType numbers its types as ONNX and the IR do, so size, name
// and class come from the IR's one definition (ir/dtype.h).
static_assert(int(DType::kF32) == int(ir::DType::kFloat32) &&
              int(DType::kI4) == int(ir::DType::kInt4) &&
              int(DType::kBF16) == int(ir::DType::kBFloat16) &&
              int(DType::kString) == int(ir::DType::kString));

size_t dtype_size(DType t) {
  return ir::dtype_size(ir::DType(t));
}

const char* dtype_name(DType t) {
  return ir::dtype_name(ir::DType(t));
}

bool dtype_is_float(DType t) {
  return ir::dtype_is_float(ir::DType(t));
}

bool dtype_is_float8(DType t) {
  return ir::dtype_is_float8(ir::DType(t));
}

bool dtype_is_int4(DType t) {
  return ir::dtype_is_int4(ir::DType(t));
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
