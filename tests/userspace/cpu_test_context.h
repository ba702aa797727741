// A RunContext over heap buffers, as the runtime gives a backend for a
// subgraph: constants filled in, everything else allocated on request.
#pragma once

#include <cstdint>
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
  // Working memory as the executor hands it over (RunContext::workspace):
  // 64-byte aligned, 16 readable bytes past it, and filled with `fill` so
  // a program that relies on zeroed working memory shows it.
  void give_workspace(size_t bytes, uint8_t fill) {
    ws_storage_.assign(bytes + 64 + 16, fill);
    auto a = reinterpret_cast<uintptr_t>(ws_storage_.data());
    ws_ = {ws_storage_.data() + ((64 - a % 64) % 64), bytes};
  }
  std::span<uint8_t> workspace() override { return ws_; }
  bool profiling() const override { return profiling_; }
  void record(const OpProfile& p) override { profile.push_back(p); }

  bool profiling_ = false;
  std::vector<OpProfile> profile;

 private:
  std::map<ir::ValueId, HostTensor> tensors_;
  std::map<ir::ValueId, std::vector<char>> bufs_;
  std::vector<uint8_t> ws_storage_;
  std::span<uint8_t> ws_;
};

}  // namespace rnpu::cpu::test
