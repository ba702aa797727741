// librnpu C++ API.  Everything fails by throwing rnpu::Error, whose fields
// name the node, the op and the reason whenever a node is involved.
//
// Header-only: every function here is inline and calls the C API of rnpu.h,
// so no C++ type crosses the library boundary and the C API's ABI
// (version nodes RNPU_1.0 to RNPU_1.2) is the whole contract.  Link it with
// the shared library alone (CMake rnpu::rnpu, pkg-config rnpu) or with the
// static one (rnpu::rnpu_static, pkg-config --static).  It needs a library
// of API 1.2 or newer (rnpu_api_version()).  The value types (rnpu::Error,
// DataType, TensorInfo, Options, ...) are in rnpu/types.hpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rnpu/rnpu.h"
#include "rnpu/types.hpp"

namespace rnpu {

inline const char* error_code_name(ErrorCode c) {
  return rnpu_status_string(rnpu_status(c));
}

namespace detail {

inline const char* str_or_empty(const char* s) {
  return s ? s : "";
}

// The error a C call returned, with the details the library keeps for the
// calling thread's last failure (node, op, reason, backend hint).
inline Error last_error(rnpu_status st) {
  rnpu_error_info e{};
  e.struct_size = sizeof e;
  if (rnpu_last_error(&e) != st || !e.reason) return Error(ErrorCode(st), rnpu_status_string(st));
  return Error(ErrorCode(st), e.reason, str_or_empty(e.node), str_or_empty(e.op),
               str_or_empty(e.backend_hint));
}

}  // namespace detail

// Throws the rnpu::Error of a failed C call (rnpu.h), with the details of
// the calling thread's last error; RNPU_OK returns.  For C calls this
// header does not wrap (rnpu_session_graph, rnpu_device_list_create, ...).
inline void throw_on_error(rnpu_status st) {
  if (st != RNPU_OK) throw detail::last_error(st);
}

// 0 for undefined/string.
inline size_t data_type_size(DataType t) {
  return rnpu_dtype_size(rnpu_dtype(t));
}
inline const char* data_type_name(DataType t) {
  return rnpu_dtype_name(rnpu_dtype(t));
}

// "tensor", "sequence", "optional(tensor)", ...
inline const char* value_kind_name(ValueKind k) {
  return rnpu_value_kind_name(rnpu_value_kind(k));
}

inline std::vector<BackendInfo> list_backends() {
  std::vector<BackendInfo> out;
  size_t n = rnpu_backend_count();
  for (size_t i = 0; i < n; ++i) {
    const char *name = nullptr, *description = nullptr;
    int available = 0;
    throw_on_error(rnpu_backend_info(i, &name, &available, &description));
    out.push_back({detail::str_or_empty(name), available != 0, detail::str_or_empty(description)});
  }
  return out;
}

inline const char* version() {
  return rnpu_version();
}

class Session {
 public:
  // Loads an ONNX model or a compiled artifact (.rnpb, recognized by its
  // magic).  An artifact's saved programs are loaded instead of compiled;
  // with opts.backends empty, the backends it was compiled for are used.
  static Session load_file(const std::string& path, const Options& opts = {}) {
    OptionsHandle o(opts);
    rnpu_session* s = nullptr;
    throw_on_error(rnpu_session_create_from_file(path.c_str(), o.get(), &s));
    return Session(s);
  }
  static Session load_memory(const void* data, size_t size, const Options& opts = {}) {
    OptionsHandle o(opts);
    rnpu_session* s = nullptr;
    throw_on_error(rnpu_session_create_from_memory(data, size, o.get(), &s));
    return Session(s);
  }

  // Writes a compiled artifact: the model, the options and every partition
  // program whose backend can save it (the NPU backends).  Throws kIo.
  void save_compiled(const std::string& path) const {
    throw_on_error(rnpu_session_save_compiled(s_.get(), path.c_str()));
  }
  std::vector<uint8_t> compiled_bytes() const {
    void* data = nullptr;
    size_t size = 0;
    throw_on_error(rnpu_session_compiled_bytes(s_.get(), &data, &size));
    std::unique_ptr<void, decltype(&rnpu_free)> hold(data, &rnpu_free);
    const uint8_t* p = static_cast<const uint8_t*>(data);
    return std::vector<uint8_t>(p, p + size);
  }
  // Partitions whose programs came from an artifact rather than compiling.
  size_t programs_loaded() const { return rnpu_session_programs_loaded(s_.get()); }

  Session(Session&&) noexcept = default;
  Session& operator=(Session&&) noexcept = default;
  ~Session() = default;  // waits for a pending asynchronous run

  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }
  // throws kInvalidArgument
  size_t input_index(std::string_view name) const {
    size_t i = 0;
    throw_on_error(rnpu_session_find_input(s_.get(), std::string(name).c_str(), &i));
    return i;
  }
  size_t output_index(std::string_view name) const {
    size_t i = 0;
    throw_on_error(rnpu_session_find_output(s_.get(), std::string(name).c_str(), &i));
    return i;
  }

  // Caller-owned input memory, used in place (no copy); `shape` fixes the
  // dynamic dims.  Must stay valid until the run using it completes.
  void set_input(size_t index, const void* data, size_t size, std::span<const int64_t> shape) {
    throw_on_error(
        rnpu_session_set_input(s_.get(), index, data, size, shape.data(), rank_of(shape.size())));
  }
  void set_input(size_t index, std::span<const float> data, std::span<const int64_t> shape) {
    set_input(index, data.data(), data.size_bytes(), shape);
  }
  // A sequence input (or a present optional sequence): its elements, each
  // caller-owned as for set_input and used in place; every element must have
  // the input's element type and match its declared element shape.
  void set_input_sequence(size_t index, std::span<const TensorView> elements) {
    std::vector<rnpu_input_desc> descs(elements.size());
    std::vector<const rnpu_input_desc*> ptrs(elements.size());
    for (size_t k = 0; k < elements.size(); ++k) {
      rnpu_input_desc& d = descs[k];
      d.struct_size = sizeof d;
      d.data = elements[k].data;
      d.size = elements[k].size;
      d.dims = elements[k].shape.data();
      d.rank = rank_of(elements[k].shape.size());
      d.dtype = rnpu_dtype(elements[k].dtype);
      ptrs[k] = &d;
    }
    throw_on_error(rnpu_session_set_input_sequence(s_.get(), index, ptrs.data(), ptrs.size()));
  }
  // An optional input without element.  A present optional tensor is bound
  // with set_input, a present optional sequence with set_input_sequence.
  void set_input_absent(size_t index) {
    throw_on_error(rnpu_session_set_input_absent(s_.get(), index));
  }
  // A string tensor input (ONNX STRING): numel(shape) elements, copied.
  // Elements are bytes; ops that interpret characters require UTF-8.
  void set_input_strings(size_t index, std::span<const std::string> elements,
                         std::span<const int64_t> shape) {
    std::vector<const char*> ptrs(elements.size());
    std::vector<size_t> lengths(elements.size());
    for (size_t i = 0; i < elements.size(); ++i) {
      ptrs[i] = elements[i].data();
      lengths[i] = elements[i].size();
    }
    throw_on_error(rnpu_session_set_input_strings(s_.get(), index, ptrs.data(), lengths.data(),
                                                  ptrs.size(), shape.data(), shape.size()));
  }
  // Caller-owned output memory; results are written there directly.  nullptr
  // unbinds, after which results live in session memory.
  void set_output(size_t index, void* data, size_t size) {
    throw_on_error(rnpu_session_set_output(s_.get(), index, data, size));
  }

  void run() { throw_on_error(rnpu_session_run(s_.get())); }
  // One run at a time per session; the future rethrows run errors.
  std::future<void> run_async() {
    auto* promise = new std::promise<void>();
    std::future<void> f = promise->get_future();
    rnpu_status st = rnpu_session_run_async(s_.get(), &Session::run_done, promise);
    if (st != RNPU_OK) {
      delete promise;
      throw detail::last_error(st);
    }
    return f;
  }

  // Pipelined runs, for streams of inputs: submit() takes the current
  // inputs (they may be overwritten as soon as it returns) and starts a
  // run; collect() completes the oldest submitted run, after which
  // output() gives its results (until the next collect()).  Up to
  // pipeline_depth() runs may be submitted before collecting: with the npu
  // backend running the model's last partition that is 2, so the host
  // prepares run N+1 while the NPU computes run N.  Where the depth is 1,
  // submit() + collect() is run().  Errors of a run surface from collect().
  void submit() { throw_on_error(rnpu_session_submit(s_.get())); }
  void collect() { throw_on_error(rnpu_session_collect(s_.get())); }
  size_t pipeline_depth() const { return rnpu_session_pipeline_depth(s_.get()); }

  // Valid until the next run.  A tensor output or a present optional
  // tensor; sequences and absent optionals are kInvalidArgument.
  TensorView output(size_t index) const {
    rnpu_tensor_info info = tensor_info();
    TensorView v;
    throw_on_error(rnpu_session_get_output(s_.get(), index, &info, &v.data, &v.size));
    v.dtype = DataType(info.dtype);
    v.shape.assign(info.dims, info.dims + info.rank);
    return v;
  }
  // Sequence and optional outputs of the last run: whether an optional output
  // holds an element (true for every other kind), the length of a sequence
  // output (or present optional sequence), and its element `position`.
  bool output_has_element(size_t index) const {
    int present = 0;
    throw_on_error(rnpu_session_output_has_element(s_.get(), index, &present));
    return present != 0;
  }
  size_t output_sequence_length(size_t index) const {
    size_t n = 0;
    throw_on_error(rnpu_session_output_count_elements(s_.get(), index, &n));
    return n;
  }
  TensorView output_element(size_t index, size_t position) const {
    rnpu_tensor_info info = tensor_info();
    TensorView v;
    throw_on_error(
        rnpu_session_get_output_element(s_.get(), index, position, &info, &v.data, &v.size));
    v.dtype = DataType(info.dtype);
    v.shape.assign(info.dims, info.dims + info.rank);
    return v;
  }
  // A string tensor output of the last run: its elements (row-major, a
  // copy) and, when `shape` is given, its shape.  Other outputs are
  // kInvalidArgument, as output() is for string outputs.
  std::vector<std::string> output_strings(size_t index,
                                          std::vector<int64_t>* shape = nullptr) const {
    rnpu_tensor_info info = tensor_info();
    size_t n = 0;
    throw_on_error(rnpu_session_get_output_strings(s_.get(), index, &info, &n));
    std::vector<std::string> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const char* data = nullptr;
      size_t length = 0;
      throw_on_error(rnpu_session_get_output_string(s_.get(), index, i, &data, &length));
      out.emplace_back(data, length);
    }
    if (shape) shape->assign(info.dims, info.dims + info.rank);
    return out;
  }

  // Last run; needs Options::profiling.
  std::vector<OpProfile> profile() const {
    std::vector<OpProfile> out;
    size_t n = rnpu_session_profile_count(s_.get());
    for (size_t i = 0; i < n; ++i) {
      rnpu_op_profile p{};
      p.struct_size = sizeof p;
      // The count may shrink under a concurrent run: stop where it ends.
      if (rnpu_session_profile(s_.get(), i, &p) != RNPU_OK) break;
      out.push_back({detail::str_or_empty(p.node), detail::str_or_empty(p.op),
                     detail::str_or_empty(p.backend), p.time_ns, p.cycles});
    }
    return out;
  }
  const std::vector<PartitionDecision>& partition_report() const { return partitions_; }
  // The session arena: planned intermediates plus the backends' working memory.
  size_t arena_bytes() const { return rnpu_session_arena_bytes(s_.get()); }
  // Last run's modelled NPU figures, one per NPU partition.
  std::vector<NpuReport> npu_reports() const {
    std::vector<NpuReport> out;
    size_t n = rnpu_session_npu_report_count(s_.get());
    for (size_t i = 0; i < n; ++i) {
      rnpu_npu_report r{};
      r.struct_size = sizeof r;
      if (rnpu_session_npu_report(s_.get(), i, &r) != RNPU_OK) break;
      NpuReport x;
      x.backend = detail::str_or_empty(r.backend);
      x.cycles = r.cycles;
      x.macs = r.macs;
      x.dram_bytes = r.dram_bytes;
      x.sram_bytes = r.sram_bytes;
      x.compulsory_bytes = r.compulsory_bytes;
      x.compute_bound_cycles = r.compute_bound_cycles;
      x.memory_bound_cycles = r.memory_bound_cycles;
      x.peak_macs_per_cycle = r.peak_macs_per_cycle;
      x.freq_hz = r.freq_hz;
      x.commands = r.commands;
      out.push_back(std::move(x));
    }
    return out;
  }

  // The C session, for calls of rnpu.h this class does not wrap (e.g.
  // rnpu_session_graph); owned by this object.
  rnpu_session* handle() const { return s_.get(); }

 private:
  struct Destroy {
    void operator()(rnpu_session* s) const { rnpu_session_destroy(s); }
  };
  // rnpu::Options as the C API's rnpu_options.
  class OptionsHandle {
   public:
    explicit OptionsHandle(const Options& o) {
      rnpu_options* p = nullptr;
      throw_on_error(rnpu_options_create(&p));
      p_.reset(p);
      std::string list;
      for (const std::string& b : o.backends) list += (list.empty() ? "" : ",") + b;
      throw_on_error(rnpu_options_set_backends(p, list.empty() ? "auto" : list.c_str()));
      throw_on_error(rnpu_options_set_fallback(p, o.allow_fallback));
      throw_on_error(rnpu_options_set_threads(p, o.num_threads));
      throw_on_error(rnpu_options_set_profiling(p, o.profiling));
      throw_on_error(rnpu_options_set_optimization(p, o.optimization_level));
      throw_on_error(rnpu_options_set_reference_kernels(p, o.reference_kernels));
    }
    const rnpu_options* get() const { return p_.get(); }

   private:
    struct Free {
      void operator()(rnpu_options* p) const { rnpu_options_destroy(p); }
    };
    std::unique_ptr<rnpu_options, Free> p_;
  };

  explicit Session(rnpu_session* s) : s_(s) {
    // What the C API describes once per session: the inputs, the outputs
    // and the partitioner's decisions do not change after loading.
    inputs_ = describe(true);
    outputs_ = describe(false);
    size_t n = rnpu_session_partition_count(s);
    for (size_t i = 0; i < n; ++i) {
      rnpu_partition_decision d{};
      d.struct_size = sizeof d;
      throw_on_error(rnpu_session_partition(s, i, &d));
      partitions_.push_back({detail::str_or_empty(d.node), detail::str_or_empty(d.op),
                             detail::str_or_empty(d.backend), detail::str_or_empty(d.reason)});
    }
  }

  static rnpu_tensor_info tensor_info() {
    rnpu_tensor_info info{};
    info.struct_size = sizeof info;
    return info;
  }

  // The C API refuses a rank above RNPU_MAX_RANK, naming it.
  static uint32_t rank_of(size_t rank) { return uint32_t(std::min<size_t>(rank, UINT32_MAX)); }

  std::vector<TensorInfo> describe(bool input) const {
    rnpu_session* s = s_.get();
    size_t n = input ? rnpu_session_input_count(s) : rnpu_session_output_count(s);
    std::vector<TensorInfo> out(n);
    for (size_t i = 0; i < n; ++i) {
      rnpu_tensor_info info = tensor_info();
      rnpu_value_kind kind = RNPU_VALUE_TENSOR;
      throw_on_error(input ? rnpu_session_input_info(s, i, &info)
                           : rnpu_session_output_info(s, i, &info));
      throw_on_error(input ? rnpu_session_input_kind(s, i, &kind)
                           : rnpu_session_output_kind(s, i, &kind));
      TensorInfo& t = out[i];
      t.name = detail::str_or_empty(info.name);
      t.dtype = DataType(info.dtype);
      t.shape.assign(info.dims, info.dims + info.rank);
      t.kind = ValueKind(kind);
      for (uint32_t d = 0; d < info.rank; ++d) {
        const char* name = nullptr;
        throw_on_error(input ? rnpu_session_input_dim_name(s, i, d, &name)
                             : rnpu_session_output_dim_name(s, i, d, &name));
        t.dim_names.emplace_back(detail::str_or_empty(name));
      }
    }
    return out;
  }

  // rnpu_session_run_async's callback, on the session's worker thread: the
  // thread's last error holds the run's details.
  static void run_done(rnpu_session*, rnpu_status st, void* user) {
    std::unique_ptr<std::promise<void>> promise(static_cast<std::promise<void>*>(user));
    if (st == RNPU_OK)
      promise->set_value();
    else
      promise->set_exception(std::make_exception_ptr(detail::last_error(st)));
  }

  std::unique_ptr<rnpu_session, Destroy> s_;
  std::vector<TensorInfo> inputs_, outputs_;
  std::vector<PartitionDecision> partitions_;
};

}  // namespace rnpu
