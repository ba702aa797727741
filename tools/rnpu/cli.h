// Shared pieces of the rnpu subcommands: exit codes, error mapping, the
// options every model-running command takes, and input preparation.
#pragma once

#include <map>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "args.h"
#include "npy.h"
#include "rnpu/rnpu.hpp"

namespace rnpu::cli {

// Documented in docs/cli.md; scripts rely on them.
enum ExitCode : int {
  kExitOk = 0,
  kExitRuntime = 1,  // the run (or writing its results) failed
  kExitUsage = 2,    // bad command line: unknown option/backend, missing argument
  kExitModel = 3,    // the model cannot be read, parsed, validated or placed on a backend
  kExitInput = 4,    // an input file is missing/invalid or does not fit the model
  kExitBackend = 5,  // the requested backend (device) is not available
};

struct CliError : std::runtime_error {
  CliError(int code, const std::string& msg) : std::runtime_error(msg), code(code) {}
  int code;
};

// Where an rnpu::Error happened decides which exit code it maps to.
enum class Stage { kLoad, kBind, kRun };
int exit_code_for(ErrorCode code, Stage stage);
[[noreturn]] void fail(const Error& e, Stage stage);

// --backend, --no-fallback, --threads.
std::vector<OptionSpec> session_option_specs();
// --input, --shape, --seed.
std::vector<OptionSpec> input_option_specs();
Options session_options(const Args& args);
std::string backend_label(const Options& opts);  // "auto" or "vulkan,cpu"

Session load_session(const std::string& path, const Options& opts);

// Inputs of one run: --input files where given, random data otherwise.
struct Inputs {
  std::vector<NpyArray> arrays;      // per model input
  std::vector<std::string> sources;  // "file x.npy" / "random (seed 1)"
};
Inputs prepare_inputs(const Session& s, const Args& args);
void bind_inputs(Session& s, const Inputs& in);

// Ops per backend from the partition report, "cpu 63, vulkan 2".
std::map<std::string, int> ops_per_backend(const Session& s);
std::string format_ops_per_backend(const Session& s);
// Exactly one positional MODEL argument.
std::string model_argument(const Args& args);

// File name for a tensor: characters other than [A-Za-z0-9._-] become '_',
// a numeric suffix keeps names in `used` distinct; ".npy" appended.
std::string npy_file_name(const std::string& tensor_name, std::set<std::string>& used);
// Creates DIR and its parents; CliError (runtime) when it cannot.
void make_directory(const std::string& dir);

// Peak resident set size of this process (VmHWM), bytes; 0 if unknown.
uint64_t peak_rss_bytes();

using Command = int (*)(std::span<const std::string> args);
int cmd_info(std::span<const std::string> args);
int cmd_run(std::span<const std::string> args);
int cmd_bench(std::span<const std::string> args);
int cmd_inspect(std::span<const std::string> args);
int cmd_profile(std::span<const std::string> args);
int cmd_compile(std::span<const std::string> args);
int cmd_quantize(std::span<const std::string> args);
int cmd_cdi(std::span<const std::string> args);

}  // namespace rnpu::cli
