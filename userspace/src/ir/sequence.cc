#include "ir/sequence.h"

#include <cstring>

namespace rnpu::ir {

std::shared_ptr<const ConstTensor> copy_element(DType dtype, const std::vector<int64_t>& dims,
                                                const void* data, size_t size) {
  auto c = ConstTensor::make(dtype, dims);
  if (c->size != size)
    throw Error(ErrorCode::kInternal, "sequence element of " + Shape(dims).str() + " has " +
                                          std::to_string(size) + " bytes, expected " +
                                          std::to_string(c->size));
  if (size) std::memcpy(c->mutable_data(), data, size);
  return c;
}

Shape merge_element_shapes(const Shape& a, const Shape& b) {
  if (!a.has_rank || !b.has_rank || a.rank() != b.rank()) return Shape::unknown_rank();
  Shape r = a;
  for (size_t i = 0; i < r.dims.size(); ++i)
    if (!(a.dims[i] == b.dims[i])) r.dims[i] = Dim{};
  return r;
}

std::string type_str(ValueKind k, DType t) {
  std::string tensor = std::string("tensor(") + dtype_name(t) + ")";
  switch (k) {
    case ValueKind::kTensor:
      return tensor;
    case ValueKind::kSequence:
      return "sequence(" + tensor + ")";
    case ValueKind::kOptionalTensor:
      return "optional(" + tensor + ")";
    case ValueKind::kOptionalSequence:
      return "optional(sequence(" + tensor + "))";
  }
  return "?";
}

const char* kind_name(ValueKind k) {
  switch (k) {
    case ValueKind::kTensor:
      return "tensor";
    case ValueKind::kSequence:
      return "sequence";
    case ValueKind::kOptionalTensor:
      return "optional(tensor)";
    case ValueKind::kOptionalSequence:
      return "optional(sequence)";
  }
  return "unknown";
}

}  // namespace rnpu::ir
