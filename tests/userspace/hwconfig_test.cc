// npu::HwConfig::runs_on: whether a program compiled for one NPU
// configuration runs unchanged on a device (hw/SPEC.md §11: a device takes
// every command-stream version up to CAP_CMD_VER; VERSION's major number
// changes only for incompatible hardware; programs record the MAC geometry
// and SRAM they were built for).  Every branch, and the success cases.
#include <gtest/gtest.h>

#include <string>

#include "npu/program.h"

extern "C" {
#include "rnpu_model.h"
}

namespace rnpu {
namespace {

using npu::HwConfig;

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(HwConfigRunsOn, TheReferenceRunsOnItself) {
  HwConfig ref = HwConfig::reference();
  EXPECT_EQ(ref.hw_version, uint32_t(RNPU_HW_VERSION));
  EXPECT_EQ(ref.cmd_version, uint32_t(RNPU_CS_VERSION));
  EXPECT_EQ(ref.mac_rows, 32u);
  EXPECT_EQ(ref.mac_cols, 32u);
  EXPECT_EQ(ref.vec_lanes, 64u);
  EXPECT_EQ(ref.sram_bytes, 1024u * 1024);
  std::string why = "stale text";
  EXPECT_TRUE(ref.runs_on(ref, &why));
  EXPECT_EQ(why, "");  // cleared on success
  EXPECT_TRUE(ref.runs_on(ref, nullptr));
}

TEST(HwConfigRunsOn, CommandStreamVersion) {
  HwConfig prog = HwConfig::reference(), dev = prog;
  std::string why;
  // A newer stream than the device takes is refused.
  prog.cmd_version = dev.cmd_version + 1;
  EXPECT_FALSE(prog.runs_on(dev, &why));
  EXPECT_TRUE(has(why, "command-stream version " + std::to_string(prog.cmd_version))) << why;
  EXPECT_TRUE(has(why, "takes " + std::to_string(dev.cmd_version))) << why;
  EXPECT_FALSE(prog.runs_on(dev, nullptr));
  // A device accepts every version up to its own.
  prog = HwConfig::reference();
  dev.cmd_version = prog.cmd_version + 1;
  EXPECT_TRUE(prog.runs_on(dev, &why)) << why;
}

TEST(HwConfigRunsOn, HardwareMajorVersion) {
  HwConfig prog = HwConfig::reference(), dev = prog;
  std::string why;
  dev.hw_version = prog.hw_version + (1u << 16);  // 2.0 vs 1.0
  EXPECT_FALSE(prog.runs_on(dev, &why));
  EXPECT_TRUE(has(why, "hardware major version 1")) << why;
  EXPECT_TRUE(has(why, "device is 2")) << why;
  dev.hw_version = prog.hw_version - (1u << 16);  // 0.x: also a different major
  EXPECT_FALSE(prog.runs_on(dev, &why));
  EXPECT_TRUE(has(why, "device is 0")) << why;
  // Minor versions are compatible.
  dev.hw_version = prog.hw_version | (3u << 8);  // 1.3
  EXPECT_TRUE(prog.runs_on(dev, &why)) << why;
}

TEST(HwConfigRunsOn, MacGeometry) {
  HwConfig prog = HwConfig::reference();
  std::string why;
  for (int k = 0; k < 3; ++k) {
    HwConfig dev = prog;
    uint32_t* field = k == 0 ? &dev.mac_rows : k == 1 ? &dev.mac_cols : &dev.vec_lanes;
    // Bigger or smaller, a different array is a different program.
    for (uint32_t v : {*field * 2, *field / 2}) {
      *field = v;
      EXPECT_FALSE(prog.runs_on(dev, &why)) << k << " " << v;
      EXPECT_TRUE(has(why, "MAC array 32x32")) << why;
    }
  }
  HwConfig dev = prog;
  dev.mac_cols = 64;
  EXPECT_FALSE(prog.runs_on(dev, &why));
  EXPECT_TRUE(has(why, "device has 32x64")) << why;
  // A lane mismatch alone names the lanes, not two equal arrays.
  dev = prog;
  dev.vec_lanes = 32;
  EXPECT_FALSE(prog.runs_on(dev, &why));
  EXPECT_TRUE(has(why, "with 64 vector lanes but the device has 32x32 with 32")) << why;
}

TEST(HwConfigRunsOn, SramSize) {
  HwConfig prog = HwConfig::reference(), dev = prog;
  std::string why;
  dev.sram_bytes = prog.sram_bytes / 2;
  EXPECT_FALSE(prog.runs_on(dev, &why));
  EXPECT_TRUE(has(why, "needs 1024 KiB of SRAM")) << why;
  EXPECT_TRUE(has(why, "device has 512 KiB")) << why;
  dev.sram_bytes = prog.sram_bytes - 1;  // one byte short is short
  EXPECT_FALSE(prog.runs_on(dev, &why));
  // More SRAM than the program was built for is fine.
  dev.sram_bytes = prog.sram_bytes * 4;
  EXPECT_TRUE(prog.runs_on(dev, &why)) << why;
}

TEST(HwConfigRunsOn, RatesDoNotMatter) {
  // Bandwidths, issue cost and clock change timing, never what a stream means.
  HwConfig prog = HwConfig::reference(), dev = prog;
  dev.dram_bw *= 2;
  dev.sram_bw /= 2;
  dev.cmd_overhead = 10;
  dev.max_freq_hz = 1;
  std::string why;
  EXPECT_TRUE(prog.runs_on(dev, &why)) << why;
}

TEST(HwConfigRunsOn, FromModelMatchesTheModelConfiguration) {
  rnpu_model_config c;
  rnpu_model_default_config(&c);
  c.sram_kib = 256;
  c.mac_cols = 16;
  HwConfig dev = HwConfig::from_model(c);
  EXPECT_EQ(dev.sram_bytes, 256u * 1024);
  EXPECT_EQ(dev.max_freq_hz, 1000000000u);  // the highest operating point
  std::string why;
  EXPECT_FALSE(HwConfig::reference().runs_on(dev, &why));  // narrower array, less SRAM
  EXPECT_FALSE(why.empty());
  EXPECT_TRUE(dev.runs_on(dev, &why)) << why;
}

}  // namespace
}  // namespace rnpu
