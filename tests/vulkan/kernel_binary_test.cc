// binary.comp against a naive broadcast reference.
#include <cmath>

#include "backends/vulkan/shaders/opcodes.h"
#include "vk_harness.h"

namespace rnpu::vk::test {
namespace {

// Strides of `shape` (right-aligned to 6 dims) broadcast to `out`.
std::array<uint32_t, 6> bstrides(std::vector<uint32_t> shape, const std::vector<uint32_t>& out) {
  while (shape.size() < 6) shape.insert(shape.begin(), 1);
  std::array<uint32_t, 6> s{};
  uint32_t st = 1;
  for (int d = 5; d >= 0; --d) {
    s[size_t(d)] = shape[size_t(d)] == 1 && out[size_t(d)] != 1 ? 0 : st;
    st *= shape[size_t(d)];
  }
  return s;
}

TEST(VulkanKernel, BinaryBroadcastMatchesReference) {
  RNPU_VK_REQUIRE_DEVICE();
  // [2,3,4,5] <op> [3,1,5]
  std::vector<uint32_t> out = {1, 1, 2, 3, 4, 5};
  auto av = random_floats(120, 1), bv = random_floats(15, 2, 0.5f, 2.0f);
  struct Case {
    int op;
    float (*f)(float, float);
  };
  Case cases[] = {{BOP_ADD, [](float x, float y) { return x + y; }},
                  {BOP_SUB, [](float x, float y) { return x - y; }},
                  {BOP_MUL, [](float x, float y) { return x * y; }},
                  {BOP_DIV, [](float x, float y) { return x / y; }},
                  {BOP_MAX, [](float x, float y) { return std::max(x, y); }},
                  {BOP_POW, [](float x, float y) { return std::pow(std::fabs(x), y); }}};
  for (const Case& c : cases) {
    HostBuf a = upload(c.op == BOP_POW ? random_floats(120, 1, 0.1f, 2.0f) : av);
    HostBuf b = upload(bv), o = zeros(120);
    Dispatch d;
    d.shader = "binary";
    d.spec = {OP_RELU, 0, 0, uint32_t(c.op), 0};
    d.bind[0] = a.range();
    d.bind[1] = b.range();
    d.bind[3] = o.range();
    d.write_mask = 1u << 3;
    d.push_u32(120);
    for (uint32_t x : out) d.push_u32(x);
    for (uint32_t x : bstrides({2, 3, 4, 5}, out)) d.push_u32(x);
    for (uint32_t x : bstrides({3, 1, 5}, out)) d.push_u32(x);
    d.groups = grid_1d(120, 256, env().ctx->limits);
    run({d});
    std::vector<float> want(120), ad = download(a);
    for (int n = 0; n < 2; ++n)
      for (int ch = 0; ch < 3; ++ch)
        for (int h = 0; h < 4; ++h)
          for (int w = 0; w < 5; ++w) {
            int i = ((n * 3 + ch) * 4 + h) * 5 + w;
            want[size_t(i)] = std::max(0.0f, c.f(ad[size_t(i)], bv[size_t(ch * 5 + w)]));
          }
    SCOPED_TRACE("op " + std::to_string(c.op));
    expect_near(download(o), want, 1e-5, 1e-5);
  }
}

}  // namespace
}  // namespace rnpu::vk::test
