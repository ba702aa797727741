#include "session_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <mutex>

#include "backend/backend.h"
#include "backends/vulkan/vk_backend.h"

namespace rnpu::vk::test {

const std::vector<std::string>& vulkan_variants() {
  static std::vector<std::string> names = [] {
    auto& r = BackendRegistry::instance();
    auto make = [](std::string kernels, bool staging) {
      return [=] {
        VulkanBackend::Config c;
        c.kernels = kernels;
        c.force_staging = staging;
        return std::make_unique<VulkanBackend>(c);
      };
    };
    r.add("vulkan_cpuk", 31, make("cpu", false));
    r.add("vulkan_gpuk", 32, make("gpu", false));
    r.add("vulkan_staging", 33, make("auto", true));
    return std::vector<std::string>{"vulkan_cpuk", "vulkan_gpuk", "vulkan_staging"};
  }();
  return names;
}

std::vector<std::vector<float>> run_model(const std::string& model, const std::vector<Feed>& in,
                                          const std::vector<std::string>& backends, int opt_level,
                                          bool fallback) {
  Options o;
  o.backends = backends;
  o.allow_fallback = fallback;
  o.optimization_level = opt_level;
  o.num_threads = 1;
  Session s = Session::load_memory(model.data(), model.size(), o);
  for (size_t i = 0; i < in.size(); ++i)
    s.set_input(i, in[i].data.data(), in[i].data.size() * 4, in[i].shape);
  s.run();
  std::vector<std::vector<float>> out;
  for (size_t i = 0; i < s.outputs().size(); ++i) {
    TensorView v = s.output(i);
    std::vector<float> f;
    size_t n = v.size / std::max<size_t>(1, data_type_size(v.dtype));
    for (size_t k = 0; k < n; ++k) {
      if (v.dtype == DataType::kFloat32)
        f.push_back(static_cast<const float*>(v.data)[k]);
      else if (v.dtype == DataType::kFloat16) {
        // IEEE half -> float for comparisons.
        uint16_t h = static_cast<const uint16_t*>(v.data)[k];
        uint32_t sign = (h >> 15) & 1, e = (h >> 10) & 31, m = h & 1023;
        float x = e == 0    ? std::ldexp(float(m), -24)
                  : e == 31 ? INFINITY
                            : std::ldexp(float(m | 1024), int(e) - 25);
        f.push_back(sign ? -x : x);
      } else if (v.dtype == DataType::kInt64) {
        f.push_back(float(static_cast<const int64_t*>(v.data)[k]));
      } else {
        f.push_back(NAN);
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

void expect_matches_reference(const std::string& model, const std::vector<Feed>& in,
                              const std::string& backend, double tol) {
  auto want = run_model(model, in, {"cpu"}, 0);
  auto got = run_model(model, in, {backend});
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].size(), want[i].size()) << "output " << i;
    size_t bad = 0;
    double worst = 0;
    for (size_t k = 0; k < want[i].size(); ++k) {
      double e = std::fabs(double(got[i][k]) - want[i][k]);
      worst = std::max(worst, e);
      if (!(e <= tol + tol * std::fabs(want[i][k]))) {
        if (bad++ < 3)
          ADD_FAILURE() << backend << " output " << i << "[" << k << "] = " << got[i][k]
                        << ", reference " << want[i][k];
      }
    }
    EXPECT_EQ(bad, 0u) << backend << " output " << i << ": " << bad << " of " << want[i].size()
                       << " out of tolerance, max abs error " << worst;
  }
}

}  // namespace rnpu::vk::test
