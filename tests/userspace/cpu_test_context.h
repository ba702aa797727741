// A RunContext over heap buffers, as the runtime gives a backend for a
// subgraph: constants filled in, everything else allocated on request.
#pragma once

#include <cstring>
#include <map>
#include <span>
#include <vector>

#include "backend/backend.h"
#include "ir/graph.h"

namespace rnpu::cpu::test {

class HeapContext : public RunContext {
 public:
  explicit HeapContext(const ir::Graph& g) {
    for (size_t i = 0; i < g.values.size(); ++i) {
      const ir::Value& v = g.values[i];
      HostTensor& h = tensors_[ir::ValueId(i)];
      h.dtype = v.dtype;
      if (v.constant) {
        h.shape = v.constant->dims;
        h.data = const_cast<void*>(v.constant->data);
        h.size = v.constant->size;
      }
    }
  }
  void set(ir::ValueId v, std::vector<int64_t> shape, const std::vector<float>& data) {
    auto& buf = bufs_[v];
    buf.assign(reinterpret_cast<const char*>(data.data()),
               reinterpret_cast<const char*>(data.data() + data.size()));
    HostTensor& h = tensors_[v];
    h.shape = std::move(shape);
    h.data = buf.data();
    h.size = buf.size();
  }
  std::vector<float> get(ir::ValueId v) {
    HostTensor& h = tensors_[v];
    const float* p = static_cast<const float*>(h.data);
    return std::vector<float>(p, p + h.size / sizeof(float));
  }
  HostTensor& tensor(ir::ValueId v) override { return tensors_.at(v); }
  void* allocate(ir::ValueId v, ir::DType dtype, std::span<const int64_t> shape) override {
    size_t n = ir::dtype_size(dtype);
    for (int64_t d : shape) n *= size_t(d);
    auto& buf = bufs_[v];
    buf.assign(n, 0);
    HostTensor& h = tensors_[v];
    h.dtype = dtype;
    h.shape.assign(shape.begin(), shape.end());
    h.data = buf.data();
    h.size = n;
    return h.data;
  }
  bool profiling() const override { return profiling_; }
  void record(const OpProfile& p) override { profile.push_back(p); }

  bool profiling_ = false;
  std::vector<OpProfile> profile;

 private:
  std::map<ir::ValueId, HostTensor> tensors_;
  std::map<ir::ValueId, std::vector<char>> bufs_;
};

}  // namespace rnpu::cpu::test
