// rnpu-vulkan-compare: runs a model on the cpu backend and on the vulkan
// backend with the same random inputs; prints where each op ran, the
// largest output differences, load (compile) time and run latency.  Used
// by tests/suites/24-vulkan.sh on real models and by bench/vulkan-vs-cpu.sh.
//
//   rnpu-vulkan-compare MODEL [--runs N] [--threads T] [--dim NAME=V]...
//                             [--tol ABS] [--only vulkan|cpu] [--auto] [--reference]
//                             [--profile]
// Exit status: 0 when every output matches within --tol (abs + rel, default
// 1e-3 each), 1 on a mismatch, 2 on errors.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "rnpu/rnpu.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Inputs {
  std::vector<std::vector<uint8_t>> data;
  std::vector<std::vector<int64_t>> shapes;
};

Inputs make_inputs(const rnpu::Session& s, const std::map<std::string, int64_t>& dims) {
  Inputs in;
  std::mt19937 g(1234);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (const auto& t : s.inputs()) {
    std::vector<int64_t> shape = t.shape;
    int64_t n = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] < 0) {
        std::string name = i < t.dim_names.size() ? t.dim_names[i] : "";
        auto it = dims.find(name);
        if (it == dims.end()) {
          std::fprintf(stderr, "input '%s' dim %zu ('%s') is dynamic: pass --dim %s=V\n",
                       t.name.c_str(), i, name.c_str(), name.c_str());
          std::exit(2);
        }
        shape[i] = it->second;
      }
      n *= shape[i];
    }
    std::vector<uint8_t> buf(size_t(n) * rnpu::data_type_size(t.dtype));
    if (t.dtype == rnpu::DataType::kFloat32) {
      auto* f = reinterpret_cast<float*>(buf.data());
      for (int64_t i = 0; i < n; ++i) f[i] = u(g);
    } else if (t.dtype == rnpu::DataType::kInt64) {
      auto* v = reinterpret_cast<int64_t*>(buf.data());
      for (int64_t i = 0; i < n; ++i) v[i] = int64_t(g() % 100);
    } else {
      std::fprintf(stderr, "input '%s': dtype %s not generated\n", t.name.c_str(),
                   rnpu::data_type_name(t.dtype));
      std::exit(2);
    }
    in.data.push_back(std::move(buf));
    in.shapes.push_back(shape);
  }
  return in;
}

bool g_profile = false;

struct Result {
  double load_ms = 0, first_run_ms = 0, median_ms = 0;
  std::vector<std::vector<float>> outputs;
  std::vector<rnpu::PartitionDecision> report;
};

Result run_on(const char* model, const std::vector<std::string>& backends, int threads, int runs,
              const std::map<std::string, int64_t>& dims, int opt_level = 1) {
  Result r;
  rnpu::Options o;
  o.optimization_level = opt_level;
  o.backends = backends;
  o.allow_fallback = true;
  o.num_threads = threads;
  o.profiling = g_profile;
  auto t0 = Clock::now();
  rnpu::Session s = rnpu::Session::load_file(model, o);
  r.load_ms = ms_since(t0);
  r.report = s.partition_report();
  Inputs in = make_inputs(s, dims);
  for (size_t i = 0; i < in.data.size(); ++i)
    s.set_input(i, in.data[i].data(), in.data[i].size(), in.shapes[i]);
  t0 = Clock::now();
  s.run();
  r.first_run_ms = ms_since(t0);
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    t0 = Clock::now();
    s.run();
    times.push_back(ms_since(t0));
  }
  std::sort(times.begin(), times.end());
  if (g_profile) {
    // Time per op type, largest first.
    std::map<std::string, std::pair<double, int>> per;
    double total = 0;
    for (const auto& p : s.profile()) {
      per[p.backend + " " + p.op].first += double(p.time_ns) / 1e6;
      per[p.backend + " " + p.op].second++;
      total += double(p.time_ns) / 1e6;
    }
    std::vector<std::pair<double, std::string>> v;
    for (auto& [k, x] : per) v.push_back({x.first, k + " x" + std::to_string(x.second)});
    std::sort(v.rbegin(), v.rend());
    std::printf("profile (%s): %.2f ms in ops\n", backends.empty() ? "auto" : backends[0].c_str(),
                total);
    for (auto& [ms, k] : v) std::printf("  %9.3f ms  %s\n", ms, k.c_str());
    std::vector<std::pair<double, std::string>> nodes;
    for (const auto& p : s.profile()) nodes.push_back({double(p.time_ns) / 1e6, p.node});
    std::sort(nodes.rbegin(), nodes.rend());
    if (nodes.size() > 12) nodes.resize(12);
    std::printf("  slowest nodes:");
    for (auto& [ms, k] : nodes) std::printf(" %s %.2f;", k.c_str(), ms);
    std::printf("\n");
  }
  r.median_ms = times.empty() ? r.first_run_ms : times[times.size() / 2];
  for (size_t i = 0; i < s.outputs().size(); ++i) {
    rnpu::TensorView v = s.output(i);
    std::vector<float> f;
    size_t n = v.size / std::max<size_t>(1, rnpu::data_type_size(v.dtype));
    for (size_t k = 0; k < n; ++k) {
      switch (v.dtype) {
        case rnpu::DataType::kFloat32:
          f.push_back(static_cast<const float*>(v.data)[k]);
          break;
        case rnpu::DataType::kInt64:
          f.push_back(float(static_cast<const int64_t*>(v.data)[k]));
          break;
        case rnpu::DataType::kInt32:
          f.push_back(float(static_cast<const int32_t*>(v.data)[k]));
          break;
        default:
          f.push_back(NAN);
      }
    }
    r.outputs.push_back(std::move(f));
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s MODEL [--runs N] [--threads T] [--dim NAME=V]... [--tol T] "
                 "[--only vulkan|cpu] [--auto]\n",
                 argv[0]);
    return 2;
  }
  const char* model = argv[1];
  int runs = 5, threads = 1;
  double tol = 1e-3;
  bool automatic = false;
  int ref_level = 1;
  std::string only;
  std::map<std::string, int64_t> dims;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--runs") {
      runs = std::atoi(next().c_str());
    } else if (a == "--threads") {
      threads = std::atoi(next().c_str());
    } else if (a == "--tol") {
      tol = std::atof(next().c_str());
    } else if (a == "--only") {
      only = next();
    } else if (a == "--reference") {
      ref_level = 0;  // compare with the cpu backend's plain reference kernels
    } else if (a == "--profile") {
      g_profile = true;
    } else if (a == "--auto") {
      automatic = true;
    } else if (a == "--dim") {
      std::string d = next();
      size_t eq = d.find('=');
      if (eq == std::string::npos) return 2;
      dims[d.substr(0, eq)] = std::atoll(d.c_str() + eq + 1);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  try {
    for (const auto& b : rnpu::list_backends())
      if (b.name == "vulkan") std::printf("vulkan: %s\n", b.description.c_str());
    Result cpu, vk;
    if (only != "vulkan") {
      cpu = run_on(model, {"cpu"}, threads, runs, dims, ref_level);
      std::printf("cpu:    load %8.1f ms  first run %8.2f ms  median %8.2f ms\n", cpu.load_ms,
                  cpu.first_run_ms, cpu.median_ms);
    }
    if (only == "cpu") return 0;
    vk = run_on(model, automatic ? std::vector<std::string>{} : std::vector<std::string>{"vulkan"},
                threads, runs, dims);
    std::map<std::string, int> where;
    for (const auto& d : vk.report) where[d.backend]++;
    std::printf("%s load %8.1f ms  first run %8.2f ms  median %8.2f ms  (ops:",
                automatic ? "auto:  " : "vulkan:", vk.load_ms, vk.first_run_ms, vk.median_ms);
    for (const auto& [b, n] : where) std::printf(" %s %d", b.c_str(), n);
    std::printf(")\n");
    for (const auto& d : vk.report)
      if (d.backend != "vulkan" && !automatic)
        std::printf("  fallback: %s (%s): %s\n", d.node.c_str(), d.op.c_str(), d.reason.c_str());
    if (only == "vulkan") return 0;
    int bad = 0;
    double max_diff = 0;
    for (size_t i = 0; i < cpu.outputs.size() && i < vk.outputs.size(); ++i) {
      const auto& a = cpu.outputs[i];
      const auto& b = vk.outputs[i];
      double worst = 0, worst_rel = 0;
      size_t out = 0;
      if (a.size() != b.size()) {
        std::printf("output %zu: size %zu vs %zu\n", i, a.size(), b.size());
        ++bad;
        continue;
      }
      for (size_t k = 0; k < a.size(); ++k) {
        double e = std::fabs(double(a[k]) - b[k]);
        if (!(e <= tol + tol * std::fabs(a[k]))) ++out;
        worst = std::max(worst, e);
        worst_rel = std::max(worst_rel, e / std::max(1e-6, std::fabs(double(a[k]))));
      }
      std::printf("output %zu: %zu elements, max abs diff %.3g, %zu outside abs+rel %.0e\n", i,
                  a.size(), worst, out, tol);
      max_diff = std::max(max_diff, worst);
      bad += out != 0;
    }
    std::printf("%s\n", bad ? "MISMATCH" : "MATCH");
    // One parseable line for scripts (bench/vulkan-vs-cpu.sh).
    std::printf(
        "summary: cpu_load_ms=%.1f cpu_first_ms=%.2f cpu_median_ms=%.2f vk_load_ms=%.1f "
        "vk_first_ms=%.2f vk_median_ms=%.2f max_abs_diff=%.3g match=%d\n",
        cpu.load_ms, cpu.first_run_ms, cpu.median_ms, vk.load_ms, vk.first_run_ms, vk.median_ms,
        max_diff, bad ? 0 : 1);
    return bad ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
