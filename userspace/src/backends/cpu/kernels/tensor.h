// Dense row-major tensors as the CPU kernels see them: an element type, a
// shape and a pointer.  Storage is either borrowed (a planned arena slot, a
// caller's buffer, a constant in the graph) or owned through `storage`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dtype.h"

namespace rnpu::cpu {

using Shape = std::vector<int64_t>;

int64_t shape_numel(const Shape& s);
std::string shape_str(const Shape& s);
// Row-major element strides of `s`.
std::vector<int64_t> shape_strides(const Shape& s);

struct Tensor {
  DType dtype = DType::kUndefined;
  Shape shape;
  void* data = nullptr;
  std::shared_ptr<void> storage;  // set when the tensor owns its memory

  int64_t numel() const { return shape_numel(shape); }
  size_t nbytes() const { return size_t(numel()) * dtype_size(dtype); }
  size_t rank() const { return shape.size(); }
  int64_t dim(int64_t i) const { return shape[size_t(i < 0 ? i + int64_t(shape.size()) : i)]; }

  template <class T>
  T* as() {
    return static_cast<T*>(data);
  }
  template <class T>
  const T* as() const {
    return static_cast<const T*>(data);
  }

  // A zero-filled tensor owning 64-byte aligned memory.
  static Tensor make(DType dtype, Shape shape);
  // A view of memory owned by someone else.
  static Tensor view(DType dtype, Shape shape, void* data) {
    Tensor t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = data;
    return t;
  }
  // A deep copy that owns its memory.
  Tensor clone() const;
};

// Reads element i of an integer or float tensor as int64 / double, whatever
// its element type; used for small shape-like inputs (axes, pads, scales).
int64_t tensor_get_int(const Tensor& t, int64_t i);
double tensor_get_double(const Tensor& t, int64_t i);
std::vector<int64_t> tensor_to_ints(const Tensor& t);
std::vector<double> tensor_to_doubles(const Tensor& t);

}  // namespace rnpu::cpu
