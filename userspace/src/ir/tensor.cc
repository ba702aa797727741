#include "ir/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "rnpu/types.hpp"

namespace rnpu::ir {

int64_t ConstTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::shared_ptr<ConstTensor> ConstTensor::make(DType dtype, std::vector<int64_t> dims) {
  auto n = checked_numel(dims);
  if (!n) throw Error(ErrorCode::kOutOfMemory, "constant tensor too large");
  size_t bytes = size_t(*n) * dtype_size(dtype);
  // Aligned, zeroed; at least one byte so data is never null.
  size_t alloc = (bytes + 63) / 64 * 64;
  if (alloc == 0) alloc = 64;
  void* p = std::aligned_alloc(64, alloc);
  if (!p)
    throw Error(ErrorCode::kOutOfMemory, "cannot allocate " + std::to_string(alloc) + " bytes");
  std::memset(p, 0, alloc);
  auto t = std::make_shared<ConstTensor>();
  t->dtype = dtype;
  t->dims = std::move(dims);
  t->data = p;
  t->size = bytes;
  t->owner = std::shared_ptr<void>(p, std::free);
  return t;
}

int64_t ConstTensor::get_int(int64_t i) const {
  switch (dtype) {
    case DType::kInt64:
      return as<int64_t>()[i];
    case DType::kInt32:
      return as<int32_t>()[i];
    case DType::kInt16:
      return as<int16_t>()[i];
    case DType::kInt8:
    case DType::kInt4:
      return as<int8_t>()[i];
    case DType::kUInt8:
    case DType::kUInt4:
      return as<uint8_t>()[i];
    case DType::kUInt16:
      return as<uint16_t>()[i];
    case DType::kUInt32:
      return as<uint32_t>()[i];
    case DType::kUInt64:
      return int64_t(as<uint64_t>()[i]);
    case DType::kBool:
      return as<uint8_t>()[i] != 0;
    case DType::kFloat32:
      return int64_t(as<float>()[i]);
    case DType::kFloat64:
      return int64_t(as<double>()[i]);
    default:
      throw Error(ErrorCode::kMalformedModel,
                  std::string("cannot read ") + dtype_name(dtype) + " constant as integer");
  }
}

double ConstTensor::get_double(int64_t i) const {
  switch (dtype) {
    case DType::kFloat32:
      return as<float>()[i];
    case DType::kFloat64:
      return as<double>()[i];
    default:
      return double(get_int(i));
  }
}

std::vector<int64_t> ConstTensor::to_ints() const {
  std::vector<int64_t> v(static_cast<size_t>(numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = get_int(int64_t(i));
  return v;
}

const char* layout_name(Layout l) {
  switch (l) {
    case Layout::kNCHW:
      return "NCHW";
    case Layout::kNHWC:
      return "NHWC";
    default:
      return "any";
  }
}

}  // namespace rnpu::ir
