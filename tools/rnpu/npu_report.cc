#include "npu_report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "cli.h"
#include "stats.h"
#include "tensors.h"

namespace rnpu::cli {

namespace {
std::string jnum(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", v);
  return b;
}
}  // namespace

bool wants_npu(const Options& o) {
  for (const std::string& b : o.backends)
    if (b == "sim" || b == "npu") return true;
  return false;
}

void print_npu_report(const Session& s, size_t top_ops) {
  std::vector<NpuReport> rs = s.npu_reports();
  for (const NpuReport& r : rs) {
    double us = r.freq_hz ? double(r.cycles) * 1e6 / double(r.freq_hz) : 0;
    double util =
        r.cycles ? double(r.macs) / (double(r.cycles) * double(r.peak_macs_per_cycle)) : 0;
    double bound = r.bound_cycles();
    std::printf("npu (%s): %llu commands, %llu modelled cycles = %.1f us at %.0f MHz\n",
                r.backend.c_str(), (unsigned long long)r.commands, (unsigned long long)r.cycles, us,
                double(r.freq_hz) / 1e6);
    std::printf(
        "  MACs %llu, MAC-array utilization %.1f%% of the int8 peak (%llu MACs/cycle; "
        "fp16 runs at half rate)\n",
        (unsigned long long)r.macs, 100 * util, (unsigned long long)r.peak_macs_per_cycle);
    std::printf("  DRAM %s, SRAM %s (compulsory DRAM traffic: %s)\n",
                format_bytes(r.dram_bytes).c_str(), format_bytes(r.sram_bytes).c_str(),
                format_bytes(r.compulsory_bytes).c_str());
    std::printf(
        "  roofline bound %.0f cycles (compute %.0f, memory %.0f); modelled/roofline %.2fx\n",
        bound, r.compute_bound_cycles, r.memory_bound_cycles,
        bound > 0 ? double(r.cycles) / bound : 0.0);
  }
  if (rs.empty() || !top_ops) return;
  std::vector<OpProfile> ops;
  for (const OpProfile& p : s.profile())
    if (p.backend == "sim" || p.backend == "npu") ops.push_back(p);
  if (ops.empty()) return;
  std::sort(ops.begin(), ops.end(),
            [](const OpProfile& a, const OpProfile& b) { return a.cycles > b.cycles; });
  uint64_t total = 0;
  for (const OpProfile& p : ops) total += p.cycles;
  std::printf("  modelled cycles per op (top %zu of %zu):\n", std::min(top_ops, ops.size()),
              ops.size());
  for (size_t i = 0; i < ops.size() && i < top_ops; ++i)
    std::printf("    %-28s %-18s %10llu  %5.1f%%\n", ops[i].node.c_str(), ops[i].op.c_str(),
                (unsigned long long)ops[i].cycles,
                total ? 100.0 * double(ops[i].cycles) / double(total) : 0);
}

std::string npu_report_json(const Session& s) {
  std::vector<NpuReport> rs = s.npu_reports();
  if (rs.empty()) return {};
  std::ostringstream os;
  os << ", \"npu\": [";
  for (size_t i = 0; i < rs.size(); ++i) {
    const NpuReport& r = rs[i];
    os << (i ? ", " : "") << "{\"backend\": " << json_string(r.backend)
       << ", \"commands\": " << r.commands << ", \"cycles\": " << r.cycles
       << ", \"freq_hz\": " << r.freq_hz << ", \"macs\": " << r.macs
       << ", \"dram_bytes\": " << r.dram_bytes << ", \"sram_bytes\": " << r.sram_bytes
       << ", \"compulsory_bytes\": " << r.compulsory_bytes
       << ", \"peak_macs_per_cycle\": " << r.peak_macs_per_cycle
       << ", \"compute_bound_cycles\": " << jnum(r.compute_bound_cycles)
       << ", \"memory_bound_cycles\": " << jnum(r.memory_bound_cycles) << ", \"roofline_ratio\": "
       << jnum(r.bound_cycles() > 0 ? double(r.cycles) / r.bound_cycles() : 0) << "}";
  }
  os << "], \"npu_ops\": [";
  bool first = true;
  for (const OpProfile& p : s.profile()) {
    if (p.backend != "sim" && p.backend != "npu") continue;
    os << (first ? "" : ", ") << "{\"node\": " << json_string(p.node)
       << ", \"op\": " << json_string(p.op) << ", \"cycles\": " << p.cycles << "}";
    first = false;
  }
  os << "]";
  return os.str();
}

}  // namespace rnpu::cli
