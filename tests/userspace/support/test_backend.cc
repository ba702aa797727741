#include "support/test_backend.h"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <span>

namespace rnpu::test {

namespace {

const std::set<std::string> kImplemented = {"Add", "Mul",      "Relu",
                                            "Neg", "Identity", "PositiveOnly"};

struct TestProgram : Program {
  ir::Graph g;
  size_t ws = 0;
  size_t workspace_bytes() const override { return ws; }
};

void scribble(const TestProgram& p, RunContext& ctx) {
  if (!p.ws) return;
  std::span<uint8_t> w = ctx.workspace();
  if (w.size() != p.ws)
    throw Error(ErrorCode::kInternal, "testref: workspace of " + std::to_string(w.size()) +
                                          " bytes, the program stated " + std::to_string(p.ws));
  if (reinterpret_cast<uintptr_t>(w.data()) % 64)
    throw Error(ErrorCode::kInternal, "testref: workspace not 64-byte aligned");
  std::memset(w.data(), 0xA5, w.size());
}

}  // namespace

Support TestBackend::supports(const ir::Graph& g, const ir::Node& n) const {
  if (!kImplemented.count(n.op) || (!ops_.empty() && !ops_.count(n.op)))
    return Support::no("op " + n.op + " not implemented");
  // Fused forms (rnpu.* attributes) and NHWC are not implemented here.
  for (const auto& [k, a] : n.attrs.all())
    if (k.rfind("rnpu.", 0) == 0) return Support::no("attribute " + k + " unsupported");
  if (n.layout == ir::Layout::kNHWC) return Support::no("NHWC unsupported");
  for (ir::ValueId v : n.inputs)
    if (v != ir::kNoValue && g.value(v).dtype != ir::DType::kFloat32 &&
        g.value(v).dtype != ir::DType::kUndefined)  // outputs of ops without shape functions
      return Support::no(std::string("dtype ") + ir::dtype_name(g.value(v).dtype) + " unsupported");
  return Support::yes();
}

std::unique_ptr<Program> TestBackend::compile(const ir::Graph& sub, const CompileOptions&) {
  ++compiled;
  auto p = std::make_unique<TestProgram>();
  p->g = sub;
  p->ws = workspace;
  return p;
}

void TestBackend::run(Program& prog, RunContext& ctx) {
  ++runs;
  auto& p = static_cast<TestProgram&>(prog);
  scribble(p, ctx);
  for (const ir::Node& n : p.g.nodes) {
    auto t0 = std::chrono::steady_clock::now();
    const HostTensor& a = ctx.tensor(n.inputs[0]);
    size_t na = a.size / 4;
    const float* x = static_cast<const float*>(a.data);
    ir::ValueId ov = n.outputs[0];
    if (n.op == "PositiveOnly") {
      std::vector<float> keep;
      for (size_t i = 0; i < na; ++i)
        if (x[i] > 0) keep.push_back(x[i]);
      int64_t len = int64_t(keep.size());
      void* d = ctx.allocate(ov, ir::DType::kFloat32, std::span<const int64_t>(&len, 1));
      if (len) std::memcpy(d, keep.data(), keep.size() * 4);
    } else {
      HostTensor& o = ctx.tensor(ov);
      if (!o.data || o.shape != a.shape) ctx.allocate(ov, ir::DType::kFloat32, a.shape);
      float* y = static_cast<float*>(o.data);
      if (n.op == "Add" || n.op == "Mul") {
        const HostTensor& b = ctx.tensor(n.inputs[1]);
        size_t nb = b.size / 4;
        if (nb != na && nb != 1)
          ir::node_error(ErrorCode::kShapeMismatch, n, "testref needs equal shapes or a scalar");
        const float* z = static_cast<const float*>(b.data);
        for (size_t i = 0; i < na; ++i) {
          float w = z[nb == 1 ? 0 : i];
          y[i] = n.op == "Add" ? x[i] + w : x[i] * w;
        }
      } else if (n.op == "Relu") {
        for (size_t i = 0; i < na; ++i) y[i] = x[i] > 0 ? x[i] : 0;
      } else if (n.op == "Neg") {
        for (size_t i = 0; i < na; ++i) y[i] = -x[i];
      } else {
        std::memcpy(y, x, na * 4);
      }
    }
    if (ctx.profiling()) {
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
      ctx.record({n.name, n.op, name_, uint64_t(ns), 7});
    }
  }
  scribble(p, ctx);
}

TestBackend* register_test_backend(std::unique_ptr<TestBackend> b, int rank) {
  TestBackend* raw = b.get();
  std::string name = b->name();
  auto holder = std::make_shared<std::unique_ptr<TestBackend>>(std::move(b));
  BackendRegistry::instance().add(
      name, rank, [holder]() -> std::unique_ptr<Backend> { return std::move(*holder); });
  BackendRegistry::instance().get(name);  // instantiate now so `raw` stays the live object
  return raw;
}

}  // namespace rnpu::test
