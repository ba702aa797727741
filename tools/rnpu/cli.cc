#include "cli.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "tensors.h"

namespace rnpu::cli {

int exit_code_for(ErrorCode code, Stage stage) {
  switch (code) {
    case ErrorCode::kMalformedModel:
    case ErrorCode::kUnsupportedOp:
      return stage == Stage::kRun ? kExitRuntime : kExitModel;
    case ErrorCode::kIo:
      return stage == Stage::kLoad ? kExitModel : kExitRuntime;
    case ErrorCode::kShapeMismatch:
      return stage == Stage::kBind ? kExitInput : stage == Stage::kLoad ? kExitModel : kExitRuntime;
    case ErrorCode::kBackendUnavailable:
      return kExitBackend;
    case ErrorCode::kInvalidArgument:
      return stage == Stage::kBind ? kExitInput : stage == Stage::kLoad ? kExitUsage : kExitRuntime;
    default:
      return kExitRuntime;
  }
}

void fail(const Error& e, Stage stage) {
  std::string what = e.what();
  std::string prefix = stage == Stage::kLoad   ? "cannot load the model: "
                       : stage == Stage::kBind ? ""
                                               : "run failed: ";
  std::string msg = prefix + what;
  if (e.code() == ErrorCode::kUnsupportedOp && stage == Stage::kLoad && e.backend_hint().empty())
    msg += " (run 'rnpu info' to see the backends and why some are unavailable)";
  throw CliError(exit_code_for(e.code(), stage), msg);
}

std::vector<OptionSpec> session_option_specs() {
  return {
      {"--backend", "-b", "NAME[,NAME]",
       "auto (default: every available backend, chosen per op by cost) or a preference list"},
      {"--no-fallback", "", "", "fail instead of running unsupported ops on another backend"},
      {"--threads", "-t", "N", "CPU threads (default: all online CPUs)"},
  };
}

std::vector<OptionSpec> input_option_specs() {
  return {
      {"--input", "-i", "NAME=FILE.npy", "input data (repeatable); others get random data", true},
      {"--shape", "", "NAME=DIMS",
       "shape of a random input, e.g. 1x3x224x224 (dynamic dims default to 1)", true},
      {"--seed", "", "S", "seed of the random inputs (default 1)"},
  };
}

Options session_options(const Args& args) {
  Options o;
  std::vector<BackendInfo> reg = list_backends();
  o.backends = parse_backends(args.get("--backend", "auto"), reg);
  o.allow_fallback = !args.has("--no-fallback");
  o.num_threads = int(args.get_int("--threads", 0, 1, 1024));
  // Naming a backend that is not usable here is an error worth stopping
  // for, with the backend's own explanation (missing driver, no device).
  std::string why;
  size_t usable = 0;
  for (const std::string& n : o.backends)
    for (const BackendInfo& b : reg)
      if (b.name == n) {
        if (b.available)
          ++usable;
        else
          why += (why.empty() ? "" : "; ") + ("backend '" + n + "' is not available: ") +
                 b.description;
      }
  if (!o.backends.empty() && usable == 0) throw CliError(kExitBackend, why);
  if (!why.empty()) std::cerr << "rnpu: warning: " << why << "\n";
  return o;
}

std::string backend_label(const Options& opts) {
  if (opts.backends.empty()) return "auto";
  std::string s;
  for (const auto& b : opts.backends) s += (s.empty() ? "" : ",") + b;
  return s;
}

Session load_session(const std::string& path, const Options& opts) {
  try {
    return Session::load_file(path, opts);
  } catch (const Error& e) {
    fail(e, Stage::kLoad);
  }
}

std::string model_argument(const Args& args) {
  if (args.positionals.empty()) throw UsageError("missing MODEL (an .onnx file)");
  if (args.positionals.size() > 1)
    throw UsageError("unexpected argument '" + args.positionals[1] + "' (one MODEL only)");
  return args.positionals[0];
}

Inputs prepare_inputs(const Session& s, const Args& args) {
  const std::vector<TensorInfo>& infos = s.inputs();
  auto index_of = [&](const std::string& name, const char* opt) {
    for (size_t i = 0; i < infos.size(); ++i)
      if (infos[i].name == name) return i;
    std::string names;
    for (const auto& t : infos) names += (names.empty() ? "'" : ", '") + t.name + "'";
    throw CliError(kExitInput, std::string(opt) + ": the model has no input named '" + name +
                                   "' (inputs: " + (names.empty() ? "none" : names) + ")");
  };
  Inputs in;
  in.arrays.resize(infos.size());
  in.sources.resize(infos.size());
  std::vector<bool> given(infos.size(), false);
  std::vector<std::vector<int64_t>> shapes(infos.size());
  std::vector<bool> shaped(infos.size(), false);

  for (const std::string& spec : args.all("--input")) {
    auto [name, file] = split_assignment(spec, "--input");
    size_t i = index_of(name, "--input");
    if (given[i]) throw UsageError("--input: '" + name + "' given twice");
    NpyArray a;
    try {
      a = npy_load(file);
    } catch (const NpyError& e) {
      throw CliError(kExitInput, "input '" + name + "': " + e.what());
    }
    if (a.dtype != infos[i].dtype)
      throw CliError(kExitInput, "input '" + name + "': " + file + " holds " +
                                     data_type_name(a.dtype) + ", the model wants " +
                                     data_type_name(infos[i].dtype));
    in.arrays[i] = std::move(a);
    in.sources[i] = "file " + file;
    given[i] = true;
  }
  for (const std::string& spec : args.all("--shape")) {
    auto [name, dims] = split_assignment(spec, "--shape");
    size_t i = index_of(name, "--shape");
    if (given[i]) throw UsageError("--shape: input '" + name + "' comes from a file already");
    shapes[i] = parse_dims(dims, "--shape " + name);
    shaped[i] = true;
  }
  uint64_t seed = uint64_t(args.get_int("--seed", 1, 0, INT64_MAX));
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < infos.size(); ++i) {
    if (given[i]) continue;
    const TensorInfo& t = infos[i];
    std::vector<int64_t> shape = shaped[i] ? shapes[i] : t.shape;
    if (!shaped[i])
      for (int64_t& d : shape)
        if (d < 0) d = 1;
    try {
      in.arrays[i] = random_tensor(t.dtype, shape, rng);
    } catch (const std::exception& e) {
      throw CliError(kExitInput, "input '" + t.name + "': " + e.what() + "; pass it with --input");
    }
    in.sources[i] = "random (seed " + std::to_string(seed) + ")";
  }
  return in;
}

void bind_inputs(Session& s, const Inputs& in) {
  for (size_t i = 0; i < in.arrays.size(); ++i) {
    const NpyArray& a = in.arrays[i];
    try {
      s.set_input(i, a.data.data(), a.data.size(), a.shape);
    } catch (const Error& e) {
      fail(e, Stage::kBind);
    }
  }
}

std::map<std::string, int> ops_per_backend(const Session& s) {
  std::map<std::string, int> m;
  for (const PartitionDecision& d : s.partition_report()) ++m[d.backend];
  return m;
}

std::string format_ops_per_backend(const Session& s) {
  std::string out;
  for (const auto& [b, n] : ops_per_backend(s))
    out += (out.empty() ? "" : ", ") + b + " " + std::to_string(n);
  return out.empty() ? "no ops" : out;
}

std::string npy_file_name(const std::string& name, std::set<std::string>& used) {
  std::string base;
  for (char c : name)
    base +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  if (base.empty() || base[0] == '.') base = "tensor" + base;
  std::string f = base;
  for (int k = 1; used.count(f); ++k) f = base + "_" + std::to_string(k);
  used.insert(f);
  return f + ".npy";
}

void make_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw CliError(kExitRuntime, "cannot create directory '" + dir + "': " + ec.message());
}

uint64_t peak_rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // kB
  return 0;
}

}  // namespace rnpu::cli
