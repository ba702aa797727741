// rnpu quantize: post-training static int8 quantization with calibration
// over sample inputs, writing a QDQ ONNX model the NPU runs in int8.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli.h"
#include "quantize.h"

namespace rnpu::cli {
namespace fs = std::filesystem;

namespace {

// Calibration samples from DIR: one subdirectory per sample holding
// <input>.npy files; or, for a one-input model, every .npy in DIR is a
// sample; or DIR itself holds one sample.
std::vector<Sample> load_samples(const std::string& dir, const std::vector<TensorInfo>& inputs) {
  if (!fs::is_directory(dir))
    throw CliError(kExitInput, "calibration directory " + dir + " not found");
  auto sample_dir = [&](const fs::path& d) {
    Sample s;
    for (const TensorInfo& in : inputs) {
      fs::path f = d / (in.name + ".npy");
      if (!fs::exists(f))
        throw CliError(kExitInput,
                       "calibration sample " + d.string() + " lacks " + f.filename().string());
      s[in.name] = npy_load(f.string());
    }
    return s;
  };
  std::vector<fs::path> subdirs, files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory())
      subdirs.push_back(e.path());
    else if (e.path().extension() == ".npy")
      files.push_back(e.path());
  }
  std::sort(subdirs.begin(), subdirs.end());
  std::sort(files.begin(), files.end());
  std::vector<Sample> out;
  if (!subdirs.empty()) {
    for (const auto& d : subdirs) out.push_back(sample_dir(d));
  } else if (inputs.size() == 1 && !files.empty()) {
    for (const auto& f : files) out.push_back({{inputs[0].name, npy_load(f.string())}});
  } else {
    out.push_back(sample_dir(dir));
  }
  return out;
}

}  // namespace

int cmd_quantize(std::span<const std::string> argv) {
  std::vector<OptionSpec> specs = {
      {"--calibration", "-c", "DIR", "sample inputs (.npy) the activation ranges come from"},
      {"--output", "-o", "FILE", "the quantized ONNX model to write"},
      {"--help", "-h", "", "this help"},
  };
  Args args = parse_args(specs, argv);
  if (args.has("--help")) {
    std::cout << format_help(
        "rnpu quantize MODEL --calibration DIR -o OUT.onnx",
        "Post-training static quantization: runs MODEL on the cpu backend over the calibration\n"
        "samples, then writes it in QDQ form: Conv, Gemm and MatMul get int8 activations\n"
        "(symmetric, scale = max|x| / 127 over the samples), int8 weights with one scale per\n"
        "output channel (opset >= 13; per tensor before) and int32 biases.  The NPU backends\n"
        "run the result in int8.  DIR holds one subdirectory per sample with <input>.npy files,\n"
        "or, for a one-input model, one .npy file per sample.",
        specs);
    return kExitOk;
  }
  std::string model = model_argument(args);
  std::string out = args.get("--output"), dir = args.get("--calibration");
  if (out.empty() || dir.empty())
    throw UsageError("--calibration DIR and --output FILE are required");
  std::ifstream f(model, std::ios::binary);
  if (!f) throw CliError(kExitInput, "cannot read " + model);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  Options probe;
  probe.backends = {"cpu"};
  probe.optimization_level = 0;
  Session s = Session::load_file(model, probe);
  std::vector<Sample> samples = load_samples(dir, s.inputs());
  QuantizeReport rep;
  std::string base = fs::path(model).parent_path().string();
  std::string q = quantize_model(bytes, base.empty() ? "." : base, samples, &rep);
  std::ofstream o(out, std::ios::binary | std::ios::trunc);
  o.write(q.data(), std::streamsize(q.size()));
  if (!o) throw CliError(kExitRuntime, "cannot write " + out);
  std::cout << "quantized " << rep.quantized_nodes << " Conv/Gemm/MatMul nodes to int8 ("
            << rep.calibrated_tensors << " activation ranges from " << rep.samples
            << " calibration samples)\nwrote " << out << " (" << q.size() << " bytes)\n";
  return kExitOk;
}

}  // namespace rnpu::cli
