// Builds ONNX models in code for tests (no model files in the repo).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"

namespace rnpu::test {

class ModelBuilder {
 public:
  explicit ModelBuilder(int opset = 17);

  // dims: -1 becomes a symbolic dim named "N"; elem: ONNX type number.
  ModelBuilder& input(const std::string& name, std::vector<int64_t> dims, int elem = 1);
  ModelBuilder& output(const std::string& name, int elem = 1);
  ModelBuilder& init(const std::string& name, std::vector<int64_t> dims, std::vector<float> v);
  ModelBuilder& init_i64(const std::string& name, std::vector<int64_t> dims,
                         std::vector<int64_t> v);
  ::onnx::NodeProto& node(const std::string& op, std::vector<std::string> inputs,
                          std::vector<std::string> outputs, const std::string& name = "");
  ::onnx::ModelProto& proto() { return m_; }
  ::onnx::GraphProto& graph() { return *m_.mutable_graph(); }
  std::string bytes() const;

 private:
  ::onnx::ModelProto m_;
};

void attr_i(::onnx::NodeProto& n, const std::string& name, int64_t v);
void attr_f(::onnx::NodeProto& n, const std::string& name, float v);
void attr_s(::onnx::NodeProto& n, const std::string& name, const std::string& v);
void attr_ints(::onnx::NodeProto& n, const std::string& name, std::vector<int64_t> v);
void attr_floats(::onnx::NodeProto& n, const std::string& name, std::vector<float> v);
void attr_strings(::onnx::NodeProto& n, const std::string& name, std::vector<std::string> v);
// A GRAPH attribute (If branches, Loop/Scan/SequenceMap bodies).
void attr_g(::onnx::NodeProto& n, const std::string& name, const ::onnx::GraphProto& g);
// A node of a control-flow body; unnamed ones are named after output 0.
::onnx::NodeProto& body_node(::onnx::GraphProto& g, const std::string& op,
                             std::vector<std::string> in, std::vector<std::string> out,
                             const std::string& name = "");

}  // namespace rnpu::test
