// rnpu: inspect, run, benchmark and profile ONNX models with librnpu.
#include <cstring>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "cli.h"

namespace {

struct Subcommand {
  const char* name;
  rnpu::cli::Command fn;
  const char* summary;
};

constexpr Subcommand kCommands[] = {
    {"info", rnpu::cli::cmd_info, "library version, backends, Vulkan and NPU devices"},
    {"run", rnpu::cli::cmd_run, "run a model on .npy (or random) inputs, write .npy outputs"},
    {"bench", rnpu::cli::cmd_bench, "latency percentiles, throughput and peak memory"},
    {"inspect", rnpu::cli::cmd_inspect, "ops, shapes, partitions, backend per op and why"},
    {"profile", rnpu::cli::cmd_profile, "per-op timings as a Chrome/Perfetto trace"},
    {"compile", rnpu::cli::cmd_compile, "compile for the NPU once, write an .rnpb artifact"},
    {"quantize", rnpu::cli::cmd_quantize, "post-training int8 quantization with calibration"},
    {"cdi", rnpu::cli::cmd_cdi, "CDI spec of the rnpu devices for container engines"},
};

void usage(std::ostream& os) {
  os << "Usage: rnpu COMMAND [OPTIONS] [MODEL]\n\nCommands:\n";
  for (const Subcommand& c : kCommands)
    os << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.summary << "\n";
  os << "\n'rnpu COMMAND --help' describes each command.  Exit status: 0 ok, 1 runtime error,\n"
        "2 usage error, 3 model error, 4 input error, 5 backend unavailable.\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rnpu::cli;
  if (argc < 2) {
    usage(std::cerr);
    return kExitUsage;
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(std::cout);
    return kExitOk;
  }
  if (cmd == "--version") {
    std::cout << "rnpu " << rnpu::version() << "\n";
    return kExitOk;
  }
  const Subcommand* sub = nullptr;
  for (const Subcommand& c : kCommands)
    if (cmd == c.name) sub = &c;
  if (!sub) {
    std::cerr << "rnpu: unknown command '" << cmd << "'\n\n";
    usage(std::cerr);
    return kExitUsage;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    return sub->fn(args);
  } catch (const UsageError& e) {
    std::cerr << "rnpu " << cmd << ": " << e.what() << "\nTry 'rnpu " << cmd << " --help'.\n";
    return kExitUsage;
  } catch (const CliError& e) {
    std::cerr << "rnpu " << cmd << ": error: " << e.what() << "\n";
    return e.code;
  } catch (const rnpu::Error& e) {
    std::cerr << "rnpu " << cmd << ": error: " << e.what() << "\n";
    return exit_code_for(e.code(), Stage::kRun);
  } catch (const std::exception& e) {
    std::cerr << "rnpu " << cmd << ": error: " << e.what() << "\n";
    return kExitRuntime;
  }
}
