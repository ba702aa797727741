// librnpu C++ API.  Everything fails by throwing rnpu::Error, whose fields
// name the node, the op and the reason whenever a node is involved.
//
// Link it with the static library (CMake rnpu::rnpu_static, pkg-config
// --static): librnpu.so exports only the C API of rnpu.h (version node
// RNPU_1.0, RNPU_1.1), so the C++ API is not part of the shared library's ABI.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
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

const char* error_code_name(ErrorCode c);

class Error : public std::runtime_error {
 public:
  // The message is composed as "node 'N' (Op): reason [; backend 'B' would take it]".
  Error(ErrorCode code, std::string reason, std::string node = {}, std::string op = {},
        std::string backend_hint = {});

  ErrorCode code() const { return code_; }
  const std::string& node() const { return node_; }
  const std::string& op() const { return op_; }
  const std::string& reason() const { return reason_; }
  const std::string& backend_hint() const { return backend_hint_; }

 private:
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

size_t data_type_size(DataType t);  // 0 for undefined/string
const char* data_type_name(DataType t);

// What a value holds (ONNX TypeProto): a tensor, a sequence of tensors (of
// one element type, shapes may differ), or an optional tensor or sequence,
// which may be absent.  Numbering is rnpu_value_kind's.
enum class ValueKind : uint8_t {
  kTensor = 0,
  kSequence = 1,
  kOptionalTensor = 2,
  kOptionalSequence = 3,
};

const char* value_kind_name(ValueKind k);  // "tensor", "sequence", "optional(tensor)", ...

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
  // reference; slow.  Not part of the C API.
  bool reference_kernels = false;
};

std::vector<BackendInfo> list_backends();
const char* version();

class Session {
 public:
  // Loads an ONNX model or a compiled artifact (.rnpb, recognized by its
  // magic).  An artifact's saved programs are loaded instead of compiled;
  // with opts.backends empty, the backends it was compiled for are used.
  static Session load_file(const std::string& path, const Options& opts = {});
  static Session load_memory(const void* data, size_t size, const Options& opts = {});

  // Writes a compiled artifact: the model, the options and every partition
  // program whose backend can save it (the NPU backends).  Throws kIo.
  void save_compiled(const std::string& path) const;
  std::vector<uint8_t> compiled_bytes() const;
  // Partitions whose programs came from an artifact rather than compiling.
  size_t programs_loaded() const;

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;
  size_t input_index(std::string_view name) const;   // throws kInvalidArgument
  size_t output_index(std::string_view name) const;  // throws kInvalidArgument

  // Caller-owned input memory, used in place (no copy); `shape` fixes the
  // dynamic dims.  Must stay valid until the run using it completes.
  void set_input(size_t index, const void* data, size_t size, std::span<const int64_t> shape);
  void set_input(size_t index, std::span<const float> data, std::span<const int64_t> shape) {
    set_input(index, data.data(), data.size_bytes(), shape);
  }
  // A sequence input (or a present optional sequence): its elements, each
  // caller-owned as for set_input and used in place; every element must have
  // the input's element type and match its declared element shape.
  void set_input_sequence(size_t index, std::span<const TensorView> elements);
  // An optional input without element.  A present optional tensor is bound
  // with set_input, a present optional sequence with set_input_sequence.
  void set_input_absent(size_t index);
  // A string tensor input (ONNX STRING): numel(shape) elements, copied.
  // Elements are bytes; ops that interpret characters require UTF-8.
  void set_input_strings(size_t index, std::span<const std::string> elements,
                         std::span<const int64_t> shape);
  // Caller-owned output memory; results are written there directly.  nullptr
  // unbinds, after which results live in session memory.
  void set_output(size_t index, void* data, size_t size);

  void run();
  // One run at a time per session; the future rethrows run errors.
  std::future<void> run_async();

  // Pipelined runs, for streams of inputs: submit() takes the current
  // inputs (they may be overwritten as soon as it returns) and starts a
  // run; collect() completes the oldest submitted run, after which
  // output() gives its results (until the next collect()).  Up to
  // pipeline_depth() runs may be submitted before collecting: with the npu
  // backend running the model's last partition that is 2, so the host
  // prepares run N+1 while the NPU computes run N.  Where the depth is 1,
  // submit() + collect() is run().  Errors of a run surface from collect().
  void submit();
  void collect();
  size_t pipeline_depth() const;

  // Valid until the next run.  A tensor output or a present optional
  // tensor; sequences and absent optionals are kInvalidArgument.
  TensorView output(size_t index) const;
  // Sequence and optional outputs of the last run: whether an optional output
  // holds an element (true for every other kind), the length of a sequence
  // output (or present optional sequence), and its element `position`.
  bool output_has_element(size_t index) const;
  size_t output_sequence_length(size_t index) const;
  TensorView output_element(size_t index, size_t position) const;
  // A string tensor output of the last run: its elements (row-major, a
  // copy) and, when `shape` is given, its shape.  Other outputs are
  // kInvalidArgument, as output() is for string outputs.
  std::vector<std::string> output_strings(size_t index, std::vector<int64_t>* shape = nullptr) const;

  std::vector<OpProfile> profile() const;  // last run; needs Options::profiling
  const std::vector<PartitionDecision>& partition_report() const;
  size_t arena_bytes() const;  // peak of the static intermediate arena
  // Last run's modelled NPU figures, one per NPU partition.
  std::vector<NpuReport> npu_reports() const;

  // Internal state; opaque to users.
  struct Impl;
  Impl* impl() const { return impl_.get(); }

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rnpu
