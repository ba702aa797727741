// ONNX model import: protobuf bytes -> ir::Graph, with strict validation.
// Every failure is an rnpu::Error (kMalformedModel for invalid input,
// kUnsupportedOp for valid ONNX that rnpu cannot represent, kIo for external
// data files); nothing the model says is trusted for an allocation before it
// is checked against the bytes actually present.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ir/graph.h"
#include "onnx/op_versions.h"

namespace rnpu::onnx {

struct ImportOptions {
  // Directory that external tensor data is resolved against; empty forbids
  // external data (models loaded from memory without a base directory).
  std::string base_dir;
  // Upper bound on all external data read for one model.
  uint64_t max_external_bytes = uint64_t(16) << 30;
};

// Parses and converts a ModelProto held in memory.  The bytes are not
// referenced after return (constants are copied out).  This is the fuzzing
// entry point.
ir::Graph import_model(const void* data, size_t size, const ImportOptions& opts = {});
// Reads `path` and imports it with base_dir = its directory.
ir::Graph import_file(const std::string& path, ImportOptions opts = {});

// A standalone TensorProto (the ONNX test data input_N.pb / output_N.pb).
struct NamedTensor {
  std::string name;
  std::shared_ptr<ir::ConstTensor> tensor;
};
NamedTensor import_tensor(const void* data, size_t size);

// A standalone value of any kind (the test data of sequence and optional
// inputs and outputs): a TensorProto for kTensor, a SequenceProto of tensors
// for kSequence, an OptionalProto for the optional kinds.
struct NamedValue {
  std::string name;
  ir::ValueKind kind = ir::ValueKind::kTensor;
  bool present = true;                                     // false: an empty optional
  std::shared_ptr<ir::ConstTensor> tensor;                 // a tensor, or an optional's
  std::vector<std::shared_ptr<ir::ConstTensor>> elements;  // a sequence, or an optional's
  ir::DType elem_type = ir::DType::kUndefined;             // a sequence's element type
};
NamedValue import_value(const void* data, size_t size, ir::ValueKind kind);

// Reads a whole file with a size limit; throws kIo.
std::string read_file(const std::string& path, uint64_t max_bytes = uint64_t(4) << 30);

}  // namespace rnpu::onnx
