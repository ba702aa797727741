// Latency statistics for `rnpu bench` and JSON string quoting shared by the
// JSON writers (bench --json, profile traces).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rnpu::cli {

// Percentile p (0..100) of the samples with linear interpolation between
// closest ranks (numpy's default); 0 for no samples.
double percentile(std::vector<double> samples, double p);

struct LatencyStats {
  double p50 = 0, p90 = 0, p99 = 0, mean = 0, min = 0, max = 0, stddev = 0;
};
LatencyStats latency_stats(const std::vector<double>& samples_ms);

// A JSON string literal (quotes included) with control characters escaped.
std::string json_string(std::string_view s);

}  // namespace rnpu::cli
