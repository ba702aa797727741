// rnpu bench: latency percentiles, throughput and peak memory of one model.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli.h"
#include "npu_report.h"
#include "stats.h"
#include "tensors.h"

namespace rnpu::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

void run_once(Session& s) {
  try {
    s.run();
  } catch (const Error& e) {
    fail(e, Stage::kRun);
  }
}

// Every output's bytes, to check pipelined runs against sequential ones.
std::vector<std::vector<uint8_t>> snapshot(const Session& s) {
  std::vector<std::vector<uint8_t>> out;
  for (size_t i = 0; i < s.outputs().size(); ++i) {
    TensorView v = s.output(i);
    const auto* b = static_cast<const uint8_t*>(v.data);
    out.emplace_back(b, b + v.size);
  }
  return out;
}

// Whether the current outputs equal ref, compared in place (no copy in
// the timed loop).
bool outputs_equal(const Session& s, const std::vector<std::vector<uint8_t>>& ref) {
  for (size_t i = 0; i < ref.size(); ++i) {
    TensorView v = s.output(i);
    if (v.size != ref[i].size() || std::memcmp(v.data, ref[i].data(), v.size) != 0) return false;
  }
  return true;
}

struct Pipelined {
  size_t depth = 1;
  double per_s = 0;
  int mismatches = 0;
};

// iters runs with up to pipeline_depth() in flight: submit ahead, collect
// the oldest; every result must equal the sequential one (same inputs).
Pipelined run_pipelined(Session& s, int iters, const std::vector<std::vector<uint8_t>>& ref) {
  Pipelined r;
  r.depth = s.pipeline_depth();
  auto t = Clock::now();
  int submitted = 0, collected = 0;
  try {
    while (collected < iters) {
      while (submitted < iters && size_t(submitted - collected) < r.depth) {
        s.submit();
        ++submitted;
      }
      s.collect();
      ++collected;
      r.mismatches += !outputs_equal(s, ref);
    }
  } catch (const Error& e) {
    fail(e, Stage::kRun);
  }
  double ms = ms_since(t);
  r.per_s = ms > 0 ? 1000.0 * iters / ms : 0;
  return r;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

int cmd_bench(std::span<const std::string> argv) {
  std::vector<OptionSpec> specs = session_option_specs();
  for (auto& s : input_option_specs()) specs.push_back(s);
  specs.push_back({"--warmup", "-w", "N", "untimed runs first (default 5)"});
  specs.push_back({"--iterations", "-n", "N", "timed runs (default 50)"});
  specs.push_back({"--pipeline", "", "",
                   "then as many runs again pipelined (Session::submit/collect), checked "
                   "against the sequential outputs"});
  specs.push_back({"--json", "", "", "print one JSON object instead of text"});
  Args args = parse_args(specs, argv);
  if (args.has("--help")) {
    std::cout << format_help(
        "rnpu bench MODEL [OPTIONS]",
        "Times MODEL: load, first run, then --warmup untimed and --iterations timed runs on the "
        "same inputs.\nReports p50/p90/p99 latency, throughput (1 / mean latency) and peak "
        "memory: the planner's\nintermediate arena and the process's resident-set high-water "
        "mark (weights included).",
        specs);
    return kExitOk;
  }
  std::string model = model_argument(args);
  Options opts = session_options(args);
  // Per-op modelled cycles come from the profile of NPU backends.
  if (wants_npu(opts)) opts.profiling = true;
  int warmup = int(args.get_int("--warmup", 5, 0, 1000000));
  int iters = int(args.get_int("--iterations", 50, 1, 10000000));
  bool json = args.has("--json");
  bool progress = isatty(STDERR_FILENO) != 0;
  int threads = opts.num_threads > 0 ? opts.num_threads
                                     : int(std::max(1u, std::thread::hardware_concurrency()));

  auto t0 = Clock::now();
  Session s = load_session(model, opts);
  double load_ms = ms_since(t0);
  Inputs in = prepare_inputs(s, args);
  bind_inputs(s, in);

  auto t1 = Clock::now();
  run_once(s);
  double first_ms = ms_since(t1);
  for (int i = 0; i < warmup; ++i) {
    if (progress) std::fprintf(stderr, "\rwarm-up %d/%d   ", i + 1, warmup);
    run_once(s);
  }
  std::vector<double> ms;
  ms.reserve(size_t(iters));
  auto last_progress = Clock::now();
  for (int i = 0; i < iters; ++i) {
    auto t = Clock::now();
    run_once(s);
    ms.push_back(ms_since(t));
    if (progress && (ms_since(last_progress) > 100 || i + 1 == iters)) {
      std::fprintf(stderr, "\rrun %d/%d  last %.3f ms   ", i + 1, iters, ms.back());
      last_progress = Clock::now();
    }
  }
  if (progress) std::fprintf(stderr, "\r\033[K");
  LatencyStats st = latency_stats(ms);
  double throughput = st.mean > 0 ? 1000.0 / st.mean : 0;
  Pipelined pl;
  bool pipeline = args.has("--pipeline");
  if (pipeline) {
    pl = run_pipelined(s, iters, snapshot(s));
    if (pl.mismatches)
      std::fprintf(stderr, "rnpu bench: %d of %d pipelined runs differ from the sequential run\n",
                   pl.mismatches, iters);
  }
  size_t arena = s.arena_bytes();
  uint64_t rss = peak_rss_bytes();

  if (json) {
    std::ostringstream os;
    os << "{\"model\": " << json_string(model)
       << ", \"backend\": " << json_string(backend_label(opts)) << ", \"threads\": " << threads
       << ", \"warmup\": " << warmup << ", \"iterations\": " << iters
       << ", \"load_ms\": " << num(load_ms) << ", \"first_run_ms\": " << num(first_ms)
       << ", \"latency_ms\": {\"p50\": " << num(st.p50) << ", \"p90\": " << num(st.p90)
       << ", \"p99\": " << num(st.p99) << ", \"mean\": " << num(st.mean)
       << ", \"min\": " << num(st.min) << ", \"max\": " << num(st.max)
       << ", \"stddev\": " << num(st.stddev) << "}, \"throughput_per_s\": " << num(throughput)
       << (pipeline ? ", \"pipeline_depth\": " + std::to_string(pl.depth) +
                          ", \"pipelined_throughput_per_s\": " + num(pl.per_s) +
                          ", \"pipelined_mismatches\": " + std::to_string(pl.mismatches)
                    : std::string())
       << ", \"arena_bytes\": " << arena << ", \"peak_rss_bytes\": " << rss << ", \"ops\": {";
    bool first = true;
    for (const auto& [b, n] : ops_per_backend(s)) {
      os << (first ? "" : ", ") << json_string(b) << ": " << n;
      first = false;
    }
    os << "}" << npu_report_json(s) << "}\n";
    std::cout << os.str();
    return pl.mismatches ? kExitRuntime : kExitOk;
  }
  std::printf("model: %s\n", model.c_str());
  std::printf("backend: %s (ops: %s), threads %d\n", backend_label(opts).c_str(),
              format_ops_per_backend(s).c_str(), threads);
  std::printf("load %.1f ms, first run %.3f ms, %d warm-up runs\n", load_ms, first_ms, warmup);
  std::printf(
      "latency over %d runs: p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  (mean %.3f, min %.3f, "
      "max %.3f, stddev %.3f)\n",
      iters, st.p50, st.p90, st.p99, st.mean, st.min, st.max, st.stddev);
  std::printf("throughput: %.1f inferences/s\n", throughput);
  if (pipeline) {
    if (pl.depth < 2)
      std::printf(
          "pipelined: NOT PIPELINED: this model's last partition is not on a backend that "
          "queues runs (npu); runs were sequential\n");
    std::printf("pipelined (depth %zu): %.1f inferences/s, %.2fx the sequential throughput; %s\n",
                pl.depth, pl.per_s, throughput > 0 ? pl.per_s / throughput : 0.0,
                pl.mismatches ? "OUTPUTS DIFFER from the sequential run"
                              : "outputs equal the sequential run's");
  }
  std::printf("memory: arena %s (planned intermediates), process peak RSS %s\n",
              format_bytes(arena).c_str(), format_bytes(rss).c_str());
  print_npu_report(s, 10);
  return pl.mismatches ? kExitRuntime : kExitOk;
}

}  // namespace rnpu::cli
