// Test helpers for the golden model: a stream builder, tensor descriptors,
// device memory over a vector (with an optional faulting range), and the
// independent reference numerics the tests compare against (fp16 through
// the compiler's _Float16, quantization by the SPEC's formulas).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "rnpu_model.h"

namespace hwtest {

inline uint32_t fbits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

inline uint16_t h16(double v) {  // reference fp16 rounding (single rounding from double)
  _Float16 h = static_cast<_Float16>(v);
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}

inline double f16(uint16_t b) {
  _Float16 h;
  std::memcpy(&h, &b, 2);
  return static_cast<double>(h);
}

// SPEC 8.5: q = rint(r / s) + zp, half to even, saturated; NaN -> zp.
inline int32_t quant(double r, double s, int32_t zp, int32_t lo, int32_t hi) {
  if (std::isnan(r)) return zp;
  double q = std::nearbyint(r / s) + zp;
  return q < lo ? lo : q > hi ? hi : int32_t(q);
}

inline uint32_t esize(uint8_t dt) {
  return dt == RNPU_DT_FP16 ? 2 : (dt == RNPU_DT_INT32 || dt == RNPU_DT_FP32) ? 4 : 1;
}

// Dense row-major descriptor.
inline rnpu_tensor_desc td(uint64_t va, uint8_t dt, std::vector<uint32_t> dims, float scale = 0,
                           int32_t zp = 0) {
  rnpu_tensor_desc t;
  std::memset(&t, 0, sizeof t);
  t.va = va;
  t.dtype = dt;
  t.rank = uint8_t(dims.size());
  for (int k = 0; k < 4; ++k) t.dims[k] = k < t.rank ? dims[size_t(k)] : 1;
  uint32_t s = esize(dt);
  for (int k = t.rank; k-- > 0;) {
    t.strides[k] = s;
    s *= t.dims[k];
  }
  if (dt == RNPU_DT_INT8 || dt == RNPU_DT_UINT8 || dt == RNPU_DT_INT32) {
    t.scale = fbits(scale ? scale : 1.f);
    t.zero_point = zp;
  }
  return t;
}

class Stream {
 public:
  Stream() : b_(sizeof(rnpu_cs_header), 0) {}
  template <class T>
  T& add(uint16_t op) {
    size_t at = b_.size();
    b_.resize(at + sizeof(T), 0);
    offsets_.push_back(uint32_t(at));
    T* c = reinterpret_cast<T*>(&b_[at]);
    c->hdr = {op, uint16_t(sizeof(T))};
    return *c;
  }
  void nop() {
    size_t at = b_.size();
    b_.resize(at + 4, 0);
    offsets_.push_back(uint32_t(at));
    rnpu_cmd_hdr h{RNPU_OP_NOP, 4};
    std::memcpy(&b_[at], &h, 4);
  }
  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> b = b_;
    rnpu_cs_header h;
    std::memset(&h, 0, sizeof h);
    h.magic = RNPU_CS_MAGIC;
    h.version = RNPU_CS_VERSION;
    h.header_size = sizeof h;
    h.total_size = uint32_t(b.size());
    h.num_cmds = uint32_t(offsets_.size());
    std::memcpy(b.data(), &h, sizeof h);
    return b;
  }
  uint32_t offset(size_t i) const { return offsets_.at(i); }

 private:
  std::vector<uint8_t> b_;
  std::vector<uint32_t> offsets_;
};

// Device DRAM: [0, size) backed by a vector; accesses touching
// [fault_lo, fault_hi) fail.
struct Mem {
  std::vector<uint8_t> b;
  uint64_t fault_lo = 0, fault_hi = 0;
  explicit Mem(size_t n = 1 << 20) : b(n, 0) {}
  rnpu_mem_ops ops() { return {rd, wr, nullptr, this}; }
  bool bad(uint64_t va, uint64_t len) const {
    return va + len > b.size() || (va < fault_hi && va + len > fault_lo);
  }
  static int rd(void* o, uint64_t va, void* dst, uint64_t len) {
    auto* m = static_cast<Mem*>(o);
    if (m->bad(va, len)) return -1;
    std::memcpy(dst, &m->b[va], len);
    return 0;
  }
  static int wr(void* o, uint64_t va, const void* src, uint64_t len) {
    auto* m = static_cast<Mem*>(o);
    if (m->bad(va, len)) return -1;
    std::memcpy(&m->b[va], src, len);
    return 0;
  }
  template <class T>
  void put(uint64_t va, const std::vector<T>& v) {
    std::memcpy(&b[va], v.data(), v.size() * sizeof(T));
  }
  template <class T>
  std::vector<T> get(uint64_t va, size_t n) const {
    std::vector<T> v(n);
    std::memcpy(v.data(), &b[va], n * sizeof(T));
    return v;
  }
};

// A model with the reference configuration, released with the test.
struct Model {
  rnpu_model* m;
  Model() {
    rnpu_model_config c;
    rnpu_model_default_config(&c);
    m = rnpu_model_create(&c);
  }
  ~Model() { rnpu_model_destroy(m); }
  rnpu_model_status run(const Stream& s, Mem& mem, rnpu_model_result* r, uint64_t budget = 0,
                        rnpu_cmd_cost* costs = nullptr, size_t n = 0) {
    std::vector<uint8_t> b = s.bytes();
    rnpu_mem_ops ops = mem.ops();
    return rnpu_model_run(m, b.data(), b.size(), &ops, budget, r, costs, n);
  }
};

}  // namespace hwtest
