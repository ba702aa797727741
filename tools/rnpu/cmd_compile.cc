// rnpu compile: compile a model once for the NPU and write a compiled
// artifact (.rnpb) that `rnpu run`/`bench` and librnpu load without
// compiling the NPU partitions again.
#include <filesystem>
#include <iostream>

#include "cli.h"

namespace rnpu::cli {

int cmd_compile(std::span<const std::string> argv) {
  std::vector<OptionSpec> specs = session_option_specs();
  specs.push_back({"--output", "-o", "FILE", "the compiled artifact to write (.rnpb)"});
  Args args = parse_args(specs, argv);
  if (args.has("--help")) {
    std::cout << format_help(
        "rnpu compile MODEL -o FILE.rnpb [OPTIONS]",
        "Compiles MODEL for the NPU and writes a versioned, checksummed artifact holding the\n"
        "model, its partitioning and every NPU partition's command stream and packed weights.\n"
        "--backend picks the NPU backend (default: npu when a device is present, else sim;\n"
        "both share the code generator, so an artifact from either runs on both).  Ops the\n"
        "NPU cannot run stay on the host backends unless --no-fallback is given.",
        specs);
    return kExitOk;
  }
  std::string model = model_argument(args);
  std::string out = args.get("--output");
  if (out.empty()) throw UsageError("--output FILE is required");
  Options opts = session_options(args);
  if (opts.backends.empty() || (opts.backends.size() == 1 && opts.backends[0] == "auto")) {
    bool device = false;
    for (const BackendInfo& b : list_backends())
      if (b.name == "npu" && b.available) device = true;
    opts.backends = {device ? "npu" : "sim"};
  }
  Session s = load_session(model, opts);
  size_t on_npu = 0;
  for (const PartitionDecision& d : s.partition_report())
    on_npu += d.backend == "npu" || d.backend == "sim";
  try {
    s.save_compiled(out);
  } catch (const Error& e) {
    throw CliError(kExitRuntime, e.what());
  }
  std::cout << "compiled " << model << " for '" << opts.backends.front() << "': " << on_npu
            << " of " << s.partition_report().size() << " ops on the NPU\n"
            << "wrote " << out << " (" << std::filesystem::file_size(out) << " bytes)\n";
  if (!on_npu) std::cout << "note: no op runs on the NPU, the artifact holds no NPU program\n";
  return kExitOk;
}

}  // namespace rnpu::cli
