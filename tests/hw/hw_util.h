// Test helpers for the golden model: a stream builder, tensor descriptors,
// device memory over a vector (with an optional faulting range), and the
// independent reference numerics the tests compare against (fp16 through
// the compiler's _Float16, quantization by the SPEC's formulas).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
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

// Commands are kept apart, each in its own aligned buffer, and packed by
// bytes(): a reference returned by add() stays valid (and properly aligned)
// while more commands are added.
class Stream {
 public:
  template <class T>
  T& add(uint16_t op) {
    static_assert(alignof(T) <= alignof(uint64_t));
    T* c = new (push(sizeof(T))) T();
    c->hdr = {op, uint16_t(sizeof(T))};
    return *c;
  }
  // NOP and SYNC: a bare 4-byte header.
  void bare(uint16_t op) {
    rnpu_cmd_hdr h{op, 4};
    std::memcpy(push(4), &h, 4);
  }
  void nop() { bare(RNPU_OP_NOP); }
  void sync() { bare(RNPU_OP_SYNC); }
  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> b(sizeof(rnpu_cs_header), 0);
    for (const Cmd& c : cmds_) {
      const auto* p = reinterpret_cast<const uint8_t*>(c.buf.get());
      b.insert(b.end(), p, p + c.size);
    }
    rnpu_cs_header h;
    std::memset(&h, 0, sizeof h);
    h.magic = RNPU_CS_MAGIC;
    h.version = RNPU_CS_VERSION;
    h.header_size = sizeof h;
    h.total_size = uint32_t(b.size());
    h.num_cmds = uint32_t(cmds_.size());
    std::memcpy(b.data(), &h, sizeof h);
    return b;
  }
  uint32_t offset(size_t i) const { return offsets_.at(i); }

 private:
  struct Cmd {
    std::unique_ptr<uint64_t[]> buf;  // zeroed
    uint32_t size;
  };
  void* push(uint32_t size) {
    offsets_.push_back(end_);
    end_ += size;
    cmds_.push_back({std::make_unique<uint64_t[]>((size + 7) / 8), size});
    return cmds_.back().buf.get();
  }
  std::vector<Cmd> cmds_;
  std::vector<uint32_t> offsets_;
  uint32_t end_ = sizeof(rnpu_cs_header);
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
