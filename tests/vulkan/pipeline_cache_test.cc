// The on-disk pipeline cache: format checks, and that a second process
// start finds what the first one compiled.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "backends/vulkan/pipeline_cache_file.h"
#include "backends/vulkan/vk_shaders.h"
#include "vk_harness.h"

namespace rnpu::vk::test {
namespace {

namespace fs = std::filesystem;

DeviceInfo fake_device() {
  DeviceInfo d;
  d.vendor_id = 0x10005;
  d.device_id = 7;
  d.driver_version = 42;
  for (int i = 0; i < 16; ++i) {
    d.device_uuid[size_t(i)] = uint8_t(i);
    d.pipeline_cache_uuid[size_t(i)] = uint8_t(100 + i);
  }
  return d;
}

// A driver-style blob: VkPipelineCacheHeaderVersionOne + payload.
std::vector<uint8_t> driver_blob(const DeviceInfo& d) {
  std::vector<uint8_t> b(32 + 8, 0xab);
  uint32_t h[4] = {32, VK_PIPELINE_CACHE_HEADER_VERSION_ONE, d.vendor_id, d.device_id};
  std::memcpy(b.data(), h, 16);
  std::memcpy(b.data() + 16, d.pipeline_cache_uuid.data(), 16);
  return b;
}

TEST(VulkanPipelineCacheFile, RoundTrips) {
  DeviceInfo d = fake_device();
  auto blob = driver_blob(d);
  std::vector<uint8_t> out;
  std::string why;
  ASSERT_TRUE(decode_cache_file(d, encode_cache_file(d, blob), &out, &why)) << why;
  EXPECT_EQ(out, blob);
}

TEST(VulkanPipelineCacheFile, RejectsCorruptOrForeignFiles) {
  DeviceInfo d = fake_device();
  auto good = encode_cache_file(d, driver_blob(d));
  std::vector<uint8_t> out;
  std::string why;

  auto truncated = good;
  truncated.resize(good.size() - 3);
  EXPECT_FALSE(decode_cache_file(d, truncated, &out, &why));
  EXPECT_NE(why.find("length"), std::string::npos) << why;

  auto flipped = good;
  flipped.back() ^= 1;
  EXPECT_FALSE(decode_cache_file(d, flipped, &out, &why));
  EXPECT_NE(why.find("checksum"), std::string::npos) << why;

  auto magic = good;
  magic[0] = 'X';
  EXPECT_FALSE(decode_cache_file(d, magic, &out, &why));
  EXPECT_NE(why.find("magic"), std::string::npos) << why;

  DeviceInfo other = d;
  other.driver_version++;
  EXPECT_FALSE(decode_cache_file(other, good, &out, &why));
  EXPECT_NE(why.find("another device"), std::string::npos) << why;

  EXPECT_FALSE(decode_cache_file(d, std::vector<uint8_t>(10, 0), &out, &why));
  EXPECT_NE(why.find("truncated"), std::string::npos) << why;

  // Our header intact but the driver's header names another device.
  DeviceInfo liar = d;
  liar.device_id = 99;
  auto foreign = encode_cache_file(d, driver_blob(liar));
  EXPECT_FALSE(decode_cache_file(d, foreign, &out, &why));
  EXPECT_NE(why.find("driver cache header"), std::string::npos) << why;
}

class TempDir {
 public:
  TempDir() {
    char t[] = "/tmp/rnpu-vk-cache-XXXXXX";
    path_ = mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Every shader with default specialisation: what a model compile needs.
double create_all(Pipelines& p) {
  auto t0 = std::chrono::steady_clock::now();
  for (const Spirv& s : all_spirv()) p.get(s.name, {});
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

TEST(VulkanPipelineCache, SecondStartLoadsTheFirstStartsPipelines) {
  RNPU_VK_REQUIRE_DEVICE();
  TempDir dir;
  std::string file = dir.path() + "/dev.bin";
  double cold, warm;
  {
    Pipelines p(env().ctx, file);
    EXPECT_EQ(p.stats().cache_status, "absent");
    cold = create_all(p);
    std::string why;
    ASSERT_TRUE(p.save(&why)) << why;
  }
  ASSERT_TRUE(fs::exists(file));
  std::vector<uint8_t> bytes, data;
  ASSERT_TRUE(read_file(file, &bytes));
  std::string why;
  ASSERT_TRUE(decode_cache_file(env().ctx->info, bytes, &data, &why)) << why;
  {
    Pipelines p(env().ctx, file);
    EXPECT_EQ(p.stats().cache_status, "loaded");
    EXPECT_EQ(p.stats().loaded_bytes, data.size());
    warm = create_all(p);
  }
  std::printf(
      "pipeline creation for %zu shaders: first start %.1f ms, cached %.1f ms "
      "(cache data %zu bytes)\n",
      all_spirv().size(), cold, warm, data.size());
}

TEST(VulkanPipelineCache, CorruptFileIsIgnoredAndReplaced) {
  RNPU_VK_REQUIRE_DEVICE();
  TempDir dir;
  std::string file = dir.path() + "/sub/dir/dev.bin";
  std::string why;
  ASSERT_TRUE(write_file_atomic(file, std::vector<uint8_t>(200, 0x5a), &why)) << why;
  {
    Pipelines p(env().ctx, file);
    EXPECT_EQ(p.stats().cache_status.rfind("rejected", 0), 0u) << p.stats().cache_status;
    p.get("binary", {});
  }  // saved on destruction
  std::vector<uint8_t> bytes, data;
  ASSERT_TRUE(read_file(file, &bytes));
  EXPECT_TRUE(decode_cache_file(env().ctx->info, bytes, &data, &why)) << why;
}

TEST(VulkanPipelineCache, DefaultPathFollowsXdgCacheHome) {
  DeviceInfo d = fake_device();
  const char* old = std::getenv("XDG_CACHE_HOME");
  std::string saved = old ? old : "";
  setenv("XDG_CACHE_HOME", "/x/cache", 1);
  EXPECT_EQ(default_cache_file(d),
            "/x/cache/rnpu/vulkan-pipelines/000102030405060708090a0b0c0d0e0f.bin");
  setenv("RNPU_VULKAN_PIPELINE_CACHE", "0", 1);
  EXPECT_EQ(default_cache_file(d), "");
  unsetenv("RNPU_VULKAN_PIPELINE_CACHE");
  if (old)
    setenv("XDG_CACHE_HOME", saved.c_str(), 1);
  else
    unsetenv("XDG_CACHE_HOME");
}

}  // namespace
}  // namespace rnpu::vk::test
