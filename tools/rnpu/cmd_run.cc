// rnpu run: one inference on .npy or random inputs.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "cli.h"
#include "npu_report.h"
#include "tensors.h"

namespace rnpu::cli {
namespace {

// Ops that did not land on the first requested backend, and why.
void report_fallbacks(const Session& s, const Options& o) {
  if (o.backends.empty()) return;
  std::vector<const PartitionDecision*> moved;
  for (const PartitionDecision& d : s.partition_report())
    if (d.backend != o.backends.front()) moved.push_back(&d);
  if (moved.empty()) return;
  std::cout << "note: " << moved.size() << " of " << s.partition_report().size()
            << " ops run elsewhere than '" << o.backends.front() << "':\n";
  for (size_t i = 0; i < moved.size() && i < 5; ++i)
    std::cout << "  node '" << moved[i]->node << "' (" << moved[i]->op << ") on "
              << moved[i]->backend << ": " << moved[i]->reason << "\n";
  if (moved.size() > 5) std::cout << "  ... ('rnpu inspect' lists all)\n";
}

}  // namespace

int cmd_run(std::span<const std::string> argv) {
  std::vector<OptionSpec> specs = session_option_specs();
  for (auto& s : input_option_specs()) specs.push_back(s);
  specs.push_back({"--output-dir", "-o", "DIR", "write every output as DIR/<name>.npy"});
  specs.push_back({"--save-inputs", "", "DIR",
                   "write the inputs used (random ones included) as DIR/<name>.npy"});
  Args args = parse_args(specs, argv);
  if (args.has("--help")) {
    std::cout << format_help("rnpu run MODEL [OPTIONS]",
                             "Runs MODEL once and prints each output's type, shape and a summary "
                             "of its values.\nInputs come from .npy files (little-endian, C "
                             "order) or are random and reproducible (--seed).",
                             specs);
    return kExitOk;
  }
  std::string model = model_argument(args);
  Options opts = session_options(args);
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  Session s = load_session(model, opts);
  double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  Inputs in = prepare_inputs(s, args);
  bind_inputs(s, in);

  std::cout << "model: " << model << " (loaded in " << load_ms << " ms)\n";
  std::cout << "backend: " << backend_label(opts) << "; ops: " << format_ops_per_backend(s) << "\n";
  report_fallbacks(s, opts);
  if (s.programs_loaded())
    std::cout << "compiled artifact: " << s.programs_loaded()
              << " NPU program(s) loaded from the artifact, not compiled\n";
  for (size_t i = 0; i < s.inputs().size(); ++i)
    std::cout << "input '" << s.inputs()[i].name << "': " << data_type_name(in.arrays[i].dtype)
              << " " << shape_str(in.arrays[i].shape) << " from " << in.sources[i] << "\n";

  if (std::string in_dir = args.get("--save-inputs"); !in_dir.empty()) {
    make_directory(in_dir);
    std::set<std::string> used_in;
    for (size_t i = 0; i < s.inputs().size(); ++i) {
      std::string path = std::filesystem::path(in_dir) / npy_file_name(s.inputs()[i].name, used_in);
      const NpyArray& a = in.arrays[i];
      try {
        npy_save(path, a.dtype, a.shape, a.data.data(), a.data.size());
      } catch (const NpyError& e) {
        throw CliError(kExitRuntime, e.what());
      }
      std::cout << "  saved " << path << "\n";
    }
  }

  auto t1 = Clock::now();
  try {
    s.run();
  } catch (const Error& e) {
    fail(e, Stage::kRun);
  }
  double run_ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
  std::cout << "run: " << run_ms << " ms\n" << std::flush;
  print_npu_report(s, 0);
  std::fflush(stdout);

  std::string dir = args.get("--output-dir");
  if (!dir.empty()) make_directory(dir);
  std::set<std::string> used;
  for (size_t i = 0; i < s.outputs().size(); ++i) {
    TensorView v = s.output(i);
    std::cout << "output '" << s.outputs()[i].name << "': " << describe(v) << "\n";
    if (dir.empty()) continue;
    std::string path = (std::filesystem::path(dir) / npy_file_name(s.outputs()[i].name, used));
    try {
      npy_save(path, v.dtype, v.shape, v.data, v.size);
    } catch (const NpyError& e) {
      throw CliError(kExitRuntime,
                     std::string("output '") + s.outputs()[i].name + "': " + e.what());
    }
    std::cout << "  wrote " << path << "\n";
  }
  return kExitOk;
}

}  // namespace rnpu::cli
