// The conformance graphs: small single-op and multi-op ONNX models built in
// code, each with deterministic inputs.
#pragma once

#include <string>
#include <vector>

namespace rnpu::conformance {

struct Input {
  std::vector<int64_t> shape;
  std::vector<float> data;  // float32 inputs only; quantised cases quantise inside the graph
};

struct Case {
  std::string name;
  std::string model;  // serialized ModelProto
  std::vector<Input> inputs;
};

const std::vector<Case>& all_cases();

}  // namespace rnpu::conformance
