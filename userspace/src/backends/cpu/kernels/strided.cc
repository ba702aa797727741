#include "strided.h"

#include <cstring>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

template <class T>
void copy_typed(const T* src, T* dst, const std::vector<int64_t>& dims,
                const std::vector<int64_t>& st) {
  size_t r = dims.size();
  int64_t inner = dims[r - 1], ist = st[r - 1];
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  std::vector<int64_t> idx(r, 0);
  int64_t off = 0;
  for (int64_t o = 0; o < total; o += inner) {
    const T* s = src + off;
    T* d = dst + o;
    if (ist == 1)
      std::memcpy(d, s, size_t(inner) * sizeof(T));
    else
      for (int64_t i = 0; i < inner; ++i) d[i] = s[i * ist];
    for (size_t k = r - 1; k-- > 0;) {
      if (++idx[k] < dims[k]) {
        off += st[k];
        break;
      }
      off -= st[k] * (dims[k] - 1);
      idx[k] = 0;
    }
  }
}

}  // namespace

void strided_copy(const void* src, int64_t src_offset, void* dst, size_t esize, const Shape& shape,
                  const std::vector<int64_t>& src_strides) {
  if (shape_numel(shape) == 0) return;
  // Merge dimensions the source also walks contiguously; drop size-1 ones.
  std::vector<int64_t> dims, st;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!dims.empty() && st.back() == src_strides[i] * shape[i]) {
      dims.back() *= shape[i];
      st.back() = src_strides[i];
    } else {
      dims.push_back(shape[i]);
      st.push_back(src_strides[i]);
    }
  }
  if (dims.empty()) {
    dims.push_back(1);
    st.push_back(1);
  }
  auto run = [&](auto* s, auto* d) { copy_typed(s + src_offset, d, dims, st); };
  switch (esize) {
    case 1:
      run(static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst));
      break;
    case 2:
      run(static_cast<const uint16_t*>(src), static_cast<uint16_t*>(dst));
      break;
    case 4:
      run(static_cast<const uint32_t*>(src), static_cast<uint32_t*>(dst));
      break;
    case 8:
      run(static_cast<const uint64_t*>(src), static_cast<uint64_t*>(dst));
      break;
    default:
      fail("unsupported element size " + std::to_string(esize));
  }
}

void transpose(const Tensor& x, const std::vector<int64_t>& perm, Tensor& out) {
  std::vector<int64_t> in_st = shape_strides(x.shape);
  std::vector<int64_t> st(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) st[i] = in_st[size_t(perm[i])];
  strided_copy(x.data, 0, out.data, dtype_size(x.dtype), out.shape, st);
}

}  // namespace rnpu::cpu
