// The vulkan backend through the backend interface and the public API:
// device description, capability answers with reasons, the cost model,
// partition fallback, dynamic shapes, profiling, and the pipeline cache
// across backend instances (process starts).
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "backends/vulkan/vk_backend.h"
#include "ir/graph.h"
#include "session_util.h"
#include "support/graph_builder.h"
#include "vk_harness.h"

namespace rnpu::vk::test {
namespace {

using rnpu::test::attr_i;
using rnpu::test::attr_ints;
using rnpu::test::ModelBuilder;

std::string conv_relu_model(int64_t batch = 1) {
  ModelBuilder m;
  m.input("x", {batch, 8, 16, 16});
  m.init("w", {16, 8, 3, 3}, random_floats(16 * 8 * 9, 5, -0.3f, 0.3f));
  m.init("b", {16}, random_floats(16, 6));
  attr_ints(m.node("Conv", {"x", "w", "b"}, {"c"}, "conv"), "pads", {1, 1, 1, 1});
  m.node("Relu", {"c"}, {"r"}, "relu");
  attr_i(m.node("Softmax", {"r"}, {"y"}, "softmax"), "axis", 1);
  m.output("y");
  return m.bytes();
}

TEST(VulkanBackend, ListedWithDeviceNameTypeAndDriver) {
  RNPU_VK_REQUIRE_DEVICE();
  bool found = false;
  for (const auto& b : list_backends()) {
    if (b.name != "vulkan") continue;
    found = true;
    EXPECT_TRUE(b.available);
    const DeviceInfo& info = env().ctx->info;
    EXPECT_NE(b.description.find(info.name), std::string::npos) << b.description;
    EXPECT_NE(b.description.find(info.type + " device"), std::string::npos) << b.description;
    if (!info.driver.empty())
      EXPECT_NE(b.description.find("driver " + info.driver), std::string::npos) << b.description;
    std::printf("vulkan: %s\n", b.description.c_str());
  }
  EXPECT_TRUE(found) << "vulkan is not registered";
}

TEST(VulkanBackend, UnavailableBackendSaysWhy) {
  setenv("RNPU_VULKAN", "0", 1);
  VulkanBackend b;
  EXPECT_FALSE(b.available());
  EXPECT_NE(b.description().find("RNPU_VULKAN=0"), std::string::npos) << b.description();
  unsetenv("RNPU_VULKAN");
  ir::Graph g;
  ir::Node n;
  n.op = "Relu";
  EXPECT_FALSE(b.supports(g, n).ok);
}

TEST(VulkanBackend, RefusesWhatItCannotRunWithAReason) {
  RNPU_VK_REQUIRE_DEVICE();
  VulkanBackend b;
  ir::Graph g;
  ir::ValueId x = g.new_value("x", ir::DType::kFloat64, ir::Shape({2, 3}));
  ir::ValueId y = g.new_value("y", ir::DType::kFloat64, ir::Shape({2, 3}));
  ir::Node n;
  n.name = "relu";
  n.op = "Relu";
  n.inputs = {x};
  n.outputs = {y};
  Support s = b.supports(g, n);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, "dtype float64 unsupported");

  g.value(x).dtype = g.value(y).dtype = ir::DType::kFloat32;
  EXPECT_TRUE(b.supports(g, n).ok);
  n.layout = ir::Layout::kNHWC;
  EXPECT_EQ(b.supports(g, n).reason, "NHWC node layout unsupported");
  n.layout = ir::Layout::kAny;
  n.attrs.set_string("rnpu.something", "x");
  EXPECT_EQ(b.supports(g, n).reason, "attribute rnpu.something unsupported");
  n.attrs.erase("rnpu.something");
  g.value(x).quant = ir::QuantParams{{0.5f}, {0}, 1};
  EXPECT_EQ(b.supports(g, n).reason, "quantized inputs unsupported");
  g.value(x).quant.reset();
  n.op = "NonMaxSuppression";
  EXPECT_EQ(b.supports(g, n).reason, "no Vulkan kernel for NonMaxSuppression");
}

TEST(VulkanBackend, UnsupportedOpFailsWithoutFallbackAndNamesTheNode) {
  RNPU_VK_REQUIRE_DEVICE();
  ModelBuilder m;
  m.input("x", {4, 6});
  m.node("Hardmax", {"x"}, {"y"}, "hm");
  m.output("y");
  Options o;
  o.backends = {"vulkan"};
  o.allow_fallback = false;
  std::string bytes = m.bytes();
  try {
    Session::load_memory(bytes.data(), bytes.size(), o);
    FAIL() << "expected an unsupported-op error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupportedOp);
    EXPECT_EQ(e.node(), "hm");
    EXPECT_NE(std::string(e.what()).find("vulkan: no Vulkan kernel for Hardmax"), std::string::npos)
        << e.what();
  }
}

TEST(VulkanBackend, FallsBackPerOpAndMovesTensorsOnlyAtBoundaries) {
  RNPU_VK_REQUIRE_DEVICE();
  // conv -> Hardmax (cpu) -> Mul -> Relu: partitions vulkan, cpu, vulkan.
  ModelBuilder m;
  m.input("x", {1, 4, 6, 6});
  m.init("w", {4, 4, 3, 3}, random_floats(144, 1));
  m.init("k", {1}, {3.0f});
  attr_ints(m.node("Conv", {"x", "w"}, {"c"}, "conv"), "pads", {1, 1, 1, 1});
  m.node("Hardmax", {"c"}, {"h"}, "hm");
  m.node("Mul", {"h", "k"}, {"s"}, "scale");
  m.node("Relu", {"s"}, {"y"}, "relu");
  m.output("y");
  std::vector<Feed> in = {{{1, 4, 6, 6}, random_floats(144, 2)}};
  std::string bytes = m.bytes();
  Session s = Session::load_memory(bytes.data(), bytes.size(), [] {
    Options o;
    o.backends = {"vulkan"};
    return o;
  }());
  std::map<std::string, std::string> where;
  for (const auto& d : s.partition_report()) where[d.node] = d.backend;
  EXPECT_EQ(where["conv"], "vulkan");
  EXPECT_EQ(where["hm"], "cpu");
  EXPECT_EQ(where["scale"], "vulkan");
  EXPECT_EQ(where["relu"], "vulkan");
  auto want = run_model(bytes, in, {"cpu"}, 0);
  auto got = run_model(bytes, in, {"vulkan"}, 1, true);
  ASSERT_EQ(got[0].size(), want[0].size());
  for (size_t i = 0; i < want[0].size(); ++i) EXPECT_NEAR(got[0][i], want[0][i], 1e-3);
}

TEST(VulkanBackend, CostOnCpuImplementationsIsAboveTheCpuBackends) {
  RNPU_VK_REQUIRE_DEVICE();
  if (env().ctx->info.vk_type != VK_PHYSICAL_DEVICE_TYPE_CPU)
    GTEST_SKIP() << "NOT RUN: the device is a GPU (" << env().ctx->info.name
                 << "); this checks CPU implementations";
  std::string bytes = conv_relu_model();
  Options o;  // automatic: every backend, chosen by cost
  Session s = Session::load_memory(bytes.data(), bytes.size(), o);
  for (const auto& d : s.partition_report()) {
    EXPECT_EQ(d.backend, "cpu") << d.node << ": " << d.reason;
    EXPECT_NE(d.reason.find("vulkan"), std::string::npos) << "cost comparison not reported";
  }
  auto* vk = dynamic_cast<VulkanBackend*>(BackendRegistry::instance().get("vulkan"));
  ASSERT_NE(vk, nullptr);
  const Rates& r = vk->rates();
  EXPECT_TRUE(r.measured) << r.source;
  EXPECT_GT(r.dispatch_ns, 0);
  EXPECT_GT(r.flops_per_ns, 0);
  EXPECT_GT(r.bytes_per_ns, 0);
  std::printf("vulkan cost model (%s): dispatch %.1f us, %.2f GFLOP/s, %.2f GB/s\n",
              r.source.c_str(), r.dispatch_ns / 1e3, r.flops_per_ns, r.bytes_per_ns);
}

TEST(VulkanBackend, ForcedBackendRunsEverythingOnVulkan) {
  RNPU_VK_REQUIRE_DEVICE();
  std::string bytes = conv_relu_model();
  Options o;
  o.backends = {"vulkan"};
  o.allow_fallback = false;
  Session s = Session::load_memory(bytes.data(), bytes.size(), o);
  for (const auto& d : s.partition_report()) EXPECT_EQ(d.backend, "vulkan") << d.node;
}

TEST(VulkanBackend, DynamicBatchIsSpecialisedPerShape) {
  RNPU_VK_REQUIRE_DEVICE();
  std::string bytes = conv_relu_model(-1);
  for (int64_t n : {1, 3, 2, 3}) {
    std::vector<Feed> in = {{{n, 8, 16, 16}, random_floats(size_t(n) * 8 * 256, uint32_t(n))}};
    auto want = run_model(bytes, in, {"cpu"}, 0);
    auto got = run_model(bytes, in, {"vulkan"});
    ASSERT_EQ(got[0].size(), want[0].size()) << "batch " << n;
    for (size_t i = 0; i < want[0].size(); i += 7)
      ASSERT_NEAR(got[0][i], want[0][i], 1e-3) << "batch " << n << " [" << i << "]";
  }
}

TEST(VulkanBackend, ProfilingReportsEveryNodeWithDeviceTime) {
  RNPU_VK_REQUIRE_DEVICE();
  if (!env().ctx->info.timestamps) GTEST_SKIP() << "NOT RUN: device has no timestamps";
  std::string bytes = conv_relu_model();
  Options o;
  o.backends = {"vulkan"};
  o.profiling = true;
  Session s = Session::load_memory(bytes.data(), bytes.size(), o);
  std::vector<float> x = random_floats(8 * 256, 3);
  s.set_input(0, x, std::vector<int64_t>{1, 8, 16, 16});
  s.run();
  std::set<std::string> nodes;
  for (const auto& p : s.profile()) {
    EXPECT_EQ(p.backend, "vulkan");
    nodes.insert(p.node);
  }
  // Relu is fused into the conv.
  EXPECT_TRUE(nodes.count("conv")) << "no profile entry for conv";
  EXPECT_TRUE(nodes.count("softmax")) << "no profile entry for softmax";
}

TEST(VulkanBackend, RunsConcurrentSessions) {
  RNPU_VK_REQUIRE_DEVICE();
  std::string bytes = conv_relu_model();
  std::vector<Feed> in = {{{1, 8, 16, 16}, random_floats(8 * 256, 9)}};
  auto want = run_model(bytes, in, {"cpu"}, 0);
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto got = run_model(bytes, in, {"vulkan"});
        for (size_t k = 0; k < want[0].size(); ++k)
          if (std::fabs(got[0][k] - want[0][k]) > 1e-3) ++bad;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(VulkanBackend, WorksInAForkedChildAfterTheParentUsedIt) {
  RNPU_VK_REQUIRE_DEVICE();
  std::string bytes = conv_relu_model();
  std::vector<Feed> in = {{{1, 8, 16, 16}, random_floats(8 * 256, 4)}};
  auto want = run_model(bytes, in, {"vulkan"});  // the parent opens the device
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Vulkan objects do not survive fork(): the backend must reopen the device.
    alarm(60);
    int rc = 0;
    try {
      auto got = run_model(bytes, in, {"vulkan"});
      for (size_t i = 0; i < want[0].size(); ++i)
        if (std::fabs(got[0][i] - want[0][i]) > 1e-5) rc = 1;
    } catch (...) {
      rc = 2;
    }
    _exit(rc);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child died (signal " << WTERMSIG(status) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: wrong results, 2: error in the child";
}

// Run twice in separate processes with the same XDG_CACHE_HOME (suite 24
// does): the first writes the pipeline cache, the second must load it.
TEST(VulkanBackendCache, PersistsAcrossProcesses) {
  RNPU_VK_REQUIRE_DEVICE();
  const char* dir = std::getenv("RNPU_VK_TEST_CACHE_HOME");
  if (!dir) GTEST_SKIP() << "set RNPU_VK_TEST_CACHE_HOME to a scratch directory";
  setenv("XDG_CACHE_HOME", dir, 1);
  std::string file = default_cache_file(env().ctx->info);
  bool existed = std::filesystem::exists(file);
  double ms;
  {
    VulkanBackend b;
    ASSERT_TRUE(b.available());
    std::string d = b.description();
    EXPECT_NE(d.find(existed ? "(loaded)" : "(absent)"), std::string::npos) << d;
    std::string bytes = conv_relu_model();
    auto t0 = std::chrono::steady_clock::now();
    ir::Graph g;  // compile through a session so the whole pipeline runs
    BackendRegistry::instance().add("vulkan_cachetest", 34,
                                    [] { return std::make_unique<VulkanBackend>(); });
    Options o;
    o.backends = {"vulkan_cachetest"};
    o.allow_fallback = false;
    Session s = Session::load_memory(bytes.data(), bytes.size(), o);
    std::vector<float> x = random_floats(8 * 256, 3);
    s.set_input(0, x, std::vector<int64_t>{1, 8, 16, 16});
    s.run();
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    BackendRegistry::instance().remove("vulkan_cachetest");
  }
  EXPECT_TRUE(std::filesystem::exists(file)) << file;
  std::printf("pipeline cache %s: compile + first run %.1f ms (%s start)\n", file.c_str(), ms,
              existed ? "cached" : "first");
}

}  // namespace
}  // namespace rnpu::vk::test
