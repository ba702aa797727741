// Sequence and optional values: the IR's value kinds and the run-time form
// of a sequence.  A sequence holds tensors of one element type whose shapes
// may differ; its elements are immutable and shared, so SequenceInsert,
// SequenceErase and passing a sequence across a partition boundary copy
// pointers, never tensor data.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace rnpu::ir {

// "tensor", "sequence", "optional(tensor)", "optional(sequence)" (the
// public rnpu::value_kind_name / rnpu_value_kind_name).
const char* kind_name(ValueKind k);

inline bool is_sequence_kind(ValueKind k) {
  return k == ValueKind::kSequence || k == ValueKind::kOptionalSequence;
}
inline bool is_optional_kind(ValueKind k) {
  return k == ValueKind::kOptionalTensor || k == ValueKind::kOptionalSequence;
}

struct Sequence {
  DType dtype = DType::kUndefined;  // element type, also of an empty sequence
  std::vector<std::shared_ptr<const ConstTensor>> items;
};

// A copy of `size` bytes at `data` as an owned element (run-time values live
// in memory the next run reuses; a sequence outlives it).
std::shared_ptr<const ConstTensor> copy_element(DType dtype, const std::vector<int64_t>& dims,
                                                const void* data, size_t size);

// The element shape a sequence's static type can promise for elements of
// shapes a and b: dims that differ become unknown, ranks that differ leave
// the rank unknown.
Shape merge_element_shapes(const Shape& a, const Shape& b);

// "sequence(float32)", "optional(tensor(int64))" for messages.
std::string type_str(ValueKind k, DType t);

}  // namespace rnpu::ir
