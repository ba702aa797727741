#include "trace.h"

#include <cstdio>
#include <map>

#include "stats.h"

namespace rnpu::cli {
namespace {

std::string us(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

std::string chrome_trace(const std::string& model, const std::vector<TraceRun>& runs) {
  std::map<std::string, int> tid;  // backend -> track, runs are track 1
  for (const TraceRun& r : runs)
    for (const OpProfile& p : r.ops) tid.emplace(p.backend, 0);
  int next = 2;
  for (auto& [b, t] : tid) t = next++;

  std::string out = "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n";
  out +=
      "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 1, \"args\": {\"name\": " +
      json_string("rnpu " + model) + "}},\n";
  out +=
      "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 1, \"args\": {\"name\": "
      "\"runs\"}}";
  for (const auto& [b, t] : tid)
    out +=
        ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": " + std::to_string(t) +
        ", \"args\": {\"name\": " + json_string("backend " + b) + "}}";
  for (size_t i = 0; i < runs.size(); ++i) {
    const TraceRun& r = runs[i];
    out += ",\n{\"name\": \"run " + std::to_string(i) + "\", \"cat\": \"run\", \"ph\": \"X\", " +
           "\"pid\": 1, \"tid\": 1, \"ts\": " + us(r.start_us) + ", \"dur\": " + us(r.dur_us) + "}";
    double t = r.start_us;
    for (const OpProfile& p : r.ops) {
      double d = double(p.time_ns) / 1000.0;
      out += ",\n{\"name\": " + json_string(p.node) + ", \"cat\": " + json_string(p.op) +
             ", \"ph\": \"X\", \"pid\": 1, \"tid\": " + std::to_string(tid[p.backend]) +
             ", \"ts\": " + us(t) + ", \"dur\": " + us(d) +
             ", \"args\": {\"op\": " + json_string(p.op) +
             ", \"backend\": " + json_string(p.backend) + ", \"run\": " + std::to_string(i) +
             (p.cycles ? ", \"cycles\": " + std::to_string(p.cycles) : std::string()) + "}}";
      t += d;
    }
  }
  out += "\n]}\n";
  return out;
}

}  // namespace rnpu::cli
