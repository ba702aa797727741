// Post-training static quantization for `rnpu quantize`: calibrate the
// activation ranges of a float ONNX model on sample inputs, then write it
// in QDQ form (as exporters do), which librnpu's QDQ folding turns into
// int8 ops for the NPU.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "npy.h"

namespace rnpu::cli {

// One calibration sample: model input name -> array.
using Sample = std::map<std::string, NpyArray>;

struct QuantizeReport {
  int quantized_nodes = 0;
  int calibrated_tensors = 0;
  size_t samples = 0;
};

// model: ONNX bytes; external data is read relative to base_dir (empty:
// external data is an error) and written inline.  Conv, Gemm and MatMul with constant weights get
// per-tensor symmetric int8 activations (scale = max|x| / 127 over the
// samples) and per-output-channel int8 weights with int32 biases.
std::string quantize_model(const std::string& model, const std::string& base_dir,
                           const std::vector<Sample>& samples, QuantizeReport* report);

}  // namespace rnpu::cli
