// Latency statistics, JSON quoting and the trace writer of the rnpu command.
#include "stats.h"

#include <gtest/gtest.h>

#include "trace.h"

namespace rnpu::cli {
namespace {

TEST(Stats, PercentilesInterpolateLikeNumpy) {
  std::vector<double> v = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(percentile(v, 50), 3);
  EXPECT_DOUBLE_EQ(percentile(v, 0), 1);
  EXPECT_DOUBLE_EQ(percentile(v, 100), 5);
  EXPECT_DOUBLE_EQ(percentile(v, 90), 4.6);  // numpy.percentile([1..5], 90)
  EXPECT_DOUBLE_EQ(percentile({7}, 99), 7);
  EXPECT_EQ(percentile({}, 50), 0);
  LatencyStats s = latency_stats({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(s.mean, 5);
  EXPECT_DOUBLE_EQ(s.min, 2);
  EXPECT_DOUBLE_EQ(s.max, 9);
  EXPECT_DOUBLE_EQ(s.p50, 4.5);
  EXPECT_NEAR(s.stddev, 2.138, 1e-3);
}

TEST(Stats, JsonStrings) {
  EXPECT_EQ(json_string("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(json_string(""), "\"\"");
}

TEST(Trace, OpsLaidEndToEndPerBackendTrack) {
  TraceRun r;
  r.start_us = 10;
  r.dur_us = 5;
  r.ops = {{"conv1", "Conv", "cpu", 2000, 0}, {"sm", "Softmax", "vulkan", 1000, 0}};
  std::string t = chrome_trace("m.onnx", {r});
  EXPECT_EQ(t.rfind("{\"displayTimeUnit\": \"ms\", \"traceEvents\": [", 0), 0u);
  EXPECT_NE(t.find("{\"name\": \"conv1\", \"cat\": \"Conv\", \"ph\": \"X\", \"pid\": 1, "
                   "\"tid\": 2, \"ts\": 10.000, \"dur\": 2.000"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("\"name\": \"sm\", \"cat\": \"Softmax\", \"ph\": \"X\", \"pid\": 1, "
                   "\"tid\": 3, \"ts\": 12.000, \"dur\": 1.000"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("\"args\": {\"name\": \"backend vulkan\"}"), std::string::npos);
  EXPECT_EQ(t.substr(t.size() - 4), "\n]}\n");
}

}  // namespace
}  // namespace rnpu::cli
