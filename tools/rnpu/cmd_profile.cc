// rnpu profile: per-op timings from the runtime's profiler as a trace file,
// and a table of where the time went.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "cli.h"
#include "trace.h"

namespace rnpu::cli {

int cmd_profile(std::span<const std::string> argv) {
  std::vector<OptionSpec> specs = session_option_specs();
  for (auto& s : input_option_specs()) specs.push_back(s);
  specs.push_back({"--output", "-o", "FILE", "trace file to write (required), e.g. trace.json"});
  specs.push_back({"--warmup", "-w", "N", "unrecorded runs first (default 1)"});
  specs.push_back({"--iterations", "-n", "N", "recorded runs (default 1)"});
  Args args = parse_args(specs, argv);
  if (args.has("--help")) {
    std::cout << format_help(
        "rnpu profile MODEL -o trace.json [OPTIONS]",
        "Runs MODEL with the runtime's per-op profiler and writes a Chrome trace-event JSON\n"
        "file (open it in https://ui.perfetto.dev or chrome://tracing): one track with the\n"
        "runs, one per backend with its ops.  Prints the time per op type.",
        specs);
    return kExitOk;
  }
  std::string model = model_argument(args);
  std::string out_path = args.get("--output");
  if (out_path.empty()) throw UsageError("missing -o FILE (where to write the trace)");
  Options opts = session_options(args);
  opts.profiling = true;
  int warmup = int(args.get_int("--warmup", 1, 0, 1000000));
  int iters = int(args.get_int("--iterations", 1, 1, 100000));

  Session s = load_session(model, opts);
  Inputs in = prepare_inputs(s, args);
  bind_inputs(s, in);
  auto run = [&] {
    try {
      s.run();
    } catch (const Error& e) {
      fail(e, Stage::kRun);
    }
  };
  for (int i = 0; i < warmup; ++i) run();

  using Clock = std::chrono::steady_clock;
  std::vector<TraceRun> runs;
  auto origin = Clock::now();
  for (int i = 0; i < iters; ++i) {
    auto t = Clock::now();
    run();
    auto e = Clock::now();
    TraceRun r;
    r.start_us = std::chrono::duration<double, std::micro>(t - origin).count();
    r.dur_us = std::chrono::duration<double, std::micro>(e - t).count();
    r.ops = s.profile();
    runs.push_back(std::move(r));
  }

  std::ofstream f(out_path, std::ios::trunc);
  if (f) f << chrome_trace(model, runs);
  f.close();
  if (!f) throw CliError(kExitRuntime, "cannot write trace file '" + out_path + "'");

  // Where the time went, by op type over all recorded runs.
  struct Agg {
    size_t count = 0;
    uint64_t ns = 0;
    std::string backends;
  };
  std::map<std::string, Agg> by_op;
  uint64_t total = 0;
  double wall = 0;
  for (const TraceRun& r : runs) {
    wall += r.dur_us;
    for (const OpProfile& p : r.ops) {
      Agg& a = by_op[p.op];
      ++a.count;
      a.ns += p.time_ns;
      total += p.time_ns;
      if (a.backends.find(p.backend) == std::string::npos)
        a.backends += (a.backends.empty() ? "" : ",") + p.backend;
    }
  }
  std::vector<std::pair<std::string, Agg>> sorted(by_op.begin(), by_op.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.ns > b.second.ns; });
  std::printf("model: %s (backend %s, ops: %s)\n", model.c_str(), backend_label(opts).c_str(),
              format_ops_per_backend(s).c_str());
  std::printf("%d recorded run%s: wall %.3f ms per run, ops %.3f ms per run\n", iters,
              iters == 1 ? "" : "s", wall / 1000.0 / iters, double(total) / 1e6 / iters);
  std::printf("  %-28s %6s %12s %7s  %s\n", "op", "count", "ms/run", "share", "backend");
  for (const auto& [op, a] : sorted)
    std::printf("  %-28s %6zu %12.3f %6.1f%%  %s\n", op.c_str(), a.count / size_t(iters),
                double(a.ns) / 1e6 / iters, total ? 100.0 * double(a.ns) / double(total) : 0.0,
                a.backends.c_str());
  std::printf("trace: %s\n", out_path.c_str());
  return kExitOk;
}

}  // namespace rnpu::cli
