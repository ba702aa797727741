// librnpu C++ API: its value types -- error codes and rnpu::Error, element
// types, value kinds, tensor descriptions and views, profiles, reports,
// partition decisions, backend descriptions and session options.  Plain
// data and inline code only; rnpu.hpp includes this header and adds the
// functions and the Session, header-only over the C API of rnpu.h.
//
// librnpu's own code uses these types too (as its error type and in the
// executor's descriptions) without rnpu.h, whose names would clash with the
// hardware command-stream header's (hw/include/rnpu_cmd.h) where both meet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace rnpu {

enum class ErrorCode : int {
  kOk = 0,
  kInvalidArgument = 1,
  kMalformedModel = 2,
  kUnsupportedOp = 3,
  kShapeMismatch = 4,
  kDevice = 5,
  kOutOfMemory = 6,
  kIo = 7,
  kBackendUnavailable = 8,
  kRuntime = 9,
  kInternal = 10,
  kUnsupported = 11,  // a struct field or feature this library version lacks (C API)
};

class Error : public std::runtime_error {
 public:
  // The message is composed as "node 'N' (Op): reason [; backend 'B' would take it]".
  Error(ErrorCode code, std::string reason, std::string node = {}, std::string op = {},
        std::string backend_hint = {})
      : std::runtime_error(compose(reason, node, op, backend_hint)),
        code_(code),
        reason_(std::move(reason)),
        node_(std::move(node)),
        op_(std::move(op)),
        backend_hint_(std::move(backend_hint)) {}

  ErrorCode code() const { return code_; }
  const std::string& node() const { return node_; }
  const std::string& op() const { return op_; }
  const std::string& reason() const { return reason_; }
  const std::string& backend_hint() const { return backend_hint_; }

 private:
  static std::string compose(const std::string& reason, const std::string& node,
                             const std::string& op, const std::string& hint) {
    std::string m;
    if (!node.empty() || !op.empty()) m = "node '" + node + "' (" + op + "): ";
    m += reason;
    if (!hint.empty()) m += "; backend '" + hint + "' would take it";
    return m;
  }

  ErrorCode code_;
  std::string reason_, node_, op_, backend_hint_;
};

// Numbering follows ONNX TensorProto.DataType (and rnpu_dtype).
enum class DataType : uint8_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,
  // Stored one byte per element in memory, also int4/uint4 (sign-extended
  // int4 in an int8, uint4 in a uint8); ONNX packs 4-bit types two per byte
  // only in its files.
  kFloat8E4M3FN = 17,
  kFloat8E4M3FNUZ = 18,
  kFloat8E5M2 = 19,
  kFloat8E5M2FNUZ = 20,
  kUInt4 = 21,
  kInt4 = 22,
};

// What a value holds (ONNX TypeProto): a tensor, a sequence of tensors (of
// one element type, shapes may differ), or an optional tensor or sequence,
// which may be absent.  Numbering is rnpu_value_kind's.
enum class ValueKind : uint8_t {
  kTensor = 0,
  kSequence = 1,
  kOptionalTensor = 2,
  kOptionalSequence = 3,
};

struct TensorInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;  // sequences/optionals: the element type
  std::vector<int64_t> shape;             // -1: known only at run time; sequences: per element
  std::vector<std::string> dim_names;     // symbolic names of dynamic dims ("" if none)
  ValueKind kind = ValueKind::kTensor;
};

// A view of tensor memory; never owns it.
struct TensorView {
  DataType dtype = DataType::kUndefined;
  std::vector<int64_t> shape;
  const void* data = nullptr;
  size_t size = 0;  // bytes
};

struct OpProfile {
  std::string node, op, backend;
  uint64_t time_ns = 0;
  uint64_t cycles = 0;  // modelled NPU cycles; 0 when the backend has no model
};

// Modelled NPU totals of the last run over one NPU partition (sim or npu
// backend), and its roofline bound from the device's capabilities:
// bound = max(sum over ops of MACs / peak MAC rate of the op's dtype,
//             compulsory DRAM bytes (weights, inputs, outputs once) / DRAM bandwidth).
struct NpuReport {
  std::string backend;
  uint64_t cycles = 0, macs = 0, dram_bytes = 0, sram_bytes = 0;
  uint64_t compulsory_bytes = 0;
  double compute_bound_cycles = 0, memory_bound_cycles = 0;
  double bound_cycles() const {
    return compute_bound_cycles > memory_bound_cycles ? compute_bound_cycles : memory_bound_cycles;
  }
  uint64_t peak_macs_per_cycle = 0;  // int8; fp16 runs at half this rate
  uint64_t freq_hz = 0;              // frequency the time is reported at
  uint64_t commands = 0;
};

struct PartitionDecision {
  std::string node, op, backend;
  std::string reason;  // e.g. "npu: dtype float64 unsupported -> cpu"
};

struct BackendInfo {
  std::string name;
  bool available = false;
  std::string description;  // device and driver, or why unavailable
};

struct Options {
  // Preference list, most preferred first ("npu", "vulkan", "cpu"); empty
  // means automatic: every available backend, chosen per op by cost.
  std::vector<std::string> backends;
  // Let ops the preferred backends cannot run fall back to any available
  // backend; when false such an op is an ErrorCode::kUnsupportedOp error.
  bool allow_fallback = true;
  int num_threads = 0;  // 0: number of online CPUs
  bool profiling = false;
  int optimization_level = 1;  // 0: import + shape inference only
  // Plain reference kernels: no graph rewrites (as optimization_level 0) and
  // every backend compiles its reference path (cpu: no XNNPACK, no fast
  // path); backends without one are unaffected.  The conformance suites'
  // reference; slow.
  bool reference_kernels = false;
};

}  // namespace rnpu
