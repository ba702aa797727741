#include "vk_harness.h"

#include <cmath>

namespace rnpu::vk::test {

Env& env() {
  static Env e = [] {
    Env x;
    x.ctx = Context::create(&x.why);
    if (x.ctx) {
      x.alloc = std::make_shared<Allocator>(x.ctx);
      x.pipes = std::make_shared<Pipelines>(x.ctx, "");
    } else {
      std::printf("NOT RUN: no Vulkan device: %s\n", x.why.c_str());
    }
    return x;
  }();
  return e;
}

HostBuf upload(const std::vector<float>& v) {
  HostBuf b;
  b.a = env().alloc->allocate(std::max<size_t>(v.size(), 1) * 4, MemKind::kHost);
  b.count = v.size();
  std::copy(v.begin(), v.end(), b.f());
  return b;
}

HostBuf zeros(size_t n) {
  return upload(std::vector<float>(n, 0.0f));
}

std::vector<float> download(const HostBuf& b) {
  return std::vector<float>(b.f(), b.f() + b.count);
}

std::vector<float> random_floats(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(g);
  return v;
}

void run(std::vector<Dispatch> ds) {
  Recording r(env().ctx, env().pipes);
  for (auto& d : ds) r.dispatch(std::move(d));
  r.build(false);
  r.run();
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want, double abs,
                 double rel) {
  ASSERT_EQ(got.size(), want.size());
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double err = std::fabs(double(got[i]) - want[i]);
    if (!(err <= abs + rel * std::fabs(want[i]))) {
      if (bad < 5) ADD_FAILURE() << "[" << i << "] got " << got[i] << " want " << want[i];
      ++bad;
    }
  }
  EXPECT_EQ(bad, 0u) << bad << " of " << got.size() << " elements out of tolerance";
}

}  // namespace rnpu::vk::test
