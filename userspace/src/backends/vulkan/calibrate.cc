// Calibration for the cost model: three short measurements on the device.
#include <chrono>

#include "shaders/opcodes.h"
#include "vk_backend.h"

namespace rnpu::vk {

namespace {

double time_ms(Recording& r) {
  r.run();  // warm-up: first dispatches include the driver's JIT (lavapipe)
  auto t0 = std::chrono::steady_clock::now();
  r.run();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

Dispatch unary(const Device& d, BufRange x, BufRange y, uint64_t n) {
  Dispatch k;
  k.shader = "unary";
  k.spec = {OP_RELU, 0, 0};
  k.bind[0] = x;
  k.bind[3] = y;
  k.write_mask = 1u << 3;
  k.push_u32(uint32_t(n));
  k.groups = grid_1d(n, 256, d.caps.limits);
  return k;
}

}  // namespace

Rates calibrate(const std::shared_ptr<Device>& dev) {
  Allocator& A = *dev->alloc;
  Rates r;
  // 1. Overhead: a chain of dependent tiny dispatches (each needs a barrier).
  {
    Allocation a = A.allocate(1024, MemKind::kDevice), b = A.allocate(1024, MemKind::kDevice);
    BufRange ra{a.buffer(), a.offset(), 1024}, rb{b.buffer(), b.offset(), 1024};
    Recording rec(dev->ctx, dev->pipes);
    const int kN = 100;
    for (int i = 0; i < kN; ++i)
      rec.dispatch(i % 2 ? unary(*dev, rb, ra, 256) : unary(*dev, ra, rb, 256));
    rec.build(false);
    r.dispatch_ns = time_ms(rec) * 1e6 / kN;
  }
  // 2. Bandwidth: 4M floats in, 4M out.
  {
    const uint64_t n = 4u << 20;
    Allocation a = A.allocate(n * 4, MemKind::kDevice), b = A.allocate(n * 4, MemKind::kDevice);
    Recording rec(dev->ctx, dev->pipes);
    rec.dispatch(unary(*dev, {a.buffer(), a.offset(), n * 4}, {b.buffer(), b.offset(), n * 4}, n));
    rec.build(false);
    double ms = time_ms(rec);
    r.bytes_per_ns = double(n * 8) / std::max(ms * 1e6 - r.dispatch_ns, 1.0);
  }
  // 3. GEMM throughput: 512^3 with the kernel family the device uses.
  {
    const uint32_t m = 512;
    const VkDeviceSize bytes = VkDeviceSize(m) * m * 4;
    Allocation a = A.allocate(bytes, MemKind::kDevice), b = A.allocate(bytes, MemKind::kDevice),
               c = A.allocate(bytes, MemKind::kDevice);
    bool reg = dev->caps.cpu_kernels;
    Dispatch k;
    k.shader = reg ? "matmul_reg" : "matmul";
    k.spec = {OP_NONE, 0, 0, 0, 1, 1};
    k.bind[0] = {a.buffer(), a.offset(), bytes};
    k.bind[1] = {b.buffer(), b.offset(), bytes};
    k.bind[3] = {c.buffer(), c.offset(), bytes};
    k.write_mask = 1u << 3;
    for (uint32_t v : {m, m, m, 1u, 1u, 0u, 0u, 0u, 0u, 0u, 0u, m, 1u, m, 1u, 0u, 0u})
      k.push_u32(v);
    k.push_f32(1.0f);
    k.push_f32(0.0f);
    if (reg) {
      for (uint32_t v : {0u, m, m * m}) k.push_u32(v);
      k.groups = {m / 256, m / 8, 1};
    } else {
      k.groups = {m / 64, m / 64, 1};
    }
    Recording rec(dev->ctx, dev->pipes);
    rec.dispatch(k);
    rec.build(false);
    double ms = time_ms(rec);
    r.flops_per_ns = 2.0 * m * m * m / std::max(ms * 1e6 - r.dispatch_ns, 1.0);
  }
  r.measured = true;
  r.source = "measured";
  return r;
}

}  // namespace rnpu::vk
